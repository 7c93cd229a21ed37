"""``RoundsPlan``: per vehicle and day the ordered stops, with arrival, departure and driving."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.rounds.period import DayRoute
from optimizer.rounds.problem import RoundsProblem
from optimizer.rounds.schedule import route_times


@dataclass(frozen=True)
class Stop:
    """One visit.

    Attributes:
        place: place index; ``name``: its name.
        arrival_minutes: arrival, minutes after the depot opens.
        departure_minutes: end of the visit (after any wait for the window and the stop).
        driving_minutes: travel minutes from the previous stop (or the depot).
    """

    place: int
    name: str
    arrival_minutes: float
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
    """

    day: int
    vehicle: int
    depot: int
    leave_minutes: float
    back_minutes: float
    driving_minutes: float
    stops: tuple[Stop, ...]


@dataclass(frozen=True)
class RoundsPlan:
    """The rounds of one planning period.

    Attributes:
        shifts: every vehicle's shift, by day then vehicle.
        patterns: (n,) the day pattern (bit mask) each place is visited on.
        vehicles_lower_bound: per day, the fewest vehicles any plan needs with these patterns.
    """

    shifts: tuple[VehicleDay, ...]
    patterns: tuple[int, ...]
    vehicles_lower_bound: tuple[int, ...]

    @property
    def driving_minutes(self) -> float:
        """Travel minutes of all shifts."""
        return sum(shift.driving_minutes for shift in self.shifts)

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
            legs = times.arrival - [times.leave, *times.departure[:-1]]
            stops = tuple(
                Stop(
                    place=place,
                    name=problem.place_names[place],
                    arrival_minutes=float(times.arrival[k]),
                    departure_minutes=float(times.departure[k]),
                    driving_minutes=float(legs[k]),
                )
                for k, place in enumerate(route.places)
            )
            vehicle = sum(1 for shift in shifts if shift.day == day)
            shifts.append(
                VehicleDay(
                    day, vehicle, route.depot, times.leave, times.back, times.driving_minutes, stops
                )
            )
    return RoundsPlan(tuple(shifts), tuple(patterns), tuple(vehicles_lower_bound))
