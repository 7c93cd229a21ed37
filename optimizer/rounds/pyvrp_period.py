"""The period's routes with PyVRP (iterated local search over its integer data, arrays passed in).

Visits are PyVRP clients at their place's location; a flexible place's visits form a required
client group (exactly one is made); day ``d``'s vehicles of each depot are one vehicle type
working inside day block ``d``.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Sequence

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import StoppingCriterion

from optimizer import stop
from optimizer.rounds.ejection import eliminate_routes, suits
from optimizer.rounds.period import DayRoute, PeriodTask

FLEET_FIRST_SHARE = 0.3
"""Most of the time spent first finding routes within a fixed fleet."""
INFEASIBLE_COST = np.iinfo(np.int64).max
"""The cost PyVRP's stopping criteria see while no feasible routes are found."""
FEWEST_FIRST_SHARE = 0.2
"""Share of the time the first search of a task that counts vehicles first may take before
searches with fewer vehicles (``_fewest_vehicles``)."""
FEWEST_SHARE = 0.4
"""Share of the time after which no search with fewer vehicles starts; the rest goes to the
driving within the fewest vehicles found. On random 200-customer instances with wide windows
(``benchmarks/bench_rounds_shapes.py``, C2) the search with every vehicle available and each
charged more than any route drives stayed at 11 vehicles for 30 s; capped at 10, 9 and 8 it
found feasible routes at once."""
ELIMINATION_SHARE = 0.5
"""Most of the time left after the fleet-minimising search that route elimination may take
when that search's routes outnumber a one-day, one-depot fleet."""


class _Until(StoppingCriterion):
    """Stops PyVRP at the deadline (a ``time.perf_counter()`` reading), on a stop request,
    once the best cost is below ``cost_below``, or, past ``feasible_after`` (a reading
    before the deadline), once it has found feasible routes."""

    def __init__(
        self,
        deadline: float | None,
        cost_below: float = -math.inf,
        feasible_after: float | None = None,
    ) -> None:
        self.deadline = deadline
        self.cost_below = cost_below
        self.feasible_after = feasible_after

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if best_cost < self.cost_below or stop.past(self.deadline, now):
            return True
        after = self.feasible_after
        return after is not None and now >= after and best_cost < INFEASIBLE_COST


def visit_clients(
    task: PeriodTask, cache: dict[tuple[int, ...], pyvrp.Client] | None = None
) -> list[pyvrp.Client]:
    """PyVRP's client of each of ``task``'s visits. With a ``cache`` (kept by the caller
    across tasks), a visit with the same place, load, stop, window and group is the same
    object as before."""
    loads = task.capacity is not None
    cache = {} if cache is None else cache
    clients = []
    for key in zip(
        task.visit_place.tolist(),
        task.demand.tolist(),
        task.stop.tolist(),
        task.window_open.tolist(),
        task.window_close.tolist(),
        task.visit_group.tolist(),
        strict=True,
    ):
        client = cache.get(key)
        if client is None:
            place, demand, stop_ticks, opens, closes, group = key
            client = pyvrp.Client(
                location=task.n_depots + place,
                delivery=[demand] if loads else [],
                service_duration=stop_ticks,
                tw_early=opens,
                tw_late=closes,
                required=group < 0,
                group=None if group < 0 else group,
            )
            cache[key] = client
        clients.append(client)
    return clients


def _data(task: PeriodTask) -> pyvrp.ProblemData:
    loads = task.capacity is not None
    horizon = task.day_ticks * task.period_days
    depots = [pyvrp.Depot(location=d, tw_late=horizon) for d in range(task.n_depots)]
    clients = visit_clients(task)
    groups = [
        pyvrp.ClientGroup(np.flatnonzero(task.visit_group == g).tolist())
        for g in range(task.n_groups)
    ]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=task.vehicles,
            capacity=[task.capacity] if loads else [],
            start_depot=depot,
            end_depot=depot,
            fixed_cost=task.fixed_cost,
            tw_early=day * task.day_ticks,
            tw_late=day * task.day_ticks + task.depot_close,
            shift_duration=task.shift,
        )
        for day in range(task.period_days)
        for depot in range(task.n_depots)
    ]
    locations = [pyvrp.Location(x=0, y=0) for _ in range(len(task.distance))]
    return pyvrp.ProblemData(
        locations, clients, depots, vehicle_types, [task.distance], [task.duration], groups
    )


