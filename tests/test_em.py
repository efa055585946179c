"""EM fitting (jaxgauss.em.fit_gmm) against scikit-learn, invariants and robustness."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

import jaxgauss as jg
from jaxgauss import em

TYPES = ("full", "tied", "diag", "spherical")
N, D, K = 400, 3, 3


@pytest.fixture(scope="module")
def data():
    """Three overlapping, differently shaped clusters (EM needs tens of iterations)."""
    rng = np.random.default_rng(42)
    means = np.array([[0.0, 0.0, 0.0], [2.0, 1.0, 0.0], [0.0, 2.5, 1.0]])
    chol = [
        np.eye(D),
        np.array([[1.0, 0, 0], [0.8, 0.6, 0], [0, 0.3, 0.5]]),
        np.diag([0.5, 1.5, 1]),
    ]
    lab = rng.choice(K, size=N, p=[0.5, 0.3, 0.2])
    z = rng.normal(size=(N, D))
    return np.stack([means[k] + chol[k] @ z[i] for i, k in enumerate(lab)])


def _initial(x, ctype):
    """A deliberately rough starting point, in scikit-learn's layout."""
    rng = np.random.default_rng(1)
    means = x[rng.choice(len(x), K, replace=False)]
    cov = np.cov(x.T)
    covariances = {
        "full": np.stack([cov] * K),
        "tied": cov,
        "diag": np.stack([np.diag(cov)] * K),
        "spherical": np.full(K, np.mean(np.diag(cov))),
    }[ctype]
    return np.full(K, 1.0 / K), means, covariances


def _sklearn_precisions(cov, ctype):
    return np.linalg.inv(cov) if ctype in ("full", "tied") else 1.0 / cov


@pytest.mark.parametrize(
    "ctype, blocked",
    [(t, False) for t in TYPES] + [("full", True), ("tied", True)],
)
def test_em_reproduces_sklearn_from_same_start(data, ctype, blocked, monkeypatch):
    if blocked:
        # Blocks of 64 rows (the last one padded with weight-0 rows) instead of one pass.
        monkeypatch.setattr(em, "_BLOCK_ELEMENTS", 64 * K * D)
        assert em.pass_block_rows(N, K, D, ctype) == 64
        jax.clear_caches()
    else:
        assert em.pass_block_rows(N, K, D, ctype) == N
    w0, m0, c0 = _initial(data, ctype)
    sk = GaussianMixture(
        K,
        covariance_type=ctype,
        weights_init=w0,
        means_init=m0,
        precisions_init=_sklearn_precisions(c0, ctype),
        tol=1e-3,
        max_iter=100,
    ).fit(data)
    start = jg.gmm_params(w0, m0, c0, covariance_type=ctype)
    fit = jg.fit_gmm(jax.random.key(0), data, K, covariance_type=ctype, params_init=start)
    assert int(fit.n_iter) == sk.n_iter_ and int(fit.n_iter) > 5
    assert bool(fit.converged) == sk.converged_
    np.testing.assert_allclose(fit.log_likelihood, sk.lower_bound_, rtol=1e-6)
    np.testing.assert_allclose(fit.params.weights, sk.weights_, rtol=1e-6)
    np.testing.assert_allclose(fit.params.means, sk.means_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(jg.covariances(fit.params), sk.covariances_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        jg.precisions_cholesky(fit.params), sk.precisions_cholesky_, rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(fit.history[: sk.n_iter_], sk.lower_bounds_, rtol=1e-6)
    assert np.all(np.isnan(np.asarray(fit.history[sk.n_iter_ :])))
    if blocked:
        jax.clear_caches()  # later tests compile the unblocked program again


@pytest.mark.parametrize("ctype", TYPES)
def test_log_likelihood_never_decreases_without_regularization(data, ctype):
    start = jg.gmm_params(*_initial(data, ctype), covariance_type=ctype)
    fit = jg.fit_gmm(
        jax.random.key(0),
        data,
        K,
        covariance_type=ctype,
        params_init=start,
        reg_covar=0.0,
        tol=0.0,
    )
    hist = np.asarray(fit.history)
    assert int(fit.n_iter) == 100 and not bool(fit.converged)
    assert np.all(np.isfinite(hist))
    assert np.all(np.diff(hist) >= -1e-12 * np.abs(hist[1:]))


def test_integer_weights_equal_repeated_rows(data):
    counts = np.arange(N) % 3  # includes zero weights
    rep = np.repeat(data, counts, axis=0)
    start = jg.gmm_params(*_initial(data, "full"))
    a = jg.fit_gmm(jax.random.key(0), data, K, params_init=start, sample_weight=counts)
    b = jg.fit_gmm(jax.random.key(0), rep, K, params_init=start)
    assert int(a.n_iter) == int(b.n_iter)
    np.testing.assert_allclose(a.log_likelihood, b.log_likelihood, rtol=1e-10)
    for u, v in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params), strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-12)


