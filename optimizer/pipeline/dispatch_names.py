"""What planners call each dispatch region: the regions file's ``name`` column, else the
nearest named street or place of the scenario's own OSM extract, else the region id; and that
extract's streets, read once for the names and the maps' roads."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.geo.streets import StreetIndex, read_street_index
from optimizer.pipeline.siting_names import distinct_names
from optimizer.scenario import RegionConfig

REGION_NAME_REACH_METERS = 2_000.0
"""Farthest street or place a region is named after, from its point (a region's point is its
centre, often in a park or on water: the sample's H3 cells are about 5 km² each)."""


def region_streets(regions: pd.DataFrame, region: RegionConfig | None) -> StreetIndex | None:
    """The streets, places and map roads of the scenario's OSM extract in the regions' UTM
    zone; ``None`` without a region section or without the regions' ``lat``/``lon``.

    Raises:
        DataError: an unreadable OSM extract.
    """
    if region is None or "lat" not in regions.columns:
        return None
    crs = _points(regions).estimate_utm_crs()
    return read_street_index(region.roads, crs=crs.to_string())


def region_names(regions: pd.DataFrame, streets: StreetIndex | None) -> dict[str, str]:
    """Region id → name, unique among the regions.

    Args:
        regions: the regions table (``region``, and ``name`` or ``lat``/``lon`` when known).
        streets: the extract's streets (``region_streets``) that name the regions without
            names; ``None``: such regions are named by their ids.
    """
    ids = regions["region"].astype(str).to_numpy(dtype=object)
    if "name" in regions.columns:
        return dict(zip(ids, regions["name"].astype(str), strict=True))
    if streets is None:
        return {region_id: region_id for region_id in ids}
    projected = _points(regions).to_crs(streets.crs)
    x_meters, y_meters = projected.x.to_numpy(), projected.y.to_numpy()
    street, other, _ = streets.streets.nearest(
        x_meters, y_meters, max_meters=REGION_NAME_REACH_METERS
    )
    place, _, _ = streets.places.nearest(x_meters, y_meters, max_meters=REGION_NAME_REACH_METERS)
    names = np.where(street != "", street, np.where(place != "", place, ids))
    names = distinct_names(names, np.where(street == "", "", other))
    return dict(zip(ids, (str(name) for name in names), strict=True))


def _points(regions: pd.DataFrame) -> gpd.GeoSeries:
    """The regions' points (EPSG:4326)."""
    return gpd.GeoSeries(gpd.points_from_xy(regions["lon"], regions["lat"]), crs="EPSG:4326")
