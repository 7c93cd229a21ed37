"""A scenario's siting section end to end: inputs, solve, layers, maps, summary."""

from __future__ import annotations

import time
from collections.abc import Callable

from optimizer.export.artifacts import map_artifacts
from optimizer.export.style import map_credit
from optimizer.export.tables import ArtifactWriter, json_writer
from optimizer.pipeline.siting_inputs import build_siting_inputs
from optimizer.pipeline.siting_layers import plan_layers, station_layer
from optimizer.pipeline.siting_summary import siting_summary
from optimizer.scenario import Scenario
from optimizer.siting.model import solve_siting
from optimizer.siting.settings import SitingSettings
from optimizer.solve import SolverLimits


def run_siting(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
) -> dict[str, object]:
    """Site stations; add the plan's files (layers, maps, JSON) to ``artifacts``.

    Returns:
        The siting summary (see ``siting_summary``) with ``preparation_seconds``: the wall-clock
        seconds spent reading the data, snapping residents and computing travel times before
        the solve (whose own seconds are in ``solve``).
    """
    assert scenario.region is not None and scenario.siting is not None
    started = time.perf_counter()
    inputs = build_siting_inputs(scenario.region, scenario.siting, progress=progress)
    preparation_seconds = time.perf_counter() - started
    progress(f"solving {scenario.siting.objective} siting on {inputs.problem.n_sites} sites")
    settings = siting_settings(scenario)
    plan, report = solve_siting(inputs.problem, settings, limits)
    if scenario.outputs.formats:
        progress("drawing service areas")
        layers = plan_layers(inputs, plan)
        artifacts.update(
            map_artifacts(
                layers,
                formats=scenario.outputs.formats,
                title=f"{scenario.name}: stations within "
                f"{scenario.siting.coverage_minutes:g} minutes",
                credit=map_credit(scenario.outputs.credit),
                tiles_url=scenario.outputs.tiles_url,
                png_dpi=scenario.outputs.png_dpi,
            )
        )
        stations = layers["stations"]
    else:  # no layer or map is written: the service areas (the slow layer) are not drawn
        stations = station_layer(inputs, plan)
    artifacts["siting_plan.json"] = json_writer(plan.to_dict())
    summary = siting_summary(inputs, plan, report, settings=settings, stations=stations)
    return {**summary, "preparation_seconds": preparation_seconds}


def siting_settings(scenario: Scenario) -> SitingSettings:
    """The engine settings of a scenario's ``siting`` section."""
    siting = scenario.siting
    assert siting is not None
    return SitingSettings(
        objective=siting.objective,
        max_stations=siting.max_stations,
        budget=siting.budget,
        residents_per_station=(
            siting.density.residents_per_station if siting.density is not None else 5000
        ),
        density_rule=siting.density is not None,
        density_as_capacity=siting.density is not None and siting.density.as_capacity,
    )
