"""Domain constraints on sampled rows, enforced by vectorized rejection sampling.

``Constraints(bounds={col: (lo, hi)}, integers=[...], rules=["x1 <= 0.5 * x0"], clip=[...])``
describes the valid rows; :func:`sample_constrained` returns exactly ``n`` of them: the first
``n`` valid rows of the model's row stream for ``key`` (so the result does not depend on the
internal batch sizes).

Each candidate row is post-processed, then checked:

1. ``integers`` columns are rounded to the nearest integer;
2. ``clip`` columns are clipped to their bounds (only where asked: clipping piles mass on the
   bounds and distorts correlations, rejection does not);
3. the row is valid when every bound holds (``lo <= x <= hi``) and every rule holds.

Rules are linear inequalities in the project's one rule grammar (:mod:`jaxgauss._expr`: Python
expression syntax read with :mod:`ast`, never ``eval``): numbers, column names (``x0, x1, ...``
for arrays, or the names given in ``columns``; backticks for names with spaces), ``+ - * /``
with constants, parentheses, and one of ``<= < >= >``. Strict and
non-strict inequalities are treated alike (floating point cannot tell them apart).

Batches: a first batch of ``max(n, 1024)`` rows measures the acceptance rate; later batches
draw ``1.25 * missing / rate`` rows (rounded up to a power of two, at most ``max_batch``; eight
times the previous batch while nothing has been accepted), for
at most ``max_rounds`` rounds. When the measured acceptance rate falls below
``min_acceptance`` (after at least ``min_draws`` rows), or the rounds run out, a
``ValueError`` reports the rate.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, _expr, dispatch

__all__ = ["Constraints", "parse_rule", "postprocess", "sample_constrained"]


class _Linear(NamedTuple):
    coef: np.ndarray  # (d,)
    const: float


_COMPARISONS = {ast.LtE: False, ast.Lt: False, ast.GtE: True, ast.Gt: True}  # True: flip sign


def _linear(node: ast.expr, expr: _expr.Expression, names: dict[str, int], d: int) -> _Linear:
    """The linear form ``coef @ x + const`` of an arithmetic expression (else ValueError)."""

    def error(msg: str) -> ValueError:
        return ValueError(f"rule {expr.rule!r}: {msg}")

    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _Linear(np.zeros(d), float(node.value))
    if isinstance(node, ast.Name):
        name = expr.name(node)
        if name not in names:
            known = ", ".join(list(names)[:8])
            raise error(f"unknown column {name!r}; known columns: {known}")
        coef = np.zeros(d)
        coef[names[name]] = 1.0
        return _Linear(coef, 0.0)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
        inner = _linear(node.operand, expr, names, d)
        return inner if isinstance(node.op, ast.UAdd) else _Linear(-inner.coef, -inner.const)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        lhs = _linear(node.left, expr, names, d)
        rhs = _linear(node.right, expr, names, d)
        if isinstance(node.op, ast.Add | ast.Sub):
            sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
            return _Linear(lhs.coef + sign * rhs.coef, lhs.const + sign * rhs.const)
        if isinstance(node.op, ast.Mult):
            if np.any(lhs.coef) and np.any(rhs.coef):
                raise error("only linear rules are supported (a column times a column)")
            if np.any(rhs.coef):
                lhs, rhs = rhs, lhs
            return _Linear(lhs.coef * rhs.const, lhs.const * rhs.const)
        if np.any(rhs.coef):
            raise error("only linear rules are supported (division by a column)")
        if rhs.const == 0:
            raise error("division by zero")
        return _Linear(lhs.coef / rhs.const, lhs.const / rhs.const)
    raise error(
        "only linear rules are supported: numbers, columns, + - * / with constants, parentheses"
    )


def _name_map(d: int, columns: Sequence[str] | None) -> dict[str, int]:
    names = {f"x{j}": j for j in range(d)}
    if columns is not None:
        names.update({str(c): j for j, c in enumerate(columns)})
    return names


def parse_rule(rule: str, d: int, columns: Sequence[str] | None = None) -> tuple[np.ndarray, float]:
    """Parses a linear inequality into ``(a, b)`` meaning ``a @ x <= b``.

    Example:
      >>> a, b = parse_rule("x1 <= 0.5 * x0 + 2", 2)
      >>> a.tolist(), b
      ([-0.5, 1.0], 2.0)
    """
    if not isinstance(rule, str):
        raise TypeError(f"rules must be strings; got {type(rule).__name__}")
    expr = _expr.parse(rule, "rule")
    tree = expr.tree
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1):
        raise ValueError(
            f"rule {rule!r}: expected one comparison (<=, <, >=, >) between two linear expressions"
        )
    if type(tree.ops[0]) not in _COMPARISONS:
        raise ValueError(f"rule {rule!r}: expected a comparison <=, <, >= or >")
    names = _name_map(d, columns)
    lhs = _linear(tree.left, expr, names, d)
    rhs = _linear(tree.comparators[0], expr, names, d)
    coef, const = lhs.coef - rhs.coef, rhs.const - lhs.const  # coef . x <= const
    if _COMPARISONS[type(tree.ops[0])]:
        coef, const = -coef, -const
    if not np.any(coef):
        raise ValueError(f"rule {rule!r}: the rule involves no column")
    return coef, const


class _Compiled(NamedTuple):
    lo: jax.Array  # (d,) -inf where unbounded
    hi: jax.Array  # (d,)
    integer: jax.Array  # (d,) bool
    clip: jax.Array  # (d,) bool
    a: jax.Array  # (r, d)
    b: jax.Array  # (r,)


class Constraints:
    """Valid-row constraints: bounds, integer columns, linear rules, optional clipping.

    Args:
      bounds: ``{column: (lo, hi)}``; ``None`` for an open side.
      integers: columns rounded to integers.
      rules: linear inequalities such as ``"x1 <= 0.5 * x0"``.
      clip: columns whose bounds are enforced by clipping instead of rejection.
      columns: optional column names, usable in ``bounds``, ``integers``, ``clip`` and rules.
    """

    def __init__(
        self,
        bounds: Mapping[Any, tuple[Any, Any]] | None = None,
        integers: Sequence[Any] = (),
        rules: Sequence[str] = (),
        *,
        clip: Sequence[Any] = (),
        columns: Sequence[str] | None = None,
    ):
        if bounds is not None and not isinstance(bounds, Mapping):
            raise TypeError(
                f"bounds must be a mapping {{column: (lo, hi)}}; got {type(bounds).__name__}"
            )
        if isinstance(rules, str):
            rules = [rules]
        for name, cols in (("integers", integers), ("clip", clip)):
            if isinstance(cols, str):
                raise TypeError(f"{name} must be a list of columns; got the string {cols!r}")
        self.bounds = dict(bounds or {})
        self.integers = list(integers)
        self.rules = list(rules)
        self.clip = list(clip)
        self.columns = None if columns is None else [str(c) for c in columns]
        for c in self.clip:
            if c not in self.bounds:
                raise ValueError(f"clip lists column {c!r}, which has no bounds to clip to")

    def __repr__(self) -> str:
        return (
            f"Constraints(bounds={self.bounds}, integers={self.integers}, rules={self.rules}, "
            f"clip={self.clip})"
        )

    def _index(self, key: Any, d: int, arg: str) -> int:
        if isinstance(key, str):
            names = _name_map(d, self.columns)
            if key not in names:
                raise ValueError(
                    f"{arg} names column {key!r}, which is not among {list(names)[:8]}"
                )
            return names[key]
        if isinstance(key, bool) or not isinstance(key, int | np.integer) or not 0 <= key < d:
            raise ValueError(f"{arg} columns must be indices in [0, {d}) or names; got {key!r}")
        return int(key)

    def compile(self, d: int, dtype: Any = None) -> _Compiled:
        """Arrays for ``d`` columns: bounds, masks and the rule matrix ``a @ x <= b``."""
        if self.columns is not None and len(self.columns) != d:
            raise ValueError(f"columns must name the {d} columns; got {len(self.columns)}")
        lo, hi = np.full(d, -np.inf), np.full(d, np.inf)
        for key, pair in self.bounds.items():
            j = self._index(key, d, "bounds")
            if not (isinstance(pair, Sequence) and len(pair) == 2):
                raise ValueError(f"bounds[{key!r}] must be a pair (lo, hi); got {pair!r}")
            lo[j] = -np.inf if pair[0] is None else float(pair[0])
            hi[j] = np.inf if pair[1] is None else float(pair[1])
            if not lo[j] <= hi[j]:
                raise ValueError(f"bounds[{key!r}] needs lo <= hi; got {pair!r}")
        integer, clip = np.zeros(d, bool), np.zeros(d, bool)
        for key in self.integers:
            integer[self._index(key, d, "integers")] = True
        for key in self.clip:
            clip[self._index(key, d, "clip")] = True
        parsed = [parse_rule(r, d, self.columns) for r in self.rules]
        a = np.stack([p[0] for p in parsed]) if parsed else np.zeros((0, d))
        b = np.array([p[1] for p in parsed]) if parsed else np.zeros(0)
        dtype = dtype or jnp.result_type(float)
        return _Compiled(
            jnp.asarray(lo, dtype), jnp.asarray(hi, dtype), jnp.asarray(integer),
            jnp.asarray(clip), jnp.asarray(a, dtype), jnp.asarray(b, dtype),
        )  # fmt: skip


@jax.jit
def _apply(c: _Compiled, x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Post-processes rows ``(m, d)`` and returns them with their validity ``(m,)``."""
    x = jnp.where(c.integer, jnp.round(x), x)
    x = jnp.where(c.clip, jnp.clip(x, c.lo, c.hi), x)
    ok = jnp.all((x >= c.lo) & (x <= c.hi), axis=1)
    if c.a.shape[0]:
        ok = ok & jnp.all(x @ c.a.T <= c.b, axis=1)
    return x, ok


