"""A ``mobile_rounds`` section's inputs as a ``RoundsProblem``: the places in rural districts
that no station covers, snapped to the drivable roads, with a drive-mode travel-minute matrix
between them and the stations they start from; the places left out, each with its reason."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from optimizer.errors import DataError
from optimizer.geo.network import RoadNetwork
from optimizer.geo.osm import load_road_network, utm_crs_for
from optimizer.geo.traveltime import MIN_STORED_MINUTES, nearest_minutes, travel_minutes
from optimizer.pipeline.siting_inputs import build_districts
from optimizer.rounds import RoundsProblem
from optimizer.rounds.problem import day_patterns
from optimizer.rounds.rules import beyond_reach
from optimizer.scenario_rounds import MobileRoundsConfig
from optimizer.tables import Table, number_column, read_table, reject_duplicates, text_column

MATRIX_CUTOFF_MINUTES = 24 * 60.0
"""Trips longer than a day are left out of the matrix (and make their place an error)."""


@dataclass(frozen=True)
class RoundsInputs:
    """What the rounds are planned for, and the places left out with their reason.

    Attributes:
        problem: the rounds problem over the places visited (``None``: none to visit).
        places: every place of the file (id, name, lat, lon, residents) with its ``status``
            (``PLACE_STATUSES``): ``visited``; ``covered`` (within ``coverage_minutes`` of a
            station, planned ones included); ``urban`` (in an urban district: left to the
            stations); ``unreachable`` (farther than ``max_snap_meters`` from a drivable
            road); ``beyond_shift`` (no vehicle can visit it and be back within a shift,
            ``rules.beyond_reach``); and the ``reason`` of every status but ``visited``.
        visited: row of ``places`` of each place of the problem.
        stations: the stations (id, lat, lon), the problem's depots in order.
        network: the drivable roads; ``nodes``: the network node of each location of the
            problem's travel matrix (stations, then the places not covered, those beyond a
            shift included).
    """

    problem: RoundsProblem | None
    places: pd.DataFrame
    visited: np.ndarray
    stations: pd.DataFrame
    network: RoadNetwork
    nodes: np.ndarray


def _points(table: Table) -> pd.DataFrame:
    """id, lat, lon of a table (checked: ids present and unique, coordinates in range)."""
    text_column(table, "id")
    reject_duplicates(table, ["id"])
    frame = pd.DataFrame({"id": table.cells("id").astype(str)})
    frame["lat"] = number_column(table, "lat", minimum=-90, maximum=90)
    frame["lon"] = number_column(table, "lon", minimum=-180, maximum=180)
    return frame


def _snap(network: RoadNetwork, points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    x, y = network.project(points["lon"].to_numpy(), points["lat"].to_numpy())
    return network.nearest_nodes(x, y)


@dataclass(frozen=True)
class RoundsTables:
    """A section's places and stations, read and checked (``read_rounds_tables``).

    Attributes:
        places: id, lat, lon, name, residents of every place of the places file.
        window_open_minutes, window_close_minutes: (n,) each place's window (0 and 1440 where
            the file gives none).
        stations: id, lat, lon of every station.
        places_table, stations_table: the files as read, for errors naming their rows.
    """

    places: pd.DataFrame
    window_open_minutes: np.ndarray
    window_close_minutes: np.ndarray
    stations: pd.DataFrame
    places_table: Table
    stations_table: Table


def read_rounds_tables(config: MobileRoundsConfig) -> RoundsTables:
    """The section's places and stations files, without the road network.

    Raises:
        DataError: a bad row (naming file, row and column: a missing or repeated id, a
            coordinate out of range, negative residents, a window closing before it opens).
    """
    places_table = read_table(config.places, ("id", "name", "lat", "lon", "residents"))
    places = _points(places_table)
    places["name"] = text_column(places_table, "name").to_numpy()
    places["residents"] = number_column(places_table, "residents", maximum=1e9)
    day = 24 * 60.0
    opens = number_column(places_table, "open_minutes", maximum=day, default=0.0)
    closes = number_column(places_table, "close_minutes", maximum=day, default=day)
    places_table.reject(closes < opens, "close_minutes", "closes before it opens")
    stations_table = read_table(config.stations, ("id", "lat", "lon"))
    stations = _points(stations_table)
    return RoundsTables(places, opens, closes, stations, places_table, stations_table)


def read_rounds_inputs(
    config: MobileRoundsConfig, planned_stations: pd.DataFrame | None = None
) -> RoundsInputs:
    """Read, snap and select a ``mobile_rounds`` section's places and stations.

    Args:
        config: the section.
        planned_stations: id, lat, lon of further stations (those a siting in the same run
            plans): places within ``coverage_minutes`` of them are covered too; the vehicles
            start from the section's stations only.

    Raises:
        DataError: a bad places or stations row (naming file, row and column: e.g. negative
            residents, a window closing before it opens), a station farther than
            ``max_snap_meters`` from a drivable road, or a place with no day pattern for its
            visits.
    """
    tables = read_rounds_tables(config)
    places, stations = tables.places, tables.stations
    places_table, stations_table = tables.places_table, tables.stations_table
    opens, closes = tables.window_open_minutes, tables.window_close_minutes
    network = load_road_network(config.roads, mode="drive")
    station_nodes, station_meters = _snap(network, stations)
    stations_table.reject(
        station_meters > config.max_snap_meters,
        "lat",
        lambda i: (
            f"station {stations['id'].iloc[i]} is {station_meters[i]:.0f} m from a "
            f"drivable road (max_snap_meters {config.max_snap_meters:g})"
        ),
    )
    place_nodes, place_meters = _snap(network, places)
    sources = station_nodes
    if planned_stations is not None and len(planned_stations):
        sources = np.concatenate([station_nodes, _snap(network, planned_stations)[0]])
    to_station = nearest_minutes(network, sources=sources, direction="to_sources")
    status = np.full(len(places), "visited", dtype=object)
    reason = np.full(len(places), "", dtype=object)
    covered = to_station[place_nodes] <= config.coverage_minutes
    status[covered] = "covered"
    reason[covered] = [f"a station {m:.1f} min away" for m in to_station[place_nodes][covered]]
    if config.districts is not None:
        urban, names = urban_places(config, places)
        chosen = urban & (status == "visited")
        status[chosen] = "urban"
        reason[chosen] = [f"in urban district {name}" for name in names[chosen]]
    off_road = place_meters > config.max_snap_meters
    status[off_road] = "unreachable"
    reason[off_road] = [
        f"{m:.0f} m from a drivable road (max_snap_meters {config.max_snap_meters:g})"
        for m in place_meters[off_road]
    ]
    places["status"], places["reason"] = status, reason
    visited = np.flatnonzero(status == "visited")
    if len(visited) == 0:
        return RoundsInputs(None, places, visited, stations, network, station_nodes)
    patterns = []
    for row in visited:
        visits = config.visits_for(float(places["residents"].iloc[row]))
        options = day_patterns(
            config.period_days,
            [day - 1 for day in config.working_days],
            visits,
            config.min_days_between_visits,
        )
        if not options:
            raise DataError(
                config.places,
                f"row {places_table.rows[row]}: residents: {visits} visits on working days "
                f"{config.working_days} at least {config.min_days_between_visits} days apart "
                "fit no day pattern",
            )
        patterns.append(options)
    nodes = np.concatenate([station_nodes, place_nodes[visited]])
    reached = travel_minutes(
        network, origins=nodes, destinations=nodes, cutoff_minutes=MATRIX_CUTOFF_MINUTES
    ).tocoo()
    matrix = np.full((len(nodes), len(nodes)), np.inf)  # the network is strongly connected
    matrix[reached.row, reached.col] = np.where(reached.data == MIN_STORED_MINUTES, 0, reached.data)
    residents = places["residents"].to_numpy()[visited]
    problem = RoundsProblem(
        travel_minutes=matrix,
        depots=tuple(range(len(stations))),
        place_location=np.arange(len(stations), len(nodes)),
        place_names=tuple(places["name"].iloc[visited]),
        stop_minutes=config.stop_minutes + config.stop_minutes_per_resident * residents,
        demand=np.zeros(len(visited), dtype=np.int64),
        window_open_minutes=opens[visited],
        window_close_minutes=closes[visited],
        patterns=tuple(patterns),
        period_days=config.period_days,
        vehicles_per_day=config.vehicles_per_station,
        shift_minutes=config.shift_hours * 60.0,
        break_minutes=config.break_minutes,
        max_minutes_before_break=config.max_minutes_before_break or np.inf,
        name=config.places.stem,
    )
    beyond = beyond_reach(problem)
    if beyond:
        rows = visited[list(beyond)]
        places.loc[places.index[rows], "status"] = "beyond_shift"
        places.loc[places.index[rows], "reason"] = list(beyond.values())
        keep = np.array([p for p in range(problem.n_places) if p not in beyond], dtype=np.int64)
        visited = visited[keep]
        problem = problem.subset(keep) if len(keep) else None
    return RoundsInputs(problem, places, visited, stations, network, nodes)


def urban_places(config: MobileRoundsConfig, places: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(n,) whether each place (lon, lat, residents) lies in an urban district of
    ``config.districts``, and (n,) its district's name ("" outside every district, which counts
    as rural).

    Raises:
        DataError: an unusable district layer (``geo.districts.read_district_layer``).
    """
    assert config.districts is not None
    lon, lat = places["lon"].to_numpy(), places["lat"].to_numpy()
    points = gpd.GeoSeries(shapely.points(lon, lat), crs="EPSG:4326")
    districts, place_district = build_districts(
        config.districts,
        points,
        places["residents"].to_numpy(),
        crs=utm_crs_for(lon, lat),
        lonlat=np.column_stack([lon, lat]),
    )
    inside = place_district >= 0
    urban = np.zeros(len(places), dtype=bool)
    urban[inside] = districts.urban[place_district[inside]]
    names = np.where(inside, np.append(districts.names.astype(str), "")[place_district], "")
    return urban, names.astype(object)
