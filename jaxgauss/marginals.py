"""Univariate marginal distributions for the Gaussian copula: densities, CDFs, quantiles, fits.

Every family works column-wise on a block of columns that share it: parameters ``theta`` of
shape ``(m, 4)`` (one row per column, unused slots zero), empirical knots ``(m, q)``, data
``(n, m)``. The families and the meaning of ``theta``:

=============  ==========================================  ==================================
family         theta                                       scipy.stats equivalent
=============  ==========================================  ==================================
``norm``       ``(loc, scale, 0, 0)``                      ``norm(loc, scale)``
``lognorm``    ``(mu, sigma, 0, 0)``                       ``lognorm(s=sigma, scale=exp(mu))``
``gamma``      ``(shape, scale, 0, 0)``                    ``gamma(shape, scale=scale)``
``beta``       ``(a, b, loc, scale)``                      ``beta(a, b, loc, scale)``
``truncnorm``  ``(loc, scale, lo, hi)``                    ``truncnorm((lo-loc)/scale,``
                                                           ``(hi-loc)/scale, loc, scale)``
``uniform``    ``(loc, scale, 0, 0)``                      ``uniform(loc, scale)``
``empirical``  knots ``(q,)``: values at ``p_j = j/(q-1)``  (none: piecewise-linear quantiles)
=============  ==========================================  ==================================

Fits (:func:`fit_family`):

* closed form: ``norm`` (mean, ML standard deviation), ``lognorm`` (the same on ``log x``,
  ``loc = 0``), ``uniform``;
* maximum likelihood with ``optax.lbfgs`` inside ``jit``, vmapped over columns: ``gamma`` (shape
  by the profile likelihood, ``scale = mean / shape``, ``loc = 0``), ``beta`` (``a, b`` on the
  fixed support below), ``truncnorm`` (``loc, scale`` on the fixed support below);
* bounded families (``beta``, ``truncnorm``, ``uniform``) use the support ``[min - r/(n-1),
  max + r/(n-1)]`` with ``r = max - min`` (the minimum-variance unbiased estimate of a uniform's
  end points), so the observed extremes have positive density;
* ``empirical``: ``q = min(n, max_knots)`` knots at the data's quantiles ``j/(q-1)`` (linear
  interpolation between order statistics), made strictly increasing by adding at most
  ``1e-9 * r``. Its CDF is piecewise linear, its density piecewise constant, its support
  ``[min, max]``: it never samples outside the observed range.

Quantiles without a closed form (gamma, beta) are found by safeguarded Newton iterations on
``log x`` (gamma) or ``logit x`` (beta), falling back to bisection whenever a Newton step leaves
the current bracket.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.scipy import special

__all__ = [
    "FAMILIES",
    "cdf",
    "fit_family",
    "from_normal",
    "ks_statistic",
    "logpdf",
    "ppf",
    "to_normal",
]

FAMILIES = ("norm", "lognorm", "gamma", "beta", "truncnorm", "uniform", "empirical")
POSITIVE_ONLY = ("lognorm", "gamma")
_ML_FAMILIES = ("gamma", "beta", "truncnorm")
N_THETA = 4
_LOG_2PI = math.log(2.0 * math.pi)


class Marginal(NamedTuple):
    """Parameters of ``m`` columns that share one family.

    Attributes:
      theta: ``(m, 4)`` family parameters (see the module table).
      knots: ``(m, q)`` empirical quantile knots (only read by ``empirical``).
    """

    theta: jax.Array
    knots: jax.Array


def _col(theta: jax.Array, i: int) -> jax.Array:
    return theta[:, i]


def _tiny(dtype: Any) -> float:
    return float(jnp.finfo(dtype).tiny)


def _clip_unit(u: jax.Array) -> jax.Array:
    eps = float(jnp.finfo(u.dtype).eps)
    return jnp.clip(u, _tiny(u.dtype), 1.0 - eps / 2)


# ----------------------------------------------------------------------------- truncated normal
def _log_diff_ndtr(a: jax.Array, b: jax.Array) -> jax.Array:
    """``log(Phi(b) - Phi(a))`` for ``a < b``, accurate in both tails (reflects when a > 0)."""
    flip = a > 0
    lo = jnp.where(flip, -b, a)
    hi = jnp.where(flip, -a, b)
    lh, ll = special.log_ndtr(hi), special.log_ndtr(lo)
    return lh + jnp.log1p(-jnp.exp(jnp.minimum(ll - lh, 0.0)))


def _truncnorm_std(theta: jax.Array) -> tuple[jax.Array, ...]:
    loc, scale, lo, hi = (_col(theta, i) for i in range(4))
    return loc, scale, (lo - loc) / scale, (hi - loc) / scale


# ----------------------------------------------------------------------------- logpdf
def _logpdf(family: str, m: Marginal, x: jax.Array) -> jax.Array:
    t = m.theta
    if family == "norm":
        z = (x - _col(t, 0)) / _col(t, 1)
        return -0.5 * (z * z + _LOG_2PI) - jnp.log(_col(t, 1))
    if family == "lognorm":
        pos = x > 0
        lx = jnp.log(jnp.where(pos, x, 1.0))
        z = (lx - _col(t, 0)) / _col(t, 1)
        out = -0.5 * (z * z + _LOG_2PI) - jnp.log(_col(t, 1)) - lx
        return jnp.where(pos, out, -jnp.inf)
    if family == "gamma":
        k, s = _col(t, 0), _col(t, 1)
        pos = x > 0
        y = jnp.where(pos, x, 1.0) / s
        out = (k - 1.0) * jnp.log(y) - y - special.gammaln(k) - jnp.log(s)
        return jnp.where(pos, out, -jnp.inf)
    if family == "beta":
        a, b, loc, scale = (_col(t, i) for i in range(4))
        y = (x - loc) / scale
        inside = (y > 0) & (y < 1)
        ys = jnp.where(inside, y, 0.5)
        out = (
            (a - 1.0) * jnp.log(ys)
            + (b - 1.0) * jnp.log1p(-ys)
            - special.betaln(a, b)
            - jnp.log(scale)
        )
        return jnp.where(inside, out, -jnp.inf)
    if family == "truncnorm":
        loc, scale, alpha, beta = _truncnorm_std(t)
        z = (x - loc) / scale
        inside = (x >= _col(t, 2)) & (x <= _col(t, 3))
        out = -0.5 * (z * z + _LOG_2PI) - jnp.log(scale) - _log_diff_ndtr(alpha, beta)
        return jnp.where(inside, out, -jnp.inf)
    if family == "uniform":
        loc, scale = _col(t, 0), _col(t, 1)
        inside = (x >= loc) & (x <= loc + scale)
        return jnp.where(inside, -jnp.log(scale), -jnp.inf)
    if family == "empirical":
        return jax.vmap(_empirical_logpdf, in_axes=(0, 1), out_axes=1)(m.knots, x)
    raise ValueError(f"unknown marginal family {family!r}; expected one of {FAMILIES}")


def _knot_probs(q: int, dtype: Any) -> jax.Array:
    return jnp.linspace(0.0, 1.0, q, dtype=dtype)


def _empirical_logpdf(knots: jax.Array, x: jax.Array) -> jax.Array:
    q = knots.shape[0]
    idx = jnp.clip(jnp.searchsorted(knots, x, side="right") - 1, 0, q - 2)
    width = knots[idx + 1] - knots[idx]
    inside = (x >= knots[0]) & (x <= knots[-1])
    return jnp.where(inside, -jnp.log(width) - math.log(q - 1), -jnp.inf)


# ----------------------------------------------------------------------------- cdf
def _cdf(family: str, m: Marginal, x: jax.Array) -> jax.Array:
    t = m.theta
    if family == "norm":
        return special.ndtr((x - _col(t, 0)) / _col(t, 1))
    if family == "lognorm":
        pos = x > 0
        z = (jnp.log(jnp.where(pos, x, 1.0)) - _col(t, 0)) / _col(t, 1)
        return jnp.where(pos, special.ndtr(z), 0.0)
    if family == "gamma":
        y = jnp.maximum(x, 0.0) / _col(t, 1)
        return special.gammainc(_col(t, 0), y)
    if family == "beta":
        a, b, loc, scale = (_col(t, i) for i in range(4))
        y = jnp.clip((x - loc) / scale, 0.0, 1.0)
        return special.betainc(a, b, y)
    if family == "truncnorm":
        loc, scale, alpha, beta = _truncnorm_std(t)
        z = jnp.clip((x - loc) / scale, alpha, beta)
        # (Phi(z) - Phi(alpha)) / (Phi(beta) - Phi(alpha)), in logs for the tails.
        return jnp.where(
            z <= alpha, 0.0, jnp.exp(_log_diff_ndtr(alpha, z) - _log_diff_ndtr(alpha, beta))
        )
    if family == "uniform":
        return jnp.clip((x - _col(t, 0)) / _col(t, 1), 0.0, 1.0)
    if family == "empirical":
        probs = _knot_probs(m.knots.shape[1], x.dtype)
        return jax.vmap(lambda k, c: jnp.interp(c, k, probs), in_axes=(0, 1), out_axes=1)(
            m.knots, x
        )
    raise ValueError(f"unknown marginal family {family!r}; expected one of {FAMILIES}")


# ----------------------------------------------------------------------------- ppf
def _newton(g, lo, hi, t0, *, max_iter: int = 60):
    """Safeguarded Newton for ``g(t) = 0`` with ``g`` increasing; ``g`` returns (value, slope)."""
    dtype = t0.dtype
    tol = 8 * float(jnp.finfo(dtype).eps)
    val_tol = 512 * float(jnp.finfo(dtype).eps)

    def body(state):
        t, lo, hi, i, _ = state
        val, slope = g(t)
        lo = jnp.where(val < 0, t, lo)
        hi = jnp.where(val >= 0, t, hi)
        step = val / slope
        t_new = t - step
        # A step onto the bracket's end is a converged one (the end is the last iterate).
        ok = jnp.isfinite(t_new) & (t_new >= lo) & (t_new <= hi)
        t_new = jnp.where(ok, t_new, 0.5 * (lo + hi))
        delta = jnp.abs(t_new - t)
        # Converged: a negligible step, or a residual at the accuracy of the special
        # functions (the equations compare log-probabilities, so this is a relative error).
        done = jnp.all((delta <= tol * (1.0 + jnp.abs(t_new))) | (jnp.abs(val) <= val_tol))
        return t_new, lo, hi, i + 1, done

    def cond(state):
        return (state[3] < max_iter) & ~state[4]

    t, *_ = jax.lax.while_loop(cond, body, (t0, lo, hi, 0, jnp.asarray(False)))
    return t


def _gamma_ppf_std(k: jax.Array, u: jax.Array) -> jax.Array:
    """Quantile of the standard gamma with shape ``k`` (broadcast).

    Newton on ``t = log x`` for ``log P(k, e^t) = log u`` (lower half) or
    ``log Q(k, e^t) = log(1 - u)`` (upper half): both are nearly linear in ``t`` in their tails
    and concave, so Newton converges in a few steps from the tail approximations below.
    """
    dtype = u.dtype
    lower = u <= 0.5
    log_p = jnp.where(lower, jnp.log(u), jnp.log1p(-u))
    z = special.ndtri(u)
    wh = k * (1.0 - 1.0 / (9.0 * k) + z / (3.0 * jnp.sqrt(k))) ** 3  # Wilson-Hilferty
    small = jnp.exp((jnp.log(u) + special.gammaln(k + 1.0)) / k)  # P(k, x) ~ x^k / k!
    t0 = jnp.log(jnp.where(lower & (small < wh), small, jnp.where(wh > 0, wh, small)))
    lo = jnp.full_like(t0, math.log(_tiny(dtype)))
    hi = jnp.log(k + 40.0 * jnp.sqrt(k) + 800.0) + jnp.zeros_like(t0)
    t0 = jnp.clip(t0, lo + 1.0, hi - 1e-3)

    def g(t):
        x = jnp.exp(t)
        # Feed each branch only its own arguments: the unused one gets x = k (cheap to
        # evaluate), so the special functions' internal loops stop early.
        p_low = special.gammainc(k, jnp.where(lower, x, k))
        q_up = special.gammaincc(k, jnp.where(lower, k, x))
        log_tail = jnp.log(jnp.where(lower, p_low, q_up))
        val = jnp.where(lower, log_tail - log_p, log_p - log_tail)
        slope = jnp.exp(k * t - x - special.gammaln(k) - log_tail)
        return val, slope

    return jnp.exp(_newton(g, lo, hi, t0))


def _beta_ppf_std(a: jax.Array, b: jax.Array, u: jax.Array) -> jax.Array:
    """Quantile of ``Beta(a, b)`` on ``(0, 1)``.

    Newton on ``t = logit x`` for ``log I_x(a, b) = log u`` (lower half) or
    ``log I_{1-x}(b, a) = log(1 - u)`` (upper half), started from the tail approximations
    ``I_x(a, b) ~ x^a / (a B(a, b))`` and ``1 - I_x(a, b) ~ (1 - x)^b / (b B(a, b))``.
    """
    dtype = u.dtype
    bound = -math.log(_tiny(dtype))
    lower = u <= 0.5
    log_p = jnp.where(lower, jnp.log(u), jnp.log1p(-u))
    lb = special.betaln(a, b)
    lx = jnp.minimum((log_p + jnp.log(a) + lb) / a, -1e-3)  # log x, lower tail
    l1x = jnp.minimum((log_p + jnp.log(b) + lb) / b, -1e-3)  # log(1 - x), upper tail
    t0 = jnp.where(lower, lx - jnp.log1p(-jnp.exp(lx)), jnp.log1p(-jnp.exp(l1x)) - l1x)
    mean = a / (a + b)
    t_mean = jnp.log(mean) - jnp.log1p(-mean)
    # the tail formulas overshoot towards the centre: never start beyond the mean
    t0 = jnp.where(lower, jnp.minimum(t0, t_mean), jnp.maximum(t0, t_mean))
    lo = jnp.full(u.shape, -bound, dtype)
    hi = jnp.full(u.shape, bound, dtype)
    t0 = jnp.clip(t0, lo + 1.0, hi - 1.0)

    def g(t):
        log_y = jax.nn.log_sigmoid(t)
        log_1my = jax.nn.log_sigmoid(-t)
        y = jnp.exp(log_y)
        one_my = jnp.exp(log_1my)
        half = jnp.full_like(y, 0.5)
        i_low = special.betainc(a, b, jnp.where(lower, y, half))
        i_up = special.betainc(b, a, jnp.where(lower, half, one_my))
        log_tail = jnp.log(jnp.where(lower, i_low, i_up))
        val = jnp.where(lower, log_tail - log_p, log_p - log_tail)
        slope = jnp.exp(a * log_y + b * log_1my - lb - log_tail)
        return val, slope

    return jax.nn.sigmoid(_newton(g, lo, hi, t0))


def _ppf(family: str, m: Marginal, u: jax.Array) -> jax.Array:
    t = m.theta
    if family == "norm":
        return _col(t, 0) + _col(t, 1) * special.ndtri(u)
    if family == "lognorm":
        return jnp.exp(_col(t, 0) + _col(t, 1) * special.ndtri(u))
    if family == "gamma":
        k = jnp.broadcast_to(_col(t, 0), u.shape)
        return _col(t, 1) * _gamma_ppf_std(k, u)
    if family == "beta":
        a, b, loc, scale = (jnp.broadcast_to(_col(t, i), u.shape) for i in range(4))
        return loc + scale * _beta_ppf_std(a, b, u)
    if family == "truncnorm":
        loc, scale, alpha, beta = _truncnorm_std(t)
        # Upper-tail truncation: work with the reflected distribution for accuracy.
        flip = alpha > 0
        a2 = jnp.where(flip, -beta, alpha)
        b2 = jnp.where(flip, -alpha, beta)
        v = jnp.where(flip, 1.0 - u, u)
        log_pa = special.log_ndtr(a2)
        log_mass = _log_diff_ndtr(a2, b2)
        p = jnp.exp(log_pa) + v * jnp.exp(log_mass)
        z = special.ndtri(jnp.clip(p, _tiny(u.dtype), 1.0))
        z = jnp.clip(z, a2, b2)
        z = jnp.where(flip, -z, z)
        return loc + scale * z
    if family == "uniform":
        return _col(t, 0) + _col(t, 1) * u
    if family == "empirical":
        probs = _knot_probs(m.knots.shape[1], u.dtype)
        return jax.vmap(lambda k, c: jnp.interp(c, probs, k), in_axes=(0, 1), out_axes=1)(
            m.knots, u
        )
    raise ValueError(f"unknown marginal family {family!r}; expected one of {FAMILIES}")


_logpdf_jit = jax.jit(_logpdf, static_argnums=0)
_cdf_jit = jax.jit(_cdf, static_argnums=0)
_ppf_jit = jax.jit(_ppf, static_argnums=0)


def logpdf(family: str, marginal: Marginal, x: jax.Array) -> jax.Array:
    """Log-density ``(n, m)`` of data ``x`` ``(n, m)``; ``-inf`` outside the support."""
    return _logpdf_jit(family, marginal, x)


def cdf(family: str, marginal: Marginal, x: jax.Array) -> jax.Array:
    """Cumulative distribution ``(n, m)`` of data ``x`` ``(n, m)``."""
    return _cdf_jit(family, marginal, x)


def ppf(family: str, marginal: Marginal, u: jax.Array) -> jax.Array:
    """Quantile function ``(n, m)`` at probabilities ``u`` ``(n, m)`` in ``(0, 1)``."""
    return _ppf_jit(family, marginal, u)


def to_normal(family: str, marginal: Marginal, x: jax.Array) -> jax.Array:
    """Normal scores ``Phi^-1(F(x))`` ``(n, m)``; exact affine maps for norm and lognorm."""
    t = marginal.theta
    if family == "norm":
        return (x - _col(t, 0)) / _col(t, 1)
    if family == "lognorm":
        return (jnp.log(jnp.maximum(x, _tiny(x.dtype))) - _col(t, 0)) / _col(t, 1)
    return special.ndtri(_clip_unit(_cdf(family, marginal, x)))


def from_normal(family: str, marginal: Marginal, z: jax.Array) -> jax.Array:
    """Data values ``F^-1(Phi(z))`` ``(n, m)`` from normal scores ``z``."""
    t = marginal.theta
    if family == "norm":
        return _col(t, 0) + _col(t, 1) * z
    if family == "lognorm":
        return jnp.exp(_col(t, 0) + _col(t, 1) * z)
    return _ppf_jit(family, marginal, _clip_unit(special.ndtr(z)))


# ----------------------------------------------------------------------------- fitting
def _support(x: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``(lo, hi)`` per column: the observed range widened by ``r / (n - 1)`` each side."""
    n = x.shape[0]
    mn, mx = jnp.min(x, axis=0), jnp.max(x, axis=0)
    r = mx - mn
    r = jnp.where(r > 0, r, jnp.maximum(jnp.abs(mx), 1.0))
    pad = r / max(n - 1, 1)
    return mn - pad, mx + pad


