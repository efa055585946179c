"""Fitting Gaussian mixtures by expectation-maximization, fully on device.

:func:`fit_gmm` compiles one program that initializes (k-means++ and Lloyd, seeding only,
random responsibilities, random rows, or given parameters), runs EM inside
``jax.lax.while_loop``, repeats all of it for ``n_init`` keys in parallel (``vmap``), and keeps
the restart with the highest log-likelihood.

EM follows scikit-learn's ``GaussianMixture`` step for step, so that from the same initial
parameters both produce the same iterates:

* E-step: ``log r_ik = log w_k + log N(x_i | k) - logsumexp_k(...)``, evaluated through the
  precision Cholesky factors (all ``K`` stacked into one ``(d, K d)`` matrix product);
* M-step: ``n_k = sum_i s_i r_ik + 10 eps``, ``mu_k = sum_i s_i r_ik x_i / n_k``, covariances per
  type plus ``reg_covar`` on the diagonal, ``w_k = n_k / sum_k n_k`` (``s_i`` the sample weights);
* stop when the mean log-likelihood changed by less than ``tol`` or after ``max_iter``
  iterations. ``GMMFit.log_likelihood`` is the mean log-likelihood of the last E-step, i.e.
  scikit-learn's ``lower_bound_``.

Numerics: the data are shifted by their weighted mean once, and the M-step uses the uncentered
form (``sum_i r_ik x_i x_i^T / n_k - mu_k mu_k^T``: one matrix product for all ``K``), whose
cancellation is then bounded by the spread of the component means around the global mean.

Sample weights are *frequency* weights: weight 2 counts a row twice, so integer weights give
exactly the fit of the data with repeated rows (up to rounding), and the reported
log-likelihood is ``sum_i s_i log p(x_i) / sum_i s_i``.

Never NaN:

* a component whose responsibility mass falls below half a row (``n_k < 0.5 * sum(s) / n``)
  is re-seeded: its mean moves to the row with the lowest log-likelihood (distinct rows for
  several components), its covariance becomes the global covariance and its mass one row; the
  count is reported in ``GMMFit.n_reseeded`` and :func:`fit_gmm` warns;
* a covariance whose Cholesky factorization fails (``reg_covar=0``, constant columns, float32
  rounding) is retried with a diagonal jitter of ``sqrt(eps)`` times its mean variance, then
  replaced by its diagonal; variances are floored at ``eps`` times the mean data variance;
* if an iteration still produced non-finite values the loop stops with the previous
  parameters and ``converged=False``.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, kmeans, mixture
from jaxgauss.mixture import GMMParams

__all__ = ["INITS", "ComponentCollapseWarning", "GMMFit", "fit_gmm"]

#: Initializations accepted by :func:`fit_gmm`.
INITS = ("kmeans++", "k-means++", "random", "random_from_data")

#: Lloyd iterations after k-means++ seeding for ``init="kmeans++"``.
KMEANS_MAX_ITER = 30


class ComponentCollapseWarning(UserWarning):
    """A mixture component lost (almost) all its data during EM and was re-seeded."""


class GMMFit(NamedTuple):
    """Result of :func:`fit_gmm`.

    Attributes:
      params: the fitted :class:`~jaxgauss.GMMParams` (parameters after the last M-step).
      log_likelihood: ``()`` mean (weighted) per-row log-likelihood at the last E-step, as
        scikit-learn's ``lower_bound_``; ``-inf`` when ``max_iter=0``.
      n_iter: ``()`` number of EM iterations run by the best restart.
      converged: ``()`` bool, whether the change of ``log_likelihood`` fell below ``tol``.
      n_reseeded: ``()`` number of component re-seeds in the best restart.
      history: ``(max_iter,)`` log-likelihood of each iteration of the best restart (NaN after
        ``n_iter``): non-decreasing for exact EM (``reg_covar=0``, no re-seed).
      restart_log_likelihoods: ``(n_init,)`` final ``log_likelihood`` of every restart.
    """

    params: GMMParams
    log_likelihood: jax.Array
    n_iter: jax.Array
    converged: jax.Array
    n_reseeded: jax.Array
    history: jax.Array
    restart_log_likelihoods: jax.Array


class _Comp(NamedTuple):
    """Working parameters, in coordinates shifted by the data's weighted mean."""

    log_weights: jax.Array  # (K,), -inf for inactive components
    means: jax.Array  # (K, d)
    scales: jax.Array  # GMMParams.scales layout
    prec: jax.Array  # precisions_cholesky layout


