"""Forecast model: holidays learned, hourly profiles reconciled with daily totals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.forecast import build_calendar, fit_forecast, load_history
from optimizer.forecast.history import history_from_frame

WEEKDAY_LEVEL = np.array([100, 105, 110, 110, 120, 90, 60], dtype=float)


def synthetic_daily(days: pd.DatetimeIndex, holiday_factor: float) -> pd.DataFrame:
    """Weekly cycle with noise; New Zealand public holidays scaled by ``holiday_factor``."""
    rng = np.random.default_rng(7)
    calendar = build_calendar(country="NZ", years=range(days[0].year, days[-1].year + 1))
    counts = WEEKDAY_LEVEL[days.day_of_week] * rng.lognormal(0, 0.05, len(days))
    counts[calendar.is_holiday(days)] *= holiday_factor
    return pd.DataFrame({"site": "S", "date": days, "count": np.round(counts)})


def test_a_holiday_in_history_is_learned_for_next_year() -> None:
    days = pd.date_range("2022-01-01", "2024-12-31")
    frame = synthetic_daily(days, holiday_factor=0.5)
    history = history_from_frame(
        frame,
        path="synthetic",
        site_column="site",
        time_column="date",
        count_column="count",
    )
    calendar = build_calendar(country="NZ", years=range(2022, 2026))
    forecast = fit_forecast(history, calendar, horizon_days=60).daily.set_index("date")
    waitangi, week_later = forecast.loc["2025-02-06", "point"], forecast.loc["2025-02-13", "point"]
    assert waitangi < 0.7 * week_later  # history: holidays at half a normal day
    assert (forecast["lower"] <= forecast["point"]).all()
    assert (forecast["point"] <= forecast["upper"]).all()


def test_forecast_is_deterministic() -> None:
    frame = synthetic_daily(pd.date_range("2023-01-01", "2024-06-30"), holiday_factor=0.6)
    history = history_from_frame(
        frame,
        path="synthetic",
        site_column="site",
        time_column="date",
        count_column="count",
    )
    calendar = build_calendar(country="NZ", years=range(2023, 2025))
    first = fit_forecast(history, calendar, horizon_days=14).daily
    second = fit_forecast(history, calendar, horizon_days=14).daily
    pd.testing.assert_frame_equal(first, second)


def test_hourly_forecast_adds_up_to_the_daily_forecast(tmp_path: Path) -> None:
    hours = pd.date_range("2024-01-01 06:00", "2024-06-30 05:00", freq="h")
    daily_level = WEEKDAY_LEVEL[(hours - pd.Timedelta(hours=6)).day_of_week]
    shape = np.exp(-(((hours.hour - 13) % 24) ** 2) / 18.0)
    frame = pd.DataFrame({"site": "S", "time": hours, "count": np.round(daily_level * shape)})
    path = tmp_path / "hourly.csv"
    frame.to_csv(path, index=False)
    history = load_history(path, site_column="site", time_column="time", count_column="count")
    calendar = build_calendar(country="NZ", years=[2024])
    forecast = fit_forecast(history, calendar, horizon_days=7, day_start_hour=6)
    assert forecast.hourly is not None
    totals = forecast.hourly.groupby(["site", "date"])["point"].sum()
    daily = forecast.daily.set_index(["site", "date"])["point"]
    np.testing.assert_allclose(totals.to_numpy(), daily.reindex(totals.index).to_numpy())
    assert forecast.hourly["time"].min() == pd.Timestamp("2024-06-30 06:00")
    peak_hour = forecast.hourly.loc[forecast.hourly["point"].idxmax(), "time"].hour
    assert peak_hour == 13
