"""Out-of-core EM: Gaussian mixtures fitted from chunk sources that need not fit in memory.

Every EM iteration is one streaming pass over the source. For each chunk a jitted step computes
the E-step and the chunk's sufficient statistics (:class:`jaxgauss.em.Stats`); statistics add up
over chunks, and the M-step (:func:`jaxgauss.em.m_step_from_stats`, the same code the in-memory
EM runs) turns the totals into parameters. Memory is bounded by the chunk size whatever the number
of rows. A first pass computes the weighted mean (the data are shifted by it, as in memory), the
covariance (for re-seeding) and keeps the first ``init_rows`` rows for the k-means++
initialization. Collapsed components restart at the ``K`` rows of lowest log-likelihood seen in the
pass. From the same starting parameters the result equals :func:`jaxgauss.fit_gmm` on the
concatenated data up to rounding.

Sources: a path to a ``.npy`` file (read ``chunk_rows`` rows at a time), a path to a
Parquet file (record batches of ``chunk_rows``, numeric columns), a sequence of arrays, or a
callable returning a fresh iterable of arrays for each pass.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, em, mixture, moments
from jaxgauss.em import GMMFit
from jaxgauss.mixture import GMMParams

__all__ = ["chunk_source", "fit_gmm_chunked"]


def chunk_source(source: Any, chunk_rows: int) -> Callable[[], Iterator[np.ndarray]]:
    """A callable that returns a fresh iterator of ``(n_i, d)`` chunks at each call.

    Raises:
      TypeError: for one-shot iterators (EM needs a pass per iteration).
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if path.suffix == ".npy":

            def npy() -> Iterator[np.ndarray]:
                # Plain reads, not a memory map: mapped pages would count towards the
                # process's resident memory until the whole file had been touched.
                with open(path, "rb") as f:
                    major, _ = np.lib.format.read_magic(f)
                    read_header = (
                        np.lib.format.read_array_header_1_0
                        if major == 1
                        else np.lib.format.read_array_header_2_0
                    )
                    shape, fortran, dtype = read_header(f)
                    if fortran or len(shape) != 2:
                        raise ValueError(
                            f"source {str(path)!r} must hold a C-ordered 2-D array; got shape {shape}"
                        )
                    for start in range(0, shape[0], chunk_rows):
                        m = min(chunk_rows, shape[0] - start)
                        yield np.fromfile(f, dtype=dtype, count=m * shape[1]).reshape(m, shape[1])

            return npy
        if path.suffix == ".parquet":

            def parquet() -> Iterator[np.ndarray]:
                import pyarrow.parquet as pq

                for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows):
                    yield np.column_stack([c.to_numpy() for c in batch.columns])

            return parquet
        raise ValueError(f"source must be a .npy or .parquet path; got {str(path)!r}")
    if callable(source):
        return lambda: iter(source())
    if isinstance(source, Sequence) and not isinstance(source, str):
        return lambda: iter(source)
    if isinstance(source, Iterable):
        raise TypeError(
            "source must be re-iterable (EM reads it once per iteration): pass a list of arrays, "
            "a .npy/.parquet path, or a callable that returns a fresh iterator"
        )
    raise TypeError(
        f"source must be a path, a sequence of arrays or a callable; got {type(source).__name__}"
    )


def _padded(
    chunk: np.ndarray, rows: int, d: int, dtype: Any, name: str
) -> tuple[jax.Array, jax.Array]:
    x = _checks.as_rows(np.asarray(chunk), d, name=name).astype(dtype)
    m = x.shape[0]
    w = jnp.ones((rows,), dtype).at[m:].set(0.0)
    if m < rows:  # one compiled shape for every chunk; padded rows weigh nothing
        x = jnp.concatenate([x, jnp.zeros((rows - m, d), dtype)])
    return x, w


@functools.partial(jax.jit, static_argnames=("ctype",))
def _chunk_step(comp: em._Comp, x: jax.Array, w: jax.Array, shift: jax.Array, *, ctype: str):
    """E-step of one chunk: ``(Stats, weighted log-likelihood sum, worst rows, their lls)``."""
    xs = x - shift
    ll_sum, stats, row = em.e_stats(xs, w, comp, ctype)
    k = comp.means.shape[0]
    masked = jnp.where(w > 0, row, jnp.inf)
    neg, idx = jax.lax.top_k(-masked, min(k, x.shape[0]))
    return stats, ll_sum, xs[idx], -neg


@functools.partial(jax.jit, static_argnames=("k",))
def _merge_worst(rows_a, ll_a, rows_b, ll_b, *, k: int):
    rows = jnp.concatenate([rows_a, rows_b])
    lls = jnp.concatenate([ll_a, ll_b])
    neg, idx = jax.lax.top_k(-lls, k)
    return rows[idx], -neg


_m_step = jax.jit(em.m_step_from_stats, static_argnames=("ctype",))


