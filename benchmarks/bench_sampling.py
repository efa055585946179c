"""Benchmark: Gaussian sampling, jaxgauss vs numpy, and peak memory of chunked generation.

Contenders, each timed in this one process (medians of ``--repeats`` runs, ratios computed
against the jaxgauss median of the same run):

* ``jaxgauss``: ``jg.sample(key, params, n)`` (float32 or float64 params), compiled once
  beforehand; the first call's extra time (tracing and compiling) is reported apart.
* ``numpy mvn svd`` / ``numpy mvn cholesky``: ``default_rng().multivariate_normal(mean, cov,
  n, method=...)``; numpy works in float64 whatever the dtype asked for, so these are timed
  once per ``n`` and compared with both jaxgauss dtypes (their output is not cast).
* ``numpy normal+matmul``: ``standard_normal((n, d), dtype) @ L.T + mean`` with the Cholesky
  factor ``L`` computed beforehand, in the same dtype.

Peak memory (``--memory``, on by default): separate subprocesses generate ``n_mem`` rows of
float32 data and report ``ru_maxrss`` and the resident size after imports; jaxgauss one-shot
(one ``jg.sample`` call), jaxgauss chunked (batches of 100,000 rows through ``offset``, each
batch reduced and dropped, as a writer would do) and numpy one-shot.

Usage::

    python benchmarks/bench_sampling.py            # n = 1e6 and 1e7, d = 50 (minutes)
    python benchmarks/bench_sampling.py --small    # n = 1e5, memory at 1e6 (seconds)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from _results import record  # benchmarks/ is on sys.path when run as a script

D = 50

_MEMORY_CHILD = r"""
import json, resource, sys
import numpy as np


def high_water_mb():
    # VmHWM belongs to this process image (ru_maxrss would carry the parent's over fork+exec).
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


mode, n, d = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
a = rng.standard_normal((d, d))
cov = (a @ a.T / d + np.eye(d)).astype(np.float32)
mean = np.zeros(d, np.float32)
if mode.startswith("jaxgauss"):
    import jax
    import jaxgauss as jg
    p = jg.gaussian(mean, cov)
    key = jax.random.key(0)
    batch = 100_000
    jg.sample(key, p, 10).block_until_ready()
    if mode == "jaxgauss-chunked":
        jg.sample(key, p, batch, offset=0).block_until_ready()  # compile outside the count
base = high_water_mb()
if mode == "jaxgauss-oneshot":
    x = jg.sample(key, p, n)
    total = float(x[-1, 0])
elif mode == "jaxgauss-chunked":
    total = 0.0
    for start in range(0, n, batch):
        x = jg.sample(key, p, min(batch, n - start), offset=start)
        total += float(x[-1, 0])
        del x
else:
    L = np.linalg.cholesky(cov)
    x = rng.standard_normal((n, d), dtype=np.float32) @ L.T + mean
    total = float(x[-1, 0])
peak = high_water_mb()
print(json.dumps({"base_mb": base, "peak_mb": peak}))
"""


def _median_time(repeats: int, fn, *args) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def _numpy_mvn(rng, mean, cov, n, method):
    return rng.multivariate_normal(mean, cov, n, method=method)


def _numpy_normal_matmul(rng, n, dtype, chol, mean):
    return rng.standard_normal((n, D), dtype=dtype) @ chol.T + mean


def _jaxgauss(jg, key, params, n):
    return jg.sample(key, params, n).block_until_ready()


def _problem(d: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((d, d))
    cov = a @ a.T / d + np.eye(d)
    mean = rng.uniform(-1, 1, d)
    return mean, cov


def bench_speed(ns: list[int], repeats: int) -> list[dict]:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jaxgauss as jg

    mean, cov = _problem(D)
    chol = np.linalg.cholesky(cov)
    rows = []
    for n in ns:
        rng = np.random.default_rng(1)
        numpy_mvn = {}
        for method in ("svd", "cholesky"):
            numpy_mvn[method] = _median_time(repeats, _numpy_mvn, rng, mean, cov, n, method)
        for dtype in (np.float32, np.float64):
            params = jg.gaussian(mean.astype(dtype), cov.astype(dtype))
            key = jax.random.key(0)
            t0 = time.perf_counter()
            _jaxgauss(jg, key, params, n)
            first = time.perf_counter() - t0
            t_jg = _median_time(repeats, _jaxgauss, jg, key, params, n)
            m_d, l_d = mean.astype(dtype), chol.astype(dtype)
            t_np = _median_time(repeats, _numpy_normal_matmul, rng, n, dtype, l_d, m_d)
            rows.append(
                {
                    "n": n,
                    "dtype": np.dtype(dtype).name,
                    "jaxgauss_s": t_jg,
                    "compile_s": first - t_jg if first > t_jg else None,
                    "numpy_normal_matmul_s": t_np,
                    "numpy_mvn_svd_s": numpy_mvn["svd"],
                    "numpy_mvn_cholesky_s": numpy_mvn["cholesky"],
                    "values_per_s": n * D / t_jg,
                }
            )
            r = rows[-1]
            case = f"Gaussian d={D}, n={n:.0e}, {r['dtype']}"
            record("sampling", case, f"numpy normal+matmul {r['dtype']}", t_jg, t_np)
            record("sampling", case, "numpy mvn svd (float64)", t_jg, numpy_mvn["svd"])
            print(
                f"n={n:>9,} {r['dtype']:>7}  jaxgauss {t_jg:7.3f} s "
                + (f"(compile {r['compile_s']:.2f} s)" if r["compile_s"] else "(compile n/a)")
                + f"  | ratio vs numpy: normal+matmul {t_np / t_jg:5.2f}x"
                f"  mvn svd {numpy_mvn['svd'] / t_jg:5.2f}x"
                f"  mvn cholesky {numpy_mvn['cholesky'] / t_jg:5.2f}x",
                flush=True,
            )
    return rows


def bench_memory(n: int) -> list[dict]:
    rows = []
    out_mb = n * D * 4 / 2**20
    for mode in ("jaxgauss-oneshot", "jaxgauss-chunked", "numpy-oneshot"):
        proc = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, mode, str(n), str(D)],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ),
        )
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        extra = res["peak_mb"] - res["base_mb"]
        rows.append({"mode": mode, "n": n, "output_mb": out_mb, **res, "extra_mb": extra})
        print(
            f"memory n={n:,} float32 {mode:>17}: peak RSS {res['peak_mb']:8.0f} MB, "
            f"{extra:8.0f} MB above the start ({extra / out_mb:4.2f}x the {out_mb:.0f} MB output)",
            flush=True,
        )
    extra = {r["mode"]: r["extra_mb"] for r in rows}
    record(
        "sampling",
        f"peak memory above start, n={n:.0e} float32",
        "numpy standard_normal+matmul",
        extra["jaxgauss-chunked"],
        extra["numpy-oneshot"],
        unit="MB",
        note="jaxgauss in batches of 1e5 rows",
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="n = 1e5, memory at 1e6 (seconds)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the memory subprocesses")
    parser.add_argument("--memory-only", action="store_true", help="only the memory part")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    ns = [100_000] if args.small else [1_000_000, 10_000_000]
    n_mem = 1_000_000 if args.small else 10_000_000
    load = os.getloadavg()
    print(f"d = {D}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
    results = {"d": D, "load_average": load}
    if not args.memory_only:
        results["speed"] = bench_speed(ns, args.repeats)
    if not args.no_memory:
        results["memory"] = bench_memory(n_mem)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
