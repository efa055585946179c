"""jg.Synthesizer: tables in and out, post-processing, chunk invariance, model choice."""

import jax
import numpy as np
import pandas as pd
import pytest

import jaxgauss as jg
from jaxgauss import synthesizer


def _mixed(n=150, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.7], [0.7, 1.0]], size=n)
    return pd.DataFrame(
        {
            "height": 170 + 10 * z[:, 0],
            "weight": 70 + 12 * z[:, 1],
            "kids": rng.integers(0, 4, size=n).astype(np.int64),
            "smoker": rng.random(n) < 0.3,
            "region": pd.Categorical(rng.choice(["north", "south", "east"], size=n)),
        }
    )


@pytest.fixture(scope="module")
def table():
    return _mixed()


@pytest.fixture(scope="module")
def fitted(table):
    return jg.Synthesizer("gaussian", random_seed=3).fit(table)


def test_sample_has_the_columns_dtypes_and_domains(table, fitted):
    out = fitted.sample(500, seed=1)
    assert list(out.columns) == list(table.columns)
    pd.testing.assert_series_equal(out.dtypes, table.dtypes)
    assert set(out["region"].cat.categories) == set(table["region"].cat.categories)
    assert out["kids"].between(table["kids"].min(), table["kids"].max()).all()
    assert out["smoker"].dtype == bool and 0 < out["smoker"].mean() < 1
    assert fitted.model_ == "gaussian" and fitted.selection_[0]["model"] == "gaussian"


