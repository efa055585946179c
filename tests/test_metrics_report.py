"""quality_report: scores against the metric functions, rendering, pandas, errors."""

import json
import os
import sys

import numpy as np
import pytest

import jaxgauss as jg
from jaxgauss.metrics import Thresholds, correlation_similarity, ks_2samp, quality_report


@pytest.fixture(scope="module")
def wine():
    x = np.asarray(jg.datasets.load_wine().data)[:, :5]
    rng = np.random.default_rng(0)
    synth = rng.multivariate_normal(x.mean(0), np.cov(x, rowvar=False), size=300)
    return x, synth


@pytest.fixture(scope="module")
def report(wine):
    x, synth = wine
    return quality_report(x, synth, holdout=x[::2])


def test_scores_match_the_metrics(wine, report):
    x, synth = wine
    ks = ks_2samp(x, synth)
    np.testing.assert_allclose([r["ks_statistic"] for r in report.columns], ks.statistic)
    np.testing.assert_allclose([r["ks_pvalue"] for r in report.columns], ks.pvalue)
    shapes = np.mean(1 - ks.statistic)
    trends = correlation_similarity(x, synth)
    assert report.column_shapes == pytest.approx(shapes)
    assert report.column_pair_trends == pytest.approx(trends)
    assert report.score == pytest.approx((shapes + trends) / 2)
    assert len(report.pairs) == 10
    assert report.columns[0]["real_std"] == pytest.approx(np.std(x[:, 0], ddof=1))
    th = report.thresholds
    assert [r["passed"] for r in report.columns] == list(ks.pvalue >= th.ks_test_threshold)
    assert report.checks["score"] == (report.score >= 0.85)
    assert report.passed == all(report.checks.values())
    assert report.names == ["x0", "x1", "x2", "x3", "x4"]
    assert 0 < report.privacy["dcr_median"] and report.privacy["exact_copy_share"] == 0.0
    assert 0 <= report.privacy["holdout_share"] <= 1


def test_thresholds_change_the_verdict(wine):
    x, _ = wine
    strict = quality_report(x, x + 0.0, thresholds={"min_quality_score": 1.0}, privacy=False)
    assert strict.score == pytest.approx(1.0) and strict.passed
    loose = quality_report(x, x[::-1] * 1.3, thresholds=Thresholds(0.0, 1.0, 0.0), privacy=False)
    assert loose.passed and not loose.privacy
    named = quality_report(x, x, names=list("abcde"), privacy=False)
    assert [r["column"] for r in named.columns] == list("abcde")


def test_renderings(report, tmp_path):
    d = report.to_dict()
    assert json.loads(json.dumps(d))["score"] == pytest.approx(report.score)
    md = report.to_markdown()
    assert "| column | ks_statistic" in md and "## Column pairs" in md
    assert "Quality score" in report.summary()
    figs = report.plot()
    assert set(figs) == {"histograms", "correlation"}
    path = tmp_path / "report.html"
    assert report.to_html(path) == str(path)
    text = path.read_text()
    assert text.count("data:image/png;base64,") == 2 and "<table>" in text
    assert os.listdir(tmp_path) == ["report.html"]  # the temporary file was renamed


def test_pandas_columns_by_name(wine):
    pd = pytest.importorskip("pandas")
    x, synth = wine
    names = ["alcohol", "malic", "ash", "alcalinity", "magnesium"]
    real_df = pd.DataFrame(x, columns=names)
    synth_df = pd.DataFrame(synth, columns=names)[names[::-1]]  # other order: aligned by name
    rep = quality_report(real_df, synth_df, privacy=False)
    assert [r["column"] for r in rep.columns] == names
    assert rep.score == pytest.approx(quality_report(x, synth, privacy=False).score)
    with pytest.raises(TypeError, match="non-numeric"):
        quality_report(real_df.assign(kind="a"), synth_df.assign(kind="b"), privacy=False)
    with pytest.raises(ValueError, match="lacks the column"):
        quality_report(real_df, synth_df.drop(columns="ash"), privacy=False)


def test_missing_matplotlib(report, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install \"jaxgauss\[report\]\""):
        report.plot()
    with pytest.raises(ImportError, match="matplotlib"):
        report.to_html(tmp_path / "r.html")
    assert not os.listdir(tmp_path)


def test_errors(wine):
    x, synth = wine
    with pytest.raises(ValueError, match="unknown key"):
        quality_report(x, synth, thresholds={"ks": 0.1})
    with pytest.raises(ValueError, match="must be a finite number"):
        quality_report(x, synth, thresholds={"correlation_tolerance": -1})
    with pytest.raises(TypeError, match="thresholds must be"):
        quality_report(x, synth, thresholds=0.05)
    with pytest.raises(ValueError, match="same number of columns"):
        quality_report(x, synth[:, :3])
    with pytest.raises(ValueError, match="names must have 5 entries"):
        quality_report(x, synth, names=["a"])
    with pytest.raises(ValueError, match="real must be finite"):
        quality_report(np.full((3, 2), np.nan), synth[:, :2])
