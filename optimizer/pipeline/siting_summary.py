"""The JSON-ready summary of a siting run: what a planner reads first.

Every figure says its unit in its name (``_minutes``, ``_residents``, ``_percent``), and the
solver's objective says its unit and meaning (``objective_unit``, ``objective_measures``):
the objective and bound in ``solve`` are those of the objective's final stage.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from optimizer.pipeline.siting_inputs import TRAVEL_OBJECTIVE_REACH, SitingInputs
from optimizer.pipeline.siting_names import served_places
from optimizer.siting.plan import SitingPlan
from optimizer.siting.settings import SitingSettings
from optimizer.solve import SolveReport

BUSIEST_STATIONS = 5
"""Stations listed in ``busiest_stations``."""

_TRAVEL = "the sum over residents of residents × minutes to {target}"
_NEAREST = "their nearest open station"
_ASSIGNED = "the stations they are assigned to (density.as_capacity)"


def objective_terms(settings: SitingSettings) -> tuple[str, str]:
    """The unit of the reported objective value and what it measures, for ``settings``.

    Returns:
        ``(unit, meaning)``, e.g. ``("resident-minutes", "travel, the final of 2 stages: ...")``.
    """
    target = _ASSIGNED if settings.density_as_capacity else _NEAREST
    travel = _TRAVEL.format(target=target)
    limited = settings.max_stations is not None or settings.budget is not None
    cost = (
        "opening cost: candidates.opening_cost per new station (1 by default, so the count of "
        "new stations), plus the closing_saving forgone for each existing station kept open "
        "(with existing_stations.allow_closing)"
    )
    if settings.objective == "lexicographic":
        stages = (
            "three stages (first the most residents covered, then the least opening cost, "
            "both kept)"
            if limited
            else "two stages (first the least opening cost covering every coverable resident, kept)"
        )
        return (
            "resident-minutes",
            f"travel, the last of {stages}: {travel} within coverage_minutes; divided by "
            "covered_residents it is mean_travel_minutes",
        )
    reach = f"within {TRAVEL_OBJECTIVE_REACH:g} × coverage_minutes"
    if settings.objective == "min_travel":
        return (
            "resident-minutes",
            f"{travel} {reach}, with exactly max_stations open (p-median)",
        )
    if settings.objective == "cover":
        return ("opening cost", f"{cost}, covering every coverable resident")
    if settings.objective == "max_cover":
        return ("residents", "residents within coverage_minutes of an open station")
    return ("opening cost + resident-minutes", f"{cost}, plus {travel} {reach}")


def siting_summary(
    inputs: SitingInputs,
    plan: SitingPlan,
    report: SolveReport,
    *,
    settings: SitingSettings,
    stations: gpd.GeoDataFrame,
) -> dict[str, object]:
    """Key figures of a siting plan (residents, minutes, station counts) and its SolveReport.

    Args:
        stations: the plan's ``stations`` layer (``siting_layers.plan_layers``), for the
            stations' names and the places their typed posts serve, as the layers show them.
    """
    demand = inputs.demand
    table = inputs.candidates.table
    opened = table.iloc[plan.open_sites]
    urban_density = [item for item in plan.density if item.urban]
    unit, measures = objective_terms(settings)
    return {
        "status": str(report.status),
        "solve": report.to_dict(),
        "objective": plan.objective,
        "objective_unit": unit,
        "objective_measures": measures,
        "stations": len(plan.open_sites),
        "new_stations": int((opened["source"] != "existing").sum()),
        "opening_cost": float(inputs.problem.site_costs()[plan.open_sites].sum()),
        "existing_stations": int((opened["source"] == "existing").sum()),
        "busiest_stations": _busiest(stations),
        "residents": plan.total_residents,
        "covered_residents": plan.covered_residents,
        "coverage_percent": plan.coverage_percent,
        "uncovered_residents": plan.total_residents - plan.covered_residents,
        "residents_beyond_road_reach": demand.unsnapped_residents,
        "mean_travel_minutes": plan.mean_travel_minutes,
        "p95_travel_minutes": plan.p95_travel_minutes,
        "coverage_minutes": inputs.problem.coverage_minutes,
        "density_rule": settings.density_rule and bool(plan.density),
        "urban_districts": len(urban_density),
        "urban_districts_compliant": sum(item.compliant for item in urban_density),
        "urban_districts_short": [item.name for item in urban_density if not item.compliant],
        "required_stations": int(sum(item.required_stations for item in plan.density)),
        "typed_posts": _typed_posts(stations, served_places(inputs, plan)),
        "candidates": {
            "sites": len(table),
            "by_source": {
                str(source): int(count)
                for source, count in table["source"].value_counts().sort_index().items()
            },
            "dropped_far_from_road": inputs.candidates.dropped_far_from_road,
            "merged_same_node": inputs.candidates.merged_same_node,
        },
        "network": {
            "mode": inputs.network.mode,
            "nodes": inputs.network.node_count,
            "edges": inputs.network.edge_count,
            "dropped_nodes": inputs.network.dropped_node_count,
            "crs": inputs.network.crs,
        },
        "demand_points": len(demand.residents),
        "median_snap_meters": float(np.median(demand.snap_meters)),
    }


def _busiest(stations: gpd.GeoDataFrame) -> list[dict[str, object]]:
    """The stations serving most residents (ties: station order), most first."""
    order = np.argsort(-stations["residents_served"].to_numpy(), kind="stable")
    return [
        {
            "station_id": str(stations["station_id"].iloc[index]),
            "name": str(stations["name"].iloc[index]),
            "residents_served": int(stations["residents_served"].iloc[index]),
        }
        for index in order[:BUSIEST_STATIONS]
    ]


def _typed_posts(
    stations: gpd.GeoDataFrame, served: list[dict[str, list[str]]]
) -> dict[str, list[dict[str, object]]]:
    """Post type → the stations holding it (in station order): id, name and the ids of the
    points of interest that post serves."""
    posts: dict[str, list[dict[str, object]]] = {}
    for station_id, name, post_types, places in zip(
        stations["station_id"], stations["name"], stations["post_types"], served, strict=True
    ):
        for post in filter(None, post_types.split(",")):
            posts.setdefault(post, []).append(
                {"station_id": str(station_id), "name": str(name), "serves": places.get(post, [])}
            )
    return posts
