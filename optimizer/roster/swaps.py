"""Pair swaps: two employees exchange their duties on one block of consecutive days, or on two
blocks apart, so that every requirement row keeps its staff and only their requests change.

Best-response passes move one employee's work against everyone else's, and windowed
neighbourhoods re-solve a few employees over a few weeks; neither reaches a shift-on request
whose shift someone else holds when granting it needs a second change far away. On Curtois–Qu
Instance23 every employee works within one shift of their minimum minutes and at their weekend
limit, so an employee who takes over a requested shift must hand a shift of the same length
back elsewhere: one block gives the request, the other balances the minutes.

A sweep (``PairSwaps.improve``) takes every pair of employees in a seeded order and, for each
block of up to ``LONGEST_BLOCK_DAYS`` days whose swap lowers the two employees' request cost,
keeps the first swap, alone or with a second block of theirs, that keeps both employees' hard
rules; it is compiled by numba and checks the rules the pricing program keeps
(``pricing.EmployeeRules``), so it runs only where column generation's pricing applies and
only request costs change (no previous roster, fairness goal, on-call reserve or partners'
staff: ``windows.applies``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numba
import numpy as np

from optimizer import stop
from optimizer.roster.kernels import BOOLS_2D, FLOATS_3D, INT, INTS, INTS_2D, kernel
from optimizer.roster.pricing import employee_rules
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings

if TYPE_CHECKING:
    from optimizer.roster.columns import PersonPricing

LONGEST_BLOCK_DAYS = 7
"""Most consecutive days of one swapped block."""
PAIRS_PER_CALL = 256
"""Pairs of employees a compiled call takes before the deadline is looked at again."""


class PairSwaps:
    """The arrays a sweep reads, built once per roster search."""

    def __init__(
        self, problem: RosterProblem, settings: RosterSettings, pricing: Sequence[PersonPricing]
    ) -> None:
        employees, days = len(problem.employees), problem.horizon_days
        types = len(problem.shift_types)
        shift_index = {shift.shift_id: s for s, shift in enumerate(problem.shift_types)}
        self.row_type = np.array(
            [shift_index[row.shift_id] for row in problem.requirements], dtype=np.int64
        )
        self.cost = np.zeros((employees, days, types + 1))
        """[employee, day, 1 + type] request cost of working that type that day ([…, 0]: off)"""
        self.allowed = np.zeros((employees, len(problem.requirements)), dtype=np.bool_)
        """[employee, row] the employee may work the row"""
        rules = [employee_rules(problem, settings, e) for e in range(employees)]
        periods = max(int(r.period_last.sum()) for r in rules)
        self.period = np.zeros((employees, days), dtype=np.int64)
        """[employee, day] index of the contract period the day is in"""
        self.least_units = np.zeros((employees, periods), dtype=np.int64)
        self.most_units = np.zeros((employees, periods), dtype=np.int64)
        """[employee, period] least and most minutes worked, in ``units``"""
        for e, (person, rule) in enumerate(zip(pricing[:employees], rules, strict=True)):
            self.cost[e, :, 0] = person.off_cost
            self.cost[e, :, 1:] = person.work_cost
            self.allowed[e, person.rows] = True
            last = np.flatnonzero(rule.period_last)
            self.period[e] = np.cumsum(rule.period_last) - rule.period_last
            self.least_units[e, : len(last)] = rule.min_units[last]
            self.most_units[e, : len(last)] = rule.max_units[last]
        self.units = rules[0].units
        self.follows = rules[0].follows
        self.most_per_type = np.array([r.max_per_type for r in rules], dtype=np.int64)
        self.most_weekends = np.array([r.max_weekends for r in rules], dtype=np.int64)
        self.stretches = np.array(
            [[r.max_consecutive, r.min_consecutive, r.min_days_off] for r in rules], dtype=np.int64
        )
        """[employee] most consecutive days on duty, least on duty, least off"""
        first = rules[0].weekend_first
        self.weekend = np.where(rules[0].weekend, np.cumsum(first) - 1, -1)
        """[day] index of the weekend a Saturday or Sunday is in, −1 on weekdays"""
        self.weekend_days = np.full((int(first.sum()), 2), -1, dtype=np.int64)
        """[weekend] its one or two days"""
        for d in np.flatnonzero(self.weekend >= 0):
            self.weekend_days[self.weekend[d], 0 if first[d] else 1] = d
        self.pairs = np.column_stack(np.triu_indices(employees, 1)).astype(np.int64)
        """[pair] two employees, the first the lower index"""

    def improve(self, work: np.ndarray, until: float, seed: int) -> float:
        """Swap blocks of ``work`` ([employee, day] requirement row worked, −1 off; changed in
        place) while a sweep over every pair of employees (in an order drawn from ``seed``)
        finds one, until ``until`` (a ``time.perf_counter()`` reading) or a stop request.
        Returns how much the swaps lowered the request cost (weighted units)."""
        shifts = np.where(work >= 0, self.row_type[np.maximum(work, 0)], -1)
        pairs = self.pairs
        rng = random.Random(seed)
        gained = 0.0
        while True:
            order = pairs[rng.sample(range(len(pairs)), len(pairs))]
            swept = 0.0
            for start in range(0, len(order), PAIRS_PER_CALL):
                if stop.past(until, time.perf_counter()):
                    return gained + swept
                swept += _sweep(
                    shifts,
                    work,
                    order[start : start + PAIRS_PER_CALL],
                    self.cost,
                    self.allowed,
                    self.follows,
                    self.units,
                    self.period,
                    self.least_units,
                    self.most_units,
                    self.most_per_type,
                    self.weekend,
                    self.weekend_days,
                    self.most_weekends,
                    self.stretches,
                    LONGEST_BLOCK_DAYS,
                )
            gained += swept
            if swept <= 0:
                return gained


@numba.njit(cache=True)
def _new(shifts, x, y, blocks, d):
    """Shift type employee ``x`` works on day ``d`` once it takes ``y``'s duties on
    ``blocks`` (rows of first and last day)."""
    for k in range(blocks.shape[0]):
        if blocks[k, 0] <= d <= blocks[k, 1]:
            return shifts[y, d]
    return shifts[x, d]


@numba.njit(cache=True)
def _local(shifts, work, x, y, first, last, allowed, follows):
    """Whether ``x`` may work ``y``'s rows on days ``first..last`` and the successions into,
    inside and out of them hold."""
    for d in range(first, last + 1):
        if work[y, d] >= 0 and not allowed[x, work[y, d]]:
            return False
    days = shifts.shape[1]
    for d in range(max(first - 1, 0), min(last + 1, days - 1)):
        now = shifts[y, d] if first <= d <= last else shifts[x, d]
        after = shifts[y, d + 1] if first <= d + 1 <= last else shifts[x, d + 1]
        if now >= 0 and after >= 0 and not follows[now, after]:
            return False
    return True


@numba.njit(cache=True)
def _both_local(shifts, work, a, b, first, span, allowed, follows, known):
    """``_local`` both ways for the block of ``span + 1`` days from ``first``, remembered in
    ``known`` ([first, span]: −1 not yet known)."""
    if known[first, span] < 0:
        last = first + span
        known[first, span] = (
            last < shifts.shape[1]
            and _local(shifts, work, a, b, first, last, allowed, follows)
            and _local(shifts, work, b, a, first, last, allowed, follows)
        )
    return known[first, span] == 1


@numba.njit(cache=True)
def _stretches_hold(shifts, x, y, blocks, stretches):
    """Whether every stretch on duty or off that meets a block (or a day beside one) keeps
    ``x``'s stretch limits once ``x`` takes ``y``'s duties on ``blocks``: at most and at least
    the days on duty, at least the days off, a stretch from the horizon's first day or to its
    last exempt from the least."""
    days = shifts.shape[1]
    most, least_on, least_off = stretches[x, 0], stretches[x, 1], stretches[x, 2]
    for k in range(blocks.shape[0]):
        begin = max(blocks[k, 0] - 1, 0)
        on = _new(shifts, x, y, blocks, begin) >= 0
        while begin > 0 and (_new(shifts, x, y, blocks, begin - 1) >= 0) == on:
            begin -= 1
        while begin <= min(blocks[k, 1] + 1, days - 1):
            on = _new(shifts, x, y, blocks, begin) >= 0
            end = begin
            while end + 1 < days and (_new(shifts, x, y, blocks, end + 1) >= 0) == on:
                end += 1
            length = end - begin + 1
            inner = begin >= 1 and end < days - 1
            if on and (length > most or (inner and length < least_on)):
                return False
            if not on and inner and length < least_off:
                return False
            begin = end + 1
    return True


@numba.njit(cache=True)
def employee_totals(shifts, units, period, periods, types, weekend_days):
    """``[employee, period]`` units worked, ``[employee, type]`` shifts worked and
    ``[employee]`` weekends worked, of ``shifts``."""
    employees = shifts.shape[0]
    per_period = np.zeros((employees, periods), dtype=np.int64)
    per_type = np.zeros((employees, types), dtype=np.int64)
    weekends = np.zeros(employees, dtype=np.int64)
    for e in range(employees):
        _count(shifts, e, units, period, weekend_days, per_period, per_type, weekends)
    return per_period, per_type, weekends


@numba.njit(cache=True)
def _count(shifts, e, units, period, weekend_days, per_period, per_type, weekends):
    """Write employee ``e``'s totals (see ``employee_totals``) into the three arrays."""
    per_period[e] = 0
    per_type[e] = 0
    weekends[e] = 0
    for d in range(shifts.shape[1]):
        s = shifts[e, d]
        if s >= 0:
            per_period[e, period[e, d]] += units[s]
            per_type[e, s] += 1
    for w in range(weekend_days.shape[0]):
        for j in range(2):
            d = weekend_days[w, j]
            if d >= 0 and shifts[e, d] >= 0:
                weekends[e] += 1
                break


