"""Dispatch benchmark: svcplan's min-cost flow against networkx ``network_simplex``, one run.

Instance (seeded): ``--regions`` regions at random coordinates in a ``--side-km`` square; travel
minutes are straight-line kilometres at ``--speed-kmh`` (dense n × n matrix, pruned to the
window by the problem constructor); each region has random available units, demand, minimum
cover and mobilisation minutes of one resource type.

svcplan is timed end to end from the dense matrix: ``DispatchProblem.from_arrays`` (pruning)
plus ``solve_dispatch`` (arc building, the flow engine, plan tables), once with its default
network simplex and once with ``flow_engine="ortools"`` (OR-Tools ``SimpleMinCostFlow``).
networkx is timed from the same flow network arrays, already pruned and built: its ``DiGraph``
plus ``network_simplex``. Each runs ``--repeat`` times, in turn with the others; the median
wall-clock and the median CPU seconds are reported. The optimal costs must all be equal, or
the run fails. The network simplex is compiled (or loaded from numba's cache) before timing starts.
The last column times svcplan's flow solve alone from the very arrays networkx is given
(``solve_flow``), the like-for-like comparison; the end-to-end columns add svcplan's pruning
of the dense matrix and its arc building, which networkx's timing leaves out.

Reproduce:
    python benchmarks/bench_dispatch.py --regions 2000 --seed 7 --surge-shares 0.3 0.5 --repeat 5
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable

import networkx as nx
import numpy as np

from optimizer.dispatch import DispatchProblem, solve_dispatch
from optimizer.dispatch.flow import (
    SECONDS_PER_MINUTE,
    flow_network,
    solve_flow,
    unmet_penalty_seconds,
)
from optimizer.dispatch.moves import allowed_moves
from optimizer.dispatch.settings import DispatchSettings


def random_instance(
    *,
    regions: int,
    seed: int,
    side_km: float,
    speed_kmh: float,
    window_minutes: float,
    surge_share: float,
) -> dict[str, object]:
    """Keyword arguments of ``DispatchProblem.from_arrays`` for a seeded random instance.

    A ``surge_share`` of the regions need 1–30 units more than they have; the others use part
    of their units. In the surge model every region may lend down to its minimum cover and
    every region's demand counts (``optimizer.dispatch.problem``).
    """
    rng = np.random.default_rng(seed)
    xy_km = rng.uniform(0.0, side_km, size=(regions, 2))
    distance_km = np.sqrt(((xy_km[:, None, :] - xy_km[None, :, :]) ** 2).sum(axis=2))
    available = rng.integers(5, 30, size=regions)
    surge = rng.random(regions) < surge_share
    demand = np.where(
        surge,
        available + rng.integers(1, 31, size=regions),
        rng.integers(0, available + 1),
    )
    return {
        "region_ids": [f"R{i:05d}" for i in range(regions)],
        "resource_names": ["staff"],
        "available_units": available,
        "demand_units": demand,
        "min_cover_units": rng.integers(0, 4, size=regions),
        "priority": rng.integers(1, 4, size=regions),
        "mobilisation_minutes": rng.uniform(0.0, 30.0, size=regions),
        "travel_minutes": distance_km / speed_kmh * 60.0,
        "window_minutes": window_minutes,
    }


def timed(run: Callable[[], object]) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of one call of ``run``, and its result (CPU time suffers less
    than wall time from other jobs on a shared machine).

    The garbage left by the previous run is collected first, outside the timing: networkx's
    graph of ~140k arcs otherwise triggers a collection inside the next svcplan run (60 ms
    alone, 85 ms right after a networkx run)."""
    gc.collect()
    started, started_cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - started, time.process_time() - started_cpu, result


