"""The benchmark scripts stay runnable: gpu.py at CPU sizes, and run_all's one-table format.

The timings themselves are never asserted (speed is measured in benchmarks/, not in tests).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _results  # noqa: E402
import run_all  # noqa: E402


def _env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH.parent), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def test_gpu_script_runs_small_on_cpu():
    out = subprocess.run(
        [sys.executable, str(BENCH / "gpu.py"), "--small"],
        env=_env(JAX_PLATFORMS="cpu"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert "values/s" in text
    assert "diag, 10 iterations" in text and "full, 10 iterations" in text
    assert "exact KS on 2e+05 rows" in text


def test_record_appends_json_lines_and_table(tmp_path, monkeypatch):
    path = tmp_path / "r.jsonl"
    monkeypatch.setenv(_results.ENV, str(path))
    _results.record("metrics", "KS 20 cols", "scipy", 0.5, 4.0, note="diff 0")
    _results.record("writers", "peak RSS", "np.save", 500.0, 4000.0, unit="MB")
    rows = _results.load(path)
    assert [r["ratio"] for r in rows] == [8.0, 8.0]
    assert rows[1]["unit"] == "MB"
    assert json.loads(path.read_text().splitlines()[0])["contender"] == "scipy"
    text = _results.table(rows)
    assert "KS 20 cols" in text and "8.00x" in text and "MB" in text
    extra = [dict(rows[0], ratio=2.0), dict(rows[0], ratio=1e-3, headline=False)]
    assert run_all.geometric_means(rows + extra) == pytest.approx({"metrics": 4.0, "writers": 8.0})


def test_record_without_env_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(_results.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    row = _results.record("gmm", "fit", "sklearn", 2.0, 3.0)
    assert row["ratio"] == 1.5
    assert list(tmp_path.iterdir()) == []
    assert _results.load(tmp_path / "missing.jsonl") == []


def test_run_all_collects_one_table_from_a_script(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run_all.py"),
            "--only",
            "datasets",
            "--json",
            str(tmp_path / "all.json"),
        ],
        env=_env(JAX_PLATFORMS="cpu"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    rows = json.loads((tmp_path / "all.json").read_text())
    assert len(rows) == 4 and {r["benchmark"] for r in rows} == {"datasets"}
    assert all(r["contender"] == "sklearn.datasets" and r["ratio"] > 0 for r in rows)
    assert "=== all comparisons" in out.stdout and "geometric mean ratio" in out.stdout
