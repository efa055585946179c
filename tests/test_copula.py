"""Gaussian copula: fit, sample, log_prob against scipy, discrete columns, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st

import jaxgauss as jg
from jaxgauss import copula as cp

R_TRUE = np.array([[1.0, 0.6, -0.3, 0.4], [0.6, 1.0, 0.0, 0.3], [-0.3, 0.0, 1.0, 0.2],
                   [0.4, 0.3, 0.2, 1.0]])  # fmt: skip


def _skewed(n=2000, seed=0):
    """Known Gaussian copula with lognormal, gamma, bimodal and Poisson margins."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 4)) @ np.linalg.cholesky(R_TRUE).T
    u = st.norm.cdf(z)
    bimodal = np.where(
        u[:, 2] < 0.5, st.norm.ppf(2 * u[:, 2]) - 4, st.norm.ppf(2 * u[:, 2] - 1) + 4
    )
    return np.stack(
        [np.exp(1.0 * z[:, 0]), st.gamma.ppf(u[:, 1], 0.7, scale=3.0), bimodal,
         st.poisson.ppf(u[:, 3], 3.0)], axis=1,
    )  # fmt: skip


@pytest.fixture(scope="module")
def fitted():
    x = _skewed()
    params, report = jg.fit_copula(x, return_report=True)
    return x, params, report


def test_auto_choices_and_report(fitted):
    x, params, report = fitted
    assert report.families == params.families
    assert params.families[0] == "lognorm"
    assert params.families[2] == "empirical"  # bimodal: no parametric family passes KS
    assert params.families[3] == "empirical"  # integer column under "auto"
    assert report.integers == (False, False, False, True)
    n = x.shape[0]
    assert np.all(report.ks[:2] < 1.358 / np.sqrt(n))
    for j, fam in enumerate(params.families):
        if fam != "empirical":
            assert report.ks[j] == np.nanmin([report.scores[f][j] for f in cp._PARAMETRIC])


def test_latent_correlation_recovered(fitted):
    _, params, _ = fitted
    n = 2000
    corr = np.asarray(params.correlation)
    np.testing.assert_allclose(np.diag(corr), 1.0, atol=1e-12)
    se = (1 - R_TRUE**2) / np.sqrt(n)
    # Poisson column: ties spread arbitrarily attenuate its correlations, allow 15%.
    tol = 5 * se + 0.15 * np.abs(R_TRUE) * np.isin(np.arange(4), [3])[:, None]
    tol = np.maximum(tol, tol.T)
    assert np.all(np.abs(corr - R_TRUE) <= tol + 1e-12)


def test_copula_beats_gaussian_on_per_column_ks(fitted):
    x, params, _ = fitted
    key = jax.random.key(1)
    synth_c = np.asarray(jg.sample(key, params, 4000))
    synth_g = np.asarray(jg.sample(key, jg.fit_gaussian(x), 4000))
    ks_c = np.array([st.ks_2samp(x[:, j], synth_c[:, j]).statistic for j in range(4)])
    ks_g = np.array([st.ks_2samp(x[:, j], synth_g[:, j]).statistic for j in range(4)])
    # Two-sample KS critical value at level 0.001 per column (sqrt(-log(0.0005) / 2) = 1.95).
    crit = 1.95 * np.sqrt(1 / 2000 + 1 / 4000)
    assert np.all(ks_c < crit), ks_c
    # The single Gaussian misses the three skewed/bimodal columns by a wide margin.
    assert np.all(ks_g[:3] > 3 * crit), (ks_g, ks_c)
    assert ks_g[:3].mean() > 5 * ks_c[:3].mean(), (ks_g, ks_c)


def test_integer_column_sampled_as_integers_with_right_frequencies(fitted):
    _, params, _ = fitted
    s = np.asarray(jg.sample(jax.random.key(2), params, 4000))[:, 3]
    np.testing.assert_array_equal(s, np.round(s))
    for k in range(6):
        p = st.poisson.pmf(k, 3.0)
        assert abs(np.mean(s == k) - p) < 4 * np.sqrt(p * (1 - p) * (1 / 4000 + 1 / 2000))


def test_sample_chunk_invariant_and_no_retrace(fitted):
    _, params, _ = fitted
    key = jax.random.key(3)
    full = jg.sample(key, params, 4000)  # same n as the other tests: no new compile
    shifted = jg.sample(key, params, 4000, offset=1027)
    np.testing.assert_array_equal(full[1027:], shifted[: 4000 - 1027])
    size = cp._sample._cache_size()
    jg.sample(jax.random.key(4), params, 4000, offset=5)
    assert cp._sample._cache_size() == size


