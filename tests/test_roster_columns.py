"""Column generation's pricing against CP-SAT on one employee, and its rosters against the
independent rule checker and the Curtois–Qu best known values."""

from __future__ import annotations

import itertools
import math
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import numpy as np
import pytest
from highspy import HighsModelStatus
from ortools.sat.python import cp_model

from optimizer import stop
from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import descent
from optimizer.roster.columns import (
    COUNT_BOUND,
    PRICING_THREADS,
    NoRoster,
    PersonPricing,
    _construct,
    _generate,
    _mend,
    _result,
    blockers,
    bound_note,
    column_generation,
    employee_pricing,
    lagrangian_bound,
    person_pricing,
)
from optimizer.roster.master import Master
from optimizer.roster.model import build_model
from optimizer.roster.plan import roster_tables
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftType
from optimizer.roster.settings import RosterSettings
from optimizer.roster.variables import LENT, ON_CALL, WORK, RosterModel
from tests.test_roster_checker import (
    DATA,
    SYNTHETIC_START,
    curtois_objective,
    hard_rule_violations,
    lone_weekends_worked,
    synthetic_problem,
)


def _without_reserve(problem: RosterProblem) -> RosterProblem:
    rows = tuple(replace(row, reserve_needed=0) for row in problem.requirements)
    return replace(problem, requirements=rows, shared_employees=())


RESERVE_PRICE = 60
"""Price of an on-call place in the pricing tests (the reserve shortfall weight there)."""


def _cp_sat_best_value(
    problem: RosterProblem,
    settings: RosterSettings,
    e: int,
    prices: list[int],
    *,
    keep_reserve: bool = False,
    lone_weekend_cost: int = 0,
) -> float:
    """The most an employee's roster is worth at row ``prices`` minus its request costs,
    solved by CP-SAT on the engine's own model: a row worth p > 0 asks for one person at
    under-cover weight p, a row worth p < 0 asks for none at over-cover weight −p; the
    rows' reserve targets are kept if ``keep_reserve`` (their places short are then
    part of the CP-SAT objective subtracted), else dropped; ``lone_weekend_cost`` is
    subtracted for each Saturday–Sunday weekend worked on one day only."""
    rows = tuple(
        replace(
            row,
            staff_needed=int(price > 0),
            under_weight=price if price > 0 else None,
            over_weight=-price if price < 0 else 0,
            reserve_needed=row.reserve_needed if keep_reserve else 0,
        )
        for row, price in zip(problem.requirements, prices, strict=True)
    )
    alone = replace(problem, employees=(problem.employees[e],), requirements=rows)
    m, _ = build_model(alone, settings)
    if lone_weekend_cost:
        _add_lone_weekend_cost(m, alone, lone_weekend_cost)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    assert solver.solve(m.model) == cp_model.OPTIMAL
    return sum(p for p in prices if p > 0) - solver.objective_value


def _add_lone_weekend_cost(m: RosterModel, problem: RosterProblem, cost: int) -> None:
    """Add ``cost`` × (weekends worked on the Saturday or the Sunday only) to ``m``'s
    objective (one employee's model)."""
    worked: dict[object, list[cp_model.IntVar]] = {}
    for _, r, role, var in m.choices:
        if role == WORK:
            worked.setdefault(problem.requirements[r].day, []).append(var)
    objective = m.model.proto.objective
    terms = [
        coefficient * m.model.get_int_var_from_proto_index(index)
        for index, coefficient in zip(objective.vars, objective.coeffs, strict=True)
    ]
    days = [problem.start_date + timedelta(days=d) for d in range(problem.horizon_days)]
    for saturday, sunday in itertools.pairwise(days):
        if saturday.weekday() != 5:
            continue
        lone = m.model.new_bool_var(f"lone {saturday}")
        on_saturday, on_sunday = sum(worked.get(saturday, [])), sum(worked.get(sunday, []))
        m.model.add(lone >= on_saturday - on_sunday)
        m.model.add(lone >= on_sunday - on_saturday)
        terms.append(cost * lone)
    m.model.minimize(sum(terms) + int(objective.offset))


