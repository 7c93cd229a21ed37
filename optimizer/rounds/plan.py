"""``RoundsPlan``: per vehicle and day the ordered stops, with arrival, departure and driving."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.rounds.period import DayRoute
from optimizer.rounds.problem import RoundsProblem
from optimizer.rounds.rules import fleet_size
from optimizer.rounds.schedule import route_times


@dataclass(frozen=True)
class Stop:
    """One visit.

    Attributes:
        place: place index; ``name``: its name.
        arrival_minutes: arrival, minutes after the depot opens.
        start_minutes: start of the visit (after any wait for the window or a break).
        departure_minutes: end of the visit (after the stop and any break pausing it).
        driving_minutes: travel minutes from the previous stop (or the depot).
    """

    place: int
    name: str
    arrival_minutes: float
    start_minutes: float
    departure_minutes: float
    driving_minutes: float


@dataclass(frozen=True)
class VehicleDay:
    """One vehicle's shift on one day.

    Attributes:
        day: 0-based day of the period; ``vehicle``: 0-based vehicle of that day.
        depot: index into ``RoundsProblem.depots``.
        leave_minutes, back_minutes: when it leaves and is back at the depot.
        driving_minutes: travel minutes of the whole shift, depot to depot.
        stops: the visits in order.
        breaks: start of each of the crew's breaks, minutes after the depot opens.
    """

    day: int
    vehicle: int
    depot: int
    leave_minutes: float
    back_minutes: float
    driving_minutes: float
    stops: tuple[Stop, ...]
    breaks: tuple[float, ...] = ()


@dataclass(frozen=True)
class RoundsPlan:
    """The rounds of one planning period.

    Attributes:
        shifts: every vehicle's shift, by day then vehicle.
        patterns: (n,) the day pattern (bit mask) each place is visited on.
        vehicles_lower_bound: per day, the fewest vehicles any plan needs with these patterns.

    The fleet is what the plan needs to own: vehicles are reused across the days, so it is the
    most vehicles out on one day (``rules.fleet_size``).
    """

    shifts: tuple[VehicleDay, ...]
    patterns: tuple[int, ...]
    vehicles_lower_bound: tuple[int, ...]

    @property
    def driving_minutes(self) -> float:
        """Travel minutes of all shifts."""
        return sum(shift.driving_minutes for shift in self.shifts)

    @property
    def fleet(self) -> int:
        """Vehicles the plan needs: the most out on one day."""
        return fleet_size(shift.day for shift in self.shifts)

    @property
    def fleet_lower_bound(self) -> int:
        """The fewest vehicles any plan with these patterns needs: the largest day's bound."""
        return max(self.vehicles_lower_bound, default=0)

    def vehicles_per_day(self, period_days: int) -> tuple[int, ...]:
        """Vehicles out on each day of the period."""
        counts = [0] * period_days
        for shift in self.shifts:
            counts[shift.day] += 1
        return tuple(counts)


def build_plan(
    problem: RoundsProblem,
    routes_by_day: Sequence[Sequence[DayRoute]],
    patterns: Sequence[int],
    vehicles_lower_bound: Sequence[int],
) -> RoundsPlan:
    """The plan of ``routes_by_day`` (empty routes left out), with every time computed."""
    shifts: list[VehicleDay] = []
    for day, routes in enumerate(routes_by_day):
        for route in (r for r in routes if r.places):
            times = route_times(problem, route.depot, route.places)
            path = _path(problem, route)
            legs = problem.travel_minutes[path[:-2], path[1:-1]]
            stops = tuple(
                Stop(
                    place=place,
                    name=problem.place_names[place],
                    arrival_minutes=float(times.arrival[k]),
                    start_minutes=float(times.start[k]),
                    departure_minutes=float(times.departure[k]),
                    driving_minutes=float(legs[k]),
                )
                for k, place in enumerate(route.places)
            )
            vehicle = sum(1 for shift in shifts if shift.day == day)
            shifts.append(
                VehicleDay(
                    day,
                    vehicle,
                    route.depot,
                    times.leave,
                    times.back,
                    times.driving_minutes,
                    stops,
                    times.breaks,
                )
            )
    return RoundsPlan(tuple(shifts), tuple(patterns), tuple(vehicles_lower_bound))


def _path(problem: RoundsProblem, route: DayRoute) -> np.ndarray:
    """Locations of a route: its depot, its places, its depot."""
    home = problem.depots[route.depot]
    return np.array([home, *problem.place_location[list(route.places)], home], dtype=np.int64)
