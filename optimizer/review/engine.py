"""``solve_review``: flag under-used outlets, weigh each one's options, and find the largest
set that can close together."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pandas as pd

from optimizer.forecast.monthly import forecast_months
from optimizer.review import rules, sentences
from optimizer.review.closure import joint_closure
from optimizer.review.options import Network, merge_option, relocate_option, transform_options
from optimizer.review.plan import JointClosure, Option, OutletReview, ReviewPlan
from optimizer.review.problem import ReviewProblem
from optimizer.review.relocation import best_site
from optimizer.review.settings import ReviewSettings
from optimizer.review.streaks import monthly_thresholds, read_months
from optimizer.solve import SolveReport, SolverLimits, SolveStatus

RECENT_MONTHS = 12
"""Counted months behind an outlet's recent volume."""


def counted_volumes(problem: ReviewProblem, settings: ReviewSettings) -> pd.DataFrame:
    """The volumes with closed months (0, when ``zero_is_closed``) as NaN: no count."""
    volumes = problem.volumes.astype(float)
    return volumes.mask(volumes == 0) if settings.zero_is_closed else volumes


def recent_volume(counted: pd.DataFrame) -> np.ndarray:
    """Mean count per month of each outlet's last ``RECENT_MONTHS`` counted months (0 when
    it has none)."""
    means = [counted[column].dropna().tail(RECENT_MONTHS).mean() for column in counted.columns]
    return np.nan_to_num(np.array(means, dtype=float))


def solve_review(
    problem: ReviewProblem, settings: ReviewSettings, limits: SolverLimits | None = None
) -> tuple[ReviewPlan, SolveReport]:
    """Review every outlet of ``problem``.

    Args:
        problem: outlets, volumes, residents and travel minutes.
        settings: threshold, streak, standards and assumptions.
        limits: the time limit and gap of each relocation MIP and of the joint closure.

    Returns:
        (plan, report): the report's objective is the joint closure's (outlets or currency
        per year), its status the worst of the MIPs'.
    """
    started = time.perf_counter()
    limits = limits or SolverLimits()
    counted = counted_volumes(problem, settings)
    thresholds = monthly_thresholds(problem.volumes, settings)
    point, lower, upper = forecast_months(counted, horizon_months=settings.forecast_months)
    today = Network.today(problem, settings, recent_volume(counted))
    status = SolveStatus.OPTIMAL
    reviews, lines = [], []
    for outlet in range(problem.n_outlets):
        months = read_months(
            problem.volumes.iloc[:, outlet].to_numpy(dtype=float),
            pd.PeriodIndex(problem.volumes.index),
            thresholds,
            settings,
        )
        flagged = months.current_streak_months >= settings.streak_months
        options: tuple[Option, ...] = ()
        recommended = None
        if flagged:
            site, report = best_site(problem, settings, outlet, limits)
            if report.status != SolveStatus.OPTIMAL:
                status = SolveStatus.FEASIBLE
            candidates = [
                merge_option(problem, settings, today, outlet),
                relocate_option(problem, settings, today, outlet, site),
                *transform_options(problem, settings, today, outlet),
            ]
            options = tuple(_with_sentence(problem, settings, option) for option in candidates)
            recommended = _cheapest_passing(options)
            lines.append(
                sentences.recommendation_sentence(
                    problem, None if recommended is None else options[recommended], outlet
                )
            )
        reviews.append(
            OutletReview(
                outlet=outlet,
                months=months,
                flagged=flagged,
                recent_volume=float(today.recent_volume[outlet]),
                last_threshold=float(thresholds[-1]),
                forecast=_forecast_rows(point, lower, upper, outlet),
                options=options,
                recommended=recommended,
            )
        )
    flagged_outlets = np.array([r.outlet for r in reviews if r.flagged], dtype=np.int64)
    closed, joint_status, value = joint_closure(
        problem, settings, flagged_outlets, today.access, limits
    )
    joint = _joint(problem, settings, today, closed, joint_status, value)
    lines.append(joint.sentence)
    if joint_status != SolveStatus.OPTIMAL:
        status = joint_status
    plan = ReviewPlan(
        outlets=reviews,
        joint=joint,
        travel_label=problem.travel_label,
        today_urban_share=today.access.urban_share,
        today_rural_share=today.access.rural_share,
        sentences=lines,
    )
    report = SolveReport.measured(
        status=status, objective=value, bound=None, started=started, solver="highs"
    )
    return plan, report


def _with_sentence(problem: ReviewProblem, settings: ReviewSettings, option: Option) -> Option:
    """The option with its sentence."""
    return replace(option, sentence=sentences.option_sentence(problem, settings, option))


def _cheapest_passing(options: tuple[Option, ...]) -> int | None:
    """Index of the passing option with the lowest annual cost after it (then the lowest
    one-off cost, then the first listed); None when none passes. A relocation to the
    outlet's own site is no option."""
    passing = [
        (option.annual_cost_after, option.one_off_cost, index)
        for index, option in enumerate(options)
        if option.passes and not (option.kind == "relocate" and option.site == option.outlet)
    ]
    return min(passing)[2] if passing else None


def _forecast_rows(
    point: pd.DataFrame, lower: pd.DataFrame, upper: pd.DataFrame, outlet: int
) -> list[dict[str, object]]:
    """The outlet's forecast months as rows (empty when it has no forecast)."""
    column = point.columns[outlet]
    if point[column].isna().any():
        return []
    return [
        {
            "month": str(month),
            "point": float(point.at[month, column]),
            "lower": float(lower.at[month, column]),
            "upper": float(upper.at[month, column]),
        }
        for month in point.index
    ]


def _joint(
    problem: ReviewProblem,
    settings: ReviewSettings,
    today: Network,
    closed: np.ndarray,
    status: SolveStatus,
    value: float,
) -> JointClosure:
    """The joint closure's figures and sentence."""
    open_sites = today.open_sites.copy()
    open_sites[closed] = False
    after = rules.access(problem, settings, open_sites)
    saving = float(np.asarray(problem.outlets.annual_cost)[closed].sum())
    names = ", ".join(problem.outlets.label(int(k)) for k in closed) or "none"
    standard = settings.access
    sentence = (
        f"{len(closed)} flagged outlet(s) can close together ({names}): "
        f"{after.urban_share:.1%} of urban residents within {standard.urban_minutes:g} min "
        f"and {after.rural_share:.1%} of rural within {standard.rural_minutes:g} min "
        f"(today {today.access.urban_share:.1%} and {today.access.rural_share:.1%}), "
        f"every district keeps its density rule; saves {sentences.money(saving)}/yr "
        f"({status}; {problem.travel_label})"
    )
    return JointClosure(
        outlets=tuple(int(k) for k in closed),
        objective=settings.joint_objective,
        value=value,
        annual_saving=saving,
        urban_share=after.urban_share,
        rural_share=after.rural_share,
        status=str(status),
        sentence=sentence,
    )
