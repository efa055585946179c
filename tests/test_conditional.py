"""Exact conditioning: analytic formulas (numpy/scipy) and rejection sampling."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st

import jaxgauss as jg
from jaxgauss import mixture

COV = np.array([[2.0, 0.8, 0.3, 0.0], [0.8, 1.0, -0.2, 0.1], [0.3, -0.2, 1.5, 0.4],
                [0.0, 0.1, 0.4, 0.7]])  # fmt: skip
MEAN = np.array([1.0, -0.5, 0.0, 2.0])


def _schur(mean, cov, g, f, xg):
    s_gg, s_fg = cov[np.ix_(g, g)], cov[np.ix_(f, g)]
    gain = np.linalg.solve(s_gg, s_fg.T).T
    mu = mean[f] + gain @ (xg - mean[g])
    return mu, cov[np.ix_(f, f)] - gain @ s_fg.T


def test_gaussian_matches_schur_complement():
    p = jg.gaussian(MEAN, COV)
    given = {2: 0.7, 0: -1.0}
    c = jg.condition(p, given)
    mu, s = _schur(MEAN, COV, [0, 2], [1, 3], np.array([-1.0, 0.7]))
    np.testing.assert_allclose(np.asarray(c.mean), mu, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(c.covariance), s, rtol=1e-12, atol=1e-14)
    # log_prob of the conditional = joint - marginal of the given columns
    x = np.array([[0.1, 2.5], [-1.0, 1.0]])
    full = np.column_stack([np.full(2, -1.0), x[:, 0], np.full(2, 0.7), x[:, 1]])
    want = st.multivariate_normal(MEAN, COV).logpdf(full) - st.multivariate_normal(
        MEAN[[0, 2]], COV[np.ix_([0, 2], [0, 2])]
    ).logpdf([-1.0, 0.7])
    np.testing.assert_allclose(np.asarray(jg.log_prob(c, x)), want, rtol=1e-10)


def _gmm(ctype, d=3, k=3, seed=0):
    rng = np.random.default_rng(seed)
    means = rng.normal(0, 2.0, (k, d))
    a = rng.normal(size=(k, d, d))
    full = a @ a.transpose(0, 2, 1) + 0.5 * np.eye(d)
    covs = {
        "full": full,
        "tied": full[0],
        "diag": rng.uniform(0.3, 2.0, (k, d)),
        "spherical": rng.uniform(0.3, 2.0, k),
    }[ctype]
    return jg.gmm_params(np.array([0.5, 0.3, 0.2]), means, covs, covariance_type=ctype)


@pytest.mark.parametrize("ctype", ["full", "tied", "diag", "spherical"])
def test_mixture_matches_componentwise_formula(ctype):
    p = _gmm(ctype)
    c = jg.condition(p, {1: 0.4})
    assert c.covariance_type == ctype
    covs = np.asarray(mixture.covariances(_as_full(p)))
    means = np.asarray(p.means)
    logw = np.log(np.asarray(p.weights)) + np.array(
        [st.norm(means[k, 1], np.sqrt(covs[k, 1, 1])).logpdf(0.4) for k in range(3)]
    )
    w = np.exp(logw - np.logaddexp.reduce(logw))
    np.testing.assert_allclose(np.asarray(c.weights), w, rtol=1e-10)
    got_covs = np.asarray(mixture.covariances(_as_full(c)))
    for k in range(3):
        mu, s = _schur(means[k], covs[k], [1], [0, 2], np.array([0.4]))
        np.testing.assert_allclose(np.asarray(c.means[k]), mu, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got_covs[k], s, rtol=1e-10, atol=1e-12)


def _as_full(p):
    """Full-covariance version of a mixture (for the oracle)."""
    covs = np.asarray(mixture.covariances(p))
    k, d = p.means.shape
    if p.covariance_type == "tied":
        covs = np.broadcast_to(covs, (k, d, d))
    elif p.covariance_type == "diag":
        covs = np.stack([np.diag(v) for v in covs])
    elif p.covariance_type == "spherical":
        covs = np.stack([v * np.eye(d) for v in covs])
    return jg.gmm_params(p.weights, p.means, covs)


def test_mixture_against_rejection_sampling():
    p = _gmm("full", d=2)
    a, h, n = 0.5, 0.05, 200_000
    x, labels = jg.sample(jax.random.key(0), p, n, return_labels=True)
    x, labels = np.asarray(x), np.asarray(labels)
    keep = np.abs(x[:, 0] - a) < h
    c = jg.condition(p, {0: a})
    m = int(keep.sum())
    # re-weighting: component frequencies among accepted rows
    freq = np.bincount(labels[keep], minlength=3) / m
    w = np.asarray(c.weights)
    assert np.all(np.abs(freq - w) < 4 * np.sqrt(w * (1 - w) / m) + 0.01)
    # free column: two-sample KS between rejection rows and exact conditional samples
    s = np.asarray(jg.sample(jax.random.key(1), c, 10_000))[:, 0]
    assert st.ks_2samp(x[keep, 1], s).pvalue > 1e-3


def test_copula_condition_matches_latent_formula_and_rejection():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3000, 3)) @ np.linalg.cholesky(COV[:3, :3] / 2).T
    x = np.column_stack([np.exp(z[:, 0]), z[:, 1] ** 3, np.abs(z[:, 2])])
    p = jg.fit_copula(x, marginals=["lognorm", "empirical", "truncnorm"])
    c = jg.condition(p, {0: 1.5})
    assert c.families == ("empirical", "truncnorm")
    th = np.asarray(p.theta)
    z0 = (np.log(1.5) - th[0, 0]) / th[0, 1]
    mu, s = _schur(np.zeros(3), np.asarray(p.correlation), [0], [1, 2], np.array([z0]))
    np.testing.assert_allclose(np.asarray(c.latent_mean), mu, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(c.correlation), s, rtol=1e-10, atol=1e-13)
    # conditional density = joint density / marginal density of the given column
    pts = x[:5, 1:]
    full = np.column_stack([np.full(5, 1.5), pts])
    marg = st.lognorm(s=th[0, 1], scale=np.exp(th[0, 0])).logpdf(1.5)
    np.testing.assert_allclose(
        np.asarray(jg.log_prob(c, pts)), np.asarray(jg.log_prob(p, full)) - marg, rtol=1e-9
    )
    big = np.asarray(jg.sample(jax.random.key(2), p, 100_000))
    keep = np.abs(big[:, 0] - 1.5) < 0.04
    s_c = np.asarray(jg.sample(jax.random.key(3), c, 10_000))
    for j in range(2):
        assert st.ks_2samp(big[keep, j + 1], s_c[:, j]).pvalue > 1e-3


def test_complete_rows_and_names():
    p = jg.gaussian(MEAN, COV)
    names = ["a", "b", "c", "d"]
    c = jg.condition(p, {"c": 0.5}, columns=names)
    rows = jg.complete_rows(jg.sample(jax.random.key(0), c, 5), {"c": 0.5}, 4, columns=names)
    assert rows.shape == (5, 4)
    np.testing.assert_array_equal(np.asarray(rows[:, 2]), 0.5)


def test_condition_under_jit_with_traced_values():
    p = jg.gaussian(MEAN, COV)
    f = jax.jit(lambda v: jg.condition(p, {1: v}).mean)
    mu, _ = _schur(MEAN, COV, [1], [0, 2, 3], np.array([0.3]))
    np.testing.assert_allclose(np.asarray(f(jnp.asarray(0.3))), mu, rtol=1e-12)


@pytest.mark.parametrize(
    ("given", "exc", "match"),
    [
        ([1.0], TypeError, "given must be a mapping"),
        ({}, ValueError, "at least one column"),
        ({0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}, ValueError, "at least one column must stay free"),
        ({7: 1.0}, ValueError, r"column indices in \[0, 4\)"),
        ({0: np.nan}, ValueError, "given values must be finite"),
        ({0: "x"}, TypeError, "given values must be a real numeric array"),
        ({0: [1.0, 2.0]}, ValueError, "given values must have 0 dimension"),
    ],
)
def test_errors(given, exc, match):
    with pytest.raises(exc, match=match):
        jg.condition(jg.gaussian(MEAN, COV), given)


def test_unsupported_params_type():
    with pytest.raises(TypeError, match="params must be GaussianParams, GMMParams or CopulaParams"):
        jg.condition((np.zeros(2), np.eye(2)), {0: 1.0})