@numba.njit(cache=True)
def _totals_hold(shifts, x, y, blocks, units, period, least, most, most_per_type, weekend,
                 weekend_days, most_weekends, per_period, per_type, weekends):  # fmt: skip
    """Whether ``x``'s minutes per contract period, shifts per type and weekends worked
    (``per_period``, ``per_type``, ``weekends`` before the swap) stay within their limits once
    ``x`` takes ``y``'s duties on ``blocks``."""
    period_change = np.zeros(per_period.shape[1], dtype=np.int64)
    type_change = np.zeros(per_type.shape[1], dtype=np.int64)
    weekend_change = 0
    for k in range(blocks.shape[0]):
        seen = -1
        for d in range(blocks[k, 0], blocks[k, 1] + 1):
            taken, given = shifts[y, d], shifts[x, d]
            if taken >= 0:
                period_change[period[x, d]] += units[taken]
                type_change[taken] += 1
            if given >= 0:
                period_change[period[x, d]] -= units[given]
                type_change[given] -= 1
            w = weekend[d]
            if w < 0 or w == seen:
                continue
            seen = w
            before, after = False, False
            for j in range(2):
                day = weekend_days[w, j]
                if day >= 0:
                    before = before or shifts[x, day] >= 0
                    after = after or _new(shifts, x, y, blocks, day) >= 0
            weekend_change += int(after) - int(before)
    if weekends[x] + weekend_change > most_weekends[x]:
        return False
    for s in range(type_change.shape[0]):
        if type_change[s] > 0 and per_type[x, s] + type_change[s] > most_per_type[x, s]:
            return False
    for p in range(period_change.shape[0]):
        total = per_period[x, p] + period_change[p]
        if period_change[p] != 0 and (total < least[x, p] or total > most[x, p]):
            return False
    return True


