"""Staff requirements: Erlang C against textbook values, monotonicity, reserve targets."""

from __future__ import annotations

from fractions import Fraction
from math import factorial

import numpy as np
import pandas as pd
import pytest

from optimizer.forecast import build_calendar
from optimizer.forecast.model import Forecast
from optimizer.staffing import erlang_c_staff, ratio_staff, staff_requirements
from optimizer.staffing.requirements import (
    erlang_b,
    erlang_c_service_level,
    erlang_c_wait_probability,
)


def textbook_erlang_c(agents: int, load: int) -> float:
    """C(N, A) from the closed form with factorials, in exact rational arithmetic."""
    top = Fraction(load**agents, factorial(agents)) * Fraction(agents, agents - load)
    bottom = sum(Fraction(load**k, factorial(k)) for k in range(agents)) + top
    return float(top / bottom)


@pytest.mark.parametrize(("agents", "load"), [(11, 10), (13, 10), (14, 10), (3, 2), (60, 50)])
def test_wait_probability_matches_the_closed_form(agents: int, load: int) -> None:
    assert erlang_c_wait_probability(agents, load) == pytest.approx(
        textbook_erlang_c(agents, load), rel=1e-9
    )


@pytest.mark.parametrize(("agents", "load"), [(0, 3), (1, 1), (5, 40), (12, 10), (30, 200)])
def test_erlang_b_matches_the_closed_form_also_below_the_load(agents: int, load: int) -> None:
    """B(N, A) = (A^N / N!) / sum_k<=N A^k / k!, in exact rational arithmetic; N below A is
    where the queue is unstable but blocking is still well defined."""
    terms = [Fraction(load**k, factorial(k)) for k in range(agents + 1)]
    assert erlang_b(agents, load) == pytest.approx(float(terms[-1] / sum(terms)), rel=1e-9)


def test_textbook_call_centre_example() -> None:
    # 100 calls per half hour, 3-minute handling, 80 % answered within 20 seconds:
    # 10 erlangs; 13 agents reach 79.6 %, 14 agents 88.8 % (P(wait) 17.4 %) -> 14 agents.
    within = 20 / 60
    levels = erlang_c_service_level(
        [13, 14], arrivals_per_hour=200, handling_minutes=3, answer_within_minutes=within
    )
    np.testing.assert_allclose(levels, [0.7956, 0.8884], atol=5e-4)
    assert erlang_c_wait_probability(14, 10) == pytest.approx(0.1741, abs=5e-4)
    staff = erlang_c_staff(200, handling_minutes=3, service_level=0.8, answer_within_minutes=within)
    assert int(staff) == 14


def test_erlang_c_is_stable_for_large_loads() -> None:
    staff = erlang_c_staff([60_000.0], handling_minutes=5, service_level=0.8)  # 5,000 erlangs
    assert 5_000 < staff[0] < 5_100
    level = erlang_c_service_level(staff, arrivals_per_hour=60_000, handling_minutes=5)
    below = erlang_c_service_level(staff - 1, arrivals_per_hour=60_000, handling_minutes=5)
    assert level[0] >= 0.8 > below[0]


def test_staff_needed_is_monotone_in_demand() -> None:
    arrivals = np.linspace(0, 3_000, 301)
    erlang = erlang_c_staff(arrivals, handling_minutes=12, service_level=0.8)
    ratio = ratio_staff(arrivals, arrivals_per_staff_hour=6)
    assert erlang[0] == 0 and ratio[0] == 0
    assert (np.diff(erlang) >= 0).all() and (np.diff(ratio) >= 0).all()
    assert ratio[-1] == 500


def daily_forecast(points: list[float], uppers: list[float]) -> Forecast:
    dates = pd.to_datetime(["2025-06-15", "2025-08-15", "2025-11-15"])
    calendar = build_calendar(
        country="CN", years=[2025], peak_seasons={"summer": [("07-01", "10-31")]}
    )
    frames = [
        pd.DataFrame(
            {"site": site, "date": dates, "point": points, "lower": points, "upper": uppers}
        )
        for site in ("valley", "town")
    ]
    return Forecast(
        daily=pd.concat(frames, ignore_index=True),
        hourly=None,
        interval_level=0.8,
        calendar=calendar,
    )


def test_scenic_reserve_is_200_percent_in_peak_season_and_zero_outside() -> None:
    forecast = daily_forecast([600, 600, 600], [600, 600, 600])
    table = staff_requirements(
        forecast, method="ratio", arrivals_per_staff_hour=6, site_classes={"valley": "scenic"}
    ).set_index(["site", "slot"])
    valley, town = table.loc["valley"], table.loc["town"]
    assert (valley["staff_needed"] == 10).all()  # 600 a day over 10 open hours, 6 per staff hour
    assert valley["reserve_needed"].tolist() == [0, 20, 0]
    assert town["reserve_needed"].tolist() == [0, 0, 0]


def test_upper_interval_option_raises_the_reserve_where_demand_is_uncertain() -> None:
    forecast = daily_forecast([600, 600, 600], [1_200, 600, 3_000])
    common = {"site_classes": {"valley": "scenic"}, "handling_minutes": 15.0}
    plain = staff_requirements(forecast, **common).set_index(["site", "slot"])
    raised = staff_requirements(forecast, **common, reserve_covers_upper=True)
    raised = raised.set_index(["site", "slot"])
    assert (raised["reserve_needed"] >= plain["reserve_needed"]).all()
    town = raised.loc["town"]
    upper_staff = erlang_c_staff(
        town["arrivals_upper"] / 10, handling_minutes=15, service_level=0.8
    )
    np.testing.assert_array_equal(town["staff_needed"] + town["reserve_needed"], upper_staff)
    assert town["reserve_needed"].iloc[1] == 0  # no uncertainty, no reserve
    assert town["reserve_needed"].iloc[2] > town["reserve_needed"].iloc[0] > 0


def test_skills_split_arrivals_and_keep_their_own_handling_times() -> None:
    forecast = daily_forecast([600, 600, 600], [600, 600, 600])
    table = staff_requirements(
        forecast,
        skill_shares={"general": 0.75, "multilingual": 0.25},
        handling_minutes={"general": 10.0, "multilingual": 20.0},
    )
    assert set(table["skill"]) == {"general", "multilingual"}
    per_skill = table.groupby("skill")["arrivals"].sum()
    assert per_skill["general"] == pytest.approx(3 * per_skill["multilingual"])
