"""Synthesizer.from_config: the seed's YAML schema, key-path errors, the shipped example."""

from pathlib import Path

import pytest

import jaxgauss as jg
from jaxgauss import config

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "config.yaml"

SEED_CONFIG = """
generator:
  type: gaussian_mixture
  n_components: auto          # Uses BIC to select K
  max_components: 15
  covariance_type: full        # Options: full, tied, diag, spherical
  n_init: 10                   # EM restarts
  regularization: 1e-6         # Diagonal regularization
  random_seed: 42

sampling:
  n_samples: 100000
  batch_size: 10000
  post_processing:
    clip_ranges:
      age: [0, 120]
      income_inr: [0, null]    # Non-negative, no upper bound
      credit_score: [300, 900]
    round_columns:
      - age
      - credit_score
    enforce_constraints:
      - "loan_amount <= 50 * monthly_income"

validation:
  ks_test_threshold: 0.05
  correlation_tolerance: 0.1
  min_quality_score: 0.85
"""


def test_the_seed_config_reads(tmp_path):
    path = tmp_path / "seed.yaml"
    path.write_text(SEED_CONFIG)
    syn = jg.Synthesizer.from_config(path)
    o = syn.options
    assert syn.model == "gmm"
    assert (o["n_components"], o["max_components"], o["covariance_type"]) == ("auto", 15, "full")
    assert (o["n_init"], o["regularization"], o["random_seed"]) == (10, 1e-6, 42)
    assert (o["n_samples"], o["batch_size"]) == (100_000, 10_000)
    assert o["clip_ranges"] == {
        "age": (0.0, 120.0),
        "income_inr": (0.0, None),
        "credit_score": (300.0, 900.0),
    }
    assert o["round_columns"] == ["age", "credit_score"]
    assert o["constraints"] == ["loan_amount <= 50 * monthly_income"]
    assert (o["ks_test_threshold"], o["correlation_tolerance"], o["min_quality_score"]) == (
        0.05,
        0.1,
        0.85,
    )


def test_dict_config_defaults_and_model_names():
    assert jg.Synthesizer.from_config({}).options == config.DEFAULTS
    for name, model in config.MODELS.items():
        assert jg.Synthesizer.from_config({"generator": {"type": name}}).model == model


def test_the_example_config_fits_the_wine_table():
    syn = jg.Synthesizer.from_config(EXAMPLE)
    assert syn.model == "gmm" and syn.options["n_samples"] == 100_000
    wine = jg.datasets.load_wine()
    import pandas as pd

    frame = pd.DataFrame(wine.data, columns=wine.feature_names)
    # The config names only wine columns; fitting checks every column and rule against them.
    syn._check_post_options(jg.tables.infer_schema(frame))


@pytest.mark.parametrize(
    ("cfg", "match"),
    [
        ({"generator": {"n_init": "ten"}}, "generator.n_init must be an integer >= 1; got 'ten'"),
        ({"generator": {"n_inits": 3}}, "unknown config key 'generator.n_inits'"),
        ({"sampler": {}}, "unknown config key 'sampler'"),
        ({"generator": {"type": "vae"}}, "generator.type must be one of"),
        ({"generator": {"n_components": 0}}, "generator.n_components must be 'auto' or an integer"),
        (
            {"generator": {"regularization": "tiny"}},
            "generator.regularization must be a number >= 0",
        ),
        ({"generator": {"random_seed": 1.5}}, "generator.random_seed must be an integer >= 0"),
        ({"generator": {"covariance_type": "dense"}}, "generator.covariance_type must be one of"),
        ({"generator": []}, "generator must be a mapping"),
        ({"sampling": {"batch_size": True}}, "sampling.batch_size must be an integer >= 1"),
        (
            {"sampling": {"post_processing": {"clip_ranges": {"age": [0]}}}},
            r"sampling.post_processing.clip_ranges.age must be a pair \[low, high\]",
        ),
        (
            {"sampling": {"post_processing": {"clip_ranges": {"age": [0, "old"]}}}},
            "sampling.post_processing.clip_ranges.age must be a number",
        ),
        (
            {"sampling": {"post_processing": {"round_columns": "age"}}},
            "sampling.post_processing.round_columns must be a list of strings",
        ),
        (
            {"sampling": {"post_processing": {"enforce_constraints": [3]}}},
            r"sampling.post_processing.enforce_constraints\[0\] must be a non-empty string",
        ),
        (
            {"sampling": {"post_processing": {"filters": []}}},
            "unknown config key 'sampling.post_processing.filters'",
        ),
        (
            {"validation": {"ks_test_threshold": 0}},
            "validation.ks_test_threshold must be a number > 0",
        ),
        ({"validation": {"min_quality_score": 2}}, "validation.min_quality_score must be a number"),
    ],
)
def test_errors_name_the_key_path(cfg, match):
    with pytest.raises(ValueError, match=match):
        jg.Synthesizer.from_config(cfg)


def test_file_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("generator: [unclosed\n")
    with pytest.raises(ValueError, match="is not valid YAML"):
        jg.Synthesizer.from_config(bad)
    top = tmp_path / "top.yaml"
    top.write_text("- a\n- b\n")
    with pytest.raises(ValueError, match="must be a mapping at the top level"):
        jg.Synthesizer.from_config(top)
    with pytest.raises(TypeError, match="config must be a path to a YAML file or a dict"):
        jg.Synthesizer.from_config(3)
    with pytest.raises(FileNotFoundError):
        jg.Synthesizer.from_config(tmp_path / "missing.yaml")
