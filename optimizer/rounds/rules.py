"""The rules every round keeps, the fleet they are counted in, and the fewest vehicles they allow.

Hard rules (the day solvers keep them; ``schedule.route_keeps_rules`` checks a route):

- every place is visited on each day of one of its allowed day patterns, once per day;
- a visit starts within the place's window (waiting for it is allowed);
- every vehicle is back at its depot before the depot closes;
- a shift, depot to depot, lasts at most ``shift_minutes``, breaks included;
- the crew takes a break of ``break_minutes`` after at most ``max_minutes_before_break`` of
  work (driving, stops and waiting alike, counted from leaving the depot or the last break);
- a vehicle carries at most ``capacity`` (each visit's demand, every visit);
- each depot sends at most ``vehicles_per_day`` vehicles a day.

The fleet (``fleet_size``) is what the objective counts first: vehicles are reused across the
days, so the fleet is the most vehicles out on one day (a vehicle may start from another
station on another day).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from optimizer.rounds.problem import RoundsProblem

if TYPE_CHECKING:
    from optimizer.rounds.period import DayRoute


def fleet_size(days: Iterable[int]) -> int:
    """Vehicles a period needs, from the day of each of its routes: the most routes on one
    day (vehicles are reused across the days); 0 for none."""
    return max(Counter(days).values(), default=0)


def period_fleet(routes_by_day: Iterable[Iterable[DayRoute]]) -> int:
    """``fleet_size`` of per-day routes; routes without places are not counted."""
    return fleet_size(
        day for day, routes in enumerate(routes_by_day) for route in routes if route.places
    )


def shortest_arrival_minutes(problem: RoundsProblem) -> np.ndarray:
    """(n,) the shortest travel into each place from any other location: every visit costs at
    least this much driving, whatever the route."""
    matrix = problem.travel_minutes.copy()
    np.fill_diagonal(matrix, np.inf)
    into = matrix.min(axis=0)
    return np.where(np.isfinite(into), into, 0.0)[problem.place_location]


def vehicles_lower_bound(problem: RoundsProblem, places: np.ndarray) -> int:
    """The fewest vehicles that can visit ``places`` on one day: their load over the capacity,
    and their stop minutes plus shortest arrivals over the longest working time of a shift (the
    shift less its breaks, ``RoundsProblem.work_minutes``, or the depot's closing), each
    rounded up. 0 for no places."""
    if len(places) == 0:
        return 0
    bound = 1
    if problem.capacity is not None:
        bound = max(bound, math.ceil(problem.demand[places].sum() / problem.capacity - 1e-9))
    shift = min(problem.work_minutes, problem.depot_close_minutes)
    if math.isfinite(shift) and shift > 0:
        work = problem.stop_minutes[places] + shortest_arrival_minutes(problem)[places]
        bound = max(bound, math.ceil(float(work.sum()) / shift - 1e-9))
    return bound


def beyond_reach(problem: RoundsProblem) -> dict[int, str]:
    """Places no vehicle can visit alone, out from any depot and back, each with the reason:
    its window closes before a vehicle can arrive, the trip is longer than a shift's working
    time, or the depot closes first (windows, stops and closing as the day solvers see them,
    ``RoundsProblem.planning_times``)."""
    depots = np.asarray(problem.depots)
    spots = problem.place_location
    out = problem.travel_minutes[np.ix_(depots, spots)]
    back = problem.travel_minutes[np.ix_(spots, depots)].T
    opens, closes, stops = problem.planning_times()
    trip = out + stops + back
    back_at = np.maximum(out, opens) + stops + back
    less_breaks = " less its breaks" if problem.break_count else ""
    reasons: dict[int, str] = {}
    for place in range(problem.n_places):
        if (out[:, place] > closes[place]).all():
            reasons[place] = f"its window closes before a vehicle can arrive{less_breaks}"
        elif (trip[:, place] > problem.work_minutes).all():
            reasons[place] = (
                f"out and back with its stop takes {trip[:, place].min():.1f} min, longer than "
                f"the {problem.shift_minutes:g}-minute shift{less_breaks}"
            )
        elif (back_at[:, place] > problem.planning_depot_close_minutes).all():
            reasons[place] = "no vehicle is back before the depot closes"
    return reasons


def unreachable_places(problem: RoundsProblem) -> list[str]:
    """``beyond_reach`` as lines ``"<place name>: <reason>"``."""
    return [f"{problem.place_names[p]}: {reason}" for p, reason in beyond_reach(problem).items()]
