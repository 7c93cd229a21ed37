"""Calendar: public holidays, breaks around long holidays, peak seasons and events."""

from __future__ import annotations

import pandas as pd
import pytest

from optimizer.forecast import build_calendar


def tags_on(calendar, day: str) -> set[str]:
    row = calendar.tags.loc[pd.Timestamp(day)]
    return set(row[row > 0].index)


def test_new_zealand_holidays_include_waitangi_and_auckland_anniversary() -> None:
    calendar = build_calendar(country="NZ", subdivision="AUK", years=[2025])
    assert calendar.holidays[pd.Timestamp("2025-02-06")] == "Waitangi Day"
    assert calendar.holidays[pd.Timestamp("2025-01-27")] == "Auckland Anniversary Day"
    assert "Waitangi Day+0" in tags_on(calendar, "2025-02-06")
    # Thursday holiday: the Friday is a bridge day of the same break.
    assert "Waitangi Day+1" in tags_on(calendar, "2025-02-07")
    # A long break (Thu–Sun) also tags the days around it.
    assert "Waitangi Day-1" in tags_on(calendar, "2025-02-05")


def test_china_golden_week_is_one_break_with_its_surroundings() -> None:
    calendar = build_calendar(country="CN", years=[2016])
    for offset, day in enumerate(pd.date_range("2016-10-01", "2016-10-07")):
        assert f"National Day+{offset}" in tags_on(calendar, str(day.date()))
    assert calendar.is_holiday(pd.DatetimeIndex(["2016-10-07"])).all()  # substituted day off
    assert "National Day-3" in tags_on(calendar, "2016-09-28")
    assert not tags_on(calendar, "2016-09-23")


def test_recurring_peak_season_wraps_over_new_year_and_events_happen_once() -> None:
    calendar = build_calendar(
        country="NZ",
        years=[2024, 2025],
        peak_seasons={"summer": [("12-01", "02-28")]},
        events={"regatta": [("2025-03-10", "2025-03-12")]},
    )
    days = pd.DatetimeIndex(["2024-01-15", "2024-06-15", "2024-12-01", "2025-02-28"])
    assert calendar.in_season(days, "summer").tolist() == [True, False, True, True]
    assert calendar.season_names == ["summer"]
    assert calendar.tags["event:regatta"].sum() == 3


def test_dates_outside_the_calendar_are_refused() -> None:
    calendar = build_calendar(country="NZ", years=[2025])
    with pytest.raises(ValueError, match="covers 2025-01-01 to 2025-12-31"):
        calendar.features(pd.DatetimeIndex(["2026-01-01"]))
