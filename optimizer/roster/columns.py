"""A start roster by column generation and diving, for the roster engine's neighbourhood search.

The master problem chooses one roster ("column") per employee: a linear program in HiGHS with
one equality per requirement row (staff + short − over = needed, the slacks weighted as in
``rules.cover_demand``) and one convexity row per employee. Columns come from
``pricing.best_roster``, which keeps every hard rule, the per-type shift limits it
tracks included. The limits it does not track are priced with a per-employee, per-type
penalty that rises while the priced roster breaks the limit and decays while it does not;
rosters that still break a limit are not added. An employee is priced without tracked counts
until a roster breaks a tracked limit (tracking multiplies the program's states). Each
employee's program gets a share of ``ROUND_BUDGET``; beyond it the program keeps minutes and
weekends within bands (``EmployeeRules.fitted``), so large problems are priced in time,
unless the time column generation has lets every program be exact (``EXACT_PER_MINUTE``).

The first columns are a whole roster built before any linear program (``_construct``), so
there is a roster whatever the size. Where that roster is likely the search's start and the
staff's weekends cannot cover weekend demand, a plan of everyone's weekends
(``weekends``) guides it. ``capacity_bound`` (staff-shifts counted) with
``least_own_costs`` (each person's least request cost), that plan's bound on the weekend
days' cost (its MIP solved for the bound alone where no plan guides the construction, or
where the over-cover the contracts force, ``StaffShiftCount.forced_over``, adds more to it than the
weekdays' own) and, after the first linear program, ``lagrangian_bound`` give lower bounds
on every roster's objective.

The first linear program is solved by HiGHS's interior point method once its simplex solves
grow slow (``Master.interior``), the dive's by the primal simplex from the last basis. The
dive fixes, step by step, the employees whose roster the linear program already chooses
(share ≥ ``SETTLED``) and pins days of the others: the days on which their rosters holding
most of the program agree (``PIN_SHARES``; a day pinned to a row or to a day off,
``pins``). Columns that break a pin leave the program, the pricing program keeps every pin,
and columns are generated again for the open employees, until every employee has one roster
(when nothing can be pinned, 1 + (employees left) // ``DIVE_STEPS`` of the most chosen
rosters are fixed whole). When that leaves twice the time it took, a second dive fixing
whole rosters only starts again from the first linear program (``_dive_whole``; a starved
one is abandoned).
Best-response passes (``descent``) then mend the better dive's roster in the last
``MEND_SHARE`` of the time (``_mend``: a dive out of time may leave rows short), and the
better of it and the construction is kept; where the search's own passes follow and the
mending passes were still falling faster than the dive's roster lies above the
construction's, the dive's roster is kept (``column_generation(passes_follow=)``). When
time is left, a HiGHS MIP over all columns generated, started from that roster, may find a
better choice (``Master.polish``), and repairs re-dive random employees. When the first
linear program stalls at the construction's roster and a search follows, the construction's
roster is handed over (``_generate``, ``_Stalled``) after best-response passes whose banded
employees are priced by wider programs (``descent``). The construction's own passes use
them too when the engine will not search CP-SAT's whole model (``wider``).

Column generation covers own staff working requirement rows or on call for their reserve
targets, under the hard rules the pricing program keeps (``blockers`` says why a problem is
not one), and partners' staff lent for reserve places (``lending``: one more person each,
after the own staff, whose columns are their lent days). Request costs and partners' costs
are part of each column. The fairness goal (the spread of weekend days and night shifts
worked over the employees) is in the master: per load a most and a least variable and two
rows per employee, whose duals price each weekend day and night shift in the pricing
program (``loads``). Against a previous roster the stability goal is in each employee's
pricing program (``stability``: a published duty's row earns the weight, a duty on a
published day off costs it), and its frozen days are pins the dive never lifts.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from optimizer import stop
from optimizer.roster import descent, weekend_count, weekends
from optimizer.roster.eligibility import may_staff
from optimizer.roster.lending import LenderPricing, lender_pricing
from optimizer.roster.loads import LOADS, cell_loads, lagrangian_term
from optimizer.roster.master import REDUCED_COST_EPSILON, Duty, Master, reserve_row_of
from optimizer.roster.over_cover import forced_over_cover
from optimizer.roster.pins import FREE, days_to_pin, keeps_pins
from optimizer.roster.pricing import (
    SATURDAY,
    SUNDAY,
    UNREACHABLE,
    WEEKEND_BAND,
    EmployeeRules,
    best_roster,
    employee_rules,
    lone_weekends,
    on_call_rules,
)
from optimizer.roster.problem import RosterProblem
from optimizer.roster.rules import unpriced_rules
from optimizer.roster.settings import RosterSettings
from optimizer.roster.stability import PublishedRoster, published_rosters
from optimizer.roster.stretch_count import short_in_runs
from optimizer.solve import settled_at, settles

SETTLED = 0.99
"""An employee whose roster has at least this share in the linear program is fixed to it."""
SMOOTHING = 0.8
"""Weight of the previous chunk's prices in the next chunk's (dual smoothing, ``_generate``)."""
FIRST_PASS_SHARE = 0.5
"""Share of the time before the deadline that the construction's first pass aims at: past
that pace it prices the employees left by the quicker ``_Pricing.first_roster``."""
CONSTRUCT_SHARE = 0.8
"""Share of the time before the deadline after which the constructed roster is no longer
improved. Its passes end sooner when one changes nothing: within 1.7 s on Curtois–Qu 1–12,
4 s on 18, 23 s on 17 (load 5); on 19 they took 24 s after a first pass of 8 s and
lowered its roster from 19,706 to 8,686, where the dive reached 15,425 in 60 s."""
ROOT_SHARE = 0.5
"""Share of the time before the deadline that the first linear program may take."""
PRICING_THREADS = 2
"""Employees priced at once (the dynamic program runs without the interpreter lock)."""
DIVE_STEPS = 20
"""Each fixing step fixes at least 1 + (employees left) // DIVE_STEPS employees."""
PIN_SHARES = (0.75, 0.51)
"""The dive pins the days on which an open employee's rosters holding at least the first
share of the linear program agree (``_pin``); while no employee has such a day, the share
is lowered by a tenth at a time, down to the second."""
STARVED_STEPS = 3
"""A dive whose first this many steps that moved the linear program all run out of time is
starved: its steps do not converge (Curtois–Qu 19 and 20 when the dive fixed whole rosters
only: 1.5–3.5 s each where a converged one took 6–41 s). When a search follows, column
generation then ends halfway to its deadline (``_dive``)."""
MEND_SHARE = 0.05
"""Share of the time left after the first linear program that the dives leave to the
best-response passes after them (``_mend``); what the passes leave goes to the polish and
the repairs."""
POLISH_SHARE = 0.5
"""The MIP polish may take this share of the time column generation and the dive took."""
COUNT_BOUND = "the staff-shift count with each person's least request cost"
"""What gives the counting bound (``capacity_bound`` + ``least_own_costs``), as the notes
name it."""
WEEKEND_BOUND = "the weekend plan"
"""What gives the weekend plan's bound (``weekends.WeekendPlan.bound``), as the notes name
it."""
WEEKEND_OVER_BOUND = "the weekend plan with the over-cover the contracts force"
"""What gives ``weekends.weekend_bound`` where it counts ``StaffShiftCount.forced_over`` in
place of the weekdays' own over-cover (``weekends.bound_rises``), as the notes name it."""
WEEKEND_BOUND_SHARE = 0.1
"""Where no weekend plan guides the construction (or ``weekends.bound_rises``), the plan's MIP
may take this share of the time left after the construction for its bound alone
(``weekends.weekend_bound``): Curtois–Qu Instance23's bound was 2,768 from the count, 14,644
from the plan (19 s to the MIP's first bound) and 15,851 with all the over-cover the
contracts force; Instance21's 9,813, 19,614 (2 s) and 20,138."""
REPAIR_SHARE = 0.4
"""Share of the employees a repair frees (at least 2)."""
REPAIR_PATIENCE = 20
"""Repairs stop after this many in a row without improvement."""
ROUND_BUDGET = 1_000_000_000
"""Most states × days × type groups of one pricing round over all employees: each
employee's program gets its share, within ``EMPLOYEE_BUDGET`` (``EmployeeRules.fitted``;
about 13 ns per unit when it was set, 2.3–7.3 times less since the program's flat layout).
Larger programs keep the minutes and weekends worked within bands around their pro-rata
path (Curtois–Qu Instances 19–24; 1–12 fit)."""
EMPLOYEE_BUDGET = (2_000_000, 100_000_000)
"""Least and most states × days × type groups of one employee's pricing program."""
EXACT_PER_MINUTE = 1_000_000_000
"""When the own employees' exact programs (``EmployeeRules.exact_size``) sum to at most this
many states × days × type groups per minute of the time the pricing serves (column
generation's, ``Master.deadline``), every one is exact, beyond its share of
``ROUND_BUDGET``: a banded linear program's optimum may lie above the best roster.
Curtois–Qu Instance19's 40 programs sum to 1.45 × 10⁹, 25 of them beyond their share: its
first linear program converged at 3,192.8 banded, 3,147.5 exact (best known 3,149), in
50 s instead of 28 s; exact from 87 s of column generation on. 1–12, 17, 18 and 20 fit
``ROUND_BUDGET`` anyway; 21–24 sum to 1.8 × 10¹⁰ (21) and more."""
EXACT_MOST = 200_000_000
"""The largest program ``EXACT_PER_MINUTE`` makes exact: a program holds about 5 bytes ×
states × days (at most 1 GB at this size, ``PRICING_THREADS`` at a time; Instance19's largest,
1.34 × 10⁸ in 4 type groups, 168 MB)."""
WIDEN = 8
"""A banded program that finds no roster is run again with this many times the budget
(again until it finds one or is exact)."""
PRICING_CHUNK = 16
"""Employees priced between two solves of the linear program (``_generate``)."""
STALLED_SHARE = 0.5
"""Share of the time from its first solve to when the search should have the roster after which
a first linear program that adds columns and stays at its first solve's value (or, from the
first pass's roster, above the constructed roster's) has stalled unless on pace to fall
below it by then (``_generate``; at the latest at its own deadline). Curtois–Qu 1–12 and
17–19 move within 1–2 s. On a 28-day, 120-staff, 32-type cut of Instance24 at 60 s (the
held-back Instance13's shape) the program moved after about 45 solves, 5–6 s after its
first, near the end of its 6 s: a quarter of its own time (1.3 s, the rule before) handed it
over unmoved, and the run ended at 433–462 in three runs; at this share, 355–518 in nine
(seven of them 355–400). Instance22 at 600 s moved only after 55 s or more: stalled at 89 s
it ended at 33,996–34,381, but stalled no earlier than the search's time (150 s) it moved,
its dive starved, and it ended at 34,598; this share stalls it at about 92 s. From the first
pass's roster (the start when a search follows) it is on pace at 92 s and falls below the
constructed roster's 43,530 at 103 s (33,320 and 33,386 against 33,714–34,381)."""
GOLDEN = (math.sqrt(5) - 1) / 2
"""Step of the sequence that spreads a construction's ties over the horizon."""


