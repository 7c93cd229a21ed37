"""Published vehicle-routing sets solved by svcplan's rounds engine, PyVRP and OR-Tools routing
side by side at the same time limit.

    python benchmarks/bench_rounds.py SET [--instances A,B,...] [--time-limit S]
        [--engines pyvrp,ortools]

SET is ``solomon`` (VRPTW, fleet fixed at the best known vehicle count, default 30 s),
``x`` (CVRPLIB X, default 60 s) or ``pvrp`` (Cordeau p01–p32, default 60 s), read from
``../shared/data/benchmarks/vrp/`` with the best known values there (Solomon: the larger of
the two hierarchical tables, as its README advises). Gehring–Homberger is an acceptance set
and is not read. Every plan is checked by the tests' independent checker; a row is printed as
each run ends, with the 1-minute load average beside it, then the average gap per engine
over the instances it solved.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the independent checker lives in tests/

from optimizer.formats.rounds import solve_rounds_instance  # noqa: E402
from optimizer.solve import SolverLimits  # noqa: E402
from tests.rounds_checker import check_rounds  # noqa: E402

VRP = REPO.parent / "shared" / "data" / "benchmarks" / "vrp"
SETS = {"solomon": ("solomon", 30.0), "x": ("cvrplib", 60.0), "pvrp": ("pvrp", 60.0)}
"""Set → (instance format, default seconds)."""


def best_known(set_name: str) -> dict[str, tuple[Path, float, int | None]]:
    """Instance → (file, best known distance, fleet to fix or None) of a set."""
    if set_name == "solomon":
        rows = csv.DictReader((VRP / "solomon" / "solomon_bks.csv").open())
        return {
            r["instance"]: (
                VRP / "solomon" / f"{r['instance']}.txt",
                max(float(r["bks_distance"]), float(r["alt_distance"])),
                int(r["bks_vehicles"]),
            )
            for r in rows
        }
    if set_name == "x":
        rows = csv.DictReader((VRP / "cvrplib_x" / "x_bks.csv").open())
        return {
            r["instance"]: (VRP / "cvrplib_x" / f"{r['instance']}.vrp", float(r["bks_cost"]), None)
            for r in rows
            if int(r["n_customers"]) <= 200
        }
    rows = csv.DictReader((VRP / "pvrp_cordeau" / "pvrp_bks.csv").open())
    return {
        r["instance"]: (VRP / "pvrp_cordeau" / r["instance"], float(r["bks"]), None)
        for r in rows
        if re.fullmatch(r"p\d+", r["instance"])  # p01–p32, not pr01–pr10
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", choices=sorted(SETS))
    parser.add_argument("--instances", help="comma-separated names (default: the whole set)")
    parser.add_argument("--time-limit", type=float, help="seconds per run")
    parser.add_argument("--engines", default="pyvrp,ortools")
    args = parser.parse_args()
    format_name, default_seconds = SETS[args.set]
    seconds = args.time_limit or default_seconds
    known = best_known(args.set)
    names = args.instances.split(",") if args.instances else sorted(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        print(f"not in the set: {', '.join(unknown)}", file=sys.stderr)
        return 1
    engines = args.engines.split(",")
    gaps: dict[str, list[float]] = {engine: [] for engine in engines}
    print(f"{args.set}, {seconds:g} s per run")
    print("| instance | best known | engine | distance | vehicles | gap | seconds | load |")
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for name in names:
        path, best, fleet = known[name]
        for engine in engines:
            problem, plan, report = solve_rounds_instance(
                format_name,
                path,
                SolverLimits(time_limit_seconds=seconds),
                vehicles=fleet,
                engine=engine,  # type: ignore[arg-type]
            )
            load = f"{os.getloadavg()[0]:.2f}"
            if plan is None:
                print(
                    f"| {name} | {best:.2f} | {engine} | none | | | {report.seconds:.1f} | {load} |"
                )
                continue
            check_rounds(problem, plan)
            gap = (report.objective - best) / best
            gaps[engine].append(gap)
            vehicles = max(plan.vehicles_per_day(problem.period_days))
            print(
                f"| {name} | {best:.2f} | {engine} | {report.objective:.2f} | {vehicles} | "
                f"{100 * gap:+.2f} % | {report.seconds:.1f} | {load} |",
                flush=True,
            )
    for engine, values in gaps.items():
        mean = 100 * sum(values) / len(values) if values else float("nan")
        print(f"{engine}: average gap {mean:+.2f} % over {len(values)} of {len(names)} solved")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
