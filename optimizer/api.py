"""Public entry points: what the CLI and Python users call.

Each function reads and validates its inputs, runs the engines and returns results; writing
them is left to ``optimizer.jobs.publish`` so that nothing is half-written on error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from optimizer import __version__
from optimizer.export.sinks import FORMATS as LAYER_FORMATS
from optimizer.export.sinks import layer_artifacts
from optimizer.jobs import ArtifactWriter, json_writer, publish
from optimizer.scenario import Scenario, load_scenario, output_folder
from optimizer.siting.from_scenario import build_siting_inputs
from optimizer.siting.layers import plan_layers
from optimizer.siting.model import solve_siting
from optimizer.siting.settings import SitingSettings
from optimizer.siting.summary import siting_summary

Progress = Callable[[str], None]
"""Receives a short line about the step that starts now."""


def _silent(_: str) -> None:
    """The default progress sink: says nothing."""


@dataclass
class PlanOutcome:
    """Everything one ``plan`` run produced.

    Attributes:
        scenario: the validated scenario (with command-line overrides applied).
        folder: where the outputs were published.
        summary: the JSON-ready summary (also written as ``summary.json``).
        files: the published files, manifest last.
    """

    scenario: Scenario
    folder: Path
    summary: dict[str, object]
    files: list[Path] = field(default_factory=list)


def plan(
    scenario_path: str | Path,
    *,
    out_dir: Path | None = None,
    time_limit_seconds: float | None = None,
    progress: Progress = _silent,
) -> PlanOutcome:
    """Validate a scenario, run the engines it enables and publish the outputs.

    Args:
        scenario_path: the scenario file.
        out_dir: overrides ``outputs.directory``; outputs go to ``<out_dir>/<name>/``.
        time_limit_seconds: overrides ``solver.time_limit_seconds``.
        progress: called with a line per step.

    Returns:
        A ``PlanOutcome``; ``summary.json`` and ``manifest.json`` are in its folder.

    Raises:
        ScenarioError, DataError: bad input (nothing is written).
    """
    scenario_path = Path(scenario_path)
    progress(f"validating {scenario_path}")
    scenario = load_scenario(scenario_path)
    if time_limit_seconds is not None:
        solver = scenario.solver.model_copy(update={"time_limit_seconds": time_limit_seconds})
        scenario = scenario.model_copy(update={"solver": solver})
    inputs = sorted(set(scenario_input_files(scenario)))
    progress(f"reading {len(inputs)} input files")
    engines: dict[str, object] = {name: {"status": "not_available"} for name in scenario.engines}
    artifacts: dict[str, ArtifactWriter] = {}
    if scenario.siting is not None:
        engines["siting"] = _run_siting(scenario, artifacts, progress)
    summary: dict[str, object] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "svcplan_version": __version__,
        "engines": engines,
    }
    artifacts["summary.json"] = json_writer(summary)
    folder = output_folder(scenario, scenario_path, out_dir)
    progress(f"writing {folder}")
    files = publish(folder, artifacts, inputs=inputs)
    return PlanOutcome(scenario=scenario, folder=folder, summary=summary, files=files)


def _run_siting(
    scenario: Scenario, artifacts: dict[str, ArtifactWriter], progress: Progress
) -> dict[str, object]:
    """Site stations; add the plan's files to ``artifacts``; return the siting summary."""
    assert scenario.region is not None and scenario.siting is not None
    inputs = build_siting_inputs(scenario.region, scenario.siting, progress=progress)
    progress(f"solving {scenario.siting.objective} siting on {inputs.problem.n_sites} sites")
    plan, report = solve_siting(inputs.problem, siting_settings(scenario))
    progress("drawing service areas")
    layers = plan_layers(inputs, plan)
    geo_formats = [name for name in scenario.outputs.formats if name in LAYER_FORMATS]
    artifacts.update(layer_artifacts(layers, formats=geo_formats))
    artifacts["siting_plan.json"] = json_writer(plan.to_dict())
    return siting_summary(inputs, plan, report)


def siting_settings(scenario: Scenario) -> SitingSettings:
    """The engine settings of a scenario's ``siting`` and ``solver`` sections."""
    siting, solver = scenario.siting, scenario.solver
    assert siting is not None
    return SitingSettings(
        objective=siting.objective,
        max_stations=siting.max_stations,
        budget=siting.budget,
        time_limit_seconds=solver.time_limit_seconds,
        mip_rel_gap=solver.relative_gap,
        threads=solver.threads,
        seed=solver.seed,
        residents_per_station=(
            siting.density.residents_per_station if siting.density is not None else 5000
        ),
        density_rule=siting.density is not None,
    )


def scenario_input_files(model: BaseModel) -> Iterator[Path]:
    """Every existing data file a scenario (or one of its sections) names, resolved."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel):
                yield from scenario_input_files(item)
            elif isinstance(item, Path) and item.is_file():
                yield item
