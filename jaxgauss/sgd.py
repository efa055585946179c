"""Mini-batch maximum-likelihood fitting of Gaussian mixtures with optax.

For data streams and for use inside training loops, where EM's full passes do not fit.
The mixture is optimized through an unconstrained parametrization, so every step yields valid
parameters whatever the optimizer does:

* weights ``= softmax(logits)``;
* factors (full ``(K, d, d)`` and tied ``(d, d)``): strictly lower part free, diagonal
  ``softplus(raw) + sqrt(reg_covar)``, so every covariance is positive definite;
* standard deviations (diag ``(K, d)``, spherical ``(K,)``): ``softplus(raw) + sqrt(reg_covar)``.

The data are standardized internally (by the mean and standard deviation of the first batch,
one common scale for ``"spherical"``) so that a single learning rate suits every column; the
returned parameters are in the data's units. The loss is the negative mean log-likelihood of the
batch, computed in log space (``logsumexp``); the default optimizer clips the global gradient norm
before Adam with a cosine-decayed learning rate.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

from jaxgauss import _checks, dispatch, mixture
from jaxgauss.em import fit_gmm
from jaxgauss.mixture import GMMParams

__all__ = ["SGDFit", "fit_gmm_sgd"]

_INIT_ROWS = 20_000


class SGDFit(NamedTuple):
    """Result of :func:`fit_gmm_sgd`.

    Attributes:
      params: the fitted :class:`~jaxgauss.GMMParams` in the data's units.
      log_likelihood: ``()`` mean per-sample log-likelihood: of the whole array for in-memory
        data, of the last batch for streams.
      losses: ``(steps,)`` negative mean log-likelihood of each step's batch (in the data's
        units).
    """

    params: GMMParams
    log_likelihood: jax.Array
    losses: jax.Array


class _Theta(NamedTuple):
    logits: jax.Array  # (K,)
    means: jax.Array  # (K, d), standardized units
    raw: jax.Array  # unconstrained scales, shaped like GMMParams.scales


class _Standardizer(NamedTuple):
    loc: jax.Array  # (d,)
    scale: jax.Array  # (d,)


def _softplus_inv(y: jax.Array) -> jax.Array:
    return y + jnp.log(-jnp.expm1(-y))


def _to_params(theta: _Theta, ctype: str, floor: jax.Array) -> GMMParams:
    weights = jax.nn.softmax(theta.logits)
    if ctype in ("full", "tied"):
        diag = jax.nn.softplus(jnp.diagonal(theta.raw, axis1=-2, axis2=-1)) + floor
        eye = jnp.eye(theta.raw.shape[-1], dtype=theta.raw.dtype)
        scales = jnp.tril(theta.raw, -1) + diag[..., None] * eye
    else:
        scales = jax.nn.softplus(theta.raw) + floor
    return GMMParams(weights, theta.means, scales, ctype)


def _from_params(params: GMMParams, floor: jax.Array) -> _Theta:
    logits = jnp.log(jnp.maximum(params.weights, jnp.finfo(params.weights.dtype).tiny))
    if params.covariance_type in ("full", "tied"):
        diag = jnp.diagonal(params.scales, axis1=-2, axis2=-1)
        raw_diag = _softplus_inv(jnp.maximum(diag - floor, floor))
        eye = jnp.eye(params.scales.shape[-1], dtype=params.scales.dtype)
        raw = jnp.tril(params.scales, -1) + raw_diag[..., None] * eye
    else:
        raw = _softplus_inv(jnp.maximum(params.scales - floor, floor))
    return _Theta(logits, params.means, raw)


def _rescale(params: GMMParams, st: _Standardizer, inverse: bool) -> GMMParams:
    """Maps parameters between standardized and data units (``inverse`` = to standardized)."""
    s = 1.0 / st.scale if inverse else st.scale
    loc = st.loc
    means = (params.means - loc) * s if inverse else params.means * s + loc
    if params.covariance_type in ("full", "tied"):
        scales = s[:, None] * params.scales
    elif params.covariance_type == "diag":
        scales = params.scales * s
    else:
        scales = params.scales * s[0]
    return GMMParams(params.weights, means, scales, params.covariance_type)


def _nll(theta: _Theta, batch: jax.Array, ctype: str, floor: jax.Array) -> jax.Array:
    return -jnp.mean(dispatch.log_prob(_to_params(theta, ctype, floor), batch))


@functools.partial(jax.jit, static_argnames=("ctype", "optimizer"))
def _step(theta, opt_state, batch, floor, *, ctype: str, optimizer: optax.GradientTransformation):
    loss, grads = jax.value_and_grad(_nll)(theta, batch, ctype, floor)
    updates, opt_state = optimizer.update(grads, opt_state, theta)
    return optax.apply_updates(theta, updates), opt_state, loss


@functools.partial(jax.jit, static_argnames=("ctype", "optimizer", "steps", "batch_size"))
def _scan(key, theta, opt_state, x, floor, *, ctype, optimizer, steps: int, batch_size: int):
    def body(carry, i):
        theta, opt_state = carry
        idx = jax.random.randint(jax.random.fold_in(key, i), (batch_size,), 0, x.shape[0])
        theta, opt_state, loss = _step(
            theta, opt_state, x[idx], floor, ctype=ctype, optimizer=optimizer
        )
        return (theta, opt_state), loss

    (theta, opt_state), losses = jax.lax.scan(body, (theta, opt_state), jnp.arange(steps))
    return theta, opt_state, losses


def _default_optimizer(steps: int) -> optax.GradientTransformation:
    return optax.chain(
        optax.clip_by_global_norm(10.0), optax.adam(optax.cosine_decay_schedule(3e-2, steps))
    )


def fit_gmm_sgd(
    key: Any,
    data: Any,
    n_components: int,
    *,
    covariance_type: str = "full",
    optimizer: optax.GradientTransformation | None = None,
    batch_size: int = 256,
    steps: int = 2000,
    reg_covar: float = 1e-6,
    params_init: GMMParams | None = None,
) -> SGDFit:
    """Fits a Gaussian mixture by mini-batch gradient descent on the negative log-likelihood.

    Args:
      key: PRNG key (initialization and, for arrays, batch sampling with replacement).
      data: ``(n, d)`` array, or an iterable of ``(b, d)`` batches (a stream, consumed once; at
        most ``steps`` batches are used and the first one initializes).
      n_components: ``K``.
      covariance_type: ``"full"``, ``"tied"``, ``"diag"`` or ``"spherical"``.
      optimizer: an optax transformation; default: global-norm clipping at 10 and Adam with a
        learning rate cosine-decayed from 3e-2 over ``steps``.
      batch_size: rows per step for array data.
      steps: number of optimizer steps.
      reg_covar: the square root of it floors every factor diagonal / standard deviation.
      params_init: starting parameters; by default k-means++ seeding and one hard-assignment
        M-step on (up to 20,000 rows of) the first batch / the array.

    Returns:
      :class:`SGDFit`.

    Raises:
      TypeError / ValueError: invalid arguments, too few rows for ``K``, NaN/inf data.

    Example:
      >>> import jax, jax.numpy as jnp, jaxgauss as jg
      >>> x = jnp.concatenate([jax.random.normal(jax.random.key(0), (500, 2)),
      ...                      jax.random.normal(jax.random.key(1), (500, 2)) + 5.0])
      >>> fit = jg.fit_gmm_sgd(jax.random.key(2), x, 2, steps=300)
      >>> bool(jnp.isfinite(fit.log_likelihood))
      True
    """
    key = _checks.check_key(key)
    k = _checks.check_positive_int(n_components, "n_components")
    steps = _checks.check_positive_int(steps, "steps")
    batch_size = _checks.check_positive_int(batch_size, "batch_size")
    ctype = mixture.check_covariance_type(covariance_type)
    if not (isinstance(reg_covar, int | float) and np.isfinite(reg_covar) and reg_covar >= 0):
        raise ValueError(f"reg_covar must be a non-negative finite number; got {reg_covar!r}")
    if optimizer is None:
        optimizer = _default_optimizer(steps)
    elif not isinstance(optimizer, optax.GradientTransformation):
        raise TypeError(
            f"optimizer must be an optax.GradientTransformation; got {type(optimizer).__name__}"
        )

    in_memory = isinstance(data, jax.Array | np.ndarray | list | tuple) or hasattr(
        data, "__array__"
    )
    if in_memory:
        x = _checks.as_rows(data, name="data")
        batches = None
        first = x
    else:
        if not isinstance(data, Iterable):
            raise TypeError(
                f"data must be an array or an iterable of batches; got {type(data).__name__}"
            )
        batches = iter(data)
        try:
            first = _checks.as_rows(next(batches), name="batch 0")
        except StopIteration:
            raise ValueError(
                "data must contain at least one batch; the iterable is empty"
            ) from None
    if first.shape[0] < k:
        raise ValueError(
            f"n_components={k} must be at most the number of rows of the "
            f"{'data' if in_memory else 'first batch'} ({first.shape[0]})"
        )
    dtype = first.dtype
    floor = jnp.asarray(np.sqrt(reg_covar), dtype)

    std = jnp.std(first[:_INIT_ROWS], axis=0)
    std = jnp.where(std > 0, std, 1.0)
    if ctype == "spherical":
        std = jnp.full_like(std, jnp.sqrt(jnp.mean(std * std)))
    st = _Standardizer(jnp.mean(first[:_INIT_ROWS], axis=0), std)
    init_key, run_key = jax.random.split(key)
    if params_init is None:
        init = fit_gmm(
            init_key, first[:_INIT_ROWS], k, covariance_type=ctype, max_iter=0, reg_covar=reg_covar
        )
        params_init = init.params
    else:
        mixture.check_params(params_init, "params_init")
        if params_init.covariance_type != ctype or params_init.means.shape != (k, first.shape[1]):
            raise ValueError(
                f"params_init must be a {ctype!r} mixture of {k} components in {first.shape[1]} "
                f"dimensions; got {params_init.covariance_type!r} with means {params_init.means.shape}"
            )
    theta = _from_params(
        _rescale(jax.tree.map(lambda a: jnp.asarray(a, dtype), params_init), st, True), floor
    )
    opt_state = optimizer.init(theta)
    log_scale = jnp.sum(jnp.log(st.scale))

    if batches is None:
        z = (x - st.loc) / st.scale
        theta, opt_state, losses = _scan(
            run_key,
            theta,
            opt_state,
            z,
            floor,
            ctype=ctype,
            optimizer=optimizer,
            steps=steps,
            batch_size=batch_size,
        )
        params = _rescale(_to_params(theta, ctype, floor), st, False)
        ll = jnp.mean(dispatch.log_prob(params, x))
    else:
        losses_list = []
        batch = first
        for i in range(steps):
            if i > 0:
                try:
                    batch = _checks.as_rows(next(batches), first.shape[1], name=f"batch {i}")
                except StopIteration:
                    break
            z = ((batch - st.loc) / st.scale).astype(dtype)
            theta, opt_state, loss = _step(
                theta, opt_state, z, floor, ctype=ctype, optimizer=optimizer
            )
            losses_list.append(loss)
        losses = jnp.stack(losses_list)
        params = _rescale(_to_params(theta, ctype, floor), st, False)
        ll = jnp.mean(dispatch.log_prob(params, batch))
    return SGDFit(params, ll, losses + log_scale)
