"""Sampling on many devices and hosts with JAX's own sharding.

:func:`sample` generates each shard of rows on the device that holds it and assembles the global
array with ``jax.make_array_from_single_device_arrays``; nothing is gathered or copied between
devices. Because the sample stream is chunk invariant (row ``i`` depends only on the key, the
parameters and ``i``), the result equals ``jg.sample(key, params, n, offset=offset)`` bit for bit,
for any mesh. With several processes (after :func:`initialize`), each process computes only its
addressable shards of the same global array.

Why per-device programs rather than ``shard_map``: the Philox generator behind the stream uses
``lax.mulhi``, which XLA:CPU (jax 0.10) cannot lower once an op carries a sharding annotation
("Unable to convert MHLO to StableHLO"), both under ``shard_map`` and under GSPMD. Dispatching
the single-device program to each device sidesteps that, runs the devices concurrently (JAX
dispatch is asynchronous) and compiles once per device.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import jax
import numpy as np
from jax.sharding import NamedSharding

from jaxgauss import _checks, dispatch
from jaxgauss import random as _random

__all__ = ["initialize", "row_shards", "sample", "write_npy"]


def initialize(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    **kwargs: Any,
) -> None:
    """Joins a multi-process JAX job (a thin wrapper over ``jax.distributed.initialize``).

    Call it once per process before any other JAX call; afterwards ``jax.devices()`` lists the
    devices of every process and :func:`sample` / meshes span them all.
    """
    jax.distributed.initialize(
        coordinator_address=coordinator_address,
        num_processes=num_processes,
        process_id=process_id,
        **kwargs,
    )


def _row_axes(sharding: NamedSharding) -> tuple[str, ...]:
    if not isinstance(sharding, NamedSharding):
        raise TypeError(
            f"sharding must be a jax.sharding.NamedSharding; got {type(sharding).__name__}"
        )
    spec = tuple(sharding.spec)
    first = spec[0] if spec else None
    if any(s is not None for s in spec[1:]):
        raise ValueError(
            f"sharding must split rows only (PartitionSpec(axes, None)); got {sharding.spec}"
        )
    if first is None:
        return ()
    return (first,) if isinstance(first, str) else tuple(first)


def row_shards(sharding: NamedSharding) -> int:
    """Number of row shards a ``NamedSharding`` makes (the product of its row axes' sizes)."""
    return math.prod(sharding.mesh.shape[a] for a in _row_axes(sharding))


def _local_copy(leaf: Any) -> Any:
    """A process-local copy of a replicated global array (e.g. parameters fitted on a mesh)."""
    if isinstance(leaf, jax.Array) and not leaf.is_fully_addressable:
        if not leaf.is_fully_replicated:
            raise ValueError(
                "params and key must be replicated across processes to sample from them"
            )
        return leaf.addressable_data(0)
    return leaf


def sample(
    key: Any, params: Any, n: int, *, sharding: NamedSharding, offset: int = 0, **kwargs: Any
) -> Any:
    """Rows ``offset .. offset + n`` of ``jg.sample``'s stream, generated where they live.

    Args:
      key: PRNG key.
      params: any params type ``jg.sample`` accepts.
      n: number of rows; a multiple of the number of row shards.
      sharding: ``NamedSharding(mesh, PartitionSpec(row_axes))``: rows split over
        ``row_axes``, columns whole; devices on mesh axes not named hold replicas.
      offset: first row (a non-negative Python int; beyond 2**31 is fine).
      **kwargs: model options (``return_labels=True`` for mixtures).

    Returns:
      A global ``jax.Array`` ``(n, d)`` with ``sharding`` (a tuple of such arrays for model
      options that add outputs), equal to ``jg.sample(key, params, n, offset=offset, **kwargs)``.

    Raises:
      TypeError: ``sharding`` is not a ``NamedSharding``; bad key or ``n``.
      ValueError: columns sharded, ``n`` not divisible by the row shards, bad ``offset``.

    Example:
      >>> import jax, numpy as np, jaxgauss as jg
      >>> from jax.sharding import NamedSharding, PartitionSpec as P
      >>> mesh = jax.make_mesh((jax.device_count(),), ("rows",))
      >>> p = jg.gaussian([0.0, 0.0], np.eye(2))
      >>> x = jg.distributed.sample(jax.random.key(0), p, 8 * jax.device_count(),
      ...                           sharding=NamedSharding(mesh, P("rows")))
      >>> bool((x == jg.sample(jax.random.key(0), p, x.shape[0])).all())
      True
    """
    model = dispatch._model(params)
    key = _checks.check_key(key)
    n = _checks.check_positive_int(n, "n")
    _row_axes(sharding)
    shards = row_shards(sharding)
    if n % shards:
        raise ValueError(f"n must be a multiple of the {shards} row shards of sharding; got {n}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be a non-negative Python int; got {offset!r}")
    local = n // shards
    key, params = jax.tree.map(_local_copy, (key, params))
    pieces: dict[Any, Any] = {}
    for device, index in sharding.addressable_devices_indices_map((n, 1)).items():
        start = index[0].start or 0
        on_device = jax.device_put((key, params), device)
        first_block, within = _random.split_offset(offset + start)
        first_block, within = jax.device_put((first_block, within), device)
        pieces[device] = model.sample(
            *on_device[:1], on_device[1], local, first_block, within, **kwargs
        )
    devices = list(pieces)
    leaves = [jax.tree.leaves(pieces[d]) for d in devices]
    treedef = jax.tree.structure(pieces[devices[0]])
    out = []
    for i, leaf in enumerate(leaves[0]):
        spec = tuple(sharding.spec)[:1] + (None,) * (leaf.ndim - 1)
        leaf_sharding = NamedSharding(sharding.mesh, jax.sharding.PartitionSpec(*spec))
        out.append(
            jax.make_array_from_single_device_arrays(
                (n,) + leaf.shape[1:], leaf_sharding, [parts[i] for parts in leaves]
            )
        )
    return jax.tree.unflatten(treedef, out)


def write_npy(path: str | os.PathLike[str], x: jax.Array) -> Path:
    """Writes a row-sharded global array to one ``.npy`` file, each process its own rows.

    Process 0 creates a temporary file of the final size with the header; after a barrier every
    process writes the rows of its addressable shards at their offsets (disjoint ranges; a
    replicated shard is written once, by its first holder); after a second barrier process 0
    renames the file into place, so no reader ever sees a partial file under ``path``. The
    directory must be shared by all processes (one machine, or a shared filesystem).

    Args:
      path: the target ``.npy`` file.
      x: ``(n, ...)`` array, e.g. from :func:`sample`.

    Returns:
      The path written.
    """
    from jax.experimental import multihost_utils

    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    dtype = np.dtype(x.dtype)
    row_bytes = int(np.prod(x.shape[1:], dtype=np.int64)) * dtype.itemsize
    header = {
        "descr": np.lib.format.dtype_to_descr(dtype),
        "fortran_order": False,
        "shape": tuple(x.shape),
    }
    if jax.process_index() == 0:
        with open(partial, "wb") as f:
            np.lib.format.write_array_header_1_0(f, header)
            f.truncate(f.tell() + row_bytes * x.shape[0])
    multihost_utils.sync_global_devices(f"jaxgauss.write_npy:create:{path}")
    with open(partial, "r+b") as f:
        np.lib.format.read_magic(f)
        np.lib.format.read_array_header_1_0(f)
        start = f.tell()
        for shard in x.addressable_shards:
            if shard.replica_id != 0:
                continue
            first = shard.index[0].start or 0
            f.seek(start + first * row_bytes)
            f.write(np.ascontiguousarray(np.asarray(shard.data)).tobytes())
        f.flush()
        os.fsync(f.fileno())
    multihost_utils.sync_global_devices(f"jaxgauss.write_npy:written:{path}")
    if jax.process_index() == 0:
        os.replace(partial, path)
    multihost_utils.sync_global_devices(f"jaxgauss.write_npy:renamed:{path}")
    return path
