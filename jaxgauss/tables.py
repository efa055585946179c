"""Tables in and out of the Gaussian models: column encoding, decoding and row rules.

A table (a pandas ``DataFrame`` or a 2-D numpy array) is encoded to a float matrix that the
models fit, and model samples are decoded back, **row by row** (each output row depends only on
the same sample row, so chunked generation gives the same rows for any batch size):

============  ==========================================  ===========================================
column kind   encoded as                                  decoded by
============  ==========================================  ===========================================
float         the value                                   the value (cast to the column's dtype)
integer       the value                                   rounding, then clipping to the observed
                                                          ``[min, max]``
boolean       0 / 1                                       ``value >= 0.5``
categorical   one-hot indicators, one per category        argmax over the indicators
============  ==========================================  ===========================================

Categorical columns are pandas ``category`` columns and columns of strings (``object`` or
``string`` dtype); their categories are the categorical dtype's (in its order) or the sorted
distinct values. Missing values are rejected.

Rules (``"loan <= 50 * income"``) are Python-like expressions over column names evaluated on the
decoded rows: comparisons (chained too), ``and``/``or``/``not``, ``+ - * / % **``, numbers,
``abs``/``sqrt``/``log``/``exp``, and string literals compared with a categorical column
(``"color == 'red'"``). Names that are not identifiers go in backticks: ```od280/od315` > 2``.
"""

from __future__ import annotations

import ast
import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _expr

__all__ = ["ColumnSpec", "TableSchema", "compile_rule", "infer_schema"]

KINDS = ("float", "int", "bool", "category")


class ColumnSpec(NamedTuple):
    """One column of a table (hashable: it is static metadata of compiled samplers).

    Attributes:
      name: column name.
      kind: ``"float"``, ``"int"``, ``"bool"`` or ``"category"``.
      dtype: the column's dtype as a string (``"float64"``, ``"int32"``, ``"category"``, ...).
      start: first encoded column.
      width: number of encoded columns (the number of categories for ``"category"``, else 1).
      low: observed minimum (``int`` columns; NaN otherwise).
      high: observed maximum (``int`` columns; NaN otherwise).
      categories: the categories of a ``"category"`` column (JSON scalars), else ``()``.
    """

    name: str
    kind: str
    dtype: str
    start: int
    width: int
    low: float
    high: float
    categories: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class TableSchema:
    """Columns of a table and whether it came as a ``DataFrame`` or an ndarray.

    Attributes:
      columns: one :class:`ColumnSpec` per table column.
      frame: ``True`` for a pandas ``DataFrame`` input, ``False`` for a numpy array.
    """

    columns: tuple[ColumnSpec, ...]
    frame: bool

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def n_encoded(self) -> int:
        return sum(c.width for c in self.columns)

    def column(self, name: str, what: str = "column") -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise ValueError(f"{what}: unknown column {name!r}; the columns are {list(self.names)}")

    # -- JSON round trip (persistence) -----------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "frame": self.frame,
            "columns": [
                {
                    **c._asdict(),
                    "low": None if math.isnan(c.low) else c.low,
                    "high": None if math.isnan(c.high) else c.high,
                    "categories": list(c.categories),
                }
                for c in self.columns
            ],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> TableSchema:
        cols = []
        for c in obj["columns"]:
            cols.append(
                ColumnSpec(
                    str(c["name"]),
                    str(c["kind"]),
                    str(c["dtype"]),
                    int(c["start"]),
                    int(c["width"]),
                    math.nan if c["low"] is None else float(c["low"]),
                    math.nan if c["high"] is None else float(c["high"]),
                    tuple(c["categories"]),
                )
            )
            if cols[-1].kind not in KINDS:
                raise ValueError(f"unknown column kind {cols[-1].kind!r}")
        return cls(tuple(cols), bool(obj["frame"]))


def _is_frame(data: Any) -> bool:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        return False
    return isinstance(data, pd.DataFrame)


def _json_scalar(v: Any, column: str) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool | int | str) or (isinstance(v, float) and math.isfinite(v)):
        return v
    raise ValueError(
        f"data: the categories of column {column!r} must be strings, integers, booleans or "
        f"finite floats; got {v!r} ({type(v).__name__})"
    )


def _kind_of(dtype: Any) -> str:
    import pandas as pd

    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return "category"
    raise TypeError(
        f"data columns must be numeric, integer, boolean, categorical or strings; got dtype {dtype}"
    )


