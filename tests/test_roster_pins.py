"""The dive's pins: which days are pinned, that every pin holds in the roster it came from,
and that the pricing program keeps them (Curtois–Qu Instance17 from tests/data/roster)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns
from optimizer.roster.master import Master
from optimizer.roster.pins import FREE, days_to_pin, keeps_pins
from optimizer.roster.plan import roster_tables
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations


def test_pins_come_from_one_roster_that_keeps_them_all() -> None:
    """Three rosters at a third each: every two agree on one day, so each day has two
    thirds, but no roster holds all three days' majority. The pins are the two days of one
    roster, which keeps them."""
    rosters = np.array([[1, 2, 9], [7, 2, 3], [1, 8, 3]])
    shares = np.full(3, 1 / 3)
    free = np.full(3, FREE)
    days, rows = days_to_pin(rosters, shares, free, 0.6)
    assert len(days) == 2
    pinned = free.copy()
    pinned[days] = rows
    assert keeps_pins(rosters, pinned).tolist() == [True, False, False]
    assert days_to_pin(rosters, shares, free, 0.7)[0].size == 0


def test_a_pinned_day_is_not_pinned_again_and_off_days_pin_too() -> None:
    rosters = np.array([[-1, 4, 5], [-1, 4, 6]])
    shares = np.array([0.8, 0.2])
    pinned = np.array([FREE, 4, FREE])
    days, rows = days_to_pin(rosters, shares, pinned, 0.75)
    assert days.tolist() == [0, 2] and rows.tolist() == [-1, 5]


def test_the_pricing_program_keeps_the_pins() -> None:
    """An employee priced at other row prices keeps the first half of the horizon as pinned
    from their roster at the first prices (and does not without the pins)."""
    problem, settings = read_curtois(DATA / "Instance17.txt"), curtois_settings()
    rng = np.random.default_rng(5)
    rows = len(problem.requirements)
    half = problem.horizon_days // 2
    differed = 0
    for employee in columns.employee_pricing(problem, settings)[::8]:
        first = employee.price(rng.uniform(0, 100, rows), certain=True)
        assert first is not None
        other = rng.uniform(0, 100, rows)
        free = employee.price(other, certain=True)
        employee.pinned[:half] = first[0][:half]
        kept = employee.price(other, certain=True)
        assert kept is not None and free is not None
        assert (kept[0][:half] == first[0][:half]).all()
        differed += not (free[0][:half] == first[0][:half]).all()
        employee.pinned[:] = FREE
    assert differed


def test_the_dive_pins_days_lifts_its_pins_and_the_first_program_comes_back() -> None:
    """On Instance1, whose first linear program is fractional (558 against 607), the dive
    pins days, ends with every employee on one roster that keeps the rules, and lifts its
    pins; ``restart`` then gives back the first program's optimum for the second dive."""
    problem, settings = read_curtois(DATA / "Instance1.txt"), curtois_settings()
    pricing = columns.employee_pricing(problem, settings)
    master = Master(problem, settings, time.perf_counter() + 60)
    with ThreadPoolExecutor(2) as pool:
        now = time.perf_counter()
        columns._construct(master, pricing, pool, now + 10, now + 10)
        columns._generate(master, pricing, {}, time.perf_counter() + 30, pool)
        first_optimum, first = master.lp.getObjectiveValue(), len(master.columns)
        assert first_optimum == pytest.approx(558)
        pinned_days = []
        pin = master.pin

        def counting(pinned: dict[int, np.ndarray]) -> None:
            pinned_days.extend(int((days != FREE).sum()) for days in pinned.values())
            pin(pinned)

        master.pin = counting  # type: ignore[method-assign]
        chosen, _ = columns._dive(master, pricing, {}, time.perf_counter() + 30, pool)
    assert sum(pinned_days) > 0
    assert sorted(chosen) == list(range(len(problem.employees)))
    assert all((employee.pinned == FREE).all() for employee in pricing)
    duties = [
        (e, int(r), "work") for e, j in chosen.items() for r in master.columns[j][1] if r >= 0
    ]
    roster = roster_tables(problem, duties).assignments
    assert hard_rule_violations(problem, settings, roster) == []
    assert master.value(chosen) == curtois_objective(problem, roster) >= first_optimum
    master.restart(first)
    master.solve()
    assert master.lp.getObjectiveValue() == pytest.approx(first_optimum)
