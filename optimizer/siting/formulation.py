"""Objective formulations of the siting model, each added to a ``ModelBuilder`` as array blocks.

Columns: ``y`` (one binary per candidate site), ``u`` (covered fraction per coverable demand
point, max-cover only), ``z`` (radius variables of the travel formulation).

Travel uses the radius (covering) formulation of Elloumi (2010): for demand point ``i`` with
sorted distinct reachable minutes ``D_i^0 < ... < D_i^{K-1}``, ``z_i^k = 1`` means "no open site
within ``D_i^k``". Its travel is ``D_i^0 + sum_k (D_i^{k+1} - D_i^k) z_i^k`` and the rows are
chained, ``z_i^k + sum_{j: d_ij = D_i^k} y_j >= z_i^{k-1}`` (``z_i^{-1} = 1``, ``z_i^{K-1} = 0``),
so each pair appears once. Its LP bound equals the strong ``x_ij <= y_j`` formulation with
far fewer rows and columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from optimizer.siting.mip import ModelBuilder
from optimizer.siting.problem import SitingProblem

GROUP_COVERAGE = "coverage"
GROUP_STATION_LIMIT = "station_limit"
GROUP_TRAVEL = "travel"
GROUP_STAGE = "previous_stage"


@dataclass(frozen=True)
class TravelLevels:
    """Sorted distinct reachable minutes per demand point, flattened (see module docstring).

    Attributes:
        entry_site: site index of each kept (demand, site) entry, sorted by (demand, minutes).
        entry_level: global level index of each kept entry.
        level_minutes: minutes of each level (levels of one demand point are consecutive).
        level_demand: demand index of each level.
        first_level: index of the first level of each demand point (n_demand + 1 offsets).
        open_ended: the stage need not reach any open site from these demand points: their
            last level carries a ``z`` too, at no cost, so a point left without an open site
            within reach costs its farthest level's minutes instead of making the stage
            infeasible (a station limit below what full coverage needs).
    """

    entry_site: np.ndarray
    entry_level: np.ndarray
    level_minutes: np.ndarray
    level_demand: np.ndarray
    first_level: np.ndarray
    open_ended: bool = False

    def reaching_demand(self) -> np.ndarray:
        """Indices of the demand points that reach at least one site (have levels)."""
        return np.flatnonzero(np.diff(self.first_level) > 0)

    def first_levels(self) -> np.ndarray:
        """Index of the first level of each demand point that has levels."""
        return self.first_level[self.reaching_demand()]

    def z_levels(self) -> np.ndarray:
        """Levels that carry a ``z`` column: all but the last of each demand point (all of them
        when ``open_ended``)."""
        if self.open_ended:
            return np.arange(len(self.level_minutes))
        return np.flatnonzero(~self.is_last())

    def is_last(self) -> np.ndarray:
        """Per level: whether it is its demand point's farthest."""
        is_last = np.zeros(len(self.level_minutes), dtype=bool)
        is_last[self.first_level[self.reaching_demand() + 1] - 1] = True
        return is_last


def travel_levels(
    minutes: sparse.csr_matrix, *, exact_stations: int | None, open_ended: bool = False
) -> TravelLevels:
    """Distinct reachable minutes per demand point (``open_ended``: see ``TravelLevels``).

    With exactly ``p = exact_stations`` sites open, the nearest open site of a demand point is
    among its ``n_sites - p + 1`` nearest, so farther levels are dropped.
    """
    n_demand, n_sites = minutes.shape
    counts = np.diff(minutes.indptr)
    rows = np.repeat(np.arange(n_demand), counts)
    order = np.lexsort((minutes.data, rows))
    values, sites = minutes.data[order], minutes.indices[order]
    if exact_stations is not None:
        cut = np.minimum(counts, max(n_sites - exact_stations + 1, 1)) - 1
        cap = np.full(n_demand, -np.inf)
        has = counts > 0
        cap[has] = values[minutes.indptr[:-1][has] + cut[has]]
        keep = values <= cap[rows]
        rows, values, sites = rows[keep], values[keep], sites[keep]
    new_level = np.ones(len(rows), dtype=bool)
    new_level[1:] = (rows[1:] != rows[:-1]) | (values[1:] != values[:-1])
    entry_level = np.cumsum(new_level) - 1
    level_demand = rows[new_level]
    first_level = np.concatenate(
        [[0], np.cumsum(np.bincount(level_demand, minlength=n_demand))]
    ).astype(np.int64)
    return TravelLevels(
        entry_site=sites.astype(np.int64),
        entry_level=entry_level,
        level_minutes=values[new_level],
        level_demand=level_demand,
        first_level=first_level,
        open_ended=open_ended,
    )


