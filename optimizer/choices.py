"""The named choices that scenarios and commands offer, each list stated once.

The scenario schema's enums, the schema's and the command line's help texts, and the engines'
checks are all generated from these tables: a new export format or objective is added here
and in the code that implements it, nowhere else. This module imports nothing, so the
command line can read it without loading any engine.
"""

from __future__ import annotations

from collections.abc import Mapping

SITING_OBJECTIVES: dict[str, str] = {
    "lexicographic": "cover everyone coverable, then fewest stations, then least travel",
    "cover": "fewest stations (least opening cost) covering everyone coverable",
    "max_cover": "most residents covered with `max_stations` or `budget`",
    "min_travel": "least resident-weighted travel minutes with `max_stations` open (p-median)",
    "min_cost": "opening cost plus resident-weighted travel minutes",
}
"""Siting objectives; the first is the default."""

SITING_SOLVERS: dict[str, str] = {
    "highs": "HiGHS (default)",
    "cbc": "CBC through PuLP",
    "cp-sat": "OR-Tools CP-SAT",
}
"""MIP solvers of the siting engine; the first is the default."""

ROUTING_ENGINES: dict[str, str] = {
    "pyvrp": "PyVRP's iterated local search (default)",
    "ortools": "OR-Tools routing, guided local search",
}
"""Day solvers of the rounds engine; the first is the default."""

ROUNDS_OBJECTIVES: dict[str, str] = {
    "vehicles_then_driving": "fewest vehicles, then fewest driving minutes",
    "driving": "fewest driving minutes with the fleet the problem allows",
}
"""What the rounds engine minimises; the first is the default."""

LAYER_FORMATS: dict[str, str] = {
    "gpkg": "one GeoPackage with every layer (plan.gpkg; dispatch: dispatch.gpkg)",
    "geoparquet": "a GeoParquet file per layer",
    "flatgeobuf": "a FlatGeobuf file per layer",
    "geojson": "a GeoJSON file per layer (EPSG:4326)",
    "stations-csv": "the point layer as a table with lon and lat (EPSG:4326): stations.csv "
    "(dispatch: regions.csv)",
}
"""GIS formats of a plan's map layers (the siting plan's and the dispatch plan's)."""

MAP_FORMATS: dict[str, str] = {
    "html": "interactive map, works offline (map.html; dispatch: dispatch_map.html)",
    "png": "static map (map.png; dispatch: dispatch_map.png)",
}
"""Map formats."""

OUTPUT_FORMATS: dict[str, str] = {**LAYER_FORMATS, **MAP_FORMATS}
"""Everything ``outputs.formats`` and ``svcplan export --format`` accept."""

DEFAULT_OUTPUT_FORMATS = ("gpkg", "html", "png")

INSTANCE_FORMATS: dict[str, str] = {
    "orlib-pmed": "OR-Library p-median (siting engine)",
    "orlib-scp": "OR-Library set covering (siting engine)",
    "orlib-cap": "OR-Library capacitated facility location (siting engine)",
    "curtois": "Curtois–Qu shift scheduling (roster engine)",
    "solomon": "Solomon or Gehring–Homberger VRPTW (rounds engine; --vehicles fixes the fleet)",
    "cvrplib": "CVRPLIB CVRP with EUC_2D distances, e.g. the X set (rounds engine)",
    "pvrp": "Cordeau–Gendreau–Laporte periodic VRP (rounds engine)",
}
"""Published benchmark formats that ``svcplan solve`` reads."""


EXECUTORS: dict[str, str] = {
    "local": "a pool of processes on this machine (default; nothing to start)",
    "dask": "Dask distributed: a LocalCluster on this machine, or the running scheduler at "
    "--address (needs the extra: pip install 'svcplan[dask]')",
    "serial": "one task after another in this process (debugging, and the baseline of benchmarks)",
}
"""Where the tasks of a sweep run; the first is the default."""


def described(choices: Mapping[str, str]) -> str:
    """``"a: what a is; b: what b is"`` for help texts."""
    return "; ".join(f"{name}: {meaning}" for name, meaning in choices.items())
