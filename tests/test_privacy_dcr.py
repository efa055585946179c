"""Distance to closest record against scikit-learn's NearestNeighbors."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors

from jaxgauss.privacy import dcr, dcr_holdout_share, nearest_distances, nndr


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(1100, 6)) + 50.0  # offset: the expanded form alone would lose digits
    synth = rng.normal(size=(700, 6)) + 50.0
    synth[:5] = real[10:15]  # exact copies
    return real, synth


def test_matches_sklearn(tables):
    real, synth = tables
    nd = nearest_distances(real, synth, block_size=256)  # blocks do not divide the sizes
    dist, idx = NearestNeighbors(n_neighbors=2).fit(real).kneighbors(synth)
    np.testing.assert_allclose(nd.first, dist[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(nd.second, dist[:, 1], rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(nd.index, idx[:, 0])
    assert np.all(nd.first[:5] == 0.0)
    np.testing.assert_allclose(dcr(real, synth), dist[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(nndr(real, synth)[5:], (dist[:, 0] / dist[:, 1])[5:], rtol=1e-6)


def test_float32(tables):
    real, synth = tables
    got = dcr(real.astype(np.float32), synth.astype(np.float32), block_size=512)
    dist, _ = NearestNeighbors(n_neighbors=1).fit(real).kneighbors(synth)
    # float32 inputs: distances of ~2-5 carry ~1e-6 relative rounding (coordinates near 50).
    np.testing.assert_allclose(got, dist[:, 0], rtol=2e-5, atol=2e-5)


def test_holdout_share(tables):
    real, synth = tables
    train, hold = real[:550], real[550:]
    d_t = NearestNeighbors(n_neighbors=1).fit(train).kneighbors(synth)[0][:, 0]
    d_h = NearestNeighbors(n_neighbors=1).fit(hold).kneighbors(synth)[0][:, 0]
    expected = np.mean((d_t < d_h) + 0.5 * (d_t == d_h))
    assert dcr_holdout_share(train, hold, synth) == pytest.approx(expected)


def test_errors(tables):
    real, synth = tables
    with pytest.raises(ValueError, match="same number of columns"):
        dcr(real, synth[:, :3])
    with pytest.raises(ValueError, match="block_size must be a positive integer"):
        dcr(real, synth, block_size=0)
    with pytest.raises(ValueError, match="at least 2 real rows"):
        nndr(real[:1], synth)
    with pytest.raises(ValueError, match="synth must be finite"):
        dcr(real, np.full((2, 6), np.nan))
