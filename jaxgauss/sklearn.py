"""A scikit-learn compatible Gaussian mixture estimator backed by :func:`jaxgauss.fit_gmm`.

:class:`GaussianMixture` takes the constructor arguments of
:class:`sklearn.mixture.GaussianMixture`, exposes the same fitted attributes and methods, and
raises the same kinds of errors and warnings, so that existing code (pipelines, grid search,
``clone``, pickling) keeps working when the import changes. It is a thin shell: ``__init__``
stores the arguments, ``fit`` validates them, converts the data and ``random_state`` and calls
the functional core in :mod:`jaxgauss.mixture`; every fitted attribute is a NumPy array.

Precision follows the data as in scikit-learn: float32 input is fitted in float32, float64 (and
integer) input in float64. Float64 work runs inside ``jax.enable_x64(True)`` so that it does not
depend on the process-wide ``jax_enable_x64`` flag.

Randomness: ``random_state`` becomes a JAX PRNG key (see :func:`_key_from_random_state`):
an ``int`` seed ``s`` gives ``jax.random.key(s)``; a ``numpy.random.RandomState`` (or ``None``,
NumPy's global generator) is asked for one integer seed, which advances it as scikit-learn's
own use would; a JAX key is used as given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import numbers
import time
import warnings
from collections.abc import Iterator
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

import jaxgauss as jg

__all__ = ["GaussianMixture", "InvalidParameterError"]

_COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

# scikit-learn's ``init_params`` names -> jaxgauss ``init`` names.
_INIT_NAMES = {
    "kmeans": "kmeans++",  # k-means++ seeding + Lloyd iterations (scikit-learn runs KMeans)
    "k-means++": "k-means++",  # k-means++ seeding only
    "random": "random",
    "random_from_data": "random_from_data",
}


class InvalidParameterError(ValueError, TypeError):
    """A constructor argument has a wrong type or value.

    Subclasses both ``ValueError`` and ``TypeError`` like scikit-learn's own
    ``InvalidParameterError``, so ``except ValueError`` written for scikit-learn still works.
    """


# --------------------------------------------------------------------------------------------
# Argument validation (done in ``fit``, never in ``__init__``)


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _check_params(est: GaussianMixture) -> None:
    """Validates the constructor arguments of ``est`` with scikit-learn-style messages."""
    name = type(est).__name__

    def bad(param: str, expected: str) -> InvalidParameterError:
        got = getattr(est, param)
        return InvalidParameterError(
            f"The {param!r} parameter of {name} must be {expected}. Got {got!r} instead."
        )

    for param, low in (
        ("n_components", 1),
        ("max_iter", 0),
        ("n_init", 1),
        ("verbose_interval", 1),
    ):
        v = getattr(est, param)
        if not _is_int(v) or v < low:
            raise bad(param, f"an int in the range [{low}, inf)")
    for param in ("tol", "reg_covar"):
        v = getattr(est, param)
        if not _is_real(v) or not v >= 0.0:
            raise bad(param, "a float in the range [0.0, inf)")
    if not isinstance(est.covariance_type, str) or est.covariance_type not in _COVARIANCE_TYPES:
        raise bad("covariance_type", f"a str among {set(_COVARIANCE_TYPES)}")
    if not isinstance(est.init_params, str) or est.init_params not in _INIT_NAMES:
        raise bad("init_params", f"a str among {set(_INIT_NAMES)}")
    if not isinstance(est.warm_start, bool | np.bool_):
        raise bad("warm_start", "an instance of 'bool'")
    if not (_is_int(est.verbose) or isinstance(est.verbose, bool | np.bool_)):
        raise bad("verbose", "an int or a bool")
    rs = est.random_state
    if not (rs is None or _is_int(rs) or isinstance(rs, np.random.RandomState) or _is_key(rs)):
        raise bad(
            "random_state",
            "an int in the range [0, 4294967295], an instance of 'numpy.random.RandomState', "
            "a JAX PRNG key or None",
        )
    if _is_int(rs) and not 0 <= rs <= 2**32 - 1:
        raise bad("random_state", "an int in the range [0, 4294967295]")


def _is_key(v: Any) -> bool:
    dtype = getattr(v, "dtype", None)
    return dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key) and v.shape == ()


def _key_from_random_state(random_state: Any) -> jax.Array:
    """Converts a scikit-learn ``random_state`` into a JAX PRNG key.

    * ``int`` ``s`` -> ``jax.random.key(s)``: the same seed always gives the same fit;
    * ``numpy.random.RandomState`` -> ``jax.random.key(rs.randint(2**31 - 1))``: draws one
      integer, so repeated fits with the same instance differ, as in scikit-learn;
    * ``None`` -> the same with NumPy's global generator;
    * a JAX key (``jax.random.key(...)``) -> used as is.
    """
    if _is_key(random_state):
        return random_state
    if _is_int(random_state):
        return jax.random.key(int(random_state))
    rng = check_random_state(random_state)
    return jax.random.key(int(rng.randint(np.iinfo(np.int32).max)))


@contextlib.contextmanager
def _precision(dtype: Any) -> Iterator[None]:
    """Runs the enclosed JAX work with 64-bit types enabled when ``dtype`` is float64."""
    if np.dtype(dtype) == np.float64:
        with jax.enable_x64(True):
            yield
    else:
        yield


# --------------------------------------------------------------------------------------------
# Conversions between scikit-learn's parameter layouts and GMMParams


def _chol_from_precisions(precisions: np.ndarray, covariance_type: str) -> np.ndarray:
    """scikit-learn's ``precisions_cholesky_`` (upper ``U`` with ``U @ U.T = P``) from ``P``."""
    if covariance_type in ("diag", "spherical"):
        return np.sqrt(precisions)
    flip = precisions[..., ::-1, ::-1]
    return np.linalg.cholesky(flip)[..., ::-1, ::-1]


