"""Dataset generators: structure and moments against scikit-learn's generators and closed forms.

Different random number generators make bit-for-bit agreement impossible, so each test checks
what both implementations guarantee: exact counts and orderings that depend on no random draw,
exact algebraic relations (redundant columns are linear combinations, repeated columns are
copies, ``y = X @ coef + bias``, singular values follow the closed-form profile) and moments
within a few standard errors computed from ``n`` (fixed keys, never re-rolled).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from sklearn import datasets as skd

from jaxgauss import datasets as ds

KEY = jax.random.key(0)
Z = 5.0  # standard errors allowed in the statistical checks


def _np(*arrays):
    return tuple(np.asarray(a) for a in arrays)


def test_load_wine_unchanged():
    t = ds.load_wine()
    assert t.data.shape == (178, 13) and t.target.shape == (178,)
    np.testing.assert_array_equal(t.data, skd.load_wine().data)


def test_load_breast_cancer_matches_sklearn_copy():
    t = ds.load_breast_cancer()
    sk = skd.load_breast_cancer()
    assert t.data.shape == (569, 30) and t.data.dtype == np.float64
    np.testing.assert_array_equal(t.data, sk.data)
    np.testing.assert_array_equal(t.target, sk.target)
    assert t.feature_names == tuple(n.replace(" ", "_") for n in sk.feature_names)
    assert t.target_name == "benign" and np.bincount(t.target).tolist() == [212, 357]


# ---------------------------------------------------------------------------------------------
# make_blobs


@pytest.mark.parametrize(
    ("n_samples", "centers"), [(103, 4), ([5, 0, 86, 12], None)], ids=["int", "per-center"]
)
def test_blobs_counts_and_order_match_sklearn(n_samples, centers):
    x, y = _np(*ds.make_blobs(KEY, n_samples, 3, centers=centers, shuffle=False))
    sx, sy = skd.make_blobs(n_samples, 3, centers=centers, shuffle=False, random_state=0)
    assert x.shape == sx.shape
    np.testing.assert_array_equal(y, sy)  # counts and grouping depend on no random draw
    assert y.dtype.kind == "i"


def _check_cluster_moments(x, y, centers, stds):
    for k, (c, s) in enumerate(zip(centers, stds, strict=True)):
        xk = x[y == k]
        n = xk.shape[0]
        assert np.max(np.abs(xk.mean(0) - c)) < Z * s / np.sqrt(n)
        assert np.max(np.abs(xk.std(0, ddof=1) - s)) < Z * s / np.sqrt(2 * (n - 1))


def test_blobs_cluster_means_and_stds():
    counts = [3000, 2000, 4000]
    centers = np.array([[0.0, 1.0, -2.0], [5.0, 5.0, 5.0], [-4.0, 0.5, 9.0]])
    stds = np.array([0.5, 1.0, 2.0])
    x, y, c = _np(
        *ds.make_blobs(KEY, counts, centers=centers, cluster_std=stds, return_centers=True)
    )
    np.testing.assert_array_equal(c, centers)
    np.testing.assert_array_equal(np.bincount(y), counts)
    _check_positions_uniform(y)  # shuffled
    _check_cluster_moments(x, y, centers, stds)
    # The same check holds for scikit-learn's generator (the tolerance is not ours alone).
    sx, sy = skd.make_blobs(counts, centers=centers, cluster_std=stds, random_state=0)
    _check_cluster_moments(sx, sy, centers, stds)


def test_blobs_drawn_centers_uniform_in_box():
    x, y, c = _np(
        *ds.make_blobs(KEY, 400, 2, centers=200, center_box=(-3.0, 5.0), return_centers=True)
    )
    assert c.shape == (200, 2) and np.all((c >= -3.0) & (c < 5.0))
    assert stats.kstest(c.ravel(), stats.uniform(-3.0, 8.0).cdf).pvalue > 1e-3
    np.testing.assert_array_equal(np.bincount(y), np.full(200, 2))


def _check_positions_uniform(y):
    """Each label's mean row index is (n - 1) / 2 within a few standard errors."""
    n = y.shape[0]
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        se = np.sqrt((n**2 - 1) / 12 / idx.size)  # with replacement: an upper bound
        assert abs(idx.mean() - (n - 1) / 2) < Z * se


