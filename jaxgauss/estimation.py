"""Mean and covariance estimation with optional shrinkage, in memory or over chunks.

Shrinkage replaces the empirical covariance ``S`` by ``(1 - a) S + a mu I`` with
``mu = trace(S) / d``; the intensity ``a`` is

* ``"ledoit_wolf"``: Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional
  covariance matrices", with the finite-sample formula scikit-learn uses;
* ``"oas"``: Oracle Approximating Shrinkage, Chen, Wiesel, Eldar & Hero (2010), in the form of
  scikit-learn >= 1.3;
* a float in ``[0, 1]``: fixed.

Sample weights are frequency weights: a weight of 2 counts a row twice, and the shrinkage
formulas use ``n = sum(weights)``. Integer weights therefore give exactly the estimate of the
data with repeated rows.

Streaming: ``x`` may be any iterable of chunks (arrays ``(n_i, d)`` or ``(array, weights)``
pairs). Each chunk updates a :mod:`jaxgauss.moments` state plus two more sums that Ledoit-Wolf
needs, ``sum w |u|^4`` and ``sum w |u|^2 u`` with ``u = x - c`` for a fixed shift ``c`` (the
first chunk's mean). From them ``sum w |x - mean|^4`` follows exactly by expanding
``|u - delta|^2`` with ``delta = mean - c``; so the streamed answer equals the in-memory one up to
rounding.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, moments
from jaxgauss.gaussian import GaussianParams, gaussian

__all__ = ["CovarianceEstimate", "estimate_covariance", "fit_gaussian"]

_NAMED = ("ledoit_wolf", "oas")


class CovarianceEstimate(NamedTuple):
    """Result of :func:`estimate_covariance`.

    Attributes:
      mean: ``(d,)`` weighted mean.
      covariance: ``(d, d)`` (shrunk) maximum-likelihood covariance.
      shrinkage: ``()`` the intensity used (0 without shrinkage).
      n_samples: ``()`` total weight (the number of rows when unweighted).
    """

    mean: jax.Array
    covariance: jax.Array
    shrinkage: jax.Array
    n_samples: jax.Array


class _Sums(NamedTuple):
    """Moments plus the fourth-order sums Ledoit-Wolf needs, about a fixed shift ``c``."""

    moments: moments.Moments
    shift: jax.Array  # (d,) c
    q: jax.Array  # (d, d) sum w (u*u)(u*u)^T, u = x - c
    r: jax.Array  # (d, d) sum w (u*u) u^T


def _add(s: _Sums, x: jax.Array, w: jax.Array, merged: moments.Moments) -> _Sums:
    u = x - s.shift
    u2w = (u * u) * w[:, None]
    return _Sums(merged, s.shift, s.q + u2w.T @ (u * u), s.r + u2w.T @ u)


@jax.jit
def _start(x: jax.Array, w: jax.Array) -> _Sums:
    m = moments.from_batch(x, w)
    zeros = jnp.zeros((x.shape[1], x.shape[1]), x.dtype)
    return _add(_Sums(m, m.mean, zeros, zeros), x, w, m)


@jax.jit
def _update(s: _Sums, x: jax.Array, w: jax.Array) -> _Sums:
    x = x.astype(s.shift.dtype)
    return _add(s, x, w, moments.merge(s.moments, moments.from_batch(x, w)))


@jax.jit
def _fourth_moments(s: _Sums) -> jax.Array:
    """``(d, d)`` matrix ``sum_i w_i (x_ij - m_j)^2 (x_ik - m_k)^2`` from the shifted sums.

    Expands ``(u_j - delta_j)^2 (u_k - delta_k)^2`` with ``delta = mean - c``; the sums of
    ``u`` and ``u u^T`` needed there are ``W delta`` and ``M2 + W delta delta^T``.
    """
    m = s.moments
    delta = m.mean - s.shift
    d2 = delta * delta
    p = m.m2 + m.count * jnp.outer(delta, delta)  # sum w u u^T
    s2 = jnp.diagonal(p)
    return (
        s.q
        - 2.0 * s.r * delta[None, :]
        - 2.0 * s.r.T * delta[:, None]
        + jnp.outer(s2, d2)
        + jnp.outer(d2, s2)
        + 4.0 * p * jnp.outer(delta, delta)
        - 3.0 * m.count * jnp.outer(d2, d2)
    )


def _ledoit_wolf(cov: jax.Array, n: jax.Array, fourth: jax.Array) -> jax.Array:
    d = cov.shape[0]
    mu = jnp.trace(cov) / d
    delta_ = jnp.sum(cov * cov)
    beta = (fourth / n - delta_) / (d * n)
    delta = (delta_ - 2.0 * mu * jnp.trace(cov) + d * mu * mu) / d
    beta = jnp.minimum(beta, delta)
    return jnp.where(beta == 0, 0.0, beta / jnp.where(delta == 0, 1.0, delta)).astype(cov.dtype)


def _oas(cov: jax.Array, n: jax.Array) -> jax.Array:
    d = cov.shape[0]
    alpha = jnp.mean(cov * cov)
    mu = jnp.trace(cov) / d
    num = alpha + mu * mu
    den = (n + 1.0) * (alpha - mu * mu / d)
    return jnp.where(den == 0, 1.0, jnp.minimum(num / jnp.where(den == 0, 1.0, den), 1.0)).astype(
        cov.dtype
    )


def _check_shrinkage(shrinkage: Any) -> None:
    if shrinkage is None or shrinkage in _NAMED:
        return
    if isinstance(shrinkage, str):
        raise ValueError(
            f"shrinkage must be None, 'ledoit_wolf', 'oas' or a float in [0, 1]; got {shrinkage!r}"
        )
    if isinstance(shrinkage, bool) or not isinstance(shrinkage, numbers.Real):
        raise TypeError(
            f"shrinkage must be None, 'ledoit_wolf', 'oas' or a float; got {type(shrinkage).__name__}"
        )
    if not 0.0 <= float(shrinkage) <= 1.0:
        raise ValueError(f"shrinkage must lie in [0, 1]; got {shrinkage}")


def _is_chunk_source(x: Any) -> bool:
    if isinstance(x, jax.Array | np.ndarray | list | tuple) or hasattr(x, "__array__"):
        return False
    return isinstance(x, Iterable)


def _chunks(x: Any, sample_weight: Any) -> Iterable[tuple[jax.Array, jax.Array]]:
    if not _is_chunk_source(x):
        arr = _checks.as_rows(x)
        w = (
            jnp.ones((arr.shape[0],), arr.dtype)
            if sample_weight is None
            else _checks.check_sample_weight(sample_weight, arr.shape[0], arr.dtype)
        )
        yield arr, w
        return
    if sample_weight is not None:
        raise ValueError(
            "sample_weight must be None when x is an iterable of chunks; pass (chunk, weights) pairs"
        )
    for i, chunk in enumerate(x):
        if isinstance(chunk, tuple) and len(chunk) == 2:
            arr = _checks.as_rows(chunk[0], name=f"chunk {i}")
            w = _checks.check_sample_weight(chunk[1], arr.shape[0], arr.dtype)
        else:
            arr = _checks.as_rows(chunk, name=f"chunk {i}")
            w = jnp.ones((arr.shape[0],), arr.dtype)
        yield arr, w


def estimate_covariance(
    x: Any, *, shrinkage: Any = None, sample_weight: Any = None, standardize: bool = False
) -> CovarianceEstimate:
    """Weighted mean and (shrunk) maximum-likelihood covariance of rows.

    Args:
      x: ``(n_samples, n_features)`` data, or an iterable of such chunks (or of
        ``(chunk, weights)`` pairs) consumed once.
      shrinkage: ``None``, ``"ledoit_wolf"``, ``"oas"`` or a float in ``[0, 1]``.
      sample_weight: ``(n_samples,)`` non-negative frequency weights (in-memory ``x`` only).
      standardize: shrink the correlation matrix instead of the covariance: the intensity is
        computed on standardized columns and the target is ``diag(S)``, so every variance is
        kept exactly. Use it when columns have different units (the plain estimators shrink
        towards ``trace(S) / d``, which inflates small-variance columns).

    Returns:
      :class:`CovarianceEstimate`; with ``standardize=False`` it equals scikit-learn's
      ``EmpiricalCovariance``, ``LedoitWolf`` and ``OAS`` (``covariance_``, ``shrinkage_``) on
      unweighted data; with ``standardize=True`` it equals those estimators fitted on the
      standardized data, rescaled.

    Raises:
      ValueError: bad shapes, NaN/inf, bad weights, unknown shrinkage, no rows, or fewer rows
        than columns plus one without shrinkage (the covariance would be singular).

    Example:
      >>> import numpy as np, jaxgauss as jg
      >>> x = np.random.default_rng(0).normal(size=(50, 3))
      >>> est = jg.estimate_covariance(x, shrinkage="ledoit_wolf")
      >>> est.covariance.shape, bool(0 <= est.shrinkage <= 1)
      ((3, 3), True)
    """
    _check_shrinkage(shrinkage)
    if not isinstance(standardize, bool):
        raise TypeError(f"standardize must be a bool; got {type(standardize).__name__}")
    sums: _Sums | None = None
    n_rows = 0
    d = 0
    for arr, w in _chunks(x, sample_weight):
        if sums is not None and arr.shape[1] != d:
            raise ValueError(f"every chunk must have {d} columns; got a chunk of shape {arr.shape}")
        d = arr.shape[1]
        n_rows += int(jnp.count_nonzero(w))
        sums = _start(arr, w) if sums is None else _update(sums, arr, w)
    if sums is None or n_rows == 0:
        raise ValueError("x must contain at least one row with positive weight; got none")
    if shrinkage is None and n_rows <= d:
        raise ValueError(
            f"x has {n_rows} rows for {d} columns: the empirical covariance is singular when "
            "n_samples <= n_features. Pass shrinkage='ledoit_wolf' or 'oas'."
        )
    n = sums.moments.count
    mean, cov = moments.finalize(sums.moments)
    variances = jnp.diagonal(cov)
    scale = (
        jnp.sqrt(jnp.where(variances > 0, variances, 1.0))
        if standardize
        else jnp.ones_like(variances)
    )
    target = cov / jnp.outer(scale, scale)
    if shrinkage is None:
        alpha = jnp.zeros((), cov.dtype)
    elif shrinkage == "ledoit_wolf":
        fourth = jnp.sum(_fourth_moments(sums) / jnp.outer(scale**2, scale**2))
        alpha = _ledoit_wolf(target, n, fourth)
    elif shrinkage == "oas":
        alpha = _oas(target, n)
    else:
        alpha = jnp.asarray(float(shrinkage), cov.dtype)
    mu = jnp.trace(target) / d
    shrunk = (1.0 - alpha) * target + alpha * mu * jnp.eye(d, dtype=cov.dtype)
    return CovarianceEstimate(mean, shrunk * jnp.outer(scale, scale), alpha, n)


def fit_gaussian(
    x: Any,
    *,
    shrinkage: Any = None,
    sample_weight: Any = None,
    standardize: bool = False,
    reg: float = 1e-6,
) -> GaussianParams:
    """Fits a Gaussian to rows by (shrunk) maximum likelihood.

    Args:
      x: ``(n_samples, n_features)`` data or an iterable of chunks (see
        :func:`estimate_covariance`).
      shrinkage: ``None``, ``"ledoit_wolf"``, ``"oas"`` or a float in ``[0, 1]``.
      sample_weight: ``(n_samples,)`` non-negative frequency weights.
      standardize: shrink the correlation rather than the covariance (keeps variances).
      reg: base jitter for the factorization when the estimate is singular (constant columns).

    Returns:
      :class:`~jaxgauss.GaussianParams` with the estimate's mean and factor.

    Example:
      >>> import numpy as np, jaxgauss as jg
      >>> x = np.random.default_rng(0).normal(size=(200, 2))
      >>> jg.fit_gaussian(x, shrinkage="oas").mean.shape
      (2,)
    """
    est = estimate_covariance(
        x, shrinkage=shrinkage, sample_weight=sample_weight, standardize=standardize
    )
    return gaussian(est.mean, est.covariance, reg=reg)
