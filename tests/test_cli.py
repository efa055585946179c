"""The jaxgauss command line: fit / sample / report / demo, errors, --help."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jaxgauss.cli import main

ROOT = Path(__file__).resolve().parents[1]
WINE = ROOT / "jaxgauss" / "data" / "wine.csv"
EXAMPLE = ROOT / "examples" / "config.yaml"


@pytest.fixture(scope="module", autouse=True)
def _private_compilation_cache(tmp_path_factory):
    """main() enables JAX's persistent compilation cache: keep it out of the user's home."""
    old = os.environ.get("JAXGAUSS_CACHE_DIR")
    os.environ["JAXGAUSS_CACHE_DIR"] = str(tmp_path_factory.mktemp("xla-cache"))
    yield
    if old is None:
        os.environ.pop("JAXGAUSS_CACHE_DIR")
    else:
        os.environ["JAXGAUSS_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """The example config fitted to the bundled wine CSV through the CLI."""
    out = tmp_path_factory.mktemp("cli") / "wine.npz"
    assert main(["fit", str(WINE), "--config", str(EXAMPLE), "--out", str(out)]) == 0
    return out


def test_fit_prints_the_selection(model, capsys):
    assert model.exists()
    # The fixture's output was captured before this test; refit is not needed to check the file.
    from jaxgauss import Synthesizer

    syn = Synthesizer.load(model)
    assert syn.model_ == "gmm" and 1 <= syn.selection_[0]["n_components"] <= 4


def test_sample_honours_the_example_config(model, tmp_path, capsys):
    out = tmp_path / "synthetic.csv"
    assert (
        main(
            [
                "sample",
                str(model),
                "-n",
                "2000",
                "--out",
                str(out),
                "--batch-size",
                "300",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    assert "Wrote 2,000 rows" in capsys.readouterr().out
    df = pd.read_csv(out)
    real = pd.read_csv(WINE)
    assert list(df.columns) == list(real.columns) and len(df) == 2000
    assert (df["flavanoids"] <= 2 * df["total_phenols"]).all()
    assert df["magnesium"].between(70, 162).all() and (df["alcohol"] >= 0).all()
    assert (df["hue"] >= 0).all()
    np.testing.assert_array_equal(df["magnesium"], np.round(df["magnesium"]))
    assert set(df["cultivar"]) <= {0, 1, 2}
    # Same rows for another batch size and format.
    npy = tmp_path / "synthetic.npy"
    assert (
        main(["sample", str(model), "-n", "2000", "--out", str(npy), "--seed", "1", "--quiet"]) == 0
    )
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(np.load(npy), df.to_numpy(float))


def test_report_writes_html_and_pngs(tmp_path, capsys):
    real = pd.read_csv(WINE)
    rng = np.random.default_rng(0)
    synth = real.sample(150, random_state=0).reset_index(drop=True)
    synth["alcohol"] += rng.normal(0, 0.1, size=150)
    synth.to_csv(tmp_path / "synth.csv", index=False)
    assert (
        main(["report", str(WINE), str(tmp_path / "synth.csv"), "--out", str(tmp_path / "r")]) == 0
    )
    assert "Quality score" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "correlation.png",
        "histograms.png",
        "report.html",
    ]
    for png in ("correlation.png", "histograms.png"):
        assert (tmp_path / "r" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo(tmp_path, capsys):
    assert (
        main(
            [
                "demo",
                "-n",
                "2000",
                "--max-components",
                "2",
                "--marginals",
                "empirical",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    for part in (
        "Bundled table: UCI Wine",
        "Largest absolute correlation difference",
        "BIC picks K",
        "Gaussian copula",
        "Quality score",
    ):
        assert part in text
    assert (tmp_path / "report.html").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fit", "missing.csv", "--out", "m.npz"], "data file 'missing.csv' does not exist"),
        (["fit", str(EXAMPLE), "--out", "m.npz"], "data file must end in .csv, .parquet or .npy"),
        (
            ["sample", str(WINE), "-n", "5", "--out", "x.npy"],
            "not a valid jaxgauss Synthesizer file",
        ),
    ],
)
def test_errors_are_one_line_with_exit_code_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("jaxgauss: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_config_error_names_the_key(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("generator:\n  n_init: ten\n")
    assert main(["fit", str(WINE), "--config", str(cfg), "--out", str(tmp_path / "m.npz")]) == 2
    assert "generator.n_init must be an integer >= 1; got 'ten'" in capsys.readouterr().err


def test_debug_raises(capsys):
    with pytest.raises(Exception, match="does not exist"):
        main(["--debug", "fit", "missing.csv", "--out", "m.npz"])


@pytest.mark.parametrize("command", [[], ["fit"], ["sample"], ["report"], ["demo"]])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as e:
        main([*command, "--help"])
    assert e.value.code == 0
    assert "usage: jaxgauss" in capsys.readouterr().out


def test_subprocess_round_trip(tmp_path):
    x = np.random.default_rng(0).normal(size=(60, 3))
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "JAXGAUSS_CACHE_DIR": str(tmp_path / "cache")}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "jaxgauss", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )

    fit = run("fit", "x.npy", "--model", "gaussian", "--out", "m.npz")
    assert fit.returncode == 0, fit.stderr
    done = run("sample", "m.npz", "-n", "100", "--out", "s.npy", "--quiet")
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert np.load(tmp_path / "s.npy").shape == (100, 3)
    bad = run("sample", "missing.npz", "-n", "3", "--out", "t.npy")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("jaxgauss: error:")
