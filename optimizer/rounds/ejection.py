"""Fewer routes for one day's routing with time windows: route elimination with an ejection
pool (after Nagata and Bräysy's route minimisation heuristic).

A route is taken out and its visits go to a pool. A visit from the pool is inserted where it
fits (every window, the capacity, the depot's closing time and the shift kept) at the least
added driving; when it fits nowhere, it is inserted anyway and up to ``MAX_EJECTED`` visits of
the same route are taken out so that the route fits again, chosen by how often each has
already failed to fit (fewest failures summed, then fewest visits; a depth-first search over
the route's visits in order, cut off where a kept visit is late), and go to the pool. Random
moves that keep every route feasible (a visit moved to another route) then shake the routes
so the next insertions meet other neighbours. When the pool empties, the fleet is one route
smaller; the search stops at the fleet wanted, at the deadline or on a stop request.

It serves the fixed fleets that PyVRP's own search cannot reach from a larger one (Solomon
R103: 14 routes from the fleet-minimising search, 13 asked for).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

from optimizer import stop
from optimizer.rounds.period import PeriodTask

MAX_EJECTED = 3
"""Most visits taken out of a route to make room for one that fits nowhere."""
LONGEST_MEAN_ROUTE = 12
"""Route elimination runs on routes of at most this many visits on average. On Solomon R202
(about 25 visits a route, wide windows) one seed emptied its pool in 1.3 s and another in
15 s, time PyVRP's own search, which reaches the fleet there, then lacked (+3.53 % against
the best known it reaches alone)."""
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
        clock, here = 0, 0
        for v in route:
            clock = max(clock + self.duration[here][self.node[v]], self.opens[v])
            if clock > self.closes[v]:
                return False
            clock += self.stop[v]
            here = self.node[v]
        return self.back_in_time(clock + self.duration[here][0])

    def back_in_time(self, clock: int) -> bool:
        """Whether a vehicle back at the depot at ``clock`` is back before it closes and
        within the shift."""
        return clock <= self.depot_close and clock <= self.shift

    def added(self, route: Sequence[int], position: int, visit: int) -> int:
        """Driving added by inserting ``visit`` at ``position`` of ``route``."""
        before = 0 if position == 0 else self.node[route[position - 1]]
        after = 0 if position == len(route) else self.node[route[position]]
        node, distance = self.node[visit], self.distance
        return distance[before][node] + distance[node][after] - distance[before][after]


def suits(routes: Sequence[Sequence[int]]) -> bool:
    """Whether route elimination suits ``routes``: their mean length is at most
    ``LONGEST_MEAN_ROUTE`` visits."""
    return sum(len(route) for route in routes) <= LONGEST_MEAN_ROUTE * max(len(routes), 1)


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
    for r, route in enumerate(routes):
        for position in range(len(route) + 1):
            sequence = [*route[:position], visit, *route[position:]]
            search = _Ejection(day, sequence, visit, None if best is None else best[0])
            search.run(failures)
            if search.kept is not None:
                best = (search.cost, r, search.kept)
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


class _Ejection:
    """The least ejection from one route with a visit put in: a depth-first search over its
    visits in order, each kept (when on time) or taken out (up to ``MAX_EJECTED``, never the
    visit put in), cut off where a kept visit is late or the ejection already costs at least
    the best found. Costs are (failures summed, visits taken out); taking out earlier visits
    is tried first, so of equal costs the earliest ejection wins."""

    def __init__(
        self, day: _Day, sequence: list[int], visit: int, bound: tuple[int, int] | None
    ) -> None:
        self.day, self.sequence, self.visit = day, sequence, visit
        self.load = sum(day.demand[v] for v in sequence)
        self.cost = bound
        """Cost of the best ejection found, at first the ``bound`` to beat (``None``: none)."""
        self.kept: list[int] | None = None
        """The visits the best ejection keeps, in order (``None``: none beat the bound)."""

    def run(self, failures: list[int]) -> None:
        """Search; sets ``cost`` and ``kept`` when an ejection beats the bound."""
        self._step(failures, 0, 0, 0, 0, (0, 0), [])

    def _step(
        self,
        failures: list[int],
        i: int,
        clock: int,
        here: int,
        taken_load: int,
        cost: tuple[int, int],
        kept: list[int],
    ) -> None:
        day = self.day
        if i == len(self.sequence):
            over = day.capacity is not None and self.load - taken_load > day.capacity
            better = self.cost is None or cost < self.cost
            if better and not over and day.back_in_time(clock + day.duration[here][0]):
                self.cost, self.kept = cost, list(kept)
            return
        v = self.sequence[i]
        if v != self.visit and cost[1] < MAX_EJECTED:
            taken = (cost[0] + failures[v], cost[1] + 1)
            if self.cost is None or taken < self.cost:
                self._step(failures, i + 1, clock, here, taken_load + day.demand[v], taken, kept)
        arrive = max(clock + day.duration[here][day.node[v]], day.opens[v])
        if arrive <= day.closes[v]:
            kept.append(v)
            self._step(failures, i + 1, arrive + day.stop[v], day.node[v], taken_load, cost, kept)
            kept.pop()


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
