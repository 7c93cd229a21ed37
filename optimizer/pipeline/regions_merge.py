"""The regions of a multi-region plan merged into one plan: one set of layers with a ``region``
column, one summary with the totals and a row per region.

Station ids are made unique by the region's name before them (``north/grid-12``), in every
layer and the summary; demand ids and district names stay those of the region's own layers
(they join back to them with ``region``). Layers of regions in different CRSs are merged in
EPSG:4326. Totals are sums over the regions (stations, residents, costs, the objective when
every region's has the same unit), coverage is recomputed from the sums, and travel minutes
from every region's demand points: the mean weighted by the residents each region's mean is
over, the 95th percentile over every resident's minutes to their (main) station.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.pipeline.siting import SitedStations
from optimizer.siting.plan import weighted_quantile
from optimizer.solve import SolveStatus, relative_gap

REGION = "region"
"""The column that says which region a feature belongs to."""
ID_SEPARATOR = "/"
"""Between a region's name and a station id of its own: ``north/grid-12``."""
STATUS_ORDER = [str(status) for status in SolveStatus]
"""Solve statuses from best to worst: the merged plan's is its worst region's."""
SUMMED = (
    "stations",
    "new_stations",
    "opening_cost",
    "existing_stations",
    "residents",
    "covered_residents",
    "uncovered_residents",
    "residents_beyond_road_reach",
    "urban_districts",
    "urban_districts_compliant",
    "required_stations",
    "demand_points",
    "preparation_seconds",
)
"""Summary figures that add up over the regions."""
COMMON = ("objective_unit", "objective_measures", "coverage_minutes")
"""Summary figures kept when every region has the same, else ``None``."""


def station_id(region: str, own_id: str) -> str:
    """A station's id in a multi-region plan: ``region/own_id``."""
    return f"{region}{ID_SEPARATOR}{own_id}"


def merged_layers(
    names: Sequence[str], layers: Sequence[Mapping[str, gpd.GeoDataFrame]]
) -> dict[str, gpd.GeoDataFrame]:
    """The regions' layers (``siting_layers.plan_layers``), each set in region order, as one
    set: every layer with a ``region`` column first and station ids made unique.

    Returns:
        Layer name → GeoDataFrame, in the regions' common CRS or EPSG:4326; a layer that only
        some regions have (the optional ``roads``) is merged from those.
    """
    crs = {frame.crs for region in layers for frame in region.values()}
    target = next(iter(crs)) if len(crs) == 1 else "EPSG:4326"
    merged = {}
    for layer in dict.fromkeys(name for region in layers for name in region):
        frames = [
            _tagged(name, region[layer]).to_crs(target)
            for name, region in zip(names, layers, strict=True)
            if layer in region
        ]
        merged[layer] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=target)
    return merged