@pytest.mark.parametrize("source", ["Instance1", "Instance2", "synthetic"])
def test_pricing_finds_the_employees_best_roster(source) -> None:
    if source == "synthetic":
        problem, settings = _without_reserve(synthetic_problem()), RosterSettings()
    else:
        problem, settings = read_curtois(DATA / f"{source}.txt"), curtois_settings()
    rng = random.Random(7)
    for e in range(0, len(problem.employees), 2):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        found = employee_pricing(problem, settings)[e].price(np.array(prices, dtype=float))
        assert found is not None
        rows, cost, value = found
        assert value == pytest.approx(_cp_sat_best_value(problem, settings, e, prices))
        assert value == pytest.approx(sum(prices[r] for r in rows if r >= 0) - cost)


@pytest.mark.parametrize("source", ["Instance1", "Instance2"])
def test_pricing_with_a_lone_weekend_cost_finds_the_best_roster(source) -> None:
    """With a cost on each weekend worked on one day only (the best-response passes'), the
    priced roster is worth, less that cost, what CP-SAT's one-employee model says, and no
    more of its weekends are worked on one day than without the cost."""
    problem, settings = read_curtois(DATA / f"{source}.txt"), curtois_settings()
    rng = random.Random(13)
    lone_cost = 60
    for e in range(len(problem.employees)):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        duals = np.array(prices, dtype=float)
        pricing = employee_pricing(problem, settings)[e]
        assert pricing.rules.weekends_bind
        plain = pricing.price(duals)
        pricing.lone_weekend_cost = lone_cost
        found = pricing.price(duals)
        assert found is not None and plain is not None
        rows, _, value = found
        lone = lone_weekends_worked(problem, rows)
        assert pricing.lone_weekends(rows) == lone
        expected = _cp_sat_best_value(problem, settings, e, prices, lone_weekend_cost=lone_cost)
        assert value - lone_cost * lone == pytest.approx(expected)
        assert lone <= lone_weekends_worked(problem, plain[0])


@pytest.mark.parametrize("order", [("P", "X", "Y"), ("P", "Y", "X")])
def test_pricing_tells_apart_types_that_may_follow_different_types(order) -> None:
    # X and Y are alike (same length, anything may follow them) but X may not follow P
    lengths = {"P": 480, "X": 480, "Y": 480}
    forbidden = {"P": frozenset({"X"}), "X": frozenset(), "Y": frozenset()}
    problem = RosterProblem(
        start_date=SYNTHETIC_START,
        horizon_days=7,
        shift_types=tuple(ShiftType(s, lengths[s], forbidden_next=forbidden[s]) for s in order),
        employees=(Employee("A"),),
        requirements=tuple(
            Requirement("s", SYNTHETIC_START + timedelta(days=d), shift, "general", 1)
            for d in range(7)
            for shift in order
        ),
    )
    settings = curtois_settings()
    rng = random.Random(3)
    for _ in range(20):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        found = employee_pricing(problem, settings)[0].price(np.array(prices, dtype=float))
        assert found is not None
        worked = [problem.requirements[r].shift_id if r >= 0 else None for r in found[0]]
        assert ("P", "X") not in set(itertools.pairwise(worked))
        assert found[2] == pytest.approx(_cp_sat_best_value(problem, settings, 0, prices))


def test_pricing_keeps_tight_shift_type_limits_and_finds_the_best_roster() -> None:
    problem, settings = read_curtois(DATA / "Instance2.txt"), curtois_settings()
    capped = tuple(
        replace(employee, max_shifts={shift: 4 for shift in employee.max_shifts})
        for employee in problem.employees
    )
    problem = replace(problem, employees=capped)
    rng = random.Random(11)
    for e in range(0, len(problem.employees), 3):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        found = employee_pricing(problem, settings)[e].price(np.array(prices, dtype=float))
        assert found is not None
        worked = [problem.requirements[r].shift_id for r in found[0] if r >= 0]
        assert all(worked.count(shift) <= 4 for shift in set(worked))
        assert found[2] == pytest.approx(_cp_sat_best_value(problem, settings, e, prices))


