"""Chunk-invariant random row streams.

Every sampler in jaxgauss draws its randomness through :func:`row_stream`, which defines an
infinite stream of rows for a key:

* rows are grouped in fixed blocks of :data:`BLOCK_ROWS` rows; block ``b`` holds rows
  ``b * BLOCK_ROWS .. (b + 1) * BLOCK_ROWS - 1``;
* block ``b`` is produced by the model's block function from ``jax.random.fold_in(key, b)``
  alone;
* a request for ``n`` rows from ``offset`` computes the blocks that cover the range and slices.

Row ``i`` therefore depends only on the key, the parameters and ``i``: any batch size, any
split over devices or hosts, gives the same rows bit for bit (same backend and dtype).

Standard normals inside a block come from :func:`block_normals`, which converts the block key
into a Philox-4x32 key (the fastest counter-based generator of JAX on CPU) and draws a
``(BLOCK_ROWS, d)`` array from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

__all__ = ["BLOCK_ROWS", "block_normals", "block_uniforms", "row_stream", "split_offset"]

#: Rows per internal block. Part of the stream's definition: changing it changes every sample.
BLOCK_ROWS = 1024

# Rows generated together inside one step of the ``lax.map`` over blocks; bounds peak memory
# to a few times the output without changing any value.
_ROWS_PER_STEP = 64 * 1024


def _philox_key(block_key: jax.Array) -> jax.Array:
    """A Philox-4x32 key derived from ``block_key`` (any key implementation)."""
    bits = jax.random.bits(block_key, (2,), jnp.uint32)
    return jax.random.wrap_key_data(bits, impl="philox4x32")


def block_normals(block_key: jax.Array, d: int, dtype: Any) -> jax.Array:
    """Standard normal draws ``(BLOCK_ROWS, d)`` for one block.

    Args:
      block_key: the block's key, ``fold_in(key, block_index)``.
      d: number of columns (static).
      dtype: floating dtype of the result.

    Returns:
      ``(BLOCK_ROWS, d)`` array of independent N(0, 1) draws.
    """
    return jax.random.normal(_philox_key(block_key), (BLOCK_ROWS, d), dtype=dtype)


def block_uniforms(block_key: jax.Array, d: int, dtype: Any) -> jax.Array:
    """Uniform draws on ``[0, 1)`` of shape ``(BLOCK_ROWS, d)`` for one block.

    Uses a different Philox key than :func:`block_normals` for the same block key, so a model
    may draw both from one block key.
    """
    key = _philox_key(jax.random.fold_in(block_key, 0x5EED))
    return jax.random.uniform(key, (BLOCK_ROWS, d), dtype=dtype)


def split_offset(offset: Any) -> tuple[jax.Array, jax.Array]:
    """Splits a row offset into ``(first_block, row_within_block)``.

    Done on the host for Python ints, so offsets beyond 2**31 rows work without 64-bit
    integers; the first block index is a ``uint32`` (``BLOCK_ROWS * 2**32`` rows in all).

    Raises:
      TypeError / ValueError: if ``offset`` is not a non-negative integer.
    """
    if isinstance(offset, bool):
        raise TypeError(f"offset must be a non-negative integer; got {offset!r}")
    if isinstance(offset, int):
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
    # Blocks that n consecutive rows can touch when they do not start on a block boundary.
    n_blocks = (n + BLOCK_ROWS - 2) // BLOCK_ROWS + 1
    block_ids = first_block + jnp.arange(n_blocks, dtype=jnp.uint32)

    def one_block(b: jax.Array) -> Any:
        return block_fn(jax.random.fold_in(key, b))

    group = max(1, min(n_blocks, _ROWS_PER_STEP // BLOCK_ROWS))
    blocks = jax.lax.map(one_block, block_ids, batch_size=group)

    def take(leaf: jax.Array) -> jax.Array:
        flat = leaf.reshape((n_blocks * BLOCK_ROWS,) + leaf.shape[2:])
        return jax.lax.dynamic_slice_in_dim(flat, within, n, axis=0)

    return jax.tree.map(take, blocks)
