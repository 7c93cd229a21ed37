"""Travel stages solved by Benders cuts (one travel column per demand point) reach the same
proven optima as the radius formulation: OR-Library's published p-median optima, and a
lexicographic plan with coverage and density floors on a published road graph."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from optimizer.formats import read_published_instance
from optimizer.siting import SitingSettings, solve_siting
from optimizer.siting.problem import Districts, SitingProblem
from optimizer.solve import SolverLimits, SolveStatus

DATA = Path(__file__).parent / "data"
ALWAYS_CUTS = 0
NEVER_CUTS = None


@pytest.mark.parametrize(
    ("file_name", "optimum"), [("pmed1.txt", 5819), ("pmed4.txt", 3034), ("pmed6.txt", 7824)]
)
def test_published_p_median_optimum_is_reached_and_proven_by_cuts(
    file_name: str, optimum: float
) -> None:
    instance = read_published_instance("orlib-pmed", DATA / file_name)
    settings = replace(instance.settings, travel_cuts_above_levels=ALWAYS_CUTS)
    plan, report = solve_siting(instance.problem, settings, SolverLimits(time_limit_seconds=60))
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(optimum, rel=1e-9)
    assert report.gap == pytest.approx(0.0, abs=1e-6)
    open_sites = plan.open_sites
    assert len(open_sites) == instance.settings.max_stations
    distances = instance.problem.travel_minutes.toarray()
    assert distances[:, open_sites].min(axis=1).sum() == pytest.approx(optimum, rel=1e-9)


def _districted_pmed6() -> SitingProblem:
    """pmed6's 200-vertex graph as a city: each vertex 1,000 residents, covered within its
    shortest paths of 40, in four urban districts by vertex number (at 7,000 residents per
    station the density rule asks for ceil(50,000 / 7,000) = 8 stations in each; coverage alone
    is met by 32 stations placed 7, 8, 11 and 6, so the floors bind)."""
    graph = read_published_instance("orlib-pmed", DATA / "pmed6.txt").problem
    distances = graph.travel_minutes.toarray()
    district = np.arange(graph.n_demand) * 4 // graph.n_demand
    return SitingProblem.from_cost_matrix(
        distances,
        weights=np.full(graph.n_demand, 1000.0),
        coverage_minutes=40.0,
        max_travel_minutes=40.0,
        districts=Districts(
            demand_district=district, site_district=district, urban=np.ones(4, dtype=bool)
        ),
    )


def test_a_lexicographic_plan_with_density_floors_is_the_same_by_cuts() -> None:
    problem = _districted_pmed6()
    limits = SolverLimits(time_limit_seconds=60)
    plans = {}
    for name, above in (("radius", NEVER_CUTS), ("cuts", ALWAYS_CUTS)):
        settings = SitingSettings(residents_per_station=7000, travel_cuts_above_levels=above)
        plans[name] = solve_siting(problem, settings, limits)
    (radius_plan, radius), (cuts_plan, cuts) = plans["radius"], plans["cuts"]
    assert radius.status == cuts.status == SolveStatus.OPTIMAL
    assert cuts.objective == pytest.approx(radius.objective, rel=1e-9)
    assert len(cuts_plan.open_sites) == len(radius_plan.open_sites)
    within = problem.coverage().toarray()
    distances = np.where(within, problem.travel_minutes.toarray(), np.inf)
    nearest = distances[:, cuts_plan.open_sites].min(axis=1)
    assert np.isfinite(nearest).all()  # everyone covered
    assert (1000.0 * nearest).sum() == pytest.approx(cuts.objective, rel=1e-9)
    district = problem.districts.site_district
    assert (np.bincount(district[cuts_plan.open_sites], minlength=4) >= 8).all()


def test_a_time_limit_inside_the_cut_rounds_keeps_the_best_plan_and_a_valid_bound() -> None:
    instance = read_published_instance("orlib-pmed", DATA / "pmed6.txt")
    settings = replace(instance.settings, travel_cuts_above_levels=ALWAYS_CUTS)
    plan, report = solve_siting(instance.problem, settings, SolverLimits(time_limit_seconds=0.05))
    assert report.status == SolveStatus.FEASIBLE
    distances = instance.problem.travel_minutes.toarray()
    assert report.objective == pytest.approx(distances[:, plan.open_sites].min(axis=1).sum())
    assert report.objective >= 7824
    assert report.bound is None or report.bound <= 7824 + 1e-6
    assert report.seconds < 2.0


def test_a_station_limit_below_full_coverage_gives_the_most_coverage_then_least_travel() -> None:
    """Lexicographic with max_stations too few to cover everyone: the travel stage leaves some
    residents without a station within reach (it was reported infeasible), and both travel
    formulations agree on the plan's travel."""
    graph = read_published_instance("orlib-pmed", DATA / "pmed1.txt").problem
    problem = SitingProblem.from_cost_matrix(
        graph.travel_minutes.toarray(),
        weights=np.full(graph.n_demand, 1000.0),
        coverage_minutes=30.0,
        max_travel_minutes=50.0,
    )
    limits = SolverLimits(time_limit_seconds=60)
    most, _ = solve_siting(
        problem, SitingSettings(objective="max_cover", max_stations=3, density_rule=False), limits
    )
    results = [
        solve_siting(
            problem,
            SitingSettings(max_stations=3, density_rule=False, travel_cuts_above_levels=above),
            limits,
        )
        for above in (NEVER_CUTS, ALWAYS_CUTS)
    ]
    for plan, report in results:
        assert report.status == SolveStatus.OPTIMAL
        assert len(plan.open_sites) == 3
        assert plan.covered_residents == most.covered_residents < problem.total_residents
    assert results[0][1].objective == pytest.approx(results[1][1].objective, rel=1e-8)
