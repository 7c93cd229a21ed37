"""A previous roster in column generation: the stability goal's prices and the frozen days.

The goal (``rules.keep_published_shifts``) costs ``stability_weight`` for each published
assignment of an own employee that is dropped and for each duty on a published day that
the employee had off. Both are sums over one employee's days, so they enter that employee's
pricing program: a published duty's row earns the weight (``PublishedRoster.rows``), a duty
on a published day off costs it (``off_days``), and each column's cost carries the weight
of all the employee's published assignments (``assignments``), so that a column that keeps
them all costs nothing for stability. On the settings' ``frozen_days`` every choice keeps
the previous roster (``model.RosterModel.use_previous``): those days are pins the dive
never lifts (``frozen``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.roster.pins import FREE
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from optimizer.roster.variables import LENT, ON_CALL, WORK, published_keys


@dataclass(frozen=True)
class PublishedRoster:
    """One person's part of a previous roster, as their pricing uses it.

    Attributes:
        weight: the stability goal's weight per published assignment changed (0 for a
            partner's shared employee, and without the goal).
        rows: the master rows (requirement rows for work, reserve rows for on-call duty or a
            lent day) of the person's published duties that the problem still offers.
        off_days: [day] a day that some own employee has a published assignment on and
            this person has none (a duty then costs the stability weight).
        assignments: the person's published assignments in the horizon, those the problem
            no longer offers included (each costs the weight unless kept).
        frozen: [day] ``pins.FREE``, or the master row (−1: off) the previous roster holds
            the person to on a frozen day.
    """

    weight: float
    rows: np.ndarray
    off_days: np.ndarray
    assignments: int
    frozen: np.ndarray


def published_rosters(
    problem: RosterProblem,
    settings: RosterSettings,
    previous: pd.DataFrame,
    reserve_row: np.ndarray,
) -> list[PublishedRoster]:
    """Every person's ``PublishedRoster`` (own employees, then partners' shared employees,
    whose lent days are only frozen: the stability goal counts own staff alone).

    Args:
        problem: what to roster.
        settings: its ``frozen_days``.
        previous: the previous roster (columns of ``Roster.assignments``).
        reserve_row: [requirement row] the master's reserve row of each, −1 without one.
    """
    people = [e.employee_id for e in (*problem.employees, *problem.shared_employees)]
    person = {employee_id: p for p, employee_id in enumerate(people)}
    row_of = {
        (row.day, row.shift_id, row.site, row.skill): r
        for r, row in enumerate(problem.requirements)
    }
    days = problem.horizon_days
    frozen = np.full((len(people), days), FREE, dtype=np.int64)
    for day in settings.frozen_days:
        d = problem.day_index(day)
        if 0 <= d < days:
            frozen[:, d] = -1
    rows: list[list[int]] = [[] for _ in people]
    assignments = np.zeros(len(people), dtype=np.int64)
    on_day = np.zeros((len(people), days), dtype=bool)
    for employee, day, shift, site, skill, role in published_keys(previous):
        p, d = person.get(employee), problem.day_index(day)
        if p is None or not 0 <= d < days:
            continue
        on_day[p, d] = True
        assignments[p] += 1
        r = row_of.get((day, shift, site, skill))
        master_row = -1 if r is None else (r if role == WORK else int(reserve_row[r]))
        if role not in (WORK, ON_CALL, LENT) or master_row < 0:
            continue
        rows[p].append(master_row)
        if frozen[p, d] != FREE:
            frozen[p, d] = master_row
    own = len(problem.employees)
    published_days = on_day[:own].any(axis=0)
    return [
        PublishedRoster(
            float(settings.stability_weight) if p < own else 0.0,
            np.array(rows[p], dtype=np.int64),
            published_days & ~on_day[p],
            int(assignments[p]),
            frozen[p],
        )
        for p in range(len(people))
    ]
