"""A scenario's ``mobile_rounds`` section: the rounds, ``rounds.csv`` (per vehicle and day the
ordered stops), ``rounds_places.csv`` (every place with its status and reason), the layers of
``export.rounds_layers`` in every layer format of ``outputs.formats`` (route lines along the
roads), the HTML and PNG maps, and the summary figures."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.export.artifacts import ROUNDS_MAPS, map_artifacts
from optimizer.export.credit import map_credit
from optimizer.export.tables import ArtifactWriter, csv_writer
from optimizer.pipeline.rounds_inputs import RoundsInputs, read_rounds_inputs
from optimizer.pipeline.rounds_layers import map_roads, rounds_layers
from optimizer.rounds import RoundsPlan, RoundsSettings, solve_rounds
from optimizer.scenario import Scenario
from optimizer.solve import SolverLimits

STOP_COLUMNS = (
    "day",
    "vehicle",
    "station",
    "order",
    "place_id",
    "place",
    "arrival_minutes",
    "start_minutes",
    "departure_minutes",
    "driving_minutes",
)
"""The columns of ``rounds.csv`` and the ``stops`` layer."""


def rounds_frame(inputs: RoundsInputs, plan: RoundsPlan | None) -> pd.DataFrame:
    """One row per stop (``STOP_COLUMNS``): day (1-based), vehicle, station, order, place id
    and name, arrival, start and departure (minutes after the shift day starts), driving
    minutes from the previous stop; no rows without a plan."""
    places, stations = inputs.places, inputs.stations
    rows = [
        (
            shift.day + 1,
            shift.vehicle + 1,
            stations["id"].iloc[shift.depot],
            order,
            places["id"].iloc[inputs.visited[stop.place]],
            stop.name,
            stop.arrival_minutes,
            stop.start_minutes,
            stop.departure_minutes,
            stop.driving_minutes,
        )
        for shift in (plan.shifts if plan is not None else ())
        for order, stop in enumerate(shift.stops, start=1)
    ]
    frame = pd.DataFrame(rows, columns=list(STOP_COLUMNS))
    return frame.astype({"day": np.int64, "vehicle": np.int64, "order": np.int64})


def rounds_summary(
    inputs: RoundsInputs, plan: RoundsPlan | None, period_days: int
) -> dict[str, object]:
    """The figures the terminal shows: the fleet (vehicles reused across the days) beside its
    lower bound, vehicles per day (with theirs), stops, hours driven, breaks, residents
    served, and the places left out: how many are covered by stations or urban, and every
    place the rounds cannot reach with its reason."""
    places = inputs.places
    left_out = places[places["status"].isin(["unreachable", "beyond_shift"])]
    summary: dict[str, object] = {
        "places_visited": len(inputs.visited),
        "places_covered_by_stations": int((places["status"] == "covered").sum()),
        "places_in_urban_districts": int((places["status"] == "urban").sum()),
        "unreachable_places": [
            {
                "id": row.id,
                "name": row.name,
                "residents": row.residents,
                "status": row.status,
                "reason": row.reason,
            }
            for row in left_out.itertuples()
        ],
        "residents_served": float(places["residents"].iloc[inputs.visited].sum()),
        "residents_unreachable": float(left_out["residents"].sum()),
    }
    if plan is not None:
        summary |= {
            "fleet": plan.fleet,
            "fleet_lower_bound": plan.fleet_lower_bound,
            "vehicles_per_day": list(plan.vehicles_per_day(period_days)),
            "vehicles_lower_bound_per_day": list(plan.vehicles_lower_bound),
            "stops": sum(len(shift.stops) for shift in plan.shifts),
            "hours_driven": plan.driving_minutes / 60.0,
            "breaks": sum(len(shift.breaks) for shift in plan.shifts),
        }
    return summary


def run_rounds(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
    *,
    planned_stations: gpd.GeoDataFrame | None = None,
) -> dict[str, object]:
    """Plan the section's rounds; add ``rounds.csv``, ``rounds_places.csv``, the layer files
    and the maps (``rounds_map.html``, ``rounds_map.png``) to ``artifacts``.

    Args:
        scenario: a scenario with a ``mobile_rounds`` section.
        limits: the routing search's limits.
        artifacts: receives the writers.
        progress: called with a line per step.
        planned_stations: the ``stations`` layer of a siting in the same run (existing and
            new stations): the places they cover within ``coverage_minutes`` are not visited
            (``read_rounds_inputs``); the vehicles still start from the section's stations.

    Returns:
        The summary (``rounds_summary``) with the solve report's status, seconds and notes.

    Raises:
        DataError: bad places, stations or districts (see ``read_rounds_inputs``).
    """
    config = scenario.mobile_rounds
    assert config is not None
    progress("reading places, stations and the road network")
    planned = None
    if planned_stations is not None:
        points = planned_stations.geometry.to_crs(4326)
        planned = pd.DataFrame(
            {"id": planned_stations["station_id"], "lat": points.y, "lon": points.x}
        )
    inputs = read_rounds_inputs(config, planned)
    plan, report = None, None
    if inputs.problem is not None:
        progress(f"planning the rounds of {inputs.problem.n_places} places")
        settings = RoundsSettings(engine=config.engine, objective=config.objective)
        plan, report = solve_rounds(inputs.problem, settings, limits)
    stops = rounds_frame(inputs, plan)
    artifacts["rounds.csv"] = csv_writer(stops, float_format="%.2f")
    artifacts["rounds_places.csv"] = csv_writer(inputs.places)
    outputs = scenario.outputs
    maps = {"html", "png"} & set(outputs.formats)
    roads = map_roads(config, inputs) if maps else None
    artifacts |= map_artifacts(
        rounds_layers(inputs, plan, stops, roads),
        formats=outputs.formats,
        title=f"{scenario.name}: mobile rounds over {config.period_days} days",
        credit=map_credit(outputs.credit),
        tiles_url=outputs.tiles_url,
        png_dpi=outputs.png_dpi,
        kind=ROUNDS_MAPS,
    )
    summary = rounds_summary(inputs, plan, config.period_days)
    if planned is not None:
        summary["stations_planned_in_this_run"] = len(planned)
    if report is not None:
        summary |= {
            "status": str(report.status),
            "seconds": report.seconds,
            "notes": list(report.notes),
        }
    return summary
