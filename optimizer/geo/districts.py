"""Districts: the areas the density rule counts stations in, each urban or rural.

Districts come from a polygon layer, or are derived as the H3 cells (of a coarser resolution)
that contain the population features. A district is urban when its residents per km² of
populated area reach a threshold; populated area is the summed area of the population features
inside it (or the district's own area when the population layer has no areas).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pyproj
import shapely

from optimizer.errors import DataError
from optimizer.geo.vector import read_vector_layer
from optimizer.tables import reject_rows


@dataclass(frozen=True)
class Districts:
    """Districts with their residents and urban flag.

    Attributes:
        names: district name (H3 cell id when derived), shape ``(k,)``.
        geometry: district polygons, EPSG:4326.
        residents: residents per district.
        populated_area_km2: populated area per district, km².
        urban: whether the density rule applies to the district.
        h3_resolution: the H3 resolution when the districts are H3 cells, else None.
    """

    names: np.ndarray
    geometry: gpd.GeoSeries
    residents: np.ndarray
    populated_area_km2: np.ndarray
    urban: np.ndarray
    h3_resolution: int | None = None

    @property
    def residents_per_km2(self) -> np.ndarray:
        """Residents per km² of populated area (0 where the area is 0)."""
        area = self.populated_area_km2
        return np.divide(self.residents, area, out=np.zeros_like(area), where=area > 0)

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """District index of each point (degrees, WGS84); -1 outside every district."""
        if self.h3_resolution is None:
            return locate_in_polygons(self.geometry, lon, lat)
        cells = _h3_cells(lon, lat, self.h3_resolution)
        index = np.minimum(np.searchsorted(self.names, cells), len(self.names) - 1)
        return np.where(self.names[index] == cells, index, -1)


def locate_in_polygons(polygons: gpd.GeoSeries, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Index of the first polygon containing each point; -1 where none does."""
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    point_index, polygon_index = polygons.sindex.query(points, predicate="intersects")
    located = np.full(len(points), -1, dtype=np.int64)
    # Keep the first polygon per point: assign in reverse so the lowest index wins.
    located[point_index[::-1]] = polygon_index[::-1]
    return located


def derive_h3_districts(
    lon: np.ndarray,
    lat: np.ndarray,
    residents: np.ndarray,
    *,
    area_km2: np.ndarray | None,
    resolution: int,
    urban_min_residents_per_km2: float,
) -> tuple[Districts, np.ndarray]:
    """Districts as the H3 cells of ``resolution`` holding the given population features.

    Args:
        lon, lat: representative point of each population feature, degrees.
        residents: residents of each feature.
        area_km2: area of each feature in km², or None for point features.
        resolution: H3 resolution of the districts (7 ≈ 5.2 km² per cell).
        urban_min_residents_per_km2: density at or above which a district is urban.

    Returns:
        The districts and the district index of each feature.
    """
    cells = _h3_cells(lon, lat, resolution)
    names = np.unique(cells)
    geometry = gpd.GeoSeries(
        [shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(cell)]) for cell in names],
        crs="EPSG:4326",
    )
    feature_district = np.searchsorted(names, cells)
    summary = _summarise(
        names, geometry, feature_district, residents, area_km2, urban_min_residents_per_km2
    )
    return replace(summary, h3_resolution=resolution), feature_district