def _minimize(fun, init: jax.Array, *, steps: int = 60) -> jax.Array:
    """Minimizes a smooth function of a small vector with ``optax.lbfgs`` (jit-safe)."""
    # Backtracking (rather than zoom) line search: as accurate here, half the compile time.
    search = optax.scale_by_backtracking_linesearch(max_backtracking_steps=30, store_grad=True)
    opt = optax.lbfgs(linesearch=search)
    value_and_grad = optax.value_and_grad_from_state(fun)

    def step(_, carry):
        params, state = carry
        value, grad = value_and_grad(params, state=state)
        updates, state = opt.update(grad, state, params, value=value, grad=grad, value_fn=fun)
        return optax.apply_updates(params, updates), state

    params, _ = jax.lax.fori_loop(0, steps, step, (init, opt.init(init)))
    return params


def _fit_gamma_col(x: jax.Array) -> jax.Array:
    mean = jnp.mean(x)
    mlog = jnp.mean(jnp.log(x))
    s = jnp.maximum(jnp.log(mean) - mlog, 1e-12)
    k0 = (3.0 - s + jnp.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)  # Minka's start

    def nll(log_k):  # negative profile log-likelihood per sample, scale = mean / k
        k = jnp.exp(log_k[0])
        return -((k - 1.0) * mlog - k - k * jnp.log(mean / k) - special.gammaln(k))

    k = jnp.exp(_minimize(nll, jnp.log(k0)[None])[0])
    return jnp.stack([k, mean / k, 0.0 * k, 0.0 * k])


