"""The ``svcplan`` command line: parse, call ``optimizer.api``, render. No modelling here.

Exit codes: 0 success, 1 other error, 2 bad input, 3 infeasible, 4 time limit without a
solution, 75 retry later (another run is writing the same outputs, or the publication store is
unreachable). User errors print one line per problem and no traceback (``--debug`` shows it).
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from optimizer import __version__, stop
from optimizer.choices import EXECUTORS, INSTANCE_FORMATS, OUTPUT_FORMATS, described
from optimizer.errors import ScenarioError, SvcplanError
from optimizer.native_output import native_stdout_aside
from optimizer.solve import MAX_THREADS

if TYPE_CHECKING:  # the engines load only when a command needs them: --help starts at once
    from optimizer import api
    from optimizer.forecast import BacktestResult
    from optimizer.job.log import JobLog

EXIT_OK, EXIT_OTHER, EXIT_BAD_INPUT = 0, 1, 2

app = typer.Typer(
    name="svcplan",
    help="Site service stations, roster staff and plan surge dispatch from one scenario file.\n\n"
    "Exit codes: 0 success, 1 other error, 2 bad input, 3 infeasible, 4 time limit without a "
    "solution, 75 retry later (another run is writing the same outputs, or the publication "
    "store is unreachable).",
    no_args_is_help=True,
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)

OutOption = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="Write outputs to DIR/<name>/ (default ./out)."),
]
TimeLimitOption = Annotated[
    float | None,
    typer.Option("--time-limit", metavar="S", min=0.001, help="Solver time limit in seconds."),
]
RelativeGapOption = Annotated[
    float | None,
    typer.Option(
        "--relative-gap",
        metavar="G",
        min=0.0,
        max=0.99,
        help="Stop once a plan is proven within this relative gap of its bound, e.g. 0.01 "
        "(overrides solver.relative_gap; 0: exact).",
    ),
]
ScenarioFileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print a machine-readable JSON summary on stdout.")
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]
DEFAULT_EXECUTOR = next(iter(EXECUTORS))
ExecutorOption = Annotated[
    str, typer.Option("--executor", metavar="NAME", help=f"{described(EXECUTORS)}.")
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        metavar="URL",
        help="A running Dask scheduler, e.g. tcp://HOST:8786 (with --executor dask; "
        "default: a LocalCluster on this machine).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Tasks at once on this machine (default: one per core)."),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option(
        "--threads",
        min=1,
        max=MAX_THREADS,
        help="Solver threads per task (default: the cores shared among the workers).",
    ),
]


@dataclass
class Options:
    """Options given before the command (global) or after it (local); local ones win."""

    out: Path | None = None
    time_limit: float | None = None
    relative_gap: float | None = None
    quiet: bool = False
    json: bool = False
    debug: bool = False

    def merged(self, **local: object) -> Options:
        """These options with every local option that was given laid over them."""
        given = {
            key: value for key, value in local.items() if value is not None and value is not False
        }
        return Options(**{**self.__dict__, **given})


@app.callback()
def main(
    ctx: typer.Context,
    out: OutOption = None,
    time_limit: TimeLimitOption = None,
    relative_gap: RelativeGapOption = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Site service stations, roster staff and plan surge dispatch from one scenario file."""
    if version:
        stdout.print(f"svcplan {__version__}")
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand is None:
        stdout.print(ctx.get_help())
        raise typer.Exit(EXIT_OK)
    ctx.obj = _laid_over(Options(), out, time_limit, relative_gap, quiet, json_output, debug)


def _laid_over(
    base: Options,
    out: Path | None,
    time_limit: float | None,
    relative_gap: float | None,
    quiet: bool,
    json_output: bool,
    debug: bool,
) -> Options:
    """``base`` (the options given before the command) with those given after it."""
    return base.merged(
        out=out,
        time_limit=time_limit,
        relative_gap=relative_gap,
        quiet=quiet,
        json=json_output,
        debug=debug,
    )


T = TypeVar("T")


