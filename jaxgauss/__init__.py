"""jaxgauss: Gaussian synthetic data in JAX.

Import as ``import jaxgauss as jg``. The public API is listed in ``__all__``.
"""

from jaxgauss import datasets as datasets
from jaxgauss import linalg as linalg
from jaxgauss import moments as moments
from jaxgauss import random as random
from jaxgauss.dispatch import log_prob as log_prob
from jaxgauss.dispatch import sample as sample
from jaxgauss.em import ComponentCollapseWarning as ComponentCollapseWarning
from jaxgauss.em import GMMFit as GMMFit
from jaxgauss.em import fit_gmm as fit_gmm
from jaxgauss.estimation import CovarianceEstimate as CovarianceEstimate
from jaxgauss.estimation import estimate_covariance as estimate_covariance
from jaxgauss.estimation import fit_gaussian as fit_gaussian
from jaxgauss.gaussian import GaussianParams as GaussianParams
from jaxgauss.gaussian import gaussian as gaussian
from jaxgauss.linalg import Factorization as Factorization
from jaxgauss.linalg import FactorizationWarning as FactorizationWarning
from jaxgauss.linalg import factorize as factorize
from jaxgauss.mixture import GMMParams as GMMParams
from jaxgauss.mixture import aic as aic
from jaxgauss.mixture import bic as bic
from jaxgauss.mixture import covariances as covariances
from jaxgauss.mixture import gmm_params as gmm_params
from jaxgauss.mixture import n_parameters as n_parameters
from jaxgauss.mixture import precisions_cholesky as precisions_cholesky
from jaxgauss.mixture import predict as predict
from jaxgauss.mixture import predict_proba as predict_proba
from jaxgauss.selection import Selection as Selection
from jaxgauss.selection import select_gmm as select_gmm

__version__ = "0.1.0"

__all__ = [
    "ComponentCollapseWarning",
    "CovarianceEstimate",
    "Factorization",
    "FactorizationWarning",
    "GMMFit",
    "GMMParams",
    "GaussianParams",
    "Selection",
    "aic",
    "bic",
    "covariances",
    "datasets",
    "estimate_covariance",
    "factorize",
    "fit_gaussian",
    "fit_gmm",
    "gaussian",
    "gmm_params",
    "linalg",
    "log_prob",
    "moments",
    "n_parameters",
    "precisions_cholesky",
    "predict",
    "predict_proba",
    "random",
    "sample",
    "select_gmm",
]
