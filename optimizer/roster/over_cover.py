"""Over-staffing that the contracts force, counted block by block (``forced_over_cover``).

Every minute an employee works lies on a requirement row they may staff, within the contract
period it counts for. So where a group of employees can staff only rows nobody outside the
group can, and their least minutes in a contract period exceed the minutes those rows need in
that period, the excess is over-cover, whatever the roster. Counted over the whole staff and
horizon at once (``columns.capacity_bound``), such excesses cancel against shortfalls
elsewhere: on ``tourist-peak.yaml`` the staff's least minutes are below the demand's in every
week, yet the 24 employees of one group of sites must work 3–13 staff-shifts a week beyond
what their sites need, 36 over the 4 weeks (360 at over-cover weight 10, where CP-SAT proves
362 and the best roster is 365).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from optimizer.roster.master import Master
from optimizer.roster.pricing import EmployeeRules


def forced_over_cover(
    master: Master,
    row_day: np.ndarray,
    row_minutes: np.ndarray,
    rows: Sequence[np.ndarray],
    rules: Sequence[EmployeeRules],
) -> float:
    """A lower bound on the over-cover cost of every roster, in objective units.

    The employees and the requirement rows fall into blocks: an employee and each row they
    may staff are in the same block (connected components). Where the block's employees share
    their contract periods, each period of the block is counted alone, else the horizon as
    one period. In each, the employees' least minutes beyond the minutes its rows need are
    over-cover: at least that many minutes over the longest of its rows' shifts, in
    staff-shifts, each at the least over-cover weight among its rows. Blocks and periods hold
    disjoint rows, so their costs add up.

    Args:
        master: the master problem, for the rows' staff needed and over-cover weights and
            the horizon's days.
        row_day, row_minutes: ``[requirement row]`` its day's index in the horizon and its
            shift's length in minutes (the requirement rows are the master's first rows).
        rows: ``[employee]`` the master rows each own employee may staff (reserve rows too;
            they are left out, as on-call duty counts no minutes).
        rules: ``[employee]`` their rules, for the contract periods and least minutes.

    Returns:
        The bound; 0 where no block's least minutes exceed its rows' needs.
    """
    work, employees = master.work_rows, len(rows)
    if not work or not employees:
        return 0.0
    staffed = [np.unique(r[r < work]) for r in rows]
    owner = np.repeat(np.arange(employees), [len(r) for r in staffed])
    row = employees + np.concatenate(staffed)
    size = employees + work
    links = sparse.coo_matrix((np.ones(len(owner)), (owner, row)), shape=(size, size))
    _, block = csgraph.connected_components(links, directed=False)
    needed_minutes = master.needed[:work] * row_minutes
    cost = 0.0
    for label in np.unique(block[:employees]):
        members = np.flatnonzero(block[:employees] == label)
        block_rows = np.flatnonzero(block[employees:] == label)
        for first, last in _periods(master.days, [rules[e] for e in members]):
            least = sum(_least_minutes(rules[e], first, last) for e in members)
            inside = block_rows[(row_day[block_rows] >= first) & (row_day[block_rows] <= last)]
            beyond = least - float(needed_minutes[inside].sum())
            longest = int(row_minutes[inside].max(initial=0))
            if beyond > 0 and longest > 0:
                cost += float(master.over[inside].min()) * math.ceil(beyond / longest - 1e-9)
    return cost


def _periods(days: int, rules: Sequence[EmployeeRules]) -> list[tuple[int, int]]:
    """(first day, last day) of each contract period the employees with ``rules`` share, or
    the whole horizon as one when their periods differ."""
    ends = rules[0].period_last
    if any(not np.array_equal(r.period_last, ends) for r in rules[1:]):
        return [(0, days - 1)]
    lasts = np.flatnonzero(ends)
    firsts = np.concatenate([[0], lasts[:-1] + 1])
    return list(zip(firsts.tolist(), lasts.tolist(), strict=True))


def _least_minutes(rules: EmployeeRules, first: int, last: int) -> float:
    """The least minutes the employee's contract periods ending from day ``first`` to
    ``last`` make them work in all."""
    ends = np.flatnonzero(rules.period_last[first : last + 1]) + first
    return float(rules.min_units[ends].sum()) * rules.unit_minutes