def fit_gmm_chunked(
    key: Any,
    source: Any,
    n_components: int,
    *,
    covariance_type: str = "full",
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    init: str = "kmeans++",
    params_init: GMMParams | None = None,
    chunk_rows: int = 65_536,
    init_rows: int = 20_000,
) -> GMMFit:
    """Fits a Gaussian mixture by EM with one streaming pass over ``source`` per iteration.

    Args:
      key: PRNG key for the initialization (unused with ``params_init``).
      source: ``.npy``/``.parquet`` path, sequence of ``(n_i, d)`` arrays, or a callable
        returning a fresh iterable of them.
      n_components: ``K``.
      covariance_type, max_iter, tol, reg_covar, init: as :func:`jaxgauss.fit_gmm`.
      params_init: starting parameters (then ``init`` is not used).
      chunk_rows: rows per chunk read from a path (and the padded size of every chunk).
      init_rows: rows from the start of the source used for the k-means++ initialization.

    Returns:
      :class:`~jaxgauss.GMMFit` (``restart_log_likelihoods`` holds the one run).

    Example:
      >>> import jax, numpy as np, jaxgauss as jg
      >>> rng = np.random.default_rng(0)
      >>> chunks = [rng.normal(size=(500, 2)) + 4.0 * (i % 2) for i in range(6)]
      >>> fit = jg.fit_gmm_chunked(jax.random.key(0), chunks, 2, chunk_rows=500)
      >>> bool(fit.converged), sorted(round(float(m)) for m in fit.params.means[:, 0])
      (True, [0, 4])
    """
    key = _checks.check_key(key)
    k = _checks.check_positive_int(n_components, "n_components")
    chunk_rows = _checks.check_positive_int(chunk_rows, "chunk_rows")
    init_rows = _checks.check_positive_int(init_rows, "init_rows")
    ctype = mixture.check_covariance_type(covariance_type)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    passes = chunk_source(source, chunk_rows)

    # Pass 0: moments, shape, dtype and the initialization sample.
    state, d, dtype, n_rows, head, rows = None, None, None, 0, [], chunk_rows
    for i, chunk in enumerate(passes()):
        x = _checks.as_rows(np.asarray(chunk), d, name=f"chunk {i}")
        if state is None:
            d, dtype = x.shape[1], x.dtype
            rows = max(chunk_rows, x.shape[0])
            state = moments.init(d, dtype)
        if x.shape[0] > rows:
            raise ValueError(
                f"chunk {i} has {x.shape[0]} rows; chunks must have at most {rows} (chunk_rows)"
            )
        state = moments.update(state, x)
        if sum(h.shape[0] for h in head) < init_rows:
            head.append(x)
        n_rows += x.shape[0]
    if state is None or n_rows == 0:
        raise ValueError("source must yield at least one row; it yielded none")
    if n_rows < k:
        raise ValueError(f"n_components={k} must be at most the number of rows ({n_rows})")
    shift, cov = moments.finalize(state)
    total = state.count
    k_active = jnp.asarray(k, jnp.int32)

    if params_init is None:
        sample = jnp.concatenate(head)[:init_rows]
        if sample.shape[0] < k:
            raise ValueError(f"init_rows={init_rows} gives fewer rows than n_components={k}")
        start = em.fit_gmm(
            key, sample, k, covariance_type=ctype, max_iter=0, init=init, reg_covar=reg_covar
        )
        params_init = start.params
    else:
        mixture.check_params(params_init, "params_init")
    params_init = jax.tree.map(lambda a: jnp.asarray(a, dtype), params_init)
    comp = em._comp_from_params(params_init, shift, k_active)
    reg = jnp.asarray(reg_covar, dtype)

    history = np.full((max_iter,), np.nan)
    previous, ll = -np.inf, -np.inf
    n_iter, converged, n_reseeded = 0, False, 0
    while n_iter < max_iter and not converged:
        stats, ll_sum, worst, worst_ll = None, 0.0, None, None
        for i, chunk in enumerate(passes()):
            x, w = _padded(chunk, rows, d, dtype, f"chunk {i}")
            s, lsum, rows_i, ll_i = _chunk_step(comp, x, w, shift, ctype=ctype)
            if stats is None:
                stats, worst, worst_ll = s, rows_i, ll_i
            else:
                stats = jax.tree.map(jnp.add, stats, s)
                worst, worst_ll = _merge_worst(
                    worst, worst_ll, rows_i, ll_i, k=min(k, worst.shape[0] + rows_i.shape[0])
                )
            ll_sum = ll_sum + lsum
        if worst.shape[0] < k:  # fewer than K rows seen: repeat the worst
            worst = jnp.concatenate([worst] * (-(-k // worst.shape[0])))[:k]
        ll = float(ll_sum / total)
        new, n_seed = _m_step(stats, worst, total, n_rows, cov, comp, k_active, reg, ctype=ctype)
        if not (
            np.isfinite(ll) and all(bool(jnp.all(jnp.isfinite(a) | (a == -jnp.inf))) for a in new)
        ):
            break  # keep the last finite parameters, as the in-memory EM does
        history[n_iter] = ll
        converged = abs(ll - previous) < tol
        previous, comp = ll, new
        n_reseeded += int(n_seed)
        n_iter += 1
    return GMMFit(
        em._to_params(comp, shift, ctype),
        jnp.asarray(previous if n_iter else -np.inf, dtype),
        jnp.asarray(n_iter, jnp.int32),
        jnp.asarray(converged),
        jnp.asarray(n_reseeded, jnp.int32),
        jnp.asarray(history, dtype),
        jnp.asarray([previous if n_iter else -np.inf], dtype),
    )