def _scales_from_precisions_cholesky(prec_chol: np.ndarray, covariance_type: str) -> np.ndarray:
    """GMMParams ``scales`` from ``precisions_cholesky_``.

    For a full or tied precision ``P = U @ U.T`` with ``U`` upper triangular, the covariance is
    ``P^-1 = U^-T @ U^-1`` and ``U^-T`` is lower triangular with a positive diagonal: it is the
    covariance's Cholesky factor, obtained by one triangular inversion (no explicit ``inv(P)``).
    For diag/spherical the scale is the standard deviation ``1 / sqrt(precision)``.
    """
    if covariance_type in ("diag", "spherical"):
        return 1.0 / prec_chol
    eye = np.broadcast_to(np.eye(prec_chol.shape[-1], dtype=prec_chol.dtype), prec_chol.shape)
    upper_inv = np.linalg.solve(prec_chol, eye)
    return np.swapaxes(upper_inv, -1, -2)


def _precisions_from_cholesky(prec_chol: np.ndarray, covariance_type: str) -> np.ndarray:
    if covariance_type in ("diag", "spherical"):
        return prec_chol**2
    return prec_chol @ np.swapaxes(prec_chol, -1, -2)


def _check_weights_init(weights: Any, k: int) -> np.ndarray:
    weights = check_array(weights, dtype=[np.float64, np.float32], ensure_2d=False)
    if weights.shape != (k,):
        raise ValueError(
            f"The parameter 'weights' should have the shape of {(k,)}, but got {weights.shape}"
        )
    if np.any(weights < 0.0) or np.any(weights > 1.0):
        raise ValueError(
            "The parameter 'weights' should be in the range [0, 1], but got max value "
            f"{weights.max():.5f}, min value {weights.min():.5f}"
        )
    atol = 1e-6 if weights.dtype == np.float32 else 1e-8
    if abs(1.0 - float(np.sum(weights))) > atol:
        raise ValueError(
            "The parameter 'weights' should be normalized, but got sum(weights) = "
            f"{np.sum(weights):.5f}"
        )
    return weights


def _check_means_init(means: Any, k: int, d: int) -> np.ndarray:
    means = check_array(means, dtype=[np.float64, np.float32], ensure_2d=False)
    if means.shape != (k, d):
        raise ValueError(
            f"The parameter 'means' should have the shape of {(k, d)}, but got {means.shape}"
        )
    return means


