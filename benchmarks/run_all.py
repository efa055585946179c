"""Runs every comparative benchmark and prints one table of ratios against numpy/scipy/scikit-learn.

    python benchmarks/run_all.py                 # --small sizes (a few minutes on 2 cores)
    python benchmarks/run_all.py --full          # the sizes recorded in benchmarks/README.md
    python benchmarks/run_all.py --only gmm metrics --json all.json

Each ``bench_*.py`` script runs in its own process and prints its detailed report as usual; it
also appends one record per comparison (see ``_results.py``) to a file this runner names in
``JAXGAUSS_BENCH_RESULTS``. At the end the runner prints all records as one table — benchmark,
case, contender, jaxgauss and contender figures, ratio contender / jaxgauss (> 1: jaxgauss
faster or smaller) — followed by the geometric mean ratio per benchmark and the exit status of
each script. ``benchmarks/gpu.py`` is not a comparison (absolute figures on one accelerator)
and is run separately.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from _results import ENV, load, table  # noqa: E402

SCRIPTS = {
    "sampling": "bench_sampling.py",
    "gmm": "bench_gmm.py",
    "metrics": "bench_metrics.py",
    "datasets": "bench_datasets.py",
    "writers": "bench_writers.py",
}


def geometric_means(rows: list[dict]) -> dict[str, float]:
    """Geometric mean of the ratios of each benchmark's headline records."""
    by: dict[str, list[float]] = {}
    for r in rows:
        if r.get("headline", True) and r["ratio"] > 0 and math.isfinite(r["ratio"]):
            by.setdefault(r["benchmark"], []).append(math.log(r["ratio"]))
    return {b: math.exp(sum(v) / len(v)) for b, v in by.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full sizes instead of --small")
    parser.add_argument("--only", nargs="+", choices=sorted(SCRIPTS), help="a subset to run")
    parser.add_argument("--json", help="also write the records to this file")
    args = parser.parse_args(argv)
    names = args.only or list(SCRIPTS)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE.parent), env.get("PYTHONPATH")) if p)
    status = []
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        env[ENV] = str(results)
        for name in names:
            cmd = [sys.executable, str(HERE / SCRIPTS[name])] + ([] if args.full else ["--small"])
            print(f"\n=== {SCRIPTS[name]} {'(full)' if args.full else '--small'} ===", flush=True)
            t = time.perf_counter()
            rc = subprocess.run(cmd, env=env).returncode
            status.append((name, rc, time.perf_counter() - t))
        rows = load(results)
    print(f"\n=== all comparisons ({'full' if args.full else 'small'} sizes) ===")
    print(table(rows))
    print("\ngeometric mean ratio per benchmark (> 1: jaxgauss faster or smaller; headline rows)")
    for name, g in geometric_means(rows).items():
        print(f"  {name:<10} {g:6.2f}x")
    print(f"\n{'script':<20} {'status':>8} {'wall s':>8} {'records':>8}")
    for name, rc, wall in status:
        count = sum(r["benchmark"] == name for r in rows)
        print(f"{SCRIPTS[name]:<20} {'ok' if rc == 0 else f'rc={rc}':>8} {wall:8.1f} {count:8d}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    missing = [
        name for name, rc, _ in status if rc == 0 and not any(r["benchmark"] == name for r in rows)
    ]
    if missing:
        print(f"no records from: {', '.join(missing)}")
    return max([rc for _, rc, _ in status] + [1 if missing else 0])


if __name__ == "__main__":
    sys.exit(main())
