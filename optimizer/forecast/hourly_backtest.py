"""Hourly scores of a backtest on hourly history: the daily forecasts split into hours by
the hourly profiles of the history before each origin (``model.hourly_profiles``), against
the count of the same hour a week before (168 hours).

Scores per site: MAE (counts per hour), MASE (MAE over the mean ``|y_t - y_{t-168}|`` of the
hours before the test window, missing pairs skipped) and the same for the naive forecast,
and ``n_hours`` scored.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from optimizer.forecast.calendar import Calendar
from optimizer.forecast.history import History
from optimizer.forecast.model import hourly_profiles, split_into_hours, stack_sites

WEEK_LAG_HOURS = 168


def hourly_scores(
    history: History,
    calendar: Calendar,
    daily_pieces: list[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]],
    *,
    day_start_hour: int,
    profile_weeks: int,
) -> pd.DataFrame:
    """Scores of the hours of the days forecast in ``daily_pieces`` (per origin, in order, the
    point, lower and upper date × site forecasts; each origin's profiles use the hours before
    its first day), indexed by site with columns ``mae``, ``mase``, ``naive_mae``, ``naive_mase``,
    ``n_hours``."""
    counts = history.counts
    first_hours = [piece[0].index[0] + pd.Timedelta(hours=day_start_hour) for piece in daily_pieces]
    hours = []
    for piece, first_hour in zip(daily_pieces, first_hours, strict=True):
        before = replace(history, counts=counts[counts["time"] < first_hour])
        shares = hourly_profiles(
            before, calendar, day_start_hour=day_start_hour, weeks=profile_weeks
        )
        daily = stack_sites(*piece, "date")
        hours.append(split_into_hours(daily, shares, calendar, day_start_hour=day_start_hour))
    point = pd.concat(hours).pivot(index="time", columns="site", values="point")
    observed = counts.pivot(index="time", columns="site", values="count")
    span = pd.date_range(observed.index.min(), point.index.max(), freq="h")
    observed = observed.reindex(span)
    test_hours = point.index
    actual = observed.reindex(test_hours)[point.columns]
    naive = observed.shift(WEEK_LAG_HOURS).reindex(test_hours)[point.columns]
    before = observed.loc[: first_hours[0] - pd.Timedelta(hours=1), point.columns]
    scale = (before - before.shift(WEEK_LAG_HOURS)).abs().mean()
    mae = (actual - point).abs().mean()
    naive_mae = (actual - naive).abs().mean()
    return pd.DataFrame(
        {
            "mae": mae,
            "mase": mae / scale,
            "naive_mae": naive_mae,
            "naive_mase": naive_mae / scale,
            "n_hours": (actual.notna() & point.notna()).sum(),
        }
    ).rename_axis("site")
