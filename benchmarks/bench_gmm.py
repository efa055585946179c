"""Gaussian mixture fitting: jaxgauss vs scikit-learn, same arguments, same data, one process.

Two parts:

1. **fit**: ``jg.fit_gmm(key, x, K, covariance_type=..., init="k-means++")`` against
   ``sklearn.mixture.GaussianMixture(K, covariance_type=..., init_params="k-means++")`` (both
   ``max_iter=100, tol=1e-3, reg_covar=1e-6, n_init=1``) on n=1e5, d=20, K=10 and n=1e6, d=10,
   K=8; full and diag; float32 and float64. The time is the whole fit (initialization + EM,
   from a NumPy array to fitted parameters), summed over ``--seeds`` random starts per library
   (``jax.random.key(s)`` / ``random_state=s``); the final log-likelihoods are averaged.
   jaxgauss's first call (which compiles) is reported apart.
2. **select**: ``jg.select_gmm`` over K=1..10 x the 4 covariance types against the
   scikit-learn loop over the same 40 candidates (``GaussianMixture(K, covariance_type=ct)``
   then ``.bic(x)``), both with their default k-means initialization.

The data lie near a curved 3-D manifold (a noisy spiral sheet) linearly embedded in d
dimensions: the components overlap and EM needs tens of iterations, as on real tables
(well-separated blobs converge in 2-3 iterations and hide the cost of an iteration).

Usage::

    python benchmarks/bench_gmm.py            # the full benchmark (minutes)
    python benchmarks/bench_gmm.py --small    # a few seconds

The machine is noisy: compare the ratios measured in one run, not absolute times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# Benchmark the checkout this script lives in, not another installed copy.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

import jaxgauss as jg  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _results import record  # noqa: E402

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def curved_data(n: int, d: int, seed: int = 0, noise: float = 0.3) -> np.ndarray:
    """``(n, d)`` float64 rows near a spiral sheet: overlapping, non-Gaussian clusters."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0.0, 3.0 * np.pi, n)
    h = rng.uniform(-1.0, 1.0, n)
    latent = np.stack([t * np.cos(t), t * np.sin(t), 3.0 * h], axis=1) / 3.0
    a = rng.normal(size=(3, d))
    return latent @ a + noise * rng.standard_normal((n, d))


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_fit(x, k, ct, seeds):
    """Returns a row of the fit table: totals over ``seeds`` (one fit per seed and library).

    A single fit from one random start measures the start as much as the code (the two
    libraries draw different k-means++ seeds, and EM then runs a different number of iterations
    to a different local optimum), so both fit once per seed and the row sums the times,
    the iterations and averages the final log-likelihoods.
    """

    def ours(seed):
        fit = jg.fit_gmm(jax.random.key(seed), x, k, covariance_type=ct, init="k-means++")
        jax.block_until_ready(fit)
        return fit

    def theirs(seed):
        return GaussianMixture(
            k, covariance_type=ct, init_params="k-means++", random_state=seed
        ).fit(x)

    first, _ = _timed(lambda: ours(seeds[0]))  # compiles
    jg_runs = [_timed(lambda s=s: ours(s)) for s in seeds]
    sk_runs = [_timed(lambda s=s: theirs(s)) for s in seeds]
    jg_t = sum(t for t, _ in jg_runs)
    sk_t = sum(t for t, _ in sk_runs)
    return {
        "jg_first": first,
        "jg": jg_t,
        "sk": sk_t,
        "ratio": sk_t / jg_t,
        "jg_iter": sum(int(f.n_iter) for _, f in jg_runs),
        "sk_iter": sum(int(g.n_iter_) for _, g in sk_runs),
        "jg_ll": float(np.mean([float(f.log_likelihood) for _, f in jg_runs])),
        "sk_ll": float(np.mean([float(g.lower_bound_) for _, g in sk_runs])),
    }