def _run(
    task: PeriodTask, initial: Sequence[tuple[int, Sequence[int]]], until: _Until, seed: int
) -> pyvrp.Result:
    """PyVRP's search on ``task`` from ``initial`` (vehicle type, visits), with its penalty
    warnings silenced (a hard fleet limit raises them)."""
    data = _data(task)
    start = None
    if initial:
        start = pyvrp.Solution(
            data, [pyvrp.Route(data, list(visits), vehicle) for vehicle, visits in initial]
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        with stop.solving(lambda: None):  # the stopping criterion polls the request
            return pyvrp.solve(
                data, until, seed=seed, collect_stats=False, display=False, initial_solution=start
            )


def _routes(result: pyvrp.Result) -> list[tuple[int, list[int]]]:
    """(vehicle type, visits) of the best solution's routes."""
    return [
        (
            int(route.vehicle_type()),
            [a.idx for a in route if a.type == pyvrp.ActivityType.CLIENT],
        )
        for route in result.best.routes()
    ]


def solve_period_pyvrp(
    task: PeriodTask,
    start: Sequence[Sequence[DayRoute]] | None,
    deadline: float | None,
    seed: int,
) -> list[list[DayRoute]] | None:
    """Best routes PyVRP finds for ``task`` by ``deadline``.

    Args:
        task: the period's problem in ticks.
        start: per day, routes over exactly the task's visits to start from; ``None``:
            PyVRP's own start.
        deadline: ``time.perf_counter()`` reading to stop at; ``None``: until a stop request.
        seed: random seed.

    Returns:
        Per day its routes (every required visit once, one visit of each flexible place), or
        ``None`` when no feasible routes were found.

    Without ``start`` and with a fleet limit, PyVRP first searches with a vehicle for every
    visit and a fixed cost per vehicle until its routes fit the fleet (at most
    ``FLEET_FIRST_SHARE`` of the time), then, on one day from one depot, takes routes out by
    route elimination while they are too many and short enough for it (``ejection.suits``; at
    most ``ELIMINATION_SHARE`` of the time left): from a start within the fleet it finds
    feasible routes far sooner than when it must squeeze its own start into a tight fleet
    (Solomon R103's 13 vehicles: none in 90 s).

    When the task counts vehicles first (a fixed cost per vehicle) on one day from one depot,
    searches capped at one vehicle fewer at a time take the fleet down (``_fewest_vehicles``)
    and the rest of the time goes to the driving within the fewest vehicles found.
    """
    initial = task.start_routes(start) if start is not None else []
    if start is None and task.vehicles < len(task.visit_place):
        initial = _within_fleet(task, deadline, seed)
    if not task.fixed_cost or not task.one_vehicle_type:
        result = _run(task, initial, _Until(deadline), seed)
        return task.routes_by_day(_routes(result)) if result.is_feasible() else None
    routes = _fewest_vehicles(task, initial, deadline, seed)
    if not routes:
        return None
    within = dataclasses.replace(task, vehicles=len(routes), fixed_cost=0)
    result = _run(within, routes, _Until(deadline), seed)
    return task.routes_by_day(_routes(result) if result.is_feasible() else routes)


def _fewest_vehicles(
    task: PeriodTask,
    initial: Sequence[tuple[int, Sequence[int]]],
    deadline: float | None,
    seed: int,
) -> list[tuple[int, list[int]]]:
    """Feasible routes of a one-day, one-depot ``task`` that counts vehicles first, in as few
    vehicles as the time allows: a search from ``initial`` for ``FEWEST_FIRST_SHARE`` of the
    time (or until its first feasible routes after that, up to the deadline), then, until
    ``FEWEST_SHARE`` of the time, a search from PyVRP's own start with one vehicle fewer than
    the routes found so far, stopped at its first feasible routes, for as long as one finds
    some; empty when the first search found none by the deadline."""
    now = time.perf_counter()
    first = share = None
    if deadline is not None:
        first = now + FEWEST_FIRST_SHARE * max(deadline - now, 0)
        share = now + FEWEST_SHARE * max(deadline - now, 0)
    result = _run(task, initial, _Until(deadline, feasible_after=first), seed)
    if not result.is_feasible():
        return []
    routes = _routes(result)
    while len(routes) > 1 and not stop.past(share, time.perf_counter()):
        fewer = dataclasses.replace(task, vehicles=len(routes) - 1, fixed_cost=0)
        result = _run(fewer, [], _Until(share, cost_below=INFEASIBLE_COST), seed)
        if not result.is_feasible():
            break
        routes = _routes(result)
    return routes


def _within_fleet(
    task: PeriodTask, deadline: float | None, seed: int
) -> list[tuple[int, list[int]]]:
    """Routes within ``task.vehicles`` per depot and day found by a fleet-minimising search (a
    vehicle per visit, each charged more than any route drives) and, when its routes of a
    one-day, one-depot task are too many, by route elimination (``ejection``); empty when none
    were found."""
    fixed = int(task.distance.max()) * 2 * len(task.visit_place) + 1
    wide = dataclasses.replace(task, vehicles=len(task.visit_place), fixed_cost=fixed)
    share = None
    if deadline is not None:
        share = time.perf_counter() + FLEET_FIRST_SHARE * max(deadline - time.perf_counter(), 0)
    fits = (task.vehicles * task.n_depots * task.period_days + 1) * fixed
    result = _run(wide, [], _Until(share, cost_below=fits), seed)
    routes = _routes(result)
    if not result.is_feasible():
        return []
    used = np.bincount([vehicle for vehicle, _ in routes], minlength=1)
    if used.max(initial=0) <= task.vehicles:
        return routes
    visits = [visits for _, visits in routes]
    if not task.one_vehicle_type or task.n_groups or not suits(visits):
        return []
    until = None
    if deadline is not None:
        until = time.perf_counter() + ELIMINATION_SHARE * max(deadline - time.perf_counter(), 0)
    fewer = eliminate_routes(task, visits, task.vehicles, until, seed)
    return [] if fewer is None else [(0, visits) for visits in fewer]
