"""Windowed neighbourhoods: improve a whole roster by re-solving a few days of a few employees
on a CP-SAT model of that part alone.

A neighbourhood frees some employees' duties on a window of days. Its model covers only those
employees over a *sub-horizon*: the window widened by ``context_days`` on each side (days held
to the roster) and on to the nearest cut days (``cut_days``). The rest of the roster enters
as data, so the sub-model's objective differs from the whole one by a constant:

- each requirement row needs ``staff_needed`` less the other employees' staff on it (at
  least 0), so short and over staff-shifts change exactly as in the whole roster; only the
  rows of the free days and those the chosen employees work on held days are in it (the
  others' cover cannot change);
- each employee's horizon totals (contract minutes when the contract period spans the
  horizon, shifts per type, weekends worked) lose what they work outside the sub-horizon;
- sequence rules need no change: the held days on each side are longer than any stretch a
  rule limits, so every stretch the window can change lies inside the sub-horizon.

The size of the model depends on the window, not on the horizon, which is what makes a
52-week roster of 150 employees searchable (``solve_roster`` cannot build its whole model in
the time). ``applies`` says when the decomposition is exact. Several neighbourhoods are
re-solved side by side on disjoint sub-horizons (``WindowSearch``).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import timedelta

import numpy as np
from ortools.sat.python import cp_model

from optimizer import stop
from optimizer.roster.eligibility import may_staff
from optimizer.roster.master import Duty
from optimizer.roster.model import build_model
from optimizer.roster.problem import Employee, Requirement, RosterProblem
from optimizer.roster.resolves import Sizes, one_worker
from optimizer.roster.rules import HARD_RULES
from optimizer.roster.settings import RosterSettings, employee_limits
from optimizer.roster.variables import SATURDAY, SUNDAY, WORK
from optimizer.solve import settles

MONDAY = 0
SECONDS_PER_CHOICE = 0.5 / 2500
"""Time limit of one re-solve per free choice (at least ``LEAST_SECONDS``)."""
LEAST_SECONDS = 1.0
ALL_STAFF, SOME_STAFF = "window, all staff", "window, some staff"
TWO_WINDOWS = "two windows, some staff"
FAR_WEEKENDS = "weekends far apart, some staff"
KINDS = (ALL_STAFF, SOME_STAFF, TWO_WINDOWS, FAR_WEEKENDS)
"""The kinds of neighbourhood (``WindowSearch.step``)."""
FIRST_CHOICES = 2500
"""About how many free choices a neighbourhood kind's first re-solve has."""
SOME_STAFF_DAYS = 14
"""The first window of ``SOME_STAFF`` neighbourhoods, in days."""
SIZES = {
    ALL_STAFF: ("days",),
    SOME_STAFF: ("staff", "window"),
    TWO_WINDOWS: ("pair staff",),
    FAR_WEEKENDS: ("weekend staff",),
}
"""The sizes (``WindowSearch.size``) of each kind: its window's, or its employees' and its
window's (``TWO_WINDOWS``: its employees'; each of its windows is half ``SOME_STAFF``'s;
``FAR_WEEKENDS``: its employees')."""
FAR_WEEKENDS_COUNT = 4
"""Weekends a ``FAR_WEEKENDS`` neighbourhood frees beside the short one."""
FAR_WEEKENDS_STAFF = 12.0
"""The first size of ``FAR_WEEKENDS`` neighbourhoods, in employees: from Curtois–Qu
Instance24's final roster (50,131), one worker for 60 s, 12 staff with 4 far weekends gained
393–690 in three seeds (51–53 of 79–84 re-solves lowered it), 20 staff with 6 far weekends 33
(none of 21 re-solves proven); the engine's other kinds gained 110–244."""
TWO_WINDOWS_APART_DAYS = 42
"""Most days between the starts of a near ``TWO_WINDOWS`` neighbourhood's windows (or twice
their width, if more)."""
FAR_SHARE = 0.5
"""Share of ``TWO_WINDOWS`` neighbourhoods whose second window may lie anywhere in the
horizon: where demand rises through the year (Curtois–Qu Instance24: 4,545 staff-shifts in
its first quarter, 7,733 in its last), employees spend their weekends and minutes early and
the last weeks go short, and only a far window can move them there."""
DISJOINT_TRIES = 20
"""Neighbourhoods drawn before a worker waits for another's sub-horizon to be free."""


