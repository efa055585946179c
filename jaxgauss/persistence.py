"""Saving and loading fitted models: arrays in ``.npz`` plus JSON metadata, never pickle.

A file is a zip archive (``numpy.savez``) holding

* ``__jaxgauss__``: the metadata, UTF-8 JSON as a ``uint8`` array, with ``"format"`` (the
  string ``"jaxgauss"``), ``"version"`` (:data:`FORMAT_VERSION`), ``"kind"`` (what was saved) and
  the parameter pytree's structure, whose array leaves refer to the other entries;
* ``a0``, ``a1``, ...: the array leaves, in their own dtype (so a round trip is bit-exact).

Files are written to a temporary name beside the target and renamed into place (atomic), and
read with ``allow_pickle=False``. A truncated, corrupt or foreign file raises ``ValueError``.
"""

from __future__ import annotations

import dataclasses
import importlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["FORMAT_VERSION", "load_arrays", "save_arrays", "tree_from_json", "tree_to_json"]

FORMAT_VERSION = 1
_META = "__jaxgauss__"


def tree_to_json(tree: Any, arrays: list[np.ndarray]) -> Any:
    """A JSON description of a parameter pytree; array leaves are appended to ``arrays``.

    Supports NamedTuples and dataclasses defined in ``jaxgauss``, tuples, lists, dicts with
    string keys, arrays and JSON scalars.
    """
    if isinstance(tree, jax.Array | np.ndarray | np.generic):
        arrays.append(np.asarray(tree))
        return {"array": len(arrays) - 1}
    if tree is None or isinstance(tree, bool | int | float | str):
        return {"value": tree}
    cls = type(tree)
    if (dataclasses.is_dataclass(tree) or hasattr(tree, "_fields")) and cls.__module__.startswith(
        "jaxgauss"
    ):
        names = (
            tree._fields if hasattr(tree, "_fields") else [f.name for f in dataclasses.fields(tree)]
        )
        return {
            "type": f"{cls.__module__}:{cls.__qualname__}",
            "fields": {name: tree_to_json(getattr(tree, name), arrays) for name in names},
        }
    if isinstance(tree, tuple | list):
        return {"list": [tree_to_json(v, arrays) for v in tree], "tuple": isinstance(tree, tuple)}
    if isinstance(tree, dict) and all(isinstance(k, str) for k in tree):
        return {"dict": {k: tree_to_json(v, arrays) for k, v in tree.items()}}
    raise TypeError(f"cannot save a {cls.__module__}.{cls.__qualname__} in a jaxgauss file")


def tree_from_json(node: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Inverse of :func:`tree_to_json`; arrays become JAX arrays of the saved dtype."""
    if "array" in node:
        return jnp.asarray(arrays[f"a{int(node['array'])}"])
    if "value" in node:
        return node["value"]
    if "list" in node:
        items = [tree_from_json(v, arrays) for v in node["list"]]
        return tuple(items) if node.get("tuple") else items
    if "dict" in node:
        return {k: tree_from_json(v, arrays) for k, v in node["dict"].items()}
    module, _, qualname = str(node["type"]).partition(":")
    if not module.startswith("jaxgauss"):
        raise ValueError(f"refusing to build type {node['type']!r}: not a jaxgauss type")
    cls: Any = importlib.import_module(module)
    for part in qualname.split("."):
        cls = getattr(cls, part)
    return cls(**{k: tree_from_json(v, arrays) for k, v in node["fields"].items()})


def save_arrays(
    path: str | os.PathLike[str], meta: dict[str, Any], arrays: list[np.ndarray]
) -> Path:
    """Writes metadata and arrays to ``path`` atomically (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {"format": "jaxgauss", "version": FORMAT_VERSION, **meta}
    entries = {f"a{i}": a for i, a in enumerate(arrays)}
    entries[_META] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **entries)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_arrays(
    path: str | os.PathLike[str], kind: str
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Reads a file written by :func:`save_arrays`, checking it holds a ``kind``.

    Raises:
      ValueError: the file is not a jaxgauss file, is truncated or corrupt, has a newer format
        version, or holds something other than ``kind``.
      OSError: the file cannot be opened.
    """
    path = Path(path)
    raw = path.read_bytes()  # OSError for a missing file is the clearest message
    what = f"{os.fspath(path)!r} is not a valid jaxgauss {kind} file"
    if raw[:4] != b"PK\x03\x04":
        raise ValueError(f"{what}: it is not an .npz (zip) archive")
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            if _META not in npz.files:
                raise ValueError(f"{what}: it has no {_META} metadata (a foreign .npz?)")
            meta = json.loads(npz[_META].tobytes().decode())
            arrays = {name: npz[name] for name in npz.files if name != _META}
    except ValueError as e:
        if str(e).startswith(what):
            raise
        raise ValueError(f"{what}: {e}") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, UnicodeDecodeError) as e:
        raise ValueError(f"{what} (truncated or corrupt: {e})") from None
    if not isinstance(meta, dict) or meta.get("format") != "jaxgauss":
        raise ValueError(f"{what}: its metadata does not name the jaxgauss format")
    version = meta.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{what}: format version {version!r} is not supported by this jaxgauss "
            f"(reads versions <= {FORMAT_VERSION}); upgrade jaxgauss"
        )
    if meta.get("kind") != kind:
        raise ValueError(f"{what}: it holds a {meta.get('kind')!r}")
    return meta, arrays
