"""``RoundsProblem``: places a mobile service vehicle visits on a periodic round.

A periodic vehicle-routing problem with time windows over ``period_days`` days. Locations
are rows of one travel-minute matrix; some are depots (vehicles start and end there), the
others carry places. Each place is visited on every day of one of its allowed day patterns.
A vehicle-routing instance with time windows is the one-day case; a capacitated one has no
windows either.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np


def pattern_days(pattern: int, period_days: int) -> tuple[int, ...]:
    """The 0-based days of a day pattern: bit ``period_days - 1 - d`` set means day ``d``
    (day 1 is the leftmost, most significant bit, as Cordeau's files write it)."""
    return tuple(day for day in range(period_days) if (pattern >> (period_days - 1 - day)) & 1)


def day_patterns(
    period_days: int, working_days: Sequence[int], visits: int, min_days_between: int
) -> tuple[int, ...]:
    """Every pattern of ``visits`` working days (0-based) at least ``min_days_between`` days
    apart, the gap from the last day to the first of the next period counted too.

    Returns:
        The patterns as bit masks (see ``pattern_days``), in order of their first days; empty
        when none fits.
    """
    patterns = []
    for days in itertools.combinations(sorted(set(working_days)), visits):
        gaps = np.diff([*days, days[0] + period_days]) if visits > 1 else [period_days]
        if min(gaps) >= min_days_between:
            patterns.append(sum(1 << (period_days - 1 - day) for day in days))
    return tuple(patterns)


@dataclass(frozen=True, eq=False)
class RoundsProblem:
    """One planning period of mobile service rounds.

    Attributes:
        travel_minutes: (L, L) travel minutes between locations (the distance the objective
            counts); finite, non-negative.
        depots: location indices where vehicles start and end their shift.
        place_location: (n,) location index of each place.
        place_names: (n,) names of the places, as the source gives them.
        stop_minutes: (n,) minutes one visit lasts at each place.
        demand: (n,) load one visit takes from a vehicle (every visit), integer.
        window_open_minutes: (n,) earliest start of a visit, minutes after the depot opens.
        window_close_minutes: (n,) latest start of a visit (``inf``: none).
        patterns: per place, its allowed day patterns (bit masks, see ``pattern_days``).
        period_days: days in the planning period.
        vehicles_per_day: vehicles each depot has on each day; ``None``: as many as needed.
        capacity: load one vehicle carries; ``None``: no limit.
        shift_minutes: longest vehicle shift, depot to depot; ``None``: no limit.
        depot_close_minutes: minutes after opening by which every vehicle is back
            (``inf``: never closes).
        break_minutes: length of the crew's break (0: no break rule).
        max_minutes_before_break: longest work, minutes from leaving the depot or the end of
            the last break, before a break (``inf``: no break rule); needs ``shift_minutes``.
        name: instance or scenario name.
    """

    travel_minutes: np.ndarray
    depots: tuple[int, ...]
    place_location: np.ndarray
    place_names: tuple[str, ...]
    stop_minutes: np.ndarray
    demand: np.ndarray
    window_open_minutes: np.ndarray
    window_close_minutes: np.ndarray
    patterns: tuple[tuple[int, ...], ...]
    period_days: int = 1
    vehicles_per_day: int | None = None
    capacity: int | None = None
    shift_minutes: float | None = None
    depot_close_minutes: float = np.inf
    break_minutes: float = 0.0
    max_minutes_before_break: float = np.inf
    name: str = "rounds"
    _days: tuple[tuple[tuple[int, ...], ...], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        matrix = self.travel_minutes
        n = len(self.place_location)
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError("travel_minutes must be a square matrix")
        if not np.isfinite(matrix).all() or (matrix < 0).any():
            raise ValueError("travel_minutes must be finite and non-negative")
        if not self.depots or not all(0 <= d < len(matrix) for d in self.depots):
            raise ValueError("depots must be location indices")
        if n == 0 or not ((self.place_location >= 0) & (self.place_location < len(matrix))).all():
            raise ValueError("place_location must be location indices of at least one place")
        for values in (self.stop_minutes, self.demand, self.window_open_minutes):
            if len(values) != n or (values < 0).any():
                raise ValueError("per-place values must be non-negative, one per place")
        if len(self.window_close_minutes) != n or len(self.patterns) != n:
            raise ValueError("one window and one pattern list per place")
        if (self.window_close_minutes < self.window_open_minutes).any():
            raise ValueError("a window closes before it opens")
        if self.period_days < 1:
            raise ValueError("period_days must be >= 1")
        full = (1 << self.period_days) - 1
        for place, options in enumerate(self.patterns):
            if not options or not all(0 < option <= full for option in options):
                raise ValueError(f"place {self.place_names[place]}: no valid day pattern")
        if self.break_minutes < 0 or self.max_minutes_before_break <= 0:
            raise ValueError("break_minutes must be >= 0 and max_minutes_before_break > 0")
        if self.has_break_rule and self.shift_minutes is None:
            raise ValueError("a break rule needs shift_minutes")
        if self.capacity is not None and (self.demand > self.capacity).any():
            raise ValueError("a place's demand exceeds the vehicle capacity")
        days = tuple(
            tuple(pattern_days(option, self.period_days) for option in options)
            for options in self.patterns
        )
        object.__setattr__(self, "_days", days)

    @property
    def n_places(self) -> int:
        """Number of places."""
        return len(self.place_location)

    def days_of(self, place: int, option: int) -> tuple[int, ...]:
        """The days on which ``place`` is visited under its ``option``-th pattern."""
        return self._days[place][option]

    @property
    def has_windows(self) -> bool:
        """True when some place's window or the depot's closing can bind."""
        return bool(
            (self.window_open_minutes > 0).any()
            or np.isfinite(self.window_close_minutes).any()
            or np.isfinite(self.depot_close_minutes)
        )

    @property
    def has_break_rule(self) -> bool:
        """True when the crews take breaks: ``break_minutes > 0`` after a finite stretch."""
        return self.break_minutes > 0 and math.isfinite(self.max_minutes_before_break)

    @property
    def break_count(self) -> int:
        """Breaks a shift of full working time (``work_minutes``) takes; 0 without the rule."""
        return self._work[1]

    @property
    def work_minutes(self) -> float:
        """The longest working time (driving, stops, waiting) of one shift: the largest ``w``
        with ``w + b(w) * break_minutes <= shift_minutes``, where ``b(w) = ceil(w /
        max_minutes_before_break) - 1`` breaks are due (``inf`` without a shift limit)."""
        return self._work[0]

    @property
    def _work(self) -> tuple[float, int]:
        """(``work_minutes``, ``break_count``)."""
        if self.shift_minutes is None:
            return math.inf, 0
        if not self.has_break_rule:
            return self.shift_minutes, 0
        stretch, pause = self.max_minutes_before_break, self.break_minutes
        options = [
            (min((breaks + 1) * stretch, self.shift_minutes - breaks * pause), -breaks)
            for breaks in range(math.ceil(self.shift_minutes / stretch) + 1)
        ]
        work, breaks = max(options)
        return max(work, 0.0), -breaks

    def planning_times(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(n,) earliest start, (n,) latest start and (n,) stop minutes of each visit as the
        day solvers see them, so that any route they accept keeps every rule once the schedule
        inserts the breaks: the latest start is the window's less the breaks of a full shift
        (``break_count * break_minutes``); a window narrower than that opens at the new latest
        start and its stop is longer by what it opened earlier (the wait the solvers do not
        see). The windows and stops themselves without a break rule."""
        closes = self.window_close_minutes - self.break_count * self.break_minutes
        opens = np.minimum(self.window_open_minutes, closes)
        return opens, closes, self.stop_minutes + (self.window_open_minutes - opens)

    @property
    def planning_depot_close_minutes(self) -> float:
        """When vehicles must be back as the day solvers see it: the depot's closing less the
        breaks of a full shift, which the schedule inserts afterwards."""
        return self.depot_close_minutes - self.break_count * self.break_minutes

    def subset(self, places: Sequence[int] | np.ndarray) -> RoundsProblem:
        """The same problem over ``places`` only (indices, in the order given)."""
        keep = np.asarray(places, dtype=np.int64)
        return dataclasses.replace(
            self,
            place_location=self.place_location[keep],
            place_names=tuple(self.place_names[p] for p in keep),
            stop_minutes=self.stop_minutes[keep],
            demand=self.demand[keep],
            window_open_minutes=self.window_open_minutes[keep],
            window_close_minutes=self.window_close_minutes[keep],
            patterns=tuple(self.patterns[p] for p in keep),
        )
