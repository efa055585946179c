"""Eager argument validation shared by the user-facing wrappers.

Two tiers (see STYLE.md): shape/rank/dtype checks work on abstract values and therefore also
under ``jit``; value checks (finite, weights) need concrete arrays and are skipped when the
argument is a tracer, so that the functions stay embeddable in user-jitted code.
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import AxisType, Mesh, NamedSharding

__all__ = [
    "as_float_array",
    "as_rows",
    "check_finite",
    "check_key",
    "check_positive_int",
    "check_same_columns",
    "check_sample_weight",
    "is_concrete",
]


def is_concrete(x: Any) -> bool:
    """True when ``x`` holds values (not a tracer inside ``jit``/``vmap``/``grad``)."""
    return not isinstance(x, jax.core.Tracer)


def as_float_array(
    x: Any, name: str, *, ndim: int | None = None, dtype: Any = None, borrow: bool = False
) -> jax.Array:
    """Converts ``x`` to a floating JAX array, checking its rank.

    Integer and boolean input becomes JAX's default float dtype; float16/32/64 are kept.

    With ``borrow=True`` a C-contiguous, writeable numpy array that already has the target dtype
    is wrapped without a copy when the default device is the CPU (see :func:`_borrow`). Only
    functions that consume the array before returning, and never hand it back inside a result,
    may ask for this: the caller's buffer stays shared for the duration of the call.

    Raises:
      TypeError: if ``x`` is not numeric.
      ValueError: if ``x`` does not have ``ndim`` dimensions.
    """
    if isinstance(x, jax.Array | np.ndarray | np.generic):
        kind = (
            np.dtype(x.dtype).kind
            if not jax.dtypes.issubdtype(x.dtype, jax.dtypes.extended)
            else "V"
        )
    else:
        try:
            kind = np.asarray(x).dtype.kind
        except Exception as e:  # ragged lists and the like
            raise TypeError(f"{name} must be an array of numbers; got {type(x).__name__}") from e
    if kind not in "biuf":
        raise TypeError(
            f"{name} must be a real numeric array; got dtype kind {kind!r} ({type(x).__name__})"
        )
    if isinstance(x, np.ndarray) and not x.dtype.isnative:  # JAX only takes native byte order
        x = x.astype(x.dtype.newbyteorder("="))
    arr = _borrow(x) if borrow else None
    if arr is None:
        arr = jnp.asarray(x)
    if dtype is not None:
        arr = arr.astype(dtype)
    elif not jnp.issubdtype(arr.dtype, jnp.floating):
        arr = arr.astype(jnp.result_type(float))
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s); got shape {tuple(arr.shape)}")
    return arr


def _borrow(x: Any) -> jax.Array | None:
    """Zero-copy view of a numpy array as a CPU JAX array, or ``None`` when that is not possible.

    Copying a large host array into a JAX buffer costs about as much as a pass of a vectorized
    kernel over it, so metrics on 1e6-row tables borrow the caller's buffer through DLPack
    instead. Only native float arrays whose dtype JAX keeps as is (float64 needs x64) qualify;
    anything else (and any DLPack refusal) falls back to the ordinary copy.
    """
    if not isinstance(x, np.ndarray) or jax.default_backend() != "cpu":
        return None
    if x.dtype not in (np.float32, np.float64):  # byte-swapped dtypes compare unequal too
        return None
    if jax.dtypes.canonicalize_dtype(x.dtype) != x.dtype:
        return None
    if not (x.flags.c_contiguous and x.flags.writeable) or x.size == 0:
        return None
    try:
        return jax.dlpack.from_dlpack(x)
    except Exception:  # DLPack may refuse some buffers; the copy below always works
        return None


@jax.jit
def _count_nonfinite(x: jax.Array) -> jax.Array:
    return jnp.sum(~jnp.isfinite(x))


def check_finite(x: jax.Array, name: str) -> None:
    """Raises ``ValueError`` if a concrete ``x`` holds NaN or infinity; no-op under tracing.

    The count is reduced where the data live (one scalar comes back), so it also works for
    arrays sharded over devices and hosts.
    """
    if not is_concrete(x):
        return
    bad = int(_count_nonfinite(x))
    if bad:
        raise ValueError(f"{name} must be finite; it holds {bad} NaN or infinite value(s)")


def check_key(key: Any, name: str = "key") -> jax.Array:
    """Accepts a typed PRNG key (``jax.random.key``) or a legacy ``uint32[2]`` key.

    Raises:
      TypeError: if ``key`` is neither.
    """
    dtype = getattr(key, "dtype", None)
    shape = getattr(key, "shape", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        if shape != ():
            raise TypeError(
                f"{name} must be a single PRNG key (shape ()); got a key array of shape {shape}"
            )
        return key
    if dtype is not None and np.dtype(dtype) == np.uint32 and tuple(shape) == (2,):
        return jax.random.wrap_key_data(key)
    raise TypeError(
        f"{name} must be a PRNG key from jax.random.key(seed) (or legacy jax.random.PRNGKey); "
        f"got {type(key).__name__}"
        + (f" with dtype {dtype} and shape {tuple(shape)}" if dtype is not None else "")
    )


def check_positive_int(n: Any, name: str) -> int:
    """Returns ``n`` as a Python int, raising if it is not an integer >= 1."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer; got {n!r} ({type(n).__name__})")
    if n < 1:
        raise ValueError(f"{name} must be a positive integer; got {n}")
    return int(n)