def _guarded(options: Options, action: Callable[[], T]) -> T:
    """Run ``action``; map svcplan errors to their exit codes with a message and no traceback.

    SIGINT and SIGTERM stop it (``optimizer.stop``): a solver returns its best result, other
    work ends with exit 130 or 143 and nothing written. Whatever native code prints on stdout
    meanwhile goes to stderr (nowhere with --quiet).
    """
    try:
        with native_stdout_aside(options.quiet or options.json):
            result = stop.run_stoppable(action)
    except SvcplanError as error:
        if options.debug:
            raise
        for line in str(error).splitlines():
            stderr.print(f"error: {line}" if not line.startswith(" ") else line, markup=False)
        raise typer.Exit(error.exit_code) from None
    except Exception as error:
        if options.debug:
            raise
        stderr.print(f"internal error: {type(error).__name__}: {error}", markup=False)
        stderr.print("rerun with --debug for the traceback")
        raise typer.Exit(EXIT_OTHER) from None
    if stop.stopped_by() is not None:
        stderr.print(
            f"interrupted by {stop.stopped_by()}: the solver stopped early; the best result "
            "found was kept and is reported as feasible, with its bound and gap"
        )
    return result


def _guarded_with_progress(options: Options, action: Callable[[Callable[[str], None]], T]) -> T:
    """``_guarded`` with a progress sink for ``action``: a spinner showing the current step on
    stderr, silent with --quiet or --json."""
    if options.quiet or options.json:
        return _guarded(options, lambda: action(lambda _line: None))
    with stderr.status("starting", spinner="dots") as status:
        return _guarded(options, lambda: action(status.update))


def _scenario_command(command: str, help_text: str, show: Callable[[Any], None]) -> None:
    """Register ``svcplan <command> FILE``: run ``api.<command>`` on the scenario with the
    options' output folder and time limit (``_run_scenario``)."""

    def run(
        ctx: typer.Context,
        scenario_file: ScenarioFileArgument,
        out: OutOption = None,
        time_limit: TimeLimitOption = None,
        relative_gap: RelativeGapOption = None,
        quiet: QuietOption = False,
        json_output: JsonOption = False,
        debug: DebugOption = False,
    ) -> None:
        options = _laid_over(ctx.obj, out, time_limit, relative_gap, quiet, json_output, debug)
        _run_scenario(options, command, scenario_file, show)

    app.command(command, help=help_text)(run)


def _run_scenario(
    options: Options,
    command: str,
    scenario_file: Path,
    show: Callable[[Any], None],
    **arguments: object,
) -> None:
    """Run ``api.<command>`` on the scenario with the options' output folder and time limit
    (and ``arguments``), then print its summary as JSON (``--json``), nothing (``--quiet``)
    or with ``show``."""
    outcome = _guarded_with_progress(
        options,
        lambda progress: getattr(_api(), command)(
            scenario_file,
            out_dir=options.out,
            time_limit_seconds=options.time_limit,
            relative_gap=options.relative_gap,
            progress=progress,
            **arguments,
        ),
    )
    if options.json:
        _emit_json(outcome.summary)
    elif not options.quiet:
        show(outcome)


def _api() -> ModuleType:
    """``optimizer.api``, imported on first use: inside a command's guarded work, so that the
    engines load only when needed and a signal while they load ends the run cleanly."""
    from optimizer import api

    return api


