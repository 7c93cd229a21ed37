"""Travel without a road network: straight-line distance × a detour factor at a stated speed."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from optimizer.geo.traveltime import MIN_STORED_MINUTES


def straight_line_minutes(
    origins_xy: np.ndarray,
    destinations_xy: np.ndarray,
    *,
    speed_kmh: float,
    detour_factor: float,
    cutoff_minutes: float,
) -> sp.csr_array:
    """Minutes between points in a metric CRS, as straight-line metres × ``detour_factor`` at
    ``speed_kmh``, keeping pairs within ``cutoff_minutes``.

    Args:
        origins_xy, destinations_xy: ``(n, 2)`` and ``(m, 2)`` coordinates in metres.
        speed_kmh: travel speed, km/h.
        detour_factor: route metres per straight metre (>= 1).
        cutoff_minutes: pairs farther apart are left out.

    Returns:
        ``(n, m)`` CSR array of minutes; stored entries are the pairs within the cutoff
        (0-minute pairs stored as ``MIN_STORED_MINUTES``), as ``geo.traveltime`` stores them.
    """
    meters_per_minute = speed_kmh * 1000.0 / 60.0
    radius = cutoff_minutes * meters_per_minute / detour_factor
    pairs = cKDTree(origins_xy).sparse_distance_matrix(
        cKDTree(destinations_xy), radius, output_type="coo_matrix"
    )
    minutes = np.maximum(pairs.data * detour_factor / meters_per_minute, MIN_STORED_MINUTES)
    shape = (len(origins_xy), len(destinations_xy))
    return sp.csr_array((minutes, (pairs.row, pairs.col)), shape=shape)
