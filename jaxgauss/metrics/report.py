"""``quality_report``: one call that scores synthetic data against real data, with plots.

Score (SDMetrics' Quality Report, numeric columns):

* **Column Shapes** = mean over columns of the KS complement ``1 - D`` (``D`` the exact two-sample
  KS statistic);
* **Column Pair Trends** = mean over column pairs of the correlation similarity
  ``1 - |S - R| / 2`` (Pearson by default);
* **score** = the mean of the two (Column Shapes alone for a single column).

Pass/fail follows the project's rule of thumb, with configurable :class:`Thresholds`: a column
passes when its KS p-value is at least ``ks_test_threshold`` (0.05); a pair passes when its
correlations differ by at most ``correlation_tolerance`` (0.1); the report passes when all
columns and pairs pass and ``score >= min_quality_score`` (0.85). With very large samples the KS
test detects tiny differences, so the per-column p-values are strict by design: read them with
the statistic next to them.

Privacy: the distance to closest record (DCR) of up to ``max_dcr_rows`` synthetic rows (the
first ones) to all real rows: median, 5th percentile, and share of exact copies; with a
``holdout`` sample also the share of synthetic rows closer to ``real`` than to ``holdout``.

Plots need matplotlib (``pip install "jaxgauss[report]"``); everything else does not.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import math
import os
import tempfile
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from jaxgauss import _checks
from jaxgauss.metrics import correlation as _corr
from jaxgauss.metrics import distances as _dist
from jaxgauss.metrics import ks as _ks

__all__ = ["QualityReport", "Thresholds", "quality_report"]


class Thresholds(NamedTuple):
    """Pass/fail thresholds of :func:`quality_report`.

    Attributes:
      ks_test_threshold: smallest acceptable KS p-value per column.
      correlation_tolerance: largest acceptable ``|synthetic - real|`` correlation per pair.
      min_quality_score: smallest acceptable overall score.
    """

    ks_test_threshold: float = 0.05
    correlation_tolerance: float = 0.1
    min_quality_score: float = 0.85


def _thresholds(value: Any) -> Thresholds:
    if value is None:
        return Thresholds()
    if isinstance(value, Thresholds):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - set(Thresholds._fields)
        if unknown:
            raise ValueError(
                f"thresholds has unknown key(s) {sorted(unknown)}; "
                f"allowed: {list(Thresholds._fields)}"
            )
        out = Thresholds(**{k: float(v) for k, v in value.items()})
    else:
        raise TypeError(
            f"thresholds must be a Thresholds, a mapping or None; got {type(value).__name__}"
        )
    for name, v in out._asdict().items():
        if not math.isfinite(v) or v < 0:
            raise ValueError(f"thresholds.{name} must be a finite number >= 0; got {v}")
    return out


def _table(x: Any, name: str, columns: list[str] | None) -> tuple[np.ndarray, list[str] | None]:
    """Numeric ``(n, d)`` float array and column names (from a DataFrame) of a table."""
    if hasattr(x, "columns") and hasattr(x, "to_numpy"):  # pandas DataFrame, without importing it
        names = [str(c) for c in x.columns]
        if columns is not None:
            missing = [c for c in columns if c not in names]
            if missing:
                raise ValueError(f"{name} lacks the column(s) {missing}; it has {names}")
            x = x[[x.columns[names.index(c)] for c in columns]]
            names = list(columns)
        bad = [str(c) for c, t in zip(x.columns, x.dtypes, strict=True) if t.kind not in "biuf"]
        if bad:
            raise TypeError(
                f"{name} must have numeric columns only; non-numeric: {bad}. "
                "Encode categories as numbers (or drop them) first."
            )
        return x.to_numpy(dtype=np.float64), names
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array; got dtype {arr.dtype}")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{name} must have shape (n, d) with n >= 2; got {np.shape(x)}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; it holds NaN or infinite values")
    return arr.astype(np.float64, copy=False), None


def _require_matplotlib():
    try:
        from matplotlib.figure import Figure
    except ImportError as e:  # pragma: no cover - exercised by a test that hides matplotlib
        raise ImportError(
            "QualityReport plots need matplotlib, an optional dependency: "
            'pip install "jaxgauss[report]" (or pip install matplotlib)'
        ) from e
    return Figure


def _fmt(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "pass" if v else "FAIL"
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return "nan"
        return f"{v:.4g}"
    return str(v)


@dataclasses.dataclass(frozen=True)
class QualityReport:
    """Result of :func:`quality_report`.

    Attributes:
      score: overall quality in ``[0, 1]``.
      column_shapes: mean KS complement over columns.
      column_pair_trends: mean correlation similarity over pairs (NaN for one column).
      columns: per-column rows (dicts): KS statistic and p-value, KS complement, JS divergence,
        range coverage, boundary adherence, real/synthetic mean and std, ``passed``.
      pairs: per-pair rows (dicts): real and synthetic correlation, absolute difference,
        similarity, ``passed``.
      privacy: DCR summary (dict), empty when disabled.
      thresholds: the :class:`Thresholds` used.
      checks: ``{"ks": bool, "correlation": bool, "score": bool}``.
      passed: all checks pass.
      names: column names.
      real_corr, synth_corr: ``(d, d)`` correlation matrices.
      hist_real, hist_synth: ``(d, bins)`` counts on the shared ``hist_edges`` ``(d, bins + 1)``.
    """

    score: float
    column_shapes: float
    column_pair_trends: float
    columns: list[dict[str, Any]]
    pairs: list[dict[str, Any]]
    privacy: dict[str, float]
    thresholds: Thresholds
    checks: dict[str, bool]
    passed: bool
    names: list[str]
    real_corr: np.ndarray = dataclasses.field(repr=False)
    synth_corr: np.ndarray = dataclasses.field(repr=False)
    hist_real: np.ndarray = dataclasses.field(repr=False)
    hist_synth: np.ndarray = dataclasses.field(repr=False)
    hist_edges: np.ndarray = dataclasses.field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python (JSON-serialisable) summary: scores, tables, privacy, checks."""
        return {
            "score": self.score,
            "column_shapes": self.column_shapes,
            "column_pair_trends": self.column_pair_trends,
            "passed": self.passed,
            "checks": dict(self.checks),
            "thresholds": self.thresholds._asdict(),
            "columns": [dict(r) for r in self.columns],
            "pairs": [dict(r) for r in self.pairs],
            "privacy": dict(self.privacy),
        }

    def summary(self) -> str:
        """A few lines for a terminal: score, checks and the worst column and pair."""
        lines = [
            f"Quality score {self.score:.4f} (column shapes {self.column_shapes:.4f}, "
            f"pair trends {_fmt(self.column_pair_trends)}) -> {'PASS' if self.passed else 'FAIL'}",
            "checks: " + ", ".join(f"{k} {_fmt(v)}" for k, v in self.checks.items()),
        ]
        worst = min(self.columns, key=lambda r: r["ks_pvalue"])
        lines.append(
            f"lowest KS p-value: {worst['column']} (D={worst['ks_statistic']:.4g}, "
            f"p={worst['ks_pvalue']:.3g})"
        )
        if self.pairs:
            wp = max(self.pairs, key=lambda r: r["abs_diff"])
            lines.append(
                f"largest correlation gap: {wp['column_a']}~{wp['column_b']} "
                f"({wp['real_corr']:.3f} real vs {wp['synth_corr']:.3f} synthetic)"
            )
        if self.privacy:
            lines.append(
                f"DCR median {self.privacy['dcr_median']:.4g}, exact copies "
                f"{self.privacy['exact_copy_share']:.2%} of "
                f"{int(self.privacy['rows_checked'])} rows"
            )
        return "\n".join(lines)

    def _markdown_table(self, rows: list[dict[str, Any]]) -> str:
        if not rows:
            return "(none)\n"
        keys = list(rows[0])
        out = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
        out += ["| " + " | ".join(_fmt(r[k]) for k in keys) + " |" for r in rows]
        return "\n".join(out) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown: summary, thresholds, column table, pair table, privacy."""
        t = self.thresholds
        parts = [
            "# Synthetic data quality report\n",
            f"**Score: {self.score:.4f}** (column shapes {self.column_shapes:.4f}, column pair "
            f"trends {_fmt(self.column_pair_trends)}) — **{'PASS' if self.passed else 'FAIL'}**\n",
            f"Thresholds: KS p-value >= {t.ks_test_threshold}, |correlation difference| <= "
            f"{t.correlation_tolerance}, score >= {t.min_quality_score}. Checks: "
            + ", ".join(f"{k}: {_fmt(v)}" for k, v in self.checks.items())
            + "\n",
            "## Columns\n",
            self._markdown_table(self.columns),
            "## Column pairs\n",
            self._markdown_table(self.pairs),
        ]
        if self.privacy:
            parts += ["## Privacy (distance to closest record)\n"]
            parts += [f"- {k}: {_fmt(v)}" for k, v in self.privacy.items()]
            parts.append("")
        return "\n".join(parts)

    def plot(self) -> dict[str, Any]:
        """Matplotlib figures: ``"histograms"`` (real vs synthetic per column, overlaid) and
        ``"correlation"`` (heatmaps of the real, synthetic and difference matrices).

        Raises:
          ImportError: if matplotlib is not installed.
        """
        figure = _require_matplotlib()
        d = len(self.names)
        ncols = min(d, 4)
        nrows = math.ceil(d / ncols)
        hist = figure(figsize=(3.2 * ncols, 2.4 * nrows), layout="constrained")
        axes = hist.subplots(nrows, ncols, squeeze=False)
        for j, ax in enumerate(axes.ravel()):
            if j >= d:
                ax.set_visible(False)
                continue
            edges = self.hist_edges[j]
            widths = np.diff(edges)
            for counts, label, colour in (
                (self.hist_real[j], "real", "tab:blue"),
                (self.hist_synth[j], "synthetic", "tab:orange"),
            ):
                density = counts / max(counts.sum(), 1) / widths
                ax.stairs(density, edges, fill=True, alpha=0.45, color=colour, label=label)
            ax.set_title(
                f"{self.names[j]}  (KS D={self.columns[j]['ks_statistic']:.3f})", fontsize=9
            )
            ax.tick_params(labelsize=7)
        axes.ravel()[0].legend(fontsize=7)
        corr = figure(figsize=(12, 4), layout="constrained")
        axs = corr.subplots(1, 3)
        diff = self.synth_corr - self.real_corr
        for ax, mat, title, cmap, lim in (
            (axs[0], self.real_corr, "real", "RdBu_r", 1.0),
            (axs[1], self.synth_corr, "synthetic", "RdBu_r", 1.0),
            (axs[2], diff, "synthetic - real", "PuOr_r", max(float(np.nanmax(np.abs(diff))), 1e-3)),
        ):
            im = ax.imshow(mat, cmap=cmap, vmin=-lim, vmax=lim)
            ax.set_title(f"correlation: {title}", fontsize=10)
            ticks = np.arange(d)
            ax.set_xticks(ticks, self.names, rotation=90, fontsize=7)
            ax.set_yticks(ticks, self.names, fontsize=7)
            corr.colorbar(im, ax=ax, shrink=0.8)
        return {"histograms": hist, "correlation": corr}

    def to_html(self, path: str | os.PathLike[str]) -> str:
        """Writes a self-contained HTML report (tables and embedded PNG plots) atomically.

        The file is written to a temporary file in the same folder and renamed over ``path``,
        so readers never see a half-written report.

        Returns:
          The path written, as a string.

        Raises:
          ImportError: if matplotlib is not installed.
        """
        figures = self.plot()
        images = []
        for name, fig in figures.items():
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=90)
            images.append((name, base64.b64encode(buf.getvalue()).decode("ascii")))

        def table(rows: list[dict[str, Any]]) -> str:
            if not rows:
                return "<p>(none)</p>"
            keys = list(rows[0])
            head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
            body = "".join(
                "<tr>"
                + "".join(
                    f'<td class="{"fail" if r[k] is False else ""}">{html.escape(_fmt(r[k]))}</td>'
                    for k in keys
                )
                + "</tr>"
                for r in rows
            )
            return f"<table><tr>{head}</tr>{body}</table>"

        verdict = "PASS" if self.passed else "FAIL"
        privacy = "".join(
            f"<li>{html.escape(k)}: {html.escape(_fmt(v))}</li>" for k, v in self.privacy.items()
        )
        imgs = "".join(
            f'<h3>{html.escape(n)}</h3><img alt="{html.escape(n)}" src="data:image/png;base64,{b}">'
            for n, b in images
        )
        doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Synthetic data quality report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:3px 6px;text-align:right}}
td.fail{{color:#b00;font-weight:bold}}
img{{max-width:100%}}</style></head><body>
<h1>Synthetic data quality report</h1>
<p><b>Score {self.score:.4f}</b> (column shapes {self.column_shapes:.4f}, column pair trends
{html.escape(_fmt(self.column_pair_trends))}): <b>{verdict}</b></p>
<pre>{html.escape(self.summary())}</pre>
<h2>Columns</h2>{table(self.columns)}
<h2>Column pairs</h2>{table(self.pairs)}
<h2>Privacy</h2><ul>{privacy or "<li>not computed</li>"}</ul>
<h2>Plots</h2>{imgs}
</body></html>
"""
        target = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(target))
        fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html.tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(doc)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return target