def _fit_beta_col(y: jax.Array) -> jax.Array:
    ml, m1l = jnp.mean(jnp.log(y)), jnp.mean(jnp.log1p(-y))
    mu, var = jnp.mean(y), jnp.var(y)
    common = jnp.maximum(mu * (1.0 - mu) / jnp.maximum(var, 1e-12) - 1.0, 1e-2)

    def nll(p):
        a, b = jnp.exp(p[0]), jnp.exp(p[1])
        return -((a - 1.0) * ml + (b - 1.0) * m1l - special.betaln(a, b))

    p = _minimize(nll, jnp.log(jnp.stack([mu * common, (1.0 - mu) * common])))
    return jnp.exp(p)


def _fit_truncnorm_col(x: jax.Array, lo: jax.Array, hi: jax.Array) -> jax.Array:
    c, s = jnp.mean(x), jnp.std(x)
    s = jnp.where(s > 0, s, 1.0)
    y, ylo, yhi = (x - c) / s, (lo - c) / s, (hi - c) / s  # standardized problem

    def nll(p):
        loc, log_scale = p[0], p[1]
        scale = jnp.exp(log_scale)
        z = (y - loc) / scale
        return (
            jnp.mean(0.5 * z * z)
            + log_scale
            + _log_diff_ndtr((ylo - loc) / scale, (yhi - loc) / scale)
        )

    p = _minimize(nll, jnp.zeros(2, x.dtype))
    return jnp.stack([c + s * p[0], s * jnp.exp(p[1])])


