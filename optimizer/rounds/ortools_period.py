"""The period's routes with OR-Tools routing (guided local search), the side-by-side engine.

Nodes are the depots, then one node per visit; a flexible place's visits are one disjunction
(one is made); each vehicle belongs to one day and depot, and a visit is allowed only
to its day's vehicles.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from optimizer import stop
from optimizer.rounds.period import DayRoute, PeriodTask


def solve_period_ortools(
    task: PeriodTask,
    start: Sequence[Sequence[DayRoute]] | None,
    deadline: float | None,
    seed: int,
) -> list[list[DayRoute]] | None:
    """Best routes OR-Tools routing finds for ``task`` by ``deadline``.

    Args:
        task: the period's problem in ticks.
        start: per day, routes over exactly the task's visits to start from; ``None``:
            OR-Tools' own construction (parallel cheapest insertion).
        deadline: ``time.perf_counter()`` reading to stop at; ``None``: until a stop request.
        seed: unused: OR-Tools routing's search is deterministic.

    Returns:
        Per day its routes, or ``None`` when no feasible routes were found.
    """
    del seed
    n_depots, visits = task.n_depots, len(task.visit_place)
    types = np.repeat(np.arange(task.period_days * n_depots), task.vehicles)
    depots = (types % n_depots).tolist()
    manager = pywrapcp.RoutingIndexManager(n_depots + visits, len(types), depots, depots)
    routing = pywrapcp.RoutingModel(manager)
    node_location = np.concatenate([np.arange(n_depots), n_depots + task.visit_place])
    distance = routing.RegisterTransitMatrix(
        task.distance[np.ix_(node_location, node_location)].tolist()
    )
    routing.SetArcCostEvaluatorOfAllVehicles(distance)
    routing.SetFixedCostOfAllVehicles(task.fixed_cost)
    service = np.concatenate([np.zeros(n_depots, dtype=np.int64), task.stop])
    travel = task.duration[np.ix_(node_location, node_location)] + service[:, None]
    horizon = task.day_ticks * task.period_days
    routing.AddDimension(
        routing.RegisterTransitMatrix(travel.tolist()), horizon, horizon, False, "time"
    )
    clock = routing.GetDimensionOrDie("time")
    for vehicle, vehicle_type in enumerate(types.tolist()):
        day = vehicle_type // n_depots
        for end in (routing.Start(vehicle), routing.End(vehicle)):
            clock.CumulVar(end).SetRange(
                day * task.day_ticks, day * task.day_ticks + task.depot_close
            )
        clock.SetSpanUpperBoundForVehicle(int(min(task.shift, horizon)), vehicle)
        routing.AddVariableMaximizedByFinalizer(clock.CumulVar(routing.Start(vehicle)))
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(vehicle)))
    by_day = [
        [int(v) for v in np.flatnonzero(types // n_depots == day)]
        for day in range(task.period_days)
    ]
    for k in range(visits):
        index = manager.NodeToIndex(n_depots + k)
        clock.CumulVar(index).SetRange(int(task.window_open[k]), int(task.window_close[k]))
        days = range(int(task.visit_day[k]), int(task.visit_last_day[k]) + 1)
        routing.VehicleVar(index).SetValues([*(v for d in days for v in by_day[d]), -1])
    # every visit may be left out at a price above any plan's cost, so that the construction
    # always succeeds and the search works its way into the fleet; a plan that still leaves a
    # visit out is no solution
    left_out = int(task.distance.max() + task.fixed_cost) * 2 * (visits + 1) + 1
    required = np.flatnonzero(task.visit_group < 0) + n_depots
    for node in required:
        routing.AddDisjunction([manager.NodeToIndex(int(node))], left_out)
    for group in range(task.n_groups):
        members = np.flatnonzero(task.visit_group == group) + n_depots
        routing.AddDisjunction([manager.NodeToIndex(int(node)) for node in members], left_out)
    if task.capacity is not None:
        load = np.concatenate([np.zeros(n_depots, dtype=np.int64), task.demand])
        demand = routing.RegisterUnaryTransitVector(load.tolist())
        routing.AddDimension(demand, 0, int(task.capacity), True, "load")
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    seconds = 3600.0 if deadline is None else max(deadline - time.perf_counter(), 0.01)
    parameters.time_limit.FromMilliseconds(math.ceil(1000 * seconds))
    with stop.solving(routing.CancelSearch):
        if start is not None:
            initial = routing.ReadAssignmentFromRoutes(
                _by_vehicle(task, manager, types, start), True
            )
            solution = routing.SolveFromAssignmentWithParameters(initial, parameters)
        else:
            solution = routing.SolveWithParameters(parameters)
    if solution is None:
        return None
    routes: list[tuple[int, list[int]]] = []
    for vehicle, vehicle_type in enumerate(types.tolist()):
        index = solution.Value(routing.NextVar(routing.Start(vehicle)))
        route: list[int] = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index) - n_depots)
            index = solution.Value(routing.NextVar(index))
        routes.append((vehicle_type, route))
    made = sum(len(route) for _, route in routes)
    if made < len(required) + task.n_groups:
        return None
    return task.routes_by_day(routes)


def _by_vehicle(
    task: PeriodTask,
    manager: pywrapcp.RoutingIndexManager,
    types: np.ndarray,
    start: Sequence[Sequence[DayRoute]],
) -> list[list[int]]:
    """``start`` as one list of routing indices per vehicle (idle vehicles: empty)."""
    free = {int(t): list(np.flatnonzero(types == t)) for t in np.unique(types)}
    by_vehicle: list[list[int]] = [[] for _ in types]
    for vehicle_type, visits in task.start_routes(start):
        vehicle = free[vehicle_type].pop(0)
        by_vehicle[vehicle] = [manager.NodeToIndex(task.n_depots + v) for v in visits]
    return by_vehicle
