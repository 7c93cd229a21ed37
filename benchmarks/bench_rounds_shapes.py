"""Rounds on random time-window instances shaped like the held-back Gehring–Homberger set,
svcplan's engine (PyVRP) and OR-Tools routing side by side.

Run from the repository root:

    python benchmarks/bench_rounds_shapes.py [--customers 200,1000] [--kinds R1,C1,RC1,R2,C2,RC2]
        [--time-limit 60] [--seeds 1] [--engines pyvrp,ortools]

(the defaults: 12 instances, each solved by both engines, about 25 minutes)

The Gehring–Homberger instances (200–1,000 customers) are kept aside to check the rounds
engine after development, so nothing here reads them. Instead this benchmark generates, from a
seed, instances of the same sizes and kinds in Solomon's format, writes them to a temporary
folder and solves them with ``solve_rounds_instance`` (reader included, the file's fleet, fewest
vehicles first, then distance: the set's hierarchical objective), to show how the engine scales
beyond Solomon's 100 customers:

- customers at random points (R), around ``customers / 20`` random centres (C), or half each
  (RC), on a square whose side grows with √(customers / 100) from Solomon's 100, so that the
  density stays Solomon's; the depot in the middle;
- demands 1–40; service 90 minutes for C, 10 for R and RC; the fleet ``customers / 4``, of
  capacity 200 (kind 1), 700 (C2) or 1,000 (R2, RC2), as the set's files have them;
- Solomon's horizons (R1 230, C1 1,236, RC1 240, R2 1,000, C2 3,390, RC2 960) and window
  widths (5–15 for kind 1, eight times that for kind 2) stretched by the same factor as the
  square, each window placed so that a vehicle serving that customer alone keeps it.

No best known value exists for them, so each row compares the two engines: vehicles, then
distance. Every plan is checked by the tests' independent checker. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the independent checker lives in tests/

from optimizer.formats.rounds import solve_rounds_instance  # noqa: E402
from optimizer.native_output import native_stdout_aside  # noqa: E402
from optimizer.solve import SolverLimits  # noqa: E402
from tests.rounds_checker import check_rounds  # noqa: E402

HORIZON_MINUTES = {"R1": 230, "C1": 1236, "RC1": 240, "R2": 1000, "C2": 3390, "RC2": 960}
"""Solomon's depot closing time per kind, for 100 customers on a 100 × 100 square."""
CAPACITY = {"R1": 200, "C1": 200, "RC1": 200, "R2": 1000, "C2": 700, "RC2": 1000}
WIDEST_TIGHT_WINDOW_MINUTES = 15
"""Widest kind-1 time window at 100 customers, in minutes (the narrowest is a third of it)."""
WIDE_WINDOW_FACTOR = 8
"""How much wider kind-2 windows are."""
ENGINES = {"pyvrp": "svcplan (PyVRP)", "ortools": "OR-Tools"}
"""Day solver → table label: svcplan's rounds engine, then the routing library a user would
otherwise pick (with both, the last two columns compare them)."""


