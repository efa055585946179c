"""Bundled real tables and on-device synthetic dataset generators.

Real tables:

``wine``: the UCI Wine recognition data (178 wines from three cultivars, 13 chemical
measurements), Forina et al., PARVUS; UCI Machine Learning Repository,
https://archive.ics.uci.edu/dataset/109/wine, licensed CC BY 4.0.

``breast_cancer``: the UCI Breast Cancer Wisconsin (Diagnostic) data (569 tumours, 30
features of cell nuclei, benign or malignant), Wolberg, Street and Mangasarian (1995); UCI
Machine Learning Repository, https://archive.ics.uci.edu/dataset/17, licensed CC BY 4.0.

Sources, licences and changes: ``data/README.md``.

Generators: :func:`make_blobs`, :func:`make_classification`, :func:`make_regression` and
:func:`make_low_rank_matrix` follow the parameter names, defaults and semantics of the
scikit-learn functions of the same names, with two differences: a PRNG ``key`` (first
positional argument) replaces ``random_state``, and the results are JAX arrays generated on
the default device. They cannot reproduce scikit-learn's numbers (a different random number
generator), only its distributions and structure.

Every argument is validated eagerly, before anything is compiled. Those that shape the
output (sample, feature, target, class and cluster counts, the number of centers, the dtype)
and the two switches that change the work done (``shuffle``, and ``effective_rank`` being
``None`` or not) are static arguments of the jitted cores; everything else (centers, standard
deviations, per-center counts and class weights turned into cluster boundaries, ``flip_y``,
``class_sep``, ``hypercube``, ``shift``, ``scale``, ``n_informative`` of
:func:`make_regression`, ``bias``, ``noise``, ``effective_rank``, ``tail_strength``) is
traced, so calls that differ only in those values reuse one compiled program.

The generators are not row streams (see :mod:`jaxgauss.random`): cluster sizes and the
shuffle couple all rows, so the data depend on ``n_samples`` as a whole, as in scikit-learn.
"""

from __future__ import annotations

import csv
import functools
import math
import numbers
from collections.abc import Sequence
from importlib import resources
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks
from jaxgauss import random as _random

__all__ = [
    "Table",
    "load_breast_cancer",
    "load_wine",
    "make_blobs",
    "make_classification",
    "make_low_rank_matrix",
    "make_regression",
]


class Table(NamedTuple):
    """A bundled table: ``data`` ``(n_samples, n_features)`` float64, column names, target."""

    data: np.ndarray
    feature_names: tuple[str, ...]
    target: np.ndarray
    target_name: str


def load_wine() -> Table:
    """The UCI Wine table: 178 rows, 13 numeric features, cultivar (0, 1, 2) as target."""
    text = resources.files("jaxgauss").joinpath("data/wine.csv").read_text()
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], np.asarray(rows[1:], dtype=np.float64)
    return Table(body[:, :-1], tuple(header[:-1]), body[:, -1].astype(np.int64), header[-1])


def load_breast_cancer() -> Table:
    """The UCI Breast Cancer Wisconsin (Diagnostic) table: 569 rows, 30 numeric features.

    The target ``benign`` is 1 for benign and 0 for malignant tumours (212 malignant, 357
    benign), as in scikit-learn's copy.
    """
    text = resources.files("jaxgauss").joinpath("data/breast_cancer.csv").read_text()
    rows = list(csv.reader(text.splitlines()))
    header, body = rows[0], np.asarray(rows[1:], dtype=np.float64)
    return Table(body[:, :-1], tuple(header[:-1]), body[:, -1].astype(np.int64), header[-1])


# ---------------------------------------------------------------------------------------------
# Eager validation helpers (host side, before anything is compiled).

# Largest number of elements of gathered per-row matrices held at once by
# _per_cluster_matmul (bounds its memory to a few tens of MB whatever n_samples is).
_GATHER_ELEMENTS = 1 << 22

# Matmuls in the generators run at full precision: on accelerators the default float32
# precision may use bfloat16/TF32 passes, which would make y != X @ coef to ~1e-3.
_HIGHEST = jax.lax.Precision.HIGHEST


def _is_int(x: Any) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_)


def _check_count(n: Any, name: str, minimum: int) -> int:
    """``n`` as a Python int, raising unless it is an integer ``>= minimum``."""
    if not _is_int(n):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {n!r} ({type(n).__name__})")
    if n < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {n}")
    return int(n)


def _check_bool(x: Any, name: str) -> bool:
    if not isinstance(x, bool | np.bool_):
        raise TypeError(f"{name} must be a bool; got {x!r} ({type(x).__name__})")
    return bool(x)


