"""Constraints: rule parser, exact-n rejection sampling, clipping vs rejection, errors."""

import jax
import numpy as np
import pytest

import jaxgauss as jg
from jaxgauss import constraints as cs

P = jg.gaussian([0.0, 0.0, 5.0], [[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0.0, 0.0, 4.0]])


@pytest.mark.parametrize(
    ("rule", "a", "b"),
    [
        ("x1 <= 0.5 * x0", [-0.5, 1, 0], 0.0),
        ("x1 >= 0.5*x0", [0.5, -1, 0], 0.0),
        ("2 * (x0 - x2) + 1 < x1 / 4", [2, -0.25, -2], -1.0),
        ("-x2 > -3e1", [0, 0, 1], 30.0),
        ("age + 1.5 <= `net income`", [1, -1, 0], -1.5),
        (".5*x0*2 <= 7", [1, 0, 0], 7.0),
        ("`net income` - 2 * age >= +1", [2, -1, 0], -1.0),  # backticks: the Synthesizer's syntax
    ],
)
def test_parse_rule(rule, a, b):
    got_a, got_b = cs.parse_rule(rule, 3, columns=["age", "net income", "z"])
    np.testing.assert_allclose(got_a, a)
    assert got_b == pytest.approx(b)


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        ("x0 * x1 <= 1", "only linear rules"),
        ("x0 / x1 <= 1", "only linear rules"),
        ("x0 ** 2 <= 1", "only linear rules"),
        ("x0 <= 1 / 0", "division by zero"),
        ("x9 <= 1", "unknown column 'x9'"),
        ("x0 + 1", "expected one comparison"),
        ("x0 = 1", "is not a valid expression"),
        ("x0 <= 1 <= 2", "expected one comparison"),
        ("x0 == 1", "expected a comparison <=, <, >= or >"),
        ("(x0 <= 1", "is not a valid expression"),
        ("1 <= 2", "involves no column"),
        ("True <= x0", "only linear rules"),
        ("__import__('os') <= 1", "only linear rules"),
        ("__import__ <= 1", "unknown column '__import__'"),
        ("", "rule must be a non-empty string"),
    ],
)
def test_parse_rule_errors(rule, match):
    with pytest.raises(ValueError, match=match):
        cs.parse_rule(rule, 3)


def test_exact_n_valid_rows_and_stream_prefix():
    c = jg.Constraints(bounds={0: (0.0, None), 2: (3.0, 8.0)}, integers=[2], rules=["x1 <= x0"])
    key = jax.random.key(0)
    x = np.asarray(jg.sample_constrained(key, P, 3000, c))
    assert x.shape == (3000, 3)
    assert np.all(x[:, 0] >= 0) and np.all(x[:, 1] <= x[:, 0])
    assert np.all((x[:, 2] >= 3) & (x[:, 2] <= 8)) and np.all(x[:, 2] == np.round(x[:, 2]))
    # the first n valid rows of the plain stream, whatever the batches
    raw, ok = cs.postprocess(c, jg.sample(key, P, 65536))
    np.testing.assert_array_equal(x, np.asarray(raw)[np.asarray(ok)][:3000])
    np.testing.assert_array_equal(np.asarray(jg.sample_constrained(key, P, 10, c)), x[:10])


def test_rejection_keeps_correlation_structure_clipping_distorts_it():
    key = jax.random.key(1)
    n = 20000
    rej = np.asarray(jg.sample_constrained(key, P, n, jg.Constraints(bounds={0: (0.5, None)})))
    clp = np.asarray(
        jg.sample_constrained(key, P, n, jg.Constraints(bounds={0: (0.5, None)}, clip=[0]))
    )
    # Selecting on x0 keeps E[x1 | x0] = 0.8 x0: the regression slope stays 0.8.
    slope = np.polyfit(rej[:, 0], rej[:, 1], 1)[0]
    resid_sd = np.sqrt(1 - 0.8**2)
    se = resid_sd / (np.std(rej[:, 0]) * np.sqrt(n))
    assert abs(slope - 0.8) < 4 * se
    # Reference: the same selection on an independent numpy sample.
    rng = np.random.default_rng(0)
    ref = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], 200_000)
    ref = ref[ref[:, 0] >= 0.5]
    r_ref = np.corrcoef(ref.T)[0, 1]
    r_rej = np.corrcoef(rej[:, :2].T)[0, 1]
    assert abs(r_rej - r_ref) < 4 * (1 - r_ref**2) / np.sqrt(n) + 0.01
    # Clipping piles ~69% of the rows on x0 = 0.5 and breaks the relation.
    assert np.mean(clp[:, 0] == 0.5) > 0.6
    assert abs(np.polyfit(clp[:, 0], clp[:, 1], 1)[0] - 0.8) > 20 * se
    # E[x1 | x0 >= 0.5] = 0.8 * phi(0.5) / (1 - Phi(0.5)): kept by rejection, lost by clipping.
    want = 0.8 * np.exp(-0.125) / np.sqrt(2 * np.pi) / 0.3085375387259869
    se_mean = np.std(rej[:, 1]) / np.sqrt(n)
    assert abs(rej[:, 1].mean() - want) < 4 * se_mean
    assert abs(clp[:, 1].mean() - want) > 50 * se_mean


def test_names_for_table_columns():
    c = jg.Constraints(bounds={"a": (-1, 1)}, rules=["b <= a"], columns=["a", "b", "c"])
    x = np.asarray(jg.sample_constrained(jax.random.key(2), P, 100, c))
    assert np.all(np.abs(x[:, 0]) <= 1) and np.all(x[:, 1] <= x[:, 0])


def test_unsatisfiable_reports_acceptance_rate():
    c = jg.Constraints(rules=["x0 >= 1", "x0 <= 0"])
    with pytest.raises(ValueError, match=r"accepted 0 of \d+ rows \(acceptance rate 0"):
        jg.sample_constrained(jax.random.key(0), P, 10, c, min_draws=4096)
    nearly = jg.Constraints(bounds={0: (6.0, None)})  # P(x0 > 6) ~ 1e-9
    with pytest.raises(ValueError, match="acceptance rate"):
        jg.sample_constrained(jax.random.key(0), P, 10, nearly, max_rounds=3)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"bounds": [(0, 1)]}, TypeError, "bounds must be a mapping"),
        ({"clip": [0]}, ValueError, "has no bounds to clip to"),
        ({"integers": "x0"}, TypeError, "integers must be a list"),
    ],
)
def test_constructor_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        jg.Constraints(**kwargs)


@pytest.mark.parametrize(
    ("c", "match"),
    [
        (jg.Constraints(bounds={5: (0, 1)}), r"indices in \[0, 3\)"),
        (jg.Constraints(bounds={0: (2, 1)}), "needs lo <= hi"),
        (jg.Constraints(bounds={0: 3}), "must be a pair"),
        (jg.Constraints(integers=["q"]), "names column 'q'"),
    ],
)
def test_compile_errors(c, match):
    with pytest.raises(ValueError, match=match):
        jg.sample_constrained(jax.random.key(0), P, 5, c)


def test_argument_errors():
    with pytest.raises(TypeError, match="constraints must be a jg.Constraints"):
        jg.sample_constrained(jax.random.key(0), P, 5, {"bounds": {}})
    with pytest.raises(ValueError, match="min_acceptance must lie in"):
        jg.sample_constrained(jax.random.key(0), P, 5, jg.Constraints(), min_acceptance=2.0)
