"""Candidate sites for new stations: a grid over populated areas, named places, a file.

Every candidate is snapped to its nearest road node; candidates on the same node are merged
(the first one listed wins: existing stations, places, the file, demand nodes, the grid), and
candidates farther than ``max_snap_meters`` from any road are dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from optimizer.geo.network import RoadNetwork


@dataclass(frozen=True)
class CandidateSites:
    """Candidate sites, one per road node.

    Attributes:
        table: columns ``id``, ``source`` (existing / place / file / demand / grid), ``lon``,
            ``lat`` (degrees), ``x_meters``, ``y_meters`` (network CRS), ``node`` (network node
            index), ``snap_meters``.
        dropped_far_from_road: candidates dropped for lying beyond ``max_snap_meters``.
        merged_same_node: candidates dropped because an earlier one sits on the same node.
    """

    table: pd.DataFrame
    dropped_far_from_road: int
    merged_same_node: int


def grid_over_population(
    x_meters: np.ndarray, y_meters: np.ndarray, residents: np.ndarray, *, spacing_meters: float
) -> tuple[np.ndarray, np.ndarray]:
    """Square-grid points at ``spacing_meters`` within one spacing of a populated point.

    Args:
        x_meters, y_meters: demand point coordinates (projected, metres).
        residents: residents per demand point; points with none do not attract grid points.
        spacing_meters: distance between neighbouring grid points.

    Returns:
        ``(x_meters, y_meters)`` of the grid points kept.
    """
    populated = np.asarray(residents) > 0
    x, y = np.asarray(x_meters)[populated], np.asarray(y_meters)[populated]
    if len(x) == 0:
        return np.empty(0), np.empty(0)
    xs = np.arange(x.min(), x.max() + spacing_meters, spacing_meters)
    ys = np.arange(y.min(), y.max() + spacing_meters, spacing_meters)
    grid_x, grid_y = (axis.ravel() for axis in np.meshgrid(xs, ys))
    distance, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([grid_x, grid_y]))
    near = distance <= spacing_meters
    return grid_x[near], grid_y[near]


def grid_places(
    network: RoadNetwork,
    x_meters: np.ndarray,
    y_meters: np.ndarray,
    residents: np.ndarray,
    *,
    spacing_meters: float,
) -> pd.DataFrame:
    """The population grid as places (``id`` grid-<n>, ``source`` grid, ``lon``, ``lat``)."""
    grid_x, grid_y = grid_over_population(
        x_meters, y_meters, residents, spacing_meters=spacing_meters
    )
    lon, lat = network.lonlat_of(grid_x, grid_y)
    ids = [f"grid-{index}" for index in range(len(grid_x))]
    return pd.DataFrame({"id": ids, "source": "grid", "lon": lon, "lat": lat})


def snap_candidates(
    network: RoadNetwork, places: pd.DataFrame, *, max_snap_meters: float
) -> CandidateSites:
    """Project and snap candidate places to the network, one candidate per node.

    Args:
        network: the road network.
        places: columns ``id``, ``source``, ``lon``, ``lat`` in priority order.
        max_snap_meters: farthest allowed distance from a road node.

    Returns:
        The kept candidates with their node and snap distance.
    """
    x_meters, y_meters = network.project(places["lon"].to_numpy(), places["lat"].to_numpy())
    node, snap_meters = network.nearest_nodes(x_meters, y_meters)
    table = places.assign(x_meters=x_meters, y_meters=y_meters, node=node, snap_meters=snap_meters)
    near = table["snap_meters"] <= max_snap_meters
    unique = ~table["node"].duplicated() & near
    kept = table[unique].reset_index(drop=True)
    return CandidateSites(
        table=kept,
        dropped_far_from_road=int((~near).sum()),
        merged_same_node=int(near.sum() - unique.sum()),
    )
