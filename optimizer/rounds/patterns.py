"""Which day pattern each place is visited on: a balanced start, then improving moves.

The start gives each place, hardest first (fewest patterns, largest workload), the pattern
whose days carry the least workload so far. A move changes one place's pattern: the place
leaves the routes of the days it no longer has and is inserted at its cheapest feasible
position on the days it gains, when that lowers (vehicles, driving minutes); the day solvers
then re-solve the days that changed.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.rounds.period import DayRoute
from optimizer.rounds.problem import RoundsProblem
from optimizer.rounds.rules import period_fleet
from optimizer.rounds.schedule import route_keeps_rules, route_times

Cost = tuple[int, float]
"""(vehicles, driving minutes), compared in that order; vehicles are 0 when only driving counts."""

CANDIDATE_POSITIONS = 6
"""Cheapest insertion positions per route checked against windows and shift."""


def visit_workload(problem: RoundsProblem) -> np.ndarray:
    """(n,) the share of a vehicle one visit takes: its load over the capacity plus its stop and
    an out-and-back drive from the nearest depot over a shift's working time (1 when neither
    limits)."""
    share = np.zeros(problem.n_places)
    if problem.capacity is not None:
        share += problem.demand / problem.capacity
    shift = min(problem.work_minutes, problem.depot_close_minutes)
    if math.isfinite(shift) and shift > 0:
        depots = np.asarray(problem.depots)
        places = problem.place_location
        drive = (
            problem.travel_minutes[np.ix_(depots, places)]
            + problem.travel_minutes[np.ix_(places, depots)].T
        ).min(axis=0)
        share += (problem.stop_minutes + drive) / shift
    return np.where(share > 0, share, 1.0)


def balanced_start(problem: RoundsProblem) -> list[int]:
    """The option (index into ``problem.patterns[place]``) of each place, balancing each day's
    workload: places with fewer patterns and more workload choose first."""
    workload = visit_workload(problem)
    visits = np.array([len(problem.days_of(p, 0)) for p in range(problem.n_places)])
    order = sorted(
        range(problem.n_places),
        key=lambda p: (len(problem.patterns[p]), -workload[p] * visits[p], p),
    )
    load = np.zeros(problem.period_days)
    choice = [0] * problem.n_places
    for place in order:
        scores = [
            (
                load[list(problem.days_of(place, o))].max(),
                load[list(problem.days_of(place, o))].sum(),
            )
            for o in range(len(problem.patterns[place]))
        ]
        choice[place] = min(range(len(scores)), key=scores.__getitem__)
        load[list(problem.days_of(place, choice[place]))] += workload[place]
    return choice


def insertion_start(problem: RoundsProblem) -> tuple[list[int], list[list[DayRoute]]]:
    """Each place, in ``balanced_start``'s order, takes the pattern whose days have the cheapest
    feasible insertions into the routes built so far (a new route where the fleet allows); a
    place that fits no pattern takes its balanced pattern and is left for the day solvers.

    Returns:
        (the option of each place, each day's routes over the places that were inserted).
    """
    balanced = balanced_start(problem)
    workload = visit_workload(problem)
    visits = np.array([len(problem.days_of(p, 0)) for p in range(problem.n_places)])
    order = sorted(
        range(problem.n_places),
        key=lambda p: (len(problem.patterns[p]), -workload[p] * visits[p], p),
    )
    routes: list[list[DayRoute]] = [[] for _ in range(problem.period_days)]
    choice = list(balanced)
    for place in order:
        best: tuple[Cost, int, dict[int, list[DayRoute]]] | None = None
        for option in range(len(problem.patterns[place])):
            total: Cost = (0, 0.0)
            changed: dict[int, list[DayRoute]] = {}
            for day in problem.days_of(place, option):
                inserted = _insertion(problem, routes[day], place, may_open=True)
                if inserted is None:
                    break
                changed[day], (dv, dd) = inserted
                total = (total[0] + dv, total[1] + dd)
            else:
                if best is None or total < best[0]:
                    best = (total, option, changed)
        if best is not None:
            choice[place] = best[1]
            for day, day_routes in best[2].items():
                routes[day] = day_routes
    return choice, routes


def day_driving(problem: RoundsProblem, routes: list[DayRoute]) -> float:
    """Driving minutes of one day's routes."""
    return sum(_route_driving(problem, r) for r in routes if r.places)


def _route_driving(problem: RoundsProblem, route: DayRoute) -> float:
    home = problem.depots[route.depot]
    path = [home, *problem.place_location[list(route.places)], home]
    return float(problem.travel_minutes[path[:-1], path[1:]].sum())


def _feasible(problem: RoundsProblem, route: DayRoute) -> bool:
    return route_keeps_rules(problem, route_times(problem, route.depot, route.places), route.places)


def _removal(
    problem: RoundsProblem, routes: list[DayRoute], place: int
) -> tuple[list[DayRoute], Cost]:
    """The day's routes without ``place`` and the change in cost (≤ 0)."""
    changed = list(routes)
    for index, route in enumerate(routes):
        if place in route.places:
            shorter = DayRoute(route.depot, tuple(p for p in route.places if p != place))
            changed[index] = shorter
            saving = _route_driving(problem, shorter) - _route_driving(problem, route)
            return changed, (-1 if not shorter.places else 0, saving)
    raise ValueError(f"place {place} is not on this day's routes")


def _insertion(
    problem: RoundsProblem, routes: list[DayRoute], place: int, may_open: bool
) -> tuple[list[DayRoute], Cost] | None:
    """The day's routes with ``place`` at its cheapest feasible position (an existing route
    first; a new route from the nearest depot with a free vehicle when ``may_open``), and the
    change in (vehicles, driving); ``None`` when nowhere fits."""
    matrix = problem.travel_minutes
    spot = problem.place_location[place]
    best: tuple[float, int, DayRoute] | None = None
    for index, route in enumerate(routes):
        if not route.places:
            continue
        load = problem.demand[list(route.places)].sum() + problem.demand[place]
        if problem.capacity is not None and load > problem.capacity:
            continue
        home = problem.depots[route.depot]
        path = np.array([home, *problem.place_location[list(route.places)], home])
        added = matrix[path[:-1], spot] + matrix[spot, path[1:]] - matrix[path[:-1], path[1:]]
        for position in np.argsort(added, kind="stable")[:CANDIDATE_POSITIONS]:
            if best is not None and added[position] >= best[0]:
                break
            places = (*route.places[:position], place, *route.places[position:])
            candidate = DayRoute(route.depot, places)
            if _feasible(problem, candidate):
                best = (float(added[position]), index, candidate)
                break
    if best is not None:
        changed = list(routes)
        changed[best[1]] = best[2]
        return changed, (0, best[0])
    if not may_open:
        return None
    for depot in np.argsort(
        matrix[list(problem.depots), spot] + matrix[spot, list(problem.depots)]
    ):
        out = sum(1 for r in routes if r.places and r.depot == depot)
        if problem.vehicles_per_day is not None and out >= problem.vehicles_per_day:
            continue
        candidate = DayRoute(int(depot), (place,))
        if _feasible(problem, candidate):
            return [*routes, candidate], (1, _route_driving(problem, candidate))
    return None


def best_move(
    problem: RoundsProblem,
    routes_by_day: list[list[DayRoute]],
    choice: list[int],
    place: int,
    count_vehicles: bool,
) -> tuple[int, dict[int, list[DayRoute]]] | None:
    """The pattern change of ``place`` that lowers (fleet, driving minutes) most: (option, the
    new routes of the days it changes); ``None`` when no change improves."""
    now = set(problem.days_of(place, choice[place]))
    best: tuple[Cost, int, dict[int, list[DayRoute]]] | None = None
    for option in range(len(problem.patterns[place])):
        then = set(problem.days_of(place, option))
        if then == now:
            continue
        driving = 0.0
        changed: dict[int, list[DayRoute]] = {}
        for day in sorted(now - then):
            changed[day], (_, dd) = _removal(problem, routes_by_day[day], place)
            driving += dd
        fits = True
        for day in sorted(then - now):
            inserted = _insertion(problem, routes_by_day[day], place, may_open=True)
            if inserted is None:
                fits = False
                break
            changed[day], (_, dd) = inserted
            driving += dd
        fleet = period_fleet(changed.get(d, r) for d, r in enumerate(routes_by_day))
        delta = (fleet - period_fleet(routes_by_day) if count_vehicles else 0, driving)
        if fits and delta < (0, -1e-6) and (best is None or delta < best[0]):
            best = (delta, option, changed)
    return None if best is None else (best[1], best[2])
