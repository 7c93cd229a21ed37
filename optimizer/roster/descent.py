"""Best-response passes over a whole roster (block coordinate descent): each person in turn
gets their most valuable roster given everyone else's, at row prices equal to each row's
marginal cover value (its under-cover weight while it is short, minus its over-cover
weight once full). The cover terms are separable per row, so this is the person's exact
effect on the objective: a pass never raises it.

A banded pricing program (``EmployeeRules.fitted``: minutes and weekends worked kept near
their pro-rata path) sees only part of a person's rosters, so its passes stop at a roster
that wider programs still improve (``wider``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

from optimizer import stop
from optimizer.roster.master import REDUCED_COST_EPSILON, Master

if TYPE_CHECKING:
    from optimizer.roster.columns import PersonPricing

WIDER = 4
"""``wider`` gives each banded program this many times its budget and twice its weekend
band. On Curtois–Qu Instance24 (150 staff, 52 weeks) a pass takes about twice as long (60 s
against 28 s); from a 120 s column-generation roster (150,525) one pass reached 131,624,
where banded passes from its construction had stopped at 146,575. Sixteen times the budget
found little more, at three to five times the time per employee."""


def cover_prices(master: Master, staffed: np.ndarray) -> np.ndarray:
    """A price vector whose row prices are each row's marginal cover value with ``staffed``
    ([row] persons working it) everyone else's."""
    return master.prices(np.where(staffed < master.needed, master.under, -master.over))


def descend(
    master: Master,
    pricing: Sequence[PersonPricing],
    chosen: dict[int, int],
    order: Sequence[int],
    until: float,
) -> int:
    """Best-response passes over the persons in ``order`` until one changes nothing or
    ``until`` (a ``time.perf_counter()`` reading, or a stop request). ``chosen`` (person →
    column, everyone) is updated in place; returns how many persons' rosters changed."""
    staffed = np.zeros(master.rows)
    for column in chosen.values():
        rows = master.columns[column][1]
        np.add.at(staffed, rows[rows >= 0], 1)
    changes, changed = 0, True
    while changed and not stop.past(until, time.perf_counter()):
        changed = False
        for e in order:
            if stop.past(until, time.perf_counter()):
                break
            rows = master.columns[chosen[e]][1]
            np.add.at(staffed, rows[rows >= 0], -1)
            at = cover_prices(master, staffed)
            found = pricing[e].price(at)
            old = master.gain(e, rows, master.costs[chosen[e]], at)
            if found is not None and found[2] > old + REDUCED_COST_EPSILON:
                chosen[e] = master.add(e, found[0], found[1])
                rows, changed = found[0], True
                changes += 1
            np.add.at(staffed, rows[rows >= 0], 1)
    return changes


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
