"""An independent check of a rounds plan against its problem's data, sharing no code with the
engine: every place visited on one of its allowed patterns, visits within windows, shifts
within their length and the depot's hours, loads within capacity, the fleet per day, and every
time consistent with the travel matrix. Returns the plan's driving total, recomputed."""

from __future__ import annotations

import math

from optimizer.rounds import RoundsPlan, RoundsProblem

EPS = 1e-6


def check_rounds(problem: RoundsProblem, plan: RoundsPlan) -> float:
    """Assert ``plan`` keeps every rule of ``problem``; return its driving minutes."""
    t = problem.travel_minutes
    days_visited: dict[int, list[int]] = {p: [] for p in range(problem.n_places)}
    per_day_depot: dict[tuple[int, int], int] = {}
    total = 0.0
    for shift in plan.shifts:
        key = (shift.day, shift.depot)
        per_day_depot[key] = per_day_depot.get(key, 0) + 1
        home = problem.depots[shift.depot]
        clock, here, driving, load = shift.leave_minutes, home, 0.0, 0
        assert shift.leave_minutes >= -EPS
        for stop in shift.stops:
            place = stop.place
            there = int(problem.place_location[place])
            leg = float(t[here, there])
            assert math.isclose(stop.driving_minutes, leg, abs_tol=1e-6)
            assert math.isclose(stop.arrival_minutes, clock + leg, abs_tol=1e-6)
            begin = max(stop.arrival_minutes, float(problem.window_open_minutes[place]))
            assert begin <= problem.window_close_minutes[place] + EPS, "visit after its window"
            end = begin + float(problem.stop_minutes[place])
            assert math.isclose(stop.departure_minutes, end, abs_tol=1e-6)
            days_visited[place].append(shift.day)
            clock, here, driving = end, there, driving + leg
            load += int(problem.demand[place])
        back = clock + float(t[here, home])
        driving += float(t[here, home])
        assert math.isclose(shift.back_minutes, back, abs_tol=1e-6)
        assert math.isclose(shift.driving_minutes, driving, abs_tol=1e-6)
        assert back <= problem.depot_close_minutes + EPS, "back after the depot closes"
        if problem.shift_minutes is not None:
            assert back - shift.leave_minutes <= problem.shift_minutes + EPS, "shift too long"
        if problem.capacity is not None:
            assert load <= problem.capacity, "over capacity"
        total += driving
    if problem.vehicles_per_day is not None:
        assert max(per_day_depot.values()) <= problem.vehicles_per_day, "fleet exceeded"
    for place, days in days_visited.items():
        mask = sum(1 << (problem.period_days - 1 - d) for d in days)
        assert len(days) == len(set(days)), f"place {place} visited twice on a day"
        assert mask in problem.patterns[place], f"place {place} on days {days}: not a pattern"
    return total