def test_blobs_shuffle_spreads_the_labels():
    _, y0 = _np(*ds.make_blobs(KEY, 103, 3, centers=4, shuffle=False))
    _, y1 = _np(*ds.make_blobs(KEY, 103, 3, centers=4, shuffle=True))
    np.testing.assert_array_equal(np.bincount(y1), np.bincount(y0))
    assert np.all(np.diff(y0) >= 0) and np.any(np.diff(y1) < 0)
    _check_positions_uniform(y1)


def test_blobs_zero_std_and_float32():
    centers = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    x, y = ds.make_blobs(KEY, 10, centers=centers, cluster_std=np.array(0.0), dtype=jnp.float32)
    assert x.dtype == jnp.float32
    np.testing.assert_array_equal(np.asarray(x), centers[np.asarray(y)])


def test_blobs_reproducible_and_compiled_once():
    first = ds.make_blobs(KEY, [20, 30, 40, 13], 3)
    size = ds._blobs._cache_size()
    again = ds.make_blobs(KEY, [20, 30, 40, 13], 3)
    other_counts = ds.make_blobs(KEY, [13, 40, 30, 20], 3)  # same total: traced boundaries
    assert ds._blobs._cache_size() == size
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(np.bincount(np.asarray(other_counts[1])), [13, 40, 30, 20])
    other_key = ds.make_blobs(jax.random.key(1), [20, 30, 40, 13], 3)
    assert not np.array_equal(first[0], other_key[0])


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_samples": 0}, ValueError, "n_samples must be an integer >= 1; got 0"),
        ({"n_samples": 10.0}, TypeError, "n_samples must be an integer >= 1 or a sequence"),
        ({"n_samples": [1.5, 2.0]}, TypeError, "n_samples must be an integer >= 1 or a non-empty"),
        ({"n_samples": [3, -1]}, ValueError, "non-negative with a positive total"),
        ({"n_samples": [0, 0]}, ValueError, "non-negative with a positive total"),
        ({"n_features": 0}, ValueError, "n_features must be an integer >= 1; got 0"),
        ({"centers": 0}, ValueError, "centers must be an integer >= 1; got 0"),
        ({"centers": 2.5}, TypeError, "centers must be an integer or an array"),
        ({"centers": [1.0, 2.0]}, ValueError, "centers must have 2 dimension"),
        ({"centers": [[np.nan, 1.0]]}, ValueError, "centers must be finite"),
        ({"n_samples": [3, 4], "centers": 2}, ValueError, "centers must be None or an array"),
        ({"n_samples": [3, 4], "centers": [[0.0, 0.0]]}, ValueError, "one row per entry"),
        ({"cluster_std": -1.0}, ValueError, r"cluster_std must be a finite number in \[0"),
        ({"cluster_std": [1.0, 2.0]}, ValueError, r"one entry per center \(3,\)"),
        ({"cluster_std": [1.0, -2.0, 1.0]}, ValueError, "cluster_std must be non-negative"),
        ({"center_box": (1.0,)}, ValueError, "center_box must be a .low, high. pair"),
        ({"center_box": (2.0, 1.0)}, ValueError, "center_box must satisfy low <= high"),
        ({"center_box": (0.0, np.inf)}, ValueError, r"center_box\[1\] must be a finite"),
        ({"shuffle": 1}, TypeError, "shuffle must be a bool; got 1"),
        ({"return_centers": "yes"}, TypeError, "return_centers must be a bool"),
        ({"dtype": jnp.int32}, TypeError, "dtype must be a floating dtype"),
    ],
)
def test_blobs_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ds.make_blobs(KEY, **kwargs)


def test_bad_key_is_rejected():
    with pytest.raises(TypeError, match="key must be a PRNG key"):
        ds.make_blobs(0)
    with pytest.raises(TypeError, match="key must be a PRNG key"):
        ds.make_classification(np.zeros(3))
    with pytest.raises(TypeError, match="key must be a PRNG key"):
        ds.make_regression("seed")


# ---------------------------------------------------------------------------------------------
# make_classification

# One static configuration (and one compiled program) shared by most classification tests:
# 4 informative, 3 redundant, 2 repeated and 3 useless columns; 3 classes x 2 clusters.
CLS = dict(n_features=12, n_informative=4, n_redundant=3, n_repeated=2, n_classes=3)
N_CLS = 3001  # odd, so that the rows left over by the weights are spread as in sklearn


