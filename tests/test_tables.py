"""Column encoding, row-wise decoding and rules (jaxgauss.tables)."""

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from jaxgauss import tables


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "count": rng.integers(3, 9, size=n).astype(np.int32),
            "flag": rng.random(n) > 0.5,
            "color": pd.Categorical(
                rng.choice(["red", "green", "blue"], size=n), categories=["red", "green", "blue"]
            ),
            "city": rng.choice(["Oslo", "Pune"], size=n).astype(object),
        }
    )


def test_schema_kinds_dtypes_and_layout():
    df = _frame()
    s = tables.infer_schema(df)
    assert [c.kind for c in s.columns] == ["float", "int", "bool", "category", "category"]
    assert [c.dtype for c in s.columns] == [
        "float64",
        "int32",
        "bool",
        "category",
        str(df["city"].dtype),
    ]
    assert [(c.start, c.width) for c in s.columns] == [(0, 1), (1, 1), (2, 1), (3, 3), (6, 2)]
    assert s.columns[3].categories == ("red", "green", "blue")  # the dtype's order
    assert s.columns[4].categories == ("Oslo", "Pune")  # sorted distinct values
    assert (s.columns[1].low, s.columns[1].high) == (df["count"].min(), df["count"].max())
    assert tables.TableSchema.from_json(s.to_json()) == s


def test_encode_one_hot_against_pandas():
    df = _frame()
    s = tables.infer_schema(df)
    x = tables.encode(s, df, np.float64)
    oracle = np.column_stack(
        [
            df["x"],
            df["count"],
            df["flag"],
            pd.get_dummies(df["color"]).to_numpy(float),
            pd.get_dummies(df["city"])[["Oslo", "Pune"]].to_numpy(float),
        ]
    )
    np.testing.assert_array_equal(x, oracle)


def test_decode_inverts_encode_and_dequantization():
    df = _frame()
    s = tables.infer_schema(df)
    x = tables.encode(s, df, np.float64)
    noisy = tables.dequantize(s, jax.random.key(0), x)
    assert np.all(noisy[:, 0] == x[:, 0])  # floats untouched
    assert np.all(np.abs(noisy[:, 1:3] - x[:, 1:3]) <= 0.5)
    assert np.all(np.abs(noisy[:, 3:] - x[:, 3:]) <= 0.25)
    for z in (x, noisy):
        back = tables.to_table(s, np.asarray(tables.decode(s, jnp.asarray(z))))
        pd.testing.assert_frame_equal(back, df)


def test_decode_rounds_clips_and_thresholds():
    s = tables.infer_schema(pd.DataFrame({"k": np.array([2, 5], np.int64), "b": [True, False]}))
    z = jnp.array([[1.2, 0.49], [2.6, 0.5], [9.0, 2.0], [-4.0, -1.0]])
    np.testing.assert_array_equal(
        tables.decode(s, z), [[2.0, 0.0], [3.0, 1.0], [5.0, 1.0], [2.0, 0.0]]
    )


def test_ndarray_schema_and_round_trip():
    x = np.arange(12, dtype=np.int16).reshape(4, 3)
    s = tables.infer_schema(x)
    assert not s.frame and s.names == ("x0", "x1", "x2")
    back = tables.to_table(s, tables.encode(s, x, np.float64))
    assert back.dtype == np.int16
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize(
    ("data", "exc", "match"),
    [
        (pd.DataFrame({"a": [1.0, np.nan, 2.0]}), ValueError, "column 'a' has 1 missing"),
        (pd.DataFrame({"a": pd.to_datetime(["2020-01-01"] * 3)}), TypeError, "column 'a'"),
        (pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], columns=["a", "a"]), ValueError, "duplicate"),
        (pd.DataFrame({"a": [1.0]}), ValueError, "at least 2 rows"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), ValueError, "finite"),
        (np.array([["a", "b"], ["c", "d"]]), TypeError, "numeric array"),
        ([[1.0, 2.0]], TypeError, "DataFrame or a 2-D numpy array"),
    ],
)
def test_schema_errors(data, exc, match):
    with pytest.raises(exc, match=match):
        tables.infer_schema(data)


def test_encode_rejects_unknown_category():
    s = tables.infer_schema(pd.DataFrame({"c": ["a", "b"]}))
    with pytest.raises(ValueError, match="'z', which is not one of its categories"):
        tables.encode(s, pd.DataFrame({"c": ["a", "z"]}), np.float64)
    with pytest.raises(ValueError, match=r"must have the columns \['c'\]"):
        tables.encode(s, pd.DataFrame({"d": ["a"]}), np.float64)


def test_rules_against_numpy():
    df = _frame(200)
    s = tables.infer_schema(df)
    nums = tables.to_numbers(s, df)
    cols = [jnp.asarray(nums[:, j]) for j in range(nums.shape[1])]
    x, count, flag = df["x"].to_numpy(), df["count"].to_numpy(), df["flag"].to_numpy()
    cases = {
        "x <= 0.5 * count - 3": x <= 0.5 * count - 3,
        "-1 < x < 1 and not flag": (-1 < x) & (x < 1) & ~flag,
        "color == 'green' or abs(x) ** 2 > 2": (df["color"] == "green").to_numpy()
        | (np.abs(x) ** 2 > 2),
        "'Pune' != `city`": (df["city"] != "Pune").to_numpy(),
        "count % 2 == 0": count % 2 == 0,
        "exp(x) >= sqrt(count)": np.exp(x) >= np.sqrt(count),
    }
    for rule, expected in cases.items():
        got = np.asarray(tables.compile_rule(rule, s)(cols))
        np.testing.assert_array_equal(got, expected, err_msg=rule)
    assert 0 < sum(v.sum() for v in cases.values())


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        ("x <=", "not a valid expression"),
        ("y > 0", "unknown column 'y'"),
        ("max(x) > 0", "only the functions"),
        ("color == 'purple'", "must be compared with a categorical column"),
        ("x in [1, 2]", "only <, <=, >, >=, ==, != comparisons"),
        ("x[0] > 1", "unsupported expression"),
        ("", "non-empty string"),
    ],
)
def test_rule_errors(rule, match):
    s = tables.infer_schema(_frame())
    with pytest.raises(ValueError, match=match):
        tables.compile_rule(rule, s)
