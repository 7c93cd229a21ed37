"""The periodic search: flexible places as one visit over their days, days kept apart on the
solvers' clock, insertion estimates against the routes they estimate, PyVRP's neighbourhoods,
and the combined pattern search against brute force on a small period."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import pyvrp
from pyvrp.search import NeighbourhoodParams, compute_neighbours

from optimizer.rounds import RoundsProblem, RoundsSettings, solve_rounds
from optimizer.rounds.period import period_task
from optimizer.rounds.pyvrp_patterns import _neighbours, _Search
from optimizer.rounds.pyvrp_period import _data
from optimizer.solve import SolverLimits
from tests.rounds_checker import check_rounds


def _plane_problem(
    points: np.ndarray, patterns: tuple[tuple[int, ...], ...], days: int, **changes: object
) -> RoundsProblem:
    """A depot at the origin and one place at each of ``points`` (minutes = Euclidean)."""
    spots = np.vstack([[0.0, 0.0], points])
    n = len(points)
    values: dict[str, object] = {
        "travel_minutes": np.hypot(*(spots[:, None, :] - spots[None, :, :]).transpose(2, 0, 1)),
        "depots": (0,),
        "place_location": np.arange(1, n + 1),
        "place_names": tuple(f"p{i}" for i in range(n)),
        "stop_minutes": np.zeros(n),
        "demand": np.ones(n, dtype=np.int64),
        "window_open_minutes": np.zeros(n),
        "window_close_minutes": np.full(n, np.inf),
        "patterns": patterns,
        "period_days": days,
    }
    values.update(changes)
    return RoundsProblem(**values)  # type: ignore[arg-type]


def test_a_flexible_place_without_a_window_is_one_visit_over_its_days() -> None:
    every_day = (0b1000, 0b0100, 0b0010, 0b0001)
    gapped, windowed = (0b1000, 0b0010), (0b0100, 0b0010)
    problem = _plane_problem(
        np.array([[1.0, 0], [0, 1], [1, 1]]),
        (every_day, gapped, windowed),
        4,
        window_open_minutes=np.array([0.0, 0, 30]),
        window_close_minutes=np.array([np.inf, np.inf, 60]),
    )
    task = period_task(problem, RoundsSettings(), [0, 0, 0])
    assert task.visit_place.tolist() == [0, 1, 1, 2, 2]
    assert task.visit_day.tolist() == [0, 0, 2, 1, 2]
    assert task.visit_last_day.tolist() == [3, 0, 2, 1, 2]
    assert task.visit_group.tolist() == [-1, 0, 0, 1, 1]  # gaps and windows: one of a group
    assert task.visit_index()[(0, 2)] == 0


def test_a_visit_on_another_days_vehicle_is_half_a_block_late() -> None:
    problem = _plane_problem(
        np.array([[1.0, 0], [0, 1]]), ((0b10,), (0b01,)), 2, shift_minutes=100.0
    )
    task = period_task(problem, RoundsSettings(), [0, 0])
    assert task.day_ticks == 2 * (task.depot_close + 1)
    for k, day in enumerate(task.visit_day.tolist()):
        assert day * task.day_ticks <= task.window_open[k]
        assert task.window_close[k] <= day * task.day_ticks + task.depot_close
    one_day = _plane_problem(np.array([[1.0, 0]]), ((0b1,),), 1, shift_minutes=100.0)
    single = period_task(one_day, RoundsSettings(), [0])
    assert single.day_ticks == single.depot_close + 1  # one day: the clock of before


def _random_problem(seed: int) -> RoundsProblem:
    rng = np.random.default_rng(seed)
    points = rng.uniform(-50, 50, size=(14, 2))
    two = (0b1010, 0b0101)
    any_day = (0b1000, 0b0100, 0b0010, 0b0001)
    patterns = (two,) * 8 + (any_day,) * 4 + ((0b1111,),) * 2
    return _plane_problem(
        points,
        patterns,
        4,
        demand=rng.integers(1, 6, size=14),
        capacity=12,
        vehicles_per_day=3,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_insertion_and_removal_estimates_are_the_route_costs_they_stand_for(seed: int) -> None:
    problem = _random_problem(seed)
    settings = RoundsSettings(objective="driving")
    movable = [p for p in range(problem.n_places) if len(problem.patterns[p]) > 1]
    search = _Search(problem, settings, movable, seed)
    choice = [0] * problem.n_places
    model = search.model(choice)
    routes: list[tuple[int, list[int]]] = []
    rng = np.random.default_rng(seed)
    for day in range(4):
        on = [p for p in range(problem.n_places) if day in problem.days_of(p, 0)]
        rng.shuffle(on)
        for part in np.array_split(np.array(on), 2):
            routes.append((day, [int(p) for p in part]))
    penalty = 7.0
    insert, remove, present = search._table(model.task, routes, penalty)
    matrix, cap = search.distance, search.capacity

    def cost(places: list[int]) -> float:
        path = [0, *(1 + p for p in places), 0]
        load = int(search.demand[places].sum()) if places else 0
        return float(matrix[path[:-1], path[1:]].sum()) + penalty * max(load - cap, 0)

    for row, place in enumerate(movable):
        for day in range(4):
            mine = [places for vt, places in routes if vt == day]
            if any(place in r for r in mine):
                assert present[row, day]
                route = next(r for r in mine if place in r)
                shorter = [p for p in route if p != place]
                assert remove[row, day] == pytest.approx(cost(route) - cost(shorter))
            else:
                assert not present[row, day]
                best = min(
                    cost([*r[:k], place, *r[k:]]) - cost(r) for r in mine for k in range(len(r) + 1)
                )
                alone = cost([place]) if len(mine) < 3 else np.inf
                assert insert[row, day] == pytest.approx(min(best, alone))
                assert search.insertion(model.task, routes, day, place, penalty)[0] == (
                    pytest.approx(min(best, alone))
                )


def test_routes_read_back_and_a_visit_on_another_days_vehicle_is_not_read() -> None:
    problem = _random_problem(5)
    movable = [p for p in range(problem.n_places) if len(problem.patterns[p]) > 1]
    search = _Search(problem, RoundsSettings(objective="driving"), movable, 0)
    model = search.model([0] * problem.n_places)
    routes = [
        (day, [p for p in range(problem.n_places) if day in problem.days_of(p, 0)])
        for day in range(4)
    ]
    assert model.routes(model.solution(routes)) == routes
    # place 0's visit of day 3 (its first pattern: days 1 and 3) rides on day 2's vehicle
    visits = [[model.index[(p, day)] for p in places] for day, places in routes]
    visits[2].remove(model.index[(0, 2)])
    visits[1].append(model.index[(0, 2)])
    moved = pyvrp.Solution(
        model.data, [pyvrp.Route(model.data, v, day) for day, v in enumerate(visits)]
    )
    assert model.routes(moved) is None


def test_neighbourhoods_are_pyvrps() -> None:
    problem = _random_problem(3)
    task = period_task(problem, RoundsSettings(objective="driving"), [0] * problem.n_places)
    data = _data(task)
    theirs = compute_neighbours(data, NeighbourhoodParams())
    search = _Search(problem, RoundsSettings(objective="driving"), [], 0)
    search.model([0] * problem.n_places)
    ours = _neighbours(task, None, search.activities)
    assert {a.idx for a in ours} == {a.idx for a in theirs}
    for activity, near in theirs.items():
        mine = next(v for k, v in ours.items() if k.idx == activity.idx)
        assert {a.idx for a in mine} == {a.idx for a in near}


def _brute_force(problem: RoundsProblem) -> float:
    """Least driving over every choice of patterns, each day one vehicle on its best tour
    (Held and Karp's recursion over the subsets of places)."""
    matrix = problem.travel_minutes
    n = problem.n_places
    path = np.full((1 << n, n), np.inf)  # from the depot through a subset, ending at a place
    for place in range(n):
        path[1 << place, place] = matrix[0, place + 1]
    for subset in range(1, 1 << n):
        for last in range(n):
            if not np.isfinite(path[subset, last]):
                continue
            for then in range(n):
                if not subset >> then & 1:
                    longer = subset | 1 << then
                    step = path[subset, last] + matrix[last + 1, then + 1]
                    path[longer, then] = min(path[longer, then], step)
    tour = (path + matrix[1:, 0][None, :]).min(axis=1)
    tour[0] = 0.0
    best = np.inf
    for choice in itertools.product(*(range(len(o)) for o in problem.patterns)):
        days = [
            sum(1 << p for p in range(n) if d in problem.days_of(p, choice[p]))
            for d in range(problem.period_days)
        ]
        best = min(best, sum(tour[day] for day in days))
    return float(best)


def test_the_pattern_search_finds_the_best_patterns_of_a_small_period() -> None:
    # six places visited twice (days 1 and 3, or 2 and 4), two once on any day, one every
    # day, one vehicle a day; the engine before the combined search stopped 1.8 % above
    points = np.random.default_rng(1).uniform(-20, 20, size=(9, 2))
    two, any_day = (0b1010, 0b0101), (0b1000, 0b0100, 0b0010, 0b0001)
    problem = _plane_problem(
        points, (two,) * 6 + (any_day,) * 2 + ((0b1111,),), 4, vehicles_per_day=1
    )
    plan, report = solve_rounds(
        problem, RoundsSettings(objective="driving"), SolverLimits(time_limit_seconds=1)
    )
    check_rounds(problem, plan)
    assert report.objective == pytest.approx(_brute_force(problem), rel=1e-5)


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_places_with_a_choice_of_multi_day_patterns_get_allowed_days(engine: str) -> None:
    problem = _random_problem(4)
    plan, _ = solve_rounds(
        problem,
        RoundsSettings(engine=engine, objective="driving"),
        SolverLimits(time_limit_seconds=2),
    )
    check_rounds(problem, plan)
