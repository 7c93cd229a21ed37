"""The period's routing problem as the routing solvers see it: visits in integer ticks.

Days are consecutive blocks of ``day_ticks`` on one clock: a vehicle of day ``d`` works
inside the first half of block ``d`` (over one day, the whole block) and a visit on day ``d``
has its window there, so a route never mixes days (a solver that tries pays at least half a
block of lateness). A *flexible* place (visited once, on any one of several days) without a
window of its own and with allowed days that run without a gap is one visit whose window spans
those days, so that the solver moves it between days like between routes; other flexible places
have one visit per allowed day, of which the solver makes exactly one (a group). The other
places are visited on each day of their chosen pattern. Both solvers (PyVRP, OR-Tools routing)
take integer times: travel and stop times are rounded *up* to a tick and windows inward, so
routes feasible in ticks are feasible in exact minutes; distances are rounded to the nearest
tick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.rounds.problem import RoundsProblem
from optimizer.rounds.settings import RoundsSettings

NO_LIMIT = np.iinfo(np.int64).max // 4
"""Ticks standing for "no limit" (far from overflow when solvers add to it)."""


@dataclass(frozen=True)
class DayRoute:
    """One vehicle's route on one day.

    Attributes:
        depot: index into ``RoundsProblem.depots`` of the route's start and end.
        places: the places visited, in order.
    """

    depot: int
    places: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class PeriodTask:
    """The period's routing problem in ticks.

    Attributes:
        n_depots: nodes ``0 .. n_depots - 1`` are the depots; node ``n_depots + p`` is place
            ``p``'s location.
        distance, duration: (N, N) distance and travel ticks between nodes.
        visit_place, visit_day: (k,) the place and (first) day of each visit.
        visit_last_day: (k,) the last day a visit may be made on: a flexible place without
            windows whose days run without a gap is one visit made on any day from
            ``visit_day`` to ``visit_last_day``; other visits have one day.
        visit_group: (k,) the flexible place's group of each visit (-1: a required visit).
        stop, demand: (k,) stop ticks and load per visit; loads are counted in ticks too
            (units × ticks per minute), so that the solvers weigh a unit of overload like a
            minute of driving, whatever the resolution.
        window_open, window_close: (k,) earliest and latest start, ticks on the period's clock.
        day_ticks: ticks per day block; ``depot_close``: ticks into a block by which vehicles
            are back; ``shift``: longest shift in ticks.
        period_days: days; ``capacity``: vehicle load in the same ticks (``None``: none);
            ``vehicles``: per depot and day.
        fixed_cost: distance ticks charged per vehicle (0 unless fewest vehicles come first).
    """

    n_depots: int
    distance: np.ndarray
    duration: np.ndarray
    visit_place: np.ndarray
    visit_day: np.ndarray
    visit_last_day: np.ndarray
    visit_group: np.ndarray
    stop: np.ndarray
    demand: np.ndarray
    window_open: np.ndarray
    window_close: np.ndarray
    day_ticks: int
    depot_close: int
    shift: int
    period_days: int
    capacity: int | None
    vehicles: int
    fixed_cost: int

    @property
    def n_groups(self) -> int:
        """Number of flexible places."""
        return int(self.visit_group.max(initial=-1)) + 1

    @property
    def one_vehicle_type(self) -> bool:
        """One day from one depot: the routing engines see a single kind of vehicle."""
        return self.n_depots == 1 and self.period_days == 1

    def vehicle_type(self, day: int, depot: int) -> int:
        """Index of the vehicles of ``depot`` on ``day``."""
        return day * self.n_depots + depot

    def visit_index(self) -> dict[tuple[int, int], int]:
        """(place, day) → visit."""
        return {
            (int(p), d): k
            for k, (p, first, last) in enumerate(
                zip(self.visit_place, self.visit_day, self.visit_last_day, strict=True)
            )
            for d in range(int(first), int(last) + 1)
        }

    def routes_by_day(self, routes: Sequence[tuple[int, Sequence[int]]]) -> list[list[DayRoute]]:
        """Per day the routes of ``routes`` (vehicle type, visits in order)."""
        by_day: list[list[DayRoute]] = [[] for _ in range(self.period_days)]
        for vehicle_type, visits in routes:
            if len(visits):
                day, depot = divmod(int(vehicle_type), self.n_depots)
                places = tuple(int(p) for p in self.visit_place[list(visits)])
                by_day[day].append(DayRoute(depot, places))
        return by_day

    def start_routes(
        self, routes_by_day: Sequence[Sequence[DayRoute]]
    ) -> list[tuple[int, list[int]]]:
        """``routes_by_day`` as (vehicle type, visits) for a solver's start."""
        index = self.visit_index()
        return [
            (self.vehicle_type(day, route.depot), [index[(p, day)] for p in route.places])
            for day, routes in enumerate(routes_by_day)
            for route in routes
            if route.places
        ]


