"""Which regions of a multi-region scenario can interact, computed from their data before any
road network is loaded.

Two regions **can interact** when a resident of one could reach a candidate site of the other
within the siting reach, as far as straight lines can tell:

- a region's *extent* is the bounding box (WGS84) of its populated features, its points of
  interest, its candidate and existing-station files, widened by its candidate grid's spacing
  (grid sites lie within one spacing of a populated point);
- a region's *trip* is the farthest one of its trips can go in a straight line: its longest
  trip (``coverage_minutes``, × ``TRAVEL_OBJECTIVE_REACH`` for the travel objectives, or a
  typed post's ``within_minutes``) at its travel mode's top speed (``TOP_SPEED_KMH``);
- regions A and B can interact when the gap between their extents is at most the longer of
  their trips plus both ``max_snap_meters`` (how far a resident and a site may lie from the
  road the trip runs on).

The gap is a lower bound of the true distance (degree lengths at their shortest: a degree of
latitude is at least 110,574 m, one of longitude at least 111,319 m × cos of the highest
latitude of either extent), so the rule errs towards "can interact", never the other way.
Regions that can interact, directly or through others, form one group; each group is one task
and one problem, so its regions must share what one problem has once (``region_groups``).
Extents that cross the antimeridian are not handled (no region of the samples does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from optimizer.errors import DataError
from optimizer.geo.demand import read_population_layer
from optimizer.geo.osm import DEFAULT_SPEEDS_KMH
from optimizer.geo.points import read_places_csv
from optimizer.pipeline.siting_inputs import TRAVEL_OBJECTIVE_REACH
from optimizer.scenario import RegionEntry, SitingConfig

DRIVE_TAG_SPEED_KMH = 130.0
"""Top drive speed assumed for the reach: a road's numeric ``maxspeed`` tag overrides the
drive table (whose fastest class is 100 km/h), and 130 km/h is the highest general limit of
most countries' motorways."""

TOP_SPEED_KMH = {
    mode: max(max(speeds.values()), DRIVE_TAG_SPEED_KMH if mode == "drive" else 0.0)
    for mode, speeds in DEFAULT_SPEEDS_KMH.items()
}
"""The fastest a trip of each travel mode can go, km/h."""

LATITUDE_DEGREE_METERS = 110_574.0
"""The shortest length of a degree of latitude (at the equator), metres."""
EQUATOR_DEGREE_METERS = 111_319.0
"""A degree of longitude at the equator (WGS84, rounded down), metres."""
SHARED_REGION_KEYS = ("roads", "max_snap_meters", "districts")
"""Keys of ``region`` that the regions planned as one problem must share."""
OWN_SITING_FILES = {"candidates": {"path"}, "existing_stations": {"path"}}
"""Keys of ``siting`` that may differ between regions planned as one problem: their files."""
BLOCK_REGIONS = 1024
"""Regions whose gaps to all others are computed at once (memory: this × regions × 6 floats)."""


@dataclass(frozen=True)
class RegionExtent:
    """Where one region's trips can start and end.

    Attributes:
        name: the region's name.
        west, south, east, north: its extent, WGS84 degrees.
        trip_meters: how far one of its trips can go in a straight line, metres.
        snap_meters: its ``max_snap_meters``.
    """

    name: str
    west: float
    south: float
    east: float
    north: float
    trip_meters: float
    snap_meters: float


@dataclass(frozen=True)
class Interaction:
    """Two regions that can interact.

    Attributes:
        first, second: their names (in scenario order).
        gap_meters: the straight-line gap between their extents (lower bound), metres.
        reach_meters: the gap up to which they can interact, metres.
    """

    first: str
    second: str
    gap_meters: float
    reach_meters: float

    def sentence(self) -> str:
        """E.g. ``north and centre are 1.9 km apart, within 2.7 km of reach``."""
        return (
            f"{self.first} and {self.second} are {self.gap_meters / 1000:.1f} km apart, within "
            f"{self.reach_meters / 1000:.1f} km of reach"
        )


def region_extent(region: RegionEntry, siting: SitingConfig) -> RegionExtent:
    """The extent and reach of one region (reads its population layer and point files).

    Raises:
        DataError: an unreadable population layer or point file (naming file and field).
    """
    population = region.population
    areas = read_population_layer(population.path, population.layer, population.population_field)
    populated = areas[areas[population.population_field].to_numpy() > 0]
    boxes = [populated.to_crs(4326).total_bounds] if len(populated) else []
    point_files = [region.points_of_interest, siting.candidates.path]
    if siting.existing_stations is not None:
        point_files.append(siting.existing_stations.path)
    for path in filter(None, point_files):
        places = read_places_csv(path)
        if len(places):
            lon, lat = places["lon"].to_numpy(), places["lat"].to_numpy()
            boxes.append(np.array([lon.min(), lat.min(), lon.max(), lat.max()]))
    bounds = np.array(boxes) if boxes else np.zeros((1, 4))
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    spacing = siting.candidates.grid_spacing_meters or 0.0
    widen_lat = spacing / LATITUDE_DEGREE_METERS
    widen_lon = spacing / (
        EQUATOR_DEGREE_METERS * float(_cos_at(max(abs(south), abs(north)) + widen_lat))
    )
    return RegionExtent(
        name=region.name,
        west=float(west - widen_lon),
        south=float(south - widen_lat),
        east=float(east + widen_lon),
        north=float(north + widen_lat),
        trip_meters=reach_minutes(siting) / 60 * TOP_SPEED_KMH[siting.travel_mode] * 1000,
        snap_meters=region.max_snap_meters,
    )


