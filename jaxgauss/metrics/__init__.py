"""Fidelity metrics for synthetic data: KS tests, correlations, distribution distances, reports.

Exact reductions (:func:`ks_2samp`, :func:`correlation_matrix`, :func:`js_divergence`, ...),
streaming accumulators (:mod:`jaxgauss.metrics.ks_stream`, and the ``stream_*`` functions of
:mod:`jaxgauss.metrics.correlation` over the shared :mod:`jaxgauss.moments`), and
:func:`quality_report`.
"""

from jaxgauss.metrics import ks_stream as ks_stream
from jaxgauss.metrics.correlation import correlation_matrix as correlation_matrix
from jaxgauss.metrics.correlation import correlation_similarity as correlation_similarity
from jaxgauss.metrics.distances import boundary_adherence as boundary_adherence
from jaxgauss.metrics.distances import js_divergence as js_divergence
from jaxgauss.metrics.distances import range_coverage as range_coverage
from jaxgauss.metrics.distances import tv_complement as tv_complement
from jaxgauss.metrics.ks import KSResult as KSResult
from jaxgauss.metrics.ks import ks_2samp as ks_2samp
from jaxgauss.metrics.ks import ks_statistic as ks_statistic
from jaxgauss.metrics.report import QualityReport as QualityReport
from jaxgauss.metrics.report import Thresholds as Thresholds
from jaxgauss.metrics.report import quality_report as quality_report

__all__ = [
    "KSResult",
    "QualityReport",
    "Thresholds",
    "boundary_adherence",
    "correlation_matrix",
    "correlation_similarity",
    "js_divergence",
    "ks_2samp",
    "ks_statistic",
    "ks_stream",
    "quality_report",
    "range_coverage",
    "tv_complement",
]
