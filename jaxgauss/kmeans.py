"""k-means on device, as the initializer of Gaussian mixtures.

* :func:`kmeans_plusplus`: greedy k-means++ seeding (Arthur & Vassilvitskii, 2007, with
  ``2 + floor(log K)`` local trials per centre, the greedy variant scikit-learn uses); each new
  centre is drawn with probability proportional to ``w_i * D(x_i)^2`` (``w`` the frequency
  weights) and the candidate that lowers the potential most is kept.
* :func:`lloyd`: a bounded number of Lloyd iterations from given centres, stopping when the
  total squared centre shift falls below ``tol * mean(column variances)`` (scikit-learn's
  tolerance).

Both are pure and jit-compatible. The number of centres ``K`` is static; ``k_active`` (traced)
says how many of them are in use: centres ``k_active .. K - 1`` are ignored, which lets one
compiled program serve every ``K' <= K`` (used by :func:`jaxgauss.select_gmm`).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

__all__ = ["kmeans_plusplus", "lloyd", "nearest"]


def _sq_dist(x: jax.Array, x_sq: jax.Array, centers: jax.Array) -> jax.Array:
    """Squared distances ``(n, K)`` by the expansion ``|x|^2 - 2 x.c + |c|^2``, clipped at 0."""
    c_sq = jnp.sum(centers * centers, axis=1)
    return jnp.maximum(x_sq[:, None] - 2.0 * (x @ centers.T) + c_sq[None, :], 0.0)


def nearest(x: jax.Array, centers: jax.Array, k_active: jax.Array) -> jax.Array:
    """Index of the nearest active centre for each row, ``(n,)`` int32."""
    d2 = _sq_dist(x, jnp.sum(x * x, axis=1), centers)
    d2 = jnp.where(jnp.arange(centers.shape[0]) < k_active, d2, jnp.inf)
    return jnp.argmin(d2, axis=1).astype(jnp.int32)


def kmeans_plusplus(
    key: jax.Array, x: jax.Array, w: jax.Array, n_clusters: int, k_active: jax.Array | None = None
) -> tuple[jax.Array, jax.Array]:
    """Greedy k-means++ seeding.

    Args:
      key: PRNG key.
      x: ``(n, d)`` data.
      w: ``(n,)`` non-negative frequency weights (rows of weight 0 are never chosen).
      n_clusters: ``K`` (static).
      k_active: number of centres actually wanted (traced, ``<= K``); the rest are filled
        by the same procedure but may be ignored. Defaults to ``K``.

    Returns:
      ``(centers (K, d), indices (K,))``: the chosen rows and their indices.
    """
    del k_active  # seeding is sequential: the first k_active centres do not depend on the rest
    n, _ = x.shape
    trials = 2 + int(math.log(n_clusters))
    x_sq = jnp.sum(x * x, axis=1)
    log_w = jnp.where(w > 0, jnp.log(jnp.where(w > 0, w, 1.0)), -jnp.inf)
    key0, key_rest = jax.random.split(key)
    first = jax.random.categorical(key0, log_w)
    d2 = jnp.maximum(x_sq - 2.0 * (x @ x[first]) + x_sq[first], 0.0)
    idx = jnp.zeros(n_clusters, jnp.int32).at[0].set(first.astype(jnp.int32))

    def body(j, carry):
        d2, idx = carry
        mass = w * d2  # rows already at a centre have mass 0
        # All rows at distance 0 (fewer distinct rows than K): fall back to the weights.
        mass = jnp.where(jnp.sum(mass) > 0, mass, w)
        # Inverse-CDF draws: one cumulative sum and `trials` uniforms (drawing Gumbel noise
        # for every row and trial cost about 5x more at n = 2e4).
        cdf = jnp.cumsum(mass)
        u = jax.random.uniform(jax.random.fold_in(key_rest, j), (trials,), cdf.dtype) * cdf[-1]
        u = jnp.minimum(u, jnp.nextafter(cdf[-1], 0.0))  # never past the last row with mass
        cand = jnp.minimum(jnp.searchsorted(cdf, u, side="right"), n - 1)
        cd2 = _sq_dist(x, x_sq, x[cand]).T  # (trials, n)
        new_d2 = jnp.minimum(d2[None, :], cd2)
        best = jnp.argmin(jnp.sum(w * new_d2, axis=1))
        return new_d2[best], idx.at[j].set(cand[best].astype(jnp.int32))

    _, idx = jax.lax.fori_loop(1, n_clusters, body, (d2, idx))
    return x[idx], idx


def lloyd(
    x: jax.Array,
    w: jax.Array,
    centers: jax.Array,
    k_active: jax.Array,
    *,
    max_iter: int = 30,
    tol: float = 1e-4,
) -> tuple[jax.Array, jax.Array]:
    """Weighted Lloyd iterations from ``centers``.

    Empty clusters keep their previous centre.

    Args:
      x: ``(n, d)`` data.
      w: ``(n,)`` frequency weights.
      centers: ``(K, d)`` starting centres.
      k_active: number of centres in use (traced).
      max_iter: maximum number of iterations (static).
      tol: relative tolerance on the squared centre shift.

    Returns:
      ``(centers (K, d), labels (n,))`` with labels the nearest active centre.
    """
    k = centers.shape[0]
    total = jnp.sum(w)
    mean = (w @ x) / total
    var = (w @ ((x - mean) ** 2)) / total
    threshold = tol * jnp.mean(var)

    def step(centers):
        labels = nearest(x, centers, k_active)
        onehot = jax.nn.one_hot(labels, k, dtype=x.dtype) * w[:, None]
        counts = jnp.sum(onehot, axis=0)
        sums = onehot.T @ x
        safe = jnp.where(counts > 0, counts, 1.0)
        return jnp.where((counts > 0)[:, None], sums / safe[:, None], centers)

    def cond(carry):
        _, shift, it = carry
        return (it < max_iter) & (shift > threshold)

    def body(carry):
        centers, _, it = carry
        new = step(centers)
        shift = jnp.sum(jnp.where((jnp.arange(k) < k_active)[:, None], (new - centers) ** 2, 0.0))
        return new, shift, it + 1

    centers, _, _ = jax.lax.while_loop(cond, body, (centers, jnp.asarray(jnp.inf, x.dtype), 0))
    return centers, nearest(x, centers, k_active)
