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

import numpy as np

from optimizer.roster.kernels import BOOLS, INT, kernel
from optimizer.roster.pricing import _most_shifts_from

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


@kernel(BOOLS, INT, INT, INT)
def _most_in_runs(
    open_days: np.ndarray, max_consecutive: int, min_days_off: int, longest: int
) -> np.ndarray:
    """``[d, k]`` the most days of days d..d + k that can be worked when only the
    ``open_days`` may be, under the stretch limits, from any stretch before day d (a run's
    first and last stretches may go on outside it); 0 past the horizon's end. Each run is
    ``pricing._most_shifts_from`` read backwards (the limits read the same both ways, as
    ``pricing._most_shifts`` uses): the most from its day ``len - 1 - k`` to its end,
    reversed, is the most over its first k + 1 days. A stretch longer than the run never
    binds, so the limit is capped there."""
    days = open_days.shape[0]
    limit, rest = min(max_consecutive, longest + 1), max(min_days_off, 1)
    most = np.zeros((days, longest), dtype=np.int64)
    for first in range(days):
        run = open_days[first : first + longest][::-1].copy()
        from_day = _most_shifts_from(run, limit, rest)
        for k in range(run.shape[0]):
            most[first, k] = from_day[run.shape[0] - 1 - k].max()
    return most