@jax.jit
def _weight_summary(w: jax.Array) -> jax.Array:
    return jnp.stack([_count_nonfinite(w).astype(w.dtype), jnp.min(w), jnp.max(w)])


def check_sample_weight(sample_weight: Any, n: int, dtype: Any) -> jax.Array:
    """Validates per-row weights: shape ``(n,)``, finite, non-negative, not all zero."""
    w = as_float_array(sample_weight, "sample_weight", ndim=1, dtype=dtype)
    if w.shape[0] != n:
        raise ValueError(
            f"sample_weight must have shape ({n},) to match the {n} rows of x; got {w.shape}"
        )
    if is_concrete(w):
        bad, low, high = (float(v) for v in _weight_summary(w))
        if bad:
            raise ValueError("sample_weight must be finite")
        if low < 0:
            raise ValueError(f"sample_weight must be non-negative; its minimum is {low:.3g}")
        if not high > 0:
            raise ValueError("sample_weight must have at least one positive entry; all are zero")
    return w


def _auto_sharded(arr: jax.Array) -> jax.Array:
    """Re-labels an array sharded on an ``Explicit`` mesh (``jax.make_mesh``'s default) onto
    the same devices with ``Auto`` axes, so that the compiler may place reductions itself."""
    sharding = getattr(arr, "sharding", None)
    if not (isinstance(sharding, NamedSharding) and is_concrete(arr)):
        return arr
    mesh = sharding.mesh
    if all(t != AxisType.Explicit for t in mesh.axis_types):
        return arr
    auto = Mesh(mesh.devices, mesh.axis_names, axis_types=(AxisType.Auto,) * len(mesh.axis_names))
    return jax.device_put(arr, NamedSharding(auto, sharding.spec))


def as_rows(x: Any, d: int | None = None, name: str = "x") -> jax.Array:
    """Validates data rows: ``(n, d)``, or ``(d,)`` for one row; finite when concrete.

    Args:
      x: the data.
      d: the expected number of columns, or ``None`` for any.
      name: argument name used in error messages.
    """
    arr = as_float_array(x, name)
    if arr.ndim == 1 and d is not None:
        arr = arr[None, :]
    if arr.ndim != 2 or (d is not None and arr.shape[1] != d):
        want = f"(n, {d}) or ({d},)" if d is not None else "(n_samples, n_features)"
        raise ValueError(f"{name} must have shape {want}; got {tuple(arr.shape)}")
    check_finite(arr, name)
    return _auto_sharded(arr)


def check_same_columns(a: Any, b: Any, names: tuple[str, str] = ("real", "synth")) -> None:
    """Raises ``ValueError`` unless the 2-D arrays ``a`` and ``b`` have equal column counts."""
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of columns; "
            f"got {a.shape[1]} and {b.shape[1]}"
        )