@pytest.mark.parametrize("program", ["price", "first_roster"])
def test_pricing_within_type_limits_keeps_a_pinned_day_of_a_limited_type(program) -> None:
    """When the program's roster works a type beyond its limit, the type is allowed on as
    many days as its limit only; a day pinned to that type is kept among them, so a roster
    is still found and it keeps the pin (Instance2, every type capped at 4, the pin on the
    last day the uncapped roster works that type)."""
    problem, settings = read_curtois(DATA / "Instance2.txt"), curtois_settings()
    capped = tuple(
        replace(employee, max_shifts={shift: 4 for shift in employee.max_shifts})
        for employee in problem.employees
    )
    problem = replace(problem, employees=capped)
    prices = np.full(len(problem.requirements), 100.0)
    person = employee_pricing(problem, settings)[0]
    person.rules, person.loose = person.rules.untracked(), person.loose.untracked()
    uncapped = person._program(person._gains(prices)[0] - person.work_cost[:, person.types])
    assert uncapped is not None
    shift_ids = [problem.shift_types[t].shift_id for t in person.types]
    worked = [shift_ids[t] if t >= 0 else None for t in uncapped]
    busiest = max(set(worked) - {None}, key=worked.count)
    assert worked.count(busiest) > 4
    day = max(d for d, shift_id in enumerate(worked) if shift_id == busiest)
    row = next(
        r
        for r in person.rows
        if problem.requirements[r].shift_id == busiest
        and problem.day_index(problem.requirements[r].day) == day
    )
    person.pinned[day] = row
    if program == "price":
        found = person.price(prices, tries=0, certain=True)
    else:
        found = person.first_roster(prices, 0.0)
    assert found is not None
    assert found[0][day] == row
    shifts = [problem.requirements[r].shift_id for r in found[0] if r >= 0]
    assert all(shifts.count(shift_id) <= 4 for shift_id in set(shifts))


@pytest.mark.parametrize(("instance", "best_known"), [(1, 607), (2, 828)])
def test_column_generation_rosters_keep_the_rules_near_the_best_known(instance, best_known) -> None:
    problem = read_curtois(DATA / f"Instance{instance}.txt")
    settings = curtois_settings()
    start = column_generation(problem, settings, deadline=time.perf_counter() + 30)
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    objective = curtois_objective(problem, roster.assignments)
    assert start.bound is not None and start.bound <= best_known <= objective <= 1.01 * best_known
    # the run's note says what gave the bound, beside the count bound's weaker value
    program = (
        "column generation's first linear program, priced on every rule but the shift-type "
        "limits its programs do not track"
    )
    assert start.notes[-1].startswith(f"bound {start.bound:,.0f} from {program} (")
    assert f"{COUNT_BOUND}: " in start.notes[-1]


def test_the_bound_note_names_the_largest_bound_or_says_none_is_above_zero() -> None:
    parts = [("the staff-shift count", 9158.0), ("the weekend plan", 26023.0), ("a program", 0.0)]
    assert bound_note(parts) == (
        "bound 26,023 from the weekend plan (the staff-shift count: 9,158; a program: 0)"
    )
    assert bound_note([("the staff-shift count", 0.0), ("a program", 0.0)]) == (
        "bound 0: no lower bound above 0 from the staff-shift count or a program"
    )


def _left_short(
    master: Master, pricing: list[PersonPricing], pool: ThreadPoolExecutor
) -> dict[int, int]:
    """Instance1's constructed roster (employee → column) with three employees' rosters
    priced without cover, as a dive out of time may leave it: rows short that one
    employee's roster could still cover."""
    now = time.perf_counter()
    chosen = _construct(master, pricing, pool, now + 5, now + 10)
    for e in range(3):
        found = pricing[e].price(master.prices(np.zeros(master.rows)), certain=True)
        assert found is not None
        chosen[e] = master.add(e, found[0], found[1])
    return chosen


