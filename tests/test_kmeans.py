"""k-means++ seeding and Lloyd iterations (jaxgauss.kmeans) against scikit-learn."""

import jax
import jax.numpy as jnp
import numpy as np
from sklearn.cluster import KMeans, kmeans_plusplus

from jaxgauss import kmeans

_seed = jax.jit(kmeans.kmeans_plusplus, static_argnums=3)  # compiled once per shape


def _blobs(seed=0, n_per=200, k=5, d=3, spread=0.3):
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-10, 10, (k, d))
    x = np.concatenate([c + spread * rng.standard_normal((n_per, d)) for c in centers])
    return x, centers


def _inertia(x, centers):
    d2 = ((x[:, None, :] - centers[None]) ** 2).sum(-1)
    return d2.min(1).sum()


def test_seeding_matches_sklearn_quality_on_average():
    # Overlapping data: the greedy D^2 seeding's inertia is a random variable; its mean over 40
    # keys must match scikit-learn's mean over 40 seeds within 4 standard errors.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((600, 2)) @ np.array([[2.0, 0.3], [0.0, 0.7]])
    w = jnp.ones(len(x))
    ours = [
        _inertia(x, np.asarray(_seed(jax.random.key(s), jnp.asarray(x), w, 8)[0]))
        for s in range(40)
    ]
    theirs = [_inertia(x, kmeans_plusplus(x, 8, random_state=s)[0]) for s in range(40)]
    se = np.sqrt(np.var(ours) / 40 + np.var(theirs) / 40)
    assert abs(np.mean(ours) - np.mean(theirs)) < 4 * se


def test_seeding_picks_one_row_per_separated_blob():
    x, _ = _blobs()
    for s in range(10):
        centers, idx = _seed(jax.random.key(s), jnp.asarray(x), jnp.ones(len(x)), 5)
        np.testing.assert_array_equal(np.asarray(centers), x[np.asarray(idx)])
        assert sorted(np.asarray(idx) // 200) == [0, 1, 2, 3, 4]


def test_seeding_never_picks_zero_weight_rows_and_survives_duplicates():
    x, _ = _blobs(n_per=50)
    w = np.ones(len(x))
    w[::2] = 0.0  # every other row carries no weight
    for s in range(10):
        _, idx = _seed(jax.random.key(s), jnp.asarray(x), jnp.asarray(w), 5)
        assert np.all(w[np.asarray(idx)] > 0)
    dup = np.repeat(x[:3], 20, axis=0)  # 3 distinct rows, 6 centres asked for
    centers, idx = _seed(jax.random.key(0), jnp.asarray(dup), jnp.ones(60), 6)
    assert np.all(np.isfinite(np.asarray(centers)))
    assert len({tuple(r) for r in np.asarray(centers)}) == 3


def test_lloyd_matches_sklearn_from_the_same_start():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((500, 3)) + np.repeat(rng.uniform(-2, 2, (4, 3)), 125, axis=0)
    start = x[[0, 130, 260, 390]]
    centers, labels = kmeans.lloyd(
        jnp.asarray(x), jnp.ones(500), jnp.asarray(start), jnp.asarray(4), max_iter=300
    )
    ref = KMeans(4, init=start, n_init=1, max_iter=300, tol=1e-4, algorithm="lloyd").fit(x)
    np.testing.assert_allclose(np.asarray(centers), ref.cluster_centers_, rtol=1e-6, atol=1e-8)
    np.testing.assert_array_equal(np.asarray(labels), ref.labels_)
