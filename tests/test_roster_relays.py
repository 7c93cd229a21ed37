"""Relays in best responses (``roster.relays``, ``descent.descend(relays=)``): an employee takes a
row that is met exactly while its holder switches to a row left short that day, where neither
change alone lowers the objective. Checked on a small problem whose only improvement is a
relay, on one where the switch would break the holder's rule, and on Curtois–Qu Instance17
(tests/data/roster) against the independent checker and objective. The same small problem is
also solved by ties kept in the passes (``descent.descend(plateau=)``): the holder's tie
first, the other's gain in the next pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pytest

from optimizer.roster import columns, descent
from optimizer.roster.master import Master
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftType
from optimizer.roster.relays import Relays
from optimizer.roster.settings import RosterSettings
from optimizer.roster.swaps import PairSwaps
from tests.test_roster_checker import curtois_objective, hard_rule_violations
from tests.test_roster_swaps import _assignments, instance17_after_passes

START = date(2026, 1, 5)  # a Monday
DAYS = 7
LATE_DAY = 3
SETTINGS = RosterSettings(max_consecutive_days=DAYS, fairness_weight=0)


def _holder_and_helper(
    late_forbids_early: bool = False, late_first: bool = False
) -> tuple[RosterProblem, np.ndarray]:
    """An early shift needed every day and a late one on day 3 only. X, who may work both,
    works every early shift; Y may work only the early one and at most one shift in the week,
    and is off. The late shift is short: X switching to it leaves day 3's early shift short,
    and Y taking that early shift alone is over-cover. ``late_forbids_early``: an early shift
    may not follow a late one, so X cannot switch. ``late_first``: the late shift type is
    listed first, so X's pricing program breaks its tie on day 3 toward the late shift. The
    problem and its roster ([employee, day] row, −1 off; rows 0–6 the early shifts, row 7 the
    late one)."""
    forbidden = frozenset({"E"}) if late_forbids_early else frozenset()
    shifts = (ShiftType("E", 480), ShiftType("L", 480, forbidden_next=forbidden))
    if late_first:
        shifts = shifts[::-1]
    early = tuple(Requirement("s", START + timedelta(days=d), "E", "early", 1) for d in range(DAYS))
    late = (Requirement("s", START + timedelta(days=LATE_DAY), "L", "late", 1),)
    employees = (
        Employee("X", skills=frozenset({"early", "late"})),
        Employee("Y", skills=frozenset({"early"}), max_minutes=480, contract_period_days=DAYS),
    )
    problem = RosterProblem(START, DAYS, shifts, employees, early + late)
    work = np.full((2, DAYS), -1)
    work[0] = np.arange(DAYS)
    return problem, work


def _descend(
    problem: RosterProblem,
    settings: RosterSettings,
    work: np.ndarray,
    relayed: bool,
    plateau: Callable[[], bool] | None = None,
) -> tuple[Master, dict[int, int], int]:
    """Two best-response passes over ``work`` (with relays when ``relayed``: a person is
    offered them once their own response has gained nothing twice; ties kept where the
    ``plateau`` coin says so): the master, the roster they leave (employee → column) and how
    many rosters changed."""
    master = Master(problem, settings, time.perf_counter() + 60)
    pricing = columns.person_pricing(problem, settings, master)
    chosen = {
        e: master.add(e, rows.copy(), pricing[e].request_cost(rows)) for e, rows in enumerate(work)
    }
    relays = Relays(problem, PairSwaps(problem, settings, pricing), pricing) if relayed else None
    changed = sum(
        descent.descend(
            master,
            pricing,
            chosen,
            [1, 0],
            time.perf_counter() + 60,
            passes=1,
            relays=relays,
            plateau=plateau,
        )
        for _ in range(2)
    )
    return master, chosen, changed


def test_a_short_row_is_filled_by_a_relay_only() -> None:
    """Without relays the passes change nothing; with them, Y takes day 3's early shift while X
    switches to the late one: nothing is short or over, and every rule holds."""
    problem, work = _holder_and_helper()
    master, chosen, changed = _descend(problem, SETTINGS, work, relayed=False)
    before = master.value(chosen)
    assert changed == 0 and before == SETTINGS.uncovered_weight
    master, chosen, changed = _descend(problem, SETTINGS, work, relayed=True)
    assert changed == 2
    assert master.value(chosen) == 0
    after = np.array([master.columns[chosen[e]][1] for e in range(2)])
    assert after[0, LATE_DAY] == DAYS and after[1, LATE_DAY] == LATE_DAY
    assert hard_rule_violations(problem, SETTINGS, _assignments(problem, after)) == []


def test_a_tie_kept_by_the_plateau_coin_lets_the_next_response_fill_the_short_row() -> None:
    """Where X's program breaks its day-3 tie toward the late shift, plain passes still keep
    X's roster (a tie that completes no weekend); with ties kept, X moves to the late shift in
    the first pass and Y takes the early shift it left in the second: nothing is short or
    over, and every rule holds."""
    problem, work = _holder_and_helper(late_first=True)
    master, chosen, changed = _descend(problem, SETTINGS, work, relayed=False)
    assert changed == 0 and master.value(chosen) == SETTINGS.uncovered_weight
    master, chosen, changed = _descend(problem, SETTINGS, work, False, plateau=lambda: True)
    assert changed == 2
    assert master.value(chosen) == 0
    after = np.array([master.columns[chosen[e]][1] for e in range(2)])
    assert after[0, LATE_DAY] == DAYS and after[1, LATE_DAY] == LATE_DAY
    assert hard_rule_violations(problem, SETTINGS, _assignments(problem, after)) == []


def test_no_relay_breaks_the_switching_employees_rule() -> None:
    """When an early shift may not follow a late one, X cannot switch on day 3 (it works
    day 4's early shift), so no relay is offered and nothing changes."""
    problem, work = _holder_and_helper(late_forbids_early=True)
    master, chosen, changed = _descend(problem, SETTINGS, work, relayed=True)
    assert changed == 0
    assert master.value(chosen) == SETTINGS.uncovered_weight


def test_relays_lower_instance17s_objective_by_what_the_master_counts() -> None:
    """From Instance17's constructed roster, best-response passes until one changes nothing,
    then relayed passes: they lower the objective, by exactly what the independent Curtois
    objective finds, and keep every rule."""
    problem, settings, master, pricing, chosen = instance17_after_passes()
    everyone = list(range(master.employees))
    before = master.value(chosen)
    relays = Relays(problem, PairSwaps(problem, settings, pricing), pricing)
    changed = descent.descend(
        master, pricing, chosen, everyone, time.perf_counter() + 60, relays=relays
    )
    assert changed > 0
    work = np.array([master.columns[chosen[e]][1] for e in everyone])
    assignments = _assignments(problem, work)
    assert curtois_objective(problem, assignments) == pytest.approx(master.value(chosen))
    assert master.value(chosen) < before
    assert hard_rule_violations(problem, settings, assignments) == []


@pytest.mark.parametrize(
    ("patience", "wanted"),
    [(2, [False, True, True, False, False, True]), (1, [True, True, True, False, True, True])],
)
def test_relays_are_wanted_after_patience_responses_in_a_row_that_gain_nothing(
    patience: int, wanted: list[bool]
) -> None:
    problem, _ = _holder_and_helper()
    master = Master(problem, SETTINGS, time.perf_counter() + 60)
    pricing = columns.person_pricing(problem, SETTINGS, master)
    relays = Relays(problem, PairSwaps(problem, SETTINGS, pricing), pricing)
    relays.patience = patience
    gains = (False, False, False, True, False, False)
    assert [relays.wanted(0, gained) for gained in gains] == wanted
    relays.patience = 2
    assert not relays.wanted(1, False)  # each employee counted on their own