class _State(NamedTuple):
    comp: _Comp
    log_likelihood: jax.Array  # () last E-step
    n_iter: jax.Array  # () int32
    converged: jax.Array  # () bool
    failed: jax.Array  # () bool, an iteration produced non-finite values
    n_reseeded: jax.Array  # () int32
    history: jax.Array  # (max_iter,)


class _Data(NamedTuple):
    """Shifted data and quantities fixed during the fit."""

    x: jax.Array  # (n, d), shifted by the weighted mean
    w: jax.Array  # (n,) frequency weights
    total: jax.Array  # () sum of weights
    cov: jax.Array  # (d, d) weighted covariance of x (for re-seeding)


# ---------------------------------------------------------------------------------------------
# Factorizations that cannot produce NaN.


def _safe_cholesky(cov: jax.Array) -> jax.Array:
    """Lower Cholesky factors of ``(..., d, d)``, falling back to jitter, then to the diagonal."""
    eps = jnp.finfo(cov.dtype).eps
    tiny = jnp.finfo(cov.dtype).tiny
    d = cov.shape[-1]
    eye = jnp.eye(d, dtype=cov.dtype)
    diag = jnp.diagonal(cov, axis1=-2, axis2=-1)
    scale = jnp.maximum(jnp.mean(jnp.abs(diag), axis=-1), tiny)[..., None, None]

    def ok(f):
        return (
            jnp.all(jnp.isfinite(f), axis=(-2, -1), keepdims=True)
            & jnp.all(jnp.diagonal(f, axis1=-2, axis2=-1) > 0, axis=-1, keepdims=True)[..., None]
        )

    l1 = jnp.linalg.cholesky(cov)
    l2 = jnp.linalg.cholesky(cov + math.sqrt(eps) * scale * eye)
    l3 = eye * jnp.sqrt(jnp.maximum(diag, math.sqrt(eps) * scale[..., 0]))[..., None, :]
    return jnp.where(ok(l1), l1, jnp.where(ok(l2), l2, l3))