def _check_precisions_init(precisions: Any, covariance_type: str, k: int, d: int) -> np.ndarray:
    precisions = check_array(
        precisions,
        dtype=[np.float64, np.float32],
        ensure_2d=False,
        allow_nd=covariance_type == "full",
    )
    shape = {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]
    if precisions.shape != shape:
        raise ValueError(
            f"The parameter '{covariance_type} precision' should have the shape of {shape}, "
            f"but got {precisions.shape}"
        )
    if covariance_type in ("diag", "spherical"):
        if np.any(precisions <= 0.0):
            raise ValueError(f"'{covariance_type} precision' should be positive")
        return precisions
    mats = precisions.reshape((-1, d, d))
    for m in mats:
        if not (np.allclose(m, m.T) and np.all(np.linalg.eigvalsh(m) > 0.0)):
            raise ValueError(
                f"'{covariance_type} precision' should be symmetric, positive-definite"
            )
    return precisions


# --------------------------------------------------------------------------------------------
# Row buckets: one compilation per bucket of row counts, not per row count

#: Row counts up to this are padded to the next power of two (at least ``_MIN_ROWS``).
_MAX_PADDED_ROWS = 1 << 16
_MIN_ROWS = 256


@dataclasses.dataclass(frozen=True)
class _Rows:
    """Data rows padded to a bucketed count, with frequency weights that mask the padding.

    JAX compiles one program per input shape. Cross-validation and small experiments fit many
    slightly different row counts; padding small inputs to the next power of two with
    zero-weight copies of the first row (``jg.fit_gmm`` treats ``sample_weight`` as frequency
    weights, so such rows change no sum) lets those fits share a few programs. Per-row
    results of padded rows are cut off. Inputs above ``_MAX_PADDED_ROWS`` rows are used as is.
    """

    x: jax.Array  # (m, d), m >= n
    weights: jax.Array | None  # (m,) 1 for real rows, 0 for padding; None when m == n
    n: int  # number of real rows

    @classmethod
    def pad(cls, X: np.ndarray) -> _Rows:
        n = X.shape[0]
        m = n if n > _MAX_PADDED_ROWS else max(_MIN_ROWS, 1 << (n - 1).bit_length())
        if m == n:
            return cls(jnp.asarray(X), None, n)
        filler = np.broadcast_to(X[:1], (m - n, X.shape[1]))
        weights = np.concatenate([np.ones(n, X.dtype), np.zeros(m - n, X.dtype)])
        return cls(jnp.asarray(np.concatenate([X, filler])), jnp.asarray(weights), n)


# --------------------------------------------------------------------------------------------
# The estimator


