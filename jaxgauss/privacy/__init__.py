"""Privacy: distance to closest record and related ratios; differentially private fitting."""

from jaxgauss.privacy.dcr import NearestDistances as NearestDistances
from jaxgauss.privacy.dcr import dcr as dcr
from jaxgauss.privacy.dcr import dcr_holdout_share as dcr_holdout_share
from jaxgauss.privacy.dcr import nearest_distances as nearest_distances
from jaxgauss.privacy.dcr import nndr as nndr
from jaxgauss.privacy.dp import DPReport as DPReport
from jaxgauss.privacy.dp import analytic_gaussian_delta as analytic_gaussian_delta
from jaxgauss.privacy.dp import analytic_gaussian_sigma as analytic_gaussian_sigma
from jaxgauss.privacy.dp import dp_fit_gaussian as dp_fit_gaussian

__all__ = [
    "DPReport",
    "NearestDistances",
    "analytic_gaussian_delta",
    "analytic_gaussian_sigma",
    "dcr",
    "dcr_holdout_share",
    "dp_fit_gaussian",
    "nearest_distances",
    "nndr",
]
