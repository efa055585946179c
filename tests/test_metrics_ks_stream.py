"""Streaming KS accumulator: bounds against the exact statistic, merge, errors."""

import numpy as np
import pytest
import scipy.stats as ss

from jaxgauss.metrics import ks_statistic, ks_stream


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    ref = rng.standard_normal((20_000, 3))
    syn = rng.standard_normal((40_000, 3)) * np.array([1.0, 1.02, 1.0]) + [0.0, 0.0, 0.03]
    return ref, syn


def test_bounds_bracket_exact_statistic(data):
    ref, syn = data
    state = ks_stream.init(ref, bins=2048)
    for chunk in np.array_split(syn, 4):
        state = ks_stream.update(state, chunk)
    res = ks_stream.result(state)
    exact = ks_statistic(ref, syn)
    assert np.all(res.statistic <= exact + 1e-15)
    assert np.all(exact <= res.upper + 1e-15)
    # A priori bound: one cell's mass of either sample.
    mass = np.maximum(
        np.asarray(state.reference).max(1) / ref.shape[0], np.asarray(state.counts).max(1) / 40_000
    )
    assert np.all(exact - res.statistic <= mass + 1e-15)
    # Continuous data: the lower bound is already close (observed ~1e-4 here).
    assert np.max(exact - res.statistic) < 1e-3
    assert res.n == 40_000 and res.n_reference == 20_000
    p = np.array([ss.kstwo.sf(s, round(20_000 * 40_000 / 60_000)) for s in res.statistic])
    np.testing.assert_allclose(res.pvalue, p, rtol=1e-6)


def test_merge_equals_single_stream_and_order_free(data):
    ref, syn = data
    s0 = ks_stream.init(ref, bins=1024)
    one = ks_stream.update(s0, syn)
    left = ks_stream.update(s0, syn[:15_000])
    right = ks_stream.update(s0, syn[15_000:])
    merged = ks_stream.merge(right, left)
    np.testing.assert_array_equal(np.asarray(merged.counts), np.asarray(one.counts))
    np.testing.assert_array_equal(
        ks_stream.result(merged).statistic, ks_stream.result(one).statistic
    )


def test_out_of_range_values_and_one_column():
    ref = np.linspace(0.0, 1.0, 101)
    state = ks_stream.update(ks_stream.init(ref, bins=10), np.array([-5.0, 0.5, 7.0, 2.0]))
    res = ks_stream.result(state)
    exact = ss.ks_2samp(ref, [-5.0, 0.5, 7.0, 2.0]).statistic
    assert res.statistic[0] <= exact <= res.upper[0]
    assert res.statistic[0] == pytest.approx(exact)  # boundary cells are exact here


def test_update_does_not_recompile(data):
    ref, syn = data
    state = ks_stream.init(ref[:, :2], bins=256)
    state = ks_stream.update(state, syn[:1000, :2])
    size = ks_stream._update._cache_size()
    state = ks_stream.update(state, syn[1000:2000, :2])
    assert ks_stream._update._cache_size() == size


def test_errors(data):
    ref, syn = data
    state = ks_stream.init(ref, bins=64)
    with pytest.raises(ValueError, match="the stream is empty"):
        ks_stream.result(state)
    with pytest.raises(ValueError, match=r"batch must have shape \(n, 3\)"):
        ks_stream.update(state, syn[:, :2])
    with pytest.raises(ValueError, match="bins must be a positive integer"):
        ks_stream.init(ref, bins=0)
    with pytest.raises(ValueError, match="reference must have shape"):
        ks_stream.init(ref[:0])
    with pytest.raises(ValueError, match="batch must be finite"):
        ks_stream.update(state, np.full((2, 3), np.inf))
    with pytest.raises(ValueError, match="same shape to merge"):
        ks_stream.merge(state, ks_stream.init(ref, bins=32))
