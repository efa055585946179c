"""Gaussian construction, log-density against scipy, and argument errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

import jaxgauss as jg


@pytest.fixture
def params64():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(5, 5))
    cov = a @ a.T + 0.5 * np.eye(5)
    mean = rng.normal(size=5)
    return mean, cov, jg.gaussian(mean, cov)


def test_gaussian_stores_mean_and_factor(params64):
    mean, cov, p = params64
    assert p.mean.dtype == jnp.float64
    np.testing.assert_array_equal(p.mean, mean)
    np.testing.assert_allclose(p.covariance, cov, rtol=1e-12)
    assert np.allclose(np.triu(np.asarray(p.scale_tril), 1), 0.0)


@pytest.mark.parametrize("jit", [False, True])
def test_log_prob_matches_scipy(params64, jit):
    mean, cov, p = params64
    x = np.random.default_rng(1).normal(size=(40, 5)) * 2.0
    fn = jax.jit(jg.log_prob) if jit else jg.log_prob
    np.testing.assert_allclose(
        fn(p, x), stats.multivariate_normal(mean, cov).logpdf(x), rtol=0, atol=1e-9
    )


def test_log_prob_single_row(params64):
    mean, cov, p = params64
    x = np.arange(5.0)
    out = jg.log_prob(p, x)
    assert out.shape == (1,)
    np.testing.assert_allclose(out[0], stats.multivariate_normal(mean, cov).logpdf(x), atol=1e-9)


def test_log_prob_float32_tolerance(params64):
    mean, cov, _ = params64
    p32 = jg.gaussian(mean.astype(np.float32), cov.astype(np.float32))
    x = np.random.default_rng(3).normal(size=(20, 5)).astype(np.float32)
    lp = jg.log_prob(p32, x)
    assert lp.dtype == jnp.float32
    # Values are O(10); float32 solves of a condition-~50 system lose ~cond * eps32 relative.
    np.testing.assert_allclose(lp, stats.multivariate_normal(mean, cov).logpdf(x), rtol=1e-4)


def test_log_prob_is_differentiable(params64):
    mean, cov, p = params64
    x = jnp.asarray(np.random.default_rng(4).normal(size=(3, 5)))
    g = jax.grad(lambda m: jnp.sum(jg.log_prob(jg.GaussianParams(m, p.scale_tril), x)))(p.mean)
    expected = np.linalg.solve(cov, (np.asarray(x) - mean).sum(axis=0))
    np.testing.assert_allclose(g, expected, rtol=1e-9)


def test_sample_moments_match(params64):
    mean, cov, p = params64
    n = 200_000
    x = np.asarray(jg.sample(jax.random.key(0), p, n))
    se = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(x.mean(0) - mean) < 5 * se)
    # Var of a sample covariance entry: (S_ij^2 + S_ii S_jj) / n.
    se_cov = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / n)
    assert np.all(np.abs(np.cov(x.T) - cov) < 5 * se_cov)


def test_sample_accepts_legacy_key(params64):
    *_, p = params64
    a = jg.sample(jax.random.PRNGKey(3), p, 8)
    b = jg.sample(jax.random.wrap_key_data(jax.random.PRNGKey(3)), p, 8)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    ("mean", "cov", "err", "match"),
    [
        (
            np.zeros((2, 1)),
            np.eye(2),
            ValueError,
            r"mean must have 1 dimension\(s\); got shape \(2, 1\)",
        ),
        (np.zeros(3), np.eye(2), ValueError, r"cov must have shape \(d, d\) = \(3, 3\)"),
        (np.array([0.0, np.nan]), np.eye(2), ValueError, "mean must be finite"),
        (np.array([0.0, np.inf]), np.eye(2), ValueError, "mean must be finite"),
        (["a", "b"], np.eye(2), TypeError, "mean must be a real numeric array"),
        (np.zeros(2), np.array([[1.0, 0.0], [1.0, 1.0]]), ValueError, "cov must be symmetric"),
        (np.zeros(2), -np.eye(2), ValueError, "positive semi-definite"),
    ],
)
def test_gaussian_errors(mean, cov, err, match):
    with pytest.raises(err, match=match):
        jg.gaussian(mean, cov)


@pytest.mark.parametrize(
    ("n", "err", "match"),
    [
        (0, ValueError, "n must be a positive integer; got 0"),
        (-3, ValueError, "n must be a positive integer; got -3"),
        (2.5, TypeError, r"n must be a positive integer; got 2.5 \(float\)"),
        (True, TypeError, "n must be a positive integer"),
    ],
)
def test_sample_bad_n(params64, n, err, match):
    *_, p = params64
    with pytest.raises(err, match=match):
        jg.sample(jax.random.key(0), p, n)


@pytest.mark.parametrize("key", [0, np.array([1, 2, 3]), np.zeros(2, np.float32), "seed"])
def test_sample_bad_key(params64, key):
    *_, p = params64
    with pytest.raises(TypeError, match="key must be a PRNG key"):
        jg.sample(key, p, 3)


def test_sample_key_array_rejected(params64):
    *_, p = params64
    with pytest.raises(TypeError, match="single PRNG key"):
        jg.sample(jax.random.split(jax.random.key(0), 2), p, 3)


@pytest.mark.parametrize(("offset", "err"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_sample_bad_offset(params64, offset, err):
    *_, p = params64
    with pytest.raises(err, match="offset must be"):
        jg.sample(jax.random.key(0), p, 3, offset=offset)


def test_unknown_params_type():
    with pytest.raises(TypeError, match="params must be one of .*GaussianParams.*; got dict"):
        jg.sample(jax.random.key(0), {"mean": 0}, 3)
    with pytest.raises(TypeError, match="params must be one of"):
        jg.log_prob((1, 2), np.zeros((1, 2)))


def test_log_prob_bad_x(params64):
    *_, p = params64
    with pytest.raises(ValueError, match=r"x must have shape \(n, 5\) or \(5,\); got \(3, 4\)"):
        jg.log_prob(p, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="x must be finite; it holds 1 NaN"):
        jg.log_prob(p, np.array([[0.0, 1.0, np.nan, 0.0, 0.0]]))
    with pytest.raises(ValueError, match="GaussianParams must hold mean"):
        jg.log_prob(jg.GaussianParams(jnp.zeros(3), jnp.eye(2)), np.zeros((1, 3)))
