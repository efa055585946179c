"""Fidelity metrics for synthetic data: KS tests, correlations, distribution distances, reports."""

from jaxgauss.metrics.ks import KSResult as KSResult
from jaxgauss.metrics.ks import ks_2samp as ks_2samp
from jaxgauss.metrics.ks import ks_statistic as ks_statistic

__all__ = ["KSResult", "ks_2samp", "ks_statistic"]