@numba.njit(cache=True)
def _block_gains(shifts, cost, units, a, b, gain, taken):
    """Fill ``gain`` ([first day, span]: how much swapping ``a``'s and ``b``'s duties on the
    block of ``span + 1`` days lowers their request cost; −inf past the horizon) and
    ``taken`` (the units ``a`` takes from ``b`` on net). Returns whether any block gains."""
    days, longest = gain.shape
    gains = False
    for first in range(days):
        change, units_taken = 0.0, 0
        for span in range(longest):
            last = first + span
            gain[first, span] = -np.inf
            if last >= days:
                continue
            sa, sb = shifts[a, last], shifts[b, last]
            change += (
                cost[a, last, sb + 1] - cost[a, last, sa + 1]
                + cost[b, last, sa + 1] - cost[b, last, sb + 1]
            )  # fmt: skip
            units_taken += (units[sb] if sb >= 0 else 0) - (units[sa] if sa >= 0 else 0)
            gain[first, span] = -change
            taken[first, span] = units_taken
            gains = gains or change < -1e-9
    return gains


@numba.njit(cache=True)
def _first_swap(shifts, work, a, b, gain, taken, local, allowed, follows, units, period, least,
                most, most_per_type, weekend, weekend_days, most_weekends, stretches,
                totals):  # fmt: skip
    """The blocks ([block, first and last day]) of the first swap between ``a`` and ``b``
    that lowers their request cost and keeps both employees' rules: a gaining block alone,
    else with the first second block that makes it hold; none (0 rows) when there is none.
    ``local`` remembers each block's ``_both_local`` (−1 not yet known)."""
    days, longest = gain.shape
    one = np.zeros((1, 2), dtype=np.int64)
    two = np.zeros((2, 2), dtype=np.int64)
    for first in range(days):
        for span in range(longest):
            if gain[first, span] <= 1e-9:
                continue
            if not _both_local(shifts, work, a, b, first, span, allowed, follows, local):
                continue
            one[0, 0], one[0, 1] = first, first + span
            if _holds(shifts, a, b, one, units, period, least, most, most_per_type, weekend,
                      weekend_days, most_weekends, stretches, totals):  # fmt: skip
                return one
            two[0, 0], two[0, 1] = first, first + span
            for other in range(days):
                for other_span in range(longest):
                    other_last = other + other_span
                    apart = other_last + 1 < first or other > first + span + 1
                    if not (
                        apart
                        and gain[first, span] + gain[other, other_span] > 1e-9
                        and (
                            least.shape[1] > 1
                            or _units_fit(
                                a,
                                b,
                                taken[first, span] + taken[other, other_span],
                                least,
                                most,
                                totals[0],
                            )
                        )
                        and _both_local(
                            shifts, work, a, b, other, other_span, allowed, follows, local
                        )
                    ):
                        continue
                    two[1, 0], two[1, 1] = other, other_last
                    if _holds(shifts, a, b, two, units, period, least, most, most_per_type,
                              weekend, weekend_days, most_weekends, stretches,
                              totals):  # fmt: skip
                        return two
    return np.zeros((0, 2), dtype=np.int64)


