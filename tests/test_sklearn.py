"""jaxgauss.sklearn.GaussianMixture against sklearn.mixture.GaussianMixture.

The oracle is scikit-learn itself: from the same initial parameters both run the same EM
iterations, so every fitted attribute must agree to float64 rounding (we ask 1e-6 relative).

Compile budget: every distinct (rows bucket, features, components, covariance type, init,
max_iter, dtype, n_init) costs one JAX compilation of the fit (seconds on a small CPU), so the
tests share one data set (240 x 3, bucket 256) and K=3 wherever the point allows.
"""

from __future__ import annotations

import pickle
import re
import warnings

import jax
import numpy as np
import pytest
import sklearn.mixture as skm
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from jaxgauss.sklearn import GaussianMixture

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
FITTED = (
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
)


def _data(n=240, seed=0):
    """Three overlapping 3-D clusters (EM needs several iterations)."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0, 0.0], [2.5, 1.0, -1.0], [-1.0, 3.0, 1.5]])
    a = np.array([[1.0, 0.4, 0.0], [0.0, 0.8, 0.3], [0.2, 0.0, 1.2]])
    labels = rng.integers(0, 3, n)
    return centers[labels] + rng.standard_normal((n, 3)) @ a


def _inits(x, covariance_type, k=3, seed=1):
    """Initial weights, means and precisions in scikit-learn's layout (data points as means)."""
    rng = np.random.default_rng(seed)
    d = x.shape[1]
    means = x[rng.choice(x.shape[0], k, replace=False)]
    weights = np.full(k, 1.0 / k)
    var = x.var(axis=0)
    precisions = {
        "full": np.stack([np.diag(1.0 / var) for _ in range(k)]),
        "tied": np.diag(1.0 / var),
        "diag": np.tile(1.0 / var, (k, 1)),
        "spherical": np.full(k, 1.0 / var.mean()),
    }[covariance_type]
    assert precisions.ndim >= 1 and d == 3
    return dict(weights_init=weights, means_init=means, precisions_init=precisions)


def _assert_same_fit(ours, ref, rtol=1e-6):
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(ours, name), getattr(ref, name), rtol=rtol, atol=rtol * 1e-3, err_msg=name
        )
    assert ours.n_iter_ == ref.n_iter_
    assert ours.converged_ == ref.converged_
    np.testing.assert_allclose(ours.lower_bound_, ref.lower_bound_, rtol=rtol)


# --------------------------------------------------------------------------------------------
# Agreement with scikit-learn


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_same_em_as_sklearn_from_same_init(covariance_type):
    x = _data()
    kw = dict(n_components=3, covariance_type=covariance_type, **_inits(x, covariance_type))
    ref = skm.GaussianMixture(**kw).fit(x)
    ours = GaussianMixture(**kw).fit(x)
    assert ref.converged_ and ref.n_iter_ >= 5  # the comparison covers several EM iterations
    _assert_same_fit(ours, ref)
    assert ours.means_.dtype == np.float64
    np.testing.assert_allclose(ours.lower_bounds_, ref.lower_bounds_, rtol=1e-6)
    # Everything computed from the parameters.
    np.testing.assert_allclose(ours.score_samples(x), ref.score_samples(x), rtol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(x), ref.predict_proba(x), rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(x), ref.predict(x))
    assert ours.score(x) == pytest.approx(ref.score(x), rel=1e-6)
    assert ours.bic(x) == pytest.approx(ref.bic(x), rel=1e-6)
    assert ours.aic(x) == pytest.approx(ref.aic(x), rel=1e-6)
    assert ours._n_parameters() == ref._n_parameters()


def test_same_em_when_not_converged_and_warns():
    x = _data()
    kw = dict(n_components=3, tol=0.0, **_inits(x, "full"))  # tol=0: all 100 iterations
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ref = skm.GaussianMixture(**kw).fit(x)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        ours = GaussianMixture(**kw).fit(x)
    assert ours.n_iter_ == 100 and not ours.converged_
    _assert_same_fit(ours, ref)


