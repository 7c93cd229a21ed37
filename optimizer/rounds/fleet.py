"""Fewer vehicles by moving whole routes between days: the fleet is the most vehicles out on
one day (``rules.fleet_size``), but the routing engines charge every route of every day alike,
so they may put three routes of places that could go on any weekday on the same day.

A route moves from a busiest day to a day with at least two fewer routes when each of its
places may be visited on that day instead (its pattern with the one day swapped is allowed)
and the depot has a vehicle free there. The route itself does not change, so its times, windows
and driving are the same; the moves repeat until none is left.
"""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.rounds.period import DayRoute
from optimizer.rounds.problem import RoundsProblem


def level_days(
    problem: RoundsProblem, routes_by_day: Sequence[Sequence[DayRoute]]
) -> list[list[DayRoute]]:
    """``routes_by_day`` (every place on one of its patterns) with routes moved off the busiest
    days while that is allowed; the same routes, so the same driving, and no larger fleet."""
    routes = [[r for r in day if r.places] for day in routes_by_day]
    masks = _masks(problem, routes)
    while True:
        counts = [len(day) for day in routes]
        move = _move_off_busiest(problem, routes, masks, counts)
        if move is None:
            return routes
        source, index, target = move
        route = routes[source].pop(index)
        routes[target].append(route)
        for place in route.places:
            masks[place] ^= _bit(problem, source) | _bit(problem, target)


def _bit(problem: RoundsProblem, day: int) -> int:
    return 1 << (problem.period_days - 1 - day)


def _masks(problem: RoundsProblem, routes: list[list[DayRoute]]) -> list[int]:
    """The day pattern each place is visited on."""
    masks = [0] * problem.n_places
    for day, day_routes in enumerate(routes):
        for route in day_routes:
            for place in route.places:
                masks[place] |= _bit(problem, day)
    return masks


def _move_off_busiest(
    problem: RoundsProblem, routes: list[list[DayRoute]], masks: list[int], counts: list[int]
) -> tuple[int, int, int] | None:
    """(day, route index, new day) of the first allowed move of a route from a busiest day to
    the least busy day it may go to, with at least two routes fewer; ``None``: none."""
    busiest = max(counts, default=0)
    targets = sorted(range(problem.period_days), key=lambda day: (counts[day], day))
    for source in (day for day in range(problem.period_days) if counts[day] == busiest):
        for index, route in enumerate(routes[source]):
            for target in targets:
                if counts[target] + 2 > busiest:
                    break
                if _may_move(problem, routes, masks, route, source, target):
                    return source, index, target
    return None


def _may_move(
    problem: RoundsProblem,
    routes: list[list[DayRoute]],
    masks: list[int],
    route: DayRoute,
    source: int,
    target: int,
) -> bool:
    """Whether every place of ``route`` may swap day ``source`` for ``target`` and the depot
    has a vehicle free on ``target``."""
    swap = _bit(problem, source) | _bit(problem, target)
    if any(masks[place] & _bit(problem, target) for place in route.places):
        return False
    if any((masks[place] ^ swap) not in problem.patterns[place] for place in route.places):
        return False
    out = sum(1 for r in routes[target] if r.depot == route.depot)
    return problem.vehicles_per_day is None or out < problem.vehicles_per_day
