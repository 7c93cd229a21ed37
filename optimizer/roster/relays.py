"""Relays: an employee's best response may take a row that is already fully staffed when one
of the employees working it moves, that same day, to a row left short.

A best response changes one employee's roster against everyone else's, so a row that is met
exactly is worth no more to it than its over-cover weight. Where the rules keep every employee
who is off that day from the short row (successions into and out of it, stretches, the weekend
limit) but let one who works another row that day switch to it, the short row is filled only by
two changes at once: the one on duty switches to the short row, and the responding employee
takes the row they leave. ``Relays.offer`` prices such rows for the responding employee at
the short row's under-cover weight, less the request cost the switch adds; the best response
then keeps the relays its roster uses only where the objective, counted exactly over both
employees' changes, falls (``descent.descend``). On Curtois–Qu Instance24's 600 s roster no
employee off on the day of any of its 113 weekday staff-shifts short could take it; two passes
offering relays wherever a person's own response gained nothing took 280 off that roster
(52,939), and 134 off Instance23's (19,369), where plain passes took 25 and 19.

Each offer moves a different employee and fills a different short place, so every relay a
roster uses can be made at once. The switch keeps the moving employee's rules as the pricing
program states them (``swaps.PairSwaps``' arrays): the rows they may work, successions with the
days beside it, shifts per type and minutes per contract period; their days on duty and
weekends do not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from optimizer.roster.kernels import BOOLS_2D, FLOATS, FLOATS_3D, INT, INTS, INTS_2D, kernel
from optimizer.roster.problem import RosterProblem
from optimizer.roster.swaps import PairSwaps, employee_totals

if TYPE_CHECKING:
    from optimizer.roster.columns import PersonPricing
    from optimizer.roster.master import Master

Change = tuple[np.ndarray, np.ndarray, float, float]
"""An employee's roster change: old rows, new rows (row per day, −1 off), old request cost,
new request cost."""


class Relays:
    """Relay offers for best responses over one roster search's rows."""

    def __init__(
        self, problem: RosterProblem, swaps: PairSwaps, pricing: Sequence[PersonPricing]
    ) -> None:
        self.swaps = swaps
        self.pricing = pricing
        self.row_day = np.array([problem.day_index(row.day) for row in problem.requirements])
        """[row] the day of each requirement row"""
        self.patience = 2
        """how many best responses in a row that gain nothing earn an employee relays"""
        self.stuck: dict[int, int] = {}
        """employee → how many of their last best responses in a row gained nothing"""

    def wanted(self, e: int, gains: bool) -> bool:
        """Whether employee ``e``'s best response, whose own roster ``gains`` (lowers the
        objective) or not, should be priced again with relays: where it is the ``patience``-th
        in a row that gains nothing, or later. The passes set ``patience`` by whether a whole
        pass fits in their turn (``responses._Passes``): at 60 s on Curtois–Qu Instance22,
        whose turns cover a fifth of a pass, relays offered at the first such response took
        the short turns' time from the plain responses that move its cover (48,385 and 40,501
        against 38,128–41,340 without)."""
        if gains:
            self.stuck.pop(e, None)
            return False
        self.stuck[e] = self.stuck.get(e, 0) + 1
        return self.stuck[e] >= self.patience

    def offer(
        self, master: Master, chosen: dict[int, int], alone: np.ndarray, values: np.ndarray, e: int
    ) -> Offers:
        """Relays open to employee ``e``'s best response in the roster ``chosen`` (employee →
        master column): wherever the holder of a row may switch that day to a row short
        without ``e`` (``alone``: [row] staff of everyone but ``e``), ``values`` ([row] what
        ``e`` working the row is worth, weighted units) is raised in place to the short row's
        value less the switch's added request cost. At most one offer per switching employee,
        and no more per short row than it is short."""
        swaps = self.swaps
        work = np.array([master.columns[chosen[x]][1] for x in range(master.employees)])
        shifts = np.where(work >= 0, swaps.row_type[np.maximum(work, 0)], -1)
        rows = len(self.row_day)
        short = np.flatnonzero(alone[:rows] < master.needed[:rows])
        found = _offers(
            work,
            shifts,
            alone,
            master.needed,
            values,
            e,
            short,
            self.row_day,
            swaps.row_type,
            swaps.cost,
            swaps.allowed,
            swaps.follows,
            swaps.units,
            swaps.period,
            swaps.least_units,
            swaps.most_units,
            swaps.most_per_type,
            swaps.weekend_days,
        )
        return Offers(found, np.array([chosen[x] for x in found[:, 1]], dtype=np.int64))

    def switches(
        self,
        offers: Offers,
        old: np.ndarray,
        new: np.ndarray,
        master: Master,
        chosen: dict[int, int],
    ) -> dict[int, Change]:
        """The switches the responding employee's roster ``new`` (row per day, −1 off; ``old``
        before) uses of ``offers``, of employees whose roster has not changed since: a
        relayed row is used where ``new`` works it and ``old`` does not."""
        switched: dict[int, Change] = {}
        for (taken, x, short_row), column in zip(offers.relays, offers.columns, strict=True):
            day = self.row_day[taken]
            if new[day] != taken or old[day] == taken or chosen[x] != column:
                continue
            rows = master.columns[column][1]
            moved = rows.copy()
            moved[day] = short_row
            cost = master.costs[column]
            switched[int(x)] = (rows, moved, cost, self.pricing[x].request_cost(moved))
        return switched


