"""Presolve: drop dominated candidate sites and merge interchangeable demand points.

- A site is *dominated* when another site covers a superset of its demand points at no higher
  cost (ties broken by index). Dropping it keeps an optimum of ``cover`` and ``max_cover``;
  it is not valid when travel minutes matter or when rules refer to sites (districts, posts,
  existing stations), and the caller only asks for it then.
- Demand points with the same covering sites (``cover``/``max_cover``), or the same reachable
  sites at the same minutes (travel objectives), are merged into one with their summed weight.
- A demand point is *implied* when its covering sites include all of another point's: any plan
  covering the other covers it too. Dropping implied points keeps the optimum of ``cover``, where
  every coverable point must be covered and weights do not count. Dropping points can make more
  sites dominated and the other way round, so the two alternate until neither finds any.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from optimizer.siting.formulation import minimal_cover_rows, overlap_fits
from optimizer.siting.problem import Districts, SitingProblem


@dataclass(frozen=True)
class Reduction:
    """What the presolve removed.

    Attributes:
        n_demand_before, n_demand_after: demand points before/after merging.
        n_sites_before, n_sites_after: candidate sites before/after dropping.
        demand_group: per original demand point, its merged point (-1: dropped as implied).
        kept_sites: original index of each remaining site.
    """

    n_demand_before: int
    n_demand_after: int
    n_sites_before: int
    n_sites_after: int
    demand_group: np.ndarray
    kept_sites: np.ndarray

    def to_dict(self) -> dict[str, int]:
        """Counts before/after, JSON-ready."""
        return {
            "n_demand_before": self.n_demand_before,
            "n_demand_after": self.n_demand_after,
            "n_sites_before": self.n_sites_before,
            "n_sites_after": self.n_sites_after,
        }


def dominated_sites(problem: SitingProblem) -> np.ndarray:
    """Bool mask of sites dominated in coverage and cost (forced-open sites never are); only
    the sites covering nothing when the sites' pairwise overlap would exceed
    ``formulation.OVERLAP_PRODUCTS_LIMIT``."""
    cover = problem.coverage().astype(np.int32)
    size = np.asarray(cover.sum(axis=0)).ravel()
    costs = problem.site_costs()
    dominated = (size == 0) & (costs >= 0)
    if overlap_fits(np.diff(cover.indptr)):
        overlap = (cover.T @ cover).tocoo()
        j, k, shared = overlap.row, overlap.col, overlap.data
        subset = (j != k) & (shared == size[j]) & (costs[k] <= costs[j])
        strict = (size[k] > size[j]) | (costs[k] < costs[j]) | (k < j)
        dominated[j[subset & strict]] = True
    return dominated & ~problem.forced_open()


def implied_demand(problem: SitingProblem) -> np.ndarray:
    """Bool mask of demand points whose covering sites include all of another point's
    (``minimal_cover_rows``); points no site covers are never implied."""
    cover = problem.coverage()
    implied = np.diff(cover.indptr) > 0
    implied[minimal_cover_rows(cover)] = False
    return implied


def merge_keys(matrix: sparse.csr_matrix, *, with_values: bool) -> np.ndarray:
    """Group index per row: rows with the same pattern (and values, if asked) share one."""
    indptr, indices = matrix.indptr, matrix.indices
    data = matrix.data
    groups: dict[bytes, int] = {}
    out = np.empty(matrix.shape[0], dtype=np.int64)
    for row in range(matrix.shape[0]):
        part = indices[indptr[row] : indptr[row + 1]].tobytes()
        if with_values:
            part += b"|" + data[indptr[row] : indptr[row + 1]].tobytes()
        out[row] = groups.setdefault(part, len(groups))
    return out


def reduce_problem(
    problem: SitingProblem, *, coverage_only: bool, drop_dominated: bool, drop_implied: bool = False
) -> tuple[SitingProblem, Reduction]:
    """Reduced problem and the record of the reduction.

    Args:
        problem: the problem.
        coverage_only: the objective looks only at coverage (merge on covering sets);
            otherwise merge on identical reachable sites and minutes.
        drop_dominated: drop dominated sites (only valid for ``cover``/``max_cover`` without
            site-referencing rules).
        drop_implied: also drop implied demand points, alternating with dominated sites (only
            valid for ``cover`` without site-referencing rules; needs ``drop_dominated``).
    """
    kept = np.arange(problem.n_sites)
    reduced = problem
    if drop_dominated:
        kept = np.flatnonzero(~dominated_sites(problem))
        reduced = keep_sites(problem, kept)
    matrix = reduced.coverage() if coverage_only else reduced.travel_minutes
    group = merge_keys(matrix, with_values=not coverage_only)
    n_groups = int(group.max()) + 1 if len(group) else 0
    representative = np.zeros(n_groups, dtype=np.int64)
    representative[group[::-1]] = np.arange(len(group))[::-1]
    weights = np.bincount(group, weights=reduced.weights_residents, minlength=n_groups)
    districts = reduced.districts
    if districts is not None:
        districts = Districts(
            demand_district=districts.demand_district[representative],
            site_district=districts.site_district,
            urban=districts.urban,
            residents=problem.district_residents(),
            names=districts.names,
        )
    merged = replace(
        reduced,
        weights_residents=weights,
        travel_minutes=reduced.travel_minutes[representative],
        districts=districts,
    )
    if drop_implied:
        merged, kept, kept_groups = _drop_implied(merged, kept)
        renumber = np.full(n_groups, -1, dtype=np.int64)
        renumber[kept_groups] = np.arange(len(kept_groups))
        group = renumber[group]
    reduction = Reduction(
        n_demand_before=problem.n_demand,
        n_demand_after=merged.n_demand,
        n_sites_before=problem.n_sites,
        n_sites_after=len(kept),
        demand_group=group,
        kept_sites=kept,
    )
    return merged, reduction


def _drop_implied(
    problem: SitingProblem, kept_sites: np.ndarray
) -> tuple[SitingProblem, np.ndarray, np.ndarray]:
    """Alternately drop implied demand points and dominated sites until neither changes.

    Returns:
        (reduced problem, original index of each remaining site, index in ``problem`` of each
        remaining demand point).
    """
    kept_demand = np.arange(problem.n_demand)
    while True:
        implied = implied_demand(problem)
        if not implied.any():
            return problem, kept_sites, kept_demand
        kept_demand = kept_demand[~implied]
        problem = keep_demand(problem, np.flatnonzero(~implied))
        dominated = dominated_sites(problem)
        if not dominated.any():
            return problem, kept_sites, kept_demand
        kept_sites = kept_sites[~dominated]
        problem = keep_sites(problem, np.flatnonzero(~dominated))


def keep_demand(problem: SitingProblem, kept: np.ndarray) -> SitingProblem:
    """The problem restricted to the demand points ``kept``."""
    districts = problem.districts
    if districts is not None:
        districts = replace(
            districts,
            demand_district=districts.demand_district[kept],
            residents=problem.district_residents(),
        )
    return replace(
        problem,
        weights_residents=problem.weights_residents[kept],
        travel_minutes=problem.travel_minutes[kept],
        districts=districts,
    )


def keep_sites(problem: SitingProblem, kept: np.ndarray) -> SitingProblem:
    """The problem restricted to the sites ``kept`` (its typed posts must be empty)."""

    def pick(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else np.asarray(values)[kept]

    return replace(
        problem,
        travel_minutes=problem.travel_minutes[:, kept].tocsr(),
        site_ids=[problem.site_ids[j] for j in kept],
        opening_cost=pick(problem.opening_cost),
        site_x=pick(problem.site_x),
        site_y=pick(problem.site_y),
        existing=pick(problem.existing),
        closing_saving=pick(problem.closing_saving),
        districts=None
        if problem.districts is None
        else replace(problem.districts, site_district=problem.districts.site_district[kept]),
    )
