"""A start roster built one employee at a time, for the roster engine's neighbourhood search.

Each employee in turn gets the roster that is best for the whole objective given everyone
else's: a one-employee CP-SAT model whose requirement rows ask only for the staff still
missing (``staff_needed`` and ``reserve_needed`` minus what the others already cover:
work for the one, on-call and lent days for the other). The cover terms are
separable per row, so this is the employee's exact marginal effect: working a row that is
still short saves its under-cover weight, working one that is already full costs its
over-cover weight. All of the employee's hard rules hold by construction, so the result is a
roster that keeps every rule. Further passes re-solve each employee against the final
roster of the others (block coordinate descent) until a pass changes little or time is up.
Specialists (fewest shift types allowed) go first, so generalists fill what is left.

Against a published roster the construction is a repair: the published duties are the
start (partners' lent days are kept as they are), and each employee's model keeps its own
published duties at the stability cost (its frozen days fixed). The first pass lets the
duties that can no longer stand go (an absence, a rule), the second fills what they left.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace

import pandas as pd
from ortools.sat.python import cp_model

from optimizer import stop
from optimizer.roster.model import build_model
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from optimizer.roster.variables import LENT, WORK, published_keys

Duty = tuple[int, int, str]
"""(employee index, requirement row, role) of one assignment."""

LATE_EMPLOYEE_SECONDS = 1.0
"""Time limit of one employee's solve in a first pass that runs past its deadline
(``employee_by_employee(finish=True)``): their best duties when proven by then, else the
best found."""


def employee_by_employee(
    problem: RosterProblem,
    settings: RosterSettings,
    *,
    deadline: float,
    passes: int = 10,
    previous: pd.DataFrame | None = None,
    finish: bool = False,
) -> set[Duty] | None:
    """A start roster of ``problem``'s own employees (partners' staff are not lent, except
    for the lent days of a ``previous`` roster, which are kept).

    Args:
        problem: what to roster.
        settings: rule defaults and weights (solver options are not used: each employee is
            solved with one worker).
        deadline: ``time.perf_counter()`` value after which no further employee is solved.
        passes: at most this many passes over all employees (the first builds the roster);
            the passes also stop once one changes the duties of fewer than a twentieth of
            the employees (against a ``previous`` roster not before the second pass).
        previous: a published roster (columns of ``Roster.assignments``) to repair rather
            than build anew (see the module docstring).
        finish: the first pass runs to its end even past the deadline (each employee then
            solved in at most ``LATE_EMPLOYEE_SECONDS``): for a caller that has no roster
            otherwise. Only a stop request ends it early.

    Returns:
        The duties of the roster, or ``None`` when the first pass did not finish (before
        the deadline, unless ``finish``) or some employee's own rules cannot hold.
    """
    employees = range(len(problem.employees))
    order = sorted(
        employees,
        key=lambda e: (
            sum(1 for cap in problem.employees[e].max_shifts.values() if cap > 0)
            or len(problem.shift_types)
        ),
    )
    duties = set() if previous is None else _published_duties(problem, previous)
    least_passes = 1 if previous is None else 2
    # each employee's published rows, split once (none: an empty table, so that their
    # frozen days stay off)
    published: dict[str, pd.DataFrame] = {}
    if previous is not None:
        by_employee = dict(iter(previous.groupby(previous["employee"].astype(str))))
        published = {
            employee.employee_id: by_employee.get(employee.employee_id, previous.iloc[:0])
            for employee in problem.employees
        }
    for done in range(passes):
        changed = 0
        finishing = finish and done == 0
        for e in order:
            if stop.past(None if finishing else deadline, time.perf_counter()):
                return None if done == 0 else duties
            chosen = _best_for_employee(
                problem,
                settings,
                e,
                duties,
                deadline,
                least_seconds=LATE_EMPLOYEE_SECONDS if finishing else 0.01,
                exact=done > 0,
                published=published.get(problem.employees[e].employee_id),
            )
            if chosen is None:
                if done == 0:
                    return None
                continue
            own = {duty for duty in duties if duty[0] == e}
            changed += chosen != own
            duties = (duties - own) | chosen
        if done + 1 >= least_passes and changed < max(1, len(order) / 20):
            break
    return duties


def _published_duties(problem: RosterProblem, previous: pd.DataFrame) -> set[Duty]:
    """The duties of the ``previous`` roster that name a person and a requirement row of
    ``problem`` (person indices: own employees first, then partners' shared employees, whose
    lent days the construction keeps as they are)."""
    people = {
        person.employee_id: p
        for p, person in enumerate((*problem.employees, *problem.shared_employees))
    }
    rows = {
        (row.day, row.shift_id, row.site, row.skill): r
        for r, row in enumerate(problem.requirements)
    }
    duties = set()
    for employee, day, shift, site, skill, role in published_keys(previous):
        p, r = people.get(employee), rows.get((day, shift, site, skill))
        if p is not None and r is not None and (role == LENT) == (p >= len(problem.employees)):
            duties.add((p, r, role))
    return duties


def _best_for_employee(
    problem: RosterProblem,
    settings: RosterSettings,
    employee: int,
    duties: set[Duty],
    deadline: float,
    *,
    least_seconds: float,
    exact: bool,
    published: pd.DataFrame | None,
) -> set[Duty] | None:
    """The ``employee``'s best duties given everyone else's ``duties`` (hinted with their own),
    at the stability cost against their ``published`` duties (rows of a previous roster), if
    any, solved until ``deadline`` (a ``time.perf_counter()`` value) but for at least
    ``least_seconds``.

    Returns:
        The employee's duties; ``None`` when none were found in that time or, if ``exact``,
        none was proven best.
    """
    working = Counter(r for f, r, role in duties if f != employee and role == WORK)
    reserve = Counter(r for f, r, role in duties if f != employee and role != WORK)
    rows = tuple(
        replace(
            row,
            staff_needed=max(0, row.staff_needed - working[r]),
            reserve_needed=max(0, row.reserve_needed - reserve[r]),
        )
        for r, row in enumerate(problem.requirements)
    )
    alone = replace(
        problem,
        employees=(problem.employees[employee],),
        requirements=rows,
        shared_employees=(),
    )
    m, _ = build_model(alone, settings, previous=published)
    m.model.clear_hints()
    for _, r, role, var in m.choices:
        m.model.add_hint(var, (employee, r, role) in duties)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), least_seconds)
    code = stop.run_cp_sat(solver, m.model)
    if code != cp_model.OPTIMAL and (exact or code != cp_model.FEASIBLE):
        return None
    return {(employee, r, role) for _, r, role, var in m.choices if solver.boolean_value(var)}
