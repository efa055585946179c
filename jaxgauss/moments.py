"""Streaming weighted first and second moments (mean, covariance, correlation).

A functional accumulator in the ``init / update / merge / finalize`` style: every state is a
pytree, every step is pure and jit-safe, and two states built on disjoint parts of the data
merge exactly (the pairwise update of Chan, Golub & LeVeque, 1979):

    n = n_a + n_b,   delta = mean_b - mean_a,
    mean = mean_a + delta * n_b / n,
    M2 = M2_a + M2_b + outer(delta, delta) * n_a * n_b / n,

where ``M2`` is the weighted sum of outer products of deviations from the mean. A batch's own
state is computed two-pass (mean first, then centred products), so no raw power sums are
formed and large means do not cost precision.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = [
    "Moments",
    "correlation",
    "covariance",
    "finalize",
    "from_batch",
    "init",
    "merge",
    "update",
]


class Moments(NamedTuple):
    """Accumulated weighted moments of ``d`` columns.

    Attributes:
      count: ``()`` total weight seen (the number of rows when unweighted).
      mean: ``(d,)`` weighted mean.
      m2: ``(d, d)`` weighted sum of ``outer(x - mean, x - mean)``.
    """

    count: jax.Array
    mean: jax.Array
    m2: jax.Array


def init(d: int, dtype: Any = None) -> Moments:
    """The empty state for ``d`` columns."""
    dtype = dtype or jnp.result_type(float)
    return Moments(jnp.zeros((), dtype), jnp.zeros((d,), dtype), jnp.zeros((d, d), dtype))


def from_batch(x: jax.Array, weights: jax.Array | None = None) -> Moments:
    """Exact state of one batch ``(n, d)`` with optional non-negative weights ``(n,)``."""
    if weights is None:
        count = jnp.asarray(x.shape[0], x.dtype)
        mean = jnp.mean(x, axis=0)
        centred = x - mean
        return Moments(count, mean, centred.T @ centred)
    weights = weights.astype(x.dtype)
    count = jnp.sum(weights)
    mean = (weights @ x) / jnp.where(count > 0, count, 1)
    centred = x - mean
    return Moments(count, mean, (centred * weights[:, None]).T @ centred)


def merge(a: Moments, b: Moments) -> Moments:
    """Combines the states of two disjoint parts of the data."""
    count = a.count + b.count
    safe = jnp.where(count > 0, count, 1)
    delta = b.mean - a.mean
    mean = a.mean + delta * (b.count / safe)
    m2 = a.m2 + b.m2 + jnp.outer(delta, delta) * (a.count * b.count / safe)
    return Moments(count, mean, m2)


def update(state: Moments, x: jax.Array, weights: jax.Array | None = None) -> Moments:
    """Adds a batch ``(n, d)`` (optionally weighted) to ``state``."""
    return merge(state, from_batch(x.astype(state.mean.dtype), weights))


def covariance(state: Moments, ddof: int = 0) -> jax.Array:
    """``(d, d)`` covariance; ``ddof=0`` is the maximum-likelihood (biased) estimate."""
    return state.m2 / (state.count - ddof)


def correlation(state: Moments) -> jax.Array:
    """``(d, d)`` Pearson correlation; constant columns get NaN off the diagonal, like numpy."""
    std = jnp.sqrt(jnp.diagonal(state.m2))
    corr = state.m2 / jnp.outer(std, std)
    return jnp.clip(corr, -1.0, 1.0)


def finalize(state: Moments, ddof: int = 0) -> tuple[jax.Array, jax.Array]:
    """``(mean, covariance)`` of everything seen."""
    return state.mean, covariance(state, ddof)
