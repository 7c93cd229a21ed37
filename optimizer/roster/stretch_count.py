"""Staff-shifts short in every roster, counted over runs of days (``short_in_runs``).

Within any run of days an employee works at most as many of its days as their stretch rules
allow: at most ``max_consecutive`` days in a row, at least ``min_days_off`` days off between
two stretches, only on days they may work. So the staff needed in a run beyond the sum of
those mosts is short whatever the roster, and shortfalls of runs that do not overlap add up.
Counted day by day (runs of one day), this is the staff needed beyond the employees who may
work that day. Over a week it also sees that an employee with at most 5 days in a row and 2
days off works at most 5 of any 7: Curtois–Qu Instance24 needs 974 staff-shifts in its last
week from 150 employees, so at least 223 staff-shifts are short in its last 8 days, where
counting day by day finds 44.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np

RUN_DAYS = 14
"""The longest run counted, in days. On Curtois–Qu Instance24 runs of up to 7 days find 196
short staff-shifts, of up to 14 days 223, of up to 28 days no more."""


def short_in_runs(
    needed_per_day: np.ndarray,
    open_days: Sequence[np.ndarray],
    stretch_limits: Sequence[tuple[int, int]],
) -> float:
    """The most staff-shifts short in every roster over runs of up to ``RUN_DAYS`` days that
    do not overlap.

    Args:
        needed_per_day: ``[day]`` staff needed on the requirement rows of each day.
        open_days: per employee, ``[day]`` whether they may work some row that day.
        stretch_limits: per employee, (most days in a row, least days off between stretches).

    Returns:
        Σ over the chosen runs of the staff needed in the run less the most days the employees
        can work in it, chosen (weighted interval scheduling) to make the sum largest; at
        least the count day by day, and 0 with no employees' limits binding anywhere.
    """
    days = len(needed_per_day)
    most = np.zeros((days, RUN_DAYS), dtype=np.int64)
    for open_, (max_consecutive, min_days_off) in zip(open_days, stretch_limits, strict=True):
        most += _most_in_runs(np.asarray(open_, np.bool_), max_consecutive, min_days_off, RUN_DAYS)
    needed_before = np.concatenate([[0.0], np.cumsum(needed_per_day)])
    best = np.zeros(days + 1)  # [t] the most over runs within days 0..t-1
    for end in range(1, days + 1):
        lengths = np.arange(1, min(RUN_DAYS, end) + 1)
        starts = end - lengths
        short = needed_before[end] - needed_before[starts] - most[starts, lengths - 1]
        best[end] = max(best[end - 1], float((best[starts] + np.maximum(short, 0)).max()))
    return float(best[days])


@numba.njit(cache=True)
def _most_in_runs(
    open_days: np.ndarray, max_consecutive: int, min_days_off: int, longest: int
) -> np.ndarray:
    """``[d, k]`` the most days of days d..d + k that can be worked when only the
    ``open_days`` may be, under the stretch limits, from any stretch before day d (a run's
    first and last stretches may go on outside it); 0 past the horizon's end. States as in
    ``pricing._most_shifts_from``: worked 1..max_consecutive days in a row, or off
    1..min_days_off or more days; a stretch longer than the run never binds."""
    days = open_days.shape[0]
    limit = min(max_consecutive, longest + 1)
    rest = max(min_days_off, 1)
    stretches = limit + rest
    most = np.zeros((days, longest), dtype=np.int64)
    for first in range(days):
        worked = np.zeros(stretches, dtype=np.int64)  # [stretch] most worked so far; -1 none
        for k in range(min(longest, days - first)):
            after = np.full(stretches, -1, dtype=np.int64)
            for s in range(stretches):
                if worked[s] < 0:
                    continue
                off = min(max(s + 1, limit), stretches - 1)
                after[off] = max(after[off], worked[s])
                rested = s >= limit and s - limit + 1 >= rest
                if open_days[first + k] and (s + 1 < limit or rested):
                    on = s + 1 if s + 1 < limit else 0
                    after[on] = max(after[on], worked[s] + 1)
            worked = after
            most[first, k] = worked.max()
    return most