def test_gaussian_fit_matches_numpy_moments():
    # A float-only table is not dequantized: the mean is the data mean and the
    # correlation-shrunk covariance keeps every variance (estimate_covariance(standardize=True)).
    x = _mixed()[["height", "weight"]].to_numpy()
    syn = jg.Synthesizer("gaussian").fit(x)
    np.testing.assert_allclose(syn.params_.mean, x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(np.diag(syn.params_.covariance), x.var(0), rtol=1e-10)
    # Sample means within 5 standard errors of the fitted means.
    n = 20_000
    s = syn.sample(n, seed=0)
    assert isinstance(s, np.ndarray) and s.dtype == x.dtype and s.shape == (n, 2)
    se = x.std(0) / np.sqrt(n)
    assert np.all(np.abs(s.mean(0) - x.mean(0)) < 5 * se)


def test_seed_and_key_are_the_same_stream(fitted):
    a = fitted.sample(500, seed=7)
    pd.testing.assert_frame_equal(a, fitted.sample(500, key=jax.random.key(7)))
    pd.testing.assert_frame_equal(fitted.sample(500), fitted.sample(500, seed=3))  # random_seed
    with pytest.raises(TypeError, match="either seed or key"):
        fitted.sample(5, seed=1, key=jax.random.key(1))
    with pytest.raises(TypeError, match="seed must be a non-negative integer"):
        fitted.sample(5, seed=-1)


def test_rows_equal_the_table_model_stream(fitted):
    tm = fitted.table_model()
    nums = np.asarray(jg.sample(jax.random.key(5), tm, 500))
    out = fitted.sample(500, seed=5)
    np.testing.assert_array_equal(jg.tables.to_numbers(fitted.schema_, out), nums)
    # Row i depends only on i: a later slice equals an offset draw.
    np.testing.assert_array_equal(nums[120:170], jg.sample(jax.random.key(5), tm, 50, offset=120))


def test_constraints_hold_and_are_row_wise(tmp_path, fitted):
    rules = ["weight <= 0.5 * height - 15", "region != 'east'"]
    out = fitted.sample(500, seed=2, constraints=rules)
    assert (out["weight"] <= 0.5 * out["height"] - 15).all()
    assert (out["region"] != "east").all()
    # Redraws are per row, so batch sizes do not change the rows.
    a = fitted.sample_to(tmp_path / "a.npy", 500, batch_size=500, seed=2, constraints=rules)
    b = fitted.sample_to(tmp_path / "b.npy", 500, batch_size=97, seed=2, constraints=rules)
    assert a.read_bytes() == b.read_bytes()
    np.testing.assert_array_equal(np.load(a), jg.tables.to_numbers(fitted.schema_, out))


def test_conditions_fix_discrete_columns(fitted):
    out = fitted.sample(500, seed=4, conditions={"region": "south", "smoker": True})
    assert (out["region"] == "south").all() and out["smoker"].all()
    assert (fitted.sample(500, seed=4, conditions={"kids": 2})["kids"] == 2).all()
    with pytest.raises(ValueError, match="'west' is not a category of column 'region'"):
        fitted.sample(5, conditions={"region": "west"})
    with pytest.raises(ValueError, match="conditions: unknown column 'age'"):
        fitted.sample(5, conditions={"age": 3})


def test_continuous_conditions_are_exact(fitted):
    # Oracle: the Gaussian conditional of the encoded model, by numpy (Schur complement).
    mean = np.asarray(fitted.params_.mean)
    cov = np.asarray(fitted.params_.covariance)
    h, w = 0, 1  # encoded columns of height and weight
    value = 180.0
    cond_mean = mean[w] + cov[w, h] / cov[h, h] * (value - mean[h])
    cond_std = np.sqrt(cov[w, w] - cov[w, h] ** 2 / cov[h, h])
    n = 4000
    out = fitted.sample(n, seed=6, conditions={"height": value})
    assert (out["height"] == value).all()
    assert abs(out["weight"].mean() - cond_mean) < 5 * cond_std / np.sqrt(n)
    assert abs(out["weight"].std() / cond_std - 1) < 5 / np.sqrt(2 * n)
    both = fitted.sample(500, seed=6, conditions={"height": value, "region": "north"})
    assert (both["height"] == value).all() and (both["region"] == "north").all()


def test_impossible_rules_report_the_acceptance_rate(table):
    syn = jg.Synthesizer("gaussian", max_attempts=3).fit(table)
    with pytest.raises(ValueError, match=r"rows pass the rules at a rate of about 0\.000%"):
        syn.sample(500, constraints="height > 1e6")


def test_clip_and_round_post_processing(table):
    syn = jg.Synthesizer(
        "gaussian",
        clip_ranges={"height": (165, None), "weight": (None, 75)},
        round_columns=["height"],
    ).fit(table)
    out = syn.sample(500, seed=0)
    assert out["height"].min() == 165 and out["weight"].max() == 75
    np.testing.assert_array_equal(out["height"], np.round(out["height"]))


def test_csv_and_parquet_hold_the_sampled_table_for_any_batch_size(tmp_path, fitted, table):
    # Labels, booleans and dtypes as sample() returns them, not category codes.
    a = fitted.sample_to(tmp_path / "a.csv", 700, batch_size=700, seed=9)
    b = fitted.sample_to(tmp_path / "b.csv", 700, batch_size=64, seed=9)
    assert a.read_bytes() == b.read_bytes()
    expected = fitted.sample(700, seed=9)
    back = pd.read_csv(a, dtype={"region": "category"})
    assert list(back.columns) == list(table.columns)
    assert set(back["region"]) <= {"north", "south", "east"} and back["smoker"].dtype == bool
    pd.testing.assert_frame_equal(
        back, expected, check_dtype=False, check_categorical=False, check_exact=True
    )
    pq = fitted.sample_to(tmp_path / "c.parquet", 700, batch_size=300, seed=9)
    from_parquet = pd.read_parquet(pq)
    pd.testing.assert_frame_equal(from_parquet, expected, check_exact=True)
    # .npy keeps the numbers (category codes, 0/1 booleans).
    npy = fitted.sample_to(tmp_path / "d.npy", 700, batch_size=300, seed=9)
    np.testing.assert_array_equal(np.load(npy), jg.tables.to_numbers(fitted.schema_, expected))


def test_gmm_and_auto_choice_rule(table):
    # Cheap settings (normal marginals, diagonal mixtures): compile time dominates small fits.
    syn = jg.Synthesizer(
        "auto", max_components=2, covariance_type="diag", marginals="norm", random_seed=1
    ).fit(table)
    rows = syn.selection_
    assert sorted(r["model"] for r in rows) == ["copula", "gaussian", "gmm"]
    best = max(r["score"] for r in rows)
    eligible = [r for r in rows if r["score"] >= best - synthesizer.AUTO_SCORE_TOLERANCE]
    assert rows[0] == min(eligible, key=lambda r: r["bic"])
    assert syn.model_ == rows[0]["model"]
    gmm = next(r for r in rows if r["model"] == "gmm")
    assert gmm["n_components"] in (1, 2)
    assert all(np.isfinite(r["bic"]) and 0 <= r["score"] <= 1 for r in rows)


def test_validate_uses_the_thresholds(table, fitted):
    syn = jg.Synthesizer("gaussian", ks_test_threshold=0.01, min_quality_score=0.5).fit(table)
    report = syn.validate(table, syn.sample(len(table), seed=0), privacy=False)
    assert isinstance(report, jg.metrics.QualityReport)
    assert report.thresholds.ks_test_threshold == 0.01
    assert report.thresholds.min_quality_score == 0.5
    assert 0.8 < report.score <= 1.0
    assert report.names == list(table.columns)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"model": "vae"}, ValueError, "model must be one of"),
        ({"n_inits": 3}, ValueError, "unknown option 'n_inits'"),
        ({"n_init": 0}, ValueError, "n_init must be an integer >= 1; got 0"),
        ({"covariance_type": "dense"}, ValueError, "covariance_type must be one of"),
        ({"clip_ranges": {"a": [2, 1]}}, ValueError, r"clip_ranges.a must have low <= high"),
    ],
)
def test_option_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        jg.Synthesizer(**kwargs)