def _emit_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Scenario files (.yaml, .yml, .toml).")],
    data: Annotated[
        bool,
        typer.Option(
            "--data",
            help="Also open the data files each scenario names (not the OSM extract) and check "
            "their columns, ids and cross-references: places' categories, sites, regions, "
            "teams. Takes a few seconds.",
        ),
    ] = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Check scenario files (with --data, their data files too) without running anything;
    exit 2 if any is invalid."""
    options = ctx.obj.merged(quiet=quiet, json=json_output, debug=debug)
    report = _guarded(options, lambda: [_validate_one(path, options, data) for path in files])
    if options.json:
        _emit_json(report)
    if not all(item["valid"] for item in report):
        raise typer.Exit(EXIT_BAD_INPUT)


def _validate_one(path: Path, options: Options, data: bool) -> dict[str, object]:
    """Validate one file (and with ``data`` its data files), print its verdict, and return it
    as a JSON-ready dict."""
    from optimizer.scenario import load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        return _invalid(path, error.problems, options)
    if data:
        from optimizer.pipeline.data_check import check_scenario_data

        problems = check_scenario_data(scenario)
        if problems:
            return _invalid(path, problems, options)
    if not (options.quiet or options.json):
        engines = ", ".join(scenario.engines) or "none"
        checked = "; data files checked" if data else ""
        stdout.print(f"ok  {path}  (scenario {scenario.name}; engines: {engines}{checked})")
    return {"file": str(path), "valid": True, "engines": scenario.engines, "data_checked": data}


def _invalid(path: Path, problems: list[str], options: Options) -> dict[str, object]:
    """Print ``problems`` (one ``error:`` line each, unless --json) and return the verdict."""
    if not options.json:
        for line in problems:
            stderr.print(f"error: {line}", markup=False)
    return {"file": str(path), "valid": False, "problems": problems}


@app.command()
def solve(
    ctx: typer.Context,
    format_name: Annotated[
        str,
        typer.Argument(metavar="FORMAT", help=f"{described(INSTANCE_FORMATS)}."),
    ],
    instance: Annotated[Path, typer.Argument(metavar="FILE", help="The instance file.")],
    vehicles: Annotated[
        int | None,
        typer.Option("--vehicles", min=1, help="solomon: fix the fleet size (default: fewest)."),
    ] = None,
    time_limit: TimeLimitOption = None,
    relative_gap: RelativeGapOption = None,
    json_output: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Solve a published benchmark instance; print objective, status, bound, gap and seconds
    (curtois: the objective by part too)."""
    options = _laid_over(ctx.obj, None, time_limit, relative_gap, quiet, json_output, debug)
    result = _guarded(
        options,
        lambda: _api().solve_instance(
            format_name,
            instance,
            time_limit_seconds=options.time_limit,
            relative_gap=options.relative_gap,
            vehicles=vehicles,
        ),
    )
    if options.json:
        _emit_json(result)
    elif not options.quiet:
        bound = "n/a" if result["bound"] is None else f"{result['bound']:,.6g}"
        gap = "n/a" if result["gap"] is None else f"{100 * result['gap']:.4f}%"
        fleet = f"  vehicles {result['vehicles']}" if "vehicles" in result else ""
        stdout.print(
            f"{instance.name}: {result['status']}  objective {result['objective']:,.6g}{fleet}"
            f"{_cost_text(result.get('cost'))}  bound {bound}  gap {gap}  "
            f"{result['seconds']:.2f} s ({result['solver']})"
        )


