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
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings, employee_limits

UNREACHABLE = -1e300
TRACKED_COUNT_STATES = 30
"""Most combinations of tracked shift-type counts in the program's state."""
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
        count_step: place value of each type's count in the program's count index; 0 for
            types whose limit the program does not track (the caller must check those).
        count_states: size of the count index.
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
    count_step: np.ndarray
    count_states: int

    def restricted(self, types: np.ndarray) -> EmployeeRules:
        """The same rules over the shift ``types`` alone (indices into the full list)."""
        max_per_type = self.max_per_type[types]
        count_step, count_states = _tracked_counts(max_per_type, len(self.period_last))
        return replace(
            self,
            units=self.units[types],
            follows=self.follows[np.ix_(types, types)],
            max_per_type=max_per_type,
            count_step=count_step,
            count_states=count_states,
        )

    @cached_property
    def successor_classes(self) -> tuple[np.ndarray, np.ndarray]:
        """Shift types grouped by the types allowed to follow them: (class of each type, the
        allowed followers of each class as ``[class, type]``)."""
        rows, type_class = np.unique(self.follows, axis=0, return_inverse=True)
        return type_class.astype(np.int64).ravel(), np.ascontiguousarray(rows, dtype=np.bool_)

    def untracked(self) -> EmployeeRules:
        """The same rules with no type count tracked by the program."""
        return replace(self, count_step=np.zeros_like(self.count_step), count_states=1)


