"""Read OpenStreetMap extracts (``.osm.pbf``, ``.osm``, ``.osm.bz2``) into a :class:`RoadNetwork`.

The file is read once with pyosmium: highway ways with their node ids, tags and node locations
(resolved by libosmium). Everything after that is numpy: ways are cut into segments between
consecutive OSM nodes (no simplification), projected to the local UTM zone, and turned into
directed edges per travel mode.

Which ways a mode uses, and how fast, is one table per mode (``DEFAULT_SPEEDS_KMH``): a way is
used when its ``highway`` class is a key of the table, it is not an area (``area=yes``), and the
mode's access tags do not say ``no`` or ``private``.

* ``walk``: 4.8 km/h on every walkable class, both directions, one-way tags ignored.
* ``bike``: 15 km/h (slower on paths and shared spaces); ``oneway`` respected unless
  ``oneway:bicycle=no`` or a contraflow ``cycleway=opposite*``.
* ``drive``: the ``maxspeed`` tag when it is a number (``mph`` converted), otherwise the table
  (urban defaults). One-way: ``oneway=yes|true|1`` forward, ``oneway=-1|reverse`` backward,
  roundabouts and motorways forward unless ``oneway=no``. Service roads tagged
  ``service=parking_aisle|driveway|private|emergency_access|parking`` are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import osmium
import pyproj
import shapely

from optimizer.errors import DataError
from optimizer.geo.network import RoadNetwork

MODES = ("walk", "bike", "drive")

#: Road classes every non-motorised mode may use (motorways aside).
_GENERAL_ROADS = [
    "trunk",
    "trunk_link",
    "primary",
    "primary_link",
    "secondary",
    "secondary_link",
    "tertiary",
    "tertiary_link",
    "unclassified",
    "residential",
    "service",
    "road",
]
_WALKABLE = [
    *_GENERAL_ROADS,
    "living_street",
    "pedestrian",
    "footway",
    "path",
    "steps",
    "track",
    "bridleway",
    "corridor",
]

#: Speed in km/h per ``highway`` class, per mode. A class missing from a mode's table is not
#: used by that mode.
DEFAULT_SPEEDS_KMH: dict[str, dict[str, float]] = {
    "walk": dict.fromkeys(_WALKABLE, 4.8),
    "bike": {
        **dict.fromkeys([*_GENERAL_ROADS, "cycleway"], 15.0),
        **dict.fromkeys(["living_street", "path", "track", "bridleway", "pedestrian"], 10.0),
    },
    "drive": {
        "motorway": 100.0,
        "motorway_link": 60.0,
        "trunk": 80.0,
        "trunk_link": 50.0,
        "primary": 60.0,
        "primary_link": 40.0,
        "secondary": 50.0,
        "secondary_link": 40.0,
        "tertiary": 40.0,
        "tertiary_link": 30.0,
        "unclassified": 30.0,
        "residential": 30.0,
        "road": 30.0,
        "living_street": 10.0,
        "service": 20.0,
    },
}

#: Access tags consulted per mode, most specific first; the first one present decides.
_ACCESS_KEYS = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "drive": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
_NO_ACCESS = {"no", "private"}
_DRIVE_EXCLUDED_SERVICE = {"parking_aisle", "driveway", "private", "emergency_access", "parking"}
_FORWARD = {"yes", "true", "1"}
_BACKWARD = {"-1", "reverse"}
_CONTRAFLOW_CYCLEWAY = {"opposite", "opposite_lane", "opposite_track"}
_IMPLIED_ONEWAY_HIGHWAY = {"motorway", "motorway_link"}
_MPH_IN_KMH = 1.609344
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


class Tags(Protocol):
    """Read access to a way's tags: a dict, or pyosmium's ``TagList``."""

    def get(self, key: str, default: None = None, /) -> str | None: ...


def load_road_network(
    path: str | Path, *, mode: str = "walk", speeds: Mapping[str, float] | None = None
) -> RoadNetwork:
    """Load an OSM extract as a routable network for one travel mode.

    Args:
        path: ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.
        mode: ``"walk"``, ``"bike"`` or ``"drive"``.
        speeds: km/h per ``highway`` class, overriding or extending ``DEFAULT_SPEEDS_KMH[mode]``
            (a class given here is used by the mode even when the default table lacks it).

    Returns:
        A :class:`RoadNetwork` in the local UTM zone, reduced to its largest strongly connected
        component; ``dropped_node_count`` says how many nodes were outside it.

    Raises:
        DataError: the file is missing, unreadable, truncated, or holds no usable ways.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    speed_table = {**DEFAULT_SPEEDS_KMH[mode], **(speeds or {})}
    ways = _read_ways(Path(path), mode, speed_table)

    # Segment i joins way-node i and i + 1 when both lie on the same way and are located.
    ref_way = np.repeat(np.arange(len(ways.lengths)), ways.lengths)
    located = np.isfinite(ways.lonlat[:, 0])
    seg_first = np.flatnonzero((ref_way[1:] == ref_way[:-1]) & located[1:] & located[:-1])
    if len(seg_first) == 0:
        raise DataError(path, f"no ways usable for mode {mode!r} (no located highway nodes)")
    seg_way = ref_way[seg_first]

    endpoint_refs = np.concatenate([seg_first, seg_first + 1])
    osm_node_ids, first_ref, inverse = np.unique(
        ways.refs[endpoint_refs], return_index=True, return_inverse=True
    )
    a, b = inverse[: len(seg_first)], inverse[len(seg_first) :]
    node_lonlat = ways.lonlat[endpoint_refs[first_ref]]
    crs = utm_crs_for(node_lonlat[:, 0], node_lonlat[:, 1])
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x_meters, y_meters = to_utm.transform(node_lonlat[:, 0], node_lonlat[:, 1])
    seg_meters = np.hypot(x_meters[b] - x_meters[a], y_meters[b] - y_meters[a])

    fwd, bwd = ways.forward[seg_way], ways.backward[seg_way]
    seg_speed = ways.speed_kmh[seg_way] / 3.6
    return RoadNetwork.from_edges(
        osm_node_ids=osm_node_ids,
        x_meters=x_meters,
        y_meters=y_meters,
        crs=crs,
        tail=np.concatenate([a[fwd], b[bwd]]),
        head=np.concatenate([b[fwd], a[bwd]]),
        length_meters=np.concatenate([seg_meters[fwd], seg_meters[bwd]]),
        speed_meters_per_second=np.concatenate([seg_speed[fwd], seg_speed[bwd]]),
        mode=mode,
    )