@numba.njit(cache=True)
def _units_fit(a, b, taken, least, most, per_period):
    """Whether, with one contract period, ``a`` taking ``taken`` units on net from ``b``
    keeps both within their minutes."""
    after_a, after_b = per_period[a, 0] + taken, per_period[b, 0] - taken
    return least[a, 0] <= after_a <= most[a, 0] and least[b, 0] <= after_b <= most[b, 0]


@numba.njit(cache=True)
def _holds(shifts, a, b, blocks, units, period, least, most, most_per_type, weekend,
           weekend_days, most_weekends, stretches, totals):  # fmt: skip
    """Whether both employees keep their totals (``totals``: see ``employee_totals``) and stretch
    limits after swapping ``blocks`` (each block's own eligibility and successions already
    hold)."""
    per_period, per_type, weekends = totals
    for x, y in ((a, b), (b, a)):
        if not _totals_hold(shifts, x, y, blocks, units, period, least, most, most_per_type,
                            weekend, weekend_days, most_weekends, per_period, per_type,
                            weekends):  # fmt: skip
            return False
        if not _stretches_hold(shifts, x, y, blocks, stretches):
            return False
    return True


@kernel(
    INTS_2D, INTS_2D, INTS_2D, FLOATS_3D, BOOLS_2D, BOOLS_2D, INTS, INTS_2D, INTS_2D, INTS_2D,
    INTS_2D, INTS, INTS_2D, INTS, INTS_2D, INT,
)  # fmt: skip
def _sweep(shifts, work, pairs, cost, allowed, follows, units, period, least, most,
           most_per_type, weekend, weekend_days, most_weekends, stretches, longest):  # fmt: skip
    """One pass of ``PairSwaps.improve`` over ``pairs``: per pair, the first swap of one block,
    or of it and a second block, that lowers the request cost and keeps both employees' rules
    is made in ``shifts`` and ``work``. Returns the cost it took away."""
    days = shifts.shape[1]
    gain = np.zeros((days, longest))
    taken = np.zeros((days, longest), dtype=np.int64)
    local = np.zeros((days, longest), dtype=np.int8)
    totals = employee_totals(
        shifts, units, period, least.shape[1], most_per_type.shape[1], weekend_days
    )
    gained = 0.0
    for k in range(pairs.shape[0]):
        a, b = pairs[k, 0], pairs[k, 1]
        if not _block_gains(shifts, cost, units, a, b, gain, taken):
            continue
        local[:] = -1
        blocks = _first_swap(shifts, work, a, b, gain, taken, local, allowed, follows, units,
                             period, least, most, most_per_type, weekend, weekend_days,
                             most_weekends, stretches, totals)  # fmt: skip
        for j in range(blocks.shape[0]):
            gained += gain[blocks[j, 0], blocks[j, 1] - blocks[j, 0]]
            for d in range(blocks[j, 0], blocks[j, 1] + 1):
                shifts[a, d], shifts[b, d] = shifts[b, d], shifts[a, d]
                work[a, d], work[b, d] = work[b, d], work[a, d]
        if blocks.shape[0]:
            for e in (a, b):
                _count(shifts, e, units, period, weekend_days, *totals)
    return gained
