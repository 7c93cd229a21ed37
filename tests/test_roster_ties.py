"""The first of a proven optimum's ties (``optimizer.roster.ties``) on the synthetic two-site
problem, which has dozens of optimal rosters: one roster whichever optimum a search reached,
optimal, and lexicographically first in the model's choice order."""

from __future__ import annotations

import time

import pytest
from ortools.sat.python import cp_model

from optimizer.roster import engine, ties
from optimizer.roster.model import build_model
from optimizer.roster.settings import RosterSettings
from tests.test_roster_checker import synthetic_problem

OPTIMUM = 25.0
"""The synthetic problem's optimal objective (CP-SAT proves it in about 0.3 s)."""
SEEDS = range(6)
"""Seeds of the one-worker searches whose optimal rosters differ (six seeds, six rosters)."""


@pytest.fixture(scope="module")
def model_and_optima():
    """The synthetic problem's model, its choice variables and the optimal rosters that
    one-worker searches with ``SEEDS`` reach."""
    m, _ = build_model(synthetic_problem(), RosterSettings())
    choices = [var for *_, var in m.choices]
    optima = []
    for seed in SEEDS:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        assert solver.solve(m.model) == cp_model.OPTIMAL
        assert solver.objective_value == OPTIMUM
        optima.append([bool(solver.boolean_value(var)) for var in choices])
    return m, choices, optima


def _objective_with(m, choices, values: list[bool]) -> float:
    """The model's objective with every choice fixed to ``values``."""
    fixed = m.model.clone()
    for var, value in zip(choices, values, strict=True):
        fixed.add(fixed.get_bool_var_from_proto_index(var.index) == int(value))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(fixed) == cp_model.OPTIMAL
    return solver.objective_value


def test_the_searches_reach_different_optima(model_and_optima) -> None:
    _, _, optima = model_and_optima
    assert len({tuple(values) for values in optima}) > 1


def test_the_first_of_ties_is_one_optimal_roster_first_in_choice_order(model_and_optima) -> None:
    m, choices, optima = model_and_optima
    first = ties.first_of_ties(m.model, choices, OPTIMUM, seconds=30.0)
    assert first is not None
    assert _objective_with(m, choices, first) == OPTIMUM
    for values in optima:
        assert first >= values  # lexicographically: True > False, earliest choices first
    assert ties.first_of_ties(m.model, choices, OPTIMUM, seconds=30.0) == first


def test_the_model_keeps_its_objective(model_and_optima) -> None:
    m, choices, _ = model_and_optima
    before = (list(m.model.proto.objective.vars), len(m.model.proto.constraints))
    ties.first_of_ties(m.model, choices, OPTIMUM, seconds=30.0)
    assert (list(m.model.proto.objective.vars), len(m.model.proto.constraints)) == before


def test_no_time_gives_no_roster(model_and_optima) -> None:
    m, choices, _ = model_and_optima
    assert ties.first_of_ties(m.model, choices, OPTIMUM, seconds=0.0) is None


def test_a_value_below_the_optimum_has_no_roster(model_and_optima) -> None:
    m, choices, _ = model_and_optima
    assert ties.first_of_ties(m.model, choices, OPTIMUM - 1, seconds=30.0) is None


@pytest.mark.parametrize(
    ("solve", "left", "expected"),
    [
        (0.3, 59.0, ties.LEAST_SECONDS),
        (5.0, 59.0, 5.0 * ties.SOLVE_FACTOR),
        (5.0, 3.0, 3.0),
        (5.0, -1.0, 0.0),
    ],
)
def test_the_time_for_ties_follows_the_solve_within_the_limit(solve, left, expected) -> None:
    assert ties.seconds_for_ties(solve, left) == pytest.approx(expected)


def test_a_stop_request_keeps_the_searchs_own_roster_without_a_note(
    model_and_optima, monkeypatch
) -> None:
    m, _, optima = model_and_optima
    monkeypatch.setattr(engine.stop, "requested", lambda: True)
    notes: list[str] = []
    now = time.perf_counter()
    assert engine._first_of_ties(m, optima[0], OPTIMUM, now, now + 60, notes) is optima[0]
    assert notes == []