def test_recovers_known_mixture_with_restarts():
    truth = jg.gmm_params(
        [0.3, 0.7],
        [[0.0, 0.0, 0.0], [3.0, -2.0, 1.0]],
        [[1.0, 0.5, 2.0], [0.5, 1.0, 1.5]],
        covariance_type="diag",
    )
    n = N
    x = jg.sample(jax.random.key(3), truth, n)
    fit = jg.fit_gmm(jax.random.key(4), x, 2, covariance_type="diag", n_init=3)
    assert fit.restart_log_likelihoods.shape == (3,)
    assert float(fit.log_likelihood) == float(jnp.max(fit.restart_log_likelihoods))
    assert bool(fit.converged)
    order = np.argsort(np.asarray(fit.params.weights))
    w = np.asarray(fit.params.weights)[order]
    m = np.asarray(fit.params.means)[order]
    v = np.asarray(jg.covariances(fit.params))[order]
    tw = np.asarray(truth.weights)
    tv = np.asarray(jg.covariances(truth))
    # Standard errors: weights sqrt(w(1-w)/n); means sqrt(var/n_k); variances var*sqrt(2/n_k).
    assert np.all(np.abs(w - tw) < 4 * np.sqrt(tw * (1 - tw) / n))
    nk = tw[:, None] * n
    assert np.all(np.abs(m - np.asarray(truth.means)) < 4 * np.sqrt(tv / nk))
    assert np.all(np.abs(v - tv) < 4 * tv * np.sqrt(2 / nk))


@pytest.mark.parametrize("init", em.INITS)
def test_every_init_fits(data, init):
    fit = jg.fit_gmm(jax.random.key(5), data, K, covariance_type="diag", init=init, n_init=4)
    assert np.isfinite(float(fit.log_likelihood))
    ref = GaussianMixture(K, covariance_type="diag", random_state=0, n_init=5).fit(data)
    # The best of 4 restarts reaches the log-likelihood of a 5-restart scikit-learn fit (single
    # "random" starts can stall at the global mean, in scikit-learn too).
    assert float(fit.log_likelihood) > ref.lower_bound_ - 0.05


def test_no_recompilation(data):
    start = jg.gmm_params(*_initial(data, "full"))
    jg.fit_gmm(jax.random.key(0), data, K, params_init=start, tol=1e-3)
    size = em._fit_jit._cache_size()
    jg.fit_gmm(jax.random.key(1), data + 1.0, K, params_init=start, tol=1e-4, reg_covar=1e-5)
    assert em._fit_jit._cache_size() == size


def test_max_iter_reached_is_not_converged(data):
    start = jg.gmm_params(*_initial(data, "full"))
    fit = jg.fit_gmm(jax.random.key(0), data, K, params_init=start, max_iter=2)
    assert int(fit.n_iter) == 2 and not bool(fit.converged)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sk = GaussianMixture(
            K,
            weights_init=start.weights,
            means_init=start.means,
            precisions_init=np.linalg.inv(jg.covariances(start)),
            max_iter=2,
        ).fit(data)
    np.testing.assert_allclose(fit.params.means, sk.means_, rtol=1e-8)
    zero = jg.fit_gmm(jax.random.key(0), data, K, params_init=start, max_iter=0)
    assert int(zero.n_iter) == 0 and float(zero.log_likelihood) == -np.inf
    np.testing.assert_allclose(zero.params.means, start.means, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Never NaN.


@pytest.mark.parametrize("ctype", TYPES)
def test_float32_ill_conditioned_is_finite(ctype):
    rng = np.random.default_rng(0)
    base = rng.normal(size=(300, 2))
    # Nearly collinear columns, a large offset, a constant column: a float32 trap.
    x = np.column_stack([base[:, 0], base[:, 0] + 1e-4 * base[:, 1], np.full(300, 3.0), base[:, 1]])
    x = (x + 1e3).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jg.ComponentCollapseWarning)
        fit = jg.fit_gmm(
            jax.random.key(0), x, 4, covariance_type=ctype, reg_covar=0.0, init="random_from_data"
        )
    assert fit.params.means.dtype == jnp.float32
    for leaf in jax.tree.leaves(fit.params):
        assert np.all(np.isfinite(np.asarray(leaf)))
    assert np.isfinite(float(fit.log_likelihood))
    assert np.all(np.isfinite(np.asarray(jg.log_prob(fit.params, x))))


