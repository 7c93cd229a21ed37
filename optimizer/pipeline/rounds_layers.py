"""A rounds plan as map layers (``optimizer.export.rounds_layers``): places, stops, and route
lines that follow the drivable roads (shortest-time paths between consecutive stops)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from optimizer.pipeline.rounds_inputs import RoundsInputs
from optimizer.rounds import RoundsPlan, VehicleDay

CRS = "EPSG:4326"


def _legs(inputs: RoundsInputs, shift: VehicleDay) -> list[tuple[int, int]]:
    """(from, to) network nodes of each leg a shift drives, station to station."""
    problem = inputs.problem
    assert problem is not None
    home = problem.depots[shift.depot]
    path = [home, *(problem.place_location[s.place] for s in shift.stops), home]
    return [(int(inputs.nodes[a]), int(inputs.nodes[b])) for a, b in itertools.pairwise(path)]


def _paths(inputs: RoundsInputs, plan: RoundsPlan) -> dict[tuple[int, int], np.ndarray]:
    """Node sequence of the fastest path for every leg the plan drives, by (from, to) node."""
    legs = {leg for shift in plan.shifts for leg in _legs(inputs, shift)}
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
    inputs: RoundsInputs, plan: RoundsPlan, stops: pd.DataFrame
) -> dict[str, gpd.GeoDataFrame]:
    """The export layers of ``plan``: ``rounds_places``, ``stops`` (the rows of
    ``rounds.csv``) and ``routes``."""
    places = inputs.places
    lon, lat = inputs.network.to_lonlat()
    paths = _paths(inputs, plan)
    rows, lines = [], []
    for shift in plan.shifts:
        nodes = np.concatenate([paths[leg] for leg in _legs(inputs, shift)])
        lines.append(shapely.linestrings(lon[nodes], lat[nodes]))
        rows.append(
            {
                "day": shift.day + 1,
                "vehicle": shift.vehicle + 1,
                "station": inputs.stations["id"].iloc[shift.depot],
                "stops": len(shift.stops),
                "driving_minutes": shift.driving_minutes,
                "shift_minutes": shift.back_minutes - shift.leave_minutes,
            }
        )
    by_id = places.set_index("id")
    stop_points = shapely.points(
        by_id.loc[stops["place_id"], "lon"].to_numpy(),
        by_id.loc[stops["place_id"], "lat"].to_numpy(),
    )
    return {
        "rounds_places": gpd.GeoDataFrame(
            places[["id", "name", "residents", "status"]].reset_index(drop=True),
            geometry=shapely.points(places["lon"].to_numpy(), places["lat"].to_numpy()),
            crs=CRS,
        ),
        "stops": gpd.GeoDataFrame(stops.reset_index(drop=True), geometry=stop_points, crs=CRS),
        "routes": gpd.GeoDataFrame(pd.DataFrame(rows), geometry=lines, crs=CRS),
    }
