"""Best-response passes (``descent``) on Curtois–Qu Instance17 (tests/data/roster) with its
pricing programs made banded: passes never raise the objective, stop at a roster no pass
changes, and wider programs lower that roster further; the result keeps every rule and its
objective is the independent Curtois objective."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster import columns, descent
from optimizer.roster.master import Master
from optimizer.roster.plan import roster_tables
from tests.test_roster_checker import DATA, curtois_objective, hard_rule_violations

INSTANCE = DATA / "Instance17.txt"


@pytest.fixture
def banded(monkeypatch: pytest.MonkeyPatch):
    """Instance17's problem, settings, master and banded pricing, with a constructed roster
    (the construction's first pass only)."""
    monkeypatch.setattr(columns, "EMPLOYEE_BUDGET", (100_000, 100_000))
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
    assert descent.descend(master, pricing, chosen, order, time.perf_counter() + 60) > 0
    converged = master.value(chosen)
    assert converged < constructed
    # the passes stopped because one changed nothing: another changes nothing
    assert descent.descend(master, pricing, chosen, order, time.perf_counter() + 60) == 0
    banded_programs = sum(not person.exact for person in pricing)
    with descent.wider(pricing) as widened:
        assert widened == banded_programs
        assert descent.descend(master, pricing, chosen, order, time.perf_counter() + 60) > 0
    assert master.value(chosen) < converged
    start = columns._result(master, pricing, chosen, 0.0)
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(master.value(chosen))


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
) -> None:
    """With banded pricing, a stalled first linear program (made to stall) hands over the
    construction's roster lowered by passes with wider programs; the note gives both values,
    the roster keeps every rule and its objective is the independent one."""
    monkeypatch.setattr(columns, "EMPLOYEE_BUDGET", (100_000, 100_000))

    def stalled(*args, **kwargs):
        raise columns._Stalled

    monkeypatch.setattr(columns, "_generate", stalled)
    problem, settings = read_curtois(INSTANCE), curtois_settings()
    deadline = time.perf_counter() + 60
    start = columns.column_generation(problem, settings, deadline=deadline, hand_over=True)
    note = start.notes[-1]
    constructed = float(note.split("constructed roster's value (")[1].split(")")[0])
    assert note.endswith(f"with wider pricing programs ({start.objective:g})")
    assert start.objective < constructed
    roster = roster_tables(problem, sorted(start.duties))
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    assert curtois_objective(problem, roster.assignments) == pytest.approx(start.objective)