def _cost_text(cost: object) -> str:
    """A roster instance's objective by part (``formats.curtois.cost_parts``) in words, or
    "" for other formats."""
    if not isinstance(cost, dict):
        return ""
    return (
        f" (under-cover {cost['under_cover']:,}: {cost['staff_shifts_short']:,} staff-shifts "
        f"short, {cost['short_on_weekends']:,} of them on weekends; over-cover "
        f"{cost['over_cover']:,}; requests {cost['requests']:,})"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (also in scenarios/scenario.schema.json)."""
    from optimizer.scenario import scenario_json_schema

    _emit_json(scenario_json_schema())


def _print_plan(outcome: api.PlanOutcome) -> None:
    engines = outcome.summary["engines"]
    assert isinstance(engines, dict)
    for name, result in engines.items():
        if name == "siting":
            _print_siting(outcome.scenario.name, result)
            if "regions" in result:
                _print_regions(result)
        elif name == "staffing":
            _print_requirements(result)
            if "roster" in result:
                _print_roster(result["roster"])
        elif name == "mobile_rounds":
            _print_rounds_summary(outcome.scenario.name, result)
        else:
            stdout.print(
                f"dispatch {result['status']}: {result['moved_units']} units in "
                f"{result['moves']} moves, {result['unmet_units']} units unmet"
            )
    stdout.print(f"outputs: {outcome.folder}/ ({len(outcome.files)} files)")


def _print_siting(scenario_name: str, siting: dict) -> None:
    from optimizer.export.style import coverage_percent_text

    solve = siting["solve"]
    status = str(solve["status"])
    if status != "optimal" and solve.get("gap") is not None:
        status += f" (bound {solve['bound']:,.1f}, gap {100 * solve['gap']:.2f}%)"
    minutes = siting["coverage_minutes"]
    table = Table(title=f"station siting: {scenario_name}", title_justify="left", show_header=False)
    table.add_column("figure")
    table.add_column("value")
    rows = [
        (
            "status",
            f"{status} in {solve['seconds']:.1f} s ({solve['solver']}), "
            f"data prepared in {siting['preparation_seconds']:.1f} s",
        ),
        ("objective", _objective_text(siting)),
        ("stations", f"{siting['stations']:,} ({siting['new_stations']:,} new)"),
        (
            "busiest stations",
            ", ".join(
                f"{item['name']} ({item['residents_served']:,} residents)"
                for item in siting["busiest_stations"][:FEW]
            ),
        ),
        (
            "residents covered" if minutes is None else f"residents within {minutes:g} min",
            f"{siting['covered_residents']:,.0f} of {siting['residents']:,.0f} "
            f"({coverage_percent_text(siting['covered_residents'], siting['residents'])})",
        ),
        ("residents beyond road reach", f"{siting['residents_beyond_road_reach']:,.0f}"),
        ("mean / p95 travel", _minutes_pair(siting)),
    ]
    if siting["density_rule"] and siting["urban_districts"]:
        met = f"{siting['urban_districts_compliant']} of {siting['urban_districts']}"
        short = siting["urban_districts_short"]
        rows.append(
            (
                "urban districts meeting density",
                f"{met} (short: {_first_few(short)})" if short else met,
            )
        )
    rows += [
        (
            f"{post} posts",
            f"{len(stations)}: "
            + _first_few(
                f"{item['name']} (serves {', '.join(item['serves'])})"
                if item["serves"]
                else item["name"]
                for item in stations
            ),
        )
        for post, stations in siting["typed_posts"].items()
    ]
    for label, value in rows:
        table.add_row(label, value)
    stdout.print(table)


def _print_regions(siting: dict) -> None:
    """One row per task of a multi-region plan (a region, or regions planned as one problem),
    and why regions were planned as one."""
    from optimizer.export.style import coverage_percent_text

    table = Table(title="regions", title_justify="left")
    for header in ("region", "status", "stations", "residents", "covered", "mean min"):
        table.add_column(header, justify="left" if header in ("region", "status") else "right")
    for row in siting["regions"]:
        table.add_row(
            row["region"],
            str(row["status"]),
            f"{row['stations']:,}",
            f"{row['residents']:,.0f}",
            coverage_percent_text(row["covered_residents"], row["residents"]),
            _number(row["mean_travel_minutes"], 1),
        )
    stdout.print(table)
    tasks = siting["tasks"]
    regions = sum(len(task) for task in tasks)
    stdout.print(f"{regions} regions in {len(tasks)} tasks")
    for sentence in siting["interactions"]:
        stdout.print(f"planned as one problem: {sentence}")


FEW = 3
"""Names a terminal row shows before "and N more"."""


def _first_few(names: Iterable[str], shown: int = FEW) -> str:
    """``"a, b, c and 4 more"``: the first ``shown`` names and how many are left out."""
    names = list(names)
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def _objective_text(siting: dict) -> str:
    """The solver's objective with its unit, e.g. ``3,074,851 resident-minutes``."""
    value = siting["solve"]["objective"]
    if value is None:
        return "n/a"
    return f"{value:,.0f} {siting['objective_unit']} ({siting['objective']})"


def _minutes_pair(siting: dict) -> str:
    mean, p95 = siting["mean_travel_minutes"], siting["p95_travel_minutes"]
    if mean is None or p95 is None:
        return "n/a"
    return f"{mean:.1f} / {p95:.1f} min"


@app.command("plan")
def plan(
    ctx: typer.Context,
    scenario_file: ScenarioFileArgument,
    executor: ExecutorOption = DEFAULT_EXECUTOR,
    address: AddressOption = None,
    workers: WorkersOption = None,
    threads: ThreadsOption = None,
    out: OutOption = None,
    time_limit: TimeLimitOption = None,
    relative_gap: RelativeGapOption = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Run the engines a scenario enables and write outputs to <out>/<name>/. The regions of a
    multi-region scenario (regions:) that cannot interact are sited as separate tasks on
    --executor and merged into one plan."""
    from optimizer.parallel import ExecutorChoice

    options = _laid_over(ctx.obj, out, time_limit, relative_gap, quiet, json_output, debug)
    choice = ExecutorChoice(executor, workers=workers, address=address, threads=threads)
    _run_scenario(options, "plan", scenario_file, _print_plan, executor=choice)


@app.command()
def forecast(
    ctx: typer.Context,
    scenario_file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")],
    with_backtest: Annotated[
        bool,
        typer.Option(
            "--backtest", help="Also score the model on the last weeks against seasonal-naive."
        ),
    ] = False,
    out: OutOption = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Forecast demand and staff requirements; write them to <out>/<name>/forecast/."""
    options = ctx.obj.merged(out=out, quiet=quiet, json=json_output, debug=debug)
    outcome = _guarded_with_progress(
        options,
        lambda progress: _api().forecast(
            scenario_file, out_dir=options.out, with_backtest=with_backtest, progress=progress
        ),
    )
    summary = outcome.staffing
    if options.json:
        _emit_json(summary)
        return
    if options.quiet:
        return
    report = outcome.demand.history.report
    if report.gaps:
        stderr.print(
            f"history: {len(report.gaps)} gaps, {report.missing_periods:,} missing "
            f"{'days' if outcome.demand.history.frequency == 'daily' else 'hours'} "
            "(not filled; listed in history_gaps.txt)"
        )
    _print_requirements(summary)
    if outcome.demand.backtest is not None:
        _print_backtest(outcome.demand.backtest)
    stdout.print(f"outputs: {outcome.folder}/ ({len(outcome.files)} files)")


def _print_requirements(summary: dict) -> None:
    horizon = summary["horizon"]
    stdout.print(
        f"forecast {horizon['first_day']} to {horizon['last_day']} at {summary['sites']} sites: "
        f"{summary['staff_needed_mean_day']:.1f} staff a day on average "
        f"(peak {summary['staff_needed_peak_day']}), reserve on call up to "
        f"{summary['reserve_needed_peak_day']} a day"
    )


def _print_roster(roster: dict) -> None:
    solve = roster["solve"]
    gap = "" if solve["gap"] is None else f", gap {100 * solve['gap']:.1f}%"
    stdout.print(
        f"roster {solve['status']} in {solve['seconds']:.0f} s{gap}: "
        f"{roster['staff_shifts_assigned']:,} shifts for {roster['staff_shifts_needed']:,} "
        f"needed ({roster['uncovered_staff_shifts']} uncovered); on call "
        f"{roster['reserve_on_call'] + roster['reserve_lent_by_partners']} of "
        f"{roster['reserve_needed']} reserve places ({roster['reserve_lent_by_partners']} "
        f"lent by partners, {roster['reserve_shortfall']} short); "
        f"{roster['employees_working']} employees working"
    )
    for note in solve["notes"]:
        stdout.print(f"  note: {note}", markup=False)


def _print_backtest(result: BacktestResult) -> None:
    table = Table(title="backtest (MASE: lower is better)", title_justify="left")
    for column in ("site", "MAE", "MASE", "naive MASE", "interval coverage"):
        table.add_column(column, justify="left" if column == "site" else "right")
    for site, row in result.scores.iterrows():
        table.add_row(
            str(site),
            f"{row['mae']:,.0f}",
            f"{row['mase']:.3f}",
            f"{row['naive_mase']:.3f}",
            f"{row['coverage']:.0%}",
        )
    table.add_row(
        "mean",
        "",
        f"{result.mean_mase:.3f}",
        f"{result.mean_naive_mase:.3f}",
        f"{result.scores['coverage'].mean():.0%}",
        style="bold",
    )
    stdout.print(table)
    ratio = result.mean_mase / result.mean_naive_mase
    stdout.print(f"model MASE / seasonal-naive MASE = {ratio:.3f}")
    if result.hourly_mase_ratio is not None:
        stdout.print(
            "hours: model MASE / same-hour-last-week MASE = "
            f"{result.hourly_mase_ratio:.3f} (hourly_backtest.csv)"
        )


def _print_review(outcome: api.SectionOutcome) -> None:
    summary = outcome.summary
    stdout.print(
        f"review: {outcome.scenario.name}: {summary['outlets']} outlets, "
        f"{len(summary['flagged'])} flagged ({summary['status']}); travel: {summary['travel']}"
    )
    for sentence in summary["sentences"]:
        stdout.print(f"  {sentence}")
    stdout.print(f"outputs: {outcome.folder}/ ({len(outcome.files)} files)")


_scenario_command(
    "review",
    "Review under-used outlets: flags, merge/relocate/transform options, joint closure; "
    "write <out>/<name>/review/.",
    _print_review,
)


def _print_rounds(outcome: api.SectionOutcome) -> None:
    _print_rounds_summary(outcome.scenario.name, outcome.summary)
    stdout.print(f"outputs: {outcome.folder}/ ({len(outcome.files)} files)")


def _print_rounds_summary(scenario_name: str, summary: dict) -> None:
    """The rounds' figures: places, vehicles per day beside their bound, the fleet, stops,
    hours and breaks, and a table of the places the rounds cannot reach, with the reason."""
    urban = summary["places_in_urban_districts"]
    stdout.print(
        f"rounds: {scenario_name}: {summary['places_visited']} places visited, "
        f"{summary['places_covered_by_stations']} covered by stations"
        + (f", {urban} in urban districts" if urban else "")
        + f", {summary['residents_served']:,.0f} residents served"
    )
    if "vehicles_per_day" in summary:
        table = Table("day", "vehicles", "at least")
        for day, (count, bound) in enumerate(
            zip(summary["vehicles_per_day"], summary["vehicles_lower_bound_per_day"], strict=True),
            start=1,
        ):
            table.add_row(str(day), str(count), str(bound))
        stdout.print(table)
        stdout.print(
            f"fleet {summary['fleet']} (at least {summary['fleet_lower_bound']}; vehicles "
            f"are reused across the days), {summary['stops']} stops, "
            f"{summary['hours_driven']:.1f} h driven, {summary['breaks']} breaks "
            f"({summary['status']})"
        )
    if summary["unreachable_places"]:
        table = Table("unreachable place", "residents", "reason")
        for place in summary["unreachable_places"]:
            table.add_row(place["name"], f"{place['residents']:,.0f}", place["reason"])
        stdout.print(table)


_scenario_command(
    "rounds",
    "Plan mobile service rounds to the rural places no station covers (svcplan plan runs "
    "them after siting); list the places they cannot reach with the reason; write "
    "rounds.csv, the layers and maps to <out>/<name>/rounds/.",
    _print_rounds,
)


def _print_dispatch(outcome: api.SectionOutcome) -> None:
    summary = outcome.summary
    table = Table(title=f"dispatch: {outcome.scenario.name}", title_justify="left")
    for column in ("from", "to", "resource", "lender", "units", "depart min", "arrive min"):
        table.add_column(
            column, justify="right" if "min" in column or column == "units" else "left"
        )
    for move in summary["move_list"]:
        table.add_row(
            str(move["from_name"]),
            str(move["to_name"]),
            str(move["resource"]),
            str(move["lender"]),
            str(move["units"]),
            f"{move['depart_minute']:.0f}",
            f"{move['arrive_minute']:.0f}",
        )
    stdout.print(table)
    stdout.print(
        f"{summary['status']}: {summary['moved_units']} units in {summary['moves']} moves, "
        f"latest arrival at minute {summary['latest_arrival_minute']:.0f} of "
        f"{summary['window_minutes']:.0f}; {summary['unmet_units']} units unmet"
    )
    for row in summary["unmet"]:
        if row["unmet_units"]:
            stdout.print(
                f"  unmet: {row['region_name']} {row['resource']}: "
                f"{row['unmet_units']} of "
                f"{row['need_units']} ({row['reason']})"
            )
    supplies = summary.get("supplies")
    if isinstance(supplies, dict):
        stdout.print(
            f"supplies {supplies['status']}: {supplies['transferred_units']:,} units in "
            f"{supplies['transfers']} transfers between sites; {supplies['orders']} "
            f"replenishment orders for {supplies['ordered_units']:,} units"
        )
    stdout.print(f"outputs: {outcome.folder}/ ({len(outcome.files)} files)")


_scenario_command(
    "dispatch",
    "Plan who sends what to whom within the window; write <out>/<name>/dispatch/.",
    _print_dispatch,
)


@app.command()
def sweep(
    ctx: typer.Context,
    scenario_file: Annotated[Path, typer.Argument(metavar="FILE", help="Scenario file.")],
    grid: Annotated[
        Path,
        typer.Option(
            "--grid",
            metavar="GRID",
            help="Grid file (.yaml/.toml): scenario key paths and the values each takes, "
            "e.g. siting.coverage_minutes: [10, 15, 20]. Every combination is a variant.",
        ),
    ],
    executor: ExecutorOption = DEFAULT_EXECUTOR,
    address: AddressOption = None,
    workers: WorkersOption = None,
    threads: ThreadsOption = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Skip variants whose outputs are complete (their manifest says so) and were "
            "made from the same scenario, values and limits.",
        ),
    ] = False,
    out: OutOption = None,
    time_limit: TimeLimitOption = None,
    relative_gap: RelativeGapOption = None,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Plan a scenario for every combination of a grid's values, one task per variant, each
    into <out>/<name>-sweep/<variant>/; compare them in <out>/<name>-sweep/comparison/
    (sweep.csv, tradeoffs.png). Exit 1 when a variant failed (the others still run)."""
    options = _laid_over(ctx.obj, out, time_limit, relative_gap, quiet, json_output, debug)

    def action(on_result: Callable[[int, int, dict], None] | None) -> api.SweepOutcome:
        return _api().sweep(
            scenario_file,
            grid,
            out_dir=options.out,
            executor=executor,
            workers=workers,
            address=address,
            threads=threads,
            resume=resume,
            time_limit_seconds=options.time_limit,
            relative_gap=options.relative_gap,
            on_result=on_result,
        )

    if options.quiet or options.json:
        outcome = _guarded(options, lambda: action(None))
    else:
        outcome = _with_task_progress(options, action)
    if options.json:
        _emit_json(_sweep_summary(outcome))
    elif not options.quiet:
        _print_sweep(outcome)
    if outcome.failed:
        stderr.print(f"error: {len(outcome.failed)} of {len(outcome.rows)} variants failed")
        raise typer.Exit(EXIT_OTHER)


def _with_task_progress(
    options: Options, action: Callable[[Callable[[int, int, dict], None]], T]
) -> T:
    """``_guarded`` with a progress bar across tasks on stderr: ``action`` gets a callback
    ``(done, total, row)``; a failed variant is printed with its error as it ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=stderr) as bar:
        task = bar.add_task("variants", total=None)

        def on_result(done: int, total: int, row: dict) -> None:
            bar.update(task, completed=done, total=total, description=f"{row['variant']}")
            if row["error"] is not None:
                bar.console.print(f"failed: {row['variant']}: {row['error']}", markup=False)

        return _guarded(options, lambda: action(on_result))