def applies(problem: RosterProblem, settings: RosterSettings, *, previous: bool) -> list[str]:
    """Why windowed neighbourhoods would not be exact for ``problem`` (with a ``previous``
    roster to keep, or not): goals or rules that span the whole roster in a way a window
    cannot hold. Empty when they apply."""
    reasons = []
    if problem.shared_employees or any(r.reserve_needed > 0 for r in problem.requirements):
        reasons.append("on-call reserve and partners' staff")
    if settings.fairness_weight and len(problem.employees) > 1:
        reasons.append("the fairness goal spans every employee's whole roster")
    if previous:
        reasons.append("a previous roster to keep")
    return reasons


def context_days(problem: RosterProblem, settings: RosterSettings) -> int:
    """Days held on each side of a window: one more than the longest stretch a sequence rule
    limits (maximum days on duty, minimum days on duty or off), at most the horizon."""
    longest = 1
    for employee in problem.employees:
        limits = employee_limits(employee, settings)
        longest = max(
            longest,
            min(limits.max_consecutive_days, problem.horizon_days),
            limits.min_consecutive_days,
            limits.min_consecutive_days_off,
        )
    return min(longest + 1, problem.horizon_days)


def cut_days(problem: RosterProblem, settings: RosterSettings) -> list[int]:
    """Day indices where a sub-horizon may begin or end (the day after its last), so that it
    splits no weekend, and no calendar week or contract period where a rule counts by them:
    the horizon's ends and every day but a Sunday, or, when a weekly rule binds
    (``HardRule.weekly``) or some employee's contract period is shorter than the horizon,
    the Mondays that start a contract period of every such employee. Where any day but a
    Sunday may be cut, each side of a sub-horizon rounds up to a cut by about three days
    less on average than to a Monday, so its model holds fewer days."""
    periods = {
        employee.contract_period_days
        for employee in problem.employees
        if employee.contract_period_days < problem.horizon_days
    }
    weekly = bool(periods) or any(
        rule.weekly and rule.binds(problem, settings) for rule in HARD_RULES
    )
    inner = {
        d
        for d, day in enumerate(problem.dates)
        if (
            day.weekday() == MONDAY and all(d % period == 0 for period in periods)
            if weekly
            else day.weekday() != SUNDAY
        )
    }
    return sorted(inner | {0, problem.horizon_days})


@dataclass
class _Part:
    """A neighbourhood's sub-problem and how its choices map back.

    Attributes:
        problem: the sub-problem (the chosen employees over the sub-horizon).
        first: the sub-horizon's first day in the whole horizon.
        employees: sub-problem employee → whole-problem employee.
        rows: sub-problem requirement row → whole-problem row.
        free: the windows' days, each ``[begin, end)`` in the whole horizon.
        work: [sub-problem employee, sub-horizon day] the whole-problem row worked when the
            neighbourhood was drawn, −1 off.
        kind: the kind of neighbourhood drawn (``KINDS``), whose sizes its outcome moves.
    """

    problem: RosterProblem
    first: int
    employees: list[int]
    rows: list[int]
    free: tuple[tuple[int, int], ...]
    work: np.ndarray
    kind: str

    @property
    def last(self) -> int:
        """The day after the sub-horizon's last, in the whole horizon."""
        return self.first + self.problem.horizon_days


@dataclass
class _Found:
    """A re-solve's result that lowers its sub-model's objective.

    Attributes:
        change: the change in the objective, weighted units (negative), proven: the
            sub-model's objective with every choice held to the result, less with every
            choice held to the roster as drawn.
        work: [sub-problem employee, sub-horizon day] the whole-problem row the result
            works, −1 off.
        reprice: the change in the objective (weighted units) with the chosen employees
            working the given rows instead (as ``work``); ``None`` when they break a rule
            of the sub-model, or CP-SAT does not prove its value before the deadline.
    """

    change: float
    work: np.ndarray
    reprice: Callable[[np.ndarray], float | None]