def _check_real(
    x: Any,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
) -> float:
    """``x`` as a finite Python float in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    if isinstance(x, bool | np.bool_) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {x!r} ({type(x).__name__})")
    x = float(x)
    lo_bad = low is not None and (x <= low if low_open else x < low)
    hi_bad = high is not None and x > high
    if not math.isfinite(x) or lo_bad or hi_bad:
        lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low:g}"
        hi = "inf)" if high is None else f"{high:g}]"
        raise ValueError(f"{name} must be a finite number in {lo}, {hi}; got {x}")
    return x


def _float_dtype(dtype: Any) -> np.dtype:
    """The floating dtype of the results: JAX's default float when ``dtype`` is None."""
    if dtype is None:
        return np.dtype(jax.dtypes.canonicalize_dtype(jnp.float64))
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"dtype must be a floating dtype such as 'float32'; got {dtype!r}") from e
    if dt.kind != "f":
        raise TypeError(f"dtype must be a floating dtype such as 'float32'; got {dt}")
    return np.dtype(jax.dtypes.canonicalize_dtype(dt))


def _int_dtype() -> np.dtype:
    return np.dtype(jax.dtypes.canonicalize_dtype(jnp.int64))


def _per_feature(x: Any, name: str, n_features: int, dtype: Any, *, positive: bool) -> jax.Array:
    """A scalar or ``(n_features,)`` array, validated and broadcast to ``(n_features,)``."""
    if isinstance(x, numbers.Real) and not isinstance(x, bool | np.bool_):
        value = _check_real(x, name, low=0.0 if positive else None, low_open=positive)
        return jnp.full((n_features,), value, dtype)
    arr = _checks.as_float_array(x, name, dtype=dtype)
    if arr.shape != (n_features,):
        raise ValueError(
            f"{name} must be a number, None or an array of shape (n_features,) = "
            f"({n_features},); got shape {tuple(arr.shape)}"
        )
    _checks.check_finite(arr, name)
    return arr


def _boundaries(counts: Sequence[int]) -> jax.Array:
    """Cumulative row counts: cluster ``k`` owns rows ``bounds[k-1] .. bounds[k] - 1``."""
    return jnp.asarray(np.cumsum(np.asarray(counts, dtype=np.int64)), _int_dtype())


# ---------------------------------------------------------------------------------------------
# Device-side building blocks (called inside the jitted cores).


def _normal(key: jax.Array, shape: tuple[int, ...], dtype: Any) -> jax.Array:
    """Standard normals for the large draws, from a Philox key derived from ``key``.

    Philox-4x32 is JAX's fastest generator on CPU (about 2x threefry, see PERF-NOTES); the
    derivation is :mod:`jaxgauss.random`'s, so any key implementation works.
    """
    return jax.random.normal(_random._philox_key(key), shape, dtype)


def _cluster_of_rows(bounds: jax.Array, n_samples: int) -> jax.Array:
    """Cluster index of each row ``0 .. n_samples - 1`` given cumulative counts ``bounds``.

    The counts always add up to at least ``n_samples``; the clamp to the last cluster only
    keeps an index in range whatever happens.
    """
    rows = jnp.arange(n_samples, dtype=bounds.dtype)
    k = jnp.searchsorted(bounds, rows, side="right")
    return jnp.minimum(k, bounds.shape[0] - 1)


