"""Best-response passes (``descent``) on Curtois–Qu Instance17 (tests/data/roster) with its
pricing programs made banded: passes never raise the objective, stop on a pass that changes
nothing, keep the roster they improve within their bands, and wider programs lower that roster
further; the result keeps every rule and its objective is the independent Curtois
objective."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns, descent
from optimizer.roster.master import Master
from optimizer.roster.plan import roster_tables
from optimizer.roster.pricing import best_roster
from tests.test_roster_checker import (
    DATA,
    curtois_objective,
    hard_rule_violations,
    lone_weekends_worked,
)

INSTANCE = DATA / "Instance17.txt"


@pytest.fixture
def banded(band_programs):
    """Instance17's problem, settings, master and banded pricing, with a constructed roster
    (the construction's first pass only)."""
    band_programs(100_000)
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 60)
    pricing = columns.person_pricing(problem, settings, master, None)
    assert sum(not person.exact for person in pricing) >= len(pricing) // 2
    with ThreadPoolExecutor(2) as pool:
        now = time.perf_counter()
        chosen = columns._construct(master, pricing, pool, now + 30, now)  # no passes
    assert chosen is not None
    return problem, settings, master, pricing, chosen


def test_passes_lower_the_roster_and_wider_programs_lower_it_further(banded) -> None:
    problem, settings, master, pricing, chosen = banded
    order = list(range(master.employees))
    constructed = master.value(chosen)
    began = time.perf_counter()
    assert descent.descend(master, pricing, chosen, order, began + 60) > 0
    # the passes stopped on one that changed nothing, long before their deadline
    assert time.perf_counter() - began < 30
    converged = master.value(chosen)
    assert converged < constructed
    banded_programs = sum(not person.exact for person in pricing)
    with descent.wider(pricing) as widened:
        assert widened == banded_programs
        assert descent.descend(master, pricing, chosen, order, time.perf_counter() + 60) > 0
    assert master.value(chosen) < converged
    start = columns._result(master, pricing, chosen, [("none", 0.0)])
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(master.value(chosen))


def test_passes_at_a_lone_weekend_cost_also_keep_ties_that_complete_weekends(banded) -> None:
    """From a roster the passes have converged on, best responses whose programs price
    weekends worked on one day only change a roster only to lower the objective, or to tie
    it with fewer such weekends (counted independently); some such ties are taken, and
    every rule holds."""
    problem, settings, master, pricing, chosen = banded
    descent.descend(
        master, pricing, chosen, list(range(master.employees)), time.perf_counter() + 60
    )
    for person in pricing:
        person.lone_weekend_cost = 50.0

    def lone() -> int:
        return sum(lone_weekends_worked(problem, master.columns[c][1]) for c in chosen.values())

    ties = 0
    for e in range(master.employees):
        value, lone_before = master.value(chosen), lone()
        if descent.descend(master, pricing, chosen, [e], time.perf_counter() + 60, passes=1):
            if master.value(chosen) == pytest.approx(value):
                assert lone() < lone_before
                ties += 1
            else:
                assert master.value(chosen) < value
        else:
            assert master.value(chosen) == value and lone() == lone_before
    assert ties > 0
    start = columns._result(master, pricing, chosen, [("none", 0.0)])
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []


def test_passes_end_at_their_deadline(banded) -> None:
    _, _, master, pricing, chosen = banded
    before = dict(chosen)
    assert descent.descend(master, pricing, chosen, range(master.employees), 0.0) == 0
    assert chosen == before


def test_wider_programs_are_the_banded_ones_and_get_their_own_back(banded) -> None:
    _, _, _, pricing, _ = banded
    exact = columns.employee_pricing(read_curtois(DATA / "Instance1.txt"), curtois_settings())
    assert all(person.exact for person in exact)
    pricing = [person for person in pricing if not person.exact]
    before = [(person.budget, person.weekend_band) for person in pricing]
    widths = [person.loose.widths() for person in pricing]
    with pytest.raises(RuntimeError), descent.wider([*pricing, *exact]) as widened:
        assert widened == len(pricing)
        assert [(p.budget, p.weekend_band) for p in pricing] == [
            (budget * descent.WIDER, band * 2) for budget, band in before
        ]
        for person, (minutes, weekends) in zip(pricing, widths, strict=True):
            wider_minutes, wider_weekends = person.loose.widths()
            assert wider_minutes >= minutes and wider_weekends >= weekends
        raise RuntimeError("a pass failed")
    assert [(person.budget, person.weekend_band) for person in pricing] == before
    assert all(person.exact for person in exact)


def test_a_stalled_first_program_hands_over_a_roster_lowered_by_wider_programs(
    monkeypatch: pytest.MonkeyPatch,
    band_programs,
) -> None:
    """With banded pricing, a stalled first linear program (made to stall) hands over the
    construction's roster lowered by passes with wider programs; the note gives both values,
    the roster keeps every rule and its objective is the independent one."""
    band_programs(100_000)

    def stalled(*args, **kwargs):
        raise columns._Stalled

    monkeypatch.setattr(columns, "_generate", stalled)
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    deadline = time.perf_counter() + 60
    start = columns.column_generation(problem, settings, deadline=deadline, hand_over=True)
    note, bound = start.notes[-2:]
    assert bound.startswith(f"bound {start.bound:,.0f}")
    constructed = float(note.split("constructed roster's value (")[1].split(")")[0])
    assert note.endswith(f"with wider pricing programs ({start.objective:g})")
    assert start.objective < constructed
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(start.objective)


