"""Streaming sample writers: ``.npy``, CSV and Parquet, batch by batch, atomically.

:func:`sample_to` draws ``n`` rows in batches of ``batch_size`` through ``jg.sample`` with
increasing ``offset``, so memory is bounded by one batch (two, while the next batch is generated
during the write of the current one) and, thanks to chunk invariance, the rows do not depend on
the batch size: ``.npy`` and CSV files are byte-identical for any batch size.

Atomicity: rows go to a temporary file ``.<name>.partial`` beside the target, which is renamed
over the target (``os.replace``) only once complete; an interrupted run never leaves a partial
file under the final name. For ``.npy`` the partial file and a small JSON sidecar are kept after
an interruption so that ``resume=True`` continues where it stopped (exactly: rows are a function of
the key, the parameters and their index); other formats delete their partial file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import jax
import numpy as np

from jaxgauss import _checks, dispatch

__all__ = ["sample_to"]

_FORMATS = ("npy", "csv", "parquet")


def _fingerprint(key: jax.Array, params: Any, n: int, dtype: np.dtype) -> str:
    h = hashlib.sha256()
    h.update(np.asarray(jax.random.key_data(key)).tobytes())
    h.update(str(jax.random.key_impl(key)).encode())
    h.update(str(jax.tree.structure(params)).encode())
    for leaf in jax.tree.leaves(params):
        h.update(np.asarray(leaf).tobytes())
    h.update(f"{n}:{dtype.str}".encode())
    return h.hexdigest()


def _progress(total: int, enabled: bool | None, initial: int) -> Any:
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return contextlib.nullcontext(None)
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: run without it
        return contextlib.nullcontext(None)
    return tqdm(total=total, initial=initial, unit="rows", unit_scale=True, desc="sampling")


class _NpyWriter:
    def __init__(self, path: Path, n: int, d: int, dtype: np.dtype, resume_rows: int) -> None:
        self.row_bytes = d * dtype.itemsize
        header = {
            "descr": np.lib.format.dtype_to_descr(dtype),
            "fortran_order": False,
            "shape": (n, d),
        }
        if resume_rows:
            self.file: IO[bytes] = open(path, "r+b")  # noqa: SIM115 - closed in close()
            np.lib.format.read_magic(self.file)
            np.lib.format.read_array_header_1_0(self.file)
            start = self.file.tell()
            self.file.truncate(start + resume_rows * self.row_bytes)
            self.file.seek(start + resume_rows * self.row_bytes)
        else:
            self.file = open(path, "wb")  # noqa: SIM115 - closed in close()
            np.lib.format.write_array_header_1_0(self.file, header)

    def write(self, rows: np.ndarray) -> None:
        self.file.write(np.ascontiguousarray(rows).tobytes())

    def close(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()


class _CsvWriter:
    def __init__(
        self, path: Path, columns: Sequence[str], dtype: np.dtype, to_table: Any = None
    ) -> None:
        self.file = open(path, "w", newline="")  # noqa: SIM115 - closed in close()
        self.file.write(",".join(columns) + "\n")
        # Shortest formats that round-trip exactly.
        self.fmt = "%.9g" if dtype == np.float32 else "%.17g"
        self.to_table = to_table

    def write(self, rows: np.ndarray) -> None:
        if self.to_table is None:
            np.savetxt(self.file, rows, fmt=self.fmt, delimiter=",")
        else:  # pandas writes floats in their shortest round-trip form, row by row
            self.to_table(rows).to_csv(self.file, header=False, index=False, lineterminator="\n")

    def close(self) -> None:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()


class _ParquetWriter:
    def __init__(
        self, path: Path, columns: Sequence[str], dtype: np.dtype, to_table: Any = None
    ) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as e:
            raise ImportError(
                "format='parquet' needs pyarrow: pip install 'jaxgauss[tables]'"
            ) from e
        self.pa, self.pq, self.path = pa, pq, path
        self.columns = list(columns)
        self.to_table = to_table
        self.writer = None
        if to_table is None:
            schema = pa.schema([(c, pa.from_numpy_dtype(dtype)) for c in self.columns])
            self.writer = pq.ParquetWriter(str(path), schema)

    def write(self, rows: np.ndarray) -> None:
        if self.to_table is None:
            table = self.pa.table({c: rows[:, i] for i, c in enumerate(self.columns)})
        else:
            table = self.pa.Table.from_pandas(self.to_table(rows), preserve_index=False)
            if self.writer is None:  # the first batch fixes the schema (dtypes, categories)
                self.writer = self.pq.ParquetWriter(str(self.path), table.schema)
            table = table.cast(self.writer.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _batches(
    key: jax.Array, params: Any, start: int, n: int, batch_size: int
) -> Iterator[np.ndarray]:
    """Host copies of successive batches; the next batch is dispatched before one is returned."""
    offsets = list(range(start, n, batch_size))
    pending = None
    for off in offsets:
        nxt = dispatch.sample(key, params, min(batch_size, n - off), offset=off)
        if pending is not None:
            yield np.asarray(pending)
        pending = nxt
    if pending is not None:
        yield np.asarray(pending)


def file_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """``format``, or the one named by ``path``'s suffix: ``"npy"``, ``"csv"`` or ``"parquet"``.

    Raises:
      ValueError: for any other format.
    """
    if format is None:
        format = Path(path).suffix.lstrip(".").lower()
    if format not in _FORMATS:
        raise ValueError(
            f"format must be one of {_FORMATS} (or given by the file suffix); got {format!r}"
        )
    return format


def sample_to(
    key: Any,
    params: Any,
    n: int,
    path: str | os.PathLike[str],
    *,
    batch_size: int = 100_000,
    format: str | None = None,
    columns: Sequence[str] | None = None,
    progress: bool | None = None,
    resume: bool = False,
    to_table: Callable[[np.ndarray], Any] | None = None,
) -> Path:
    """Writes rows ``0 .. n-1`` of ``jg.sample(key, params, ...)`` to a file, batch by batch.

    Args:
      key: PRNG key.
      params: any params type ``jg.sample`` accepts.
      n: number of rows.
      path: target file.
      batch_size: rows generated and written at a time (bounds memory; no effect on values).
      format: ``"npy"``, ``"csv"`` or ``"parquet"``; by default from the suffix of ``path``.
      columns: column names for CSV/Parquet (default ``x0, x1, ...``).
      progress: show a tqdm progress bar; by default only when stderr is a terminal.
      resume: continue an interrupted ``.npy`` run with the same key, parameters and ``n``.
      to_table: CSV/Parquet only: turns each batch of numbers ``(rows, d)`` into the pandas
        ``DataFrame`` that is written instead (labels for category codes, booleans, integer
        dtypes), e.g. ``functools.partial(jaxgauss.tables.to_table, schema)``.

    Returns:
      The path written.

    Raises:
      ValueError: unknown format, bad ``batch_size``/``columns``, or a ``resume`` whose partial
        file belongs to another key, parameters or ``n``.

    Example:
      >>> import jax, numpy as np, tempfile, os, jaxgauss as jg
      >>> p = jg.gaussian([0.0, 1.0], np.eye(2))
      >>> out = os.path.join(tempfile.mkdtemp(), "rows.npy")
      >>> _ = jg.sample_to(jax.random.key(0), p, 2500, out, batch_size=1000)
      >>> bool((np.load(out) == jg.sample(jax.random.key(0), p, 2500)).all())
      True
    """
    key = _checks.check_key(key)
    n = _checks.check_positive_int(n, "n")
    batch_size = _checks.check_positive_int(batch_size, "batch_size")
    path = Path(path)
    format = file_format(path, format)
    if to_table is not None and format == "npy":
        raise ValueError("to_table applies to format='csv' or 'parquet' only; got format='npy'")
    if resume and format != "npy":
        raise ValueError(f"resume=True is supported for format='npy' only; got format={format!r}")
    probe = jax.eval_shape(lambda k, p: dispatch.sample(k, p, 1), key, params)
    d, dtype = probe.shape[1], np.dtype(probe.dtype)
    if columns is None:
        columns = [f"x{i}" for i in range(d)]
    elif len(columns) != d or not all(isinstance(c, str) for c in columns):
        raise ValueError(f"columns must be {d} strings, one per column; got {columns!r}")

    partial = path.with_name(f".{path.name}.partial")
    sidecar = path.with_name(f".{path.name}.partial.json")
    fingerprint = _fingerprint(key, params, n, dtype)
    done = 0
    if resume and partial.exists():
        meta = json.loads(sidecar.read_text()) if sidecar.exists() else {}
        if meta.get("fingerprint") != fingerprint:
            raise ValueError(
                f"cannot resume {path}: its partial file was written for another key, parameters or n"
            )
        with open(partial, "rb") as f:
            np.lib.format.read_magic(f)
            np.lib.format.read_array_header_1_0(f)
            header_len = f.tell()
        done = min(n, (partial.stat().st_size - header_len) // (d * dtype.itemsize))
    path.parent.mkdir(parents=True, exist_ok=True)
    if format == "npy":
        sidecar.write_text(json.dumps({"fingerprint": fingerprint, "n": n}))
        writer: Any = _NpyWriter(partial, n, d, dtype, done)
    elif format == "csv":
        writer = _CsvWriter(partial, columns, dtype, to_table)
    else:
        writer = _ParquetWriter(partial, columns, dtype, to_table)

    completed = False
    try:
        with _progress(n, progress, done) as bar:
            for rows in _batches(key, params, done, n, batch_size):
                writer.write(rows)
                if bar is not None:
                    bar.update(rows.shape[0])
        writer.close()
        os.replace(partial, path)
        completed = True
    finally:
        if not completed:
            with contextlib.suppress(Exception):
                writer.close()
            if format != "npy":
                partial.unlink(missing_ok=True)
        if completed or format != "npy":
            sidecar.unlink(missing_ok=True)
    return path
