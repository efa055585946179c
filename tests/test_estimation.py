"""Mean/covariance estimation against scikit-learn, streaming against in-memory, errors."""

import numpy as np
import pytest
from sklearn.covariance import OAS, EmpiricalCovariance, LedoitWolf, ledoit_wolf_shrinkage

import jaxgauss as jg


@pytest.fixture(scope="module")
def wine():
    return jg.datasets.load_wine().data


def _rel(a, b):
    return np.max(np.abs(np.asarray(a) - b)) / np.max(np.abs(b))


@pytest.mark.parametrize(
    ("shrinkage", "oracle"),
    [(None, EmpiricalCovariance), ("ledoit_wolf", LedoitWolf), ("oas", OAS)],
)
def test_matches_sklearn_on_wine(wine, shrinkage, oracle):
    est = jg.estimate_covariance(wine, shrinkage=shrinkage)
    ref = oracle().fit(wine)
    assert _rel(est.covariance, ref.covariance_) < 1e-8
    np.testing.assert_allclose(est.mean, ref.location_, rtol=1e-12)
    if shrinkage is not None:
        assert abs(float(est.shrinkage) - ref.shrinkage_) < 1e-8


@pytest.mark.parametrize("shrinkage", ["ledoit_wolf", "oas"])
def test_n_less_than_d_with_shrinkage(shrinkage):
    x = np.random.default_rng(0).normal(size=(8, 20)) * np.linspace(1, 5, 20)
    est = jg.estimate_covariance(x, shrinkage=shrinkage)
    ref = (LedoitWolf if shrinkage == "ledoit_wolf" else OAS)().fit(x)
    assert _rel(est.covariance, ref.covariance_) < 1e-8
    assert abs(float(est.shrinkage) - ref.shrinkage_) < 1e-8
    p = jg.fit_gaussian(x, shrinkage=shrinkage)
    assert np.all(np.isfinite(p.scale_tril))


def test_n_less_than_d_without_shrinkage_raises():
    x = np.random.default_rng(0).normal(size=(5, 10))
    with pytest.raises(ValueError, match="x has 5 rows for 10 columns.*shrinkage='ledoit_wolf'"):
        jg.fit_gaussian(x)


def test_fixed_shrinkage(wine):
    est = jg.estimate_covariance(wine, shrinkage=0.3)
    s = np.cov(wine.T, bias=True)
    expected = 0.7 * s + 0.3 * np.trace(s) / s.shape[0] * np.eye(s.shape[0])
    assert _rel(est.covariance, expected) < 1e-10


def test_integer_weights_equal_repeated_rows(wine):
    w = np.random.default_rng(1).integers(0, 4, size=wine.shape[0])
    repeated = np.repeat(wine, w, axis=0)
    for shrinkage, oracle in [
        (None, EmpiricalCovariance()),
        ("ledoit_wolf", LedoitWolf()),
        ("oas", OAS()),
    ]:
        est = jg.estimate_covariance(wine, shrinkage=shrinkage, sample_weight=w)
        ref = oracle.fit(repeated)
        assert _rel(est.covariance, ref.covariance_) < 1e-8
        np.testing.assert_allclose(est.mean, repeated.mean(0), rtol=1e-12)
        assert float(est.n_samples) == w.sum()


@pytest.mark.parametrize("shrinkage", [None, "ledoit_wolf", "oas", 0.2])
def test_streaming_equals_in_memory(wine, shrinkage):
    # Shift the table far from the origin so the streamed sums are tested for cancellation.
    x = wine + 1e3
    whole = jg.estimate_covariance(x, shrinkage=shrinkage)
    chunks = (c for c in np.array_split(x, [10, 11, 60, 130]))
    streamed = jg.estimate_covariance(chunks, shrinkage=shrinkage)
    assert _rel(streamed.covariance, np.asarray(whole.covariance)) < 1e-10
    np.testing.assert_allclose(streamed.mean, whole.mean, rtol=1e-12)
    assert abs(float(streamed.shrinkage) - float(whole.shrinkage)) < 1e-10


def test_streaming_weighted_pairs(wine):
    w = np.random.default_rng(2).uniform(0, 2, size=wine.shape[0])
    whole = jg.estimate_covariance(wine, shrinkage="ledoit_wolf", sample_weight=w)
    pairs = iter([(wine[:90], w[:90]), (wine[90:], w[90:])])
    streamed = jg.estimate_covariance(pairs, shrinkage="ledoit_wolf")
    assert _rel(streamed.covariance, np.asarray(whole.covariance)) < 1e-10


