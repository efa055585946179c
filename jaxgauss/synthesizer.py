"""``jg.Synthesizer``: a table in, a synthetic table out, reproducibly.

The synthesizer encodes the table (:mod:`jaxgauss.tables`: one-hot categories, integers,
booleans), dequantizes its discrete columns (uniform noise that decoding removes), fits a model
to the encoded matrix, and samples through ``jg.sample``. Decoding, clipping, rounding and rule
checks are **row-wise**, and rows rejected by a rule are redrawn row by row (attempt ``j`` of row
``i`` is row ``i`` of the stream of ``fold_in(key, j)``), so row ``i`` of the output depends only
on the key, the model and ``i``: any batch size, and :meth:`Synthesizer.sample_to`, give the same
rows.

Model choice with ``model="auto"``: three candidates are fitted to the (dequantized, encoded)
training table ``x`` (``n`` rows, ``d`` encoded columns): a single Gaussian (shrinkage), a
Gaussian mixture (``K`` by BIC up to ``max_components`` when ``n_components="auto"``) and a
Gaussian copula. Each gets

* its BIC on ``x``, ``-2 sum_i log p(x_i) + p log n`` with ``p`` free parameters (Gaussian
  ``d + d(d+1)/2``; mixture as :func:`jaxgauss.n_parameters`; copula ``d(d-1)/2`` plus 2 per
  norm/lognorm/gamma/uniform marginal, 4 per beta/truncnorm and one per knot of an empirical
  one), and
* its validation score: ``quality_report(train, synth).score`` for ``n`` synthetic rows drawn
  with the ``random_seed`` (:mod:`jaxgauss.metrics`, no privacy part).

The winner is the candidate with the lowest BIC among those whose score is at least the best
score minus :data:`AUTO_SCORE_TOLERANCE` (0.02): BIC decides unless a model reproduces the table
clearly worse. A candidate whose fit raises ``ValueError`` drops out. Every candidate's figures are kept in ``selection_`` (the chosen one first).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from jaxgauss import _checks, config, dispatch, persistence, tables, writers
from jaxgauss.estimation import estimate_covariance
from jaxgauss.gaussian import gaussian

__all__ = ["AUTO_SCORE_TOLERANCE", "Synthesizer", "TableModel"]

#: ``model="auto"``: candidates whose quality score is this close to the best one compete by BIC.
AUTO_SCORE_TOLERANCE = 0.02


# ---------------------------------------------------------------------------------------------
# A model plus its row-wise post-processing, as one params type of jg.sample.


@dataclasses.dataclass(frozen=True)
class _Post:
    """Static (hashable) description of the row-wise post-processing."""

    schema: tables.TableSchema
    clip: tuple[tuple[int, float, float], ...]  # (column, low, high)
    round: tuple[int, ...]
    rules: tuple[str, ...]
    fixed: tuple[int, ...]  # encoded columns fixed by conditioning, re-inserted after sampling
    max_attempts: int


@functools.partial(
    jax.tree_util.register_dataclass, data_fields=["model", "fixed"], meta_fields=["post"]
)
@dataclasses.dataclass(frozen=True)
class TableModel:
    """Params type for ``jg.sample``: a model's samples, decoded and post-processed row by row.

    ``jg.sample(key, TableModel(...), n)`` gives ``(n, n_columns)`` numbers in the table's column
    order: floats, integers, 0/1 for booleans and codes for categories (indices into the
    column's categories). :meth:`Synthesizer.table_model` builds one.
    """

    model: Any
    fixed: jax.Array  # (len(post.fixed),) values of the conditioned encoded columns
    post: _Post


def _candidates(tm: TableModel, key: jax.Array, n: int, first_block, within):
    post = tm.post
    z = dispatch._model(tm.model).sample(key, tm.model, n, first_block, within)
    if post.fixed:
        z = _insert(z, post.fixed, tm.fixed, post.schema.n_encoded)
    m = tables.decode(post.schema, z)
    for j, lo, hi in post.clip:
        m = m.at[:, j].set(jnp.clip(m[:, j], lo, hi))
    for j in post.round:
        m = m.at[:, j].set(jnp.round(m[:, j]))
    ok = jnp.ones((n,), bool)
    cols = [m[:, j] for j in range(m.shape[1])]
    for rule in post.rules:
        ok = ok & tables.compile_rule(rule, post.schema)(cols)
    return m, ok


def _insert(z: jax.Array, index: tuple[int, ...], values: jax.Array, width: int) -> jax.Array:
    """Re-inserts fixed encoded columns (conditioning) among the model's free columns."""
    at = {j: i for i, j in enumerate(index)}
    free = iter(range(z.shape[1]))
    cols = [
        jnp.full((z.shape[0],), values[at[j]], z.dtype) if j in at else z[:, next(free)]
        for j in range(width)
    ]
    return jnp.stack(cols, axis=1)


@functools.partial(jax.jit, static_argnames=("n",))
def _table_rows(key, tm: TableModel, first_block, within, *, n: int):
    rows, ok = _candidates(tm, key, n, first_block, within)
    first_ok = jnp.sum(ok)
    if not tm.post.rules:
        return rows, jnp.zeros((), jnp.int32), first_ok

    def cond(state):
        j, _, accepted = state
        return (j < tm.post.max_attempts) & ~jnp.all(accepted)

    def body(state):
        j, rows, accepted = state
        cand, ok = _candidates(tm, jax.random.fold_in(key, j), n, first_block, within)
        take = ~accepted & ok
        return j + 1, jnp.where(take[:, None], cand, rows), accepted | ok

    _, rows, accepted = jax.lax.while_loop(cond, body, (jnp.asarray(1, jnp.uint32), rows, ok))
    rows = jnp.where(accepted[:, None], rows, jnp.nan)
    return rows, jnp.sum(~accepted).astype(jnp.int32), first_ok


def _sample_table(key, tm: TableModel, n: int, first_block, within) -> jax.Array:
    rows, n_failed, first_ok = _table_rows(key, tm, first_block, within, n=n)
    if _checks.is_concrete(n_failed) and int(n_failed) > 0:
        rate = float(first_ok) / n
        raise ValueError(
            f"constraints: {int(n_failed)} of {n} rows found no draw satisfying the rules "
            f"{list(tm.post.rules)} in max_attempts={tm.post.max_attempts} attempts; the model's "
            f"rows pass the rules at a rate of about {rate:.3%}. Relax the rules, raise "
            "max_attempts, or fit a model closer to the constrained data."
        )
    return rows


def _from_constraints(
    c: Any, schema: tables.TableSchema
) -> tuple[list[str], dict[str, tuple[float | None, float | None]], list[str]]:
    """``jg.Constraints`` as Synthesizer post-processing: ``(rules, clip_ranges, round_columns)``.

    Bounds become range rules (rows are redrawn) or, for the columns in ``clip``, clip ranges;
    ``integers`` become rounded columns; rules are kept (written with the table's names, or
    ``x0, x1, ...`` for an ndarray table).
    """
    names = schema.names

    def name_of(col: Any) -> str:
        if isinstance(col, int | np.integer) and not isinstance(col, bool):
            if not 0 <= int(col) < len(names):
                raise ValueError(f"constraints: column index {col} is out of range")
            return names[int(col)]
        return schema.column(str(col), "constraints").name

    clipped = {name_of(col) for col in c.clip}
    rules: list[str] = []
    clip: dict[str, tuple[float | None, float | None]] = {}
    for col, (lo, hi) in c.bounds.items():
        name = name_of(col)
        if name in clipped:
            clip[name] = (lo, hi)
            continue
        if lo is not None:
            rules.append(f"`{name}` >= {float(lo)!r}")
        if hi is not None:
            rules.append(f"`{name}` <= {float(hi)!r}")
    return rules + list(c.rules), clip, [name_of(col) for col in c.integers]


def _log_prob_table(tm: TableModel, x: Any) -> jax.Array:
    raise TypeError("log_prob is not defined for a TableModel (its rows are post-processed)")


dispatch.register(TableModel, sample=_sample_table, log_prob=_log_prob_table)


# ---------------------------------------------------------------------------------------------
# Model fitting.


def _gaussian_bic(params: Any, x: jax.Array) -> float:
    n, d = x.shape
    loglik = float(jnp.sum(dispatch.log_prob(params, x)))
    return -2.0 * loglik + (d + d * (d + 1) / 2) * math.log(n)


def _fit_gaussian(x: jax.Array, opts: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    est = estimate_covariance(x, shrinkage=opts["shrinkage"], standardize=True)
    params = gaussian(est.mean, est.covariance, reg=max(opts["regularization"], 1e-12))
    return params, {"model": "gaussian", "n_components": 1, "bic": _gaussian_bic(params, x)}


def _fit_gmm(key: jax.Array, x: jax.Array, opts: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    from jaxgauss import em, mixture, selection

    if opts["n_components"] == "auto":
        sel = selection.select_gmm(
            key,
            x,
            n_components=range(1, min(opts["max_components"], x.shape[0]) + 1),
            covariance_types=(opts["covariance_type"],),
            max_iter=opts["max_iter"],
            reg_covar=opts["regularization"],
            n_init=opts["n_init"],
        )
        params = sel.best.params
    else:
        params = em.fit_gmm(
            key,
            x,
            int(opts["n_components"]),
            covariance_type=opts["covariance_type"],
            max_iter=opts["max_iter"],
            reg_covar=opts["regularization"],
            n_init=opts["n_init"],
        ).params
    b = float(mixture.bic(params, x))
    return params, {"model": "gmm", "n_components": int(params.weights.shape[0]), "bic": b}


#: Free parameters of each copula marginal family (``empirical``: one per knot).
_FAMILY_PARAMETERS = {"norm": 2, "lognorm": 2, "gamma": 2, "beta": 4, "truncnorm": 4, "uniform": 2}


def _fit_copula(x: jax.Array, opts: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    from jaxgauss import copula

    # Discrete columns are already dequantized (and decoded after sampling): no integer handling.
    params = copula.fit_copula(x, marginals=opts["marginals"], integers=None)
    n, d = x.shape
    p = d * (d - 1) / 2 + sum(
        _FAMILY_PARAMETERS.get(f, int(params.knots.shape[1])) for f in params.families
    )
    loglik = float(jnp.sum(dispatch.log_prob(params, x)))
    return params, {"model": "copula", "n_components": 1, "bic": -2.0 * loglik + p * math.log(n)}


def _available_models() -> tuple[str, ...]:
    return ("gaussian", "gmm", "copula")


def _quality(
    schema: tables.TableSchema, real: Any, synth: Any, opts: Mapping[str, Any], **kw: Any
) -> Any:
    from jaxgauss import metrics

    thresholds = {
        "ks_test_threshold": opts["ks_test_threshold"],
        "correlation_tolerance": opts["correlation_tolerance"],
    }
    if opts["min_quality_score"] is not None:
        thresholds["min_quality_score"] = opts["min_quality_score"]
    r, s = tables.to_numbers(schema, real), tables.to_numbers(schema, synth)
    if schema.frame:
        import pandas as pd

        r = pd.DataFrame(r, columns=list(schema.names))
        s = pd.DataFrame(s, columns=list(schema.names))
    return metrics.quality_report(r, s, thresholds=thresholds, **kw)


# ---------------------------------------------------------------------------------------------
# The front door.


class Synthesizer:
    """Fits a Gaussian model to a table and samples synthetic tables like it.

    Args:
      model: ``"auto"``, ``"gaussian"`` (one Gaussian with shrinkage), ``"gmm"`` (a Gaussian
        mixture, ``K`` by BIC when ``n_components="auto"``) or ``"copula"``.
      **options: see :mod:`jaxgauss.config` (``n_components``, ``max_components``,
        ``covariance_type``, ``n_init``, ``max_iter``, ``regularization``, ``shrinkage``,
        ``random_seed``, ``n_samples``, ``batch_size``, ``clip_ranges``, ``round_columns``,
        ``constraints``, ``ks_test_threshold``, ``correlation_tolerance``,
        ``min_quality_score``, ``max_attempts``).

    Attributes (after :meth:`fit`):
      model_: the fitted model's name (``"gaussian"``, ``"gmm"``, ...).
      params_: its parameter pytree (``GaussianParams``, ``GMMParams``, ...) over the encoded
        columns.
      schema_: the table's :class:`~jaxgauss.tables.TableSchema`.
      selection_: one dict per candidate model tried (``model``, ``n_components``, ``bic``,
        ``score``), the chosen one first.

    Example:
      >>> import jaxgauss as jg
      >>> wine = jg.datasets.load_wine()
      >>> syn = jg.Synthesizer("gaussian").fit(wine.data)
      >>> syn.sample(3, seed=0).shape
      (3, 13)
    """

    def __init__(self, model: str = "auto", **options: Any) -> None:
        if model not in config.MODELS:
            raise ValueError(f"model must be one of {sorted(config.MODELS)}; got {model!r}")
        self.model = config.MODELS[model]
        self.options = config.check_options(options)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def from_config(cls, path_or_dict: Any) -> Synthesizer:
        """A synthesizer from a YAML file or a nested dict (see :mod:`jaxgauss.config`).

        Raises:
          ValueError: unknown keys or wrong values, naming the key path.
        """
        model, options = config.options_from_config(config.load_config(path_or_dict))
        out = cls.__new__(cls)
        out.model = model
        out.options = options
        return out

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.options.items() if v != config.DEFAULTS[k]}
        args = ", ".join([repr(self.model)] + [f"{k}={v!r}" for k, v in changed.items()])
        return f"Synthesizer({args})"

    # -- fitting -------------------------------------------------------------------------------
    def fit(self, data: Any) -> Synthesizer:
        """Fits the model to a ``DataFrame`` or a 2-D numeric array; returns ``self``.

        Raises:
          TypeError / ValueError: unsupported columns, missing values, post-processing options
            naming unknown columns, or a model that cannot be fitted.
        """
        opts = self.options
        schema = tables.infer_schema(data)
        self._check_post_options(schema)
        dtype = np.dtype(jnp.result_type(float))
        key = jax.random.key(opts["random_seed"])
        enc = tables.encode(schema, data, dtype)
        x = jnp.asarray(tables.dequantize(schema, jax.random.fold_in(key, 0), enc))
        model_key = jax.random.fold_in(key, 1)
        kinds = [self.model] if self.model != "auto" else list(_available_models())
        fitted = []
        failures = []
        for kind in kinds:
            try:
                if kind == "gaussian":
                    params, row = _fit_gaussian(x, opts)
                elif kind == "gmm":
                    params, row = _fit_gmm(model_key, x, opts)
                else:
                    params, row = _fit_copula(x, opts)
            except ValueError as e:
                if self.model != "auto":
                    raise
                failures.append(f"{kind}: {e}")  # auto: a candidate that cannot fit drops out
                continue
            fitted.append((params, row))
        if not fitted:
            raise ValueError(
                "model='auto': no candidate model could be fitted (" + "; ".join(failures) + ")"
            )
        self.schema_ = schema
        if len(fitted) > 1:
            for params, row in fitted:
                self.params_, self.model_ = params, row["model"]
                synth = self.sample(int(np.shape(data)[0]), seed=opts["random_seed"])
                row["score"] = _quality(schema, data, synth, opts, privacy=False).score
            scores = [r["score"] for _, r in fitted if r["score"] is not None]
            best_score = max(scores) if scores else None
            eligible = [
                (p, r)
                for p, r in fitted
                if best_score is None or r["score"] >= best_score - AUTO_SCORE_TOLERANCE
            ]
            chosen = min(eligible, key=lambda pr: pr[1]["bic"])
        else:
            fitted[0][1]["score"] = None
            chosen = fitted[0]
        self.params_, self.model_ = chosen[0], chosen[1]["model"]
        self.selection_ = [chosen[1]] + [r for p, r in fitted if p is not chosen[0]]
        return self

    def _check_post_options(self, schema: tables.TableSchema) -> None:
        opts = self.options
        numeric = ("float", "int")
        for name in opts["clip_ranges"]:
            spec = schema.column(name, "clip_ranges")
            if spec.kind not in numeric:
                raise ValueError(f"clip_ranges: column {name!r} is {spec.kind}, not numeric")
        for name in opts["round_columns"]:
            spec = schema.column(name, "round_columns")
            if spec.kind not in numeric:
                raise ValueError(f"round_columns: column {name!r} is {spec.kind}, not numeric")
        for i, rule in enumerate(opts["constraints"]):
            tables.compile_rule(rule, schema, f"constraints[{i}]")

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise ValueError("this Synthesizer is not fitted yet: call fit(data) or load(path)")

    # -- sampling ------------------------------------------------------------------------------
    def table_model(self, *, conditions: Any = None, constraints: Any = None) -> TableModel:
        """The fitted model plus its row-wise post-processing as a ``jg.sample`` params type.

        Args:
          conditions: ``{column: value}`` to fix: continuous columns by the exact conditional
            distribution of the model (:func:`jaxgauss.condition`), categorical, boolean and
            integer columns by redrawing rows until they match.
          constraints: extra rules (a string or a list of strings, see
            :func:`jaxgauss.tables.compile_rule`) or a :class:`jaxgauss.Constraints` (bounds as
            redrawn ranges or, for its ``clip`` columns, clipping; ``integers`` rounded), on top
            of the configured post-processing.
        """
        self._check_fitted()
        schema, opts = self.schema_, self.options
        index = {c.name: j for j, c in enumerate(schema.columns)}
        rules = list(opts["constraints"])
        clip_ranges = dict(opts["clip_ranges"])
        round_columns = list(opts["round_columns"])
        if constraints is not None:
            from jaxgauss.constraints import Constraints

            if isinstance(constraints, Constraints):
                extra, more_clip, more_round = _from_constraints(constraints, schema)
                clip_ranges.update(more_clip)
                round_columns += [c for c in more_round if c not in round_columns]
            else:
                extra = [constraints] if isinstance(constraints, str) else constraints
            if not isinstance(extra, list | tuple) or not all(isinstance(r, str) for r in extra):
                raise TypeError(
                    "constraints must be a rule string, a list of them or a jg.Constraints; "
                    f"got {constraints!r}"
                )
            for i, rule in enumerate(extra):
                tables.compile_rule(rule, schema, f"constraints[{i}]")
            rules += list(extra)
        given: dict[int, float] = {}
        if conditions is not None:
            if not isinstance(conditions, Mapping):
                raise TypeError(
                    f"conditions must be a mapping column -> value; got {type(conditions).__name__}"
                )
            for name, value in conditions.items():
                spec = schema.column(name, "conditions")
                encoded = tables.encoded_value(spec, value, "conditions")
                if spec.kind == "float":
                    given[spec.start] = encoded[0]  # exact conditional of the model
                else:  # discrete: redraw rows until the decoded value matches
                    literal = repr(value) if spec.kind == "category" else repr(float(value))
                    rules.append(f"`{name}` == {literal}")
        model = self.params_
        if given:
            from jaxgauss import conditional

            model = conditional.condition(model, given)
        clip = tuple(
            (
                index[name],
                -math.inf if lo is None else float(lo),
                math.inf if hi is None else float(hi),
            )
            for name, (lo, hi) in clip_ranges.items()
        )
        post = _Post(
            schema,
            clip,
            tuple(index[name] for name in round_columns),
            tuple(rules),
            tuple(sorted(given)),
            opts["max_attempts"],
        )
        dtype = jnp.result_type(*jax.tree.leaves(self.params_))
        fixed = jnp.asarray([given[j] for j in sorted(given)], dtype).reshape(len(given))
        return TableModel(model, fixed, post)

    def _key(self, seed: Any, key: Any) -> jax.Array:
        if seed is not None and key is not None:
            raise TypeError("pass either seed or key, not both")
        if key is not None:
            return _checks.check_key(key)
        if seed is None:
            seed = self.options["random_seed"]
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise TypeError(f"seed must be a non-negative integer; got {seed!r}")
        return jax.random.key(int(seed))

    def sample(
        self,
        n: int,
        *,
        seed: int | None = None,
        key: Any = None,
        conditions: Mapping[str, Any] | None = None,
        constraints: str | Sequence[str] | None = None,
    ) -> Any:
        """``n`` synthetic rows: a ``DataFrame`` (or ndarray, if fitted on one) like the data.

        Args:
          n: number of rows.
          seed: integer seed (default: the ``random_seed`` option); or pass ``key``.
          key: a JAX PRNG key.
          conditions: ``{column: value}``; see :meth:`table_model`.
          constraints: rules every row must satisfy (on top of the configured ones).

        Row ``i`` depends only on the key, the fitted model and ``i``.
        """
        n = _checks.check_positive_int(n, "n")
        tm = self.table_model(conditions=conditions, constraints=constraints)
        rows = dispatch.sample(self._key(seed, key), tm, n)
        return tables.to_table(self.schema_, np.asarray(rows))

    def sample_to(
        self,
        path: str | os.PathLike[str],
        n: int | None = None,
        *,
        batch_size: int | None = None,
        format: str | None = None,
        seed: int | None = None,
        key: Any = None,
        progress: bool | None = None,
        resume: bool = False,
        conditions: Mapping[str, Any] | None = None,
        constraints: str | Sequence[str] | None = None,
    ) -> Path:
        """Streams ``n`` rows to ``.npy``/CSV/Parquet through :func:`jaxgauss.sample_to`.

        The rows are those of :meth:`sample` with the same seed, for any ``batch_size``. CSV
        and Parquet files of a model fitted on a ``DataFrame`` hold the table as
        :meth:`sample` returns it (category labels, booleans, integer and float dtypes);
        ``.npy`` files, and models fitted on arrays, hold the numbers of the
        :class:`TableModel` rows (category codes index ``schema_.column(name).categories``,
        booleans are 0/1).

        Args:
          path: target file (written atomically).
          n: rows (default: the ``n_samples`` option).
          batch_size: rows per batch (default: the ``batch_size`` option).
          format: ``"npy"``, ``"csv"`` or ``"parquet"`` (default: from the suffix).
          seed, key: as in :meth:`sample`.
          progress: tqdm progress bar (default: when stderr is a terminal).
          resume: continue an interrupted ``.npy`` run exactly.
          conditions, constraints: as in :meth:`sample`.
        """
        if n is None:
            n = self.options["n_samples"]
            if n is None:
                raise ValueError("n is required (or set the n_samples option / sampling.n_samples)")
        tm = self.table_model(conditions=conditions, constraints=constraints)
        labelled = self.schema_.frame and writers.file_format(path, format) != "npy"
        return writers.sample_to(
            self._key(seed, key),
            tm,
            n,
            path,
            batch_size=self.options["batch_size"] if batch_size is None else batch_size,
            format=format,
            columns=list(self.schema_.names),
            progress=progress,
            resume=resume,
            to_table=functools.partial(tables.to_table, self.schema_) if labelled else None,
        )

    # -- validation ----------------------------------------------------------------------------
    def validate(self, real: Any, synth: Any, **kwargs: Any) -> Any:
        """A :class:`jaxgauss.metrics.QualityReport` comparing ``synth`` with ``real``.

        Both tables must have the fitted columns. Categories enter as their codes and booleans
        as 0/1; the thresholds are the ``ks_test_threshold``, ``correlation_tolerance`` and
        ``min_quality_score`` options. ``kwargs`` go to :func:`jaxgauss.metrics.quality_report`
        (e.g. ``holdout``, ``privacy``).
        """
        self._check_fitted()
        return _quality(self.schema_, real, synth, self.options, **kwargs)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Saves the fitted synthesizer (npz arrays + JSON metadata, atomic, no pickle)."""
        self._check_fitted()
        arrays: list[np.ndarray] = []
        meta = {
            "kind": "Synthesizer",
            "model": self.model,
            "model_": self.model_,
            "options": {
                k: (list(map(list, v.items())) if k == "clip_ranges" else v)
                for k, v in self.options.items()
            },
            "schema": self.schema_.to_json(),
            "selection": self.selection_,
            "params": persistence.tree_to_json(self.params_, arrays),
        }
        return persistence.save_arrays(path, meta, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Synthesizer:
        """Loads a synthesizer saved by :meth:`save`; sampling gives the same rows.

        Raises:
          ValueError: a truncated, corrupt or foreign file.
        """
        meta, arrays = persistence.load_arrays(path, "Synthesizer")
        try:
            options = dict(meta["options"])
            options["clip_ranges"] = {k: tuple(v) for k, v in options["clip_ranges"]}
            out = cls.__new__(cls)
            out.model = meta["model"]
            out.options = config.check_options(options)
            out.model_ = meta["model_"]
            out.schema_ = tables.TableSchema.from_json(meta["schema"])
            out.selection_ = meta["selection"]
            out.params_ = persistence.tree_from_json(meta["params"], arrays)
        except (KeyError, TypeError, ValueError, AttributeError, ImportError) as e:
            raise ValueError(
                f"{os.fspath(path)!r} is not a valid jaxgauss Synthesizer file: bad metadata ({e!r})"
            ) from None
        return out
