"""What planners call each dispatch region: the regions file's ``name`` column, else the
nearest named street or place of the scenario's own OSM extract, else the region id."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.geo.streets import read_street_index
from optimizer.pipeline.siting_names import distinct_names
from optimizer.scenario import RegionConfig

REGION_NAME_REACH_METERS = 2_000.0
"""Farthest street or place a region is named after, from its point (a region's point is its
centre, often in a park or on water: the sample's H3 cells are about 5 km² each)."""


def region_names(regions: pd.DataFrame, region: RegionConfig | None) -> dict[str, str]:
    """Region id → name, unique among the regions.

    Args:
        regions: the regions table (``region``, and ``name`` or ``lat``/``lon`` when known).
        region: the scenario's region section (its roads name the regions without names).
    """
    ids = regions["region"].astype(str).to_numpy(dtype=object)
    if "name" in regions.columns:
        return dict(zip(ids, regions["name"].astype(str), strict=True))
    if region is None or "lat" not in regions.columns:
        return {region_id: region_id for region_id in ids}
    points = gpd.GeoSeries(gpd.points_from_xy(regions["lon"], regions["lat"]), crs="EPSG:4326")
    crs = points.estimate_utm_crs()
    index = read_street_index(region.roads, crs=crs.to_string())
    projected = points.to_crs(crs)
    x_meters, y_meters = projected.x.to_numpy(), projected.y.to_numpy()
    street, other, _ = index.streets.nearest(
        x_meters, y_meters, max_meters=REGION_NAME_REACH_METERS
    )
    place, _, _ = index.places.nearest(x_meters, y_meters, max_meters=REGION_NAME_REACH_METERS)
    names = np.where(street != "", street, np.where(place != "", place, ids))
    names = distinct_names(names, np.where(street == "", "", other))
    return dict(zip(ids, (str(name) for name in names), strict=True))
