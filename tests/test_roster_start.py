"""The employee-by-employee start roster keeps every hard rule (checked independently) and
lands close to the best known value on Curtois–Qu Instance1 and Instance2."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster.plan import roster_tables
from optimizer.roster.settings import RosterSettings
from optimizer.roster.start import employee_by_employee
from tests.test_roster_checker import (
    DATA,
    curtois_objective,
    hard_rule_violations,
    synthetic_problem,
)


@pytest.mark.parametrize(("instance", "best_known"), [(1, 607), (2, 828)])
def test_start_roster_keeps_the_rules_of_curtois_instances(instance, best_known) -> None:
    problem = read_curtois(DATA / f"Instance{instance}.txt")
    settings = curtois_settings()
    duties = employee_by_employee(problem, settings, deadline=time.perf_counter() + 30)
    assert duties is not None
    roster = roster_tables(problem, sorted(duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert best_known <= curtois_objective(problem, roster.assignments) <= 3 * best_known


def test_start_roster_keeps_the_rules_of_the_synthetic_problem() -> None:
    problem, settings = synthetic_problem(), RosterSettings()
    duties = employee_by_employee(problem, settings, deadline=time.perf_counter() + 30)
    assert duties is not None
    roster = roster_tables(problem, sorted(duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []


def test_no_start_roster_when_time_is_up() -> None:
    problem = read_curtois(DATA / "Instance1.txt")
    assert employee_by_employee(problem, curtois_settings(), deadline=time.perf_counter()) is None


def test_a_first_pass_told_to_finish_builds_the_roster_past_its_deadline() -> None:
    """For a caller with no other roster, the first pass runs to its end even when the
    deadline has passed before it starts, and only that pass runs."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    late = employee_by_employee(problem, settings, deadline=time.perf_counter(), finish=True)
    assert late is not None
    roster = roster_tables(problem, sorted(late))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    first = employee_by_employee(problem, settings, deadline=time.perf_counter() + 30, passes=1)
    assert late == first


def test_a_published_roster_is_repaired_around_an_absence_not_built_anew() -> None:
    problem, settings = synthetic_problem(), RosterSettings()
    published = employee_by_employee(problem, settings, deadline=time.perf_counter() + 30)
    assert published is not None
    before = roster_tables(problem, sorted(published)).assignments
    absent = before[before["role"] == "work"].iloc[len(before) // 2]
    employees = tuple(
        replace(employee, unavailable=employee.unavailable | {absent["date"]})
        if employee.employee_id == absent["employee"]
        else employee
        for employee in problem.employees
    )
    problem = replace(problem, employees=employees)
    duties = employee_by_employee(
        problem, settings, deadline=time.perf_counter() + 30, previous=before
    )
    assert duties is not None
    after = roster_tables(problem, sorted(duties)).assignments
    assert hard_rule_violations(problem, settings, after) == []
    keys = ["employee", "date", "shift", "site", "skill", "role"]
    was = {(row.employee, row.date): tuple(row) for row in before[keys].itertuples(index=False)}
    now = {(row.employee, row.date): tuple(row) for row in after[keys].itertuples(index=False)}
    assert (absent["employee"], absent["date"]) not in now
    changed = {key for key in was.keys() | now.keys() if was.get(key) != now.get(key)}
    rebuilt = employee_by_employee(problem, settings, deadline=time.perf_counter() + 30)
    assert rebuilt is not None
    anew = roster_tables(problem, sorted(rebuilt)).assignments
    fresh = {(row.employee, row.date): tuple(row) for row in anew[keys].itertuples(index=False)}
    moved_anew = {key for key in was.keys() | fresh.keys() if was.get(key) != fresh.get(key)}
    # the absence and what covering it takes (4 duties), where a roster built anew moves 19
    assert len(changed) <= len(moved_anew) / 3