def _sweep_summary(outcome: api.SweepOutcome) -> dict[str, object]:
    """The JSON of ``svcplan sweep --json``: where the sweep went and its table."""
    return {
        "folder": str(outcome.folder),
        "executor": outcome.executor,
        "slots": outcome.slots,
        "threads_per_task": outcome.threads_per_task,
        "wall_seconds": outcome.wall_seconds,
        "rows": outcome.rows,
    }


SWEEP_FIGURES = (
    ("coverage_percent", 2),
    ("stations", 0),
    ("opening_cost", 1),
    ("mean_travel_minutes", 2),
)
"""The sweep table's figures shown in the terminal, with their decimals."""
SWEEP_TABLE_MAX_WIDTH = 240
"""Widest the sweep table is drawn into a file or pipe (characters)."""


def _print_sweep(outcome: api.SweepOutcome) -> None:
    """The comparison table, one row per variant, and where it was written."""
    keys = outcome.grid.varying
    table = Table(title=f"sweep: {outcome.grid.scenario.name}", title_justify="left")
    headers = [key.rsplit(".", 1)[-1] for key in keys]
    headers += ["status", "coverage %", "stations", "cost", "travel min", "gap %", "seconds"]
    for header in headers:
        table.add_column(header, justify="left" if header == "status" else "right")
    for row in outcome.rows:
        table.add_row(
            *(str(row[key]) for key in keys),
            str(row["status"]) + (" (resumed)" if row["resumed"] else ""),
            *(_number(row[column], digits) for column, digits in SWEEP_FIGURES),
            _number(None if row["gap"] is None else 100 * row["gap"], 2),
            _number(row["solve_seconds"], 1),
        )
    if stdout.is_terminal:
        stdout.print(table)
    else:  # a file or pipe: as wide as the table needs, no value cut
        wide = stdout.options.update(max_width=SWEEP_TABLE_MAX_WIDTH)
        width = stdout.measure(table, options=wide).maximum
        Console(file=sys.stdout, width=width, highlight=False).print(table)
    for row in outcome.failed:
        stdout.print(f"failed: {row['variant']}: {row['error']}", markup=False)
    comparison = outcome.files[0].parent
    stdout.print(
        f"{len(outcome.rows)} variants on {outcome.executor} ({outcome.slots} at once, "
        f"{outcome.threads_per_task} solver thread{'' if outcome.threads_per_task == 1 else 's'} "
        f"each) in {outcome.wall_seconds:.1f} s; "
        f"outputs: {outcome.folder}/, comparison: {comparison}/"
    )


