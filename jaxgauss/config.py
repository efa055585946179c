"""Synthesizer options and the YAML configuration schema.

The configuration file has three sections (every key optional; unknown keys are errors)::

    generator:
      type: gaussian_mixture      # auto | gaussian | gaussian_mixture (gmm) | gaussian_copula (copula)
      n_components: auto          # an integer >= 1, or auto (K by BIC up to max_components)
      max_components: 15
      covariance_type: full       # full | tied | diag | spherical
      n_init: 10                  # EM restarts
      max_iter: 100               # EM iterations
      regularization: 1e-6        # reg_covar of the mixture; reg of the Gaussian's factorization
      shrinkage: ledoit_wolf      # single Gaussian: ledoit_wolf | oas | none | a number in [0, 1]
      marginals: auto             # copula: auto or one family (norm, lognorm, gamma, beta, ...)
      random_seed: 42
    sampling:
      n_samples: 100000
      batch_size: 10000
      post_processing:
        clip_ranges: {age: [0, 120], income: [0, null]}
        round_columns: [age]
        enforce_constraints: ["loan <= 50 * income"]
    validation:
      ks_test_threshold: 0.05
      correlation_tolerance: 0.1
      min_quality_score: 0.85

A wrong key or value raises ``ValueError`` naming the key path, e.g.
``generator.n_init must be an integer >= 1; got 'ten'``. YAML 1.1 (PyYAML) reads ``1e-6``
(no decimal point) as a string; number options therefore also accept strings that spell a
number.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["DEFAULTS", "MODELS", "check_options", "load_config", "options_from_config"]

#: Model names accepted by ``Synthesizer(model=...)``, with their config spellings.
MODELS = {
    "auto": "auto",
    "gaussian": "gaussian",
    "gmm": "gmm",
    "gaussian_mixture": "gmm",
    "copula": "copula",
    "gaussian_copula": "copula",
}

#: Default options of :class:`jaxgauss.Synthesizer`.
DEFAULTS: dict[str, Any] = {
    "n_components": "auto",
    "max_components": 10,
    "covariance_type": "full",
    "n_init": 1,
    "max_iter": 100,
    "regularization": 1e-6,
    "shrinkage": "ledoit_wolf",
    "marginals": "auto",
    "random_seed": 0,
    "n_samples": None,
    "batch_size": 100_000,
    "clip_ranges": {},
    "round_columns": [],
    "constraints": [],
    "ks_test_threshold": 0.05,
    "correlation_tolerance": 0.1,
    "min_quality_score": None,
    "max_attempts": 1000,
}


def _int(low: int) -> Callable[[Any, str], int]:
    def check(value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"{path} must be an integer >= {low}; got {value!r}")
        return int(value)

    return check


def _number(low: float, high: float = math.inf, *, open_low: bool = False) -> Callable[..., float]:
    def check(value: Any, path: str) -> float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                pass
        ok = (
            not isinstance(value, bool)
            and isinstance(value, numbers.Real)
            and math.isfinite(float(value))
            and (value > low if open_low else value >= low)
            and value <= high
        )
        if not ok:
            bounds = f"{'>' if open_low else '>='} {low:g}" + (
                f" and <= {high:g}" if math.isfinite(high) else ""
            )
            raise ValueError(f"{path} must be a number {bounds}; got {value!r}")
        return float(value)

    return check


def _choice(*choices: str) -> Callable[[Any, str], str]:
    def check(value: Any, path: str) -> str:
        if value not in choices:
            raise ValueError(f"{path} must be one of {list(choices)}; got {value!r}")
        return str(value)

    return check


def _n_components(value: Any, path: str) -> int | str:
    if value == "auto":
        return "auto"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{path} must be 'auto' or an integer >= 1; got {value!r}")
    return int(value)


def _shrinkage(value: Any, path: str) -> str | float | None:
    if value is None or value == "none":
        return None
    if value in ("ledoit_wolf", "oas"):
        return str(value)
    try:
        return _number(0.0, 1.0)(value, path)
    except ValueError:
        raise ValueError(
            f"{path} must be 'ledoit_wolf', 'oas', 'none' or a number in [0, 1]; got {value!r}"
        ) from None


def _optional(check: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    return lambda value, path: None if value is None else check(value, path)


def _clip_ranges(value: Any, path: str) -> dict[str, tuple[float | None, float | None]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"{path} must be a mapping column -> [low, high]; got {value!r}")
    out = {}
    for col, bounds in value.items():
        where = f"{path}.{col}"
        if not isinstance(bounds, list | tuple) or len(bounds) != 2:
            raise ValueError(f"{where} must be a pair [low, high] (null for none); got {bounds!r}")
        lo, hi = (None if b is None else _number(-math.inf)(b, where) for b in bounds)
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"{where} must have low <= high; got {list(bounds)!r}")
        out[str(col)] = (lo, hi)
    return out


def _strings(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{path} must be a list of strings; got {value!r}")
    for i, v in enumerate(value):
        if not isinstance(v, str) or not v:
            raise ValueError(f"{path}[{i}] must be a non-empty string; got {v!r}")
    return list(value)


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "n_components": _n_components,
    "max_components": _int(1),
    "covariance_type": _choice("full", "tied", "diag", "spherical"),
    "n_init": _int(1),
    "max_iter": _int(1),
    "regularization": _number(0.0),
    "shrinkage": _shrinkage,
    "marginals": _choice(
        "auto", "norm", "lognorm", "gamma", "beta", "truncnorm", "uniform", "empirical"
    ),
    "random_seed": _int(0),
    "n_samples": _optional(_int(1)),
    "batch_size": _int(1),
    "clip_ranges": _clip_ranges,
    "round_columns": _strings,
    "constraints": _strings,
    "ks_test_threshold": _number(0.0, 1.0, open_low=True),
    "correlation_tolerance": _number(0.0),
    "min_quality_score": _optional(_number(0.0, 1.0)),
    "max_attempts": _int(1),
}


def check_options(options: Mapping[str, Any], paths: Mapping[str, str] | None = None) -> dict:
    """Validated options with defaults filled in.

    Args:
      options: option name -> value (the keyword arguments of ``Synthesizer``).
      paths: option name -> the name to use in messages (the config key path).

    Raises:
      ValueError: an unknown option or a bad value (naming it).
    """
    paths = paths or {}
    out = dict(DEFAULTS)
    for name, value in options.items():
        if name not in _CHECKS:
            raise ValueError(
                f"unknown option {paths.get(name, name)!r}; the options are {sorted(_CHECKS)}"
            )
        out[name] = _CHECKS[name](value, paths.get(name, name))
    return out


# Config key path -> option name.
_SCHEMA: dict[str, Any] = {
    "generator": {
        "type": "model",
        "n_components": "n_components",
        "max_components": "max_components",
        "covariance_type": "covariance_type",
        "n_init": "n_init",
        "max_iter": "max_iter",
        "regularization": "regularization",
        "shrinkage": "shrinkage",
        "marginals": "marginals",
        "random_seed": "random_seed",
    },
    "sampling": {
        "n_samples": "n_samples",
        "batch_size": "batch_size",
        "max_attempts": "max_attempts",
        "post_processing": {
            "clip_ranges": "clip_ranges",
            "round_columns": "round_columns",
            "enforce_constraints": "constraints",
        },
    },
    "validation": {
        "ks_test_threshold": "ks_test_threshold",
        "correlation_tolerance": "correlation_tolerance",
        "min_quality_score": "min_quality_score",
    },
}


def load_config(path_or_dict: Any) -> dict[str, Any]:
    """Reads a YAML file (a path) or takes a mapping; returns the raw nested mapping."""
    if isinstance(path_or_dict, Mapping):
        return dict(path_or_dict)
    if not isinstance(path_or_dict, str | os.PathLike):
        raise TypeError(
            f"config must be a path to a YAML file or a dict; got {type(path_or_dict).__name__}"
        )
    try:
        import yaml
    except ImportError as e:  # pragma: no cover - pyyaml is in the cli extra
        raise ImportError("reading a YAML config needs pyyaml: pip install 'jaxgauss[cli]'") from e
    with open(path_or_dict, encoding="utf-8") as f:
        try:
            raw = yaml.safe_load(f)
        except yaml.YAMLError as e:
            raise ValueError(f"config {os.fspath(path_or_dict)!r} is not valid YAML: {e}") from None
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError(f"config must be a mapping at the top level; got {type(raw).__name__}")
    return dict(raw)


def options_from_config(config: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(model, options)`` from a nested config mapping, validated.

    Raises:
      ValueError: unknown keys or bad values, naming the key path.
    """
    flat: dict[str, Any] = {}
    paths: dict[str, str] = {}

    def walk(node: Any, schema: Mapping[str, Any], prefix: str) -> None:
        if node is None:
            return
        if not isinstance(node, Mapping):
            raise ValueError(f"{prefix} must be a mapping; got {node!r}")
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in schema:
                raise ValueError(
                    f"unknown config key {path!r}; the keys allowed there are {sorted(schema)}"
                )
            target = schema[key]
            if isinstance(target, Mapping):
                walk(value, target, path)
            else:
                flat[target] = value
                paths[target] = path

    walk(config, _SCHEMA, "")
    model = flat.pop("model", "auto")
    if model not in MODELS:
        raise ValueError(f"generator.type must be one of {sorted(MODELS)}; got {model!r}")
    return MODELS[model], check_options(flat, paths)
