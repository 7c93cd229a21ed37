"""Rolling-origin backtest of the forecast against seasonal-naive baselines.

The last ``weeks`` weeks of the history are the test window. From each origin (every
``step_days`` days) the model is refitted on everything before the origin and forecasts the
next ``step_days`` days. Scores per site:

- MAE (counts per day) and MASE: MAE divided by the in-sample mean ``|y_t - y_{t-7}|`` over
  the history before the test window (missing pairs skipped);
- the same for the seasonal-naive forecast ``y_{t-7}`` (same weekday last week) and for the
  yearly naive ``y_{t-364}`` (same weekday last year);
- interval coverage: the share of test days whose count lies inside the prediction interval.

For hourly history the hours are scored too (``hourly_backtest``): the daily forecasts split
into hours against the same hour last week.

Missing actuals or forecasts are left out of each score, so ``n_days`` may differ between sites.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimizer.forecast.calendar import Calendar, DateLike
from optimizer.forecast.history import History
from optimizer.forecast.hourly_backtest import hourly_scores
from optimizer.forecast.model import ModelOptions, forecast_matrix

_WEEK_LAG_DAYS = 7
_YEAR_LAG_DAYS = 364


@dataclass(frozen=True)
class BacktestResult:
    """Scores and predictions of a backtest.

    ``scores`` has one row per site: ``mae``, ``mase``, ``naive_mae``, ``naive_mase``
    (same weekday last week), ``naive_year_mase`` (same weekday last year), ``coverage``
    (0–1) and ``n_days``. ``predictions`` has one row per site × test day: ``actual``,
    ``point``, ``lower``, ``upper``, ``naive`` (counts per day).
    """

    scores: pd.DataFrame
    predictions: pd.DataFrame
    interval_level: float
    hourly_scores: pd.DataFrame | None = None
    """For hourly history, the hours' scores (``hourly_backtest.hourly_scores``): the daily
    forecasts split into hours, against the same hour last week."""

    @property
    def hourly_mase_ratio(self) -> float | None:
        """Mean hourly MASE of the model over the same-hour-last-week forecast's, across
        sites; ``None`` without hourly scores."""
        if self.hourly_scores is None:
            return None
        return float(self.hourly_scores["mase"].mean() / self.hourly_scores["naive_mase"].mean())

    @property
    def mean_mase(self) -> float:
        """Mean MASE of the model across sites."""
        return float(self.scores["mase"].mean())

    @property
    def mean_naive_mase(self) -> float:
        """Mean MASE of the same-weekday-last-week forecast across sites."""
        return float(self.scores["naive_mase"].mean())

    @property
    def mean_naive_year_mase(self) -> float:
        """Mean MASE of the same-weekday-last-year forecast across sites."""
        return float(self.scores["naive_year_mase"].mean())


def backtest(
    history: History,
    calendar: Calendar,
    *,
    weeks: int = 8,
    step_days: int = 7,
    options: ModelOptions | None = None,
    day_start_hour: int = 0,
    end: DateLike | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation over the last ``weeks`` weeks of the history.

    Args:
        history: daily or hourly counts (hourly counts are summed into days).
        calendar: must cover the history.
        weeks: length of the test window in weeks.
        step_days: days between origins, and days forecast from each origin.
        options: model settings.
        day_start_hour: hour a counting day starts, for hourly history.
        end: last day of the history to use (later days are ignored).

    Returns:
        The :class:`BacktestResult`.
    """
    options = options or ModelOptions()
    counts = history.daily_matrix(day_start_hour=day_start_hour)
    if end is not None:
        counts = counts.loc[: pd.Timestamp(end)]
    test_days = counts.index[-weeks * 7 :]
    pieces = [
        forecast_matrix(
            counts.loc[: origin - pd.Timedelta(days=1)],
            calendar,
            horizon_days=min(step_days, int((test_days[-1] - origin).days) + 1),
            options=options,
        )
        for origin in test_days[::step_days]
    ]
    point, lower, upper = (pd.concat([piece[i] for piece in pieces]) for i in range(3))
    actual = counts.loc[test_days]
    naive_week = counts.shift(_WEEK_LAG_DAYS).loc[test_days]
    naive_year = counts.shift(_YEAR_LAG_DAYS).loc[test_days]
    before = counts.loc[: test_days[0] - pd.Timedelta(days=1)]
    scale = (before - before.shift(_WEEK_LAG_DAYS)).abs().mean()
    inside = (actual >= lower) & (actual <= upper)
    scores = pd.DataFrame(
        {
            "mae": _mae(actual, point),
            "mase": _mae(actual, point) / scale,
            "naive_mae": _mae(actual, naive_week),
            "naive_mase": _mae(actual, naive_week) / scale,
            "naive_year_mase": _mae(actual, naive_year) / scale,
            "coverage": inside.where(actual.notna()).mean(),
            "n_days": actual.notna().sum(),
        }
    ).rename_axis("site")
    predictions = pd.concat(
        {
            "actual": actual.stack(future_stack=True),
            "point": point.stack(future_stack=True),
            "lower": lower.stack(future_stack=True),
            "upper": upper.stack(future_stack=True),
            "naive": naive_week.stack(future_stack=True),
        },
        axis=1,
    ).rename_axis(["date", "site"])
    hourly = None
    if history.frequency == "hourly":
        hourly = hourly_scores(
            history,
            calendar,
            pieces,
            day_start_hour=day_start_hour,
            profile_weeks=options.profile_weeks,
        ).dropna(subset=["mase"])
    return BacktestResult(
        scores=scores.dropna(subset=["mase"]),
        predictions=predictions.reset_index().sort_values(["site", "date"], ignore_index=True),
        interval_level=options.interval_level,
        hourly_scores=hourly,
    )


def _mae(actual: pd.DataFrame, forecast: pd.DataFrame) -> pd.Series:
    """Mean absolute error per site over days where both are known."""
    return (actual - forecast).abs().mean()