@pytest.mark.parametrize("weights", [None, [0.2, 0.5, 0.3], [0.1, 0.3], [0.6, 0.7, 0.2]], ids=str)
def test_classification_class_counts_match_sklearn(weights):
    _, y = ds.make_classification(KEY, N_CLS, weights=weights, flip_y=0.0, shuffle=False, **CLS)
    _, sy = skd.make_classification(N_CLS, weights=weights, flip_y=0.0, random_state=0, **CLS)
    np.testing.assert_array_equal(np.bincount(np.asarray(y), minlength=3), np.bincount(sy))


def _cluster_labels(n, weights, n_classes, per_class):
    """The label of each row before flipping when rows are not shuffled (no random draw)."""
    k = n_classes * per_class
    counts = [int(n * weights[j % n_classes] / per_class) for j in range(k)]
    for t in range(n - sum(counts)):
        counts[t % k] += 1
    return np.repeat(np.arange(k), counts)


def test_classification_flip_y_fraction():
    n, flip = N_CLS, 0.3
    _, y = ds.make_classification(KEY, n, flip_y=flip, shuffle=False, **CLS)
    clusters = _cluster_labels(n, [1 / 3] * 3, 3, 2)
    changed = np.mean(np.asarray(y) != clusters % 3)
    expected = flip * (1 - 1 / 3)  # a redrawn label keeps its class with probability 1/3
    assert abs(changed - expected) < Z * np.sqrt(expected * (1 - expected) / n)
    # scikit-learn's generator obeys the same closed form.
    _, sy = skd.make_classification(n, flip_y=flip, shuffle=False, random_state=0, **CLS)
    sk_changed = np.mean(sy != clusters % 3)
    assert abs(sk_changed - expected) < Z * np.sqrt(expected * (1 - expected) / n)


def _relative_residual(a, b):
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    return np.linalg.norm(b - a @ coef) / np.linalg.norm(b)


def test_classification_column_structure():
    kw = dict(flip_y=0.0, **CLS)
    n = N_CLS
    x = np.asarray(ds.make_classification(KEY, n, shuffle=False, **kw)[0])
    inf, red, rep, useless = x[:, :4], x[:, 4:7], x[:, 7:9], x[:, 9:]
    assert np.linalg.matrix_rank(x[:, :7]) == 4
    assert _relative_residual(inf, red) < 1e-12  # redundant = linear combinations
    for j in range(2):  # repeated = exact copies of informative or redundant columns
        assert any(np.array_equal(rep[:, j], x[:, i]) for i in range(7))
    assert np.max(np.abs(useless.mean(0))) < Z / np.sqrt(n)
    assert np.max(np.abs(useless.std(0, ddof=1) - 1)) < Z / np.sqrt(2 * (n - 1))
    corr = np.corrcoef(np.column_stack([inf, useless]).T)[:4, 4:]
    assert np.max(np.abs(corr)) < Z / np.sqrt(n)
    assert np.linalg.matrix_rank(x) == 7
    # Shuffled rows and columns keep the relations; the rank is scikit-learn's too.
    xs, ys = _np(*ds.make_classification(KEY, n, shuffle=True, **kw))
    _check_positions_uniform(ys)
    assert np.linalg.matrix_rank(xs) == 7
    copies = sum(np.array_equal(xs[:, a], xs[:, b]) for a in range(12) for b in range(a + 1, 12))
    assert copies >= 2
    assert np.linalg.matrix_rank(skd.make_classification(n, random_state=0, **kw)[0]) == 7


def test_classification_centroids_are_distinct_hypercube_vertices():
    n, sep = 8000, 3.0
    kw = dict(n_features=3, n_informative=3, n_redundant=0, n_classes=2, n_clusters_per_class=4)
    x, y = _np(*ds.make_classification(KEY, n, flip_y=0.0, class_sep=sep, shuffle=False, **kw))
    clusters = _cluster_labels(n, [0.5, 0.5], 2, 4)
    np.testing.assert_array_equal(y, clusters % 2)
    signs = set()
    for k in range(8):
        xk = x[clusters == k]
        se = xk.std(0, ddof=1) / np.sqrt(xk.shape[0])
        mean = xk.mean(0)
        assert np.all(np.abs(np.abs(mean) - sep) < Z * se)
        signs.add(tuple(np.sign(mean)))
    assert len(signs) == 8  # all 8 vertices of the cube, one per cluster

    # hypercube=False shrinks each centroid and axis by uniform factors in [0, 1).
    x, _ = _np(
        *ds.make_classification(
            KEY, n, flip_y=0.0, class_sep=sep, shuffle=False, hypercube=False, **kw
        )
    )
    means = np.array([x[clusters == k].mean(0) for k in range(8)])
    assert np.all(np.abs(means) < sep + 0.2) and np.min(np.abs(means)) < 0.8 * sep


