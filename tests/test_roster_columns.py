"""Column generation's pricing against CP-SAT on one employee, and its rosters against the
independent rule checker and the Curtois–Qu best known values."""

from __future__ import annotations

import random
import time
from dataclasses import replace

import numpy as np
import pytest
from ortools.sat.python import cp_model

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster.columns import blockers, column_generation, employee_pricing
from optimizer.roster.model import build_model
from optimizer.roster.plan import roster_tables
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from tests.test_roster_checker import (
    DATA,
    curtois_objective,
    hard_rule_violations,
    synthetic_problem,
)


def _without_reserve(problem: RosterProblem) -> RosterProblem:
    rows = tuple(replace(row, reserve_needed=0) for row in problem.requirements)
    return replace(problem, requirements=rows, shared_employees=())


def _cp_sat_best_value(
    problem: RosterProblem, settings: RosterSettings, e: int, prices: list[int]
) -> float:
    """The most an employee's roster is worth at row ``prices`` minus its request costs,
    solved by CP-SAT on the engine's own model: a row worth p > 0 asks for one person at
    under-cover weight p, a row worth p < 0 asks for none at over-cover weight −p."""
    rows = tuple(
        replace(
            row,
            staff_needed=int(price > 0),
            under_weight=price if price > 0 else None,
            over_weight=-price if price < 0 else 0,
            reserve_needed=0,
        )
        for row, price in zip(problem.requirements, prices, strict=True)
    )
    alone = replace(problem, employees=(problem.employees[e],), requirements=rows)
    m, _ = build_model(alone, settings)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    assert solver.solve(m.model) == cp_model.OPTIMAL
    return sum(p for p in prices if p > 0) - solver.objective_value


@pytest.mark.parametrize("source", ["Instance1", "Instance2", "synthetic"])
def test_pricing_finds_the_employees_best_roster(source) -> None:
    if source == "synthetic":
        problem, settings = _without_reserve(synthetic_problem()), RosterSettings()
    else:
        problem, settings = read_curtois(DATA / f"{source}.txt"), curtois_settings()
    rng = random.Random(7)
    for e in range(0, len(problem.employees), 2):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        found = employee_pricing(problem, settings)[e].price(np.array(prices, dtype=float))
        assert found is not None
        rows, cost, value = found
        assert value == pytest.approx(_cp_sat_best_value(problem, settings, e, prices))
        assert value == pytest.approx(sum(prices[r] for r in rows if r >= 0) - cost)


def test_pricing_keeps_tight_shift_type_limits_and_finds_the_best_roster() -> None:
    problem, settings = read_curtois(DATA / "Instance2.txt"), curtois_settings()
    capped = tuple(
        replace(employee, max_shifts={shift: 4 for shift in employee.max_shifts})
        for employee in problem.employees
    )
    problem = replace(problem, employees=capped)
    rng = random.Random(11)
    for e in range(0, len(problem.employees), 3):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        found = employee_pricing(problem, settings)[e].price(np.array(prices, dtype=float))
        assert found is not None
        worked = [problem.requirements[r].shift_id for r in found[0] if r >= 0]
        assert all(worked.count(shift) <= 4 for shift in set(worked))
        assert found[2] == pytest.approx(_cp_sat_best_value(problem, settings, e, prices))


@pytest.mark.parametrize(("instance", "best_known"), [(1, 607), (2, 828)])
def test_column_generation_rosters_keep_the_rules_near_the_best_known(instance, best_known) -> None:
    problem = read_curtois(DATA / f"Instance{instance}.txt")
    settings = curtois_settings()
    start = column_generation(problem, settings, deadline=time.perf_counter() + 30)
    assert start is not None and start.exact
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    objective = curtois_objective(problem, roster.assignments)
    assert start.bound is not None and start.bound <= best_known <= objective <= 1.01 * best_known


def test_column_generation_keeps_the_synthetic_problems_rules() -> None:
    problem, settings = _without_reserve(synthetic_problem()), RosterSettings()
    start = column_generation(problem, settings, deadline=time.perf_counter() + 30)
    assert start is not None
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []


def test_column_generation_applies_only_without_reserve() -> None:
    settings = RosterSettings()
    (reason,) = blockers(synthetic_problem(), settings)
    assert "on-call reserve" in reason
    assert blockers(_without_reserve(synthetic_problem()), settings) == []


def test_no_column_generation_roster_when_an_employee_cannot_keep_the_rules() -> None:
    problem = read_curtois(DATA / "Instance1.txt")
    overworked = replace(problem.employees[0], min_minutes=problem.horizon_days * 24 * 60)
    problem = replace(problem, employees=(overworked, *problem.employees[1:]))
    deadline = time.perf_counter() + 10
    assert column_generation(problem, curtois_settings(), deadline=deadline) is None
