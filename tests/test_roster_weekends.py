"""The weekend plan that guides the column-generation construction where weekends are short
(``optimizer.roster.weekends``), on Curtois–Qu Instance17 (32 staff, 8 weeks, whose
weekend demand exceeds what the staff's weekend limits allow)."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns, weekends
from optimizer.roster.columns import (
    PRICING_THREADS,
    _construct,
    column_generation,
    person_pricing,
)
from optimizer.roster.engine import solve_roster
from optimizer.roster.master import Master
from optimizer.roster.plan import roster_tables
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftRequest, ShiftType
from optimizer.roster.settings import RosterSettings
from optimizer.solve import SolverLimits
from tests.test_roster_checker import LOOSE_GAP, curtois_objective, hard_rule_violations

DATA = Path(__file__).parent / "data" / "roster"
SATURDAY, SUNDAY = 5, 6


def _instance17() -> tuple[RosterProblem, Master]:
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    return problem, Master(problem, settings, time.perf_counter() + 60)


def _weekend_cost(problem: RosterProblem, worked: set[tuple[int, int]]) -> int:
    """The weekend days' cover cost (Curtois weights: 100 a staff-shift short, 1 over) and
    shift-request cost (request weight 1) of the (employee, row) duties ``worked``."""
    staffed = Counter(r for _, r in worked)
    cost = 0
    for r, row in enumerate(problem.requirements):
        if row.day.weekday() in (SATURDAY, SUNDAY):
            short = max(row.staff_needed - staffed[r], 0)
            cost += 100 * short + max(staffed[r] - row.staff_needed, 0)
    row_of = {(row.day, row.shift_id): r for r, row in enumerate(problem.requirements)}
    for e, employee in enumerate(problem.employees):
        for request in employee.requests:
            if request.shift_id is None or request.day.weekday() not in (SATURDAY, SUNDAY):
                continue
            on = (e, row_of[request.day, request.shift_id]) in worked
            cost += request.weight * (on != request.wanted)
    return cost


def _found(
    problem: RosterProblem, settings: RosterSettings, master: Master
) -> weekends.WeekendPlan:
    """The weekend plan's MIP on ``problem`` at ``master``'s weights, given 30 s."""
    found = weekends.weekend_plan(
        problem, settings, master.under, master.over, time.perf_counter() + 30
    )
    assert found is not None
    return found


def _plan(problem: RosterProblem, master: Master) -> np.ndarray:
    """The weekend plan's rows, found within 30 s."""
    rows = _found(problem, curtois_settings(), master).rows
    assert rows is not None
    return rows


def test_weekends_bind_where_their_count_cannot_cover_weekend_demand() -> None:
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    assert weekends.binds(problem, settings)
    unlimited = tuple(replace(employee, max_weekends=None) for employee in problem.employees)
    assert not weekends.binds(replace(problem, employees=unlimited), settings)
    on_call = (replace(problem.requirements[0], reserve_needed=1), *problem.requirements[1:])
    assert not weekends.binds(replace(problem, requirements=on_call), settings)


def test_the_weekend_plan_keeps_every_weekend_rule_and_beats_any_rosters_weekends() -> None:
    """Checked from the plan alone: weekdays free; one row a day, of the right day, that
    the employee may staff, on a day they are available; no forbidden Saturday → Sunday
    succession; weekend and per-type limits kept. Its weekend cost (cover and shift requests,
    recomputed here) is within ``PLAN_GAP`` of a relaxation's optimum, so no whole roster's
    weekends cost less by more than that (the construction's roster here)."""
    problem, master = _instance17()
    settings = curtois_settings()
    plan = _plan(problem, master)
    dates = problem.dates
    shifts: dict[str, ShiftType] = {shift.shift_id: shift for shift in problem.shift_types}
    planned: set[tuple[int, int]] = set()
    for e, employee in enumerate(problem.employees):
        worked_weekends, types = set(), Counter()
        for d, r in enumerate(plan[e]):
            if dates[d].weekday() not in (SATURDAY, SUNDAY):
                assert r == weekends.FREE
                continue
            if r < 0:
                continue
            row = problem.requirements[r]
            assert row.day == dates[d] and dates[d] not in employee.unavailable
            assert employee.max_shifts.get(row.shift_id, 1) > 0
            planned.add((e, int(r)))
            types[row.shift_id] += 1
            worked_weekends.add(d + SUNDAY - dates[d].weekday())
            if dates[d].weekday() == SATURDAY and d + 1 < len(dates) and plan[e, d + 1] >= 0:
                sunday = problem.requirements[plan[e, d + 1]].shift_id
                assert sunday not in shifts[row.shift_id].forbidden_next
        assert employee.max_weekends is None or len(worked_weekends) <= employee.max_weekends
        assert all(count <= employee.max_shifts.get(t, count) for t, count in types.items())
    plan_cost = _weekend_cost(problem, planned)
    pricing = person_pricing(problem, settings, master)
    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        now = time.perf_counter()
        chosen = _construct(master, pricing, pool, now + 10, now + 20)
    rostered = {(e, int(r)) for e, column in chosen.items() for r in master.columns[column][1]}
    roster_cost = _weekend_cost(problem, {(e, r) for e, r in rostered if r >= 0})
    assert 0 < plan_cost * (1 - weekends.PLAN_GAP) <= roster_cost


