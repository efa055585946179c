"""Robust factorization: paths, validation and float32 finiteness."""

import warnings

import jax.numpy as jnp
import numpy as np
import pytest

import jaxgauss as jg
from jaxgauss import linalg


def _random_spd(d, seed=0, cond=10.0):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    eig = np.geomspace(1.0, cond, d)
    return (q * eig) @ q.T


def test_plain_cholesky_matches_numpy():
    cov = _random_spd(6)
    f = jg.factorize(cov)
    assert f.method == "cholesky" and f.jitter == 0.0
    np.testing.assert_allclose(f.scale_tril, np.linalg.cholesky(cov), rtol=1e-12, atol=1e-14)


def test_singular_psd_goes_through_jitter():
    v = np.array([[1.0, 2.0, 3.0]])
    cov = v.T @ v  # rank 1
    f = jg.factorize(cov, reg=1e-6)
    assert f.method == "jitter"
    scale = np.trace(cov) / 3
    assert f.jitter >= 1e-6 * scale
    rebuilt = np.asarray(f.scale_tril @ f.scale_tril.T)
    np.testing.assert_allclose(rebuilt, cov + f.jitter * np.eye(3), rtol=1e-10, atol=1e-12)
    assert abs(f.min_eigenvalue) < 1e-12


def test_clip_repairs_indefinite():
    cov = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    assert np.linalg.eigvalsh(cov)[0] < -0.5
    f = jg.factorize(cov, repair="clip")
    assert f.method == "eigh"
    rebuilt = np.asarray(f.scale_tril @ f.scale_tril.T)
    # The PSD projection: eigenvalues clipped at the floor, eigenvectors kept.
    w, q = np.linalg.eigh(cov)
    expected = (q * np.maximum(w, f.jitter)) @ q.T
    np.testing.assert_allclose(rebuilt, expected, atol=1e-10)
    assert np.all(np.linalg.eigvalsh(rebuilt) > 0)


def test_eigh_method_on_pd_matrix_is_exact():
    cov = _random_spd(5, seed=3)
    f = jg.factorize(cov, method="eigh")
    assert f.method == "eigh"
    np.testing.assert_allclose(f.scale_tril @ f.scale_tril.T, cov, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("d", [100, 300, 500])
def test_float32_factor_finite_at_large_d(d):
    cov = _random_spd(d, seed=d, cond=100.0).astype(np.float32)
    p = jg.gaussian(np.zeros(d, np.float32), cov)
    assert p.scale_tril.dtype == jnp.float32
    assert bool(jnp.all(jnp.isfinite(p.scale_tril)))
    rebuilt = np.asarray(p.scale_tril, np.float64) @ np.asarray(p.scale_tril, np.float64).T
    # Rounding the exact factor to float32 perturbs L L^T by ~ d * eps32 * |L|^2 at most.
    np.testing.assert_allclose(rebuilt, cov, atol=d * np.finfo(np.float32).eps * 100)


def test_gaussian_warns_when_regularized():
    cov = np.ones((3, 3))
    with pytest.warns(jg.FactorizationWarning, match="jitter"):
        jg.gaussian(np.zeros(3), cov)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jg.gaussian(np.zeros(3), np.eye(3))


@pytest.mark.parametrize(
    ("cov", "kwargs", "err", "match"),
    [
        (
            np.eye(3)[:2],
            {},
            ValueError,
            r"cov must be a square \(d, d\) matrix; got shape \(2, 3\)",
        ),
        (np.ones(3), {}, ValueError, "square"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), {}, ValueError, "cov must be finite"),
        (np.array([[1.0, np.inf], [0.0, 1.0]]), {}, ValueError, "cov must be finite"),
        (np.array([[1.0, 0.5], [0.1, 1.0]]), {}, ValueError, "cov must be symmetric"),
        (
            np.array([[1.0, 2.0], [2.0, 1.0]]),
            {},
            ValueError,
            r"smallest eigenvalue is -1.*repair='clip'",
        ),
        (np.eye(2), {"method": "qr"}, ValueError, "method must be one of"),
        (np.eye(2), {"repair": "fix"}, ValueError, "repair must be one of"),
        (np.eye(2), {"reg": -1.0}, ValueError, "reg must be a positive"),
        (np.array([["a", "b"], ["c", "d"]]), {}, TypeError, "real numeric"),
        (
            np.array([[1.0, 2.0], [2.0, 1.0]]),
            {"method": "cholesky", "repair": "clip"},
            ValueError,
            "method='cholesky' does not repair",
        ),
    ],
)
def test_factorize_errors(cov, kwargs, err, match):
    with pytest.raises(err, match=match):
        jg.factorize(cov, **kwargs)


def test_log_det_and_mahalanobis():
    cov = _random_spd(4, seed=1)
    tril = jnp.asarray(np.linalg.cholesky(cov))
    np.testing.assert_allclose(
        linalg.log_det_from_tril(tril), np.linalg.slogdet(cov)[1], rtol=1e-12
    )
    x = np.random.default_rng(2).normal(size=(7, 4))
    expected = np.einsum("ni,ij,nj->n", x, np.linalg.inv(cov), x)
    np.testing.assert_allclose(linalg.mahalanobis_sq(tril, jnp.asarray(x)), expected, rtol=1e-10)
