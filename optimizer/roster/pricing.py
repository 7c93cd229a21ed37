"""One employee's most valuable roster under the priced hard rules: a dynamic program over days.

It is the pricing step of the roster engine's column generation (``columns``): given a
value for working each shift type on each day and for being off each day, it returns the
employee's roster of greatest total value. Every hard rule whose ``rules.HARD_RULES`` record
says how it is priced is part of the program's state or transitions (a rule that is not
priced keeps column generation from the problems it binds, see ``columns.blockers``).
"At most N shifts of a type" is tracked in the state for the tightest limits (while the
combinations stay within ``TRACKED_COUNT_STATES``); the caller prices the others with a
penalty per shift of the type (a Lagrangian relaxation) and checks them.

State after day ``d``: the current stretch (off, with its length capped at the minimum days
off; or the successor class of the last shift worked, the work stretch's length and whether
it began on day 0), the minutes worked in the current contract period (in units of the shift
lengths' greatest common divisor), the weekends worked so far and the counts of the tracked
shift types. Stretches touching either horizon edge are not held to their minimum lengths
(the engine's Curtois–Qu convention); maximum lengths hold everywhere. The program is
compiled by numba (cached in ``__pycache__``) and releases the interpreter lock, so employees
are priced in parallel threads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numba
import numpy as np

from optimizer.roster.eligibility import forbidden_successions
from optimizer.roster.kernels import BOOLS, BOOLS_2D, FLOATS, FLOATS_2D, INT, INTS, kernel
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings, employee_limits

UNREACHABLE = -1e300
TRACKED_COUNT_STATES = 30
"""Most combinations of tracked shift-type counts in the program's state."""
WEEKEND_BAND = 2
"""Weekends-worked values a banded program keeps per day (``EmployeeRules.fitted``)."""
MIN_MINUTES_BAND = 2
"""A banded program keeps at least this many longest shifts beyond the period's window."""
PACE_DAYS = 28
"""Days the demand is averaged over to pace a band's pro-rata path (``EmployeeRules._pace``):
four whole weeks, so the path follows where demand grows through the horizon, not each
week's pattern."""
SATURDAY, SUNDAY = 5, 6


