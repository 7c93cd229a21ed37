"""Windowed neighbourhoods (``optimizer.roster.windows``): a few employees' days re-solved on a
model of that part alone. Their sub-models must be exact, so the objective the search keeps is
checked against the independent Curtois–Qu objective and every hard rule against the
independent checker, on Curtois–Qu Instance17 (8 weeks, 32 staff) as published and with
weekly contract periods; and the engine must use them when its whole model does not fit."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from ortools.sat.python import cp_model

from optimizer.formats.curtois import curtois_settings, read_curtois, solve_curtois_instance
from optimizer.roster import columns, engine, resolves, windows
from optimizer.roster.plan import roster_tables
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from optimizer.solve import SolverLimits
from tests.test_roster_checker import (
    DATA,
    curtois_objective,
    hard_rule_violations,
    synthetic_problem,
)

INSTANCE = DATA / "Instance17.txt"
#: The windows' search in ``_improved`` ends once it has lowered the rough roster by this share
IMPROVED_SHARE = 0.15
#: or after this long, which a machine many times slower than this one would need.
IMPROVED_SECONDS = 60


Rough = tuple[RosterProblem, RosterSettings, columns.ColumnStart]


def rough_start(problem: RosterProblem, settings: RosterSettings) -> columns.ColumnStart:
    """A rough roster: column generation given no time, which returns its construction's
    roster (19,746 on Instance17, whose best known is 5,746, in about 0.1 s). Past its
    deadline the construction takes every batch after the first by its quick programs,
    whatever the machine's speed or load, so the start, and what the tests find from it,
    is the same on every machine (one cut after 1 s of column generation ended anywhere
    between 7,407 and 5,749 with the machine's pace)."""
    return columns.column_generation(problem, settings, deadline=time.perf_counter())


@pytest.fixture(scope="module")
def rough() -> Rough:
    """Instance17 as published, its settings and a rough roster of it (``rough_start``).
    Shared by the module: tests read them and change none."""
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    return problem, settings, rough_start(problem, settings)


def _assert_kept_exact(
    problem: RosterProblem, settings: RosterSettings, search: windows.WindowSearch
) -> None:
    """The search's roster keeps every hard rule and its objective is the roster's, both
    recounted independently."""
    roster = roster_tables(problem, sorted(search.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert search.objective == curtois_objective(problem, roster.assignments)


def _settled(search: windows.WindowSearch, part: windows._Part) -> windows._Found | None:
    """``part`` re-solved (at most 10 s) and its result kept when it lowers the objective;
    returns that result, ``None`` when none lowers it."""
    _, found = search._resolve(part, time.perf_counter() + 10)
    if found is not None:
        search._settle(part, found)
    return found


def _weekly(problem: RosterProblem) -> RosterProblem:
    """``problem`` with each employee's horizon maximum of minutes as a weekly maximum (the
    same share of the horizon, rounded up) and no minimum, so contract periods are weeks."""
    weeks = problem.horizon_days // 7
    employees = tuple(
        replace(
            employee,
            contract_period_days=7,
            min_minutes=0,
            max_minutes=None if employee.max_minutes is None else -(-employee.max_minutes // weeks),
        )
        for employee in problem.employees
    )
    return replace(problem, employees=employees)


def _improved(problem: RosterProblem, settings: RosterSettings, workers: int):
    """A rough roster (``rough_start``), then windowed neighbourhoods with ``workers`` threads
    until they have taken ``IMPROVED_SHARE`` off its objective (about 4 re-solves on one
    worker, 2–4 s here), or at most ``IMPROVED_SECONDS``: (start objective, the search)."""
    start = rough_start(problem, settings)
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=5)
    settled_value = (1 - IMPROVED_SHARE) * start.objective
    search.improve(time.perf_counter() + IMPROVED_SECONDS, settled_value, workers=workers)
    return start.objective, search


@pytest.mark.parametrize(("weekly", "workers"), [(False, 1), (True, 1), (False, 2), (True, 2)])
def test_windowed_neighbourhoods_lower_the_objective_exactly_and_keep_every_rule(
    weekly: bool, workers: int
) -> None:
    """With two workers, results computed side by side are kept only when the horizon
    totals still hold, so the objective stays exact and every rule holds there too."""
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    if weekly:
        problem = _weekly(problem)
    start, search = _improved(problem, settings, workers)
    _assert_kept_exact(problem, settings, search)
    assert search.tried >= 3 and search.improved >= 1 and search.objective < start


def test_windowed_neighbourhoods_stop_at_once_on_a_settled_roster(rough: Rough) -> None:
    """A roster already at the value that settles the run (its bound, or within the run's
    relative gap of it) gets no re-solve, however long the deadline."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=5)
    began = time.perf_counter()
    search.improve(began + 60, settled_value=start.objective)
    assert search.tried == 0 and time.perf_counter() - began < 5
    search.improve(time.perf_counter() + 3, settled_value=start.objective - 1)
    assert search.tried >= 1


class _Unproven:
    """A CP-SAT solver whose objective, when the solve is not proven optimal, reads
    ``extra`` higher, as a solution counting a staff-shift both short and over on a row
    would (its cover slacks are not tight)."""

    def __init__(self, solver: cp_model.CpSolver, code: int, extra: float) -> None:
        self.solver, self.extra = solver, extra if code != cp_model.OPTIMAL else 0.0

    @property
    def objective_value(self) -> float:
        return self.solver.objective_value + self.extra

    def __getattr__(self, name: str) -> object:
        return getattr(self.solver, name)


def test_the_objective_kept_is_proven_not_a_re_solves_unproven_value(
    monkeypatch: pytest.MonkeyPatch, rough: Rough
) -> None:
    """A re-solve cut off by its time limit ends with a solution whose objective CP-SAT has
    not proven, and which may count cover slack the roster does not have: the search
    keeps the change it proves with every choice held (which presolve settles), so its
    objective stays the roster's. The free re-solves (those given more than
    ``LEAST_SECONDS``) are cut here to 0.05 of CP-SAT's deterministic time, which does not
    depend on the machine's speed or load (a cut in seconds found no unproven gain in 30 s on
    a slower machine), so that many end unproven; every unproven objective reads 1 too high
    (a staff-shift counted both short and over would read 101 too high on Instance17, and
    then only gains above 101 would show)."""
    monkeypatch.setattr(windows, "SECONDS_PER_CHOICE", 1.0)
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=2)
    solve, one_worker = search._solve, windows.one_worker

    def cut(seconds: float, seed: int) -> cp_model.CpSolver:
        solver = one_worker(seconds, seed)
        if seconds > windows.LEAST_SECONDS:
            solver.parameters.max_deterministic_time = 0.05
        return solver

    def unproven(model: cp_model.CpModel, seconds: float, deadline: float):
        code, solver = solve(model, seconds, deadline)
        return code, _Unproven(solver, code, 1.0)

    monkeypatch.setattr(windows, "one_worker", cut)
    monkeypatch.setattr(search, "_solve", unproven)
    unproven_gains, ends = 0, time.perf_counter() + 30
    while unproven_gains < 2 and time.perf_counter() < ends:
        improved = search.improved
        code = search.step(windows.SOME_STAFF, ends)
        unproven_gains += code == cp_model.FEASIBLE and search.improved > improved
    assert unproven_gains >= 1
    roster = roster_tables(problem, sorted(search.duties))
    assert search.objective == curtois_objective(problem, roster.assignments)
    assert search.objective < start.objective


def test_a_clash_keeps_the_breaking_employees_duties_and_the_others_changes(rough: Rough) -> None:
    """Two workers re-solve disjoint sub-horizons side by side; each result assumed the
    roster outside its own as it was when drawn. Instance17's contracts allow 16,800–17,280
    minutes over the whole horizon, so when other results meanwhile take an employee's
    shifts outside the sub-horizon, the first result's minutes fall short for them: they
    keep their duties as drawn, while the others' new duties are kept, repriced so that the
    objective stays exact."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective)
    everyone = list(range(len(problem.employees)))
    part = search._sub_problem(everyone, ((21, 28),), windows.ALL_STAFF)
    # six context days each side, the end on to a Monday (day 34 is a Sunday)
    assert (part.first, part.last) == (15, 35)
    assert search._breaking(part, part.work) == []
    _, found = search._resolve(part, time.perf_counter() + 10)
    assert found is not None and found.change < 0
    # the result's duties; the breaking employee is one whose drawn duties, kept, leave the
    # others' changes a gain
    result = found.work

    def kept_as_drawn(e: int) -> float | None:
        """The change with employee ``e``'s duties as drawn and the others' as found."""
        mixed = result.copy()
        mixed[e] = part.work[e]
        return found.reprice(mixed)

    breaker = next(
        e for e in everyone if (result[e] != part.work[e]).any() and (kept_as_drawn(e) or 0) < 0
    )
    # another worker's results: the breaker off outside the sub-horizon (its 20 days hold at
    # most 20 shifts of 480 minutes, short of 16,800)
    search.work[breaker, : part.first] = search.work[breaker, part.last :] = -1
    assert search._breaking(part, part.work) == [breaker]
    search.objective = curtois_objective(
        problem, roster_tables(problem, sorted(search.duties)).assignments
    )
    search._settle(part, found)
    assert search.clashed == 1
    assert (search.work[breaker, part.first : part.last] == part.work[breaker]).all()
    assert search.objective == curtois_objective(
        problem, roster_tables(problem, sorted(search.duties)).assignments
    )
    changed = search.work[:, part.first : part.last] != part.work
    assert search.improved == 1 and changed.any()


@pytest.mark.parametrize(
    ("status", "better", "factor"),
    [
        (cp_model.OPTIMAL, True, 1.0),
        (cp_model.OPTIMAL, False, resolves.GROW),
        (cp_model.FEASIBLE, True, resolves.SHRINK),
        (cp_model.FEASIBLE, False, resolves.SHRINK),
    ],
)
def test_a_kind_grows_only_when_a_proven_re_solve_finds_nothing_better(
    monkeypatch: pytest.MonkeyPatch, status: int, better: bool, factor: float, rough: Rough
) -> None:
    """A neighbourhood that CP-SAT proves holds nothing better is too small: the kind grows.
    One not proven is too large: it shrinks. One proven with a better roster keeps its
    size, as growing then slowed the re-solves without gaining more."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective)
    monkeypatch.setattr(search, "_settle", lambda part, found: None)
    found = object() if better else None
    monkeypatch.setattr(search, "_resolve", lambda part, deadline: (status, found))
    before = dict(search.size)
    search.step(windows.SOME_STAFF, time.perf_counter() + 10)
    assert search.size["staff"] == pytest.approx(before["staff"] * factor)
    assert search.size["window"] == pytest.approx(before["window"] * factor)
    assert search.size["days"] == before["days"]


def test_some_staff_draw_half_among_those_working_one_day_of_a_weekend(rough: Rough) -> None:
    """Where the weekend limit binds, an employee working one day only of a weekend can
    work its other day at no cost in weekends, so a few-staff neighbourhood draws half its
    employees among them: in every draw, not just on average. Here six employees work the
    Saturday of the first weekend only and the others neither day."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=3)
    saturday = next(d for d, day in enumerate(problem.dates) if day.weekday() == 5)
    saturday_row = int(next(r for r, day in enumerate(search.row_day) if day == saturday))
    search.work[:, saturday : saturday + 2] = -1
    search.work[:6, saturday] = saturday_row
    for _ in range(20):
        chosen = search._some_staff(8, [(saturday - 5, saturday + 2)])
        assert chosen == sorted(set(chosen)) and len(chosen) == 8
        assert len(set(range(6)) & set(chosen)) >= 4


def test_two_window_draws_take_a_quarter_among_staff_with_weekends_to_spare(rough: Rough) -> None:
    """An employee at the weekend limit can move a weekend into a window only where another
    takes one over in the other window, which needs a weekend to spare: two-window draws
    take up to a quarter of their staff among those who have one. Here everyone works both
    days of every weekend (twice Instance17's limit of 4) except four who work none."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=7)
    assert search.weekend_limit.tolist() == [4] * len(problem.employees)
    for d, day in enumerate(problem.dates):
        if day.weekday() >= 5:
            search.work[:, d] = int(np.flatnonzero(search.row_day == d)[0])
    weekend = np.array([day.weekday() >= 5 for day in problem.dates])
    search.work[:4, weekend] = -1
    assert np.flatnonzero(search._spare_weekends()).tolist() == [0, 1, 2, 3]
    for _ in range(20):
        chosen = search._some_staff(8, [(0, 7), (28, 35)])
        assert chosen == sorted(set(chosen)) and len(chosen) == 8
        assert len({0, 1, 2, 3} & set(chosen)) >= 2


def test_two_windows_free_two_apart_windows_and_hold_the_days_between(rough: Rough) -> None:
    """A two-window neighbourhood frees a few employees on two windows of half the
    few-staff width, near or far apart, and holds the days between to the roster;
    re-solving such neighbourhoods keeps the objective exact and every rule (weekends,
    minutes and shifts per type can move from one window to the other)."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=4)
    width = round(search.size["window"] / 2)
    improved = 0
    for _ in range(12):
        part = search._part(windows.TWO_WINDOWS)
        (begin, end), (later, last) = part.free
        assert end - begin == last - later == width and end <= later
        assert len(part.employees) == round(search.size["pair staff"])
        # held days between the windows offer only the roster's own duty
        found = _settled(search, part)
        if found is not None:
            between = slice(end - part.first, later - part.first)
            assert (found.work[:, between] == part.work[:, between]).all()
        improved += found is not None
    assert improved >= 1
    _assert_kept_exact(problem, settings, search)


def test_a_sub_problem_holds_the_free_days_rows_and_the_rows_its_staff_work_on_held_days(
    rough: Rough,
) -> None:
    """A held day's rows that none of the chosen employees works have no choice in the
    sub-model, so they are left out: the sub-problem's rows are exactly those of the free
    days and those its employees work on held days (two far windows on Instance17, whose
    sub-horizon holds most of the 56 days)."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=4)
    chosen = [0, 3, 7]
    part = search._sub_problem(chosen, ((7, 14), (42, 49)), windows.TWO_WINDOWS)
    days = search.row_day
    free = ((days >= 7) & (days < 14)) | ((days >= 42) & (days < 49))
    in_sub = (days >= part.first) & (days < part.last)
    worked = np.zeros(len(days), dtype=bool)
    worked[search.work[chosen][search.work[chosen] >= 0]] = True
    assert part.rows == np.flatnonzero(in_sub & (free | worked)).tolist()
    assert len(part.rows) < 0.6 * in_sub.sum()  # 111 of the sub-horizon's 220
    assert [row.day for row in part.problem.requirements] == [
        problem.requirements[r].day for r in part.rows
    ]


def test_far_weekend_neighbourhoods_free_a_short_weekend_and_weekends_with_people_to_spare(
    rough: Rough,
) -> None:
    """A far-weekends neighbourhood frees, Friday to Monday, the weekend of a short weekend
    row and up to ``FAR_WEEKENDS_COUNT`` other weekends that more people work than their
    busier day needs, for ``weekend staff`` employees, at most half of whom work a far
    weekend and could staff a short row of the near one; re-solving such neighbourhoods
    keeps the objective exact and every rule (recounted independently). Instance17's rough
    roster has no weekend with people to spare, so two of its weekends need half their
    staff here (days 12–13 and 40–41: 15 and 17 people work them)."""
    published, settings, start = rough
    halved = {published.start_date + timedelta(days=d) for d in (12, 13, 40, 41)}
    problem = replace(
        published,
        requirements=tuple(
            replace(row, staff_needed=row.staff_needed // 2) if row.day in halved else row
            for row in published.requirements
        ),
    )
    objective = curtois_objective(problem, roster_tables(problem, sorted(start.duties)).assignments)
    search = windows.WindowSearch(problem, settings, start.duties, objective, seed=5)
    assert search._weekends_bind()
    improved = 0
    for _ in range(8):
        part = search._part(windows.FAR_WEEKENDS)
        assert part.kind == windows.FAR_WEEKENDS
        assert len(part.employees) == round(search.size["weekend staff"])
        assert 2 <= len(part.free) <= windows.FAR_WEEKENDS_COUNT + 1
        on_duty = search.work >= 0
        short_weekend = [
            any(
                search.staffed[r] < search.needed[r]
                for r in np.flatnonzero((search.row_day >= begin) & (search.row_day < end))
                if problem.dates[search.row_day[r]].weekday() >= windows.SATURDAY
            )
            for begin, end in part.free
        ]
        assert any(short_weekend)
        for begin, end in part.free:
            # Friday to Monday, the horizon's last weekend to its end
            assert problem.dates[begin].weekday() == 4
            assert end - begin == min(4, problem.horizon_days - begin)
        spare = [
            on_duty[:, begin + 1 : begin + 3].any(axis=1).sum()
            > search.needed_by_day[begin + 1 : begin + 3].max()
            for begin, _ in part.free
        ]
        assert sum(spare) >= len(part.free) - 1  # every window but the short one's
        improved += _settled(search, part) is not None
    assert improved >= 1
    _assert_kept_exact(problem, settings, search)


def test_far_weekend_draws_fall_back_to_another_kind_without_a_short_weekend(
    rough: Rough,
) -> None:
    """With no weekend row short, a far-weekends draw has no weekend to fill: another kind
    is drawn instead, and its outcome moves that kind's sizes."""
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=3)
    on_weekend = np.array([day.weekday() >= 5 for day in problem.dates])[search.row_day]
    search.needed = np.where(on_weekend, np.minimum(search.needed, search.staffed), search.needed)
    assert search._far_weekends() is None
    kinds = {search._part(windows.FAR_WEEKENDS).kind for _ in range(30)}
    assert kinds and windows.FAR_WEEKENDS not in kinds
    assert kinds <= {windows.ALL_STAFF, windows.SOME_STAFF, windows.TWO_WINDOWS}


