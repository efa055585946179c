"""Streaming moments: merge exactness against numpy."""

import jax
import numpy as np
import pytest

from jaxgauss import moments


def test_update_chain_matches_numpy():
    x = np.random.default_rng(0).normal(size=(1000, 4)) * [1, 10, 0.1, 3] + 1e4
    state = moments.init(4, np.float64)
    for chunk in np.array_split(x, 7):
        state = moments.update(state, chunk)
    mean, cov = moments.finalize(state, ddof=1)
    np.testing.assert_allclose(mean, x.mean(0), rtol=1e-14)
    np.testing.assert_allclose(cov, np.cov(x.T), rtol=1e-10)
    np.testing.assert_allclose(moments.correlation(state), np.corrcoef(x.T), atol=1e-12)


def test_merge_is_order_free_and_weighted():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    w = rng.uniform(0, 3, size=300)
    a = moments.from_batch(x[:100], w[:100])
    b = moments.from_batch(x[100:], w[100:])
    ab, ba = moments.merge(a, b), moments.merge(b, a)
    np.testing.assert_allclose(ab.m2, ba.m2, rtol=1e-12)
    np.testing.assert_allclose(
        moments.covariance(ab), np.cov(x.T, aweights=w, bias=True), rtol=1e-10
    )


def test_merge_with_empty_state_is_identity():
    x = np.random.default_rng(2).normal(size=(10, 2))
    s = moments.from_batch(x)
    m = moments.merge(moments.init(2, np.float64), s)
    for u, v in zip(m, s, strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-15)


def test_update_under_jit_and_scan():
    x = np.random.default_rng(3).normal(size=(8, 25, 3))

    @jax.jit
    def run(batches):
        return jax.lax.scan(
            lambda s, b: (moments.update(s, b), None), moments.init(3, np.float64), batches
        )[0]

    state = run(x)
    np.testing.assert_allclose(
        moments.covariance(state), np.cov(x.reshape(-1, 3).T, bias=True), rtol=1e-10
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(dtype):
    s = moments.update(moments.init(2, dtype), np.ones((3, 2), dtype))
    assert s.mean.dtype == dtype and s.m2.dtype == dtype
