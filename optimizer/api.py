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
from optimizer.jobs import ArtifactWriter, json_writer, publish
from optimizer.scenario import Scenario, load_scenario, output_folder

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
    summary: dict[str, object] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "svcplan_version": __version__,
        "engines": {name: {"status": "not_available"} for name in scenario.engines},
    }
    artifacts: dict[str, ArtifactWriter] = {"summary.json": json_writer(summary)}
    folder = output_folder(scenario, scenario_path, out_dir)
    progress(f"writing {folder}")
    files = publish(folder, artifacts, inputs=inputs)
    return PlanOutcome(scenario=scenario, folder=folder, summary=summary, files=files)


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
