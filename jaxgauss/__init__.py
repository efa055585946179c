"""jaxgauss: Gaussian synthetic data in JAX.

Import as ``import jaxgauss as jg``. The public API is listed in ``__all__``.
"""

from jaxgauss import datasets as datasets
from jaxgauss import distributed as distributed
from jaxgauss import linalg as linalg
from jaxgauss import marginals as marginals
from jaxgauss import metrics as metrics
from jaxgauss import moments as moments
from jaxgauss import privacy as privacy
from jaxgauss import random as random
from jaxgauss import tables as tables
from jaxgauss import transforms as transforms
from jaxgauss.conditional import complete_rows as complete_rows
from jaxgauss.conditional import condition as condition
from jaxgauss.constraints import Constraints as Constraints
from jaxgauss.constraints import sample_constrained as sample_constrained
from jaxgauss.copula import CopulaParams as CopulaParams
from jaxgauss.copula import CopulaReport as CopulaReport
from jaxgauss.copula import fit_copula as fit_copula
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
from jaxgauss.outofcore import fit_gmm_chunked as fit_gmm_chunked
from jaxgauss.selection import Selection as Selection
from jaxgauss.selection import select_gmm as select_gmm
from jaxgauss.sgd import SGDFit as SGDFit
from jaxgauss.sgd import fit_gmm_sgd as fit_gmm_sgd
from jaxgauss.synthesizer import Synthesizer as Synthesizer
from jaxgauss.writers import sample_to as sample_to

__version__ = "0.1.0"

__all__ = [
    "ComponentCollapseWarning",
    "Constraints",
    "CopulaParams",
    "CopulaReport",
    "CovarianceEstimate",
    "Factorization",
    "FactorizationWarning",
    "GMMFit",
    "GMMParams",
    "GaussianParams",
    "SGDFit",
    "Selection",
    "Synthesizer",
    "aic",
    "bic",
    "complete_rows",
    "condition",
    "covariances",
    "datasets",
    "distributed",
    "estimate_covariance",
    "factorize",
    "fit_copula",
    "fit_gaussian",
    "fit_gmm",
    "fit_gmm_chunked",
    "fit_gmm_sgd",
    "gaussian",
    "gmm_params",
    "linalg",
    "log_prob",
    "marginals",
    "metrics",
    "moments",
    "n_parameters",
    "precisions_cholesky",
    "predict",
    "predict_proba",
    "privacy",
    "random",
    "sample",
    "sample_constrained",
    "sample_to",
    "select_gmm",
    "tables",
    "transforms",
]