def add_site_columns(builder: ModelBuilder, problem: SitingProblem, *, cost_weight: float) -> slice:
    """Binary ``y`` per site; forced-open sites get lower bound 1; cost = site cost × weight."""
    return builder.add_columns(
        "y",
        problem.n_sites,
        cost=problem.site_costs() * cost_weight,
        lower=problem.forced_open().astype(float),
        upper=1.0,
        integer=True,
    )


OVERLAP_PRODUCTS_LIMIT = 20_000_000
"""Most products the pairwise overlap of a coverage pattern's rows or sites may take; beyond it
nothing is dropped as implied or dominated. The products are the squared counts along the other
axis: on a random 1,000 × 10,000 set-covering shape at 5 % density the sites' overlap (250 M
products) took 18 s and 3 GB and found nothing to drop; 20 M take about 1.5 s."""


def overlap_fits(counts: np.ndarray) -> bool:
    """Whether a pairwise overlap whose products are ``sum(counts²)`` stays within
    ``OVERLAP_PRODUCTS_LIMIT`` (``counts``: nonzeros per row of the product's shared axis)."""
    return float(np.square(counts, dtype=float).sum()) <= OVERLAP_PRODUCTS_LIMIT


def minimal_cover_rows(cover: sparse.csr_matrix) -> np.ndarray:
    """Rows of a coverage matrix not implied by another row.

    Covering row ``k`` covers row ``i`` too when the sites of ``k`` are a subset of those of
    ``i``; such an ``i`` is dropped (among identical rows the first is kept).

    Returns:
        Indices of the rows to keep (rows with no site are not kept); every row with a site
        when the pairwise overlap would exceed ``OVERLAP_PRODUCTS_LIMIT``.
    """
    counts = np.diff(cover.indptr)
    if not overlap_fits(np.bincount(cover.indices, minlength=cover.shape[1])):
        return np.flatnonzero(counts > 0)
    as_int = cover.astype(np.int32)
    overlap = (as_int @ as_int.T).tocoo()
    k, i = overlap.row, overlap.col
    implied = (k != i) & (overlap.data == counts[k]) & ((counts[k] < counts[i]) | (k < i))
    redundant = np.zeros(cover.shape[0], dtype=bool)
    redundant[i[implied]] = True
    return np.flatnonzero(~redundant & (counts > 0))


def add_full_coverage(builder: ModelBuilder, problem: SitingProblem, y: slice) -> None:
    """Every coverable demand point has an open site within ``coverage_minutes``.

    Only rows not implied by another row are added (``minimal_cover_rows``).
    """
    cover = problem.coverage()
    rows = minimal_cover_rows(cover)
    sub = cover[rows].tocoo()
    builder.add_rows(
        GROUP_COVERAGE, sub.row, sub.col + y.start, 1.0,
        lower=1.0, upper=np.inf, count=len(rows),
    )  # fmt: skip


