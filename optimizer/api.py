"""Public entry points: what the CLI and Python users call.

Each function reads and validates its inputs, runs the engines and returns results; writing
them is left to ``optimizer.export.staging.publish`` so that nothing is half-written on error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from optimizer import __version__
from optimizer.choices import INSTANCE_FORMATS, OUTPUT_FORMATS
from optimizer.errors import DataError, NoSolutionError, ScenarioError
from optimizer.export.credit import map_credit
from optimizer.export.lock import output_lock
from optimizer.export.staging import check_output_folder, publish, publish_into, update
from optimizer.export.tables import ArtifactWriter, json_writer
from optimizer.parallel import DEFAULT_EXECUTOR, IN_PROCESS, ExecutorChoice
from optimizer.pipeline.limits import solver_limits
from optimizer.scenario import Scenario, load_scenario, output_folder
from optimizer.solve import SolverLimits

if TYPE_CHECKING:
    from optimizer.job.log import JobLog
    from optimizer.job.run import JobOutcome
    from optimizer.pipeline.forecast import StaffingDemand
    from optimizer.sweep.run import OnResult, SweepOutcome

# The engines are imported by the functions that run them, so that a command loads only its
# own engine (numba, OR-Tools, PyVRP, SciPy's statistics) and not every other one.

FORECAST_FOLDER = "forecast"
DISPATCH_FOLDER = "dispatch"
REVIEW_FOLDER = "review"
ROUNDS_FOLDER = "rounds"
#: Subfolders of a scenario's output folder that ``forecast``, ``dispatch``, ``review`` and
#: ``rounds`` own; ``plan`` keeps them when it replaces the folder.
OWN_FOLDERS = (FORECAST_FOLDER, DISPATCH_FOLDER, REVIEW_FOLDER, ROUNDS_FOLDER)

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
    relative_gap: float | None = None,
    progress: Progress = _silent,
    executor: ExecutorChoice = DEFAULT_EXECUTOR,
) -> PlanOutcome:
    """Validate a scenario, run the engines it enables and publish the outputs.

    Args:
        scenario_path: the scenario file.
        out_dir: overrides ``outputs.directory``; outputs go to ``<out_dir>/<name>/``.
        time_limit_seconds: overrides ``solver.time_limit_seconds``.
        relative_gap: overrides ``solver.relative_gap``.
        progress: called with a line per step.
        executor: where the regions of a multi-region scenario are sited, one task per group
            of regions that cannot interact (a one-region scenario runs in this process).

    Returns:
        A ``PlanOutcome``; ``summary.json`` and ``manifest.json`` are in its folder.

    Raises:
        ScenarioError, DataError: bad input, or an existing output folder that svcplan did not
            write (nothing is written).
        OutputBusyError: another run is writing the same outputs (checked before any work).
    """
    scenario_path = Path(scenario_path)
    progress(f"validating {scenario_path}")
    scenario = load_scenario(scenario_path)
    limits = solver_limits(
        scenario.solver, time_limit_seconds=time_limit_seconds, relative_gap=relative_gap
    )
    folder = output_folder(scenario, scenario_path, out_dir)
    return plan_scenario(scenario, folder, limits=limits, progress=progress, executor=executor)


def plan_scenario(
    scenario: Scenario,
    folder: Path,
    *,
    limits: SolverLimits,
    progress: Progress = _silent,
    labels: Mapping[str, object] | None = None,
    executor: ExecutorChoice = IN_PROCESS,
) -> PlanOutcome:
    """Run the engines a validated scenario enables and publish the outputs into ``folder``,
    under its output lock (``plan``, and each variant of a ``sweep``).

    Args:
        scenario: the validated scenario.
        folder: the output folder, created or replaced as a whole.
        limits: the run's solver limits.
        progress: called with a line per step.
        labels: extra top-level entries of ``summary.json`` (a sweep's variant).
        executor: where the regions of a multi-region scenario are sited (default: one after
            another in this process).

    Returns:
        A ``PlanOutcome``; ``summary.json`` and ``manifest.json`` are in ``folder``.

    Raises:
        DataError: bad data, or an existing ``folder`` that svcplan did not write.
        OutputBusyError: another run is writing ``folder``.
    """
    inputs = sorted(set(scenario_input_files(scenario)))
    with output_lock(folder):
        check_output_folder(folder, carry_over=OWN_FOLDERS)
        progress(f"reading {len(inputs)} input files")
        engines: dict[str, object] = {}
        artifacts: dict[str, ArtifactWriter] = {}
        planned = None  # the stations a siting plans: they cover places the rounds skip
        if scenario.regions is not None:
            from optimizer.pipeline.regions import run_regions_siting

            engines["siting"] = run_regions_siting(scenario, limits, artifacts, progress, executor)
        elif scenario.siting is not None:
            from optimizer.pipeline.siting import run_siting

            sited = run_siting(scenario, limits, artifacts, progress)
            engines["siting"], planned = sited.summary, sited.stations
        if scenario.mobile_rounds is not None:
            from optimizer.pipeline.rounds import run_rounds

            engines["mobile_rounds"] = run_rounds(
                scenario, limits, artifacts, progress, planned_stations=planned
            )
        if scenario.dispatch is not None:
            from optimizer.pipeline.dispatch import run_dispatch

            engines["dispatch"] = run_dispatch(scenario, limits, artifacts, progress)
        if scenario.staffing is not None:
            from optimizer.pipeline.roster import run_staffing

            engines["staffing"] = run_staffing(scenario, limits, artifacts, folder, progress)
        summary: dict[str, object] = {
            "scenario": scenario.name,
            "description": scenario.description,
            "svcplan_version": __version__,
            "map_credit": map_credit(scenario.outputs.credit),
            **(labels or {}),
            "engines": engines,
        }
        artifacts["summary.json"] = json_writer(summary)
        progress(f"writing {folder}")
        files = publish(folder, artifacts, inputs=inputs, carry_over=OWN_FOLDERS)
    return PlanOutcome(scenario=scenario, folder=folder, summary=summary, files=files)


def forecast(
    scenario_path: str | Path,
    *,
    out_dir: Path | None = None,
    with_backtest: bool = False,
    progress: Progress = _silent,
) -> ForecastOutcome:
    """Forecast a scenario's demand and staff requirements, optionally with a backtest.

    Outputs (forecast.csv, requirements.csv, and backtest.csv and backtest.png after a
    backtest, with hourly_backtest.csv for hourly history) are published to
    ``<out>/<name>/forecast/``.

    Raises:
        ScenarioError: invalid scenario, or one without a ``staffing`` section.
        DataError: unusable history.
        OutputBusyError: another run is writing the scenario's outputs.
    """
    from optimizer.pipeline.forecast import (
        forecast_staffing,
        staffing_artifacts,
        staffing_summary,
    )

    scenario_path = Path(scenario_path)
    scenario = _scenario_with(scenario_path, "staffing", progress)
    assert scenario.staffing is not None
    root = output_folder(scenario, scenario_path, out_dir)
    with output_lock(root):
        check_output_folder(root / FORECAST_FOLDER)
        demand = forecast_staffing(
            scenario.staffing, with_backtest=with_backtest, progress=progress
        )
        staffing = staffing_summary(demand)
        summary = {"scenario": scenario.name, "staffing": staffing}
        artifacts = {**staffing_artifacts(demand), "summary.json": json_writer(summary)}
        folder = root / FORECAST_FOLDER
        progress(f"writing {folder}")
        files = publish_into(root, FORECAST_FOLDER, artifacts, inputs=[scenario.staffing.history])
    return ForecastOutcome(
        scenario=scenario, folder=folder, demand=demand, staffing=staffing, files=files
    )


def dispatch(
    scenario_path: str | Path,
    *,
    out_dir: Path | None = None,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    progress: Progress = _silent,
) -> SectionOutcome:
    """Plan cross-region dispatch for a scenario; publish to ``<out>/<name>/dispatch/``.

    ``time_limit_seconds`` overrides ``solver.time_limit_seconds`` (it bounds the MIP that
    batch, donor and team rules need; the flow engines always prove the optimum), and
    ``relative_gap`` overrides ``solver.relative_gap``.

    Raises:
        ScenarioError: invalid scenario, or one without a ``dispatch`` section.
        DataError: bad region, resource or travel files.
        OutputBusyError: another run is writing the scenario's outputs.
    """
    from optimizer.pipeline.dispatch import run_dispatch

    return _run_section(
        Path(scenario_path), "dispatch", DISPATCH_FOLDER, run_dispatch,
        out_dir=out_dir, time_limit_seconds=time_limit_seconds, relative_gap=relative_gap,
        progress=progress,
    )  # fmt: skip


def review(
    scenario_path: str | Path,
    *,
    out_dir: Path | None = None,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    progress: Progress = _silent,
) -> SectionOutcome:
    """Review a scenario's outlets; publish to ``<out>/<name>/review/``.

    ``time_limit_seconds`` overrides ``solver.time_limit_seconds`` (each relocation MIP and
    the joint closure), and ``relative_gap`` overrides ``solver.relative_gap``.

    Raises:
        ScenarioError: invalid scenario, or one without a ``review`` section.
        DataError: bad outlets, volumes or population files (nothing is written).
        OutputBusyError: another run is writing the scenario's outputs.
    """
    from optimizer.pipeline.review import run_review

    return _run_section(
        Path(scenario_path), "review", REVIEW_FOLDER, run_review,
        out_dir=out_dir, time_limit_seconds=time_limit_seconds, relative_gap=relative_gap,
        progress=progress,
    )  # fmt: skip


def rounds(
    scenario_path: str | Path,
    *,
    out_dir: Path | None = None,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    progress: Progress = _silent,
) -> SectionOutcome:
    """Plan a scenario's mobile service rounds; publish to ``<out>/<name>/rounds/``.

    ``time_limit_seconds`` overrides ``solver.time_limit_seconds`` (the routing search;
    default 60 s); ``relative_gap`` overrides ``solver.relative_gap`` (the routing search
    proves no bound and does not use it).

    Raises:
        ScenarioError: invalid scenario, or one without a ``mobile_rounds`` section.
        DataError: bad places, stations or districts, or a station off the drivable roads
            (places off the roads or beyond a shift are listed in the summary instead).
        OutputBusyError: another run is writing the scenario's outputs.
    """
    from optimizer.pipeline.rounds import run_rounds

    return _run_section(
        Path(scenario_path), "mobile_rounds", ROUNDS_FOLDER, run_rounds,
        out_dir=out_dir, time_limit_seconds=time_limit_seconds, relative_gap=relative_gap,
        progress=progress,
    )  # fmt: skip


@dataclass
class SectionOutcome:
    """What one ``dispatch`` or ``review`` run produced: its summary and where its files
    went."""

    scenario: Scenario
    folder: Path
    summary: dict[str, object]
    files: list[Path]


SectionRun = Callable[
    [Scenario, SolverLimits, dict[str, ArtifactWriter], Progress], dict[str, object]
]
"""An adapter that runs one scenario section's engine and adds its files to the artifacts."""


def _run_section(
    scenario_path: Path,
    section: str,
    folder_name: str,
    run: SectionRun,
    *,
    out_dir: Path | None,
    time_limit_seconds: float | None,
    relative_gap: float | None,
    progress: Progress,
) -> SectionOutcome:
    """Run the engine of ``section`` and publish its files and ``summary.json`` (the summary
    under the section's name) into ``<out>/<name>/<folder_name>/``, under the output lock."""
    scenario = _scenario_with(scenario_path, section, progress)
    root = output_folder(scenario, scenario_path, out_dir)
    inputs = sorted(set(scenario_input_files(getattr(scenario, section))))
    with output_lock(root):
        check_output_folder(root / folder_name)
        artifacts: dict[str, ArtifactWriter] = {}
        limits = solver_limits(
            scenario.solver, time_limit_seconds=time_limit_seconds, relative_gap=relative_gap
        )
        summary = run(scenario, limits, artifacts, progress)
        artifacts["summary.json"] = json_writer({"scenario": scenario.name, section: summary})
        files = publish_into(root, folder_name, artifacts, inputs=inputs)
    folder = root / folder_name
    return SectionOutcome(scenario=scenario, folder=folder, summary=summary, files=files)


@dataclass
class ForecastOutcome:
    """What one ``forecast`` run produced: the demand, its figures (``staffing`` in
    ``summary.json``) and where its files went."""

    scenario: Scenario
    folder: Path
    demand: StaffingDemand
    staffing: dict[str, object]
    files: list[Path]


DEFAULT_INSTANCE_SECONDS = 60.0


def solve_instance(
    format_name: str,
    path: str | Path,
    *,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    vehicles: int | None = None,
) -> dict[str, object]:
    """Solve one published benchmark instance with the engine its format belongs to.

    Args:
        format_name: ``orlib-pmed``, ``orlib-scp``, ``orlib-cap`` (siting engine),
            ``curtois`` (roster engine), ``solomon``, ``cvrplib`` or ``pvrp`` (rounds engine).
        path: the instance file.
        time_limit_seconds: wall-clock limit; default 60 s.
        relative_gap: stop once proven within this relative gap of the bound (default: exact).
        vehicles: ``solomon`` only: the fixed fleet size (otherwise fewest vehicles first).

    Returns:
        ``format``, ``instance``, and the SolveReport's ``status``, ``objective``, ``bound``,
        ``gap``, ``seconds``, ``solver`` and ``notes``; the objective is the instance's own
        (routing sets: total distance in the set's convention, to 2 decimals), and routing
        sets add ``vehicles`` (the most used on one day), and ``curtois`` adds ``cost``, the
        objective by part (``formats.curtois.cost_parts``).

    Raises:
        DataError: unknown format, a file that does not follow it, or ``vehicles`` with a
            format other than ``solomon``.
        NoSolutionError: the time limit ran out before any solution.
    """
    from optimizer.formats import solve_published_instance
    from optimizer.formats.curtois import cost_parts, solve_curtois_instance
    from optimizer.formats.rounds import ROUNDS_FORMATS, solve_rounds_instance

    seconds = DEFAULT_INSTANCE_SECONDS if time_limit_seconds is None else time_limit_seconds
    limits = SolverLimits(time_limit_seconds=seconds, relative_gap=relative_gap)
    extra: dict[str, object] = {}
    if vehicles is not None and format_name != "solomon":
        raise DataError("--vehicles", "only the solomon format takes a fleet size")
    if format_name == "curtois":
        if not Path(path).is_file():
            raise DataError(path, "no such file")
        problem, roster, report = solve_curtois_instance(path, limits)
        extra["cost"] = cost_parts(problem, roster)
    elif format_name in ROUNDS_FORMATS:
        problem, plan, report = solve_rounds_instance(format_name, path, limits, vehicles=vehicles)
        if plan is None:
            raise NoSolutionError(f"no feasible routes found within {seconds:g} s")
        extra["vehicles"] = max(plan.vehicles_per_day(problem.period_days))
    elif format_name in INSTANCE_FORMATS:
        _, report = solve_published_instance(format_name, path, limits)
    else:
        known = ", ".join(INSTANCE_FORMATS)
        raise DataError(path, f"unknown format {format_name!r}; expected one of {known}")
    return {"format": format_name, "instance": str(path), **report.to_dict(), **extra}


def export(
    plan_dir: str | Path,
    *,
    formats: Sequence[str],
    tiles_url: str | None = None,
    png_dpi: int = 150,
) -> list[Path]:
    """Rewrite a published plan's layers and maps in other formats, inside ``plan_dir``.

    Args:
        plan_dir: a folder written by ``plan`` (it holds ``plan.gpkg``).
        formats: layer formats (gpkg, geoparquet, flatgeobuf, geojson) and maps (html, png).
        tiles_url: XYZ tile URL template for the HTML map.
        png_dpi: resolution of the PNG map.

    Returns:
        The files written. The folder is rebuilt beside itself with them and its refreshed
        ``manifest.json`` and swapped in at once, so an interrupted export leaves the previous
        folder intact and every manifest agrees with its files.

    Raises:
        DataError: no plan in ``plan_dir``, a folder svcplan did not publish, a plan that
            breaks the layer contract, or an unknown format.
        OutputBusyError: another run is writing ``plan_dir``.
    """
    from optimizer.export.artifacts import map_artifacts
    from optimizer.export.sinks import GEOPACKAGE_NAME, read_layers

    folder = Path(plan_dir)
    source = folder / GEOPACKAGE_NAME
    if not source.is_file():
        raise DataError(folder, f"no {GEOPACKAGE_NAME} here: run `svcplan plan` first")
    unknown = [name for name in formats if name not in OUTPUT_FORMATS]
    if unknown:
        raise DataError("--format", f"unknown format(s) {', '.join(unknown)}")
    with output_lock(folder):
        layers = read_layers(source)
        artifacts = map_artifacts(
            layers,
            formats=formats,
            title=folder.name,
            credit=_published_credit(folder),
            tiles_url=tiles_url,
            png_dpi=png_dpi,
        )
        written = update(folder, artifacts)
    return written


def _published_credit(folder: Path) -> str:
    """The map credit the plan in ``folder`` was published with (its ``summary.json``),
    OpenStreetMap's alone for a plan that does not record one."""
    summary = folder / "summary.json"
    try:
        credit = json.loads(summary.read_text(encoding="utf-8")).get("map_credit")
    except (OSError, ValueError, AttributeError):
        credit = None
    return credit if isinstance(credit, str) else map_credit(None)


def job_run(
    job_path: str | Path,
    *,
    as_of: date | None = None,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    log: JobLog | None = None,
) -> JobOutcome:
    """Run the periodic roster job of a job file (``svcplan job run``).

    Forecasts from the history before ``as_of``, rosters the job's window (its first
    ``freeze_days`` keep their published duties exactly) and publishes the roster with its
    change set to the publication store and the job's folder, in one step each; a rerun with
    the same inputs publishes nothing. See ``optimizer.job.run``.

    Args:
        job_path: the job file.
        as_of: the planning date (default: today in the sites' time zone).
        time_limit_seconds: overrides the job's and the scenario's roster time limit.
        relative_gap: overrides the scenario's ``solver.relative_gap``.
        log: where log lines go (default: nowhere).

    Returns:
        A ``JobOutcome``: ``status`` ``published`` or ``unchanged``, the run id and summary.

    Raises:
        ScenarioError, DataError: bad job file, scenario or data.
        InfeasibleError: the rules or the frozen days cannot hold.
        NoSolutionError: no roster within the time limit.
        TemporaryFailure: another run holds the job's lock, the store is unreachable, or
            another run published meanwhile (exit 75: retry later).
    """
    from optimizer.job.run import run_job

    return run_job(
        job_path,
        as_of=as_of,
        time_limit_seconds=time_limit_seconds,
        relative_gap=relative_gap,
        log=log,
    )


def sweep(
    scenario_path: str | Path,
    grid_path: str | Path,
    *,
    out_dir: Path | None = None,
    executor: str = "local",
    workers: int | None = None,
    address: str | None = None,
    threads: int | None = None,
    resume: bool = False,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    on_result: OnResult | None = None,
) -> SweepOutcome:
    """Plan a scenario for every combination of a grid's values (``svcplan sweep``), one task
    per variant on an executor, each published into ``<out>/<name>-sweep/<variant>/``, and
    publish their comparison (``comparison/sweep.csv``, ``tradeoffs.png``, ``summary.json``).
    See ``optimizer.sweep.run.run_sweep`` for the arguments.

    Returns:
        A ``SweepOutcome``: the table's rows in grid order (a failed variant is a row with
        status ``failed`` and its error; the others ran to their end).

    Raises:
        ScenarioError: bad scenario or grid (nothing runs or is written).
        DataError: a variant folder svcplan did not write, or an executor that cannot start.
        OutputBusyError: another sweep is writing the same sweep folder.
    """
    from optimizer.sweep.run import run_sweep

    return run_sweep(
        Path(scenario_path),
        Path(grid_path),
        out_dir=out_dir,
        executor=executor,
        workers=workers,
        address=address,
        threads=threads,
        resume=resume,
        time_limit_seconds=time_limit_seconds,
        relative_gap=relative_gap,
        on_result=on_result,
    )


def _scenario_with(scenario_path: Path, section: str, progress: Progress) -> Scenario:
    """The validated scenario, which must have ``section``.

    Raises:
        ScenarioError: invalid scenario, or one without that section.
    """
    progress(f"validating {scenario_path}")
    scenario = load_scenario(scenario_path)
    if getattr(scenario, section) is None:
        raise ScenarioError(
            [f"{scenario_path}:1: {section}: this scenario has no {section} section"]
        )
    return scenario


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
