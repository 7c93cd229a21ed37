"""Street names and map roads from an OpenStreetMap extract: what makes a plan readable.

Read once from the scenario's own ``.osm.pbf`` (pyosmium, node locations resolved by
libosmium), in the network's projected CRS:

* named streets: every ``highway`` way of a street class (``STREET_CLASSES``: roads and
  pedestrian streets, not footways, cycleways or bus lanes) with a ``name`` tag, as a line
  (``StreetIndex.streets``);
* named places: every node with a ``name`` tag (a bus stop, a square, a shop), as a point
  (``StreetIndex.places``), the fallback where no named street is near;
* map roads: the major roads (``MAP_ROAD_CLASSES``: motorway to tertiary and their links) with
  their name and class, drawn beneath the plan on the maps so they read without a tile server.
  An extract without major roads draws its minor ones (``MINOR_ROAD_CLASSES``) instead.

Nearest names are looked up with a shapely STRtree over all points at once (pairs within a
distance, then sorted arrays); no Python loop over point × street pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import shapely

from optimizer.errors import DataError

MAP_ROAD_CLASSES = (
    "motorway",
    "motorway_link",
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
)
"""``highway`` classes drawn on the maps, most important first."""

MINOR_ROAD_CLASSES = ("unclassified", "residential", "living_street", "road")
"""Drawn instead when an extract has none of ``MAP_ROAD_CLASSES`` (a small village, say)."""

STREET_CLASSES = frozenset([*MAP_ROAD_CLASSES, *MINOR_ROAD_CLASSES, "pedestrian", "service"])
"""``highway`` classes whose names name a place: a station "on Ciclovia Ipiranga" (a cycleway)
or on a bus corridor reads wrong where the avenue beside it has a name."""


@dataclass(frozen=True, eq=False)
class NamedFeatures:
    """Named lines or points in a projected CRS (metres).

    Attributes:
        geometry: shapely geometries, shape ``(n,)``.
        names: their names (str), shape ``(n,)``.
    """

    geometry: np.ndarray
    names: np.ndarray

    @cached_property
    def _tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geometry)

    def nearest(
        self, x_meters: np.ndarray, y_meters: np.ndarray, *, max_meters: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The nearest name to each point, and the nearest *other* name, within ``max_meters``.

        Ties are broken by feature order (file order), so the result is deterministic.

        Returns:
            ``(nearest, other, meters)``: str arrays (``""`` where nothing named is within
            ``max_meters``) and the distance to the nearest (``inf`` where none).
        """
        points = shapely.points(np.asarray(x_meters, float), np.asarray(y_meters, float))
        count = len(points)
        nearest = np.full(count, "", dtype=object)
        other = np.full(count, "", dtype=object)
        meters = np.full(count, np.inf)
        if count == 0 or len(self.geometry) == 0:
            return nearest, other, meters
        point, feature = self._tree.query(points, predicate="dwithin", distance=max_meters)
        distance = shapely.distance(points[point], self.geometry[feature])
        order = np.lexsort((feature, distance, point))
        point, feature, distance = point[order], feature[order], distance[order]
        first = _first_of_runs(point)
        nearest[point[first]] = self.names[feature[first]]
        meters[point[first]] = distance[first]
        different = self.names[feature] != nearest[point]
        point, feature = point[different], feature[different]
        first = _first_of_runs(point)
        other[point[first]] = self.names[feature[first]]
        return nearest, other, meters


def _first_of_runs(sorted_keys: np.ndarray) -> np.ndarray:
    """True at the first entry of each run of equal keys."""
    first = np.ones(len(sorted_keys), dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return first


@dataclass(frozen=True, eq=False)
class StreetIndex:
    """What an OSM extract says about names and roads, in ``crs``.

    Attributes:
        streets: named ``highway`` ways as lines.
        places: named nodes as points.
        roads: the map's roads: columns ``osm_id`` (the way's id), ``name`` (``""`` when
            unnamed) and ``highway`` (the OSM class), line geometries.
        crs: the projected CRS of every geometry.
    """

    streets: NamedFeatures
    places: NamedFeatures
    roads: gpd.GeoDataFrame
    crs: str


def read_street_index(path: str | Path, *, crs: str) -> StreetIndex:
    """Read the named streets, named places and map roads of an OSM extract.

    Args:
        path: ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file (the scenario's ``region.roads``).
        crs: projected CRS to return geometries in (the road network's).

    Raises:
        DataError: the file is missing or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file not found")
    factory = osmium.geom.WKBFactory()
    street_wkb: list[str] = []
    street_names: list[str] = []
    place_lonlat: list[tuple[float, float]] = []
    place_names: list[str] = []
    road_wkb: list[str] = []
    road_ids: list[int] = []
    road_names: list[str] = []
    road_classes: list[str] = []
    drawn = set(MAP_ROAD_CLASSES) | set(MINOR_ROAD_CLASSES)
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway", "name"))
    )
    try:
        for item in processor:
            tags = item.tags
            name = (tags.get("name") or "").strip()
            if item.is_node():
                if name and item.location.valid():
                    place_lonlat.append((item.location.lon, item.location.lat))
                    place_names.append(name)
                continue
            highway = tags.get("highway")
            street = bool(name) and highway in STREET_CLASSES
            if not (street or highway in drawn) or len(item.nodes) < 2:
                continue
            try:
                wkb = factory.create_linestring(item.nodes, osmium.geom.ALL)
            except osmium.InvalidLocationError:  # nodes missing from the extract
                continue
            if street:
                street_wkb.append(wkb)
                street_names.append(name)
            if highway in drawn:
                road_wkb.append(wkb)
                road_ids.append(item.id)
                road_names.append(name)
                road_classes.append(highway)
    except RuntimeError as error:  # libosmium reports corrupt and truncated input this way
        raise DataError(path, f"cannot read OSM data: {error}") from error
    roads = gpd.GeoDataFrame(
        {
            "osm_id": np.array(road_ids, dtype=np.int64),
            "name": np.array(road_names, dtype=object),
            "highway": np.array(road_classes, dtype=object),
        },
        geometry=_projected_lines(road_wkb, crs),
        crs=crs,
    )
    major = roads["highway"].isin(MAP_ROAD_CLASSES).to_numpy()
    roads = roads[major if major.any() else ~major].reset_index(drop=True)
    lon, lat = np.array(place_lonlat, dtype=float).reshape(-1, 2).T
    return StreetIndex(
        streets=NamedFeatures(
            _projected_lines(street_wkb, crs), np.array(street_names, dtype=object)
        ),
        places=NamedFeatures(
            gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(crs).to_numpy(),
            np.array(place_names, dtype=object),
        ),
        roads=roads,
        crs=crs,
    )


def _projected_lines(wkb: list[str], crs: str) -> np.ndarray:
    """WGS84 lines given as hex WKB, projected to ``crs``."""
    return gpd.GeoSeries(shapely.from_wkb(wkb), crs=4326).to_crs(crs).to_numpy()