@functools.partial(jax.jit, static_argnames=("family", "n_knots"))
def _fit(family: str, x: jax.Array, *, n_knots: int) -> Marginal:
    n, m = x.shape
    zeros = jnp.zeros((m,), x.dtype)
    knots = jnp.zeros((m, n_knots), x.dtype)
    if family == "norm":
        theta = jnp.stack([jnp.mean(x, 0), jnp.std(x, 0), zeros, zeros], axis=1)
    elif family == "lognorm":
        lx = jnp.log(x)
        theta = jnp.stack([jnp.mean(lx, 0), jnp.std(lx, 0), zeros, zeros], axis=1)
    elif family == "gamma":
        theta = jax.vmap(_fit_gamma_col, in_axes=1)(x)
    elif family == "beta":
        lo, hi = _support(x)
        ab = jax.vmap(_fit_beta_col, in_axes=1)((x - lo) / (hi - lo))
        theta = jnp.stack([ab[:, 0], ab[:, 1], lo, hi - lo], axis=1)
    elif family == "truncnorm":
        lo, hi = _support(x)
        ls = jax.vmap(_fit_truncnorm_col, in_axes=(1, 0, 0))(x, lo, hi)
        theta = jnp.stack([ls[:, 0], ls[:, 1], lo, hi], axis=1)
    elif family == "uniform":
        lo, hi = _support(x)
        theta = jnp.stack([lo, hi - lo, zeros, zeros], axis=1)
    elif family == "empirical":
        theta = jnp.zeros((m, N_THETA), x.dtype)
        probs = _knot_probs(n_knots, x.dtype)
        q = jnp.quantile(x, probs, axis=0).T  # (m, q), linear interpolation
        r = q[:, -1:] - q[:, :1]
        r = jnp.where(r > 0, r, 1.0)
        step = 1e-9 * r / (n_knots - 1)
        q = q + step * jnp.arange(n_knots, dtype=x.dtype)
        knots = jax.lax.cummax(q, axis=1)
    else:
        raise ValueError(f"unknown marginal family {family!r}; expected one of {FAMILIES}")
    return Marginal(theta.astype(x.dtype), knots)