def compare(instance: dict[str, object], repeat: int) -> dict[str, object]:
    """Time svcplan and networkx on ``instance``, alternating run by run so that a change in
    the machine's load hits both; fail unless their optimal costs are equal."""
    problem = DispatchProblem.from_arrays(**instance)
    pools = {
        "lendable_units": problem.lendable_units()[:, 0],
        "partner_units": problem.partner_units[:, 0],
        "open_demand_units": problem.open_demand_units()[:, 0],
    }
    moves = allowed_moves(problem, **pools)
    network = flow_network(
        moves,
        priority=problem.priority,
        penalty_seconds=unmet_penalty_seconds(problem.n_regions, problem.window_minutes),
        **pools,
    )
    engines = {"svcplan": "network-simplex", "ortools": "ortools"}
    solve_dispatch(DispatchProblem.from_arrays(**instance))  # compile or load the engine
    times: dict[str, list[float]] = {}
    costs: dict[str, int] = {}
    for _ in range(repeat):
        for side, engine in engines.items():
            settings = DispatchSettings(flow_engine=engine)
            wall, cpu, (plan, report) = timed(
                lambda settings=settings: solve_dispatch(
                    DispatchProblem.from_arrays(**instance), settings
                )
            )
            times.setdefault(side, []).append(wall)
            times.setdefault(f"{side}_cpu", []).append(cpu)
            costs[side] = round(report.objective * SECONDS_PER_MINUTE)
        wall, _, (_, costs["flow"]) = timed(lambda: solve_flow(network))
        times.setdefault("flow", []).append(wall)
        wall, cpu, (costs["nx"], _) = timed(lambda: nx.network_simplex(network.to_networkx()))
        times.setdefault("nx", []).append(wall)
        times.setdefault("nx_cpu", []).append(cpu)
    median = {name: statistics.median(values) for name, values in times.items()}
    if len(set(costs.values())) != 1:
        raise SystemExit(f"objectives differ: {costs}")
    totals = plan.totals()
    return {
        "pairs": problem.travel_minutes.nnz,
        "arcs": len(moves),
        "donors": int((pools["lendable_units"] > 0).sum()),
        "receivers": int((pools["open_demand_units"] > 0).sum()),
        "short": int((problem.need_units()[:, 0] > 0).sum()),
        "moved": totals["moved_units"],
        "unmet": totals["unmet_units"],
        "cost": costs["nx"],
        "svcplan": median["svcplan"],
        "ortools": median["ortools"],
        "flow": median["flow"],
        "networkx": median["nx"],
        "svcplan_cpu": median["svcplan_cpu"],
        "ortools_cpu": median["ortools_cpu"],
        "networkx_cpu": median["nx_cpu"],
    }


def main() -> None:
    """Run both solvers on each instance and print one Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--side-km", type=float, default=300.0)
    parser.add_argument("--speed-kmh", type=float, default=50.0)
    parser.add_argument("--window-minutes", type=float, default=120.0)
    parser.add_argument("--surge-shares", type=float, nargs="+", default=[0.3, 0.5])
    parser.add_argument("--repeat", type=int, default=3, help="runs per solver (median kept)")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{started}; load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        "| surge share | pairs ≤ window | move arcs | lenders × open demand (short) "
        "| units moved / unmet "
        "| objective (travel s) | svcplan s | networkx s | ratio | CPU s: svcplan / networkx "
        "| CPU ratio | with OR-Tools engine: s / ratio | flow solve alone: s / ratio |"
    )
    print("|---:|---:|---:|---|---|---:|---:|---:|---:|---|---:|---|---|")
    for share in args.surge_shares:
        instance = random_instance(
            regions=args.regions,
            seed=args.seed,
            side_km=args.side_km,
            speed_kmh=args.speed_kmh,
            window_minutes=args.window_minutes,
            surge_share=share,
        )
        row = compare(instance, args.repeat)
        print(
            f"| {share:g} | {row['pairs']:,} | {row['arcs']:,} | "
            f"{row['donors']:,} × {row['receivers']:,} ({row['short']:,}) | "
            f"{row['moved']:,} / {row['unmet']:,} | "
            f"{row['cost']:,} | {row['svcplan']:.3f} | {row['networkx']:.2f} | "
            f"{row['networkx'] / row['svcplan']:.1f}× | "
            f"{row['svcplan_cpu']:.3f} / {row['networkx_cpu']:.2f} | "
            f"{row['networkx_cpu'] / row['svcplan_cpu']:.1f}× | "
            f"{row['ortools']:.3f} / {row['networkx'] / row['ortools']:.1f}× | "
            f"{row['flow']:.3f} / {row['networkx'] / row['flow']:.1f}× |"
        )
    finished = time.strftime("%H:%M UTC", time.gmtime())
    print(f"{finished}; load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
