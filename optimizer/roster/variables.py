"""The CP-SAT variables of a roster problem, indexed for the rules.

One Boolean per *choice*: an own employee working a requirement row (site × date × shift ×
skill), an own employee on call for a row with a reserve target, or a partner's shared
employee lent for such a row. Choices exist only where ``rules.may_staff`` allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from ortools.sat.python import cp_model

from optimizer.roster.eligibility import forbidden_successions, may_staff
from optimizer.roster.plan import ROLES
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import EmployeeLimits, RosterSettings, employee_limits

WORK, ON_CALL, LENT = ROLES
SATURDAY, SUNDAY = 5, 6


@dataclass
class RosterModel:
    """A CP-SAT model of a roster problem with its variables, indexed for the rules.

    Indices: ``e`` own employee, ``q`` shared employee, ``d`` day, ``s`` shift type, ``r``
    requirement row. ``choices`` lists every Boolean with who/which row/what role.
    """

    problem: RosterProblem
    settings: RosterSettings
    offered: Callable[[int, int], bool] | None = None
    """Which (employee, requirement row) work choices to create, beyond eligibility (all
    when ``None``): a model of part of a roster leaves out what it holds fixed."""
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choices: list[tuple[int, int, str, cp_model.IntVar]] = field(default_factory=list)
    """(person index: own employees first, then shared; row; role; variable)"""
    published: list[tuple[int, int, cp_model.IntVar | None]] = field(default_factory=list)
    """(employee, day, the choice variable of the published assignment or None)"""

    def __post_init__(self) -> None:
        problem = self.problem
        self.days = problem.horizon_days
        self.shift_index = {shift.shift_id: s for s, shift in enumerate(problem.shift_types)}
        successions = forbidden_successions(problem.shift_types, self.settings.min_rest_minutes)
        self.forbidden_next: list[frozenset[int]] = [
            frozenset(self.shift_index[f] for f in successions[shift.shift_id])
            for shift in problem.shift_types
        ]
        """[s] the shift types that may not follow type ``s`` the next day."""
        self.limits: list[EmployeeLimits] = [
            employee_limits(employee, self.settings) for employee in problem.employees
        ]
        self.weekends = _weekends(problem)
        employees, shifts = len(problem.employees), len(problem.shift_types)
        self.shift_choices: list[list[list[tuple[cp_model.IntVar, ...]]]] = [
            [[()] * shifts for _ in range(self.days)] for _ in range(employees)
        ]
        """[e][d][s] the employee's choices (work and on call) of type ``s`` on day ``d``
        (tuples: most are empty, and one list per cell took a third of a window's build)."""
        self.day_choices: list[list[list[cp_model.IntVar]]] = [
            [[] for _ in range(self.days)] for _ in range(employees)
        ]
        """[e][d] the employee's choices (work and on call) on day ``d``."""
        self.day_types: list[list[list[int]]] = [
            [[] for _ in range(self.days)] for _ in range(employees)
        ]
        """[e][d] the shift types the employee has a choice of on day ``d``, in the order
        their first choice was made (the rules then visit only those, not every type)."""
        self.type_choices: list[list[list[cp_model.IntVar]]] = [
            [[] for _ in range(shifts)] for _ in range(employees)
        ]
        """[e][s] the employee's choices (work and on call) of type ``s`` on any day."""
        self._shift_work: dict[tuple[int, int, int], list[cp_model.IntVar]] = {}
        self._day_work: list[list[list[tuple[cp_model.IntVar, int]]]] = [
            [[] for _ in range(self.days)] for _ in range(employees)
        ]
        """[e][d] the employee's work choices on day ``d`` with their shift's minutes."""
        self.row_work_choices: list[list[cp_model.IntVar]] = [[] for _ in problem.requirements]
        self.row_reserve_choices: list[list[cp_model.IntVar]] = [[] for _ in problem.requirements]
        self.lent_choices: list[list[tuple[int, cp_model.IntVar]]] = [
            [] for _ in problem.shared_employees
        ]
        self._add_choices()
        self.duty = [
            [self._duty_literal(choices) for choices in per_employee]
            for per_employee in self.day_choices
        ]

    def _add_choices(self) -> None:
        """Create the choice Booleans, grouped by post (site, shift, skill) to keep the
        eligibility checks per post rather than per row."""
        problem = self.problem
        shared_offset = len(problem.employees)
        posts: dict[tuple[str, str, str], list[int]] = {}
        for r, requirement in enumerate(problem.requirements):
            posts.setdefault(
                (requirement.site, requirement.shift_id, requirement.skill), []
            ).append(r)
        for (_, shift_id, _), rows in posts.items():
            shift = problem.shift_types[self.shift_index[shift_id]]
            first = problem.requirements[rows[0]]
            staff = [e for e, emp in enumerate(problem.employees) if may_staff(emp, first, shift)]
            lenders = [
                q
                for q, lender in enumerate(problem.shared_employees)
                if may_staff(lender, first, shift)
            ]
            for r in rows:
                requirement = problem.requirements[r]
                d, s = problem.day_index(requirement.day), self.shift_index[shift_id]
                if not 0 <= d < self.days:
                    continue
                for e in staff:
                    if self.offered is not None and not self.offered(e, r):
                        continue
                    self._add_choice(e, r, WORK, d, s)
                    if requirement.reserve_needed > 0:
                        self._add_choice(e, r, ON_CALL, d, s)
                if requirement.reserve_needed > 0:
                    for q in lenders:
                        if requirement.day in problem.shared_employees[q].available:
                            var = self.model.new_bool_var(f"lent_q{q}_r{r}")
                            self.choices.append((shared_offset + q, r, LENT, var))
                            self.row_reserve_choices[r].append(var)
                            self.lent_choices[q].append((d, var))

    def _add_choice(self, e: int, r: int, role: str, d: int, s: int) -> None:
        var = self.model.new_bool_var(f"{role}_e{e}_r{r}")
        self.choices.append((e, r, role, var))
        cell = self.shift_choices[e][d]
        if not cell[s]:
            self.day_types[e][d].append(s)
        cell[s] = (*cell[s], var)
        self.day_choices[e][d].append(var)
        self.type_choices[e][s].append(var)
        if role == WORK:
            self.row_work_choices[r].append(var)
            self._shift_work.setdefault((e, d, s), []).append(var)
            self._day_work[e][d].append((var, self.problem.shift_types[s].length_minutes))
        else:
            self.row_reserve_choices[r].append(var)

    def _duty_literal(self, choices: list[cp_model.IntVar]) -> cp_model.IntVar:
        """The day's duty: a Boolean equal to the sum of the day's ``choices`` (the choice
        itself when there is one), which makes "one shift per day" hold by construction."""
        if len(choices) == 1:
            return choices[0]
        duty = self.model.new_bool_var("")
        self.model.add(duty == cp_model.LinearExpr.sum(choices))
        return duty

    def shift_work_choices(self, e: int, d: int, s: int) -> list[cp_model.IntVar]:
        """Work (not on-call) choices of employee ``e`` in shift ``s`` on day ``d``."""
        return self._shift_work.get((e, d, s), [])

    def day_work_choices(self, e: int, d: int) -> list[cp_model.IntVar]:
        """Work choices of employee ``e`` on day ``d``."""
        return [var for var, _ in self._day_work[e][d]]

    def worked_minutes(self, e: int, days: Iterable[int]) -> cp_model.LinearExprT:
        """Minutes worked by employee ``e`` over ``days`` (on-call time excluded)."""
        work = [pair for d in days for pair in self._day_work[e][d]]
        return cp_model.LinearExpr.weighted_sum(
            [var for var, _ in work], [minutes for _, minutes in work]
        )

    def row_work(self, r: int) -> cp_model.LinearExprT:
        """Staff working requirement row ``r``."""
        return cp_model.LinearExpr.sum(self.row_work_choices[r])

    def use_previous(self, previous: pd.DataFrame) -> None:
        """Hint every choice with the ``previous`` roster (columns of ``Roster.assignments``)
        and record its own-staff assignments as published, for the stability goal. On the
        settings' ``frozen_days`` every choice is fixed to the previous roster (a previous duty
        without a choice here makes the model infeasible: callers check that first)."""
        problem = self.problem
        people = [emp.employee_id for emp in problem.employees]
        people += [shared.employee_id for shared in problem.shared_employees]
        keys = {
            (
                people[p],
                problem.requirements[r].day,
                problem.requirements[r].shift_id,
                problem.requirements[r].site,
                problem.requirements[r].skill,
                role,
            ): var
            for p, r, role, var in self.choices
        }
        before = published_keys(previous)
        frozen = self.settings.frozen_days
        for key, var in keys.items():
            self.model.add_hint(var, key in before)
            if key[1] in frozen:
                self.model.add(var == int(key in before))
        if any(key[1] in frozen and key not in keys for key in before):
            self.model.add_bool_or([])  # a frozen duty that cannot be kept
        index = {employee_id: e for e, employee_id in enumerate(people[: len(problem.employees)])}
        for key in sorted(before):
            d = problem.day_index(key[1])
            if key[0] in index and 0 <= d < self.days:
                self.published.append((index[key[0]], d, keys.get(key)))


PublishedKey = tuple[str, date, str, str, str, str]
"""(employee, date, shift, site, skill, role) of a published assignment."""


def published_keys(previous: pd.DataFrame) -> set[PublishedKey]:
    """The assignments of a ``previous`` roster (columns of ``Roster.assignments``) as keys."""
    rows = previous[["employee", "date", "shift", "site", "skill", "role"]]
    return {
        (str(a), pd.Timestamp(b).date(), str(c), str(d), str(k), str(role))
        for a, b, c, d, k, role in rows.itertuples(index=False)
    }


def _weekends(problem: RosterProblem) -> list[list[int]]:
    """Day indices of each weekend (Saturday and Sunday) in the horizon."""
    weekends: dict[int, list[int]] = {}
    for d, day in enumerate(problem.dates):
        if day.weekday() in (SATURDAY, SUNDAY):
            week = (day - problem.start_date).days + (6 - day.weekday())
            weekends.setdefault(week, []).append(d)
    return list(weekends.values())