def test_fit_time_errors(table):
    with pytest.raises(ValueError, match="clip_ranges: unknown column 'age'"):
        jg.Synthesizer("gaussian", clip_ranges={"age": (0, 1)}).fit(table)
    with pytest.raises(ValueError, match="round_columns: column 'region' is category"):
        jg.Synthesizer("gaussian", round_columns=["region"]).fit(table)
    with pytest.raises(ValueError, match=r"constraints\[0\] 'age > 1': unknown column 'age'"):
        jg.Synthesizer("gaussian", constraints=["age > 1"]).fit(table)
    with pytest.raises(ValueError, match="not fitted yet"):
        jg.Synthesizer().sample(3)
    with pytest.raises(ValueError, match="n is required"):
        jg.Synthesizer("gaussian").fit(table).sample_to("x.npy")


def test_interrupted_sample_to_resumes_exactly(tmp_path, fitted, monkeypatch):
    from jaxgauss import dispatch

    real, count = dispatch.sample, {"n": 0}

    def flaky(*args, **kwargs):
        count["n"] += 1
        if count["n"] > 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    target = tmp_path / "rows.npy"
    monkeypatch.setattr(dispatch, "sample", flaky)
    with pytest.raises(KeyboardInterrupt):
        fitted.sample_to(target, 1500, batch_size=500, seed=8, constraints="kids < 3")
    assert not target.exists()
    monkeypatch.undo()
    with pytest.raises(ValueError, match="cannot resume"):  # other rules: another stream
        fitted.sample_to(target, 1500, batch_size=500, seed=8, resume=True)
    fitted.sample_to(target, 1500, batch_size=500, seed=8, constraints="kids < 3", resume=True)
    full = fitted.sample_to(
        tmp_path / "full.npy", 1500, batch_size=500, seed=8, constraints="kids < 3"
    )
    assert target.read_bytes() == full.read_bytes()


def test_no_recompilation_for_repeated_calls(tmp_path, fitted):
    fitted.sample(500, seed=1)
    before = synthesizer._table_rows._cache_size()
    for seed in (2, 3):
        fitted.sample(500, seed=seed)
    # A loaded copy has an equal (hashable) post-processing spec: same compiled program.
    jg.Synthesizer.load(fitted.save(tmp_path / "m.npz")).sample(500, seed=4)
    assert synthesizer._table_rows._cache_size() == before


def test_jg_constraints_object(fitted):
    c = jg.Constraints(
        bounds={"height": (160, None), "weight": (None, 80), 2: (0, 2)},
        integers=["height"],
        rules=["weight >= 0.2 * height + 20"],
        clip=["weight"],
    )
    out = fitted.sample(500, seed=3, constraints=c)
    assert (out["height"] >= 160).all() and out["weight"].max() == 80
    assert out["kids"].between(0, 2).all()
    np.testing.assert_array_equal(out["height"], np.round(out["height"]))
    assert (out["weight"] >= 0.2 * out["height"] + 20).all()
    with pytest.raises(ValueError, match="constraints: unknown column 'age'"):
        fitted.sample(5, constraints=jg.Constraints(bounds={"age": (0, 1)}))
    with pytest.raises(TypeError, match="constraints must be a rule string"):
        fitted.sample(5, constraints=3)
