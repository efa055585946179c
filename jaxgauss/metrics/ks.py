"""Exact two-sample Kolmogorov-Smirnov test for every column at once.

The statistic is ``D = max_x |F_a(x) - F_b(x)|`` over the pooled data, with ``F`` the empirical
CDFs (ties handled as in ``scipy.stats.ks_2samp``: both CDFs are evaluated after all copies of a
value). Sorting both samples is the textbook route, but XLA's CPU sort is single-threaded and slow,
so :func:`ks_2samp` is exact by *bounding and refining*:

1. Both samples are binned on the same uniform grid per column (``bins`` cells between the
   pooled minimum and maximum). Binning is a monotone map of the values, so the cumulative counts
   give the exact gap ``G_j = F_a - F_b`` at every cell boundary; ``L = max_j |G_j|`` is attained at
   a data point and bounds ``D`` from below.
2. Inside cell ``j`` the gap moves from ``G_{j-1}`` by at most the cell's mass in either sample:
   ``|F_a - F_b| <= U_j = max(G_{j-1} + p^a_j, p^b_j - G_{j-1})``. Only cells with ``U_j > L`` can
   hold the maximum.
3. The points of those candidate cells (typically a few hundred per column) are gathered into a
   fixed-capacity buffer, sorted, and their exact ECDF gaps evaluated; ``D`` is the larger of ``L``
   and these gaps.

The buffer is sized from the candidate counts of step 2 (a power of two, so that few shapes are
compiled), so the result is exact in every case; only the speed depends on the data (very heavy
tails squeeze most points into few cells, and then many points are sorted). Gaps are computed as
``k/n1 - l/n2`` exactly as scipy does, so the statistic agrees to the last bit in practice
(the gaps are float64 when ``jax_enable_x64`` is on, else float32: then exact to about 1e-7).

P-values follow scipy's ``method`` choices (see :mod:`jaxgauss.metrics._kolmogorov`).
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks
from jaxgauss.metrics import _kolmogorov

__all__ = ["KSResult", "ks_2samp", "ks_statistic"]

_METHODS = ("auto", "exact", "asymp")
_MAX_EXACT_N = 10_000  # as scipy's method="auto"


class KSResult(NamedTuple):
    """Per-column result of :func:`ks_2samp` (host ``float64`` numpy arrays).

    Attributes:
      statistic: ``(d,)`` KS statistics ``D`` (``()`` for 1-D input).
      pvalue: ``(d,)`` two-sided p-values (``()`` for 1-D input).
    """

    statistic: np.ndarray
    pvalue: np.ndarray


def _bin_index(x: jax.Array, lo: jax.Array, scale: jax.Array, bins: int) -> jax.Array:
    """Monotone (non-decreasing in ``x``) cell index in ``[0, bins)`` per column."""
    return jnp.clip(((x - lo) * scale).astype(jnp.int32), 0, bins - 1)


def _histogram(idx: jax.Array, bins: int) -> jax.Array:
    """``(d, bins)`` counts of the ``(n, d)`` cell indices."""
    d = idx.shape[1]
    flat = idx + jnp.arange(d, dtype=jnp.int32) * bins
    return jnp.zeros(d * bins, jnp.int32).at[flat.ravel()].add(1).reshape(d, bins)


def _exclusive_cumsum(c: jax.Array) -> jax.Array:
    return jnp.cumsum(c, axis=-1) - c


_BLOCK = 64  # rows per block in the two-level search for candidate points


def _gather_candidates(x, idx, cand, capacity):
    """Values of the points lying in candidate cells, packed into ``(d, capacity)`` (+inf pad).

    XLA's CPU scatter and long cumulative sums are serial and slow, so the ``k``-th flagged row
    of each column is located in two levels: flags are counted per block of 64 rows (a fused
    reduction), a binary search over the short running block counts finds the block, and a
    cumulative sum over that block's 64 flags finds the row. Only ``capacity`` values per column
    are gathered.
    """
    n, d = x.shape
    flag = jnp.take_along_axis(cand.T, idx, axis=0)  # (n, d)
    n_blocks = -(-n // _BLOCK)
    flag = jnp.pad(flag, ((0, n_blocks * _BLOCK - n), (0, 0)))
    blocks = flag.reshape(n_blocks, _BLOCK, d)
    running = jnp.cumsum(jnp.sum(blocks, axis=1, dtype=jnp.int32), axis=0)  # (n_blocks, d)
    wanted = jnp.arange(1, capacity + 1, dtype=jnp.int32)
    block = jax.vmap(lambda r: jnp.searchsorted(r, wanted, side="left"), in_axes=1)(running)
    found = wanted[None, :] <= running[-1][:, None]  # (d, capacity)
    block = jnp.minimum(block, n_blocks - 1)
    before = jnp.take_along_axis(running.T, jnp.maximum(block - 1, 0), axis=1)
    rank = wanted[None, :] - jnp.where(block > 0, before, 0)  # 1-based rank inside the block
    cols = jnp.arange(d)[:, None, None]
    inside = blocks[block[:, :, None], jnp.arange(_BLOCK)[None, None, :], cols]  # (d, cap, 64)
    offset = jnp.argmax(jnp.cumsum(inside, axis=2, dtype=jnp.int32) >= rank[:, :, None], axis=2)
    rows = jnp.minimum(block * _BLOCK + offset, n - 1)
    vals = jnp.take_along_axis(x.T, rows, axis=1)
    return jnp.where(found, vals, jnp.inf), found


class _Bounds(NamedTuple):
    """Result of the bounding pass (all per column)."""

    lo: jax.Array  # (d,) grid origin: pooled minimum
    hi: jax.Array  # (d,) pooled maximum
    scale: jax.Array  # (d,) cells per unit
    lower: jax.Array  # (d,) exact lower bound max_j |G_j|
    cand: jax.Array  # (d, bins) cells that may hold the maximum
    off_a: jax.Array  # (d, bins) a-points in non-candidate cells before each cell
    off_b: jax.Array  # (d, bins) b-points in non-candidate cells before each cell
    need_a: jax.Array  # (d,) a-points in candidate cells
    need_b: jax.Array  # (d,) b-points in candidate cells


@functools.partial(jax.jit, static_argnames=("bins",))
def _ks_bounds(a: jax.Array, b: jax.Array, *, bins: int) -> _Bounds:
    """Pass 1: histograms on a shared grid, exact gaps at cell ends, candidate cells."""
    n1, n2 = a.shape[0], b.shape[0]
    ct = jnp.result_type(float)  # float64 under x64, as scipy's gaps
    lo = jnp.minimum(a.min(axis=0), b.min(axis=0))
    hi = jnp.maximum(a.max(axis=0), b.max(axis=0))
    span = hi - lo
    scale = jnp.where(span > 0, bins / jnp.where(span > 0, span, 1), 0).astype(a.dtype)
    ca = _histogram(_bin_index(a, lo, scale, bins), bins)
    cb = _histogram(_bin_index(b, lo, scale, bins), bins)
    gap = jnp.cumsum(ca, axis=1).astype(ct) / n1 - jnp.cumsum(cb, axis=1).astype(ct) / n2
    lower = jnp.max(jnp.abs(gap), axis=1)
    pa = ca.astype(ct) / n1
    pb = cb.astype(ct) / n2
    start = gap - (pa - pb)  # gap entering each cell
    upper = jnp.maximum(start + pa, pb - start)
    cand = (upper > lower[:, None]) & ((ca + cb) > 0) & (span > 0)[:, None]
    return _Bounds(
        lo,
        hi,
        scale,
        lower,
        cand,
        _exclusive_cumsum(jnp.where(cand, 0, ca)),
        _exclusive_cumsum(jnp.where(cand, 0, cb)),
        jnp.sum(jnp.where(cand, ca, 0), axis=1),
        jnp.sum(jnp.where(cand, cb, 0), axis=1),
    )


@functools.partial(jax.jit, static_argnames=("bins", "capacity"))
def _ks_refine(a: jax.Array, b: jax.Array, bnd: _Bounds, *, bins: int, capacity: int):
    """Pass 2: exact ECDF gaps at the points of the candidate cells; returns ``D`` ``(d,)``."""
    n1, n2 = a.shape[0], b.shape[0]
    ct = jnp.result_type(float)
    va, found_a = _gather_candidates(a, _bin_index(a, bnd.lo, bnd.scale, bins), bnd.cand, capacity)
    vb, found_b = _gather_candidates(b, _bin_index(b, bnd.lo, bnd.scale, bins), bnd.cand, capacity)
    vals = jnp.concatenate([va, vb], axis=1)
    label = jnp.concatenate([found_a.astype(jnp.int32), 2 * found_b.astype(jnp.int32)], axis=1)
    vals, label = jax.lax.sort((vals, label), dimension=1, num_keys=1)
    real = label > 0
    is_a = (label == 1).astype(jnp.int32)
    is_b = (label == 2).astype(jnp.int32)
    cells = _bin_index(vals, bnd.lo[:, None], bnd.scale[:, None], bins)
    rank_a = jnp.cumsum(is_a, axis=1) + jnp.take_along_axis(bnd.off_a, cells, axis=1)
    rank_b = jnp.cumsum(is_b, axis=1) + jnp.take_along_axis(bnd.off_b, cells, axis=1)
    diff = rank_a.astype(ct) / n1 - rank_b.astype(ct) / n2
    last_of_ties = jnp.concatenate(
        [vals[:, 1:] != vals[:, :-1], jnp.ones((vals.shape[0], 1), bool)], axis=1
    )
    refined = jnp.max(jnp.where(real & last_of_ties, jnp.abs(diff), 0), axis=1)
    return jnp.maximum(bnd.lower, refined)


def _default_bins(n: int) -> int:
    """About 16 points of the pooled sample per cell, as a power of two in ``[256, 2**20]``."""
    return int(min(max(2 ** math.ceil(math.log2(max(n / 16, 1))), 256), 2**20))


def _pow2_at_least(n: int) -> int:
    return 1 << max(int(n) - 1, 1).bit_length()


def _as_columns(x: Any, name: str) -> jax.Array:
    """``(n, d)`` float view of ``x`` (borrowed when possible; finiteness checked later)."""
    arr = _checks.as_float_array(x, name, borrow=True)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n,) or (n, d); got {tuple(arr.shape)}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row; got shape {tuple(arr.shape)}")
    return arr


def _check_pair(a: Any, b: Any) -> tuple[jax.Array, jax.Array, bool]:
    one_d = np.ndim(a) == 1 and np.ndim(b) == 1
    a_ = _as_columns(a, "a")
    b_ = _as_columns(b, "b")
    _checks.check_same_columns(a_, b_, ("a", "b"))
    dtype = jnp.promote_types(a_.dtype, b_.dtype)
    return a_.astype(dtype), b_.astype(dtype), one_d


def ks_statistic(
    a: Any, b: Any, *, bins: int | None = None, capacity: int | None = None
) -> np.ndarray:
    """Exact two-sample KS statistic of every column (no p-value).

    Args:
      a: ``(n1, d)`` or ``(n1,)`` first sample.
      b: ``(n2, d)`` or ``(n2,)`` second sample (same number of columns).
      bins: grid cells per column for the bounding pass; default about ``(n1 + n2) / 16``.
      capacity: smallest per-column buffer for candidate points (sized from the data anyway).

    Returns:
      ``(d,)`` statistics (``()`` for 1-D input), float64 numpy.

    Raises:
      ValueError: on shape mismatch, empty or non-finite input, or bad ``bins``/``capacity``.
    """
    a_, b_, one_d = _check_pair(a, b)
    stat = _statistic(a_, b_, bins, capacity)
    return stat[0] if one_d else stat


def _statistic(a: jax.Array, b: jax.Array, bins: int | None, capacity: int | None) -> np.ndarray:
    n = a.shape[0] + b.shape[0]
    bins = _default_bins(n) if bins is None else _checks.check_positive_int(bins, "bins")
    if capacity is not None:
        capacity = _checks.check_positive_int(capacity, "capacity")
    bnd = _ks_bounds(a, b, bins=bins)
    # NaN and infinities surface in the pooled range that pass 1 computes anyway, which saves
    # a separate finiteness pass over the data; the error names the offending sample.
    if not (np.all(np.isfinite(bnd.lo)) and np.all(np.isfinite(bnd.hi))):
        _checks.check_finite(a, "a")
        _checks.check_finite(b, "b")
    most = int(max(jnp.max(bnd.need_a), jnp.max(bnd.need_b)))
    if most == 0:  # every column resolved by the bounds alone
        return np.asarray(bnd.lower, dtype=np.float64)
    # Buffer: a power of two (few distinct compiled shapes), never below `capacity`.
    size = max(_pow2_at_least(most), capacity or 0)
    size = min(size, max(a.shape[0], b.shape[0]))
    return np.asarray(_ks_refine(a, b, bnd, bins=bins, capacity=size), dtype=np.float64)


def ks_2samp(
    a: Any,
    b: Any,
    *,
    method: str = "auto",
    bins: int | None = None,
    capacity: int | None = None,
) -> KSResult:
    """Two-sample Kolmogorov-Smirnov test of each column of ``a`` against the same column of ``b``.

    The statistic is exact (equal to ``scipy.stats.ks_2samp``'s); the two-sided p-value uses the
    same null distribution scipy's ``method`` selects:

    * ``"exact"``: the exact permutation distribution of ``D`` (lattice-path count); the statistic
      is then reported on the lattice ``h / lcm(n1, n2)`` as scipy does;
    * ``"asymp"``: the one-sample Kolmogorov distribution with ``n = round(n1 n2 / (n1 + n2))``
      (scipy's ``kstwo.sf(D, n)``);
    * ``"auto"``: ``"exact"`` if ``max(n1, n2) <= 10000``, else ``"asymp"``.

    Args:
      a: ``(n1, d)`` or ``(n1,)`` first sample (e.g. the real data).
      b: ``(n2, d)`` or ``(n2,)`` second sample (e.g. synthetic rows).
      method: ``"auto"`` | ``"exact"`` | ``"asymp"``.
      bins: grid cells per column for the bounding pass (speed only; the result is exact).
      capacity: smallest per-column buffer for candidate points (speed only; sized from the data).

    Returns:
      :class:`KSResult` of ``(d,)`` float64 numpy arrays (scalars ``()`` for 1-D input).

    Raises:
      ValueError: if the samples are empty, non-finite, have different numbers of columns, or
        ``method`` is unknown.
      TypeError: if the input is not numeric.

    Example:
      >>> import numpy as np
      >>> from jaxgauss.metrics import ks_2samp
      >>> rng = np.random.default_rng(0)
      >>> res = ks_2samp(rng.normal(size=(500, 3)), rng.normal(size=(400, 3)))
      >>> res.statistic.shape, bool(np.all(res.pvalue > 0.001))
      ((3,), True)
    """
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")
    a_, b_, one_d = _check_pair(a, b)
    n1, n2 = int(a_.shape[0]), int(b_.shape[0])
    stat = _statistic(a_, b_, bins, capacity)
    if method == "auto":
        method = "exact" if max(n1, n2) <= _MAX_EXACT_N else "asymp"
    if method == "exact":
        g = math.gcd(n1, n2)
        if (n1 // g) * (n2 // g) * g >= np.iinfo(np.int64).max // 4:
            warnings.warn(
                f"ks_2samp: exact p-values are not available for n1={n1}, n2={n2}; "
                "using method='asymp'.",
                RuntimeWarning,
                stacklevel=2,
            )
            pvalue = _kolmogorov.asymp_pvalue(stat, n1, n2)
        else:
            pvalue, stat = _kolmogorov.exact_pvalue(stat, n1, n2)
    else:
        pvalue = _kolmogorov.asymp_pvalue(stat, n1, n2)
    if one_d:
        return KSResult(np.float64(stat[0]), np.float64(pvalue[0]))
    return KSResult(stat, pvalue)