class WindowSearch:
    """A roster (own staff working requirement rows) and its objective, improved by windowed
    neighbourhoods until a deadline (``improve``), by one or more workers at a time.

    Workers re-solve neighbourhoods whose sub-horizons do not overlap, so their results are
    independent except through each employee's horizon totals: an employee's new duties are
    kept only if those still hold after what the others kept meanwhile (``_breaking``); the
    others' are kept when they still lower the objective on their own.

    Attributes:
        duties: the roster's (employee, row, ``WORK``) duties.
        objective: its whole objective in weighted units (kept up to date by adding each
            accepted re-solve's change).
        improved: how many re-solves lowered the objective.
        tried: how many re-solves ran.
        clashed: how many re-solves that lowered their sub-model's objective had some
            employees' new duties dropped, because another worker's result meanwhile left
            them breaking a horizon total.
    """

    def __init__(
        self,
        problem: RosterProblem,
        settings: RosterSettings,
        duties: set[Duty],
        objective: float,
        seed: int = 0,
    ) -> None:
        self.problem, self.settings = problem, settings
        self.improved = self.tried = self.clashed = 0
        self.rng = random.Random(seed)
        self.lock = threading.Condition()
        """Held to read or change the roster, the sizes and the counts, and to draw."""
        self.busy: list[tuple[int, int]] = []
        """Sub-horizons ``[first, last)`` being re-solved."""
        days, rows = problem.horizon_days, problem.requirements
        self.shift_index = {shift.shift_id: s for s, shift in enumerate(problem.shift_types)}
        self.row_day = np.array([problem.day_index(row.day) for row in rows])
        self.row_shift = np.array([self.shift_index[row.shift_id] for row in rows])
        self.minutes = np.array([shift.length_minutes for shift in problem.shift_types])
        self.needed = np.array([row.staff_needed for row in rows])
        self.work = np.full((len(problem.employees), days), -1)
        """[employee, day] row worked, −1 off."""
        for e, r, _ in duties:
            self.work[e, self.row_day[r]] = r
        self.staffed = np.bincount(self.work[self.work >= 0], minlength=len(rows))
        """[row] staff working it."""
        self.objective = objective
        self.dates = problem.dates
        self.weekend = np.full(days, -1)
        """[day] the weekend (its Sunday's index) a Saturday or Sunday is part of, else −1."""
        for d, day in enumerate(self.dates):
            if day.weekday() in (SATURDAY, SUNDAY):
                self.weekend[d] = d + SUNDAY - day.weekday()
        self.weekend_limit = np.array(
            [
                days
                if (limit := employee_limits(employee, settings).max_weekends) is None
                else limit
                for employee in problem.employees
            ]
        )
        """[employee] most weekends they may work (the horizon's days when no limit)."""
        self.context = context_days(problem, settings)
        self.cuts = cut_days(problem, settings)
        employees = len(problem.employees)
        per_day = employees * max(len(rows), 1) / max(days, 1)  # choices in a day of everyone's
        staff = min(employees / 3, FIRST_CHOICES / (per_day / employees) / SOME_STAFF_DAYS)
        self.size = Sizes(
            {
                "days": FIRST_CHOICES / per_day,
                "staff": staff,
                "window": float(SOME_STAFF_DAYS),
                "pair staff": staff,
                "weekend staff": min(float(employees), FAR_WEEKENDS_STAFF),
            },
            SIZES,
        )
        """A kind's size: ``days`` of ``ALL_STAFF``; ``staff`` and ``window`` (days) of
        ``SOME_STAFF``; ``pair staff`` of ``TWO_WINDOWS``. They start at about
        ``FIRST_CHOICES`` free choices (``weekend staff``, of ``FAR_WEEKENDS``, at
        ``FAR_WEEKENDS_STAFF``)."""
        sundays = np.unique(self.weekend[self.weekend >= 0])
        self.weekend_windows = [(max(0, s - 2), min(days, s + 2)) for s in sundays.tolist()]
        """Each weekend with a day in the horizon, Friday to Monday, ``[begin, end)``, in the
        order of ``_on_weekends``' columns."""
        self.needed_by_day = np.bincount(self.row_day, weights=self.needed, minlength=days)
        """[day] staff needed over all its rows."""
        self.open_days = np.array(
            [[day not in person.unavailable for day in self.dates] for person in problem.employees],
            dtype=bool,
        ).reshape(employees, days)
        """[employee, day] the employee may be on duty that day."""
        self.eligible: dict[int, np.ndarray] = {}
        """Requirement row → [employee] who may staff it, filled as rows are drawn."""

    @property
    def duties(self) -> set[Duty]:
        """The roster's duties."""
        staff, days = np.nonzero(self.work >= 0)
        return {(int(e), int(self.work[e, d]), WORK) for e, d in zip(staff, days, strict=True)}

    def adopt(self, work: np.ndarray, objective: float) -> None:
        """Take the roster ``work`` ([employee, day] row worked, −1 off) with its
        ``objective`` (while no re-solve runs)."""
        with self.lock:
            self.work = work
            self.staffed = np.bincount(work[work >= 0], minlength=len(self.problem.requirements))
            self.objective = objective

    def improve(
        self, deadline: float, settled_value: float | None = None, workers: int = 1
    ) -> None:
        """Re-solve neighbourhoods of a random kind (``KINDS``) with ``workers`` threads (each
        re-solve one CP-SAT worker) until ``deadline`` (a ``time.perf_counter()`` reading), a
        stop request, or the objective reaching ``settled_value`` (a lower bound on it, or the
        value within the run's relative gap of one: ``solve.settled_at``)."""

        # two windows need two days; weekends far apart, weekend limits that bind
        kinds = KINDS if self.problem.horizon_days > 1 else (ALL_STAFF, SOME_STAFF)
        if not self._weekends_bind():
            kinds = tuple(kind for kind in kinds if kind != FAR_WEEKENDS)

        def search() -> None:
            while not stop.past(deadline - LEAST_SECONDS, time.perf_counter()):
                if settles(self.objective, settled_value):
                    return
                with self.lock:
                    kind = self.rng.choice(kinds)
                self.step(kind, deadline)

        # a signal ends the search through stop.past (each worker keeps what it found)
        # instead of interrupting it between two Python instructions
        with stop.solving(lambda: None), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for running in [pool.submit(search) for _ in range(max(1, workers))]:
                running.result()

    def step(self, kind: str, deadline: float) -> int:
        """Re-solve one neighbourhood of ``kind``, not past ``deadline``, keeping the result
        when it lowers the objective: ``ALL_STAFF``, every employee on a window around a day
        with uncovered demand; ``SOME_STAFF``, a few employees on a wider window around
        such a day, half of them, where there are, working one day only of a weekend in
        it (``_some_staff``); ``TWO_WINDOWS``, the same on two windows of half the width,
        one around such a day and one up to ``TWO_WINDOWS_APART_DAYS`` away or, in a
        ``FAR_SHARE`` of them, anywhere in the horizon, the days between held (an employee
        can move a weekend, minutes or shifts of a type from one to the other; some of its
        staff, where there are, have weekends to spare); ``FAR_WEEKENDS``, a few employees
        on the weekend (Friday to Monday) of a short weekend row and on weekends anywhere
        that have people to spare (``_far_weekends``), where the weekend limit binds; without
        such weekends another kind is drawn. The kind's
        sizes (``SIZES``) grow after a re-solve proven optimal that found nothing better and
        shrink after one not proven (``resolves.Sizes``). Waits while every neighbourhood
        drawn overlaps one being re-solved. Returns the re-solve's CP-SAT status
        (``UNKNOWN`` when the deadline came first)."""
        with self.lock:
            part = self._part(kind)
            while part is None:
                if stop.past(deadline - LEAST_SECONDS, time.perf_counter()):
                    return cp_model.UNKNOWN
                self.lock.wait(stop.POLL_SECONDS)
                part = self._part(kind)
            self.busy.append((part.first, part.last))
        # the result is written before the sub-horizon is free again: a worker drawing it
        # sooner would copy the roster there as it was
        try:
            code, found = self._resolve(part, deadline)
            with self.lock:
                if code != cp_model.UNKNOWN:
                    self.tried += 1
                if found is not None:
                    self._settle(part, found)
                self.size.after(part.kind, code, found is not None)
        finally:
            with self.lock:
                self.busy.remove((part.first, part.last))
                self.lock.notify_all()
        return code

    def _part(self, kind: str) -> _Part | None:
        """A neighbourhood of ``kind`` (see ``step``) as a sub-problem whose sub-horizon
        overlaps none being re-solved; ``None`` when ``DISJOINT_TRIES`` draws gave none."""
        for _ in range(DISJOINT_TRIES):
            drawn_kind, drawn = kind, None
            if kind == FAR_WEEKENDS:
                drawn = self._far_weekends()
                if drawn is None:  # no short weekend or none to spare: another kind
                    drawn_kind = self.rng.choice([k for k in KINDS if k != FAR_WEEKENDS])
            if drawn is None:
                drawn = self._windows(drawn_kind)
            if drawn is None:
                continue
            chosen, free = drawn
            first, last = self._sub_horizon(free[0][0], free[-1][1])
            if any(first < busy_last and busy_first < last for busy_first, busy_last in self.busy):
                continue
            return self._sub_problem(chosen, tuple(free), drawn_kind)
        return None

    def _windows(self, kind: str) -> tuple[list[int], list[tuple[int, int]]] | None:
        """The employees and windows of an ``ALL_STAFF``, ``SOME_STAFF`` or ``TWO_WINDOWS``
        neighbourhood (see ``step``); ``None`` when a second window has no room."""
        days, employees = self.problem.horizon_days, len(self.problem.employees)
        width = min(days, max(1, round(self.size["days" if kind == ALL_STAFF else "window"])))
        if kind == TWO_WINDOWS:  # at most a third of the horizon: room for the other window
            width = max(1, min(days // 3, round(self.size["window"] / 2)))
        anchor = self._anchor()
        begin = min(max(0, anchor - self.rng.randrange(width)), days - width)
        free = [(begin, begin + width)]
        if kind == TWO_WINDOWS:
            far = self.rng.random() < FAR_SHARE
            other = self._other_window(begin, width, days if far else TWO_WINDOWS_APART_DAYS)
            if other is None:
                return None
            free = sorted([*free, other])
        if kind == ALL_STAFF:
            return list(range(employees)), free
        size = self.size["staff" if kind == SOME_STAFF else "pair staff"]
        return self._some_staff(min(employees, max(1, round(size))), free), free

    def _other_window(self, begin: int, width: int, apart: int) -> tuple[int, int] | None:
        """A window of ``width`` days starting at most ``apart`` days (or twice ``width``)
        from ``begin`` either way, not overlapping ``[begin, begin + width)``; ``None`` when
        the horizon has no room for one (it always has when ``width`` is at most a third of
        it)."""
        days, reach = self.problem.horizon_days, max(apart, 2 * width)
        starts = [
            start
            for start in range(max(0, begin - reach), min(days - width, begin + reach) + 1)
            if start + width <= begin or start >= begin + width
        ]
        if not starts:
            return None
        start = self.rng.choice(starts)
        return start, start + width

    def _weekends_bind(self) -> bool:
        """Whether some employee may work fewer weekends than the horizon has, and it has two."""
        weekends = len(self.weekend_windows)
        return weekends >= 2 and bool((self.weekend_limit < weekends).any())

    def _far_weekends(self) -> tuple[list[int], list[tuple[int, int]]] | None:
        """A ``FAR_WEEKENDS`` neighbourhood's employees and windows: the weekend (Friday to
        Monday) of a random weekend row short of staff, and up to ``FAR_WEEKENDS_COUNT``
        weekends anywhere else in the horizon that more people work than their busier day
        needs (where the weekend limit binds, those people's weekends are the ones December's
        short weekends lack on Curtois–Qu Instance24); of the ``weekend staff`` employees, up
        to half work one of the far weekends and are free, on duty-able and eligible on a
        short row of the near one (they can move a weekend there), up to a quarter work one
        day only of a freed weekend, the rest at random. ``None`` when no weekend row is short
        or no other weekend has people to spare."""
        short = np.flatnonzero((self.staffed < self.needed) & (self.weekend[self.row_day] >= 0))
        if not len(short):
            return None
        on_duty = self.work >= 0
        on_weekends = self._on_weekends(on_duty)  # [employee, weekend]
        days = np.flatnonzero(self.weekend >= 0)
        starts = np.flatnonzero(np.diff(self.weekend[days], prepend=-1))
        busier_day = np.maximum.reduceat(self.needed_by_day[days], starts)
        sundays = self.weekend[days[starts]]
        near = int(np.searchsorted(sundays, self.weekend[self.row_day[self.rng.choice(short)]]))
        spare = np.flatnonzero(on_weekends.sum(axis=0) > busier_day)
        spare = spare[spare != near].tolist()
        if not spare:
            return None
        far = self.rng.sample(spare, min(FAR_WEEKENDS_COUNT, len(spare)))
        free = sorted(self.weekend_windows[w] for w in [near, *far])
        works_far = on_weekends[:, far].any(axis=1)
        begin, end = self.weekend_windows[near]
        movers: set[int] = set()
        for row in short[(self.row_day[short] >= begin) & (self.row_day[short] < end)]:
            day = self.row_day[row]
            can = works_far & ~on_duty[:, day] & self.open_days[:, day] & self._eligible(row)
            movers.update(np.flatnonzero(can).tolist())
        count = min(len(self.problem.employees), max(1, round(self.size["weekend staff"])))
        picked = self.rng.sample(sorted(movers), min(len(movers), count // 2))
        one_day = set(self._one_day_weekenders(free)) - set(picked)
        picked += self.rng.sample(sorted(one_day), min(len(one_day), count // 4))
        rest = sorted(set(range(len(self.problem.employees))) - set(picked))
        return sorted(picked + self.rng.sample(rest, count - len(picked))), free

    def _eligible(self, row: int) -> np.ndarray:
        """[employee] who may staff requirement ``row`` (cached)."""
        if row not in self.eligible:
            requirement = self.problem.requirements[row]
            shift = self.problem.shift_types[self.row_shift[row]]
            self.eligible[row] = np.array(
                [may_staff(employee, requirement, shift) for employee in self.problem.employees]
            )
        return self.eligible[row]

    def _one_day_weekenders(self, free: list[tuple[int, int]]) -> list[int]:
        """The employees who work one day only of a weekend lying whole in a window of
        ``free`` (each days ``[begin, end)``)."""
        one_day: set[int] = set()
        for begin, end in free:
            weekend = self.weekend[begin:end]
            on_weekend = (self.work[:, begin:end] >= 0) & (weekend >= 0)
            for sunday in np.unique(weekend[weekend >= 0]):
                days = weekend == sunday
                if days.sum() == 2:
                    one_day.update(np.flatnonzero(on_weekend[:, days].sum(axis=1) == 1).tolist())
        return sorted(one_day)

    def _some_staff(self, count: int, free: list[tuple[int, int]]) -> list[int]:
        """``count`` employees for a neighbourhood freeing some staff on the windows
        ``free`` (each days ``[begin, end)``), in order: up to half of them among those who
        work one day only of a weekend lying whole in a window (working its other day too
        costs them no more weekends, where the weekend limit binds); with two windows, up to
        a quarter more among those working fewer weekends than their limit (they can take
        over a weekend in one window, so that an employee at the limit can work one in the
        other); the rest at random."""
        one_day = self._one_day_weekenders(free)
        picked = self.rng.sample(one_day, min(len(one_day), count // 2))
        if len(free) > 1:
            spare = sorted(set(np.flatnonzero(self._spare_weekends()).tolist()) - set(picked))
            picked += self.rng.sample(spare, min(len(spare), count // 4))
        rest = sorted(set(range(len(self.problem.employees))) - set(picked))
        return sorted(picked + self.rng.sample(rest, count - len(picked)))

    def _spare_weekends(self) -> np.ndarray:
        """``[employee]`` whether they work fewer weekends than their limit allows (always,
        for an employee without a weekend limit)."""
        return self._weekends_worked(self.work >= 0) < self.weekend_limit

    def _weekends_worked(self, on_duty: np.ndarray, first: int = 0) -> np.ndarray:
        """``[row]`` how many weekends each row of ``on_duty`` (``[row, day]`` bool, its days
        from day ``first`` of the horizon on) works on at least one day of."""
        return self._on_weekends(on_duty, first).sum(axis=1)

    def _on_weekends(self, on_duty: np.ndarray, first: int = 0) -> np.ndarray:
        """``[row, weekend]`` whether each row of ``on_duty`` (``[row, day]`` bool, its days
        from day ``first`` of the horizon on) works a day of each weekend in those days."""
        weekend = self.weekend[first : first + on_duty.shape[1]]
        days = np.flatnonzero(weekend >= 0)
        if not len(days):
            return np.zeros((len(on_duty), 0), dtype=bool)
        starts = np.flatnonzero(np.diff(weekend[days], prepend=-1))  # each weekend's first day
        return np.logical_or.reduceat(on_duty[:, days], starts, axis=1)

    def _anchor(self) -> int:
        """The day of a random requirement row short of staff, or a random day if none."""
        short = np.flatnonzero(self.staffed < self.needed)
        if not len(short):
            return self.rng.randrange(self.problem.horizon_days)
        return int(self.row_day[short[self.rng.randrange(len(short))]])

    def _sub_horizon(self, begin: int, end: int) -> tuple[int, int]:
        """The sub-horizon ``[first, last)`` of a window ``[begin, end)``: widened by the
        context days on each side, then on to the nearest cut days."""
        first = max(cut for cut in self.cuts if cut <= max(0, begin - self.context))
        horizon = self.problem.horizon_days
        last = min(cut for cut in self.cuts if cut >= min(horizon, end + self.context))
        return first, last

    def _sub_problem(
        self, chosen: list[int], free: tuple[tuple[int, int], ...], kind: str
    ) -> _Part:
        """The sub-problem of a neighbourhood of ``kind`` freeing ``chosen`` employees on the
        windows ``free`` (each days ``[begin, end)``, in order; the days between are held)."""
        problem = self.problem
        first, last = self._sub_horizon(free[0][0], free[-1][1])
        others = np.ones(len(problem.employees), dtype=bool)
        others[chosen] = False
        held = self.work[others, first:last]
        staffed_by_others = np.bincount(held[held >= 0], minlength=len(problem.requirements))
        rows = self._rows(chosen, free, first, last)
        requirements = tuple(
            _less_needed(problem.requirements[r], int(staffed_by_others[r])) for r in rows
        )
        sub = RosterProblem(
            start_date=problem.start_date + timedelta(days=first),
            horizon_days=last - first,
            shift_types=problem.shift_types,
            employees=tuple(self._inside(e, first, last) for e in chosen),
            requirements=requirements,
            name=problem.name,
        )
        work = self.work[chosen, first:last].copy()
        return _Part(sub, first, chosen, rows, free, work, kind)

    def _rows(
        self, chosen: list[int], free: tuple[tuple[int, int], ...], first: int, last: int
    ) -> list[int]:
        """The requirement rows of a sub-problem freeing ``chosen`` employees on the windows
        ``free`` in the sub-horizon ``[first, last)``: those of the free days, and those the
        chosen employees work on its held days. A held day's other rows have no choice in
        the sub-model; their cover is the same constant in every re-solve of it, so leaving
        them out changes no result (a far ``TWO_WINDOWS`` sub-horizon spans most of the
        horizon, and most of its rows are such rows)."""
        day = self.row_day
        kept = np.zeros(len(day), dtype=bool)
        for begin, end in free:  # the windows lie inside the sub-horizon
            kept |= (day >= begin) & (day < end)
        worked = self.work[chosen, first:last]
        kept[worked[worked >= 0]] = True
        return np.flatnonzero(kept).tolist()

    def _inside(self, e: int, first: int, last: int) -> Employee:
        """Employee ``e`` with their horizon totals less what they work outside days
        ``[first, last)``, and their days and requests inside them."""
        employee, problem = self.problem.employees[e], self.problem
        outside = self.work[e].copy()
        outside[first:last] = -1
        worked = outside[outside >= 0]
        shifts = np.bincount(self.row_shift[worked], minlength=len(problem.shift_types))
        max_shifts = {
            shift: limit - int(shifts[self.shift_index[shift]])
            if shift in self.shift_index
            else limit
            for shift, limit in employee.max_shifts.items()
        }
        changes: dict[str, object] = {"max_shifts": max_shifts}
        if employee.contract_period_days >= problem.horizon_days:
            minutes = int(self.minutes[self.row_shift[worked]].sum())
            least = employee.min_minutes * problem.horizon_days // employee.contract_period_days
            changes["min_minutes"] = max(0, least - minutes)
            changes["contract_period_days"] = last - first
            if employee.max_minutes is not None:
                changes["max_minutes"] = employee.max_minutes - minutes
        weekends = employee_limits(employee, self.settings).max_weekends
        if weekends is not None:
            changes["max_weekends"] = weekends - int(self._weekends_worked(outside[None] >= 0)[0])
        dates = set(self.dates[first:last])
        changes["unavailable"] = employee.unavailable & dates
        changes["requests"] = tuple(q for q in employee.requests if q.day in dates)
        return replace(employee, **changes)

    def _resolve(self, part: _Part, deadline: float) -> tuple[int, _Found | None]:
        """Re-solve ``part`` with one worker: first with every choice held (the roster's
        value in the sub-model), then with the window's choices free (hinted with the
        roster). Held days get only the roster's own choices. Returns the second solve's
        status (the first's when it is not proven) and, when it lowers the sub-model's
        objective, the result, its change proven (``_Found``); it reads only ``part``, not
        the roster."""
        row_day, work, first = self.row_day.tolist(), part.work, part.first
        free_day = [False] * part.problem.horizon_days
        for begin, end in part.free:
            free_day[begin - first : end - first] = [True] * (end - begin)

        def offered(e: int, r: int) -> bool:
            """Free days offer every choice; held days only the roster's own duty."""
            whole_r = part.rows[r]
            day = row_day[whole_r]
            return free_day[day - first] or work[e, day - first] == whole_r

        m, _ = build_model(part.problem, self.settings, offered=offered)
        if stop.past(deadline, time.perf_counter()):
            return cp_model.UNKNOWN, None
        variables = [var for _, _, _, var in m.choices]
        days = [row_day[part.rows[r]] for _, r, _, _ in m.choices]
        free = [free_day[day - first] for day in days]
        domains = [m.model.proto.variables[var.index].domain for var in variables]

        def solve_held(rows: np.ndarray) -> tuple[int, cp_model.CpSolver]:
            """The sub-model solved with every choice held to the employees working
            ``rows`` ([sub-problem employee, sub-horizon day] row, −1 off)."""
            for domain, (e, r, _, _), day in zip(domains, m.choices, days, strict=True):
                domain[0] = domain[1] = int(rows[e, day - first] == part.rows[r])
            return self._solve(m.model, LEAST_SECONDS, deadline)

        # only a proven objective counts: one merely feasible may count staff both short
        # and over on a row (the cover slacks need not be tight), which would leave the
        # search's objective off the roster's
        code, held = solve_held(work)
        if code == cp_model.INFEASIBLE:
            raise RuntimeError(f"{self.problem.name}: the roster breaks a rule of its window")
        if code != cp_model.OPTIMAL:
            return code, None
        before = held.objective_value

        def reprice(rows: np.ndarray) -> float | None:
            code, solver = solve_held(rows)
            return solver.objective_value - before if code == cp_model.OPTIMAL else None

        for domain, is_free in zip(domains, free, strict=True):
            if is_free:
                domain[0], domain[1] = 0, 1
        # every variable hinted with the held solve's values: a complete, feasible hint (the
        # choices alone leave CP-SAT to complete it, which one worker often fails to do)
        solution = held.response_proto.solution
        m.model.proto.solution_hint.vars.extend(range(len(solution)))
        m.model.proto.solution_hint.values.extend(solution)
        seconds = max(LEAST_SECONDS, SECONDS_PER_CHOICE * sum(free))
        code, solver = self._solve(m.model, seconds, deadline)
        unsolved = code not in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if unsolved or solver.objective_value >= before - 1e-6:
            return code, None
        rows = np.full_like(work, -1)
        for (e, r, _, var), day in zip(m.choices, days, strict=True):
            if solver.boolean_value(var):
                rows[e, day - first] = part.rows[r]
        change = solver.objective_value - before if code == cp_model.OPTIMAL else reprice(rows)
        if change is None or change > -1e-6:
            return code, None
        return code, _Found(change, rows, reprice)

    def _solve(
        self, model: cp_model.CpModel, seconds: float, deadline: float
    ) -> tuple[int, cp_model.CpSolver]:
        """``model`` solved with one worker for at most ``seconds``, not past ``deadline``;
        returns the status and the solver."""
        with self.lock:
            seed = self.rng.randrange(1 << 30)
        solver = one_worker(min(seconds, deadline - time.perf_counter()), seed)
        return stop.run_cp_sat(solver, model), solver

    def _settle(self, part: _Part, found: _Found) -> None:
        """Write the chosen employees' sub-horizon duties from a re-solve's result and add its
        change to the objective. An employee whom what other workers kept since ``part`` was
        drawn leaves breaking a horizon total keeps their duties as drawn; the others' new
        duties are kept if they still lower the objective (repriced on the sub-model). Rows
        and requests lie in the sub-horizon, which no other worker changed, so the change
        holds whenever the totals do."""
        first, work = part.first, found.work.copy()
        change, breaking = found.change, self._breaking(part, work)
        if breaking:
            self.clashed += 1
            work[breaking] = part.work[breaking]
            repriced = found.reprice(work)
            if repriced is None or repriced > -1e-6:
                return
            change = repriced
        self.work[part.employees, first : part.last] = work
        self.staffed = np.bincount(
            self.work[self.work >= 0], minlength=len(self.problem.requirements)
        )
        self.objective += change
        self.improved += 1

    def _breaking(self, part: _Part, work: np.ndarray) -> list[int]:
        """The sub-problem employees who, working ``work`` ([sub-problem employee,
        sub-horizon day] row, −1 off), break a horizon total with the roster as it is now
        outside the sub-horizon: the totals ``_inside`` takes the outside work from (shifts
        per type, contract minutes when the contract period spans the horizon, weekends
        worked)."""
        return [
            i
            for i, e in enumerate(part.employees)
            if not self._keeps_totals(e, part.problem.employees[i], part, work[i])
        ]

    def _keeps_totals(self, e: int, drawn: Employee, part: _Part, work: np.ndarray) -> bool:
        """Whether employee ``e`` (``drawn`` in ``part``'s sub-problem) working ``work``
        ([sub-horizon day] row, −1 off) keeps their horizon totals (``_breaking``)."""
        now = self._inside(e, part.first, part.last)
        if now == drawn:
            return True  # nothing outside changed
        worked = work[work >= 0]
        shifts = np.bincount(self.row_shift[worked], minlength=len(self.shift_index))
        for shift, limit in now.max_shifts.items():
            if shift in self.shift_index and shifts[self.shift_index[shift]] > limit:
                return False
        if self.problem.employees[e].contract_period_days >= self.problem.horizon_days:
            minutes = int(self.minutes[self.row_shift[worked]].sum())
            if minutes < now.min_minutes:
                return False
            if now.max_minutes is not None and minutes > now.max_minutes:
                return False
        return now.max_weekends is None or bool(
            self._weekends_worked(work[None] >= 0, part.first)[0] <= now.max_weekends
        )


def _less_needed(requirement: Requirement, staffed_by_others: int) -> Requirement:
    """``requirement`` needing the staff that others do not already give (at least 0)."""
    return replace(requirement, staff_needed=max(0, requirement.staff_needed - staffed_by_others))