def flexible(problem: RoundsProblem, place: int) -> bool:
    """Whether ``place`` is visited once, on any one of several days (the solver picks)."""
    options = problem.patterns[place]
    return len(options) > 1 and all(
        len(problem.days_of(place, o)) == 1 for o in range(len(options))
    )


def _no_window(problem: RoundsProblem, place: int) -> bool:
    """Whether ``place`` can be visited at any time of a day the depot is open."""
    return bool(
        problem.window_open_minutes[place] <= 0
        and problem.window_close_minutes[place] >= problem.depot_close_minutes
    )


def _ticks_up(minutes: np.ndarray | float, ticks: int) -> np.ndarray:
    scaled = np.minimum(np.asarray(minutes, dtype=np.float64) * ticks, NO_LIMIT)
    return np.ceil(scaled - 1e-9 * np.maximum(scaled, 1)).astype(np.int64)


def _ticks_down(minutes: np.ndarray | float, ticks: int) -> np.ndarray:
    scaled = np.minimum(np.asarray(minutes, dtype=np.float64) * ticks, NO_LIMIT)
    return np.floor(scaled + 1e-9 * np.maximum(scaled, 1)).astype(np.int64)


def period_task(
    problem: RoundsProblem, settings: RoundsSettings, choice: Sequence[int]
) -> PeriodTask:
    """The routing problem of the period with each non-flexible place on its ``choice``-th
    pattern (an index into ``problem.patterns[place]``) and each flexible place free."""
    ticks = settings.ticks_per_minute
    places, days, last_days, groups = [], [], [], []
    n_groups = 0
    for place in range(problem.n_places):
        if flexible(problem, place):
            options = sorted(
                problem.days_of(place, o)[0] for o in range(len(problem.patterns[place]))
            )
            if _no_window(problem, place) and options[-1] - options[0] == len(options) - 1:
                places.append(place)
                days.append(options[0])
                last_days.append(options[-1])
                groups.append(-1)
                continue
            for day in options:
                places.append(place)
                days.append(day)
                last_days.append(day)
                groups.append(n_groups)
            n_groups += 1
        else:
            for day in problem.days_of(place, choice[place]):
                places.append(place)
                days.append(day)
                last_days.append(day)
                groups.append(-1)
    visit_place, visit_day = np.array(places), np.array(days)
    visit_last_day = np.array(last_days)
    nodes = np.concatenate([np.asarray(problem.depots), problem.place_location])
    minutes = problem.travel_minutes[np.ix_(nodes, nodes)]
    distance = np.rint(minutes * ticks).astype(np.int64)
    duration = _ticks_up(minutes, ticks)
    opens, closes, stops = problem.planning_times()
    stop = _ticks_up(stops[visit_place], ticks)
    depot_close = int(_ticks_down(problem.planning_depot_close_minutes, ticks))
    shift = (
        NO_LIMIT if problem.shift_minutes is None else int(_ticks_down(problem.work_minutes, ticks))
    )
    longest = int(stop.sum() + duration.max() * (len(visit_place) + 1)) + 1
    working = min(depot_close, shift, longest) + 1
    # over several days each block is twice the working day: a visit moved onto another day's
    # vehicle costs a solver at least half a block of lateness, never a few ticks
    day_ticks = working if problem.period_days == 1 else 2 * working
    offset = visit_day * day_ticks
    fixed_cost = 0
    if settings.objective == "vehicles_then_driving":
        out_and_back = distance[: len(problem.depots)].max(axis=0) + distance[
            :, : len(problem.depots)
        ].max(axis=1)
        fixed_cost = int(out_and_back[len(problem.depots) + visit_place].sum()) + 1
    close = np.minimum(_ticks_down(closes[visit_place], ticks), working - 1)
    per_day = max(
        int(((visit_day <= day) & (day <= visit_last_day)).sum())
        for day in range(problem.period_days)
    )
    return PeriodTask(
        n_depots=len(problem.depots),
        distance=distance,
        duration=duration,
        visit_place=visit_place,
        visit_day=visit_day,
        visit_last_day=visit_last_day,
        visit_group=np.array(groups),
        stop=stop,
        demand=problem.demand[visit_place].astype(np.int64) * ticks,
        window_open=offset + np.minimum(_ticks_up(opens[visit_place], ticks), close),
        window_close=visit_last_day * day_ticks + close,
        day_ticks=day_ticks,
        depot_close=min(depot_close, working - 1),
        shift=shift,
        period_days=problem.period_days,
        capacity=None if problem.capacity is None else problem.capacity * ticks,
        vehicles=problem.vehicles_per_day or max(int(per_day), 1),
        fixed_cost=fixed_cost,
    )
