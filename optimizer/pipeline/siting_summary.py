"""The JSON-ready summary of a siting run: what a planner reads first."""

from __future__ import annotations

import numpy as np

from optimizer.pipeline.siting_inputs import SitingInputs
from optimizer.siting.plan import SitingPlan
from optimizer.solve import SolveReport


def siting_summary(
    inputs: SitingInputs, plan: SitingPlan, report: SolveReport
) -> dict[str, object]:
    """Key figures of a siting plan (residents, minutes, station counts) and its SolveReport."""
    demand = inputs.demand
    table = inputs.candidates.table
    opened = table.iloc[plan.open_sites]
    urban_density = [item for item in plan.density if item.urban]
    post_sites: dict[str, list[str]] = {}
    for site, posts in sorted(plan.post_types.items()):
        for post in posts:
            post_sites.setdefault(post, []).append(site)
    return {
        "status": str(report.status),
        "solve": report.to_dict(),
        "objective": plan.objective,
        "stations": len(plan.open_sites),
        "new_stations": int((opened["source"] != "existing").sum()),
        "existing_stations": int((opened["source"] == "existing").sum()),
        "residents": plan.total_residents,
        "covered_residents": plan.covered_residents,
        "coverage_percent": plan.coverage_percent,
        "uncovered_residents": plan.total_residents - plan.covered_residents,
        "residents_beyond_road_reach": demand.unsnapped_residents,
        "mean_travel_minutes": plan.mean_travel_minutes,
        "p95_travel_minutes": plan.p95_travel_minutes,
        "coverage_minutes": inputs.problem.coverage_minutes,
        "urban_districts": len(urban_density),
        "urban_districts_compliant": sum(item.compliant for item in urban_density),
        "required_stations": int(sum(item.required_stations for item in plan.density)),
        "typed_posts": post_sites,
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
