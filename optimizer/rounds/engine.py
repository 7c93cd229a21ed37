"""``solve_rounds``: the period's routes by a routing engine, day patterns by an outer search.

1. Start: every place takes the pattern with the cheapest feasible insertions into the routes
   built so far (``patterns.insertion_start``).
2. The routing engine solves the whole period from those routes: days are blocks of one clock,
   and a place visited once on any of several days is left to the engine (one visit whose
   window spans its days, or one visit of a group), so most day choices are made inside its
   search.
3. Places visited on several days with a choice of patterns:

   - PyVRP (``pyvrp_patterns.search_patterns``): patterns change inside one iterated local
     search over the period (ruin and recreate on patterns, pattern improvement by insertion
     estimates, each followed by a full local search and judged like PyVRP's own moves); the
     last part of the time routes the best patterns found.
   - OR-Tools routing: an outer search; a place changes pattern where that lowers (fleet,
     driving minutes) at the cheapest feasible insertions, and the period is re-solved from
     those routes; when no change improves, the rest of the time goes to the engine.

The objective is the fewest vehicles (the fleet, ``rules.fleet_size``: vehicles are reused
across the days), then fewest driving minutes (``RoundsSettings.objective="driving"``: driving
minutes only, within the fleet).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

import numpy as np

from optimizer import stop
from optimizer.errors import InfeasibleError
from optimizer.rounds.fleet import level_days
from optimizer.rounds.ortools_period import solve_period_ortools
from optimizer.rounds.patterns import best_move, day_driving, insertion_start
from optimizer.rounds.period import DayRoute, PeriodTask, flexible, period_task
from optimizer.rounds.plan import RoundsPlan, build_plan
from optimizer.rounds.problem import RoundsProblem
from optimizer.rounds.pyvrp_patterns import search_patterns
from optimizer.rounds.pyvrp_period import solve_period_pyvrp
from optimizer.rounds.rules import period_fleet, unreachable_places, vehicles_lower_bound
from optimizer.rounds.settings import RoundsSettings
from optimizer.solve import SolveReport, SolverLimits, SolveStatus

DEFAULT_SECONDS = 60.0
"""Time limit when ``SolverLimits`` sets none."""

PeriodSolver = Callable[
    [PeriodTask, Sequence[Sequence[DayRoute]] | None, float | None, int],
    list[list[DayRoute]] | None,
]
ENGINES: dict[str, tuple[str, PeriodSolver]] = {
    "pyvrp": ("pyvrp", solve_period_pyvrp),
    "ortools": ("ortools-routing", solve_period_ortools),
}


class _Rounds:
    """The current patterns and routes, and how to re-solve them."""

    def __init__(
        self, problem: RoundsProblem, settings: RoundsSettings, seed: int, choice: list[int]
    ) -> None:
        self.problem = problem
        self.settings = settings
        self.seed = seed
        self.solver = ENGINES[settings.engine][1]
        self.count_vehicles = settings.objective == "vehicles_then_driving"
        self.choice = choice
        self.routes: list[list[DayRoute]] | None = None
        """Per day the routes: feasible and visiting every place on its pattern (None: none yet)."""

    def solve(self, deadline: float, start: list[list[DayRoute]] | None) -> None:
        """Solve the period with the current patterns from ``start`` (feasible routes visiting
        every place on its pattern, or ``None``), keeping the better of what is found and the
        current routes (unless ``start`` replaces them)."""
        task = period_task(self.problem, self.settings, self.choice)
        found = self.solver(task, start, deadline, self.seed)
        if found is None:
            if start is not None and self._better(start):
                self._keep(start)
            return
        best = found if start is None or self.cost(found) <= self.cost(start) else start
        if self._better(best) or start is not None:
            self._keep(best)

    def _better(self, routes: list[list[DayRoute]]) -> bool:
        return self.routes is None or self.cost(routes) <= self.cost(self.routes)

    def _keep(self, routes: list[list[DayRoute]]) -> None:
        self.routes = [[r for r in day if r.places] for day in routes]
        pattern_of = {
            (place, self.problem.patterns[place][option]): option
            for place in range(self.problem.n_places)
            for option in range(len(self.problem.patterns[place]))
        }
        visited: dict[int, int] = {}
        for day, day_routes in enumerate(self.routes):
            for route in day_routes:
                for place in route.places:
                    visited[place] = visited.get(place, 0) | 1 << (
                        self.problem.period_days - 1 - day
                    )
        for place, mask in visited.items():
            self.choice[place] = pattern_of[(place, mask)]

    def cost(self, routes: list[list[DayRoute]]) -> tuple[int, float]:
        """(fleet, driving minutes) of the period's routes (fleet 0 when only driving counts)."""
        driving = sum(day_driving(self.problem, day) for day in routes)
        return (period_fleet(routes) if self.count_vehicles else 0, driving)


