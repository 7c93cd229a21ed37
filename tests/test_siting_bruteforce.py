"""Each objective against exhaustive enumeration of site subsets on tiny random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from optimizer.siting import SitingProblem, SitingSettings, solve_siting
from optimizer.solve import SolveStatus

N_DEMAND, N_SITES, P = 14, 7, 3


def tiny_problem(seed: int) -> SitingProblem:
    """Integer minutes 0..40, ~30% of pairs unreachable, one uncoverable demand point."""
    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 41, size=(N_DEMAND, N_SITES)).astype(float)
    minutes[rng.random(minutes.shape) < 0.3] = np.inf
    minutes[:, 0] = np.where(np.isinf(minutes[:, 0]), 30.0, minutes[:, 0])  # all reachable
    minutes[0] = np.where(np.isfinite(minutes[0]), np.maximum(minutes[0], 20.0), np.inf)
    minutes[1, 2] = 0.0  # a 0-minute pair must count as reachable and covering
    return SitingProblem.from_cost_matrix(
        minutes,
        weights=rng.integers(1, 50, size=N_DEMAND).astype(float),
        coverage_minutes=15,
        opening_cost=rng.integers(1, 4, size=N_SITES).astype(float),
    )


def dense(problem: SitingProblem) -> np.ndarray:
    out = np.full(problem.travel_minutes.shape, np.inf)
    coo = problem.travel_minutes.tocoo()
    out[coo.row, coo.col] = coo.data
    return out


def enumerate_plans(problem: SitingProblem):
    """(sites, cost, covered residents, travel or inf when a reachable point is stranded)."""
    minutes = dense(problem)
    weights = problem.weights_residents
    reachable = np.isfinite(minutes).any(axis=1)
    for size in range(1, N_SITES + 1):
        for sites in itertools.combinations(range(N_SITES), size):
            nearest = minutes[:, list(sites)].min(axis=1)
            stranded = reachable & ~np.isfinite(nearest)
            covered = weights[nearest <= problem.coverage_minutes].sum()
            travel = np.inf if stranded.any() else weights[reachable] @ nearest[reachable]
            yield sites, problem.opening_cost[list(sites)].sum(), covered, travel


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_cover_matches_enumeration(seed):
    problem = tiny_problem(seed)
    full = problem.weights_residents[problem.coverable()].sum()
    best = min(cost for _, cost, covered, _ in enumerate_plans(problem) if covered == full)
    plan, report = solve_siting(problem, SitingSettings(objective="cover"))
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(best)
    assert plan.covered_residents == pytest.approx(full)
    expected = np.flatnonzero(~(dense(problem) <= 15).any(axis=1))
    assert 0 in expected
    assert list(plan.uncoverable_demand) == list(expected)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_max_cover_matches_enumeration(seed):
    problem = tiny_problem(seed)
    best = max(c for s, _, c, _ in enumerate_plans(problem) if len(s) <= P)
    plan, report = solve_siting(problem, SitingSettings(objective="max_cover", max_stations=P))
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(best)
    assert plan.covered_residents == pytest.approx(best)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_min_travel_matches_enumeration(seed):
    problem = tiny_problem(seed)
    best = min(t for s, _, _, t in enumerate_plans(problem) if len(s) == P)
    plan, report = solve_siting(problem, SitingSettings(objective="min_travel", max_stations=P))
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(best)
    weights = problem.weights_residents
    assert plan.mean_travel_minutes == pytest.approx(best / weights.sum())
    assert len(plan.open_sites) == P


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_min_cost_matches_enumeration(seed):
    problem = tiny_problem(seed)
    best = min(cost + t for _, cost, _, t in enumerate_plans(problem))
    _, report = solve_siting(problem, SitingSettings(objective="min_cost"))
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lexicographic_matches_enumeration(seed):
    problem = tiny_problem(seed)
    plans = list(enumerate_plans(problem))
    full = problem.weights_residents[problem.coverable()].sum()
    cheapest = min(cost for _, cost, covered, _ in plans if covered == full)
    best = min(t for _, cost, covered, t in plans if covered == full and cost == cheapest)
    plan, report = solve_siting(problem, SitingSettings())
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(best)
    assert problem.opening_cost[plan.open_sites].sum() == pytest.approx(cheapest)


def test_lexicographic_with_station_limit_matches_enumeration():
    problem = tiny_problem(4)
    plans = [plan for plan in enumerate_plans(problem) if len(plan[0]) <= 2]
    most = max(covered for _, _, covered, _ in plans)
    cheapest = min(cost for _, cost, covered, _ in plans if covered == most)
    best = min(t for _, c, covered, t in plans if covered == most and c == cheapest)
    plan, report = solve_siting(problem, SitingSettings(max_stations=2))
    assert report.objective == pytest.approx(best)
    assert plan.covered_residents == pytest.approx(most)


@pytest.mark.parametrize("solver", ["cbc", "cp-sat"])
@pytest.mark.parametrize("objective", ["cover", "max_cover", "min_travel", "min_cost"])
def test_alternative_solvers_agree_with_highs(solver, objective):
    problem = tiny_problem(5)
    settings = SitingSettings(objective=objective, max_stations=P if objective != "cover" else None)
    _, highs = solve_siting(problem, settings)
    _, other = solve_siting(problem, SitingSettings(**{**settings.__dict__, "solver": solver}))
    assert other.status == SolveStatus.OPTIMAL
    assert other.solver == solver
    assert other.objective == pytest.approx(highs.objective)
