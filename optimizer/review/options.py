"""The options for one flagged outlet: merge it, relocate it within its district, or
transform it; each with the figures that justify it, computed from travel minutes alone.

Figures compare the network after the option with today's: every resident goes to the
nearest open outlet (``siting.plan.nearest_open_site``). A merge's receivers are the outlets
its residents go to; they take the closed outlet's recent volume in proportion to the
residents they take, at each recapture share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.review import rules
from optimizer.review.plan import Option, Receiver
from optimizer.review.problem import ReviewProblem
from optimizer.review.settings import ReviewSettings, Transform
from optimizer.siting.plan import nearest_open_site, weighted_quantile


@dataclass(frozen=True)
class Network:
    """Today's network: every outlet open, each resident's nearest outlet and its minutes."""

    open_sites: np.ndarray
    site: np.ndarray
    minutes: np.ndarray
    access: rules.Access
    required: np.ndarray
    recent_volume: np.ndarray

    @classmethod
    def today(
        cls, problem: ReviewProblem, settings: ReviewSettings, recent_volume: np.ndarray
    ) -> Network:
        """Today's network of ``problem`` (``recent_volume``: counts per month per outlet)."""
        open_sites = np.zeros(problem.siting.n_sites, dtype=bool)
        open_sites[: problem.n_outlets] = True
        site, minutes = nearest_open_site(problem.siting.travel_minutes, open_sites)
        return cls(
            open_sites=open_sites,
            site=site,
            minutes=minutes,
            access=rules.access(problem, settings, open_sites),
            required=rules.required_outlets(problem, settings),
            recent_volume=recent_volume,
        )


@dataclass(frozen=True)
class Change:
    """What changes for residents when the open sites change."""

    site: np.ndarray
    minutes: np.ndarray
    moved: np.ndarray
    losing: float
    gaining: float
    access: rules.Access


def change(
    problem: ReviewProblem, settings: ReviewSettings, today: Network, open_sites: np.ndarray
) -> Change:
    """Residents' nearest outlets and coverage with ``open_sites`` (bool per site) open."""
    site, minutes = nearest_open_site(problem.siting.travel_minutes, open_sites)
    cutoff = settings.coverage_minutes
    covered_today = np.nan_to_num(today.minutes, nan=np.inf) <= cutoff
    covered_after = np.nan_to_num(minutes, nan=np.inf) <= cutoff
    weights = problem.siting.weights_residents
    return Change(
        site=site,
        minutes=minutes,
        moved=site != today.site,
        losing=float(weights[covered_today & ~covered_after].sum()),
        gaining=float(weights[covered_after & ~covered_today].sum()),
        access=rules.access(problem, settings, open_sites),
    )


def _travel_figures(
    problem: ReviewProblem, today: Network, after: Change
) -> tuple[float | None, float | None, float | None, float]:
    """Mean, p95 and max change in minutes of the moved residents who still reach an outlet,
    and the moved residents who reach none within the computed reach."""
    weights = problem.siting.weights_residents
    reached = after.moved & np.isfinite(after.minutes) & np.isfinite(today.minutes)
    beyond = float(weights[after.moved & ~np.isfinite(after.minutes)].sum())
    if not reached.any():
        return None, None, None, beyond
    delta = after.minutes[reached] - today.minutes[reached]
    return (
        float(np.average(delta, weights=weights[reached])),
        weighted_quantile(delta, weights[reached], 0.95),
        float(delta.max()),
        beyond,
    )


def _district_figures(
    problem: ReviewProblem, today: Network, outlet: int, open_sites: np.ndarray
) -> tuple[int, int, int]:
    """The outlet's district, the outlets the density rule keeps there, and those open there
    after (relocation candidates count in their own district)."""
    district = int(problem.outlet_district()[outlet])
    if district < 0 or problem.siting.districts is None:
        return district, 0, 0
    site_district = np.asarray(problem.siting.districts.site_district)
    open_after = int((site_district[open_sites] == district).sum())
    return district, int(today.required[district]), open_after