def _tagged(region: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``frame`` with its region in a first column and its station ids (but the service
    areas' union row, ``ALL``) prefixed with the region."""
    frame = frame.copy()
    if "station_id" in frame:
        ids = frame["station_id"].astype(str)
        union = frame["kind"] == "union" if "kind" in frame else ids != ids
        frame["station_id"] = ids.where(union, region + ID_SEPARATOR + ids)
    frame.insert(0, REGION, region)
    return frame


def merged_summary(
    names: Sequence[str], sited: Sequence[SitedStations], groups: list[list[str]]
) -> dict[str, object]:
    """One siting summary for the regions: totals (the keys of a one-region summary, so the
    terminal, ``--json`` and a sweep's table read it alike), ``regions`` (each region's own
    summary with its name) and ``tasks`` (the regions solved together, one list per task).
    """
    summaries = [dict(item.summary) for item in sited]
    total: dict[str, object] = {key: sum(s[key] for s in summaries) for key in SUMMED}  # type: ignore[misc]
    for key in COMMON:
        values = {str(s[key]) for s in summaries}
        total[key] = summaries[0][key] if len(values) == 1 else None
    total["objective"] = ", ".join(dict.fromkeys(str(s["objective"]) for s in summaries))
    total["solve"] = _solve(names, summaries, same_unit=total["objective_unit"] is not None)
    total["status"] = total["solve"]["status"]  # type: ignore[index]
    residents = float(total["residents"])  # type: ignore[arg-type]
    covered = float(total["covered_residents"])  # type: ignore[arg-type]
    total["coverage_percent"] = 100.0 * covered / residents if residents > 0 else 100.0
    total.update(_travel(sited))
    total["density_rule"] = any(bool(s["density_rule"]) for s in summaries)
    total["urban_districts_short"] = [
        f"{name}{ID_SEPARATOR}{district}"
        for name, s in zip(names, summaries, strict=True)
        for district in s["urban_districts_short"]  # type: ignore[attr-defined]
    ]
    total["busiest_stations"] = _busiest(names, summaries)
    total["typed_posts"] = _typed_posts(names, summaries)
    total["regions"] = [{REGION: name, **s} for name, s in zip(names, summaries, strict=True)]
    total["tasks"] = groups
    return total


def _solve(
    names: Sequence[str], summaries: list[dict[str, object]], *, same_unit: bool
) -> dict[str, object]:
    """The regions' solves as one: the worst status, objective and bound summed (when every
    region has them, in one unit), the gap from those, seconds summed, notes by region."""
    solves = [s["solve"] for s in summaries]
    status = max((str(solve["status"]) for solve in solves), key=STATUS_ORDER.index)  # type: ignore[index]
    objectives = [solve["objective"] for solve in solves]  # type: ignore[index]
    bounds = [solve["bound"] for solve in solves]  # type: ignore[index]
    objective = sum(objectives) if same_unit and None not in objectives else None
    bound = sum(bounds) if same_unit and None not in bounds else None
    return {
        "status": status,
        "objective": objective,
        "bound": bound,
        "gap": relative_gap(objective, bound),
        "seconds": sum(float(solve["seconds"]) for solve in solves),  # type: ignore[index]
        "solver": ", ".join(dict.fromkeys(str(solve["solver"]) for solve in solves)),  # type: ignore[index]
        "notes": [
            f"{name}: {note}"
            for name, solve in zip(names, solves, strict=True)
            for note in solve["notes"]  # type: ignore[index]
        ],
    }


def _travel(sited: Sequence[SitedStations]) -> dict[str, float | None]:
    """Mean and 95th-percentile minutes over every region's residents who reach a station."""
    weights = np.array(
        [
            item.demand_residents[item.plan.assigned_site >= 0].sum()
            if item.summary["mean_travel_minutes"] is not None
            else 0.0
            for item in sited
        ]
    )
    means = np.array([item.summary["mean_travel_minutes"] or 0.0 for item in sited], dtype=float)
    reached = [item.plan.assigned_site >= 0 for item in sited]
    minutes = np.concatenate(
        [item.plan.assigned_minutes[keep] for item, keep in zip(sited, reached, strict=True)]
    )
    residents = np.concatenate(
        [item.demand_residents[keep] for item, keep in zip(sited, reached, strict=True)]
    )
    return {
        "mean_travel_minutes": float(np.average(means, weights=weights))
        if weights.sum() > 0
        else None,
        "p95_travel_minutes": weighted_quantile(minutes, residents, 0.95),
    }


def _busiest(names: Sequence[str], summaries: list[dict[str, object]]) -> list[dict[str, object]]:
    """The stations serving most residents over all regions (ties: region order), with their
    regions' ids."""
    stations = [
        {**item, "station_id": station_id(name, str(item["station_id"]))}
        for name, s in zip(names, summaries, strict=True)
        for item in s["busiest_stations"]  # type: ignore[attr-defined]
    ]
    count = max(len(s["busiest_stations"]) for s in summaries)  # type: ignore[arg-type]
    return sorted(stations, key=lambda item: -int(item["residents_served"]))[:count]


def _typed_posts(
    names: Sequence[str], summaries: list[dict[str, object]]
) -> dict[str, list[dict[str, object]]]:
    """Post type → the stations holding it, region by region, with their regions' ids."""
    posts: dict[str, list[dict[str, object]]] = {}
    for name, s in zip(names, summaries, strict=True):
        for post, stations in s["typed_posts"].items():  # type: ignore[attr-defined]
            posts.setdefault(post, []).extend(
                {**item, "station_id": station_id(name, str(item["station_id"]))}
                for item in stations
            )
    return posts