def reach_minutes(siting: SitingConfig) -> float:
    """The longest trip a siting section's problem holds: its travel-time cutoff (minutes)."""
    cutoff = siting.coverage_minutes
    if siting.objective in ("min_travel", "min_cost"):
        cutoff *= TRAVEL_OBJECTIVE_REACH
    return max([cutoff, *(rule.within_minutes for rule in siting.typed_posts)])


def interactions(extents: list[RegionExtent]) -> list[Interaction]:
    """Every pair of regions that can interact, in scenario order: the gaps of a block of
    ``BLOCK_REGIONS`` regions to all others at once, as arrays."""
    columns = np.array(
        [[e.west, e.south, e.east, e.north, e.trip_meters, e.snap_meters] for e in extents]
    ).reshape(-1, 6)
    count = len(extents)
    found = []
    for start in range(0, count, BLOCK_REGIONS):
        rows = columns[start : start + BLOCK_REGIONS, None, :]
        gap = _gap_meters(rows, columns[None, :, :])
        reach = np.maximum(rows[..., 4], columns[None, :, 4]) + rows[..., 5] + columns[None, :, 5]
        later = np.arange(count)[None, :] > np.arange(start, start + len(rows))[:, None]
        for row, column in zip(*np.nonzero((gap <= reach) & later), strict=True):
            found.append(
                Interaction(
                    extents[start + row].name,
                    extents[column].name,
                    float(gap[row, column]),
                    float(reach[row, column]),
                )
            )
    return found


def _gap_meters(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """A lower bound of the straight-line distance between extents (``west, south, east,
    north`` in the last axis, broadcast against each other), metres; 0 where they overlap."""
    lat_gap = np.maximum(
        0.0, np.maximum(second[..., 1] - first[..., 3], first[..., 1] - second[..., 3])
    )
    lon_gap = np.maximum(
        0.0, np.maximum(second[..., 0] - first[..., 2], first[..., 0] - second[..., 2])
    )
    highest = np.maximum(
        np.abs(first[..., [1, 3]]).max(axis=-1), np.abs(second[..., [1, 3]]).max(axis=-1)
    )
    return np.hypot(
        lat_gap * LATITUDE_DEGREE_METERS, lon_gap * EQUATOR_DEGREE_METERS * _cos_at(highest)
    )


def interaction_groups(names: list[str], pairs: list[Interaction]) -> list[list[str]]:
    """The regions in groups that cannot interact with each other: each group the regions
    linked by ``pairs``, directly or through others (connected components); groups and their
    regions in scenario order."""
    index = {name: position for position, name in enumerate(names)}
    graph = sparse.coo_matrix(
        (
            np.ones(len(pairs)),
            ([index[pair.first] for pair in pairs], [index[pair.second] for pair in pairs]),
        ),
        shape=(len(names), len(names)),
    )
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[str]] = {}
    for name, label in zip(names, labels, strict=True):
        groups.setdefault(int(label), []).append(name)
    return list(groups.values())


def region_groups(
    regions: list[RegionEntry], sitings: list[SitingConfig], progress: Callable[[str], None]
) -> tuple[list[list[str]], list[Interaction]]:
    """The regions in groups that cannot interact with each other (each group one task), and
    the pairs that can interact.

    Raises:
        DataError: regions of one group that cannot share one problem (naming the pair,
            how near they are, and the keys that differ).
    """
    progress(f"checking which of {len(regions)} regions can interact")
    extents = [
        region_extent(region, siting) for region, siting in zip(regions, sitings, strict=True)
    ]
    pairs = interactions(extents)
    by_name = {region.name: index for index, region in enumerate(regions)}
    for pair in pairs:
        first, second = by_name[pair.first], by_name[pair.second]
        differ = _differences(regions[first], sitings[first], regions[second], sitings[second])
        if differ:
            raise DataError(
                "regions",
                f"{pair.sentence()}, so they are planned as one problem, which needs the same "
                f"{', '.join(differ)}; make them equal, or plan the regions as one region",
            )
    groups = interaction_groups([region.name for region in regions], pairs)
    for group in groups:
        if len(group) > 1:
            progress(f"regions {', '.join(group)} can interact: planned together as one task")
    return groups, pairs


def _differences(
    first: RegionEntry, first_siting: SitingConfig, second: RegionEntry, second_siting: SitingConfig
) -> list[str]:
    """What two regions planned as one problem must share but do not: region keys, siting
    (but their own files), having existing stations or not."""
    differ = [key for key in SHARED_REGION_KEYS if getattr(first, key) != getattr(second, key)]
    own = [siting.model_dump(exclude=OWN_SITING_FILES) for siting in (first_siting, second_siting)]
    differ += [f"siting.{key}" for key in own[0] if own[0][key] != own[1][key]]
    if (first_siting.existing_stations is None) != (second_siting.existing_stations is None):
        differ.append("siting.existing_stations (both or neither)")
    return differ


def _cos_at(latitude_degrees: np.ndarray | float) -> np.ndarray:
    """cos of latitudes (degrees), kept above 0 near the poles."""
    return np.maximum(np.cos(np.radians(np.minimum(latitude_degrees, 89.9))), 1e-3)
