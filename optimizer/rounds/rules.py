"""The rules every round keeps, and the fewest vehicles they allow.

Hard rules (the day solvers keep them; ``schedule.route_keeps_rules`` checks a route):

- every place is visited on each day of one of its allowed day patterns, once per day;
- a visit starts within the place's window (waiting for it is allowed);
- every vehicle is back at its depot before the depot closes;
- a shift, depot to depot, lasts at most ``shift_minutes``;
- a vehicle carries at most ``capacity`` (each visit's demand, every visit);
- each depot sends at most ``vehicles_per_day`` vehicles a day.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.rounds.problem import RoundsProblem


def shortest_arrival_minutes(problem: RoundsProblem) -> np.ndarray:
    """(n,) the shortest travel into each place from any other location: every visit costs at
    least this much driving, whatever the route."""
    matrix = problem.travel_minutes.copy()
    np.fill_diagonal(matrix, np.inf)
    into = matrix.min(axis=0)
    return np.where(np.isfinite(into), into, 0.0)[problem.place_location]


def vehicles_lower_bound(problem: RoundsProblem, places: np.ndarray) -> int:
    """The fewest vehicles that can visit ``places`` on one day: their load over the capacity,
    and their stop minutes plus shortest arrivals over the longest shift (the shift limit or the
    depot's closing), each rounded up. 0 for no places."""
    if len(places) == 0:
        return 0
    bound = 1
    if problem.capacity is not None:
        bound = max(bound, math.ceil(problem.demand[places].sum() / problem.capacity - 1e-9))
    shift = min(problem.shift_minutes or math.inf, problem.depot_close_minutes)
    if math.isfinite(shift) and shift > 0:
        work = problem.stop_minutes[places] + shortest_arrival_minutes(problem)[places]
        bound = max(bound, math.ceil(float(work.sum()) / shift - 1e-9))
    return bound


def unreachable_places(problem: RoundsProblem) -> list[str]:
    """Places no vehicle can visit alone, out from its nearest depot and back, each with the
    reason: the shift is too short, the depot closes first, or the window closes first."""
    depots = np.asarray(problem.depots)
    spots = problem.place_location
    out = problem.travel_minutes[np.ix_(depots, spots)]
    back = problem.travel_minutes[np.ix_(spots, depots)].T
    start = np.maximum(out, problem.window_open_minutes)
    reasons: list[str] = []
    for place in range(problem.n_places):
        name = problem.place_names[place]
        if (out[:, place] > problem.window_close_minutes[place]).all():
            reasons.append(f"{name}: its window closes before a vehicle can arrive")
            continue
        shift = out[:, place] + problem.stop_minutes[place] + back[:, place]
        if problem.shift_minutes is not None and (shift > problem.shift_minutes).all():
            reasons.append(
                f"{name}: out and back with its stop takes {shift.min():.1f} min, "
                f"longer than the {problem.shift_minutes:g}-minute shift"
            )
            continue
        end = start[:, place] + problem.stop_minutes[place] + back[:, place]
        if (end > problem.depot_close_minutes).all():
            reasons.append(f"{name}: no vehicle is back before the depot closes")
    return reasons