def infer_schema(data: Any) -> TableSchema:
    """The :class:`TableSchema` of a ``DataFrame`` or a 2-D numeric numpy array.

    Raises:
      TypeError: unsupported data or column types.
      ValueError: empty data, missing values, non-finite numbers, duplicate column names.
    """
    cols: list[ColumnSpec] = []
    start = 0
    if _is_frame(data):
        if data.shape[0] < 2 or data.shape[1] < 1:
            raise ValueError(f"data must have at least 2 rows and 1 column; got shape {data.shape}")
        names = [str(c) for c in data.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"data has duplicate column names: {names}")
        for name, col_name in zip(names, data.columns, strict=True):
            series = data[col_name]
            try:
                kind = _kind_of(series.dtype)
            except TypeError as e:
                raise TypeError(f"data column {name!r}: {e}") from None
            if series.isna().any():
                raise ValueError(
                    f"data column {name!r} has {int(series.isna().sum())} missing value(s); "
                    "fill or drop them first"
                )
            low = high = math.nan
            categories: tuple[Any, ...] = ()
            if kind == "category":
                if hasattr(series, "cat"):
                    values = list(series.cat.categories)
                else:
                    values = sorted(set(series.tolist()), key=lambda v: (str(type(v)), v))
                categories = tuple(_json_scalar(v, name) for v in values)
                width = len(categories)
            else:
                width = 1
                arr = series.to_numpy(dtype=np.float64)
                if not np.all(np.isfinite(arr)):
                    raise ValueError(f"data column {name!r} must be finite")
                if kind == "int":
                    low, high = float(arr.min()), float(arr.max())
            cols.append(
                ColumnSpec(name, kind, str(series.dtype), start, width, low, high, categories)
            )
            start += width
        return TableSchema(tuple(cols), True)
    if isinstance(data, np.ndarray | jax.Array):
        arr = np.asarray(data)
        if arr.ndim != 2 or arr.shape[0] < 2:
            raise ValueError(
                f"data must be a 2-D array with at least 2 rows; got shape {arr.shape}"
            )
        kind = {"b": "bool", "i": "int", "u": "int", "f": "float"}.get(arr.dtype.kind)
        if kind is None:
            raise TypeError(f"data must be a numeric array; got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr.astype(np.float64))):
            raise ValueError("data must be finite; it holds NaN or infinite values")
        for j in range(arr.shape[1]):
            low = float(arr[:, j].min()) if kind == "int" else math.nan
            high = float(arr[:, j].max()) if kind == "int" else math.nan
            cols.append(ColumnSpec(f"x{j}", kind, str(arr.dtype), j, 1, low, high, ()))
        return TableSchema(tuple(cols), False)
    raise TypeError(
        f"data must be a pandas DataFrame or a 2-D numpy array; got {type(data).__name__}"
    )


def check_same_columns(schema: TableSchema, data: Any, name: str = "data") -> None:
    """Raises ``ValueError`` when ``data`` does not have the columns of ``schema``."""
    if schema.frame:
        if not _is_frame(data):
            raise TypeError(
                f"{name} must be a DataFrame like the fitted data; got {type(data).__name__}"
            )
        got = [str(c) for c in data.columns]
        if got != list(schema.names):
            raise ValueError(f"{name} must have the columns {list(schema.names)}; got {got}")
    else:
        shape = np.shape(data)
        if len(shape) != 2 or shape[1] != len(schema.columns):
            raise ValueError(
                f"{name} must have shape (n, {len(schema.columns)}) like the fitted data; got {shape}"
            )


def encode(schema: TableSchema, data: Any, dtype: Any) -> np.ndarray:
    """The ``(n, schema.n_encoded)`` float matrix of a table (one-hot for categories)."""
    check_same_columns(schema, data)
    n = data.shape[0]
    out = np.zeros((n, schema.n_encoded), dtype=dtype)
    for j, c in enumerate(schema.columns):
        values = data.iloc[:, j] if schema.frame else data[:, j]
        if c.kind == "category":
            lookup = {v: i for i, v in enumerate(c.categories)}
            try:
                codes = np.fromiter((lookup[v] for v in values), dtype=np.int64, count=n)
            except KeyError as e:
                raise ValueError(
                    f"data column {c.name!r} holds {e.args[0]!r}, which is not one of its "
                    f"categories {list(c.categories)}"
                ) from None
            out[np.arange(n), c.start + codes] = 1
        else:
            out[:, c.start] = np.asarray(values, dtype=np.float64)
    return out


def to_numbers(schema: TableSchema, data: Any) -> np.ndarray:
    """The ``(n, n_columns)`` float64 numbers of a table: category codes, booleans as 0/1."""
    check_same_columns(schema, data)
    n = data.shape[0]
    out = np.zeros((n, len(schema.columns)))
    for j, c in enumerate(schema.columns):
        values = data.iloc[:, j] if schema.frame else data[:, j]
        if c.kind == "category":
            lookup = {v: i for i, v in enumerate(c.categories)}
            try:
                out[:, j] = [lookup[v] for v in values]
            except KeyError as e:
                raise ValueError(
                    f"data column {c.name!r} holds {e.args[0]!r}, which is not one of its "
                    f"categories {list(c.categories)}"
                ) from None
        else:
            out[:, j] = np.asarray(values, dtype=np.float64)
    return out


def dequantize(schema: TableSchema, key: jax.Array, x: np.ndarray) -> np.ndarray:
    """Adds uniform noise to the discrete encoded columns so that they have a density.

    Integer and boolean values get ``U(-0.5, 0.5)`` (rounding and thresholding at 0.5 undo it);
    one-hot indicators get ``U(-0.25, 0.25)`` (the argmax is unchanged). Densities, and hence
    BIC comparisons between models, are then finite and meaningful.
    """
    widths = np.zeros(schema.n_encoded)
    for c in schema.columns:
        if c.kind in ("int", "bool"):
            widths[c.start] = 1.0
        elif c.kind == "category":
            widths[c.start : c.start + c.width] = 0.5
    if not widths.any():
        return x
    u = np.asarray(
        jax.random.uniform(
            key, x.shape, dtype=jnp.float64 if x.dtype == np.float64 else jnp.float32
        )
    )
    return (x + (u - 0.5) * widths).astype(x.dtype)


def decode(schema: TableSchema, z: jax.Array) -> jax.Array:
    """Row-wise decoding of encoded samples ``(n, n_encoded)`` to ``(n, n_columns)`` numbers.

    Floats pass through; integers are rounded and clipped to the observed range; booleans are
    ``z >= 0.5`` as 0/1; categories are the argmax code. Works under ``jit``.
    """
    out = []
    for c in schema.columns:
        v = z[:, c.start]
        if c.kind == "int":
            v = jnp.clip(jnp.round(v), c.low, c.high)
        elif c.kind == "bool":
            v = (v >= 0.5).astype(z.dtype)
        elif c.kind == "category":
            v = jnp.argmax(z[:, c.start : c.start + c.width], axis=1).astype(z.dtype)
        out.append(v)
    return jnp.stack(out, axis=1)


def to_table(schema: TableSchema, values: np.ndarray) -> Any:
    """Decoded numbers ``(n, n_columns)`` as a table with the fitted columns and dtypes."""
    values = np.asarray(values)
    if not schema.frame:
        dtype = np.dtype(schema.columns[0].dtype)
        return values.astype(dtype) if dtype.kind == "f" else np.rint(values).astype(dtype)
    import pandas as pd

    data: dict[str, Any] = {}
    for j, c in enumerate(schema.columns):
        v = values[:, j]
        if c.kind == "float":
            data[c.name] = pd.Series(v).astype(c.dtype)
        elif c.kind == "int":
            data[c.name] = pd.Series(np.rint(v).astype(np.int64)).astype(c.dtype)
        elif c.kind == "bool":
            data[c.name] = pd.Series(v >= 0.5).astype(c.dtype)
        else:
            codes = np.rint(v).astype(np.int64)
            labels = np.asarray(c.categories, dtype=object)[codes]
            if c.dtype == "category":
                data[c.name] = pd.Categorical(labels, categories=list(c.categories))
            else:
                data[c.name] = pd.Series(labels, dtype=object).astype(c.dtype)
    return pd.DataFrame(data)


def encoded_value(spec: ColumnSpec, value: Any, what: str) -> list[float]:
    """The encoded values of one table value (a one-hot vector for categories)."""
    if spec.kind == "category":
        if value not in spec.categories:
            raise ValueError(
                f"{what}: {value!r} is not a category of column {spec.name!r}; "
                f"categories are {list(spec.categories)}"
            )
        one_hot = [0.0] * spec.width
        one_hot[spec.categories.index(value)] = 1.0
        return one_hot
    if isinstance(value, bool | np.bool_):
        value = float(value)
    if not isinstance(value, int | float | np.integer | np.floating) or not math.isfinite(value):
        raise ValueError(f"{what}: column {spec.name!r} needs a finite number; got {value!r}")
    return [float(value)]


# ---------------------------------------------------------------------------------------------
# Rules.

_FUNCS: dict[str, Callable[[Any], Any]] = {
    "abs": jnp.abs,
    "sqrt": jnp.sqrt,
    "log": jnp.log,
    "exp": jnp.exp,
}
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: jnp.add,
    ast.Sub: jnp.subtract,
    ast.Mult: jnp.multiply,
    ast.Div: jnp.divide,
    ast.Mod: jnp.mod,
    ast.Pow: jnp.power,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: jnp.less,
    ast.LtE: jnp.less_equal,
    ast.Gt: jnp.greater,
    ast.GtE: jnp.greater_equal,
    ast.Eq: jnp.equal,
    ast.NotEq: jnp.not_equal,
}