class Offers:
    """Relays offered to one best response, and the switching employees' columns then."""

    def __init__(self, relays: np.ndarray, columns: np.ndarray) -> None:
        self.relays = relays
        """[offer] (row the responding employee takes, employee who switches, the short row
        they switch to)"""
        self.columns = columns
        """[offer] the switching employee's master column when offered"""


def change_cost(changes: dict[int, Change], staffed: np.ndarray, master: Master) -> float:
    """How much the objective rises (weighted units) when each employee of ``changes`` moves
    from its old rows to its new, ``staffed`` ([row] staff now) the cover before: the change
    of the request costs and of the cover weights on the rows they leave and take."""
    after = staffed.copy()
    touched = [np.zeros(0, dtype=np.int64)]
    requests = 0.0
    for old, new, old_cost, new_cost in changes.values():
        np.add.at(after, old[old >= 0], -1)
        np.add.at(after, new[new >= 0], 1)
        touched += [old[old >= 0], new[new >= 0]]
        requests += new_cost - old_cost
    rows = np.unique(np.concatenate(touched))
    needed, under, over = master.needed[rows], master.under[rows], master.over[rows]

    def cover(staff: np.ndarray) -> float:
        return float(
            under @ np.maximum(needed - staff[rows], 0) + over @ np.maximum(staff[rows] - needed, 0)
        )

    return requests + cover(after) - cover(staffed)


@kernel(
    INTS_2D, INTS_2D, FLOATS, FLOATS, FLOATS, INT, INTS, INTS, INTS, FLOATS_3D, BOOLS_2D,
    BOOLS_2D, INTS, INTS_2D, INTS_2D, INTS_2D, INTS_2D, INTS_2D,
)  # fmt: skip
def _offers(work, shifts, alone, needed, values, e, short, row_day, row_type, cost, allowed,
            follows, units, period, least, most, most_per_type, weekend_days):  # fmt: skip
    """``Relays.offer`` compiled: every switch that keeps the switching employee's rules and
    is worth more to ``e`` than the row's own value, then the most valuable taken first, each
    employee, relayed row and short place once."""
    employees, days = shifts.shape
    per_period, per_type, _ = employee_totals(
        shifts, units, period, least.shape[1], most_per_type.shape[1], weekend_days
    )
    found_value = np.zeros(short.shape[0] * employees)
    found = np.zeros((short.shape[0] * employees, 3), dtype=np.int64)
    count = 0
    for r in short:
        d, to = row_day[r], row_type[r]
        for x in range(employees):
            held = work[x, d]
            if x == e or held < 0 or alone[held] < needed[held] or not allowed[x, r]:
                continue
            was = shifts[x, d]
            if d > 0 and shifts[x, d - 1] >= 0 and not follows[shifts[x, d - 1], to]:
                continue
            if d + 1 < days and shifts[x, d + 1] >= 0 and not follows[to, shifts[x, d + 1]]:
                continue
            if to != was and per_type[x, to] + 1 > most_per_type[x, to]:
                continue
            p = period[x, d]
            total = per_period[x, p] + units[to] - units[was]
            if total < least[x, p] or total > most[x, p]:
                continue
            value = values[r] - (cost[x, d, to + 1] - cost[x, d, was + 1])
            if value <= values[held] + 1e-9:
                continue
            found_value[count] = value
            found[count, 0], found[count, 1], found[count, 2] = held, x, r
            count += 1
    gap = needed - alone
    used_employee = np.zeros(employees, dtype=np.bool_)
    used_row = np.zeros(values.shape[0], dtype=np.bool_)
    offers = np.zeros((count, 3), dtype=np.int64)
    made = 0
    for k in np.argsort(-found_value[:count]):
        held, x, r = found[k, 0], found[k, 1], found[k, 2]
        if used_row[held] or used_employee[x] or gap[r] < 1:
            continue
        used_row[held], used_employee[x] = True, True
        gap[r] -= 1
        values[held] = found_value[k]
        offers[made] = found[k]
        made += 1
    return offers[:made]