def postprocess(constraints: Constraints, x: Any) -> tuple[jax.Array, jax.Array]:
    """Rounds/clips rows ``x`` ``(m, d)`` as the constraints ask; returns ``(rows, valid)``."""
    x = _checks.as_rows(x)
    return _apply(constraints.compile(x.shape[1], x.dtype), x)


def _next_size(missing: int, rate: float, previous: int, max_batch: int) -> int:
    if rate <= 0:  # nothing accepted yet: grow geometrically to measure the rate
        return int(min(max_batch, 8 * previous))
    want = missing / rate * 1.25
    return int(min(max_batch, max(1024, 2 ** math.ceil(math.log2(max(want, 1.0))))))


def sample_constrained(
    key: Any,
    params: Any,
    n: int,
    constraints: Constraints,
    *,
    max_rounds: int = 20,
    min_acceptance: float = 1e-4,
    min_draws: int = 100_000,
    max_batch: int = 1 << 20,
) -> jax.Array:
    """Exactly ``n`` valid rows: the first ``n`` valid rows of ``jg.sample``'s stream for ``key``.

    Args:
      key: PRNG key.
      params: any model parameters ``jg.sample`` accepts.
      n: number of rows.
      constraints: a :class:`Constraints`.
      max_rounds: most batches drawn before giving up.
      min_acceptance: lowest acceptance rate tolerated once ``min_draws`` rows were drawn.
      min_draws: rows drawn before a low acceptance rate is judged.
      max_batch: largest batch, in rows.

    Returns:
      ``(n, d)`` rows, post-processed (rounded/clipped) and valid.

    Raises:
      ValueError: the constraints are unsatisfiable or nearly so (the message reports the
        acceptance rate), or bad arguments.

    Example:
      >>> import jax, jaxgauss as jg
      >>> p = jg.gaussian([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]])
      >>> c = jg.Constraints(bounds={0: (0.0, None)}, rules=["x1 <= 0.5 * x0"])
      >>> x = jg.sample_constrained(jax.random.key(0), p, 100, c)
      >>> bool((x[:, 0] >= 0).all() and (x[:, 1] <= 0.5 * x[:, 0]).all())
      True
    """
    if not isinstance(constraints, Constraints):
        raise TypeError(f"constraints must be a jg.Constraints; got {type(constraints).__name__}")
    n = _checks.check_positive_int(n, "n")
    max_rounds = _checks.check_positive_int(max_rounds, "max_rounds")
    max_batch = _checks.check_positive_int(max_batch, "max_batch")
    if not 0.0 <= float(min_acceptance) < 1.0:
        raise ValueError(f"min_acceptance must lie in [0, 1); got {min_acceptance!r}")
    size = _next_size(n, 1.0, 1024, max_batch)
    compiled = None
    parts: list[np.ndarray] = []
    have = drawn = offset = 0
    for _ in range(max_rounds):
        x = dispatch.sample(key, params, size, offset=offset)
        if compiled is None:
            compiled = constraints.compile(x.shape[1], x.dtype)
        x, ok = _apply(compiled, x)
        ok_host = np.asarray(ok)
        parts.append(np.asarray(x)[ok_host])
        have += int(ok_host.sum())
        drawn += size
        offset += size
        if have >= n:
            return jnp.asarray(np.concatenate(parts)[:n])
        rate = have / drawn
        if drawn >= min_draws and rate < min_acceptance:
            raise ValueError(
                f"constraints accepted {have} of {drawn} rows (acceptance rate {rate:.3g}, below "
                f"min_acceptance={min_acceptance:g}); they are unsatisfiable or nearly so for this "
                "model. Loosen the constraints or lower min_acceptance."
            )
        size = _next_size(n - have, rate, size, max_batch)
    raise ValueError(
        f"constraints accepted {have} of {drawn} rows in {max_rounds} rounds (acceptance rate "
        f"{have / drawn:.3g}); {n} were requested. Raise max_rounds/max_batch or loosen them."
    )