def compile_rule(
    rule: str, schema: TableSchema, what: str = "rule"
) -> Callable[[Sequence[jax.Array]], jax.Array]:
    """Parses a rule into a function of the decoded columns that returns a boolean per row.

    Args:
      rule: the expression, e.g. ``"alcohol <= 14 and hue > 0.5"``.
      schema: the table's columns (names, categories).
      what: how to name the rule in error messages.

    Returns:
      ``f(columns) -> (n,) bool``, ``columns`` the decoded columns in schema order.

    Raises:
      ValueError: syntax errors, unknown columns or functions, unsupported constructs.
    """
    expr = _expr.parse(rule, what)
    tree, aliases = expr.tree, expr.aliases
    index = {c.name: j for j, c in enumerate(schema.columns)}

    def column(node: ast.expr) -> ColumnSpec | None:
        if isinstance(node, ast.Name):
            return schema.columns[index[aliases.get(node.id, node.id)]]
        return None

    def build(node: ast.expr) -> Callable[[Sequence[jax.Array]], Any]:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            value = float(node.value)
            return lambda cols: value
        if isinstance(node, ast.Name):
            name = aliases.get(node.id, node.id)
            if name not in index:
                raise ValueError(
                    f"{what} {rule!r}: unknown column {name!r}; the columns are {list(index)}"
                )
            j = index[name]
            return lambda cols: cols[j]
        if isinstance(node, ast.BoolOp):
            parts = [build(v) for v in node.values]
            op = jnp.logical_and if isinstance(node.op, ast.And) else jnp.logical_or

            def boolop(cols: Sequence[jax.Array]) -> Any:
                out = parts[0](cols)
                for p in parts[1:]:
                    out = op(out, p(cols))
                return out

            return boolop
        if isinstance(node, ast.UnaryOp):
            inner = build(node.operand)
            if isinstance(node.op, ast.Not):
                return lambda cols: jnp.logical_not(inner(cols))
            if isinstance(node.op, ast.USub):
                return lambda cols: -inner(cols)
            if isinstance(node.op, ast.UAdd):
                return inner
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right, fn = build(node.left), build(node.right), _BINOPS[type(node.op)]
            return lambda cols: fn(left(cols), right(cols))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id not in _FUNCS or len(node.args) != 1 or node.keywords:
                raise ValueError(
                    f"{what} {rule!r}: only the functions {sorted(_FUNCS)} of one argument "
                    "are supported"
                )
            arg, fn1 = build(node.args[0]), _FUNCS[node.func.id]
            return lambda cols: fn1(arg(cols))
        if isinstance(node, ast.Compare):
            ops = [_CMPOPS[type(op)] if type(op) in _CMPOPS else None for op in node.ops]
            if any(op is None for op in ops):
                raise ValueError(f"{what} {rule!r}: only <, <=, >, >=, ==, != comparisons")
            operands = [node.left, *node.comparators]
            built: list[Callable[[Sequence[jax.Array]], Any]] = []
            for i, operand in enumerate(operands):
                if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
                    # A category label: compare with the neighbouring categorical column's code.
                    neighbours = [operands[k] for k in (i - 1, i + 1) if 0 <= k < len(operands)]
                    specs = [
                        s
                        for s in (column(o) for o in neighbours if isinstance(o, ast.Name))
                        if s is not None and s.kind == "category"
                    ]
                    if not specs or operand.value not in specs[0].categories:
                        raise ValueError(
                            f"{what} {rule!r}: the string {operand.value!r} must be compared "
                            "with a categorical column that has it as a category"
                        )
                    code = float(specs[0].categories.index(operand.value))
                    built.append(lambda cols, code=code: code)
                else:
                    built.append(build(operand))

            def compare(cols: Sequence[jax.Array]) -> Any:
                out = None
                for k, op in enumerate(ops):
                    term = op(built[k](cols), built[k + 1](cols))  # type: ignore[misc]
                    out = term if out is None else jnp.logical_and(out, term)
                return out

            return compare
        raise ValueError(f"{what} {rule!r}: unsupported expression {ast.dump(node)[:60]}")

    fn = build(tree)

    def evaluate(cols: Sequence[jax.Array]) -> jax.Array:
        out = jnp.asarray(fn(cols))
        return jnp.broadcast_to(out.astype(bool), cols[0].shape)

    return evaluate
