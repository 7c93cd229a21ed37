"""The tasks of a multi-region plan merged into one plan: one set of layers with a ``region``
column, one summary with the totals and a row per task (a region, or regions planned as one).

Station ids are made unique by the region's name before them (``north/grid-12``), in every
layer and the summary (regions planned as one problem have them already); demand ids and
district names stay those of the region's own layers (they join back to them with
``region``). A district or road of regions planned as one is theirs together
(``centre+south``). Layers of tasks in different CRSs are merged in EPSG:4326.

Totals are sums over the tasks (stations, residents, costs, the objective when every task's
has the same unit), coverage is recomputed from the sums, and travel minutes from every task's
demand points: the mean weighted by the residents each task's mean is over, the 95th
percentile over every resident's minutes to their (main) station.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.pipeline.regions_reach import Interaction
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


JOINT = "+"
"""Between the names of regions planned as one problem: ``centre+south``."""


@dataclass(frozen=True)
class SitedTask:
    """One task's result.

    Attributes:
        names: its regions (one, or several planned as one problem, their ids prefixed).
        sited: its siting.
    """

    names: list[str]
    sited: SitedStations

    @property
    def label(self) -> str:
        """Its regions' names, joined by ``+``."""
        return JOINT.join(self.names)

    def station_id(self, own_id: str) -> str:
        """A station's id in the merged plan: ``region/own_id`` (a shared problem's ids have
        their region already)."""
        return own_id if len(self.names) > 1 else f"{self.names[0]}{ID_SEPARATOR}{own_id}"


def merged_layers(tasks: Sequence[SitedTask]) -> dict[str, gpd.GeoDataFrame]:
    """The tasks' layers (``siting_layers.plan_layers``) as one set: every layer with a
    ``region`` column first and station ids made unique.

    Returns:
        Layer name → GeoDataFrame, in the tasks' common CRS or EPSG:4326; a layer that only
        some tasks have (the optional ``roads``) is merged from those.
    """
    layers = [_tagged(task) for task in tasks]
    crs = {frame.crs for task in layers for frame in task.values()}
    target = next(iter(crs)) if len(crs) == 1 else "EPSG:4326"
    merged = {}
    for layer in dict.fromkeys(name for task in layers for name in task):
        frames = [task[layer].to_crs(target) for task in layers if layer in task]
        merged[layer] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=target)
    return merged


def _tagged(task: SitedTask) -> dict[str, gpd.GeoDataFrame]:
    """A task's layers with their region in a first column and station ids (but the service
    areas' union row, ``ALL``) made the plan's."""
    names = np.asarray(task.names, dtype=object)
    demand_region = names[task.sited.demand_part]
    tagged = {}
    for name, layer in (task.sited.layers or {}).items():
        frame = layer.copy()
        region: object = task.label
        if "station_id" in frame:
            ids = frame["station_id"].astype(str)
            union = frame["kind"] == "union" if "kind" in frame else ids != ids
            frame["station_id"] = ids.where(union, ids.map(task.station_id))
            region = np.where(union, task.label, frame["station_id"].str.split(ID_SEPARATOR).str[0])
        elif name == "demand":
            region = demand_region
        elif name == "blind_spots":
            covered = task.sited.layers["demand"]["covered"].to_numpy()  # type: ignore[index]
            region = demand_region[~covered]
        frame.insert(0, REGION, region)
        tagged[name] = frame
    return tagged


def merged_summary(tasks: Sequence[SitedTask], pairs: Sequence[Interaction]) -> dict[str, object]:
    """One siting summary for the tasks: totals (the keys of a one-region summary, so the
    terminal, ``--json`` and a sweep's table read it alike), ``regions`` (each task's own
    summary with its regions' label), ``tasks`` (the regions of each task) and
    ``interactions`` (the pairs of regions that can interact, as sentences).
    """
    names = [task.label for task in tasks]
    summaries = [dict(task.sited.summary) for task in tasks]
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
    total.update(_travel([task.sited for task in tasks]))
    total["density_rule"] = any(bool(s["density_rule"]) for s in summaries)
    total["urban_districts_short"] = [
        f"{name}{ID_SEPARATOR}{district}"
        for name, s in zip(names, summaries, strict=True)
        for district in s["urban_districts_short"]  # type: ignore[attr-defined]
    ]
    total["busiest_stations"] = _busiest(tasks, summaries)
    total["typed_posts"] = _typed_posts(tasks, summaries)
    total["regions"] = [{REGION: name, **s} for name, s in zip(names, summaries, strict=True)]
    total["tasks"] = [task.names for task in tasks]
    total["interactions"] = [pair.sentence() for pair in pairs]
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


def _busiest(
    tasks: Sequence[SitedTask], summaries: list[dict[str, object]]
) -> list[dict[str, object]]:
    """The stations serving most residents over all tasks (ties: task order), with the plan's
    ids."""
    stations = [
        {**item, "station_id": task.station_id(str(item["station_id"]))}
        for task, s in zip(tasks, summaries, strict=True)
        for item in s["busiest_stations"]  # type: ignore[attr-defined]
    ]
    count = max(len(s["busiest_stations"]) for s in summaries)  # type: ignore[arg-type]
    return sorted(stations, key=lambda item: -int(item["residents_served"]))[:count]


def _typed_posts(
    tasks: Sequence[SitedTask], summaries: list[dict[str, object]]
) -> dict[str, list[dict[str, object]]]:
    """Post type → the stations holding it, task by task, with the plan's ids."""
    posts: dict[str, list[dict[str, object]]] = {}
    for task, s in zip(tasks, summaries, strict=True):
        for post, stations in s["typed_posts"].items():  # type: ignore[attr-defined]
            posts.setdefault(post, []).extend(
                {**item, "station_id": task.station_id(str(item["station_id"]))}
                for item in stations
            )
    return posts
