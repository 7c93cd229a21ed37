"""A 40-variant sweep of the sample city on each executor: serial, the local process pool and a
Dask LocalCluster; the per-task overhead, and what 32 workers would make of it.

The variants are ``scenarios/porto-alegre.yaml`` with ``objective: cover`` (fewest stations),
no maps, coverage 10/12/15/20 minutes × one station per 2,000–8,000 urban residents (ten
values), at most ``--time-limit`` seconds per solve and one solver thread per task on every
executor (so the three solve the same problems the same way). Each run writes to its own
temporary folder.

Per executor, measured on their own: the startup (opening it until every worker has loaded
the engines, and closing it) and the per-task overhead (shipping a task and its result, with
warm workers); then the sweep: wall seconds (grid validation to the comparison published, a
new pool or cluster included), the summed task seconds (each task's own run on its worker),
the mean, and the results compared with the serial run's.

    python benchmarks/bench_sweep.py [--variants 40] [--time-limit 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import tempfile
import time
from pathlib import Path

from optimizer import api
from optimizer.native_output import native_stdout_aside
from optimizer.parallel import open_executor

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "porto-alegre.yaml"
COVERAGE_MINUTES = [10, 12, 15, 20]
RESIDENTS_PER_STATION = [2000, 2500, 3000, 3500, 4000, 4500, 5000, 6000, 7000, 8000]
TIMINGS = {"solve_seconds", "run_seconds", "resumed"}
CLUSTER_WORKERS = 32


def grid_text(variants: int) -> str:
    """The grid: coverage minutes × residents per station, cut to about ``variants``."""
    per_minutes = max(1, math.ceil(variants / len(COVERAGE_MINUTES)))
    return (
        "siting.objective: [cover]\n"
        "outputs.formats: [[]]\n"
        f"siting.coverage_minutes: {COVERAGE_MINUTES[: math.ceil(variants / per_minutes)]}\n"
        f"siting.density.residents_per_station: {RESIDENTS_PER_STATION[:per_minutes]}\n"
    )


def warm(_: int) -> None:
    """A task that only loads what a variant's task loads (the engines)."""
    import optimizer.sweep.task  # noqa: F401


def executor_costs(executor: str, workers: int, tasks: int) -> tuple[float, float]:
    """The fixed and the per-task cost of an executor, seconds.

    Returns:
        ``(startup, per_task)``: opening it until every worker has loaded the engines (one
        ``warm`` task per worker) plus closing it; and, once warm, the wall seconds of
        ``tasks`` tasks that do nothing, times the tasks at once, per task (shipping a task
        and its result).
    """
    started = time.perf_counter()
    with open_executor(executor, workers=workers) as pool:
        list(pool.run(warm, range(pool.slots)))
        warm_at = time.perf_counter()
        list(pool.run(warm, range(tasks)))
        per_task = (time.perf_counter() - warm_at) * pool.slots / tasks
        closing = time.perf_counter()
    return warm_at - started + time.perf_counter() - closing, per_task


def run(grid: Path, executor: str, workers: int, time_limit: float) -> api.SweepOutcome:
    """One sweep into a fresh temporary folder."""
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-sweep-{executor}-") as out,
        native_stdout_aside(),  # HiGHS' banner, also from the workers started within
    ):
        return api.sweep(
            SCENARIO,
            grid,
            out_dir=Path(out),
            executor=executor,
            workers=workers,
            threads=1,
            time_limit_seconds=time_limit,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=40)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        grid = Path(folder) / "grid.yaml"
        grid.write_text(grid_text(args.variants), encoding="utf-8")
        print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        outcomes = {}
        costs = {"serial": (0.0, 0.0)}
        for executor in ("local", "dask"):
            costs[executor] = executor_costs(executor, args.workers, args.variants)
            startup, per_task = costs[executor]
            print(
                f"{executor}: startup {startup:.1f} s, {1000 * per_task:.1f} ms per task; "
                f"load {os.getloadavg()[0]:.2f}"
            )
        for executor in ("serial", "local", "dask"):
            started = time.perf_counter()
            outcomes[executor] = run(grid, executor, args.workers, args.time_limit)
            print(
                f"{executor}: {time.perf_counter() - started:.1f} s; load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    serial = outcomes["serial"]
    reference = _results(serial)
    variants = len(serial.rows)
    print(f"\n{variants} variants, cover objective, time limit {args.time_limit:g} s, 1 thread")
    print(
        "| executor | tasks at once | wall s | startup s | overhead ms/task | Σ task s "
        "| mean task s | speed-up | same results |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, outcome in outcomes.items():
        tasks = [row["run_seconds"] for row in outcome.rows if row["run_seconds"] is not None]
        startup, per_task = costs[name]
        print(
            f"| {name} | {outcome.slots} | {outcome.wall_seconds:.1f} | {startup:.1f} | "
            f"{1000 * per_task:.1f} | {sum(tasks):.1f} | {statistics.mean(tasks):.2f} | "
            f"{serial.wall_seconds / outcome.wall_seconds:.2f}× | "
            f"{_same(reference, _results(outcome))} |"
        )
    _estimate(serial, *costs["dask"])
    return 0


def _results(outcome: api.SweepOutcome) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k not in TIMINGS} for row in outcome.rows]


def _same(reference: list[dict[str, object]], rows: list[dict[str, object]]) -> str:
    """``yes``, or how many variants differ and how many of those hit the time limit."""
    differ = [
        (ours, theirs) for ours, theirs in zip(reference, rows, strict=True) if ours != theirs
    ]
    if not differ:
        return "yes"
    limited = sum("feasible" in (ours["status"], theirs["status"]) for ours, theirs in differ)
    return f"{len(differ)} differ ({limited} time-limited)"


def _estimate(serial: api.SweepOutcome, startup: float, overhead: float) -> None:
    """Wall time and speed-up on ``CLUSTER_WORKERS`` Dask workers for 40 and 400 variants:
    the startup measured here (a new LocalCluster; none with warm workers at ``--address``),
    then the serial task durations (no two tasks sharing a core) dealt out in rounds of
    ``CLUSTER_WORKERS``, each task with Dask's measured per-task overhead."""
    durations = sorted(row["run_seconds"] for row in serial.rows)
    mean = statistics.mean(durations)
    print(
        f"\nestimate, {CLUSTER_WORKERS} workers: task {mean:.2f} s mean, {durations[-1]:.2f} s "
        f"longest (serial); Dask here: startup {startup:.1f} s, {1000 * overhead:.1f} ms per task"
    )
    for variants in (40, 400):
        rounds = math.ceil(variants / CLUSTER_WORKERS)
        running = (rounds - 1) * (mean + overhead) + durations[-1] + overhead
        serial_seconds = variants * mean
        print(
            f"  {variants} variants: {startup + running:.1f} s with a new cluster "
            f"({serial_seconds / (startup + running):.1f}×), {running:.1f} s with warm workers "
            f"({serial_seconds / running:.1f}×), against {serial_seconds:.1f} s serial"
        )


if __name__ == "__main__":
    raise SystemExit(main())
