"""Benchmark: jaxgauss.metrics / jaxgauss.privacy against scipy, numpy and scikit-learn.

Prints medians of repeated runs (after a warm-up call that compiles) and the ratio
contender / jaxgauss (> 1 means jaxgauss is faster), plus the largest difference of the results.
The machine is noisy: compare the ratios measured in one run, not absolute times across runs.

    python benchmarks/bench_metrics.py            # full sizes (several minutes on 2 cores)
    python benchmarks/bench_metrics.py --small    # a few seconds
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import scipy.stats as ss  # noqa: E402
from _results import record  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from scipy.spatial.distance import jensenshannon  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

from jaxgauss.metrics import correlation_matrix, js_divergence, ks_statistic, ks_stream  # noqa: E402
from jaxgauss.metrics.distances import histograms  # noqa: E402
from jaxgauss.privacy import dcr  # noqa: E402


def median_time(fn, repeats):
    times = []
    out = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        jax.block_until_ready(out)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def line(name, ours, theirs, diff, contender):
    record("metrics", name, contender, ours, theirs, note=f"max|diff| {diff:.1e}")
    print(
        f"{name:<44} jaxgauss {ours:8.3f}s  contender {theirs:8.3f}s  "
        f"ratio {theirs / ours:6.2f}x  max|diff| {diff:.2e}",
        flush=True,
    )


def bench_ks(rng, n, d, repeats):
    a = rng.standard_normal((n, d))
    b = rng.standard_normal((n, d)) * 1.001 + 0.001
    ks_statistic(a, b)  # compile
    t_ours, ours = median_time(lambda: ks_statistic(a, b), repeats)
    t_sc, theirs = median_time(
        lambda: np.array([ss.ks_2samp(a[:, j], b[:, j]).statistic for j in range(d)]), 1
    )
    line(
        f"KS exact statistic {d} cols x {n:.0e} rows",
        t_ours,
        t_sc,
        np.max(np.abs(ours - theirs)),
        "scipy ks_2samp loop",
    )


def bench_ks_stream(rng, n_ref, n_stream, d, batch, bins):
    ref = rng.standard_normal((n_ref, d))
    shifts = np.linspace(0.0, 0.002, d)
    state = ks_stream.init(ref, bins=bins)
    chunks = []
    ks_stream.update(state, rng.standard_normal((batch, d)))  # compile
    t0 = time.perf_counter()
    for start in range(0, n_stream, batch):
        chunk = rng.standard_normal((min(batch, n_stream - start), d)) + shifts
        chunks.append(chunk)
        state = ks_stream.update(state, chunk)
    res = ks_stream.result(state)
    t_stream = time.perf_counter() - t0
    synth = np.concatenate(chunks)
    exact = ks_statistic(ref, synth)
    err = np.max(exact - res.statistic)
    print(
        f"KS streaming {d} cols: {n_stream:.0e} rows vs {n_ref:.0e} ref, {bins} bins: "
        f"{t_stream:.2f}s incl. generation; max error vs exact {err:.2e} "
        f"(certified bound {np.max(res.upper - res.statistic):.2e})",
        flush=True,
    )


def bench_corr(rng, n, d, repeats):
    x = rng.standard_normal((n, d)) @ rng.standard_normal((d, d)) + 100.0
    correlation_matrix(x)
    t_ours, ours = median_time(lambda: correlation_matrix(x), repeats)
    t_np, theirs = median_time(lambda: np.corrcoef(x, rowvar=False), repeats)
    diff = np.max(np.abs(ours - theirs))
    line(f"Pearson correlation {d} cols x {n:.0e} rows", t_ours, t_np, diff, "np.corrcoef")
    m = max(n // 5, 100)
    correlation_matrix(x[:m], method="spearman")
    t_ours, ours = median_time(lambda: correlation_matrix(x[:m], method="spearman"), repeats)
    t_sc, theirs = median_time(lambda: ss.spearmanr(x[:m]).statistic, repeats)
    diff = np.max(np.abs(ours - theirs))
    line(f"Spearman correlation {d} cols x {m:.0e} rows", t_ours, t_sc, diff, "scipy spearmanr")


def bench_js(rng, n, d, repeats, bins=50):
    r = rng.standard_normal((n, d))
    s = rng.standard_normal((n, d)) * 1.05
    js_divergence(r, s, bins=bins)
    t_ours, ours = median_time(lambda: js_divergence(r, s, bins=bins), repeats)
    _, _, edges = histograms(r, s, bins=bins)

    def contender():
        out = []
        for j in range(d):
            p, _ = np.histogram(r[:, j], bins=edges[j])
            q, _ = np.histogram(s[:, j], bins=edges[j])
            out.append(jensenshannon(p, q, base=2) ** 2)
        return np.array(out)

    t_np, theirs = median_time(contender, repeats)
    diff = np.max(np.abs(ours - theirs))
    line(
        f"JS divergence {d} cols x {n:.0e} rows, {bins} bins",
        t_ours,
        t_np,
        diff,
        "np.histogram + jensenshannon",
    )


def bench_dcr(rng, n, d, big):
    real = rng.standard_normal((n, d))
    synth = rng.standard_normal((n, d))
    dcr(real, synth)  # compile
    t_ours, ours = median_time(lambda: dcr(real, synth), 1)
    nn = NearestNeighbors(n_neighbors=1, algorithm="brute")
    t_sk, theirs = median_time(lambda: nn.fit(real).kneighbors(synth)[0][:, 0], 1)
    diff = np.max(np.abs(ours - theirs))
    line(f"DCR {n:.0e} x {n:.0e} rows x {d}", t_ours, t_sk, diff, "sklearn NearestNeighbors brute")
    if big:
        real = rng.standard_normal((big, d))
        synth = rng.standard_normal((big, d))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        t0 = time.perf_counter()
        out = dcr(real, synth)
        took = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(
            f"DCR {big:.0e} x {big:.0e} rows x {d}: {took:.1f}s, peak RSS {after:.2f} GiB "
            f"(before {before:.2f} GiB), median DCR {np.median(out):.3f}",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, a few seconds")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("ks", "stream", "corr", "js", "dcr"),
        default=("ks", "stream", "corr", "js", "dcr"),
        help="run only these cases",
    )
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, float64", flush=True)
    small = args.small
    cases = {  # (function, arguments at --small, arguments at full size)
        "ks": (bench_ks, (20_000, 5, args.repeats), (1_000_000, 20, args.repeats)),
        "stream": (
            bench_ks_stream,
            (20_000, 200_000, 2, 50_000, 8192),
            (1_000_000, 10_000_000, 4, 1_000_000, 8192),
        ),
        "corr": (bench_corr, (50_000, 5, args.repeats), (1_000_000, 20, args.repeats)),
        "js": (bench_js, (50_000, 5, args.repeats), (1_000_000, 20, args.repeats)),
        "dcr": (bench_dcr, (2_000, 5, 0), (20_000, 20, 100_000)),
    }
    for name, (fn, small_args, full_args) in cases.items():
        if name in args.only:
            fn(rng, *(small_args if small else full_args))


if __name__ == "__main__":
    main()
