"""The roster engine on cuts of Curtois–Qu Instances 17–24 shaped like the held-back 13–16.

Run from the repository root:

    python benchmarks/bench_roster_shapes.py [--time-limit 60] [--threads 8]
        [--shapes 24:28:120,23:28:100] [--runs 1] [--plain] [--notes]

Curtois–Qu Instances 13–16 are kept aside to check the roster engine after development, so
nothing here reads them. Instead each shape ``I:DAYS:STAFF`` cuts Instance I (read from
``../shared/data/benchmarks/shift-scheduling/curtois-qu-instances17_24``) to its first DAYS
days and first STAFF employees:

- each cover row's staff needed is scaled by the share of employees kept and rounded;
- each employee's horizon limits (most minutes, most shifts of each type, most weekends) are
  pro-rated to the days kept and rounded up; the least minutes are pro-rated and taken at
  ``MINIMUM_SHARE`` (rounded down), and at most half the days the employee is available
  at the shortest shift type, so that every cut has a roster;
- unavailable days and requests beyond the cut are dropped.

The default shapes are the held-back instances' (days × staff): 28 × 100–120 (Instance13's,
with 16 and 32 shift types), 42 × 32 (14's), 42 × 45 (15's) and 56 × 20 (16's). No optimum is
known for a cut, so the table gives the engine's objective, bound and gap, and the load
average when each run began (the machine is shared); with ``--plain`` plain CP-SAT (the
same settings without column generation's start and the neighbourhood searches) runs on
the same cut with the same limit, and the ratio of the two objectives follows. With
``--runs N`` each cut is solved N times and a last row per cut gives the median objective.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from dataclasses import replace
from datetime import timedelta

from bench_roster import instance_file, print_notes

from optimizer.errors import NoSolutionError
from optimizer.formats.curtois import cost_parts, curtois_settings, read_curtois
from optimizer.native_output import native_stdout_aside
from optimizer.roster.engine import solve_roster
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from optimizer.solve import SolveReport, SolverLimits

SHAPES = (
    (23, 28, 100),
    (24, 28, 120),
    (17, 42, 32),
    (19, 42, 32),
    (20, 42, 45),
    (21, 42, 45),
    (18, 56, 20),
)
"""(instance, days, staff) of the default cuts: the held-back Instances 13–16's shapes."""
MINIMUM_SHARE = 0.8
"""Share of the pro-rated least minutes a cut keeps (the whole may leave no roster)."""


def cut(problem: RosterProblem, days: int, staff: int) -> RosterProblem:
    """``problem`` cut to its first ``days`` days and first ``staff`` employees (see the
    module docstring for how demand and each employee's limits are scaled)."""
    if not 0 < days <= problem.horizon_days or not 0 < staff <= len(problem.employees):
        raise ValueError(
            f"a cut of {days} days and {staff} staff does not fit {problem.name} "
            f"({problem.horizon_days} days, {len(problem.employees)} staff)"
        )
    end = problem.start_date + timedelta(days=days)
    day_share, staff_share = days / problem.horizon_days, staff / len(problem.employees)
    shortest_minutes = min(shift.length_minutes for shift in problem.shift_types)

    def up(limit: int | None) -> int | None:
        return None if limit is None else math.ceil(limit * day_share)

    employees = []
    for employee in problem.employees[:staff]:
        unavailable = frozenset(day for day in employee.unavailable if day < end)
        workable_minutes = (days - len(unavailable)) * shortest_minutes // 2
        employees.append(
            replace(
                employee,
                contract_period_days=days,
                max_minutes=up(employee.max_minutes),
                min_minutes=min(
                    int(employee.min_minutes * day_share * MINIMUM_SHARE), workable_minutes
                ),
                max_shifts={shift: up(most) for shift, most in employee.max_shifts.items()},
                max_weekends=up(employee.max_weekends),
                unavailable=unavailable,
                requests=tuple(request for request in employee.requests if request.day < end),
            )
        )
    requirements = tuple(
        replace(row, staff_needed=round(row.staff_needed * staff_share))
        for row in problem.requirements
        if row.day < end
    )
    return replace(
        problem,
        name=f"{problem.name} cut to {days} days × {staff} staff",
        horizon_days=days,
        employees=tuple(employees),
        requirements=requirements,
    )