def test_float32_follows_sklearn_float32():
    x = _data().astype(np.float32)
    inits = {k: v.astype(np.float32) for k, v in _inits(x, "full").items()}
    ref = skm.GaussianMixture(3, **inits).fit(x)
    ours = GaussianMixture(3, **inits).fit(x)
    for name in FITTED:
        assert getattr(ours, name).dtype == np.float32, name
    # float32 EM from the same start: rounding differences (~1e-7 relative per step) grow
    # over the iterations; 1e-3 relative bounds them with a wide margin.
    for name in ("weights_", "means_", "covariances_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-3, atol=1e-4)
    assert abs(ours.lower_bound_ - ref.lower_bound_) < 1e-4


def test_float64_data_is_fitted_in_float64_without_global_x64():
    x = _data()
    kw = dict(n_components=3, **_inits(x, "diag"), covariance_type="diag")
    ref = skm.GaussianMixture(**kw).fit(x)
    with jax.enable_x64(False):
        ours = GaussianMixture(**kw).fit(x)
        scores = ours.score_samples(x)
    assert ours.means_.dtype == np.float64 and scores.dtype == np.float64
    _assert_same_fit(ours, ref)
    np.testing.assert_allclose(scores, ref.score_samples(x), rtol=1e-6)


def test_warm_start_continues_like_sklearn():
    x = _data()
    kw = dict(n_components=3, warm_start=True, max_iter=2, **_inits(x, "full"))
    ref = skm.GaussianMixture(**kw)
    ours = GaussianMixture(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(30):
            ref.fit(x)
            ours.fit(x)
            _assert_same_fit(ours, ref)
            np.testing.assert_allclose(ours.lower_bounds_, ref.lower_bounds_, rtol=1e-6)
            if ref.converged_:
                break
    assert ref.converged_  # the sequence reached scikit-learn's stopping rule, ours with it
    # A converged model continued once more stops after one iteration, in both.
    ref.fit(x)
    ours.fit(x)
    assert ours.n_iter_ == ref.n_iter_ == 1 and ours.converged_
    _assert_same_fit(ours, ref)


def test_warm_start_false_reinitializes():
    x = _data()
    gm = GaussianMixture(3, random_state=0).fit(x)
    first = gm.means_.copy()
    gm.fit(x)
    np.testing.assert_array_equal(gm.means_, first)  # same seed, fresh start, same result


# --------------------------------------------------------------------------------------------
# Initialization, randomness, restarts


def test_default_fit_is_good_and_deterministic_for_int_seed():
    x = _data()
    ours = GaussianMixture(3, random_state=0).fit(x)
    ref = skm.GaussianMixture(3, random_state=0).fit(x)
    # Different initializations, same local optimum on this easy problem.
    assert ours.lower_bound_ == pytest.approx(ref.lower_bound_, abs=1e-2)
    again = GaussianMixture(3, random_state=0).fit(x)
    np.testing.assert_array_equal(again.means_, ours.means_)
    labels = GaussianMixture(3, random_state=0).fit_predict(x)
    np.testing.assert_array_equal(labels, ours.predict(x))


@pytest.mark.parametrize("init_params", ["k-means++", "random", "random_from_data"])
def test_every_init_params_fits(init_params):
    x = _data()
    one = GaussianMixture(1, random_state=0).fit(x).lower_bound_  # the best single Gaussian
    n_init = 2 if init_params == "random" else 1
    gm = GaussianMixture(3, init_params=init_params, random_state=0, n_init=n_init).fit(x)
    assert np.all(np.isfinite(gm.means_)) and gm.converged_
    assert gm.weights_.sum() == pytest.approx(1.0)
    # EM never decreases the likelihood: any sensible start ends above one Gaussian's fit
    # (local optima differ between initializations, so no equality with another init).
    assert gm.lower_bound_ > one


def test_random_state_kinds():
    x = _data()
    rs = np.random.RandomState(0)
    gm = GaussianMixture(3, init_params="random_from_data", random_state=rs)
    a = gm.fit(x).lower_bounds_
    b = gm.fit(x).lower_bounds_  # the RandomState advanced: another initialization
    assert a != b
    key = jax.random.key(7)
    c = GaussianMixture(3, random_state=key).fit(x)
    d = GaussianMixture(3, random_state=key).fit(x)
    assert c.lower_bounds_ == d.lower_bounds_
    np.testing.assert_array_equal(c.means_, d.means_)


def test_partial_init_and_max_iter_zero():
    x = _data()
    means = _inits(x, "full")["means_init"]
    gm = GaussianMixture(3, means_init=means, max_iter=0, random_state=0).fit(x)
    np.testing.assert_array_equal(gm.means_, means)  # initialization only: the given means
    assert gm.n_iter_ == 0 and not gm.converged_ and gm.lower_bound_ == -np.inf
    assert gm.weights_.sum() == pytest.approx(1.0)
    weights = np.array([0.2, 0.3, 0.5])
    gm = GaussianMixture(3, weights_init=weights, max_iter=0, random_state=0).fit(x)
    np.testing.assert_allclose(gm.weights_, weights)
    gm = GaussianMixture(3, means_init=means, random_state=0).fit(x)
    assert gm.converged_


# --------------------------------------------------------------------------------------------
# Sampling


def test_sample_shapes_labels_and_reproducibility():
    x = _data()
    gm = GaussianMixture(3, random_state=0).fit(x)
    xs, ys = gm.sample(4000)
    assert xs.shape == (4000, 3) and xs.dtype == np.float64
    assert ys.shape == (4000,) and ys.dtype == np.int64 and set(np.unique(ys)) <= {0, 1, 2}
    xs2, ys2 = gm.sample(4000)
    np.testing.assert_array_equal(xs, xs2)
    np.testing.assert_array_equal(ys, ys2)
    # Label frequencies: binomial standard error sqrt(w (1 - w) / n) <= 0.008; 5 sigma.
    freq = np.bincount(ys, minlength=3) / 4000
    np.testing.assert_allclose(freq, gm.weights_, atol=0.04)
    # Rows given label 0 have component 0's mean (standard error sqrt(var / n_0)).
    sel = xs[ys == 0]
    se = np.sqrt(np.diag(gm.covariances_[0]) / len(sel))
    assert np.all(np.abs(sel.mean(axis=0) - gm.means_[0]) < 5 * se)


# --------------------------------------------------------------------------------------------
# Errors and warnings, side by side with scikit-learn


BAD_PARAMS = [
    (dict(n_components=0), "n_components"),
    (dict(n_components=1.5), "n_components"),
    (dict(covariance_type="banana"), "covariance_type"),
    (dict(tol=-1.0), "tol"),
    (dict(reg_covar=-1e-6), "reg_covar"),
    (dict(max_iter=-1), "max_iter"),
    (dict(n_init=0), "n_init"),
    (dict(init_params="kmedoids"), "init_params"),
    (dict(warm_start="yes"), "warm_start"),
    (dict(verbose_interval=0), "verbose_interval"),
    (dict(random_state="seed"), "random_state"),
]


@pytest.mark.parametrize("kwargs, name", BAD_PARAMS)
def test_invalid_parameters_raise_like_sklearn(kwargs, name):
    x = _data(n=30)
    with pytest.raises(ValueError, match=name):
        skm.GaussianMixture(**kwargs).fit(x)
    with pytest.raises(ValueError, match=f"The '{name}' parameter of GaussianMixture must be"):
        GaussianMixture(**kwargs).fit(x)
    with pytest.raises(TypeError, match=name):  # InvalidParameterError is both, as in sklearn
        GaussianMixture(**kwargs).fit(x)


def _bad_inits():
    k, d = 3, 3
    full = np.stack([np.eye(d)] * k)
    not_pd = full.copy()
    not_pd[1] = -np.eye(d)
    return [
        (dict(weights_init=[0.5, 0.5]), "The parameter 'weights' should have the shape"),
        (dict(weights_init=[0.5, 0.6, -0.1]), "should be in the range"),
        (dict(weights_init=[0.2, 0.2, 0.2]), "should be normalized"),
        (dict(means_init=np.zeros((2, d))), "The parameter 'means' should have the shape"),
        (dict(precisions_init=np.eye(d)), "The parameter 'full precision' should have the shape"),
        (dict(precisions_init=not_pd), "'full precision' should be symmetric, positive-definite"),
        (
            dict(covariance_type="diag", precisions_init=-np.ones((k, d))),
            "'diag precision' should be positive",
        ),
    ]


@pytest.mark.parametrize("kwargs, message", _bad_inits())
def test_invalid_initial_parameters(kwargs, message):
    x = _data(n=30)
    with pytest.raises(ValueError, match=re.escape(message)):
        skm.GaussianMixture(3, **kwargs).fit(x)
    with pytest.raises(ValueError, match=re.escape(message)):
        GaussianMixture(3, **kwargs).fit(x)


def test_data_errors():
    x = _data()
    with pytest.raises(ValueError, match="Expected n_samples >= n_components"):
        GaussianMixture(5).fit(x[:4])
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GaussianMixture(3).fit(bad)
    with pytest.raises(ValueError, match="Expected 2D array"):
        GaussianMixture(3).fit(x[:, 0])
    gm = GaussianMixture(3, random_state=0).fit(x)
    with pytest.raises(ValueError, match="X has 2 features, but GaussianMixture is expecting 3"):
        gm.predict(x[:, :2])
    with pytest.raises(ValueError, match="Invalid value for 'n_samples'"):
        gm.sample(0)


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "score_samples", "score", "bic", "aic"]
)
def test_not_fitted(method):
    with pytest.raises(NotFittedError):
        getattr(GaussianMixture(), method)(_data(n=10))


