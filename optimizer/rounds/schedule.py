"""A route's times in exact minutes: when the vehicle leaves, arrives, starts and ends each stop,
and when its crew takes its breaks.

The vehicle leaves its depot as late as it can without arriving back later or missing a
window (windows and stops as the day solvers see them, ``RoundsProblem.planning_times``):
waiting at a stop is moved to the depot, before the shift starts. Breaks are then taken as
late as the rule allows: whenever the crew has worked ``max_minutes_before_break`` since
leaving or its last break, on the road, while waiting or pausing a stop, each delaying what
follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
        breaks: start of each break, in order (each lasts ``break_minutes``).
    """

    leave: float
    arrival: np.ndarray
    start: np.ndarray
    departure: np.ndarray
    back: float
    driving_minutes: float
    breaks: tuple[float, ...] = field(default=())

    @property
    def shift_minutes(self) -> float:
        """Minutes from leaving the depot to being back, breaks included."""
        return self.back - self.leave


def route_times(problem: RoundsProblem, depot: int, places: tuple[int, ...]) -> RouteTimes:
    """The schedule of visiting ``places`` in order from ``problem.depots[depot]``."""
    home = problem.depots[depot]
    path = np.concatenate([[home], problem.place_location[list(places)], [home]]).astype(np.int64)
    legs = problem.travel_minutes[path[:-1], path[1:]]
    planned_open, planned_close, stops = (w[list(places)] for w in problem.planning_times())
    count = len(places)
    arrival, start = np.empty(count), np.empty(count)
    clock = 0.0
    for k in range(count):
        arrival[k] = clock + legs[k]
        start[k] = max(arrival[k], planned_open[k])
        clock = start[k] + stops[k]
    waits = np.cumsum(start - arrival)
    delay = float(waits[-1]) if count else 0.0
    if count:
        delay = min(delay, float(np.min(planned_close - start + waits)))
    leave = max(delay, 0.0)
    if not problem.has_break_rule:
        waits_before = waits - (start - arrival)
        arrival = arrival + np.maximum(leave - waits_before, 0.0)
        start = start + np.maximum(leave - waits, 0.0)
        departure = start + stops
        back = (float(departure[-1]) if count else leave) + float(legs[-1])
        return RouteTimes(leave, arrival, start, departure, back, float(legs.sum()))
    opens, stops = problem.window_open_minutes[list(places)], problem.stop_minutes[list(places)]
    return _with_breaks(problem, leave, legs, opens, stops)


class _Crew:
    """The clock of a crew that breaks after ``stretch`` minutes of work."""

    def __init__(self, clock: float, stretch: float, pause: float) -> None:
        self.clock, self.worked, self.stretch, self.pause = clock, 0.0, stretch, pause
        self.breaks: list[float] = []

    def work(self, minutes: float) -> None:
        """Work ``minutes`` (driving or a stop), breaking whenever the stretch is full."""
        while self.worked + minutes > self.stretch + TOLERANCE_MINUTES:
            part = self.stretch - self.worked
            minutes -= part
            self._rest(self.clock + part)
        self.clock += minutes
        self.worked += minutes

    def wait_until(self, moment: float) -> None:
        """Wait (waiting is work time) until ``moment``, breaking when the stretch is full."""
        while moment - self.clock > TOLERANCE_MINUTES:
            if self.worked + moment - self.clock <= self.stretch + TOLERANCE_MINUTES:
                self.worked += moment - self.clock
                self.clock = moment
            else:
                self._rest(self.clock + self.stretch - self.worked)

    def _rest(self, begin: float) -> None:
        self.breaks.append(begin)
        self.clock, self.worked = begin + self.pause, 0.0


def _with_breaks(
    problem: RoundsProblem,
    leave: float,
    legs: np.ndarray,
    opens: np.ndarray,
    stops: np.ndarray,
) -> RouteTimes:
    """The route's times from ``leave`` with the crew's breaks taken as late as allowed."""
    crew = _Crew(leave, problem.max_minutes_before_break, problem.break_minutes)
    count = len(stops)
    arrival, start, departure = np.empty(count), np.empty(count), np.empty(count)
    for k in range(count):
        crew.work(float(legs[k]))
        arrival[k] = crew.clock
        crew.wait_until(float(opens[k]))
        start[k] = crew.clock
        crew.work(float(stops[k]))
        departure[k] = crew.clock
    crew.work(float(legs[-1]))
    return RouteTimes(
        leave, arrival, start, departure, crew.clock, float(legs.sum()), tuple(crew.breaks)
    )


def route_keeps_rules(problem: RoundsProblem, times: RouteTimes, places: tuple[int, ...]) -> bool:
    """Whether a scheduled route keeps its windows, the depot's closing, the shift (breaks
    included) and the vehicle's capacity."""
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
