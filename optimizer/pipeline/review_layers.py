"""An outlet review as map layers: the outlets and the lines to the outlets that take a closed
outlet's residents (the contract of ``optimizer.export.review_layers``), in EPSG:4326 at the
outlets file's points, and, when travel ran over roads, the extract's roads."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from optimizer.export.review_layers import CLOSES_BY
from optimizer.geo.osm import utm_crs_for
from optimizer.geo.streets import read_street_index
from optimizer.review.plan import ReviewPlan
from optimizer.review.problem import ReviewProblem
from optimizer.scenario import Scenario

CRS = "EPSG:4326"


def review_layers(
    problem: ReviewProblem,
    plan: ReviewPlan,
    review_table: pd.DataFrame,
    roads: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The export layers of ``plan``: ``outlets``, ``receivers`` and, when given, ``roads``.

    Args:
        problem: the reviewed outlets and their points.
        plan: the review.
        review_table: ``review.csv``'s table (one row per outlet, in outlet order), so that the
            layer and the file agree.
        roads: the map roads of the scenario's OSM extract (``StreetIndex.roads``), or None.
    """
    outlets = problem.outlets
    points = shapely.points(np.column_stack([outlets.lon, outlets.lat]))
    columns = [
        "outlet",
        "name",
        "type",
        "recent_volume_per_month",
        "current_streak_months",
        "flagged",
        "recommendation",
        "annual_saving",
        "closes_jointly",
    ]
    table = review_table[columns].astype(
        {"outlet": str, "name": str, "type": str, "annual_saving": float}
    )
    layers = {
        "outlets": gpd.GeoDataFrame(table, geometry=points, crs=CRS),
        "receivers": _receivers(problem, plan, points),
    }
    if roads is not None:
        layers["roads"] = roads.to_crs(CRS)
    return layers


def map_roads(scenario: Scenario, problem: ReviewProblem) -> gpd.GeoDataFrame | None:
    """The map roads of the OSM extract the review travelled on, in the outlets' UTM zone;
    None for straight-line travel or when ``outputs.formats`` asks for no map.

    Raises:
        DataError: an unreadable OSM extract.
    """
    config, region = scenario.review, scenario.region
    maps = {"html", "png"} & set(scenario.outputs.formats)
    if config is None or config.straight_line is not None or region is None or not maps:
        return None
    crs = utm_crs_for(problem.outlets.lon, problem.outlets.lat)
    return read_street_index(region.roads, crs=crs).roads


def _receivers(problem: ReviewProblem, plan: ReviewPlan, points: np.ndarray) -> gpd.GeoDataFrame:
    """A line from each outlet that would close (recommended merge or joint closure) to each
    outlet its merge option sends residents to."""
    ids, names = problem.outlets.ids, problem.outlets.names
    joint = set(plan.joint.outlets) if plan.joint else set()
    rows, lines = [], []
    for review in plan.flagged():
        recommended = None if review.recommended is None else review.options[review.recommended]
        by_merge = recommended is not None and recommended.kind == "merge"
        by_joint = review.outlet in joint
        merge = next((option for option in review.options if option.kind == "merge"), None)
        if merge is None or not (by_merge or by_joint):
            continue
        closes_by = CLOSES_BY[2] if by_merge and by_joint else CLOSES_BY[0 if by_merge else 1]
        for receiver in merge.receivers:
            rows.append(
                {
                    "outlet": str(ids[review.outlet]),
                    "outlet_name": str(names[review.outlet]),
                    "receiver": str(ids[receiver.outlet]),
                    "receiver_name": str(names[receiver.outlet]),
                    "resident_share": float(receiver.resident_share),
                    "closes_by": closes_by,
                }
            )
            lines.append(shapely.shortest_line(points[review.outlet], points[receiver.outlet]))
    columns = ["outlet", "outlet_name", "receiver", "receiver_name", "resident_share", "closes_by"]
    frame = pd.DataFrame(rows, columns=columns).astype(
        {name: str for name in columns if name != "resident_share"} | {"resident_share": float}
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(lines, crs=CRS))
