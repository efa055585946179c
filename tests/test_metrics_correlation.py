"""Correlation matrices, streaming correlation and SDMetrics' correlation similarity."""

import jax
import numpy as np
import pytest
import scipy.stats as ss

from jaxgauss.metrics import correlation as corr_module
from jaxgauss.metrics import correlation_matrix, correlation_similarity


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(0)
    cov = np.array([[1.0, 0.5, -0.3], [0.5, 2.0, 0.2], [-0.3, 0.2, 0.5]])
    return rng.multivariate_normal([1e3, -5.0, 0.0], cov, size=1500)


def test_pearson_equals_numpy(x):
    np.testing.assert_allclose(correlation_matrix(x), np.corrcoef(x, rowvar=False), atol=1e-10)


def test_spearman_equals_scipy_with_ties(x):
    xr = np.round(x, 0)
    np.testing.assert_allclose(
        correlation_matrix(xr, method="spearman"), ss.spearmanr(xr).statistic, atol=1e-10
    )


def test_streaming_correlation_merges_chunks(x):
    left = corr_module.stream_init(3)
    for chunk in np.array_split(x[:700], 3):
        left = corr_module.stream_update(left, chunk)
    right = corr_module.stream_update(corr_module.stream_init(3), x[700:])
    state = jax.jit(corr_module.stream_merge)(left, right)
    np.testing.assert_allclose(
        corr_module.stream_result(state), np.corrcoef(x, rowvar=False), atol=1e-10
    )


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_similarity_definition(x, method):
    rng = np.random.default_rng(1)
    synth = x[:, [0, 1, 2]] + rng.normal(scale=[1.0, 1.0, 0.3], size=x.shape)
    if method == "pearson":
        r, s = np.corrcoef(x, rowvar=False), np.corrcoef(synth, rowvar=False)
    else:
        r, s = ss.spearmanr(x).statistic, ss.spearmanr(synth).statistic
    iu = np.triu_indices(3, 1)
    expected = np.mean(1 - np.abs(s[iu] - r[iu]) / 2)
    assert correlation_similarity(x, synth, method=method) == pytest.approx(expected, abs=1e-12)
    assert correlation_similarity(x, x, method=method) == pytest.approx(1.0)
    assert correlation_similarity(x[:, :2], np.c_[x[:, 0], -x[:, 1]]) < 1.0


def test_errors(x):
    with pytest.raises(ValueError, match="method must be one of"):
        correlation_matrix(x, method="kendall")
    with pytest.raises(ValueError, match="at least 2 rows"):
        correlation_matrix(x[:1])
    with pytest.raises(ValueError, match="same number of columns"):
        correlation_similarity(x, x[:, :2])
    with pytest.raises(ValueError, match="at least 2 columns"):
        correlation_similarity(x[:, :1], x[:, :1])
    with pytest.raises(TypeError, match="d must be a positive integer"):
        corr_module.stream_init(2.5)