def test_ledoit_wolf_centered_sums_formula():
    # The fourth-moment sum behind Ledoit-Wolf, checked through sklearn's own shrinkage function.
    x = np.random.default_rng(5).standard_t(4, size=(300, 6))
    est = jg.estimate_covariance(x, shrinkage="ledoit_wolf")
    assert abs(float(est.shrinkage) - ledoit_wolf_shrinkage(x - x.mean(0))) < 1e-10


def test_fit_gaussian_float32():
    x = np.random.default_rng(0).normal(size=(500, 4)).astype(np.float32)
    p = jg.fit_gaussian(x, shrinkage="ledoit_wolf")
    assert p.mean.dtype == np.float32 and p.scale_tril.dtype == np.float32
    ref = LedoitWolf().fit(x.astype(np.float64)).covariance_
    # float32 sums of 500 O(1) products: relative error ~ sqrt(n) * eps32 ~ 3e-6.
    np.testing.assert_allclose(
        np.asarray(p.scale_tril @ p.scale_tril.T, np.float64), ref, atol=1e-5
    )


def test_fit_gaussian_constant_column_warns_and_is_finite():
    x = np.random.default_rng(0).normal(size=(50, 3))
    x[:, 1] = 7.0
    with pytest.warns(jg.FactorizationWarning):
        p = jg.fit_gaussian(x)
    assert np.all(np.isfinite(p.scale_tril))


@pytest.mark.parametrize(
    ("kwargs", "err", "match"),
    [
        (
            {"shrinkage": "lw"},
            ValueError,
            "shrinkage must be None, 'ledoit_wolf', 'oas' or a float",
        ),
        ({"shrinkage": 1.5}, ValueError, r"shrinkage must lie in \[0, 1\]; got 1.5"),
        ({"shrinkage": -0.1}, ValueError, r"shrinkage must lie in \[0, 1\]"),
        ({"shrinkage": [0.1]}, TypeError, "shrinkage must be None"),
        ({"sample_weight": -np.ones(30)}, ValueError, "sample_weight must be non-negative"),
        ({"sample_weight": np.zeros(30)}, ValueError, "all are zero"),
        ({"sample_weight": np.ones(29)}, ValueError, r"sample_weight must have shape \(30,\)"),
        ({"sample_weight": np.full(30, np.nan)}, ValueError, "sample_weight must be finite"),
    ],
)
def test_option_errors(kwargs, err, match):
    x = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(err, match=match):
        jg.fit_gaussian(x, **kwargs)


def test_data_errors():
    with pytest.raises(ValueError, match="x must be finite"):
        jg.fit_gaussian(np.array([[1.0, np.nan], [0.0, 1.0], [2.0, 2.0]]))
    with pytest.raises(ValueError, match=r"x must have shape \(n_samples, n_features\)"):
        jg.fit_gaussian(np.zeros(5))
    with pytest.raises(ValueError, match="every chunk must have 3 columns"):
        jg.fit_gaussian(iter([np.zeros((4, 3)), np.zeros((4, 2))]))
    with pytest.raises(ValueError, match="at least one row"):
        jg.fit_gaussian(iter([]))
    with pytest.raises(ValueError, match="pass \\(chunk, weights\\) pairs"):
        jg.fit_gaussian(iter([np.zeros((4, 3))]), sample_weight=np.ones(4))


@pytest.mark.parametrize(("shrinkage", "oracle"), [("ledoit_wolf", LedoitWolf), ("oas", OAS)])
def test_standardize_equals_sklearn_on_standardized_data(wine, shrinkage, oracle):
    std = wine.std(0)
    ref = oracle().fit((wine - wine.mean(0)) / std)
    est = jg.estimate_covariance(wine, shrinkage=shrinkage, standardize=True)
    assert abs(float(est.shrinkage) - ref.shrinkage_) < 1e-8
    assert _rel(est.covariance, ref.covariance_ * np.outer(std, std)) < 1e-8
    np.testing.assert_allclose(np.diag(est.covariance), wine.var(0), rtol=1e-10)


def test_standardize_streaming(wine):
    x = wine + 50.0
    whole = jg.estimate_covariance(x, shrinkage="ledoit_wolf", standardize=True)
    streamed = jg.estimate_covariance(
        iter(np.array_split(x, 5)), shrinkage="ledoit_wolf", standardize=True
    )
    assert abs(float(streamed.shrinkage) - float(whole.shrinkage)) < 1e-10
    assert _rel(streamed.covariance, np.asarray(whole.covariance)) < 1e-10