def test_not_fitted_sample():
    with pytest.raises(NotFittedError):
        GaussianMixture().sample(3)


def test_verbose_output(capsys):
    x = _data()
    GaussianMixture(3, random_state=0, verbose=2, verbose_interval=1).fit(x)
    out = capsys.readouterr().out
    assert out.startswith("Initialization 0\n")
    assert "  Iteration 1\t ll change" in out
    assert re.search(
        r"Initialization converged\. time lapse [0-9.]+s\t lower bound -?[0-9.]+\.", out
    )


# --------------------------------------------------------------------------------------------
# scikit-learn machinery: clone, pipelines, grid search, pickling, feature names


def test_clone_pipeline_grid_search_pickle():
    x = _data()
    gm = GaussianMixture(3, random_state=0)
    assert clone(gm).get_params() == gm.get_params()
    pipe = make_pipeline(StandardScaler(), GaussianMixture(3, random_state=0)).fit(x)
    assert pipe.predict(x).shape == (240,)
    grid = GridSearchCV(GaussianMixture(random_state=0), {"n_components": [1, 3]}, cv=2).fit(x)
    assert grid.best_params_ == {"n_components": 3}  # held-out log-likelihood prefers 3
    fitted = gm.fit(x)
    back = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(back.score_samples(x), fitted.score_samples(x))


