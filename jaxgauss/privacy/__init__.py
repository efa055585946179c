"""Privacy tools: differentially private fitting (and, on another branch, distance metrics)."""

from jaxgauss.privacy.dp import DPReport as DPReport
from jaxgauss.privacy.dp import analytic_gaussian_delta as analytic_gaussian_delta
from jaxgauss.privacy.dp import analytic_gaussian_sigma as analytic_gaussian_sigma
from jaxgauss.privacy.dp import dp_fit_gaussian as dp_fit_gaussian

__all__ = ["DPReport", "analytic_gaussian_delta", "analytic_gaussian_sigma", "dp_fit_gaussian"]
