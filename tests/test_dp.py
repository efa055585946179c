"""Differentially private Gaussian: calibration, validity, noise scaling, neighbouring datasets."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats as st

from jaxgauss.privacy import analytic_gaussian_delta, analytic_gaussian_sigma, dp, dp_fit_gaussian


def _delta_scipy(sigma, eps, sens=1.0):
    a = sens / (2 * sigma) - eps * sigma / sens
    b = -sens / (2 * sigma) - eps * sigma / sens
    return st.norm.cdf(a) - math.exp(eps) * st.norm.cdf(b)


@pytest.mark.parametrize(
    ("eps", "delta", "sens"),
    [(0.1, 1e-6, 1.0), (1.0, 1e-5, 2.5), (4.0, 1e-9, 0.3), (20.0, 1e-3, 1.0)],
)
def test_sigma_is_the_smallest_satisfying_the_analytic_condition(eps, delta, sens):
    s = analytic_gaussian_sigma(eps, delta, sens)
    assert _delta_scipy(s, eps, sens) <= delta * (1 + 1e-9)
    assert _delta_scipy(s * (1 - 1e-6), eps, sens) > delta  # slightly below fails
    np.testing.assert_allclose(analytic_gaussian_delta(s, eps, sens), _delta_scipy(s, eps, sens),
                               rtol=1e-8)  # fmt: skip
    if eps < 1:  # never worse than the classical calibration (valid for eps < 1)
        assert s < sens * math.sqrt(2 * math.log(1.25 / delta)) / eps


def test_report_states_sensitivities_and_split():
    x = np.random.default_rng(0).uniform(-1, 3, (500, 3))
    _, r = dp_fit_gaussian(jax.random.key(0), x, epsilon=1.0, delta=1e-6, bounds=(-1.0, 3.0),
                           mean_fraction=0.3, return_report=True)  # fmt: skip
    radius = 0.5 * math.sqrt(3 * 4.0**2)
    assert r.radius == pytest.approx(radius)
    assert r.sensitivity_sum == pytest.approx(2 * radius)
    assert r.sensitivity_second == pytest.approx(math.sqrt(2) * radius**2)
    su = analytic_gaussian_sigma(1.0, 1e-6)
    assert r.sigma_unit == pytest.approx(su)
    assert r.sigma_sum == pytest.approx(2 * radius * su / math.sqrt(0.3))
    assert r.sigma_second == pytest.approx(math.sqrt(2) * radius**2 * su / math.sqrt(0.7))
    # the joint mechanism spends exactly the budget of one unit-sensitivity release
    snr = (r.sensitivity_sum / r.sigma_sum) ** 2 + (r.sensitivity_second / r.sigma_second) ** 2
    assert snr == pytest.approx(1 / su**2)


def test_noise_shrinks_as_epsilon_grows():
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 1.0, (2000, 2)).clip(-4, 4)
    sigmas, errs = [], []
    for eps in (0.2, 1.0, 5.0):
        _, r = dp_fit_gaussian(jax.random.key(0), x, epsilon=eps, delta=1e-6, bounds=(-4.0, 4.0),
                               return_report=True)  # fmt: skip
        sigmas.append(r.sigma_sum)
        e = [np.abs(np.asarray(dp_fit_gaussian(jax.random.key(k), x, epsilon=eps, delta=1e-6,
                                               bounds=(-4.0, 4.0)).mean) - x.mean(0)).mean()
             for k in range(10)]  # fmt: skip
        errs.append(np.mean(e))
    assert sigmas[0] > sigmas[1] > sigmas[2]
    assert errs[0] > errs[1] > errs[2]


@pytest.mark.parametrize("eps", [0.01, 1.0])
def test_output_is_always_valid(eps):
    x = np.random.default_rng(2).normal(5.0, 3.0, (50, 4))  # some rows outside the bounds
    for k in range(5):
        p, r = dp_fit_gaussian(jax.random.key(k), x, epsilon=eps, delta=1e-5, bounds=(0.0, 10.0),
                               return_report=True)  # fmt: skip
        mean, cov = np.asarray(p.mean), np.asarray(p.covariance)
        assert np.all(np.isfinite(mean)) and np.all((mean >= 0) & (mean <= 10))
        assert np.all(np.linalg.eigvalsh(cov) > 0)
        assert r.n_clipped == int(np.sum(np.any((x < 0) | (x > 10), axis=1)))


def test_empirical_neighbouring_datasets():
    """Privacy-loss check on the released sum for worst-case neighbours D, D'."""
    eps, delta = 1.0, 1e-3
    x = np.random.default_rng(3).uniform(0, 1, (100, 1))
    x2 = x.copy()
    x[0, 0], x2[0, 0] = 0.0, 1.0  # the two extremes of the box: |s1 - s1'| = D1
    _, r = dp_fit_gaussian(jax.random.key(0), x, epsilon=eps, delta=delta, bounds=(0.0, 1.0),
                           return_report=True)  # fmt: skip
    keys = jax.random.split(jax.random.key(4), 200_000)

    def release(data, sigma):
        y = jnp.asarray(data - 0.5)
        return np.asarray(jax.vmap(lambda k: dp._noisy_sums(k, y, sigma, 1.0)[0][0])(keys))

    def worst_violation(sigma):
        a, b = release(x, sigma), release(x2, sigma)
        ts = np.quantile(np.concatenate([a, b]), np.linspace(0.001, 0.999, 60))
        m = len(a)
        gap = []
        for t in ts:  # events {out > t} and {out <= t}, both directions
            for pa, pb in (((a > t).mean(), (b > t).mean()), ((a <= t).mean(), (b <= t).mean())):
                for p, q in ((pa, pb), (pb, pa)):
                    slack = 4 * math.sqrt(max(p, q, 1 / m) / m) * (1 + math.exp(eps))
                    gap.append(p - math.exp(eps) * q - delta - slack)
        return max(gap)

    assert abs(release(x2, 1e-9).mean() - release(x, 1e-9).mean() - r.sensitivity_sum) < 1e-6
    assert worst_violation(r.sigma_sum) <= 0.0
    assert worst_violation(r.sigma_sum / 4) > 0.0  # the check can fail: too little noise


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"epsilon": 0.0}, ValueError, r"epsilon must lie in \(0, 100\]"),
        ({"epsilon": "1"}, TypeError, "epsilon must be a real number"),
        ({"delta": 1.0}, ValueError, r"delta must lie in \(0, 1\)"),
        ({"bounds": (0.0, np.inf)}, ValueError, "bounds must be finite"),
        ({"bounds": (1.0, 0.0)}, ValueError, "lo < hi"),
        ({"bounds": 1.0}, ValueError, "bounds must be a pair"),
        ({"mean_fraction": 1.0}, ValueError, r"mean_fraction must lie in \(0, 1\)"),
    ],
)
def test_errors(kwargs, exc, match):
    args = {"epsilon": 1.0, "delta": 1e-5, "bounds": (0.0, 1.0)} | kwargs
    with pytest.raises(exc, match=match):
        dp_fit_gaussian(jax.random.key(0), np.zeros((10, 2)), **args)
