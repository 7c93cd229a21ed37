"""The review's rules, each one small named function over arrays.

- **Under-use**: an outlet is flagged when its volume has stayed below the threshold for
  ``streak_months`` consecutive months up to the last month (``streaks.read_months``).
- **Access standard**: in urban districts ``urban_share`` of residents within
  ``urban_minutes`` of an open outlet, in the others ``rural_share`` within
  ``rural_minutes``; where today's network already misses a class's standard, an option must
  keep at least today's share.
- **Density rule**: an urban district keeps ceil(residents / ``residents_per_outlet``) outlets,
  or, where it has fewer today, all it has.
- **Receiving service level**: a merge's main receiving outlet answers at least
  ``min_service_level`` of its visitors within ``answer_within_minutes`` (Erlang C) when it
  takes ``service_level_recapture`` of the closed outlet's volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.review.problem import ReviewProblem
from optimizer.review.settings import ReviewSettings
from optimizer.siting.plan import nearest_open_site
from optimizer.siting.rules import required_stations, sites_per_district
from optimizer.staffing.requirements import erlang_c_service_level

ACCESS_TOLERANCE = 1e-9
"""Residents' shares within this of the target count as meeting it (float sums)."""


@dataclass(frozen=True)
class Access:
    """Who reaches an open outlet within their class's standard.

    Attributes:
        within: per demand point, True when its nearest open outlet is within its class's
            minutes.
        urban_share, rural_share: share of the class's residents within (1.0 when the class
            has no residents).
    """

    within: np.ndarray
    urban_share: float
    rural_share: float


def class_minutes(problem: ReviewProblem, settings: ReviewSettings) -> np.ndarray:
    """The access standard's minutes for each demand point (urban or rural)."""
    access = settings.access
    return np.where(problem.demand_urban, access.urban_minutes, access.rural_minutes)


def access(problem: ReviewProblem, settings: ReviewSettings, open_sites: np.ndarray) -> Access:
    """The access standard's shares with the sites in ``open_sites`` (bool mask) open."""
    _, minutes = nearest_open_site(problem.siting.travel_minutes, open_sites)
    within = np.nan_to_num(minutes, nan=np.inf) <= class_minutes(problem, settings)
    weights = problem.siting.weights_residents
    return Access(
        within=within,
        urban_share=_share(weights, within, problem.demand_urban),
        rural_share=_share(weights, within, ~problem.demand_urban),
    )


def _share(weights: np.ndarray, within: np.ndarray, members: np.ndarray) -> float:
    total = float(weights[members].sum())
    return 1.0 if total <= 0 else float(weights[members & within].sum()) / total


def access_targets(settings: ReviewSettings, today: Access) -> tuple[float, float]:
    """The urban and rural shares an option must reach: the standard's, or today's share
    where today's network misses the standard."""
    standard = settings.access
    return (
        min(standard.urban_share, today.urban_share),
        min(standard.rural_share, today.rural_share),
    )


def keeps_access(settings: ReviewSettings, today: Access, after: Access) -> bool:
    """Access standard: both classes reach their targets after the option."""
    urban, rural = access_targets(settings, today)
    return (
        after.urban_share >= urban - ACCESS_TOLERANCE
        and after.rural_share >= rural - ACCESS_TOLERANCE
    )


def required_outlets(problem: ReviewProblem, settings: ReviewSettings) -> np.ndarray:
    """Outlets each district must keep under the density rule: ceil(residents /
    ``residents_per_outlet``) in urban districts, at most what it has today; zeros when the
    rule is off or there are no districts."""
    today = open_per_district(problem, np.arange(problem.n_outlets))
    if settings.residents_per_outlet is None or problem.siting.districts is None:
        return np.zeros_like(today)
    return np.minimum(required_stations(problem.siting, settings.residents_per_outlet), today)


def open_per_district(problem: ReviewProblem, open_outlets: np.ndarray) -> np.ndarray:
    """Open outlets per district, given the open outlets' indices."""
    districts = problem.siting.districts
    if districts is None:
        return np.zeros(0, dtype=np.int64)
    site_district = np.asarray(districts.site_district)
    return sites_per_district(site_district[open_outlets], len(districts.urban))


def service_level(staff: float, volume_per_month: float, settings: ReviewSettings) -> float | None:
    """Erlang C share of visitors answered within ``answer_within_minutes`` (0–1) for an
    outlet with ``staff`` on duty and ``volume_per_month`` visits spread over its open hours;
    ``None`` without staff."""
    if not np.isfinite(staff) or staff <= 0:
        return None
    arrivals_per_hour = volume_per_month / settings.open_hours_per_month
    level = erlang_c_service_level(
        staff,
        arrivals_per_hour=arrivals_per_hour,
        handling_minutes=settings.handling_minutes,
        answer_within_minutes=settings.answer_within_minutes,
    )
    return float(level)
