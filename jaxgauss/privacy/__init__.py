<<<<<<< HEAD
"""Privacy checks for synthetic data (distance to closest record and related ratios)."""

from jaxgauss.privacy.dcr import NearestDistances as NearestDistances
from jaxgauss.privacy.dcr import dcr as dcr
from jaxgauss.privacy.dcr import dcr_holdout_share as dcr_holdout_share
from jaxgauss.privacy.dcr import nearest_distances as nearest_distances
from jaxgauss.privacy.dcr import nndr as nndr

__all__ = ["NearestDistances", "dcr", "dcr_holdout_share", "nearest_distances", "nndr"]
=======
"""Privacy tools: differentially private fitting (and, on another branch, distance metrics)."""

from jaxgauss.privacy.dp import DPReport as DPReport
from jaxgauss.privacy.dp import analytic_gaussian_delta as analytic_gaussian_delta
from jaxgauss.privacy.dp import analytic_gaussian_sigma as analytic_gaussian_sigma
from jaxgauss.privacy.dp import dp_fit_gaussian as dp_fit_gaussian

__all__ = ["DPReport", "analytic_gaussian_delta", "analytic_gaussian_sigma", "dp_fit_gaussian"]
>>>>>>> copula
