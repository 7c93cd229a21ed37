"""The rounds engine on small made-up periods: patterns kept, windows and shifts kept (by the
independent checker), the vehicle lower bound, and both routing engines."""

from __future__ import annotations

import numpy as np
import pytest

from optimizer.errors import InfeasibleError
from optimizer.rounds import RoundsProblem, RoundsSettings, solve_rounds, vehicles_lower_bound
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