@pytest.mark.parametrize(("k", "m"), [(8, 3), (6, 35)])
def test_distinct_vertices(k, m):
    v = np.asarray(ds._distinct_vertices(KEY, k, m))
    assert v.shape == (k, m) and set(np.unique(v)) <= {0, 1}
    assert len({tuple(r) for r in v}) == k


def test_distinct_vertices_uniform_subsets():
    # Floyd's algorithm: every 2-subset of the 4 vertices of a square is equally likely.
    keys = jax.random.split(KEY, 3000)
    v = np.asarray(jax.vmap(lambda key: ds._distinct_vertices(key, 2, 2))(keys))
    codes = v[..., 0] + 2 * v[..., 1]
    pairs = np.sort(codes, axis=1)
    counts = np.unique(pairs[:, 0] * 4 + pairs[:, 1], return_counts=True)[1]
    assert counts.size == 6
    assert stats.chisquare(counts).pvalue > 1e-3
    assert stats.binomtest(int(np.sum(codes[:, 0] < codes[:, 1])), 3000).pvalue > 1e-3


def test_classification_shift_and_scale():
    base = dict(flip_y=0.0, shuffle=False, **CLS)
    x0 = np.asarray(ds.make_classification(KEY, N_CLS, shift=0.0, scale=1.0, **base)[0])
    shift = np.linspace(-2.0, 3.0, 12)
    scale = np.linspace(0.5, 4.0, 12)
    x1 = np.asarray(ds.make_classification(KEY, N_CLS, shift=shift, scale=scale, **base)[0])
    np.testing.assert_allclose(x1, (x0 + shift) * scale, rtol=1e-13, atol=1e-13)
    # None: per-column shift uniform in [-class_sep, class_sep), scale uniform in [1, 101).
    x2 = np.asarray(
        ds.make_classification(KEY, N_CLS, shift=None, scale=1.0, class_sep=2.0, **base)[0]
    )
    # class_sep also moves the centroids: compare with unshifted data of the same class_sep.
    x0_sep2 = np.asarray(
        ds.make_classification(KEY, N_CLS, shift=0.0, scale=1.0, class_sep=2.0, **base)[0]
    )
    drawn = x2 - x0_sep2
    np.testing.assert_allclose(drawn, np.broadcast_to(drawn[0], drawn.shape), atol=1e-12)
    assert np.all(np.abs(drawn[0]) <= 2.0)
    x3 = np.asarray(ds.make_classification(KEY, N_CLS, shift=0.0, scale=None, **base)[0])
    ratio = x3 / x0
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[0], ratio.shape), rtol=1e-12)
    assert np.all((ratio[0] >= 1.0) & (ratio[0] < 101.0))


