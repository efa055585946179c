"""Exact conditional distributions given fixed values of some columns.

``condition(params, given)`` returns parameters of the same model type over the **free**
columns only (the columns not in ``given``, in their original order). ``jg.sample`` on the
result therefore returns ``(n, d_free)`` rows, for every model; :func:`complete_rows` puts the
fixed values back to give full ``(n, d)`` rows. ``jg.log_prob`` on the result is the
conditional log-density of the free columns.

* **Gaussian** ``N(m, S)``, given ``x_g``: with ``S`` reordered as ``[g, f]`` and its Cholesky
  factor ``[[L_gg, 0], [L_fg, L_ff]]``, the conditional is
  ``N(m_f + L_fg L_gg^-1 (x_g - m_g), L_ff L_ff^T)``: ``L_ff L_ff^T`` is the Schur complement
  ``S_ff - S_fg S_gg^-1 S_gf``, and ``L_ff`` is already the new scale factor.
* **Mixture**: each component is conditioned as above and re-weighted by the marginal
  likelihood of the given values, ``w_k' ∝ w_k N(x_g; m_kg, S_k,gg)`` (in log space). The
  covariance type is kept: tied components share the Schur complement, diag and spherical
  components have independent columns, so only their free means/scales remain.
* **Copula**: the given values become latent normal scores ``z_g = Phi^-1(F_g(x_g))`` and the
  latent Gaussian is conditioned on them; the free columns keep their marginals. Integer
  columns are conditioned at the score of the integer value itself (the centre of its cell).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks
from jaxgauss import copula as _copula
from jaxgauss.gaussian import GaussianParams
from jaxgauss.mixture import GMMParams

__all__ = ["complete_rows", "condition", "split_columns"]

_LOG_2PI = math.log(2.0 * math.pi)


def _n_features(params: Any) -> int:
    if isinstance(params, GaussianParams):
        return int(jnp.shape(params.mean)[0])
    if isinstance(params, GMMParams):
        return int(jnp.shape(params.means)[1])
    if isinstance(params, _copula.CopulaParams):
        return len(params.families)
    raise TypeError(
        "params must be GaussianParams, GMMParams or CopulaParams to condition; got "
        f"{type(params).__name__}"
    )


def split_columns(
    given: Any, n_features: int, *, columns: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Validates ``given`` and returns ``(given_idx, free_idx, values)``.

    Args:
      given: mapping ``{column: value}``, columns by index (or name with ``columns``).
      n_features: ``d``.
      columns: optional column names.

    Raises:
      TypeError: ``given`` is not a mapping.
      ValueError: unknown or repeated column, or every column given.
    """
    if not isinstance(given, Mapping):
        raise TypeError(f"given must be a mapping {{column: value}}; got {type(given).__name__}")
    if not given:
        raise ValueError("given must fix at least one column; got an empty mapping")
    idx: list[int] = []
    for key in given:
        j = _copula._column_index(key, n_features, columns, "given")
        if j in idx:
            raise ValueError(f"given fixes column {j} twice")
        idx.append(j)
    if len(idx) == n_features:
        raise ValueError(
            f"given fixes all {n_features} columns; at least one column must stay free"
        )
    order = np.argsort(idx)
    g = np.asarray(idx)[order]
    values = [list(given.values())[i] for i in order]
    free = np.setdiff1d(np.arange(n_features), g)
    return g, free, values


def _given_vector(values: list[Any], dtype: Any) -> jax.Array:
    vals = [_checks.as_float_array(v, "given values", ndim=0, dtype=dtype) for v in values]
    xg = jnp.stack(vals)
    _checks.check_finite(xg, "given values")
    return xg


def _condition_factor(tril, mean, g, f, xg):
    """Conditional mean, factor and log marginal likelihood of ``x_g`` for one Gaussian."""
    cov = tril @ tril.T
    perm = np.concatenate([g, f])
    full = jnp.linalg.cholesky(cov[perm][:, perm])
    k = g.size
    l_gg, l_fg, l_ff = full[:k, :k], full[k:, :k], full[k:, k:]
    w = jax.scipy.linalg.solve_triangular(l_gg, xg - mean[g], lower=True)
    loglik = -0.5 * jnp.sum(w * w) - jnp.sum(jnp.log(jnp.diag(l_gg))) - 0.5 * k * _LOG_2PI
    return mean[f] + l_fg @ w, l_ff, loglik


def _condition_gaussian(params: GaussianParams, g, f, xg) -> GaussianParams:
    mean, tril, _ = _condition_factor(params.scale_tril, params.mean, g, f, xg)
    return GaussianParams(mean, tril)


