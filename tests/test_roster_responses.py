"""Windowed neighbourhoods and best-response passes in turn (``responses.search``) on
Curtois–Qu Instance17 (tests/data/roster) with its pricing programs made banded, from a rough
roster: the objective the search keeps is the independent Curtois objective of its roster,
every hard rule holds, and the engine's report says how many passes ran."""

from __future__ import annotations

import time

import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import responses, windows
from optimizer.roster.plan import roster_tables
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations
from tests.test_roster_windows import IMPROVED_SECONDS, IMPROVED_SHARE, rough_start

INSTANCE = DATA / "Instance17.txt"


@pytest.fixture
def rough(band_programs):
    """Instance17 with banded pricing programs, and a window search on its construction's
    roster (``rough_start``: the same on every machine)."""
    band_programs(100_000)
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    start = rough_start(problem, settings)
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=3)
    return problem, settings, start.objective, search


@pytest.mark.parametrize("passes", [True, False])
def test_windows_and_passes_in_turn_lower_the_objective_exactly(
    rough, monkeypatch: pytest.MonkeyPatch, passes: bool
) -> None:
    """With passes, 5 s in turns of 2 s: a passes turn (about 0.6 s here), then a windows
    turn, then passes again. Windows alone run as in ``test_roster_windows._improved``: until
    they have taken ``IMPROVED_SHARE`` off the rough roster, or ``IMPROVED_SECONDS``."""
    problem, settings, start, search = rough
    monkeypatch.setattr(responses, "LEAST_TURN_SECONDS", 2.0)
    alone = IMPROVED_SECONDS, (1 - IMPROVED_SHARE) * start
    seconds, settled_value = (5, None) if passes else alone
    ran, swapped = responses.search(
        problem, settings, search, time.perf_counter() + seconds, settled_value, 2, passes
    )
    assert (ran >= 2) if passes else (ran == 0 and swapped == 0)
    assert search.tried >= 1
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


def test_passes_that_fall_behind_wait_twice_as_many_windows_turns_each_time(
    rough, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, settings, _, search = rough
    turns: list[str] = []

    class GainOnThirdTurn:
        """Passes that gain on their third turn only."""

        changes = 0
        swapped = 0.0
        batch_seconds = 0.0

        def __init__(self, *_args: object) -> None:
            self.turns = 0

        def run(self, windowed: windows.WindowSearch, _until: float, _workers: int) -> int:
            self.turns += 1
            turns.append("P")
            if self.turns == 3:
                windowed.objective -= 1.0
            return 0

    def idle_windows(until: float, _bound: float | None, _workers: int) -> None:
        turns.append("W")
        time.sleep(max(0.0, until - time.perf_counter()))

    monkeypatch.setattr(responses, "_Passes", GainOnThirdTurn)
    monkeypatch.setattr(responses, "LEAST_TURN_SECONDS", 0.2)
    monkeypatch.setattr(responses, "TURN_SHARE", 0.0)
    monkeypatch.setattr(search, "improve", idle_windows)
    responses.search(problem, settings, search, time.perf_counter() + 3.0, None, 2, True)
    # behind: 1, then 2, then 4 windows turns; the third passes turn gains more than the
    # windows turns after it, so the passes come back after one, then back off again
    assert "".join(turns).startswith("PWPWWPWWWWPWPWW")


def test_no_batch_of_best_responses_starts_that_would_end_past_the_deadline(
    rough, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch as long as the longest so far does not start within its length of the
    deadline, so the search ends by it even when each batch takes 0.4 s."""
    problem, settings, _, search = rough

    def slow_descend(*_args: object, **_kwargs: object) -> int:
        time.sleep(0.4)
        return 1

    def idle_windows(until: float, _bound: float | None, _workers: int) -> None:
        time.sleep(max(0.0, until - time.perf_counter()))

    monkeypatch.setattr(responses.descent, "descend", slow_descend)
    monkeypatch.setattr(responses, "LEAST_TURN_SECONDS", 0.3)
    monkeypatch.setattr(responses, "TURN_SHARE", 0.0)
    monkeypatch.setattr(search, "improve", idle_windows)
    for seconds in (1.9, 2.05, 2.2):
        deadline = time.perf_counter() + seconds
        responses.search(problem, settings, search, deadline, None, 2, True)
        assert time.perf_counter() <= deadline + 0.05


@pytest.mark.parametrize(
    ("swaps_rate", "responses_rate", "expected"),
    [
        (1.0, 3.0, 0.25),  # the swaps' share of the gains per second
        (0.0, 5.0, responses.SWAP_SHARE[0]),  # never below the least
        (9.0, 1.0, responses.SWAP_SHARE[1]),  # nor above the most
        (0.0, 0.0, 0.3),  # neither gained: the last turn's share
    ],
)
def test_pair_swaps_take_their_share_of_the_gains_per_second(
    swaps_rate: float, responses_rate: float, expected: float
) -> None:
    assert responses.swap_share(0.3, swaps_rate, responses_rate) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("pass_seconds", "turn_seconds", "patience"),
    [
        (float("inf"), 22.0, 2),  # no pass timed yet: the cautious rule
        (9.3, 1.7, 2),  # a fifth of a pass per turn: after two in a row
        (14.2, 22.4, 1),  # the pass fits in the turn: at once
        (22.4, 22.4, 1),
    ],
)
def test_relays_come_sooner_where_a_whole_pass_fits_in_the_turn(
    pass_seconds: float, turn_seconds: float, patience: int
) -> None:
    assert responses.relay_patience(pass_seconds, turn_seconds) == patience
