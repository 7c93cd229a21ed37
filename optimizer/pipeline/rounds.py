"""A scenario's ``mobile_rounds`` section: the rounds, ``rounds.csv`` (per vehicle and day the
ordered stops), ``places.csv`` (every place with its status), the layers of
``export.rounds_layers`` in every layer format of ``outputs.formats`` (route lines along the
roads), and the summary figures."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from optimizer.export.rounds_layers import ROUNDS
from optimizer.export.sinks import FORMATS, layer_artifacts
from optimizer.export.tables import ArtifactWriter, csv_writer
from optimizer.pipeline.rounds_inputs import RoundsInputs, read_rounds_inputs
from optimizer.pipeline.rounds_layers import rounds_layers
from optimizer.rounds import RoundsPlan, RoundsSettings, solve_rounds
from optimizer.scenario import Scenario
from optimizer.solve import SolverLimits


def rounds_frame(inputs: RoundsInputs, plan: RoundsPlan) -> pd.DataFrame:
    """One row per stop: day (1-based), vehicle, station, order, place id and name, arrival
    and departure (minutes after the shift day starts), driving minutes from the previous stop."""
    places, stations = inputs.places, inputs.stations
    rows = [
        {
            "day": shift.day + 1,
            "vehicle": shift.vehicle + 1,
            "station": stations["id"].iloc[shift.depot],
            "order": order,
            "place_id": places["id"].iloc[inputs.visited[stop.place]],
            "place": stop.name,
            "arrival_minutes": stop.arrival_minutes,
            "departure_minutes": stop.departure_minutes,
            "driving_minutes": stop.driving_minutes,
        }
        for shift in plan.shifts
        for order, stop in enumerate(shift.stops, start=1)
    ]
    return pd.DataFrame(rows)


def rounds_summary(
    inputs: RoundsInputs, plan: RoundsPlan | None, period_days: int
) -> dict[str, object]:
    """The figures the terminal shows: vehicles per day (with their lower bound), stops, hours
    driven, residents served, and the places left out (covered, unreachable with residents)."""
    places = inputs.places
    unreachable = places[places["status"] == "unreachable"]
    summary: dict[str, object] = {
        "places_visited": len(inputs.visited),
        "places_covered_by_stations": int((places["status"] == "covered").sum()),
        "unreachable_places": [
            {"id": row.id, "name": row.name, "residents": row.residents}
            for row in unreachable.itertuples()
        ],
        "residents_served": float(places["residents"].iloc[inputs.visited].sum()),
    }
    if plan is not None:
        summary |= {
            "vehicles_per_day": list(plan.vehicles_per_day(period_days)),
            "vehicles_lower_bound_per_day": list(plan.vehicles_lower_bound),
            "stops": sum(len(shift.stops) for shift in plan.shifts),
            "hours_driven": plan.driving_minutes / 60.0,
        }
    return summary


def run_rounds(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
) -> dict[str, object]:
    """Plan the section's rounds; add ``rounds.csv``, ``places.csv`` and the layer files to
    ``artifacts``.

    Returns:
        The summary (``rounds_summary``) with the solve report's status and seconds.

    Raises:
        DataError: bad places or stations (see ``read_rounds_inputs``).
        InfeasibleError: places no vehicle can visit within a shift, each with its reason.
    """
    config = scenario.mobile_rounds
    assert config is not None
    progress("reading places, stations and the road network")
    inputs = read_rounds_inputs(config)
    plan, report = None, None
    if inputs.problem is not None:
        progress("planning the rounds")
        settings = RoundsSettings(engine=config.engine, objective=config.objective)
        plan, report = solve_rounds(inputs.problem, settings, limits)
    if plan is not None:
        stops = rounds_frame(inputs, plan)
        artifacts["rounds.csv"] = csv_writer(stops, float_format="%.2f")
        formats = [name for name in scenario.outputs.formats if name in FORMATS]
        layers = rounds_layers(inputs, plan, stops)
        artifacts |= layer_artifacts(layers, formats=formats, layer_set=ROUNDS)
    artifacts["places.csv"] = csv_writer(inputs.places)
    summary = rounds_summary(inputs, plan, config.period_days)
    if report is not None:
        summary |= {
            "status": str(report.status),
            "seconds": report.seconds,
            "notes": list(report.notes),
        }
    return summary