def test_the_construction_follows_the_weekend_plan_it_is_guided_by() -> None:
    """Guided by the plan (``weekends.guides``), the construction's rosters agree with it
    on more weekend days than unguided."""
    problem, master = _instance17()
    settings = curtois_settings()
    plan = _plan(problem, master)
    agreed = []
    for guided in (False, True):
        master = Master(problem, settings, time.perf_counter() + 60)
        pricing = person_pricing(problem, settings, master)
        guides = weekends.guides(problem, plan, [p.rows for p in pricing], master.under)
        assert set(guides) == set(range(len(problem.employees)))
        with ThreadPoolExecutor(PRICING_THREADS) as pool:
            now = time.perf_counter()
            chosen = _construct(
                master, pricing, pool, now + 30, now, guides=guides if guided else None
            )
        rosters = np.array([master.columns[chosen[e]][1] for e in range(len(plan))])
        weekend = plan != weekends.FREE
        agreed.append(int((rosters[weekend] == plan[weekend]).sum()))
    assert agreed[1] > agreed[0]


def test_no_weekend_plan_is_begun_without_the_time_its_choices_need() -> None:
    problem, master = _instance17()
    settings = curtois_settings()
    began = time.perf_counter()
    plan = weekends.weekend_plan(problem, settings, master.under, master.over, began + 0.05)
    assert plan is None
    assert time.perf_counter() - began < 1.0


def _weekday_over_cover(problem: RosterProblem, worked: set[tuple[int, int]]) -> int:
    """The weekdays' over-cover cost (Curtois weight 1 a staff-shift) of the (employee, row)
    duties ``worked``."""
    staffed = Counter(r for _, r in worked)
    return sum(
        max(staffed[r] - row.staff_needed, 0)
        for r, row in enumerate(problem.requirements)
        if row.day.weekday() < SATURDAY
    )


def test_column_generation_from_its_construction_is_guided_where_weekends_are_short() -> None:
    """Where the construction's roster is the likely start (``wider``), column generation
    plans the weekends first and says so; every hard rule of its roster holds. The plan's
    bound is the roster's bound, and it holds part by part, recomputed from the roster: its
    weekend days cost at least the MIP's share, its weekdays are over-staffed at least as
    the contracts force (Instance17's employees must work more than the weekday demand and
    what their weekends can hold), and the whole is below the best known (5,746)."""
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    start = column_generation(
        problem, settings, deadline=time.perf_counter() + 8, relative_gap=LOOSE_GAP, wider=True
    )
    assert any(
        note.startswith("the construction was guided by a weekend plan") for note in start.notes
    )
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    _, master = _instance17()
    found = _found(problem, settings, master)
    forced = weekends._weekday_over_cover(problem, settings, master.over)
    worked = {(e, r) for e, r, _ in start.duties}
    assert 0 < forced <= _weekday_over_cover(problem, worked)
    assert 0 < found.bound - forced <= _weekend_cost(problem, worked)
    assert start.bound >= found.bound
    assert found.bound <= 5746 <= start.objective == curtois_objective(problem, roster.assignments)


@pytest.mark.parametrize(("instance", "optimum"), [(1, 607), (2, 828)])
def test_the_weekend_plans_bound_is_below_the_published_optimum(
    instance: int, optimum: int
) -> None:
    problem, settings = read_curtois(DATA / f"Instance{instance}.txt"), curtois_settings()
    found = _found(problem, settings, Master(problem, settings, time.perf_counter() + 60))
    assert 0 < found.bound <= optimum