def _number(value: float | None, digits: int) -> str:
    """``value`` with thousands separators and ``digits`` decimals; empty when missing."""
    return "" if value is None else f"{value:,.{digits}f}"


@app.command()
def export(
    ctx: typer.Context,
    plan_dir: Annotated[
        Path, typer.Argument(metavar="PLAN_DIR", help="A folder written by `svcplan plan`.")
    ],
    formats: Annotated[
        list[str],
        typer.Option(
            "--format",
            "-f",
            help=f"{described(OUTPUT_FORMATS)}. Repeatable.",
        ),
    ],
    tiles: Annotated[
        str | None,
        typer.Option("--tiles", metavar="URL", help="XYZ tile URL template for the HTML map."),
    ] = None,
    dpi: Annotated[int, typer.Option("--dpi", min=30, max=600, help="PNG resolution.")] = 150,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Rewrite a plan's map layers and maps in other formats, next to the plan."""
    options = ctx.obj.merged(quiet=quiet, json=json_output, debug=debug)
    written = _guarded(
        options,
        lambda: _api().export(plan_dir, formats=formats, tiles_url=tiles, png_dpi=dpi),
    )
    if options.json:
        _emit_json({"written": [str(path) for path in written]})
    elif not options.quiet:
        for path in written:
            stdout.print(f"wrote {path}")


job_app = typer.Typer(
    help="The periodic roster job: forecast, roster and publish the coming weeks, unattended.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(job_app, name="job")

JobFileArgument = Annotated[Path, typer.Argument(metavar="JOB_FILE", help="Job file (.yaml).")]


@job_app.command("run")
def job_run(
    ctx: typer.Context,
    job_file: JobFileArgument,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="Plan as of this day (YYYY-MM-DD): history before it, the window after it. "
            "Default: today in the sites' time zone.",
        ),
    ] = None,
    time_limit: TimeLimitOption = None,
    relative_gap: RelativeGapOption = None,
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format",
            metavar="FORMAT",
            help="Log lines on stderr: text, or json (one JSON object per line).",
        ),
    ] = "text",
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Roster the job's window and publish it (exit 0 also when unchanged; 75: retry later)."""
    from datetime import date

    from optimizer.job.log import LOG_FORMATS, JobLog

    options = _laid_over(ctx.obj, None, time_limit, relative_gap, quiet, json_output, debug)
    if log_format not in LOG_FORMATS:
        stderr.print(f"error: --log-format: expected text or json (got {log_format!r})")
        raise typer.Exit(EXIT_BAD_INPUT)
    log = JobLog(log_format, quiet=options.quiet)
    try:
        day = None if as_of is None else date.fromisoformat(as_of)
    except ValueError:
        log.event("error", f"--as-of: expected a date YYYY-MM-DD (got {as_of!r})", level="error")
        raise typer.Exit(EXIT_BAD_INPUT) from None

    def action() -> object:
        from optimizer.job.run import run_job

        with log.warnings_logged():
            return run_job(
                job_file,
                as_of=day,
                time_limit_seconds=options.time_limit,
                relative_gap=options.relative_gap,
                log=log,
            )

    outcome = _job_guarded(options, log, action)
    if options.json:
        _emit_json({"status": outcome.status, **outcome.summary})


