"""The multivariate Gaussian: parameters, construction, sampling and log-density."""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from jaxgauss import _checks, dispatch, linalg
from jaxgauss import random as _random

__all__ = ["GaussianParams", "gaussian"]


class GaussianParams(NamedTuple):
    """A multivariate normal ``N(mean, scale_tril @ scale_tril.T)``.

    A pytree: flows through ``jit``, ``vmap`` and ``grad``; both fields are differentiable.

    Attributes:
      mean: ``(d,)`` float.
      scale_tril: ``(d, d)`` lower-triangular factor of the covariance, same dtype.
    """

    mean: jax.Array
    scale_tril: jax.Array

    @property
    def covariance(self) -> jax.Array:
        """``(d, d)`` covariance ``L @ L.T``."""
        return self.scale_tril @ self.scale_tril.T


def gaussian(
    mean: Any,
    cov: Any,
    *,
    reg: float = 1e-6,
    method: str = "auto",
    repair: str | None = None,
) -> GaussianParams:
    """Validates ``mean`` and ``cov`` and factorizes ``cov`` robustly.

    The factor is computed in float64 on the host and cast to the dtype of ``mean`` and ``cov``
    (their common floating type). When the covariance had to be regularized (jitter) or
    repaired (eigenvalue clipping), a :class:`~jaxgauss.linalg.FactorizationWarning` says which
    path ran and how much was added; :func:`jaxgauss.linalg.factorize` returns the same facts
    as data.

    Args:
      mean: ``(d,)`` mean vector.
      cov: ``(d, d)`` symmetric positive semi-definite covariance.
      reg: base diagonal jitter relative to the mean variance, used only when the plain
        Cholesky factorization fails.
      method: ``"auto"``, ``"cholesky"`` or ``"eigh"`` (see :func:`jaxgauss.linalg.factorize`).
      repair: ``None`` (reject indefinite matrices) or ``"clip"``.

    Returns:
      :class:`GaussianParams`.

    Raises:
      TypeError: non-numeric input.
      ValueError: wrong shapes, NaN/inf, asymmetric or indefinite ``cov``, bad options.

    Example:
      >>> import jaxgauss as jg
      >>> p = jg.gaussian([0.0, 0.0], [[4.0, 2.0], [2.0, 2.0]])
      >>> p.scale_tril.tolist()
      [[2.0, 0.0], [1.0, 1.0]]
    """
    mean_arr = _checks.as_float_array(mean, "mean", ndim=1)
    cov_arr = _checks.as_float_array(cov, "cov")
    _checks.check_finite(mean_arr, "mean")
    dtype = jnp.result_type(mean_arr.dtype, cov_arr.dtype)
    if cov_arr.ndim != 2 or cov_arr.shape != (mean_arr.shape[0],) * 2:
        raise ValueError(
            f"cov must have shape (d, d) = {(mean_arr.shape[0],) * 2} to match mean of shape "
            f"{mean_arr.shape}; got {cov_arr.shape}"
        )
    fact = linalg.factorize(cov_arr, reg=reg, method=method, repair=repair, dtype=dtype)
    if fact.method != "cholesky":
        warnings.warn(
            f"cov was not positive definite as given (smallest eigenvalue {fact.min_eigenvalue:.3g});"
            f" factorized by the {fact.method!r} path with {fact.jitter:.3g} added to the diagonal",
            linalg.FactorizationWarning,
            stacklevel=2,
        )
    return GaussianParams(mean_arr.astype(dtype), fact.scale_tril)


def _check_params(params: GaussianParams) -> int:
    mean, tril = params
    if jnp.ndim(mean) != 1 or jnp.shape(tril) != (jnp.shape(mean)[0],) * 2:
        raise ValueError(
            "GaussianParams must hold mean (d,) and scale_tril (d, d); got "
            f"{jnp.shape(mean)} and {jnp.shape(tril)}"
        )
    return int(jnp.shape(mean)[0])


@functools.partial(jax.jit, static_argnames=("n",))
def _sample(key, params: GaussianParams, first_block, within, *, n: int) -> jax.Array:
    mean, tril = params
    dtype = jnp.result_type(mean.dtype, tril.dtype)

    def block(block_key: jax.Array) -> jax.Array:
        return block_rows(block_key, mean, tril, dtype)

    return _random.row_stream(key, block, n, first_block, within)


def block_rows(block_key: jax.Array, mean: jax.Array, tril: jax.Array, dtype: Any) -> jax.Array:
    """One block of Gaussian rows ``(BLOCK_ROWS, d)``: ``mean + Z @ tril.T`` (the stream's step)."""
    z = _random.block_normals(block_key, mean.shape[0], dtype)
    return mean + z @ tril.T


def _sample_gaussian(key, params: GaussianParams, n: int, first_block, within) -> jax.Array:
    _check_params(params)
    return _sample(key, params, first_block, within, n=n)


@jax.jit
def _log_prob(params: GaussianParams, x: jax.Array) -> jax.Array:
    mean, tril = params
    d = mean.shape[0]
    maha = linalg.mahalanobis_sq(tril, x - mean)
    return -0.5 * (maha + d * math.log(2.0 * math.pi)) - 0.5 * linalg.log_det_from_tril(tril)


def _log_prob_gaussian(params: GaussianParams, x: Any) -> jax.Array:
    d = _check_params(params)
    x = _checks.as_rows(x, d)
    return _log_prob(params, x)


dispatch.register(GaussianParams, sample=_sample_gaussian, log_prob=_log_prob_gaussian)