def test_a_weekend_row_without_demand_counts_in_the_bound() -> None:
    """Working a row nobody needs can still pay: one employee, a Saturday row needing no
    one (1 a staff-shift over) with a shift-on request for it (3), and a Sunday row needing
    them. The best roster works both days (cost 1, proven by CP-SAT); the plan's bound must
    not exceed that, as it would if the plan could not work Saturday's row and counted the
    request as unmet (3)."""
    saturday = date(2026, 1, 3)
    problem = RosterProblem(
        start_date=saturday,
        horizon_days=2,
        shift_types=(ShiftType("D", 480),),
        employees=(
            Employee("A", contract_period_days=2, requests=(ShiftRequest(saturday, "D", True, 3),)),
        ),
        requirements=tuple(
            Requirement(
                "s", saturday + timedelta(days=d), "D", "", d, under_weight=100, over_weight=1
            )
            for d in range(2)
        ),
    )
    settings = replace(curtois_settings(), neighbourhood_search=False)
    _, report = solve_roster(problem, settings, SolverLimits(time_limit_seconds=10))
    assert report.status == "optimal" and report.objective == 1
    found = _found(problem, settings, Master(problem, settings, time.perf_counter() + 60))
    assert found.rows is not None
    assert found.bound == 1
    assert found.rows[0].tolist() == [0, 1]


def test_where_no_plan_guides_the_construction_the_plans_mip_still_bounds_the_objective(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Column generation's start on Instance17 without ``wider`` is not guided, but the
    plan's MIP is solved for its bound alone: its note names that bound, the reported bound
    is at least it, and both are below the published optimum (5,746). (Half the time left
    after the construction, not a tenth, so that a busy machine still fits the MIP.)"""
    monkeypatch.setattr(columns, "WEEKEND_BOUND_SHARE", 0.5)
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    _, master = _instance17()
    alone = weekends.weekend_bound(
        problem, settings, master.under, master.over, time.perf_counter() + 30
    )
    assert alone == _found(problem, settings, master).bound == 5692
    start = column_generation(
        problem, settings, deadline=time.perf_counter() + 8, relative_gap=LOOSE_GAP
    )
    assert not any(note.startswith("the construction was guided") for note in start.notes)
    named = f"bound {alone:,.0f} from the weekend plan", f"the weekend plan: {alone:,.0f}"
    assert start.notes[-1].startswith(named[0]) or named[1] in start.notes[-1]
    assert alone <= start.bound <= 5746


def test_no_weekend_bound_is_begun_without_the_time_its_choices_need() -> None:
    problem, master = _instance17()
    began = time.perf_counter()
    bound = weekends.weekend_bound(
        problem, curtois_settings(), master.under, master.over, began + 0.001
    )
    assert bound is None
    assert time.perf_counter() - began < 1.0


def _least_beyond_needed_minutes(problem: RosterProblem) -> int:
    """The staff's least contract minutes beyond the minutes all demand needs, recounted from
    the instance: every roster works at least that many minutes on rows beyond their need."""
    length = {shift.shift_id: shift.length_minutes for shift in problem.shift_types}
    least = sum(
        minimum
        for employee in problem.employees
        for _, _, minimum in employee.contract_periods(problem.horizon_days)
    )
    return least - sum(row.staff_needed * length[row.shift_id] for row in problem.requirements)


def test_the_weekend_bound_counts_all_the_over_cover_the_contracts_force() -> None:
    """Instance19's staff must work 8,880 minutes beyond all its demand, at most 600 a
    staff-shift: at least 15 staff-shifts over (Curtois weight 1 each) in every roster,
    where the weekdays alone, beside what the weekends could hold, force none. The weekend
    bound then prices the weekend days' over-cover at 0 and adds the whole over-cover's
    bound instead: higher than before, and still below the published optimum (3,149)."""
    problem, settings = read_curtois(DATA / "Instance19.txt"), curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 60)
    pricing = person_pricing(problem, settings, master, None)
    forced = columns.StaffShiftCount(problem, master, pricing).forced_over()
    longest = max(shift.length_minutes for shift in problem.shift_types)
    assert forced >= -(-_least_beyond_needed_minutes(problem) // longest) > 0
    assert weekends._weekday_over_cover(problem, settings, master.over) == 0
    assert weekends.bound_rises(problem, settings, master.over, forced)
    deadline = time.perf_counter() + 30
    before = weekends.weekend_bound(problem, settings, master.under, master.over, deadline)
    after = weekends.weekend_bound(problem, settings, master.under, master.over, deadline, forced)
    assert before is not None and after is not None
    assert before < after <= 3149
    assert not weekends.bound_rises(problem, settings, master.over, 0.0)
    assert weekends.weekend_bound(problem, settings, master.under, master.over, deadline, 0.0) == (
        before
    )
