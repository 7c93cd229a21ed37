"""The best site for an outlet within its district, with every other outlet fixed: an exact
siting MIP (``siting.solve_siting``, lexicographic: most residents covered, then least
resident-weighted travel) over the other outlets (kept open) and the candidate sites of the
outlet's district, its own site included, exactly one of which opens."""

from __future__ import annotations

import numpy as np

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
    others = np.setdiff1d(np.arange(problem.n_outlets), [outlet])
    choices = district_sites(problem, outlet)
    columns = np.concatenate([others, choices])
    sub = SitingProblem(
        weights_residents=problem.siting.weights_residents,
        travel_minutes=canonical_csr(problem.siting.travel_minutes[:, columns].tocsr()),
        coverage_minutes=settings.coverage_minutes,
        site_ids=[str(j) for j in columns],
        opening_cost=np.zeros(len(columns)),
        existing=np.arange(len(columns)) < len(others),
    )
    plan, report = solve_siting(
        sub,
        SitingSettings(objective="lexicographic", max_stations=len(others) + 1, density_rule=False),
        limits,
    )
    chosen = [int(columns[j]) for j in plan.open_sites if j >= len(others)]
    return (chosen[0] if chosen else outlet), report
