"""Why a roster's hard rules cannot all hold, in words.

Each hard rule of each employee is guarded by an assumption literal; CP-SAT's
``sufficient_assumptions_for_infeasibility`` gives a clashing set of them, which is then
shrunk by deletion (drop one guard, re-solve; keep it dropped if still infeasible) and
printed per employee, e.g. "employee E7: minimum 1,800 minutes/week cannot be met with
3 available days".
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer.roster.model import DEFAULT_TIME_LIMIT_SECONDS, build_model, make_solver
from optimizer.roster.problem import Employee, RosterProblem
from optimizer.roster.rules import HARD_RULES, minimum_minutes_wording
from optimizer.roster.settings import RosterSettings, employee_limits
from optimizer.solve import SolverLimits

SHRINK_SECONDS = 5.0
"""Time limit of each deletion re-solve; a re-solve that times out keeps its guard."""
MINUTES_RULE, UNAVAILABLE_RULE = "contract minutes", "unavailability"


def explain_infeasibility(
    problem: RosterProblem, settings: RosterSettings, limits: SolverLimits
) -> list[str]:
    """A small set of clashing hard rules, one line per employee involved.

    Returns:
        Lines such as "employee E7: minimum 1,800 minutes/week cannot be met with 3 available
        days"; a single generic line when no clash among guarded rules is found.
    """
    m, guards = build_model(problem, settings, assumptions=True)
    solver = make_solver(settings, limits, limits.seconds_or(DEFAULT_TIME_LIMIT_SECONDS))
    solver.parameters.num_workers = 1
    if solver.solve(m.model) != cp_model.INFEASIBLE:
        return ["no clash among the employees' hard rules was found"]
    core = sorted(solver.sufficient_assumptions_for_infeasibility())
    core = _shrink(m.model, core, settings, limits)
    by_employee: dict[int, list[str]] = {}
    for literal in core:
        rule, e = guards[literal]
        by_employee.setdefault(e, []).append(rule)
    return [
        _clash_in_words(problem, problem.employees[e], rules, settings)
        for e, rules in sorted(by_employee.items())
    ]


def _shrink(
    model: cp_model.CpModel, core: list[int], settings: RosterSettings, limits: SolverLimits
) -> list[int]:
    """Drop guards from ``core`` one by one while the rest stays infeasible."""
    kept = list(core)
    for literal in core:
        trial = [other for other in kept if other != literal]
        model.clear_assumptions()
        model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in trial])
        solver = make_solver(settings, limits, SHRINK_SECONDS)
        solver.parameters.num_workers = 1
        if solver.solve(model) == cp_model.INFEASIBLE:
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
