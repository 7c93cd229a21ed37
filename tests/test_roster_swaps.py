"""Pair swaps (``roster.swaps``): two employees exchange duties on one block of days, or on two
apart, only when that lowers their request cost and keeps both employees' rules; every row's
cover stays as it was. Checked on small problems whose best swap is known, and on Curtois–Qu
Instance17 (tests/data/roster) against the independent checker and objective."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns, descent
from optimizer.roster.master import Master
from optimizer.roster.plan import roster_tables
from optimizer.roster.problem import (
    Employee,
    Requirement,
    RosterProblem,
    ShiftRequest,
    ShiftType,
)
from optimizer.roster.settings import RosterSettings
from optimizer.roster.swaps import PairSwaps
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations

START = date(2026, 1, 5)  # a Monday
DAYS = 14
SHIFT_MINUTES = 480


def _two_employees(
    a_days: range, b_days: range, request_day: int, **own: object
) -> tuple[RosterProblem, np.ndarray]:
    """Two employees sharing one early shift a day (1 needed), A working ``a_days`` and B
    ``b_days``, each held to exactly the minutes they work, and A asking for the shift on
    ``request_day``: the problem and its roster ([employee, day] row, −1 off)."""
    early = ShiftType("E", SHIFT_MINUTES)
    rows = tuple(Requirement("s", START + timedelta(days=d), "E", "", 1) for d in range(DAYS))

    def employee(name: str, days: range, requests: tuple[ShiftRequest, ...]) -> Employee:
        minutes = len(days) * SHIFT_MINUTES
        return Employee(
            name,
            min_minutes=minutes,
            max_minutes=minutes,
            contract_period_days=DAYS,
            requests=requests,
            **own,  # type: ignore[arg-type]
        )

    wish = (ShiftRequest(START + timedelta(days=request_day), "E", wanted=True),)
    employees = (employee("A", a_days, wish), employee("B", b_days, ()))
    problem = RosterProblem(START, DAYS, (early,), employees, rows)
    work = np.full((2, DAYS), -1)
    work[0, list(a_days)] = list(a_days)
    work[1, list(b_days)] = list(b_days)
    return problem, work


SETTINGS = RosterSettings(max_consecutive_days=DAYS, fairness_weight=0)


def _assignments(problem: RosterProblem, work: np.ndarray) -> pd.DataFrame:
    """The ``Roster.assignments`` of ``work`` ([employee, day] row, −1 off)."""
    staff, days = np.nonzero(work >= 0)
    duties = [(int(e), int(work[e, d]), "work") for e, d in zip(staff, days, strict=True)]
    return roster_tables(problem, sorted(duties)).assignments


def _swaps(problem: RosterProblem, settings: RosterSettings) -> PairSwaps:
    master = Master(problem, settings, time.perf_counter() + 60)
    return PairSwaps(problem, settings, columns.person_pricing(problem, settings, master))


def test_a_requested_shift_is_handed_over_with_a_shift_of_the_same_length_back() -> None:
    """A asks for day 10's shift, which B works; both work exactly their minutes, so a swap of
    day 10 alone breaks them, and a second block must give B one of A's days back."""
    problem, work = _two_employees(range(0, 7), range(7, 14), request_day=10)
    gained = _swaps(problem, SETTINGS).improve(work, time.perf_counter() + 30, seed=0)
    assert gained == SETTINGS.request_weight
    assert work[0, 10] == 10 and work[1, 10] == -1
    assert (work >= 0).sum(axis=1).tolist() == [7, 7]  # minutes kept
    np.testing.assert_array_equal(np.sort(work[work >= 0]), np.arange(DAYS))  # cover kept
    assert hard_rule_violations(problem, SETTINGS, _assignments(problem, work)) == []


