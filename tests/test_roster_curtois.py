"""Curtois–Qu instances 1 and 2 (copied into tests/data/roster) at their best-known values,
with the objective recomputed and every hard rule checked independently."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import DataError
from optimizer.formats.curtois import curtois_settings, read_curtois, solve_curtois_instance
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
    problem = read_curtois(DATA / f"Instance{instance}.txt")
    roster, report = solve_curtois_instance(
        DATA / f"Instance{instance}.txt", SolverLimits(time_limit_seconds=seconds, threads=8)
    )
    assert report.objective == best_known
    assert curtois_objective(problem, roster.assignments) == best_known
    assert hard_rule_violations(problem, curtois_settings(), roster.assignments) == []
    if instance == 1:
        assert report.status == SolveStatus.OPTIMAL and report.bound == best_known
        # the start's bound note (558, column generation's) is followed by what proved it
        assert report.notes[-1] == (
            "CP-SAT's whole-model search proved the roster optimal: bound 607 (the start "
            "roster's: 558)"
        )


def test_bad_line_is_named(tmp_path: Path) -> None:
    text = (DATA / "Instance1.txt").read_text().replace("A,D=14,", "A,D=lots,", 1)
    bad = tmp_path / "Instance1.txt"
    bad.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("A,D=lots"))
    with pytest.raises(DataError, match=rf"Instance1.txt:{line}: MaxShifts: expected an integer"):
        read_curtois(bad)
