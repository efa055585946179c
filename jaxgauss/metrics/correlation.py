"""Correlation matrices (Pearson, Spearman) and SDMetrics' correlation similarity.

Pearson correlations come from the shared streaming accumulator :mod:`jaxgauss.moments` (one
implementation for estimation and metrics): :func:`correlation_matrix` is its one-batch case, and
``stream_init / stream_update / stream_merge / stream_result`` expose the same accumulator for data
that arrive in chunks. Spearman's coefficient is Pearson's on average ranks (ties share the mean
of their positions, as ``scipy.stats.spearmanr``).

Correlation similarity (SDMetrics' ``CorrelationSimilarity``) of a column pair is
``1 - |S - R| / 2`` where ``R`` and ``S`` are the real and synthetic coefficients; it is 1 for equal
coefficients and 0 for opposite perfect correlations.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, moments

__all__ = [
    "correlation_matrix",
    "correlation_similarity",
    "pair_similarity",
    "stream_init",
    "stream_merge",
    "stream_result",
    "stream_update",
]

_METHODS = ("pearson", "spearman")


def _average_ranks(x: jax.Array) -> jax.Array:
    """Average ranks (1-based, ties share their mean position) of each column of ``(n, d)``."""
    s = jnp.sort(x, axis=0)

    def column(sorted_col, col):
        left = jnp.searchsorted(sorted_col, col, side="left")
        right = jnp.searchsorted(sorted_col, col, side="right")
        return (left + right + 1).astype(x.dtype) / 2

    return jax.vmap(column, in_axes=(1, 1), out_axes=1)(s, x)


@jax.jit
def _pearson(x: jax.Array) -> jax.Array:
    return moments.correlation(moments.from_batch(x))


@jax.jit
def _spearman(x: jax.Array) -> jax.Array:
    return moments.correlation(moments.from_batch(_average_ranks(x)))


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}; got {method!r}")


def correlation_matrix(x: Any, *, method: str = "pearson") -> jax.Array:
    """``(d, d)`` correlation matrix of the columns of ``x`` ``(n, d)``.

    Args:
      x: data ``(n_samples, n_features)``, at least two rows.
      method: ``"pearson"`` (equal to ``np.corrcoef(x, rowvar=False)``) or ``"spearman"``
        (equal to ``scipy.stats.spearmanr(x).statistic``).

    Returns:
      ``(d, d)`` matrix; constant columns give NaN off the diagonal, as numpy does.

    Raises:
      ValueError: on an unknown method, fewer than 2 rows, or non-finite data.
    """
    _check_method(method)
    arr = _checks.as_rows(x, name="x")
    if arr.shape[0] < 2:
        raise ValueError(f"x must have at least 2 rows; got {arr.shape[0]}")
    return _pearson(arr) if method == "pearson" else _spearman(arr)


def pair_similarity(real_corr: Any, synth_corr: Any) -> jax.Array:
    """Element-wise SDMetrics similarity ``1 - |S - R| / 2`` of two correlation matrices."""
    return 1.0 - jnp.abs(jnp.asarray(synth_corr) - jnp.asarray(real_corr)) / 2.0


def correlation_similarity(real: Any, synth: Any, *, method: str = "pearson") -> float:
    """Mean over column pairs ``i < j`` of ``1 - |S_ij - R_ij| / 2`` (SDMetrics' definition).

    Args:
      real: ``(n_real, d)`` real data, ``d >= 2``.
      synth: ``(n_synth, d)`` synthetic data.
      method: ``"pearson"`` or ``"spearman"``.

    Returns:
      The score in ``[0, 1]`` as a Python float (NaN pairs, from constant columns, are skipped).

    Raises:
      ValueError: on an unknown method, mismatched columns or fewer than 2 columns.

    Example:
      >>> import numpy as np
      >>> from jaxgauss.metrics import correlation_similarity
      >>> x = np.random.default_rng(0).normal(size=(200, 3))
      >>> correlation_similarity(x, x)
      1.0
    """
    _check_method(method)
    r = _checks.as_rows(real, name="real")
    s = _checks.as_rows(synth, name="synth")
    _checks.check_same_columns(r, s)
    if r.shape[1] < 2:
        raise ValueError(f"correlation_similarity needs at least 2 columns; got {r.shape[1]}")
    sim = np.asarray(
        pair_similarity(correlation_matrix(r, method=method), correlation_matrix(s, method=method))
    )
    iu = np.triu_indices(r.shape[1], k=1)
    return float(np.nanmean(sim[iu]))


def stream_init(d: int, dtype: Any = None) -> moments.Moments:
    """Empty streaming state for ``d`` columns (a :class:`jaxgauss.moments.Moments`)."""
    return moments.init(_checks.check_positive_int(d, "d"), dtype)


def stream_update(state: moments.Moments, batch: Any) -> moments.Moments:
    """Adds a batch ``(n, d)``; the shared :func:`jaxgauss.moments.update`."""
    return moments.update(state, jnp.asarray(batch))


def stream_merge(a: moments.Moments, b: moments.Moments) -> moments.Moments:
    """Merges two states of disjoint data; the shared :func:`jaxgauss.moments.merge`."""
    return moments.merge(a, b)


def stream_result(state: moments.Moments) -> jax.Array:
    """``(d, d)`` Pearson correlation of everything streamed so far."""
    return moments.correlation(state)