def utm_crs_for(lon: np.ndarray, lat: np.ndarray) -> str:
    """The WGS 84 / UTM zone CRS (``"EPSG:326zz"`` north, ``"EPSG:327zz"`` south) of the
    points' centroid, given in degrees."""
    lon0, lat0 = float(np.mean(lon)), float(np.mean(lat))
    zone = int(np.clip((lon0 + 180.0) // 6.0 + 1, 1, 60))
    return f"EPSG:{32600 + zone if lat0 >= 0 else 32700 + zone}"


@dataclass(frozen=True)
class _Ways:
    """The ways a mode uses. ``refs`` holds their node ids back to back (``lengths`` per way)
    and ``lonlat`` the location of each entry in degrees (NaN where the extract lacks the node);
    ``speed_kmh``, ``forward`` and ``backward`` hold the mode's rule per way."""

    refs: np.ndarray
    lengths: np.ndarray
    lonlat: np.ndarray
    speed_kmh: np.ndarray
    forward: np.ndarray
    backward: np.ndarray


def _read_ways(path: Path, mode: str, speed_table: Mapping[str, float]) -> _Ways:
    """Read the highway ways ``mode`` may use, with node ids and locations (one pass)."""
    if not path.is_file():
        raise DataError(path, "file not found")
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty")
    refs: list[int] = []
    lengths: list[int] = []
    rules: list[tuple[float, bool, bool]] = []
    geometries: list[str | np.ndarray] = []  # WKB, or coordinates when nodes are missing
    factory = osmium.geom.WKBFactory()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    try:
        for way in processor:
            nodes = way.nodes
            rule = way_rule(way.tags, mode, speed_table)
            if rule[0] == 0.0 or len(nodes) < 2:
                continue
            try:
                geometries.append(factory.create_linestring(nodes, osmium.geom.ALL))
            except osmium.InvalidLocationError:  # some nodes are missing from the extract
                geometries.append(
                    np.array(
                        [(n.lon, n.lat) if n.location.valid() else (np.nan,) * 2 for n in nodes]
                    )
                )
            refs.extend([node.ref for node in nodes])
            lengths.append(len(nodes))
            rules.append(rule)
    except RuntimeError as error:  # libosmium reports corrupt and truncated input this way
        raise DataError(path, f"cannot read OSM data: {error}") from error
    if not lengths:
        raise DataError(path, f"no highway ways usable for mode {mode!r}")
    way_lengths = np.array(lengths, dtype=np.int64)
    lonlat = np.empty((len(refs), 2))
    is_wkb = np.array([isinstance(geometry, str) for geometry in geometries])
    lines = shapely.from_wkb([geometry for geometry in geometries if isinstance(geometry, str)])
    lonlat[np.repeat(is_wkb, way_lengths)] = shapely.get_coordinates(lines)
    offsets = np.cumsum(way_lengths) - way_lengths
    for way in np.flatnonzero(~is_wkb):
        lonlat[offsets[way] : offsets[way] + way_lengths[way]] = geometries[way]
    speed_kmh, forward, backward = (np.array(column) for column in zip(*rules, strict=True))
    return _Ways(
        refs=np.array(refs, dtype=np.int64),
        lengths=way_lengths,
        lonlat=lonlat,
        speed_kmh=speed_kmh.astype(np.float64),
        forward=forward.astype(bool),
        backward=backward.astype(bool),
    )


def way_rule(tags: Tags, mode: str, speed_table: Mapping[str, float]) -> tuple[float, bool, bool]:
    """Apply the rules of ``mode`` to one way's tags.

    Returns ``(speed_kmh, forward, backward)``: the speed (0 when the mode may not use the way)
    and whether it may be travelled in the direction of its nodes and against it.
    """
    highway = tags.get("highway")
    if highway not in speed_table or tags.get("area") == "yes" or _access_denied(tags, mode):
        return 0.0, False, False
    if mode == "walk":
        return float(speed_table[highway]), True, True
    if mode == "drive" and tags.get("service") in _DRIVE_EXCLUDED_SERVICE:
        return 0.0, False, False
    oneway = tags.get("oneway")
    if mode == "bike" and (
        tags.get("oneway:bicycle") == "no" or tags.get("cycleway") in _CONTRAFLOW_CYCLEWAY
    ):
        oneway = "no"
    if oneway in _FORWARD:
        direction = (True, False)
    elif oneway in _BACKWARD:
        direction = (False, True)
    elif oneway != "no" and (
        tags.get("junction") in ("roundabout", "circular") or highway in _IMPLIED_ONEWAY_HIGHWAY
    ):
        direction = (True, False)
    else:
        direction = (True, True)
    speed = _maxspeed_kmh(tags.get("maxspeed")) if mode == "drive" else None
    return float(speed or speed_table[highway]), *direction


def _access_denied(tags: Tags, mode: str) -> bool:
    for key in _ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value is not None:
            return value in _NO_ACCESS
    return False


def _maxspeed_kmh(value: str | None) -> float | None:
    """A numeric ``maxspeed`` in km/h (the first of ``a;b`` lists); None when not numeric."""
    if not value:
        return None
    match = _MAXSPEED.match(value.split(";")[0])
    if match is None or float(match.group(1)) <= 0:
        return None
    return float(match.group(1)) * (_MPH_IN_KMH if match.group(2) == "mph" else 1.0)
