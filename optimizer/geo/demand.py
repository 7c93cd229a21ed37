"""Demand points: population polygons (or points) as resident-weighted points on the network.

A population layer (GeoPackage, GeoJSON, Shapefile or GeoParquet) with a residents field becomes
one point per populated feature (the polygon's centroid), or, with ``split_over_nodes``, one
point per road node inside the polygon with the residents shared equally. Each point is snapped
to its nearest network node with a KD-tree; the snap distance is kept, and points farther than
``max_snap_meters`` from any node are flagged ``unsnapped`` (listed, never dropped). A layer with
no populated feature within reach of the roads lies elsewhere (or declares the wrong CRS) and is
an error. Residents per feature are numbers from 0 to :data:`MAX_RESIDENTS`; features are
numbered from 1 in messages, as a GIS attribute table shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from optimizer.errors import DataError
from optimizer.geo.network import RoadNetwork
from optimizer.geo.vector import read_vector_layer
from optimizer.tables import expected_number, quoted, reject_rows, to_numbers

_SUPPORTED_GEOMETRIES = {"Point", "Polygon", "MultiPolygon"}

MAX_RESIDENTS = 1e9
"""Most residents of one population feature: a billion is more than any city (or any country
but two) holds, so a larger value is a unit or typing error."""


@dataclass(frozen=True, eq=False)
class DemandPoints:
    """Resident-weighted points snapped to a road network (all arrays have one row per point).

    Attributes:
        x_meters, y_meters: point coordinates in metres, in ``crs`` (the network's CRS).
        residents: residents at the point (float64, > 0).
        node_index: nearest network node.
        snap_meters: straight-line distance from the point to that node.
        unsnapped: True where ``snap_meters`` exceeds the limit given when loading; such
            points are too far from any road to trust their travel times.
        source_row: row of ``areas`` the point comes from.
        areas: the input features as read (original geometry and CRS), for map exports.
        crs: CRS of the coordinates.
    """

    x_meters: np.ndarray
    y_meters: np.ndarray
    residents: np.ndarray
    node_index: np.ndarray
    snap_meters: np.ndarray
    unsnapped: np.ndarray
    source_row: np.ndarray
    areas: gpd.GeoDataFrame
    crs: str

    @property
    def total_residents(self) -> float:
        """Residents over all points."""
        return float(self.residents.sum())

    @property
    def unsnapped_residents(self) -> float:
        """Residents at points farther than the snap limit from the network."""
        return float(self.residents[self.unsnapped].sum())

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """The points as a GeoDataFrame in ``crs`` with every attribute as a column."""
        return gpd.GeoDataFrame(
            {
                "source_row": self.source_row,
                "residents": self.residents,
                "node_index": self.node_index,
                "snap_meters": self.snap_meters,
                "unsnapped": self.unsnapped,
            },
            geometry=shapely.points(self.x_meters, self.y_meters),
            crs=self.crs,
        )


def load_demand_points(
    path: str | Path,
    *,
    population_field: str,
    layer: str | None = None,
    network: RoadNetwork,
    max_snap_meters: float = 500.0,
    split_over_nodes: bool = False,
) -> DemandPoints:
    """Read a population layer and turn it into snapped demand points.

    Args:
        path: GeoPackage, GeoJSON, Shapefile or (Geo)Parquet file of polygons or points.
        population_field: the field holding residents per feature (numbers >= 0).
        layer: layer name for multi-layer files; the first layer when None.
        network: the road network to snap to; points are projected to its CRS.
        max_snap_meters: points farther than this from every node are flagged ``unsnapped``.
        split_over_nodes: share each polygon's residents equally over the network nodes
            inside it (polygons with no node inside keep their centroid).

    Returns:
        :class:`DemandPoints`, one per populated feature (or per node with residents).

    Raises:
        DataError: unreadable or empty file, missing layer or field, non-numeric or negative
            residents, features without geometry, or a layer without a CRS.
    """
    path = Path(path)
    areas = read_population_layer(path, layer, population_field)
    projected = _projected(path, areas, network.crs)
    residents = areas[population_field].to_numpy(dtype=np.float64)
    rows = np.flatnonzero(residents > 0)
    if len(rows) == 0:
        raise DataError(path, "no feature has residents > 0", field=population_field)
    points = shapely.centroid(projected[rows])
    x_meters, y_meters = shapely.get_x(points), shapely.get_y(points)
    point_residents = residents[rows]
    if split_over_nodes:
        rows, x_meters, y_meters, point_residents = _split_over_nodes(
            network, projected, residents, rows, x_meters, y_meters
        )
    node_index, snap_meters = network.nearest_nodes(x_meters, y_meters)
    unsnapped = snap_meters > max_snap_meters
    if unsnapped.all():
        raise DataError(
            path,
            f"the layer lies outside the road network: no populated feature is within "
            f"{max_snap_meters:g} m of a road (check its CRS, {quoted(areas.crs.to_string())})",
        )
    return DemandPoints(
        x_meters=np.asarray(x_meters, dtype=np.float64),
        y_meters=np.asarray(y_meters, dtype=np.float64),
        residents=np.asarray(point_residents, dtype=np.float64),
        node_index=node_index,
        snap_meters=snap_meters,
        unsnapped=unsnapped,
        source_row=rows,
        areas=areas,
        crs=network.crs,
    )


def _projected(path: Path, areas: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """The features' geometries in ``crs`` (the network's).

    Raises:
        DataError: coordinates the layer's CRS cannot place (e.g. metres in a layer that
            declares degrees), naming the first such feature.
    """
    try:
        projected = areas.geometry.to_crs(crs).to_numpy()
    except Exception as error:  # pyproj raises several types for CRSs it cannot convert
        raise DataError(
            path, f"cannot project the layer to {crs} ({type(error).__name__})"
        ) from None
    outside = ~np.isfinite(shapely.bounds(projected)).all(axis=1)
    reject_rows(
        path,
        np.arange(len(areas)) + 1,
        outside,
        "geometry",
        f"coordinates beyond the layer's CRS {quoted(areas.crs.to_string())}; check its CRS",
    )
    return projected


def _split_over_nodes(
    network: RoadNetwork,
    projected: np.ndarray,
    residents: np.ndarray,
    rows: np.ndarray,
    x_meters: np.ndarray,
    y_meters: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Replace each populated polygon's centroid by the nodes inside it, residents shared
    equally; a node on a shared border goes to the first polygon. Returns
    ``(rows, x_meters, y_meters, residents)`` sorted by row."""
    tree = shapely.STRtree(projected[rows])
    nodes = shapely.points(network.x_meters, network.y_meters)
    node, polygon = tree.query(nodes, predicate="intersects")
    order = np.lexsort((polygon, node))
    node, polygon = node[order], polygon[order]
    first = np.r_[True, node[1:] != node[:-1]]
    node, polygon = node[first], polygon[first]
    nodes_per_polygon = np.bincount(polygon, minlength=len(rows))
    empty = nodes_per_polygon == 0
    all_rows = np.r_[rows[polygon], rows[empty]]
    all_x = np.r_[network.x_meters[node], x_meters[empty]]
    all_y = np.r_[network.y_meters[node], y_meters[empty]]
    shares = np.where(empty, 1, nodes_per_polygon)
    all_residents = np.r_[(residents[rows] / shares)[polygon], residents[rows][empty]]
    order = np.argsort(all_rows, kind="stable")
    return all_rows[order], all_x[order], all_y[order], all_residents[order]