def add_partial_coverage(
    builder: ModelBuilder,
    problem: SitingProblem,
    y: slice,
    *,
    reward_per_resident: float,
    min_covered_residents: float | None,
) -> slice:
    """``u_i <= sum of covering y``; objective ``-reward × residents × u``; optional floor.

    Returns:
        The slice of the ``u`` columns (one per coverable demand point, in demand order).
    """
    cover = problem.coverage()
    coverable = np.flatnonzero(np.diff(cover.indptr) > 0)
    weights = problem.weights_residents[coverable]
    u = builder.add_columns(
        "u", len(coverable), cost=-reward_per_resident * weights, lower=0.0, upper=1.0
    )
    sub = cover[coverable].tocoo()
    rows = np.concatenate([sub.row, np.arange(len(coverable))])
    cols = np.concatenate([sub.col + y.start, np.arange(u.start, u.stop)])
    values = np.concatenate([-np.ones(sub.nnz), np.ones(len(coverable))])
    builder.add_rows(
        GROUP_COVERAGE, rows, cols, values, lower=-np.inf, upper=0.0, count=len(coverable)
    )
    if min_covered_residents is not None:
        builder.add_row(
            GROUP_STAGE, np.arange(u.start, u.stop), weights,
            lower=min_covered_residents, upper=np.inf,
        )  # fmt: skip
    return u


def add_travel(
    builder: ModelBuilder, problem: SitingProblem, y: slice, levels: TravelLevels
) -> slice:
    """Radius formulation of resident-weighted travel minutes (see module docstring).

    Returns:
        The slice of the ``z`` columns (one per level except each demand point's last, unless
        the levels are open-ended).
    """
    n_levels = len(levels.level_minutes)
    weights = problem.weights_residents
    z_levels = levels.z_levels()
    is_last = levels.is_last()
    following = np.minimum(z_levels + 1, n_levels - 1)
    step_minutes = np.where(
        is_last[z_levels], 0.0, levels.level_minutes[following] - levels.level_minutes[z_levels]
    )
    z = builder.add_columns(
        "z", len(z_levels), cost=weights[levels.level_demand[z_levels]] * step_minutes,
        lower=0.0, upper=np.inf,
    )  # fmt: skip
    z_of_level = np.full(n_levels, -1)
    z_of_level[z_levels] = np.arange(z.start, z.stop)
    is_first = np.zeros(n_levels, dtype=bool)
    is_first[levels.first_levels()] = True
    previous = np.flatnonzero(~is_first)  # rows that subtract the previous level's z
    rows = np.concatenate([levels.entry_level, z_levels, previous])
    cols = np.concatenate(
        [levels.entry_site + y.start, z_of_level[z_levels], z_of_level[previous - 1]]
    )
    values = np.concatenate(
        [np.ones(len(levels.entry_level)), np.ones(len(z_levels)), -np.ones(len(previous))]
    )
    builder.add_rows(
        GROUP_TRAVEL, rows, cols, values,
        lower=is_first.astype(float), upper=np.inf, count=n_levels,
    )  # fmt: skip
    first = levels.first_levels()
    builder.offset += float(weights[levels.level_demand[first]] @ levels.level_minutes[first])
    return z


def travel_start(levels: TravelLevels, nearest_minutes: np.ndarray) -> np.ndarray:
    """Values of the ``z`` columns when each demand point's nearest open site is
    ``nearest_minutes`` away (``inf``: none)."""
    z_levels = levels.z_levels()
    return (levels.level_minutes[z_levels] < nearest_minutes[levels.level_demand[z_levels]]).astype(
        float
    )


def add_station_limit(
    builder: ModelBuilder,
    problem: SitingProblem,
    y: slice,
    *,
    max_stations: int | None,
    exact: bool,
    budget: float | None,
    max_site_cost: float | None,
) -> None:
    """At most (or exactly) ``max_stations`` open; site cost within ``budget``/``max_site_cost``."""
    sites = np.arange(y.start, y.stop)
    if max_stations is not None:
        builder.add_row(
            GROUP_STATION_LIMIT, sites, 1.0,
            lower=float(max_stations) if exact else -np.inf, upper=float(max_stations),
        )  # fmt: skip
    if budget is not None:
        builder.add_row(
            GROUP_STATION_LIMIT, sites, problem.site_costs(), lower=-np.inf, upper=budget
        )
    if max_site_cost is not None:
        builder.add_row(
            GROUP_STAGE, sites, problem.site_costs(), lower=-np.inf, upper=max_site_cost
        )