def test_classification_float32_and_compiled_once():
    x, y = ds.make_classification(KEY, 300, dtype=jnp.float32, **CLS)
    assert x.dtype == jnp.float32 and y.shape == (300,)
    size = ds._classification._cache_size()
    ds.make_classification(KEY, 300, dtype=jnp.float32, **CLS)
    ds.make_classification(
        jax.random.key(5), 300, dtype="float32", weights=[0.5, 0.25], flip_y=0.2, **CLS
    )
    assert ds._classification._cache_size() == size


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_samples": -3}, ValueError, "n_samples must be an integer >= 1; got -3"),
        ({"n_informative": 0}, ValueError, "n_informative must be an integer >= 1; got 0"),
        ({"n_redundant": 1.0}, TypeError, "n_redundant must be an integer >= 0"),
        ({"n_repeated": -1}, ValueError, "n_repeated must be an integer >= 0; got -1"),
        ({"n_classes": 0}, ValueError, "n_classes must be an integer >= 1"),
        ({"n_clusters_per_class": True}, TypeError, "n_clusters_per_class must be an integer"),
        ({"n_features": 3}, ValueError, r"n_repeated \(= 2 \+ 2 \+ 0 = 4\) must be at most"),
        ({"n_classes": 3}, ValueError, r"\(= 3 \* 2 = 6\) must be at most 2\*\*n_informative"),
        ({"weights": [0.2, 0.3, 0.5]}, ValueError, r"weights must have n_classes \(2\) or"),
        ({"weights": [[0.5, 0.5]]}, ValueError, "weights must have n_classes"),
        ({"weights": [0.5, -0.1]}, ValueError, "weights must be finite and non-negative"),
        ({"weights": [np.nan]}, ValueError, "weights must be finite and non-negative"),
        ({"weights": ["a", "b"]}, TypeError, "weights must be a sequence of numbers"),
        ({"weights": [1.5]}, ValueError, "inferred weight of the last class would be negative"),
        ({"flip_y": 1.5}, ValueError, r"flip_y must be a finite number in \[0, 1\]; got 1.5"),
        ({"class_sep": 0.0}, ValueError, r"class_sep must be a finite number in \(0, inf\)"),
        ({"hypercube": None}, TypeError, "hypercube must be a bool"),
        ({"shift": [1.0, 2.0]}, ValueError, r"shift must be .* shape \(n_features,\) = \(20,\)"),
        ({"shift": np.inf}, ValueError, "shift must be a finite number"),
        ({"scale": 0.0}, ValueError, r"scale must be a finite number in \(0, inf\)"),
        ({"scale": np.full(20, np.nan)}, ValueError, "scale must be finite"),
        ({"shuffle": "no"}, TypeError, "shuffle must be a bool"),
    ],
)
def test_classification_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ds.make_classification(KEY, **kwargs)


# ---------------------------------------------------------------------------------------------
# make_regression and make_low_rank_matrix


def _profile(r, effective_rank, tail_strength):
    i = np.arange(r, dtype=np.float64)
    low = (1 - tail_strength) * np.exp(-((i / effective_rank) ** 2))
    return low + tail_strength * np.exp(-0.1 * i / effective_rank)


@pytest.mark.parametrize("n_targets", [1, 3])
def test_regression_exact_without_noise(n_targets):
    x, y, w = _np(
        *ds.make_regression(
            KEY, 2000, 12, n_informative=5, n_targets=n_targets, bias=2.5, coef=True
        )
    )
    assert x.shape == (2000, 12)
    assert y.shape == ((2000,) if n_targets == 1 else (2000, n_targets))
    assert w.shape == ((12,) if n_targets == 1 else (12, n_targets))
    np.testing.assert_allclose(y, x @ w + 2.5, rtol=1e-13, atol=1e-12)
    w2 = w.reshape(12, n_targets)
    np.testing.assert_array_equal(np.count_nonzero(w2, axis=0), 5)
    assert np.all((w2 >= 0) & (w2 < 100))
    # The informative rows are the same ones in every target column.
    np.testing.assert_array_equal(np.count_nonzero(w2, axis=1) % n_targets, 0)


def test_regression_unshuffled_layout_and_x_moments():
    n, d = 2000, 12
    x, _, w = _np(*ds.make_regression(KEY, n, d, n_informative=5, shuffle=False, coef=True))
    assert np.all(w[:5] > 0) and np.all(w[5:] == 0)
    assert np.max(np.abs(x.mean(0))) < Z / np.sqrt(n)
    assert np.max(np.abs(x.std(0, ddof=1) - 1)) < Z / np.sqrt(2 * (n - 1))
    # n_informative above n_features is capped, as in scikit-learn.
    _, _, w = _np(*ds.make_regression(KEY, n, d, n_informative=50, coef=True))
    _, _, sw = skd.make_regression(n, d, n_informative=50, coef=True, random_state=0)
    assert np.count_nonzero(w) == np.count_nonzero(sw) == d


def test_regression_shuffle_places_informative_columns_uniformly():
    reps, d, k = 60, 12, 5
    hits = np.zeros(d)
    for seed in range(reps):
        _, _, w = ds.make_regression(jax.random.key(seed), 2000, d, n_informative=k, coef=True)
        hits += np.asarray(w) != 0
    p = k / d
    assert np.all(np.abs(hits / reps - p) < Z * np.sqrt(p * (1 - p) / reps))


def test_regression_noise_std():
    n, noise = 2000, 3.0
    x, y, w = _np(*ds.make_regression(KEY, n, 12, n_informative=5, noise=noise, coef=True))
    r = y - x @ w
    assert abs(r.mean()) < Z * noise / np.sqrt(n)
    assert abs(r.std(ddof=1) - noise) < Z * noise / np.sqrt(2 * (n - 1))


