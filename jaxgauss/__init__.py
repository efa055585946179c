"""jaxgauss: Gaussian synthetic data in JAX.

Import as ``import jaxgauss as jg``. The public API is listed in ``__all__``.
"""

from jaxgauss import datasets as datasets
from jaxgauss import distributed as distributed
from jaxgauss import linalg as linalg
from jaxgauss import metrics as metrics
from jaxgauss import moments as moments
from jaxgauss import privacy as privacy
from jaxgauss import random as random
from jaxgauss.dispatch import log_prob as log_prob
from jaxgauss.dispatch import sample as sample
from jaxgauss.estimation import CovarianceEstimate as CovarianceEstimate
from jaxgauss.estimation import estimate_covariance as estimate_covariance
from jaxgauss.estimation import fit_gaussian as fit_gaussian
from jaxgauss.gaussian import GaussianParams as GaussianParams
from jaxgauss.gaussian import gaussian as gaussian
from jaxgauss.linalg import Factorization as Factorization
from jaxgauss.linalg import FactorizationWarning as FactorizationWarning
from jaxgauss.linalg import factorize as factorize
from jaxgauss.writers import sample_to as sample_to

__version__ = "0.1.0"

__all__ = [
    "CovarianceEstimate",
    "Factorization",
    "FactorizationWarning",
    "GaussianParams",
    "datasets",
    "distributed",
    "estimate_covariance",
    "factorize",
    "fit_gaussian",
    "gaussian",
    "linalg",
    "log_prob",
    "metrics",
    "moments",
    "privacy",
    "random",
    "sample",
    "sample_to",
]