def _factor(cov: jax.Array, ctype: str, var_floor: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(scales, prec)`` from covariances in scikit-learn's layout."""
    if ctype in ("full", "tied"):
        cov = 0.5 * (cov + jnp.swapaxes(cov, -1, -2))
        tril = _safe_cholesky(cov)
        return tril, mixture._inverse_tril_t(tril)
    var = jnp.maximum(cov, var_floor)
    sd = jnp.sqrt(var)
    return sd, 1.0 / sd


def _var_floor(data: _Data) -> jax.Array:
    return _var_floor_of(data.cov)


def _var_floor_of(cov: jax.Array) -> jax.Array:
    """Smallest variance allowed, relative to the data's mean variance."""
    return jnp.finfo(cov.dtype).eps * jnp.mean(jnp.diagonal(cov)) + jnp.finfo(cov.dtype).tiny


# ---------------------------------------------------------------------------------------------
# E and M steps.


def _poorly_explained_rows(row_ll: jax.Array, k: int) -> jax.Array:
    """``k`` distinct rows of low log-likelihood, worst first, in one pass (no sort of ``n``).

    Row ``i`` belongs to residue class ``i mod k``; each class contributes its worst row.
    """
    n = row_ll.shape[0]
    m = -(-n // k)
    padded = jnp.concatenate([row_ll, jnp.full((m * k - n,), jnp.inf, row_ll.dtype)])
    grid = padded.reshape(m, k)
    rows = jnp.argmin(grid, axis=0) * k + jnp.arange(k)
    order = jnp.argsort(jnp.min(grid, axis=0))
    return jnp.minimum(rows[order], n - 1)


class Stats(NamedTuple):
    """Sufficient statistics of one E-step, summed over rows (mergeable by addition).

    Attributes:
      nk: ``(K,)`` sum of weighted responsibilities ``r_ik = w_i p(k | x_i)``.
      sx: ``(K, d)`` ``sum_i r_ik x_i``.
      second: full ``(K, d, d)`` ``sum_i r_ik x_i x_i^T``; tied ``(d, d)``
        ``sum_i w_i x_i x_i^T``; diag ``(K, d)`` ``sum_i r_ik x_i^2``; spherical ``(K,)``
        ``sum_i r_ik |x_i|^2``.
    """

    nk: jax.Array
    sx: jax.Array
    second: jax.Array


def sufficient_stats(x: jax.Array, w: jax.Array, resp: jax.Array, ctype: str) -> Stats:
    """:class:`Stats` of rows ``x`` ``(n, d)`` with weights ``(n,)`` and responsibilities ``(n, K)``."""
    n, d = x.shape
    k = resp.shape[1]
    r = resp * w[:, None]
    if ctype == "full":
        if n * k * d <= 2 * _BLOCK_ELEMENTS:  # a cache-sized block: XLA's batched form is faster
            second = jnp.einsum("nk,ni,nj->kij", r, x, x)
        else:  # one large GEMM beats the batched form on big row counts (measured, 2 cores)
            rx = (r[:, :, None] * x[:, None, :]).reshape(n, k * d)
            second = (rx.T @ x).reshape(k, d, d)
    elif ctype == "tied":
        second = x.T @ (w[:, None] * x)
    elif ctype == "diag":
        second = r.T @ (x * x)
    else:
        second = r.T @ jnp.sum(x * x, axis=1)
    return Stats(jnp.sum(r, axis=0), r.T @ x, second)


def _m_step(
    data: _Data,
    resp: jax.Array,
    old: _Comp,
    row_ll: jax.Array,
    k_active: jax.Array,
    reg_covar: jax.Array,
    ctype: str,
) -> tuple[_Comp, jax.Array]:
    """M-step from responsibilities ``(n, K)`` (used once, after the initialization)."""
    stats = sufficient_stats(data.x, data.w, resp, ctype)
    return _m_step_stats(data, stats, old, row_ll, k_active, reg_covar, ctype)


def _m_step_stats(
    data: _Data,
    stats: Stats,
    old: _Comp,
    row_ll: jax.Array,
    k_active: jax.Array,
    reg_covar: jax.Array,
    ctype: str,
) -> tuple[_Comp, jax.Array]:
    """M-step with collapse handling; returns ``(new components, number re-seeded)``."""
    k = stats.nk.shape[0]
    worst = _poorly_explained_rows(jnp.where(data.w > 0, row_ll, jnp.inf), k)
    return m_step_from_stats(
        stats, data.x[worst], data.total, data.x.shape[0], data.cov, old, k_active, reg_covar, ctype
    )


#: Elements of the largest ``(rows, K*d)`` intermediate of one block of the E/M pass.
_BLOCK_ELEMENTS = 2**21


def pass_block_rows(n: int, k: int, d: int, ctype: str) -> int:
    """Rows per block of :func:`_e_stats_pass` (``n``: one block, i.e. no blocking).

    The full and tied E-steps and the full M-step build ``(n, K d)`` intermediates; streaming
    them through the cache in blocks of about ``2**21`` elements made a full-covariance
    iteration 1.5-1.7x faster on the 2-core CPU (n=1e5, d=20, K=10 and n=1e6, d=10, K=8). The
    diag and spherical passes only build ``(n, K)`` arrays and run fastest unblocked.
    """
    if ctype in ("diag", "spherical"):
        return n
    rows = 1 << max(int(_BLOCK_ELEMENTS // max(k * d, 1)).bit_length() - 1, 4)
    return n if rows * 2 > n else rows


def _blocked(data: _Data, rows: int) -> tuple[jax.Array, jax.Array]:
    """``x`` ``(B, rows, d)`` and ``w`` ``(B, rows)``, zero-padded (padding has weight 0)."""
    n, d = data.x.shape
    b = -(-n // rows)
    x = jnp.pad(data.x, ((0, b * rows - n), (0, 0))).reshape(b, rows, d)
    w = jnp.pad(data.w, (0, b * rows - n)).reshape(b, rows)
    return x, w


def e_stats(x: jax.Array, w: jax.Array, comp: _Comp, ctype: str):
    """E-step on rows ``x`` and their :class:`Stats`: ``(sum_i w_i ll_i, stats, ll (n,))``.

    Shared by the in-memory pass (whole data or row blocks) and the out-of-core chunk step.
    """
    wlp = mixture.log_gaussians(x, comp.means, comp.prec, ctype) + comp.log_weights
    row = jax.nn.logsumexp(wlp, axis=1)
    stats = sufficient_stats(x, w, jnp.exp(wlp - row[:, None]), ctype)
    return jnp.sum(w * row), stats, row


def _e_stats_pass(data: _Data, blocks, comp: _Comp, ctype: str):
    """One E-step plus the M-step statistics over all rows, blockwise when ``blocks`` is given.

    Returns ``(mean log-likelihood, Stats, row log-likelihoods (n,))``.
    """
    if blocks is None:
        ll_sum, stats, row = e_stats(data.x, data.w, comp, ctype)
        return ll_sum / data.total, stats, row

    def step(acc, xw):
        ll_sum, stats, row = e_stats(xw[0], xw[1], comp, ctype)
        return jax.tree.map(jnp.add, acc, (ll_sum, stats)), row

    x0, w0 = blocks[0][0], blocks[1][0]
    zeros = jax.tree.map(jnp.zeros_like, jax.eval_shape(lambda: e_stats(x0, w0, comp, ctype)[:2]))
    (ll_sum, stats), rows = jax.lax.scan(step, zeros, blocks)
    return ll_sum / data.total, stats, rows.reshape(-1)[: data.x.shape[0]]


def m_step_from_stats(
    stats: Stats,
    seed_rows: jax.Array,
    total: jax.Array,
    n_rows: Any,
    global_cov: jax.Array,
    old: _Comp,
    k_active: jax.Array,
    reg_covar: jax.Array,
    ctype: str,
) -> tuple[_Comp, jax.Array]:
    """Parameters from summed :class:`Stats`; shared by in-memory and out-of-core EM.

    Args:
      stats: statistics summed over all rows (data shifted by their weighted mean).
      seed_rows: ``(K, d)`` poorly explained rows, worst first, where collapsed components restart.
      total: sum of the row weights; n_rows: number of rows; global_cov: ``(d, d)`` weighted
        covariance of the data (the restart covariance).
      old: the previous components (inactive ones keep them).
    """
    dtype = stats.sx.dtype
    k, d = stats.sx.shape
    eps = jnp.finfo(dtype).eps
    active = jnp.arange(k) < k_active
    nk = stats.nk + 10.0 * eps
    means = stats.sx / nk[:, None]

    # Components to re-seed: active and carrying less than half an average row.
    row_mass = total / n_rows
    collapsed = active & (nk < 0.5 * row_mass)
    n_collapsed = jnp.sum(collapsed)
    slot = jnp.cumsum(collapsed) - 1
    seed_means = seed_rows[jnp.clip(slot, 0, k - 1)]
    means = jnp.where(collapsed[:, None], seed_means, means)

    eye = jnp.eye(d, dtype=dtype)
    if ctype == "full":
        second = stats.second / nk[:, None, None]
        cov = second - means[:, :, None] * means[:, None, :] + reg_covar * eye
        cov = jnp.where(collapsed[:, None, None], global_cov + reg_covar * eye, cov)
    elif ctype == "tied":
        cov = (stats.second - (nk[:, None] * means).T @ means) / jnp.sum(nk) + reg_covar * eye
    elif ctype == "diag":
        second = stats.second / nk[:, None]
        cov = second - means * means + reg_covar
        cov = jnp.where(collapsed[:, None], jnp.diagonal(global_cov) + reg_covar, cov)
    else:
        second = stats.second / nk
        cov = second / d - jnp.mean(means * means, axis=1) + reg_covar
        cov = jnp.where(collapsed, jnp.mean(jnp.diagonal(global_cov)) + reg_covar, cov)

    nk = jnp.where(collapsed, row_mass, nk)
    nk = jnp.where(active, nk, 0.0)
    log_weights = jnp.log(nk) - jnp.log(jnp.sum(nk))
    scales, prec = _factor(cov, ctype, _var_floor_of(global_cov))

    # Inactive components keep their old (finite) parameters so that they never yield NaN.
    if ctype == "tied":
        new = _Comp(log_weights, jnp.where(active[:, None], means, old.means), scales, prec)
    else:
        keep = active.reshape((k,) + (1,) * (scales.ndim - 1))
        new = _Comp(
            log_weights,
            jnp.where(active[:, None], means, old.means),
            jnp.where(keep, scales, old.scales),
            jnp.where(keep, prec, old.prec),
        )
    return new, n_collapsed.astype(jnp.int32)


def _all_finite(tree: Any) -> jax.Array:
    leaves = [jnp.all(jnp.isfinite(leaf) | (leaf == -jnp.inf)) for leaf in jax.tree.leaves(tree)]
    return functools.reduce(jnp.logical_and, leaves)


def _em(
    data: _Data,
    comp: _Comp,
    k_active: jax.Array,
    tol: jax.Array,
    reg_covar: jax.Array,
    *,
    ctype: str,
    max_iter: int,
    blocked: bool = True,
) -> _State:
    dtype = data.x.dtype
    n, d = data.x.shape
    rows = pass_block_rows(n, comp.means.shape[0], d, ctype) if blocked else n
    blocks = None if rows >= n else _blocked(data, rows)  # padded once, outside the loop

    def cond(s: _State) -> jax.Array:
        return (s.n_iter < max_iter) & ~s.converged & ~s.failed

    def body(s: _State) -> _State:
        ll, stats, row = _e_stats_pass(data, blocks, s.comp, ctype)
        new, n_seed = _m_step_stats(data, stats, s.comp, row, k_active, reg_covar, ctype)
        bad = ~(jnp.isfinite(ll) & _all_finite(new))
        converged = jnp.abs(ll - s.log_likelihood) < tol
        comp = jax.tree.map(lambda a, b: jnp.where(bad, a, b), s.comp, new)
        return _State(
            comp,
            jnp.where(bad, s.log_likelihood, ll),
            s.n_iter + jnp.where(bad, 0, 1).astype(jnp.int32),
            converged & ~bad,
            bad,
            s.n_reseeded + jnp.where(bad, 0, n_seed),
            s.history.at[s.n_iter].set(jnp.where(bad, jnp.nan, ll)),
        )

    init = _State(
        comp,
        jnp.asarray(-jnp.inf, dtype),
        jnp.asarray(0, jnp.int32),
        jnp.asarray(False),
        jnp.asarray(False),
        jnp.asarray(0, jnp.int32),
        jnp.full((max(max_iter, 1),), jnp.nan, dtype),
    )
    return jax.lax.while_loop(cond, body, init)


# ---------------------------------------------------------------------------------------------
# Initialization.


#: Initializations that start from centres (shareable between covariance types).
CENTRE_INITS = ("kmeans++", "k-means++", "random_from_data")


def initial_centers(
    key: jax.Array, data: _Data, k: int, k_active: jax.Array, init: str
) -> jax.Array:
    """``(K, d)`` starting centres of a centre-based ``init`` (in shifted coordinates)."""
    x, w = data.x, data.w
    if init == "random_from_data":
        return x[jax.random.choice(key, x.shape[0], (k,), replace=False, p=w / data.total)]
    centers, _ = kmeans.kmeans_plusplus(key, x, w, k, k_active)
    if init == "kmeans++":
        centers, _ = kmeans.lloyd(x, w, centers, k_active, max_iter=KMEANS_MAX_ITER)
    return centers


def _initial_resp(
    key: jax.Array,
    data: _Data,
    k: int,
    k_active: jax.Array,
    init: str,
    centers: jax.Array | None = None,
) -> jax.Array:
    """``(n, K)`` starting responsibilities: one-hot nearest centre, or uniform random."""
    x = data.x
    if init == "random":
        u = jax.random.uniform(key, (x.shape[0], k), dtype=x.dtype)
        u = jnp.where(jnp.arange(k) < k_active, u, 0.0)
        return u / jnp.sum(u, axis=1, keepdims=True)
    if centers is None:
        centers = initial_centers(key, data, k, k_active, init)
    labels = kmeans.nearest(x, centers, k_active)
    return jax.nn.one_hot(labels, k, dtype=x.dtype)


def _init_comp(
    key: jax.Array,
    data: _Data,
    k: int,
    k_active: jax.Array,
    reg_covar: jax.Array,
    ctype: str,
    init: str,
    centers: jax.Array | None = None,
) -> _Comp:
    resp = _initial_resp(key, data, k, k_active, init, centers)
    d = data.x.shape[1]
    # Placeholder (finite) parameters for inactive components: global mean and covariance.
    eye = jnp.eye(d, dtype=data.x.dtype)
    g_scales, g_prec = _factor(
        {
            "full": jnp.broadcast_to(data.cov + reg_covar * eye, (k, d, d)),
            "tied": data.cov + reg_covar * eye,
            "diag": jnp.broadcast_to(jnp.diagonal(data.cov) + reg_covar, (k, d)),
            "spherical": jnp.full((k,), jnp.mean(jnp.diagonal(data.cov)) + reg_covar),
        }[ctype],
        ctype,
        _var_floor(data),
    )
    placeholder = _Comp(
        jnp.zeros(k, data.x.dtype), jnp.zeros((k, d), data.x.dtype), g_scales, g_prec
    )
    # Rows with no responsibility count as the worst explained (for re-seeding empty clusters).
    row_ll = jnp.where(jnp.sum(resp, axis=1) > 0, 0.0, -1.0).astype(data.x.dtype)
    comp, _ = _m_step(data, resp, placeholder, row_ll, k_active, reg_covar, ctype)
    return comp


def _comp_from_params(params: GMMParams, shift: jax.Array, k_active: jax.Array) -> _Comp:
    k = params.weights.shape[0]
    active = jnp.arange(k) < k_active
    w = jnp.where(active, params.weights, 0.0)
    log_w = jnp.log(w) - jnp.log(jnp.sum(w))
    return _Comp(log_w, params.means - shift, params.scales, mixture.precisions_cholesky(params))


def _prepare(x: jax.Array, w: jax.Array) -> tuple[_Data, jax.Array]:
    total = jnp.sum(w)
    shift = (w @ x) / total
    xs = x - shift
    cov = (xs.T @ (w[:, None] * xs)) / total
    return _Data(xs, w, total, cov), shift


def _run(
    key: jax.Array,
    data: _Data,
    k_active: jax.Array,
    tol: jax.Array,
    reg_covar: jax.Array,
    start: _Comp | None,
    *,
    k: int,
    ctype: str,
    init: str,
    max_iter: int,
    blocked: bool = True,
    centers: jax.Array | None = None,
) -> _State:
    """Initializes (from ``start``, given ``centers``, or ``init``) and runs EM."""
    if start is None:
        start = _init_comp(key, data, k, k_active, reg_covar, ctype, init, centers)
    return _em(
        data, start, k_active, tol, reg_covar, ctype=ctype, max_iter=max_iter, blocked=blocked
    )


def blockable(x: jax.Array) -> bool:
    """Whether the E/M pass may run over row blocks: not for data split over several devices.

    Blocks are slices along the row axis; for row-sharded data each slice would live on one
    device, so sharded fits keep one pass (local E-step, statistics reduced across devices).
    """
    sharding = getattr(x, "sharding", None)
    return sharding is None or len(sharding.device_set) <= 1


def _to_params(comp: _Comp, shift: jax.Array, ctype: str) -> GMMParams:
    return GMMParams(jnp.exp(comp.log_weights), comp.means + shift, comp.scales, ctype)


def _best(states: _State) -> tuple[jax.Array, jax.Array]:
    """Index of the restart with the highest final log-likelihood (NaN and failures last)."""
    ll = jnp.where(jnp.isnan(states.log_likelihood), -jnp.inf, states.log_likelihood)
    return jnp.argmax(ll), ll


@functools.partial(jax.jit, static_argnames=("k", "ctype", "init", "max_iter", "blocked"))
def _fit_jit(
    keys: jax.Array,
    x: jax.Array,
    w: jax.Array,
    tol: jax.Array,
    reg_covar: jax.Array,
    params_init: GMMParams | None,
    *,
    k: int,
    ctype: str,
    init: str,
    max_iter: int,
    blocked: bool,
) -> GMMFit:
    data, shift = _prepare(x, w)
    k_active = jnp.asarray(k, jnp.int32)
    start = None if params_init is None else _comp_from_params(params_init, shift, k_active)
    run = functools.partial(_run, k=k, ctype=ctype, init=init, max_iter=max_iter, blocked=blocked)
    states = jax.vmap(run, in_axes=(0, None, None, None, None, None))(
        keys, data, k_active, tol, reg_covar, start
    )
    i, lls = _best(states)
    best = jax.tree.map(lambda a: a[i], states)
    return GMMFit(
        _to_params(best.comp, shift, ctype),
        best.log_likelihood,
        best.n_iter,
        best.converged,
        best.n_reseeded,
        best.history[:max_iter],
        lls,
    )


# ---------------------------------------------------------------------------------------------
# Eager validation and the public entry point.


def _check_number(value: Any, name: str, *, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {value!r} ({type(value).__name__})")
    value = float(value)
    if not (np.isfinite(value) and value >= low):
        raise ValueError(f"{name} must be a finite number >= {low}; got {value!r}")
    return value


def check_fit_args(
    x: Any,
    n_components: Any,
    *,
    covariance_type: Any,
    max_iter: Any,
    tol: Any,
    reg_covar: Any,
    init: Any,
    n_init: Any,
    sample_weight: Any,
    params_init: Any,
) -> tuple[jax.Array, jax.Array, int]:
    """Eager validation shared by :func:`fit_gmm` and :func:`jaxgauss.select_gmm`.

    Returns:
      ``(x, weights, n_components)`` with ``x`` finite ``(n, d)`` and weights ``(n,)``.
    """
    mixture.check_covariance_type(covariance_type)
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}; got {init!r}")
    k = _checks.check_positive_int(n_components, "n_components")
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral) or max_iter < 0:
        raise ValueError(f"max_iter must be a non-negative integer; got {max_iter!r}")
    _check_number(tol, "tol")
    _check_number(reg_covar, "reg_covar")
    _checks.check_positive_int(n_init, "n_init")
    x = _checks.as_rows(x)
    n, d = x.shape
    if sample_weight is None:
        w = jnp.ones(n, x.dtype)
        n_pos = n
    else:
        w = _checks.check_sample_weight(sample_weight, n, x.dtype)
        n_pos = int(np.count_nonzero(np.asarray(w) > 0)) if _checks.is_concrete(w) else n
    if n_pos < k:
        raise ValueError(
            f"x must have at least n_components={k} rows"
            + (" with positive sample_weight" if sample_weight is not None else "")
            + f"; got {n_pos}"
        )
    if params_init is not None:
        if not isinstance(params_init, GMMParams):
            raise TypeError(f"params_init must be a GMMParams; got {type(params_init).__name__}")
        pk, pd = mixture.check_params(params_init, "params_init")
        if params_init.covariance_type != covariance_type:
            raise ValueError(
                f"params_init has covariance_type={params_init.covariance_type!r} but "
                f"covariance_type={covariance_type!r} was requested"
            )
        if (pk, pd) != (k, d):
            raise ValueError(
                f"params_init must have n_components={k} and {d} features to match x; got "
                f"{pk} components of dimension {pd}"
            )
        for leaf, nm in ((params_init.weights, "weights"), (params_init.means, "means")):
            _checks.check_finite(leaf, f"params_init.{nm}")
        _checks.check_finite(params_init.scales, "params_init.scales")
    return x, w, k


def fit_gmm(
    key: Any,
    x: Any,
    n_components: int,
    *,
    covariance_type: str = "full",
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    init: str = "kmeans++",
    n_init: int = 1,
    sample_weight: Any = None,
    params_init: GMMParams | None = None,
) -> GMMFit:
    """Fits a Gaussian mixture by EM, in one compiled program.

    Args:
      key: PRNG key for the initialization (unused with ``params_init``).
      x: ``(n, d)`` data, float32 or float64 (the fit runs in that dtype).
      n_components: ``K``, at most the number of rows (with positive weight).
      covariance_type: ``"full"``, ``"tied"``, ``"diag"`` or ``"spherical"``.
      max_iter: maximum number of EM iterations (``0`` returns the initialization).
      tol: stop when the mean log-likelihood changes by less than ``tol``.
      reg_covar: added to the diagonal of every covariance.
      init: ``"kmeans++"`` (k-means++ seeding then up to 30 Lloyd iterations, like
        scikit-learn's ``init_params="kmeans"``), ``"k-means++"`` (seeding only),
        ``"random"`` (uniform random responsibilities) or ``"random_from_data"`` (``K``
        distinct random rows). For the last two centre-based options every row is assigned
        to its nearest centre to form the initial responsibilities.
      n_init: number of restarts (vectorized); the best final log-likelihood wins.
      sample_weight: ``(n,)`` non-negative frequency weights.
      params_init: starting :class:`~jaxgauss.GMMParams` (warm start); then ``init`` and
        ``n_init`` are not used.

    Returns:
      :class:`GMMFit`.

    Raises:
      TypeError / ValueError: invalid arguments (see the messages).

    Warns:
      ComponentCollapseWarning: when components were re-seeded.

    Example:
      >>> import jax, jax.numpy as jnp, jaxgauss as jg
      >>> x = jnp.concatenate([jax.random.normal(jax.random.key(0), (200, 2)),
      ...                      jax.random.normal(jax.random.key(1), (200, 2)) + 6.0])
      >>> fit = jg.fit_gmm(jax.random.key(2), x, 2)
      >>> bool(fit.converged), sorted(round(float(m), 0) for m in fit.params.means[:, 0])
      (True, [0.0, 6.0])
    """
    key = _checks.check_key(key)
    x, w, k = check_fit_args(
        x,
        n_components,
        covariance_type=covariance_type,
        max_iter=max_iter,
        tol=tol,
        reg_covar=reg_covar,
        init=init,
        n_init=n_init,
        sample_weight=sample_weight,
        params_init=params_init,
    )
    if params_init is not None:
        n_init = 1
        params_init = jax.tree.map(lambda a: jnp.asarray(a, x.dtype), params_init)
    keys = jax.random.split(key, n_init)
    fit = _fit_jit(
        keys,
        x,
        w,
        jnp.asarray(tol, x.dtype),
        jnp.asarray(reg_covar, x.dtype),
        params_init,
        k=k,
        ctype=covariance_type,
        init=init,
        max_iter=int(max_iter),
        blocked=blockable(x),
    )
    if _checks.is_concrete(fit.n_reseeded) and int(fit.n_reseeded) > 0:
        warnings.warn(
            f"{int(fit.n_reseeded)} component re-seed(s) during EM: components lost almost all "
            "their data (too many components for the data, duplicated rows, or a too small "
            "reg_covar)",
            ComponentCollapseWarning,
            stacklevel=2,
        )
    return fit
