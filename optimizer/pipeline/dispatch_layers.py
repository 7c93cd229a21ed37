"""A dispatch plan as map layers: regions, moves, unmet regions and the extract's roads.

The layer names and columns follow ``optimizer.export.dispatch_layers`` (the export contract).
Every layer is in EPSG:4326, at the regions' points; the moves and unmet tables are the ones
``moves.csv`` and ``unmet.csv`` hold (with the regions' names), so the files agree.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from optimizer.dispatch.plan import DispatchPlan
from optimizer.geo.streets import StreetIndex

CRS = "EPSG:4326"


def dispatch_layers(
    plan: DispatchPlan,
    *,
    moves: pd.DataFrame,
    unmet: pd.DataFrame,
    regions: pd.DataFrame,
    names: dict[str, str],
    streets: StreetIndex | None,
) -> dict[str, gpd.GeoDataFrame]:
    """The export layers of ``plan`` (``regions``, ``moves``, ``unmet_regions`` and, with
    ``streets``, ``roads``).

    Args:
        plan: a plan of a problem with region coordinates.
        moves, unmet: the plan's moves and unmet tables with the regions' names beside their
            ids (``from_name``, ``to_name``, ``region_name``), in the plan's row order.
        regions: the regions table (``region``, ``priority``).
        names: region id → name.
        streets: the OSM extract's streets, whose ``roads`` the maps draw.

    Raises:
        ValueError: the plan has no region coordinates.
    """
    if plan.coordinates is None:
        raise ValueError("the dispatch problem has no region coordinates")
    ids = regions["region"].astype(str).to_numpy(dtype=object)
    points = pd.Series(
        shapely.points(np.array([plan.coordinates[region] for region in ids]).reshape(-1, 2)),
        index=ids,
    )
    layers = {
        "regions": _regions(regions, ids, names, moves, unmet, points),
        "moves": gpd.GeoDataFrame(
            moves.reset_index(drop=True),
            geometry=plan.to_geodataframe().geometry.to_numpy(),
            crs=CRS,
        ),
        "unmet_regions": gpd.GeoDataFrame(
            unmet.reset_index(drop=True),
            geometry=points.reindex(unmet["region"].astype(str)).to_numpy(),
            crs=CRS,
        ),
    }
    if streets is not None:
        layers["roads"] = streets.roads.to_crs(CRS)
    return layers


def _regions(
    regions: pd.DataFrame,
    ids: np.ndarray,
    names: dict[str, str],
    moves: pd.DataFrame,
    unmet: pd.DataFrame,
    points: pd.Series,
) -> gpd.GeoDataFrame:
    """Every region with its units received, own units sent and units left unmet."""
    own = moves[moves["lender"] == "own"]
    return gpd.GeoDataFrame(
        {
            "region": ids,
            "name": [names[region] for region in ids],
            "priority": regions["priority"].to_numpy(dtype=np.int64),
            "received_units": _units_by_region(moves, "to_region", "units", ids),
            "sent_units": _units_by_region(own, "from_region", "units", ids),
            "unmet_units": _units_by_region(unmet, "region", "unmet_units", ids),
        },
        geometry=points.to_numpy(),
        crs=CRS,
    )


def _units_by_region(table: pd.DataFrame, region: str, units: str, ids: np.ndarray) -> np.ndarray:
    """``table[units]`` summed by ``table[region]``, one int per id in ``ids`` (0 when absent)."""
    sums = table.groupby(table[region].astype(str))[units].sum()
    return sums.reindex(ids, fill_value=0).to_numpy(dtype=np.int64)
