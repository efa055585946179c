"""Two processes on 127.0.0.1 fit one mixture on row-sharded data and write one sample."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np

import jaxgauss as jg

WORKER = Path(__file__).parent / "scripts" / "multihost_worker.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_fit_and_sample_like_one(tmp_path):
    rng = np.random.default_rng(0)
    data = np.concatenate(
        [
            rng.normal(size=(500, 3)),
            rng.normal(size=(500, 3)) + 4.0,
            0.5 * rng.normal(size=(500, 3)) - 4.0,
        ]
    )[rng.permutation(1500)]
    data = np.concatenate([data, data[:2]])  # 1502 rows: each process holds 751
    np.save(tmp_path / "data.npy", data)
    port = str(_free_port())
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    # The checkout under test, not whatever jaxgauss is installed.
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1]), env.get("PYTHONPATH", "")])
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(pid),
                port,
                str(tmp_path / "data.npy"),
                str(tmp_path),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for pid in (0, 1)
    ]
    outs = [p.communicate(timeout=300)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), "\n".join(o[-3000:] for o in outs)

    results = [json.loads((tmp_path / f"result{pid}.json").read_text()) for pid in (0, 1)]
    one = jg.fit_gmm(jax.random.key(0), data, 3, covariance_type="full")
    for r in results:
        assert r["n_iter"] == int(one.n_iter)
        np.testing.assert_allclose(r["log_likelihood"], float(one.log_likelihood), rtol=1e-12)
        np.testing.assert_allclose(r["means"], one.params.means, atol=1e-10)
        np.testing.assert_allclose(r["weights"], one.params.weights, atol=1e-10)
        np.testing.assert_allclose(r["scales"], one.params.scales, atol=1e-10)
    # Disjoint row ranges, one per process, covering the sample.
    assert sorted(r["shard_rows"][0] for r in results) == [[0, 2048], [2048, 4096]]
    params = jg.GMMParams(
        *(np.asarray(results[0][f]) for f in ("weights", "means", "scales")), "full"
    )
    written = np.load(tmp_path / "sample.npy")
    np.testing.assert_allclose(
        written, jg.sample(jax.random.key(1), params, 4096), rtol=1e-9, atol=1e-9
    )
    assert not list(tmp_path.glob(".*partial"))
