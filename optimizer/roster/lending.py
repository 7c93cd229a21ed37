"""Partners' shared employees in column generation: their lent days as columns.

A shared employee may be lent for the reserve places of the rows with an on-call target,
on the days their partner lends them, one place a day and at most ``max_days`` in all, each
day at the partner's cost (``rules.within_lending_limits``, ``rules.low_partner_cost``). Those
are all the rules that bind them, so their best column at given prices is exact: on each
day the best place less the cost, the ``max_days`` days where that is positive.

``LenderPricing`` offers what column generation asks of an employee's pricing (``price``,
``first_roster``, ``best_value`` and the rest), so lenders take part in the master, the dive
and the bounds as one more person each (person index: own employees first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.roster.eligibility import may_staff
from optimizer.roster.pins import FREE
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings


@dataclass
class LenderPricing:
    """One shared employee's places and costs.

    Attributes:
        days: the day of each reserve place they may fill.
        rows: the master's reserve row of each (an index into a price vector).
        cost: the objective's cost of one lent day (partner cost weight × cost per day).
        max_days: the most days they may be lent.
        horizon_days: days in the horizon (the length of a column's rows).
    """

    days: np.ndarray
    rows: np.ndarray
    cost: float
    max_days: int
    horizon_days: int
    frozen: np.ndarray | None = None
    """[day] ``pins.FREE``, or the reserve row they are lent for (−1: not lent) on a frozen
    day of a previous roster (``stability``)"""
    pinned: np.ndarray = field(init=False)
    """[day] always ``pins.FREE``: the dive pins own employees' days only"""
    exact: bool = field(init=False, default=True)
    """their best column is always found"""

    def __post_init__(self) -> None:
        self.pinned = np.full(self.horizon_days, FREE, dtype=np.int64)

    def lone_weekends(self, rows: np.ndarray) -> int:
        """0: no weekend limit binds a partner's shared employee."""
        return 0

    def price(
        self,
        duals: np.ndarray,
        tries: int = 0,
        *,
        certain: bool = False,
        around: np.ndarray | None = None,
    ) -> tuple[np.ndarray, float, float]:
        """Their most valuable lent days at row prices ``duals``: (master row per day, −1
        when not lent; the days' cost; their value, the rows' prices minus the cost).
        ``tries``, ``certain`` and ``around`` are an employee's pricing options; the answer
        is exact without them."""
        del tries, certain, around
        value = duals[self.rows] - self.cost
        # the order of choice: a frozen day's place first, the other places of frozen days never
        rank = value
        if self.frozen is not None:
            held = self.frozen[self.days]
            rank = np.where(held == FREE, value, np.where(held == self.rows, np.inf, -np.inf))
        best, best_row = np.full(self.horizon_days, -np.inf), np.full(self.horizon_days, -1)
        worth = np.zeros(self.horizon_days)
        # each day's first place in that order: the first of its day after sorting by rank
        order = np.lexsort((-rank, self.days))
        first = order[np.diff(self.days[order], prepend=-1) != 0]
        best[self.days[first]], best_row[self.days[first]] = rank[first], self.rows[first]
        worth[self.days[first]] = value[first]
        chosen = np.argsort(-best, kind="stable")[: self.max_days]
        chosen = chosen[best[chosen] > 0]
        rows = np.full(self.horizon_days, -1, dtype=np.int64)
        rows[chosen] = best_row[chosen]
        return rows, self.cost * len(chosen), float(worth[chosen].sum())

    def first_roster(self, duals: np.ndarray, shift: float) -> tuple[np.ndarray, float, float]:
        """``price`` (``shift`` spreads an employee's ties; the lent days have none)."""
        del shift
        return self.price(duals)

    def bounds_exactly(self, quick: bool) -> bool:
        """``best_value`` is exact whatever ``quick``."""
        del quick
        return True

    def best_value(self, duals: np.ndarray, *, quick: bool = False) -> float:
        """The most their lent days are worth at row prices ``duals`` (``price``'s value;
        ``quick`` changes nothing)."""
        del quick
        return self.price(duals)[2]

    def shrink(self, budget: int) -> None:
        """Nothing to shrink: their program is a sort."""

    def reset(self) -> None:
        """Nothing learnt to forget."""

    def unpin(self) -> None:
        """No pins to lift (``frozen`` days are kept in ``price``)."""


def lender_pricing(
    problem: RosterProblem, settings: RosterSettings, reserve_of: np.ndarray, work_rows: int
) -> list[LenderPricing]:
    """Every shared employee's ``LenderPricing`` (one with no place when they may fill none):
    ``reserve_of`` lists the requirement row of each reserve row, the master's rows
    ``work_rows`` onwards."""
    shift_types = {shift.shift_id: shift for shift in problem.shift_types}
    found = []
    for shared in problem.shared_employees:
        places = [
            (problem.day_index(row.day), work_rows + k)
            for k, row in enumerate(problem.requirements[int(r)] for r in reserve_of)
            if row.day in shared.available
            and 0 <= problem.day_index(row.day) < problem.horizon_days
            and may_staff(shared, row, shift_types[row.shift_id])
        ]
        days, rows = np.array(places, dtype=np.int64).reshape(-1, 2).T
        cost = float(settings.partner_cost_weight * shared.cost_per_day)
        found.append(LenderPricing(days, rows, cost, shared.max_days, problem.horizon_days))
    return found