def test_feature_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(_data(), columns=["a", "b", "c"])
    gm = GaussianMixture(3, random_state=0).fit(df)
    assert list(gm.feature_names_in_) == ["a", "b", "c"] and gm.n_features_in_ == 3
    with pytest.warns(UserWarning, match="feature names"):
        gm.predict(df.to_numpy())


# --------------------------------------------------------------------------------------------
# scikit-learn's own estimator checks

# Checks that cannot pass, each with the reason (also listed in README.md).
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


@parametrize_with_checks(
    [GaussianMixture(random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_row_buckets_share_one_compiled_fit():
    from jaxgauss import em

    x = _data()
    GaussianMixture(3, random_state=0).fit(x)
    size = em._fit_jit._cache_size()
    for n in (130, 200):  # same 256-row bucket as the 240 rows: no new compilation
        gm = GaussianMixture(3, random_state=0).fit(x[:n])
        assert gm.predict(x[:n]).shape == (n,)
    assert em._fit_jit._cache_size() == size


def test_params_for_the_functional_api():
    import jaxgauss as jg

    x = _data()
    gm = GaussianMixture(3, random_state=0).fit(x)
    params = gm.params_
    assert isinstance(params, jg.GMMParams) and params.covariance_type == "full"
    np.testing.assert_allclose(np.asarray(jg.log_prob(params, x)), gm.score_samples(x), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(jg.covariances(params)), gm.covariances_, rtol=1e-10)
