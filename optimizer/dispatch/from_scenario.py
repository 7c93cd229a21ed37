"""Build a ``DispatchProblem`` from a scenario: its CSV files, and drive times when no matrix.

Without a ``travel`` file, travel minutes between regions are drive times over the scenario's
OpenStreetMap roads from each region's point (lat, lon) to every other, searched only up to
the dispatch window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyproj

from optimizer.dispatch import readers
from optimizer.dispatch.problem import DispatchProblem, DispatchRules, Team
from optimizer.errors import DataError
from optimizer.geo.osm import load_road_network
from optimizer.geo.traveltime import travel_minutes
from optimizer.scenario import DispatchConfig, RegionConfig


def build_dispatch_problem(
    config: DispatchConfig, region: RegionConfig | None, *, progress: Callable[[str], None]
) -> DispatchProblem:
    """The dispatch problem of a scenario's ``dispatch`` (and, for drive times, ``region``).

    Raises:
        DataError: bad CSV rows, or drive times asked for without roads or coordinates.
    """
    rules = DispatchRules(
        min_batch_units=config.min_batch_units,
        max_donors_per_receiver=config.max_donors_per_receiver,
        teams=tuple(Team(team.name, dict(team.units_per_team)) for team in config.teams),
    )
    if config.travel is not None:
        return DispatchProblem.from_csv(
            regions_path=config.regions,
            resources_path=config.resources,
            travel_path=config.travel,
            window_minutes=config.window_minutes,
            rules=rules,
        )
    regions = readers.read_regions_csv(config.regions)
    if "lat" not in regions.columns:
        raise DataError(
            config.regions, "lat and lon are needed for drive times (or give dispatch.travel)"
        )
    if region is None:
        raise DataError(config.regions, "drive times need region.roads (or give dispatch.travel)")
    units = readers.read_resources_csv(config.resources, region_ids=list(regions["region"]))
    progress(f"loading the drive network from {region.roads.name}")
    network = load_road_network(region.roads, mode="drive")
    to_network = pyproj.Transformer.from_crs("EPSG:4326", network.crs, always_xy=True)
    x_meters, y_meters = to_network.transform(regions["lon"].to_numpy(), regions["lat"].to_numpy())
    nodes, _ = network.nearest_nodes(np.asarray(x_meters), np.asarray(y_meters))
    progress(f"drive times between {len(regions)} regions")
    minutes = travel_minutes(
        network, origins=nodes, destinations=nodes, cutoff_minutes=config.window_minutes
    )
    return DispatchProblem.from_tables(
        regions=regions,
        units=units,
        travel_minutes=minutes,
        window_minutes=config.window_minutes,
        rules=rules,
    )
