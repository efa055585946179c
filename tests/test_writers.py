"""Streaming writers: batch-size invariance, formats, atomicity and exact resume."""

import jax
import numpy as np
import pytest

import jaxgauss as jg
from jaxgauss import dispatch


@pytest.fixture(scope="module")
def params():
    return jg.gaussian(
        np.array([0.0, 5.0, -1.0]), np.array([[1.0, 0.5, 0.0], [0.5, 2.0, 0.1], [0.0, 0.1, 0.3]])
    )


KEY = jax.random.key(11)


def test_npy_bytes_independent_of_batch_size(tmp_path, params):
    a = jg.sample_to(KEY, params, 3000, tmp_path / "a.npy", batch_size=3000)
    b = jg.sample_to(KEY, params, 3000, tmp_path / "b.npy", batch_size=700)
    assert a.read_bytes() == b.read_bytes()
    np.testing.assert_array_equal(np.load(a), jg.sample(KEY, params, 3000))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.npy", "b.npy"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_csv_round_trips_exactly(tmp_path, dtype):
    p = jg.gaussian(np.zeros(2, dtype), np.eye(2, dtype=dtype))
    out = jg.sample_to(
        KEY, p, 500, tmp_path / "rows.csv", batch_size=128, columns=["age", "income"]
    )
    text = out.read_text().splitlines()
    assert text[0] == "age,income" and len(text) == 501
    back = np.loadtxt(out, delimiter=",", skiprows=1, dtype=dtype)
    np.testing.assert_array_equal(back, jg.sample(KEY, p, 500))
    other = jg.sample_to(
        KEY, p, 500, tmp_path / "other.csv", batch_size=500, columns=["age", "income"]
    )
    assert other.read_bytes() == out.read_bytes()


def test_parquet_values(tmp_path, params):
    pq = pytest.importorskip("pyarrow.parquet")
    out = jg.sample_to(KEY, params, 2100, tmp_path / "rows.parquet", batch_size=1000)
    table = pq.read_table(out)
    assert table.column_names == ["x0", "x1", "x2"]
    np.testing.assert_array_equal(
        np.column_stack([table[c].to_numpy() for c in table.column_names]),
        jg.sample(KEY, params, 2100),
    )


def _interrupt_after(monkeypatch, calls):
    real = dispatch.sample
    count = {"n": 0}

    def flaky(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(dispatch, "sample", flaky)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_interrupted_run_leaves_nothing(tmp_path, params, monkeypatch, suffix):
    _interrupt_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        jg.sample_to(KEY, params, 5000, tmp_path / f"rows.{suffix}", batch_size=1000)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_npy_resumes_exactly(tmp_path, params, monkeypatch):
    target = tmp_path / "rows.npy"
    _interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        jg.sample_to(KEY, params, 5000, target, batch_size=1000)
    assert not target.exists()
    assert (tmp_path / ".rows.npy.partial").exists()
    monkeypatch.undo()
    # A different key must not resume someone else's partial file.
    with pytest.raises(ValueError, match="cannot resume"):
        jg.sample_to(jax.random.key(0), params, 5000, target, batch_size=1000, resume=True)
    jg.sample_to(KEY, params, 5000, target, batch_size=700, resume=True)
    full = jg.sample_to(KEY, params, 5000, tmp_path / "full.npy", batch_size=5000)
    assert target.read_bytes() == full.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.npy", "rows.npy"]


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        ({"path": "x.txt"}, ValueError, "format must be one of"),
        ({"path": "x.npy", "format": "hdf5"}, ValueError, "format must be one of"),
        ({"path": "x.npy", "batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"path": "x.csv", "columns": ["a"]}, ValueError, "columns must be 3 strings"),
        (
            {"path": "x.csv", "resume": True},
            ValueError,
            "resume=True is supported for format='npy' only",
        ),
        (
            {"path": "x.npy", "to_table": lambda rows: rows},
            ValueError,
            "to_table applies to format='csv' or 'parquet' only",
        ),
    ],
)
def test_errors(tmp_path, params, kwargs, err, match):
    kwargs = dict(kwargs)
    path = tmp_path / kwargs.pop("path")
    with pytest.raises(err, match=match):
        jg.sample_to(KEY, params, 10, path, **kwargs)