def test_duplicates_and_components_close_to_n():
    # 12 rows, only 4 distinct, 6 components: some components must collapse.
    x = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0], [5.0, 0.0], [0.0, 5.0]]), 3, axis=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = jg.fit_gmm(jax.random.key(0), x, 6, init="random_from_data", max_iter=20)
    for leaf in jax.tree.leaves(fit.params):
        assert np.all(np.isfinite(np.asarray(leaf)))
    assert np.isclose(float(jnp.sum(fit.params.weights)), 1.0)
    if int(fit.n_reseeded) > 0:
        assert any(issubclass(c.category, jg.ComponentCollapseWarning) for c in caught)
    # K == n: one row per component.
    y = np.arange(12.0).reshape(6, 2) ** 1.5
    fit = jg.fit_gmm(jax.random.key(0), y, 6, init="random_from_data", max_iter=20)
    for leaf in jax.tree.leaves(fit.params):
        assert np.all(np.isfinite(np.asarray(leaf)))


def test_collapsed_component_is_reseeded():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    # A component far away from all data gets no responsibility and is re-seeded.
    start = jg.gmm_params(
        [0.5, 0.5], [[0.0, 0.0], [1e3, 1e3]], [1.0, 1.0], covariance_type="spherical"
    )
    with pytest.warns(jg.ComponentCollapseWarning, match="re-seed"):
        fit = jg.fit_gmm(
            jax.random.key(0), x, 2, covariance_type="spherical", params_init=start, max_iter=5
        )
    assert int(fit.n_reseeded) >= 1
    assert np.all(np.abs(np.asarray(fit.params.means)) < 10)
    assert np.all(np.asarray(fit.params.weights) > 0.01)


# ---------------------------------------------------------------------------------------------
# Validation.


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_components": 0}, ValueError, "n_components must be a positive integer"),
        ({"n_components": 2.5}, TypeError, "n_components must be a positive integer"),
        ({"n_components": 11}, ValueError, "at least n_components=11 rows"),
        ({"covariance_type": "block"}, ValueError, "covariance_type must be one of"),
        ({"init": "kmeans"}, ValueError, "init must be one of"),
        ({"max_iter": -1}, ValueError, "max_iter must be a non-negative integer"),
        ({"tol": -1.0}, ValueError, "tol must be a finite number"),
        ({"tol": "small"}, TypeError, "tol must be a real number"),
        ({"reg_covar": float("nan")}, ValueError, "reg_covar must be a finite number"),
        ({"n_init": 0}, ValueError, "n_init must be a positive integer"),
        ({"sample_weight": -np.ones(10)}, ValueError, "sample_weight must be non-negative"),
        ({"sample_weight": np.ones(3)}, ValueError, r"sample_weight must have shape \(10,\)"),
        (
            {"n_components": 3, "sample_weight": np.r_[np.ones(2), np.zeros(8)]},
            ValueError,
            "with positive sample_weight; got 2",
        ),
        ({"params_init": "p"}, TypeError, "params_init must be a GMMParams"),
        ({"x": np.full((10, 2), np.nan)}, ValueError, "x must be finite"),
        ({"x": np.ones(10)}, ValueError, r"x must have shape \(n_samples, n_features\)"),
        ({"key": 0}, TypeError, "key must be a PRNG key"),
    ],
)
def test_fit_gmm_errors(kwargs, exc, match):
    args = {"key": jax.random.key(0), "x": np.ones((10, 2)), "n_components": 2}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        jg.fit_gmm(args.pop("key"), args.pop("x"), args.pop("n_components"), **args)


def test_params_init_mismatch_errors():
    x = np.random.default_rng(0).normal(size=(10, 2))
    p = jg.gmm_params([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [1.0, 1.0], covariance_type="spherical")
    with pytest.raises(ValueError, match="params_init has covariance_type='spherical'"):
        jg.fit_gmm(jax.random.key(0), x, 2, params_init=p)
    with pytest.raises(ValueError, match="params_init must have n_components=3"):
        jg.fit_gmm(jax.random.key(0), x, 3, covariance_type="spherical", params_init=p)
