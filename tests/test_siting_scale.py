"""Siting beyond the bundled sizes: a covering plan from the first second, a presolve whose
pairwise overlaps stay bounded, and the p-median's proof on the hardest bundled instance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer.formats import read_published_instance, solve_published_instance
from optimizer.siting import formulation, reduce_problem
from optimizer.siting.heuristics import greedy_cover
from optimizer.solve import SolverLimits, SolveStatus

DATA = Path(__file__).parent / "data"
SCP41_OPTIMUM = 429


def _scp41_rows_and_costs() -> tuple[list[set[int]], np.ndarray]:
    """scp41's rows (each the set of columns covering it) and column costs, read straight from
    the OR-Library file, independently of svcplan's reader."""
    tokens = iter((DATA / "scp41.txt").read_text().split())
    n_rows, n_columns = int(next(tokens)), int(next(tokens))
    costs = np.array([float(next(tokens)) for _ in range(n_columns)])
    rows = []
    for _ in range(n_rows):
        count = int(next(tokens))
        rows.append({int(next(tokens)) - 1 for _ in range(count)})
    return rows, costs


def test_the_greedy_cover_covers_every_row_with_no_redundant_column() -> None:
    problem = read_published_instance("orlib-scp", DATA / "scp41.txt").problem
    open_sites = greedy_cover(problem.coverage(), problem.site_costs(), problem.forced_open())
    rows, costs = _scp41_rows_and_costs()
    chosen = set(np.flatnonzero(open_sites).tolist())
    assert all(row & chosen for row in rows)
    for column in chosen:  # closing any one column uncovers some row
        assert any(row & chosen == {column} for row in rows)
    assert costs[list(chosen)].sum() >= SCP41_OPTIMUM


def test_forced_sites_stay_open_in_the_greedy_cover() -> None:
    problem = read_published_instance("orlib-scp", DATA / "scp41.txt").problem
    forced = np.zeros(problem.n_sites, dtype=bool)
    forced[[0, 999]] = True
    open_sites = greedy_cover(problem.coverage(), problem.site_costs(), forced)
    assert open_sites[0] and open_sites[999]


def test_a_covering_plan_is_returned_even_when_the_limit_ends_before_the_solver_finds_one() -> None:
    plan, report = solve_published_instance(
        "orlib-scp", DATA / "scp41.txt", SolverLimits(time_limit_seconds=0.001)
    )
    assert report.status in (SolveStatus.FEASIBLE, SolveStatus.OPTIMAL)
    rows, costs = _scp41_rows_and_costs()
    chosen = {int(site) for site in plan.open_sites}
    assert all(row & chosen for row in rows)
    assert report.objective == pytest.approx(costs[list(chosen)].sum())
    assert report.objective >= SCP41_OPTIMUM


def test_past_the_overlap_limit_nothing_is_dropped_and_the_optimum_still_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem = read_published_instance("orlib-scp", DATA / "scp41.txt").problem
    _, reduction = reduce_problem(
        problem, coverage_only=True, drop_dominated=True, drop_implied=True
    )
    assert reduction.n_sites_after < problem.n_sites  # the presolve drops sites on scp41
    monkeypatch.setattr(formulation, "OVERLAP_PRODUCTS_LIMIT", 0)
    _, unreduced = reduce_problem(
        problem, coverage_only=True, drop_dominated=True, drop_implied=True
    )
    assert unreduced.n_sites_after == problem.n_sites
    assert unreduced.n_demand_after == problem.n_demand
    _, report = solve_published_instance(
        "orlib-scp", DATA / "scp41.txt", SolverLimits(time_limit_seconds=60)
    )
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(SCP41_OPTIMUM)