def quality_report(
    real: Any,
    synth: Any,
    *,
    thresholds: Thresholds | Mapping[str, float] | None = None,
    holdout: Any = None,
    columns: list[str] | None = None,
    names: list[str] | None = None,
    correlation_method: str = "pearson",
    ks_method: str = "auto",
    bins: int = 50,
    privacy: bool = True,
    max_dcr_rows: int = 10_000,
) -> QualityReport:
    """Scores ``synth`` against ``real``: KS per column, correlations per pair, DCR, pass/fail.

    Args:
      real: ``(n_real, d)`` numeric array or pandas DataFrame (its column names are used).
      synth: ``(n_synth, d)`` array or DataFrame with the same columns (DataFrames are aligned by
        name).
      thresholds: :class:`Thresholds` or a mapping with any of its fields.
      holdout: optional real rows not used for fitting, for the DCR holdout share.
      columns: optional subset/order of DataFrame columns.
      names: column names for array input (default: DataFrame names, else ``x0, x1, ...``).
      correlation_method: ``"pearson"`` or ``"spearman"`` for the pair trends.
      ks_method: p-value method of :func:`jaxgauss.metrics.ks_2samp`.
      bins: histogram cells per column for the JS divergence and the plots.
      privacy: compute the DCR summary.
      max_dcr_rows: at most this many synthetic rows (the first ones) enter the DCR summary.

    Returns:
      :class:`QualityReport`.

    Raises:
      ValueError: on mismatched columns, non-finite data, bad thresholds.
      TypeError: on non-numeric columns.

    Example:
      >>> import numpy as np
      >>> from jaxgauss.metrics import quality_report
      >>> rng = np.random.default_rng(0)
      >>> cov = [[1.0, 0.6], [0.6, 1.0]]
      >>> real = rng.multivariate_normal([0, 0], cov, size=2000)
      >>> synth = rng.multivariate_normal([0, 0], cov, size=2000)
      >>> report = quality_report(real, synth)
      >>> report.score > 0.9
      True
    """
    th = _thresholds(thresholds)
    r, real_names = _table(real, "real", columns)
    s, snames = _table(synth, "synth", columns if columns is not None else real_names)
    _checks.check_same_columns(r, s)
    d = r.shape[1]
    if names is not None:
        if len(names) != d:
            raise ValueError(f"names must have {d} entries (one per column); got {len(names)}")
        names = [str(n) for n in names]
    else:
        names = real_names or snames or [f"x{j}" for j in range(d)]

    ks = _ks.ks_2samp(r, s, method=ks_method)
    js = _dist.js_divergence(r, s, bins=bins)
    cover = _dist.range_coverage(r, s)
    adhere = _dist.boundary_adherence(r, s)
    hr, hs, edges = _dist.histograms(r, s, bins=bins)
    col_rows = []
    for j in range(d):
        col_rows.append(
            {
                "column": names[j],
                "ks_statistic": float(ks.statistic[j]),
                "ks_pvalue": float(ks.pvalue[j]),
                "ks_complement": float(1.0 - ks.statistic[j]),
                "js_divergence": float(js[j]),
                "range_coverage": float(cover[j]),
                "boundary_adherence": float(adhere[j]),
                "real_mean": float(r[:, j].mean()),
                "synth_mean": float(s[:, j].mean()),
                "real_std": float(r[:, j].std(ddof=1)),
                "synth_std": float(s[:, j].std(ddof=1)),
                "passed": bool(ks.pvalue[j] >= th.ks_test_threshold),
            }
        )
    rc = np.asarray(_corr.correlation_matrix(r, method=correlation_method))
    sc = np.asarray(_corr.correlation_matrix(s, method=correlation_method))
    pair_rows = []
    for i in range(d):
        for j in range(i + 1, d):
            diff = abs(sc[i, j] - rc[i, j])
            pair_rows.append(
                {
                    "column_a": names[i],
                    "column_b": names[j],
                    "real_corr": float(rc[i, j]),
                    "synth_corr": float(sc[i, j]),
                    "abs_diff": float(diff),
                    "similarity": float(1.0 - diff / 2.0),
                    "passed": bool(diff <= th.correlation_tolerance),
                }
            )
    shapes = float(np.mean([row["ks_complement"] for row in col_rows]))
    sims = [row["similarity"] for row in pair_rows if not math.isnan(row["similarity"])]
    trends = float(np.mean(sims)) if sims else float("nan")
    score = shapes if math.isnan(trends) else (shapes + trends) / 2.0

    priv: dict[str, float] = {}
    if privacy:
        from jaxgauss.privacy.dcr import dcr, dcr_holdout_share

        rows = s[:max_dcr_rows]
        dist = dcr(r, rows)
        priv = {
            "rows_checked": float(rows.shape[0]),
            "dcr_median": float(np.median(dist)),
            "dcr_p05": float(np.quantile(dist, 0.05)),
            "dcr_min": float(dist.min()),
            "exact_copy_share": float(np.mean(dist == 0.0)),
        }
        if holdout is not None:
            h, _ = _table(holdout, "holdout", columns if columns is not None else real_names)
            if h.shape[1] != d:
                raise ValueError(f"holdout must have {d} columns; got {h.shape[1]}")
            priv["holdout_share"] = dcr_holdout_share(r, h, rows)

    checks = {
        "ks": all(row["passed"] for row in col_rows),
        "correlation": all(row["passed"] for row in pair_rows),
        "score": bool(score >= th.min_quality_score),
    }
    return QualityReport(
        score=float(score),
        column_shapes=shapes,
        column_pair_trends=trends,
        columns=col_rows,
        pairs=pair_rows,
        privacy=priv,
        thresholds=th,
        checks=checks,
        passed=all(checks.values()),
        names=list(names),
        real_corr=rc,
        synth_corr=sc,
        hist_real=hr,
        hist_synth=hs,
        hist_edges=edges,
    )