def _condition_gmm(params: GMMParams, g, f, xg) -> GMMParams:
    ctype = params.covariance_type
    means = params.means
    if ctype == "full":
        mu, tril, loglik = jax.vmap(lambda l_k, m_k: _condition_factor(l_k, m_k, g, f, xg))(
            params.scales, means
        )
        scales = tril
    elif ctype == "tied":
        cov = params.scales @ params.scales.T
        perm = np.concatenate([g, f])
        full = jnp.linalg.cholesky(cov[perm][:, perm])
        k = g.size
        l_gg, l_fg, scales = full[:k, :k], full[k:, :k], full[k:, k:]
        w = jax.scipy.linalg.solve_triangular(l_gg, (xg - means[:, g]).T, lower=True).T
        mu = means[:, f] + w @ l_fg.T
        loglik = (
            -0.5 * jnp.sum(w * w, axis=1) - jnp.sum(jnp.log(jnp.diag(l_gg))) - 0.5 * k * _LOG_2PI
        )
    else:
        sd = params.scales[:, g] if ctype == "diag" else params.scales[:, None]
        z = (xg - means[:, g]) / sd
        loglik = jnp.sum(
            -0.5 * z * z - jnp.broadcast_to(jnp.log(sd), z.shape) - 0.5 * _LOG_2PI, axis=1
        )
        mu = means[:, f]
        scales = params.scales[:, f] if ctype == "diag" else params.scales
    log_w = jnp.log(params.weights) + loglik
    weights = jnp.exp(log_w - jax.scipy.special.logsumexp(log_w))
    return dataclasses.replace(params, weights=weights, means=mu, scales=scales)


def _condition_copula(params: _copula.CopulaParams, g, f, xg) -> _copula.CopulaParams:
    sub = _copula.CopulaParams(
        theta=params.theta[g],
        knots=params.knots[g],
        latent_mean=params.latent_mean[g],
        latent_scale_tril=params.latent_scale_tril[np.ix_(g, g)],
        families=tuple(params.families[j] for j in g),
        integers=tuple(params.integers[j] for j in g),
    )
    zg = _copula.to_normal(sub, xg[None, :])[0]
    mean, tril, _ = _condition_factor(params.latent_scale_tril, params.latent_mean, g, f, zg)
    return _copula.CopulaParams(
        theta=params.theta[f],
        knots=params.knots[f],
        latent_mean=mean,
        latent_scale_tril=tril,
        families=tuple(params.families[j] for j in f),
        integers=tuple(params.integers[j] for j in f),
    )


def condition(params: Any, given: Any, *, columns: list[str] | None = None) -> Any:
    """The exact conditional distribution of the free columns given fixed values of others.

    Args:
      params: :class:`~jaxgauss.GaussianParams`, :class:`~jaxgauss.GMMParams` or
        :class:`~jaxgauss.CopulaParams`.
      given: mapping ``{column: value}`` (index, or name when ``columns`` is given).
      columns: optional names of the ``d`` columns.

    Returns:
      Parameters of the same type over the free columns (original order); ``jg.sample`` on
      them returns only the free columns (see :func:`complete_rows`).

    Raises:
      TypeError: unsupported params, ``given`` not a mapping, non-numeric values.
      ValueError: unknown/repeated columns, all columns given, non-finite values.

    Example:
      >>> import jaxgauss as jg
      >>> p = jg.gaussian([0.0, 0.0], [[1.0, 0.8], [0.8, 1.0]])
      >>> c = jg.condition(p, {0: 1.0})
      >>> [round(float(c.mean[0]), 6), round(float(c.scale_tril[0, 0] ** 2), 6)]
      [0.8, 0.36]
    """
    d = _n_features(params)
    if columns is not None and len(columns) != d:
        raise ValueError(f"columns must name the {d} columns; got {len(columns)} names")
    g, f, values = split_columns(given, d, columns=columns)
    if isinstance(params, GaussianParams):
        xg = _given_vector(values, params.mean.dtype)
        return _condition_gaussian(params, g, f, xg)
    if isinstance(params, GMMParams):
        xg = _given_vector(values, params.means.dtype)
        return _condition_gmm(params, g, f, xg)
    xg = _given_vector(values, params.theta.dtype)
    return _condition_copula(params, g, f, xg)


def complete_rows(
    x_free: Any, given: Any, n_features: int, *, columns: list[str] | None = None
) -> jax.Array:
    """Full rows ``(n, d)`` from free-column rows ``(n, d_free)`` and the fixed values.

    Example:
      >>> import jax, jaxgauss as jg
      >>> p = jg.gaussian([0.0, 0.0, 0.0], [[1.0, 0.5, 0.0], [0.5, 1.0, 0.0], [0.0, 0.0, 1.0]])
      >>> given = {1: 2.0}
      >>> rows = jg.complete_rows(jg.sample(jax.random.key(0), jg.condition(p, given), 4),
      ...                         given, 3)
      >>> rows[:, 1].tolist()
      [2.0, 2.0, 2.0, 2.0]
    """
    g, f, values = split_columns(given, n_features, columns=columns)
    x_free = _checks.as_rows(x_free, f.size, "x_free")
    xg = _given_vector(values, x_free.dtype)
    out = jnp.zeros((x_free.shape[0], n_features), x_free.dtype)
    out = out.at[:, f].set(x_free)
    return out.at[:, g].set(jnp.broadcast_to(xg, (x_free.shape[0], g.size)))
