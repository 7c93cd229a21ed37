"""Why a roster's hard rules cannot all hold, in words.

Each hard rule of each employee is guarded by an assumption literal; CP-SAT's
``sufficient_assumptions_for_infeasibility`` gives a clashing set of them, first for each
employee alone and, when no employee's rules clash alone, for all of them together. The set
is then shrunk by deletion (drop one guard, re-solve; keep it dropped if still infeasible)
and printed per employee, e.g. "employee E7: minimum 1,800 minutes/week cannot be met with
3 available days". Each solve only asks whether a roster exists (it stops at the first
one). Every step ends by a deadline; a step cut short keeps the guards it had not yet
dropped, so the set printed still clashes, only maybe not the smallest.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

from ortools.sat.python import cp_model

from optimizer import stop
from optimizer.roster.model import build_model, make_solver
from optimizer.roster.problem import Employee, RosterProblem
from optimizer.roster.rules import HARD_RULES, minimum_minutes_wording
from optimizer.roster.settings import RosterSettings, employee_limits
from optimizer.solve import SolverLimits

SHRINK_SECONDS = 5.0
"""Time limit of each deletion re-solve; one that times out keeps its guard."""
EXPLAIN_FLOOR_SECONDS = 10.0
"""Least time the explanation gets, past the run's deadline if need be (the search may prove
infeasibility at its last moment)."""
MINUTES_RULE, UNAVAILABLE_RULE = "contract minutes", "unavailability"
NO_CLASH = "no clash among the employees' hard rules was found"
"""The line ``explain_infeasibility`` gives when it finds no clashing set."""


def explain_infeasibility(
    problem: RosterProblem,
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
    *,
    frozen: frozenset[date] = frozenset(),
) -> list[str]:
    """Small sets of clashing hard rules, one line per employee involved.

    Each employee is first checked alone (their rules with no other employee: a roster's
    cover is a cost, so one employee's rules clash or not whatever the others do), those
    with the most days unavailable first, until the ``deadline`` or a stop request; every
    employee whose rules clash alone gets a line, and a last line says how many were
    checked when the deadline came first. When no employee's rules clash alone, the rules
    of all employees together are searched for a clash.

    Args:
        deadline: ``time.perf_counter()`` reading to end by (at least
            ``EXPLAIN_FLOOR_SECONDS`` from now).
        frozen: days a previous roster holds (``RosterSettings.frozen_days``); the search
            does not hold them, so when it finds no clash a line names them as a possible
            one.

    Returns:
        Lines such as "employee E7: minimum 1,800 minutes/week cannot be met with 3 available
        days"; a single generic line when no clash among guarded rules is found by the
        deadline (with one naming the ``frozen`` days when there are any).
    """
    deadline = max(deadline, time.perf_counter() + EXPLAIN_FLOOR_SECONDS)
    found = _alone(problem, settings, limits, deadline, _most_unavailable_first(problem))
    lines = _alone_lines(problem, found, "those with the most days unavailable first")
    if not lines and not stop.past(deadline, time.perf_counter()):
        lines = _clash(problem, settings, limits, deadline) or []
    return lines or [NO_CLASH, *([_frozen_clash(frozen)] if frozen else [])]


def _frozen_clash(frozen: frozenset[date]) -> str:
    """The line naming the ``frozen`` days as a possible clash."""
    days = sorted(frozen)
    named = ", ".join(day.isoformat() for day in days[:3]) + (", ..." if len(days) > 3 else "")
    return (
        f"the previous roster's duties on the frozen days ({named}) are held too, and the "
        "search for a clash does not include them: a frozen duty may be what cannot hold "
        "beside a change (an absence next to the frozen days, for example)"
    )


def missing_rosters(
    problem: RosterProblem,
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
    employees: list[int],
) -> list[str]:
    """Why ``employees`` (indices into ``problem.employees``) have no roster, when their own
    rules clash: each is checked alone; if any clashes, the others are then checked too
    (those with the most days unavailable first) until the ``deadline`` or a stop request,
    so the lines name every employee found, with a last line saying how many were checked
    when the deadline came first. Empty when none of ``employees`` is proven to clash alone
    (their roster may need only more search)."""
    found = _alone(problem, settings, limits, deadline, employees)
    if not any(found.values()):
        return []
    rest = [e for e in _most_unavailable_first(problem) if e not in found]
    found |= _alone(problem, settings, limits, deadline, rest)
    return _alone_lines(
        problem,
        found,
        "those without a roster from column generation first, then those with the most days "
        "unavailable",
    )


def _most_unavailable_first(problem: RosterProblem) -> list[int]:
    """The employees' indices, those with the most days unavailable first."""
    return sorted(
        range(len(problem.employees)), key=lambda e: -len(problem.employees[e].unavailable)
    )


def _alone(
    problem: RosterProblem,
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
    employees: list[int],
) -> dict[int, list[str]]:
    """Each of ``employees`` checked alone, in order, until the ``deadline`` or a stop
    request: employee → the lines of their clash (empty when they have a roster alone). An
    employee whose check the deadline cut short is left out: they were not checked."""
    found: dict[int, list[str]] = {}
    for e in employees:
        if stop.past(deadline, time.perf_counter()):
            break
        alone = replace(problem, employees=(problem.employees[e],), shared_employees=())
        clash = _clash(alone, settings, limits, deadline)
        if clash is None:
            break
        found[e] = clash
    return found


def _alone_lines(problem: RosterProblem, found: dict[int, list[str]], order: str) -> list[str]:
    """The lines of the employees ``found`` to clash alone, by employee, and when not every
    employee was checked, a last line saying how many were and in which ``order``."""
    lines = [line for _, clash in sorted(found.items()) for line in clash]
    if lines and len(found) < len(problem.employees):
        lines.append(
            f"{len(found)} of {len(problem.employees)} employees were checked alone within the "
            f"time limit ({order})"
        )
    return lines


def _clash(
    problem: RosterProblem, settings: RosterSettings, limits: SolverLimits, deadline: float
) -> list[str] | None:
    """A small set of ``problem``'s hard rules that clash, one line per employee involved;
    empty when a roster is found, None when neither is proven by the ``deadline``."""
    m, guards = build_model(problem, settings, assumptions=True)
    solver = _feasibility_solver(settings, limits, _left(deadline))
    status = solver.solve(m.model)
    if status != cp_model.INFEASIBLE:
        return [] if status in (cp_model.FEASIBLE, cp_model.OPTIMAL) else None
    core = sorted(solver.sufficient_assumptions_for_infeasibility())
    core = _shrink(m.model, core, settings, limits, deadline)
    by_employee: dict[int, list[str]] = {}
    for literal in core:
        rule, e = guards[literal]
        by_employee.setdefault(e, []).append(rule)
    return [
        _clash_in_words(problem, problem.employees[e], rules, settings)
        for e, rules in sorted(by_employee.items())
    ]


def _feasibility_solver(
    settings: RosterSettings, limits: SolverLimits, seconds: float
) -> cp_model.CpSolver:
    """One CP-SAT worker that stops at the first roster or after ``seconds``."""
    solver = make_solver(settings, limits, seconds)
    solver.parameters.num_workers = 1
    solver.parameters.stop_after_first_solution = True
    return solver


def _left(deadline: float) -> float:
    """Seconds to ``deadline`` (a ``time.perf_counter()`` reading), at least 0.01."""
    return max(deadline - time.perf_counter(), 0.01)


def _clashes(
    model: cp_model.CpModel,
    literals: list[int],
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
) -> bool:
    """Whether the guards ``literals`` (proto indices) alone are proven to clash, within
    ``SHRINK_SECONDS`` and the ``deadline``."""
    model.clear_assumptions()
    model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in literals])
    solver = _feasibility_solver(settings, limits, min(SHRINK_SECONDS, _left(deadline)))
    return solver.solve(model) == cp_model.INFEASIBLE