def _path(rules, types):
    """[day] (minutes units worked so far in the period, weekends worked so far) of the
    roster working ``types`` (type index per day, −1 off), counted independently of
    ``EmployeeRules``: a weekend counts on its first day worked."""
    units, weekends, counted = 0, 0, set()
    minutes, weekend_counts = [], []
    weekend_of = np.cumsum(rules.weekend_first) - 1
    for d, t in enumerate(types):
        if t >= 0:
            units += int(rules.units[t])
            if rules.weekend[d] and weekend_of[d] not in counted:
                counted.add(weekend_of[d])
                weekends += 1
        minutes.append(units)
        weekend_counts.append(weekends)
        if rules.period_last[d]:
            units = 0
    return np.array(minutes), np.array(weekend_counts)


def test_a_pass_centres_the_bands_on_the_roster_it_improves(banded) -> None:
    """Every banded program's minutes and weekends bands, centred on the employee's
    constructed roster, hold that roster's path on every day, and the program finds a
    roster at least as valuable as it at values that favour exactly its shifts."""
    _, _, master, pricing, chosen = banded
    checked = 0
    for e, person in enumerate(pricing):
        rules = person.loose
        if rules.exact:
            continue
        rows = master.columns[chosen[e]][1]
        types = person._types_worked(rows)
        open_days = np.ones(len(types), dtype=bool)
        minutes, weekends = _path(rules, types)
        width, weekend_width = rules.widths()
        low = rules.band_low(open_days, types)
        inside = ~rules.period_last  # the count restarts on a period's last day
        assert (low[inside] <= minutes[inside]).all()
        assert (minutes[inside] <= low[inside] + width - 1).all()
        weekend_low = rules.weekend_low(open_days, types)
        assert (weekend_low <= weekends).all() and (
            weekends <= weekend_low + weekend_width - 1
        ).all()
        work_value = np.full((len(types), len(person.types)), -1.0)
        worked = np.flatnonzero(types >= 0)
        work_value[worked, types[worked]] = 1.0
        found = best_roster(rules, work_value, np.zeros(len(types)), types)
        assert found is not None and found[1] >= len(worked)
        checked += 1
    assert checked >= len(pricing) // 2


def test_passes_pricing_two_at_a_time_lower_the_roster_and_keep_every_rule(banded) -> None:
    problem, settings, master, pricing, chosen = banded
    constructed = master.value(chosen)
    with ThreadPoolExecutor(2) as pool:
        changes = descent.descend(
            master,
            pricing,
            chosen,
            list(range(master.employees)),
            time.perf_counter() + 60,
            pool=pool,
            workers=2,
            passes=1,
        )
    assert changes > 0 and master.value(chosen) < constructed
    start = columns._result(master, pricing, chosen, [("none", 0.0)])
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(master.value(chosen))


def test_a_weekend_band_behind_the_roster_moves_a_weekend_later_where_ahead_cannot(
    banded,
) -> None:
    """An employee at the weekend limit, at values that reward being off on the first
    weekend their constructed roster works and working a weekend after its last: only the
    band one below the roster's path (``behind``) reaches a roster that does both, within
    the limit."""
    _, _, master, pricing, chosen = banded
    checked = 0
    for e, person in enumerate(pricing):
        rules = person.loose
        if not rules.weekends_bind or rules.widths()[1] != 2:
            continue
        types = person._types_worked(master.columns[chosen[e]][1])
        _, weekends = _path(rules, types)
        first_days = np.flatnonzero(rules.weekend_first)
        worked = [d for d in first_days if (types[d : d + 2] >= 0).any()]
        later = [d for d in first_days if d > worked[-1] + 1 and d + 1 < len(types)]
        if weekends[-1] < rules.max_weekends or not later:
            continue
        early, late = worked[0], later[-1]
        work_value = np.full((len(types), len(person.types)), -1.0)
        on = np.flatnonzero(types >= 0)
        work_value[on, types[on]] = 1.0
        work_value[early : early + 2] = -1000.0
        work_value[late : late + 2] = 1000.0
        off_value = np.zeros(len(types))
        moves = {}
        for behind in (False, True):
            found = best_roster(rules, work_value, off_value, types, behind=behind)
            assert found is not None
            _, counts = _path(rules, found[0])
            assert counts[-1] <= rules.max_weekends
            moves[behind] = (found[0][early : early + 2] < 0).all() and (
                found[0][late : late + 2] >= 0
            ).any()
        assert moves == {False: False, True: True}
        checked += 1
    assert checked >= 5


def test_pricing_centred_on_a_roster_alternates_its_weekend_band_and_no_other_pricing(
    banded,
) -> None:
    """Each pricing centred on a roster takes the other weekend band; a pricing on the
    pro-rata path finds the same roster before and after one, whichever band is next."""
    _, _, master, pricing, chosen = banded
    e, person = next((e, p) for e, p in enumerate(pricing) if not p.exact and p.loose.weekends_bind)
    rows = master.columns[chosen[e]][1]
    staffed = np.zeros(master.rows)
    for column in chosen.values():
        worked = master.columns[column][1]
        np.add.at(staffed, worked[worked >= 0], 1)
    np.add.at(staffed, rows[rows >= 0], -1)
    prices = descent.cover_prices(master, staffed)
    on_path = person.price(prices)
    assert on_path is not None
    bands = []
    for _ in range(3):
        assert person.price(prices, around=rows) is not None
        bands.append(person.behind)
        again = person.price(prices)
        assert again is not None and np.array_equal(again[0], on_path[0])
    assert bands == [True, False, True]
