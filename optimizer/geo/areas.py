"""Service areas: where a station can be reached within a cutoff, as polygons for maps.

An area is drawn from the network itself: every edge whose start is reached within the cutoff
contributes the part of it travelled before time runs out (edges are straight segments between
consecutive OSM nodes), and the segments are buffered by ``buffer_meters``. The union over all
stations is the "15-minute service circle"; populated places outside it are blind spots.
Siting and coverage figures come from :mod:`optimizer.geo.traveltime`; these polygons are the
map view of the same searches.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely

from optimizer.geo.demand import DemandPoints
from optimizer.geo.network import RoadNetwork
from optimizer.geo.traveltime import nearest_minutes, travel_minutes

#: Default half-width, in metres, of the band drawn around reached street segments.
DEFAULT_BUFFER_METERS = 50.0

Direction = Literal["to_stations", "from_stations"]


def service_areas(
    network: RoadNetwork,
    *,
    station_nodes: np.ndarray,
    cutoff_minutes: float,
    buffer_meters: float = DEFAULT_BUFFER_METERS,
    direction: Direction = "to_stations",
) -> gpd.GeoDataFrame:
    """One polygon per station: the places within ``cutoff_minutes`` of it.

    Args:
        network: the road network.
        station_nodes: node index of each station.
        cutoff_minutes: travel-time limit.
        buffer_meters: half-width of the band around reached street segments.
        direction: ``"to_stations"`` (residents travelling to the station) or
            ``"from_stations"`` (a crew travelling out); they differ on one-way streets.

    Returns:
        GeoDataFrame in the network CRS with columns ``station`` (position in
        ``station_nodes``), ``node_index``, ``reached_nodes`` and the polygon ``geometry``.
    """
    stations = np.asarray(station_nodes, dtype=np.int64)
    minutes = travel_minutes(
        network,
        origins=np.arange(network.node_count),
        destinations=stations,
        cutoff_minutes=cutoff_minutes,
        direction="to_destinations" if direction == "to_stations" else "from_destinations",
    ).tocsc()
    reached = np.diff(minutes.indptr)

    def area_of(column: int) -> shapely.Geometry:
        start, end = minutes.indptr[column], minutes.indptr[column + 1]
        node_minutes = np.full(network.node_count, np.inf)
        node_minutes[minutes.indices[start:end]] = minutes.data[start:end]
        return _reached_area(network, node_minutes, cutoff_minutes, buffer_meters, direction)

    # GEOS releases the GIL while buffering and merging: one thread per core, same order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        geometries = list(pool.map(area_of, range(len(stations))))
    return gpd.GeoDataFrame(
        {
            "station": np.arange(len(stations)),
            "node_index": stations,
            "reached_nodes": reached.astype(np.int64),
        },
        geometry=geometries,
        crs=network.crs,
    )


def coverage_union(
    network: RoadNetwork,
    *,
    station_nodes: np.ndarray,
    cutoff_minutes: float,
    buffer_meters: float = DEFAULT_BUFFER_METERS,
    direction: Direction = "to_stations",
) -> shapely.Geometry:
    """The union of all stations' service areas (the "15-minute service circle").

    Computed in one multi-source search (nearest station per node), so it costs about as much
    as a single station's area. Arguments as for :func:`service_areas`.

    Returns:
        A (Multi)Polygon in the network CRS; empty when there are no stations.
    """
    node_minutes = nearest_minutes(
        network,
        sources=np.asarray(station_nodes, dtype=np.int64),
        cutoff_minutes=cutoff_minutes,
        direction="to_sources" if direction == "to_stations" else "from_sources",
    )
    return _reached_area(network, node_minutes, cutoff_minutes, buffer_meters, direction)


def blind_spots(demand: DemandPoints, union: shapely.Geometry) -> gpd.GeoDataFrame:
    """Demand points outside ``union`` (e.g. the result of :func:`coverage_union`).

    Returns:
        The rows of ``demand.to_geodataframe()`` (with its ``residents``) lying outside the
        union, in the demand CRS; the index is the demand point's position.
    """
    inside = shapely.contains_xy(union, demand.x_meters, demand.y_meters)
    return demand.to_geodataframe().loc[~inside]


def _reached_area(
    network: RoadNetwork,
    node_minutes: np.ndarray,
    cutoff_minutes: float,
    buffer_meters: float,
    direction: Direction,
) -> shapely.Geometry:
    """Buffered street segments travelled within the cutoff, given each node's minutes.

    With ``to_stations`` the minutes are trips *from* the node, so segments are grown along the
    reversed network (backwards from the station); otherwise along the network.
    """
    graph = network.reverse() if direction == "to_stations" else network
    tail, head, seconds = graph.edge_arrays()
    left_seconds = cutoff_minutes * 60.0 - node_minutes[tail] * 60.0
    started = np.flatnonzero(left_seconds >= 0)
    if len(started) == 0:
        return shapely.Polygon()
    tail, head = tail[started], head[started]
    fraction = np.minimum(left_seconds[started] / seconds[started], 1.0)
    # A street travelled in full both ways is drawn once.
    whole = fraction >= 1.0
    pair_key = np.minimum(tail, head) * network.node_count + np.maximum(tail, head)
    _, first_whole = np.unique(pair_key[whole], return_index=True)
    drawn = np.r_[np.flatnonzero(whole)[first_whole], np.flatnonzero(~whole)]
    xy = np.column_stack([network.x_meters, network.y_meters])
    start_xy = xy[tail[drawn]]
    end_xy = start_xy + fraction[drawn, None] * (xy[head[drawn]] - start_xy)
    segments = shapely.linestrings(np.stack([start_xy, end_xy], axis=1))
    # Buffering segments one by one and merging is far faster than buffering them as one.
    return shapely.union_all(shapely.buffer(segments, buffer_meters, quad_segs=4))
