"""Curtois–Qu shift-scheduling instances solved by svcplan's roster engine.

    python benchmarks/bench_roster.py [--time-limit 60] [--threads 8] [--instances 1-12]
        [--relative-gap G] [--notes]

Reads ``../shared/data/benchmarks/shift-scheduling/curtois-qu-instances1_12`` (Instances 1–12)
and ``curtois-qu-instances17_24`` (17–24) and prints a markdown table: instance, best known,
objective, bound, gap (from the bound), excess over the best known, seconds, status,
whether the acceptance goal is met (1–3: proven best known; 4–7: within 1 %; 8–12: within
5 %; 17–19: within 3 %; 20–24: within 5 %), and the objective by part
(``formats.curtois.cost_parts``): staff-shifts short (of them on weekends) and their
under-cover cost, the over-cover cost, and the requests' cost. Instances 13–16 are held
back and not read.
With ``--notes``, each run's notes (where the roster and the bound came from) follow the
table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from optimizer.errors import NoSolutionError
from optimizer.formats.curtois import cost_parts, solve_curtois_instance
from optimizer.native_output import native_stdout_aside
from optimizer.solve import SolverLimits

SETS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks" / "shift-scheduling"
BEST_KNOWN = {
    1: 607,
    2: 828,
    3: 1001,
    4: 1716,
    5: 1143,
    6: 1950,
    7: 1056,
    8: 1300,
    9: 439,
    10: 4631,
    11: 3443,
    12: 4040,
    17: 5746,
    18: 4459,
    19: 3149,
    20: 4769,
    21: 21133,
    22: 30241,
    23: 17285,
    24: 40439,
}
"""Best known values from the data README (20–24 from one source only)."""


def instance_file(instance: int) -> Path:
    """The file of Curtois–Qu ``instance`` (1–12 or 17–24)."""
    folder = "curtois-qu-instances1_12" if instance <= 12 else "curtois-qu-instances17_24"
    return SETS / folder / f"Instance{instance}.txt"


def goal(instance: int) -> tuple[str, float]:
    """The acceptance goal of an instance: its wording and the allowed relative excess."""
    if instance <= 3:
        return "proven best known", 0.0
    if instance <= 7:
        return "within 1%", 0.01
    if 17 <= instance <= 19:
        return "within 3%", 0.03
    return "within 5%", 0.05


def print_notes(titled: list[tuple[str, tuple[str, ...]]]) -> None:
    """After a table: each run's title, then its notes (where its roster and its bound came
    from) as a list."""
    for title, said in titled:
        print(f"\n{title}:")
        for note in said:
            print(f"- {note}")


def _instances(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--threads", type=int, default=8, help="CP-SAT workers")
    parser.add_argument("--instances", default="1-12", help="range, e.g. 4-7")
    parser.add_argument(
        "--relative-gap",
        type=float,
        default=None,
        metavar="G",
        help="stop once proven within this relative gap of the bound (default: exact)",
    )
    parser.add_argument(
        "--notes",
        action="store_true",
        help="after the table, each run's notes (where its roster and its bound came from)",
    )
    args = parser.parse_args()
    instances = _instances(args.instances)
    if any(instance not in BEST_KNOWN for instance in instances):
        print("instances 1-12 and 17-24 only (13-16 are held back)", file=sys.stderr)
        return 1
    absent = [instance_file(i) for i in instances if not instance_file(i).is_file()]
    if absent:
        print(f"{absent[0]} is absent", file=sys.stderr)
        return 1
    print(
        "| instance | best known | objective | bound | gap | vs best known | seconds | status "
        "| goal | met | short (weekends): under-cover | over-cover | requests |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---:|")
    notes: dict[int, tuple[str, ...]] = {}
    for instance in instances:
        best = BEST_KNOWN[instance]
        wording, excess = goal(instance)
        try:
            with native_stdout_aside():
                problem, roster, report = solve_curtois_instance(
                    instance_file(instance),
                    SolverLimits(
                        time_limit_seconds=args.time_limit,
                        relative_gap=args.relative_gap,
                        threads=args.threads,
                    ),
                )
        except NoSolutionError as error:
            cells = f"no roster ({error}) | | | | | |"
            print(f"| Instance{instance} | {best} | {cells} {wording} | NO | | | |", flush=True)
            continue
        objective, notes[instance] = report.objective, report.notes
        met = objective is not None and objective <= best * (1 + excess)
        if instance <= 3:
            met = met and report.status == "optimal"
        gap = "" if report.gap is None else f"{report.gap:.2%}"
        cost = cost_parts(problem, roster)
        print(
            f"| Instance{instance} | {best} | {objective:.0f} | {report.bound:.0f} | {gap} "
            f"| {objective / best - 1:+.2%} | {report.seconds:.1f} | {report.status} | {wording} "
            f"| {'yes' if met else 'NO'} | {cost['staff_shifts_short']} "
            f"({cost['short_on_weekends']}): {cost['under_cover']} | {cost['over_cover']} "
            f"| {cost['requests']} |",
            flush=True,
        )
    if args.notes:
        print_notes([(f"Instance{instance}", said) for instance, said in notes.items()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
