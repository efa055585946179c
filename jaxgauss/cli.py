"""The ``jaxgauss`` command line.

Errors are printed as one line on stderr with exit code 2 (a traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]


class CLIError(Exception):
    """A user-facing error: printed on one line, exit code 2."""


def _enable_compilation_cache() -> None:
    """JAX's persistent compilation cache removes the 1–2 s compile per shape across runs."""
    import jax

    cache = os.environ.get("JAXGAUSS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "jaxgauss", "xla"
    )
    try:
        os.makedirs(cache, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", cache)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)
    except OSError:  # read-only home: run without the cache
        pass


def _format_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in header]] + [
        [f"{v:.4g}" if isinstance(v, float) else str(v) for v in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _demo(args: argparse.Namespace) -> int:
    import jax
    import numpy as np

    import jaxgauss as jg

    table = jg.datasets.load_wine()
    real = table.data
    print(f"Bundled table: UCI Wine, {real.shape[0]} rows x {real.shape[1]} columns")
    # The columns have very different units (proline ~ 1e3, hue ~ 1): shrink the correlation,
    # which keeps every variance, rather than pulling all variances towards their mean.
    est = jg.estimate_covariance(real, shrinkage="ledoit_wolf", standardize=True)
    params = jg.gaussian(est.mean, est.covariance)
    print(
        "Fitted a Gaussian with Ledoit-Wolf shrinkage of the correlation "
        f"(intensity {float(est.shrinkage):.4f})"
    )
    synth = np.asarray(jg.sample(jax.random.key(args.seed), params, args.n))
    print(f"Sampled {synth.shape[0]:,} rows from key {args.seed}\n")
    rows = [
        (name, float(r_m), float(s_m), float(r_s), float(s_s))
        for name, r_m, s_m, r_s, s_s in zip(
            table.feature_names, real.mean(0), synth.mean(0), real.std(0), synth.std(0), strict=True
        )
    ]
    print(_format_table(("column", "real mean", "synth mean", "real std", "synth std"), rows))
    diff = np.abs(np.corrcoef(real.T) - np.corrcoef(synth.T))
    i, j = np.unravel_index(np.argmax(diff), diff.shape)
    print(
        f"\nLargest absolute correlation difference: {diff[i, j]:.4f} "
        f"({table.feature_names[i]} x {table.feature_names[j]})"
    )
    _demo_mixture(args, real)
    _demo_copula(args, table)
    return 0


def _demo_mixture(args: argparse.Namespace, real: Any) -> None:
    """Part 2 of the demo: a Gaussian mixture with K chosen by BIC."""
    import jax

    import jaxgauss as jg

    ks = range(1, args.max_components + 1)
    # Standardize so that reg_covar means the same for every column; BIC ranks K the same way.
    z = (real - real.mean(0)) / real.std(0)
    sel = jg.select_gmm(
        jax.random.key(args.seed), z, n_components=ks, covariance_types=("diag",), n_init=2
    )
    t = sel.table
    rows = [
        (int(k), float(b), float(ll))
        for k, b, ll in zip(t["n_components"], t["bic"], t["log_likelihood"], strict=True)
    ]
    best = (int(sel.best.params.weights.shape[0]),)
    print(f"\nGaussian mixtures (diagonal covariances) on the standardized table, K = 1..{ks[-1]}:")
    print(_format_table(("K", "BIC", "mean log-lik"), rows))
    print(f"BIC picks K = {best[0]} (the table has 3 cultivars)")


def _demo_copula(args: argparse.Namespace, table: Any) -> None:
    """Part 3 of the demo: the copula Synthesizer with rules, and its quality report."""
    import tempfile

    import pandas as pd

    import jaxgauss as jg

    frame = pd.DataFrame(table.data, columns=table.feature_names)
    frame["magnesium"] = frame["magnesium"].astype("int64")
    frame["proline"] = frame["proline"].astype("int64")
    rules = ["alcohol >= 12", "color_intensity <= 2 * alcohol - 16"]
    syn = jg.Synthesizer(
        "copula", constraints=rules, marginals=args.marginals, random_seed=args.seed
    ).fit(frame)
    n = min(args.n, 5000)
    synth = syn.sample(n)
    print(
        f"\nGaussian copula (marginals: {', '.join(sorted(set(syn.params_.families)))}) with rules "
        f"{rules}: {n:,} rows, all satisfying them"
    )
    report = syn.validate(frame, synth)
    print(report.summary())
    out = args.out or tempfile.mkdtemp(prefix="jaxgauss-demo-")
    html = _write_report(report, out)
    print(f"Quality report: {html}")


def _read_table(path: str) -> Any:
    """A DataFrame from CSV/Parquet, or an ndarray from ``.npy``."""
    suffix = os.path.splitext(path)[1].lower()
    if not os.path.exists(path):
        raise CLIError(f"data file {path!r} does not exist")
    if suffix == ".npy":
        import numpy as np

        return np.load(path, allow_pickle=False)
    if suffix in (".csv", ".parquet", ".pq"):
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - pandas is in the tables extra
            raise CLIError(
                "reading CSV/Parquet needs pandas: pip install 'jaxgauss[tables]'"
            ) from e
        return pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    raise CLIError(f"data file must end in .csv, .parquet or .npy; got {path!r}")


def _fit(args: argparse.Namespace) -> int:
    import jaxgauss as jg

    data = _read_table(args.data)
    if args.config is not None:
        syn = jg.Synthesizer.from_config(args.config)
        if args.model is not None:
            syn.model = args.model
    else:
        syn = jg.Synthesizer(args.model or "auto")
    syn.fit(data)
    path = syn.save(args.out)
    rows = [
        (r["model"], r["n_components"], float(r["bic"]), "-" if r["score"] is None else r["score"])
        for r in syn.selection_
    ]
    print(
        f"Fitted {syn.model_!r} to {args.data} ({len(data)} rows, {len(syn.schema_.columns)} columns)"
    )
    print(_format_table(("model", "K", "BIC", "quality"), rows))
    print(f"Saved the model to {path}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    import jaxgauss as jg

    syn = jg.Synthesizer.load(args.model)
    path = syn.sample_to(
        args.out,
        args.n,
        batch_size=args.batch_size,
        format=args.format,
        seed=args.seed,
        progress=False if args.quiet else None,
        resume=args.resume,
    )
    if not args.quiet:
        n = args.n if args.n is not None else syn.options["n_samples"]
        print(f"Wrote {n:,} rows to {path}")
    return 0


def _write_report(report: Any, out: str) -> str:
    """HTML report plus one PNG per figure in folder ``out``; returns the HTML path.

    The PNGs are the images embedded in the HTML (decoded, not rendered a second time).
    """
    import base64
    import re

    os.makedirs(out, exist_ok=True)
    html = report.to_html(os.path.join(out, "report.html"))
    with open(html, encoding="utf-8") as f:
        images = re.findall(r'alt="([\w-]+)" src="data:image/png;base64,([^"]+)"', f.read())
    if not images:  # another HTML layout: render the figures again
        for name, fig in report.plot().items():
            fig.savefig(os.path.join(out, f"{name}.png"), dpi=90)
    for name, data in images:
        with open(os.path.join(out, f"{name}.png"), "wb") as f:
            f.write(base64.b64decode(data))
    return html


def _report(args: argparse.Namespace) -> int:
    import numpy as np

    from jaxgauss import metrics, tables

    real, synth = _read_table(args.real), _read_table(args.synth)
    if isinstance(real, np.ndarray) != isinstance(synth, np.ndarray):
        raise CLIError("REAL and SYNTH must both be tables (CSV/Parquet) or both .npy arrays")
    schema = tables.infer_schema(real)
    r, s = tables.to_numbers(schema, real), tables.to_numbers(schema, synth)
    if schema.frame:
        import pandas as pd

        r = pd.DataFrame(r, columns=list(schema.names))
        s = pd.DataFrame(s, columns=list(schema.names))
    report = metrics.quality_report(r, s)
    html = _write_report(report, args.out)
    print(report.summary())
    print(f"Wrote {html} and the plots (histograms.png, correlation.png) to {args.out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jaxgauss", description="Gaussian synthetic data in JAX.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    fit = sub.add_parser("fit", help="fit a synthesizer to a table and save it")
    fit.add_argument("data", help="the table: .csv, .parquet or .npy")
    fit.add_argument("--config", help="YAML config (generator/sampling/validation sections)")
    fit.add_argument(
        "--model",
        choices=("auto", "gaussian", "gmm", "copula"),
        help="model (overrides generator.type; default auto)",
    )
    fit.add_argument("--out", required=True, help="where to save the fitted model (.npz)")
    fit.set_defaults(func=_fit)

    sample = sub.add_parser("sample", help="stream synthetic rows from a saved model to a file")
    sample.add_argument("model", help="a model saved by 'jaxgauss fit'")
    sample.add_argument("-n", type=int, help="rows (default: sampling.n_samples of the config)")
    sample.add_argument("--out", required=True, help="output file: .npy, .csv or .parquet")
    sample.add_argument("--seed", type=int, help="PRNG seed (default: generator.random_seed)")
    sample.add_argument("--batch-size", type=int, help="rows per batch (does not change the rows)")
    sample.add_argument("--format", choices=("npy", "csv", "parquet"), help="default: the suffix")
    sample.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    sample.add_argument("--resume", action="store_true", help="continue an interrupted .npy run")
    sample.set_defaults(func=_sample)

    report = sub.add_parser(
        "report", help="quality report of a synthetic table against the real one"
    )
    report.add_argument("real", help="real table: .csv, .parquet or .npy")
    report.add_argument("synth", help="synthetic table, same columns")
    report.add_argument("--out", required=True, help="output folder (HTML report and plots)")
    report.set_defaults(func=_report)

    demo = sub.add_parser("demo", help="fit the bundled wine table and compare a synthetic sample")
    demo.add_argument("-n", type=int, default=100_000, help="rows to sample (default 100000)")
    demo.add_argument("--seed", type=int, default=0, help="PRNG seed (default 0)")
    demo.add_argument(
        "--max-components", type=int, default=4, help="largest K tried for the mixture (default 4)"
    )
    demo.add_argument(
        "--marginals",
        default="auto",
        choices=("auto", "norm", "lognorm", "gamma", "beta", "truncnorm", "uniform", "empirical"),
        help="copula marginals (default auto: per column by KS)",
    )
    demo.add_argument("--out", help="folder for the HTML report and plots (default: a temp folder)")
    demo.set_defaults(func=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jaxgauss`` console script."""
    args = _parser().parse_args(argv)
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        _enable_compilation_cache()
        return args.func(args)
    except (CLIError, ValueError, TypeError, OSError, ImportError) as e:
        if args.debug:
            raise
        print(f"jaxgauss: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
