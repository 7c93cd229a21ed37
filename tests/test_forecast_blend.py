"""The forecast's blend with the seasonal-naive forecasts: weights from a validation backtest,
the regression alone on public holidays, and better than the regression alone on the bundled
Auckland counts over many eight-week windows, not one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.forecast import ModelOptions, backtest, build_calendar
from optimizer.forecast.blend import choose_weights
from optimizer.forecast.history import History, history_from_frame
from optimizer.forecast.model import forecast_matrix
from optimizer.forecast.monthly import forecast_months

from .conftest import REPO_ROOT

AUCKLAND = REPO_ROOT / "geodata" / "auckland" / "pedestrians_daily.csv"
AFTER_LOCKDOWNS = [("2019-01-01", "2022-12-31")]
WEEKDAY_LEVEL = np.array([100, 105, 110, 110, 120, 90, 60], dtype=float)


@pytest.fixture(scope="module")
def auckland_four() -> pd.DataFrame:
    """Daily counts (date × site) of the first four bundled Auckland sites."""
    table = pd.read_csv(AUCKLAND, parse_dates=["date"])
    first = sorted(table["site"].unique())[:4]
    return table[table["site"].isin(first)].pivot(index="date", columns="site", values="count")


def daily_history(counts: pd.DataFrame) -> History:
    """A date × site matrix of Auckland counts as the History the forecast reads."""
    frame = counts.stack().rename("count").reset_index()
    return history_from_frame(
        frame, path=AUCKLAND, site_column="site", time_column="date", count_column="count"
    )


def test_weights_add_up_to_one_and_a_level_shift_goes_to_last_week() -> None:
    """A weekly cycle whose level doubles five weeks before the end: last week's counts
    know the new level, a year of regression does not yet."""
    days = pd.date_range("2023-01-01", "2024-06-30")
    rng = np.random.default_rng(3)
    counts = WEEKDAY_LEVEL[days.day_of_week] * rng.lognormal(0, 0.03, len(days))
    counts[-35:] *= 2
    log_counts = np.log1p(counts)[:, None]

    def regression(cut: int, days_ahead: int) -> np.ndarray:
        weekly = np.array([log_counts[cut - 7 * w : cut - 7 * w + 7, 0] for w in range(1, 53)])
        typical = np.nanmean(weekly, axis=0)  # the mean week of the year before the origin
        return typical[np.arange(days_ahead) % 7][:, None]

    weights = choose_weights(log_counts, np.zeros(len(days) + 7, bool), regression, 7, 8)
    assert weights.shape == (3, 1)
    assert weights.sum() == pytest.approx(1.0)
    assert (weights >= 0).all()
    regression_weight, week_weight, year_weight = weights[:, 0]
    assert week_weight > 0.5
    assert week_weight > 2 * max(regression_weight, year_weight)


def test_no_validation_day_leaves_the_regression_alone() -> None:
    log_counts = np.log1p(np.full((20, 2), 50.0))
    weights = choose_weights(
        log_counts, np.zeros(48, bool), lambda cut, days: np.zeros((days, 2)), 28, 8
    )
    np.testing.assert_array_equal(weights, [[1, 1], [0, 0], [0, 0]])


def test_public_holidays_get_the_regression_alone(auckland_four: pd.DataFrame) -> None:
    """Christmas Day and Boxing Day 2025 forecast from 2025-12-20: the same with and without
    the blend; ordinary days differ."""
    calendar = build_calendar(country="NZ", subdivision="AUK", years=range(2019, 2027))
    history = auckland_four.loc[:"2025-12-20"]
    blended, regression = (
        forecast_matrix(
            history,
            calendar,
            horizon_days=14,
            options=ModelOptions(exclude_periods=AFTER_LOCKDOWNS, validation_weeks=weeks),
        )[0]
        for weeks in (8, 0)
    )
    holidays = ["2025-12-25", "2025-12-26"]
    pd.testing.assert_frame_equal(blended.loc[holidays], regression.loc[holidays])
    assert not np.allclose(blended.loc["2025-12-22"], regression.loc["2025-12-22"])


def test_the_blend_beats_the_regression_alone_over_many_windows(
    auckland_four: pd.DataFrame,
) -> None:
    """Eight-week backtests ending every half year of 2024–2025 (the fit after the lockdowns):
    the blend beats last week's counts in every window, and the regression alone on
    average and in its worst window."""
    history = daily_history(auckland_four)
    calendar = build_calendar(country="NZ", subdivision="AUK", years=range(2019, 2026))
    ratios = {}
    for weeks in (8, 0):
        options = ModelOptions(exclude_periods=AFTER_LOCKDOWNS, validation_weeks=weeks)
        ratios[weeks] = np.array(
            [
                (result := backtest(history, calendar, options=options, end=end)).mean_mase
                / result.mean_naive_mase
                for end in pd.date_range("2024-06-30", "2025-12-31", freq="2QE")
            ]
        )
    assert (ratios[8] < 1).all()
    assert ratios[8].mean() < ratios[0].mean()
    assert ratios[8].max() < ratios[0].max()


def test_monthly_volumes_blend_beats_last_year_at_every_origin() -> None:
    """The outlet review's monthly forecast on the bundled Chicago library visits, six
    months ahead from six origins in 2015–2022: the blend beats the same month last year at
    every origin, and the regression alone on average."""
    table = pd.read_csv(REPO_ROOT / "geodata" / "chicago" / "library_visitors_monthly.csv")
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    visits = table.pivot(index="month", columns="outlet", values="volume")
    visits = visits.reindex(pd.period_range(visits.index.min(), visits.index.max(), freq="M"))
    visits = visits.where(visits > 0)  # closures: no count
    ratios = {8: [], 0: []}
    origins = ["2015-01", "2016-07", "2017-07", "2018-07", "2019-01", "2022-01"]
    for origin in pd.PeriodIndex(origins, freq="M"):
        actual = visits.loc[origin : origin + 5].to_numpy()
        last_year = np.nanmean(np.abs(visits.shift(12).loc[origin : origin + 5] - actual))
        for months, found in ratios.items():
            point = forecast_months(
                visits.loc[: origin - 1], horizon_months=6, validation_months=months
            )[0]
            found.append(np.nanmean(np.abs(point.to_numpy() - actual)) / last_year)
    assert max(ratios[8]) < 1
    assert np.mean(ratios[8]) < np.mean(ratios[0])


@pytest.mark.parametrize("days", [120, 300, 550])
def test_a_short_history_beats_last_week(auckland_four: pd.DataFrame, days: int) -> None:
    """Fewer than two years of counts (no yearly terms then): the last eight weeks of 2025
    forecast from ``days`` days before them still beat last week's counts."""
    recent = auckland_four.loc[pd.Timestamp("2025-11-05") - pd.Timedelta(days=days - 1) :]
    history = daily_history(recent)
    calendar = build_calendar(country="NZ", subdivision="AUK", years=range(2024, 2026))
    result = backtest(history, calendar)
    assert result.mean_mase < 0.95 * result.mean_naive_mase


def test_a_year_of_months_gives_a_forecast_near_last_year() -> None:
    """Twelve counted months before each origin: the trend is shrunk with the yearly terms,
    so no branch's six-month forecast runs away (it did, to 16 times the same month last
    year's error, when the trend was fitted freely)."""
    table = pd.read_csv(REPO_ROOT / "geodata" / "chicago" / "library_visitors_monthly.csv")
    table["month"] = pd.PeriodIndex(table["month"], freq="M")
    visits = table.pivot(index="month", columns="outlet", values="volume")
    visits = visits.reindex(pd.period_range(visits.index.min(), visits.index.max(), freq="M"))
    visits = visits.where(visits > 0)
    for origin in pd.PeriodIndex(["2015-01", "2016-07", "2018-07", "2022-01"], freq="M"):
        actual = visits.loc[origin : origin + 5].to_numpy()
        last_year = np.nanmean(np.abs(visits.shift(12).loc[origin : origin + 5] - actual))
        point = forecast_months(visits.loc[origin - 12 : origin - 1], horizon_months=6)[0]
        assert np.nanmean(np.abs(point.to_numpy() - actual)) < 1.1 * last_year
