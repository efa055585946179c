"""Chunk-invariant random row streams.

Every sampler in jaxgauss draws its randomness through :func:`row_stream`, which defines an
infinite stream of rows for a key. The definition below is exact (it is what the code does);
The README section "Sampling and the random stream" restates it with the reasons.

Blocks
  Rows are grouped in fixed blocks of :data:`BLOCK_ROWS` rows; block ``b`` holds rows
  ``b * BLOCK_ROWS .. (b + 1) * BLOCK_ROWS - 1`` and is produced by the model's block function
  from the block key ``jax.random.fold_in(key, b)`` alone (``b`` a ``uint32``). A request for
  ``n`` rows from ``offset`` computes the blocks that cover the range. Row ``i`` therefore
  depends only on the key, the parameters and ``i``: any batch size, any split over devices or
  hosts, gives the same rows bit for bit (same backend and dtype).

Bits
  Inside a block, random bits come from Philox-2x32-10 (Salmon et al., 2011) written out with
  ``jax.lax`` integer ops; it reproduces ``jax.random.bits`` of a ``philox2x32`` key word for
  word and the Random123 known answers (tested). With ``(b0, b1) = jax.random.bits(block_key,
  (2,), uint32)``, value ``e`` of a block (row-major, ``e = row * d + column``) is computed from
  the two output words ``(w0, w1)`` of counter ``(e, b1 ^ tag)`` under the 32-bit key ``b0``;
  ``tag`` is ``0`` for normals and ``1`` for uniforms. (Philox-2x32 rather than -4x32: XLA
  computes each output of an elementwise loop separately, so the extra words of a 4x32 call
  would cost a second call each; 2x32 does half the multiplications per 64 bits. ``b1`` in the
  counter makes the effective key 64 bits, so two blocks never share a stream by chance.)

Normals (exact inverse-CDF transform)
  Split the bits into a sign ``s`` and an integer ``m``: float32 takes ``s`` = top bit of
  ``w0`` and ``m`` = its other 31 bits (``M = 31``); float64 takes ``s`` = top bit of ``w0``
  and ``m`` = the low 20 bits of ``w0`` above all 32 of ``w1`` (``M = 52``). Then
  ``q = (m + 1/2) / 2**M`` is a uniform two-sided tail probability on ``(0, 1)`` and the
  normal is ``z = (-1)**s * sqrt(2) * erfcinv(q)``: ``P(|z| > t) = erfc(t / sqrt(2)) =
  P(|Z| > t)`` and the sign is a fair independent bit, so ``z`` is exactly ``N(0, 1)`` up to
  the resolution of ``q`` and the accuracy of ``erfcinv``. Working with the tail probability
  ``q`` rather than a uniform on ``(-1, 1)`` keeps the tails: the largest float32 value is
  ``sqrt(2) erfcinv(2**-32) = 6.34`` (``P(|Z| > 6.34) = 2.3e-10``; float32
  ``jax.random.normal`` stops near 5.3, ``P(|Z| > 5.3) = 1.2e-7``) and the largest float64
  value ``sqrt(2) erfcinv(2**-53) = 8.29`` (``P(|Z| > 8.29) = 1.1e-16``).

  ``erfcinv(q)`` is evaluated as ``(1 - q) * P(w)`` with ``w = -log(q (2 - q))``, the form of
  Giles (2010) with ``w`` computed from ``q`` directly (``1 - x**2`` would cancel in the tails).
  Polynomials: float64 uses Giles' double-precision coefficients (``w < 6.25``, ``< 16``,
  else) with XLA's logarithm; relative error below ``2e-14`` over the whole range against
  ``scipy.special.erfcinv``. float32 uses Giles' single-precision central
  polynomial (``w < 5``) and, for ``w >= 5``, our own degree-9 fit in ``sqrt(w) - 3.5`` on
  ``w in [5, 22.5]`` (Giles' tail polynomial is fitted only up to ``q = 2**-24``, ours covers
  ``q >= 2**-32``; ``benchmarks/fit_erfcinv_tail.py`` reproduces it); relative error below
  ``3e-7`` (a few float32 ulps) everywhere.

Uniforms
  float32: ``(w0 >> 8) * 2**-24``; float64: ``(low 20 bits of w0, then w1) * 2**-52``; both on
  ``[0, 1)``, every value a multiple of the step.

References:
  J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as
  1, 2, 3", SC 2011. M. Giles, "Approximating the erfinv function", GPU Computing Gems
  Jade Edition, 2011.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["BLOCK_ROWS", "block_normals", "block_uniforms", "row_stream", "split_offset"]

#: Rows per internal block. Part of the stream's definition: changing it changes every sample.
BLOCK_ROWS = 1024

# Values generated together in one step of the loop in ``row_stream``: bounds the working
# memory beside the output (a few times this many values) without changing any value.
_VALUES_PER_STEP = 1 << 21

_TAG_NORMAL = 0
_TAG_UNIFORM = 1

# Philox-2x32 round multiplier and key increment (Random123).
_PHILOX_M = np.uint32(0xD256D193)
_PHILOX_W = np.uint32(0x9E3779B9)
_PHILOX_ROUNDS = 10


def _philox2x32(key: Any, x0: Any, x1: Any) -> tuple[jax.Array, jax.Array]:
    """Philox-2x32-10 of the counter words ``(x0, x1)`` under the 32-bit ``key`` (``uint32``)."""
    key = jnp.asarray(key, jnp.uint32)
    x0 = jnp.asarray(x0, jnp.uint32)
    x1 = jnp.asarray(x1, jnp.uint32)
    for r in range(_PHILOX_ROUNDS):
        if r:
            key = key + _PHILOX_W
        x0, x1 = jax.lax.mulhi(_PHILOX_M, x0) ^ x1 ^ key, x0 * _PHILOX_M
    return x0, x1


def _philox_key(key: jax.Array) -> jax.Array:
    """A ``philox4x32`` key derived from ``key`` (any implementation), for ``jax.random`` draws.

    Not used by the row streams; kept for modules that draw with ``jax.random`` directly.
    """
    bits = jax.random.bits(key, (2,), jnp.uint32)
    return jax.random.wrap_key_data(bits, impl="philox4x32")


def _block_words(block_key: jax.Array, n_values: int, tag: int) -> tuple[jax.Array, jax.Array]:
    """The two ``(n_values,)`` Philox words of counters ``(e, b1 ^ tag)`` under key ``b0``."""
    b = jax.random.bits(block_key, (2,), jnp.uint32)
    e = jax.lax.iota(jnp.uint32, n_values)
    return _philox2x32(b[0], e, b[1] ^ np.uint32(tag))


# Giles (2010), single precision, w < 5: erfinv(x) = x * P(w - 2.5), highest degree first.
_ERFINV32_CENTRAL = (
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941,
)  # fmt: skip
# Ours, w in [5, 22.5]: erfcinv(q) = P(sqrt(w) - 3.5), highest degree first; weighted least
# squares against scipy.special.erfcinv (benchmarks/fit_erfcinv_tail.py).
_ERFCINV32_TAIL = (
    2.655186129343405e-06, -7.130748202810776e-06, 2.9013303541876868e-08,
    3.870876388772334e-05, -0.00017348101839510956, 0.0006059527108205949,
    -0.0017193382971729195, 0.0031064281029539297, 1.007422264316505, 3.335477729884975,
)  # fmt: skip
# Giles (2010), double precision: w < 6.25 in (w - 3.125), w < 16 in (sqrt(w) - 3.25),
# else in (sqrt(w) - 5); erfinv(x) = x * P(.), highest degree first.
_ERFINV64 = (
    (
        -3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
        1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
        6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
        2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
        1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
        4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
        0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
        0.24015818242558961693, 1.6536545626831027356,
    ),
    (
        2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
        1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
        2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
        6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
        0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
        -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
        3.0838856104922207635,
    ),
    (
        -2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
        -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
        2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
        -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
        7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
        1.0103004648645343977, 4.8499064014085844221,
    ),
)  # fmt: skip


def _erfcinv32(q: jax.Array) -> jax.Array:
    """``erfcinv(q)`` for float32 ``q`` in ``[2**-33, 1]``."""
    f32 = np.float32
    w = -jnp.log(q * (f32(2) - q))
    central = w < f32(5)
    t = jnp.where(central, w - f32(2.5), jnp.sqrt(w) - f32(3.5))
    pad = len(_ERFCINV32_TAIL) - len(_ERFINV32_CENTRAL)
    coefs = [(f32(0), f32(b)) for b in _ERFCINV32_TAIL[:pad]]
    coefs += [
        (f32(a), f32(b)) for a, b in zip(_ERFINV32_CENTRAL, _ERFCINV32_TAIL[pad:], strict=True)
    ]
    p = jnp.zeros_like(q)
    for a, b in coefs:
        p = jnp.where(central, a, b) + p * t
    return jnp.where(central, p * (f32(1) - q), p)


_MANT_MASK = np.uint64(0x000FFFFFFFFFFFFF)
_ONE_BITS = np.uint64(0x3FF0000000000000)


def _erfcinv64(q: jax.Array) -> jax.Array:
    """``erfcinv(q)`` for float64 ``q`` in ``[2**-54, 1]``."""
    w = -jnp.log(q * (2.0 - q))
    lt1 = w < 6.25
    lt2 = w < 16.0
    t = jnp.where(lt1, w - 3.125, jnp.sqrt(w) - jnp.where(lt2, 3.25, 5.0))
    a, b, c = _ERFINV64
    b = (0.0,) * (len(a) - len(b)) + b
    c = (0.0,) * (len(a) - len(c)) + c
    p = jnp.zeros_like(q)
    for ca, cb, cc in zip(a, b, c, strict=True):
        p = jnp.where(lt1, ca, jnp.where(lt2, cb, cc)) + p * t
    return p * (1.0 - q)


_SQRT2 = math.sqrt(2.0)


def _unit52(hi: jax.Array, lo: jax.Array) -> jax.Array:
    """``1 + m / 2**52`` in ``[1, 2)`` for ``m`` = low 20 bits of ``hi``, then ``lo``."""
    m = ((hi & np.uint32(0xFFFFF)).astype(jnp.uint64) << 32) | lo.astype(jnp.uint64)
    return jax.lax.bitcast_convert_type(m | _ONE_BITS, jnp.float64)


def _normal32(word: jax.Array) -> jax.Array:
    """Float32 standard normal from one ``uint32`` word (see the module docstring)."""
    negative = (word >> 31) == 1
    m = (word & np.uint32(0x7FFFFFFF)).astype(jnp.int32).astype(jnp.float32)
    q = m * np.float32(2.0**-31) + np.float32(2.0**-32)
    z = np.float32(_SQRT2) * _erfcinv32(q)
    return jnp.where(negative, -z, z)


def _normal64(hi: jax.Array, lo: jax.Array) -> jax.Array:
    """Float64 standard normal from the words ``hi``, ``lo`` (see the module docstring)."""
    negative = (hi >> 31) == 1
    # (1 + m 2**-52) - (1 - 2**-53) = (m + 1/2) 2**-52, exactly (53 significant bits).
    q = _unit52(hi, lo) - (1.0 - 2.0**-53)
    z = _SQRT2 * _erfcinv64(q)
    return jnp.where(negative, -z, z)


def _check_dtype(dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if not jnp.issubdtype(dtype, jnp.floating):
        raise TypeError(f"dtype must be a floating dtype; got {dtype}")
    if dtype == np.float64 and not jax.config.jax_enable_x64:
        raise TypeError("dtype float64 needs jax_enable_x64; enable it or use float32")
    return dtype


def block_normals(block_key: jax.Array, d: int, dtype: Any) -> jax.Array:
    """Standard normal draws ``(BLOCK_ROWS, d)`` for one block.

    Exact in distribution up to float rounding (inverse-CDF transform of Philox bits; see the
    module docstring for the definition). float64 uses 64 bits per value, float32 32 bits;
    float16/bfloat16 are float32 values rounded.

    Args:
      block_key: the block's key, ``fold_in(key, block_index)``.
      d: number of columns (static).
      dtype: floating dtype of the result.

    Returns:
      ``(BLOCK_ROWS, d)`` array of independent N(0, 1) draws.
    """
    dtype = _check_dtype(dtype)
    w0, w1 = _block_words(block_key, BLOCK_ROWS * d, _TAG_NORMAL)
    if dtype == np.float64:
        z = _normal64(w0, w1)
    else:
        z = _normal32(w0).astype(dtype)
    return z.reshape(BLOCK_ROWS, d)


def block_uniforms(block_key: jax.Array, d: int, dtype: Any) -> jax.Array:
    """Uniform draws on ``[0, 1)`` of shape ``(BLOCK_ROWS, d)`` for one block.

    Uses Philox counters of another purpose than :func:`block_normals` for the same block key,
    so a model may draw both from one block key. float64 values are multiples of ``2**-52``,
    float32 values multiples of ``2**-24``; float16/bfloat16 are float32 values rounded (kept
    below 1).
    """
    dtype = _check_dtype(dtype)
    w0, w1 = _block_words(block_key, BLOCK_ROWS * d, _TAG_UNIFORM)
    if dtype == np.float64:
        u = _unit52(w0, w1) - 1.0
    else:
        u = (w0 >> 8).astype(jnp.int32).astype(jnp.float32) * np.float32(2.0**-24)
        if dtype != np.float32:
            below_one = np.nextafter(np.array(1, dtype), np.array(0, dtype))
            u = jnp.minimum(u.astype(dtype), below_one)
    return u.reshape(BLOCK_ROWS, d)


def split_offset(offset: Any) -> tuple[jax.Array, jax.Array]:
    """Splits a row offset into ``(first_block, row_within_block)``.

    Done on the host for Python ints, so offsets beyond 2**31 rows work without 64-bit
    integers; the first block index is a ``uint32`` (``BLOCK_ROWS * 2**32`` rows in all).

    Raises:
      TypeError / ValueError: if ``offset`` is not a non-negative integer.
    """
    if isinstance(offset, bool):
        raise TypeError(f"offset must be a non-negative integer; got {offset!r}")
    if isinstance(offset, int | np.integer):
        offset = int(offset)
        if offset < 0:
            raise ValueError(f"offset must be a non-negative integer; got {offset}")
        if offset // BLOCK_ROWS >= 2**32:
            raise ValueError(f"offset must be below {BLOCK_ROWS * 2**32}; got {offset}")
        return (
            jnp.asarray(offset // BLOCK_ROWS, jnp.uint32),
            jnp.asarray(offset % BLOCK_ROWS, jnp.int32),
        )
    offset = jnp.asarray(offset)
    if not jnp.issubdtype(offset.dtype, jnp.integer) or offset.ndim != 0:
        raise TypeError(
            f"offset must be a non-negative integer scalar; got {offset.dtype}{offset.shape}"
        )
    return (offset // BLOCK_ROWS).astype(jnp.uint32), (offset % BLOCK_ROWS).astype(jnp.int32)


def row_stream(
    key: jax.Array,
    block_fn: Callable[[jax.Array], Any],
    n: int,
    first_block: jax.Array,
    within: jax.Array,
) -> Any:
    """Rows ``offset .. offset + n`` of the stream defined by ``key`` and ``block_fn``.

    The rows are produced in ``m`` steps of ``s = ceil(n / m)`` rows (at most about
    ``2**21`` values each): step ``k`` computes the blocks that cover rows
    ``p = min(k * s, n - s)`` to ``p + s`` and writes them in place into the ``(n, ...)``
    result, so the working memory beside the result is a few steps whatever ``n``, and the
    block function is traced once. Rows are the same whatever ``m`` and ``s`` (tested).

    Args:
      key: the stream's PRNG key.
      block_fn: maps a block key to a pytree whose leaves have leading dimension
        ``BLOCK_ROWS``; it must depend on nothing but the key (and closed-over parameters).
      n: number of rows (static, >= 1).
      first_block: ``offset // BLOCK_ROWS`` as ``uint32`` (see :func:`split_offset`).
      within: ``offset % BLOCK_ROWS`` as ``int32``.

    Returns:
      The pytree of ``block_fn`` with leading dimension ``n``.
    """
    rows = BLOCK_ROWS
    first_block = jnp.asarray(first_block, jnp.uint32)
    within = jnp.asarray(within, jnp.int32)
    shapes = jax.eval_shape(block_fn, jax.random.fold_in(key, 0))
    values_per_row = max([math.prod(x.shape[1:]) for x in jax.tree.leaves(shapes)] + [1])
    max_rows = max(rows, _VALUES_PER_STEP // values_per_row)
    n_steps = -(-n // max_rows)
    step_rows = -(-n // n_steps)
    # Blocks that step_rows consecutive rows can touch when they start anywhere in a block.
    per_step = (step_rows + rows - 2) // rows + 1

    def rows_from(p: jax.Array) -> Any:
        # Output rows p .. p + step_rows, i.e. stream rows offset + p onwards.
        shift = within + p
        ids = first_block + (shift // rows).astype(jnp.uint32) + jax.lax.iota(jnp.uint32, per_step)
        out = jax.vmap(lambda b: block_fn(jax.random.fold_in(key, b)))(ids)

        def take(x: jax.Array) -> jax.Array:
            flat = x.reshape((per_step * rows,) + x.shape[2:])
            return jax.lax.dynamic_slice_in_dim(flat, shift % rows, step_rows)

        return jax.tree.map(take, out)

    def step(k: jax.Array, out: Any) -> Any:
        p = jnp.minimum(k * step_rows, n - step_rows)
        piece = rows_from(p)
        return jax.tree.map(
            lambda o, x: jax.lax.dynamic_update_slice_in_dim(o, x, p, axis=0), out, piece
        )

    out = jax.tree.map(lambda x: jnp.zeros((n,) + x.shape[1:], x.dtype), shapes)
    return jax.lax.fori_loop(0, n_steps, step, out)