def _h3_cells(lon: np.ndarray, lat: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell id (str) of each point at ``resolution``."""
    return np.array(
        [h3.latlng_to_cell(y, x, resolution) for x, y in zip(lon, lat, strict=True)], dtype=str
    )


def read_district_layer(
    path: Path,
    *,
    layer: str | None,
    name_field: str,
    lon: np.ndarray,
    lat: np.ndarray,
    residents: np.ndarray,
    area_km2: np.ndarray | None,
    urban_min_residents_per_km2: float,
    urban_field: str | None = None,
) -> tuple[Districts, np.ndarray]:
    """Districts from a polygon layer; features are placed by their representative point.

    A district is urban by its ``urban_field`` flag when given (``URBAN_FLAGS``), else by its
    density (residents per km² at or above ``urban_min_residents_per_km2``).

    Returns:
        The districts and the district index of each feature (-1: in no district).

    Raises:
        DataError: unreadable layer, no CRS, no ``name_field`` (or ``urban_field``), a feature
            without a polygon, a name or a flag, or with the name of an earlier one (naming its
            row; features count from 1), or districts that hold no population feature at all
            (a wrong CRS).
    """
    frame = read_vector_layer(path, layer, what="district layer")
    if name_field not in frame.columns or name_field == frame.geometry.name:
        raise DataError(path, f"no field {name_field!r} in the district layer", field=name_field)
    rows = np.arange(len(frame)) + 1
    polygons = frame.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    reject_rows(path, rows, ~polygons, "geometry", "not a polygon")
    names = frame[name_field].astype("string").str.strip().fillna("").to_numpy(dtype=str)
    reject_rows(path, rows, names == "", name_field, "no district name")
    repeated = pd.Series(names).duplicated().to_numpy()
    reject_rows(path, rows, repeated, name_field, "the name of an earlier district")
    geometry = frame.geometry.to_crs("EPSG:4326").reset_index(drop=True)
    outside = ~np.isfinite(geometry.bounds.to_numpy()).all(axis=1)
    reject_rows(path, rows, outside, "geometry", "coordinates beyond its CRS; check the CRS")
    feature_district = locate_in_polygons(geometry, lon, lat)
    if len(feature_district) and (feature_district < 0).all():
        raise DataError(
            path, "no population feature lies in any district: check the district layer's CRS"
        )
    districts = _summarise(
        names, geometry, feature_district, residents, area_km2, urban_min_residents_per_km2
    )
    if urban_field is not None:
        districts = replace(districts, urban=_urban_flags(path, frame, urban_field, rows))
    return districts, feature_district


URBAN_FLAGS = {
    **dict.fromkeys(("true", "yes", "1", "urban"), True),
    **dict.fromkeys(("false", "no", "0", "rural"), False),
}
"""A district layer's urban flag: each accepted value (case-insensitive) and what it says."""


def _urban_flags(path: Path, frame: gpd.GeoDataFrame, field: str, rows: np.ndarray) -> np.ndarray:
    """(k,) bool: the ``field`` flag of each district (``URBAN_FLAGS``)."""
    if field not in frame.columns or field == frame.geometry.name:
        raise DataError(path, f"no field {field!r} in the district layer", field=field)
    values = frame[field].astype("string").str.strip().str.lower().fillna("")
    values = values.str.replace(r"\.0$", "", regex=True).to_numpy(dtype=str)
    known = np.isin(values, list(URBAN_FLAGS))
    accepted = "/".join(URBAN_FLAGS)
    reject_rows(path, rows, ~known, field, f"not an urban flag (one of {accepted})")
    return np.array([URBAN_FLAGS[value] for value in values], dtype=bool)


def _summarise(
    names: np.ndarray,
    geometry: gpd.GeoSeries,
    feature_district: np.ndarray,
    residents: np.ndarray,
    area_km2: np.ndarray | None,
    urban_min_residents_per_km2: float,
) -> Districts:
    inside = feature_district >= 0
    count = len(names)
    district_residents = np.bincount(
        feature_district[inside],
        weights=np.asarray(residents, dtype=float)[inside],
        minlength=count,
    )
    if area_km2 is None:
        populated_km2 = _geodesic_km2(geometry)
    else:
        populated_km2 = np.bincount(
            feature_district[inside], weights=np.asarray(area_km2)[inside], minlength=count
        )
    density = np.divide(
        district_residents,
        populated_km2,
        out=np.zeros(count),
        where=populated_km2 > 0,
    )
    return Districts(
        names=names,
        geometry=geometry,
        residents=district_residents,
        populated_area_km2=populated_km2,
        urban=density >= urban_min_residents_per_km2,
    )


def _geodesic_km2(geometry: gpd.GeoSeries) -> np.ndarray:
    """Area of each polygon in km² on the WGS84 ellipsoid (exact anywhere on Earth, where a
    UTM projection exists only away from the poles)."""
    geod = pyproj.Geod(ellps="WGS84")
    polygons = geometry.to_crs("EPSG:4326")
    return np.array([abs(geod.geometry_area_perimeter(p)[0]) / 1e6 for p in polygons])
