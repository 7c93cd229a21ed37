"""Density rule, typed posts, existing stations, clashes, presolve and honest time limits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from optimizer.errors import InfeasibleError
from optimizer.formats import solve_published_instance
from optimizer.siting import (
    Districts,
    SitingProblem,
    SitingSettings,
    TypedPostRequirement,
    reduce_problem,
    solve_siting,
)
from optimizer.siting.mip import MipModel
from optimizer.solve import SolverLimits, SolveStatus, status_from_highs

DATA = Path(__file__).parent / "data"


def line_city(**kwargs) -> SitingProblem:
    """10 demand points and 10 sites on a line, 1 km apart, 1 minute per km.

    District 0 (urban, sites 0-4) has 12,000 residents: 3 stations at 5,000 per station.
    District 1 (rural, sites 5-9) has 1,000 residents.
    """
    x = np.arange(10.0)
    minutes = np.abs(x[:, None] - x[None, :])
    weights = np.array([2400.0] * 5 + [200.0] * 5)
    districts = Districts(
        demand_district=np.repeat([0, 1], 5),
        site_district=np.repeat([0, 1], 5),
        urban=np.array([True, False]),
        names=["Centro", "Ilhas"],
    )
    return SitingProblem.from_cost_matrix(
        minutes, weights=weights, coverage_minutes=4, districts=districts, **kwargs
    )


def test_density_rule_opens_enough_stations_in_urban_districts():
    plan, report = solve_siting(line_city(), SitingSettings(objective="cover"))
    assert report.status == SolveStatus.OPTIMAL
    centro, ilhas = plan.density
    assert (centro.required_stations, centro.open_stations >= 3, centro.compliant) == (
        3,
        True,
        True,
    )
    assert ilhas.required_stations == 0
    assert report.objective == 4  # 3 in Centro + 1 to cover Ilhas' far end


def test_without_density_rule_fewer_stations_suffice():
    _, report = solve_siting(line_city(), SitingSettings(objective="cover", density_rule=False))
    assert report.objective == 2


def test_typed_post_is_placed_within_reach_of_its_place():
    hub = TypedPostRequirement(
        post_type="self_service_24h",
        category="transport_hub",
        place_sites=[np.array([7])],
        within_minutes=1,
        place_names=["rodoviaria"],
    )
    plan, _ = solve_siting(
        line_city(typed_posts=[hub]), SitingSettings(objective="cover", density_rule=False)
    )
    assert 7 in plan.open_sites
    assert plan.post_types["7"] == ["self_service_24h"]


def test_existing_station_is_kept_open_at_no_cost():
    existing = np.zeros(10, dtype=bool)
    existing[9] = True
    plan, report = solve_siting(
        line_city(existing=existing), SitingSettings(objective="cover", density_rule=False)
    )
    assert 9 in plan.open_sites
    assert report.objective == 1  # the kept station costs nothing; one new one covers the rest


def test_density_needing_more_stations_than_allowed_names_district_and_rules():
    with pytest.raises(InfeasibleError) as caught:
        solve_siting(line_city(), SitingSettings(objective="max_cover", max_stations=2))
    message = str(caught.value)
    assert "Centro" in message and "density" in message and "max_stations is 2" in message
    assert caught.value.exit_code == 3


def test_place_without_candidate_in_reach_is_a_clash():
    hub = TypedPostRequirement("multilingual", "commercial", [np.array([], dtype=int)], 5)
    with pytest.raises(InfeasibleError, match="place 0 \\(commercial\\) has no candidate site"):
        solve_siting(line_city(typed_posts=[hub]), SitingSettings(objective="cover"))


def test_solver_proven_clash_is_explained_by_relaxing_rule_groups():
    # density wants 3 sites in Centro (0-4); the hub post needs site 9; only 3 stations allowed
    hub = TypedPostRequirement("barrier_free", "medical", [np.array([9])], 2)
    with pytest.raises(InfeasibleError) as caught:
        solve_siting(
            line_city(typed_posts=[hub]), SitingSettings(objective="max_cover", max_stations=3)
        )
    clashes = " | ".join(caught.value.clashes)
    assert "density" in clashes and "Centro needs 3" in clashes
    assert "station_limit: max_stations = 3" in clashes
    assert "typed_posts:barrier_free" in clashes


def test_uncoverable_demand_is_reported_not_infeasible():
    minutes = np.array([[1.0, 30.0], [2.0, np.inf], [np.inf, np.inf]])
    problem = SitingProblem.from_cost_matrix(minutes, weights=np.array([1.0, 2.0, 3.0]))
    plan, report = solve_siting(problem, SitingSettings())
    assert report.status == SolveStatus.OPTIMAL
    assert list(plan.uncoverable_demand) == [2]
    assert plan.coverage_percent == pytest.approx(50.0)
    assert plan.to_dict()["uncovered_demand"] == [2]


def test_presolve_merges_identical_demand_and_drops_dominated_sites():
    covers = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=bool)
    problem = SitingProblem.from_coverage(covers, weights=np.array([1.0, 2.0, 3.0, 4.0]))
    reduced, reduction = reduce_problem(problem, coverage_only=True, drop_dominated=True)
    assert reduction.to_dict() == {
        "n_demand_before": 4,
        "n_demand_after": 3,
        "n_sites_before": 3,
        "n_sites_after": 2,
    }
    assert list(reduction.kept_sites) == [1, 2]  # site 0 covers a subset of site 1
    assert reduced.weights_residents.tolist() == [3.0, 3.0, 4.0]
    plan, report = solve_siting(problem, SitingSettings(objective="cover"))
    assert report.objective == 2 and list(plan.open_sites) == [1, 2]
    # ``cover`` also drops the implied point {site 1, site 2} (it contains {site 2})
    _, cover_reduction = reduce_problem(
        problem, coverage_only=True, drop_dominated=True, drop_implied=True
    )
    assert cover_reduction.n_demand_after == 2
    assert plan.to_dict()["presolve"] == cover_reduction.to_dict()


def test_cover_presolve_drops_implied_demand_and_then_dominated_sites():
    # no site is dominated at first; points 1 and 3 are covered whenever point 2 is, and
    # without them sites 0 and 1 cover the same point, so site 1 goes
    covers = np.array([[1, 1, 0], [1, 0, 1], [0, 0, 1], [0, 1, 1]], dtype=bool)
    problem = SitingProblem.from_coverage(covers, weights=np.array([1.0, 2.0, 3.0, 4.0]))
    reduced, reduction = reduce_problem(
        problem, coverage_only=True, drop_dominated=True, drop_implied=True
    )
    assert (reduction.n_demand_after, reduction.n_sites_after) == (2, 2)
    assert list(reduction.kept_sites) == [0, 2]
    assert list(reduction.demand_group) == [0, -1, 1, -1]
    assert reduced.coverage().toarray().tolist() == [[True, False], [False, True]]
    plan, report = solve_siting(problem, SitingSettings(objective="cover"))
    assert report.objective == 2 and list(plan.open_sites) == [0, 2]
    assert plan.coverage_percent == pytest.approx(100.0)


def test_time_limited_run_reports_feasible_with_bound_and_gap():
    _, report = solve_published_instance(
        "orlib-pmed", DATA / "pmed16.txt", SolverLimits(time_limit_seconds=0.5)
    )
    assert report.status == SolveStatus.FEASIBLE
    assert report.objective >= 8162 - 1e-6
    assert report.bound is not None and report.bound <= 8162 + 1e-6
    assert report.gap is not None and report.gap > 0


@pytest.mark.parametrize(
    ("name", "has_solution", "expected"),
    [
        ("kOptimal", True, SolveStatus.OPTIMAL),
        ("kTimeLimit", True, SolveStatus.FEASIBLE),
        ("kTimeLimit", False, SolveStatus.TIME_LIMIT_NO_SOLUTION),
        ("kInterrupt", True, SolveStatus.FEASIBLE),
        ("kInfeasible", False, SolveStatus.INFEASIBLE),
        ("kUnboundedOrInfeasible", False, SolveStatus.ERROR),
        ("kSolveError", False, SolveStatus.ERROR),
    ],
)
def test_highs_status_mapping_is_honest(name, has_solution, expected):
    assert status_from_highs(name, has_solution=has_solution) == expected


def test_same_seed_same_plan():
    problem = line_city()
    first, _ = solve_siting(problem, SitingSettings(), SolverLimits(seed=7))
    second, _ = solve_siting(problem, SitingSettings(), SolverLimits(seed=7))
    assert first.to_dict() == second.to_dict()


def test_density_as_capacity_caps_residents_per_station():
    # 12,000 residents on one spot covered by 4 sites: 5,000 per station needs 3 of them
    minutes = np.array([[1.0, 2.0, 3.0, 4.0]])
    problem = SitingProblem.from_cost_matrix(minutes, weights=np.array([12_000.0]))
    _, plain = solve_siting(problem, SitingSettings(objective="cover"))
    plan, capped = solve_siting(
        problem, SitingSettings(objective="cover", density_as_capacity=True)
    )
    assert (plain.objective, capped.objective) == (1, 3)
    assert plan.coverage_percent == pytest.approx(100.0)
    assert plan.served_residents.sum() == pytest.approx(12_000.0)
    assert plan.served_residents.max() <= 5_000.0 + 1e-6


def test_capacity_travel_is_measured_along_the_assignment():
    # lexicographic: 3 stations, then the nearest three fill up in order of minutes
    minutes = np.array([[1.0, 2.0, 3.0, 4.0]])
    problem = SitingProblem.from_cost_matrix(minutes, weights=np.array([12_000.0]))
    plan, report = solve_siting(problem, SitingSettings(density_as_capacity=True))
    assert list(plan.open_sites) == [0, 1, 2]
    assert report.objective == pytest.approx(5_000 * 1 + 5_000 * 2 + 2_000 * 3)
    assert plan.served_residents.tolist() == pytest.approx([5_000.0, 5_000.0, 2_000.0])
    assert plan.mean_travel_minutes == pytest.approx(21_000 / 12_000)


@pytest.mark.parametrize("objective", ["min_travel", "min_cost"])
def test_capacity_applies_to_travel_objectives(objective):
    # 8,000 residents nearest to site 0; at 5,000 per station 3,000 travel on to site 1
    minutes = np.array([[1.0, 5.0], [1.0, 5.0]])
    problem = SitingProblem.from_cost_matrix(minutes, weights=np.array([4_000.0, 4_000.0]))
    limits = {"max_stations": 2} if objective == "min_travel" else {}
    _, plain = solve_siting(problem, SitingSettings(objective=objective, **limits))
    plan, capped = solve_siting(
        problem, SitingSettings(objective=objective, density_as_capacity=True, **limits)
    )
    opening = 0.0 if objective == "min_travel" else 2.0  # min_cost pays 1 per open site
    assert plain.objective == pytest.approx(8_000 + opening / 2)
    assert capped.objective == pytest.approx(5_000 * 1 + 3_000 * 5 + opening)
    assert plan.served_residents.tolist() == pytest.approx([5_000.0, 3_000.0])


def test_capacity_limits_max_cover():
    minutes = np.array([[1.0, 2.0], [1.0, np.inf]])
    problem = SitingProblem.from_cost_matrix(minutes, weights=np.array([4_000.0, 3_000.0]))
    _, report = solve_siting(
        problem, SitingSettings(objective="max_cover", max_stations=1, density_as_capacity=True)
    )
    assert report.objective == pytest.approx(5_000.0)  # site 0 serves at most 5,000
    plan, _ = solve_siting(
        problem, SitingSettings(objective="max_cover", max_stations=1, density_as_capacity=True)
    )
    assert plan.covered_residents == pytest.approx(5_000.0)
    assert plan.served_residents.tolist() == pytest.approx([5_000.0])


def test_a_start_is_used_only_when_it_keeps_every_row_bound_and_integrality() -> None:
    """One row ``x0 + x1 >= 1`` over two binary columns."""
    model = MipModel(
        cost=np.array([1.0, 2.0]),
        offset=0.0,
        lower=np.zeros(2),
        upper=np.ones(2),
        integer=np.array([True, True]),
        matrix=sparse.csr_matrix(np.array([[1.0, 1.0]])),
        row_lower=np.array([1.0]),
        row_upper=np.array([np.inf]),
        row_groups={},
        columns={"y": slice(0, 2)},
    )
    assert model.satisfied_by(np.array([1.0, 0.0]))
    assert not model.satisfied_by(np.array([0.0, 0.0]))  # breaks the row
    assert not model.satisfied_by(np.array([0.5, 0.5]))  # not integral
    assert not model.satisfied_by(np.array([2.0, 0.0]))  # beyond its upper bound
