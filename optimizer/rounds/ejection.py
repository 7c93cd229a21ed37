"""Fewer routes for one day's routing with time windows: route elimination with an ejection
pool (after Nagata and Bräysy's route minimisation heuristic).

A route is taken out and its visits go to a pool. A visit from the pool is inserted where it
fits (every window, the capacity, the depot's closing time and the shift kept) at the least
added driving; when it fits nowhere, it is inserted anyway and up to ``MAX_EJECTED`` visits of
the same route (fewer from a long route) are taken out so that the route fits again, chosen
by how often each has already failed to fit (fewest failures summed, then fewest visits),
and go to the pool. Random moves that keep every route feasible (a visit moved to another
route) then shake the routes so the next insertions meet other neighbours. When the pool empties, the fleet is one route
smaller; the search stops at the fleet wanted, at the deadline or on a stop request.

It serves the fixed fleets that PyVRP's own search cannot reach from a larger one (Solomon
R103: 14 routes from the fleet-minimising search, 13 asked for).
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import Sequence

from optimizer import stop
from optimizer.rounds.period import PeriodTask

MAX_EJECTED = 3
"""Most visits taken out of a route to make room for one that fits nowhere."""
EJECTIONS_PER_ROUTE = 300
"""Most sets of visits tried for taking out of one route: a long route is given smaller sets
(Solomon R202's routes of about 33 visits: 6,017 sets of up to 3, about 10 s per ejection)."""
SHAKE_MOVES = 50
"""Random feasible moves tried after each ejection."""

Route = list[int]
"""Visits of one route, in order."""


class _Day:
    """The visits' data of a one-day, one-depot task as Python lists, with route checks."""

    def __init__(self, task: PeriodTask) -> None:
        self.node = [task.n_depots + int(p) for p in task.visit_place]
        self.duration = task.duration.tolist()
        self.distance = task.distance.tolist()
        self.stop = task.stop.tolist()
        self.demand = task.demand.tolist()
        self.opens = task.window_open.tolist()
        self.closes = task.window_close.tolist()
        self.capacity = task.capacity
        self.depot_close = task.depot_close
        self.shift = task.shift

    def fits(self, route: Sequence[int]) -> bool:
        """Whether ``route`` keeps every window, the capacity, the depot's closing time and
        the shift (counted from the start of the day)."""
        if self.capacity is not None and sum(self.demand[v] for v in route) > self.capacity:
            return False
        return self.on_time(route, 0, 0, 0)

    def on_time(self, route: Sequence[int], first: int, clock: int, here: int) -> bool:
        """Whether ``route[first:]``, leaving node ``here`` at ``clock``, keeps every window
        and is back at the depot by its closing time and the shift's end."""
        duration, opens, closes, stops, node = (
            self.duration,
            self.opens,
            self.closes,
            self.stop,
            self.node,
        )
        for i in range(first, len(route)):
            v = route[i]
            clock = max(clock + duration[here][node[v]], opens[v])
            if clock > closes[v]:
                return False
            clock += stops[v]
            here = node[v]
        clock += duration[here][0]
        return clock <= self.depot_close and clock <= self.shift

    def departures(self, route: Sequence[int]) -> list[int]:
        """Clock on leaving each visit of ``route`` (a feasible route)."""
        clock, here, out = 0, 0, []
        for v in route:
            clock = max(clock + self.duration[here][self.node[v]], self.opens[v]) + self.stop[v]
            here = self.node[v]
            out.append(clock)
        return out

    def added(self, route: Sequence[int], position: int, visit: int) -> int:
        """Driving added by inserting ``visit`` at ``position`` of ``route``."""
        before = 0 if position == 0 else self.node[route[position - 1]]
        after = 0 if position == len(route) else self.node[route[position]]
        node, distance = self.node[visit], self.distance
        return distance[before][node] + distance[node][after] - distance[before][after]


def suits(routes: Sequence[Sequence[int]]) -> bool:
    """Whether route elimination suits ``routes``: sets of ``MAX_EJECTED`` visits may be taken
    out of a route of their mean length. On long routes (Solomon R202: about 25 visits, single
    visits only) it cycled without emptying its pool for 10 s, time PyVRP's own search then
    lacked (+3.53 % against the best known it reached without)."""
    mean = sum(len(route) for route in routes) / max(len(routes), 1)
    return _most_ejected(math.ceil(mean)) == MAX_EJECTED


def eliminate_routes(
    task: PeriodTask,
    routes: Sequence[Sequence[int]],
    target: int,
    deadline: float | None,
    seed: int,
) -> list[Route] | None:
    """Routes over the same visits, at most ``target`` of them, every one feasible.

    Args:
        task: a one-day, one-depot task without flexible places.
        routes: feasible routes (visit indices, in order) over all of the task's visits.
        target: the fleet wanted.
        deadline: ``time.perf_counter()`` reading to stop at (``None``: a stop request).
        seed: random seed.

    Returns:
        The routes, or ``None`` when the deadline came first.
    """
    day = _Day(task)
    rng = random.Random(seed)
    current = [list(route) for route in routes if route]
    failures = [1] * len(task.visit_place)
    while len(current) > target:
        fewer = _without_one_route(day, current, failures, rng, deadline)
        if fewer is None:
            return None
        current = fewer
    return current


def _without_one_route(
    day: _Day,
    routes: list[Route],
    failures: list[int],
    rng: random.Random,
    deadline: float | None,
) -> list[Route] | None:
    """``routes`` with one route fewer, or ``None`` at the deadline."""
    routes = [list(route) for route in routes]
    pool = routes.pop(rng.randrange(len(routes)))
    while pool:
        if stop.past(deadline, time.perf_counter()):
            return None
        visit = pool.pop()
        if _insert(day, routes, visit):
            continue
        failures[visit] += 1
        ejected = _insert_ejecting(day, routes, visit, failures)
        pool.extend(ejected)
        _shake(day, routes, rng)
    return [route for route in routes if route]


def _insert(day: _Day, routes: list[Route], visit: int) -> bool:
    """Insert ``visit`` where it fits at the least added driving; whether it fit."""
    best: tuple[int, int, int] | None = None
    for r, route in enumerate(routes):
        for position in range(len(route) + 1):
            cost = day.added(route, position, visit)
            if best is not None and cost >= best[0]:
                continue
            if day.fits([*route[:position], visit, *route[position:]]):
                best = (cost, r, position)
    if best is None:
        return False
    _, r, position = best
    routes[r].insert(position, visit)
    return True


def _insert_ejecting(day: _Day, routes: list[Route], visit: int, failures: list[int]) -> list[int]:
    """Insert ``visit`` into the route and place where taking out the fewest-failure visits
    (at most ``MAX_EJECTED``) makes the route fit; returns the visits taken out (all of the
    route's but ``visit`` itself, if nothing smaller works)."""
    best: tuple[tuple[int, int], int, list[int]] | None = None
    capacity, demand = day.capacity, day.demand
    for r, route in enumerate(routes):
        load = sum(demand[v] for v in route) + demand[visit]
        leaving = day.departures(route)
        # the ejections that keep the load, cheapest first: the first that fits at a
        # position is that position's best
        ejections = sorted(
            ((sum(failures[route[i]] for i in taken), len(taken)), taken)
            for size in range(1, _most_ejected(len(route)) + 1)
            for taken in itertools.combinations(range(len(route)), size)
            if capacity is None or load - sum(demand[route[i]] for i in taken) <= capacity
        )
        for position in range(len(route) + 1):
            trial = [*route[:position], visit, *route[position:]]
            for score, taken in ejections:
                if best is not None and score >= best[0]:
                    break
                # the route up to the first visit taken out or put in is unchanged
                first = min(taken[0], position)
                out = {route[i] for i in taken}
                kept = [v for v in trial if v not in out]
                clock = leaving[first - 1] if first else 0
                here = day.node[route[first - 1]] if first else 0
                if day.on_time(kept, first, clock, here):
                    best = (score, r, kept)
                    break
    if best is None:
        # no small ejection makes room: the visit takes the route whose visits failed least
        # often, and they go back to the pool
        r = min(range(len(routes)), key=lambda r: sum(failures[v] for v in routes[r]))
        ejected, routes[r] = routes[r], [visit]
        return ejected
    _, r, kept = best
    ejected = [v for v in routes[r] if v not in kept]
    routes[r] = kept
    return ejected


def _most_ejected(length: int) -> int:
    """Most visits taken out of a route of ``length`` visits: up to ``MAX_EJECTED`` while the
    sets of that many or fewer number at most ``EJECTIONS_PER_ROUTE`` (at least one)."""
    most, sets = 1, length
    while most < min(MAX_EJECTED, length):
        sets += math.comb(length, most + 1)
        if sets > EJECTIONS_PER_ROUTE:
            break
        most += 1
    return most


def _shake(day: _Day, routes: list[Route], rng: random.Random) -> None:
    """Up to ``SHAKE_MOVES`` random moves of a visit to a random place of another route, each
    kept when both routes still fit."""
    if len(routes) < 2:
        return
    for _ in range(SHAKE_MOVES):
        a, b = rng.sample(range(len(routes)), 2)
        if not routes[a]:
            continue
        source = routes[a]
        index = rng.randrange(len(source))
        visit = source[index]
        position = rng.randrange(len(routes[b]) + 1)
        target = [*routes[b][:position], visit, *routes[b][position:]]
        if day.fits(target):
            del source[index]
            routes[b] = target
