"""Marginal families against scipy.stats: densities, CDFs, quantiles and fits."""

import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize
import scipy.stats as st

from jaxgauss import marginals as mg

THETA = {
    "norm": [(1.5, 2.0, 0, 0), (-3.0, 0.1, 0, 0)],
    "lognorm": [(0.3, 0.7, 0, 0), (2.0, 1.5, 0, 0)],
    "gamma": [(0.4, 2.0, 0, 0), (7.5, 0.3, 0, 0)],
    "beta": [(0.5, 3.0, -1.0, 4.0), (4.0, 2.0, 0.0, 1.0)],
    "truncnorm": [(0.0, 1.0, -0.5, 2.0), (10.0, 2.0, 14.0, 20.0)],
    "uniform": [(-1.0, 3.0, 0, 0), (5.0, 0.5, 0, 0)],
}


def _scipy(family, t):
    if family == "norm":
        return st.norm(t[0], t[1])
    if family == "lognorm":
        return st.lognorm(s=t[1], scale=np.exp(t[0]))
    if family == "gamma":
        return st.gamma(t[0], scale=t[1])
    if family == "beta":
        return st.beta(t[0], t[1], loc=t[2], scale=t[3])
    if family == "truncnorm":
        return st.truncnorm((t[2] - t[0]) / t[1], (t[3] - t[0]) / t[1], loc=t[0], scale=t[1])
    if family == "uniform":
        return st.uniform(t[0], t[1])
    raise AssertionError(family)


@pytest.mark.parametrize("family", sorted(THETA))
def test_logpdf_cdf_ppf_match_scipy(family):
    theta = np.array(THETA[family], np.float64)
    marg = mg.Marginal(jnp.asarray(theta), jnp.zeros((2, 2)))
    dists = [_scipy(family, t) for t in theta]
    u = np.linspace(1e-6, 1 - 1e-6, 41)
    x = np.stack([d.ppf(u) for d in dists], axis=1)
    got_ppf = np.asarray(mg.ppf(family, marg, jnp.asarray(np.stack([u, u], 1))))
    np.testing.assert_allclose(got_ppf, x, rtol=1e-9, atol=1e-12)
    got_cdf = np.asarray(mg.cdf(family, marg, jnp.asarray(x)))
    want_cdf = np.stack([d.cdf(x[:, j]) for j, d in enumerate(dists)], axis=1)
    np.testing.assert_allclose(got_cdf, want_cdf, rtol=1e-9, atol=1e-13)
    want_lp = np.stack([d.logpdf(x[:, j]) for j, d in enumerate(dists)], axis=1)
    np.testing.assert_allclose(
        np.asarray(mg.logpdf(family, marg, jnp.asarray(x))), want_lp, rtol=1e-9
    )
    # round trip through normal scores
    z = mg.to_normal(family, marg, jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(z), st.norm.ppf(want_cdf), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(
        np.asarray(mg.from_normal(family, marg, z)), x, rtol=1e-8, atol=1e-10
    )


@pytest.mark.parametrize("family", ["lognorm", "gamma", "beta", "truncnorm", "uniform"])
def test_outside_support_has_zero_density(family):
    theta = np.array(THETA[family], np.float64)
    marg = mg.Marginal(jnp.asarray(theta), jnp.zeros((2, 2)))
    lo = np.array([_scipy(family, t).support()[0] for t in theta]) - 1.0
    lp = np.asarray(mg.logpdf(family, marg, jnp.asarray(lo[None, :])))
    assert np.all(lp == -np.inf)
    assert np.all(np.asarray(mg.cdf(family, marg, jnp.asarray(lo[None, :]))) == 0.0)


def _data(seed=0, n=400):
    rng = np.random.default_rng(seed)
    return np.stack(
        [rng.gamma(0.8, 2.0, n), rng.gamma(6.0, 0.5, n), rng.beta(0.7, 2.5, n) * 3 + 1], axis=1
    )


def test_gamma_fit_matches_scipy_mle():
    x = _data()[:, :2]
    got = np.asarray(mg.fit_family("gamma", jnp.asarray(x)).theta)
    for j in range(2):
        a, _, scale = st.gamma.fit(x[:, j], floc=0)
        np.testing.assert_allclose(got[j, :2], [a, scale], rtol=1e-6)


def test_beta_fit_matches_scipy_mle_on_fixed_support():
    x = _data()
    got = np.asarray(mg.fit_family("beta", jnp.asarray(x)).theta)
    n = x.shape[0]
    for j in range(3):
        r = np.ptp(x[:, j])
        lo, hi = x[:, j].min() - r / (n - 1), x[:, j].max() + r / (n - 1)
        a, b, _, _ = st.beta.fit(x[:, j], floc=lo, fscale=hi - lo)
        np.testing.assert_allclose(got[j], [a, b, lo, hi - lo], rtol=2e-5)


def test_truncnorm_fit_maximizes_scipy_likelihood():
    rng = np.random.default_rng(1)
    x = st.truncnorm.rvs(-0.3, 1.5, loc=2.0, scale=1.5, size=(500, 1), random_state=rng)
    got = np.asarray(mg.fit_family("truncnorm", jnp.asarray(x)).theta)[0]
    lo, hi = got[2], got[3]

    def nll(p):
        return -st.truncnorm.logpdf(
            x[:, 0], (lo - p[0]) / p[1], (hi - p[0]) / p[1], p[0], p[1]
        ).sum()

    ref = scipy.optimize.minimize(
        nll,
        [x.mean(), x.std()],
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000},
    ).x
    np.testing.assert_allclose(got[:2], ref, rtol=1e-4)
    assert nll(got[:2]) <= nll(ref) + 1e-7