def test_best_response_passes_mend_a_dived_roster_left_short() -> None:
    """A dive that runs out of time fixes the employees left to their most chosen rosters,
    which may leave rows short; the passes after the dives (``_mend``) lower such a roster,
    the program's fixings follow it, the run's notes say so, and every hard rule holds
    (Instance1's construction with three employees' rosters priced without cover)."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    deadline = time.perf_counter() + 60
    master = Master(problem, settings, deadline)
    pricing = person_pricing(problem, settings, master)
    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        chosen = _left_short(master, pricing, pool)
        for e, column in chosen.items():
            master.fix(e, column)
        short = master.value(chosen)
        notes: list[str] = []
        # a roster already within the run's gap of its bound is left as it is
        assert _mend(master, pricing, chosen, deadline, pool, notes, short) == (chosen, 0.0)
        assert notes == []
        mended, falling = _mend(master, pricing, chosen, deadline, pool, notes, -math.inf)
    objective = master.value(mended)
    assert objective < short
    assert falling == 0.0  # the passes ended with one that changed nothing
    assert notes == [
        f"best-response passes lowered the dive's roster from {short:g} to {objective:g}"
    ]
    master.solve()
    assert master.lp.getObjectiveValue() == pytest.approx(objective)
    duties = _result(master, pricing, mended, [("none", 0.0)]).duties
    roster = roster_tables(problem, sorted(duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(objective)


@pytest.mark.parametrize("ended_by", ["deadline", "stop request"])
def test_passes_cut_short_by_the_deadline_say_what_their_last_pass_gained_a_stop_nothing(
    monkeypatch: pytest.MonkeyPatch, ended_by: str
) -> None:
    """When the deadline ends the mending passes while they still lower the roster, ``_mend``
    returns what their last pass gained, by which column generation lets the dive's roster
    lie above the constructed one where the search's passes follow; after a stop request
    no search follows, and it returns 0 (Instance1's roster with three employees priced
    without cover; the deadline or the request comes after one pass)."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    deadline = time.perf_counter() + 60
    master = Master(problem, settings, deadline)
    pricing = person_pricing(problem, settings, master)
    passes_run: list[int] = []
    one_pass = descent.descend

    def counted(*args: object, **kwargs: object) -> int:
        changed = one_pass(*args, **kwargs)
        passes_run.append(changed)
        return changed

    past, requested = stop.past, stop.requested
    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        chosen = _left_short(master, pricing, pool)
        short = master.value(chosen)
        monkeypatch.setattr(descent, "descend", counted)
        if ended_by == "deadline":
            monkeypatch.setattr(
                stop, "past", lambda until, now: bool(passes_run) or past(until, now)
            )
        else:
            monkeypatch.setattr(stop, "requested", lambda: bool(passes_run) or requested())
        mended, falling = _mend(master, pricing, chosen, deadline, pool, [], -math.inf)
    assert len(passes_run) == 1 and passes_run[0] > 0
    assert master.value(mended) < short
    if ended_by == "deadline":
        assert falling == pytest.approx(short - master.value(mended))
    else:
        assert falling == 0.0


def test_column_generation_keeps_the_synthetic_problems_rules() -> None:
    problem, settings = _without_reserve(synthetic_problem()), RosterSettings()
    start = column_generation(problem, settings, deadline=time.perf_counter() + 30)
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []


def test_column_generation_applies_with_on_call_reserve() -> None:
    settings = RosterSettings()
    assert blockers(synthetic_problem(), settings) == []


