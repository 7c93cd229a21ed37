"""Windowed neighbourhoods and best-response passes in turn (``search``).

A windowed neighbourhood (``windows``) re-solves a few weeks of a few employees exactly, but
each employee's minutes, weekends and shifts per type over the horizon are held to what they
work outside it, so work moves across the horizon only a window at a time. A best-response
pass (``descent.descend``) gives each employee in turn their most valuable roster over the
whole horizon against everyone else's, its pricing bands centred on their roster, so it moves
work to where the cover is short wherever that lies: where demand grows through the horizon
(Curtois–Qu Instance24: 4,545 staff-shifts in its first quarter, 7,733 in its last) passes
from a 240 s windowed roster took it from 117,530 to 98,932 in 90 s on one thread, where the
windows reached 107,884 in 120 s on two. Each finds what the other cannot, so they take turns,
each turn's length by its recent gain per second. When a passes turn gains less per second
than the windows turn after it, the windows run twice as many turns before the passes are
tried again (on Instance23, whose short rows are spread over the year, passes held to a
tenth of the time cost 4–8 % at 600 s). Which gains more changes as the roster improves:
on Instance24 the windows out-gained the first passes turn (203 against 150 a second from
column generation's roster), but from the windows' 600 s roster 60 s of passes gained 75 a
second and 60 s of windows 29. (On Instance23 the passes keep up with the windows and
take about half the time, which still costs it 3–6 %: docs/DESIGN.md.) A pass prices
employees with their own programs (not ``descent.wider``): on Instance23 one pass with
wider programs took more than 180 s. Each passes turn opens with pair swaps (``swaps``), which
grant requests that neither a best response nor a window reaches: on Instance24 at 600 s the
request cost fell from 9,394–9,471 to 7,635–7,907 with the same cover. They take the swaps'
share of the last turn's gains per second (``swap_share``): a fixed half of each turn cost
Instance22 at 60 s about 3,000 (nine runs against nine without swaps), as its best responses,
which move its cover, got too little of its short turns. A best response that has gained
nothing is offered relays (``relays``): a row met exactly, whose holder switches that day to a
row left short. Where a whole pass fits in the turn it is offered them at once; where it does
not (22 at 60 s: turns of 1.7 s), only after two such responses in a row, so that the extra
pricing does not take the turn from the plain responses. Half the ties the best responses
find are kept (``TIE_SHARE``): a roster as good as the person's own leaves rows that the
responses after it may fill, where no single change gains.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from optimizer import stop
from optimizer.roster import descent, windows
from optimizer.roster.columns import (
    PersonPricing,
    pass_order,
    person_pricing,
    price_lone_weekends,
)
from optimizer.roster.master import Master
from optimizer.roster.problem import RosterProblem
from optimizer.roster.relays import Relays
from optimizer.roster.settings import RosterSettings
from optimizer.roster.swaps import PairSwaps
from optimizer.solve import settles

PASS_SHARE = 0.25, 0.1, 0.5
"""Share of the search's time the passes get at first, and the least and most they get
after: each round sets it to the passes' share of the two last turns' gains per second."""
TURN_SHARE = 0.05
"""A windows turn lasts this share of the search's time (at least ``LEAST_TURN_SECONDS``)."""
LEAST_TURN_SECONDS = 5.0
SWAP_SHARE = 0.05, 0.5
"""Least and most of a passes turn its pair swaps take; each turn sets their share to the swaps'
share of the last turn's gains per second (swaps and best responses). Unbounded, at 60 s
Instance24's sweeps took whole turns, and best responses, which move its cover, none
(102,850 against 88,370 without swaps)."""
TIE_SHARE = 0.5
"""Share of the ties a passes turn's best responses keep (``descent.descend(plateau=)``): a
roster as good as the person's own that leaves rows another person may value more. From
Curtois–Qu Instance24's 600 s roster (52,939), 240 s of passes on one thread reached 52,696
keeping none and 52,350 keeping half."""
LONE_WEEKEND_SHARE = 0.5
"""A pass's pricing programs take this share of an employee's mean under-cover weight off
each weekend worked on one day only (``columns.price_lone_weekends``)."""