def _shapes(text: str) -> list[tuple[int, int, int]]:
    """``I:DAYS:STAFF`` shapes, comma-separated."""
    shapes = []
    for part in text.split(","):
        instance, days, staff = (int(field) for field in part.split(":"))
        shapes.append((instance, days, staff))
    return shapes


def _solve(
    problem: RosterProblem, settings: RosterSettings, limits: SolverLimits
) -> tuple[SolveReport | None, dict[str, int], float]:
    """The report, the objective by part and the 1-minute load average when the run began;
    no report when no roster was found."""
    load = os.getloadavg()[0]
    try:
        with native_stdout_aside():
            roster, report = solve_roster(problem, settings, limits)
    except NoSolutionError:
        return None, {}, load
    return report, cost_parts(problem, roster), load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--threads", type=int, default=8, help="CP-SAT workers")
    parser.add_argument(
        "--shapes",
        type=_shapes,
        default=list(SHAPES),
        help="comma-separated INSTANCE:DAYS:STAFF cuts of Instances 17-24 "
        "(default: the held-back Instances 13-16's shapes)",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs of each cut")
    parser.add_argument(
        "--plain", action="store_true", help="also plain CP-SAT on each cut, and the ratio"
    )
    parser.add_argument(
        "--notes", action="store_true", help="after the table, each engine run's notes"
    )
    args = parser.parse_args()
    if any(not 17 <= instance <= 24 for instance, _, _ in args.shapes):
        print("cuts of instances 17-24 only (13-16 are held back)", file=sys.stderr)
        return 1
    absent = [instance_file(i) for i, _, _ in args.shapes if not instance_file(i).is_file()]
    if absent:
        print(f"{absent[0]} is absent", file=sys.stderr)
        return 1
    try:
        problems = [cut(read_curtois(instance_file(i)), d, n) for i, d, n in args.shapes]
    except ValueError as error:
        print(error, file=sys.stderr)
        return 1
    limits = SolverLimits(time_limit_seconds=args.time_limit, threads=args.threads)
    engine = curtois_settings()
    plain = replace(engine, neighbourhood_search=False)
    print(
        "| cut (days × staff × types) | run | objective | bound | gap | seconds | status "
        "| short: under-cover | over-cover | requests | load | plain CP-SAT | load | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    notes = []
    for problem, (instance, days, staff) in zip(problems, args.shapes, strict=True):
        shape = f"{instance}: {days} × {staff} × {len(problem.shift_types)}"
        objectives = []
        for run in range(1, args.runs + 1):
            report, parts, load = _solve(problem, engine, limits)
            if report is None or report.objective is None:
                print(f"| {shape} | {run} | no roster | | | | | | | | {load:.1f} | | | |")
                continue
            objectives.append(report.objective)
            notes.append((f"{shape}, run {run}", report.notes))
            gap = "" if report.gap is None else f"{report.gap:.1%}"
            cells = [
                f"{report.objective:,.0f}",
                f"{report.bound:,.0f}",
                gap,
                f"{report.seconds:.1f}",
                report.status,
                f"{parts['staff_shifts_short']}: {parts['under_cover']:,}",
                f"{parts['over_cover']:,}",
                f"{parts['requests']:,}",
                f"{load:.1f}",
            ]
            if args.plain:
                other, _, other_load = _solve(problem, plain, limits)
                found = other is not None and other.objective is not None
                cells += [
                    f"{other.objective:,.0f}" if found else "no roster",
                    f"{other_load:.1f}",
                    f"{report.objective / other.objective:.2f}"
                    if found and other.objective > 0
                    else "",
                ]
            else:
                cells += ["", "", ""]
            print(f"| {shape} | {run} | " + " | ".join(cells) + " |", flush=True)
        if args.runs > 1 and objectives:
            median = statistics.median(objectives)
            print(f"| {shape} | median of {len(objectives)} | {median:,.0f} |" + " |" * 11)
    if args.notes:
        print_notes(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
