"""Column generation's first linear program stalling at the roster it started from: with a
search to follow, column generation hands that roster over (stand-ins for the master and
the employees' pricing)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns
from optimizer.roster.plan import roster_tables
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations

EMPLOYEES = 4
"""Stand-in employees (a chunk of ``PRICING_CHUNK`` = 16 prices them all)."""


class _Master:
    """A stand-in master whose objective takes the ``objectives`` in turn, one a solve once
    columns are added, and then stays at the last, however many columns are added."""

    def __init__(self, objectives: list[float]) -> None:
        self.objectives = objectives
        self.lp = SimpleNamespace(getObjectiveValue=lambda: self.objectives[0])
        self.added = 0

    def solve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if len(self.objectives) > 1 and self.added:
            self.objectives.pop(0)
        return np.zeros(3), np.zeros(EMPLOYEES), np.zeros(self.added)

    def add(self, e: int, rows: np.ndarray, cost: float) -> int:
        self.added += 1
        return self.added - 1

    def gain(self, e: int, rows: np.ndarray, cost: float, prices: np.ndarray) -> float:
        return float(prices[rows[rows >= 0]].sum()) - cost


class _Improving:
    """A stand-in employee whose every priced roster improves at the duals (gain 1)."""

    def price(self, duals: np.ndarray) -> tuple[np.ndarray, float, float]:
        return np.array([0, -1]), -1.0, 1.0


def _generate(
    master: _Master,
    *,
    hand_over: bool,
    seconds: float,
    by_seconds: float = np.inf,
    bar: float = np.inf,
) -> None:
    """``columns._generate`` on ``master`` for ``seconds``; with ``hand_over``, the search
    following should have the roster ``by_seconds`` from now; ``bar``: the objective the
    program must fall below to count as moving."""
    pricing = [_Improving() for _ in range(EMPLOYEES)]
    with ThreadPoolExecutor(2) as pool:
        now = time.perf_counter()
        stalled_by = now + by_seconds if hand_over else None
        columns._generate(master, pricing, {}, now + seconds, pool, stalled_by=stalled_by, bar=bar)


def test_a_program_stalled_at_its_start_hands_over_at_its_deadline_when_a_search_follows() -> None:
    """Columns added for all the program's time and the objective still at its first value:
    ``_generate`` raises ``_Stalled`` when a search follows, at the program's deadline where
    that comes before ``STALLED_SHARE`` of the time to the search (here never)."""
    master, seconds = _Master([100.0]), 1.0
    started = time.perf_counter()
    with pytest.raises(columns._Stalled):
        _generate(master, hand_over=True, seconds=seconds)
    took = time.perf_counter() - started
    assert master.added and seconds <= took < 2 * seconds


def test_a_stalled_program_hands_over_at_a_share_of_the_time_to_the_search() -> None:
    """When the search should have the roster 1 s from now, well before the program's
    deadline (4 s), the stall is called at ``STALLED_SHARE`` of that second."""
    master, seconds, by_seconds = _Master([100.0]), 4.0, 1.0
    started = time.perf_counter()
    with pytest.raises(columns._Stalled):
        _generate(master, hand_over=True, seconds=seconds, by_seconds=by_seconds)
    took = time.perf_counter() - started
    assert master.added and columns.STALLED_SHARE * by_seconds <= took < by_seconds


def test_a_stalled_program_goes_on_when_no_search_follows() -> None:
    master = _Master([100.0])
    _generate(master, hand_over=False, seconds=0.5)
    assert master.added


def test_a_program_that_fell_below_its_start_does_not_hand_over() -> None:
    """A program that lowered its objective once, and stalls after, is not handed over: its
    dive has a program that moved from the start roster to go on."""
    master = _Master([100.0, 90.0])
    _generate(master, hand_over=True, seconds=0.5)
    assert master.added and master.objectives == [90.0]


def test_a_program_above_the_bar_and_off_pace_hands_over() -> None:
    """From the first pass's roster (100) the program fell to 90 and stays there, above the
    constructed roster's value (50): at its pace it would not reach 50 by the search's time,
    so it is handed over at ``STALLED_SHARE`` of that time."""
    master, by_seconds = _Master([100.0, 90.0]), 1.0
    started = time.perf_counter()
    with pytest.raises(columns._Stalled):
        _generate(master, hand_over=True, seconds=4.0, by_seconds=by_seconds, bar=50.0)
    took = time.perf_counter() - started
    assert master.objectives == [90.0]
    assert columns.STALLED_SHARE * by_seconds <= took < by_seconds


def test_a_program_that_fell_below_the_bar_goes_on() -> None:
    master = _Master([100.0, 80.0, 60.0, 40.0])
    _generate(master, hand_over=True, seconds=0.5, by_seconds=1.0, bar=50.0)
    assert master.objectives == [40.0]


@pytest.mark.parametrize(
    ("first", "objective", "target", "spent", "left", "on_pace"),
    [
        (94_006, 71_087, 40_280, 30.0, 28.0, False),  # Instance23 at 600 s: 40 s short
        (71_884, 44_967, 43_530, 61.0, 58.0, True),  # Instance22 at 600 s: 3 s to go
        (100, 100, 50, 1.0, 10.0, False),  # unmoved
        (100, 60, 50, 1.0, 0.0, False),  # no time left
        (100, 40, 50, 1.0, 1.0, True),  # already below
    ],
)
def test_a_program_is_on_pace_when_its_mean_fall_reaches_the_bar_in_the_time_left(
    first, objective, target, spent, left, on_pace
) -> None:
    assert columns._on_pace(first, objective, target, spent, left) is on_pace


def test_column_generation_hands_the_constructed_roster_over(monkeypatch) -> None:
    """When the first program stalls and a search follows, column generation returns the
    construction's roster (after passes with wider programs: Instance1 is priced exactly,
    so they change nothing) (every rule kept, its objective recomputed by the checker) with
    a bound and a note that says so, well before its deadline (Instance1, best known 607)."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    built = []
    construct = columns._construct

    def remembered(master, *args, **kwargs):
        built.append((master, construct(master, *args, **kwargs)))
        return built[-1][1]

    programs = []

    def stalled(master, *args, **kwargs):
        programs.append((list(master.in_lp), kwargs["bar"]))
        raise columns._Stalled

    monkeypatch.setattr(columns, "_construct", remembered)
    monkeypatch.setattr(columns, "_generate", stalled)
    started = time.perf_counter()
    start = columns.column_generation(problem, settings, deadline=started + 60, hand_over=True)
    assert time.perf_counter() - started < 30
    # the run's report gives the construction's roster and says why it is the start
    master, chosen = built[0]
    # the first program starts from the first pass's roster, the construction's first
    # columns, and must fall below the constructed roster's value
    [(in_lp, bar)] = programs
    assert in_lp == list(range(len(problem.employees)))
    assert bar == master.value(chosen)
    construction, note, bound = start.notes
    assert construction.startswith(f"the construction's roster: {master.value(chosen):g} after ")
    assert "handed to the neighbourhood search after best-response passes" in note
    # the bound's note names what gave it: the stalled program's, on relaxed rules
    assert bound.startswith(f"bound {start.bound:,.0f}")
    assert "weekend and shift-type limits where it stalled" in bound
    assert start.duties == {
        master.duty(e, int(r)) for e, j in chosen.items() for r in master.columns[j][1] if r >= 0
    }
    roster = roster_tables(problem, sorted(start.duties)).assignments
    assert hard_rule_violations(problem, settings, roster) == []
    assert start.objective == curtois_objective(problem, roster) >= 607
    assert 0 <= start.bound <= 607


