"""The best site for an outlet within its district, with every other outlet fixed: an exact
siting MIP (``siting.solve_siting``, lexicographic: most residents covered, then least
resident-weighted travel) over the other outlets (kept open) and the candidate sites of the
outlet's district, its own site included, exactly one of which opens.

Travel minutes stop at the review's reach, so some residents reach none of these sites; the
MIP's travel stage sends every resident to an open site, so those residents go to a stand-in
site, always open, just beyond the longest computed minutes and beyond ``coverage_minutes``:
they weigh the same wherever the outlet goes, cover nothing, and the MIP stays feasible."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from optimizer.review.problem import ReviewProblem
from optimizer.review.settings import ReviewSettings
from optimizer.siting.model import solve_siting
from optimizer.siting.problem import SitingProblem, canonical_csr
from optimizer.siting.settings import SitingSettings
from optimizer.solve import SolveReport, SolverLimits


def district_sites(problem: ReviewProblem, outlet: int) -> np.ndarray:
    """The outlet's own site and the candidate sites in its district (indices of sites)."""
    districts = problem.siting.districts
    candidates = np.arange(problem.n_outlets, problem.siting.n_sites)
    if districts is None:
        return np.array([outlet])
    site_district = np.asarray(districts.site_district)
    district = site_district[outlet]
    inside = candidates[(site_district[candidates] == district) & (district >= 0)]
    return np.concatenate([[outlet], inside])


def best_site(
    problem: ReviewProblem, settings: ReviewSettings, outlet: int, limits: SolverLimits
) -> tuple[int, SolveReport]:
    """The site ``outlet`` should be at, all other outlets fixed.

    Returns:
        (site index in ``problem.siting``: the outlet's own when no site does better, the
        solve's report).
    """
    travel = problem.siting.travel_minutes
    others = np.setdiff1d(np.arange(problem.n_outlets), [outlet])
    choices = district_sites(problem, outlet)
    columns = np.concatenate([others, choices])
    fixed = len(others) + 1
    sub = SitingProblem(
        weights_residents=problem.siting.weights_residents,
        travel_minutes=canonical_csr(
            sparse.hstack(
                [beyond_reach_column(travel, settings.coverage_minutes), travel[:, columns]],
                format="csr",
            )
        ),
        coverage_minutes=settings.coverage_minutes,
        site_ids=["beyond reach", *(str(j) for j in columns)],
        opening_cost=np.zeros(len(columns) + 1),
        existing=np.arange(len(columns) + 1) < fixed,
    )
    plan, report = solve_siting(
        sub,
        SitingSettings(objective="lexicographic", max_stations=fixed + 1, density_rule=False),
        limits,
    )
    chosen = [int(columns[j - 1]) for j in plan.open_sites if j >= fixed]
    return (chosen[0] if chosen else outlet), report


def beyond_reach_column(travel: sparse.csr_matrix, coverage_minutes: float) -> sparse.csr_matrix:
    """The stand-in site for residents out of reach.

    Returns:
        A residents × 1 column of minutes just above both the longest minutes in ``travel``
        and ``coverage_minutes`` (so it covers no one).
    """
    longest = max(float(travel.data.max()) if travel.nnz else 0.0, coverage_minutes)
    return sparse.csr_matrix(np.full((travel.shape[0], 1), np.nextafter(longest, np.inf)))
