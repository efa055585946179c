"""Differentially private Gaussian fitting with the analytic Gaussian mechanism.

Setting: ``(epsilon, delta)``-DP with respect to **replacing one row** (``n`` is public).
:func:`dp_fit_gaussian`:

1. clips every row to the box ``bounds = (lo, hi)`` and centres it at the box's midpoint
   ``c``: ``y = clip(x) - c`` has ``|y|_2 <= R = |hi - lo|_2 / 2``;
2. releases the sum ``s1 = sum y`` (L2 sensitivity ``D1 = 2 R``: one row moves anywhere in a
   ball of radius ``R``) and the upper triangle, diagonal included, of ``S2 = sum y y^T``
   (L2 sensitivity ``D2 = sqrt(2) R^2``, because ``|y y^T - y' y'^T|_F^2 =
   |y|^4 + |y'|^4 - 2 (y.y')^2 <= 2 R^4`` and the upper triangle's norm is at most the
   Frobenius norm), each with Gaussian noise;
3. post-processes (no privacy cost): ``mean = c + s1~/n`` clipped to the box,
   ``cov = S2~/n - (s1~/n)(s1~/n)^T`` with eigenvalues clipped to ``[floor, R^2]``
   (``floor = 1e-6 R^2 / d``), i.e. projected back to the PSD cone.

Budget split: both releases together form one Gaussian mechanism on the vector
``(s1 / sigma1, vec S2 / sigma2)`` with unit noise, whose sensitivity is
``sqrt((D1/sigma1)^2 + (D2/sigma2)^2)``. With ``sigma*`` the analytic-mechanism noise for
sensitivity 1 at ``(epsilon, delta)`` and a fraction ``rho = mean_fraction`` of the squared
signal-to-noise budget to the sum::

    sigma1 = D1 sigma* / sqrt(rho),     sigma2 = D2 sigma* / sqrt(1 - rho),

so ``(D1/sigma1)^2 + (D2/sigma2)^2 = 1/sigma*^2`` exactly: no slack from composition theorems.

``sigma*`` (Balle & Wang, 2018, Theorem 8): the mechanism ``f(x) + N(0, s^2 I)`` with L2
sensitivity ``D`` is ``(epsilon, delta)``-DP if and only if::

    Phi(D/(2s) - epsilon s/D) - exp(epsilon) Phi(-D/(2s) - epsilon s/D) <= delta.

The left side decreases in ``s``; :func:`analytic_gaussian_sigma` finds the smallest ``s`` that
satisfies it by bisection on ``log s`` (to relative precision 1e-12, returning the feasible end).

References:
  B. Balle and Y.-X. Wang, "Improving the Gaussian Mechanism for Differential Privacy:
  Analytical Calibration and Optimal Denoising", ICML 2018.
  C. Dwork, K. Talwar, A. Thakurta, L. Zhang, "Analyze Gauss", STOC 2014 (noisy second moments).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, linalg
from jaxgauss.gaussian import GaussianParams

__all__ = ["DPReport", "analytic_gaussian_delta", "analytic_gaussian_sigma", "dp_fit_gaussian"]


def _log_ndtr(x: float) -> float:
    """``log Phi(x)`` in double precision, also far in the lower tail."""
    if x > -20.0:
        return math.log(0.5 * math.erfc(-x / math.sqrt(2.0)))
    x2 = x * x
    return (
        -0.5 * x2
        - math.log(-x)
        - 0.5 * math.log(2.0 * math.pi)
        + math.log1p(-1.0 / x2 + 3.0 / (x2 * x2))
    )


def analytic_gaussian_delta(sigma: float, epsilon: float, sensitivity: float = 1.0) -> float:
    """The exact ``delta`` of the Gaussian mechanism with noise ``sigma`` (Balle & Wang, Thm 8)."""
    a = sensitivity / (2.0 * sigma) - epsilon * sigma / sensitivity
    b = -sensitivity / (2.0 * sigma) - epsilon * sigma / sensitivity
    return math.exp(_log_ndtr(a)) - math.exp(epsilon + _log_ndtr(b))


def _check_eps_delta(epsilon: Any, delta: Any) -> tuple[float, float]:
    for name, v in (("epsilon", epsilon), ("delta", delta)):
        if isinstance(v, bool) or not isinstance(v, int | float | np.floating | np.integer):
            raise TypeError(f"{name} must be a real number; got {type(v).__name__}")
    if not (math.isfinite(epsilon) and 0 < epsilon <= 100):
        raise ValueError(f"epsilon must lie in (0, 100]; got {epsilon!r}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must lie in (0, 1); got {delta!r}")
    return float(epsilon), float(delta)


def analytic_gaussian_sigma(epsilon: float, delta: float, sensitivity: float = 1.0) -> float:
    """Smallest noise ``sigma`` making the Gaussian mechanism ``(epsilon, delta)``-DP.

    Example:
      >>> s = analytic_gaussian_sigma(1.0, 1e-5)
      >>> round(s, 4), analytic_gaussian_delta(s, 1.0) <= 1e-5
      (3.7306, True)
    """
    epsilon, delta = _check_eps_delta(epsilon, delta)
    if not (math.isfinite(sensitivity) and sensitivity > 0):
        raise ValueError(f"sensitivity must be positive and finite; got {sensitivity!r}")
    lo, hi = 1e-3, 1.0  # in units of the sensitivity
    while analytic_gaussian_delta(lo, epsilon) <= delta:
        lo /= 2.0
    while analytic_gaussian_delta(hi, epsilon) > delta:
        hi *= 2.0
    while hi / lo - 1.0 > 1e-12:
        mid = math.sqrt(lo * hi)
        if analytic_gaussian_delta(mid, epsilon) > delta:
            lo = mid
        else:
            hi = mid
    return hi * sensitivity


class DPReport(NamedTuple):
    """What :func:`dp_fit_gaussian` released and how.

    Attributes:
      epsilon, delta: the privacy parameters.
      n_samples: the (public) number of rows.
      radius: ``R``, the largest norm of a centred, clipped row.
      sensitivity_sum, sensitivity_second: ``D1 = 2R`` and ``D2 = sqrt(2) R^2``.
      sigma_unit: ``sigma*``, the analytic noise for sensitivity 1.
      sigma_sum, sigma_second: the noise added to the sum and to the second-moment matrix.
      mean_fraction: ``rho``.
      n_clipped: rows changed by clipping to the bounds.
    """

    epsilon: float
    delta: float
    n_samples: int
    radius: float
    sensitivity_sum: float
    sensitivity_second: float
    sigma_unit: float
    sigma_sum: float
    sigma_second: float
    mean_fraction: float
    n_clipped: int


@jax.jit
def _noisy_sums(key, y, sigma_sum, sigma_second):
    """Sum and symmetric second-moment matrix of rows ``y`` ``(n, d)``, with Gaussian noise."""
    d = y.shape[1]
    k1, k2 = jax.random.split(key)
    s1 = jnp.sum(y, axis=0) + sigma_sum * jax.random.normal(k1, (d,), y.dtype)
    noise = jnp.triu(jax.random.normal(k2, (d, d), y.dtype))
    noise = noise + jnp.triu(noise, 1).T  # one draw per upper-triangle entry, mirrored
    s2 = y.T @ y + sigma_second * noise
    return s1, s2


def _bounds(bounds: Any, d: int) -> tuple[np.ndarray, np.ndarray]:
    if not (isinstance(bounds, tuple | list) and len(bounds) == 2):
        raise ValueError(
            f"bounds must be a pair (lo, hi) of scalars or (d,) arrays; got {bounds!r}"
        )
    lo = np.broadcast_to(np.asarray(bounds[0], np.float64), (d,)).copy()
    hi = np.broadcast_to(np.asarray(bounds[1], np.float64), (d,)).copy()
    if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
        raise ValueError("bounds must be finite: the sensitivity depends on them")
    if np.any(lo >= hi):
        raise ValueError(f"bounds need lo < hi in every column; got lo={lo}, hi={hi}")
    return lo, hi


def dp_fit_gaussian(
    key: Any,
    x: Any,
    *,
    epsilon: float,
    delta: float,
    bounds: Any,
    mean_fraction: float = 0.5,
    return_report: bool = False,
) -> GaussianParams | tuple[GaussianParams, DPReport]:
    """A Gaussian fitted to ``x`` under ``(epsilon, delta)``-differential privacy.

    Args:
      key: PRNG key for the noise.
      x: ``(n, d)`` data. Rows are clipped to ``bounds`` first.
      epsilon: privacy loss, in ``(0, 100]``.
      delta: in ``(0, 1)``, typically ``< 1/n``.
      bounds: ``(lo, hi)``, scalars or ``(d,)`` arrays, chosen without looking at the data.
      mean_fraction: share ``rho`` of the budget (squared signal-to-noise) spent on the mean.
      return_report: also return a :class:`DPReport` with the sensitivities and noise levels.

    Returns:
      :class:`~jaxgauss.GaussianParams` (float64 when enabled), and the report when asked.

    Raises:
      TypeError / ValueError: bad ``epsilon``, ``delta``, ``bounds``, ``mean_fraction`` or data.

    Example:
      >>> import jax, numpy as np
      >>> x = np.random.default_rng(0).uniform(0, 1, (1000, 2))
      >>> p = dp_fit_gaussian(jax.random.key(0), x, epsilon=1.0, delta=1e-6, bounds=(0.0, 1.0))
      >>> p.mean.shape, p.scale_tril.shape
      ((2,), (2, 2))
    """
    key = _checks.check_key(key)
    arr = _checks.as_rows(x)
    n, d = arr.shape
    epsilon, delta = _check_eps_delta(epsilon, delta)
    if not (isinstance(mean_fraction, int | float) and 0 < mean_fraction < 1):
        raise ValueError(f"mean_fraction must lie in (0, 1); got {mean_fraction!r}")
    lo, hi = _bounds(bounds, d)
    xh = np.asarray(arr, np.float64)
    clipped = np.clip(xh, lo, hi)
    n_clipped = int(np.sum(np.any(clipped != xh, axis=1)))
    centre = 0.5 * (lo + hi)
    radius = 0.5 * float(np.linalg.norm(hi - lo))
    d1, d2 = 2.0 * radius, math.sqrt(2.0) * radius**2
    sigma_unit = analytic_gaussian_sigma(epsilon, delta)
    sigma1 = d1 * sigma_unit / math.sqrt(mean_fraction)
    sigma2 = d2 * sigma_unit / math.sqrt(1.0 - mean_fraction)

    dtype = arr.dtype
    y = jnp.asarray(clipped - centre, dtype)
    s1, s2 = _noisy_sums(key, y, jnp.asarray(sigma1, dtype), jnp.asarray(sigma2, dtype))
    mean_y = np.asarray(s1, np.float64) / n
    cov = np.asarray(s2, np.float64) / n - np.outer(mean_y, mean_y)
    cov = 0.5 * (cov + cov.T)
    vals, vecs = np.linalg.eigh(cov)
    floor = 1e-6 * radius**2 / d
    vals = np.clip(vals, floor, radius**2)
    cov = (vecs * vals) @ vecs.T
    mean = np.clip(centre + mean_y, lo, hi)
    fact = linalg.factorize(0.5 * (cov + cov.T), dtype=dtype, name="noisy covariance")
    params = GaussianParams(jnp.asarray(mean, dtype), fact.scale_tril)
    if not return_report:
        return params
    report = DPReport(
        epsilon,
        delta,
        n,
        radius,
        d1,
        d2,
        sigma_unit,
        sigma1,
        sigma2,
        float(mean_fraction),
        n_clipped,
    )
    return params, report