def fit_family(family: str, x: jax.Array, *, n_knots: int = 2) -> Marginal:
    """Fits one family to every column of ``x`` ``(n, m)``.

    Args:
      family: one of :data:`FAMILIES`.
      x: ``(n, m)`` data; ``lognorm`` and ``gamma`` need positive values.
      n_knots: knots of the result (used by ``empirical``; other families store zeros).

    Returns:
      A :class:`Marginal` with ``theta`` ``(m, 4)`` and ``knots`` ``(m, n_knots)``.
    """
    if family not in FAMILIES:
        raise ValueError(f"marginal family must be one of {FAMILIES}; got {family!r}")
    n_knots = max(int(n_knots), 2)
    if family in _ML_FAMILIES and jax.config.jax_enable_x64 and x.dtype != jnp.float64:
        # Likelihood fits run in float64 when it is enabled (more accurate, and optax's line
        # search mixes float64 scalars into float32 problems under x64); cast back after.
        fit = _fit(family, x.astype(jnp.float64), n_knots=n_knots)
        return Marginal(fit.theta.astype(x.dtype), fit.knots.astype(x.dtype))
    return _fit(family, x, n_knots=n_knots)


@jax.jit
def _ks_from_cdf(f_sorted: jax.Array) -> jax.Array:
    n = f_sorted.shape[0]
    i = jnp.arange(1, n + 1, dtype=f_sorted.dtype)[:, None]
    return jnp.maximum(jnp.max(i / n - f_sorted, axis=0), jnp.max(f_sorted - (i - 1) / n, axis=0))


