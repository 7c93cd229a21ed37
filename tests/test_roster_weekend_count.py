"""The weekend count plan that guides the column-generation construction where the weekend
plan's MIP does not (``optimizer.roster.weekend_count``), on Curtois–Qu Instance17 (32
staff, 8 weeks, each employee at most 4 weekends, weekend demand beyond those limits)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import weekends
from optimizer.roster.columns import PRICING_THREADS, _construct, column_generation, person_pricing
from optimizer.roster.master import Master
from optimizer.roster.pins import FREE
from optimizer.roster.problem import RosterProblem
from optimizer.roster.weekend_count import applies, weekend_count_plan
from optimizer.roster.weekends import ANY_ROW, GUIDE_SHARE
from tests.test_roster_checker import LOOSE_GAP

DATA = Path(__file__).parent / "data" / "roster"
SATURDAY = 5


def _instance17() -> RosterProblem:
    return read_curtois(DATA / "Instance17.txt")


def _saturdays(problem: RosterProblem) -> list[int]:
    return [d for d, day in enumerate(problem.dates[:-1]) if day.weekday() == SATURDAY]


def _busier_day_needs(problem: RosterProblem) -> dict[int, int]:
    """Saturday's index → the staff needed on the busier day of its weekend, recounted from
    the requirement rows."""
    needed = np.zeros(problem.horizon_days, dtype=int)
    for row in problem.requirements:
        needed[problem.day_index(row.day)] += row.staff_needed
    return {d: int(max(needed[d], needed[d + 1])) for d in _saturdays(problem)}


def test_the_count_plan_works_whole_weekends_within_each_limit_and_spreads_the_shortfall() -> None:
    """Each employee is planned whole weekends they may work on both days, at most their
    limit of 4; each weekend at most the staff its busier day needs. The limits allow 128
    weekends for 166 needed, so all 128 are planned, and the shortfall is spread: every
    weekend gets at least three quarters of its need (planned first come, first served,
    the last three of the eight weekends got 11 of 24, 6 of 17 and 6 of 20)."""
    problem = _instance17()
    plan = weekend_count_plan(problem, curtois_settings())
    saturdays, needs = _saturdays(problem), _busier_day_needs(problem)
    weekend_day = np.array([day.weekday() >= SATURDAY for day in problem.dates])
    assert (plan[:, ~weekend_day] == FREE).all()
    assert np.isin(plan[:, weekend_day], [ANY_ROW, -1]).all()
    for e, employee in enumerate(problem.employees):
        planned = [d for d in saturdays if plan[e, d] == ANY_ROW]
        assert all((plan[e, d] == ANY_ROW) == (plan[e, d + 1] == ANY_ROW) for d in saturdays)
        assert len(planned) <= employee.max_weekends == 4
        dates = problem.dates
        assert not any({dates[d], dates[d + 1]} & employee.unavailable for d in planned)
    staffed = {d: int((plan[:, d] == ANY_ROW).sum()) for d in saturdays}
    assert sum(needs.values()) == 166 and sum(staffed.values()) == 128
    for d in saturdays:
        assert int(0.75 * needs[d]) <= staffed[d] <= needs[d]


def test_the_count_plan_guides_every_row_of_a_planned_day_and_charges_the_other_weekend_days() -> (
    None
):
    """``weekends.guides`` on the count plan: every row an employee may staff on a planned
    weekend day gains ``GUIDE_SHARE`` of its under-cover weight; every row on their other
    weekend days loses as much; weekday rows are left alone."""
    problem, settings = _instance17(), curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 60)
    pricing = person_pricing(problem, settings, master)
    plan = weekend_count_plan(problem, settings)
    guides = weekends.guides(problem, plan, [p.rows for p in pricing], master.under)
    row_day = np.array([problem.day_index(row.day) for row in problem.requirements])
    for e, (rows, gains) in guides.items():
        workable = pricing[e].rows[pricing[e].rows < len(row_day)]
        on_weekends = workable[plan[e, row_day[workable]] != FREE]
        assert sorted(rows.tolist()) == sorted(on_weekends.tolist())
        planned = plan[e, row_day[rows]] == ANY_ROW
        premium = GUIDE_SHARE * master.under[rows]
        assert np.allclose(gains, np.where(planned, premium, -premium))
    assert len(guides) == len(problem.employees)


def _first_pass(
    problem: RosterProblem, plan: np.ndarray, *, guided: bool, centres: np.ndarray | None = None
) -> tuple[list, np.ndarray]:
    """The construction's first pass alone on ``problem`` (guided by ``plan`` or not, its
    weekend bands kept to ``centres`` if given): the pricing programs and ``[employee,
    day]`` whether the roster works that day."""
    settings = curtois_settings()
    master = Master(problem, settings, time.perf_counter() + 60)
    pricing = person_pricing(problem, settings, master)
    guides = weekends.guides(problem, plan, [p.rows for p in pricing], master.under)
    with ThreadPoolExecutor(PRICING_THREADS) as pool:
        now = time.perf_counter()
        chosen = _construct(
            master,
            pricing,
            pool,
            now + 30,
            now,
            guides=guides if guided else None,
            centres=centres,
        )
    worked = np.array([master.columns[chosen[e]][1] for e in range(len(plan))]) >= 0
    return pricing, worked


def test_the_construction_guided_by_the_count_plan_works_the_planned_weekends() -> None:
    """Guided, the construction's rosters work more of the planned weekend days, and fewer
    of the others, than unguided."""
    problem = _instance17()
    plan = weekend_count_plan(problem, curtois_settings())
    on_plan, off_plan = [], []
    for guided in (False, True):
        _, worked = _first_pass(problem, plan, guided=guided)
        on_plan.append(int(worked[plan == ANY_ROW].sum()))
        off_plan.append(int(worked[plan == -1].sum()))
    assert on_plan[1] > on_plan[0] and off_plan[1] < off_plan[0]


def test_banded_programs_keep_to_the_planned_weekends_in_the_first_pass_with_the_plan_centres(
    band_programs,
) -> None:
    """With programs banded (as on a year's horizon), the guided first pass works more of
    the planned weekend days when each guided employee's weekend band keeps to their
    plan's weekends (``weekends.weekend_centres``) than on the pro-rata path, which spreads
    every employee's weekends alike (188 of 256 against 155 when written); afterwards no
    program keeps a plan's centre."""
    band_programs(100_000)
    problem = _instance17()
    plan = weekend_count_plan(problem, curtois_settings())
    centres = weekends.weekend_centres(plan)
    assert np.array_equal(centres >= 0, plan == ANY_ROW)
    on_plan = []
    for centred in (False, True):
        pricing, worked = _first_pass(
            problem, plan, guided=True, centres=centres if centred else None
        )
        assert sum(not person.exact for person in pricing) >= len(pricing) // 2
        assert all(person.weekend_centre is None for person in pricing)
        on_plan.append(int(worked[plan == ANY_ROW].sum()))
    assert on_plan[1] > on_plan[0]


def test_column_generation_is_guided_by_the_count_plan_where_no_weekend_plan_guides_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the weekend plan's MIP is not run (here: as if the weekends were not short) and
    the construction's roster is the search's start, the count plan guides it, and the
    notes say so; without any weekend limit below the horizon's weekends, or with on-call
    reserve (which spends weekends too), it does not."""
    problem, settings = _instance17(), curtois_settings()
    monkeypatch.setattr(weekends, "binds", lambda problem, settings: False)
    guided = "guided by a weekend count plan (32 employees' prices moved)"
    loose = {"relative_gap": LOOSE_GAP, "wider": True}
    start = column_generation(problem, settings, deadline=time.perf_counter() + 3, **loose)
    assert any(guided in note for note in start.notes)
    unlimited = replace(
        problem, employees=tuple(replace(e, max_weekends=None) for e in problem.employees)
    )
    on_call = (replace(problem.requirements[0], reserve_needed=1), *problem.requirements[1:])
    assert applies(problem, settings) and not applies(unlimited, settings)
    assert not applies(replace(problem, requirements=on_call), settings)
    start = column_generation(unlimited, settings, deadline=time.perf_counter() + 3, **loose)
    assert not any("weekend count plan" in note for note in start.notes)
