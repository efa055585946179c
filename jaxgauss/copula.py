"""The Gaussian copula: non-Gaussian marginals joined by a latent Gaussian.

Model: a latent ``z ~ N(m, S)`` and each column ``x_j = F_j^-1(Phi(z_j))`` for a fitted marginal
``F_j`` (:mod:`jaxgauss.marginals`). A fitted copula has ``m = 0`` and ``S`` a correlation
matrix; :func:`jaxgauss.condition` produces copulas whose latent Gaussian is a conditional one
(any ``m``, ``S``), which is why the latent parameters are stored in full.

Density (change of variables ``z_j = Phi^-1(F_j(x_j))``, ``dz_j/dx_j = f_j(x_j) / phi(z_j)``)::

    log p(x) = log N(z; m, S) - sum_j log phi(z_j) + sum_j log f_j(x_j).

Fitting (:func:`fit_copula`):

1. Integer columns are spread over their unit cells deterministically (each tie group of value
   ``v`` with ``c`` rows becomes ``v - 1/2 + (k + 1/2)/c``; see
   :func:`jaxgauss.marginals.spread_ties`): the distributional transform, without a random key.
   Marginals are fitted to this continuous extension; sampled values are rounded back, so a
   fitted ``empirical`` marginal reproduces the column's frequencies. ``log_prob`` of an integer
   column is the density of the continuous extension (``P(X = v)`` is approximately that
   density at ``v`` since the cells have width one).
2. Each column's marginal is fitted (closed form or maximum likelihood, see
   :mod:`jaxgauss.marginals`). ``"auto"`` fits every parametric family that the column's
   support allows and keeps the one with the smallest Kolmogorov-Smirnov statistic ``D``; when
   even the best has ``D > 1.358 / sqrt(n)`` (the 5% critical value of the KS test), the column
   gets the ``empirical`` marginal. Integer columns get ``empirical`` under ``"auto"``: a
   smooth family can pass KS on the spread values and still miss the frequencies of the
   integers by several standard errors. The choice and all the statistics are in the report.
3. The latent correlation is the correlation of the van der Waerden normal scores
   ``Phi^-1(rank / (n + 1))`` (rank based, so a misfitted marginal does not bias it: Genest,
   Ghoudi & Rivest, 1995), repaired to positive definite by
   :func:`jaxgauss.linalg.factorize` (``repair="clip"``) and rescaled to a unit diagonal.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy import special

from jaxgauss import _checks, dispatch, linalg
from jaxgauss import marginals as _mg
from jaxgauss import random as _random
from jaxgauss.gaussian import GaussianParams, block_rows
from jaxgauss.gaussian import _log_prob as _gaussian_log_prob

__all__ = ["CopulaParams", "CopulaReport", "fit_copula"]

_KS_CRITICAL = 1.358  # asymptotic 5% critical value of sqrt(n) * D
_PARAMETRIC = tuple(f for f in _mg.FAMILIES if f != "empirical")
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@functools.partial(
    jax.tree_util.register_dataclass,
    data_fields=["theta", "knots", "latent_mean", "latent_scale_tril"],
    meta_fields=["families", "integers"],
)
@dataclasses.dataclass(frozen=True)
class CopulaParams:
    """A Gaussian copula with per-column marginals.

    Attributes:
      theta: ``(d, 4)`` marginal parameters, one row per column (see :mod:`jaxgauss.marginals`).
      knots: ``(d, q)`` empirical quantile knots (zeros for parametric columns).
      latent_mean: ``(d,)`` mean of the latent Gaussian (zero for a fitted copula).
      latent_scale_tril: ``(d, d)`` lower Cholesky factor of the latent covariance (of the
        correlation matrix for a fitted copula).
      families: static, the marginal family of each column.
      integers: static, whether each column is rounded to integers when sampled.
    """

    theta: jax.Array
    knots: jax.Array
    latent_mean: jax.Array
    latent_scale_tril: jax.Array
    families: tuple[str, ...]
    integers: tuple[bool, ...]

    @property
    def correlation(self) -> jax.Array:
        """``(d, d)`` latent covariance ``L @ L.T`` (the correlation matrix when fitted)."""
        return self.latent_scale_tril @ self.latent_scale_tril.T


class CopulaReport(NamedTuple):
    """What :func:`fit_copula` chose and why.

    Attributes:
      families: the marginal family of each column.
      ks: ``(d,)`` KS statistic of each column's chosen marginal against the (spread) data.
      scores: family name -> ``(d,)`` KS statistics of every family that was fitted (NaN where
        a family was not tried).
      integers: whether each column was treated as integer.
      factorization: the :class:`~jaxgauss.linalg.Factorization` of the latent correlation.
    """

    families: tuple[str, ...]
    ks: np.ndarray
    scores: dict[str, np.ndarray]
    integers: tuple[bool, ...]
    factorization: linalg.Factorization


def _groups(families: tuple[str, ...]) -> dict[str, np.ndarray]:
    out: dict[str, list[int]] = {}
    for j, f in enumerate(families):
        out.setdefault(f, []).append(j)
    return {f: np.asarray(ix) for f, ix in out.items()}


def _marginal(params: CopulaParams, idx: np.ndarray) -> _mg.Marginal:
    return _mg.Marginal(params.theta[idx], params.knots[idx])


def to_normal(params: CopulaParams, x: jax.Array) -> jax.Array:
    """Per-column normal scores ``Phi^-1(F_j(x_j))`` ``(n, d)`` of data ``x`` ``(n, d)``."""
    z = jnp.zeros_like(x)
    for fam, idx in _groups(params.families).items():
        z = z.at[:, idx].set(_mg.to_normal(fam, _marginal(params, idx), x[:, idx]))
    return z


def from_normal(params: CopulaParams, z: jax.Array) -> jax.Array:
    """Data ``(n, d)`` from latent normal scores ``z`` ``(n, d)``; integer columns rounded."""
    x = jnp.zeros_like(z)
    for fam, idx in _groups(params.families).items():
        x = x.at[:, idx].set(_mg.from_normal(fam, _marginal(params, idx), z[:, idx]))
    ints = np.flatnonzero(np.asarray(params.integers, bool))
    if ints.size:
        x = x.at[:, ints].set(jnp.round(x[:, ints]))
    return x


def _marginal_logpdf(params: CopulaParams, x: jax.Array) -> jax.Array:
    total = jnp.zeros(x.shape[0], x.dtype)
    for fam, idx in _groups(params.families).items():
        total = total + jnp.sum(_mg.logpdf(fam, _marginal(params, idx), x[:, idx]), axis=1)
    return total


def _check_params(params: CopulaParams) -> int:
    d = len(params.families)
    ok = (
        jnp.shape(params.theta) == (d, _mg.N_THETA)
        and jnp.ndim(params.knots) == 2
        and jnp.shape(params.knots)[0] == d
        and jnp.shape(params.latent_mean) == (d,)
        and jnp.shape(params.latent_scale_tril) == (d, d)
        and len(params.integers) == d
    )
    if not ok:
        raise ValueError(
            f"CopulaParams with {d} families must hold theta ({d}, 4), knots ({d}, q), "
            f"latent_mean ({d},), latent_scale_tril ({d}, {d}) and {d} integer flags; got "
            f"{jnp.shape(params.theta)}, {jnp.shape(params.knots)}, "
            f"{jnp.shape(params.latent_mean)}, {jnp.shape(params.latent_scale_tril)}, "
            f"{len(params.integers)}"
        )
    return d


@functools.partial(jax.jit, static_argnames=("n",))
def _sample(key, params: CopulaParams, first_block, within, *, n: int) -> jax.Array:
    dtype = params.latent_scale_tril.dtype

    def block(block_key: jax.Array) -> jax.Array:
        latent = block_rows(block_key, params.latent_mean, params.latent_scale_tril, dtype)
        return from_normal(params, latent)

    return _random.row_stream(key, block, n, first_block, within)


def _sample_copula(key, params: CopulaParams, n: int, first_block, within) -> jax.Array:
    _check_params(params)
    return _sample(key, params, first_block, within, n=n)


@jax.jit
def _log_prob(params: CopulaParams, x: jax.Array) -> jax.Array:
    z = to_normal(params, x)
    log_latent = _gaussian_log_prob(GaussianParams(params.latent_mean, params.latent_scale_tril), z)
    log_std_normal = jnp.sum(-0.5 * z * z - _LOG_SQRT_2PI, axis=1)
    return log_latent - log_std_normal + _marginal_logpdf(params, x)


def _log_prob_copula(params: CopulaParams, x: Any) -> jax.Array:
    d = _check_params(params)
    x = _checks.as_rows(x, d)
    return _log_prob(params, x.astype(params.theta.dtype))


dispatch.register(CopulaParams, sample=_sample_copula, log_prob=_log_prob_copula)


# ----------------------------------------------------------------------------- fitting
def _column_index(key: Any, d: int, names: list[str] | None, arg: str) -> int:
    if isinstance(key, str):
        if names is None or key not in names:
            raise ValueError(f"{arg} names column {key!r}, which is not among the columns {names}")
        return names.index(key)
    if isinstance(key, bool) or not isinstance(key, int | np.integer) or not -d <= key < d:
        raise ValueError(f"{arg} keys must be column indices in [0, {d}) or names; got {key!r}")
    return int(key) % d


def _resolve_marginals(marginals: Any, d: int, names: list[str] | None) -> list[str | None]:
    """Per-column family name, or ``None`` for automatic choice."""
    allowed = ("auto",) + _mg.FAMILIES
    if isinstance(marginals, str):
        if marginals not in allowed:
            raise ValueError(f"marginals must be one of {allowed} or a mapping; got {marginals!r}")
        return [None if marginals == "auto" else marginals] * d
    if isinstance(marginals, list | tuple):
        if len(marginals) != d:
            raise ValueError(f"marginals as a list must name {d} families; got {len(marginals)}")
        marginals = dict(enumerate(marginals))
    if not isinstance(marginals, Mapping):
        raise TypeError(
            f"marginals must be 'auto', a family name, a list of d names or a mapping "
            f"{{column: family}}; got {type(marginals).__name__}"
        )
    out: list[str | None] = [None] * d
    for key, fam in marginals.items():
        j = _column_index(key, d, names, "marginals")
        if fam not in allowed:
            raise ValueError(f"marginals[{key!r}] must be one of {allowed}; got {fam!r}")
        out[j] = None if fam == "auto" else fam
    return out


def _resolve_integers(integers: Any, xh: np.ndarray, names: list[str] | None) -> list[bool]:
    d = xh.shape[1]
    if isinstance(integers, str):
        if integers != "auto":
            raise ValueError(
                f"integers must be 'auto', None or a list of columns; got {integers!r}"
            )
        return [bool(v) for v in np.all(xh == np.round(xh), axis=0)]
    if integers is None:
        return [False] * d
    flags = [False] * d
    for key in integers:
        j = _column_index(key, d, names, "integers")
        if not np.all(xh[:, j] == np.round(xh[:, j])):
            raise ValueError(f"integers lists column {key!r}, but it holds non-integer values")
        flags[j] = True
    return flags


def _normal_score_correlation(xf: np.ndarray) -> np.ndarray:
    n = xf.shape[0]
    ranks = np.argsort(np.argsort(xf, axis=0, kind="stable"), axis=0, kind="stable") + 1.0
    z = np.asarray(special.ndtri(jnp.asarray(ranks / (n + 1.0))), np.float64)
    z = z - z.mean(axis=0)
    cov = z.T @ z
    sd = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sd, sd)
    return 0.5 * (corr + corr.T)


def fit_copula(
    x: Any,
    *,
    marginals: Any = "auto",
    integers: Any = "auto",
    columns: list[str] | None = None,
    max_knots: int = 512,
    return_report: bool = False,
) -> CopulaParams | tuple[CopulaParams, CopulaReport]:
    """Fits a Gaussian copula: one marginal per column plus a latent correlation.

    Args:
      x: ``(n_samples, n_features)`` data (a pandas DataFrame gives its column names).
      marginals: ``"auto"`` (per-column choice by KS statistic, see the module docstring), one
        family name for all columns, a list of ``d`` names, or a mapping
        ``{column: family}`` (index or name; columns left out are chosen automatically).
        Families: ``norm, lognorm, gamma, beta, truncnorm, uniform, empirical``.
      integers: ``"auto"`` (columns whose values are all integers), ``None``, or a list of
        columns to treat as integer (spread before fitting, rounded when sampled).
      columns: column names, used for name keys in ``marginals``/``integers``.
      max_knots: knots of empirical marginals, ``min(n, max_knots)``.
      return_report: also return a :class:`CopulaReport`.

    Returns:
      :class:`CopulaParams` in the dtype of ``x`` (and the report when asked).

    Raises:
      TypeError / ValueError: bad data (non-finite, fewer than 3 rows, constant column) or
        options (unknown family, unknown column, a positive-only family on a column with
        values <= 0).

    Example:
      >>> import jax, numpy as np, jaxgauss as jg
      >>> x = np.random.default_rng(0).lognormal(size=(200, 2))
      >>> p = jg.fit_copula(x, marginals="lognorm")
      >>> jg.sample(jax.random.key(0), p, 3).shape
      (3, 2)
    """
    if columns is None and hasattr(x, "columns"):
        columns = [str(c) for c in x.columns]
        x = np.asarray(x)
    arr = _checks.as_rows(x)
    n, d = arr.shape
    if columns is not None and len(columns) != d:
        raise ValueError(f"columns must name the {d} columns of x; got {len(columns)} names")
    if n < 3:
        raise ValueError(f"x must have at least 3 rows to fit a copula; got {n}")
    max_knots = _checks.check_positive_int(max_knots, "max_knots")
    dtype = arr.dtype
    xh = np.asarray(arr, np.float64)
    const = np.flatnonzero(np.ptp(xh, axis=0) == 0)
    if const.size:
        raise ValueError(f"x has constant column(s) {const.tolist()}; a copula needs spread")
    wanted = _resolve_marginals(marginals, d, columns)
    ints = _resolve_integers(integers, xh, columns)
    xf = xh.copy()
    for j in np.flatnonzero(ints):
        xf[:, j] = _mg.spread_ties(xh[:, j])
    positive = np.all(xf > 0, axis=0)
    for j, fam in enumerate(wanted):
        if fam in _mg.POSITIVE_ONLY and not positive[j]:
            name = columns[j] if columns else j
            raise ValueError(
                f"marginal {fam!r} needs positive values, but column {name!r} has minimum "
                f"{xf[:, j].min():.4g}; use 'truncnorm', 'empirical' or a transform"
            )
    xj = jnp.asarray(xf, dtype)
    safe = jnp.asarray(np.where(positive, xf, 1.0 + np.abs(xf)), dtype)  # for positive families
    n_knots = min(n, max_knots)

    tried = {fam for fam in wanted if fam is not None}
    if any(fam is None for fam in wanted):
        tried |= set(_PARAMETRIC)
    fits: dict[str, _mg.Marginal] = {}
    scores: dict[str, np.ndarray] = {}
    for fam in _mg.FAMILIES:
        if fam not in tried:
            continue
        data = safe if fam in _mg.POSITIVE_ONLY else xj
        fit = _mg.fit_family(fam, data, n_knots=n_knots if fam == "empirical" else 2)
        ks = np.asarray(_mg.ks_statistic(fam, fit, data), np.float64)
        if fam in _mg.POSITIVE_ONLY:
            ks = np.where(positive, ks, np.nan)
        fits[fam], scores[fam] = fit, ks
    chosen: list[str] = []
    for j, fam in enumerate(wanted):
        if fam is None and ints[j]:
            fam = "empirical"  # a smooth family passes KS on spread ties yet misses the pmf
        if fam is None:
            cands = {f: scores[f][j] for f in _PARAMETRIC if np.isfinite(scores[f][j])}
            fam = min(cands, key=cands.__getitem__)
            if cands[fam] > _KS_CRITICAL / math.sqrt(n):
                fam = "empirical"
        chosen.append(fam)
    if "empirical" in chosen and "empirical" not in fits:
        fits["empirical"] = _mg.fit_family("empirical", xj, n_knots=n_knots)
        scores["empirical"] = np.asarray(_mg.ks_statistic("empirical", fits["empirical"], xj))
    q = n_knots if "empirical" in chosen else 2
    theta = np.zeros((d, _mg.N_THETA))
    knots = np.zeros((d, q))
    for j, fam in enumerate(chosen):
        theta[j] = np.asarray(fits[fam].theta[j])
        if fam == "empirical":
            knots[j] = np.asarray(fits[fam].knots[j])

    corr = _normal_score_correlation(xf)
    fact = linalg.factorize(corr, repair="clip", dtype=dtype, name="normal-score correlation")
    tril = np.asarray(fact.scale_tril, np.float64)
    tril = tril / np.sqrt(np.sum(tril * tril, axis=1))[:, None]  # unit diagonal of L @ L.T

    params = CopulaParams(
        theta=jnp.asarray(theta, dtype),
        knots=jnp.asarray(knots, dtype),
        latent_mean=jnp.zeros((d,), dtype),
        latent_scale_tril=jnp.asarray(tril, dtype),
        families=tuple(chosen),
        integers=tuple(ints),
    )
    if not return_report:
        return params
    all_scores = {f: scores.get(f, np.full(d, np.nan)) for f in _mg.FAMILIES}
    ks = np.array([all_scores[f][j] for j, f in enumerate(chosen)])
    return params, CopulaReport(tuple(chosen), ks, all_scores, tuple(ints), fact)
