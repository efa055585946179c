"""Choosing the number of components and the covariance type of a mixture by BIC or AIC.

:func:`select_gmm` fits every ``(covariance_type, K)`` pair and keeps the one with the lowest
criterion. To avoid one compilation per ``K``, all candidates of one covariance type run in a
single compiled program with ``K_max = max(n_components)`` components, of which only the first
``K`` are active: the others have weight exactly zero (log-weight ``-inf``), receive no
responsibility, are never re-seeded and are dropped from the result. A ``lax.map`` runs the
candidates one after the other (memory of one fit), each with its ``n_init`` restarts in
parallel. So there is one compilation per covariance type, whatever the range of ``K``.

The criteria are scikit-learn's (see :mod:`jaxgauss.mixture`), evaluated at the final
parameters of each fit: ``bic = -2 log L + p log n``, ``aic = -2 log L + 2 p``.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Iterable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, em, mixture
from jaxgauss.em import GMMFit
from jaxgauss.mixture import GMMParams

__all__ = ["CRITERIA", "Selection", "select_gmm"]

#: Criteria accepted by :func:`select_gmm`.
CRITERIA = ("bic", "aic")


class Selection(NamedTuple):
    """Result of :func:`select_gmm`.

    Attributes:
      best: the :class:`~jaxgauss.GMMFit` with the lowest criterion.
      table: one entry per candidate, as columns (``dict`` of equal-length numpy arrays,
        ready for ``pandas.DataFrame(table)``): ``covariance_type``, ``n_components``,
        ``n_parameters``, ``log_likelihood`` (mean, at the final parameters), ``bic``,
        ``aic``, ``n_iter``, ``converged``.
      criterion: ``"bic"`` or ``"aic"``.
    """

    best: GMMFit
    table: dict[str, np.ndarray]
    criterion: str


@functools.partial(jax.jit, static_argnames=("k", "init"))
def _centers_jit(
    keys: jax.Array, x: jax.Array, w: jax.Array, k_actives: jax.Array, *, k: int, init: str
) -> jax.Array:
    """Starting centres ``(len(ks), n_init, K, d)`` of every candidate size and restart."""
    data, _ = em._prepare(x, w)

    def one(args):
        keys_k, k_active = args
        return jax.vmap(lambda key: em.initial_centers(key, data, k, k_active, init))(keys_k)

    return jax.lax.map(one, (keys, k_actives))


@functools.partial(jax.jit, static_argnames=("k", "ctype", "init", "max_iter", "blocked"))
def _select_jit(
    keys: jax.Array,
    x: jax.Array,
    w: jax.Array,
    k_actives: jax.Array,
    centers: jax.Array | None,
    tol: jax.Array,
    reg_covar: jax.Array,
    *,
    k: int,
    ctype: str,
    init: str,
    max_iter: int,
    blocked: bool,
):
    data, shift = em._prepare(x, w)
    run = functools.partial(
        em._run, k=k, ctype=ctype, init=init, max_iter=max_iter, blocked=blocked
    )

    def one(args):
        keys_k, k_active, centers_k = args

        def restart(key, c):
            return run(key, data, k_active, tol, reg_covar, None, centers=c)

        states = jax.vmap(restart)(keys_k, centers_k)
        i, lls = em._best(states)
        best = jax.tree.map(lambda a: a[i], states)
        ll_sum, _, _ = em.e_stats(data.x, data.w, best.comp, ctype)  # stats: dead, dropped
        final_ll = ll_sum / data.total
        return best, lls, final_ll

    best, lls, final_ll = jax.lax.map(one, (keys, k_actives, centers))
    return best, lls, final_ll, shift


def _check_components(n_components: Any) -> list[int]:
    if isinstance(n_components, numbers.Integral) and not isinstance(n_components, bool):
        n_components = [n_components]
    if not isinstance(n_components, Iterable):
        raise TypeError(
            f"n_components must be an iterable of positive integers; got {n_components!r}"
        )
    ks = [_checks.check_positive_int(k, "n_components") for k in n_components]
    if not ks:
        raise ValueError("n_components must hold at least one value; got an empty sequence")
    return sorted(set(ks))


def _check_types(covariance_types: Any) -> list[str]:
    if isinstance(covariance_types, str):
        covariance_types = (covariance_types,)
    types = list(dict.fromkeys(covariance_types))
    if not types:
        raise ValueError("covariance_types must hold at least one covariance type; got none")
    for t in types:
        mixture.check_covariance_type(t)
    return types


def _slice(params: GMMParams, k: int) -> GMMParams:
    s = params.scales if params.covariance_type == "tied" else params.scales[:k]
    w = params.weights[:k]
    return GMMParams(w / jnp.sum(w), params.means[:k], s, params.covariance_type)


def select_gmm(
    key: Any,
    x: Any,
    *,
    n_components: Iterable[int] | int = range(1, 11),
    covariance_types: Iterable[str] | str = mixture.COVARIANCE_TYPES,
    criterion: str = "bic",
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    init: str = "kmeans++",
    n_init: int = 1,
    sample_weight: Any = None,
) -> Selection:
    """Fits mixtures for every ``(covariance_type, K)`` and keeps the best by BIC or AIC.

    Args:
      key: PRNG key for the initializations.
      x: ``(n, d)`` data.
      n_components: candidate numbers of components (each ``<= n``).
      covariance_types: candidate covariance types.
      criterion: ``"bic"`` or ``"aic"`` (lower is better).
      max_iter, tol, reg_covar, init, n_init, sample_weight: as in :func:`jaxgauss.fit_gmm`.

    Returns:
      :class:`Selection`.

    Raises:
      TypeError / ValueError: invalid arguments.

    Example:
      >>> import jax, jax.numpy as jnp, jaxgauss as jg
      >>> x = jnp.concatenate([jax.random.normal(jax.random.key(0), (300, 2)),
      ...                      jax.random.normal(jax.random.key(1), (300, 2)) + 8.0])
      >>> sel = jg.select_gmm(jax.random.key(2), x, n_components=range(1, 4),
      ...                     covariance_types=("spherical",))
      >>> sel.best.params.n_components
      2
    """
    key = _checks.check_key(key)
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}; got {criterion!r}")
    ks = _check_components(n_components)
    types = _check_types(covariance_types)
    k_max = ks[-1]
    x, w, _ = em.check_fit_args(
        x,
        k_max,
        covariance_type=types[0],
        max_iter=max_iter,
        tol=tol,
        reg_covar=reg_covar,
        init=init,
        n_init=n_init,
        sample_weight=sample_weight,
        params_init=None,
    )
    n, d = x.shape
    total = float(jnp.sum(w))
    rows: dict[str, list] = {
        c: []
        for c in (
            "covariance_type",
            "n_components",
            "n_parameters",
            "log_likelihood",
            "bic",
            "aic",
            "n_iter",
            "converged",
        )
    }
    fits: list[GMMFit] = []
    # The same keys for every covariance type, as scikit-learn's loop with one random_state: a
    # centre-based initialization (k-means++ and Lloyd) then depends on K only, and is computed
    # once and shared by the covariance types instead of once per type.
    keys = jax.random.split(key, len(ks) * n_init).reshape(len(ks), n_init)
    k_actives = jnp.asarray(ks, jnp.int32)
    centers = None
    if init in em.CENTRE_INITS:
        centers = _centers_jit(keys, x, w, k_actives, k=k_max, init=init)
    for ctype in types:
        best, lls, final_ll, shift = _select_jit(
            keys,
            x,
            w,
            k_actives,
            centers,
            jnp.asarray(tol, x.dtype),
            jnp.asarray(reg_covar, x.dtype),
            k=k_max,
            ctype=ctype,
            init=init,
            max_iter=int(max_iter),
            blocked=em.blockable(x),
        )
        final_host = np.asarray(final_ll, np.float64)
        for j, k in enumerate(ks):
            comp = jax.tree.map(lambda a, j=j: a[j], best.comp)
            params = _slice(em._to_params(comp, shift, ctype), k)
            p = mixture.count_parameters(ctype, k, d)
            loglik = final_host[j] * total
            rows["covariance_type"].append(ctype)
            rows["n_components"].append(k)
            rows["n_parameters"].append(p)
            rows["log_likelihood"].append(final_host[j])
            rows["bic"].append(-2.0 * loglik + p * np.log(total))
            rows["aic"].append(-2.0 * loglik + 2.0 * p)
            rows["n_iter"].append(int(best.n_iter[j]))
            rows["converged"].append(bool(best.converged[j]))
            fits.append(
                GMMFit(
                    params,
                    best.log_likelihood[j],
                    best.n_iter[j],
                    best.converged[j],
                    best.n_reseeded[j],
                    best.history[j, :max_iter],
                    lls[j],
                )
            )
    table = {c: np.asarray(v) for c, v in rows.items()}
    scores = np.where(np.isfinite(table[criterion]), table[criterion], np.inf)
    return Selection(fits[int(np.argmin(scores))], table, criterion)