@pytest.mark.parametrize("source", ["Instance2", "synthetic"])
def test_pricing_with_on_call_duty_finds_the_employees_best_roster(source) -> None:
    """Rows with a reserve target of one place, each worth ``RESERVE_PRICE``: the priced
    roster is worth what CP-SAT's one-employee model says (on-call duty keeps every sequence
    and rest rule, counts against the type's limit, not against the contract minutes)."""
    if source == "synthetic":
        problem, settings = synthetic_problem(), RosterSettings(fairness_weight=0)
    else:
        problem, settings = read_curtois(DATA / f"{source}.txt"), curtois_settings()
        capped = tuple(
            replace(employee, max_shifts={shift: 4 for shift in employee.max_shifts})
            for employee in problem.employees
        )
        problem = replace(problem, employees=capped)
    rng = random.Random(5)
    reserve = [rng.random() < 0.3 for _ in problem.requirements]
    rows = tuple(
        replace(row, reserve_needed=int(wanted))
        for row, wanted in zip(problem.requirements, reserve, strict=True)
    )
    problem = replace(problem, requirements=rows, shared_employees=())
    settings = replace(settings, reserve_shortfall_weight=RESERVE_PRICE)
    on_call_places = sum(reserve)
    for e in range(0, len(problem.employees), 3):
        prices = [rng.randint(-20, 100) for _ in problem.requirements]
        duals = np.array(prices + [RESERVE_PRICE] * on_call_places, dtype=float)
        found = employee_pricing(problem, settings)[e].price(duals, certain=True)
        assert found is not None
        best = _cp_sat_best_value(problem, settings, e, prices, keep_reserve=True)
        assert found[2] == pytest.approx(best + RESERVE_PRICE * on_call_places)
        assert found[2] == pytest.approx(sum(duals[r] for r in found[0] if r >= 0) - found[1])


def _cp_sat_optimum_and_cost_of(
    problem: RosterProblem, settings: RosterSettings, duties: set, **model: object
) -> tuple[float, float]:
    """CP-SAT's proven optimum of ``problem`` and the objective its model gives ``duties``."""
    m, _ = build_model(problem, settings, **model)
    fixed = m.model.clone()
    for p, r, role, var in m.choices:
        fixed.add(var == int((p, r, role) in duties))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    assert solver.solve(fixed) == cp_model.OPTIMAL
    cost = solver.objective_value
    assert solver.solve(m.model) == cp_model.OPTIMAL
    return solver.objective_value, cost


@pytest.mark.parametrize("own_staff", [None, 3])
@pytest.mark.parametrize("fairness_weight", [0, 1])
def test_column_generation_with_on_call_reserve_and_partners_keeps_the_rules(
    fairness_weight: int, own_staff: int | None
) -> None:
    """The synthetic problem (reserve targets, two partners' staff, night shifts): the roster
    keeps every hard rule and, with all own staff, has on-call duty; its objective is what
    the CP-SAT model gives the same duties (with the fairness goal: its spread of weekend
    days and night shifts too); its bound is at most CP-SAT's optimum. With three own
    employees only, the reserve needs the partners: every day they may lend is lent (P1 two
    days, P2 one, as CP-SAT's optimum has it) and the roster is proven optimal (its
    objective reaches its bound)."""
    problem, settings = synthetic_problem(), RosterSettings(fairness_weight=fairness_weight)
    if own_staff is not None:
        problem = replace(problem, employees=problem.employees[:own_staff])
    start = column_generation(problem, settings, deadline=time.perf_counter() + 20)
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert own_staff is not None or any(role == ON_CALL for _, _, role in start.duties)
    optimum, cost = _cp_sat_optimum_and_cost_of(problem, settings, start.duties)
    assert cost == pytest.approx(start.objective)
    assert start.bound <= optimum + 1e-6
    if own_staff is not None:
        lent = roster.assignments[roster.assignments["role"] == LENT]
        assert sorted(lent["employee"]) == ["P1", "P1", "P2"]
        assert start.objective == start.bound == optimum


