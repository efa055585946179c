"""Sharded sampling on 4 simulated CPU devices (in a subprocess: the device count is fixed at start)."""

import os
import subprocess
import sys
from pathlib import Path

import jax
import numpy as np
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import jaxgauss as jg

SCRIPTS = Path(__file__).parent / "scripts"


def _run(script: str, devices: int = 4) -> str:
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}")
    # The checkout under test, not whatever jaxgauss is installed.
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[1]), env.get("PYTHONPATH", "")])
    proc = subprocess.run(
        [sys.executable, str(SCRIPTS / script)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_sharded_sample_equals_single_device():
    assert "distributed sampling ok" in _run("distributed_sample.py")


def test_errors_single_device():
    mesh = jax.make_mesh((1,), ("rows",))
    p = jg.gaussian(np.zeros(2), np.eye(2))
    key = jax.random.key(0)
    with pytest.raises(TypeError, match="sharding must be a jax.sharding.NamedSharding"):
        jg.distributed.sample(
            key, p, 4, sharding=jax.sharding.SingleDeviceSharding(jax.devices()[0])
        )
    with pytest.raises(ValueError, match="sharding must split rows only"):
        jg.distributed.sample(key, p, 4, sharding=NamedSharding(mesh, P(None, "rows")))
    with pytest.raises(ValueError, match="offset must be a non-negative Python int"):
        jg.distributed.sample(key, p, 4, sharding=NamedSharding(mesh, P("rows")), offset=-1)
    x = jg.distributed.sample(key, p, 4, sharding=NamedSharding(mesh, P("rows")), offset=9)
    np.testing.assert_array_equal(x, jg.sample(key, p, 4, offset=9))


def test_sharded_fit_equals_unsharded():
    assert "sharded fit ok" in _run("sharded_fit.py")
