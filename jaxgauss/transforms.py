"""Invertible column transforms, their chains, and models of transformed data.

A transform maps data ``x`` ``(n, d)`` to ``y`` of the same shape, acting on the columns it
names (``columns=None``: all) and leaving the others alone. Each one offers ``forward(x)``,
``inverse(y)`` and ``log_det_jacobian(x)`` (``(n,)``, the log-determinant of ``dy/dx``, summed
over its columns). All are pytrees (arrays as leaves, columns static), so they flow through
``jit``.

=================  ===========================================  ==================================
transform          forward                                      fitted by
=================  ===========================================  ==================================
:class:`Log`       ``log(x + shift)``                           :func:`fit_log` (shift given)
:class:`BoxCox`    ``((x + shift)**lam - 1) / lam`` (``log`` at  :func:`fit_boxcox`: ``lam`` by
                   ``lam = 0``)                                 maximum likelihood (optax)
:class:`Logit`     ``logit((x - lo) / (hi - lo))``              :func:`fit_logit` (bounds given or
                                                                the widened data range)
:class:`Standardize`  ``(x - mean) / scale``                    :func:`fit_standardize`
:class:`Chain`     the steps in order                           :func:`fit_chain`
=================  ===========================================  ==================================

Box-Cox's ``lam`` maximizes the profile log-likelihood of a normal model of the transformed
column (Box & Cox, 1964), the criterion of ``scipy.stats.boxcox``::

    llf(lam) = (lam - 1) * sum(log x) - n / 2 * log(var(y_lam)).

``inverse`` of Box-Cox and logit maps values outside the transform's range (e.g. ``y <= -1/lam``
for ``lam > 0``) to the boundary of the data domain rather than to NaN.

:class:`TransformedParams` composes a transform with any model: ``jg.sample`` draws from the
base model and applies ``inverse``; ``jg.log_prob`` is
``log_prob(base, forward(x)) + log_det_jacobian(x)``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, dispatch
from jaxgauss.marginals import _minimize, _support

__all__ = [
    "BoxCox",
    "Chain",
    "Log",
    "Logit",
    "Standardize",
    "TransformedParams",
    "fit_boxcox",
    "fit_chain",
    "fit_log",
    "fit_logit",
    "fit_standardize",
]


def _pytree(data: list[str], meta: list[str]):
    def wrap(cls):
        cls = dataclasses.dataclass(frozen=True)(cls)
        return jax.tree_util.register_dataclass(cls, data_fields=data, meta_fields=meta)

    return wrap


class _ColumnTransform:
    """Shared column bookkeeping: subclasses define ``_fwd``, ``_inv``, ``_ldj`` on ``(n, m)``."""

    columns: tuple[int, ...] | None

    def _cols(self, x: jax.Array) -> Any:
        return slice(None) if self.columns is None else np.asarray(self.columns)

    def forward(self, x: jax.Array) -> jax.Array:
        """``y = f(x)``, ``(n, d) -> (n, d)``."""
        x = jnp.asarray(x)
        c = self._cols(x)
        return x.at[:, c].set(self._fwd(x[:, c]))

    def inverse(self, y: jax.Array) -> jax.Array:
        """``x = f^-1(y)``, ``(n, d) -> (n, d)``."""
        y = jnp.asarray(y)
        c = self._cols(y)
        return y.at[:, c].set(self._inv(y[:, c]))

    def log_det_jacobian(self, x: jax.Array) -> jax.Array:
        """``log |det dy/dx|`` per row, ``(n,)``."""
        x = jnp.asarray(x)
        c = self._cols(x)
        return jnp.sum(self._ldj(x[:, c]), axis=1)


@_pytree(["shift"], ["columns"])
class Log(_ColumnTransform):
    """``y = log(x + shift)``; ``shift`` ``(m,)`` or scalar."""

    shift: jax.Array
    columns: tuple[int, ...] | None = None

    def _fwd(self, x):
        return jnp.log(x + self.shift)

    def _inv(self, y):
        return jnp.exp(y) - self.shift

    def _ldj(self, x):
        return -jnp.log(x + self.shift)


@_pytree(["lmbda", "shift"], ["columns"])
class BoxCox(_ColumnTransform):
    """``y = ((x + shift)**lmbda - 1) / lmbda``, ``log(x + shift)`` at ``lmbda = 0``."""

    lmbda: jax.Array
    shift: jax.Array
    columns: tuple[int, ...] | None = None

    def _fwd(self, x):
        return _boxcox(jnp.log(x + self.shift), self.lmbda)

    def _inv(self, y):
        lam = self.lmbda
        zero = lam == 0
        safe = jnp.where(zero, 1.0, lam)
        arg = jnp.maximum(1.0 + safe * y, 0.0)  # outside the range -> domain boundary
        log_x = jnp.where(zero, y, jnp.log(arg) / safe)
        return jnp.exp(log_x) - self.shift

    def _ldj(self, x):
        return (self.lmbda - 1.0) * jnp.log(x + self.shift)


def _boxcox(log_x: jax.Array, lam: jax.Array) -> jax.Array:
    # Near lam = 0 the series log x * (1 + lam log x / 2 + ...) keeps value and d/dlam exact
    # (a plain where(lam == 0, log x, ...) has zero lam-gradient there and stalls optimizers).
    small = jnp.abs(lam) < 1e-6
    safe = jnp.where(small, 1.0, lam)
    series = log_x * (1.0 + lam * log_x / 2.0 + lam * lam * log_x * log_x / 6.0)
    return jnp.where(small, series, jnp.expm1(safe * log_x) / safe)


@_pytree(["lo", "hi"], ["columns"])
class Logit(_ColumnTransform):
    """``y = logit((x - lo) / (hi - lo))`` for columns bounded by ``(lo, hi)``."""

    lo: jax.Array
    hi: jax.Array
    columns: tuple[int, ...] | None = None

    def _fwd(self, x):
        u = (x - self.lo) / (self.hi - self.lo)
        return jnp.log(u) - jnp.log1p(-u)

    def _inv(self, y):
        return self.lo + (self.hi - self.lo) * jax.nn.sigmoid(y)

    def _ldj(self, x):
        u = (x - self.lo) / (self.hi - self.lo)
        return -jnp.log(self.hi - self.lo) - jnp.log(u) - jnp.log1p(-u)


@_pytree(["mean", "scale"], ["columns"])
class Standardize(_ColumnTransform):
    """``y = (x - mean) / scale``."""

    mean: jax.Array
    scale: jax.Array
    columns: tuple[int, ...] | None = None

    def _fwd(self, x):
        return (x - self.mean) / self.scale

    def _inv(self, y):
        return self.mean + self.scale * y

    def _ldj(self, x):
        return jnp.broadcast_to(-jnp.log(self.scale), x.shape)


@_pytree(["steps"], [])
class Chain:
    """Transforms applied in order: ``forward`` runs ``steps[0]`` first, ``inverse`` last."""

    steps: tuple[Any, ...]

    def forward(self, x: jax.Array) -> jax.Array:
        for t in self.steps:
            x = t.forward(x)
        return x

    def inverse(self, y: jax.Array) -> jax.Array:
        for t in reversed(self.steps):
            y = t.inverse(y)
        return y

    def log_det_jacobian(self, x: jax.Array) -> jax.Array:
        x = jnp.asarray(x)
        total = jnp.zeros(x.shape[0], x.dtype)
        for t in self.steps:
            total = total + t.log_det_jacobian(x)
            x = t.forward(x)
        return total


# ----------------------------------------------------------------------------- fitting
def _prepare(x: Any, columns: Any) -> tuple[jax.Array, tuple[int, ...] | None, jax.Array]:
    arr = _checks.as_rows(x)
    d = arr.shape[1]
    if columns is None:
        return arr, None, arr
    if isinstance(columns, int | np.integer):
        columns = [columns]
    cols = []
    for c in columns:
        if isinstance(c, bool) or not isinstance(c, int | np.integer) or not 0 <= c < d:
            raise ValueError(f"columns must be indices in [0, {d}); got {c!r}")
        cols.append(int(c))
    return arr, tuple(cols), arr[:, np.asarray(cols)]


def _shift_array(shift: Any, m: int, dtype: Any) -> jax.Array:
    s = _checks.as_float_array(shift, "shift", dtype=dtype)
    if s.ndim > 1 or (s.ndim == 1 and s.shape[0] != m):
        raise ValueError(f"shift must be a scalar or have shape ({m},); got {tuple(s.shape)}")
    return jnp.broadcast_to(s, (m,))


def _check_positive(sub: jax.Array, shift: jax.Array, what: str) -> None:
    low = np.asarray(jnp.min(sub + shift, axis=0))
    if np.any(low <= 0):
        j = int(np.argmin(low))
        raise ValueError(
            f"{what} needs x + shift > 0; the minimum of column {j} (of those transformed) plus "
            f"shift is {low[j]:.4g}. Pass a larger shift."
        )


def fit_log(x: Any, *, columns: Any = None, shift: Any = 0.0) -> Log:
    """A :class:`Log` transform, checked against the data ``x`` ``(n, d)``.

    Raises:
      ValueError: ``x + shift <= 0`` somewhere in the transformed columns.
    """
    arr, cols, sub = _prepare(x, columns)
    s = _shift_array(shift, sub.shape[1], arr.dtype)
    _check_positive(sub, s, "the log transform")
    return Log(s, cols)


@jax.jit
def _boxcox_lambda(log_x: jax.Array) -> jax.Array:
    n = log_x.shape[0]

    def one(lx):
        sum_log = jnp.sum(lx)
        c = jnp.mean(lx)
        lx = lx - c  # x / exp(c): a scale change shifts llf by a constant, lam unchanged

        def nll(p):
            y = _boxcox(lx, p[0])
            return -((p[0] - 1.0) * (sum_log - n * c) - 0.5 * n * jnp.log(jnp.var(y))) / n

        return _minimize(nll, jnp.ones(1, lx.dtype))[0]

    return jax.vmap(one, in_axes=1)(log_x)


def fit_boxcox(x: Any, *, columns: Any = None, shift: Any = 0.0) -> BoxCox:
    """Box-Cox transform with ``lmbda`` fitted per column by maximum likelihood.

    Args:
      x: ``(n, d)`` data; the transformed columns need ``x + shift > 0``.
      columns: indices to transform (default: all).
      shift: added before the transform, scalar or ``(m,)``.

    Returns:
      :class:`BoxCox`; ``lmbda`` agrees with ``scipy.stats.boxcox(x + shift)[1]``.
    """
    arr, cols, sub = _prepare(x, columns)
    s = _shift_array(shift, sub.shape[1], arr.dtype)
    _check_positive(sub, s, "Box-Cox")
    log_x = jnp.log(sub + s)
    if jax.config.jax_enable_x64:
        lam = _boxcox_lambda(log_x.astype(jnp.float64)).astype(arr.dtype)
    else:
        lam = _boxcox_lambda(log_x)
    return BoxCox(lam, s, cols)


def fit_logit(x: Any, *, columns: Any = None, bounds: Any = None) -> Logit:
    """Logit transform for bounded columns.

    Args:
      x: ``(n, d)`` data.
      columns: indices to transform (default: all).
      bounds: ``(lo, hi)`` scalars or ``(m,)`` arrays; default the data range widened by
        ``(max - min) / (n - 1)`` on each side.

    Raises:
      ValueError: data on or outside the bounds, or ``lo >= hi``.
    """
    arr, cols, sub = _prepare(x, columns)
    m = sub.shape[1]
    if bounds is None:
        lo, hi = _support(sub)
    else:
        if not (isinstance(bounds, Sequence) and len(bounds) == 2):
            raise ValueError(f"bounds must be a pair (lo, hi); got {bounds!r}")
        lo = jnp.broadcast_to(_checks.as_float_array(bounds[0], "bounds", dtype=arr.dtype), (m,))
        hi = jnp.broadcast_to(_checks.as_float_array(bounds[1], "bounds", dtype=arr.dtype), (m,))
    if np.any(np.asarray(lo >= hi)):
        raise ValueError(f"bounds need lo < hi; got lo={np.asarray(lo)}, hi={np.asarray(hi)}")
    inside = np.asarray((sub > lo) & (sub < hi))
    if not np.all(inside):
        raise ValueError(
            f"the logit transform needs lo < x < hi; {int(inside.size - inside.sum())} value(s) "
            "lie on or outside the bounds"
        )
    return Logit(lo, hi, cols)


def fit_standardize(x: Any, *, columns: Any = None) -> Standardize:
    """Standardization by the column mean and (population) standard deviation.

    Raises:
      ValueError: a transformed column is constant.
    """
    arr, cols, sub = _prepare(x, columns)
    mean, scale = jnp.mean(sub, axis=0), jnp.std(sub, axis=0)
    if np.any(np.asarray(scale) == 0):
        raise ValueError("fit_standardize needs non-constant columns; a standard deviation is 0")
    return Standardize(mean, scale, cols)


def fit_chain(x: Any, *fitters: Callable[[jax.Array], Any]) -> Chain:
    """Fits transforms in sequence, each on the output of the previous ones.

    Example:
      >>> import functools, numpy as np, jaxgauss as jg
      >>> x = np.random.default_rng(0).lognormal(size=(100, 2))
      >>> t = jg.transforms.fit_chain(x, jg.transforms.fit_boxcox, jg.transforms.fit_standardize)
      >>> np.allclose(t.inverse(t.forward(x)), x)
      True
    """
    y = _checks.as_rows(x)
    steps = []
    for fit in fitters:
        t = fit(y)
        steps.append(t)
        y = t.forward(y)
    return Chain(tuple(steps))


# ----------------------------------------------------------------------------- composed model
@functools.partial(
    jax.tree_util.register_dataclass, data_fields=["transform", "base"], meta_fields=[]
)
@dataclasses.dataclass(frozen=True)
class TransformedParams:
    """A model of ``x = transform.inverse(y)`` with ``y`` drawn from ``base`` (any params)."""

    transform: Any
    base: Any


def _sample_transformed(key, params: TransformedParams, n: int, first_block, within, **kw):
    y = dispatch._model(params.base).sample(key, params.base, n, first_block, within, **kw)
    if isinstance(y, tuple):
        return (params.transform.inverse(y[0]),) + tuple(y[1:])
    return params.transform.inverse(y)


def _log_prob_transformed(params: TransformedParams, x: Any) -> jax.Array:
    x = _checks.as_rows(x, None)
    y = params.transform.forward(x)
    return dispatch.log_prob(params.base, y) + params.transform.log_det_jacobian(x)


dispatch.register(TransformedParams, sample=_sample_transformed, log_prob=_log_prob_transformed)