def test_closed_form_fits():
    x = _data()
    n = x.shape[0]
    th = np.asarray(mg.fit_family("norm", jnp.asarray(x)).theta)
    np.testing.assert_allclose(th[:, 0], x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(th[:, 1], x.std(0), rtol=1e-12)
    th = np.asarray(mg.fit_family("lognorm", jnp.asarray(x)).theta)
    for j in range(3):
        s, _, scale = st.lognorm.fit(x[:, j], floc=0)
        np.testing.assert_allclose(th[j, :2], [np.log(scale), s], rtol=1e-6)
    th = np.asarray(mg.fit_family("uniform", jnp.asarray(x)).theta)
    r = np.ptp(x, 0)
    np.testing.assert_allclose(th[:, 0], x.min(0) - r / (n - 1), rtol=1e-12)
    np.testing.assert_allclose(th[:, 1], r * (n + 1) / (n - 1), rtol=1e-12)


def test_empirical_is_monotone_interpolated_quantiles():
    x = _data()
    marg = mg.fit_family("empirical", jnp.asarray(x), n_knots=400)
    u = np.linspace(0, 1, 101)
    got = np.asarray(mg.ppf("empirical", marg, jnp.asarray(np.stack([u] * 3, 1))))
    np.testing.assert_allclose(got, np.quantile(x, u, axis=0), rtol=1e-7)
    assert np.all(np.diff(np.asarray(marg.knots), axis=1) > 0)
    # density integrates to one; cdf is ppf's inverse
    grid = np.linspace(x.min(0), x.max(0), 20001)
    dens = np.exp(np.asarray(mg.logpdf("empirical", marg, jnp.asarray(grid))))
    np.testing.assert_allclose(np.trapezoid(dens, grid, axis=0), 1.0, atol=2e-2)
    np.testing.assert_allclose(
        np.asarray(mg.cdf("empirical", marg, jnp.asarray(got))), np.stack([u] * 3, 1), atol=1e-8
    )


def test_ks_statistic_matches_scipy_kstest():
    x = _data()
    marg = mg.fit_family("gamma", jnp.asarray(x[:, :2]))
    got = np.asarray(mg.ks_statistic("gamma", marg, jnp.asarray(x[:, :2])))
    th = np.asarray(marg.theta)
    for j in range(2):
        want = st.kstest(x[:, j], st.gamma(th[j, 0], scale=th[j, 1]).cdf).statistic
        np.testing.assert_allclose(got[j], want, rtol=1e-10)


def test_spread_ties_rounds_back_and_fills_cells():
    x = np.array([3, 1, 3, 3, 2, 1], float)
    s = mg.spread_ties(x)
    np.testing.assert_array_equal(np.round(s), x)
    np.testing.assert_allclose(np.sort(s[x == 3]), 3 - 0.5 + (np.arange(3) + 0.5) / 3)
    assert len(np.unique(s)) == x.size


def test_unknown_family_raises():
    with pytest.raises(ValueError, match="marginal family must be one of"):
        mg.fit_family("cauchy", jnp.ones((3, 1)))