def test_a_starved_dive_is_named_in_the_notes(monkeypatch) -> None:
    """When the dive ends column generation early for the search (its deadline moved), the
    notes say by how much (Instance1, the dive made to report a deadline 5 s earlier)."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    dive = columns._dive

    def starved(*args, **kwargs):
        chosen, deadline = dive(*args, **kwargs)
        return chosen, deadline - 5

    monkeypatch.setattr(columns, "_dive", starved)
    deadline = time.perf_counter() + 20
    start = columns.column_generation(problem, settings, deadline=deadline, hand_over=True)
    construction, note, bound = start.notes
    assert construction.startswith("the construction's roster: ")
    assert "ran out of time: column generation ended 5 s early" in note
    assert bound.startswith(f"bound {start.bound:,.0f}")


@pytest.mark.parametrize("stalls", [True, False])
def test_the_construction_and_a_stall_keep_to_the_hand_over_time(
    monkeypatch: pytest.MonkeyPatch, stalls: bool
) -> None:
    """Given a time to hand over by (the windows' share, 3 s into a 30 s run), the
    construction's first pass aims at ``FIRST_PASS_SHARE`` and its passes at
    ``CONSTRUCT_SHARE`` of the time to it. A stalled first program's wider passes end there
    too (the run returns soon after); a first program that moves keeps the whole time: the
    dives end ``MEND_SHARE`` of it early, and the best-response passes after them end that
    much after the dive's end: at the deadline unless a busy machine starved the dive
    (Instance1)."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    construct, dive, descend = columns._construct, columns._dive, columns.descent.descend
    shares, dive_deadlines, dive_ends, descent_ends = [], [], [], []

    def recorded_construct(master, pricing, pool, first_until, improve_until, **kwargs):
        now = time.perf_counter()
        shares.append(((first_until - now) / (by - now), (improve_until - now) / (by - now)))
        return construct(master, pricing, pool, first_until, improve_until, **kwargs)

    def recorded_dive(master, pricing, chosen, deadline, *args, **kwargs):
        dive_deadlines.append(deadline)
        result = dive(master, pricing, chosen, deadline, *args, **kwargs)
        dive_ends.append(result[1])
        return result

    def recorded_descend(master, pricing, chosen, order, until, **options):
        descent_ends.append(until)
        return descend(master, pricing, chosen, order, until, **options)

    def stalled(*args, **kwargs):
        raise columns._Stalled

    monkeypatch.setattr(columns, "_construct", recorded_construct)
    monkeypatch.setattr(columns, "_dive", recorded_dive)
    monkeypatch.setattr(columns.descent, "descend", recorded_descend)
    if stalls:
        monkeypatch.setattr(columns, "_generate", stalled)
    started = time.perf_counter()
    deadline, by = started + 30, started + 3
    start = columns.column_generation(
        problem, settings, deadline=deadline, hand_over=True, hand_over_by=by
    )
    ((first_share, improve_share),) = shares
    assert first_share == pytest.approx(columns.FIRST_PASS_SHARE, abs=0.02)
    assert improve_share == pytest.approx(columns.CONSTRUCT_SHARE, abs=0.02)
    if stalls:
        assert descent_ends[-1] == by and dive_deadlines == []
        assert time.perf_counter() < by + 2
        assert "handed to the neighbourhood search" in start.notes[-2]
    else:
        assert deadline - columns.MEND_SHARE * 30 <= dive_deadlines[0] < deadline
        # the passes get the mend's share after the dive's end (earlier if it starved)
        assert descent_ends[-1] == pytest.approx(dive_ends[0] + deadline - dive_deadlines[0])
    roster = roster_tables(problem, sorted(start.duties)).assignments
    assert hard_rule_violations(problem, settings, roster) == []
