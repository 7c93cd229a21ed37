"""Banded pricing programs pace their bands' pro-rata paths by the demand on the rows the
employee may staff: where demand grows through the horizon (Curtois–Qu Instance24's year,
from ../shared/data) the bands hold more work where more is needed and every employee still
has a roster within them; where demand is nearly even (Instance19) the weekend bands are the
calendar's, day for day."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns
from optimizer.roster.master import Master
from optimizer.roster.pricing import EmployeeRules
from optimizer.roster.problem import RosterProblem

SETS = "benchmarks/shift-scheduling/curtois-qu-instances17_24"


def _demand_by_hand(problem: RosterProblem, e: int) -> np.ndarray:
    """``[day]`` staff needed on the rows employee ``e`` may staff: available that day, and
    not barred from the shift type (a type limit of 0)."""
    employee = problem.employees[e]
    demand = np.zeros(problem.horizon_days)
    for row in problem.requirements:
        if row.day not in employee.unavailable and employee.max_shifts.get(row.shift_id, 1):
            demand[problem.day_index(row.day)] += row.staff_needed
    return demand


def _calendar(rules: EmployeeRules) -> EmployeeRules:
    """The same rules with their bands on the calendar's path (no demand to pace them)."""
    return replace(rules, demand=None)


def _never_fall(low: np.ndarray, period_last: np.ndarray) -> bool:
    """Whether a band's lowest values rise or stay within each contract period."""
    ends = np.flatnonzero(period_last)
    starts = np.concatenate([[0], ends[:-1] + 1])
    return all((np.diff(low[a:b]) >= 0).all() for a, b in zip(starts, ends, strict=True))


def test_instance24_bands_hold_more_work_where_its_demand_grows(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Instance24's demand grows through its year (its last quarter needs more staff than its
    first, counted here from the requirements). For each of its first 20 employees: the
    program's demand is the staff needed on the rows the employee may staff (recomputed
    here), its minutes and weekend bands never fall, and at prices where every row is
    short it finds a roster within its paced bands as they are (none has to widen). At
    mid-year most paced minutes bands are lower than the calendar's, and the rosters priced
    work more minutes and more weekend days in the last quarter than with the bands on the
    calendar's path."""
    problem = read_curtois(shared_data / SETS / "Instance24.txt")
    quarter, middle = problem.horizon_days // 4, problem.horizon_days // 2
    needed = np.zeros(problem.horizon_days)
    for row in problem.requirements:
        needed[problem.day_index(row.day)] += row.staff_needed
    assert needed[-quarter:].sum() > 1.3 * needed[:quarter].sum()
    master = Master(problem, curtois_settings(), time.perf_counter() + 60)
    pricing = columns.person_pricing(problem, curtois_settings(), master, None)[:20]
    widened = []
    monkeypatch.setattr(columns._Pricing, "_widen", lambda person: widened.append(person))
    every_row_short = master.prices(master.under)
    open_days = np.ones(problem.horizon_days, dtype=bool)
    late = {"paced": np.zeros(2), "calendar": np.zeros(2)}  # minutes units, weekend days
    lower = 0
    for e, person in enumerate(pricing):
        rules = person.loose
        assert np.array_equal(rules.demand, _demand_by_hand(problem, e))
        assert rules.minutes_band is not None
        paced, calendar = rules.band_low(open_days), _calendar(rules).band_low(open_days)
        assert _never_fall(paced, rules.period_last)
        assert (np.diff(rules.weekend_low(open_days)) >= 0).all()
        lower += int(paced[middle] < calendar[middle])
        for pace in ("paced", "calendar"):
            if pace == "calendar":
                person.loose, person.rules = _calendar(person.loose), _calendar(person.rules)
            found = person.price(every_row_short, certain=True)
            assert found is not None
            types = person._types_worked(found[0])[-quarter:]
            worked = types >= 0
            late[pace] += (rules.units[types[worked]].sum(), rules.weekend[-quarter:][worked].sum())
    assert widened == []
    assert lower >= 2 * len(pricing) // 3
    assert (late["paced"] > late["calendar"]).all()


def test_nearly_even_demand_keeps_the_calendar_weekend_bands(shared_data: Path) -> None:
    """Instance19's demand differs little through its 12 weeks: every banded weekend band
    of its programs is the calendar path's on every day, its rounding included."""
    problem = read_curtois(shared_data / SETS / "Instance19.txt")
    settings = curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 60)
    open_days = np.ones(problem.horizon_days, dtype=bool)
    banded = 0
    for person in columns.person_pricing(problem, settings, master, None):
        for rules in (person.loose, person.rules):
            if rules.weekend_band is None:
                continue
            banded += 1
            paced, calendar = rules.weekend_low(open_days), _calendar(rules).weekend_low(open_days)
            assert np.array_equal(paced, calendar)
    assert banded >= 10