def test_log_prob_matches_scipy_formula(fitted):
    x, params, _ = fitted
    th, knots = np.asarray(params.theta), np.asarray(params.knots)
    assert params.families == ("lognorm", "gamma", "empirical", "empirical")
    probs = np.linspace(0, 1, knots.shape[1])

    def emp(j, v):  # piecewise-linear cdf, piecewise-constant density
        seg = np.clip(np.searchsorted(knots[j], v, side="right") - 1, 0, len(probs) - 2)
        return np.interp(v, knots[j], probs), np.log(np.diff(probs)[seg] / np.diff(knots[j])[seg])

    pts = x[:20] + np.array([0.0, 0.0, 0.01, 0.2])  # off the knots
    u = np.stack(
        [st.lognorm(s=th[0, 1], scale=np.exp(th[0, 0])).cdf(pts[:, 0]),
         st.gamma(th[1, 0], scale=th[1, 1]).cdf(pts[:, 1]),
         emp(2, pts[:, 2])[0], emp(3, pts[:, 3])[0]], axis=1)  # fmt: skip
    lf = np.stack(
        [st.lognorm(s=th[0, 1], scale=np.exp(th[0, 0])).logpdf(pts[:, 0]),
         st.gamma(th[1, 0], scale=th[1, 1]).logpdf(pts[:, 1]),
         emp(2, pts[:, 2])[1], emp(3, pts[:, 3])[1]], axis=1)  # fmt: skip
    z = st.norm.ppf(u)
    corr = np.asarray(params.correlation)
    want = (
        st.multivariate_normal(np.zeros(4), corr).logpdf(z) - st.norm.logpdf(z).sum(1) + lf.sum(1)
    )
    got = np.asarray(jg.log_prob(params, pts))
    np.testing.assert_allclose(got, want, rtol=1e-8)
    bad = pts[:2].copy()
    bad[0, 0] = -1.0  # outside lognorm support
    bad[1, 2] = knots[2, -1] + 1.0  # beyond the empirical range
    assert np.all(np.asarray(jg.log_prob(params, bad)) == -np.inf)


def test_log_prob_integrates_to_one_in_1d():
    x = np.random.default_rng(0).gamma(2.0, size=(500, 1))
    params = jg.fit_copula(x, marginals="empirical")
    knots = np.asarray(params.knots)[0]
    mids = 0.5 * (knots[1:] + knots[:-1])
    dens = np.exp(np.asarray(jg.log_prob(params, mids[:, None])))
    np.testing.assert_allclose(np.sum(dens * np.diff(knots)), 1.0, rtol=1e-10)


def test_float32_fit_and_sample():
    x = _skewed().astype(np.float32)
    params = jg.fit_copula(x, marginals=["lognorm", "truncnorm", "empirical", "empirical"])
    assert params.theta.dtype == jnp.float32
    s = jg.sample(jax.random.key(0), params, 256)
    assert s.dtype == jnp.float32 and bool(jnp.all(jnp.isfinite(s)))
    assert bool(jnp.all(jnp.isfinite(jg.log_prob(params, x[:50]))))


def test_names_from_columns_argument():
    x = _skewed()  # the fixture's shape: compiled fits are reused
    params = jg.fit_copula(x, marginals={"income": "gamma"}, integers=["count"],
                           columns=["income", "b", "c", "count"])  # fmt: skip
    assert params.families[0] == "gamma" and params.integers == (False, False, False, True)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"marginals": "cauchy"}, ValueError, "marginals must be one of"),
        ({"marginals": 3}, TypeError, "marginals must be 'auto'"),
        ({"marginals": ["norm"]}, ValueError, "must name 4 families; got 1"),
        ({"marginals": {9: "norm"}}, ValueError, r"keys must be column indices in \[0, 4\)"),
        ({"marginals": {2: "gamma"}}, ValueError, "'gamma' needs positive values"),
        ({"marginals": {"a": "norm"}}, ValueError, "names column 'a'"),
        ({"integers": [0]}, ValueError, "holds non-integer values"),
        ({"integers": "yes"}, ValueError, "integers must be 'auto'"),
        ({"max_knots": 0}, ValueError, "max_knots must be a positive integer"),
    ],
)
def test_bad_options_raise(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        jg.fit_copula(_skewed(n=50), **kwargs)


def test_bad_data_raise():
    with pytest.raises(ValueError, match="constant column"):
        jg.fit_copula(np.ones((10, 2)))
    with pytest.raises(ValueError, match="at least 3 rows"):
        jg.fit_copula(np.ones((2, 2)))
    with pytest.raises(ValueError, match="must be finite"):
        jg.fit_copula(np.array([[1.0], [np.nan], [2.0]]))
