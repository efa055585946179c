"""Invertible transforms: round trips, Box-Cox against scipy, Jacobians, composed models."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st

import jaxgauss as jg
from jaxgauss import transforms as tf


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([rng.lognormal(0.5, 0.8, n), rng.gamma(3.0, 2.0, n), rng.beta(2, 5, n)], 1)


def test_boxcox_lambda_matches_scipy():
    x = _data()
    t = tf.fit_boxcox(x)
    for j in range(3):
        _, lam = st.boxcox(x[:, j])
        np.testing.assert_allclose(float(t.lmbda[j]), lam, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(np.asarray(t.forward(x))[:, j], st.boxcox(x[:, j], lam),
                                   rtol=2e-5, atol=1e-8)  # fmt: skip


def _all_transforms(x):
    return [
        tf.fit_log(x, columns=[0, 1]),
        tf.fit_log(x, shift=1.0),
        tf.fit_boxcox(x, columns=1),
        tf.BoxCox(jnp.array([0.0]), jnp.array([0.0]), (0,)),
        tf.fit_logit(x, columns=[2], bounds=(0.0, 1.0)),
        tf.fit_logit(x),
        tf.fit_standardize(x),
        tf.fit_chain(x, tf.fit_boxcox, tf.fit_standardize),
    ]


@pytest.fixture(scope="module")
def fitted_transforms():
    return _all_transforms(_data())


@pytest.mark.parametrize("i", range(8))
def test_round_trip_and_jacobian(i, fitted_transforms):
    x = _data()
    t = fitted_transforms[i]
    y = t.forward(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(t.inverse(y)), x, rtol=1e-10, atol=1e-12)
    # log-det against autodiff of the forward map on one row
    row = jnp.asarray(x[3])
    jac = jax.jacfwd(lambda r: t.forward(r[None, :])[0])(row)
    want = np.linalg.slogdet(np.asarray(jac))[1]
    np.testing.assert_allclose(float(t.log_det_jacobian(row[None, :])[0]), want, rtol=1e-9)
    y2 = jax.jit(lambda tr, v: tr.forward(v))(t, jnp.asarray(x))  # a pytree through jit
    np.testing.assert_allclose(np.asarray(y2), np.asarray(y), rtol=1e-12)


def test_untouched_columns_pass_through():
    x = _data(n=20)
    y = np.asarray(tf.fit_log(x, columns=[1]).forward(jnp.asarray(x)))
    np.testing.assert_array_equal(y[:, [0, 2]], x[:, [0, 2]])
    np.testing.assert_allclose(y[:, 1], np.log(x[:, 1]), rtol=1e-13)


def test_boxcox_inverse_clamps_out_of_range():
    t = tf.BoxCox(jnp.array([0.5]), jnp.array([0.0]))
    out = np.asarray(t.inverse(jnp.array([[-3.0]])))  # 1 + 0.5 * -3 < 0
    assert np.all(np.isfinite(out)) and out[0, 0] == 0.0


def test_transformed_gaussian_is_lognormal():
    base = jg.gaussian([0.3], [[0.49]])
    p = tf.TransformedParams(tf.Log(jnp.zeros(1)), base)
    x = np.linspace(0.05, 5, 40)[:, None]
    want = st.lognorm(s=0.7, scale=np.exp(0.3)).logpdf(x[:, 0])
    np.testing.assert_allclose(np.asarray(jg.log_prob(p, x)), want, rtol=1e-10)
    key = jax.random.key(0)
    s = jg.sample(key, p, 2000)
    np.testing.assert_allclose(np.asarray(s), np.exp(np.asarray(jg.sample(key, base, 2000))))
    np.testing.assert_array_equal(s[5:9], jg.sample(key, p, 4, offset=5))


def test_fitted_pipeline_gaussianizes_skewed_data():
    x = _data()
    t = tf.fit_chain(x, tf.fit_boxcox, tf.fit_standardize)
    y = np.asarray(t.forward(jnp.asarray(x)))
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.std(0), 1.0, rtol=1e-12)
    se = np.sqrt(6 / x.shape[0])  # standard error of the sample skewness under normality
    assert np.all(np.abs(st.skew(y, axis=0)) < 3 * se)
    assert np.mean(np.abs(st.skew(x, axis=0))) > 1.0


@pytest.mark.parametrize(
    ("fn", "kwargs", "match"),
    [
        (tf.fit_log, {"shift": -10.0}, "needs x \\+ shift > 0"),
        (tf.fit_boxcox, {"columns": [5]}, r"columns must be indices in \[0, 3\)"),
        (tf.fit_boxcox, {"shift": [1.0, 2.0]}, r"shift must be a scalar or have shape \(3,\)"),
        (tf.fit_logit, {"bounds": (0.0, 0.5)}, "lie on or outside the bounds"),
        (tf.fit_logit, {"bounds": (1.0, 0.0)}, "bounds need lo < hi"),
        (tf.fit_logit, {"bounds": 3}, "bounds must be a pair"),
    ],
)
def test_errors(fn, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fn(_data(n=20), **kwargs)


def test_standardize_constant_column_raises():
    with pytest.raises(ValueError, match="non-constant columns"):
        tf.fit_standardize(np.ones((5, 2)))