def read_population_layer(path: Path, layer: str | None, field: str) -> gpd.GeoDataFrame:
    """The population layer's features, with ``field`` (residents) as float64.

    Raises:
        DataError: an unreadable layer (``read_vector_layer``), no ``field``, a resident count
            that is not a number from 0 to ``MAX_RESIDENTS``, or a geometry other than points
            and polygons, naming the feature; every defect is one line.
    """
    areas = read_vector_layer(path, layer, what="population layer")
    if field not in areas.columns or field == areas.geometry.name:
        fields = len(areas.columns) - 1
        raise DataError(path, f"no such field; the layer has {fields} other fields", field=field)
    rows = np.arange(len(areas)) + 1
    values = to_numbers(areas[field])
    bad = ~(np.isfinite(values) & (values >= 0) & (values <= MAX_RESIDENTS))
    expected = expected_number(whole=False, minimum=0, maximum=MAX_RESIDENTS)
    reject_rows(
        path,
        rows,
        bad,
        field,
        lambda i: (
            f"expected {expected} (got {quoted(areas[field].iloc[i])}); "
            f"{int(bad.sum())} bad feature(s) in all"
        ),
    )
    areas[field] = values
    kinds = areas.geom_type.to_numpy()
    supported = np.isin(kinds, list(_SUPPORTED_GEOMETRIES))
    reject_rows(
        path, rows, ~supported, "geometry", lambda i: f"a {kinds[i]}; need points or polygons"
    )
    return areas
