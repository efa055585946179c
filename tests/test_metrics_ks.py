"""Exact two-sample KS test against scipy.stats.ks_2samp."""

import numpy as np
import pytest
import scipy.stats as ss

from jaxgauss.metrics import ks as ks_module
from jaxgauss.metrics import ks_2samp, ks_statistic
from jaxgauss.metrics._kolmogorov import exact_pvalue, kolmogorov_sf


def _scipy(a, b, method):
    out = [ss.ks_2samp(a[:, j], b[:, j], method=method) for j in range(a.shape[1])]
    return np.array([o.statistic for o in out]), np.array([o.pvalue for o in out])


def _data(n1, n2, d, seed, *, ties=False, shift=0.1):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n1, d))
    b = rng.standard_normal((n2, d)) * 1.1 + shift
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    return a, b


@pytest.mark.parametrize(
    "n1, n2, ties, method",
    [
        (40, 70, False, "auto"),  # scipy: exact, unequal sizes (lattice paths)
        (300, 300, True, "auto"),  # exact, equal sizes, heavy ties across samples
        (3000, 2000, True, "asymp"),
        (12000, 9000, False, "auto"),  # scipy: asymptotic
    ],
)
def test_matches_scipy(n1, n2, ties, method):
    a, b = _data(n1, n2, 4, n1, ties=ties)
    res = ks_2samp(a, b, method=method)
    stat, p = _scipy(a, b, method)
    np.testing.assert_allclose(res.statistic, stat, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.pvalue, p, rtol=1e-6, atol=1e-300)
    assert res.statistic.shape == (4,) and res.pvalue.dtype == np.float64


def test_exact_path_when_buffer_overflows():
    # Tiny grid and buffer: most points are candidates and the buffer is sized up; still exact.
    a, b = _data(500, 800, 3, 7)
    a[:, 1] = a[:, 1] ** 3 * 100  # heavy tails squeeze the data into few cells
    stat = ks_statistic(a, b, bins=4, capacity=1)
    np.testing.assert_allclose(stat, _scipy(a, b, "asymp")[0], rtol=0, atol=1e-12)


def test_constant_and_identical_columns():
    a = np.zeros((50, 2))
    b = np.zeros((60, 2))
    a[:, 1] = np.arange(50.0)
    b[:, 1] = np.arange(60.0)
    res = ks_2samp(a, b)
    stat, p = _scipy(a, b, "auto")
    np.testing.assert_allclose(res.statistic, stat, atol=1e-12)
    np.testing.assert_allclose(res.pvalue, p, rtol=1e-6)
    assert res.statistic[0] == 0.0 and res.pvalue[0] == 1.0


def test_one_dimensional_input_and_float32():
    a, b = _data(200, 150, 1, 3)
    a32, b32 = a[:, 0].astype(np.float32), b[:, 0].astype(np.float32)
    res = ks_2samp(a32, b32)
    ref = ss.ks_2samp(a32, b32)
    assert np.ndim(res.statistic) == 0 and np.ndim(res.pvalue) == 0
    assert res.statistic == pytest.approx(ref.statistic, abs=1e-12)
    assert res.pvalue == pytest.approx(ref.pvalue, rel=1e-6)


def test_no_recompilation_on_same_shapes():
    a, b = _data(300, 200, 2, 11)
    ks_statistic(a, b)
    sizes = ks_module._ks_bounds._cache_size(), ks_module._ks_refine._cache_size()
    ks_statistic(a + 1.0, b)
    assert (ks_module._ks_bounds._cache_size(), ks_module._ks_refine._cache_size()) == sizes


def test_kolmogorov_sf_matches_scipy_kstwo():
    worst = 0.0
    for n in (7, 140, 141, 5000, 100_000, 100_001, 400_000):
        for x in np.geomspace(0.4 / n, 0.95, 25):
            with np.errstate(over="ignore", invalid="ignore"):
                ref = ss.kstwo.sf(x, n)
            got = kolmogorov_sf(n, float(x))
            if not np.isfinite(ref) or (ref == 0 and np.sqrt(n) * x < 0.5):
                # scipy's own Durbin matrix overflowed (it then reports nan or 0 where the true
                # tail is ~1, since sqrt(n) x is tiny); ours stays right.
                assert got > 0.99 or not np.isfinite(ref)
                continue
            if ref > 1e-250:
                worst = max(worst, abs(got - ref) / ref)
            else:
                assert got < 1e-240
    assert worst < 1e-6


@pytest.mark.parametrize("n1, n2", [(25, 25), (30, 45), (97, 64)])
def test_exact_pvalue_matches_scipy(n1, n2):
    a, b = _data(n1, n2, 1, n1 + n2, shift=0.7)
    ref = ss.ks_2samp(a[:, 0], b[:, 0], method="exact")
    p, stat = exact_pvalue(np.array([ref.statistic]), n1, n2)
    assert p[0] == pytest.approx(ref.pvalue, rel=1e-9)
    assert stat[0] == pytest.approx(ref.statistic, abs=1e-15)


def test_errors():
    a, b = _data(20, 30, 2, 0)
    with pytest.raises(ValueError, match="method must be one of"):
        ks_2samp(a, b, method="fast")
    with pytest.raises(ValueError, match="same number of columns"):
        ks_2samp(a, b[:, :1])
    with pytest.raises(ValueError, match="at least one row"):
        ks_2samp(a[:0], b)
    bad = a.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="a must be finite"):
        ks_2samp(bad, b)
    bad_b = b.copy()
    bad_b[3, 1] = -np.inf
    with pytest.raises(ValueError, match="b must be finite; it holds 1 NaN"):
        ks_statistic(a, bad_b)
    with pytest.raises(ValueError, match="a must be finite"):
        ks_statistic(np.full((5, 2), np.inf), b)
    with pytest.raises(TypeError, match="b must be a real numeric array"):
        ks_2samp(a, np.array([["x", "y"]]))
    with pytest.raises(ValueError, match="bins must be a positive integer"):
        ks_statistic(a, b, bins=0)
    with pytest.raises(ValueError, match=r"shape \(n,\) or \(n, d\)"):
        ks_2samp(np.zeros((2, 2, 2)), b)


def test_borrowed_input_is_not_modified_and_matches_a_copy():
    # ks_2samp wraps contiguous float numpy input without a copy (DLPack); the caller's buffer
    # must come back untouched and the result must equal that of a (non-contiguous) copy.
    a, b = _data(300, 200, 3, 5)
    a_before, b_before = a.copy(), b.copy()
    got = ks_2samp(a, b)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(b, b_before)
    strided = ks_2samp(np.asfortranarray(a), np.asfortranarray(b))
    np.testing.assert_array_equal(got.statistic, strided.statistic)
