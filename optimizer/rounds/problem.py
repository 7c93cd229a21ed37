"""``RoundsProblem``: places a mobile service vehicle visits on a periodic round.

A periodic vehicle-routing problem with time windows over ``period_days`` days. Locations
are rows of one travel-minute matrix; some are depots (vehicles start and end there), the
others carry places. Each place is visited on every day of one of its allowed day patterns.
A vehicle-routing instance with time windows is the one-day case; a capacitated one has no
windows either.
"""

from __future__ import annotations

import itertools
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
