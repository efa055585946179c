"""Tests of the random streams (``jaxgauss.random``) and of Gaussian sampling (``jg.sample``).

Statistical tests use fixed keys and bounds derived from the sample size: ``Z = 5`` standard
errors for moments (two-sided false-alarm rate ~6e-7 per check) and the asymptotic
Kolmogorov bound ``2.3 / sqrt(n)`` for KS statistics (~2e-5).
"""

from __future__ import annotations

import math
import os
import pathlib
import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
import scipy.stats

import jaxgauss as jg
from jaxgauss import random as jr
from jaxgauss.gaussian import _sample

Z = 5.0
KS = 2.3
DTYPES = [np.float32, np.float64]


def _blocks(fn, n_blocks: int, d: int, dtype, seed: int = 0) -> np.ndarray:
    key = jax.random.key(seed)
    keys = jax.vmap(lambda b: jax.random.fold_in(key, b))(jnp.arange(n_blocks, dtype=jnp.uint32))
    out = jax.jit(jax.vmap(lambda k: fn(k, d, dtype)))(keys)
    return np.asarray(out).reshape(-1, d)


def _check_moments(x: np.ndarray) -> None:
    """Mean, variance, skewness and excess kurtosis of a flat N(0, 1) sample."""
    n = x.size
    x = x.astype(np.float64)
    assert abs(x.mean()) < Z / math.sqrt(n)
    assert abs(x.var() - 1.0) < Z * math.sqrt(2.0 / n)
    assert abs(scipy.stats.skew(x)) < Z * math.sqrt(6.0 / n)
    assert abs(scipy.stats.kurtosis(x)) < Z * math.sqrt(24.0 / n)


# --- Philox bits ---------------------------------------------------------------------------


def test_philox_known_answers():
    # Random123 known-answer vectors for philox2x32-10: (key, counter) -> output.
    cases = [
        (0, (0, 0), (0xFF1DAE59, 0x6CD10DF2)),
        (0xFFFFFFFF, (0xFFFFFFFF, 0xFFFFFFFF), (0x2C3F628B, 0xAB4FD7AD)),
        (0x13198A2E, (0x243F6A88, 0x85A308D3), (0xDD7CE038, 0xF62A4C12)),
    ]
    for key, ctr, want in cases:
        got = jr._philox2x32(np.uint32(key), np.uint32(ctr[0]), np.uint32(ctr[1]))
        assert [int(g) for g in got] == list(want)


def test_philox_matches_jax_philox_bits():
    key = jax.random.key(123, impl="philox2x32")
    want = np.asarray(jax.random.bits(key, (1000,), jnp.uint64))
    k = jax.random.key_data(key)
    j = jnp.arange(1000, dtype=jnp.uint32)
    w = jr._philox2x32(k[0], jnp.zeros_like(j), j)
    got = (np.asarray(w[0]).astype(np.uint64) << np.uint64(32)) | np.asarray(w[1])
    np.testing.assert_array_equal(got, want)


# --- the normal transform against scipy ----------------------------------------------------


def test_normal32_transform_matches_scipy_on_all_magnitudes():
    # Words with the sign bit clear, m = 0 (the extreme tail) up to 2**31 - 1 (centre).
    m = np.unique(
        np.concatenate(
            [
                np.arange(0, 4096),
                np.round(2.0 ** np.linspace(12, 31, 20000)).astype(np.int64),
                2**31 - 1 - np.arange(0, 4096),
            ]
        ).clip(0, 2**31 - 1)
    ).astype(np.uint32)
    q = (m.astype(np.float64) + 0.5) * 2.0**-31
    want = math.sqrt(2.0) * scipy.special.erfcinv(q)
    pos = np.asarray(jax.jit(jr._normal32)(jnp.asarray(m)), np.float64)
    neg = np.asarray(jax.jit(jr._normal32)(jnp.asarray(m | np.uint32(2**31))), np.float64)
    np.testing.assert_allclose(pos, want, rtol=5e-7, atol=2e-7)
    np.testing.assert_array_equal(neg, -pos)
    # Monotone in m (an inverse CDF) and the tails reach 6.34 sigma, not 5.3.
    assert np.all(np.diff(pos) <= 0)
    assert 6.33 < pos[0] == float(np.max(np.abs(pos))) < 6.34