@dataclass(frozen=True)
class EmployeeRules:
    """One employee's hard rules as arrays for ``best_roster`` (``d`` day, ``s`` shift type).

    Attributes:
        units: shift length of each type, in units of ``unit_minutes``.
        unit_minutes: the greatest common divisor of the shift lengths, minutes.
        follows: ``follows[s, t]``: type ``t`` may be worked the day after type ``s``.
        period_last: the day ends a contract period.
        min_units, max_units: the period's least and most units worked; ``min_units`` is
            checked on its last day, ``max_units`` on every day of the period.
        weekend, weekend_first: the day is a weekend day; it is its weekend's first day in
            the horizon.
        max_consecutive, min_consecutive, min_days_off, max_weekends: sequence limits.
        max_per_type: most shifts of each type in the horizon.
        limit_type: the type whose limit each type counts against (an index into these
            types): itself, or, for on-call duty in a shift type (``on_call_rules``), that
            shift type, as on-call duty counts against the type's limit.
        count_step: place value of each type's count in the program's count index (shared
            by the types of one ``limit_type``); 0 for types whose limit the program does not
            track (the caller must check those).
        count_states: size of the count index.
        open_days: ``[day]`` the employee may work that day at all (``None``: every day);
            only ``period_shifts`` reads it (closed days are also closed in the values).
        demand: ``[day]`` staff needed on the rows the employee may staff (``None``: every
            day alike): the bands' pro-rata paths (``band_low``, ``weekend_low``) move with
            its trend, so where demand grows through the horizon the bands hold more of the
            employee's work where more is needed.
        minutes_band, weekend_band: the program's minutes and weekends dimensions when
            banded (``fitted``), ``None`` when exact.
    """

    units: np.ndarray
    unit_minutes: int
    follows: np.ndarray
    period_last: np.ndarray
    min_units: np.ndarray
    max_units: np.ndarray
    weekend: np.ndarray
    weekend_first: np.ndarray
    max_consecutive: int
    min_consecutive: int
    min_days_off: int
    max_weekends: int
    max_per_type: np.ndarray
    limit_type: np.ndarray
    count_step: np.ndarray
    count_states: int
    open_days: np.ndarray | None = None
    demand: np.ndarray | None = None
    minutes_band: int | None = None
    weekend_band: int | None = None

    def restricted(self, types: np.ndarray) -> EmployeeRules:
        """The same rules over the shift ``types`` alone (indices into the full list)."""
        max_per_type = self.max_per_type[types]
        position = {int(t): i for i, t in enumerate(types)}
        limit_type = np.array(
            [position.get(int(self.limit_type[t]), i) for i, t in enumerate(types)], np.int64
        )
        count_step, count_states = _tracked_counts(max_per_type, limit_type, len(self.period_last))
        return replace(
            self,
            units=self.units[types],
            follows=self.follows[np.ix_(types, types)],
            max_per_type=max_per_type,
            limit_type=limit_type,
            count_step=count_step,
            count_states=count_states,
        )

    @cached_property
    def successor_classes(self) -> tuple[np.ndarray, np.ndarray]:
        """Shift types grouped by the types allowed to follow them: (class of each type, the
        allowed followers of each class as ``[class, type]``)."""
        rows, type_class = np.unique(self.follows, axis=0, return_inverse=True)
        return type_class.astype(np.int64).ravel(), np.ascontiguousarray(rows, dtype=np.bool_)

    @cached_property
    def minutes_window(self) -> tuple[np.ndarray, np.ndarray, int]:
        """The minutes units worked in the period that a roster keeping the rules can hold
        after each day: (``[day]`` the least, ``[day]`` the most, the most minus the least + 1
        at the widest day: the exact program's band). The least is the period's minimum less
        the most units the rest of the period can hold, the most what its days so far can hold
        (and its maximum); 0 on a period's last day (its count restarts). "Can hold" counts
        the most shifts the stretch rules allow on those of the days that are open, from any
        stretch, filled with the longest types up to their limits: a relaxation, so no roster
        is cut off."""
        days = len(self.period_last)
        most_units = self.most_units
        low, high = np.zeros(days, dtype=np.int64), np.zeros(days, dtype=np.int64)
        for first, last, before, after in self.period_shifts:
            days_in = slice(first, last)
            high[days_in] = np.minimum(self.max_units[days_in], most_units[before[:-1]])
            still = int(self.min_units[last]) - most_units[after[:-1]]
            low[days_in] = np.maximum(0, np.minimum(still, high[days_in]))
        return low, high, int((high - low).max(initial=0)) + 1

    @cached_property
    def most_units(self) -> np.ndarray:
        """``[k]`` the most units k shifts can hold, k = 0..days: the longest types first, to
        their limits."""
        days = len(self.period_last)
        longest = np.argsort(-self.units, kind="stable")
        units = np.repeat(self.units[longest], np.minimum(self.max_per_type[longest], days))
        most_units = np.concatenate([[0], np.cumsum(units[:days])])
        return np.pad(most_units, (0, days + 1 - len(most_units)), mode="edge")

    @cached_property
    def period_shifts(self) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
        """Per contract period: (its first day, its last day, ``[d]`` the most shifts its
        open days 0..d can hold, ``[d]`` the most its days after d can hold), under the
        stretch rules from any stretch (``_most_shifts``; open days: ``open_days``)."""
        days = len(self.period_last)
        open_days = np.ones(days, dtype=np.bool_) if self.open_days is None else self.open_days
        periods, first = [], 0
        for last in np.flatnonzero(self.period_last):
            before, after = _most_shifts(
                open_days[first : last + 1], self.max_consecutive, self.min_days_off
            )
            periods.append((first, int(last), before, after))
            first = int(last) + 1
        return periods

    @cached_property
    def weekends_bind(self) -> bool:
        """Whether the weekend limit can bind (else the program does not count weekends)."""
        return self.max_weekends < int(self.weekend_first.sum())

    @cached_property
    def lone_weekend_days(self) -> np.ndarray:
        """The days (indices) that are the second day of a two-day weekend, where the weekend
        limit binds: a weekend is worked on one day only when such a day and the day before
        differ (``lone_weekends``, the program's ``lone_weekend_cost``)."""
        second = self.weekend & ~self.weekend_first
        second[1:] &= self.weekend[:-1]
        second[0] = False
        return np.flatnonzero(second) if self.weekends_bind else np.empty(0, dtype=np.int64)

    @property
    def exact(self) -> bool:
        """Whether the program finds the best roster (no band restricts it)."""
        return self.minutes_band is None and self.weekend_band is None

    def widths(self) -> tuple[int, int]:
        """The program's (minutes, weekends) dimensions under the bands."""
        exact = self.minutes_window[2]
        minutes = exact if self.minutes_band is None else min(self.minutes_band, exact)
        weekends = self.max_weekends + 1 if self.weekends_bind else 1
        if self.weekend_band is not None:
            weekends = min(weekends, self.weekend_band)
        return minutes, weekends

    def states(self) -> int:
        """States per day of the program (its work is about this × days × type groups, its
        memory about 5 bytes × this × days)."""
        stretches = self.min_days_off + len(self.successor_classes[1]) * self.max_consecutive * 2
        minutes, weekends = self.widths()
        return stretches * minutes * weekends * self.count_states

    @cached_property
    def _unbanded(self) -> EmployeeRules:
        """These rules without bands."""
        return replace(self, minutes_band=None, weekend_band=None)

    @property
    def _days_by_groups(self) -> int:
        """Days × type groups: what the states per day are multiplied by in a program's size."""
        return len(self.period_last) * (int(self.type_groups[0].max(initial=0)) + 1)

    @property
    def exact_size(self) -> int:
        """States × days × type groups of the program without bands: the least budget at
        which ``fitted`` leaves it exact."""
        return self._unbanded.states() * self._days_by_groups

    def fitted(self, budget: int, weekend_band: int = WEEKEND_BAND) -> EmployeeRules:
        """These rules with bands, if needed, so that states × days × type groups stays
        within ``budget``: the weekends first to ``weekend_band`` values, then the minutes,
        to at least ``MIN_MINUTES_BAND`` shifts of the longest type beyond the period's
        window."""
        rules = self._unbanded
        if self.exact_size <= budget:
            return rules
        if rules.weekends_bind:
            rules = replace(rules, weekend_band=weekend_band)
        minutes, _ = rules.widths()
        per_unit = rules.states() // minutes * self._days_by_groups
        window = int((self.max_units[self.period_last] - self.min_units[self.period_last]).max())
        least = min(window, minutes) + MIN_MINUTES_BAND * int(self.units.max(initial=1))
        band = max(least, budget // per_unit)
        return replace(rules, minutes_band=None if band >= minutes else band)

    def band_low(self, open_days: np.ndarray, around: np.ndarray | None = None) -> np.ndarray:
        """``[day]`` lowest minutes units (worked so far in the period) the program keeps
        after each day: without a band, the least of ``minutes_window``; with one, a band
        centred on a path, moved inside the window where it sticks out; 0 on a period's last
        day (its count restarts). The path is the minutes worked so far by the roster
        ``around`` ([day] type index, −1 off) when given, else the path from 0 to the middle
        of the period's [min, max] window that rises on the ``open_days`` (those the
        employee may work) alone, moved towards the one that rises with the trend of the
        ``demand`` on them, no day faster than halfway from the period's average to the most
        its open days can hold on average, by their difference less half a longest shift
        (``_paced``)."""
        days = len(self.period_last)
        least, most, exact = self.minutes_window
        width = self.widths()[0]
        if width >= exact:
            return least
        if around is not None:
            path = self._so_far(np.where(around >= 0, self.units[np.clip(around, 0, None)], 0))
        else:
            path = np.zeros(days)
            pace = self._pace(open_days)
            for first, last, before, _ in self.period_shifts:
                target = (self.min_units[last] + self.max_units[last]) / 2
                opened = np.cumsum(open_days[first : last + 1])
                open_count = max(int(opened[-1]), 1)
                calendar = target * opened / open_count
                # no day faster than halfway from the period's average to the most its open
                # days can hold on average: half its slack is kept for the stretch rules
                fastest = (target + self.most_units[before[-1]]) / 2 / open_count
                paced = np.cumsum(_spread(target, pace[first : last + 1], fastest))
                path[first : last + 1] = _paced(calendar, paced, self.units.max(initial=1))
        low = path.astype(np.int64) - width // 2
        # inside the window: at least its least, at most its most less the band's width
        low = np.maximum(np.minimum(low, most - width + 1), least)
        low[self.period_last] = 0
        return low

    def _pace(self, open_days: np.ndarray) -> np.ndarray:
        """``[day]`` how fast a pro-rata path rises with demand: on ``open_days``, the
        ``demand`` averaged over the ``PACE_DAYS`` around each day (its trend through the
        horizon, not its weekly pattern), or 1 on each when there is none (no ``demand``, or
        none on them); 0 on the other days."""
        if self.demand is None or not self.demand[open_days].any():
            return open_days.astype(np.float64)
        return np.where(open_days, self._demand_trend, 0.0)

    @cached_property
    def _demand_trend(self) -> np.ndarray:
        """``[day]`` the ``demand`` averaged over the ``PACE_DAYS`` around each day (fewer at
        the horizon's edges)."""
        window = np.ones(min(PACE_DAYS, len(self.demand)))
        days_counted = np.convolve(np.ones(len(self.demand)), window, mode="same")
        return np.convolve(self.demand, window, mode="same") / days_counted

    def _so_far(self, per_day: np.ndarray) -> np.ndarray:
        """``[day]`` the sum of ``per_day`` from the start of the day's period to the day."""
        total = np.cumsum(per_day)
        ends = np.flatnonzero(self.period_last)
        before = np.concatenate([[0], total[ends[:-1]]])
        return total - np.repeat(before, np.diff(np.concatenate([[-1], ends])))

    def weekend_low(
        self, open_days: np.ndarray, around: np.ndarray | None = None, *, behind: bool = False
    ) -> np.ndarray:
        """``[day]`` lowest count of weekends worked that the weekend band tells apart after
        each day (fewer count as this many): the band's top is half its width above a path,
        the weekends worked so far by the roster ``around`` ([day] type index, −1 off) when
        given, else the path to the limit that rises on the weekends with ``open_days``,
        moved towards the one that rises with the trend of the ``demand`` on them by their
        difference less half a weekend (``_paced``); all 0 without a band. ``behind`` lowers
        an even-width band by one: a band of 2 then holds the path and one weekend fewer, so
        a roster may work a weekend later than ``around`` (drop one, then add one), where by
        default it may work one earlier (add one, then drop one). An employee at the weekend
        limit can move a weekend only one way with each band."""
        days = len(self.period_last)
        width = self.widths()[1]
        if not self.weekends_bind or width > self.max_weekends:
            return np.zeros(days, dtype=np.int64)
        if around is not None:
            worked = self.weekend & (around >= 0)
            # a weekend counts from its first day worked: a day after a worked day of the
            # same weekend (not its first day in the horizon) adds none
            again = np.concatenate([[False], worked[:-1]]) & ~self.weekend_first
            path = np.cumsum(worked & ~again)
        else:
            first_open = self.weekend_first & open_days
            opened = np.cumsum(first_open)
            calendar = self.max_weekends * opened / max(int(opened[-1]), 1)
            # each weekend's pace, counted on its first day once that day is open
            number = np.cumsum(self.weekend_first) - 1
            on_weekend = self.weekend & (number >= 0)
            pace = np.bincount(
                number[on_weekend], self._pace(open_days)[on_weekend], int(number[-1]) + 1
            )
            paced = np.cumsum(np.where(first_open, pace[np.clip(number, 0, None)], 0.0))
            paced = self.max_weekends * paced / max(paced[-1], 1e-9)
            path = _paced(calendar, paced, 1.0)
        top = path + (width - 1) // 2 if behind else path + width // 2
        return np.clip(top - width + 1, 0, None).astype(np.int64)

    @cached_property
    def type_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Shift types the program need not tell apart: same successor class, same types they
        may follow, same length, no tracked count. Returns (group of each type, a member type
        of each group). (The program checks a group's transitions on its member, so types
        that may follow different types are never grouped.)"""
        type_class = self.successor_classes[0]
        _, predecessor_class = np.unique(self.follows.T, axis=0, return_inverse=True)
        tracked = np.where(self.count_step > 0, np.arange(len(self.units)), -1)
        keys = np.stack([type_class, predecessor_class.ravel(), self.units, tracked], axis=1)
        _, first, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        return group.astype(np.int64).ravel(), first.astype(np.int64)

    def relaxed(self) -> EmployeeRules:
        """A relaxation of these rules, cheap for any horizon: the stretch rules, successions
        and shift-type eligibility only (no minutes, weekends or type counts). Its best
        roster is worth at least the best roster under the rules (for bounds)."""
        days = len(self.period_last)
        return replace(
            self,
            units=np.zeros_like(self.units),
            min_units=np.zeros(days, dtype=np.int64),
            max_units=np.zeros(days, dtype=np.int64),
            max_weekends=int(self.weekend_first.sum()),
            count_step=np.zeros_like(self.count_step),
            count_states=1,
            minutes_band=None,
            weekend_band=None,
        )

    def untracked(self) -> EmployeeRules:
        """The same rules with no type count tracked by the program."""
        return replace(self, count_step=np.zeros_like(self.count_step), count_states=1)


@kernel(BOOLS, INT, INT)
def _most_shifts_from(open_days: np.ndarray, max_consecutive: int, min_days_off: int) -> np.ndarray:
    """``[d, k]`` the most shifts days d to the last can hold when only the ``open_days`` may
    be worked, under the stretch limits (at most ``max_consecutive`` in a row, at least
    ``min_days_off`` off between), after stretch ``k`` (worked 1..max_consecutive days in a
    row, or off 1..min_days_off or more); ``[days]`` is 0."""
    days = open_days.shape[0]
    stretches = max_consecutive + min_days_off  # worked 1..max in a row, or off 1..min+
    most = np.zeros((days + 1, stretches), dtype=np.int64)  # shifts on days d.. from a stretch
    for d in range(days - 1, -1, -1):
        for k in range(stretches):
            best = most[d + 1, min(max(k + 1, max_consecutive), stretches - 1)]
            rested = k >= max_consecutive and k - max_consecutive + 1 >= min_days_off
            if open_days[d] and (k + 1 < max_consecutive or rested):
                best = max(best, 1 + most[d + 1, k + 1 if k + 1 < max_consecutive else 0])
            most[d, k] = best
    return most


def _most_shifts(
    open_days: np.ndarray, max_consecutive: int, min_days_off: int
) -> tuple[np.ndarray, np.ndarray]:
    """The most shifts the ``open_days`` of a run of days can hold under the stretch limits
    (``_most_shifts_from``), from any stretch before them: ``[d]`` over days 0..d, and over
    days d + 1 to the last. The limits read the same backwards, so the most over days 0..d
    is the most over the reversed days from day ``days - 1 - d`` on."""
    after = _most_shifts_from(open_days, max_consecutive, min_days_off).max(axis=1)
    reversed_days = np.ascontiguousarray(open_days[::-1])
    before = _most_shifts_from(reversed_days, max_consecutive, min_days_off).max(axis=1)
    return before[-2::-1], after[1:]


def _tracked_counts(
    max_per_type: np.ndarray, limit_type: np.ndarray, days: int
) -> tuple[np.ndarray, int]:
    """Which type limits the program tracks: the tightest limits below ``days`` while the
    product of (limit + 1) stays within ``TRACKED_COUNT_STATES``, one count per
    ``limit_type``; returns each type's place value (0: untracked) and the product."""
    count_step = np.zeros(len(max_per_type), dtype=np.int64)
    states = 1
    own = np.flatnonzero(limit_type == np.arange(len(limit_type)))
    for t in own[np.argsort(max_per_type[own], kind="stable")]:
        limit = int(max_per_type[t])
        if limit >= days or states * (limit + 1) > TRACKED_COUNT_STATES:
            break
        count_step[t] = states
        states *= limit + 1
    return count_step[limit_type], states


def employee_rules(problem: RosterProblem, settings: RosterSettings, e: int) -> EmployeeRules:
    """The hard rules of ``problem``'s employee ``e`` with ``settings``' defaults filled in."""
    employee, days = problem.employees[e], problem.horizon_days
    shifts = problem.shift_types
    limits = employee_limits(employee, settings)
    unit = math.gcd(*(shift.length_minutes for shift in shifts)) or 1
    units = np.array([shift.length_minutes // unit for shift in shifts], dtype=np.int64)
    successions = forbidden_successions(shifts, settings.min_rest_minutes)
    follows = np.array(
        [[t.shift_id not in successions[s.shift_id] for t in shifts] for s in shifts],
        dtype=np.bool_,
    )
    period_last = np.zeros(days, dtype=np.bool_)
    min_units = np.zeros(days, dtype=np.int64)
    most = days * int(units.max(initial=1))
    max_units = np.full(days, most, dtype=np.int64)
    for first, end, minimum in employee.contract_periods(days):
        period_last[end - 1] = True
        min_units[end - 1] = -(-minimum // unit)
        if employee.max_minutes is not None:
            max_units[first:end] = min(most, employee.max_minutes // unit)
    weekdays = [day.weekday() for day in problem.dates]
    weekend = np.array([w in (SATURDAY, SUNDAY) for w in weekdays], dtype=np.bool_)
    weekend_first = np.array(
        [w == SATURDAY or (w == SUNDAY and d == 0) for d, w in enumerate(weekdays)], dtype=np.bool_
    )
    weekends = int(weekend_first.sum())
    max_per_type = np.array(
        [employee.max_shifts.get(shift.shift_id, days) for shift in shifts], dtype=np.int64
    )
    limit_type = np.arange(len(shifts), dtype=np.int64)
    count_step, count_states = _tracked_counts(max_per_type, limit_type, days)
    max_weekends = weekends if limits.max_weekends is None else min(limits.max_weekends, weekends)
    return EmployeeRules(
        units=units,
        unit_minutes=unit,
        follows=follows,
        period_last=period_last,
        min_units=min_units,
        max_units=max_units,
        weekend=weekend,
        weekend_first=weekend_first,
        max_consecutive=max(1, min(limits.max_consecutive_days, days)),
        min_consecutive=max(1, limits.min_consecutive_days),
        min_days_off=max(1, limits.min_consecutive_days_off),
        max_weekends=max_weekends,
        max_per_type=max_per_type,
        limit_type=limit_type,
        count_step=count_step,
        count_states=count_states,
    )


def on_call_rules(rules: EmployeeRules) -> EmployeeRules:
    """``rules`` (over a problem's shift types) with on-call duty in each type as a second
    set of types after them: on-call duty in type ``s`` is type ``len(types) + s``. It counts
    against every sequence and rest rule as working ``s`` does, and against ``s``'s limit
    (``limit_type``), but not against the contract minutes (0 units)."""
    shifts = len(rules.units)
    limit_type = np.concatenate([rules.limit_type, rules.limit_type])
    max_per_type = np.concatenate([rules.max_per_type, rules.max_per_type])
    count_step, count_states = _tracked_counts(max_per_type, limit_type, len(rules.period_last))
    return replace(
        rules,
        units=np.concatenate([rules.units, np.zeros(shifts, dtype=np.int64)]),
        follows=np.tile(rules.follows, (2, 2)),
        max_per_type=max_per_type,
        limit_type=limit_type,
        count_step=count_step,
        count_states=count_states,
    )


def best_roster(
    rules: EmployeeRules,
    work_value: np.ndarray,
    off_value: np.ndarray,
    around: np.ndarray | None = None,
    *,
    behind: bool = False,
    lone_weekend_cost: float = 0.0,
    weekend_around: np.ndarray | None = None,
) -> tuple[np.ndarray, float] | None:
    """The employee's roster of greatest value (under ``rules``' bands, if any, centred on
    the roster ``around`` when given: see ``EmployeeRules.band_low``; its weekend band one
    lower when ``behind``: see ``EmployeeRules.weekend_low``).

    Args:
        rules: the employee's hard rules.
        work_value: ``[day, shift type]`` value of working that shift that day;
            ``UNREACHABLE`` (or any value ≤ it) where the employee may not.
        off_value: ``[day]`` value of a day off.
        around: ``[day]`` shift type index worked, −1 off: a roster the bands keep in
            reach (a best response that may move its work anywhere within them).
        lone_weekend_cost: taken off the value of each weekend worked on one of its two
            days only, where the weekend limit binds (a weekend so worked spends a whole
            weekend of the limit on one day).
        weekend_around: ``[day]`` ≥ 0 on the weekend days a plan works, −1 on the others:
            without ``around``, the weekend band is centred on the weekends it works
            (``EmployeeRules.weekend_low``) and the minutes band stays on its pro-rata path.

    Returns:
        (shift type index per day, −1 on days off; the roster's total value), or ``None``
        when no roster keeps the rules (the limits of untracked shift types aside) or, with
        bands, none within them.
    """
    group, member = rules.type_groups
    days = len(off_value)
    # the best type of each group on each day stands for the group
    order = np.lexsort((-work_value, np.broadcast_to(group, work_value.shape)), axis=1)
    ranked = np.take_along_axis(work_value, order, axis=1)
    leader = np.ones(len(group), dtype=bool)
    leader[1:] = group[order[0]][1:] != group[order[0]][:-1]
    best_type = order[:, leader]
    group_value = ranked[:, leader]
    minutes, weekends = rules.widths()
    open_days = (work_value > UNREACHABLE).any(axis=1)
    shifts, value = _best_path(
        np.ascontiguousarray(group_value, dtype=np.float64),
        np.ascontiguousarray(off_value, dtype=np.float64),
        rules.units[member],
        rules.successor_classes[0][member],
        np.ascontiguousarray(rules.successor_classes[1][:, member]),
        rules.period_last,
        rules.min_units,
        rules.max_units,
        rules.band_low(open_days, around),
        minutes,
        rules.weekend_low(open_days, weekend_around if around is None else around, behind=behind),
        weekends,
        rules.weekend if rules.weekends_bind else np.zeros(days, dtype=np.bool_),
        rules.weekend_first,
        _lone_day_cost(rules, lone_weekend_cost),
        np.array(
            [
                rules.max_consecutive,
                rules.min_consecutive,
                rules.min_days_off,
                rules.max_weekends if rules.weekends_bind else 0,
            ],
            dtype=np.int64,
        ),
        rules.count_step[member],
        rules.max_per_type[member],
        rules.count_states,
    )
    if value <= UNREACHABLE:
        return None
    worked = shifts >= 0
    shifts[worked] = best_type[np.flatnonzero(worked), shifts[worked]]
    return shifts, value


def _lone_day_cost(rules: EmployeeRules, cost: float) -> np.ndarray:
    """``[day]`` ``cost`` on the second day of each two-day weekend where the weekend limit
    binds, else 0: what ``_best_path`` takes off a weekend worked on that day or on the
    day before only."""
    per_day = np.zeros(len(rules.weekend))
    per_day[rules.lone_weekend_days] = cost
    return per_day


def lone_weekends(rules: EmployeeRules, worked: np.ndarray) -> int:
    """How many two-day weekends a roster working on ``worked`` days (``[day]`` bool) works
    on one day only, where the weekend limit binds (each spends a whole weekend of it)."""
    second = rules.lone_weekend_days
    return int(np.count_nonzero(worked[second] != worked[second - 1]))


def _paced(calendar: np.ndarray, paced: np.ndarray, step: float) -> np.ndarray:
    """``[day]`` a rising path in whole units: the ``calendar`` path rounded, moved towards
    the ``paced`` path by their difference less half a ``step`` (what the path counts in
    one day: a weekend, a longest shift), never falling. Where they differ by less than
    that, as where demand is nearly even, the calendar path holds as it is, its rounding
    included."""
    apart = paced - calendar
    moved = np.sign(apart) * np.maximum(np.abs(apart) - step / 2, 0.0)
    return np.maximum.accumulate(np.rint(calendar) + np.rint(moved))


def _spread(total: float, pace: np.ndarray, most: float) -> np.ndarray:
    """``total`` split over days in proportion to ``pace`` ([day], ≥ 0), no day more than
    ``most`` while the days with room can take the excess (which goes to them, again in
    proportion); in proportion alone when even ``most`` on every paced day cannot hold
    it, or with no pace at all."""
    paced = pace > 0
    if not paced.any() or most * paced.sum() <= total:
        return total * pace / max(pace.sum(), 1e-9)
    steps = np.zeros(len(pace))
    full = np.zeros(len(pace), dtype=bool)
    while True:  # each round fills at least one more day to ``most``, or ends
        left = total - most * full.sum()
        free = paced & ~full
        steps[free] = left * pace[free] / pace[free].sum()
        over = free & (steps > most)
        if not over.any():
            steps[full] = most
            return steps
        full |= over


@numba.njit(cache=True, nogil=True)
def _dominated(values, at, w, n, value, w_stride, counts):
    """Whether the state at flat index ``at`` of a day's ``values`` (``w`` its weekends
    index, ``n`` its count index, ``w_stride`` the flat distance of one weekend) is worth no
    more than the same state with one weekend fewer or one shift fewer of a tracked type:
    those limits are maxima only, so every continuation of this state is open to that one
    too. ``counts``: whether any type's count is tracked, ``count_step``, ``max_per_type``."""
    tracks_counts, count_step, max_per_type = counts
    if w > 0 and values[at - w_stride] >= value:
        return True
    if not tracks_counts:
        return False
    for t in range(count_step.shape[0]):
        step = count_step[t]
        if step > 0 and (n // step) % (max_per_type[t] + 1) > 0 and values[at - step] >= value:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _target(k, units, weekends, n, day, shape):
    """The flat index of the state (stretch ``k``, ``units`` worked in the period,
    ``weekends`` worked, count index ``n``) on a day, or −1 when it is dropped. ``day``: the
    day ends a period, the period's least units, the day's lowest minutes and weekends
    values; ``shape``: flat strides of a stretch and of a minutes value, then of a weekend,
    and the minutes and weekends widths. A period ending on the day must hold its minimum
    and restarts at 0. A state outside the day's minutes band is dropped, one above its
    weekends band too; one below the weekends band counts as its lowest value (more
    weekends than worked: conservative, as the rule is a maximum)."""
    period_ends, least, minutes_low, weekends_low = day
    per_stretch, m_stride, w_stride, minutes_width, weekends_width = shape
    if period_ends:
        if units < least:
            return -1
        units = 0
    m, w = units - minutes_low, max(weekends - weekends_low, 0)
    if m < 0 or m >= minutes_width or w >= weekends_width:
        return -1
    return k * per_stretch + m * m_stride + w * w_stride + n


@kernel(
    FLOATS_2D, FLOATS, INTS, INTS, BOOLS_2D, BOOLS, INTS, INTS, INTS, INT, INTS, INT, BOOLS,
    BOOLS, FLOATS, INTS, INTS, INTS, INT, nogil=True,
)  # fmt: skip
def _best_path(
    work_value,
    off_value,
    units,
    type_class,
    class_follows,
    period_last,
    min_units,
    max_units,
    minutes_low,
    minutes_width,
    weekends_low,
    weekends_width,
    weekend,
    weekend_first,
    lone_day_cost,
    limits,
    count_step,
    max_per_type,
    count_states,
):
    """The dynamic program of ``best_roster``: forward over the days, keeping the values of
    two days only and, per state, its predecessor within the previous day (``int32``) and the
    type worked (``int8``); then back along them. A work stretch's state holds the successor
    class of its last shift (types with the same allowed successors share one,
    ``type_class``), not the type. Index ``m`` of day ``d`` stands for ``minutes_low[d] + m``
    units worked in the period, index ``w`` for ``weekends_low[d] + w`` weekends worked.
    ``limits``: max consecutive, min consecutive, min days off, max weekends.
    ``lone_day_cost[d]``: taken off a day ``d`` worked after a day off, or off after a day
    worked (a weekend worked on one day only, where ``d`` is its second day).
    ``count_step[t]``: the place value of type ``t``'s count in the tracked-count index (0:
    untracked).

    A day's states lie in one flat array, state (k, m, w, n) at ``k * per_stretch + m *
    m_stride + w * count_states + n``, and everything that depends on the day alone is read
    once per day: on Curtois–Qu cuts and whole instances this runs 2.3–7.3 times faster than
    four-dimensional arrays relaxed through a call per transition, with the same rosters."""
    days, shifts = work_value.shape
    c, min_consecutive, min_days_off, max_weekends = limits[0], limits[1], limits[2], limits[3]
    stretches = min_days_off + class_follows.shape[0] * c * 2
    m_stride = weekends_width * count_states
    per_stretch = minutes_width * m_stride
    best = np.full((2, stretches * per_stretch), UNREACHABLE)
    back = np.empty((days, stretches * per_stretch), np.int32)
    worked = np.empty((days, stretches * per_stretch), np.int8)
    settled_off = min_days_off - 1
    counts = ((count_step > 0).any(), count_step, max_per_type)
    shape = (per_stretch, m_stride, count_states, minutes_width, weekends_width)
    for d in range(days):
        now, before = best[d % 2], best[(d + 1) % 2]
        now[:] = UNREACHABLE
        back_d, worked_d = back[d], worked[d]
        m_low = minutes_low[d - 1] if d > 0 else 0
        w_low = weekends_low[d - 1] if d > 0 else 0
        # the day's bands and period end, as ``_target`` reads them
        day = (period_last[d], min_units[d], minutes_low[d], weekends_low[d])
        starts_weekend = weekend[d] and weekend_first[d]
        # the day before day 0 ends a stretch of unknown length: no minimum binds it
        for k in range(stretches if d > 0 else 1):
            off = d == 0 or k < min_days_off
            if d == 0:
                last, run, from_edge, k = -1, min_days_off, 1, settled_off
            elif off:
                last, run, from_edge = -1, k + 1, 0
            else:
                code = (k - min_days_off) // 2
                last, run, from_edge = code // c, code % c + 1, (k - min_days_off) % 2
            may_rest = off or run >= min_consecutive or from_edge == 1
            may_work = not ((off and k != settled_off) or (not off and run >= c))
            k_rest = settled_off if d == 0 else (min(k + 1, settled_off) if off else 0)
            rest_value = off_value[d] - (0.0 if off else lone_day_cost[d])
            work_cost = lone_day_cost[d] if off else 0.0
            new_weekend = weekend[d] and (starts_weekend or off)
            for m in range(minutes_width if d > 0 else 1):
                for w in range(weekends_width if d > 0 else 1):
                    for n in range(count_states if d > 0 else 1):
                        at = k * per_stretch + m * m_stride + w * count_states + n
                        value = 0.0 if d == 0 else before[at]
                        if value <= UNREACHABLE:
                            continue
                        if d > 0 and _dominated(before, at, w, n, value, count_states, counts):
                            continue
                        previous = at if d > 0 else -1
                        if may_rest:  # a day off
                            to = _target(k_rest, m_low + m, w_low + w, n, day, shape)
                            if to >= 0 and value + rest_value > now[to]:
                                now[to] = value + rest_value
                                back_d[to], worked_d[to] = previous, -1
                        if not may_work:
                            continue
                        for t in range(shifts):  # a shift of type t
                            gain = work_value[d, t]
                            if gain <= UNREACHABLE or (not off and not class_follows[last, t]):
                                continue
                            m_next = m_low + m + units[t]
                            if m_next > max_units[d]:
                                continue
                            w_next = w_low + w + (1 if new_weekend else 0)
                            if new_weekend and w_next > max_weekends:
                                continue
                            n_next = n
                            if count_step[t] > 0:
                                if (n // count_step[t]) % (max_per_type[t] + 1) == max_per_type[t]:
                                    continue
                                n_next += count_step[t]
                            k_next = min_days_off + (type_class[t] * c + (0 if off else run)) * 2
                            k_next += from_edge if not off or d == 0 else 0
                            to = _target(k_next, m_next, w_next, n_next, day, shape)
                            if to >= 0 and value + gain - work_cost > now[to]:
                                now[to] = value + gain - work_cost
                                back_d[to], worked_d[to] = previous, t
    last_day = best[(days - 1) % 2]
    flat = int(np.argmax(last_day))
    shifts_worked = np.full(days, -1, dtype=np.int64)
    total = last_day[flat]
    if total <= UNREACHABLE:
        return shifts_worked, total
    for d in range(days - 1, -1, -1):
        shifts_worked[d] = worked[d, flat]
        flat = back[d, flat]
    return shifts_worked, total
