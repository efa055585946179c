"""Out-of-core EM equals in-memory EM; sources; bounded memory; errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxgauss as jg


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            rng.normal(size=(700, 3)),
            rng.normal(size=(700, 3)) + 1.5,
            0.5 * rng.normal(size=(600, 3)) - 2.0,
        ]
    )
    return x[rng.permutation(len(x))] + 100.0  # far from the origin: the shift matters


@pytest.mark.parametrize("ctype", ["full", "tied", "diag", "spherical"])
def test_equals_in_memory_from_the_same_start(data, ctype):
    init = jg.fit_gmm(jax.random.key(0), data, 3, covariance_type=ctype, max_iter=0).params
    whole = jg.fit_gmm(
        jax.random.key(0), data, 3, covariance_type=ctype, params_init=init, tol=1e-6
    )
    chunked = jg.fit_gmm_chunked(
        jax.random.key(0),
        list(np.array_split(data, 7)),
        3,
        covariance_type=ctype,
        params_init=init,
        chunk_rows=300,
        tol=1e-6,
    )
    assert int(chunked.n_iter) == int(whole.n_iter) > 3
    assert bool(chunked.converged) == bool(whole.converged)
    np.testing.assert_allclose(
        float(chunked.log_likelihood), float(whole.log_likelihood), rtol=1e-12
    )
    for a, b in zip(jax.tree.leaves(chunked.params), jax.tree.leaves(whole.params), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8)
    n = int(whole.n_iter)
    np.testing.assert_allclose(chunked.history[:n], whole.history[:n], rtol=1e-12)


def test_npy_parquet_and_callable_sources_agree(data, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    np.save(tmp_path / "x.npy", data)
    pq.write_table(
        pa.table({f"c{j}": data[:, j] for j in range(3)}),
        tmp_path / "x.parquet",
        row_group_size=400,
    )
    chunks = np.array_split(data, 4)
    kw = dict(chunk_rows=512, covariance_type="diag")
    fits = [
        jg.fit_gmm_chunked(jax.random.key(1), tmp_path / "x.npy", 3, **kw),
        jg.fit_gmm_chunked(jax.random.key(1), str(tmp_path / "x.parquet"), 3, **kw),
        jg.fit_gmm_chunked(jax.random.key(1), lambda: (np.asarray(c) for c in chunks), 3, **kw),
    ]
    for f in fits[1:]:
        np.testing.assert_allclose(
            float(f.log_likelihood), float(fits[0].log_likelihood), rtol=1e-10
        )
    whole = jg.fit_gmm(jax.random.key(1), data, 3, covariance_type="diag")
    assert abs(float(fits[0].log_likelihood) - float(whole.log_likelihood)) < 0.05


def test_memory_bounded_by_the_chunk(tmp_path):
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")]
        ),
    )
    script = Path(__file__).parent / "scripts" / "outofcore_memory.py"
    out = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["n_iter"] == 3
    # A 73 MiB file streamed three times; a chunk is 1.2 MiB: growth must stay far below the file.
    assert res["growth_mb"] < res["file_mb"] / 3, res


@pytest.mark.parametrize(
    ("source", "kwargs", "err", "match"),
    [
        (iter([np.zeros((5, 2))]), {}, TypeError, "source must be re-iterable"),
        ("data.csv", {}, ValueError, r"source must be a .npy or .parquet path"),
        (42, {}, TypeError, "source must be a path, a sequence of arrays or a callable"),
        ([], {}, ValueError, "at least one row"),
        ([np.zeros((2, 2))], {}, ValueError, "n_components=3 must be at most the number of rows"),
        ([np.zeros((5, 2)), np.zeros((5, 3))], {}, ValueError, r"chunk 1 must have shape \(n, 2\)"),
        ([np.full((5, 2), np.nan)], {}, ValueError, "chunk 0 must be finite"),
        ([np.zeros((5, 2))], {"max_iter": 0}, ValueError, "max_iter must be an integer >= 1"),
        (
            [np.zeros((5, 2))],
            {"covariance_type": "block"},
            ValueError,
            "covariance_type must be one of",
        ),
    ],
)
def test_errors(source, kwargs, err, match):
    with pytest.raises(err, match=match):
        jg.fit_gmm_chunked(jax.random.key(0), source, 3, **kwargs)


def test_float32_finite(data):
    fit = jg.fit_gmm_chunked(
        jax.random.key(0), [c.astype(np.float32) for c in np.array_split(data, 3)], 3
    )
    assert fit.params.means.dtype == jnp.float32
    assert all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree.leaves(fit.params))