def test_normal64_transform_matches_scipy_on_all_magnitudes():
    rng = np.random.default_rng(0)
    m = np.unique(
        np.concatenate(
            [
                np.arange(0, 2048, dtype=np.uint64),
                np.round(2.0 ** rng.uniform(11, 52, 30000)).astype(np.uint64),
                np.uint64(2**52 - 1) - np.arange(0, 2048, dtype=np.uint64),
            ]
        ).clip(0, 2**52 - 1)
    )
    q = (m.astype(np.float64) + 0.5) * 2.0**-52
    want = math.sqrt(2.0) * scipy.special.erfcinv(q)
    # m is the low 20 bits of hi followed by the 32 bits of lo; bits 20..30 of hi are unused.
    hi = (m >> np.uint64(32)).astype(np.uint32) | np.uint32(0x3FF00000)
    lo = (m & np.uint64(2**32 - 1)).astype(np.uint32)
    got = np.asarray(jax.jit(jr._normal64)(jnp.asarray(hi), jnp.asarray(lo)))
    np.testing.assert_allclose(got, want, rtol=3e-14)
    neg = np.asarray(jax.jit(jr._normal64)(jnp.asarray(hi | np.uint32(2**31)), jnp.asarray(lo)))
    np.testing.assert_array_equal(neg, -got)
    assert np.all(np.diff(got) <= 0)
    assert 8.29 < got[0] == float(np.max(np.abs(got))) < 8.3


# --- block_normals / block_uniforms ---------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_block_normals_distribution(dtype):
    d = 32
    n_blocks = (1 << 20) // (jr.BLOCK_ROWS * d)
    x = _blocks(jr.block_normals, n_blocks, d, dtype)  # 2**20 values
    assert x.dtype == dtype and x.shape == (n_blocks * jr.BLOCK_ROWS, d)
    flat = x.ravel()
    n = flat.size
    assert scipy.stats.kstest(flat, "norm").statistic < KS / math.sqrt(n)
    _check_moments(flat)
    # Tail frequencies: beyond 3 and 4 sigma, binomial standard errors.
    for t in (3.0, 4.0):
        p = 2 * scipy.stats.norm.sf(t)
        count = np.count_nonzero(np.abs(flat) > t)
        assert abs(count - n * p) < Z * math.sqrt(n * p) + 1
    # Columns and rows uncorrelated (rows of one block and across blocks).
    corr = np.corrcoef(x[:8192].T)
    assert np.max(np.abs(corr - np.eye(d))) < Z / math.sqrt(8192)
    lag = np.corrcoef(flat[:-1], flat[1:])[0, 1]
    assert abs(lag) < Z / math.sqrt(n)


