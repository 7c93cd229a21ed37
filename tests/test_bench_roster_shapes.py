"""The cuts ``benchmarks/bench_roster_shapes.py`` solves in place of the held-back Curtois–Qu
Instances 13–16: their size, their scaled demand and limits, and a roster on one that keeps
every hard rule (Instance17, 32 staff and 8 weeks, cut to 3 weeks and 16 staff)."""

from __future__ import annotations

import math
import time

import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster.engine import solve_roster
from optimizer.solve import SolverLimits
from tests.benchmark_scripts import load_benchmark
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations


def test_a_cut_keeps_the_first_days_and_staff_with_demand_and_limits_scaled() -> None:
    shapes = load_benchmark("bench_roster_shapes")
    whole = read_curtois(DATA / "Instance17.txt")
    days, staff = 21, 16
    part = shapes.cut(whole, days, staff)
    assert part.horizon_days == days and len(part.employees) == staff
    assert [e.employee_id for e in part.employees] == [e.employee_id for e in whole.employees[:16]]
    kept = [row for row in whole.requirements if whole.day_index(row.day) < days]
    assert [row.staff_needed for row in part.requirements] == [
        round(row.staff_needed * staff / len(whole.employees)) for row in kept
    ]
    share = days / whole.horizon_days
    for before, after in zip(whole.employees, part.employees, strict=False):
        assert after.contract_period_days == days
        assert after.max_minutes == math.ceil(before.max_minutes * share)
        assert after.min_minutes <= before.min_minutes * share * shapes.MINIMUM_SHARE
        assert after.max_weekends == math.ceil(before.max_weekends * share)
        assert all(part.day_index(request.day) < days for request in after.requests)
        assert all(part.day_index(day) < days for day in after.unavailable)


@pytest.mark.parametrize(("days", "staff"), [(0, 16), (57, 16), (21, 0), (21, 33)])
def test_a_cut_larger_than_its_instance_is_refused(days: int, staff: int) -> None:
    whole = read_curtois(DATA / "Instance17.txt")
    with pytest.raises(ValueError, match="does not fit"):
        load_benchmark("bench_roster_shapes").cut(whole, days, staff)


def test_the_engine_rosters_a_cut_within_its_hard_rules() -> None:
    part = load_benchmark("bench_roster_shapes").cut(read_curtois(DATA / "Instance17.txt"), 21, 16)
    settings = curtois_settings()
    started = time.perf_counter()
    roster, report = solve_roster(part, settings, SolverLimits(time_limit_seconds=5, threads=2))
    assert time.perf_counter() - started < 15
    assert hard_rule_violations(part, settings, roster.assignments) == []
    assert report.objective == curtois_objective(part, roster.assignments)
    assert report.bound <= report.objective
