"""Robust factorization of covariance matrices and the triangular kernels built on it.

:func:`factorize` is the eager, validating entry point used by the user-facing constructors.
It works on the host in float64 (covariances are ``d x d``, small next to the data), then
casts the factor to the requested dtype: a float32 factor of a well-conditioned matrix is
therefore always finite, at any ``d`` (unlike a float32 Cholesky, jax#14345).

Paths, tried in order for ``method="auto"``:

1. ``"cholesky"``: plain Cholesky of the symmetrized matrix.
2. ``"jitter"``: Cholesky of ``cov + j * I`` for ``j = reg * s * 10**k``, ``k = 0..6``, where
   ``s`` is the mean diagonal entry (the matrix's scale).
3. ``"eigh"``: eigen-decomposition, eigenvalues clipped below at ``reg * s``, rebuilt matrix
   factorized by Cholesky.

The path that ran is reported in :class:`Factorization` and, from :func:`jaxgauss.gaussian`,
by a :class:`FactorizationWarning` whenever the matrix had to be changed.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "Factorization",
    "FactorizationWarning",
    "factorize",
    "log_det_from_tril",
    "mahalanobis_sq",
]

_METHODS = ("auto", "cholesky", "eigh")
_REPAIRS = (None, "clip")
_JITTER_STEPS = 7


class FactorizationWarning(UserWarning):
    """The covariance was regularized or repaired before it could be factorized."""


class Factorization(NamedTuple):
    """Result of :func:`factorize`.

    Attributes:
      scale_tril: ``(d, d)`` lower-triangular factor ``L`` with ``L @ L.T`` the (possibly
        regularized) covariance, in the requested dtype.
      method: which path produced it: ``"cholesky"``, ``"jitter"`` or ``"eigh"``.
      jitter: the diagonal value added (``0.0`` for ``"cholesky"``).
      min_eigenvalue: the smallest eigenvalue of the symmetrized input (NaN when the plain
        Cholesky succeeded and no eigen-decomposition was needed).
    """

    scale_tril: jax.Array
    method: str
    jitter: float
    min_eigenvalue: float


def _cholesky_or_none(a: np.ndarray) -> np.ndarray | None:
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return None


def _finite_in(factor: np.ndarray, dtype: Any) -> bool:
    with np.errstate(over="ignore"):
        return bool(np.all(np.isfinite(factor.astype(dtype))))


def factorize(
    cov: Any,
    *,
    reg: float = 1e-6,
    method: str = "auto",
    repair: str | None = None,
    dtype: Any = None,
    name: str = "cov",
) -> Factorization:
    """Validates a covariance matrix and returns a lower-triangular factor.

    Args:
      cov: ``(d, d)`` symmetric positive semi-definite matrix.
      reg: base jitter, relative to the mean diagonal entry; must be > 0.
      method: ``"auto"`` (Cholesky, then jitter, then eigen), ``"cholesky"`` (Cholesky then
        jitter, never eigen) or ``"eigh"`` (always the clipped eigen-decomposition).
      repair: ``None`` to reject matrices that are indefinite beyond rounding, ``"clip"`` to
        project them onto the PSD cone by clipping eigenvalues.
      dtype: dtype of the factor; defaults to ``cov``'s floating dtype.
      name: argument name used in error messages.

    Returns:
      A :class:`Factorization`.

    Raises:
      TypeError: ``cov`` is not numeric.
      ValueError: wrong shape, NaN/inf, asymmetric, indefinite (without ``repair="clip"``),
        invalid ``reg``/``method``/``repair``, or no path produced a finite factor.
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    if repair not in _REPAIRS:
        raise ValueError(f"repair must be one of {_REPAIRS}; got {repair!r}")
    if not (isinstance(reg, int | float) and np.isfinite(reg) and reg > 0):
        raise ValueError(f"reg must be a positive finite number; got {reg!r}")
    host = np.asarray(cov)
    if host.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a real numeric array; got dtype {host.dtype}")
    if dtype is None:
        dtype = host.dtype if host.dtype.kind == "f" else jnp.result_type(float)
    dtype = np.dtype(dtype)
    if host.ndim != 2 or host.shape[0] != host.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix; got shape {host.shape}")
    if host.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row and column; got shape {host.shape}")
    a = host.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite; it holds NaN or infinite values")

    in_eps = float(np.finfo(host.dtype if host.dtype.kind == "f" else np.float64).eps)
    scale_abs = float(np.max(np.abs(a))) or 1.0
    asym = float(np.max(np.abs(a - a.T)))
    if asym > np.sqrt(in_eps) * scale_abs:
        raise ValueError(
            f"{name} must be symmetric; max |{name} - {name}.T| is {asym:.3g} "
            f"(relative {asym / scale_abs:.3g}, tolerance {np.sqrt(in_eps):.3g})"
        )
    a = 0.5 * (a + a.T)
    d = a.shape[0]
    diag_mean = float(np.mean(np.diag(a)))
    scale = diag_mean if diag_mean > 0 else scale_abs

    if method in ("auto", "cholesky"):
        factor = _cholesky_or_none(a)
        if factor is not None and _finite_in(factor, dtype):
            return Factorization(jnp.asarray(factor, dtype), "cholesky", 0.0, float("nan"))

    eigvals, eigvecs = np.linalg.eigh(a)
    min_eig = float(eigvals[0])
    tol = 10.0 * d * in_eps * max(float(np.max(np.abs(eigvals))), np.finfo(np.float64).tiny)
    if min_eig < -tol and repair != "clip":
        raise ValueError(
            f"{name} must be symmetric positive semi-definite; its smallest eigenvalue is "
            f"{min_eig:.3g} (tolerance {-tol:.3g}). Pass repair='clip' to project it onto the "
            "PSD cone."
        )

    if method in ("auto", "cholesky") and min_eig >= -tol:
        for k in range(_JITTER_STEPS):
            jitter = reg * scale * 10.0**k
            factor = _cholesky_or_none(a + jitter * np.eye(d))
            if factor is not None and _finite_in(factor, dtype):
                return Factorization(jnp.asarray(factor, dtype), "jitter", jitter, min_eig)
        if method == "cholesky":
            raise ValueError(
                f"{name} could not be factorized by Cholesky even with diagonal jitter up to "
                f"{reg * scale * 10.0 ** (_JITTER_STEPS - 1):.3g}; try method='eigh'"
            )
    elif method == "cholesky":
        raise ValueError(
            f"{name} is indefinite (smallest eigenvalue {min_eig:.3g}); method='cholesky' does not "
            "repair matrices: use method='auto' or 'eigh' with repair='clip'"
        )

    floor = reg * scale
    clipped = np.maximum(eigvals, floor)
    rebuilt = (eigvecs * clipped) @ eigvecs.T
    rebuilt = 0.5 * (rebuilt + rebuilt.T)
    for k in range(_JITTER_STEPS):
        factor = _cholesky_or_none(rebuilt + (floor * (10.0**k - 1.0)) * np.eye(d))
        if factor is not None and _finite_in(factor, dtype):
            return Factorization(jnp.asarray(factor, dtype), "eigh", floor * 10.0**k, min_eig)
    raise ValueError(f"{name} could not be factorized: no path gave a finite factor in {dtype}")


def log_det_from_tril(scale_tril: jax.Array) -> jax.Array:
    """``log det(L @ L.T)`` from a lower-triangular factor ``(..., d, d)`` -> ``(...)``."""
    return 2.0 * jnp.sum(jnp.log(jnp.abs(jnp.diagonal(scale_tril, axis1=-2, axis2=-1))), axis=-1)


def mahalanobis_sq(scale_tril: jax.Array, centered: jax.Array) -> jax.Array:
    """Squared Mahalanobis norms of rows ``(n, d)`` under ``L @ L.T``, returns ``(n,)``."""
    z = jax.scipy.linalg.solve_triangular(scale_tril, centered.T, lower=True)
    return jnp.sum(z * z, axis=0)
