"""Scenario rosters larger than the bundled one: ``scenarios/tourist-peak.yaml`` with its staff
and demand scaled, or its horizon lengthened, solved by the product's path beside the
column-generation start, on the same inputs.

    python benchmarks/bench_scenario_roster.py [--time-limit 90] [--threads 2]
        [--variants x1,x2,x4,w8,w12]

A variant ``xK`` has K copies of every employee and partner's employee and K times the
arrivals per passer-by (28 days); ``wW`` keeps the 70 employees over W weeks, the weekend
limit scaled with the horizon (3 of every 4). Each is solved twice at the time limit:
``plan``, the settings ``svcplan plan`` uses (CP-SAT's own search; a roster built employee
by employee and improved by neighbourhoods when that search has none after a tenth of the
limit, of processor time too, ``engine.FALLBACK_AFTER``), and ``column generation``, the
start roster of the roster job's later nights and of ``svcplan solve curtois``
(``RosterSettings.neighbourhood_search``). Both objectives are set against the best bound
either run proved, and the table gives the ratio. Objectives are weighted units: an
uncovered staff-shift costs 1,000,000, a short reserve place 10,000.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from optimizer.native_output import native_stdout_aside
from optimizer.pipeline.forecast import forecast_staffing
from optimizer.pipeline.roster import roster_problem, roster_settings
from optimizer.roster.engine import solve_roster
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from optimizer.scenario import load_scenario
from optimizer.solve import SolveReport, SolverLimits

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "tourist-peak.yaml"
WEEKS = 4
"""The bundled scenario's horizon in weeks (28 days, at most 3 weekends)."""


def variant_scenario(variant: str, folder: Path) -> Path:
    """Write the scenario of ``variant`` (``xK`` or ``wW``) into ``folder``; returns its path."""
    kind, number = variant[0], int(variant[1:])
    if kind not in "xw" or number < 1:
        raise SystemExit(f"--variants: {variant!r} is not xK (staff ×K) or wW (W weeks)")
    data = SCENARIO.parent / "data" / "tourist-peak"
    copies = number if kind == "x" else 1
    for table in ("employees.csv", "partners.csv"):
        _copy_rows(data / table, folder / table, copies)
    (folder / "shift_types.csv").write_text((data / "shift_types.csv").read_text())
    text = _replaced(SCENARIO.read_text(), "../geodata/", f"{SCENARIO.parents[1]}/geodata/")
    text = _replaced(text, "data/tourist-peak/", f"{folder}/")
    if kind == "x":
        text = _replaced(text, "arrivals_per_count: 0.005", f"arrivals_per_count: {0.005 * number}")
    else:
        text = _replaced(text, "horizon_days: 28", f"horizon_days: {7 * number}")
        text = _replaced(text, "max_weekends: 3 ", f"max_weekends: {3 * number // WEEKS} ")
    path = folder / f"tourist-peak-{variant}.yaml"
    path.write_text(text)
    return path


def _replaced(text: str, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new``; stops the run when the bundled scenario no
    longer holds ``old`` (the variant would silently be the bundled roster)."""
    if old not in text:
        raise SystemExit(f"{SCENARIO} no longer holds {old!r}: update this benchmark")
    return text.replace(old, new)


def _copy_rows(source: Path, target: Path, copies: int) -> None:
    """Write ``copies`` copies of every row of the CSV ``source`` to ``target``, the
    ``employee_id`` of copy c suffixed ``_c`` (from the second copy on)."""
    with source.open(newline="") as file:
        rows = list(csv.DictReader(file))
    with target.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        for copy in range(copies):
            for row in rows:
                suffix = f"_{copy}" if copy else ""
                writer.writerow({**row, "employee_id": row["employee_id"] + suffix})


def variant_problem(path: Path) -> tuple[RosterProblem, RosterSettings]:
    """The roster problem and settings ``svcplan plan`` would solve for the scenario at
    ``path``."""
    scenario = load_scenario(path)
    staffing = scenario.staffing
    assert staffing is not None and staffing.roster is not None
    demand = forecast_staffing(staffing, with_backtest=False, progress=lambda _: None)
    problem = roster_problem(staffing.roster, demand.requirements, name=scenario.name)
    return problem, roster_settings(staffing.roster)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=90.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", default="x1,x2,x4,w8,w12")
    args = parser.parse_args(argv)
    if not SCENARIO.exists():
        print(f"{SCENARIO} is absent", file=sys.stderr)
        return 1
    limits = SolverLimits(time_limit_seconds=args.time_limit, threads=args.threads)
    print(
        "| variant | staff | days | rows | plan: objective (s) | column generation: objective "
        "(s) | best bound | plan / bound | column generation / bound |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temp:
        for variant in args.variants.split(","):
            folder = Path(temp) / variant
            folder.mkdir()
            problem, settings = variant_problem(variant_scenario(variant, folder))
            with native_stdout_aside():
                plan = solve_roster(problem, settings, limits)[1]
                start = replace(settings, neighbourhood_search=True)
                generated = solve_roster(problem, start, limits)[1]
            bound = max(plan.bound or 0.0, generated.bound or 0.0)
            print(
                f"| {variant} | {len(problem.employees)} | {problem.horizon_days} | "
                f"{len(problem.requirements)} | {_cell(plan)} | {_cell(generated)} | "
                f"{bound:,.0f} | {_ratio(plan, bound)} | {_ratio(generated, bound)} |",
                flush=True,
            )
    return 0


def _cell(report: SolveReport) -> str:
    """``objective (seconds)`` of a run."""
    return f"{report.objective:,.0f} ({report.seconds:.1f})"


def _ratio(report: SolveReport, bound: float) -> str:
    """The run's objective over ``bound`` (``—`` when the bound is 0)."""
    return f"{report.objective / bound:.4f}" if bound > 0 else "—"


if __name__ == "__main__":
    sys.exit(main())
