"""Each outlet's months against the threshold: below, above, missing or closed, and streaks.

An outlet's history runs from its first counted month to the last month of the file: months
before it opened are neither missing nor below. Within that span a month without a count is
missing and a count of 0 is a closed month (when ``zero_is_closed``); both are reported, and
a missing or closed month ends a streak unless ``missing_breaks_streak`` is off, when it is
skipped (the streak neither grows nor ends).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from optimizer.review.settings import ReviewSettings

BELOW, ABOVE, MISSING, CLOSED, NOT_OPEN = "below", "above", "missing", "closed", "not_open"


@dataclass(frozen=True)
class OutletMonths:
    """The month-by-month reading of one outlet.

    Attributes:
        states: one of ``below``, ``above``, ``missing``, ``closed``, ``not_open`` per month.
        current_streak_months: consecutive months below ending at the last month.
        longest_streak_months: the longest such run anywhere in the history.
        streak_start: first month of the current streak (None when it is 0).
        missing_months: months without a count while open, ``YYYY-MM``.
        closed_months: months counted 0 (with ``zero_is_closed``), ``YYYY-MM``.
    """

    states: tuple[str, ...]
    current_streak_months: int
    longest_streak_months: int
    streak_start: str | None
    missing_months: tuple[str, ...]
    closed_months: tuple[str, ...]


def monthly_thresholds(volumes: pd.DataFrame, settings: ReviewSettings) -> np.ndarray:
    """The threshold of each month (counts): the absolute one, or the share of that month's
    median over the outlets counted (and, with ``zero_is_closed``, open) that month."""
    if settings.threshold_volume is not None:
        return np.full(len(volumes), float(settings.threshold_volume))
    counted = volumes.to_numpy(dtype=float).copy()
    if settings.zero_is_closed:
        counted[counted == 0] = np.nan
    medians = np.full(len(volumes), np.nan)
    some = np.isfinite(counted).any(axis=1)
    medians[some] = np.nanmedian(counted[some], axis=1)
    assert settings.threshold_share_of_median is not None
    return settings.threshold_share_of_median * medians


def month_states(volume: np.ndarray, thresholds: np.ndarray, *, zero_is_closed: bool) -> list[str]:
    """State of each month of one outlet (see the module docstring)."""
    counted = np.flatnonzero(np.isfinite(volume) & ~((volume == 0) & zero_is_closed))
    opened = counted[0] if len(counted) else len(volume)
    states = []
    for month, value in enumerate(volume):
        if month < opened:
            states.append(NOT_OPEN)
        elif not np.isfinite(value):
            states.append(MISSING)
        elif value == 0 and zero_is_closed:
            states.append(CLOSED)
        else:
            states.append(BELOW if value < thresholds[month] else ABOVE)
    return states


def read_months(
    volume: np.ndarray, months: pd.PeriodIndex, thresholds: np.ndarray, settings: ReviewSettings
) -> OutletMonths:
    """One outlet's states, streaks and gaps.

    Args:
        volume: counts per month (NaN: no count), aligned with ``months``.
        months: the file's months.
        thresholds: each month's threshold (``monthly_thresholds``).
        settings: the review's settings.
    """
    states = month_states(volume, thresholds, zero_is_closed=settings.zero_is_closed)
    streak, longest, start = 0, 0, None
    for month, state in enumerate(states):
        if state == BELOW:
            start = month if streak == 0 else start
            streak += 1
        elif state == ABOVE or (state != NOT_OPEN and settings.missing_breaks_streak):
            streak = 0
        longest = max(longest, streak)
    labels = months.strftime("%Y-%m")
    return OutletMonths(
        states=tuple(states),
        current_streak_months=streak,
        longest_streak_months=longest,
        streak_start=str(labels[start]) if streak and start is not None else None,
        missing_months=tuple(str(labels[i]) for i, s in enumerate(states) if s == MISSING),
        closed_months=tuple(str(labels[i]) for i, s in enumerate(states) if s == CLOSED),
    )