def _per_cluster_matmul(z: jax.Array, cluster: jax.Array, a: jax.Array) -> jax.Array:
    """Row ``r`` of the result is ``z[r] @ a[cluster[r]]``; ``z`` ``(n, i)``, ``a`` ``(K, i, j)``.

    Rows are processed in batches so that the gathered matrices never exceed
    ``_GATHER_ELEMENTS`` elements; the compiled program does not grow with ``K``.
    """
    n, i = z.shape
    j = a.shape[2]
    batch = max(1, min(n, _GATHER_ELEMENTS // max(1, i * j)))

    def one_row(args: tuple[jax.Array, jax.Array]) -> jax.Array:
        zr, c = args
        return jnp.matmul(zr, a[c], precision=_HIGHEST)

    return jax.lax.map(one_row, (z, cluster), batch_size=batch)


def _distinct_vertices(key: jax.Array, k: int, m: int) -> jax.Array:
    """``k`` distinct vertices of the unit hypercube ``{0, 1}**m``, uniformly at random.

    Floyd's algorithm draws a uniformly random ``k``-subset of ``range(2**min(m, 30))`` with
    ``k`` draws (no table of size ``2**m``); sorting by independent uniform keys then makes
    the order uniform. The binary digits of the chosen integers give the first
    ``min(m, 30)`` coordinates; any further coordinates are independent fair bits
    (distinctness is already guaranteed by the first 30). Requires ``k <= 2**m``.
    """
    low = min(m, 30)
    pop = 2**low
    k_floyd, k_rest = jax.random.split(key)

    def body(t: jax.Array, chosen: jax.Array) -> jax.Array:
        top = pop - k + t  # the j of Floyd's algorithm, from pop - k to pop - 1
        r = jax.random.randint(jax.random.fold_in(k_floyd, t), (), 0, top + 1, dtype=jnp.int32)
        return chosen.at[t].set(jnp.where(jnp.any(chosen == r), top, r))

    chosen = jax.lax.fori_loop(0, k, body, jnp.full((k,), -1, jnp.int32))
    # One draw serves the order keys (32-bit, ties have probability ~k**2 / 2**33) and the
    # extra fair bits.
    rest = jax.random.bits(k_rest, (k, 1 + m - low), jnp.uint32)
    chosen = chosen[jnp.argsort(rest[:, 0])]
    bits = (chosen[:, None] >> jnp.arange(low, dtype=jnp.int32)) & 1
    if m > low:
        bits = jnp.concatenate([bits, (rest[:, 1:] >> 31).astype(jnp.int32)], axis=1)
    return bits


def _split_uniforms(u: jax.Array, shapes: Sequence[tuple[int, ...]]) -> list[jax.Array]:
    """Cuts a flat draw into consecutive pieces of the given (static) shapes."""
    out, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        out.append(u[start : start + size].reshape(shape))
        start += size
    return out


def _singular_profile(r: int, effective_rank: jax.Array, tail_strength: jax.Array, dtype):
    """scikit-learn's singular-value profile of ``make_low_rank_matrix`` (length ``r``)."""
    idx = jnp.arange(r, dtype=dtype)
    low_rank = (1 - tail_strength) * jnp.exp(-((idx / effective_rank) ** 2))
    tail = tail_strength * jnp.exp(-0.1 * idx / effective_rank)
    return low_rank + tail


def _low_rank(key, effective_rank, tail_strength, n_samples: int, n_features: int, dtype):
    r = min(n_samples, n_features)
    k_u, k_v = jax.random.split(key)
    u, _ = jnp.linalg.qr(_normal(k_u, (n_samples, r), dtype))
    v, _ = jnp.linalg.qr(_normal(k_v, (n_features, r), dtype))
    s = _singular_profile(r, effective_rank, tail_strength, dtype)
    return jnp.matmul(u * s, v.T, precision=_HIGHEST)


# ---------------------------------------------------------------------------------------------
# make_blobs


@functools.partial(
    jax.jit, static_argnames=("n_samples", "n_features", "n_centers", "shuffle", "dtype")
)
def _blobs(key, centers, box, std, bounds, *, n_samples, n_features, n_centers, shuffle, dtype):
    k_centers, k_noise, k_perm = jax.random.split(key, 3)
    if centers is None:
        centers = jax.random.uniform(k_centers, (n_centers, n_features), dtype, box[0], box[1])
    labels = _cluster_of_rows(bounds, n_samples)
    if shuffle:
        # Rows are independent given their labels: shuffling the labels before drawing the
        # rows gives the distribution of shuffled rows, without moving (n, d) data around.
        labels = jax.random.permutation(k_perm, labels)
    noise = _normal(k_noise, (n_samples, n_features), dtype)
    x = centers[labels] + std[labels, None] * noise
    return x, labels.astype(_int_dtype()), centers


def make_blobs(
    key: Any,
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    *,
    centers: int | Any | None = None,
    cluster_std: float | Any = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    return_centers: bool = False,
    dtype: Any = None,
) -> tuple[jax.Array, ...]:
    """Isotropic Gaussian blobs, like ``sklearn.datasets.make_blobs``.

    Cluster ``k`` holds ``n_k`` rows drawn from ``N(centers[k], cluster_std[k]**2 I)``. With an
    integer ``n_samples`` the rows are split as evenly as possible, the first
    ``n_samples % n_centers`` clusters getting one more; a sequence gives the count of each
    cluster. Centers not given are drawn uniformly in ``center_box`` on every axis.

    Args:
      key: PRNG key (``jax.random.key(seed)``).
      n_samples: total number of rows (int >= 1), or the number of rows of each center
        (sequence of non-negative ints, total >= 1).
      n_features: number of columns when ``centers`` is not an array (then its width wins).
      centers: number of centers (int >= 1; default 3 when ``n_samples`` is an int), or their
        coordinates ``(n_centers, n_features)``; with a per-center ``n_samples``, ``None``
        (drawn) or an array with one row per entry.
      cluster_std: standard deviation of every cluster (number >= 0), or ``(n_centers,)``.
      center_box: ``(low, high)`` bounds of drawn centers.
      shuffle: shuffle the rows; otherwise they come grouped by cluster, in order.
      return_centers: also return the centers.
      dtype: floating dtype of ``X`` and the centers (default: JAX's default float; float64
        needs ``jax_enable_x64``, without it JAX gives float32).

    Returns:
      ``X`` ``(n_samples, n_features)``, ``y`` ``(n_samples,)`` integer cluster labels and, if
      ``return_centers``, the centers ``(n_centers, n_features)``.

    Raises:
      TypeError: wrong argument types (non-integer counts, non-bool flags, bad key).
      ValueError: out-of-range values or inconsistent lengths.

    Example:
      >>> import jax
      >>> from jaxgauss.datasets import make_blobs
      >>> X, y = make_blobs(jax.random.key(0), n_samples=10, centers=3, n_features=2)
      >>> X.shape, y.shape, sorted(set(y.tolist()))
      ((10, 2), (10,), [0, 1, 2])
    """
    key = _checks.check_key(key)
    dtype = _float_dtype(dtype)
    shuffle = _check_bool(shuffle, "shuffle")
    return_centers = _check_bool(return_centers, "return_centers")
    n_features = _check_count(n_features, "n_features", 1)
    if not isinstance(center_box, Sequence) or len(center_box) != 2:
        raise ValueError(f"center_box must be a (low, high) pair of numbers; got {center_box!r}")
    box_lo = _check_real(center_box[0], "center_box[0]")
    box_hi = _check_real(center_box[1], "center_box[1]")
    if box_lo > box_hi:
        raise ValueError(f"center_box must satisfy low <= high; got {center_box!r}")

    per_center: list[int] | None = None
    if _is_int(n_samples):
        n_total = _check_count(n_samples, "n_samples", 1)
    elif isinstance(n_samples, bool | np.bool_ | numbers.Number | str):
        raise TypeError(
            "n_samples must be an integer >= 1 or a sequence of per-center counts; got "
            f"{n_samples!r} ({type(n_samples).__name__})"
        )
    else:
        arr = np.asarray(n_samples)
        if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
            raise TypeError(
                "n_samples must be an integer >= 1 or a non-empty 1-D sequence of integers; "
                f"got {n_samples!r}"
            )
        if np.any(arr < 0) or arr.sum() < 1:
            raise ValueError(
                "n_samples as per-center counts must be non-negative with a positive total; "
                f"got {arr.tolist()}"
            )
        per_center = [int(c) for c in arr]
        n_total = sum(per_center)

    centers_arr = None
    if per_center is None:
        if centers is None:
            centers = 3
        if _is_int(centers):
            n_centers = _check_count(centers, "centers", 1)
    else:
        n_centers = len(per_center)
        if centers is not None and (_is_int(centers) or isinstance(centers, numbers.Number)):
            raise ValueError(
                "centers must be None or an array of shape (n_centers, n_features) when "
                f"n_samples lists per-center counts; got {centers!r}"
            )
    if centers is not None and not _is_int(centers):
        if isinstance(centers, bool | np.bool_ | numbers.Number):
            raise TypeError(f"centers must be an integer or an array; got {centers!r}")
        centers_arr = _checks.as_float_array(centers, "centers", ndim=2, dtype=dtype)
        if centers_arr.shape[0] < 1 or centers_arr.shape[1] < 1:
            raise ValueError(f"centers must not be empty; got shape {tuple(centers_arr.shape)}")
        _checks.check_finite(centers_arr, "centers")
        if per_center is not None and centers_arr.shape[0] != n_centers:
            raise ValueError(
                f"centers must have one row per entry of n_samples ({n_centers}); got "
                f"{centers_arr.shape[0]} rows"
            )
        n_centers, n_features = (int(s) for s in centers_arr.shape)

    if isinstance(cluster_std, numbers.Real) and not isinstance(cluster_std, bool | np.bool_):
        std = jnp.full((n_centers,), _check_real(cluster_std, "cluster_std", low=0.0), dtype)
    else:
        std = _checks.as_float_array(cluster_std, "cluster_std", dtype=dtype)
        if std.ndim == 0:  # a 0-d array counts as a number
            std = jnp.broadcast_to(std, (n_centers,))
        if std.shape != (n_centers,):
            raise ValueError(
                f"cluster_std must be a number or have one entry per center ({n_centers},); "
                f"got shape {tuple(std.shape)}"
            )
        _checks.check_finite(std, "cluster_std")
        if _checks.is_concrete(std) and np.any(np.asarray(std) < 0):
            raise ValueError(f"cluster_std must be non-negative; got {np.asarray(std).tolist()}")

    if per_center is None:
        base, extra = divmod(n_total, n_centers)
        per_center = [base + 1] * extra + [base] * (n_centers - extra)

    x, y, c = _blobs(
        key,
        centers_arr,
        jnp.asarray([box_lo, box_hi], dtype),
        std,
        _boundaries(per_center),
        n_samples=n_total,
        n_features=n_features,
        n_centers=n_centers,
        shuffle=shuffle,
        dtype=dtype,
    )
    return (x, y, c) if return_centers else (x, y)


# ---------------------------------------------------------------------------------------------
# make_classification


@functools.partial(
    jax.jit,
    static_argnames=(
        "n_samples",
        "n_features",
        "n_informative",
        "n_redundant",
        "n_repeated",
        "n_classes",
        "n_clusters_per_class",
        "shuffle",
        "dtype",
    ),
)
def _classification(
    key,
    bounds,
    flip_y,
    class_sep,
    hypercube,
    shift,
    scale,
    random_shift,
    random_scale,
    *,
    n_samples,
    n_features,
    n_informative,
    n_redundant,
    n_repeated,
    n_classes,
    n_clusters_per_class,
    shuffle,
    dtype,
):
    # hypercube, random_shift and random_scale are traced booleans: the few extra uniforms
    # they need are always drawn, which costs less than one compiled program per setting.
    # Few random call sites (each costs compile time): one draw of all the small uniform
    # parameters, one of all the normal columns, one of the per-row label uniforms.
    k_vertices, k_small, k_normal, k_labels, k_rows, k_cols = jax.random.split(key, 6)
    n, i = n_samples, n_informative
    n_clusters = n_classes * n_clusters_per_class
    n_useless = n_features - n_informative - n_redundant - n_repeated
    shapes = [
        (n_clusters, 1),  # centroid shrink factors (hypercube=False)
        (1, i),  # axis shrink factors (hypercube=False)
        (n_clusters, i, i),  # per-cluster mixing matrices
        (i, n_redundant),  # redundant combinations
        (n_repeated,),  # sources of the repeated columns
        (n_features,),  # random shift
        (n_features,),  # random scale
    ]
    small = jax.random.uniform(k_small, (sum(math.prod(s) for s in shapes),), dtype)
    shrink_k, shrink_i, mixing, b, rep, u_shift, u_scale = _split_uniforms(small, shapes)

    # Cluster centroids: distinct hypercube vertices at +-class_sep, optionally shrunk.
    vertices = _distinct_vertices(k_vertices, n_clusters, i).astype(dtype)
    centroids = (2 * vertices - 1) * class_sep
    centroids = jnp.where(hypercube, centroids, centroids * shrink_k * shrink_i)

    # Informative columns: standard normals times a random (i, i) matrix per cluster.
    normals = _normal(k_normal, (n, i + n_useless), dtype)
    cluster = _cluster_of_rows(bounds, n)
    if shuffle:
        # Rows are independent given their cluster, so shuffling the cluster assignment
        # before building the rows shuffles the rows without moving (n, d) data around.
        cluster = jax.random.permutation(k_rows, cluster)
    columns = [_per_cluster_matmul(normals[:, :i], cluster, 2 * mixing - 1) + centroids[cluster]]
    if n_redundant > 0:
        columns.append(jnp.matmul(columns[0], 2 * b - 1, precision=_HIGHEST))
    if n_repeated > 0:
        source = jnp.floor((i + n_redundant - 1) * rep + 0.5).astype(jnp.int32)
        columns.append(jnp.concatenate(columns, axis=1)[:, source])
    if n_useless > 0:
        columns.append(normals[:, i:])
    x = jnp.concatenate(columns, axis=1)

    # A fraction flip_y of the labels is replaced by a uniformly random class.
    u = jax.random.uniform(k_labels, (n, 2), dtype)
    y = cluster % n_classes
    redrawn = jnp.minimum(jnp.floor(u[:, 1] * n_classes).astype(y.dtype), n_classes - 1)
    y = jnp.where(u[:, 0] < flip_y, redrawn, y)

    shift = jnp.where(random_shift, (2 * u_shift - 1) * class_sep, shift)
    scale = jnp.where(random_scale, 1 + 100 * u_scale, scale)
    x = (x + shift) * scale

    if shuffle:
        x = x[:, jax.random.permutation(k_cols, n_features)]
    return x, y.astype(_int_dtype())


def make_classification(
    key: Any,
    n_samples: int = 100,
    n_features: int = 20,
    *,
    n_informative: int = 2,
    n_redundant: int = 2,
    n_repeated: int = 0,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    weights: Any = None,
    flip_y: float = 0.01,
    class_sep: float = 1.0,
    hypercube: bool = True,
    shift: float | Any | None = 0.0,
    scale: float | Any | None = 1.0,
    shuffle: bool = True,
    dtype: Any = None,
) -> tuple[jax.Array, jax.Array]:
    """A random n-class classification problem, like ``sklearn.datasets.make_classification``.

    Guyon's design (the NIPS 2003 "Madelon" generator): each class owns
    ``n_clusters_per_class`` Gaussian clusters centred on distinct vertices of a hypercube of
    side ``2 * class_sep`` in the ``n_informative`` informative dimensions; each cluster's
    points are standard normals times a random matrix with entries uniform in ``[-1, 1)``.
    Then come ``n_redundant`` random linear combinations of the informative columns,
    ``n_repeated`` exact copies of informative or redundant columns, and standard-normal
    noise columns. A fraction ``flip_y`` of the labels is redrawn uniformly at random (so
    about ``flip_y * (1 - 1/n_classes)`` of them change). Finally ``X = (X + shift) * scale``
    and, with ``shuffle``, rows and columns are permuted.

    Class ``c`` gets ``int(n_samples * weights[c] / n_clusters_per_class)`` rows in each of
    its clusters; the rows left over go one each to clusters ``0, 1, ...`` in turn. As in
    scikit-learn, weights summing above one make the last clusters smaller than asked.

    Args:
      key: PRNG key.
      n_samples: number of rows (>= 1).
      n_features: number of columns (>= 1), at least
        ``n_informative + n_redundant + n_repeated``.
      n_informative: informative columns (>= 1); ``2**n_informative`` must be at least
        ``n_classes * n_clusters_per_class``.
      n_redundant: random linear combinations of the informative columns (>= 0).
      n_repeated: copies of informative/redundant columns chosen at random (>= 0).
      n_classes: number of classes (>= 1).
      n_clusters_per_class: clusters per class (>= 1).
      weights: class proportions, ``n_classes`` or ``n_classes - 1`` non-negative numbers (the
        last then is ``1 - sum``); ``None`` for balanced classes.
      flip_y: fraction of labels redrawn at random, in ``[0, 1]``.
      class_sep: half the side of the hypercube (> 0).
      hypercube: centroids on the hypercube's vertices; otherwise on a random polytope (each
        centroid and each axis scaled by a uniform factor in ``[0, 1)``).
      shift: added to every column, a number or ``(n_features,)``; ``None``: uniform in
        ``[-class_sep, class_sep)`` per column.
      scale: multiplies every column after the shift, a number > 0 or ``(n_features,)``;
        ``None``: uniform in ``[1, 101)`` per column.
      shuffle: permute rows and columns.
      dtype: floating dtype of ``X`` (default: JAX's default float).

    Returns:
      ``X`` ``(n_samples, n_features)`` and integer labels ``y`` ``(n_samples,)``.

    Raises:
      TypeError: wrong argument types.
      ValueError: out-of-range or inconsistent values.

    Example:
      >>> import jax
      >>> from jaxgauss.datasets import make_classification
      >>> X, y = make_classification(jax.random.key(0), n_samples=50, n_features=6)
      >>> X.shape, y.shape
      ((50, 6), (50,))

    References:
      I. Guyon, "Design of experiments for the NIPS 2003 variable selection benchmark", 2003.
    """
    key = _checks.check_key(key)
    dtype = _float_dtype(dtype)
    n_samples = _check_count(n_samples, "n_samples", 1)
    n_features = _check_count(n_features, "n_features", 1)
    n_informative = _check_count(n_informative, "n_informative", 1)
    n_redundant = _check_count(n_redundant, "n_redundant", 0)
    n_repeated = _check_count(n_repeated, "n_repeated", 0)
    n_classes = _check_count(n_classes, "n_classes", 1)
    n_clusters_per_class = _check_count(n_clusters_per_class, "n_clusters_per_class", 1)
    flip_y = _check_real(flip_y, "flip_y", low=0.0, high=1.0)
    class_sep = _check_real(class_sep, "class_sep", low=0.0, low_open=True)
    hypercube = _check_bool(hypercube, "hypercube")
    shuffle = _check_bool(shuffle, "shuffle")

    used = n_informative + n_redundant + n_repeated
    if used > n_features:
        raise ValueError(
            f"n_informative + n_redundant + n_repeated (= {n_informative} + {n_redundant} + "
            f"{n_repeated} = {used}) must be at most n_features ({n_features})"
        )
    n_clusters = n_classes * n_clusters_per_class
    if n_clusters > 2**n_informative:
        raise ValueError(
            f"n_classes * n_clusters_per_class (= {n_classes} * {n_clusters_per_class} = "
            f"{n_clusters}) must be at most 2**n_informative (= {2**n_informative}): each "
            "cluster needs its own hypercube vertex"
        )

    if weights is None:
        w = [1.0 / n_classes] * n_classes
    else:
        try:
            warr = np.asarray(weights, dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"weights must be a sequence of numbers; got {weights!r}") from e
        if warr.ndim != 1 or warr.shape[0] not in (n_classes, n_classes - 1):
            raise ValueError(
                f"weights must have n_classes ({n_classes}) or n_classes - 1 ({n_classes - 1}) "
                f"entries; got shape {warr.shape}"
            )
        if not np.all(np.isfinite(warr)) or np.any(warr < 0):
            raise ValueError(f"weights must be finite and non-negative; got {warr.tolist()}")
        w = [float(v) for v in warr]
        if len(w) == n_classes - 1:
            last = 1.0 - sum(w)
            if last < 0:
                raise ValueError(
                    f"weights given for n_classes - 1 classes sum to {sum(w):g} > 1, so the "
                    "inferred weight of the last class would be negative"
                )
            w.append(last)
    counts = [int(n_samples * w[k % n_classes] / n_clusters_per_class) for k in range(n_clusters)]
    for t in range(n_samples - sum(counts)):
        counts[t % n_clusters] += 1

    zeros = jnp.zeros((n_features,), dtype)
    shift_arr = (
        zeros if shift is None else _per_feature(shift, "shift", n_features, dtype, positive=False)
    )
    scale_arr = (
        zeros if scale is None else _per_feature(scale, "scale", n_features, dtype, positive=True)
    )

    return _classification(
        key,
        _boundaries(counts),
        jnp.asarray(flip_y, dtype),
        jnp.asarray(class_sep, dtype),
        jnp.asarray(hypercube),
        shift_arr,
        scale_arr,
        jnp.asarray(shift is None),
        jnp.asarray(scale is None),
        n_samples=n_samples,
        n_features=n_features,
        n_informative=n_informative,
        n_redundant=n_redundant,
        n_repeated=n_repeated,
        n_classes=n_classes,
        n_clusters_per_class=n_clusters_per_class,
        shuffle=shuffle,
        dtype=dtype,
    )


# ---------------------------------------------------------------------------------------------
# make_low_rank_matrix and make_regression


@functools.partial(jax.jit, static_argnames=("n_samples", "n_features", "dtype"))
def _low_rank_matrix(key, effective_rank, tail_strength, *, n_samples, n_features, dtype):
    return _low_rank(key, effective_rank, tail_strength, n_samples, n_features, dtype)


def make_low_rank_matrix(
    key: Any,
    n_samples: int = 100,
    n_features: int = 100,
    *,
    effective_rank: int = 10,
    tail_strength: float = 0.5,
    dtype: Any = None,
) -> jax.Array:
    """A matrix with bell-shaped singular values, like ``sklearn.datasets.make_low_rank_matrix``.

    ``X = U diag(s) V^T`` with ``U`` ``(n_samples, r)`` and ``V`` ``(n_features, r)`` the
    orthonormal QR factors of standard normal matrices, ``r = min(n_samples, n_features)``
    and, for ``i = 0 .. r - 1``,
    ``s_i = (1 - tail_strength) * exp(-(i / effective_rank)**2)
    + tail_strength * exp(-0.1 * i / effective_rank)``.

    Args:
      key: PRNG key.
      n_samples: rows (>= 1).
      n_features: columns (>= 1).
      effective_rank: approximate number of singular vectors that carry most of the data
        (integer >= 1).
      tail_strength: relative weight of the slowly decaying tail of the profile, in
        ``[0, 1]``.
      dtype: floating dtype (default: JAX's default float).

    Returns:
      ``(n_samples, n_features)`` array whose singular values are exactly ``s`` (to rounding).

    Example:
      >>> import jax
      >>> from jaxgauss.datasets import make_low_rank_matrix
      >>> make_low_rank_matrix(jax.random.key(0), 30, 20, effective_rank=3).shape
      (30, 20)
    """
    key = _checks.check_key(key)
    dtype = _float_dtype(dtype)
    n_samples = _check_count(n_samples, "n_samples", 1)
    n_features = _check_count(n_features, "n_features", 1)
    effective_rank = _check_count(effective_rank, "effective_rank", 1)
    tail_strength = _check_real(tail_strength, "tail_strength", low=0.0, high=1.0)
    return _low_rank_matrix(
        key,
        jnp.asarray(effective_rank, dtype),
        jnp.asarray(tail_strength, dtype),
        n_samples=n_samples,
        n_features=n_features,
        dtype=dtype,
    )


@functools.partial(
    jax.jit,
    static_argnames=(
        "n_samples",
        "n_features",
        "n_targets",
        "low_rank",
        "shuffle",
        "dtype",
    ),
)
def _regression(
    key,
    n_informative,
    bias,
    noise,
    effective_rank,
    tail_strength,
    *,
    n_samples,
    n_features,
    n_targets,
    low_rank,
    shuffle,
    dtype,
):
    k_x, k_coef, k_noise, k_cols = jax.random.split(key, 4)
    if low_rank:
        x = _low_rank(k_x, effective_rank, tail_strength, n_samples, n_features, dtype)
    else:
        x = _normal(k_x, (n_samples, n_features), dtype)
    # The first n_informative rows (traced: no program per value) get uniform coefficients.
    drawn = 100 * jax.random.uniform(k_coef, (n_features, n_targets), dtype)
    informative = jnp.arange(n_features)[:, None] < n_informative
    coef = jnp.where(informative, drawn, jnp.zeros((), dtype))
    if shuffle:
        # The rows of X are exchangeable and so are its columns (iid normals, or U and V of
        # the low-rank construction, whose rows are exchangeable because those of a Gaussian
        # matrix are). Permuting X's rows and columns together with coef's rows therefore has
        # the same distribution as permuting coef's rows alone: the informative columns land
        # at random positions, X is not moved.
        coef = coef[jax.random.permutation(k_cols, n_features)]
    # y is computed from the final X and coef, so y == X @ coef + bias holds to the rounding
    # of one matmul when noise == 0 (noise * z is then exactly zero).
    y = jnp.matmul(x, coef, precision=_HIGHEST) + bias
    y = y + noise * _normal(k_noise, (n_samples, n_targets), dtype)
    return x, y, coef


def make_regression(
    key: Any,
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    effective_rank: int | None = None,
    tail_strength: float = 0.5,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    dtype: Any = None,
) -> tuple[jax.Array, ...]:
    """A random linear regression problem, like ``sklearn.datasets.make_regression``.

    ``X`` is standard normal, or with ``effective_rank`` the low-rank matrix of
    :func:`make_low_rank_matrix`. The coefficients of ``n_informative`` columns are uniform in
    ``[0, 100)``, the others zero; ``y = X @ coef + bias + noise * N(0, 1)``. Without
    ``shuffle`` the informative columns are the first ``n_informative``; with it they sit at
    random positions. (scikit-learn permutes the rows and columns of ``X`` together with
    ``coef``; since the rows and the columns of ``X`` are exchangeable, permuting ``coef`` alone
    gives the same distribution.)

    Args:
      key: PRNG key.
      n_samples: rows (>= 1).
      n_features: columns (>= 1).
      n_informative: columns with a nonzero coefficient (>= 0; capped at ``n_features``).
      n_targets: number of regression targets (>= 1).
      bias: intercept added to every target.
      effective_rank: ``None`` for well-conditioned standard normal ``X``, or the effective
        rank (int >= 1) of a low-rank ``X``.
      tail_strength: see :func:`make_low_rank_matrix`; used only with ``effective_rank``.
      noise: standard deviation of the Gaussian noise added to ``y`` (>= 0).
      shuffle: put the informative columns at random positions.
      coef: also return the coefficients.
      dtype: floating dtype (default: JAX's default float).

    Returns:
      ``X`` ``(n_samples, n_features)``, ``y`` ``(n_samples,)`` (or ``(n_samples, n_targets)``
      when ``n_targets > 1``) and, if ``coef``, the coefficients ``(n_features,)`` (or
      ``(n_features, n_targets)``).

    Raises:
      TypeError: wrong argument types.
      ValueError: out-of-range values.

    Example:
      >>> import jax, jax.numpy as jnp
      >>> from jaxgauss.datasets import make_regression
      >>> X, y, w = make_regression(jax.random.key(0), 20, 5, n_informative=2, coef=True)
      >>> X.shape, y.shape, int(jnp.count_nonzero(w))
      ((20, 5), (20,), 2)
    """
    key = _checks.check_key(key)
    dtype = _float_dtype(dtype)
    n_samples = _check_count(n_samples, "n_samples", 1)
    n_features = _check_count(n_features, "n_features", 1)
    n_informative = min(_check_count(n_informative, "n_informative", 0), n_features)
    n_targets = _check_count(n_targets, "n_targets", 1)
    bias = _check_real(bias, "bias")
    if effective_rank is not None:
        effective_rank = _check_count(effective_rank, "effective_rank", 1)
    tail_strength = _check_real(tail_strength, "tail_strength", low=0.0, high=1.0)
    noise = _check_real(noise, "noise", low=0.0)
    shuffle = _check_bool(shuffle, "shuffle")
    coef = _check_bool(coef, "coef")

    x, y, w = _regression(
        key,
        jnp.asarray(n_informative),
        jnp.asarray(bias, dtype),
        jnp.asarray(noise, dtype),
        jnp.asarray(1 if effective_rank is None else effective_rank, dtype),
        jnp.asarray(tail_strength, dtype),
        n_samples=n_samples,
        n_features=n_features,
        n_targets=n_targets,
        low_rank=effective_rank is not None,
        shuffle=shuffle,
        dtype=dtype,
    )
    if n_targets == 1:
        y, w = y[:, 0], w[:, 0]
    return (x, y, w) if coef else (x, y)