def solve_rounds(
    problem: RoundsProblem, settings: RoundsSettings, limits: SolverLimits
) -> tuple[RoundsPlan | None, SolveReport]:
    """Plan the rounds of ``problem``.

    Args:
        problem: places, patterns, depots, fleet, windows and travel minutes.
        settings: routing engine and objective.
        limits: time limit (default 60 s) and seed; the engines run on one thread.

    Returns:
        (plan, report): the report's objective is the plan's driving minutes and ``bound`` is
        ``None`` (no distance bound is proven); ``notes`` give the vehicles per day beside
        their lower bound. ``(None, time_limit_no_solution)`` when no feasible routes were
        found in time.

    Raises:
        InfeasibleError: places no vehicle can visit even alone, each with its reason.
    """
    unreachable = unreachable_places(problem)
    if unreachable:
        raise InfeasibleError(f"{len(unreachable)} place(s) no vehicle can visit", unreachable)
    started = time.perf_counter()
    deadline = started + limits.seconds_or(DEFAULT_SECONDS)
    solver_name = ENGINES[settings.engine][0]
    choice, start_routes = insertion_start(problem)
    rounds = _Rounds(problem, settings, limits.seed, choice)
    movable = [
        p
        for p in range(problem.n_places)
        if len(problem.patterns[p]) > 1 and not flexible(problem, p)
    ]
    placed = sum(len(r.places) for day in start_routes for r in day)
    complete = placed == sum(len(problem.days_of(p, c)) for p, c in enumerate(choice))
    if settings.engine == "pyvrp" and movable:
        found = search_patterns(
            problem, settings, choice, start_routes, movable, deadline, limits.seed
        )
        if found is not None:
            rounds.choice = found[0]
            rounds._keep(found[1])
    else:
        share = settings.start_share if movable else 1.0
        rounds.solve(started + share * (deadline - started), start_routes if complete else None)
        if rounds.routes is not None and movable:
            _pattern_search(rounds, movable, deadline, random.Random(limits.seed))
    if rounds.routes is None:
        report = SolveReport.measured(
            status=SolveStatus.TIME_LIMIT_NO_SOLUTION,
            objective=None,
            bound=None,
            started=started,
            solver=solver_name,
            notes=("no feasible routes found in time",),
        )
        return None, report
    if rounds.count_vehicles:  # the engines count vehicles per day, the fleet on the busiest
        rounds._keep(level_days(problem, rounds.routes))
    by_day = [
        np.array(sorted(p for r in day for p in r.places), dtype=np.int64) for day in rounds.routes
    ]
    bounds = [vehicles_lower_bound(problem, places) for places in by_day]
    patterns = [problem.patterns[place][option] for place, option in enumerate(rounds.choice)]
    plan = build_plan(problem, rounds.routes, patterns, bounds)
    used = plan.vehicles_per_day(problem.period_days)
    note = f"fleet {plan.fleet} (at least {plan.fleet_lower_bound}); vehicles per day " + ", ".join(
        f"{count} (at least {bound})" for count, bound in zip(used, bounds, strict=True)
    )
    report = SolveReport.measured(
        status=SolveStatus.FEASIBLE,
        objective=plan.driving_minutes,
        bound=None,
        started=started,
        solver=solver_name,
        notes=(note,),
    )
    return plan, report


def _pattern_search(
    rounds: _Rounds, movable: list[int], deadline: float, rng: random.Random
) -> None:
    """Move ``movable`` places between day patterns and re-solve the period from the changed
    routes until no move improves or ``deadline``; then give the engine the rest of the time."""
    problem = rounds.problem
    while not stop.past(deadline, time.perf_counter()):
        rng.shuffle(movable)
        routes = [list(day) for day in rounds.routes or []]
        moved = False
        for place in movable:
            if stop.past(deadline, time.perf_counter()):
                return
            move = best_move(problem, routes, rounds.choice, place, rounds.count_vehicles)
            if move is not None:
                rounds.choice[place], changed = move
                for day, day_routes in changed.items():
                    routes[day] = [r for r in day_routes if r.places]
                moved = True
        if not moved:
            break
        slot = (deadline - time.perf_counter()) / 4
        rounds.solve(time.perf_counter() + max(slot, 0.0), routes)
    rounds.solve(deadline, rounds.routes)