@pytest.mark.parametrize("apart", [windows.TWO_WINDOWS_APART_DAYS, 3, 56])
def test_the_second_window_always_finds_room_when_a_window_is_a_third_of_the_horizon(
    apart: int,
) -> None:
    """Whatever the first window's start, a second one of at most a third of the horizon
    fits beside it, within reach (the near one's, 3 days, the whole horizon of 56) and not
    overlapping it: a two-window draw never fails for want of room (the few-staff window
    may have grown to any size, beyond the reach too)."""
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    search = windows.WindowSearch(problem, settings, set(), 0.0, seed=2)
    days = problem.horizon_days
    for width in range(1, days // 3 + 1):
        reach = max(apart, 2 * width)
        for begin in range(days - width + 1):
            start, end = search._other_window(begin, width, apart)
            assert end - start == width and start >= 0 and end <= days
            assert end <= begin or start >= begin + width
            assert abs(start - begin) <= reach


@pytest.mark.parametrize("far_share", [0.0, 0.5])
def test_a_share_of_two_window_draws_places_the_second_window_anywhere(
    monkeypatch: pytest.MonkeyPatch, far_share: float, rough: Rough
) -> None:
    """Demand that rises through the year needs weekends and minutes moved from its start to
    its end, so a ``FAR_SHARE`` of two-window neighbourhoods may place the second window
    anywhere in the horizon; the others keep it within the near reach. With the near reach
    at 3 days (twice the 7-day windows: 14) on Instance17's 56 days, draws then lie beyond
    14 days only when the share is not 0, and then in about that share."""
    monkeypatch.setattr(windows, "TWO_WINDOWS_APART_DAYS", 3)
    monkeypatch.setattr(windows, "FAR_SHARE", far_share)
    problem, settings, start = rough
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, seed=6)
    width = round(search.size["window"] / 2)
    draws = [search._part(windows.TWO_WINDOWS).free for _ in range(200)]
    apart = [later - begin for (begin, _), (later, _) in draws]
    far = sum(distance > 2 * width for distance in apart)
    # a far window lands beyond the near reach in over half its draws on this horizon
    assert far == 0 if far_share == 0 else 0.15 * len(draws) < far < far_share * len(draws)