class GaussianMixture(DensityMixin, BaseEstimator):
    """Gaussian mixture fitted by EM in JAX; a drop-in for ``sklearn.mixture.GaussianMixture``.

    Same constructor arguments, defaults, fitted attributes and methods as scikit-learn's class
    (see its documentation for their meaning). The work runs in :func:`jaxgauss.fit_gmm`: the
    initialization and all EM iterations of all ``n_init`` restarts form one compiled program.

    Args:
      n_components: number of mixture components.
      covariance_type: ``"full"``, ``"tied"``, ``"diag"`` or ``"spherical"``.
      tol: EM stops when the mean log-likelihood changes by less than ``tol``.
      reg_covar: non-negative value added to the diagonal of every covariance.
      max_iter: maximum number of EM iterations per initialization (0: initialization only).
      n_init: number of initializations; the best mean log-likelihood wins.
      init_params: ``"kmeans"`` (k-means++ seeding plus Lloyd iterations on device),
        ``"k-means++"`` (seeding only), ``"random"`` or ``"random_from_data"``.
      weights_init: ``(n_components,)`` initial weights.
      means_init: ``(n_components, n_features)`` initial means.
      precisions_init: initial precisions (inverse covariances) in scikit-learn's layout.
      random_state: ``None``, an ``int``, a ``numpy.random.RandomState`` or a JAX key; see the
        module docstring for how it becomes a JAX key.
      warm_start: reuse the previous solution as the initialization of the next ``fit``.
      verbose: 0 silent, 1 progress, 2 progress with times and log-likelihood changes.
      verbose_interval: iterations between progress lines (for ``warm_start`` continuations;
        an ordinary fit runs all iterations inside one compiled loop and reports at its end).

    Attributes:
      weights_: ``(n_components,)``.
      means_: ``(n_components, n_features)``.
      covariances_: full ``(K, d, d)``, tied ``(d, d)``, diag ``(K, d)``, spherical ``(K,)``.
      precisions_: inverses of ``covariances_``, same layout.
      precisions_cholesky_: upper-triangular ``U`` with ``U @ U.T = precisions_`` (full, tied);
        square roots of ``precisions_`` (diag, spherical).
      converged_: whether the best initialization met ``tol`` within ``max_iter``.
      n_iter_: EM iterations of the best initialization.
      lower_bound_: mean log-likelihood of the training data at the last EM iteration of the
        best initialization.
      n_features_in_: number of columns seen in ``fit``.
      feature_names_in_: column names, when ``X`` was a DataFrame with string column names.

    Example:
      >>> import numpy as np
      >>> from jaxgauss.sklearn import GaussianMixture
      >>> rng = np.random.default_rng(0)
      >>> X = np.vstack([rng.normal(-4, 1, (200, 2)), rng.normal(4, 1, (200, 2))])
      >>> gm = GaussianMixture(n_components=2, random_state=0).fit(X)
      >>> np.round(np.sort(gm.means_[:, 0]))
      array([-4.,  4.])
    """

    def __init__(
        self,
        n_components: int = 1,
        *,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        n_init: int = 1,
        init_params: str = "kmeans",
        weights_init: Any = None,
        means_init: Any = None,
        precisions_init: Any = None,
        random_state: Any = None,
        warm_start: bool = False,
        verbose: int = 0,
        verbose_interval: int = 10,
    ) -> None:
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval

    # ---------------------------------------------------------------------------- fitting

    def fit(self, X: Any, y: Any = None) -> GaussianMixture:
        """Estimates the parameters with EM; returns ``self``.

        Args:
          X: ``(n_samples, n_features)`` data.
          y: ignored.

        Raises:
          ValueError: invalid arguments or data (NaN/inf, fewer rows than components, ...).

        Warns:
          ConvergenceWarning: the best initialization did not converge in ``max_iter``.
        """
        self.fit_predict(X, y)
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fits the mixture and returns the most probable component of each row of ``X``."""
        _check_params(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n, d = X.shape
        k = self.n_components
        if n < k:
            raise ValueError(
                f"Expected n_samples >= n_components but got n_components = {k}, n_samples = {n}"
            )
        user = self._checked_inits(d)
        continuing = self.warm_start and hasattr(self, "converged_")
        key = _key_from_random_state(self.random_state)
        with _precision(X.dtype):
            data = _Rows.pad(X)
            if continuing:
                result = self._continue_em(data)
            else:
                result = self._fresh_em(key, data, user)
            params, lower_bound, n_iter, converged, history = result
            labels = np.asarray(jg.predict(params, data.x))[: data.n]
            self._set_fitted(params, X.dtype)
        if not converged and self.max_iter > 0:
            warnings.warn(
                "Best performing initialization did not converge. Try different init "
                "parameters, or increase max_iter, tol, or check for degenerate data.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.converged_ = bool(converged)
        self.n_iter_ = int(n_iter)
        self.lower_bound_ = float(lower_bound)
        self.lower_bounds_ = [float(v) for v in history]
        return labels

    def _checked_inits(self, d: int) -> dict[str, np.ndarray | None]:
        k, ct = self.n_components, self.covariance_type
        return {
            "weights": None
            if self.weights_init is None
            else _check_weights_init(self.weights_init, k),
            "means": None if self.means_init is None else _check_means_init(self.means_init, k, d),
            "precisions": (
                None
                if self.precisions_init is None
                else _check_precisions_init(self.precisions_init, ct, k, d)
            ),
        }

    def _em(self, key: jax.Array, data: _Rows, *, max_iter: int, params_init=None, **kw):
        """One call of :func:`jaxgauss.fit_gmm` with this estimator's settings."""
        return jg.fit_gmm(
            key,
            data.x,
            self.n_components,
            covariance_type=self.covariance_type,
            max_iter=max_iter,
            tol=self.tol,
            reg_covar=self.reg_covar,
            init=_INIT_NAMES[self.init_params],
            sample_weight=data.weights,
            params_init=params_init,
            **kw,
        )

    def _fresh_em(self, key: jax.Array, data: _Rows, user: dict[str, Any]) -> tuple:
        """Initialization (or the user's initial parameters) followed by EM."""
        self._verbose_init_begin(0)
        params_init = None
        n_init = self.n_init
        if any(v is not None for v in user.values()):
            params_init = self._user_params_init(key, data, user)
            n_init = 1  # every restart would start from the same given parameters
        if self.max_iter == 0:
            if params_init is None:
                params_init = self._em(key, data, max_iter=0).params
            self._verbose_init_end(-np.inf, False)
            return params_init, -np.inf, 0, False, []
        fit = self._em(key, data, max_iter=self.max_iter, params_init=params_init, n_init=n_init)
        history = _history(fit)
        self._verbose_iterations(history, -np.inf)
        self._verbose_init_end(float(fit.log_likelihood), bool(fit.converged))
        return fit.params, fit.log_likelihood, fit.n_iter, fit.converged, history

    def _user_params_init(self, key: jax.Array, data: _Rows, user: dict[str, Any]):
        """GMMParams from ``weights_init``/``means_init``/``precisions_init``.

        Missing pieces come from the ``init_params`` initialization (``jg.fit_gmm`` with
        ``max_iter=0``), as in scikit-learn, whose covariances are then those estimated around
        the initialization's own means.
        """
        ct, dtype = self.covariance_type, data.x.dtype
        weights = means = scales = None
        if any(v is None for v in user.values()):
            base = self._em(key, data, max_iter=0).params
            weights, means, scales = base.weights, base.means, base.scales
        if user["weights"] is not None:
            weights = jnp.asarray(user["weights"], dtype)
        if user["means"] is not None:
            means = jnp.asarray(user["means"], dtype)
        if user["precisions"] is not None:
            prec = np.asarray(user["precisions"], np.float64)
            chol = _chol_from_precisions(prec, ct)
            scales = jnp.asarray(_scales_from_precisions_cholesky(chol, ct), dtype)
        return jg.GMMParams(weights, means, scales, covariance_type=ct)

    def _continue_em(self, data: _Rows) -> tuple:
        """warm_start: EM from the fitted parameters.

        scikit-learn compares the first new log-likelihood with the stored ``lower_bound_``
        (so a converged model stops after one iteration), whereas ``jg.fit_gmm`` compares it
        with ``-inf``. Both then apply the same rule, so one call gives scikit-learn's result
        unless the first change is already below ``tol``; in that case a one-iteration call
        reproduces scikit-learn's stop.
        """
        params = self._get_params_tree(data.x.dtype)
        previous = self.lower_bound_
        self._verbose_init_begin(0)
        if self.max_iter == 0:
            self._verbose_init_end(-np.inf, False)
            return params, -np.inf, 0, False, []
        key = jax.random.key(0)  # unused: jg.fit_gmm ignores the key given params_init
        fit = self._em(key, data, max_iter=self.max_iter, params_init=params)
        history = _history(fit)
        if abs(history[0] - previous) < self.tol:
            fit = self._em(key, data, max_iter=1, params_init=params)
            history = _history(fit)
            converged = True
        else:
            converged = bool(fit.converged)
        self._verbose_iterations(history, previous)
        self._verbose_init_end(float(fit.log_likelihood), converged)
        return fit.params, fit.log_likelihood, fit.n_iter, converged, history

    # ---------------------------------------------------------------------------- attributes

    def _set_fitted(self, params: Any, dtype: Any) -> None:
        ct = self.covariance_type
        self.weights_ = np.asarray(params.weights, dtype=dtype)
        self.means_ = np.asarray(params.means, dtype=dtype)
        self.covariances_ = np.asarray(jg.covariances(params), dtype=dtype)
        self.precisions_cholesky_ = np.asarray(jg.precisions_cholesky(params), dtype=dtype)
        self.precisions_ = _precisions_from_cholesky(self.precisions_cholesky_, ct)

    def _get_params_tree(self, dtype: Any = None):
        """The fitted parameters as a :class:`jaxgauss.GMMParams` (for the jaxgauss API)."""
        dtype = self.means_.dtype if dtype is None else dtype
        ct = self.covariance_type
        scales = _scales_from_precisions_cholesky(np.asarray(self.precisions_cholesky_), ct)
        return jg.GMMParams(
            jnp.asarray(self.weights_, dtype),
            jnp.asarray(self.means_, dtype),
            jnp.asarray(scales, dtype),
            covariance_type=ct,
        )

    @property
    def params_(self):
        """The fitted mixture as a :class:`jaxgauss.GMMParams`, for the functional API.

        In the fitted dtype where JAX allows it: a float64 fit gives float32 arrays unless
        ``jax_enable_x64`` is on (the functions it is passed to would compute in float32).
        """
        check_is_fitted(self)
        return self._get_params_tree(jax.dtypes.canonicalize_dtype(self.means_.dtype))

    # ---------------------------------------------------------------------------- inference

    def _apply(self, fn: Any, X: Any) -> np.ndarray:
        """``fn(params, rows)`` on validated ``X`` (rows padded to a bucket, then cut)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        dtype = np.result_type(X.dtype, self.means_.dtype)
        with _precision(dtype):
            data = _Rows.pad(X.astype(dtype, copy=False))
            return np.asarray(fn(self._get_params_tree(dtype), data.x))[: data.n]

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-density of each row of ``X``: ``(n_samples,)``."""
        return self._apply(jg.log_prob, X)

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-density of the rows of ``X``."""
        return float(np.mean(self.score_samples(X)))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable component of each row: ``(n_samples,)`` integers."""
        return self._apply(jg.predict, X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior component probabilities: ``(n_samples, n_components)``."""
        return self._apply(jg.predict_proba, X)

    def bic(self, X: Any) -> float:
        """Bayesian information criterion ``-2 log L + p log n`` (lower is better)."""
        n = np.shape(X)[0]
        return -2.0 * self.score(X) * n + self._n_parameters() * np.log(n)

    def aic(self, X: Any) -> float:
        """Akaike information criterion ``-2 log L + 2 p`` (lower is better)."""
        n = np.shape(X)[0]
        return -2.0 * self.score(X) * n + 2.0 * self._n_parameters()

    def _n_parameters(self) -> int:
        with _precision(self.means_.dtype):
            return int(jg.n_parameters(self._get_params_tree()))

    def sample(self, n_samples: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """Draws ``n_samples`` rows and their component labels.

        The rows come from :func:`jaxgauss.sample` with the key derived from ``random_state``
        (an ``int`` seed gives the same rows on every call). Unlike scikit-learn, rows are not
        grouped by component; they are in the order of the jaxgauss sample stream.

        Returns:
          ``(X, y)``: ``(n_samples, n_features)`` float64 rows, ``(n_samples,)`` int64 labels.
        """
        check_is_fitted(self)
        if not _is_int(n_samples) or n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples!r} . The sampling requires at least "
                "one sample."
            )
        key = jax.random.fold_in(_key_from_random_state(self.random_state), 1)
        with _precision(self.means_.dtype):
            x, labels = jg.sample(key, self._get_params_tree(), int(n_samples), return_labels=True)
        return np.asarray(x, dtype=np.float64), np.asarray(labels, dtype=np.int64)

    # ---------------------------------------------------------------------------- verbose

    def _verbose_init_begin(self, index: int) -> None:
        if self.verbose:
            print(f"Initialization {index}")
            self._init_t0 = time.perf_counter()

    def _verbose_iterations(self, history: list[float], previous: float) -> None:
        # The EM loop runs inside one compiled program; its per-iteration log-likelihoods are
        # reported after it ends (no timings per iteration).
        if not self.verbose:
            return
        for it, ll in enumerate(history, start=1):
            if it % self.verbose_interval == 0:
                if self.verbose >= 2:
                    print(f"  Iteration {it}\t ll change {ll - previous:.5f}")
                else:
                    print(f"  Iteration {it}")
            previous = ll

    def _verbose_init_end(self, lower_bound: float, converged: bool) -> None:
        if not self.verbose:
            return
        msg = "converged" if converged else "did not converge"
        if self.verbose >= 2:
            t = time.perf_counter() - self._init_t0
            print(f"Initialization {msg}. time lapse {t:.5f}s\t lower bound {lower_bound:.5f}.")
        else:
            print(f"Initialization {msg}.")


def _history(fit: Any) -> list[float]:
    """Per-iteration mean log-likelihoods of a GMMFit, when the core records them."""
    hist = getattr(fit, "history", None)
    if hist is None:
        return [float(fit.log_likelihood)]
    hist = np.asarray(hist, dtype=np.float64)
    return [float(v) for v in hist[: int(fit.n_iter)]]
