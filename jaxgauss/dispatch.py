"""Model-independent entry points: ``jg.sample`` and ``jg.log_prob`` for every params type.

Each model module registers its parameter type with :func:`register`; the functions here check
the arguments that all models share (key, ``n``, ``offset``) and forward to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax

from jaxgauss import _checks
from jaxgauss import random as _random

__all__ = ["log_prob", "register", "sample"]


class _Model(NamedTuple):
    sample: Callable[..., Any]  # (key, params, n, first_block, within, **kw) -> (n, d) | tuple
    log_prob: Callable[..., jax.Array]  # (params, x) -> (n,)


_REGISTRY: dict[type, _Model] = {}


def register(
    params_type: type, *, sample: Callable[..., Any], log_prob: Callable[..., Any]
) -> None:
    """Makes ``jg.sample`` and ``jg.log_prob`` accept ``params_type``."""
    _REGISTRY[params_type] = _Model(sample, log_prob)


def _model(params: Any) -> _Model:
    model = _REGISTRY.get(type(params))
    if model is None:
        known = ", ".join(sorted(t.__name__ for t in _REGISTRY))
        raise TypeError(f"params must be one of {known}; got {type(params).__name__}")
    return model


def sample(key: Any, params: Any, n: int, *, offset: Any = 0, **kwargs: Any) -> Any:
    """Rows ``offset .. offset + n`` of the sample stream that ``key`` defines for ``params``.

    Chunk invariant: row ``i`` depends only on ``key``, ``params`` and ``i``, so
    ``sample(key, p, 10)[3:7]`` equals ``sample(key, p, 4, offset=3)`` bit for bit.

    Args:
      key: a PRNG key (``jax.random.key(seed)``; legacy ``PRNGKey`` accepted).
      params: any jaxgauss parameter pytree (``GaussianParams``, ``GMMParams``, ...).
      n: number of rows, a positive Python int (static under ``jit``).
      offset: index of the first row, a non-negative integer (may be traced).
      **kwargs: model options, e.g. ``return_labels=True`` for mixtures.

    Returns:
      ``(n, d)`` array in the parameters' dtype (or a tuple, for model options that add
      outputs).

    Raises:
      TypeError: ``key`` is not a PRNG key, ``n`` not an integer, unknown params type.
      ValueError: ``n < 1`` or ``offset < 0``.

    Example:
      >>> import jax, jaxgauss as jg
      >>> p = jg.gaussian([0.0, 1.0], [[1.0, 0.5], [0.5, 2.0]])
      >>> jg.sample(jax.random.key(0), p, 5).shape
      (5, 2)
    """
    model = _model(params)
    key = _checks.check_key(key)
    n = _checks.check_positive_int(n, "n")
    first_block, within = _random.split_offset(offset)
    return model.sample(key, params, n, first_block, within, **kwargs)


def log_prob(params: Any, x: Any) -> jax.Array:
    """Log-density of rows ``x`` ``(n, d)`` (or one row ``(d,)``) under ``params``."""
    return _model(params).log_prob(params, x)
