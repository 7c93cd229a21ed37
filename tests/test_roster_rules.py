"""The labour-rule records: each rule stated once, every priced rule kept by the pricing program
exactly as CP-SAT keeps it, and an unpriced rule reported and kept by the CP-SAT search."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import date, timedelta

import numpy as np
import pytest
from ortools.sat.python import cp_model

from optimizer.roster.columns import blockers, employee_pricing
from optimizer.roster.engine import solve_roster
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftType
from optimizer.roster.rules import HARD_RULES, at_least_min_rest_between_shifts, unpriced_rules
from optimizer.roster.settings import RosterSettings, employee_limits, loosened_limits
from optimizer.roster.variables import RosterModel
from optimizer.scenario import RosterRules
from optimizer.solve import SolverLimits
from tests.test_roster_checker import hard_rule_violations, synthetic_problem
from tests.test_roster_columns import _cp_sat_best_value, _without_reserve

Case = tuple[RosterProblem, RosterSettings]


def _employees(problem: RosterProblem, **changes: object) -> RosterProblem:
    employees = tuple(replace(employee, **changes) for employee in problem.employees)
    return replace(problem, employees=employees)


def _unavailable(problem: RosterProblem, settings: RosterSettings) -> Case:
    days = frozenset(problem.start_date + timedelta(days=d) for d in (1, 4, 9))
    return _employees(problem, unavailable=days), settings


TIGHTENED: dict[str, Callable[[RosterProblem, RosterSettings], Case]] = {
    "unavailability": _unavailable,
    "minimum rest": lambda problem, settings: (
        problem,
        replace(settings, min_rest_minutes=16 * 60),
    ),
    "maximum consecutive days": lambda problem, settings: (
        _employees(problem, max_consecutive_days=2),
        settings,
    ),
    "minimum consecutive days": lambda problem, settings: (
        _employees(problem, min_consecutive_days=3),
        settings,
    ),
    "minimum consecutive days off": lambda problem, settings: (
        _employees(problem, min_consecutive_days_off=3),
        settings,
    ),
    "maximum weekends": lambda problem, settings: (_employees(problem, max_weekends=1), settings),
    "contract minutes": lambda problem, settings: (
        _employees(problem, min_minutes=1440, max_minutes=1920),
        settings,
    ),
    "maximum shifts per type": lambda problem, settings: (
        _employees(problem, max_shifts={shift.shift_id: 3 for shift in problem.shift_types}),
        settings,
    ),
}
"""A case in which each priced rule binds: the synthetic problem with that rule tightened."""


def test_every_rule_setting_is_a_scenario_key_and_an_engine_setting() -> None:
    scenario_keys = set(RosterRules.model_fields)
    settings_fields = {field.name for field in fields(RosterSettings)}
    named = {rule.setting for rule in HARD_RULES if rule.setting is not None}
    assert named == scenario_keys
    assert scenario_keys <= settings_fields


def test_every_priced_rule_has_a_case_that_checks_it() -> None:
    assert set(TIGHTENED) == {rule.name for rule in HARD_RULES if rule.priced is not None}


@pytest.mark.parametrize("rule", sorted(TIGHTENED))
def test_the_pricing_program_keeps_each_priced_rule_as_cp_sat_does(rule: str) -> None:
    problem, settings = TIGHTENED[rule](_without_reserve(synthetic_problem()), RosterSettings())
    rng = random.Random(sorted(TIGHTENED).index(rule))
    for e in range(0, len(problem.employees), 3):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        found = employee_pricing(problem, settings)[e].price(np.array(prices, dtype=float))
        assert found is not None
        assert found[2] == pytest.approx(_cp_sat_best_value(problem, settings, e, prices))


def test_an_unpriced_rule_is_named_only_where_it_binds() -> None:
    problem = _without_reserve(synthetic_problem())
    capped = RosterSettings(max_night_shifts_per_week=1)
    assert [rule.name for rule in unpriced_rules(problem, capped)] == [
        "maximum night shifts per week"
    ]
    assert blockers(problem, capped) == [
        "the rule 'maximum night shifts per week' is not kept by the pricing program"
    ]
    assert blockers(problem, RosterSettings()) == []
    days_only = replace(
        problem, shift_types=tuple(replace(shift, night=False) for shift in problem.shift_types)
    )
    assert blockers(days_only, capped) == []


def test_a_night_shift_cap_holds_and_the_report_says_why_no_columns() -> None:
    problem = _without_reserve(synthetic_problem())
    nights = {shift.shift_id for shift in problem.shift_types if shift.night}
    limits = SolverLimits(time_limit_seconds=10)
    looser, _ = solve_roster(problem, RosterSettings(), limits)
    assert looser.assignments["shift"].isin(nights).sum() > 0
    settings = RosterSettings(max_night_shifts_per_week=0, neighbourhood_search=True)
    roster, report = solve_roster(problem, settings, limits)
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert hard_rule_violations(problem, settings, looser.assignments) != []
    assert roster.assignments["shift"].isin(nights).sum() == 0
    assert any("maximum night shifts per week" in note for note in report.notes)


def test_an_employee_row_may_tighten_a_rule_but_never_loosen_it() -> None:
    rules = RosterSettings(
        max_consecutive_days=5, min_consecutive_days=2, min_consecutive_days_off=2, max_weekends=2
    )
    stricter = Employee(
        "strict",
        max_consecutive_days=3,
        min_consecutive_days=3,
        min_consecutive_days_off=3,
        max_weekends=1,
    )
    looser = Employee(
        "loose",
        max_consecutive_days=7,
        min_consecutive_days=1,
        min_consecutive_days_off=1,
        max_weekends=4,
    )
    strict_limits, loose_limits = employee_limits(stricter, rules), employee_limits(looser, rules)
    assert (strict_limits.max_consecutive_days, strict_limits.min_consecutive_days) == (3, 3)
    assert (strict_limits.min_consecutive_days_off, strict_limits.max_weekends) == (3, 1)
    assert (loose_limits.max_consecutive_days, loose_limits.min_consecutive_days) == (5, 2)
    assert (loose_limits.min_consecutive_days_off, loose_limits.max_weekends) == (2, 2)
    assert loosened_limits(stricter, rules) == []
    assert loosened_limits(looser, rules) == [
        "max_consecutive_days 7 (rule: 5)",
        "min_consecutive_days 1 (rule: 2)",
        "min_consecutive_days_off 1 (rule: 2)",
        "max_weekends 4 (rule: 2)",
    ]
    no_weekend_rule = RosterSettings(max_weekends=None)
    assert employee_limits(looser, no_weekend_rule).max_weekends == 4


def test_types_forbidding_the_same_successors_share_a_rest_constraint_that_forbids_as_many() -> (
    None
):
    """Early and day shifts both forbid a night the next day, a night forbids an early one,
    a late shift forbids nothing: one employee over two days. Early and day share one
    constraint a day, and the two-day duties CP-SAT allows are exactly the pairs that no
    forbidden succession rules out (every type or off on each day: 25 less the 3 ruled out)."""
    start = date(2026, 1, 5)
    shifts = (
        ShiftType("early", 480, forbidden_next=frozenset({"night"})),
        ShiftType("day", 480, forbidden_next=frozenset({"night"})),
        ShiftType("night", 480, forbidden_next=frozenset({"early"})),
        ShiftType("late", 480),
    )
    rows = tuple(
        Requirement("s", start + timedelta(days=d), shift.shift_id, "any", 1)
        for d in range(2)
        for shift in shifts
    )
    problem = RosterProblem(start, 2, shifts, (Employee("A", skills=frozenset({"any"})),), rows)
    settings = RosterSettings(min_rest_minutes=0, max_consecutive_days=2, fairness_weight=0)
    m = RosterModel(problem, settings)
    assert len(at_least_min_rest_between_shifts(m, 0)) == 2  # {early, day} → night; night → early
    m.model.clear_objective()
    duty = [
        [(shift.shift_id, m.shift_choices[0][d][s]) for s, shift in enumerate(shifts)]
        for d in range(2)
    ]

    class Duties(cp_model.CpSolverSolutionCallback):
        def __init__(self) -> None:
            super().__init__()
            self.seen: set[tuple[str, str]] = set()

        def on_solution_callback(self) -> None:
            days = [next((name for name, (var,) in day if self.value(var)), "off") for day in duty]
            self.seen.add((days[0], days[1]))

    solver = cp_model.CpSolver()
    solver.parameters.enumerate_all_solutions = True
    found = Duties()
    solver.solve(m.model, found)
    names = [*(shift.shift_id for shift in shifts), "off"]
    ruled_out = {("early", "night"), ("day", "night"), ("night", "early")}
    assert found.seen == {(a, b) for a in names for b in names} - ruled_out
