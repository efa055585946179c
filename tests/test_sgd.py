"""Mini-batch optax fitting of mixtures: reaches EM's likelihood, never NaN, streams."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import jaxgauss as jg


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [40.0, 0.0], [0.0, 50.0]]) + 100.0
    cov = np.array([[4.0, 1.5], [1.5, 3.0]])
    return np.concatenate(
        [rng.multivariate_normal(c, cov * (i + 1), size=600) for i, c in enumerate(centers)]
    )


@pytest.mark.parametrize("ctype", ["full", "diag"])
def test_reaches_em_log_likelihood(blobs, ctype):
    em = jg.fit_gmm(jax.random.key(0), blobs, 3, covariance_type=ctype)
    fit = jg.fit_gmm_sgd(
        jax.random.key(1), blobs, 3, covariance_type=ctype, steps=600, batch_size=256
    )
    assert fit.losses.shape == (600,)
    assert float(fit.log_likelihood) > float(em.log_likelihood) - 0.05
    np.testing.assert_allclose(
        float(fit.log_likelihood), float(jnp.mean(jg.log_prob(fit.params, blobs)))
    )
    np.testing.assert_allclose(np.sort(fit.params.weights), [1 / 3] * 3, atol=0.03)


def test_stream_of_batches(blobs):
    rng = np.random.default_rng(1)
    stream = (blobs[rng.integers(0, len(blobs), 300)] for _ in range(1000))
    fit = jg.fit_gmm_sgd(jax.random.key(2), stream, 3, steps=500)
    assert fit.losses.shape == (500,)
    em = jg.fit_gmm(jax.random.key(0), blobs, 3)
    assert float(jnp.mean(jg.log_prob(fit.params, blobs))) > float(em.log_likelihood) - 0.05


def test_short_stream_stops_early(blobs):
    fit = jg.fit_gmm_sgd(jax.random.key(2), iter([blobs[:300], blobs[300:600]]), 2, steps=50)
    assert fit.losses.shape == (2,)


@pytest.mark.parametrize("ctype", ["full", "tied", "spherical"])
def test_never_nan_on_degenerate_data(ctype):
    # Duplicated rows and a constant column with an aggressive optimizer: pycave#56 went to NaN.
    rng = np.random.default_rng(3)
    x = np.repeat(rng.normal(size=(20, 3)), 10, axis=0)
    x[:, 2] = 1.0
    fit = jg.fit_gmm_sgd(
        jax.random.key(0), x, 4, covariance_type=ctype, optimizer=optax.sgd(1.0), steps=100
    )
    assert all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree.leaves(fit.params))
    assert bool(jnp.all(jnp.isfinite(fit.losses)))


def test_float32(blobs):
    fit = jg.fit_gmm_sgd(jax.random.key(1), blobs.astype(np.float32), 3, steps=200)
    assert fit.params.means.dtype == jnp.float32
    assert bool(jnp.isfinite(fit.log_likelihood))


def test_warm_start_keeps_em_solution(blobs):
    em = jg.fit_gmm(jax.random.key(0), blobs, 3)
    fit = jg.fit_gmm_sgd(
        jax.random.key(1), blobs, 3, params_init=em.params, optimizer=optax.adam(1e-4), steps=50
    )
    assert abs(float(fit.log_likelihood) - float(em.log_likelihood)) < 0.01


@pytest.mark.parametrize(
    ("args", "kwargs", "err", "match"),
    [
        (
            (np.zeros((5, 2)), 6),
            {},
            ValueError,
            "n_components=6 must be at most the number of rows",
        ),
        (
            (np.zeros((5, 2)), 2),
            {"covariance_type": "block"},
            ValueError,
            "covariance_type must be one of",
        ),
        ((np.zeros((5, 2)), 2), {"optimizer": "adam"}, TypeError, "optimizer must be an optax"),
        ((np.zeros((5, 2)), 2), {"steps": 0}, ValueError, "steps must be a positive integer"),
        ((np.array([[np.nan, 1.0]] * 5), 2), {}, ValueError, "data must be finite"),
        ((iter([]), 2), {}, ValueError, "at least one batch"),
        ((42, 2), {}, TypeError, "data must be an array or an iterable"),
    ],
)
def test_errors(args, kwargs, err, match):
    with pytest.raises(err, match=match):
        jg.fit_gmm_sgd(jax.random.key(0), *args, **kwargs)
