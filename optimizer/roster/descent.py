"""Best-response passes over a whole roster (block coordinate descent): each person in turn
gets their most valuable roster given everyone else's, at row prices equal to each row's
marginal cover value (its under-cover weight while it is short, minus its over-cover
weight once full). The cover terms are separable per row, so this is the person's exact
effect on the objective: a pass never raises it.

A banded pricing program (``EmployeeRules.fitted``: minutes and weekends worked kept near
a path) sees only part of a person's rosters. In a centred pass (``descend(centred=)``,
``_Pricing.price(around=)``) its bands are centred on the person's current roster, so that
roster is always in reach and the pass may move its work by up to half a band's width,
anywhere in the horizon; bands on the pro-rata path could neither keep a roster whose work
had moved off that path nor follow demand that grows through the horizon. A weekend band
of two values holds the roster's path and one more weekend or one fewer, never both, so a
person at the weekend limit could move a weekend only earlier (work one more, then drop a
later one); each centred pricing of a person takes the other band (``_Pricing.behind``),
so weekends move both ways over the passes. Curtois–Qu Instance23's 600 s roster had
156 of its 157 short staff-shifts on weekends and 95 of 100 employees at their limit;
Instance24's had 632 of 667 on weekends, 658 in its last quarter. Passes still stop at a
roster that wider programs improve (``wider``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from optimizer import stop
from optimizer.roster.master import REDUCED_COST_EPSILON, Master
from optimizer.roster.relays import Offers, Relays, change_cost
from optimizer.solve import settles

if TYPE_CHECKING:
    from optimizer.roster.columns import PersonPricing

WIDER = 4
"""``wider`` gives each banded program this many times its budget and twice its weekend
band. On Curtois–Qu Instance24 (150 staff, 52 weeks) a pass takes about twice as long (60 s
against 28 s); from a 120 s column-generation roster (150,525) one pass reached 131,624,
where banded passes from its construction had stopped at 146,575. Sixteen times the budget
found little more, at three to five times the time per employee."""


def cover_values(master: Master, staffed: np.ndarray) -> np.ndarray:
    """``[row]`` each row's marginal cover value (weighted units) with ``staffed`` ([row]
    persons working it) everyone else's: its under-cover weight while short, else minus its
    over-cover weight."""
    return np.where(staffed < master.needed, master.under, -master.over)


def cover_prices(master: Master, staffed: np.ndarray) -> np.ndarray:
    """A price vector whose row prices are ``cover_values``."""
    return master.prices(cover_values(master, staffed))


def descend(
    master: Master,
    pricing: Sequence[PersonPricing],
    chosen: dict[int, int],
    order: Sequence[int],
    until: float,
    *,
    pool: ThreadPoolExecutor | None = None,
    workers: int = 1,
    passes: int | None = None,
    centred: bool = True,
    relays: Relays | None = None,
    plateau: Callable[[], bool] | None = None,
    settled_value: float | None = None,
) -> int:
    """Best-response passes over the persons in ``order`` until one changes nothing, ``passes``
    passes (``None``: no limit), ``until`` (a ``time.perf_counter()`` reading, or a stop
    request) or the objective at most ``settled_value`` (weighted units: within the run's
    relative gap of its bound, ``solve.settled_at``; checked before each batch of persons).
    ``chosen`` (person → column, everyone) is updated in place; returns how many
    persons' rosters changed. With a ``pool`` of ``workers`` threads, that many persons are
    priced at once, each against the others' rosters as they were; each roster found is then
    valued again against the rosters as they are (those kept before it in the batch
    included) and kept only if it still beats the person's own, or ties it and works
    fewer weekends on one day only (``_Pricing.lone_weekends``, counted where the program
    prices them): every change lowers the objective or, at the same objective, that count,
    so the passes cannot cycle. With ``plateau`` (a coin, tossed for each tie that keeps the
    count and differs from the person's roster), such a tie is also kept where the coin says
    so: the rows it leaves cost the objective nothing and may be worth more to a person
    responding after; such passes may cycle, and end by ``passes`` or ``until``. ``centred``:
    banded programs centre their bands on the person's roster (``_Pricing.price(around=)``),
    else on their pro-rata path. With ``relays``, a person whose own best responses have
    gained nothing ``Relays.patience`` times in a row (``Relays.wanted``) is priced again, in
    the same weekend band, with the rows whose holder may switch to a short row that day
    (``Relays.offer``); a roster that takes such rows is kept with those switches when the
    objective, counted over every employee they change, falls, and is otherwise weighed alone
    as above. The count returned includes the switched employees."""
    staffed = master.staffed(chosen)
    batch = 1 if pool is None else max(1, workers)

    def response(e: int) -> tuple[tuple[np.ndarray, float, float] | None, Offers | None]:
        rows = master.columns[chosen[e]][1]
        alone = staffed.copy()
        np.add.at(alone, rows[rows >= 0], -1)
        values = cover_values(master, alone)
        around = rows if centred else None
        prices = master.prices(values)
        found = pricing[e].price(prices, around=around)
        if relays is None or not relays.wanted(
            e,
            found is not None
            and master.gain(e, found[0], found[1], prices)
            > master.gain(e, rows, master.costs[chosen[e]], prices) + REDUCED_COST_EPSILON,
        ):
            return found, None
        offers = relays.offer(master, chosen, alone, values, e)
        if not len(offers.relays):
            return found, None
        return pricing[e].price(master.prices(values), around=around, again=True), offers

    changes, changed, done = 0, True, 0
    while changed and (passes is None or done < passes):
        if stop.past(until, time.perf_counter()):
            break
        changed, done = False, done + 1
        for first in range(0, len(order), batch):
            if stop.past(until, time.perf_counter()) or (
                settled_value is not None and settles(master.value(chosen), settled_value)
            ):
                return changes
            persons = order[first : first + batch]
            found = list(map(response, persons) if pool is None else pool.map(response, persons))
            for e, (roster, offers) in zip(persons, found, strict=True):
                if roster is None:
                    continue
                rows = master.columns[chosen[e]][1]
                moved = 0
                if relays is not None and offers is not None:
                    moved = _relayed(master, relays, chosen, staffed, e, roster, offers)
                if moved:
                    changes, changed = changes + moved, True
                    continue
                np.add.at(staffed, rows[rows >= 0], -1)
                at = cover_prices(master, staffed)
                old = master.gain(e, rows, master.costs[chosen[e]], at)
                new = master.gain(e, roster[0], roster[1], at)
                keep = new > old + REDUCED_COST_EPSILON
                if not keep and new > old - REDUCED_COST_EPSILON:  # a tie
                    keep = pricing[e].lone_weekends(roster[0]) < pricing[e].lone_weekends(rows) or (
                        plateau is not None and not np.array_equal(roster[0], rows) and plateau()
                    )
                if keep:
                    chosen[e] = master.add(e, roster[0], roster[1])
                    rows, changed = roster[0], True
                    changes += 1
                np.add.at(staffed, rows[rows >= 0], 1)
    return changes


def _relayed(
    master: Master,
    relays: Relays,
    chosen: dict[int, int],
    staffed: np.ndarray,
    e: int,
    roster: tuple[np.ndarray, float, float],
    offers: Offers,
) -> int:
    """Keep person ``e``'s ``roster`` (rows, request cost, value) with the switches it uses of
    ``offers`` if, together, they lower the objective; ``chosen`` and ``staffed`` ([row]
    staff) are updated in place. Returns how many employees' rosters changed (0: none)."""
    rows, cost = master.columns[chosen[e]][1], master.costs[chosen[e]]
    switched = relays.switches(offers, rows, roster[0], master, chosen)
    if not switched:
        return 0
    changes = {e: (rows, roster[0], cost, roster[1]), **switched}
    if change_cost(changes, staffed, master) >= -REDUCED_COST_EPSILON:
        return 0
    for person, (old, new, _, new_cost) in changes.items():
        np.add.at(staffed, old[old >= 0], -1)
        np.add.at(staffed, new[new >= 0], 1)
        chosen[person] = master.add(person, new, new_cost)
    return len(changes)


@contextmanager
def wider(pricing: Sequence[PersonPricing]) -> Iterator[int]:
    """Within the block, each banded program (not ``exact``) has ``WIDER`` times its budget
    and twice its weekend band; afterwards, its own again. Yields how many were widened."""
    banded = [(p, p.budget, p.weekend_band) for p in pricing if not p.exact]
    for person, budget, band in banded:
        person.fit(budget * WIDER, band * 2)
    try:
        yield len(banded)
    finally:
        for person, budget, band in banded:
            person.fit(budget, band)
