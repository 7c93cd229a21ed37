"""An independent checker of the roster's hard rules, written from the rules' wording (not
from the model's constraints), plus the Curtois–Qu objective; and tests that it catches
broken rosters. Other roster tests import ``hard_rule_violations`` and ``curtois_objective``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from optimizer.roster.problem import Employee, RosterProblem
from optimizer.roster.readers import (
    read_employees,
    read_requests,
    read_requirements,
    read_shared_employees,
    read_shift_types,
)
from optimizer.roster.settings import RosterSettings

DATA = Path(__file__).parent / "data" / "roster"
SYNTHETIC_START = date(2025, 1, 6)
#: A relative gap the first rosters of the tests' Curtois–Qu instances are within: a run given
#: it ends once it has taken the path a test checks (shares, notes, bounds), not later.
LOOSE_GAP = 0.5


def synthetic_problem(directory: Path = DATA) -> RosterProblem:
    """The two-site, two-week synthetic roster problem of ``tests/data/roster``."""
    requirements = read_requirements(directory / "requirements.csv")
    return RosterProblem(
        start_date=SYNTHETIC_START,
        horizon_days=14,
        shift_types=read_shift_types(directory / "shift_types.csv"),
        employees=read_employees(
            directory / "employees.csv", requests=read_requests(directory / "requests.csv")
        ),
        requirements=requirements,
        shared_employees=read_shared_employees(directory / "shared_employees.csv"),
    )


def lone_weekends_worked(problem: RosterProblem, rows: Sequence[int]) -> int:
    """How many Saturday–Sunday weekends the roster working ``rows`` (row per day, −1 off)
    works on one day only."""
    saturdays = [
        d
        for d in range(problem.horizon_days - 1)
        if (problem.start_date + timedelta(days=d)).weekday() == 5
    ]
    return sum((rows[d] >= 0) != (rows[d + 1] >= 0) for d in saturdays)


def _stretches(on_duty: list[bool]) -> list[tuple[int, int, bool]]:
    """(first day, length, on duty?) of each maximal stretch."""
    stretches, first = [], 0
    for d in range(1, len(on_duty) + 1):
        if d == len(on_duty) or on_duty[d] != on_duty[first]:
            stretches.append((first, d - first, on_duty[first]))
            first = d
    return stretches


def _strictest(values: list[int | None], *, keep: Callable[[list[int]], int] = min) -> int | None:
    """The strictest of a rule and an employee's own value (``None``: not set): the smallest
    cap (``keep=min``) or the longest minimum (``keep=max``); a scenario rule is a cap an
    employee row can only tighten."""
    given = [value for value in values if value is not None]
    return keep(given) if given else None


def _employee_violations(
    problem: RosterProblem, settings: RosterSettings, employee: Employee, duties: pd.DataFrame
) -> list[str]:
    who = f"employee {employee.employee_id}"
    days = problem.horizon_days
    index = {day: d for d, day in enumerate(problem.dates)}
    shifts = {shift.shift_id: shift for shift in problem.shift_types}
    problems = []
    per_day = Counter(index[day] for day in duties["date"])
    problems += [f"{who}: {n} duties on day {d}" for d, n in per_day.items() if n > 1]
    on_duty = [per_day[d] > 0 for d in range(days)]
    by_day = defaultdict(list)
    for row in duties.itertuples(index=False):
        by_day[index[row.date]].append(row)
    for row in duties.itertuples(index=False):
        if employee.sites and row.site not in employee.sites:
            problems.append(f"{who}: works at {row.site}")
        if employee.skills and row.skill not in employee.skills:
            problems.append(f"{who}: lacks skill {row.skill}")
        if row.date in employee.unavailable:
            problems.append(f"{who}: on duty on unavailable {row.date}")
        for following in by_day[index[row.date] + 1]:
            first, second = shifts[row.shift], shifts[following.shift]
            if second.shift_id in first.forbidden_next:
                problems.append(f"{who}: {second.shift_id} after {first.shift_id} on {row.date}")
            if first.start_minutes is not None and second.start_minutes is not None:
                rest = 24 * 60 + second.start_minutes - first.start_minutes - first.length_minutes
                if rest < settings.min_rest_minutes:
                    problems.append(f"{who}: {rest} minutes rest after {row.date}")
    for shift_id, count in Counter(duties["shift"]).items():
        if count > employee.max_shifts.get(shift_id, days):
            problems.append(f"{who}: {count} {shift_id} shifts")
    max_run = _strictest([employee.max_consecutive_days, settings.max_consecutive_days])
    min_run = _strictest([employee.min_consecutive_days, settings.min_consecutive_days], keep=max)
    min_off = _strictest(
        [employee.min_consecutive_days_off, settings.min_consecutive_days_off], keep=max
    )
    for first, length, working in _stretches(on_duty):
        interior = first > 0 and first + length < days
        if working and length > max_run:
            problems.append(f"{who}: {length} consecutive duty days from day {first}")
        if interior and working and length < min_run:
            problems.append(f"{who}: only {length} duty days from day {first}")
        if interior and not working and length < min_off:
            problems.append(f"{who}: only {length} days off from day {first}")
    limit = _strictest([employee.max_weekends, settings.max_weekends])
    weekends = {
        (problem.dates[d] - timedelta(days=problem.dates[d].weekday())).isoformat()
        for d in range(days)
        if on_duty[d] and problem.dates[d].weekday() >= 5
    }
    if limit is not None and len(weekends) > limit:
        problems.append(f"{who}: {len(weekends)} weekends worked")
    nights_by_week = Counter(
        row.date - timedelta(days=row.date.weekday())
        for row in duties.itertuples(index=False)
        if shifts[row.shift].night
    )
    night_limit = settings.max_night_shifts_per_week
    for monday, nights in sorted(nights_by_week.items()):
        if night_limit is not None and nights > night_limit:
            problems.append(f"{who}: {nights} night shifts in the week of {monday}")
    worked = duties[duties["role"] == "work"]
    minutes_by_day = Counter()
    for row in worked.itertuples(index=False):
        minutes_by_day[index[row.date]] += shifts[row.shift].length_minutes
    period = employee.contract_period_days
    for first in range(0, days, period):
        last = min(first + period, days)
        minutes = sum(minutes_by_day[d] for d in range(first, last))
        if minutes < employee.min_minutes * (last - first) // period:
            problems.append(f"{who}: {minutes} minutes from day {first}")
        if employee.max_minutes is not None and minutes > employee.max_minutes:
            problems.append(f"{who}: {minutes} minutes from day {first}")
    return problems


def hard_rule_violations(
    problem: RosterProblem, settings: RosterSettings, assignments: pd.DataFrame
) -> list[str]:
    """Every hard rule broken by ``assignments`` (columns of ``Roster.assignments``), in words;
    empty when the roster is valid."""
    problems = []
    own = assignments[assignments["partner"] == ""]
    for employee in problem.employees:
        duties = own[own["employee"] == employee.employee_id]
        problems += _employee_violations(problem, settings, employee, duties)
    lent = assignments[assignments["partner"] != ""]
    for shared in problem.shared_employees:
        duties = lent[lent["employee"] == shared.employee_id]
        if len(duties) > shared.max_days or duties["date"].duplicated().any():
            problems.append(f"shared {shared.employee_id}: lent {len(duties)} times")
        if not set(duties["date"]) <= shared.available:
            problems.append(f"shared {shared.employee_id}: lent when not available")
        if (duties["role"] != "lent").any() or not set(duties["site"]) <= set(shared.sites):
            problems.append(f"shared {shared.employee_id}: lent for the wrong duty")
    return problems


def curtois_objective(problem: RosterProblem, assignments: pd.DataFrame) -> int:
    """The Curtois–Qu objective of a roster: unmet on-requests, broken off-requests, and
    weighted under- and over-cover."""
    worked = set(
        zip(assignments["employee"], assignments["date"], assignments["shift"], strict=True)
    )
    total = 0
    for employee in problem.employees:
        for request in employee.requests:
            held = (employee.employee_id, request.day, request.shift_id) in worked
            total += request.weight * (held != request.wanted)
    counts: defaultdict[tuple[date, str], int] = defaultdict(int)
    for _, day, shift in worked:
        counts[(day, shift)] += 1
    for requirement in problem.requirements:
        n = counts[(requirement.day, requirement.shift_id)]
        total += requirement.under_weight * max(0, requirement.staff_needed - n)
        total += requirement.over_weight * max(0, n - requirement.staff_needed)
    return total


# --- the checker catches broken rosters ------------------------------------------------------


def _duty(employee: str, day: date, shift: str, *, site: str = "harbour") -> dict[str, object]:
    return {
        "employee": employee,
        "partner": "",
        "date": day,
        "shift": shift,
        "site": site,
        "skill": "general",
        "role": "work",
        "start": pd.NaT,
        "minutes": 480,
    }


def _day(k: int) -> date:
    return SYNTHETIC_START + timedelta(days=k)


def test_checker_flags_each_broken_rule() -> None:
    problem = synthetic_problem()
    employees = tuple(
        replace(employee, max_weekends=1) if employee.employee_id == "E3" else employee
        for employee in problem.employees
    )
    problem = replace(problem, employees=employees)
    broken = pd.DataFrame(
        [
            _duty("E1", _day(0), "late"),
            _duty("E1", _day(1), "early"),  # 9 h rest after a late
            _duty("E1", _day(1), "late"),  # two duties a day
            _duty("E2", _day(2), "early"),  # unavailable 2025-01-08
            _duty("E6", _day(0), "early"),  # museum-only employee at the harbour
            *(_duty("E3", _day(k), "early") for k in range(7)),  # 7 days in a row
            _duty("E3", _day(12), "early"),  # a second weekend
            _duty("E7", _day(2), "early"),  # a one-day stretch (minimum 2)
        ]
    )
    found = "\n".join(hard_rule_violations(problem, RosterSettings(), broken))
    for expected in (
        "rest",
        "2 duties",
        "unavailable",
        "works at harbour",
        "7 consecutive",
        "only 1 duty days",
        "weekends",
        "minutes",
    ):
        assert expected in found
