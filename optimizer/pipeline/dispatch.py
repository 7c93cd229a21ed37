"""A scenario's dispatch section: the problem from its CSV files (and drive times when no
matrix is given), the solve, supplies, and the output files.

Without a ``travel`` file, travel minutes between regions are drive times over the scenario's
OpenStreetMap roads from each region's point (lat, lon) to every other, searched only up to
the dispatch window. When the regions have points, the plan is also written as GIS layers and
maps in the scenario's ``outputs.formats`` (``export.artifacts.DISPATCH_MAPS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.dispatch import readers
from optimizer.dispatch.flow import penalties_fit, unmet_penalty_seconds
from optimizer.dispatch.model import solve_dispatch
from optimizer.dispatch.problem import DispatchProblem
from optimizer.dispatch.rules import DispatchRules, Team
from optimizer.dispatch.settings import DispatchSettings
from optimizer.dispatch.supplies import plan_supplies, read_consumption_csv, read_inventory_csv
from optimizer.errors import DataError
from optimizer.export.artifacts import DISPATCH_MAPS, map_artifacts
from optimizer.export.credit import map_credit
from optimizer.export.tables import ArtifactWriter, csv_writer, json_writer
from optimizer.geo.osm import load_road_network
from optimizer.geo.traveltime import travel_minutes
from optimizer.pipeline.dispatch_layers import dispatch_layers
from optimizer.pipeline.dispatch_names import region_names, region_streets
from optimizer.scenario import DispatchConfig, RegionConfig, Scenario, SuppliesConfig
from optimizer.solve import SolverLimits


def build_dispatch_problem(
    config: DispatchConfig, region: RegionConfig | None, *, progress: Callable[[str], None]
) -> DispatchProblem:
    """The dispatch problem of a scenario's ``dispatch`` (and, for drive times, ``region``).

    Raises:
        DataError: bad CSV rows, drive times asked for without roads or coordinates, or a team
            naming resource types the resources file lacks.
    """
    rules = DispatchRules(
        min_batch_units=config.min_batch_units,
        max_donors_per_receiver=config.max_donors_per_receiver,
        teams=tuple(Team(team.name, dict(team.units_per_team)) for team in config.teams),
    )
    regions = readers.read_regions_csv(config.regions)
    region_ids = list(regions["region"])
    check_drive_time_inputs(config, regions, region)
    units = readers.read_resources_csv(config.resources, region_ids=region_ids)
    check_team_resources(config, units.resource_names)
    if config.travel is not None:
        minutes = readers.read_travel_csv(config.travel, region_ids=region_ids)
    else:
        assert region is not None
        minutes = _drive_minutes(regions, region, config.window_minutes, progress)
    problem = DispatchProblem.from_tables(
        regions=regions,
        units=units,
        travel_minutes=minutes,
        window_minutes=config.window_minutes,
        rules=rules,
        donors_keep=config.donors_keep,
    )
    check_penalties_fit(problem, config.resources, field="demand_units")
    return problem


def check_drive_time_inputs(
    config: DispatchConfig, regions: pd.DataFrame, region: RegionConfig | None
) -> None:
    """Without a ``travel`` file, raise DataError (naming the regions file) when drive times
    cannot be computed: the regions have no ``lat``/``lon``, or the scenario no region roads."""
    if config.travel is not None:
        return
    if "lat" not in regions.columns:
        raise DataError(
            config.regions,
            "lat and lon are needed for drive times (or give dispatch.travel)",
            field="header",
        )
    if region is None:
        raise DataError(config.regions, "drive times need region.roads (or give dispatch.travel)")


def check_team_resources(config: DispatchConfig, resource_names: Sequence[str]) -> None:
    """Raise DataError (naming the resources file) when a ``dispatch.teams`` entry names
    resource types that the file does not list."""
    for team in config.teams:
        unknown = sorted(set(team.units_per_team) - set(resource_names))
        if unknown:
            raise DataError(
                config.resources,
                f"dispatch.teams {team.name!r} names resource types not in the file: "
                f"{', '.join(unknown)}",
                field="resource",
            )


def _drive_minutes(
    regions: pd.DataFrame,
    region: RegionConfig,
    window_minutes: float,
    progress: Callable[[str], None],
) -> sp.csr_array:
    """Drive minutes between the regions' points over the region's roads, searched up to
    ``window_minutes``, (n, n) sparse."""
    progress(f"loading the drive network from {region.roads.name}")
    network = load_road_network(region.roads, mode="drive")
    x_meters, y_meters = network.project(regions["lon"].to_numpy(), regions["lat"].to_numpy())
    nodes, _ = network.nearest_nodes(x_meters, y_meters)
    progress(f"drive times between {len(regions)} regions")
    return travel_minutes(network, origins=nodes, destinations=nodes, cutoff_minutes=window_minutes)


def check_penalties_fit(problem: DispatchProblem, path: Path, *, field: str) -> None:
    """Raise DataError (naming ``path`` and ``field``) when one resource type's open demand
    (what may go unmet, donors' included), weighted by priority, is too much to price in 64-bit
    costs (``flow.penalties_fit``).

    Each cell is capped by ``readers.MAX_UNITS``; this catches the sum over many regions.
    """
    penalty = unmet_penalty_seconds(problem.n_regions, problem.window_minutes)
    need = problem.open_demand_units()
    for resource, name in enumerate(problem.resource_names):
        if not penalties_fit(need[:, resource], problem.priority, penalty):
            total = int(need[:, resource].astype(object).sum())
            raise DataError(
                path,
                f"{total} units of {name!r} lacking over {problem.n_regions} regions, at "
                f"priority up to {int(np.max(problem.priority))}, are too many to weigh; "
                "lower the demand or the priorities",
                field=field,
            )


def run_dispatch(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    progress: Callable[[str], None],
) -> dict[str, object]:
    """Plan the moves; add the moves/unmet CSV, JSON and, when the regions have points, the
    plan's layers and maps to ``artifacts``."""
    assert scenario.dispatch is not None
    problem = build_dispatch_problem(scenario.dispatch, scenario.region, progress=progress)
    progress(f"dispatch over {problem.n_regions} regions")
    plan, report = solve_dispatch(problem, DispatchSettings(), limits)
    progress("naming the regions")
    regions = readers.read_regions_csv(scenario.dispatch.regions)
    streets = region_streets(regions, scenario.region)
    names = region_names(regions, streets)
    frames = _named(plan.to_frames(), names)
    artifacts["moves.csv"] = csv_writer(frames["moves"])
    artifacts["unmet.csv"] = csv_writer(frames["unmet"])
    artifacts["dispatch.json"] = json_writer({**plan.to_dict(), "solve": report.to_dict()})
    if plan.coordinates is not None:
        layers = dispatch_layers(
            plan,
            moves=frames["moves"],
            unmet=frames["unmet"],
            regions=regions,
            names=names,
            streets=streets,
        )
        outputs = scenario.outputs
        artifacts.update(
            map_artifacts(
                layers,
                formats=outputs.formats,
                title=f"{scenario.name}: moves arriving within "
                f"{scenario.dispatch.window_minutes:g} minutes",
                credit=map_credit(outputs.credit),
                tiles_url=outputs.tiles_url,
                png_dpi=outputs.png_dpi,
                kind=DISPATCH_MAPS,
            )
        )
    summary = {
        "status": str(report.status),
        "solve": report.to_dict(),
        "donors_keep": problem.donors_keep,
        **plan.totals(),
        "region_names": names,
        "move_list": frames["moves"].to_dict(orient="records"),
        "unmet": frames["unmet"].to_dict(orient="records"),
    }
    if scenario.dispatch.supplies is not None:
        summary["supplies"] = run_supplies(scenario.dispatch.supplies, problem, artifacts)
    return summary


def _named(frames: dict[str, pd.DataFrame], names: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The plan's moves and unmet tables with the regions' names beside their ids."""
    moves, unmet = frames["moves"].copy(), frames["unmet"].copy()
    for column, named in (("from_region", "from_name"), ("to_region", "to_name")):
        moves.insert(moves.columns.get_loc(column) + 1, named, moves[column].astype(str).map(names))
    unmet.insert(
        unmet.columns.get_loc("region") + 1, "region_name", unmet["region"].astype(str).map(names)
    )
    return {**frames, "moves": moves, "unmet": unmet}


def run_supplies(
    config: SuppliesConfig, problem: DispatchProblem, artifacts: dict[str, ArtifactWriter]
) -> dict[str, object]:
    """Transfers and replenishment orders for regions below their reorder point."""
    inventory = read_inventory_csv(config.inventory, site_ids=problem.region_ids)
    supplies, report = plan_supplies(
        site_ids=problem.region_ids,
        inventory=inventory,
        units_per_day=read_consumption_csv(
            config.consumption, site_ids=problem.region_ids, items=inventory.items
        ),
        travel_minutes=problem.travel_minutes,
        lead_time_days=config.lead_time_days,
        safety_days=config.safety_days,
        order_cover_days=config.order_cover_days,
        window_minutes=problem.window_minutes,
        mobilisation_minutes=problem.mobilisation_minutes,
        coordinates_deg=problem.coordinates_deg,
    )
    transfers, orders = supplies.transfers.moves, supplies.orders
    artifacts["supply_transfers.csv"] = csv_writer(transfers)
    artifacts["supply_orders.csv"] = csv_writer(orders)
    return {
        "status": str(report.status),
        "transfers": len(transfers),
        "transferred_units": int(transfers["units"].sum()),
        "orders": int((orders["order_units"] > 0).sum()),
        "ordered_units": int(orders["order_units"].clip(lower=0).sum()),
    }