@pytest.mark.parametrize("own_staff", [None, 3])
def test_column_generation_prices_stability_and_keeps_the_frozen_days(
    own_staff: int | None,
) -> None:
    """A previous roster (CP-SAT's optimum of the synthetic problem), then E1 absent on days
    7-9 and the previous roster frozen on day 0 and on the days it lends partners' staff:
    column generation keeps every hard rule and every frozen duty (lent days included), its
    objective is what CP-SAT's model gives the same duties (stability priced against the
    previous roster) and is CP-SAT's proven optimum, and its bound proves it."""
    problem = synthetic_problem()
    if own_staff is not None:
        problem = replace(problem, employees=problem.employees[:own_staff])
    settings = RosterSettings(fairness_weight=0)
    m, _ = build_model(problem, settings)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # the same previous roster on every run
    assert solver.solve(m.model) == cp_model.OPTIMAL
    chosen = sorted((p, r, role) for p, r, role, var in m.choices if solver.boolean_value(var))
    previous = roster_tables(problem, chosen).assignments
    lent_days = set(previous.loc[previous["role"] == LENT, "date"])
    assert (own_staff is None) == (not lent_days)
    frozen = frozenset({problem.dates[0], *lent_days})
    first = problem.employees[0]
    absent = replace(first, unavailable=frozenset({*first.unavailable, *problem.dates[7:10]}))
    problem = replace(problem, employees=(absent, *problem.employees[1:]))
    settings = replace(settings, frozen_days=frozen)
    start = column_generation(
        problem, settings, deadline=time.perf_counter() + 20, previous=previous
    )
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    keys = ["employee", "date", "shift", "site", "skill", "role"]
    on_frozen_days = [
        sorted(map(tuple, table.loc[table["date"].isin(frozen), keys].astype(str).values))
        for table in (previous, roster.assignments)
    ]
    assert on_frozen_days[0] and on_frozen_days[0] == on_frozen_days[1]
    optimum, cost = _cp_sat_optimum_and_cost_of(problem, settings, start.duties, previous=previous)
    assert cost == pytest.approx(start.objective)
    assert start.objective == pytest.approx(optimum) == pytest.approx(start.bound)


def test_no_column_generation_roster_names_the_employee_who_cannot_keep_the_rules() -> None:
    problem = read_curtois(DATA / "Instance1.txt")
    overworked = replace(problem.employees[3], min_minutes=problem.horizon_days * 24 * 60)
    problem = replace(
        problem, employees=(*problem.employees[:3], overworked, *problem.employees[4:])
    )
    deadline = time.perf_counter() + 10
    with pytest.raises(NoRoster) as raised:
        column_generation(problem, curtois_settings(), deadline=deadline)
    assert raised.value.persons == [3]


def test_the_bound_prices_each_exact_employee_within_their_tracked_type_limits() -> None:
    """Instance17 with night shifts worth 100 and every other row 5: an employee's best roster
    would work nights beyond their limit. What the Lagrangian bound takes for an exactly priced
    employee (``_Pricing.best_value``) is CP-SAT's best roster value under every rule, far
    below what the program without the tracked type counts would take."""
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    prices = [100 if row.shift_id == "N" else 5 for row in problem.requirements]
    duals = np.array(prices, dtype=float)
    pricing = employee_pricing(problem, settings)
    for e in (0, 14):
        person = pricing[e]
        assert person.exact
        value = person.best_value(duals)
        assert value == pytest.approx(_cp_sat_best_value(problem, settings, e, prices))
        person.rules = person.loose
        assert person.best_value(duals) > value + 1000


def test_the_fairness_rows_price_every_chosen_roster_at_zero_reduced_cost() -> None:
    """With the fairness goal, every roster the first linear program chooses is worth exactly
    its employee's convexity dual at the program's prices (row prices and load prices), and
    the Lagrangian bound from those prices is the program's optimum, not above it; the
    program's optimum is at most the roster's objective and its spread is priced (some load
    price is not 0)."""
    problem, settings = synthetic_problem(), RosterSettings(fairness_weight=1)
    master = Master(problem, settings, time.perf_counter() + 30)
    pricing = person_pricing(problem, settings, master)
    with ThreadPoolExecutor(2) as pool:
        now = time.perf_counter()
        constructed = _construct(master, pricing, pool, now + 5, now + 5)
        assert constructed is not None
        _generate(master, pricing, {}, time.perf_counter() + 20, pool)
        prices, convexity, values = master.solve()
        optimum = master.lp.getObjectiveValue()
        for j in np.flatnonzero(values > 1e-6):
            e, rows = master.columns[j]
            gain = master.gain(e, rows, master.costs[j], prices)
            assert gain + convexity[e] == pytest.approx(0.0, abs=1e-6)
        bound = lagrangian_bound(master, pricing, pool)
    assert np.abs(prices[master.rows :]).max() > 0
    assert bound <= optimum + 1e-6 and bound >= optimum - 1
    assert optimum <= master.value(constructed)


