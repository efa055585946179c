"""Per-column distances against scipy and the SDMetrics formulas."""

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from jaxgauss.metrics import boundary_adherence, js_divergence, range_coverage, tv_complement
from jaxgauss.metrics.distances import histograms


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(800, 3)) * [1.0, 2.0, 0.5]
    synth = rng.normal(size=(600, 3)) * [1.1, 2.0, 0.5] + [0.0, 0.5, 0.0]
    return real, synth


def test_js_equals_scipy_on_same_bins(pair):
    real, synth = pair
    got = js_divergence(real, synth, bins=30)
    _, _, edges = histograms(real, synth, bins=30)
    for j in range(3):
        p, _ = np.histogram(real[:, j], bins=edges[j])
        q, _ = np.histogram(synth[:, j], bins=edges[j])
        assert got[j] == pytest.approx(jensenshannon(p, q, base=2) ** 2, abs=1e-12)
    edges = np.linspace(-3, 3, 13)
    got = js_divergence(real, synth, edges=edges)
    for j in range(3):
        p, _ = np.histogram(real[:, j], bins=edges)
        q, _ = np.histogram(synth[:, j], bins=edges)
        assert got[j] == pytest.approx(jensenshannon(p, q, base=2) ** 2, abs=1e-12)
    assert js_divergence(real[:, 0], real[:, 0]) == pytest.approx(0.0, abs=1e-15)
    # lo + (hi - lo) rounds below hi here: the top value must still land in the last bin.
    lo, hi = -0.1321048632913019, 0.1257302210933933
    col = np.array([lo, 0.0, 0.05, hi])
    _, _, e = histograms(col, col[:3], bins=4)
    assert e[0, -1] == hi and np.histogram(col, bins=e[0])[0].sum() == 4
    assert js_divergence(np.zeros(5), np.ones(5)) == pytest.approx(1.0)


def test_tv_complement():
    real = np.array(["a", "a", "b", "c"])
    synth = np.array(["a", "b", "b", "b", "d"])
    # frequencies: a .5/.2, b .25/.6, c .25/0, d 0/.2 -> TVD = (.3 + .35 + .25 + .2) / 2
    assert tv_complement(real, synth) == pytest.approx(1 - 0.55)
    codes = np.array([[0, 1], [1, 1], [2, 0]])
    np.testing.assert_allclose(tv_complement(codes, codes), [1.0, 1.0])


def test_range_coverage_and_boundary_adherence(pair):
    real, synth = pair
    rmin, rmax = real.min(0), real.max(0)
    smin, smax = synth.min(0), synth.max(0)
    span = rmax - rmin
    cover = 1 - (np.maximum((smin - rmin) / span, 0) + np.maximum((rmax - smax) / span, 0))
    np.testing.assert_allclose(range_coverage(real, synth), np.clip(cover, 0, 1), atol=1e-12)
    inside = np.mean((synth >= rmin) & (synth <= rmax), axis=0)
    np.testing.assert_allclose(boundary_adherence(real, synth), inside, atol=1e-12)
    assert range_coverage([0.0, 10.0], [2.0, 5.0]) == pytest.approx(0.3)  # 1 - (0.2 + 0.5)
    assert boundary_adherence([0.0, 10.0], [-1.0, 5.0, 11.0, 10.0]) == pytest.approx(0.5)


def test_errors(pair):
    real, synth = pair
    with pytest.raises(ValueError, match="same number of columns"):
        js_divergence(real, synth[:, :2])
    with pytest.raises(ValueError, match="edges must be strictly increasing"):
        js_divergence(real, synth, edges=[0.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="no value inside them"):
        js_divergence(real, synth, edges=[100.0, 101.0])
    with pytest.raises(ValueError, match="bins must be a positive integer"):
        js_divergence(real, synth, bins=0)
    with pytest.raises(ValueError, match="non-empty"):
        tv_complement([], [1])
    with pytest.raises(ValueError, match="synth must be finite"):
        range_coverage(real, np.full((2, 3), np.nan))
