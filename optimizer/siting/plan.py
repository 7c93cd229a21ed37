"""``SitingPlan``: the chosen sites and what they do for residents, recomputed from the problem."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from optimizer.siting.problem import SitingProblem
from optimizer.siting.rules import required_stations, sites_per_district


@dataclass(frozen=True)
class DistrictDensity:
    """Density-rule compliance of one district."""

    district: int
    name: str
    urban: bool
    residents: float
    required_stations: int
    open_stations: int

    @property
    def compliant(self) -> bool:
        """True when the district has at least its required stations."""
        return self.open_stations >= self.required_stations


@dataclass(frozen=True)
class SitingPlan:
    """A siting solution and its service figures (resident-weighted, minutes).

    Attributes:
        open_sites: indices of the open sites (sorted).
        site_ids: ids of the open sites, in the same order.
        post_types: site id -> typed posts placed there.
        assigned_site: per demand point, its nearest open reachable site, or under the
            capacity rule the site serving most of its residents (-1: none).
        assigned_minutes: per demand point, minutes to that site (nan: none).
        served_residents: residents served by each open site (same order as ``open_sites``):
            the covered residents nearest to it, or under the capacity rule those assigned.
        covered_residents: residents within ``coverage_minutes`` of an open site (under the
            capacity rule: assigned to one within ``coverage_minutes``).
        total_residents: all residents.
        uncovered_demand: demand points not covered by the plan.
        uncoverable_demand: demand points no candidate site covers (blind spots).
        mean_travel_minutes, p95_travel_minutes: over residents with a reachable open site, to
            the nearest one or (capacity rule) to the ones they are assigned to.
        density: compliance per district with a density requirement.
        objective: name of the objective solved.
        objective_value: its value (minutes, residents or cost, per objective).
        presolve: demand points and sites before/after the presolve (``Reduction.to_dict``).
    """

    open_sites: np.ndarray
    site_ids: list[str]
    post_types: dict[str, list[str]]
    assigned_site: np.ndarray
    assigned_minutes: np.ndarray
    served_residents: np.ndarray
    covered_residents: float
    total_residents: float
    uncovered_demand: np.ndarray
    uncoverable_demand: np.ndarray
    mean_travel_minutes: float | None
    p95_travel_minutes: float | None
    density: list[DistrictDensity]
    objective: str
    objective_value: float | None
    presolve: dict[str, int] | None = None

    @property
    def coverage_percent(self) -> float:
        """Covered residents as a percentage of all residents (100 when there are none)."""
        if self.total_residents <= 0:
            return 100.0
        return 100.0 * self.covered_residents / self.total_residents

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (non-finite numbers become ``None``)."""
        return {
            "objective": self.objective,
            "objective_value": _finite(self.objective_value),
            "presolve": self.presolve,
            "open_sites": self.open_sites.tolist(),
            "site_ids": list(self.site_ids),
            "post_types": {k: list(v) for k, v in self.post_types.items()},
            "covered_residents": self.covered_residents,
            "total_residents": self.total_residents,
            "coverage_percent": self.coverage_percent,
            "mean_travel_minutes": _finite(self.mean_travel_minutes),
            "p95_travel_minutes": _finite(self.p95_travel_minutes),
            "uncovered_demand": self.uncovered_demand.tolist(),
            "uncoverable_demand": self.uncoverable_demand.tolist(),
            "density": [
                {
                    "district": d.district,
                    "name": d.name,
                    "urban": d.urban,
                    "residents": d.residents,
                    "required_stations": d.required_stations,
                    "open_stations": d.open_stations,
                    "compliant": d.compliant,
                }
                for d in self.density
            ],
        }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def nearest_open_site(
    travel_minutes: sparse.csr_matrix, open_mask: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest open reachable site per demand point.

    Returns:
        (site index per demand point, -1 when none; minutes to it, nan when none).
    """
    n_demand = travel_minutes.shape[0]
    rows = np.repeat(np.arange(n_demand), np.diff(travel_minutes.indptr))
    keep = open_mask[travel_minutes.indices]
    rows, sites, minutes = rows[keep], travel_minutes.indices[keep], travel_minutes.data[keep]
    order = np.lexsort((sites, minutes, rows))
    rows, sites, minutes = rows[order], sites[order], minutes[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    site = np.full(n_demand, -1, dtype=np.int64)
    site_minutes = np.full(n_demand, np.nan)
    site[rows[first]] = sites[first]
    site_minutes[rows[first]] = minutes[first]
    return site, site_minutes


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantile: float) -> float | None:
    """Smallest value whose cumulative weight reaches ``quantile`` of the total (None if empty)."""
    if len(values) == 0 or weights.sum() <= 0:
        return None
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    position = int(np.searchsorted(cumulative, quantile * cumulative[-1] * (1 - 1e-12)))
    return float(values[order][min(position, len(values) - 1)])


def evaluate_plan(
    problem: SitingProblem,
    open_mask: np.ndarray,
    *,
    post_sites: Mapping[str, np.ndarray],
    objective: str,
    objective_value: float | None,
    residents_per_station: float | None,
    presolve: dict[str, int] | None = None,
    assignment: sparse.csr_matrix | None = None,
) -> SitingPlan:
    """Service figures of the sites in ``open_mask``, computed from ``problem`` alone.

    Args:
        problem: the (unreduced) problem.
        open_mask: bool per site.
        post_sites: post type -> bool mask of sites holding that post.
        objective: objective name, for the record.
        objective_value: the objective value, for the record.
        residents_per_station: density rule parameter (``None``: no density report).
        presolve: the presolve's counts, for the record.
        assignment: under the capacity rule, the share of each demand point's residents
            assigned to each site (csr, n_demand × n_sites); ``None``: nearest open site.
    """
    open_sites = np.flatnonzero(open_mask)
    weights = problem.weights_residents
    if assignment is None:
        service = _nearest_service(problem, open_mask)
    else:
        service = _assigned_service(problem, assignment)
    covered = service.covered_share >= 1.0 - 1e-6
    post_types: dict[str, list[str]] = {}
    for post_type, mask in post_sites.items():
        for j in np.flatnonzero(mask & open_mask):
            post_types.setdefault(str(problem.site_ids[j]), []).append(post_type)
    return SitingPlan(
        open_sites=open_sites,
        site_ids=[str(problem.site_ids[j]) for j in open_sites],
        post_types=post_types,
        assigned_site=service.site,
        assigned_minutes=service.minutes,
        served_residents=service.served[open_sites],
        covered_residents=float(weights @ service.covered_share),
        total_residents=problem.total_residents,
        uncovered_demand=np.flatnonzero(~covered),
        uncoverable_demand=np.flatnonzero(~problem.coverable()),
        mean_travel_minutes=(
            float(np.average(service.pair_minutes, weights=service.pair_residents))
            if service.pair_residents.sum() > 0
            else None
        ),
        p95_travel_minutes=weighted_quantile(service.pair_minutes, service.pair_residents, 0.95),
        density=_density_report(problem, open_mask, residents_per_station),
        objective=objective,
        objective_value=objective_value,
        presolve=presolve,
    )


@dataclass(frozen=True)
class _Service:
    """Who is served where.

    Attributes:
        site, minutes: per demand point, its (main) site and minutes to it (-1 / nan: none).
        covered_share: per demand point, the share of its residents served within the cutoff.
        pair_minutes, pair_residents: minutes and residents of each served (demand, site) pair.
        served: residents served per site (n_sites).
    """

    site: np.ndarray
    minutes: np.ndarray
    covered_share: np.ndarray
    pair_minutes: np.ndarray
    pair_residents: np.ndarray
    served: np.ndarray


def _nearest_service(problem: SitingProblem, open_mask: np.ndarray) -> _Service:
    """Each resident served by the nearest open reachable site."""
    site, minutes = nearest_open_site(problem.travel_minutes, open_mask)
    weights = problem.weights_residents
    reached = site >= 0
    covered = reached & (np.nan_to_num(minutes, nan=np.inf) <= problem.coverage_minutes)
    served = np.bincount(site[covered], weights=weights[covered], minlength=problem.n_sites)
    return _Service(
        site, minutes, covered.astype(float), minutes[reached], weights[reached], served
    )


def _assigned_service(problem: SitingProblem, assignment: sparse.csr_matrix) -> _Service:
    """Residents served along ``assignment`` shares; a demand point's main site is the one
    with its largest share."""
    pairs = assignment.tocoo()
    pair_minutes = np.asarray(problem.travel_minutes[pairs.row, pairs.col]).ravel()
    pair_residents = problem.weights_residents[pairs.row] * pairs.data
    within = pair_minutes <= problem.coverage_minutes
    covered_share = np.bincount(
        pairs.row[within], weights=pairs.data[within], minlength=problem.n_demand
    )
    site = np.full(problem.n_demand, -1, dtype=np.int64)
    minutes = np.full(problem.n_demand, np.nan)
    order = np.lexsort((pairs.data, pairs.row))  # per demand point, its largest share last
    rows = pairs.row[order]
    largest = order[np.append(rows[1:] != rows[:-1], True)] if len(rows) else order
    site[pairs.row[largest]] = pairs.col[largest]
    minutes[pairs.row[largest]] = pair_minutes[largest]
    served = np.bincount(pairs.col, weights=pair_residents, minlength=problem.n_sites)
    return _Service(
        site, minutes, np.minimum(covered_share, 1.0), pair_minutes, pair_residents, served
    )


def _density_report(
    problem: SitingProblem, open_mask: np.ndarray, residents_per_station: float | None
) -> list[DistrictDensity]:
    if problem.districts is None or residents_per_station is None:
        return []
    needed = required_stations(problem, residents_per_station)
    residents = problem.district_residents()
    open_count = sites_per_district(problem.districts.site_district[open_mask], len(needed))
    urban = np.asarray(problem.districts.urban, dtype=bool)
    return [
        DistrictDensity(
            district=int(d),
            name=problem.districts.name(d),
            urban=bool(urban[d]),
            residents=float(residents[d]),
            required_stations=int(needed[d]),
            open_stations=int(open_count[d]),
        )
        for d in range(len(needed))
    ]