def ks_statistic(family: str, marginal: Marginal, x: jax.Array) -> jax.Array:
    """One-sample Kolmogorov-Smirnov statistic ``(m,)`` of each column against its fit."""
    xs = jnp.sort(x, axis=0)
    return _ks_from_cdf(cdf(family, marginal, xs))


def spread_ties(x: np.ndarray) -> np.ndarray:
    """Spreads integer values over their unit cells, deterministically (distributional transform).

    The ``c`` rows holding value ``v`` become ``v - 1/2 + (k + 1/2) / c``, ``k = 0..c-1``, in row
    order. The result's empirical distribution is that of ``v + U(-1/2, 1/2)``: rounding it gives
    back the original values exactly, and continuous marginals fitted to it describe the integer
    column's continuous extension.

    Args:
      x: ``(n,)`` integer-valued data (floats holding integers are fine).

    Returns:
      ``(n,)`` float64 array.
    """
    x = np.asarray(x, np.float64)
    order = np.argsort(x, kind="stable")
    xs = x[order]
    _, start, counts = np.unique(xs, return_index=True, return_counts=True)
    rank_in_group = np.arange(x.size) - np.repeat(start, counts)
    spread = xs - 0.5 + (rank_in_group + 0.5) / np.repeat(counts, counts)
    out = np.empty_like(x)
    out[order] = spread
    return out