def _constructed_and_solved_cold(source: str) -> tuple[Master, dict[int, int], Master]:
    """For ``source`` (a Curtois–Qu instance's name, or "synthetic" with the fairness goal):
    a master with the construction's columns, not yet solved, the constructed roster, and a
    second master with the same columns solved by the simplex from the slack basis."""
    if source == "synthetic":
        problem, settings = synthetic_problem(), RosterSettings(fairness_weight=1)
    else:
        problem, settings = read_curtois(DATA / f"{source}.txt"), curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 60)
    pricing = person_pricing(problem, settings, master)
    with ThreadPoolExecutor(2) as pool:
        now = time.perf_counter()
        constructed = _construct(master, pricing, pool, now + 10, now + 10)
    cold = Master(problem, settings, time.perf_counter() + 60)
    for (e, rows), cost in zip(master.columns, master.costs, strict=True):
        cold.add(e, rows, cost)
    cold.solve()
    return master, constructed, cold


@pytest.mark.parametrize(("source", "share"), [("Instance17", 0.5), ("synthetic", 1.0)])
def test_the_first_solve_starts_from_the_constructed_rosters_basis(
    source: str, share: float
) -> None:
    """The first linear program starts primal feasible at the constructed roster
    (``Master.start_from``): it reaches the same optimum as a solve from the slack basis, at
    most the roster's value, in under ``share`` of its simplex iterations (the synthetic
    problem, with the fairness goal's rows, is too small to halve them)."""
    master, constructed, cold = _constructed_and_solved_cold(source)
    master.start_from(constructed)
    master.solve()
    iterations = master.lp.getInfo().simplex_iteration_count
    assert master.lp.getModelStatus() == cold.lp.getModelStatus() == HighsModelStatus.kOptimal
    assert master.lp.getObjectiveValue() == pytest.approx(cold.lp.getObjectiveValue())
    assert master.lp.getObjectiveValue() <= master.value(constructed) + 1e-6
    assert iterations < share * cold.lp.getInfo().simplex_iteration_count


@pytest.mark.parametrize("source", ["Instance17", "synthetic"])
def test_the_interior_solves_reach_the_simplex_optimum_and_leave_a_vertex(source: str) -> None:
    """Within ``Master.interior`` the constructed columns' program stays on the simplex while
    its solves are quick and is solved by the interior point method, to the simplex's
    optimum, once one took longer than ``after``; the first solve after that block ends at a
    vertex with a basis, from which the next simplex solve of the same program takes no
    iteration (the synthetic problem has the fairness goal's rows)."""
    master, _, simplex = _constructed_and_solved_cold(source)
    optimum = simplex.lp.getObjectiveValue()
    with master.interior(after=math.inf):
        master.solve()
        master.solve()
        assert master.lp.getInfo().ipm_iteration_count == 0  # quick: the simplex's basis
        assert master.lp.getInfo().simplex_iteration_count == 0
    with master.interior(after=0.0):
        master.solve()  # by the simplex: longer than 0 s
        master.solve()
        assert master.lp.getInfo().ipm_iteration_count > 0
        assert master.lp.getInfo().simplex_iteration_count == 0
        assert master.lp.getObjectiveValue() == pytest.approx(optimum)
    master.solve()
    assert master.lp.getModelStatus() == HighsModelStatus.kOptimal
    assert master.lp.getBasis().valid
    assert master.lp.getObjectiveValue() == pytest.approx(optimum)
    master.solve()
    assert master.lp.getInfo().ipm_iteration_count == 0
    assert master.lp.getInfo().simplex_iteration_count == 0
    assert master.lp.getObjectiveValue() == pytest.approx(optimum)