def instance_text(kind: str, customers: int, seed: int) -> str:
    """A Solomon-format instance of ``kind`` (``R1`` … ``RC2``) with ``customers`` customers."""
    rng = np.random.default_rng(seed)
    stretch = math.sqrt(customers / 100)
    side = 100 * stretch
    horizon = HORIZON_MINUTES[kind] * stretch
    depot = np.array([round(side / 2), round(side / 2)])
    points = rng.uniform(0, side, (customers, 2))
    clustered = np.zeros(customers, dtype=bool)
    if kind.startswith("C"):
        clustered[:] = True
    elif kind.startswith("RC"):
        clustered[::2] = True
    centres = rng.uniform(0, side, (max(customers // 20, 1), 2))
    around = centres[rng.integers(len(centres), size=customers)]
    spread = rng.normal(0, 3 * stretch, (customers, 2))
    points[clustered] = np.clip(around + spread, 0, side)[clustered]
    points = np.round(points).astype(int)
    service = 90 if kind.startswith("C") else 10
    wider = 1 if kind.endswith("1") else WIDE_WINDOW_FACTOR
    widest = WIDEST_TIGHT_WINDOW_MINUTES * stretch * wider
    lines = [
        f"{kind}_{customers}_{seed}",
        "",
        "VEHICLE",
        "NUMBER     CAPACITY",
        f"  {customers // 4}         {CAPACITY[kind]}",
        "",
        "CUSTOMER",
        "CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME",
        "",
        f"{0:5d} {depot[0]:9d} {depot[1]:9d} {0:9d} {0:9d} {math.floor(horizon):9d} {0:9d}",
    ]
    for number, (x, y) in enumerate(points, start=1):
        there = math.ceil(float(np.hypot(*(np.array([x, y]) - depot))))
        width = math.floor(rng.uniform(widest / 3, widest))
        latest_ready = math.floor(horizon) - there - service - width
        ready = int(rng.integers(there, latest_ready + 1)) if latest_ready > there else there
        due = min(ready + width, math.floor(horizon) - there - service)
        demand = int(rng.integers(1, 41))
        lines.append(f"{number:5d} {x:9d} {y:9d} {demand:9d} {ready:9d} {due:9d} {service:9d}")
    return "\n".join(lines) + "\n"


def _numbers(text: str) -> list[int]:
    return [int(value) for value in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=_numbers, default=[200, 1000])
    parser.add_argument("--kinds", default=",".join(HORIZON_MINUTES), help="comma-separated")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--seeds", type=_numbers, default=[1], help="instance seeds")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated")
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    unknown = [kind for kind in kinds if kind not in HORIZON_MINUTES]
    if unknown:
        print(
            f"unknown kind {unknown[0]}; expected one of {', '.join(HORIZON_MINUTES)}",
            file=sys.stderr,
        )
        return 1
    engines = args.engines.split(",")
    if any(engine not in ENGINES for engine in engines):
        print(
            f"unknown engine in {args.engines}; expected some of {', '.join(ENGINES)}",
            file=sys.stderr,
        )
        return 1
    both = engines == list(ENGINES)
    columns = [f"{ENGINES[engine]}: vehicles | distance | load" for engine in engines]
    columns += ["vehicles fewer | distance ratio"] if both else []
    print(f"{args.time_limit:g} s per run, fewest vehicles first, then distance")
    print(f"| instance | {' | '.join(columns)} |")
    print("|---|" + "---:|" * (3 * len(engines) + 2 * both))
    with tempfile.TemporaryDirectory() as folder:
        for seed in args.seeds:
            for customers in args.customers:
                for kind in kinds:
                    name = f"{kind}_{customers}_{seed}"
                    path = Path(folder) / f"{name}.txt"
                    path.write_text(instance_text(kind, customers, seed))
                    cells = [_solve(path, engine, args.time_limit) for engine in engines]
                    row = [" | ".join(cell[:3]) for cell in cells]
                    row += [_compared(cells)] if both else []
                    print(f"| {name} | {' | '.join(row)} |", flush=True)
    return 0


def _solve(path: Path, engine: str, seconds: float) -> tuple[str, str, str, int, float]:
    """(vehicles, distance, load) as table cells, then the vehicles and distance (0 and
    infinity without a plan)."""
    load = f"{os.getloadavg()[0]:.2f}"
    with native_stdout_aside():
        problem, plan, report = solve_rounds_instance(
            "solomon",
            path,
            SolverLimits(time_limit_seconds=seconds),
            engine=engine,  # type: ignore[arg-type]
        )
    if plan is None or report.objective is None:
        return "none", "–", load, 0, math.inf
    check_rounds(problem, plan)
    vehicles = max(plan.vehicles_per_day(problem.period_days))
    return str(vehicles), f"{report.objective:,.2f}", load, vehicles, report.objective


def _compared(cells: list[tuple[str, str, str, int, float]]) -> str:
    """The last two cells: OR-Tools' vehicles less svcplan's, svcplan's distance over OR-Tools'."""
    (_, _, _, ours, our_distance), (_, _, _, theirs, their_distance) = cells
    if math.isinf(our_distance) or math.isinf(their_distance):
        return "– | –"
    return f"{theirs - ours} | {our_distance / their_distance:.3f}"


if __name__ == "__main__":
    sys.exit(main())
