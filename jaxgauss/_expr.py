"""The one rule grammar of jaxgauss: Python expression syntax, parsed by :mod:`ast`, never run.

Both kinds of rules use it: :func:`jaxgauss.tables.compile_rule` turns a rule into a JAX
function of table columns (non-linear terms, categories, ``and``/``or``), and
:func:`jaxgauss.constraints.parse_rule` reads a linear inequality ``a @ x <= b`` from it. Column
names that are not Python identifiers (spaces, dots, a leading digit) go between backticks, as
in pandas' ``DataFrame.query``: ``"`alcohol %` <= 14"``.
"""

from __future__ import annotations

import ast
import re
from typing import Any, NamedTuple

__all__ = ["Expression", "parse"]

_BACKTICK = re.compile(r"`([^`]*)`")


class Expression(NamedTuple):
    """A parsed rule.

    Attributes:
      tree: the expression's syntax tree (``ast.expr``).
      rule: the rule as written (for error messages).
      aliases: placeholder identifier -> backticked column name.
    """

    tree: ast.expr
    rule: str
    aliases: dict[str, str]

    def name(self, node: ast.Name) -> str:
        """The column name a ``Name`` node stands for (backticks resolved)."""
        return self.aliases.get(node.id, node.id)


def parse(rule: Any, what: str = "rule") -> Expression:
    """Parses ``rule`` as one Python expression, with backticked column names.

    Raises:
      ValueError: ``rule`` is not a non-empty string, or not a valid expression.
    """
    if not isinstance(rule, str) or not rule.strip():
        raise ValueError(f"{what} must be a non-empty string expression; got {rule!r}")
    aliases: dict[str, str] = {}

    def alias(m: re.Match[str]) -> str:
        aliases[f"__col{len(aliases)}"] = m.group(1)
        return f"__col{len(aliases) - 1}"

    try:
        tree = ast.parse(_BACKTICK.sub(alias, rule).strip(), mode="eval").body
    except SyntaxError as e:
        raise ValueError(f"{what} {rule!r} is not a valid expression: {e.msg}") from None
    return Expression(tree, rule, aliases)
