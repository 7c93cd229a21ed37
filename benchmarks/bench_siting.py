"""Siting benchmarks: OR-Library published optima, and svcplan side by side with spopt.

Run from the repository root:

    python benchmarks/bench_siting.py [--part published|spopt|all] [--time-limit 60]
        [--spopt-time-limit 60]

Reads ``../shared/data/benchmarks/orlib_{pmed,scp,uflp}`` (relative to the repository root);
prints a message and exits 0 when that folder is absent. Prints Markdown tables on stdout
(HiGHS' banner goes to stderr). The spopt part needs the ``bench`` extra (``pip install -e
'.[bench]'``); without spopt it says so and exits 2 before running anything.

Published part: every pmed1–20, scp4x/5x/6x and cap71–134 file present, solved by
``solve_published_instance`` (HiGHS) and compared with the published optimum.

spopt part: pmed1–10 (p-median), and an LSCP and an MCLP on 2,000 demand × 300 candidate
points (seeded uniform random points in a 10 km square, Euclidean km as minutes; LSCP radius
1.5 so that every point is coverable, MCLP radius 1.0 with p = 20). Both tools run end to end
from the same dense cost matrix (model building included) on HiGHS: spopt through PuLP's
``HiGHS`` (highspy) API with the same time limit; spopt's own "Optimal" is checked against
HiGHS' model status, because PuLP calls a time-limited run optimal.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from optimizer.formats import read_published_instance, solve_published_instance
from optimizer.native_output import native_stdout_aside
from optimizer.siting import SitingProblem, SitingSettings, solve_siting
from optimizer.solve import SolverLimits

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT.parent / "shared" / "data" / "benchmarks"

#: Proven optima of sets 4–6 (Beasley 1987), as listed in orlib_scp/README.md.
SCP_OPTIMA = {
    "scp41": 429, "scp42": 512, "scp43": 516, "scp44": 494, "scp45": 512, "scp46": 560,
    "scp47": 430, "scp48": 492, "scp49": 641, "scp410": 514, "scp51": 253, "scp52": 302,
    "scp53": 226, "scp54": 242, "scp55": 211, "scp56": 213, "scp57": 293, "scp58": 288,
    "scp59": 279, "scp510": 265, "scp61": 138, "scp62": 146, "scp63": 145, "scp64": 131,
    "scp65": 161,
}  # fmt: skip


def _natural(path: Path) -> tuple[str, int]:
    match = re.match(r"([a-z]+?)(\d+)", path.stem)
    return (match.group(1), int(match.group(2))) if match else (path.stem, 0)


def published_instances() -> list[tuple[str, Path, float]]:
    """(format, file, published optimum) for every instance file present."""
    rows: list[tuple[str, Path, float]] = []
    pmed = DATA / "orlib_pmed"
    optima = dict(
        line.split() for line in (pmed / "pmedopt.txt").read_text().splitlines()[1:] if line.strip()
    )
    for path in sorted(pmed.glob("pmed*.txt"), key=_natural):
        if path.stem in optima:
            rows.append(("orlib-pmed", path, float(optima[path.stem])))
    for path in sorted((DATA / "orlib_scp").glob("scp*.txt"), key=_natural):
        if path.stem in SCP_OPTIMA:
            rows.append(("orlib-scp", path, float(SCP_OPTIMA[path.stem])))
    for path in sorted((DATA / "orlib_uflp").glob("cap*.txt"), key=_natural):
        optimum = float((path.parent / (path.name + ".opt")).read_text().split()[-1])
        rows.append(("orlib-cap", path, optimum))
    return rows


def run_published(time_limit_seconds: float) -> None:
    """Solve every published instance and print the table."""
    print("| instance | published optimum | svcplan objective | status | seconds |")
    print("|---|---:|---:|---|---:|")
    seconds_by_format: dict[str, list[float]] = {}
    failures = []
    for format_name, path, optimum in published_instances():
        started = time.perf_counter()
        with native_stdout_aside():
            _, report = solve_published_instance(
                format_name, path, SolverLimits(time_limit_seconds=time_limit_seconds)
            )
        seconds = time.perf_counter() - started
        seconds_by_format.setdefault(format_name, []).append(seconds)
        matches = report.objective is not None and abs(report.objective - optimum) <= 1e-6 * max(
            1.0, abs(optimum)
        )
        if not (matches and report.status == "optimal"):
            failures.append(path.stem)
        print(
            f"| {path.stem} | {optimum:,.3f} | {report.objective:,.3f} | {report.status} | "
            f"{seconds:.2f} |",
            flush=True,
        )
    print()
    all_seconds = [s for values in seconds_by_format.values() for s in values]
    for format_name, values in seconds_by_format.items():
        print(
            f"- {format_name}: {len(values)} instances, median {statistics.median(values):.2f} s, "
            f"max {max(values):.2f} s"
        )
    print(f"- all: median {statistics.median(all_seconds):.2f} s, max {max(all_seconds):.2f} s")
    print(f"- not at the published optimum with status optimal: {failures or 'none'}")


def _spopt_solve(model, time_limit_seconds: float) -> tuple[float | None, str]:
    """Solve a spopt model with PuLP's HiGHS; (objective or None, HiGHS' own model status)."""
    import pulp

    try:
        with native_stdout_aside():
            model = model.solve(pulp.HiGHS(msg=False, timeLimit=time_limit_seconds))
    except RuntimeError:  # spopt raises when PuLP reports "Not Solved" (no solution in time)
        return None, model.problem.solverModel.getModelStatus().name
    status = model.problem.solverModel.getModelStatus().name
    return float(pulp.value(model.problem.objective)), status


def _compare(name: str, build_spopt, build_svcplan, time_limit_seconds: float) -> float:
    started = time.perf_counter()
    spopt_objective, spopt_status = _spopt_solve(build_spopt(), time_limit_seconds)
    spopt_seconds = time.perf_counter() - started
    started = time.perf_counter()
    problem, settings = build_svcplan()
    with native_stdout_aside():
        _, report = solve_siting(
            problem, settings, SolverLimits(time_limit_seconds=time_limit_seconds)
        )
    svcplan_seconds = time.perf_counter() - started
    ratio = spopt_seconds / svcplan_seconds
    proven = "optimal" if spopt_status == "kOptimal" else f"not proven ({spopt_status})"
    shown = "none" if spopt_objective is None else f"{spopt_objective:,.2f}"
    print(
        f"| {name} | {shown} ({proven}) | {spopt_seconds:.2f} | "
        f"{report.objective:,.2f} ({report.status}) | {svcplan_seconds:.2f} | "
        f"{'>' if spopt_status != 'kOptimal' else ''}{ratio:.1f}× |",
        flush=True,
    )
    return ratio


def random_points(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """2,000 demand × 300 candidate Euclidean km in a 10 km square, and resident weights."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 10, size=(2000, 2))
    sites = rng.uniform(0, 10, size=(300, 2))
    cost = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
    return cost, rng.integers(1, 500, size=2000).astype(float)