class _Passes:
    """Pair swaps and best-response passes over a window search's roster: the master's
    columns, every employee's pricing and the swaps' arrays, built once; each turn swaps
    first, then goes on from the employee the last one stopped at."""

    def __init__(self, problem: RosterProblem, settings: RosterSettings, deadline: float) -> None:
        self.master = Master(problem, settings, deadline)
        self.pricing: list[PersonPricing] = person_pricing(problem, settings, self.master)
        self.order = pass_order(self.master, self.pricing)
        price_lone_weekends(self.master, self.pricing, LONE_WEEKEND_SHARE)
        self.chosen: dict[int, int] = {}
        """employee → the master column of their roster as last seen"""
        self.next = 0
        """where in ``order`` the next turn starts"""
        self.changes = 0
        """how many employees' rosters the turns' best responses changed"""
        self.swaps = PairSwaps(problem, settings, self.pricing)
        self.relays = Relays(problem, self.swaps, self.pricing)
        self.swapped = 0.0
        """how much the turns' pair swaps lowered the objective, weighted units"""
        self.swap_share = SWAP_SHARE[0]
        """share of the next turn its pair swaps may take"""
        self.batch_seconds = 0.0
        """the longest a batch of best responses has taken, in seconds: no batch starts
        that long before the deadline"""
        self.pass_seconds = math.inf
        """how long a whole pass of best responses took at the last turn's pace, in seconds"""

    def run(self, search: windows.WindowSearch, until: float, workers: int) -> int:
        """Pair swaps (``swaps.PairSwaps``) over ``search``'s roster until one sweep finds
        none or ``swap_share`` of the time to ``until`` has passed, then best responses
        (``descent.descend``, ``workers`` employees priced at once) of the employees in turn
        until ``until`` (a ``time.perf_counter()`` reading) or a whole pass that changes
        nothing, each offered relays (``relays.Relays``) once their own best responses have
        gained nothing ``relay_patience`` times in a row (once where the last whole pass,
        ``pass_seconds``, took no longer than this turn's best responses may, else twice) and
        keeping ``TIE_SHARE`` of their ties, drawn from ``search.rng``; no batch starts
        that would likely end past the deadline (``batch_seconds`` before it). The roster and
        objective they leave are written back. Returns how many employees' rosters the best
        responses changed, ties kept included."""
        work = search.work.copy()
        turn_began = time.perf_counter()
        swaps_until = turn_began + self.swap_share * max(0.0, until - turn_began)
        swapped = self.swaps.improve(work, swaps_until, search.rng.randrange(1 << 30))
        if swapped > 0:
            search.adopt(work, search.objective - swapped)
            self.swapped += swapped
        swaps_ended, swapped_objective = time.perf_counter(), search.objective
        master = self.master
        for e, rows in enumerate(search.work):
            column = self.chosen.get(e)
            if column is None or not np.array_equal(master.columns[column][1], rows):
                cost = self.pricing[e].request_cost(rows)
                self.chosen[e] = master.add(e, rows.copy(), cost)
        changes, unchanged, batches = 0, 0, 0
        self.relays.patience = relay_patience(self.pass_seconds, until - swaps_ended)
        with ThreadPoolExecutor(workers) as pool:
            while unchanged < len(self.order) and not self._past(until):
                began = time.perf_counter()
                at_once = min(workers, len(self.order))
                persons = [self.order[(self.next + i) % len(self.order)] for i in range(at_once)]
                changed = descent.descend(
                    master,
                    self.pricing,
                    self.chosen,
                    persons,
                    until,
                    pool=pool,
                    workers=workers,
                    passes=1,
                    relays=self.relays,
                    plateau=lambda: search.rng.random() < TIE_SHARE,
                )
                self.batch_seconds = max(self.batch_seconds, time.perf_counter() - began)
                self.next = (self.next + at_once) % len(self.order)
                changes, batches = changes + changed, batches + 1
                unchanged = 0 if changed else unchanged + at_once
        if batches:
            per_batch = (time.perf_counter() - swaps_ended) / batches
            self.pass_seconds = per_batch * math.ceil(len(self.order) / max(1, workers))
        if changes:
            work = np.array([master.columns[self.chosen[e]][1] for e in range(len(search.work))])
            search.adopt(work, master.value(self.chosen))
        self.changes += changes
        self.swap_share = swap_share(
            self.swap_share,
            swapped / max(swaps_ended - turn_began, 1e-3),
            (swapped_objective - search.objective) / max(time.perf_counter() - swaps_ended, 1e-3),
        )
        return changes

    def _past(self, until: float) -> bool:
        """Whether ``until`` has come, a stop is requested, or a batch as long as the
        longest so far would end past the deadline."""
        last_start = self.master.deadline - self.batch_seconds
        return stop.past(min(until, last_start), time.perf_counter())


