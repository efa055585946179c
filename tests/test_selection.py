"""Model selection by BIC/AIC (jaxgauss.selection.select_gmm)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jaxgauss as jg
from jaxgauss import selection


@pytest.fixture(scope="module")
def blobs():
    """Three well-separated round clusters in 2-D."""
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [8.0, 0.0], [0.0, 8.0]])
    return np.concatenate([c + rng.normal(size=(150, 2)) for c in centers])


@pytest.fixture(scope="module")
def selected(blobs):
    return jg.select_gmm(
        jax.random.key(0), blobs, n_components=range(1, 6), covariance_types=("spherical", "diag")
    )


def test_picks_true_number_of_components(selected):
    assert selected.best.params.n_components == 3
    assert selected.criterion == "bic"
    table = selected.table
    assert len(table["n_components"]) == 10
    assert set(table["covariance_type"]) == {"spherical", "diag"}
    for ctype in ("spherical", "diag"):
        rows = table["covariance_type"] == ctype
        assert table["n_components"][rows][np.argmin(table["bic"][rows])] == 3


def test_table_matches_direct_criteria(blobs, selected):
    best = selected.best.params
    i = np.flatnonzero(
        (selected.table["covariance_type"] == best.covariance_type)
        & (selected.table["n_components"] == best.n_components)
    )[0]
    np.testing.assert_allclose(selected.table["bic"][i], jg.bic(best, blobs), rtol=1e-8)
    np.testing.assert_allclose(selected.table["aic"][i], jg.aic(best, blobs), rtol=1e-8)
    assert selected.table["n_parameters"][i] == jg.n_parameters(best)
    assert np.isclose(float(jnp.sum(best.weights)), 1.0)
    assert np.all(np.asarray(best.weights) > 0.2)


def test_padded_fit_equals_plain_fit(blobs):
    # Masked zero-weight padding does not change the fit: a K=2 candidate run inside a K_max=4
    # program matches fit_gmm with K=2 from the same start.
    start = jg.gmm_params(
        [0.5, 0.5], [[1.0, 1.0], [3.0, 5.0]], [1.0, 1.0], covariance_type="spherical"
    )
    pad = jg.GMMParams(
        jnp.array([0.5, 0.5, 0.0, 0.0]),
        jnp.concatenate([start.means, jnp.zeros((2, 2))]),
        jnp.concatenate([start.scales, jnp.ones(2)]),
        "spherical",
    )
    from jaxgauss import em

    x = jnp.asarray(blobs)
    w = jnp.ones(len(blobs))
    data, shift = em._prepare(x, w)
    comp = em._comp_from_params(pad, shift, jnp.asarray(2))
    state = em._em(
        data,
        comp,
        jnp.asarray(2),
        jnp.asarray(1e-3),
        jnp.asarray(1e-6),
        ctype="spherical",
        max_iter=100,
    )
    plain = jg.fit_gmm(jax.random.key(0), x, 2, covariance_type="spherical", params_init=start)
    np.testing.assert_allclose(state.log_likelihood, plain.log_likelihood, rtol=1e-12)
    np.testing.assert_allclose(state.comp.means[:2] + shift, plain.params.means, rtol=1e-10)
    assert np.all(np.asarray(state.comp.log_weights[2:]) == -np.inf)


def test_one_compilation_per_covariance_type(blobs):
    before = selection._select_jit._cache_size()
    jg.select_gmm(
        jax.random.key(1), blobs, n_components=[2, 4, 1], covariance_types="tied", criterion="aic"
    )
    after_first = selection._select_jit._cache_size()
    jg.select_gmm(jax.random.key(2), blobs, n_components=[1, 3, 4], covariance_types="tied")
    assert after_first - before == 1
    assert selection._select_jit._cache_size() == after_first


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"criterion": "hqc"}, ValueError, "criterion must be one of"),
        ({"n_components": []}, ValueError, "n_components must hold at least one value"),
        ({"n_components": [0, 1]}, ValueError, "n_components must be a positive integer"),
        ({"n_components": "3"}, TypeError, "n_components must be"),
        ({"n_components": 1000}, ValueError, "at least n_components=1000 rows"),
        ({"covariance_types": ("full", "banded")}, ValueError, "covariance_type must be one of"),
        ({"covariance_types": ()}, ValueError, "covariance_types must hold at least one"),
    ],
)
def test_select_gmm_errors(blobs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        jg.select_gmm(jax.random.key(0), blobs, **kwargs)
