"""A scenario's siting section end to end: inputs, solve, layers, maps, summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from optimizer.export.artifacts import map_artifacts
from optimizer.export.credit import map_credit
from optimizer.export.tables import ArtifactWriter, json_writer
from optimizer.pipeline.siting_inputs import SitingInputs, build_siting_inputs
from optimizer.pipeline.siting_layers import plan_layers, station_layer
from optimizer.pipeline.siting_summary import siting_summary
from optimizer.scenario import RegionConfig, Scenario, SitingConfig
from optimizer.siting.model import solve_siting
from optimizer.siting.plan import SitingPlan
from optimizer.siting.settings import SitingSettings
from optimizer.solve import SolverLimits


@dataclass
class SitedStations:
    """One region's siting solved, before any file is written.

    Attributes:
        plan: the engine's plan.
        layers: the plan's layers (``siting_layers.plan_layers``), or ``None`` when none are
            drawn (``outputs.formats: []``).
        stations: the ``stations`` layer (the one in ``layers`` when drawn).
        demand_residents: residents per demand point (the rows of ``plan.assigned_minutes``).
        demand_part: the region part of each demand point (``SitingInputs.demand_part``).
        summary: the siting summary (``siting_summary``) with ``preparation_seconds``: the
            wall-clock seconds spent reading the data, snapping residents and computing travel
            times before the solve (whose own seconds are in ``solve``).
    """

    plan: SitingPlan
    layers: dict[str, gpd.GeoDataFrame] | None
    stations: gpd.GeoDataFrame
    demand_residents: np.ndarray
    demand_part: np.ndarray
    summary: dict[str, object]


def site_stations(
    region: RegionConfig,
    siting: SitingConfig,
    limits: SolverLimits,
    progress: Callable[[str], None],
    *,
    draw_layers: bool,
) -> SitedStations:
    """Read a region's data, site its stations and make the plan's layers (when
    ``draw_layers``) and summary."""
    return solve_stations(
        lambda: build_siting_inputs(region, siting, progress=progress),
        siting,
        limits,
        progress,
        draw_layers=draw_layers,
    )


def solve_stations(
    build_inputs: Callable[[], SitingInputs],
    siting: SitingConfig,
    limits: SolverLimits,
    progress: Callable[[str], None],
    *,
    draw_layers: bool,
) -> SitedStations:
    """Site the stations of the inputs ``build_inputs`` reads (one region's, or several
    regions' that share one problem) under ``siting``, and make the plan's layers (when
    ``draw_layers``) and summary."""
    started = time.perf_counter()
    inputs = build_inputs()
    preparation_seconds = time.perf_counter() - started
    progress(f"solving {siting.objective} siting on {inputs.problem.n_sites} sites")
    settings = siting_settings(siting)
    plan, report = solve_siting(inputs.problem, settings, limits)
    if draw_layers:
        progress("drawing service areas")
        layers = plan_layers(inputs, plan)
        stations = layers["stations"]
    else:  # no layer or map is written: the service areas (the slow layer) are not drawn
        layers, stations = None, station_layer(inputs, plan)
    summary = siting_summary(inputs, plan, report, settings=settings, stations=stations)
    summary["preparation_seconds"] = preparation_seconds
    return SitedStations(
        plan=plan,
        layers=layers,
        stations=stations,
        demand_residents=inputs.problem.weights_residents,
        demand_part=inputs.demand_part,
        summary=summary,
    )


def run_siting(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
) -> SitedStations:
    """Site stations; add the plan's files (layers, maps, JSON) to ``artifacts``.

    Returns:
        The sited stations: their summary (``SitedStations.summary``) and their layer, which
        the mobile rounds of the same run take as stations that cover places.
    """
    assert scenario.region is not None and scenario.siting is not None
    outputs = scenario.outputs
    sited = site_stations(
        scenario.region, scenario.siting, limits, progress, draw_layers=bool(outputs.formats)
    )
    if sited.layers is not None:
        minutes = scenario.siting.coverage_minutes
        artifacts.update(siting_map_artifacts(scenario, sited.layers, coverage_minutes=minutes))
    artifacts["siting_plan.json"] = json_writer(sited.plan.to_dict())
    return sited


def siting_map_artifacts(
    scenario: Scenario,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    coverage_minutes: float | None,
    formats: Sequence[str] | None = None,
    place: str = "",
) -> dict[str, ArtifactWriter]:
    """The writers of a siting plan's layer files and maps, as the scenario's ``outputs`` ask
    (or only ``formats``), titled with the scenario's name, ``place`` after it when given, and
    ``coverage_minutes`` when known."""
    outputs = scenario.outputs
    name = f"{scenario.name}, {place}" if place else scenario.name
    within = "" if coverage_minutes is None else f" within {coverage_minutes:g} minutes"
    return map_artifacts(
        layers,
        formats=outputs.formats if formats is None else formats,
        title=f"{name}: stations{within}",
        credit=map_credit(outputs.credit),
        tiles_url=outputs.tiles_url,
        png_dpi=outputs.png_dpi,
    )


def siting_settings(siting: SitingConfig) -> SitingSettings:
    """The engine settings of a ``siting`` section."""
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