def swap_share(share: float, swaps_rate: float, responses_rate: float) -> float:
    """The share of the next passes turn its pair swaps take: the swaps' share of the gains
    per second (weighted units a second) of the last turn's swaps and best responses, within
    ``SWAP_SHARE``; ``share`` (the last turn's) when neither gained."""
    if swaps_rate + responses_rate <= 0:
        return share
    least, most = SWAP_SHARE
    return min(most, max(least, swaps_rate / (swaps_rate + responses_rate)))


def relay_patience(pass_seconds: float, turn_seconds: float) -> int:
    """How many best responses in a row that gain nothing earn an employee relays
    (``Relays.patience``) in a passes turn whose best responses have ``turn_seconds``, when
    a whole pass last took ``pass_seconds``: one where the pass fits in the turn, else two.
    On Curtois–Qu Instance24 at 600 s (passes of 7–16 s in turns of 22 s) relays at the first
    such response gave 51,485 and 51,829, after two in a row 52,763 and 54,875; on Instance22
    at 60 s (passes of 9–14 s in turns of 1.7 s) at the first 48,385 and 40,501, after two
    38,614–40,932."""
    return 1 if pass_seconds <= turn_seconds else 2


def search(
    problem: RosterProblem,
    settings: RosterSettings,
    windowed: windows.WindowSearch,
    deadline: float,
    settled_value: float | None,
    workers: int,
    passes: bool,
) -> tuple[int, float]:
    """Improve ``windowed``'s roster until the ``deadline`` (a ``time.perf_counter()``
    reading), a stop request or an objective at most ``settled_value`` (its lower bound, or the
    value within the run's relative gap of it: ``solve.settled_at``): when ``passes``
    (column generation's pricing applies), turns of pair swaps and best responses
    (``_Passes.run``) and of windowed neighbourhoods (``workers`` at a time) in turn, a
    windows turn ``TURN_SHARE`` of the time and the passes' turn their share of it
    (``PASS_SHARE``); each time a passes turn gains less per second than the last windows
    turn after it, the windows run twice as many turns before the next passes turn, and one
    windows turn again once the passes gain more; else windows alone.
    Returns how many employees' rosters the passes changed, and how much their pair swaps
    lowered the objective (weighted units)."""
    if not passes:
        windowed.improve(deadline, settled_value, workers)
        return 0, 0.0
    made = _Passes(problem, settings, deadline)
    share, least, most = PASS_SHARE
    windows_turn = max(LEAST_TURN_SECONDS, TURN_SHARE * (deadline - time.perf_counter()))
    windows_turns = 1  # windows turns between two passes turns

    def turn(work: Callable[[float], object], seconds: float) -> float:
        """Run ``work`` until ``seconds`` from now (or the deadline); its gain per second."""
        began, before = time.perf_counter(), windowed.objective
        work(min(deadline, began + seconds))
        return (before - windowed.objective) / max(time.perf_counter() - began, 1e-3)

    def reached() -> bool:
        """Whether the settled value, a stop request or the time when neither kind of turn
        may start any more (``_Passes.batch_seconds``, ``windows.LEAST_SECONDS`` before the
        deadline) has come."""
        last_start = deadline - min(made.batch_seconds, windows.LEAST_SECONDS)
        return settles(windowed.objective, settled_value) or stop.past(
            last_start, time.perf_counter()
        )

    # a signal ends the passes through stop.past, as it ends the windows
    with stop.solving(lambda: None):
        while not reached():
            by_passes = turn(
                lambda until: made.run(windowed, until, workers),
                windows_turn * share / (1 - share),
            )
            by_windows = 0.0
            for _ in range(windows_turns):
                if reached():
                    break
                by_windows = turn(
                    lambda until: windowed.improve(until, settled_value, workers), windows_turn
                )
            if by_passes <= by_windows:
                windows_turns *= 2  # the passes fell behind: tried again after more windows
            else:
                windows_turns = 1
                share = min(most, max(least, by_passes / (by_passes + by_windows)))
    return made.changes, made.swapped
