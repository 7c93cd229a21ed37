"""Windowed neighbourhoods and best-response passes in turn (``responses.search``) on
Curtois–Qu Instance17 (tests/data/roster) with its pricing programs made banded, from a rough
roster: the objective the search keeps is the independent Curtois objective of its roster,
every hard rule holds, and the engine's report says how many passes ran."""

from __future__ import annotations

import time

import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns, responses, windows
from optimizer.roster.plan import roster_tables
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations

INSTANCE = DATA / "Instance17.txt"


@pytest.fixture
def rough(monkeypatch: pytest.MonkeyPatch):
    """Instance17 with banded pricing programs, and a window search on the roster column
    generation has after 1 s."""
    monkeypatch.setattr(columns, "EMPLOYEE_BUDGET", (100_000, 100_000))
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    start = columns.column_generation(problem, settings, deadline=time.perf_counter() + 1)
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=3)
    return problem, settings, start.objective, search


@pytest.mark.parametrize("passes", [True, False])
def test_windows_and_passes_in_turn_lower_the_objective_exactly(rough, passes: bool) -> None:
    problem, settings, start, search = rough
    ran = responses.search(problem, settings, search, time.perf_counter() + 8, None, 2, passes)
    assert (ran >= 2) if passes else (ran == 0)
    roster = roster_tables(problem, sorted(search.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert search.objective == pytest.approx(curtois_objective(problem, roster.assignments))
    assert search.objective < start


def test_a_pass_alone_lowers_a_rough_roster_and_writes_it_back(rough) -> None:
    problem, settings, start, search = rough
    passes = responses._Passes(problem, settings, time.perf_counter() + 60)
    assert passes.run(search, time.perf_counter() + 60, workers=2) > 0
    assert search.objective < start
    roster = roster_tables(problem, sorted(search.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert search.objective == pytest.approx(curtois_objective(problem, roster.assignments))
    assert search.staffed.sum() == (search.work >= 0).sum()


def test_passes_stop_for_good_once_they_gain_less_per_second_than_the_windows(
    rough, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, settings, start, search = rough
    passes_turns: list[float] = []
    windows_turns: list[float] = []

    class NoGain:
        """Passes that find nothing to change."""

        changes = 0

        def __init__(self, *_args: object) -> None:
            pass

        def run(self, _search: object, until: float, _workers: int) -> int:
            passes_turns.append(until)
            return 0

    improve = search.improve

    def recorded_improve(until: float, bound: float | None, workers: int) -> None:
        windows_turns.append(until)
        improve(until, bound, workers)

    monkeypatch.setattr(responses, "_Passes", NoGain)
    monkeypatch.setattr(search, "improve", recorded_improve)
    deadline = time.perf_counter() + 8
    responses.search(problem, settings, search, deadline, None, 2, True)
    assert len(passes_turns) == 1
    # one windows turn to compare with, then the windows alone until the deadline
    assert len(windows_turns) == 2 and windows_turns[0] < deadline == windows_turns[1]
    assert search.objective < start
