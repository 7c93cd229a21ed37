"""Siting on random instances shaped like the held-back OR-Library sets.

Run from the repository root:

    python benchmarks/bench_siting_shapes.py [--part pmed|scp|cap|all] [--time-limit 60]
        [--seeds 1 2]

OR-Library pmed21–40, scp sets A–E and NR, and capa–c are kept aside to check the siting engine
after development, so nothing here reads them. Instead this benchmark generates, from a seed,
instances of the same sizes and kinds (their READMEs' tables), writes them in the OR-Library
formats to a temporary folder and solves them with ``solve_published_instance`` (reader
included), to show how the engine scales beyond pmed1–20, scp4x–6x and cap71–134:

- pmed: a connected random graph (a random path through every vertex, then random pairs) with
  ``n²/50`` edges of integer length 1–100, the p-median on its shortest paths; n 500–900 with
  the sets' p values.
- scp: each row covered by each column with probability ``density`` (every column covering at
  least one row, every row covered at least twice), integer costs 1–100 (unit for set E).
- cap: 100 warehouses × 1,000 customers at random points in a 100 × 100 square, allocation
  cost demand × distance, fixed costs uniform in [0.5, 1.5] × a scale (four scales), with the
  literal word ``capacity`` in place of the capacities, as capa–c have it.

No optimum is known for these instances, so the table gives the engine's status, bound and
gap ("no plan" when the time limit ended before any); a row is met when proven optimal
within the time limit. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from optimizer.errors import NoSolutionError
from optimizer.formats import solve_published_instance
from optimizer.native_output import native_stdout_aside
from optimizer.solve import SolverLimits

PMED_SHAPES = [
    (500, (5, 10, 50, 100, 167)),
    (600, (5, 10, 60, 120, 200)),
    (700, (5, 10, 70, 140)),
    (800, (5, 10, 80)),
    (900, (5, 10, 90)),
]
"""(vertices, p values) of pmed21–25, 26–30, 31–34, 35–37 and 38–40."""
SCP_SHAPES = [
    ("A", 300, 3000, 0.02),
    ("B", 300, 3000, 0.05),
    ("C", 400, 4000, 0.02),
    ("D", 400, 4000, 0.05),
    ("E", 50, 500, 0.20),
    ("NRE", 500, 5000, 0.10),
    ("NRF", 500, 5000, 0.20),
    ("NRG", 1000, 10000, 0.02),
    ("NRH", 1000, 10000, 0.05),
]
"""(set, rows, columns, density) of the held-back set-covering sets (E has unit costs)."""
CAP_FIXED_SCALES = (5_000, 20_000, 80_000, 320_000)
"""Fixed-cost scales of the 100 × 1,000 facility-location shapes (few to many open)."""


def pmed_text(vertices: int, p: int, seed: int) -> str:
    """An OR-Library ``pmed`` file: a connected random graph with ``vertices²/50`` edges."""
    rng = np.random.default_rng(seed)
    n_edges = vertices * vertices // 50
    path = rng.permutation(vertices) + 1
    pairs = [(int(a), int(b)) for a, b in itertools.pairwise(path)]
    while len(pairs) < n_edges:
        a, b = (int(v) for v in rng.integers(1, vertices + 1, 2))
        if a != b:
            pairs.append((a, b))
    order = rng.permutation(len(pairs))
    lengths = rng.integers(1, 101, len(pairs))
    lines = [f"{vertices} {n_edges} {p}"]
    lines += [f"{pairs[k][0]} {pairs[k][1]} {lengths[k]}" for k in order]
    return "\n".join(lines) + "\n"


def scp_text(rows: int, columns: int, density: float, seed: int, *, unit_costs: bool) -> str:
    """An OR-Library ``scp`` file: random covering pattern of the given density."""
    rng = np.random.default_rng(seed)
    covers = rng.random((rows, columns)) < density
    bare_columns = np.flatnonzero(~covers.any(axis=0))
    covers[rng.integers(rows, size=len(bare_columns)), bare_columns] = True
    for row in np.flatnonzero(covers.sum(axis=1) < 2):
        while covers[row].sum() < 2:
            covers[row, rng.integers(columns)] = True
    costs = np.ones(columns, dtype=int) if unit_costs else rng.integers(1, 101, columns)
    lines = [f"{rows} {columns}", *_wrapped(costs)]
    for row in range(rows):
        covering = np.flatnonzero(covers[row]) + 1
        lines += [str(len(covering)), *_wrapped(covering)]
    return "\n".join(lines) + "\n"


def cap_text(warehouses: int, customers: int, fixed_scale: float, seed: int) -> str:
    """An OR-Library ``cap`` file with the word ``capacity`` for each capacity (as capa–c)."""
    rng = np.random.default_rng(seed)
    warehouse_xy, customer_xy = rng.random((warehouses, 2)) * 100, rng.random((customers, 2)) * 100
    demand = rng.integers(1, 100, customers)
    distance = np.linalg.norm(customer_xy[:, None, :] - warehouse_xy[None, :, :], axis=2)
    fixed = rng.uniform(0.5, 1.5, warehouses) * fixed_scale
    lines = [f"{warehouses} {customers}", *(f"capacity {cost:.2f}" for cost in fixed)]
    for customer in range(customers):
        lines.append(str(demand[customer]))
        lines += _wrapped(np.round(demand[customer] * distance[customer], 3))
    return "\n".join(lines) + "\n"


def _wrapped(values: np.ndarray, per_line: int = 12) -> list[str]:
    return [
        " ".join(str(value) for value in values[start : start + per_line])
        for start in range(0, len(values), per_line)
    ]


def shapes(part: str, seeds: list[int]) -> list[tuple[str, str, str, Callable[[], str]]]:
    """(format, held-back set it mimics, instance name, text maker) for ``part``."""
    rows: list[tuple[str, str, str, Callable[[], str]]] = []
    for seed in seeds:
        if part in ("pmed", "all"):
            for first, (vertices, ps) in zip((21, 26, 31, 35, 38), PMED_SHAPES, strict=True):
                for offset, p in enumerate(ps):
                    rows.append((
                        "orlib-pmed", f"pmed{first + offset}", f"n{vertices}-p{p}-s{seed}",
                        lambda v=vertices, p=p, s=seed: pmed_text(v, p, s),
                    ))  # fmt: skip
        if part in ("scp", "all"):
            for name, n_rows, n_columns, density in SCP_SHAPES:
                rows.append((
                    "orlib-scp", f"scp {name}", f"{n_rows}x{n_columns}-{density:.0%}-s{seed}",
                    lambda r=n_rows, c=n_columns, d=density, s=seed, e=name == "E": scp_text(
                        r, c, d, s, unit_costs=e
                    ),
                ))  # fmt: skip
        if part in ("cap", "all"):
            for scale in CAP_FIXED_SCALES:
                rows.append((
                    "orlib-cap", "capa–c", f"100x1000-f{scale}-s{seed}",
                    lambda f=scale, s=seed: cap_text(100, 1000, f, s),
                ))  # fmt: skip
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("pmed", "scp", "cap", "all"), default="all")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1], help="instance seeds")
    args = parser.parse_args()
    print("| shape of | instance | status | objective | bound | gap | seconds |")
    print("|---|---|---|---:|---:|---:|---:|")
    seconds, unproven = [], []
    with tempfile.TemporaryDirectory() as folder:
        for format_name, held_back, name, make in shapes(args.part, args.seeds):
            path = Path(folder) / f"{name}.txt"
            path.write_text(make())
            started = time.perf_counter()
            try:
                with native_stdout_aside():
                    _, report = solve_published_instance(
                        format_name, path, SolverLimits(time_limit_seconds=args.time_limit)
                    )
            except NoSolutionError:
                seconds.append(time.perf_counter() - started)
                unproven.append(name)
                print(f"| {held_back} | {name} | no plan | – | – | – | {seconds[-1]:.2f} |")
                continue
            seconds.append(time.perf_counter() - started)
            objective, bound = report.objective, report.bound
            gap = "–" if bound is None else f"{(objective - bound) / max(abs(objective), 1e-9):.2%}"
            if report.status != "optimal":
                unproven.append(name)
            print(
                f"| {held_back} | {name} | {report.status} | {objective:,.3f} | "
                f"{'–' if bound is None else f'{bound:,.3f}'} | {gap} | {seconds[-1]:.2f} |",
                flush=True,
            )
    print()
    print(
        f"- {len(seconds)} instances, median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s; not proven optimal in {args.time_limit:g} s: "
        f"{', '.join(unproven) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
