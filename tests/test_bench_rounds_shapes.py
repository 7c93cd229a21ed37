"""The instances ``benchmarks/bench_rounds_shapes.py`` generates in place of the held-back
Gehring–Homberger set: readable as Solomon files, of the size, fleet and capacity asked, every
customer servable by a vehicle of its own; and the rounds engine's fewest-vehicles search on
one of them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from optimizer.formats.rounds import read_rounds_instance, solve_rounds_instance
from optimizer.solve import SolverLimits
from tests.benchmark_scripts import load_benchmark
from tests.rounds_checker import check_rounds

SHAPES = load_benchmark("bench_rounds_shapes")


def _customer_rows(text: str) -> list[list[int]]:
    """The depot's row, then each customer's: number, x, y, demand, ready, due, service."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("CUST NO.")) + 1
    return [[int(value) for value in line.split()] for line in lines[first:] if line.strip()]


@pytest.mark.parametrize("kind", sorted(SHAPES.HORIZON_MINUTES))
def test_an_instance_has_the_size_fleet_and_windows_of_its_kind(kind: str, tmp_path: Path) -> None:
    customers = 200
    text = SHAPES.instance_text(kind, customers, seed=3)
    path = tmp_path / f"{kind}.txt"
    path.write_text(text)
    problem, settings = read_rounds_instance("solomon", path)
    assert problem.n_places == customers
    assert settings.objective == "vehicles_then_driving"
    fleet, capacity = (int(v) for v in text.splitlines()[4].split())
    assert (fleet, capacity) == (customers // 4, SHAPES.CAPACITY[kind])
    depot, *rows = _customer_rows(text)
    assert [row[0] for row in rows] == list(range(1, customers + 1))
    stretch = math.sqrt(customers / 100)
    assert depot[5] == math.floor(SHAPES.HORIZON_MINUTES[kind] * stretch)
    for _, x, y, demand, ready, due, service in rows:
        there = math.hypot(x - depot[1], y - depot[2])
        assert 0 <= x <= 100 * stretch and 0 <= y <= 100 * stretch
        assert 1 <= demand <= 40 and service == (90 if kind.startswith("C") else 10)
        assert there <= ready <= due  # a vehicle of its own arrives in time ...
        assert due + service + there <= depot[5]  # ... and is back before the depot closes


def test_a_seed_gives_the_same_instance_and_another_seed_another() -> None:
    assert SHAPES.instance_text("RC1", 200, 1) == SHAPES.instance_text("RC1", 200, 1)
    assert SHAPES.instance_text("RC1", 200, 1) != SHAPES.instance_text("RC1", 200, 2)


def test_vehicles_counted_first_reach_a_small_fleet_on_wide_windows(tmp_path: Path) -> None:
    """On a 200-customer instance with wide windows the search with every vehicle available
    and each charged more than any route drives stayed at 11 vehicles for 30 s; with a search
    capped at one vehicle fewer at a time the engine reaches 8 within seconds."""
    path = tmp_path / "C2_200_1.txt"
    path.write_text(SHAPES.instance_text("C2", 200, 1))
    problem, plan, _ = solve_rounds_instance("solomon", path, SolverLimits(time_limit_seconds=6))
    assert plan is not None
    check_rounds(problem, plan)
    assert max(plan.vehicles_per_day(problem.period_days)) <= 9
