"""Curtois–Qu shift-scheduling instances solved by svcplan's roster engine.

    python benchmarks/bench_roster.py [--time-limit 60] [--threads 8] [--instances 1-12]

Reads ``../shared/data/benchmarks/shift-scheduling/curtois-qu-instances1_12`` and prints a
markdown table: instance, best known, objective, bound, gap, seconds, status, and whether the
acceptance goal is met (1–3: proven best known; 4–7: within 1 %; 8–12: within 5 %).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from optimizer.formats.curtois import solve_curtois_instance
from optimizer.solve import SolverLimits

DATA = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "benchmarks"
    / "shift-scheduling"
    / "curtois-qu-instances1_12"
)
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
}


def goal(instance: int) -> tuple[str, float]:
    """The acceptance goal of an instance: its wording and the allowed relative excess."""
    if instance <= 3:
        return "proven best known", 0.0
    if instance <= 7:
        return "within 1%", 0.01
    return "within 5%", 0.05


def _instances(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--threads", type=int, default=8, help="CP-SAT workers")
    parser.add_argument("--instances", default="1-12", help="range, e.g. 4-7")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent", file=sys.stderr)
        return 1
    print("| instance | best known | objective | bound | gap | seconds | status | goal | met |")
    print("|---|---:|---:|---:|---:|---:|---|---|---|")
    for instance in _instances(args.instances):
        _, report = solve_curtois_instance(
            DATA / f"Instance{instance}.txt",
            SolverLimits(time_limit_seconds=args.time_limit, threads=args.threads),
        )
        best = BEST_KNOWN[instance]
        wording, excess = goal(instance)
        objective = report.objective
        met = objective is not None and objective <= best * (1 + excess)
        if instance <= 3:
            met = met and report.status == "optimal"
        gap = "" if report.gap is None else f"{report.gap:.2%}"
        print(
            f"| Instance{instance} | {best} | {objective:.0f} | {report.bound:.0f} | {gap} "
            f"| {report.seconds:.1f} | {report.status} | {wording} | {'yes' if met else 'NO'} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
