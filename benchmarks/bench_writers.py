"""Peak memory and time of writing a large sample to .npy: jaxgauss streaming vs numpy one-shot.

Contenders: ``jg.sample_to`` on a Gaussian; ``jg.Synthesizer.sample_to`` (fitted on a 2000-row
float32 table, with clipping and rounding: the row-wise decoding path); numpy one-shot.

Each contender runs in its own subprocess, which reports its peak RSS (ru_maxrss) and wall time.

    python benchmarks/bench_writers.py            # 1e7 x 50 float32 (2 GB file)
    python benchmarks/bench_writers.py --small    # 1e6 x 50
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

from _results import record  # benchmarks/ is on sys.path when run as a script

CHILD = r"""
import json, resource, sys, time
import numpy as np
mode, n, d, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(0)
a = rng.normal(size=(d, d)); cov = (a @ a.T / d + np.eye(d)).astype(np.float32)
t = time.perf_counter()
if mode == "jaxgauss":
    import jax, jaxgauss as jg
    p = jg.gaussian(np.zeros(d, np.float32), cov)
    jg.sample_to(jax.random.key(0), p, n, path, batch_size=100_000, progress=False)
elif mode == "synthesizer":  # the table front door: fit, then decode/post-process row-wise
    import jax, jaxgauss as jg
    x = rng.multivariate_normal(np.zeros(d), cov, size=2000).astype(np.float32)
    syn = jg.Synthesizer("gaussian", clip_ranges={"x0": (-3.0, 3.0)}, round_columns=["x1"])
    syn.fit(x).sample_to(path, n, batch_size=100_000, progress=False)
elif mode == "numpy-mvn":
    x = rng.multivariate_normal(np.zeros(d), cov, size=n).astype(np.float32)
    np.save(path, x)
else:  # numpy standard_normal + matmul, float32
    L = np.linalg.cholesky(cov)
    x = rng.standard_normal((n, d), dtype=np.float32) @ L.T
    np.save(path, x)
wall = time.perf_counter() - t
print(json.dumps({"wall_s": wall, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true")
    args = parser.parse_args()
    n, d = (1_000_000 if args.small else 10_000_000), 50
    print(f"n={n:,} d={d} float32, file {n * d * 4 / 2**30:.2f} GiB; load {os.getloadavg()[0]:.1f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("jaxgauss", "synthesizer", "numpy-matmul", "numpy-mvn"):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    CHILD,
                    mode,
                    str(n),
                    str(d),
                    os.path.join(tmp, f"{mode}.npy"),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            res = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((mode, res["wall_s"], res["peak_rss_mb"]))
            os.remove(os.path.join(tmp, f"{mode}.npy"))
    base = rows[0][2]
    print(f"{'contender':<14} {'wall s':>8} {'peak RSS MB':>12} {'RSS / jaxgauss':>15}")
    for mode, wall, rss in rows:
        print(f"{mode:<14} {wall:8.2f} {rss:12.0f} {rss / base:15.2f}")
    case = f"write {n:.0e} x {d} float32 .npy"
    ours = dict((mode, (wall, rss)) for mode, wall, rss in rows)
    for mode, label in (("numpy-matmul", "np.save(normal+matmul)"), ("numpy-mvn", "np.save(mvn)")):
        record("writers", case + " wall", label, ours["jaxgauss"][0], ours[mode][0])
        record("writers", case + " peak RSS", label, ours["jaxgauss"][1], ours[mode][1], unit="MB")


if __name__ == "__main__":
    main()