@pytest.mark.parametrize("dtype", DTYPES)
def test_block_uniforms_distribution(dtype):
    d = 32
    u = _blocks(jr.block_uniforms, (1 << 20) // (jr.BLOCK_ROWS * d), d, dtype)
    assert u.dtype == dtype
    flat = u.ravel().astype(np.float64)
    n = flat.size
    assert flat.min() >= 0.0 and flat.max() < 1.0
    step = 2.0**-24 if dtype == np.float32 else 2.0**-52
    assert np.all(flat / step == np.floor(flat / step))
    assert scipy.stats.kstest(flat, "uniform").statistic < KS / math.sqrt(n)
    assert abs(flat.mean() - 0.5) < Z * math.sqrt(1 / 12 / n)
    assert abs(flat.var() - 1 / 12) < Z * math.sqrt(1 / 180 / n)


def test_uniforms_and_normals_of_one_block_key_are_independent():
    key = jax.random.fold_in(jax.random.key(5), 0)
    z = np.asarray(jr.block_normals(key, 64, np.float64)).ravel()
    u = np.asarray(jr.block_uniforms(key, 64, np.float64)).ravel()
    assert abs(np.corrcoef(z, u)[0, 1]) < Z / math.sqrt(z.size)
    assert abs(np.corrcoef(np.abs(z), u)[0, 1]) < Z / math.sqrt(z.size)


def test_low_precision_dtypes_and_bad_dtype():
    key = jax.random.key(0)
    for dtype in (jnp.bfloat16, jnp.float16):
        z = jr.block_normals(key, 3, dtype)
        u = jr.block_uniforms(key, 3, dtype)
        assert z.dtype == dtype and u.dtype == dtype
        assert bool(jnp.all(jnp.isfinite(z))) and float(u.max()) < 1.0
    with pytest.raises(TypeError, match="dtype must be a floating dtype; got int32"):
        jr.block_normals(key, 3, jnp.int32)
    with pytest.raises(TypeError, match="dtype must be a floating dtype"):
        jr.block_uniforms(key, 3, np.uint8)


# --- jg.sample: distribution ----------------------------------------------------------------


def _params(d: int, dtype, seed: int = 0) -> jg.GaussianParams:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((d, d))
    cov = a @ a.T / d + np.eye(d)
    mean = rng.uniform(-3, 3, d)
    return jg.gaussian(mean.astype(dtype), cov.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_sample_matches_the_gaussian(dtype):
    d, n = 4, 250_000
    p = _params(d, dtype)
    x = np.asarray(jg.sample(jax.random.key(11), p, n), np.float64)
    assert x.shape == (n, d) and x.dtype == np.float64
    mean = np.asarray(p.mean, np.float64)
    cov = np.asarray(p.scale_tril, np.float64) @ np.asarray(p.scale_tril, np.float64).T
    sd = np.sqrt(np.diag(cov))
    # Mean: per-coordinate standard error sd / sqrt(n).
    assert np.all(np.abs(x.mean(0) - mean) < Z * sd / math.sqrt(n))
    # Covariance: var(x_i x_j) = S_ii S_jj + S_ij**2 for a Gaussian.
    se = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n)
    assert np.all(np.abs(np.cov(x.T, bias=True) - cov) < Z * se + 1e-12)
    # Marginals are normal; the squared Mahalanobis distance is chi-square(d).
    for j in range(d):
        ks = scipy.stats.kstest(x[:, j], "norm", args=(mean[j], sd[j])).statistic
        assert ks < KS / math.sqrt(n)
    white = np.linalg.solve(np.linalg.cholesky(cov), (x - mean).T)
    maha = np.sum(white**2, axis=0)
    assert scipy.stats.kstest(maha, "chi2", args=(d,)).statistic < KS / math.sqrt(n)


def test_sample_equals_mean_plus_factor_times_normals():
    p = _params(6, np.float64)
    key = jax.random.key(2)
    z = jg.sample(key, jg.GaussianParams(jnp.zeros(6), jnp.eye(6)), 3000)
    x = jg.sample(key, p, 3000)
    np.testing.assert_allclose(x, p.mean + z @ p.scale_tril.T, rtol=1e-12, atol=1e-12)


# --- chunk invariance -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_chunk_invariance(dtype):
    p = _params(3, dtype)
    key = jax.random.key(42)
    np.testing.assert_array_equal(jg.sample(key, p, 10)[3:7], jg.sample(key, p, 4, offset=3))
    full = np.asarray(jg.sample(key, p, 12 * jr.BLOCK_ROWS))
    # Pieces crossing block boundaries, ending on one, starting on one (one compiled size).
    size = 40
    r = jr.BLOCK_ROWS
    for start in (0, r - 24, r - 4, r - 1, r, 2 * r - 7, 3 * r - size):
        part = jg.sample(key, p, size, offset=start)
        np.testing.assert_array_equal(part, full[start : start + size])
    # Any batch size reassembles the same rows.
    batches = [jg.sample(key, p, 1000, offset=o) for o in range(0, 3000, 1000)]
    np.testing.assert_array_equal(np.concatenate(batches), full[:3000])


@pytest.mark.parametrize("dtype", DTYPES)
def test_rows_do_not_depend_on_the_step_size(monkeypatch, dtype):
    # row_stream writes several blocks per loop step; the values must not depend on how many,
    # and must be the blocks' own values shifted by the offset.
    d, n, offset = 5, 9 * jr.BLOCK_ROWS + 37, 613
    key = jax.random.key(9)

    def block(b):
        return jr.block_normals(b, d, dtype)

    # Compiled, like row_stream: eager op-by-op evaluation may round differently (no FMA).
    blocks = jax.jit(jax.vmap(lambda b: block(jax.random.fold_in(key, b))))
    first = blocks(jnp.arange(-(-(offset + n) // jr.BLOCK_ROWS), dtype=jnp.uint32))
    want = np.asarray(first).reshape(-1, d)[offset : offset + n]
    for values in (jr.BLOCK_ROWS * d, 5 * jr.BLOCK_ROWS * d, 1 << 21):
        monkeypatch.setattr(jr, "_VALUES_PER_STEP", values)
        # A new function object is traced afresh and reads the patched step size.
        fn = jax.jit(lambda k, fb, w: jr.row_stream(k, block, n, fb, w))  # noqa: B023
        np.testing.assert_array_equal(fn(key, *jr.split_offset(offset)), want)


def test_large_offsets_beyond_int32():
    p = _params(2, np.float64)
    key = jax.random.key(1)
    for base in (2**31 - 3, 2**31 + 5, 2**39 + 1000):
        wide = jg.sample(key, p, 8, offset=base)
        np.testing.assert_array_equal(wide[3:], jg.sample(key, p, 5, offset=base + 3))
    far = np.asarray(jg.sample(key, p, 4, offset=2**39))
    near = np.asarray(jg.sample(key, p, 4, offset=0))
    assert not np.any(far == near)
    with pytest.raises(ValueError, match="offset must be below"):
        jg.sample(key, p, 1, offset=jr.BLOCK_ROWS * 2**32)


def test_traced_offset_under_jit():
    p = _params(3, np.float32)
    key = jax.random.key(3)
    f = jax.jit(lambda off: jg.sample(key, p, 6, offset=off))
    for off in (0, 1021, 5000):
        np.testing.assert_array_equal(f(off), jg.sample(key, p, 6, offset=off))


def test_offset_errors():
    p = _params(2, np.float32)
    key = jax.random.key(0)
    with pytest.raises(ValueError, match="offset must be a non-negative integer; got -1"):
        jg.sample(key, p, 3, offset=-1)
    with pytest.raises(TypeError, match="offset must be a non-negative integer; got True"):
        jg.sample(key, p, 3, offset=True)
    with pytest.raises(TypeError, match="offset must be a non-negative integer scalar"):
        jg.sample(key, p, 3, offset=1.5)
    with pytest.raises(TypeError, match="offset must be a non-negative integer scalar"):
        jg.sample(key, p, 3, offset=jnp.arange(2))


# --- jit / vmap / grad ----------------------------------------------------------------------


def test_no_recompilation_on_repeated_calls():
    p = _params(3, np.float32)
    jg.sample(jax.random.key(0), p, 77)
    size = _sample._cache_size()
    for seed, off in [(1, 0), (2, 5), (3, 2**33)]:
        q = jg.GaussianParams(p.mean + seed, p.scale_tril)
        jg.sample(jax.random.key(seed), q, 77, offset=off)
    assert _sample._cache_size() == size
    jg.sample(jax.random.key(0), p, 78)  # a new n is a new program
    assert _sample._cache_size() == size + 1


def test_vmap_over_keys():
    p = _params(3, np.float64)
    keys = jax.random.split(jax.random.key(4), 3)
    batched = jax.vmap(lambda k: jg.sample(k, p, 50, offset=1000))(keys)
    assert batched.shape == (3, 50, 3)
    for i in range(3):
        np.testing.assert_array_equal(batched[i], jg.sample(keys[i], p, 50, offset=1000))
    assert not np.allclose(batched[0], batched[1])


def test_gradient_matches_reparameterization():
    d, n = 4, 300
    p = _params(d, np.float64)
    key = jax.random.key(8)
    g = jnp.asarray(np.random.default_rng(1).standard_normal((n, d)))

    def loss(mean, tril):
        return jnp.sum(g * jg.sample(key, jg.GaussianParams(mean, tril), n, offset=17))

    d_mean, d_tril = jax.jit(jax.grad(loss, argnums=(0, 1)))(p.mean, p.scale_tril)
    z = jg.sample(key, jg.GaussianParams(jnp.zeros(d), jnp.eye(d)), n, offset=17)
    # x = mean + z L^T: dloss/dmean = sum_i g_i, dloss/dL = g^T z.
    np.testing.assert_allclose(d_mean, g.sum(0), rtol=1e-12)
    np.testing.assert_allclose(d_tril, g.T @ z, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("d", [100, 500])
def test_float32_high_dimension_is_finite_and_correct(d):
    rng = np.random.default_rng(d)
    a = rng.standard_normal((d, d))
    cov = a @ a.T / d + 0.5 * np.eye(d)
    p = jg.gaussian(np.zeros(d, np.float32), cov.astype(np.float32))
    key = jax.random.key(d)
    n = 2048
    x = np.asarray(jg.sample(key, p, n))
    assert x.dtype == np.float32 and np.all(np.isfinite(x))
    z = np.asarray(
        jg.sample(
            key, jg.GaussianParams(jnp.zeros(d, jnp.float32), jnp.eye(d, dtype=jnp.float32)), n
        )
    )
    ref = z.astype(np.float64) @ np.asarray(p.scale_tril, np.float64).T
    scale = np.sqrt(np.diag(cov))
    assert np.max(np.abs(x - ref) / scale) < 1e-4
    # Per-coordinate variances: chi-square(n) / n around the true variance.
    ratio = x.astype(np.float64).var(0) / np.diag(cov)
    assert np.all(np.abs(ratio - 1) < Z * math.sqrt(2 / n))


def test_float32_stream_does_not_depend_on_x64():
    # The float32 path uses 32-bit integers only; a process without x64 gives the same rows.
    code = (
        "import jax, numpy as np, jaxgauss as jg\n"
        "p = jg.gaussian(np.zeros(3, np.float32), np.eye(3, dtype=np.float32))\n"
        "x = np.asarray(jg.sample(jax.random.key(1), p, 600, offset=777))\n"
        "print(x.dtype, x.tobytes().hex())\n"
    )
    env = dict(os.environ, JAX_ENABLE_X64="0", PYTHONPATH=str(pathlib.Path(jg.__file__).parents[1]))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    dtype, hexed = out.stdout.split()
    p = jg.gaussian(np.zeros(3, np.float32), np.eye(3, dtype=np.float32))
    here = np.asarray(jg.sample(jax.random.key(1), p, 600, offset=777))
    assert dtype == "float32" and hexed == here.tobytes().hex()
