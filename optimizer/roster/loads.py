"""The fairness goal in column generation: each employee's weekend and night loads.

``rules.spread_weekend_and_night_work`` costs ``fairness_weight`` per day of spread (most −
least over the employees) of two loads: weekend days worked and night shifts worked (work,
not on-call duty). Column generation's master holds, per load, a variable for the most and
one for the least and two rows per employee (most ≥ the employee's load ≥ least); the duals
of those rows price each weekend day and each night shift in the employee's pricing program.
"""

from __future__ import annotations

import numpy as np

from optimizer.roster.problem import RosterProblem
from optimizer.roster.variables import SATURDAY, SUNDAY

LOADS = ("weekend days", "night shifts")
"""The loads whose spread the fairness goal costs, in this order."""


def row_loads(problem: RosterProblem) -> np.ndarray:
    """``[load, requirement row]``: how much working the row adds to each load (1 or 0)."""
    nights = {shift.shift_id for shift in problem.shift_types if shift.night}
    weekend = [row.day.weekday() in (SATURDAY, SUNDAY) for row in problem.requirements]
    night = [row.shift_id in nights for row in problem.requirements]
    return np.array([weekend, night], dtype=float)


def cell_loads(problem: RosterProblem, types: np.ndarray) -> np.ndarray:
    """``[load, day, type]``: how much working each of the program's ``types`` (indices into
    the problem's shift types; larger ones are on-call duty, which adds to no load) on each
    day adds to each load."""
    shifts = problem.shift_types
    work = types < len(shifts)
    weekend = np.array([day.weekday() in (SATURDAY, SUNDAY) for day in problem.dates])
    night = np.array([t < len(shifts) and shifts[t].night for t in types], dtype=bool)
    loads = np.zeros((len(LOADS), problem.horizon_days, len(types)))
    loads[0] = np.outer(weekend, work)
    loads[1] = night[np.newaxis, :]
    return loads


def spread(loads: np.ndarray) -> float:
    """Σ over the loads of (most − least) over the employees; ``loads``: ``[employee,
    load]``, fewer than two employees: 0."""
    if len(loads) < 2:
        return 0.0
    return float((loads.max(axis=0) - loads.min(axis=0)).sum())


def lagrangian_term(most: np.ndarray, least: np.ndarray, weight: float, days: int) -> float:
    """The least the most and least variables add to the Lagrangian function at the duals
    ``most`` and ``least`` (``[load, employee]``, of the rows most ≥ load and load ≥ least,
    each ≥ 0): per load, ``weight`` − Σ most duals on the most variable and Σ least duals −
    ``weight`` on the least, each variable within [0, ``days``] (0 at the linear program's
    optimum, where the sums equal ``weight``)."""
    return float(
        days
        * (
            np.minimum(weight - most.sum(axis=1), 0.0).sum()
            + np.minimum(least.sum(axis=1) - weight, 0.0).sum()
        )
    )
