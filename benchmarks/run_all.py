"""Runs every benchmark in this folder, one after another, and prints their reports.

    python benchmarks/run_all.py            # --small sizes (a few minutes on 2 cores)
    python benchmarks/run_all.py --full     # the sizes recorded in benchmarks/README.md

Each script prints its own table of medians and ratios against numpy / scipy / scikit-learn; this
runner adds a closing summary (script, exit status, wall time). The figures in README.md tables
come from the individual scripts' full runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = [
    "bench_sampling.py",
    "bench_gmm.py",
    "bench_metrics.py",
    "bench_datasets.py",
    "bench_writers.py",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="full sizes instead of --small")
    args = parser.parse_args()
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])
    )
    summary = []
    for script in SCRIPTS:
        cmd = [sys.executable, str(HERE / script)] + ([] if args.full else ["--small"])
        print(f"\n=== {script} {'(full)' if args.full else '--small'} ===", flush=True)
        t = time.perf_counter()
        rc = subprocess.run(cmd, env=env).returncode
        summary.append((script, rc, time.perf_counter() - t))
    print(f"\n{'benchmark':<20} {'status':>8} {'wall s':>8}")
    for script, rc, wall in summary:
        print(f"{script:<20} {'ok' if rc == 0 else f'rc={rc}':>8} {wall:8.1f}")
    sys.exit(max(rc for _, rc, _ in summary))


if __name__ == "__main__":
    main()
