"""Curtois–Qu instances 1 and 2 (copied into tests/data/roster) at their best-known values,
with the objective recomputed and every hard rule checked independently."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import DataError
from optimizer.formats.curtois import (
    cost_parts,
    curtois_settings,
    read_curtois,
    solve_curtois_instance,
)
from optimizer.roster.plan import roster_tables
from optimizer.solve import SolverLimits, SolveStatus
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations


def test_reader_builds_the_roster_problem() -> None:
    problem = read_curtois(DATA / "Instance2.txt")
    assert (problem.horizon_days, len(problem.shift_types), len(problem.employees)) == (14, 2, 14)
    late = problem.shift_types[1]
    assert late.forbidden_next == {"E"}
    d = problem.employees[3]
    assert d.max_shifts == {"E": 14, "L": 0}
    assert (d.min_minutes, d.max_minutes, d.contract_period_days) == (3360, 4320, 14)
    assert len(problem.requirements) == 28
    assert problem.start_date.weekday() == 0


@pytest.mark.parametrize(("instance", "best_known", "seconds"), [(1, 607, 30.0), (2, 828, 50.0)])
def test_instances_reach_the_best_known_value(instance, best_known, seconds) -> None:
    problem, roster, report = solve_curtois_instance(
        DATA / f"Instance{instance}.txt", SolverLimits(time_limit_seconds=seconds, threads=8)
    )
    assert report.objective == best_known
    assert curtois_objective(problem, roster.assignments) == best_known
    parts = cost_parts(problem, roster)
    assert parts["under_cover"] + parts["over_cover"] + parts["requests"] == best_known
    assert hard_rule_violations(problem, curtois_settings(), roster.assignments) == []
    if instance == 1:
        assert report.status == SolveStatus.OPTIMAL and report.bound == best_known
        # the start's bound note (558, column generation's) is followed by what proved it
        assert report.notes[-1] == (
            "CP-SAT's whole-model search proved the roster optimal: bound 607 (the start "
            "roster's: 558)"
        )


def test_the_cost_parts_of_an_empty_roster_are_the_demand_and_the_wishes() -> None:
    """No one works: every staff-shift needed is short at its under-cover weight, none is
    over, and every shift-on request goes ungranted (no shift-off request is broken)."""
    problem = read_curtois(DATA / "Instance2.txt")
    parts = cost_parts(problem, roster_tables(problem, []))
    rows = problem.requirements
    assert parts["staff_shifts_short"] == sum(row.staff_needed for row in rows)
    weekend = sum(row.staff_needed for row in rows if row.day.weekday() >= 5)
    assert 0 < parts["short_on_weekends"] == weekend < parts["staff_shifts_short"]
    assert parts["under_cover"] == sum(row.staff_needed * row.under_weight for row in rows)
    assert parts["over_cover"] == parts["staff_shifts_over"] == 0
    wished = [request for employee in problem.employees for request in employee.requests]
    assert parts["requests"] == sum(request.weight for request in wished if request.wanted) > 0


def test_the_cost_parts_sum_to_the_objective_of_everyone_on_the_first_shift_every_day() -> None:
    """Everyone works the first shift type every day (rules aside): its rows are over, the
    other type's short, its shift-off requests broken, and the parts still sum to the
    objective recomputed independently."""
    problem = read_curtois(DATA / "Instance2.txt")
    first = problem.shift_types[0].shift_id
    rows = [r for r, row in enumerate(problem.requirements) if row.shift_id == first]
    everyone = range(len(problem.employees))
    roster = roster_tables(problem, [(e, r, "work") for e in everyone for r in rows])
    parts = cost_parts(problem, roster)
    assert parts["staff_shifts_over"] > 0 and parts["over_cover"] > 0
    assert parts["staff_shifts_short"] > 0 and parts["requests"] > 0
    total = parts["under_cover"] + parts["over_cover"] + parts["requests"]
    assert total == curtois_objective(problem, roster.assignments)


def test_bad_line_is_named(tmp_path: Path) -> None:
    text = (DATA / "Instance1.txt").read_text().replace("A,D=14,", "A,D=lots,", 1)
    bad = tmp_path / "Instance1.txt"
    bad.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("A,D=lots"))
    with pytest.raises(DataError, match=rf"Instance1.txt:{line}: MaxShifts: expected an integer"):
        read_curtois(bad)
