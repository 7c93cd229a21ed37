"""The joint-closure MIP against brute force over every subset of flagged outlets, and the
merge option's figures recomputed independently on small random instances."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from optimizer.review import rules
from optimizer.review.closure import joint_closure
from optimizer.review.options import Network, merge_option
from optimizer.review.problem import Outlets, ReviewProblem
from optimizer.review.settings import AccessStandard, ReviewSettings
from optimizer.siting.problem import Districts, SitingProblem
from optimizer.solve import SolverLimits


def random_problem(seed: int, n_outlets: int = 7, n_demand: int = 40) -> ReviewProblem:
    """Outlets and residents on a 10 km square, straight-line minutes at 12 km/h."""
    rng = np.random.default_rng(seed)
    outlets_xy = rng.uniform(0, 10_000, (n_outlets, 2))
    demand_xy = rng.uniform(0, 10_000, (n_demand, 2))
    distance = np.linalg.norm(demand_xy[:, None] - outlets_xy[None], axis=2)
    minutes = distance / 200.0
    district = (outlets_xy[:, 0] > 5_000).astype(int)
    siting = SitingProblem.from_cost_matrix(
        minutes,
        weights=rng.integers(100, 2_000, n_demand).astype(float),
        coverage_minutes=15.0,
        existing=np.ones(n_outlets, dtype=bool),
        districts=Districts(
            demand_district=(demand_xy[:, 0] > 5_000).astype(int),
            site_district=district,
            urban=np.array([True, False]),
        ),
    )
    text = np.array([f"o{k}" for k in range(n_outlets)])
    return ReviewProblem(
        outlets=Outlets(
            ids=text,
            names=text,
            types=np.full(n_outlets, "branch"),
            lon=outlets_xy[:, 0],
            lat=outlets_xy[:, 1],
            annual_cost=rng.integers(1, 10, n_outlets).astype(float) * 1000,
            staff=np.full(n_outlets, 3.0),
            assumed_cost=np.zeros(n_outlets, dtype=bool),
            assumed_staff=np.zeros(n_outlets, dtype=bool),
        ),
        volumes=pd.DataFrame(
            rng.integers(100, 1_000, (12, n_outlets)).astype(float),
            index=pd.period_range("2022-01", periods=12, freq="M"),
        ),
        siting=siting,
        demand_urban=(demand_xy[:, 0] > 5_000) == 0,
        demand_ids=np.arange(n_demand).astype(str),
        site_lonlat=outlets_xy,
        travel_label="test",
    )


def brute_force(problem: ReviewProblem, settings: ReviewSettings, flagged: np.ndarray) -> float:
    """Best objective over every subset of ``flagged`` that keeps access and density."""
    all_open = np.ones(problem.n_outlets, dtype=bool)
    today = rules.access(problem, settings, all_open)
    required = rules.required_outlets(problem, settings)
    best = 0.0
    for size in range(len(flagged) + 1):
        for subset in itertools.combinations(flagged, size):
            open_sites = all_open.copy()
            open_sites[list(subset)] = False
            after = rules.access(problem, settings, open_sites)
            per_district = rules.open_per_district(problem, np.flatnonzero(open_sites))
            if not rules.keeps_access(settings, today, after) or (per_district < required).any():
                continue
            if settings.joint_objective == "count":
                value = float(size)
            else:
                value = float(problem.outlets.annual_cost[list(subset)].sum())
            best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("objective", ["count", "saving"])
def test_joint_closure_equals_brute_force(seed: int, objective: str) -> None:
    problem = random_problem(seed)
    settings = ReviewSettings(
        threshold_volume=1.0,
        access=AccessStandard(urban_share=0.9, urban_minutes=12, rural_share=0.8),
        residents_per_outlet=15_000,
        joint_objective=objective,
    )
    flagged = np.arange(problem.n_outlets - 1)
    today = rules.access(problem, settings, np.ones(problem.n_outlets, dtype=bool))
    closed, status, value = joint_closure(problem, settings, flagged, today, SolverLimits())
    assert str(status) == "optimal"
    assert value == pytest.approx(brute_force(problem, settings, flagged))
    open_sites = np.ones(problem.n_outlets, dtype=bool)
    open_sites[closed] = False
    assert rules.keeps_access(settings, today, rules.access(problem, settings, open_sites))


@pytest.mark.parametrize("seed", range(4))
def test_merge_figures_recomputed_independently(seed: int) -> None:
    problem = random_problem(seed)
    settings = ReviewSettings(threshold_volume=1.0)
    recent = problem.volumes.to_numpy().mean(axis=0)
    today = Network.today(problem, settings, recent)
    dense = problem.siting.travel_minutes.toarray()
    weights = problem.siting.weights_residents
    for outlet in range(problem.n_outlets):
        option = merge_option(problem, settings, today, outlet)
        before = dense.min(axis=1)
        after = np.delete(dense, outlet, axis=1).min(axis=1)
        lost = weights[(before <= 15) & (after > 15)].sum()
        assert option.residents_losing_coverage == pytest.approx(lost)
        moved = dense.argmin(axis=1) == outlet
        if moved.any():
            delta = after[moved] - before[moved]
            assert option.travel_change_mean_minutes == pytest.approx(
                np.average(delta, weights=weights[moved])
            )
            assert option.travel_change_max_minutes == pytest.approx(delta.max())
            main = option.receivers[0]
            takers = np.delete(np.arange(problem.n_outlets), outlet)[
                np.delete(dense, outlet, axis=1)[moved].argmin(axis=1)
            ]
            share = weights[moved][takers == main.outlet].sum() / weights[moved].sum()
            assert main.resident_share == pytest.approx(share)
            assert main.load_per_month[0.6] == pytest.approx(
                recent[main.outlet] + 0.6 * share * recent[outlet]
            )