def test_regression_effective_rank_profile():
    # Shuffled rows and columns keep the singular values.
    kw = dict(n_informative=5, effective_rank=4, tail_strength=0.3)
    x, y, w = _np(*ds.make_regression(KEY, 2000, 12, coef=True, **kw))
    s = np.linalg.svd(x, compute_uv=False)
    np.testing.assert_allclose(s, _profile(12, 4, 0.3), rtol=0, atol=1e-12)
    np.testing.assert_allclose(y, x @ w, rtol=1e-12, atol=1e-12)
    # scikit-learn's X has the same singular values (its construction is the same formula).
    sx, _ = skd.make_regression(2000, 12, random_state=0, **kw)
    np.testing.assert_allclose(np.linalg.svd(sx, compute_uv=False), s, rtol=0, atol=1e-12)


def test_make_low_rank_matrix_profile_and_float32():
    x = np.asarray(ds.make_low_rank_matrix(KEY, 20, 30, effective_rank=5, tail_strength=0.1))
    assert x.shape == (20, 30)
    s = np.linalg.svd(x, compute_uv=False)
    np.testing.assert_allclose(s, _profile(20, 5, 0.1), atol=1e-12)
    sk = skd.make_low_rank_matrix(20, 30, effective_rank=5, tail_strength=0.1, random_state=0)
    np.testing.assert_allclose(np.linalg.svd(sk, compute_uv=False), s, atol=1e-12)
    x32 = ds.make_low_rank_matrix(KEY, 20, 30, effective_rank=5, dtype=jnp.float32)
    assert x32.dtype == jnp.float32
    # float32 QR and matmul: errors of a few eps32 times sqrt(r) on values of order one.
    s32 = np.linalg.svd(np.asarray(x32, np.float64), compute_uv=False)
    np.testing.assert_allclose(s32, _profile(20, 5, 0.5), atol=1e-5)


def test_regression_compiled_once():
    ds.make_regression(KEY, 2000, 12, noise=1.0)
    size = ds._regression._cache_size()
    ds.make_regression(jax.random.key(3), 2000, 12, n_informative=3, noise=2.0, bias=-1.0)
    assert ds._regression._cache_size() == size


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"n_samples": 0}, ValueError, "n_samples must be an integer >= 1; got 0"),
        ({"n_features": 2.0}, TypeError, "n_features must be an integer >= 1"),
        ({"n_informative": -1}, ValueError, "n_informative must be an integer >= 0; got -1"),
        ({"n_targets": 0}, ValueError, "n_targets must be an integer >= 1; got 0"),
        ({"bias": np.nan}, ValueError, r"bias must be a finite number in \(-inf, inf\)"),
        ({"bias": "1"}, TypeError, "bias must be a real number"),
        ({"effective_rank": 0}, ValueError, "effective_rank must be an integer >= 1; got 0"),
        ({"effective_rank": 2.5}, TypeError, "effective_rank must be an integer >= 1"),
        ({"tail_strength": 1.5}, ValueError, r"tail_strength must be a finite number in \[0, 1\]"),
        ({"noise": -0.1}, ValueError, r"noise must be a finite number in \[0, inf\)"),
        ({"shuffle": 0}, TypeError, "shuffle must be a bool"),
        ({"coef": "true"}, TypeError, "coef must be a bool"),
        ({"dtype": "bogus"}, TypeError, "dtype must be a floating dtype"),
    ],
)
def test_regression_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ds.make_regression(KEY, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"effective_rank": 0}, ValueError, "effective_rank must be an integer >= 1; got 0"),
        ({"tail_strength": -0.5}, ValueError, "tail_strength must be a finite number"),
        ({"n_features": None}, TypeError, "n_features must be an integer >= 1"),
    ],
)
def test_low_rank_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ds.make_low_rank_matrix(KEY, **kwargs)


def test_generators_vmap_over_keys():
    # Many datasets at once: vmap over keys gives each key's eager result.
    keys = jax.random.split(KEY, 3)

    def one(key):
        return ds.make_classification(key, 50, n_features=6, n_informative=3, n_classes=3)

    xs, ys = jax.vmap(one)(keys)
    for b in range(3):
        x, y = one(keys[b])
        np.testing.assert_allclose(xs[b], x, rtol=1e-13, atol=1e-13)
        np.testing.assert_array_equal(ys[b], y)
