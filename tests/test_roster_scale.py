"""Rosters of larger instances (Curtois–Qu Instance17, copied into tests/data/roster: 8 weeks,
32 staff, 4 shift types; Instance20 from ../shared/data: 26 weeks, 50 staff, 6 shift types):
the pricing program's bands, the construction, the bound, the start roster kept when CP-SAT's
model does not fit the time, and the time limit kept; each roster checked independently."""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois, solve_curtois_instance
from optimizer.roster import columns, engine, windows
from optimizer.roster.master import Master
from optimizer.roster.plan import roster_tables
from optimizer.roster.pricing import UNREACHABLE, _most_shifts, best_roster
from optimizer.roster.problem import (
    Employee,
    Requirement,
    RosterProblem,
    ShiftRequest,
    ShiftType,
)
from optimizer.roster.settings import RosterSettings
from optimizer.solve import SolverLimits
from tests.test_roster_checker import (
    DATA,
    LOOSE_GAP,
    curtois_objective,
    hard_rule_violations,
    synthetic_problem,
)

INSTANCE = DATA / "Instance17.txt"
BEST_KNOWN = 5746


def test_banded_pricing_keeps_every_rule_and_never_beats_the_exact_program() -> None:
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    rng = np.random.default_rng(3)
    for employee in columns.employee_pricing(problem, settings)[::4]:
        rules = employee.loose
        banded = rules.fitted(rules.states() * problem.horizon_days // 20)
        assert not banded.exact and rules.exact
        gains = rng.integers(-20, 100, size=(problem.horizon_days, len(employee.types)))
        off = np.zeros(problem.horizon_days)
        exact = best_roster(rules, gains.astype(float), off)
        found = best_roster(banded, gains.astype(float), off)
        assert exact is not None and found is not None
        assert found[1] <= exact[1] + 1e-9
        relaxed = best_roster(rules.relaxed(), gains.astype(float), off)
        assert relaxed is not None and relaxed[1] >= exact[1] - 1e-9


@pytest.mark.parametrize(("max_consecutive", "min_days_off"), [(3, 2), (2, 1), (5, 3)])
def test_the_most_shifts_the_stretch_limits_allow_match_enumeration(
    max_consecutive: int, min_days_off: int
) -> None:
    """Every work/off pattern of 10 days, from any stretch before it: no more than
    ``max_consecutive`` days worked in a row, and at least ``min_days_off`` off between two
    work stretches (an off stretch at either end may be shorter); with every day open, and
    with three days closed."""
    days = 10

    def allowed(pattern: tuple[int, ...]) -> bool:
        runs = [(v, len(list(g))) for v, g in itertools.groupby(pattern)]
        inner = runs[1:-1]
        return all(n <= max_consecutive for v, n in runs if v) and all(
            n >= min_days_off for v, n in inner if not v
        )

    def most(length: int, closed: set[int] = frozenset()) -> int:
        patterns = itertools.product((0, 1), repeat=length)
        return max(
            sum(p)
            for p in patterns
            if allowed(p) and not any(p[d] for d in closed if 0 <= d < length)
        )

    before, after = _most_shifts(np.ones(days, dtype=bool), max_consecutive, min_days_off)
    assert list(before) == [most(d + 1) for d in range(days)]
    assert list(after) == [most(days - 1 - d) for d in range(days)]
    closed = {2, 3, 7}  # and on days the employee may not work
    shut = np.array([d not in closed for d in range(days)])
    before, after = _most_shifts(shut, max_consecutive, min_days_off)
    assert list(before) == [most(d + 1, closed) for d in range(days)]
    assert list(after) == [most(days - 1 - d, {c - d - 1 for c in closed}) for d in range(days)]


def test_the_minutes_window_drops_no_roster() -> None:
    """The exact program keeps only the minutes a roster can still hold after each day, on
    the days the employee may work: Instance17's windows are at most 8 units wide where 0 to
    the most is 37. The best roster is the same as with every value kept, and that program's
    best rosters all lie in the window."""
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    rng = np.random.default_rng(5)
    for employee in columns.employee_pricing(problem, settings)[::4]:
        rules = employee.loose
        low, high, width = rules.minutes_window
        everything = replace(rules)
        days = problem.horizon_days
        everything.__dict__["minutes_window"] = (
            np.zeros(days, dtype=np.int64),
            rules.max_units.copy(),
            int(rules.max_units.max()) + 1,
        )
        assert rules.exact and width <= 8 < everything.widths()[0] == 37
        for _ in range(4):
            gains = rng.normal(size=(days, len(employee.types))) * 10
            gains[~rules.open_days] = UNREACHABLE
            off = rng.normal(size=days)
            found, full = best_roster(rules, gains, off), best_roster(everything, gains, off)
            assert found is not None and full is not None
            assert found[1] == pytest.approx(full[1])
            units = np.cumsum(np.where(full[0] >= 0, rules.units[full[0]], 0))
            inside = (low <= units) & (units <= high)
            assert inside[~rules.period_last].all()


def test_banded_column_generation_gives_a_valid_roster_and_bound(band_programs) -> None:
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    band_programs(200_000)
    deadline = time.perf_counter() + 4
    start = columns.column_generation(problem, settings, deadline=deadline, relative_gap=LOOSE_GAP)
    # banded programs: the bound's note never says the program was priced on every rule
    assert start.notes[-1].startswith("bound ")
    assert "priced on every rule" not in start.notes[-1]
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(start.objective)
    assert start.bound is not None and start.bound <= BEST_KNOWN <= start.objective


def test_start_roster_is_the_result_when_the_model_does_not_fit(monkeypatch) -> None:
    """No search follows column generation when the model does not fit and windowed
    neighbourhoods do not apply (``test_roster_windows`` has the windowed path)."""
    monkeypatch.setattr(engine, "MODEL_CHOICES_PER_SECOND", 1)
    monkeypatch.setattr(windows, "applies", lambda *_, **__: ["as if a goal spanned them"])
    limits = SolverLimits(time_limit_seconds=5, relative_gap=LOOSE_GAP)
    problem, roster, report = solve_curtois_instance(INSTANCE, limits)
    settings = curtois_settings()
    assert report.solver == "column generation" and report.seconds < 6
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == report.objective
    assert report.bound is not None and report.bound <= BEST_KNOWN <= report.objective


@pytest.mark.parametrize(
    ("choices_per_second", "windowed", "share"),
    [(None, True, engine.START_SHARE), (1, True, engine.HAND_OVER_SHARE), (1, False, 1.0)],
)
def test_column_generation_gets_the_whole_limit_when_its_roster_is_the_result(
    monkeypatch: pytest.MonkeyPatch, choices_per_second: int | None, windowed: bool, share: float
) -> None:
    """Column generation ends by ``START_SHARE`` of the limit when CP-SAT's search follows it
    (Instance1, 10 s: its model fits the time after it), and by ``HAND_OVER_SHARE``
    when the model does not fit (as if CP-SAT built 1 choice a second) and the windowed
    neighbourhoods follow. When neither would run (windows do not apply either) it ends at
    the limit itself: its roster is then the result. Its construction prices with wider
    programs whenever the whole model will not be searched."""
    if choices_per_second is not None:
        monkeypatch.setattr(engine, "MODEL_CHOICES_PER_SECOND", choices_per_second)
    if not windowed:
        monkeypatch.setattr(windows, "applies", lambda *_, **__: ["as if a goal spanned them"])
    calls = _recorded_column_generation(monkeypatch)
    started = time.perf_counter()
    limits = SolverLimits(time_limit_seconds=10, relative_gap=LOOSE_GAP)
    solve_curtois_instance(DATA / "Instance1.txt", limits)
    (call,) = calls
    assert call["deadline"] - started == pytest.approx(10 * share, abs=0.2)
    # only column generation whose roster a search improves afterwards may end early; the
    # construction prices with wider programs when the whole model will not be searched
    assert [call["hand_over"]] == [share < 1.0]
    assert [call["wider"]] == [choices_per_second is not None]
    assert call["hand_over_by"] is None  # Instance1 is priced exactly: windows do not lead


def _recorded_column_generation(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The keyword arguments of each call of ``columns.column_generation`` from now on."""
    calls: list[dict] = []
    generate = columns.column_generation

    def recorded(*args, **kwargs):
        calls.append(kwargs)
        return generate(*args, **kwargs)

    monkeypatch.setattr(columns, "column_generation", recorded)
    return calls


@pytest.mark.parametrize("least_resolves", [10, 1])
def test_windowed_neighbourhoods_lead_where_banded_pricing_meets_a_slow_whole_model(
    monkeypatch: pytest.MonkeyPatch, band_programs, least_resolves: int
) -> None:
    """Instance17 priced exactly: CP-SAT's whole model follows column generation whatever the
    limit. Made banded (its re-solves take 1.4 s), at 5 s (its model taken to build twice
    as fast as estimated, so that it fits the 5 % after the start as at 10 s): when fewer
    than ``LEAST_RESOLVES`` of them fit a quarter of the limit (``WINDOWS_SHARE``), column
    generation ends at 75 % and windowed neighbourhoods search the rest. When fewer fit the
    half they would get as leaders (10 of them), windows also lead, and the whole model is
    not built whatever time column generation leaves: the construction (with
    its own programs, not wider ones) and the passes after a stalled first linear program
    are held to ``HAND_OVER_SHARE`` of the limit (``hand_over_by``); with 1 they do not.
    The report says why, and the roster keeps every rule with its objective exact."""
    monkeypatch.setattr(engine, "LEAST_RESOLVES", least_resolves)
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    resolve = engine._resolve_seconds(len(problem.employees) * len(problem.requirements))
    enough = least_resolves * resolve / (1 - engine.LEAD_SHARE)
    assert columns.priced_exactly(problem, settings)
    assert engine._windows_share(problem, settings, enough / 4) == 0
    band_programs(100_000)
    assert not columns.priced_exactly(problem, settings)
    lead = 1 - engine.LEAD_SHARE
    assert engine._windows_share(problem, settings, enough * 0.9) == lead
    assert engine._windows_share(problem, settings, enough * 1.1) == engine.WINDOWS_SHARE
    assert engine._windows_share(problem, settings, enough * 2.1) == 0
    limit = 5
    leads = least_resolves * resolve > limit * (1 - engine.LEAD_SHARE)
    assert least_resolves * resolve > limit * engine.WINDOWS_SHARE
    monkeypatch.setattr(engine, "MODEL_CHOICES_PER_SECOND", 2 * engine.MODEL_CHOICES_PER_SECOND)
    assert engine._model_fits(problem, (1 - engine.START_SHARE) * limit)
    calls = _recorded_column_generation(monkeypatch)
    started = time.perf_counter()
    _, roster, report = solve_curtois_instance(INSTANCE, SolverLimits(time_limit_seconds=limit))
    (call,) = calls
    given = limit * (1 - engine.WINDOWS_SHARE)
    assert call["deadline"] - started == pytest.approx(given, abs=0.3)
    if leads:
        by = limit * engine.HAND_OVER_SHARE
        assert call["hand_over_by"] - started == pytest.approx(by, abs=0.3)
    else:
        assert call["hand_over_by"] is None
    assert [call["wider"]] == [False]
    led = [n for n in report.notes if "they lead, so its construction was timed" in n]
    assert len(led) == leads
    lead_note = "the CP-SAT model was not built: windowed neighbourhoods lead"
    assert sum(note.startswith(lead_note) for note in report.notes) == leads
    assert any(note.startswith("column generation was given 75%") for note in report.notes)
    assert report.solver == "column generation, then windowed neighbourhoods"
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == report.objective


def _starving(step_ends: list[float]):
    """A ``columns._generate`` that runs out of every dive step's time (as on Curtois–Qu 19
    and 20), recording when each step ended in ``step_ends``."""

    def starving(master, pricing, chosen, deadline, pool, unless_within=-np.inf):
        values = master.solve()[2]
        if master.lp.getObjectiveValue() <= unless_within + 1e-6:
            return values  # the fixing left the program's optimum: nothing to generate
        time.sleep(max(deadline - time.perf_counter(), 0.0) + 0.001)
        step_ends.append(time.perf_counter())
        return values

    return starving


def _one_at_a_time(master, values, chosen, fewest):
    """A ``columns._settle`` that fixes one employee a step, as on a fractional linear
    program, to a roster it does not choose (so the program moves)."""
    open_employees = [e for e in range(master.employees) if e not in chosen]
    everyone = fewest == len(open_employees)
    fixed = open_employees if everyone else open_employees[: min(fewest, 1)]
    return {e: min(master.columns_of[e], key=lambda j: values[j]) for e in fixed}


def _first_program(problem, settings, pool):
    """``problem``'s master after the construction and the first linear program, with the
    pricing."""
    pricing = columns.employee_pricing(problem, settings)
    master = Master(problem, settings, time.perf_counter() + 30)
    now = time.perf_counter()
    columns._construct(master, pricing, pool, now + 5, now + 5)
    columns._generate(master, pricing, {}, time.perf_counter() + 20, pool)
    return master, pricing


@pytest.mark.parametrize("hand_over", [True, False])
def test_a_starved_dive_leaves_half_its_time_to_the_search_after_it(
    monkeypatch: pytest.MonkeyPatch, hand_over: bool
) -> None:
    """Every fixing step (one employee each) is made to run out of its time. When a search
    follows, the dive's deadline moves halfway to it after the first ``STARVED_STEPS``
    steps; otherwise it stays. Everyone gets a roster."""
    problem, settings = read_curtois(DATA / "Instance2.txt"), curtois_settings()
    step_ends: list[float] = []
    with ThreadPoolExecutor(2) as pool:
        master, pricing = _first_program(problem, settings, pool)
        monkeypatch.setattr(columns, "_generate", _starving(step_ends))
        monkeypatch.setattr(columns, "_settle", _one_at_a_time)
        monkeypatch.setattr(columns, "_pin", lambda *args: {})
        given = time.perf_counter() + 2
        chosen, deadline = columns._dive(master, pricing, {}, given, pool, hand_over=hand_over)
    assert len(chosen) == len(problem.employees)
    assert len(step_ends) > columns.STARVED_STEPS
    if hand_over:
        third = step_ends[columns.STARVED_STEPS - 1]
        assert deadline == pytest.approx(third + (given - third) / 2, abs=0.05)
    else:
        assert deadline == given


def test_a_starved_whole_roster_dive_is_abandoned_for_the_pinned_dives_roster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Instance2's pinned dive gives a roster; the whole-roster dive after it is made to run
    out of every step's time. It is abandoned after ``STARVED_STEPS`` steps, well before its
    deadline, the note says so, and the master holds the pinned dive's roster again: its
    linear program's value is that roster's."""
    problem, settings = read_curtois(DATA / "Instance2.txt"), curtois_settings()
    step_ends: list[float] = []
    notes: list[str] = []
    with ThreadPoolExecutor(2) as pool:
        master, pricing = _first_program(problem, settings, pool)
        first = len(master.columns)
        pinned, _ = columns._dive(master, pricing, {}, time.perf_counter() + 10, pool)
        monkeypatch.setattr(columns, "_generate", _starving(step_ends))
        monkeypatch.setattr(columns, "_settle", _one_at_a_time)
        started = time.perf_counter()
        deadline = started + 3
        chosen = columns._dive_whole(master, pricing, pinned, first, deadline, pool, notes)
    assert chosen == pinned
    assert len(step_ends) == columns.STARVED_STEPS
    assert time.perf_counter() < deadline
    assert len(notes) == 1 and "whole-roster dive" in notes[0] and "abandoned" in notes[0]
    master.solve()
    assert master.lp.getObjectiveValue() == pytest.approx(master.value(pinned))


def test_every_program_is_exact_when_column_generations_time_affords_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Instance19 (12 weeks, 40 staff, 3 shift types): its exact pricing programs sum to
    more than ``ROUND_BUDGET``, so some are banded at their share. Given the time their sum
    needs at ``EXACT_PER_MINUTE`` every one is exact; a second less keeps the bands, and so
    does one program larger than ``EXACT_MOST``. At the same prices an exact program's best
    roster is never worse than the banded one's."""
    problem, settings = read_curtois(DATA / "Instance19.txt"), curtois_settings()
    banded = columns.employee_pricing(problem, settings)
    sizes = [employee.rules.exact_size for employee in banded]
    assert sum(sizes) > columns.ROUND_BUDGET
    needed = 60 * sum(sizes) / columns.EXACT_PER_MINUTE
    short = columns.employee_pricing(problem, settings, seconds=needed - 1)
    exact = columns.employee_pricing(problem, settings, seconds=needed + 0.01)
    assert [p.exact for p in short] == [p.exact for p in banded]
    assert not all(p.exact for p in banded)
    assert all(p.exact for p in exact)
    assert not columns.priced_exactly(problem, settings)
    monkeypatch.setattr(columns, "EXACT_MOST", max(sizes) - 1)  # one program too large
    capped = columns.employee_pricing(problem, settings, seconds=needed + 0.01)
    assert [p.exact for p in capped] == [p.exact for p in banded]
    smallest = min((e for e, p in enumerate(banded) if not p.exact), key=sizes.__getitem__)
    shape = (problem.horizon_days, len(banded[smallest].types))
    gains = np.random.default_rng(5).integers(-20, 100, shape).astype(float)
    off = np.zeros(problem.horizon_days)
    narrow = best_roster(banded[smallest].loose, gains, off)
    best = best_roster(exact[smallest].loose, gains, off)
    assert narrow is not None and best is not None
    assert narrow[1] <= best[1] + 1e-9


def test_a_large_instance_keeps_a_short_time_limit(shared_data: Path) -> None:
    """Instance20 with a 6 s limit: the construction's first pass falls back to the quicker
    pricing once its pace would overrun, and the run ends within a few seconds of the limit
    (its construction alone took 11.4 s before, at load 5; 6.0-6.4 s beside a busy core)."""
    path = shared_data / "benchmarks/shift-scheduling/curtois-qu-instances17_24/Instance20.txt"
    problem, settings = read_curtois(path), curtois_settings()
    started = time.perf_counter()
    _, roster, report = solve_curtois_instance(path, SolverLimits(time_limit_seconds=6))
    assert time.perf_counter() - started < 6 + 3
    assert report.has_solution and report.bound is not None
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == report.objective


def _weekend_short(problem: RosterProblem) -> int:
    """Staff needed on Saturdays and Sundays beyond what the employees' weekend limits allow:
    two days on each weekend they may work, on weekend days they are not unavailable."""
    weekend_days = [day for day in problem.dates if day.weekday() >= 5]
    needed = sum(row.staff_needed for row in problem.requirements if row.day.weekday() >= 5)
    allowed = 0
    for employee in problem.employees:
        open_days = sum(day not in employee.unavailable for day in weekend_days)
        limit = employee.max_weekends
        allowed += open_days if limit is None else min(open_days, 2 * limit)
    return max(needed - allowed, 0)


def test_counting_staff_shifts_bounds_the_cover_cost() -> None:
    """Instance17's 32 employees must work at least 1,116 shifts (least minutes // longest
    shift each) on rows needing 1,088 staff-shifts in all: at least 28 surplus shifts at
    over-cover weight 1; and their weekend limits leave weekend staff-shifts short, each at
    under-cover weight 100 and each one more surplus shift on another row."""
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    short = _weekend_short(problem)
    pricing = columns.employee_pricing(problem, settings)
    master = Master(problem, settings, deadline=time.perf_counter())
    assert short > 0
    bound = columns.capacity_bound(problem, master, pricing)
    assert bound == 100 * short + 28 + short <= BEST_KNOWN


def test_the_minutes_worked_beyond_demand_bound_the_over_cover(shared_data: Path) -> None:
    """Instance21's 100 employees must work their minimum minutes (in whole 240-minute
    units, the shift lengths' divisor) on rows needing fewer minutes: the minutes beyond are
    over-cover, at most 720 (the longest shift) per surplus staff-shift at weight 1. The
    count of shifts alone bounds nothing there (least minutes // longest shift is less than
    the staff needed); the weekend staff-shifts the employees' weekend limits leave short
    (at under-cover weight 100) are minutes needed but not worked, so more of the least
    minutes are over-cover. Best known 21,133."""
    path = shared_data / "benchmarks/shift-scheduling/curtois-qu-instances17_24/Instance21.txt"
    problem, settings = read_curtois(path), curtois_settings()
    length = {shift.shift_id: shift.length_minutes for shift in problem.shift_types}
    needed_minutes = sum(row.staff_needed * length[row.shift_id] for row in problem.requirements)
    least_minutes = sum(-(-employee.min_minutes // 240) * 240 for employee in problem.employees)
    short = _weekend_short(problem)
    beyond = least_minutes - needed_minutes + short * min(length.values())
    surplus = -(-beyond // max(length.values()))
    pricing = columns.employee_pricing(problem, settings)
    master = Master(problem, settings, deadline=time.perf_counter())
    assert (least_minutes, needed_minutes) == (4_953_600, 4_541_280) and short > 0
    assert columns.capacity_bound(problem, master, pricing) == 100 * short + surplus <= 21_133


def test_the_stretch_rules_leave_staff_short_over_runs_of_days() -> None:
    """Three employees who may work at most 2 days in a row, three days needing 3 staff each:
    every employee may work each day, so counting day by day finds no one short, but each works
    at most 2 of the 3 days, so at least 3 staff-shifts are short in every roster (recounted
    here over every pattern). The count bound is their under-cover cost, and the engine's
    roster reaches it."""
    start, days = date(2026, 1, 5), 3
    employees = tuple(Employee(name, max_consecutive_days=2) for name in "ABC")
    requirements = tuple(
        Requirement("site", start + timedelta(days=d), "D", "any", 3, under_weight=100)
        for d in range(days)
    )
    problem = RosterProblem(start, days, (ShiftType("D", 480),), employees, requirements)
    settings = RosterSettings(over_cover_weight=0)
    patterns = [p for p in itertools.product((0, 1), repeat=days) if sum(p) <= 2]
    most_covered = max(
        sum(min(3, sum(day)) for day in zip(*chosen, strict=True))
        for chosen in itertools.product(patterns, repeat=len(employees))
    )
    assert most_covered == 6
    master = Master(problem, settings, deadline=time.perf_counter())
    pricing = columns.employee_pricing(problem, settings)
    assert columns.capacity_bound(problem, master, pricing) == 100 * (3 * days - most_covered)
    roster, report = engine.solve_roster(problem, settings, SolverLimits(time_limit_seconds=10))
    assert report.objective == report.bound == 300
    assert int(roster.cover["uncovered"].sum()) == 3


def test_instance24_needs_more_in_its_last_week_than_its_staff_can_work(
    shared_data: Path,
) -> None:
    """Instance24's demand surges at the end: 974 staff-shifts in its last week, from 150
    employees who may each work at most c days in a row with at least o days off between
    (their own rules), so at most c of any c + o days: 781 at most, so 193 short (100 each),
    where counting day by day finds 44 short that week. The bound counts at least those and
    stays below the best known 40,439."""
    path = shared_data / "benchmarks/shift-scheduling/curtois-qu-instances17_24/Instance24.txt"
    problem, settings = read_curtois(path), curtois_settings()
    last_week = problem.dates[-7:]
    needed = sum(row.staff_needed for row in problem.requirements if row.day in last_week)
    most = 0
    for employee in problem.employees:
        stretch = employee.max_consecutive_days + employee.min_consecutive_days_off
        in_stretches = 7 // stretch * employee.max_consecutive_days
        most_of_seven = in_stretches + min(7 % stretch, employee.max_consecutive_days)
        most += min(most_of_seven, sum(day not in employee.unavailable for day in last_week))
    per_day = [
        sum(row.staff_needed for row in problem.requirements if row.day == day)
        - sum(day not in employee.unavailable for employee in problem.employees)
        for day in last_week
    ]
    assert needed == 974 and needed - most > sum(max(short, 0) for short in per_day)
    pricing = columns.employee_pricing(problem, settings)
    master = Master(problem, settings, deadline=time.perf_counter())
    assert 100 * (needed - most) <= columns.capacity_bound(problem, master, pricing) <= 40_439


def test_requests_the_sequence_rules_leave_unmet_bound_the_objective() -> None:
    """One employee who may work at most 2 days in a row asks for the early shift on days
    0, 1 and 2 (weight 1 each), and for the late shift on day 4 and the early one on day 5
    (weights 2 and 3), which may not follow it: every roster leaves at least one of the first
    three and one of the last two unmet, 3 units of request weight (30 at the default
    weight). Nothing else costs (no staff needed, no over-cover weight), so 30 is the
    optimum; counting staff-shifts alone bounds nothing."""
    start = date(2026, 1, 5)
    shifts = (ShiftType("E", 480), ShiftType("L", 480, forbidden_next=frozenset({"E"})))
    wishes = [(0, "E", 1), (1, "E", 1), (2, "E", 1), (4, "L", 2), (5, "E", 3)]
    employee = Employee(
        "A",
        max_consecutive_days=2,
        requests=tuple(
            ShiftRequest(start + timedelta(days=d), shift, True, weight)
            for d, shift, weight in wishes
        ),
    )
    requirements = tuple(
        Requirement("site", start + timedelta(days=d), shift.shift_id, "any", 0, over_weight=0)
        for d in range(7)
        for shift in shifts
    )
    problem = RosterProblem(start, 7, shifts, (employee,), requirements, name="requests")
    settings = RosterSettings()
    master = Master(problem, settings, deadline=time.perf_counter())
    pricing = columns.employee_pricing(problem, settings)
    with ThreadPoolExecutor(1) as pool:
        assert columns.least_own_costs(master, pricing, pool) == 30
    assert columns.capacity_bound(problem, master, pricing) == 0
    start_roster = columns.column_generation(problem, settings, deadline=time.perf_counter() + 10)
    assert start_roster.objective == start_roster.bound == 30
    assert start_roster.notes[-1].startswith(f"bound 30 from {columns.COUNT_BOUND}")


def test_the_count_bound_holds_when_no_shift_is_paid() -> None:
    """Shift types of 0 minutes (a scenario may give them) leave no minutes to count: the
    bound is the shift count's, not a division by zero."""
    problem, settings = synthetic_problem(), RosterSettings()
    unpaid = tuple(replace(shift, length_minutes=0) for shift in problem.shift_types)
    employees = tuple(
        replace(employee, min_minutes=0, max_minutes=None) for employee in problem.employees
    )
    problem = replace(problem, shift_types=unpaid, employees=employees)
    pricing = columns.employee_pricing(problem, settings)
    master = Master(problem, settings, deadline=time.perf_counter())
    assert columns.capacity_bound(problem, master, pricing) >= 0
