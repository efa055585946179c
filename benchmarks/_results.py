"""One result format for every benchmark script, so that ``run_all.py`` can print one table.

Each ``bench_*.py`` script prints its own detailed table and also calls :func:`record` once per
comparison (one case, jaxgauss against one contender). When the environment variable
``JAXGAUSS_BENCH_RESULTS`` names a file, :func:`record` appends the comparison to it as one JSON
line; otherwise it does nothing. ``run_all.py`` sets the variable, runs the scripts, and reads
the lines back with :func:`load`.

A record holds:

* ``benchmark``: the script's topic (``"sampling"``, ``"gmm"``, ...);
* ``case``: what was measured (sizes, dtype, options), human-readable;
* ``contender``: the library call compared against (``"numpy mvn svd"``, ``"scipy ks_2samp"``);
* ``jaxgauss_s`` / ``contender_s``: seconds (medians where the script repeats); the metric may
  also be memory (``unit="MB"``), in which case the two values are megabytes;
* ``ratio``: ``contender / jaxgauss`` (> 1: jaxgauss is faster or smaller);
* ``note``: anything needed to read the ratio (e.g. a log-likelihood difference);
* ``headline``: whether the ratio enters the per-benchmark geometric mean (``False`` for
  secondary views of a case already recorded, such as a time including compilation).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

ENV = "JAXGAUSS_BENCH_RESULTS"


def record(
    benchmark: str,
    case: str,
    contender: str,
    jaxgauss_s: float,
    contender_s: float,
    *,
    unit: str = "s",
    note: str = "",
    headline: bool = True,
) -> dict[str, Any]:
    """Appends one comparison to ``$JAXGAUSS_BENCH_RESULTS`` (if set) and returns it."""
    row = {
        "benchmark": benchmark,
        "case": case,
        "contender": contender,
        "jaxgauss": float(jaxgauss_s),
        "contender_value": float(contender_s),
        "unit": unit,
        "ratio": float(contender_s) / float(jaxgauss_s) if jaxgauss_s > 0 else float("inf"),
        "note": note,
        "headline": bool(headline),
    }
    path = os.environ.get(ENV)
    if path:
        with open(path, "a") as f:
            f.write(json.dumps(row) + "\n")
    return row


def load(path: str | Path) -> list[dict[str, Any]]:
    """The records appended to ``path`` (an empty list if the file does not exist)."""
    path = Path(path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of records, one line each, ratios last."""
    head = f"{'benchmark':<9} {'case':<46} {'contender':<30} {'jaxgauss':>10} {'contender':>10} {'ratio':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        unit = "s" if r["unit"] == "s" else f" {r['unit']}"
        lines.append(
            f"{r['benchmark']:<9} {r['case'][:46]:<46} {r['contender'][:30]:<30} "
            f"{r['jaxgauss']:>9.3g}{unit:<1} {r['contender_value']:>9.3g}{unit:<1} "
            f"{r['ratio']:>6.2f}x" + (f"  {r['note']}" if r["note"] else "")
        )
    return "\n".join(lines)