def _option(
    problem: ReviewProblem,
    settings: ReviewSettings,
    today: Network,
    outlet: int,
    kind: str,
    open_sites: np.ndarray,
    *,
    annual_cost_after: float,
    staff_saved: float,
    one_off_cost: float = 0.0,
    receivers: tuple[Receiver, ...] = (),
    site: int = -1,
) -> Option:
    """An option's figures and verdict from the sites open after it."""
    after = change(problem, settings, today, open_sites)
    mean, p95, largest, beyond = _travel_figures(problem, today, after)
    district, required, open_after = _district_figures(problem, today, outlet, open_sites)
    failed = []
    if not rules.keeps_access(settings, today.access, after.access):
        failed.append("access standard")
    if district >= 0 and open_after < required:
        failed.append("density rule")
    main = receivers[0] if receivers else None
    level = None if main is None else main.service_level[settings.service_level_recapture]
    if level is not None and level < settings.min_service_level:
        failed.append("receiving service level")
    cost = float(problem.outlets.annual_cost[outlet])
    return Option(
        outlet=outlet,
        kind=kind,
        passes=not failed,
        failed=tuple(failed),
        annual_cost_after=annual_cost_after,
        annual_saving=cost - annual_cost_after,
        one_off_cost=one_off_cost,
        staff_saved=staff_saved,
        residents_losing_coverage=after.losing,
        residents_gaining_coverage=after.gaining,
        residents_moved=float(problem.siting.weights_residents[after.moved].sum()),
        travel_change_mean_minutes=mean,
        travel_change_p95_minutes=p95,
        travel_change_max_minutes=largest,
        beyond_reach_residents=beyond,
        urban_share=after.access.urban_share,
        rural_share=after.access.rural_share,
        district=district,
        district_required=required,
        district_open_after=open_after,
        receivers=receivers,
        site=outlet if site < 0 else site,
    )


def merge_option(
    problem: ReviewProblem, settings: ReviewSettings, today: Network, outlet: int
) -> Option:
    """Close ``outlet``; its residents go to their nearest remaining outlet."""
    open_sites = today.open_sites.copy()
    open_sites[outlet] = False
    return _option(
        problem, settings, today, outlet, "merge", open_sites,
        annual_cost_after=0.0,
        staff_saved=float(problem.outlets.staff[outlet]),
        receivers=receivers(problem, settings, today, outlet, open_sites),
    )  # fmt: skip


def receivers(
    problem: ReviewProblem,
    settings: ReviewSettings,
    today: Network,
    outlet: int,
    open_sites: np.ndarray,
) -> tuple[Receiver, ...]:
    """The outlets that take ``outlet``'s residents when it closes, most residents first."""
    site, _ = nearest_open_site(problem.siting.travel_minutes, open_sites)
    weights = problem.siting.weights_residents
    leaving = (today.site == outlet) & (site >= 0)
    taken = np.bincount(site[leaving], weights=weights[leaving], minlength=problem.n_outlets)
    total = float(taken.sum())
    volume = float(today.recent_volume[outlet])
    result = []
    for receiver in np.argsort(-taken, kind="stable"):
        if taken[receiver] <= 0:
            break
        share = float(taken[receiver]) / total
        loads = {
            r: float(today.recent_volume[receiver]) + r * share * volume
            for r in settings.recapture_shares
        }
        staff = float(problem.outlets.staff[receiver])
        result.append(
            Receiver(
                outlet=int(receiver),
                resident_share=share,
                load_per_month=loads,
                service_level={
                    r: rules.service_level(staff, load, settings) for r, load in loads.items()
                },
            )
        )
    return tuple(result)


def relocate_option(
    problem: ReviewProblem, settings: ReviewSettings, today: Network, outlet: int, site: int
) -> Option:
    """Move ``outlet`` to ``site`` (chosen by ``relocation.best_site``)."""
    open_sites = today.open_sites.copy()
    open_sites[outlet] = False
    open_sites[site] = True
    return _option(
        problem, settings, today, outlet, "relocate", open_sites,
        annual_cost_after=float(problem.outlets.annual_cost[outlet]),
        staff_saved=0.0,
        one_off_cost=settings.relocation_cost,
        site=site,
    )  # fmt: skip


def transform_options(
    problem: ReviewProblem, settings: ReviewSettings, today: Network, outlet: int
) -> list[Option]:
    """Keep the place as each transformation its type allows: coverage kept, cost and staff
    saved."""
    kind = str(problem.outlets.types[outlet])
    cost = float(problem.outlets.annual_cost[outlet])
    staff = float(problem.outlets.staff[outlet])
    return [
        _option(
            problem,
            settings,
            today,
            outlet,
            transform.kind,
            today.open_sites,
            annual_cost_after=transform.cost_share * cost,
            staff_saved=(1.0 - transform.staff_share) * staff,
        )
        for transform in settings.transforms
        if _applies(transform, kind)
    ]


def _applies(transform: Transform, outlet_type: str) -> bool:
    return not transform.types or outlet_type in transform.types
