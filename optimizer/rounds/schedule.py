"""A route's times in exact minutes: when the vehicle leaves, arrives, starts and ends each stop.

The vehicle leaves its depot as late as it can without arriving back later or missing a
window: waiting at a stop is moved to the depot, before the shift starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.rounds.problem import RoundsProblem

TOLERANCE_MINUTES = 1e-6
"""Slack allowed when a time is compared with a window, shift or closing time."""


@dataclass(frozen=True)
class RouteTimes:
    """A route's schedule, minutes after the depot opens.

    Attributes:
        leave: when the vehicle leaves the depot.
        arrival: (k,) arrival at each stop; ``start``: (k,) start of each visit
            (after any wait for the window); ``departure``: (k,) end of each visit.
        back: when the vehicle is back at the depot.
        driving_minutes: travel minutes along the route, depot to depot.
    """

    leave: float
    arrival: np.ndarray
    start: np.ndarray
    departure: np.ndarray
    back: float
    driving_minutes: float

    @property
    def shift_minutes(self) -> float:
        """Minutes from leaving the depot to being back."""
        return self.back - self.leave


def route_times(problem: RoundsProblem, depot: int, places: tuple[int, ...]) -> RouteTimes:
    """The schedule of visiting ``places`` in order from ``problem.depots[depot]``."""
    home = problem.depots[depot]
    path = np.concatenate([[home], problem.place_location[list(places)], [home]]).astype(np.int64)
    legs = problem.travel_minutes[path[:-1], path[1:]]
    opens = problem.window_open_minutes[list(places)]
    closes = problem.window_close_minutes[list(places)]
    stops = problem.stop_minutes[list(places)]
    count = len(places)
    arrival, start = np.empty(count), np.empty(count)
    clock = 0.0
    for k in range(count):
        arrival[k] = clock + legs[k]
        start[k] = max(arrival[k], opens[k])
        clock = start[k] + stops[k]
    waits = np.cumsum(start - arrival)
    delay = float(waits[-1]) if count else 0.0
    if count:
        delay = min(delay, float(np.min(closes - start + waits)))
    delay = max(delay, 0.0)
    waits_before = waits - (start - arrival)
    arrival = arrival + np.maximum(delay - waits_before, 0.0)
    start = start + np.maximum(delay - waits, 0.0)
    departure = start + stops
    back = (float(departure[-1]) if count else delay) + float(legs[-1])
    return RouteTimes(delay, arrival, start, departure, back, float(legs.sum()))


def route_keeps_rules(problem: RoundsProblem, times: RouteTimes, places: tuple[int, ...]) -> bool:
    """Whether a scheduled route keeps its windows, the depot's closing, the shift and the
    vehicle's capacity."""
    closes = problem.window_close_minutes[list(places)]
    if (times.start > closes + TOLERANCE_MINUTES).any():
        return False
    if times.back > problem.depot_close_minutes + TOLERANCE_MINUTES:
        return False
    if (
        problem.shift_minutes is not None
        and times.shift_minutes > problem.shift_minutes + TOLERANCE_MINUTES
    ):
        return False
    return problem.capacity is None or int(problem.demand[list(places)].sum()) <= problem.capacity