def _shrink(
    model: cp_model.CpModel,
    core: list[int],
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
) -> list[int]:
    """Drop guards from ``core`` one by one while the rest stays infeasible, until the
    ``deadline`` (the guards not tried by then stay)."""
    kept = list(core)
    for literal in core:
        if stop.past(deadline, time.perf_counter()):
            break
        trial = [other for other in kept if other != literal]
        if _clashes(model, trial, settings, limits, deadline):
            kept = trial
    return kept


def _available_days(problem: RosterProblem, employee: Employee) -> int:
    """Fewest available days in any full contract period of the horizon."""
    period = min(employee.contract_period_days, problem.horizon_days)
    dates = problem.dates
    counts = [
        sum(day not in employee.unavailable for day in dates[first : first + period])
        for first in range(0, problem.horizon_days - period + 1, period)
    ]
    return min(counts)


def _clash_in_words(
    problem: RosterProblem, employee: Employee, rules: list[str], settings: RosterSettings
) -> str:
    """One line naming ``employee``'s clashing ``rules``; of their shift-type limits only
    those below the horizon's days, the ones that can bind."""
    binding = {s: n for s, n in employee.max_shifts.items() if n < problem.horizon_days}
    employee = replace(employee, max_shifts=binding)
    limits = employee_limits(employee, settings)
    wording = {rule.name: rule.describe(employee, limits, settings) for rule in HARD_RULES}
    others = [wording[rule] for rule in rules if rule not in (MINUTES_RULE, UNAVAILABLE_RULE)]
    if MINUTES_RULE in rules:
        minimum = minimum_minutes_wording(employee)
        text = f"{minimum} cannot be met with {_available_days(problem, employee)} available days"
        if others:
            text += " under " + " and ".join(others)
        return f"employee {employee.employee_id}: {text}"
    listed = [wording[rule] for rule in rules]
    return f"employee {employee.employee_id}: {' and '.join(listed)} cannot all hold"
