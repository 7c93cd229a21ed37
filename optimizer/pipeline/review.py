"""A scenario's review section: the problem, the review, and its files (``review.csv``,
``review_options.csv``, ``review.json``) and summary sentences."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from optimizer.export.artifacts import REVIEW_MAPS, map_artifacts
from optimizer.export.credit import map_credit
from optimizer.export.tables import ArtifactWriter, csv_writer, json_writer
from optimizer.pipeline.review_inputs import build_review_problem
from optimizer.pipeline.review_layers import map_roads, review_layers
from optimizer.review.engine import solve_review
from optimizer.review.plan import ReviewPlan, option_dict, options_frame
from optimizer.review.problem import ReviewProblem
from optimizer.review.settings import AccessStandard, ReviewSettings, Transform
from optimizer.scenario import Scenario
from optimizer.scenario_review import ReviewConfig
from optimizer.solve import SolverLimits


def review_settings(config: ReviewConfig) -> ReviewSettings:
    """The engine's settings of a ``review`` section."""
    service = config.service
    standard = config.access_standard
    return ReviewSettings(
        threshold_volume=config.threshold.volume,
        threshold_share_of_median=config.threshold.share_of_median,
        streak_months=config.streak_months,
        missing_breaks_streak=config.missing_breaks_streak,
        zero_is_closed=config.zero_is_closed,
        forecast_months=config.forecast_months,
        coverage_minutes=config.coverage_minutes,
        access=AccessStandard(
            urban_share=standard.urban_share,
            urban_minutes=standard.urban_minutes,
            rural_share=standard.rural_share,
            rural_minutes=standard.rural_minutes,
        ),
        residents_per_outlet=config.residents_per_outlet,
        recapture_shares=tuple(service.recapture_shares),
        handling_minutes=service.handling_minutes,
        answer_within_minutes=service.answer_within_minutes,
        open_hours_per_month=service.open_hours_per_month,
        min_service_level=service.min_service_level,
        service_level_recapture=service.test_recapture,
        transforms=tuple(
            Transform(t.kind, t.cost_share, t.staff_share, tuple(t.types))
            for t in config.transforms
        ),
        relocation_cost=config.relocation_cost,
        joint_objective=config.joint_objective,
    )


def review_frame(problem: ReviewProblem, plan: ReviewPlan) -> pd.DataFrame:
    """One row per outlet: volume, streak, flag, forecast, recommendation (``review.csv``)."""
    outlets = problem.outlets
    joint = set(plan.joint.outlets) if plan.joint else set()
    rows = []
    for review in plan.outlets:
        k = review.outlet
        option = None if review.recommended is None else review.options[review.recommended]
        forecast = review.forecast
        rows.append(
            {
                "outlet": outlets.ids[k],
                "name": outlets.names[k],
                "type": outlets.types[k],
                "recent_volume_per_month": round(review.recent_volume, 1),
                "last_threshold": round(review.last_threshold, 1),
                "current_streak_months": review.months.current_streak_months,
                "longest_streak_months": review.months.longest_streak_months,
                "streak_start": review.months.streak_start or "",
                "missing_months": len(review.months.missing_months),
                "closed_months": len(review.months.closed_months),
                "flagged": review.flagged,
                "forecast_6m_point": sum(f["point"] for f in forecast) if forecast else None,
                "forecast_6m_lower": sum(f["lower"] for f in forecast) if forecast else None,
                "forecast_6m_upper": sum(f["upper"] for f in forecast) if forecast else None,
                "recommendation": "" if option is None else option.kind,
                "annual_saving": None if option is None else option.annual_saving,
                "closes_jointly": k in joint,
                "annual_cost": outlets.annual_cost[k],
                "cost_assumed": bool(outlets.assumed_cost[k]),
                "staff": outlets.staff[k],
                "staff_assumed": bool(outlets.assumed_staff[k]),
                "travel": plan.travel_label,
            }
        )
    return pd.DataFrame(rows)


def run_review(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
) -> dict[str, object]:
    """Review the outlets; add the review tables and JSON to ``artifacts``.

    Returns:
        The summary: status, travel label, access today, flagged outlets, sentences.
    """
    config = scenario.review
    assert config is not None
    problem = build_review_problem(scenario, progress=progress)
    progress(f"reviewing {problem.n_outlets} outlets")
    plan, report = solve_review(problem, review_settings(config), limits)
    options = options_frame(plan)
    if len(options):
        ids = problem.outlets.ids
        options.insert(1, "outlet_id", ids[options["outlet"]])
        options["receiver_id"] = [ids[r] if r >= 0 else "" for r in options["receiver"]]
        options["site_id"] = [problem.siting.site_ids[s] for s in options["site"]]
        options["travel"] = plan.travel_label
    table = review_frame(problem, plan)
    artifacts["review.csv"] = csv_writer(table)
    outputs = scenario.outputs
    artifacts.update(
        map_artifacts(
            review_layers(problem, plan, table, map_roads(scenario, problem)),
            formats=outputs.formats,
            title=f"{scenario.name}: outlet review\ntravel: {plan.travel_label}",
            credit=map_credit(outputs.credit, openstreetmap=config.straight_line is None),
            tiles_url=outputs.tiles_url,
            png_dpi=outputs.png_dpi,
            kind=REVIEW_MAPS,
        )
    )
    artifacts["review_options.csv"] = csv_writer(options)
    flagged = plan.flagged()
    summary: dict[str, object] = {
        "status": str(report.status),
        "solve": report.to_dict(),
        "travel": plan.travel_label,
        "volumes_origin": config.volumes_origin,
        "outlets": problem.n_outlets,
        "months": f"{problem.volumes.index[0]} – {problem.volumes.index[-1]}",
        "today_urban_share": plan.today_urban_share,
        "today_rural_share": plan.today_rural_share,
        "flagged": [str(problem.outlets.ids[r.outlet]) for r in flagged],
        "sentences": plan.sentences,
        "joint_closure": {
            "outlets": [str(problem.outlets.ids[k]) for k in plan.joint.outlets],
            "objective": plan.joint.objective,
            "value": plan.joint.value,
            "annual_saving": plan.joint.annual_saving,
            "status": plan.joint.status,
        }
        if plan.joint
        else None,
    }
    artifacts["review.json"] = json_writer(
        {
            **summary,
            "options": {
                str(problem.outlets.ids[r.outlet]): [option_dict(o) for o in r.options]
                for r in flagged
            },
            "forecasts": {str(problem.outlets.ids[r.outlet]): r.forecast for r in plan.outlets},
        }
    )
    return summary
