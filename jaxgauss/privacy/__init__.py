"""Privacy checks for synthetic data (distance to closest record and related ratios)."""

from jaxgauss.privacy.dcr import NearestDistances as NearestDistances
from jaxgauss.privacy.dcr import dcr as dcr
from jaxgauss.privacy.dcr import dcr_holdout_share as dcr_holdout_share
from jaxgauss.privacy.dcr import nearest_distances as nearest_distances
from jaxgauss.privacy.dcr import nndr as nndr

__all__ = ["NearestDistances", "dcr", "dcr_holdout_share", "nearest_distances", "nndr"]