def test_sub_horizons_split_no_weekend_and_no_week_or_contract_period_a_rule_counts_by() -> None:
    """Instance17 starts on a Monday and counts by no week or period shorter than its 56
    days: a sub-horizon may end on any day but between a Saturday and its Sunday. With a
    night-shift limit per week, or weekly contract periods, only on Mondays that start a
    period."""
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    sundays = set(range(6, 56, 7))
    assert windows.cut_days(problem, settings) == [d for d in range(57) if d not in sundays]
    nights = replace(settings, max_night_shifts_per_week=2)
    assert windows.cut_days(problem, nights) == windows.cut_days(problem, settings)  # no night
    first, *others = problem.shift_types
    problem = replace(problem, shift_types=(replace(first, night=True), *others))
    assert windows.cut_days(problem, nights) == list(range(0, 57, 7))
    # starting on a Wednesday: Mondays are days 5, 12, ...; weekly periods begin on days 0, 7, ...
    wednesday = replace(problem, start_date=problem.start_date + timedelta(days=2))
    assert windows.cut_days(wednesday, nights) == [0, *range(5, 56, 7), 56]
    assert windows.cut_days(_weekly(wednesday), settings) == [0, 56]
    assert windows.cut_days(_weekly(problem), settings) == list(range(0, 57, 7))