def test_swapped_blocks_keep_the_days_off_rule() -> None:
    """With at least 2 consecutive days off, B cannot be off on day 10 alone: the blocks
    grow to two days each, and the roster still keeps every rule."""
    problem, work = _two_employees(range(0, 7), range(7, 14), request_day=10)
    settings = RosterSettings(
        max_consecutive_days=DAYS, min_consecutive_days_off=2, fairness_weight=0
    )
    gained = _swaps(problem, settings).improve(work, time.perf_counter() + 30, seed=0)
    assert gained == settings.request_weight
    assert work[0, 10] == 10
    assert (work >= 0).sum(axis=1).tolist() == [7, 7]
    assert hard_rule_violations(problem, settings, _assignments(problem, work)) == []


def test_the_second_block_balances_the_same_contract_week() -> None:
    """With weekly contracts of at most three shifts, A taking B's Friday of week 2 must give B
    one of A's shifts of week 2, not of week 1."""
    early = ShiftType("E", SHIFT_MINUTES)
    rows = tuple(Requirement("s", START + timedelta(days=d), "E", "", 1) for d in range(DAYS))
    weekly = {"max_minutes": 3 * SHIFT_MINUTES, "contract_period_days": 7}
    wish = (ShiftRequest(START + timedelta(days=11), "E", wanted=True),)
    employees = (Employee("A", requests=wish, **weekly), Employee("B", **weekly))  # type: ignore[arg-type]
    problem = RosterProblem(START, DAYS, (early,), employees, rows)
    work = np.full((2, DAYS), -1)
    for e, days in ((0, [0, 1, 2, 7, 8, 9]), (1, [3, 4, 5, 11, 12, 13])):
        work[e, days] = days
    gained = _swaps(problem, SETTINGS).improve(work, time.perf_counter() + 30, seed=0)
    assert gained == SETTINGS.request_weight
    assert work[0, 11] == 11
    assert [int((work[e, 7:] >= 0).sum()) for e in (0, 1)] == [3, 3]
    assert hard_rule_violations(problem, SETTINGS, _assignments(problem, work)) == []


def test_no_swap_breaks_a_rule() -> None:
    """B cannot work A's days (unavailable), so no second block can give B back the minutes
    day 10 takes away, and nothing changes."""
    problem, work = _two_employees(range(0, 7), range(7, 14), request_day=10)
    away = frozenset(START + timedelta(days=d) for d in range(7))
    employees = (problem.employees[0], replace(problem.employees[1], unavailable=away))
    problem = replace(problem, employees=employees)
    before = work.copy()
    assert _swaps(problem, SETTINGS).improve(work, time.perf_counter() + 30, seed=0) == 0
    np.testing.assert_array_equal(work, before)


def instance17_after_passes() -> tuple[
    RosterProblem, RosterSettings, Master, list[columns.PersonPricing], dict[int, int]
]:
    """Instance17's constructed roster after best-response passes until one changes nothing:
    the problem, its settings, the master, every employee's pricing and the roster (employee
    → master column)."""
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 120)
    pricing = columns.person_pricing(problem, settings, master, None)
    with ThreadPoolExecutor(2) as pool:
        now = time.perf_counter()
        chosen = columns._construct(master, pricing, pool, now + 60, now)
    assert chosen is not None
    descent.descend(master, pricing, chosen, list(range(master.employees)), now + 60)
    return problem, settings, master, pricing, chosen


def test_swaps_lower_instance17s_objective_by_what_they_report() -> None:
    """From Instance17's constructed roster after best-response passes (which cannot swap),
    the swaps lower the independent Curtois objective by exactly the request cost they
    report, keep every rule and leave every row's cover as it was."""
    problem, settings, master, pricing, chosen = instance17_after_passes()
    work = np.array([master.columns[chosen[e]][1] for e in range(master.employees)])
    before = curtois_objective(problem, _assignments(problem, work))
    cover = np.sort(work[work >= 0])
    gained = PairSwaps(problem, settings, pricing).improve(work, time.perf_counter() + 60, 0)
    assert gained > 0
    assignments = _assignments(problem, work)
    assert curtois_objective(problem, assignments) == pytest.approx(before - gained)
    assert hard_rule_violations(problem, settings, assignments) == []
    np.testing.assert_array_equal(np.sort(work[work >= 0]), cover)
