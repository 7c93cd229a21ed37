"""A rounds plan as map layers (``optimizer.export.rounds_layers``): places, stations, stops,
and route lines that follow the drivable roads (shortest-time paths between consecutive
stops); for the maps, the extract's roads."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from optimizer.geo.osm import utm_crs_for
from optimizer.geo.streets import read_street_index
from optimizer.pipeline.rounds_inputs import RoundsInputs
from optimizer.rounds import RoundsPlan, VehicleDay
from optimizer.rounds.rules import fleet_size
from optimizer.scenario_rounds import MobileRoundsConfig

CRS = "EPSG:4326"


def _legs(inputs: RoundsInputs, shift: VehicleDay) -> list[tuple[int, int]]:
    """(from, to) network nodes of each leg a shift drives, station to station."""
    problem = inputs.problem
    assert problem is not None
    home = problem.depots[shift.depot]
    path = [home, *(problem.place_location[s.place] for s in shift.stops), home]
    return [(int(inputs.nodes[a]), int(inputs.nodes[b])) for a, b in itertools.pairwise(path)]


def _paths(inputs: RoundsInputs, shifts: Sequence[VehicleDay]) -> dict[tuple[int, int], np.ndarray]:
    """Node sequence of the fastest path for every leg the shifts drive, by (from, to) node."""
    legs = {leg for shift in shifts for leg in _legs(inputs, shift)}
    if not legs:
        return {}
    sources = sorted({a for a, _ in legs})
    _, predecessors = dijkstra(
        inputs.network.seconds, directed=True, indices=sources, return_predecessors=True
    )
    row = {source: k for k, source in enumerate(sources)}
    paths = {}
    for a, b in legs:
        nodes = [b]
        while nodes[-1] != a:
            nodes.append(int(predecessors[row[a], nodes[-1]]))
        paths[(a, b)] = np.array(nodes[::-1])
    return paths


def rounds_layers(
    inputs: RoundsInputs,
    plan: RoundsPlan | None,
    stops: pd.DataFrame,
    roads: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The export layers of ``plan``: ``rounds_places``, ``rounds_stations``, ``stops`` (the
    rows of ``rounds.csv``), ``routes`` (none without a plan) and, when given, ``roads`` (the
    map roads of the extract, ``StreetIndex.roads``)."""
    places, stations = inputs.places, inputs.stations
    shifts = plan.shifts if plan is not None else ()
    lon, lat = inputs.network.to_lonlat()
    paths = _paths(inputs, shifts)
    rows, lines = [], []
    for shift in shifts:
        nodes = np.concatenate([paths[leg] for leg in _legs(inputs, shift)])
        lines.append(shapely.linestrings(lon[nodes], lat[nodes]))
        rows.append(
            {
                "day": shift.day + 1,
                "vehicle": shift.vehicle + 1,
                "station": stations["id"].iloc[shift.depot],
                "stops": len(shift.stops),
                "driving_minutes": shift.driving_minutes,
                "shift_minutes": shift.back_minutes - shift.leave_minutes,
                "breaks": len(shift.breaks),
            }
        )
    columns = ["day", "vehicle", "station", "stops", "driving_minutes", "shift_minutes", "breaks"]
    by_id = places.set_index("id")
    stop_points = shapely.points(
        by_id.loc[stops["place_id"], "lon"].to_numpy(),
        by_id.loc[stops["place_id"], "lat"].to_numpy(),
    )
    fleet = [
        fleet_size(s.day for s in shifts if s.depot == depot) for depot in range(len(stations))
    ]
    layers = {
        "rounds_places": gpd.GeoDataFrame(
            places[["id", "name", "residents", "status", "reason"]].reset_index(drop=True),
            geometry=shapely.points(places["lon"].to_numpy(), places["lat"].to_numpy()),
            crs=CRS,
        ),
        "rounds_stations": gpd.GeoDataFrame(
            {"id": stations["id"].astype(str).to_numpy(), "vehicles": np.array(fleet, np.int64)},
            geometry=shapely.points(stations["lon"].to_numpy(), stations["lat"].to_numpy()),
            crs=CRS,
        ),
        "stops": gpd.GeoDataFrame(stops.reset_index(drop=True), geometry=stop_points, crs=CRS),
        "routes": gpd.GeoDataFrame(
            pd.DataFrame(rows, columns=columns), geometry=gpd.GeoSeries(lines, crs=CRS)
        ),
    }
    if roads is not None:
        layers["roads"] = roads.to_crs(CRS)
    return layers


def map_roads(config: MobileRoundsConfig, inputs: RoundsInputs) -> gpd.GeoDataFrame:
    """The map roads of the section's OSM extract, in the places' UTM zone.

    Raises:
        DataError: an unreadable OSM extract.
    """
    places = inputs.places
    crs = utm_crs_for(places["lon"].to_numpy(), places["lat"].to_numpy())
    return read_street_index(config.roads, crs=crs).roads
