"""Dataset generators: jaxgauss (JAX, on the default device) against scikit-learn (numpy).

Prints, for each generator, the median wall time of several calls after a warm-up call
(which pays JAX's compilation, reported separately) and the ratio sklearn / jaxgauss
(> 1: jaxgauss faster). Both run in float64, in turn, in this process. The machine is noisy:
compare the ratios of one run, not absolute times across runs.

Usage: python benchmarks/bench_datasets.py [--small] [--repeats R]
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax

jax.config.update("jax_enable_x64", True)

from _results import record  # noqa: E402  (benchmarks/ is on sys.path when run as a script)
from sklearn import datasets as skd  # noqa: E402

from jaxgauss import datasets as ds  # noqa: E402


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="tiny sizes, runs in seconds")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = 20_000 if args.small else 1_000_000
    key = jax.random.key(0)
    cases = {
        f"make_blobs n={n} d=20 centers=8": (
            lambda: ds.make_blobs(key, n, 20, centers=8),
            lambda: skd.make_blobs(n, 20, centers=8, random_state=0),
        ),
        f"make_classification n={n} d=20 (10 informative, 4 classes)": (
            lambda: ds.make_classification(key, n, 20, n_informative=10, n_classes=4),
            lambda: skd.make_classification(n, 20, n_informative=10, n_classes=4, random_state=0),
        ),
        f"make_regression n={n} d=50 noise=1": (
            lambda: ds.make_regression(key, n, 50, noise=1.0),
            lambda: skd.make_regression(n, 50, noise=1.0, random_state=0),
        ),
        f"make_regression n={n // 10} d=50 effective_rank=10": (
            lambda: ds.make_regression(key, n // 10, 50, effective_rank=10),
            lambda: skd.make_regression(n // 10, 50, effective_rank=10, random_state=0),
        ),
    }
    print(f"backend={jax.default_backend()} repeats={args.repeats}")
    for name, (ours, theirs) in cases.items():
        t0 = time.perf_counter()
        jax.block_until_ready(ours())
        first = time.perf_counter() - t0
        t_ours = _median_time(ours, args.repeats)
        t_sk = _median_time(theirs, args.repeats)
        record("datasets", name, "sklearn.datasets", t_ours, t_sk)
        print(
            f"{name}: jaxgauss {t_ours:.4f}s (first call {first:.2f}s), "
            f"sklearn {t_sk:.4f}s, ratio sklearn/jaxgauss {t_sk / t_ours:.2f}"
        )


if __name__ == "__main__":
    main()