def run_spopt(time_limit_seconds: float) -> None:
    """svcplan vs spopt on pmed1–10 and a 2,000 × 300 LSCP and MCLP."""
    from spopt.locate import LSCP, MCLP, PMedian

    print(
        "| instance | spopt objective | spopt s | svcplan objective | svcplan s | spopt ÷ svcplan |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    ratios = []
    for number in range(1, 11):
        path = DATA / "orlib_pmed" / f"pmed{number}.txt"
        instance = read_published_instance("orlib-pmed", path)
        cost = instance.problem.travel_minutes.toarray()
        p = instance.settings.max_stations
        weights = np.ones(len(cost))
        settings = SitingSettings(objective="min_travel", max_stations=p)
        ratios.append(
            _compare(
                path.stem,
                lambda cost=cost, p=p, weights=weights: PMedian.from_cost_matrix(
                    cost, weights, p_facilities=p
                ),
                lambda cost=cost, settings=settings, weights=weights: (
                    SitingProblem.from_cost_matrix(cost, weights=weights),
                    settings,
                ),
                time_limit_seconds,
            )
        )
    cost, weights = random_points(seed=20261123)
    # LSCP radius 1.5 leaves no demand point uncoverable (spopt's LSCP is infeasible otherwise)
    lscp_radius, radius, p = 1.5, 1.0, 20
    ratios.append(
        _compare(
            "LSCP 2000×300",
            lambda: LSCP.from_cost_matrix(cost, service_radius=lscp_radius),
            lambda: (
                SitingProblem.from_cost_matrix(cost, weights=weights, coverage_minutes=lscp_radius),
                SitingSettings(objective="cover"),
            ),
            time_limit_seconds,
        )
    )
    ratios.append(
        _compare(
            "MCLP 2000×300 (p=20)",
            lambda: MCLP.from_cost_matrix(cost, weights, service_radius=radius, p_facilities=p),
            lambda: (
                SitingProblem.from_cost_matrix(cost, weights=weights, coverage_minutes=radius),
                SitingSettings(objective="max_cover", max_stations=p),
            ),
            time_limit_seconds,
        )
    )
    print()
    low, middle = min(ratios), statistics.median(ratios)
    print(f"- speed-up (spopt ÷ svcplan): min {low:.1f}×, median {middle:.1f}×")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["published", "spopt", "all"], default="all")
    parser.add_argument("--time-limit", type=float, default=60.0, help="svcplan seconds/instance")
    parser.add_argument("--spopt-time-limit", type=float, default=60.0, help="both, spopt part")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"benchmark data not found at {DATA}; nothing to run")
        return 0
    if args.part in ("spopt", "all") and importlib.util.find_spec("spopt") is None:
        print(
            "spopt is not installed, so nothing was run: pip install -e '.[bench]' "
            "(or --part published)",
            file=sys.stderr,
        )
        return 2
    if args.part in ("published", "all"):
        run_published(args.time_limit)
        print()
    if args.part in ("spopt", "all"):
        run_spopt(args.spopt_time_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