def _tracked_counts(max_per_type: np.ndarray, days: int) -> tuple[np.ndarray, int]:
    """Which type limits the program tracks: the tightest limits below ``days`` while the
    product of (limit + 1) stays within ``TRACKED_COUNT_STATES``; returns the place values
    (0: untracked) and the product."""
    count_step = np.zeros(len(max_per_type), dtype=np.int64)
    states = 1
    for t in np.argsort(max_per_type, kind="stable"):
        limit = int(max_per_type[t])
        if limit >= days or states * (limit + 1) > TRACKED_COUNT_STATES:
            break
        count_step[t] = states
        states *= limit + 1
    return count_step, states


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
    period = employee.contract_period_days
    period_last = np.zeros(days, dtype=np.bool_)
    min_units = np.zeros(days, dtype=np.int64)
    most = days * int(units.max(initial=1))
    max_units = np.full(days, most, dtype=np.int64)
    for first in range(0, days, period):
        last = min(first + period, days) - 1
        period_last[last] = True
        minimum = employee.min_minutes * (last + 1 - first) // period
        min_units[last] = -(-minimum // unit)
        if employee.max_minutes is not None:
            max_units[first : last + 1] = min(most, employee.max_minutes // unit)
    weekdays = [day.weekday() for day in problem.dates]
    weekend = np.array([w in (SATURDAY, SUNDAY) for w in weekdays], dtype=np.bool_)
    weekend_first = np.array(
        [w == SATURDAY or (w == SUNDAY and d == 0) for d, w in enumerate(weekdays)], dtype=np.bool_
    )
    weekends = int(weekend_first.sum())
    max_per_type = np.array(
        [employee.max_shifts.get(shift.shift_id, days) for shift in shifts], dtype=np.int64
    )
    count_step, count_states = _tracked_counts(max_per_type, days)
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
        count_step=count_step,
        count_states=count_states,
    )


def best_roster(
    rules: EmployeeRules, work_value: np.ndarray, off_value: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """The employee's roster of greatest value.

    Args:
        rules: the employee's hard rules.
        work_value: ``[day, shift type]`` value of working that shift that day;
            ``UNREACHABLE`` (or any value ≤ it) where the employee may not.
        off_value: ``[day]`` value of a day off.

    Returns:
        (shift type index per day, −1 on days off; the roster's total value), or ``None``
        when no roster keeps the rules (the limits of untracked shift types aside).
    """
    shifts, value = _best_path(
        np.ascontiguousarray(work_value, dtype=np.float64),
        np.ascontiguousarray(off_value, dtype=np.float64),
        rules.units,
        *rules.successor_classes,
        rules.period_last,
        rules.min_units,
        rules.max_units,
        rules.weekend,
        rules.weekend_first,
        np.array(
            [rules.max_consecutive, rules.min_consecutive, rules.min_days_off, rules.max_weekends],
            dtype=np.int64,
        ),
        rules.count_step,
        rules.max_per_type,
        rules.count_states,
    )
    if value <= UNREACHABLE:
        return None
    return shifts, value


@numba.njit(cache=True, nogil=True)
def _best_path(
    work_value,
    off_value,
    units,
    type_class,
    class_follows,
    period_last,
    min_units,
    max_units,
    weekend,
    weekend_first,
    limits,
    count_step,
    max_per_type,
    count_states,
):
    """The dynamic program of ``best_roster``: forward over the days, then back along the
    stored predecessors. A work stretch's state holds the successor class of its last
    shift (types with the same allowed successors share one, ``type_class``), not the type;
    ``worked`` records the type. ``limits``: max consecutive, min consecutive, min days off,
    max weekends. ``count_step[t]``: the place value of type ``t``'s count in the
    tracked-count index (0: untracked)."""
    days, shifts = work_value.shape
    c, min_consecutive, min_days_off, max_weekends = limits[0], limits[1], limits[2], limits[3]
    stretches = min_days_off + class_follows.shape[0] * c * 2
    cap = max_units.max() + 1
    weekends = max_weekends + 1
    shape = (days, stretches, cap, weekends, count_states)
    best = np.full(shape, UNREACHABLE)
    back = np.empty(shape, dtype=np.int64)
    worked = np.empty(shape, dtype=np.int64)
    per_stretch = cap * weekends * count_states
    per_day = stretches * per_stretch
    settled_off = min_days_off - 1
    for d in range(days):
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
            for m in range(cap if d > 0 else 1):
                for w in range(weekends if d > 0 else 1):
                    for n in range(count_states if d > 0 else 1):
                        value = 0.0 if d == 0 else best[d - 1, k, m, w, n]
                        if value <= UNREACHABLE:
                            continue
                        if d > 0 and _dominated(
                            best, d - 1, k, m, w, n, value, count_step, max_per_type
                        ):
                            continue
                        previous = -1
                        if d > 0:
                            previous = (d - 1) * per_day + k * per_stretch
                            previous += (m * weekends + w) * count_states + n
                        # a day off
                        if off or run >= min_consecutive or from_edge == 1:
                            k_next = min(k + 1, settled_off) if off else 0
                            if d == 0:
                                k_next = settled_off
                            _arrive(
                                best,
                                back,
                                worked,
                                d,
                                k_next,
                                m,
                                w,
                                n,
                                value + off_value[d],
                                previous,
                                -1,
                                period_last,
                                min_units,
                            )
                        # a shift of type t
                        if (off and k != settled_off) or (not off and run >= c):
                            continue
                        for t in range(shifts):
                            gain = work_value[d, t]
                            if gain <= UNREACHABLE or (not off and not class_follows[last, t]):
                                continue
                            m_next = m + units[t]
                            if m_next > max_units[d]:
                                continue
                            w_next = w
                            if weekend[d] and (weekend_first[d] or off):
                                w_next += 1
                                if w_next > max_weekends:
                                    continue
                            n_next = n
                            if count_step[t] > 0:
                                if (n // count_step[t]) % (max_per_type[t] + 1) == max_per_type[t]:
                                    continue
                                n_next += count_step[t]
                            k_next = min_days_off + (type_class[t] * c + (0 if off else run)) * 2
                            k_next += from_edge if not off or d == 0 else 0
                            _arrive(
                                best,
                                back,
                                worked,
                                d,
                                k_next,
                                m_next,
                                w_next,
                                n_next,
                                value + gain,
                                previous,
                                t,
                                period_last,
                                min_units,
                            )
    last_day = best[days - 1].ravel()
    flat = int(np.argmax(last_day))
    shifts_worked = np.full(days, -1, dtype=np.int64)
    total = last_day[flat]
    if total <= UNREACHABLE:
        return shifts_worked, total
    flat += (days - 1) * per_day
    for d in range(days - 1, -1, -1):
        shifts_worked[d] = worked.ravel()[flat]
        flat = back.ravel()[flat]
    return shifts_worked, total


@numba.njit(cache=True, nogil=True)
def _dominated(best, d, k, m, w, n, value, count_step, max_per_type):
    """Whether state (k, m, w, n) of day ``d`` is worth no more than the same state with one
    weekend fewer or one shift fewer of a tracked type: those limits are maxima only, so
    every continuation of this state is open to that one too."""
    if w > 0 and best[d, k, m, w - 1, n] >= value:
        return True
    for t in range(count_step.shape[0]):
        step = count_step[t]
        used = (n // step) % (max_per_type[t] + 1) if step > 0 else 0
        if used > 0 and best[d, k, m, w, n - step] >= value:
            return True
    return False


@numba.njit(cache=True, nogil=True)
def _arrive(best, back, worked, d, k, m, w, n, value, previous, shift, period_last, min_units):
    """Relax state (k, m, w, n) of day ``d`` with ``value`` reached from flat state
    ``previous`` by working ``shift`` (−1: off); a period ending on ``d`` must hold its
    minimum and restarts at 0."""
    if period_last[d]:
        if m < min_units[d]:
            return
        m = 0
    if value > best[d, k, m, w, n]:
        best[d, k, m, w, n] = value
        back[d, k, m, w, n] = previous
        worked[d, k, m, w, n] = shift