def test_context_days_outlast_every_sequence_rule() -> None:
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    longest = max(
        max(
            e.max_consecutive_days or 0,
            e.min_consecutive_days or 0,
            e.min_consecutive_days_off or 0,
        )
        for e in problem.employees
    )
    assert windows.context_days(problem, settings) == longest + 1
    stricter = replace(settings, min_consecutive_days_off=longest + 3)
    assert windows.context_days(problem, stricter) == longest + 4


def test_windows_do_not_apply_to_goals_that_span_the_whole_roster() -> None:
    problem = synthetic_problem()
    reasons = windows.applies(problem, RosterSettings(), previous=True)
    assert reasons == [
        "on-call reserve and partners' staff",
        "the fairness goal spans every employee's whole roster",
        "a previous roster to keep",
    ]
    assert windows.applies(read_curtois(INSTANCE), curtois_settings(), previous=False) == []


def test_the_engine_searches_windows_when_its_whole_model_does_not_fit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As if CP-SAT built one choice a second, the model never fits: column generation gets
    ``HAND_OVER_SHARE`` of the limit and the windowed neighbourhoods the rest; the
    result keeps every rule and reports its objective exactly."""
    monkeypatch.setattr(engine, "MODEL_CHOICES_PER_SECOND", 1)
    problem, roster, report = solve_curtois_instance(INSTANCE, SolverLimits(time_limit_seconds=4))
    settings = curtois_settings()
    assert report.solver == "column generation, then windowed neighbourhoods"
    assert any(note.startswith("windowed neighbourhoods (") for note in report.notes)
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == report.objective
    assert report.seconds < 6


def test_the_whole_model_is_skipped_when_too_few_of_its_re_solves_fit_the_time_left() -> None:
    """Instance17's model (32 staff × 224 rows) gets 1.4 s a neighbourhood re-solve: ten of
    them need 14 s. With less time left, windowed neighbourhoods search instead, when they
    apply; the model is built otherwise."""
    problem = read_curtois(INSTANCE)
    assert "fewer than 10 of its neighbourhood re-solves (1.4 s each)" in engine._model_skipped(
        problem, 10.0, windowed=True
    )
    assert engine._model_skipped(problem, 10.0, windowed=False) == ""
    assert engine._model_skipped(problem, 20.0, windowed=True) == ""
