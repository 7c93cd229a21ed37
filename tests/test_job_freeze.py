"""Frozen days (``RosterSettings.frozen_days``) keep the previous roster exactly: a hard rule,
whatever the goals would rather do."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from optimizer.roster.engine import solve_roster
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftType
from optimizer.roster.settings import RosterSettings
from optimizer.solve import SolverLimits

START = date(2026, 1, 5)
DAY = ShiftType("day", 480, start_minutes=8 * 60)


def _problem(staff: list[int]) -> RosterProblem:
    return RosterProblem(
        start_date=START,
        horizon_days=len(staff),
        shift_types=(DAY,),
        employees=tuple(Employee(f"E{n}") for n in range(1, 4)),
        requirements=tuple(
            Requirement("A", START + timedelta(days=d), "day", "g", staff_needed=need)
            for d, need in enumerate(staff)
        ),
    )


def _previous(duties: list[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "employee": employee,
                "date": START + timedelta(days=d),
                "shift": "day",
                "site": "A",
                "skill": "g",
                "role": "work",
            }
            for employee, d in duties
        ]
    )


def _duties(problem: RosterProblem, settings: RosterSettings, previous: pd.DataFrame) -> set:
    roster, _ = solve_roster(
        problem, settings, SolverLimits(time_limit_seconds=10), previous=previous
    )
    return {(row.employee, (row.date - START).days) for row in roster.assignments.itertuples()}


def test_frozen_days_keep_every_published_duty_and_add_none() -> None:
    # Published: E1 on day 0, E2 and E3 on day 1. Demand now: 2 on day 0, none on day 1.
    previous = _previous([("E1", 0), ("E2", 1), ("E3", 1)])
    problem = _problem([2, 0, 1])
    settings = RosterSettings(stability_weight=0)
    free = _duties(problem, settings, previous)
    assert len([d for d in free if d[1] == 0]) == 2 and not [d for d in free if d[1] == 1]
    frozen = RosterSettings(
        stability_weight=0, frozen_days=frozenset({START, START + timedelta(1)})
    )
    kept = _duties(problem, frozen, previous)
    assert {d for d in kept if d[1] < 2} == {("E1", 0), ("E2", 1), ("E3", 1)}
    assert len([d for d in kept if d[1] == 2]) == 1  # the day after the freeze is planned


def test_a_frozen_duty_that_cannot_be_kept_makes_the_roster_infeasible() -> None:
    import pytest

    from optimizer.errors import InfeasibleError

    previous = _previous([("E9", 0)])  # no such employee any more
    settings = RosterSettings(frozen_days=frozenset({START}))
    with pytest.raises(InfeasibleError):
        solve_roster(
            _problem([1, 1]), settings, SolverLimits(time_limit_seconds=5), previous=previous
        )