def blockers(problem: RosterProblem, settings: RosterSettings) -> list[str]:
    """Why column generation cannot roster ``problem`` (empty: it can): no employees, or a
    binding hard rule that the pricing program does not keep."""
    reasons = []
    if not problem.employees:
        reasons.append("there are no employees to price")
    reasons += [
        f"the rule '{rule.name}' is not kept by the pricing program"
        for rule in unpriced_rules(problem, settings)
    ]
    return reasons


@dataclass
class _Pricing:
    """One employee's pricing data: where they may work, what requests cost them, and the
    penalties on their per-type shift limits."""

    rules: EmployeeRules
    """the employee's rules over ``types`` alone"""
    types: np.ndarray
    """the shift types the employee may work somewhere (indices into the problem's)"""
    cells: np.ndarray
    """flat (day × shift types + shift type) of each requirement row the employee may work"""
    rows: np.ndarray
    """the requirement row of each entry of ``cells``"""
    work_cost: np.ndarray
    """[day, shift type] request cost of working that shift"""
    off_cost: np.ndarray
    """[day] request cost of a day off"""
    loads: np.ndarray
    """[load, day, type] what working the type on the day adds to each fairness load
    (``loads.cell_loads``)"""
    load_at: int
    """where the employee's load prices start in a price vector (``Master.priced``)"""
    budget: int
    """most states × days × type groups of the employee's program (``EmployeeRules.fitted``)"""
    weekend_band: int = WEEKEND_BAND
    """weekends-worked values a banded program keeps (``EmployeeRules.fitted``)"""
    published: PublishedRoster | None = None
    """the employee's part of a previous roster (``stability``), if any"""
    penalty: np.ndarray = field(init=False)
    """[shift type] current penalty per shift of the type (cost units)"""
    step: np.ndarray = field(init=False)
    """[shift type] the next rise of ``penalty``: doubles while the limit keeps breaking"""
    loose: EmployeeRules = field(init=False)
    """``rules`` without tracked type counts: used until a priced roster breaks the limit
    of a type that ``rules`` tracks (tracking costs up to 8× the time on Instance12)"""
    tracking: bool = field(init=False, default=False)
    pinned: np.ndarray = field(init=False)
    """[day] the pin of each day (``pins.FREE``, −1 off or a requirement row): the frozen
    days' and the dive's; every roster priced keeps them"""
    kept_value: np.ndarray = field(init=False)
    """[entry of ``rows``] what working that row earns by keeping a published duty"""
    row_order: np.ndarray = field(init=False)
    """the entries of ``rows`` in increasing row order (to find a row's entry)"""
    behind: bool = field(init=False, default=False)
    """the weekend band of the last pricing centred on a roster was one lower
    (``EmployeeRules.weekend_low``); each such pricing takes the other band"""
    lone_weekend_cost: float = field(init=False, default=0.0)
    """cost units the program takes off each weekend worked on one day only
    (``best_roster``): set by the best-response passes of ``responses``"""
    weekend_centre: np.ndarray | None = field(init=False, default=None)
    """[day] a weekend plan's days worked (≥ 0) and not (−1) that the weekend band of a
    program not centred on a roster keeps to (``best_roster(weekend_around=)``): set for
    the construction's first pass (``_weekends_kept_to``)"""

    def __post_init__(self) -> None:
        self.pinned = np.full(len(self.off_cost), FREE, dtype=np.int64)
        self.kept_value = np.zeros(len(self.rows))
        self.row_order = np.argsort(self.rows, kind="stable")
        if self.published is not None:
            self.pinned[:] = self.published.frozen
            self.kept_value[np.isin(self.rows, self.published.rows)] = self.published.weight
        self.penalty = np.zeros(len(self.types))
        self.step = np.ones(len(self.types))
        self.loose = self.rules.untracked().fitted(self.budget)
        self.rules = self.rules.fitted(self.budget)

    @property
    def exact(self) -> bool:
        """Whether the pricing finds the employee's best roster (no band restricts it)."""
        return self.loose.exact and self.rules.exact

    def fit(self, budget: int, weekend_band: int) -> None:
        """Fit the programs to ``budget`` and ``weekend_band`` (``EmployeeRules.fitted``)."""
        self.budget, self.weekend_band = budget, weekend_band
        self.loose = self.loose.fitted(budget, weekend_band)
        self.rules = self.rules.fitted(budget, weekend_band)

    def shrink(self, budget: int) -> None:
        """Keep the program within ``budget`` (if it is smaller than the current one)."""
        if budget < self.budget:
            self.fit(budget, self.weekend_band)

    def _widen(self) -> None:
        """Widen the bands after a banded program found no roster: the weekend band twice as
        wide (the same budget: a narrow weekend band is what fails tight employees, e.g.
        232–234 shifts and 26 of 52 weekends on Curtois–Qu Instance22) while it is narrower
        than the weekends, else ``WIDEN`` × the budget."""
        program = self.rules if self.tracking else self.loose
        if program.weekend_band is not None and program.weekend_band <= program.max_weekends:
            self.fit(self.budget, self.weekend_band * 2)
        else:
            self.fit(self.budget * WIDEN, self.weekend_band)

    def bounds_exactly(self, quick: bool) -> bool:
        """Whether ``best_value`` prices on every rule but the shift-type limits the
        program does not track, rather than without the minutes, weekend and type limits."""
        return self.loose.exact and not quick

    def best_value(self, duals: np.ndarray, *, quick: bool = False) -> float:
        """At least the value of the employee's best roster at row prices ``duals`` (the
        duals of its rows minus its request cost): the best roster's value under rules
        relaxed to what the program computes exactly within the budget (the type limits
        ``rules`` does not track where it is exact, else every type limit, and when the
        minutes and weekends need bands or ``quick``, those too). Curtois–Qu Instance19
        priced exactly: its bound 3,148 with the tracked limits, 3,077 without (best known
        3,149)."""
        gains, _ = self._gains(duals)
        if self.rules.exact and not quick:
            rules = self.rules
        elif self.bounds_exactly(quick):
            rules = self.loose
        else:
            rules = self.loose.relaxed()
        work_value = np.where(
            gains > UNREACHABLE, gains - self.work_cost[:, self.types], UNREACHABLE
        )
        found = best_roster(rules, work_value, self._off_value())
        return -np.inf if found is None else found[1] - self._published_cost()

    def _gains(self, duals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(``[day, type]`` the best row price the employee may earn by working that shift,
        ``UNREACHABLE`` where they may not; ``[day × all types]`` that row)."""
        days, shifts = self.work_cost.shape
        gains = np.full(days * shifts, UNREACHABLE)
        row_of_cell = np.full(days * shifts, -1, dtype=np.int64)
        values = duals[self.rows] + self.kept_value
        pin = self.pinned[self.cells // shifts]
        values = np.where((pin == FREE) | (pin == self.rows), values, UNREACHABLE)
        order = np.lexsort((-values, self.cells))
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.cells[order][1:] != self.cells[order][:-1]
        picked = order[first]
        gains[self.cells[picked]] = values[picked]
        row_of_cell[self.cells[picked]] = self.rows[picked]
        gains = gains.reshape(days, shifts)[:, self.types]
        loads = self._load_value(duals)
        if loads is not None:
            gains = np.where(gains > UNREACHABLE, gains + loads, UNREACHABLE)
        return gains, row_of_cell

    def _load_value(self, duals: np.ndarray) -> np.ndarray | None:
        """``[day, type]`` what working adds to the roster's value through the fairness
        loads' prices in ``duals``; ``None`` when they are all 0."""
        prices = duals[self.load_at : self.load_at + len(LOADS)]
        if not prices.any():
            return None
        return np.tensordot(prices, self.loads, axes=1)

    def price(
        self,
        duals: np.ndarray,
        tries: int = 4,
        *,
        certain: bool = False,
        around: np.ndarray | None = None,
        again: bool = False,
    ) -> tuple[np.ndarray, float, float] | None:
        """The employee's most valuable roster at row prices ``duals`` within every limit.

        Args:
            duals: price of each requirement row.
            tries: programs run with penalties on the per-type limits they do not track.
            certain: when the tries leave a limit broken, allow each type whose limit
                breaks on as many days as its limit (those the last roster worked it) and
                run again, until every limit holds (at most once per type): a roster is
                found whenever the program finds one at all.
            around: a roster of the employee (row per day, −1 off) that a banded program
                centres its bands on (``best_roster``), so that it stays in reach: for a
                best response, which may then move the roster's work anywhere within them.
                Each such pricing of the employee takes the other of the two weekend bands
                (``behind``), so that weekends move both ways over the passes.
            again: a centred pricing keeps the weekend band of the last one (the same
                response priced again at other prices).

        Returns:
            (requirement row per day, −1 off; the roster's request cost; its value, the
            duals of its rows minus its cost), or ``None`` when no priced roster kept the
            per-type limits.
        """
        gains, row_of_cell = self._gains(duals)
        reachable = gains > UNREACHABLE
        work_cost = self.work_cost[:, self.types]
        centre = None if around is None else self._types_worked(around)
        if centre is not None and not again:
            self.behind = not self.behind
        for _ in range(tries):
            work_value = np.where(reachable, gains - work_cost - self.penalty, UNREACHABLE)
            found = self._program(work_value, centre)
            if found is None:
                return None
            counts = self._counts(found)
            excess = counts > self.rules.max_per_type
            tracked = self.rules.count_step > 0
            if not self.tracking and (excess & tracked).any():
                self.tracking = True
                self.penalty[tracked] = 0.0
            self.penalty[excess] += self.step[excess]
            self.step[excess] *= 2
            self.step[~excess] = 1.0
            self.penalty[~excess & (counts < self.rules.max_per_type)] *= 0.8
            if not excess.any():
                return self._column(found, row_of_cell, duals)
        if not certain:
            return None
        allowed = reachable.copy()
        for _ in range(len(self.types) + 1):
            found = self._program(np.where(allowed, gains - work_cost, UNREACHABLE), centre)
            if found is None:
                return None
            excess = np.flatnonzero(self._counts(found) > self.rules.max_per_type)
            if not excess.size:
                return self._column(found, row_of_cell, duals)
            limit_type = self.rules.limit_type
            for t in excess:
                counted = limit_type[np.clip(found, 0, None)] == limit_type[t]
                worked = np.flatnonzero(counted & (found >= 0))
                # pinned days first: trimming one away would leave its day no choice
                worked = worked[np.argsort(self.pinned[worked] < 0, kind="stable")]
                kept = worked[: self.rules.max_per_type[t]]
                allowed[:, t] = False
                allowed[kept, t] = reachable[kept, t]
        return None

    def _counts(self, found: np.ndarray) -> np.ndarray:
        """``[type]`` the shifts the roster ``found`` (type index per day, −1 off) counts
        against each type's limit (those of every type with the same ``limit_type``)."""
        limit_type = self.rules.limit_type
        worked = limit_type[found[found >= 0]]
        return np.bincount(worked, minlength=len(self.types))[limit_type]

    def first_roster(
        self, duals: np.ndarray, shift: float
    ) -> tuple[np.ndarray, float, float] | None:
        """A roster within every limit at row prices ``duals`` by at most two programs, as
        ``price`` returns it. The first keeps every limit but the per-type ones; when it
        breaks one, each type whose limit is below its open days is allowed only on as many
        days as its limit: the days the first roster worked it (the most valuable ones if
        too many), then its most valuable other days (ties go to days spread over the
        horizon, a golden-ratio sequence offset by ``shift``, in [0, 1)), so the second
        program's roster breaks none. When that leaves no roster, ``price`` with
        ``certain`` decides."""
        gains, row_of_cell = self._gains(duals)
        reachable = gains > UNREACHABLE
        value = gains - self.work_cost[:, self.types]
        found = self._program(np.where(reachable, value, UNREACHABLE))
        if found is None:
            return None
        limits, limit_type = self.rules.max_per_type, self.rules.limit_type
        if (self._counts(found) <= limits).all():
            return self._column(found, row_of_cell, duals)
        allowed = reachable.copy()
        spread = (np.arange(len(value)) * GOLDEN + shift) % 1.0
        for t in np.unique(limit_type):
            counted = np.flatnonzero(limit_type == t)
            open_days = np.flatnonzero(reachable[:, counted].any(axis=1))
            if len(open_days) <= limits[t]:
                continue
            worked = np.isin(found[open_days], counted).astype(np.int64)
            best = np.where(reachable[:, counted], value[:, counted], -np.inf).max(axis=1)
            pinned = (self.pinned[open_days] >= 0).astype(np.int64)  # kept first, as above
            keys = (spread[open_days], -best[open_days], -worked, -pinned)
            ranked = open_days[np.lexsort(keys)]
            allowed[np.ix_(ranked[limits[t] :], counted)] = False
        kept = self._program(np.where(allowed, value, UNREACHABLE))
        if kept is None:
            return self.price(duals, tries=0, certain=True)
        return self._column(kept, row_of_cell, duals)

    def reset(self) -> None:
        """Forget the penalties and tracking that earlier pricing learnt (the construction's
        prices are not the linear program's)."""
        self.penalty[:], self.step[:], self.tracking = 0.0, 1.0, False

    def unpin(self) -> None:
        """Lift the dive's pins (the frozen days stay)."""
        self.pinned[:] = FREE if self.published is None else self.published.frozen

    def _published_cost(self) -> float:
        """What every roster owes the stability goal before the published duties it keeps:
        the weight of each of the employee's published assignments."""
        published = self.published
        return 0.0 if published is None else published.weight * published.assignments

    def _program(
        self, work_value: np.ndarray, around: np.ndarray | None = None
    ) -> np.ndarray | None:
        """The type index worked per day (−1 off) of the best roster at ``work_value``, by
        the program with or without tracked counts (``tracking``), its bands centred on the
        roster ``around`` (type index per day) when given, its weekend band as ``behind``
        says; a banded program that finds none is widened (``_widen``) until it finds one or
        is exact."""
        off_value = self._off_value()

        def best() -> tuple[np.ndarray, float] | None:
            program = self.rules if self.tracking else self.loose
            behind = self.behind and around is not None
            return best_roster(
                program,
                work_value,
                off_value,
                around,
                behind=behind,
                lone_weekend_cost=self.lone_weekend_cost,
                weekend_around=self.weekend_centre,
            )

        found = best()
        while found is None and not (self.rules if self.tracking else self.loose).exact:
            self._widen()
            found = best()
        return None if found is None else found[0]

    def request_cost(self, rows: np.ndarray) -> float:
        """The request cost (with the stability goal's, if any) of the employee's roster
        working ``rows`` (row per day, −1 off)."""
        return self._cost(rows, self._types_worked(rows))

    def lone_weekends(self, rows: np.ndarray) -> int:
        """How many weekends the roster working ``rows`` (row per day, −1 off) works on one
        day only, where the weekend limit binds; 0 while the program prices none
        (``lone_weekend_cost``)."""
        if not self.lone_weekend_cost:
            return 0
        return lone_weekends(self.rules, rows >= 0)

    def _cost(self, rows: np.ndarray, found: np.ndarray) -> float:
        """``request_cost`` of ``rows``, whose type index per day (−1 off) is ``found``."""
        worked = found >= 0
        cost = float(
            self.work_cost[np.flatnonzero(worked), self.types[found[worked]]].sum()
            + self.off_cost[~worked].sum()
        )
        if self.published is not None:
            kept = np.isin(rows[worked], self.published.rows).sum()
            cost += self._published_cost() - self.published.weight * float(kept)
        return cost

    def _types_worked(self, rows: np.ndarray) -> np.ndarray:
        """``[day]`` the index into ``types`` of the shift type worked in ``rows`` (the
        employee's row per day, −1 off), −1 off."""
        worked = rows >= 0
        order = self.row_order
        entry = order[np.searchsorted(self.rows, rows[worked], sorter=order)]
        types = np.full(len(rows), -1, dtype=np.int64)
        types[worked] = np.searchsorted(self.types, self.cells[entry] % self.work_cost.shape[1])
        return types

    def _off_value(self) -> np.ndarray:
        """[day] the value of a day off: minus its request cost, ``UNREACHABLE`` on the days
        pinned to a row."""
        return np.where(self.pinned >= 0, UNREACHABLE, -self.off_cost)

    def _column(
        self, found: np.ndarray, row_of_cell: np.ndarray, duals: np.ndarray
    ) -> tuple[np.ndarray, float, float]:
        """The roster working type index ``found`` per day as (requirement row per day, its
        request cost, its value at ``duals``); ``row_of_cell``: the row of each cell."""
        days, shifts = self.work_cost.shape
        worked = found >= 0
        day_index = np.arange(days)
        rows = np.where(worked, row_of_cell[day_index * shifts + self.types[found]], -1)
        cost = self._cost(rows, found)
        value = float(duals[rows[worked]].sum()) - cost
        loads = self._load_value(duals)
        if loads is not None:
            value += float(loads[day_index[worked], found[worked]].sum())
        return rows, cost, value


PersonPricing = _Pricing | LenderPricing
"""An own employee's or a partner's shared employee's pricing."""


def employee_pricing(
    problem: RosterProblem,
    settings: RosterSettings,
    published: Sequence[PublishedRoster] | None = None,
    seconds: float = 0.0,
) -> list[_Pricing]:
    """Every employee's pricing data: the rows they may work or be on call for (eligible,
    available) and the request costs of each duty and of each day off, in ``settings``'
    units, with the stability goal's and the frozen days' of a previous roster
    (``published``: ``stability.published_rosters``) when given. With on-call reserve asked
    for, the program's types are the shift types and then on-call duty in each
    (``pricing.on_call_rules``). Eligibility is decided once per post (site, shift type,
    skill), not per row. Each program gets its share of ``ROUND_BUDGET``, or is exact when
    all of them exact fit ``EXACT_PER_MINUTE`` for the ``seconds`` the pricing serves and
    none is larger than ``EXACT_MOST``."""
    days, shift_types = problem.horizon_days, problem.shift_types
    shift_index = {shift.shift_id: s for s, shift in enumerate(shift_types)}
    row_day = np.array([problem.day_index(row.day) for row in problem.requirements], np.int64)
    row_shift = np.array([shift_index[row.shift_id] for row in problem.requirements], np.int64)
    posts: dict[tuple[str, str, str], list[int]] = {}
    for r, row in enumerate(problem.requirements):
        posts.setdefault((row.site, row.shift_id, row.skill), []).append(r)
    in_horizon = (row_day >= 0) & (row_day < days)
    reserve_row = reserve_row_of(problem)
    budget = int(np.clip(ROUND_BUDGET // max(len(problem.employees), 1), *EMPLOYEE_BUDGET))
    needed = np.array([row.staff_needed for row in problem.requirements], np.float64)
    rows = (row_day, row_shift, in_horizon, reserve_row, needed)
    priced_rows = len(problem.requirements) + int((reserve_row >= 0).sum())
    pricing = [
        _employee_pricing(
            problem,
            settings,
            e,
            posts,
            rows,
            budget,
            priced_rows,
            None if published is None else published[e],
        )
        for e in range(len(problem.employees))
    ]
    sizes = [employee.rules.exact_size for employee in pricing]
    if sum(sizes) <= EXACT_PER_MINUTE * seconds / 60 and max(sizes, default=0) <= EXACT_MOST:
        for employee, size in zip(pricing, sizes, strict=True):
            employee.fit(max(size, budget), employee.weekend_band)
    return pricing


def priced_exactly(problem: RosterProblem, settings: RosterSettings) -> bool:
    """Whether every employee's pricing program is exact (no band restricts it, see
    ``_Pricing.exact``) within its share of ``ROUND_BUDGET``, so that column generation's
    linear program is whatever its time (``EXACT_PER_MINUTE`` may make it exact with
    time)."""
    return all(employee.exact for employee in employee_pricing(problem, settings))


def person_pricing(
    problem: RosterProblem,
    settings: RosterSettings,
    master: Master,
    previous: pd.DataFrame | None = None,
) -> list[PersonPricing]:
    """The pricing of every person of ``master``: the own employees' (``employee_pricing``,
    for the time to the ``master``'s deadline), then the partners' shared employees'
    (``lending``), with the stability goal and the frozen days of the ``previous`` roster
    (columns of ``Roster.assignments``), if any."""
    lenders = lender_pricing(problem, settings, master.reserve_of, master.work_rows)
    published = None
    if previous is not None:
        published = published_rosters(problem, settings, previous, reserve_row_of(problem))
        for lender, roster in zip(lenders, published[master.employees :], strict=True):
            lender.frozen = roster.frozen
    seconds = master.deadline - time.perf_counter()
    return [*employee_pricing(problem, settings, published, seconds), *lenders]


def _employee_pricing(
    problem: RosterProblem,
    settings: RosterSettings,
    e: int,
    posts: dict[tuple[str, str, str], list[int]],
    row_arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    budget: int,
    priced_rows: int,
    published: PublishedRoster | None,
) -> _Pricing:
    """Employee ``e``'s pricing data (see ``employee_pricing``; ``posts``: the rows of each
    post; ``row_arrays``: each row's day and shift type index, whether its day is in the
    horizon, its reserve's master row (−1 without) and its staff needed; ``budget``: the
    size of their program, see ``_Pricing.budget``; ``priced_rows``: the master's
    requirement and reserve rows, after which the load prices follow; ``published``: their
    part of a previous roster)."""
    row_day, row_shift, in_horizon, reserve_row, needed = row_arrays
    employee = problem.employees[e]
    days, shift_types = problem.horizon_days, problem.shift_types
    shift_index = {shift.shift_id: s for s, shift in enumerate(shift_types)}
    eligible = np.zeros(len(problem.requirements), dtype=bool)
    for (_, shift_id, _), post_rows in posts.items():
        first = problem.requirements[post_rows[0]]
        eligible[post_rows] = may_staff(employee, first, shift_types[shift_index[shift_id]])
    unavailable = np.zeros(days + 1, dtype=bool)
    off_days = [problem.day_index(day) for day in employee.unavailable]
    unavailable[[d for d in off_days if 0 <= d < days]] = True
    rows = np.flatnonzero(eligible & in_horizon & ~unavailable[np.clip(row_day, 0, days)])
    demand = np.bincount(row_day[rows], needed[rows], days)
    on_call = bool((reserve_row >= 0).any())
    types_in_program = len(shift_types) * (2 if on_call else 1)
    # a cell is day × program types + type; on-call duty in shift type s is type |types| + s
    reserve = rows[reserve_row[rows] >= 0]
    cells = np.concatenate(
        [
            row_day[rows] * types_in_program + row_shift[rows],
            row_day[reserve] * types_in_program + len(shift_types) + row_shift[reserve],
        ]
    )
    rows = np.concatenate([rows, reserve_row[reserve]])
    work_cost = np.zeros((days, types_in_program))
    off_cost = np.zeros(days)
    for request in employee.requests:
        d = problem.day_index(request.day)
        if not 0 <= d < days or (request.shift_id and request.shift_id not in shift_index):
            continue
        weight = settings.request_weight * request.weight
        if request.shift_id is None:
            if request.wanted:
                off_cost[d] += weight
            else:
                work_cost[d] += weight
            continue
        s = shift_index[request.shift_id]
        if request.wanted:  # met by working the shift, not by being on call in it
            off_cost[d] += weight
            work_cost[d] += weight
            work_cost[d, s] -= weight
        else:  # broken by any duty in the shift
            work_cost[d, s :: len(shift_types)] += weight
    if published is not None:
        work_cost[published.off_days] += published.weight
    types = np.unique(cells % types_in_program)
    open_days = np.zeros(days, dtype=np.bool_)
    open_days[cells // types_in_program] = True
    rules = employee_rules(problem, settings, e)
    if on_call:
        rules = on_call_rules(rules)
    return _Pricing(
        replace(rules.restricted(types), open_days=open_days, demand=demand),
        types,
        cells.astype(np.int64),
        rows.astype(np.int64),
        work_cost,
        off_cost,
        cell_loads(problem, types),
        priced_rows + len(LOADS) * e,
        budget,
        published=published,
    )


class NoRoster(Exception):
    """Column generation's construction found no roster for some persons.

    Not a proof that none exists: a per-type limit the pricing program does not track is
    enforced by a restriction (``_Pricing.price``), so CP-SAT must say whether the person's
    rules really clash (``explain.missing_rosters``).

    Attributes:
        persons: those persons (own employees ``0 .. n - 1``, then partners' staff).
    """

    def __init__(self, persons: list[int]) -> None:
        super().__init__(f"no roster for persons {persons}")
        self.persons = persons


@dataclass(frozen=True)
class ColumnStart:
    """What column generation gives the engine.

    Attributes:
        duties: the roster's duties; every employee's roster keeps their hard rules.
        bound: a lower bound on every roster's objective: the largest of
            ``capacity_bound`` + ``least_own_costs``, the weekend plan's (where it ran)
            and, from the first linear program, ``lagrangian_bound``.
        objective: the roster's request costs, cover weights and fairness spread (its
            whole objective without a previous roster to keep).
        notes: for the run's report: the construction's roster (its objective and time),
            why column generation ended early, if it did, and last what gave the bound
            and what the other bounds came to (``bound_note``).
    """

    duties: set[Duty]
    bound: float
    objective: float
    notes: tuple[str, ...] = ()


def column_generation(
    problem: RosterProblem,
    settings: RosterSettings,
    *,
    deadline: float,
    seed: int = 0,
    relative_gap: float = 0.0,
    hand_over: bool = False,
    hand_over_by: float | None = None,
    wider: bool = False,
    passes_follow: bool = False,
    previous: pd.DataFrame | None = None,
) -> ColumnStart:
    """A roster of ``problem``'s employees by column generation and diving (see the module).

    Args:
        problem: what to roster (``blockers(problem, settings)`` must be empty).
        settings: rule defaults and weights.
        deadline: ``time.perf_counter()`` value. The construction (``_construct``) aims
            to end within ``FIRST_PASS_SHARE`` of the time (it gives every employee a
            roster however late); when it ends past the deadline its roster is the result
            (bound 0). Otherwise the first linear program gets ``ROOT_SHARE`` of the time
            left; each fixing step of the dive the share of the time left that it fixes of
            the employees left; at the deadline every employee left is fixed to their most
            chosen roster. The polish and the repairs use what time is left (the repairs
            may end sooner, see ``REPAIR_PATIENCE``). Every linear program stops at the
            deadline (HiGHS ``time_limit``).
        seed: seed of the repairs' random choice of employees to re-dive.
        relative_gap: once the roster is within this relative gap of the largest bound
            computed, the second dive, the polish and the repairs are skipped, and the passes
            after the dives and the repairs end.
        hand_over: a search improves the roster afterwards (the engine's neighbourhood
            search): when the dive's first ``STARVED_STEPS`` steps all run out of time,
            column generation (the rest of the dive, the polish and the repairs) ends
            halfway from then to its deadline (``_dive``), leaving that search the rest;
            the first linear program starts from the construction's first pass, and
            when it stalls (``_generate``: it does not fall below the constructed roster's
            value in time), column generation ends with the construction's roster, after
            best-response passes with wider pricing programs (``descent``) until one
            changes nothing or the deadline.
        hand_over_by: with ``hand_over``, a ``time.perf_counter()`` value before the
            deadline by which the search should have the roster if the first linear
            program stalls: the construction's shares (``FIRST_PASS_SHARE``,
            ``CONSTRUCT_SHARE``) are then of the time to it, and the passes after a stall
            end there. A first linear program that moves keeps the time to the deadline.
        wider: the construction's passes use wider pricing programs (``descent.wider``):
            for when its roster, not the dive's, is the likely start of the search (the
            engine's when CP-SAT's whole model will not be searched).
        passes_follow: with ``hand_over``, the search begins with best-response passes
            from the roster handed over (the engine's windowed search, ``responses``): when
            the passes after the dives (``_mend``) ran out of time while their last pass
            still lowered the dive's roster by more than it lies above the constructed one,
            the dive's roster is handed over, since the search's passes go on from it,
            while the constructed roster is already one of best responses. On Curtois–Qu
            Instance22 at 600 s the search from the dive's roster ended at 31,983–32,860 in
            five runs where it was the lower anyway and at 33,174 where this rule chose it,
            from the constructed one at 34,208 and 36,372.
        previous: a previous roster (columns of ``Roster.assignments``): the stability goal
            against it is priced and its frozen days kept (``stability``).

    With ``wider`` or ``hand_over_by`` (the construction's roster is the likely start), no
    ``previous`` roster and the weekends short (``weekends.binds``), a weekend plan found
    in ``weekends.PLAN_SHARE`` of the construction's time guides the construction, and the
    bound its MIP proves on the weekend days' cost is a bound on the whole objective.
    Where no such plan guides it, the construction's roster is that start, and no on-call
    reserve is needed, the weekend count plan (``weekend_count``) guides it instead when
    some employee's weekend limit is below the horizon's weekends.
    Where no plan was found, without a ``previous`` roster or on-call reserve, the plan's
    MIP is solved for that bound alone after the construction, in ``WEEKEND_BOUND_SHARE``
    of the time left (``weekends.weekend_bound``).

    Returns:
        The roster with the bound.

    Raises:
        NoRoster: the construction found no roster for some persons.
    """
    started = time.perf_counter()
    master = Master(problem, settings, deadline)
    pricing = person_pricing(problem, settings, master, previous)
    notes: list[str] = []
    settle_by = min(deadline, hand_over_by) if hand_over and hand_over_by is not None else deadline
    guides, bounds, plan = None, [], None

    def settled_value() -> float:
        """The objective within ``relative_gap`` of the largest bound computed so far."""
        return settled_at(max(value for _, value in bounds), relative_gap)

    guide_rows, guided_by, found_in = None, "", ""  # the guiding plan; the note's words
    # the construction's roster is the search's likely start, and no previous roster is kept
    plans_weekends = (wider or hand_over_by is not None) and previous is None
    if plans_weekends and weekends.binds(problem, settings):
        now = time.perf_counter()
        until = now + weekends.PLAN_SHARE * CONSTRUCT_SHARE * (settle_by - now)
        plan = weekends.weekend_plan(problem, settings, master.under, master.over, until)
        if plan is not None:
            bounds.append((WEEKEND_BOUND, plan.bound))
        if plan is not None and plan.rows is not None:
            guide_rows, guided_by = plan.rows, "a weekend plan"
            found_in = f" found in {time.perf_counter() - now:.0f} s"
    if plans_weekends and guide_rows is None and weekend_count.applies(problem, settings):
        guide_rows = weekend_count.weekend_count_plan(problem, settings)
        guided_by = "a weekend count plan"
    if guide_rows is not None:
        own = pricing[: len(problem.employees)]
        guides = weekends.guides(problem, guide_rows, [p.rows for p in own], master.under)
        notes.append(
            f"the construction was guided by {guided_by} ({len(guides)} employees' prices "
            f"moved){found_in}"
        )
    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        now = time.perf_counter()
        constructed = _construct(
            master,
            pricing,
            pool,
            now + FIRST_PASS_SHARE * (settle_by - now),
            now + CONSTRUCT_SHARE * (settle_by - now),
            wider=wider,
            guides=guides,
            centres=None if guide_rows is None else weekends.weekend_centres(guide_rows),
        )
        now, constructing = time.perf_counter(), time.perf_counter() - now
        chosen = constructed
        count = StaffShiftCount(problem, master, pricing)
        bounds.insert(0, (COUNT_BOUND, count.bound() + least_own_costs(master, pricing, pool)))
        if previous is None and not master.reserve_of.size:
            forced_over = count.forced_over()
            rises = weekends.bound_rises(problem, settings, master.over, forced_over)
            if plan is None or rises:
                until = now + WEEKEND_BOUND_SHARE * (deadline - now)
                weekend = weekends.weekend_bound(
                    problem, settings, master.under, master.over, until, forced_over
                )
                if weekend is not None:
                    bounds.append((WEEKEND_OVER_BOUND if rises else WEEKEND_BOUND, weekend))
                now = time.perf_counter()
        notes.append(
            f"the construction's roster: {master.value(constructed):g} after {constructing:.0f} s"
        )
        if not stop.past(deadline, now):
            started_from, bar = constructed, np.inf
            if hand_over:
                # the constructed roster is one of best responses: at it the program stalls,
                # its columns entering at 0 (at interior duals too: Instance24's stayed at
                # 66,004 for 50 s); from the first pass's roster (the construction's first
                # columns) it moves
                started_from = {master.columns[j][0]: j for j in range(master.people)}
                master.restart(master.people)
                bar = master.value(constructed)
            master.start_from(started_from)
            root, stalled, unmoved = now + ROOT_SHARE * (deadline - now), False, 0.0
            with master.interior():
                try:
                    _generate(
                        master,
                        pricing,
                        {},
                        root,
                        pool,
                        stalled_by=settle_by if hand_over else None,
                        bar=bar,
                    )
                except _Stalled:
                    stalled, unmoved = True, time.perf_counter() - now
            late = stalled or stop.past(deadline - constructing, time.perf_counter())
            exact = all(person.bounds_exactly(late) for person in pricing)
            bounds.append(
                (
                    "column generation's first linear program, priced "
                    + (
                        "on every rule but the shift-type limits its programs do not track"
                        if exact
                        else "without the minutes, weekend and shift-type limits"
                    )
                    + (" where it stalled" if stalled else ""),
                    lagrangian_bound(master, pricing, pool, quick=late),
                )
            )
            if stalled:
                value = master.value(constructed)
                with descent.wider(pricing):
                    descent.descend(
                        master, pricing, constructed, pass_order(master, pricing), settle_by
                    )
                note = (
                    "column generation's first linear program, started from the first pass's "
                    f"roster ({master.value(started_from):g}), stayed above the constructed "
                    f"roster's value ({value:g}) for {unmoved:.0f} s and was not on pace to "
                    "fall below it by the search's time: that roster was handed to the "
                    "neighbourhood search after best-response passes with wider pricing "
                    f"programs ({master.value(constructed):g})"
                )
                return _result(master, pricing, constructed, bounds, (*notes, note))
            chosen, deadline, falling = _dives(
                master, pricing, pool, deadline, hand_over, notes, settled_value()
            )
            dived, built = master.value(chosen), master.value(constructed)
            if built < dived - (falling if passes_follow else 0.0):
                chosen = master.switch(chosen, constructed)
            elif built < dived:
                notes.append(
                    f"the dive's roster ({dived:g}) was handed to the search over the "
                    f"constructed one ({built:g}): its best-response passes were still "
                    f"lowering it by {falling:g} a pass when their time ran out, and the "
                    "search's passes go on from it"
                )
        now = time.perf_counter()
        settled = settled_value()
        if not stop.past(deadline, now) and not settles(master.value(chosen), settled):
            polished = master.polish(chosen, min(deadline, now + POLISH_SHARE * (now - started)))
            chosen = master.switch(chosen, polished)
            chosen = _repair(master, pricing, chosen, deadline, pool, seed, settled)
    return _result(master, pricing, chosen, bounds, tuple(notes))


def _result(
    master: Master,
    pricing: list[PersonPricing],
    chosen: dict[int, int],
    bounds: list[tuple[str, float]],
    notes: tuple[str, ...] = (),
) -> ColumnStart:
    """The roster ``chosen`` (employee → column, everyone) with the largest of ``bounds``
    ((what gave it, value) of each lower bound computed) and ``notes``, then a note on
    the bound (``bound_note``)."""
    duties = {
        master.duty(e, int(r))
        for e, column in chosen.items()
        for r in master.columns[column][1]
        if r >= 0
    }
    bound = max(value for _, value in bounds)
    return ColumnStart(duties, bound, master.value(chosen), (*notes, bound_note(bounds)))


def bound_note(bounds: list[tuple[str, float]]) -> str:
    """The run's note on the bound: the largest of ``bounds`` ((what gave it, value) of
    each lower bound computed, in objective units), what gave it and the others' values,
    so a planner can tell a weak bound from a poor roster."""
    best = max(range(len(bounds)), key=lambda k: bounds[k][1])
    what, value = bounds[best]
    if value <= 0:
        names = " or ".join(name for name, _ in bounds)
        return f"bound 0: no lower bound above 0 from {names}"
    others = "; ".join(f"{name}: {v:,.0f}" for k, (name, v) in enumerate(bounds) if k != best)
    return f"bound {value:,.0f} from {what}" + (f" ({others})" if others else "")


@contextmanager
def _weekends_kept_to(
    pricing: Sequence[PersonPricing], centres: np.ndarray, employees: Iterable[int]
) -> Iterator[None]:
    """Within the block, the weekend band of each own employee of ``employees`` keeps to their
    row of ``centres`` (``[employee, day]``, ``weekends.weekend_centres``;
    ``_Pricing.weekend_centre``) where their program is not centred on a roster; afterwards
    it lies on the pro-rata path again."""
    kept = [(pricing[e], centres[e]) for e in employees if isinstance(pricing[e], _Pricing)]
    for person, centre in kept:
        person.weekend_centre = centre
    try:
        yield
    finally:
        for person, _ in kept:
            person.weekend_centre = None


def _construct(
    master: Master,
    pricing: list[PersonPricing],
    pool: ThreadPoolExecutor,
    first_until: float,
    improve_until: float,
    *,
    wider: bool = False,
    guides: dict[int, tuple[np.ndarray, np.ndarray]] | None = None,
    centres: np.ndarray | None = None,
) -> dict[int, int]:
    """The first columns, a whole roster: employees in turn (those with the fewest shift
    types first, ``PRICING_THREADS`` at a time) get their best roster given the others'
    so far, at row prices equal to each row's marginal cover value (its under-cover weight
    while it is short, minus its over-cover weight once full), by ``_Pricing.price`` with
    ``certain``; while the pace of the employees done says that the rest would end after
    ``first_until``, or once a stop is requested, by ``_Pricing.first_roster`` (at most
    two programs each, their budget shrunk to the least ``EMPLOYEE_BUDGET``; rosters about
    twice as costly on Curtois–Qu Instance22). Every employee gets a roster, however late.
    Then, until ``improve_until`` or a pass that changes nothing, each employee in turn is
    priced again against the others' rosters (``descent.descend``: every pass lowers the
    objective or leaves it), by programs with wider bands (``descent.wider``), centred on
    each person's roster (``descent.descend(centred=)``), when ``wider``: those passes reach
    a lower roster (Curtois–Qu Instance19: 7,609 against 7,943), but where the dive follows
    its columns led it to a worse one (3,726 against 3,217 at 300 s), so the bands stay on
    the pro-rata path unless the construction's roster is the likely start or a plan
    guided the first pass (then the passes are centred, with the programs' own bands,
    below). Partners' staff come after the own staff (lent days cost, on-call duty does
    not). ``guides`` (employee →
    rows and what their prices gain there, ``weekends.guides``) move the employees' prices
    in the first pass only, and there the weekend bands of the guided employees keep to
    their plan's weekends (``centres``: ``[employee, day]``, ``weekends.weekend_centres``),
    not to the pro-rata path, which spreads every employee's weekends alike; the passes
    are then centred on each person's roster, so that they keep what the plan spread
    (Curtois–Qu Instance23, guided by its weekend count plan: constructed 29,843 against
    40,280 with both on the pro-rata path, 39,877 with the passes centred alone; Instance24
    66,004 against 68,679; Instance22, guided by its MIP plan, 43,014 against 43,530).
    Deadlines are ``time.perf_counter()`` readings. Returns person → column; raises
    ``NoRoster`` for the persons of the first batch with none."""
    staffed = np.zeros(master.rows)
    order = pass_order(master, pricing)
    chosen: dict[int, int] = {}

    def guided(e: int, at: np.ndarray) -> np.ndarray:
        if guides is None or e not in guides:
            return at
        rows, premium = guides[e]
        at = at.copy()
        at[rows] += premium
        return at

    def careful(e: int, at: np.ndarray) -> tuple[np.ndarray, float, float] | None:
        return pricing[e].price(guided(e, at), tries=2, certain=True)

    def quick(e: int, at: np.ndarray) -> tuple[np.ndarray, float, float] | None:
        pricing[e].shrink(EMPLOYEE_BUDGET[0])
        return pricing[e].first_roster(guided(e, at), e * GOLDEN % 1)

    planned = bool(guides) and centres is not None  # a plan moved someone's prices
    began = time.perf_counter()
    with _weekends_kept_to(pricing, centres, guides) if planned else nullcontext():
        for first in range(0, len(order), PRICING_THREADS):
            batch, now = order[first : first + PRICING_THREADS], time.perf_counter()
            at = descent.cover_prices(master, staffed)
            late = stop.requested() or (
                first and now + (now - began) / first * (len(order) - first) > first_until
            )
            price = quick if late else careful
            found = list(pool.map(lambda e, at=at, price=price: price(e, at), batch))
            missing = [e for e, column in zip(batch, found, strict=True) if column is None]
            if missing:
                raise NoRoster(missing)
            for e, column in zip(batch, found, strict=True):
                chosen[e] = master.add(e, column[0], column[1])
                np.add.at(staffed, column[0][column[0] >= 0], 1)
    with descent.wider(pricing) if wider else nullcontext():
        descent.descend(master, pricing, chosen, order, improve_until, centred=wider or planned)
    for employee in pricing:
        employee.reset()
    return chosen


def price_lone_weekends(master: Master, pricing: list[PersonPricing], share: float) -> None:
    """Have each own employee's program take ``share`` of the mean under-cover weight of
    the rows they may staff off each weekend they work on one day only
    (``_Pricing.lone_weekend_cost``, cost units)."""
    for person in pricing:
        if isinstance(person, _Pricing) and len(person.rows):
            person.lone_weekend_cost = share * float(master.under[person.rows].mean())


def pass_order(master: Master, pricing: list[PersonPricing]) -> list[int]:
    """The persons in the order the construction and the best-response passes price them:
    own employees with the fewest shift types first, then partners' staff."""
    employees = master.employees
    order = sorted(range(employees), key=lambda e: len(pricing[e].types))
    return order + list(range(employees, len(pricing)))


def least_own_costs(
    master: Master, pricing: list[PersonPricing], pool: ThreadPoolExecutor
) -> float:
    """A lower bound on the costs the persons' own rosters carry (shift requests, the
    changes to a previous roster, lent days), which ``capacity_bound`` leaves out: Σ over
    every person of the least such cost any roster of theirs can have, their program's best
    value at zero row prices on relaxed rules (``best_value(quick=True)``: no roster keeping
    every rule costs less). Above 0 where the sequence rules keep an employee from meeting
    all of their requests (Curtois–Qu Instance23: 1,523, Instance24: 2,802). Rounded up,
    as every weight is whole; 0 if some person's relaxed program finds no roster."""
    zero = master.prices(np.zeros(master.rows))
    values = list(pool.map(lambda person: person.best_value(zero, quick=True), pricing))
    if not np.isfinite(values).all():
        return 0.0
    return max(0.0, float(math.ceil(-sum(values) - 1e-6)))


def capacity_bound(problem: RosterProblem, master: Master, pricing: list[PersonPricing]) -> float:
    """A lower bound on every roster's objective from counting staff-shifts alone. Short
    staff-shifts: at least the staff needed in runs of days beyond the most days the employees'
    stretch rules let them work in each run (one shift a day each; a run of one day counts the
    employees who may work it; ``stretch_count.short_in_runs``), and at least the staff needed
    in all beyond the most shifts the employees' contract minutes allow (their most minutes //
    their shortest shift's), and at least the staff needed on Saturdays and Sundays beyond the
    most weekend days the employees' weekend limits allow (two a weekend, on weekend days they
    may work); each costs at least the least under-cover weight. Surplus staff-shifts: every
    employee works at least their least minutes // their longest shift's shifts, all on
    requirement rows, so Σ over ≥ those shifts − Σ needed + Σ short; and in minutes, the minutes
    worked beyond those needed, at least Σ least minutes − Σ needed × length + Σ short × the
    shortest row's length, are over-cover, at most the longest row's length each. Each surplus
    staff-shift costs at least the least over-cover weight. Or, where it is more, the over-cover
    the contracts force block by block and period by period (``over_cover.forced_over_cover``).
    Request costs and reserve targets are not counted."""
    return StaffShiftCount(problem, master, pricing).bound()


class StaffShiftCount:
    """The staff-shift counts of ``capacity_bound``, counted once for both bounds they give
    (``bound`` and ``forced_over``): ``short``, the staff-shifts every roster leaves short,
    ``under`` and ``over``, the least under- and over-cover weights, and what ``over_cost``
    counts the surplus from (all 0 without requirement rows)."""

    def __init__(
        self, problem: RosterProblem, master: Master, pricing: list[PersonPricing]
    ) -> None:
        self.short = self.needed = self.least_shifts = self.beyond_minutes = 0.0
        self.under = self.over = self.blocks = 0.0
        self.shortest = self.longest = 0
        days, work = problem.horizon_days, slice(0, master.work_rows)
        if not master.work_rows:
            return
        row_day = np.array([problem.day_index(row.day) for row in problem.requirements], np.int64)
        inside = (row_day >= 0) & (row_day < days)
        staff_needed = master.needed[work]
        needed_per_day = np.bincount(row_day[inside], weights=staff_needed[inside], minlength=days)
        open_days_of, stretch_limits = [], []
        weekend = np.array([day.weekday() in (SATURDAY, SUNDAY) for day in problem.dates], bool)
        most_shifts = least_shifts = least_minutes = most_weekend_days = 0
        for employee in pricing[: master.employees]:
            assert isinstance(employee, _Pricing)
            work_cells = employee.cells[employee.rows < master.work_rows]
            open_days = np.unique(work_cells // employee.work_cost.shape[1])
            rules, last = employee.loose, np.flatnonzero(employee.loose.period_last)
            may_work = np.zeros(days, bool)
            may_work[open_days] = True
            open_days_of.append(may_work)
            stretch_limits.append((rules.max_consecutive, rules.min_days_off))
            open_weekend_days = int(weekend[open_days].sum())
            if rules.weekends_bind:
                open_weekend_days = min(open_weekend_days, 2 * rules.max_weekends)
            most_weekend_days += open_weekend_days
            shortest = int(rules.units[rules.units > 0].min(initial=1))  # on-call duty has 0 units
            most_shifts += int((rules.max_units[last] // shortest).sum())
            least_shifts += int(-(-rules.min_units[last] // int(rules.units.max(initial=1))).sum())
            least_minutes += int(rules.min_units[last].sum()) * rules.unit_minutes
        needed = float(staff_needed.sum())
        short = max(
            short_in_runs(needed_per_day, open_days_of, stretch_limits),
            needed - most_shifts,
            float(needed_per_day[weekend].sum()) - most_weekend_days,
            0.0,
        )
        length = {shift.shift_id: shift.length_minutes for shift in problem.shift_types}
        row_minutes = np.array([length[row.shift_id] for row in problem.requirements], np.int64)
        row_minutes = row_minutes[: master.work_rows]
        self.short, self.needed, self.least_shifts = short, needed, least_shifts
        self.beyond_minutes = least_minutes - float(staff_needed @ row_minutes)
        self.shortest, self.longest = int(row_minutes.min()), int(row_minutes.max())
        self.under, self.over = float(master.under[work].min()), float(master.over[work].min())
        own = [person for person in pricing[: master.employees] if isinstance(person, _Pricing)]
        self.blocks = forced_over_cover(
            master, row_day, row_minutes, [p.rows for p in own], [p.loose for p in own]
        )

    def bound(self) -> float:
        """``capacity_bound``: a lower bound on every roster's objective, objective units."""
        return float(math.ceil(self.under * self.short + self.over_cost(self.short) - 1e-6))

    def forced_over(self) -> float:
        """A lower bound on every roster's over-cover cost alone, in objective units: the
        surplus staff-shifts counted as if none were short (shortfalls only add to them), or
        the contracts' blocks (``over_cover.forced_over_cover``). On Curtois–Qu Instance23
        1,245, where ``weekends`` counts 0 on the weekdays alone."""
        return float(math.ceil(self.over_cost(0.0) - 1e-6))

    def over_cost(self, short: float) -> float:
        """The over-cover cost of every roster leaving ``short`` staff-shifts short (each
        such staff-shift's minutes, at the shortest row's length, must be worked elsewhere),
        in objective units, not rounded."""
        beyond_minutes = self.beyond_minutes + short * self.shortest
        # longest is 0 when every shift type is unpaid
        by_minutes = math.ceil(beyond_minutes / self.longest) if self.longest else 0
        surplus = max(self.least_shifts - self.needed + short, by_minutes, 0.0)
        return max(self.over * surplus, self.blocks)


def lagrangian_bound(
    master: Master,
    pricing: list[PersonPricing],
    pool: ThreadPoolExecutor,
    *,
    quick: bool = False,
) -> float:
    """A lower bound on every roster's objective from the master's current duals π, valid
    whether or not its linear program was solved to optimality: π clipped to
    [−over-cover weight, under-cover weight] per row (so no slack can lower the Lagrangian
    function; reserve rows have no over-cover weight), then Σ π × (staff and on-call places)
    needed − Σ over every person of the most any column of theirs is worth at π
    (``_Pricing.best_value``: exact or relaxed rules, relaxed when ``quick``; either way no
    roster of theirs is worth more, their load prices included; a partner's employee's
    lent days exactly, ``LenderPricing.best_value``), + with the fairness goal the least
    its most and least variables add (``loads.lagrangian_term``). Rounded up, as
    every weight is whole, and at least 0, as no weight is negative. π is the last solve's
    (``Master.last_prices``): after ``Master.interior`` the interior point method's, at
    which a converged column generation prices no column (at a vertex some may still price
    out: Curtois–Qu Instance4's bound was 1,712 there, 1,716 at the interior point)."""
    duals = master.last_prices().copy()
    cover = np.clip(duals[: master.rows], -master.over, master.under)
    duals[: master.rows] = cover
    values = list(pool.map(lambda person: person.best_value(duals, quick=quick), pricing))
    bound = float(cover @ master.needed) - sum(values)
    if master.fairness:
        most, least = master.load_duals
        bound += lagrangian_term(most, least, master.fairness, master.days)
    return max(0.0, float(math.ceil(bound - 1e-6)))


def _dives(
    master: Master,
    pricing: list[PersonPricing],
    pool: ThreadPoolExecutor,
    deadline: float,
    hand_over: bool,
    notes: list[str],
    settled_value: float,
) -> tuple[dict[int, int], float, float]:
    """The dive from the first linear program (``_dive``), a second one fixing whole rosters
    when the first leaves twice the time it took and its roster is above ``settled_value``
    (``_dive_whole``), and best-response passes from the better of the two (``_mend``, until
    an objective at most ``settled_value``) in the last ``MEND_SHARE`` of the time, which the
    dives leave them. Returns employee → column for everyone, the deadline, earlier when
    the dive was starved (``_dive``, said in ``notes``), and what the passes' last pass
    lowered the objective by when their time ran out (``_mend``)."""
    first = len(master.columns)
    diving = time.perf_counter()
    reserve = MEND_SHARE * max(deadline - diving, 0.0)
    dived_by = deadline - reserve
    chosen, moved = _dive(master, pricing, {}, dived_by, pool, hand_over=hand_over)
    if moved < dived_by:
        notes.append(
            f"the dive's first {STARVED_STEPS} steps ran out of time: column generation "
            f"ended {dived_by - moved:.0f} s early, for the neighbourhood search"
        )
    now = time.perf_counter()
    settled = settles(master.value(chosen), settled_value)
    if not settled and not stop.past(moved - 2 * (now - diving), now):
        chosen = _dive_whole(master, pricing, chosen, first, moved, pool, notes)
    deadline = moved + reserve
    mended, falling = _mend(master, pricing, chosen, deadline, pool, notes, settled_value)
    return mended, deadline, falling


def _mend(
    master: Master,
    pricing: list[PersonPricing],
    chosen: dict[int, int],
    deadline: float,
    pool: ThreadPoolExecutor,
    notes: list[str],
    settled_value: float,
) -> tuple[dict[int, int], float]:
    """``chosen`` (employee → column, everyone) after best-response passes (``descent``) until
    one changes nothing, the ``deadline`` or an objective at most ``settled_value``, when
    they lower its objective (the passes price cover alone, not the fairness goal, so their
    roster is compared whole); said in ``notes``. A dive that runs out of time fixes the
    employees left to their most chosen rosters, which may leave a row short that a single
    employee's roster could still cover: tourist-peak's dive at 90 s left 2 staff-shifts
    short (2,000,636), the passes took it to 386 in 0.1 s.

    Returns:
        The roster, and what the last pass lowered the objective by (weighted units) when
        the ``deadline`` ended the passes while they still lowered it; 0 when a pass
        changed nothing, the settled value was reached, a stop was requested (no search
        follows) or the roster is the dive's own.
    """
    mended = dict(chosen)
    order = pass_order(master, pricing)
    falling = 0.0
    while not stop.past(deadline, time.perf_counter()):
        before = master.value(mended)
        # a pass that reaches the settled value ends there, and the next changes nothing
        if not descent.descend(
            master,
            pricing,
            mended,
            order,
            deadline,
            pool=pool,
            workers=PRICING_THREADS,
            passes=1,
            settled_value=settled_value,
        ):
            falling = 0.0
            break
        falling = before - master.value(mended)
    if stop.requested():
        falling = 0.0
    before, after = master.value(chosen), master.value(mended)
    if after >= before - REDUCED_COST_EPSILON:
        return chosen, 0.0
    notes.append(f"best-response passes lowered the dive's roster from {before:g} to {after:g}")
    return master.switch(chosen, mended), max(falling, 0.0)


def _dive(
    master: Master,
    pricing: list[PersonPricing],
    chosen: dict[int, int],
    deadline: float,
    pool: ThreadPoolExecutor,
    *,
    hand_over: bool = False,
    pinning: bool = True,
    abandon: bool = False,
) -> tuple[dict[int, int], float]:
    """Fix every employee not yet ``chosen`` to one column (see the module), generating
    columns between fixing steps. A step fixes the employees whose roster is settled
    (``SETTLED``) and, when ``pinning``, pins days of the others (``_pin``); when it can do
    neither, or without ``pinning``, it fixes the most chosen rosters of at least
    1 + (employees left) // ``DIVE_STEPS`` employees. An employee whose every day is pinned
    is fixed to the roster that keeps the pins. Each step gets the share of the time left
    that it pinned or fixed of the open employees' free days. With ``hand_over``, when the
    first ``STARVED_STEPS`` steps whose fixing moved the linear program all run out of time,
    the deadline moves halfway from then to it; with ``abandon``, ``_Starved`` is raised
    then. Returns employee → column for everyone, and the deadline; every pin is lifted
    again."""
    chosen = dict(chosen)
    values = master.solve()[2]
    objective = master.lp.getObjectiveValue()
    steps = ran_out = 0
    try:
        while len(chosen) < len(pricing):
            now = time.perf_counter()
            free = _free_days(pricing, chosen)
            left = len(pricing) - len(chosen)
            if stop.past(deadline, now):
                settled, pinned = _settle(master, values, chosen, left), {}
            elif not pinning:
                settled, pinned = _settle(master, values, chosen, 1 + left // DIVE_STEPS), {}
            else:
                settled = _settle(master, values, chosen, 0)
                pinned = _pin(master, pricing, values, chosen.keys() | settled.keys())
                if not settled and not pinned:
                    settled = _settle(master, values, chosen, 1 + left // DIVE_STEPS)
            master.pin(pinned)
            for e, days in pinned.items():
                if (days != FREE).all():
                    settled[e] = _kept(master, values, e, days)
            for e, column in settled.items():
                chosen[e] = column
                master.fix(e, column)
            if len(chosen) < len(pricing):
                step = now + max(deadline - now, 0.0) * (1 - _free_days(pricing, chosen) / free)
                master.solve()  # the fixing's optimum (``_generate`` starts from it)
                moved = master.lp.getObjectiveValue() > objective + REDUCED_COST_EPSILON
                values = _generate(master, pricing, chosen, step, pool, unless_within=objective)
                objective = master.lp.getObjectiveValue()
                now = time.perf_counter()
                steps += moved
                ran_out += moved and now >= step
                if steps == ran_out == STARVED_STEPS:
                    if abandon:
                        raise _Starved
                    if hand_over:
                        deadline = now + (deadline - now) / 2
    finally:
        for employee in pricing:
            employee.unpin()
    return chosen, deadline


class _Starved(Exception):
    """A dive's first ``STARVED_STEPS`` steps that moved its linear program all ran out of
    time (``_dive(abandon=True)``)."""


def _dive_whole(
    master: Master,
    pricing: list[PersonPricing],
    chosen: dict[int, int],
    first: int,
    deadline: float,
    pool: ThreadPoolExecutor,
    notes: list[str],
) -> dict[int, int]:
    """A second dive from the first linear program (its ``first`` columns, every employee
    free), fixing whole rosters only (``_dive`` without pins: each step converges, so it
    needs more time, which the pinned dive leaves on small problems: Curtois–Qu Instance6
    1,951 against 2,041–2,045 with pins, within 2 s); returns the better of it and
    ``chosen`` (employee → column, everyone). A starved dive (``STARVED_STEPS``) is
    abandoned, said in ``notes``, and its time left to the passes, the polish and the
    repairs: Instance19 priced exactly at 300 s, its whole-roster dive starved, ended at
    3,927 against the pinned dive's 3,460, and the run at 3,260; without it, 3,159."""
    before = master.value(chosen)
    master.restart(first)
    began = time.perf_counter()
    try:
        tried, _ = _dive(master, pricing, {}, deadline, pool, pinning=False, abandon=True)
    except _Starved:
        for e, column in chosen.items():
            master.unfix(e)
            master.fix(e, column)
        notes.append(
            f"the whole-roster dive's first {STARVED_STEPS} steps ran out of time: it was "
            f"abandoned after {time.perf_counter() - began:.0f} s"
        )
        return chosen
    if master.value(tried) < before:
        return tried
    return master.switch(tried, chosen)


def _free_days(pricing: list[PersonPricing], chosen: dict[int, int]) -> int:
    """How many days of the employees not ``chosen`` are not pinned."""
    return sum(
        int((employee.pinned == FREE).sum())
        for e, employee in enumerate(pricing)
        if e not in chosen
    )


def _pin(
    master: Master, pricing: list[PersonPricing], values: np.ndarray, fixed: set[int]
) -> dict[int, np.ndarray]:
    """Pin days of the employees not ``fixed`` (``pins.days_to_pin`` on their rosters'
    ``values`` in the linear program), at the first of ``PIN_SHARES``, lowered by a tenth
    while no employee has a day to pin, down to the second. Returns employee → their pins
    (``_Pricing.pinned``) for each employee with new pins."""
    share, least = PIN_SHARES
    while share >= least:
        pinned = {}
        for e, employee in enumerate(pricing[: master.employees]):
            if e in fixed:
                continue
            columns = [j for j in master.columns_of[e] if values[j] > REDUCED_COST_EPSILON]
            if not columns:
                continue
            rosters = np.stack([master.columns[j][1] for j in columns])
            days, rows = days_to_pin(rosters, values[columns], employee.pinned, share)
            if days.size:
                employee.pinned[days] = rows
                pinned[e] = employee.pinned
        if pinned:
            return pinned
        share *= 0.9
    return {}


def _kept(master: Master, values: np.ndarray, e: int, pinned: np.ndarray) -> int:
    """Employee ``e``'s most chosen column (by ``values``) that keeps every pin of
    ``pinned``."""
    columns = master.columns_of[e]
    kept = keeps_pins(np.stack([master.columns[j][1] for j in columns]), pinned)
    return max((j for j, keep in zip(columns, kept, strict=True) if keep), key=lambda j: values[j])


def _repair(
    master: Master,
    pricing: list[PersonPricing],
    chosen: dict[int, int],
    deadline: float,
    pool: ThreadPoolExecutor,
    seed: int,
    settled_value: float,
) -> dict[int, int]:
    """Re-dive a few random employees at a time (the others keep their rosters) and keep
    the result when it is better, until the ``deadline``, ``REPAIR_PATIENCE`` re-dives in
    a row without improvement, or an objective at most ``settled_value`` (weighted units: within
    the relative gap of the bound); returns employee → column for everyone."""
    rng = random.Random(seed)
    employees = len(pricing)
    size = max(2, round(employees * REPAIR_SHARE))
    master.solve()
    best = master.lp.getObjectiveValue()
    failures = 0
    while (
        failures < REPAIR_PATIENCE
        and not settles(master.value(chosen), settled_value)
        and not stop.past(deadline, time.perf_counter())
    ):
        freed = rng.sample(range(employees), min(size, employees))
        for e in freed:
            master.unfix(e)
        kept = {e: column for e, column in chosen.items() if e not in freed}
        _generate(master, pricing, kept, deadline, pool)
        tried, _ = _dive(master, pricing, kept, deadline, pool, pinning=False)
        master.solve()
        objective = master.lp.getObjectiveValue()
        if objective < best - REDUCED_COST_EPSILON:
            best, chosen, failures = objective, tried, 0
            continue
        failures += 1
        for e in freed:
            if tried[e] != chosen[e]:
                master.unfix(e)
                master.fix(e, chosen[e])
    return chosen


def _settle(
    master: Master, values: np.ndarray, chosen: dict[int, int], fewest: int
) -> dict[int, int]:
    """Employee → column to fix in this step of the dive: every employee not yet ``chosen``
    whose most chosen column has a share of at least ``SETTLED``, and at least the
    ``fewest`` most settled ones."""
    best = {}
    for e, columns in enumerate(master.columns_of):
        if e not in chosen and columns:
            column = max(columns, key=lambda j: values[j])
            best[e] = (values[column], column)
    ranked = sorted(best, key=lambda e: -best[e][0])
    settled = [e for e in ranked if best[e][0] >= SETTLED]
    if len(settled) < fewest:
        settled = ranked[:fewest]
    return {e: best[e][1] for e in settled}


class _Stalled(Exception):
    """Column generation's linear program stalls (see ``_generate``) and a search follows."""


def _on_pace(first: float, objective: float, target: float, spent: float, left: float) -> bool:
    """Whether a linear program whose objective fell from ``first`` to ``objective`` in
    ``spent`` seconds falls below ``target`` within the ``left`` seconds at that mean pace
    (objective units). Instance23 at 600 s, from the first pass's roster (94,006): 71,087 at
    30 s, 760 a second, 40 s short of the constructed roster's 40,280 with 28 s left to the
    search's time; Instance22 (71,884): 44,967 at 61 s, 441 a second, 3 s from 43,530."""
    fallen = first - objective
    return left > 0 and fallen > 0 and (objective - target) * spent / fallen < left


def _generate(
    master: Master,
    pricing: list[PersonPricing],
    chosen: dict[int, int],
    deadline: float,
    pool: ThreadPoolExecutor,
    unless_within: float = -np.inf,
    *,
    stalled_by: float | None = None,
    bar: float = np.inf,
) -> np.ndarray:
    """Add columns of the employees not yet ``chosen`` until none prices out or the
    ``deadline`` passes; returns the last solve's column values.

    Employees are priced ``PRICING_CHUNK`` at a time, in parallel on ``pool``, taking turns;
    the linear program is solved again after every chunk that added a column, so the next
    chunk prices at fresher duals (the first linear programs of Curtois–Qu 12, 17 and 18
    converged in 15–40 % less time than with one solve per pass over every employee). A
    chunk prices at smoothed duals (``SMOOTHING`` × the previous prices + the rest × the new
    duals), which damps the duals' oscillation, and again at the true duals when that finds
    nothing; a column is added when it improves at the true duals. Generation ends when
    every employee in turn has found nothing at the true duals. No column is added when the
    first solve's objective is within ``unless_within`` (the dive passes the objective
    before its last fixing step: a fixing that leaves the objective where it was leaves the
    solution optimal).

    With ``stalled_by`` (a search follows column generation), ``_Stalled`` is raised when
    columns have been added for ``STALLED_SHARE`` of the time from the first solve to
    ``stalled_by`` (a ``time.perf_counter()`` reading: when the search should have the
    roster), or until the ``deadline`` if that comes first, and the objective is still at
    or above both its first solve's value and the ``bar`` (the roster the search would
    otherwise start from), unless at its mean pace since the first solve it falls below
    them by ``stalled_by`` and the ``deadline`` (``_on_pace``; checked again before every
    chunk). A program started from the constructed roster stays there: a degenerate vertex
    whose duals price columns the program cannot use (Curtois–Qu Instance22: 360 columns
    added to its construction's roster in 90 s, none lowering it), so a dive from it has
    nothing to go on. The stall is checked before every chunk (Instance23 at 600 s: its
    construction ended at 120 s, and a program due to stall at 162 s was found stalled
    only after its chunk at 182 s, past the windows' lead at 150 s)."""
    open_employees = [e for e in range(len(pricing)) if e not in chosen]
    duals, convexity, values = master.solve()
    if not open_employees or stop.past(deadline, time.perf_counter()):
        return values
    first, began = master.lp.getObjectiveValue(), time.perf_counter()
    if first <= unless_within + REDUCED_COST_EPSILON:
        return values
    target, stalled_at, latest = min(first, bar), np.inf, deadline
    if stalled_by is not None:
        stalled_at = min(deadline, began + STALLED_SHARE * (stalled_by - began))
        latest = min(deadline, stalled_by)
    prices, smoothed = duals, False
    turn, fruitless = 0, 0
    while True:
        now = time.perf_counter()
        if now >= stalled_at and not _on_pace(
            first, master.lp.getObjectiveValue(), target, now - began, latest - now
        ):
            raise _Stalled  # never past the deadline
        if stop.past(deadline, now):
            return values
        prices = SMOOTHING * prices + (1 - SMOOTHING) * duals if smoothed else duals
        chunk = [
            open_employees[(turn + i) % len(open_employees)]
            for i in range(min(PRICING_CHUNK, len(open_employees)))
        ]
        found = pool.map(lambda e, at=prices: pricing[e].price(at), chunk)
        added = 0
        for e, column in zip(chunk, found, strict=True):
            if column is None:
                continue
            rows, cost, _ = column
            gain = master.gain(e, rows, cost, duals) + convexity[e]
            if gain > REDUCED_COST_EPSILON:
                master.add(e, rows, cost)
                added += 1
        if added:
            duals, convexity, values = master.solve()
            smoothed, fruitless = True, 0
            if master.lp.getObjectiveValue() < target - REDUCED_COST_EPSILON:
                stalled_at = np.inf
        elif smoothed:
            smoothed = False  # the same chunk again, at the true duals
            continue
        else:
            fruitless += len(chunk)
            if fruitless >= len(open_employees):
                return values
        turn = (turn + len(chunk)) % len(open_employees)