def _job_guarded(options: Options, log: JobLog, action: Callable[[], T]) -> T:
    """``_guarded`` for the job: errors become log lines (JSON ones with --log-format json),
    and native libraries print nothing on stdout or stderr when logs are JSON."""
    try:
        with native_stdout_aside(options.quiet or options.json or log.json):
            return stop.run_stoppable(action)
    except SvcplanError as error:
        if options.debug:
            raise
        log.event("error", str(error), level="error", exit_code=error.exit_code)
        raise typer.Exit(error.exit_code) from None
    except Exception as error:
        if options.debug:
            raise
        message = f"internal error: {type(error).__name__}: {error} (rerun with --debug)"
        log.event("error", message, level="error", exit_code=EXIT_OTHER)
        raise typer.Exit(EXIT_OTHER) from None


@job_app.command("validate")
def job_validate(ctx: typer.Context, job_file: JobFileArgument) -> None:
    """Check a job file and its scenario without running anything; exit 2 if invalid."""
    from optimizer.job.config import load_job

    job = _guarded(ctx.obj, lambda: load_job(job_file))
    if not ctx.obj.quiet:
        stdout.print(
            f"ok  {job_file}  (job {job.config.name}; scenario {job.scenario.name}; "
            f"folder {job.folder})"
        )


def run() -> None:
    """The ``svcplan`` console script: the typer app, with a quiet exit (130 or 143) when a
    signal arrives before a command has taken over the signals (while starting up)."""

    def on_signal(number: int, _frame: object) -> None:
        name = signal.Signals(number).name
        stderr.print(f"interrupted by {name} while starting: nothing was done")
        raise SystemExit(128 + number)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, on_signal)
    app()


if __name__ == "__main__":
    run()
