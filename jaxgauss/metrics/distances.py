"""Per-column distribution distances: Jensen-Shannon, TV complement, range coverage, boundaries.

Definitions (``R`` real column, ``S`` synthetic column):

* ``js_divergence``: both columns are binned on the same edges (``bins`` equal-width cells
  over the range of ``R`` and ``S`` together, unless ``edges`` are given); with the normalised
  histograms ``p``, ``q`` and ``m = (p + q) / 2``,
  ``JS = (KL(p || m) + KL(q || m)) / 2`` in bits, which equals
  ``scipy.spatial.distance.jensenshannon(p, q, base=2) ** 2``; 0 for equal histograms, 1 at most.
* ``tv_complement`` (SDMetrics ``TVComplement``, for discrete/categorical columns):
  ``1 - TVD`` with ``TVD = 1/2 sum_c |freq_R(c) - freq_S(c)|`` over all categories ``c`` seen.
* ``range_coverage`` (SDMetrics ``RangeCoverage``):
  ``1 - [max((min S - min R) / (max R - min R), 0) + max((max R - max S) / (max R - min R), 0)]``,
  clipped to ``[0, 1]``; 1 when the synthetic column spans the real range.
* ``boundary_adherence`` (SDMetrics ``BoundaryAdherence``): the share of synthetic values inside
  ``[min R, max R]``.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks

__all__ = ["boundary_adherence", "histograms", "js_divergence", "range_coverage", "tv_complement"]


def _pair(real: Any, synth: Any) -> tuple[jax.Array, jax.Array, bool]:
    one_d = np.ndim(real) == 1 and np.ndim(synth) == 1
    r = _checks.as_float_array(real, "real")
    s = _checks.as_float_array(synth, "synth")
    r = r[:, None] if r.ndim == 1 else r
    s = s[:, None] if s.ndim == 1 else s
    for name, a in (("real", r), ("synth", s)):
        if a.ndim != 2 or a.shape[0] == 0:
            raise ValueError(f"{name} must have shape (n, d) or (n,) with n >= 1; got {a.shape}")
        _checks.check_finite(a, name)
    _checks.check_same_columns(r, s)
    dtype = jnp.promote_types(r.dtype, s.dtype)
    return r.astype(dtype), s.astype(dtype), one_d


def _out(x: jax.Array, one_d: bool) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    return arr[0] if one_d else arr


@functools.partial(jax.jit, static_argnames=("bins",))
def _hist_pair(r: jax.Array, s: jax.Array, *, bins: int):
    lo = jnp.minimum(r.min(axis=0), s.min(axis=0))
    hi = jnp.maximum(r.max(axis=0), s.max(axis=0))
    edges = (lo + (hi - lo) * jnp.linspace(0.0, 1.0, bins + 1, dtype=r.dtype)[:, None]).T
    edges = edges.at[:, -1].set(hi)  # lo + (hi - lo) * 1 can round below hi
    return _count_uniform(r, edges), _count_uniform(s, edges), edges


def _count_uniform(x: jax.Array, edges: jax.Array) -> jax.Array:
    """Counts on (nearly) equal-width ``edges`` ``(d, bins + 1)`` covering all of ``x``.

    The cell is first guessed arithmetically, then corrected by one comparison with each
    neighbouring edge, so the assignment is exactly that of a search in ``edges`` (the rule of
    ``numpy.histogram``: ``[e_k, e_k+1)``, last cell closed) at the cost of an elementwise pass.
    """
    bins = edges.shape[1] - 1
    d = x.shape[1]
    lo, hi = edges[:, 0], edges[:, -1]
    span = hi - lo
    scale = jnp.where(span > 0, bins / jnp.where(span > 0, span, 1), 0)
    k = jnp.clip(((x - lo) * scale).astype(jnp.int32), 0, bins - 1)
    cols = jnp.arange(d)
    k = jnp.where(x < edges[cols, k], k - 1, k)
    k = jnp.where((x >= edges[cols, jnp.minimum(k + 1, bins)]) & (k < bins - 1), k + 1, k)
    k = jnp.clip(k, 0, bins - 1)
    flat = k + cols.astype(jnp.int32) * bins
    return jnp.zeros(d * bins, jnp.int32).at[flat.ravel()].add(1).reshape(d, bins)


def _count_on_edges(x: jax.Array, edges: jax.Array) -> jax.Array:
    """``(d, bins)`` counts of ``x`` ``(n, d)`` on per-column ``edges`` ``(d, bins + 1)``;
    cells are ``[e_k, e_{k+1})`` with the last one closed, as ``numpy.histogram``."""
    bins = edges.shape[1] - 1

    def column(col, e):
        k = jnp.searchsorted(e, col, side="right") - 1
        k = jnp.where(col == e[-1], bins - 1, k)
        inside = (k >= 0) & (k < bins)
        return jnp.zeros(bins, jnp.int32).at[jnp.where(inside, k, bins)].add(1, mode="drop")

    return jax.vmap(column, in_axes=(1, 0))(x, edges)


def histograms(real: Any, synth: Any, *, bins: int = 50) -> tuple[np.ndarray, ...]:
    """Counts of both samples on shared equal-width edges: ``(real (d, bins), synth (d, bins),
    edges (d, bins + 1))`` as numpy arrays (used by :func:`js_divergence` and the report plots)."""
    bins = _checks.check_positive_int(bins, "bins")
    r, s, _ = _pair(real, synth)
    cr, cs, e = _hist_pair(r, s, bins=bins)
    return np.asarray(cr), np.asarray(cs), np.asarray(e)


@jax.jit
def _js_from_counts(cr: jax.Array, cs: jax.Array) -> jax.Array:
    ct = jnp.result_type(float)
    p = cr.astype(ct) / jnp.sum(cr, axis=-1, keepdims=True)
    q = cs.astype(ct) / jnp.sum(cs, axis=-1, keepdims=True)
    m = (p + q) / 2

    def kl(a):
        pos = a > 0
        ratio = jnp.where(pos, a, 1) / jnp.where(pos, m, 1)
        return jnp.sum(jnp.where(pos, a * jnp.log2(ratio), 0), axis=-1)

    return jnp.clip((kl(p) + kl(q)) / 2, 0.0, 1.0)


def js_divergence(real: Any, synth: Any, *, bins: int = 50, edges: Any = None) -> np.ndarray:
    """Jensen-Shannon divergence (base 2) between the histograms of each column.

    Args:
      real: ``(n_real, d)`` or ``(n_real,)``.
      synth: ``(n_synth, d)`` or ``(n_synth,)``.
      bins: equal-width cells over the joint range of each column (ignored with ``edges``).
      edges: optional increasing bin edges, ``(bins + 1,)`` shared by all columns or
        ``(d, bins + 1)`` per column; values outside the edges are not counted.

    Returns:
      ``(d,)`` float64 numpy array in ``[0, 1]`` (a scalar for 1-D input).

    Raises:
      ValueError: on mismatched shapes, bad edges or non-finite data.
    """
    r, s, one_d = _pair(real, synth)
    if edges is None:
        bins = _checks.check_positive_int(bins, "bins")
        cr, cs, _ = _hist_pair(r, s, bins=bins)
    else:
        e = _checks.as_float_array(edges, "edges", dtype=r.dtype)
        if e.ndim == 1:
            e = jnp.broadcast_to(e, (r.shape[1], e.shape[0]))
        if e.ndim != 2 or e.shape[0] != r.shape[1] or e.shape[1] < 2:
            raise ValueError(
                f"edges must have shape (k + 1,) or ({r.shape[1]}, k + 1) with k >= 1; "
                f"got {tuple(np.shape(edges))}"
            )
        if not bool(jnp.all(jnp.diff(e, axis=1) > 0)):
            raise ValueError("edges must be strictly increasing")
        cr = _count_on_edges(r, e)
        cs = _count_on_edges(s, e)
        if bool(jnp.any(cr.sum(1) == 0)) or bool(jnp.any(cs.sum(1) == 0)):
            raise ValueError("edges leave a column of real or synth with no value inside them")
    return _out(_js_from_counts(cr, cs), one_d)


def tv_complement(real: Any, synth: Any) -> np.ndarray | float:
    """SDMetrics' TVComplement ``1 - TVD`` of discrete columns (any hashable category values).

    Args:
      real: ``(n_real,)`` or ``(n_real, d)`` category codes or labels (numbers, strings, bools).
      synth: same number of columns.

    Returns:
      ``(d,)`` scores in ``[0, 1]`` (a float for 1-D input).

    Raises:
      ValueError: on empty input or mismatched columns.
    """
    r = np.asarray(real)
    s = np.asarray(synth)
    one_d = r.ndim == 1 and s.ndim == 1
    r = r[:, None] if r.ndim == 1 else r
    s = s[:, None] if s.ndim == 1 else s
    if r.ndim != 2 or s.ndim != 2 or r.shape[0] == 0 or s.shape[0] == 0:
        raise ValueError(
            f"real and synth must be non-empty (n,) or (n, d) arrays; got {r.shape} and {s.shape}"
        )
    _checks.check_same_columns(r, s)
    out = np.empty(r.shape[1])
    for j in range(r.shape[1]):  # categories differ per column; host-side counting
        cats, inverse = np.unique(np.concatenate([r[:, j], s[:, j]]), return_inverse=True)
        fr = np.bincount(inverse[: r.shape[0]], minlength=cats.size) / r.shape[0]
        fs = np.bincount(inverse[r.shape[0] :], minlength=cats.size) / s.shape[0]
        out[j] = 1.0 - 0.5 * np.abs(fr - fs).sum()
    return float(out[0]) if one_d else out


@jax.jit
def _coverage(r: jax.Array, s: jax.Array) -> tuple[jax.Array, jax.Array]:
    rmin, rmax = r.min(axis=0), r.max(axis=0)
    smin, smax = s.min(axis=0), s.max(axis=0)
    span = rmax - rmin
    safe = jnp.where(span > 0, span, 1)
    below = jnp.maximum((smin - rmin) / safe, 0)
    above = jnp.maximum((rmax - smax) / safe, 0)
    coverage = jnp.where(span > 0, jnp.clip(1 - (below + above), 0, 1), jnp.nan)
    adherence = jnp.mean((s >= rmin) & (s <= rmax), axis=0, dtype=jnp.result_type(float))
    return coverage, adherence


def range_coverage(real: Any, synth: Any) -> np.ndarray:
    """SDMetrics' RangeCoverage per column (NaN where the real column is constant).

    Returns:
      ``(d,)`` float64 numpy array in ``[0, 1]`` (a scalar for 1-D input).
    """
    r, s, one_d = _pair(real, synth)
    return _out(_coverage(r, s)[0], one_d)


def boundary_adherence(real: Any, synth: Any) -> np.ndarray:
    """SDMetrics' BoundaryAdherence: share of synthetic values within the real ``[min, max]``.

    Returns:
      ``(d,)`` float64 numpy array in ``[0, 1]`` (a scalar for 1-D input).
    """
    r, s, one_d = _pair(real, synth)
    return _out(_coverage(r, s)[1], one_d)
