"""An independent check of a rounds plan against its problem's data, sharing no code with the
engine: every place visited on one of its allowed patterns, visits within windows, shifts
within their length (breaks included) and the depot's hours, the crew's breaks (each
``break_minutes`` long, no stretch of work longer than ``max_minutes_before_break``), loads
within capacity, the vehicles per depot and day, the plan's fleet (the most vehicles out on
one day), and every time consistent with the travel matrix. Returns the plan's driving total,
recomputed."""

from __future__ import annotations

import math

from optimizer.rounds import RoundsPlan, RoundsProblem, VehicleDay

EPS = 1e-6


def _breaks_in(shift: VehicleDay, begin: float, end: float) -> int:
    """Breaks of ``shift`` starting in [begin, end)."""
    return sum(1 for start in shift.breaks if begin - EPS <= start < end - EPS)


def _check_breaks(problem: RoundsProblem, shift: VehicleDay) -> None:
    rule = problem.break_minutes > 0 and math.isfinite(problem.max_minutes_before_break)
    if not rule:
        assert not shift.breaks, "a break without a break rule"
        return
    pause, stretch = problem.break_minutes, problem.max_minutes_before_break
    worked_from = shift.leave_minutes
    for start in shift.breaks:
        assert start >= worked_from - EPS, "breaks overlap or start before the shift"
        assert start - worked_from <= stretch + EPS, "worked too long before a break"
        worked_from = start + pause
    assert shift.back_minutes >= worked_from - EPS, "a break after the shift"
    assert shift.back_minutes - worked_from <= stretch + EPS, "worked too long after a break"


def check_rounds(problem: RoundsProblem, plan: RoundsPlan) -> float:
    """Assert ``plan`` keeps every rule of ``problem``; return its driving minutes."""
    t = problem.travel_minutes
    pause = problem.break_minutes
    days_visited: dict[int, list[int]] = {p: [] for p in range(problem.n_places)}
    per_day_depot: dict[tuple[int, int], int] = {}
    total = 0.0
    for shift in plan.shifts:
        key = (shift.day, shift.depot)
        per_day_depot[key] = per_day_depot.get(key, 0) + 1
        home = problem.depots[shift.depot]
        clock, here, driving, load = shift.leave_minutes, home, 0.0, 0
        assert shift.leave_minutes >= -EPS
        _check_breaks(problem, shift)
        for stop in shift.stops:
            place = stop.place
            there = int(problem.place_location[place])
            leg = float(t[here, there])
            assert math.isclose(stop.driving_minutes, leg, abs_tol=1e-6)
            rests = _breaks_in(shift, clock, stop.arrival_minutes)
            assert math.isclose(stop.arrival_minutes, clock + leg + rests * pause, abs_tol=1e-6)
            begin = stop.start_minutes
            assert begin >= float(problem.window_open_minutes[place]) - EPS, "before its window"
            rests = _breaks_in(shift, stop.arrival_minutes, begin)
            assert begin >= stop.arrival_minutes + rests * pause - EPS, "starts before arriving"
            assert begin <= problem.window_close_minutes[place] + EPS, "visit after its window"
            rests = _breaks_in(shift, begin, stop.departure_minutes)
            end = begin + float(problem.stop_minutes[place]) + rests * pause
            assert math.isclose(stop.departure_minutes, end, abs_tol=1e-6)
            days_visited[place].append(shift.day)
            clock, here, driving = end, there, driving + leg
            load += int(problem.demand[place])
        rests = _breaks_in(shift, clock, shift.back_minutes + 2 * EPS)
        back = clock + float(t[here, home]) + rests * pause
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
    per_day = [0] * problem.period_days
    for (day, _), count in per_day_depot.items():
        per_day[day] += count
    assert plan.fleet == max(per_day), "the fleet is not the most vehicles out on one day"
    for place, days in days_visited.items():
        mask = sum(1 << (problem.period_days - 1 - d) for d in days)
        assert len(days) == len(set(days)), f"place {place} visited twice on a day"
        assert mask in problem.patterns[place], f"place {place} on days {days}: not a pattern"
    return total
