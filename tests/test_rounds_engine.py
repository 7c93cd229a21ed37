"""The rounds engine on small made-up periods: patterns kept, windows, shifts and breaks kept
(by the independent checker), the fleet and its lower bound, and both routing engines."""

from __future__ import annotations

import time

import numpy as np
import pytest

from optimizer.errors import InfeasibleError
from optimizer.rounds import (
    DayRoute,
    RoundsProblem,
    RoundsSettings,
    solve_rounds,
    vehicles_lower_bound,
)
from optimizer.rounds.fleet import level_days
from optimizer.rounds.patterns import best_move
from optimizer.rounds.pyvrp_period import INFEASIBLE_COST, _Until
from optimizer.rounds.rules import beyond_reach, period_fleet
from optimizer.rounds.schedule import route_times
from optimizer.solve import SolverLimits, SolveStatus
from tests.rounds_checker import check_rounds


def _line_problem(**changes: object) -> RoundsProblem:
    """A depot at 0 and six places on a line at 10, 20, ... 60 minutes, over two days."""
    spots = np.arange(7) * 10.0
    values: dict[str, object] = {
        "travel_minutes": np.abs(spots[:, None] - spots[None, :]),
        "depots": (0,),
        "place_location": np.arange(1, 7),
        "place_names": tuple(f"v{i}" for i in range(1, 7)),
        "stop_minutes": np.full(6, 15.0),
        "demand": np.ones(6, dtype=np.int64),
        "window_open_minutes": np.zeros(6),
        "window_close_minutes": np.full(6, np.inf),
        "patterns": ((0b10, 0b01),) * 4 + ((0b11,),) * 2,
        "period_days": 2,
        "shift_minutes": 240.0,
    }
    values.update(changes)
    return RoundsProblem(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_every_place_is_visited_on_one_of_its_patterns(engine: str) -> None:
    problem = _line_problem()
    plan, report = solve_rounds(
        problem, RoundsSettings(engine=engine), SolverLimits(time_limit_seconds=1)
    )
    assert report.status == SolveStatus.FEASIBLE
    assert check_rounds(problem, plan) == pytest.approx(report.objective)
    assert plan.vehicles_per_day(2) == (1, 1)


def test_windows_are_kept_and_waiting_moves_to_the_depot() -> None:
    opens = np.array([0, 0, 0, 0, 200, 0], dtype=float)
    problem = _line_problem(
        window_open_minutes=opens,
        window_close_minutes=np.where(opens > 0, 210.0, np.inf),
        shift_minutes=None,
        patterns=((0b1,),) * 6,
        period_days=1,
    )
    plan, _ = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    check_rounds(problem, plan)
    visit = next(s for shift in plan.shifts for s in shift.stops if s.place == 4)
    assert 200 <= visit.departure_minutes - 15 <= 210


def test_a_short_shift_needs_more_vehicles_and_the_bound_says_so() -> None:
    problem = _line_problem(shift_minutes=140.0, patterns=((0b1,),) * 6, period_days=1)
    plan, _ = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    check_rounds(problem, plan)
    bound = vehicles_lower_bound(problem, np.arange(6))
    assert bound == 2  # 6 stops of 15 min + 60 min of shortest arrivals over 140 min
    assert len(plan.shifts) >= bound


def test_a_place_beyond_the_shift_is_named_with_its_reason() -> None:
    problem = _line_problem(shift_minutes=120.0, patterns=((0b1,),) * 6, period_days=1)
    with pytest.raises(InfeasibleError, match="1 place") as raised:
        solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    assert raised.value.clashes == [
        "v6: out and back with its stop takes 135.0 min, longer than the 120-minute shift"
    ]


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_crews_break_in_time_and_the_shift_holds_the_breaks(engine: str) -> None:
    problem = _line_problem(
        shift_minutes=240.0,
        break_minutes=30.0,
        max_minutes_before_break=100.0,
        patterns=((0b1,),) * 6,
        period_days=1,
    )
    assert (problem.work_minutes, problem.break_count) == (200.0, 1)  # two stretches of 100
    plan, _ = solve_rounds(
        problem, RoundsSettings(engine=engine), SolverLimits(time_limit_seconds=1)
    )
    check_rounds(problem, plan)
    assert any(shift.breaks for shift in plan.shifts)
    # 6 stops of 15 min + 60 min of shortest arrivals over 200 min of work: 1 vehicle
    assert plan.vehicles_lower_bound == (1,)


def test_a_break_pauses_whatever_the_crew_is_doing_and_delays_the_rest() -> None:
    problem = _line_problem(
        shift_minutes=300.0,
        break_minutes=30.0,
        max_minutes_before_break=40.0,
        patterns=((0b1,),) * 6,
        period_days=1,
    )
    times = route_times(problem, 0, (0, 1))  # out 10, stop 15, on 10, stop 15, back 20
    assert times.breaks == (40.0,)  # after 40 min of work: 5 min into the second stop
    assert times.departure.tolist() == [25.0, 80.0]
    assert times.back == 100.0


def test_a_window_narrower_than_the_breaks_is_kept() -> None:
    problem = _line_problem(
        window_open_minutes=np.array([0, 0, 0, 0, 0, 120.0]),
        window_close_minutes=np.array([np.inf] * 5 + [130.0]),
        shift_minutes=300.0,
        break_minutes=45.0,
        max_minutes_before_break=120.0,
        patterns=((0b1,),) * 6,
        period_days=1,
    )
    assert (problem.work_minutes, problem.break_count) == (240.0, 1)
    opens, closes, stops = problem.planning_times()
    # the solvers plan the visit to start by 130 - 45 and to last its wait to 120 longer
    assert (opens[5], closes[5], stops[5]) == (85.0, 85.0, 15.0 + 35.0)
    plan, _ = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    check_rounds(problem, plan)


def test_a_move_that_empties_the_busiest_day_lowers_the_fleet() -> None:
    problem = _line_problem(patterns=((0b10, 0b01),) * 6, period_days=2, shift_minutes=None)
    routes = [[DayRoute(0, (0, 1, 2, 3, 4)), DayRoute(0, (5,))], []]
    assert period_fleet(routes) == 2
    move = best_move(problem, routes, [0] * 6, 5, count_vehicles=True)
    assert move is not None  # same vehicles summed over the days, one fewer on the busiest
    option, changed = move
    assert problem.days_of(5, option) == (1,) and period_fleet([routes[0][:1], changed[1]]) == 1


def test_the_plan_counts_its_fleet_on_its_busiest_day() -> None:
    problem = _line_problem()  # v5 and v6 on both days: vehicles out on both
    plan, _ = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    check_rounds(problem, plan)
    per_day = plan.vehicles_per_day(2)
    assert plan.fleet == max(per_day) < sum(per_day)
    assert plan.fleet_lower_bound == max(plan.vehicles_lower_bound) <= plan.fleet


def test_routes_move_off_the_busiest_day_where_their_places_may_go() -> None:
    problem = _line_problem(
        patterns=((0b100, 0b010, 0b001),) * 4 + ((0b100,),) * 2, period_days=3, shift_minutes=None
    )
    routes = [[DayRoute(0, (0, 1)), DayRoute(0, (2,)), DayRoute(0, (3,)), DayRoute(0, (4, 5))]]
    leveled = level_days(problem, [*routes, [], []])
    assert [len(day) for day in leveled] == [2, 1, 1]
    assert DayRoute(0, (4, 5)) in leveled[0]  # v5 and v6 may go on day 1 only
    assert {r for day in leveled for r in day} == set(routes[0])


@pytest.mark.parametrize("engine", ["pyvrp", "ortools"])
def test_random_windows_and_breaks_keep_every_rule(engine: str) -> None:
    """Windows of 10 to 90 minutes at odd times (some narrower than the break), a depot that
    closes and a break rule: whatever the engines accept, the checker accepts."""
    for seed in range(3):
        rng = np.random.default_rng(seed)
        spots = rng.uniform(0, 60, (13, 2))
        opens = np.where(rng.random(12) < 0.4, rng.uniform(30, 150, 12), 0.0)
        problem = RoundsProblem(
            travel_minutes=np.linalg.norm(spots[:, None] - spots[None], axis=2),
            depots=(0,),
            place_location=np.arange(1, 13),
            place_names=tuple(f"p{i}" for i in range(12)),
            stop_minutes=rng.uniform(5, 30, 12),
            demand=np.zeros(12, dtype=np.int64),
            window_open_minutes=opens,
            window_close_minutes=np.where(opens > 0, opens + rng.choice([10, 30, 90], 12), np.inf),
            patterns=((0b10, 0b01),) * 12,
            period_days=2,
            shift_minutes=360.0,
            depot_close_minutes=240.0,
            break_minutes=30.0,
            max_minutes_before_break=60.0,
        )
        keep = [p for p in range(12) if p not in beyond_reach(problem)]
        problem = problem.subset(keep)
        limits = SolverLimits(time_limit_seconds=0.5, seed=seed)
        plan, _ = solve_rounds(problem, RoundsSettings(engine=engine), limits)
        check_rounds(problem, plan)


def test_the_first_vehicle_counting_search_ends_at_its_share_only_with_feasible_routes() -> None:
    """The search before the ones with fewer vehicles ends at its share of the time only with
    feasible routes; without any it keeps searching to the deadline (PyVRP passes the
    largest 64-bit integer as the best cost until it has feasible routes)."""
    now = time.perf_counter()
    share_passed = _Until(now + 60, feasible_after=now - 1)
    assert share_passed(1_000) and not share_passed(INFEASIBLE_COST)
    share_to_come = _Until(now + 60, feasible_after=now + 30)
    assert not share_to_come(1_000) and not share_to_come(INFEASIBLE_COST)
    assert _Until(now - 1, feasible_after=now - 2)(INFEASIBLE_COST)  # the deadline