def bench_select(x, ks, types, sk_repeats):
    def ours():
        sel = jg.select_gmm(jax.random.key(0), x, n_components=ks, covariance_types=types)
        jax.block_until_ready(sel.best)
        return sel

    def theirs():
        best = (np.inf, None, None)
        for ct in types:
            for k in ks:
                gm = GaussianMixture(k, covariance_type=ct, random_state=0).fit(x)
                best = min(best, (gm.bic(x), ct, k), key=lambda r: r[0])
        return best

    first, sel = _timed(ours)
    second, sel = _timed(ours)
    sk_runs = []
    for _ in range(sk_repeats):
        t, ref = _timed(theirs)
        sk_runs.append(t)
    sk_t = statistics.median(sk_runs)
    i = int(np.argmin(sel.table["bic"]))
    return {
        "jg_first": first,
        "jg": second,
        "sk": sk_t,
        "ratio": sk_t / second,
        "jg_best": (str(sel.table["covariance_type"][i]), int(sel.table["n_components"][i])),
        "jg_bic": float(sel.table["bic"][i]),
        "sk_best": (ref[1], ref[2]),
        "sk_bic": float(ref[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="tiny shapes: runs in seconds")
    parser.add_argument(
        "--seeds", type=int, default=3, help="fits per library and configuration (seeds 0..S-1)"
    )
    parser.add_argument("--sk-repeats", type=int, default=1, help="timed scikit-learn fits")
    parser.add_argument("--skip-select", action="store_true")
    parser.add_argument("--skip-fit", action="store_true")
    args = parser.parse_args()

    if args.small:  # one compilation per configuration: keep them few
        fit_cases = [(5_000, 5, 4)]
        fit_configs = [("full", np.float32), ("diag", np.float64)]
        select_case, ks, types = (2_000, 4), range(1, 4), ("diag", "spherical")
    else:
        fit_cases = [(100_000, 20, 10), (1_000_000, 10, 8)]
        fit_configs = [(ct, dt) for ct in ("full", "diag") for dt in (np.float32, np.float64)]
        select_case, ks, types = (20_000, 10), range(1, 11), COVARIANCE_TYPES

    print(f"jax {jax.__version__}, backend {jax.default_backend()}, {os.cpu_count()} CPU(s)")
    print(f"load average at start: {os.getloadavg()}")
    if not args.skip_fit:
        print(
            f"\nWhole fit (k-means++ init + EM), seconds summed over {args.seeds} seeds; "
            "'jg 1st' is jaxgauss's compiling first call; it = iterations summed; ll = mean"
        )
        hdr = (
            f"{'n':>9} {'d':>3} {'K':>3} {'cov':>5} {'dtype':>7} | {'jg 1st':>7} {'jg sum':>7} "
            f"{'sk sum':>7} {'sk/jg':>6} | {'it jg':>5} {'it sk':>5} | {'ll jg':>10} {'ll sk':>10} "
            f"{'dll':>8} | {'per-it':>6}"
        )
        print(hdr)
        print("-" * len(hdr))
        for n, d, k in fit_cases:
            base = curved_data(n, d)
            for ct, dtype in fit_configs:
                x = base.astype(dtype)
                r = bench_fit(x, k, ct, list(range(args.seeds)))
                dll = r["jg_ll"] - r["sk_ll"]
                # Ratio of the time per iteration (init included, so it understates ours).
                per_iter = (r["sk"] / r["sk_iter"]) / (r["jg"] / r["jg_iter"])
                print(
                    f"{n:>9} {d:>3} {k:>3} {ct:>5} {np.dtype(dtype).name:>7} | "
                    f"{r['jg_first']:7.2f} {r['jg']:7.2f} {r['sk']:7.2f} {r['ratio']:6.2f} | "
                    f"{r['jg_iter']:5d} {r['sk_iter']:5d} | {r['jg_ll']:10.4f} "
                    f"{r['sk_ll']:10.4f} {dll:+8.4f} | {per_iter:6.2f}",
                    flush=True,
                )
                record(
                    "gmm",
                    f"fit_gmm n={n:.0e} d={d} K={k} {ct} {np.dtype(dtype).name}, {args.seeds} seeds",
                    "sklearn GaussianMixture",
                    r["jg"],
                    r["sk"],
                    note=f"it {r['jg_iter']}/{r['sk_iter']}, mean ll jg-sk {dll:+.4f}",
                )
    if not args.skip_select:
        n, d = select_case
        x = curved_data(n, d)
        r = bench_select(x, ks, types, args.sk_repeats)
        print(
            f"\nselect_gmm over K={min(ks)}..{max(ks)} x {len(types)} covariance types "
            f"(n={n}, d={d}, float64), seconds"
        )
        print(
            f"jg first call {r['jg_first']:.2f} | jg second call {r['jg']:.2f} | "
            f"scikit-learn loop {r['sk']:.2f} | ratio sk/jg {r['ratio']:.2f} "
            f"(with compile {r['sk'] / r['jg_first']:.2f})"
        )
        case = f"select_gmm K={min(ks)}..{max(ks)} x {len(types)} types n={n:.0e} d={d}"
        record("gmm", case, "sklearn loop", r["jg"], r["sk"], note="compiled")
        record(
            "gmm", case + " incl. compile", "sklearn loop", r["jg_first"], r["sk"], headline=False
        )
        print(
            f"best by BIC: jaxgauss {r['jg_best']} bic={r['jg_bic']:.1f}; "
            f"scikit-learn {r['sk_best']} bic={r['sk_bic']:.1f}"
        )
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
