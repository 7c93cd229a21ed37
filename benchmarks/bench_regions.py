"""A multi-region plan on each executor: serial, the local process pool and a Dask LocalCluster.

Four regions that cannot interact, made from the bundled data: the north and the south of
central Porto Alegre (H3 hexagons north of 30.03° S and south of 30.065° S, about 3.9 km apart:
more than a 15-minute walk and two snaps), each on the city's whole road network, and the
north and the south of Liechtenstein (its municipalities as points, 8.6 km apart). No layers
or maps (``outputs.formats: []``), at most ``--time-limit`` seconds per solve and one solver
thread per task on every executor. Each run writes to its own temporary folder.

Per executor: the wall seconds of the whole plan (validation, the reach check, a new pool or
cluster, the tasks, the merge and the publication), the summed seconds of the tasks' own work
(data preparation and solve, from each region's summary), the longest task, and whether the
plan equals the serial run's (stations, objective, coverage per region); a region whose
solve ended unproven shows its status.

    python benchmarks/bench_regions.py [--time-limit 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import geopandas as gpd

from optimizer import api
from optimizer.native_output import native_stdout_aside
from optimizer.parallel import ExecutorChoice

REPO = Path(__file__).resolve().parents[1]
GEODATA = REPO / "geodata"
PARTS = {
    "poa-north": lambda frame: frame["lat"] > -30.03,
    "poa-south": lambda frame: frame["lat"] < -30.065,
}
VILLAGES = {
    "li-north": lambda frame: frame.geometry.y > 47.19,
    "li-south": lambda frame: frame.geometry.y < 47.125,
}


def scenario(folder: Path, time_limit: float) -> Path:
    """Write the four regions' population layers and the scenario into ``folder``."""
    hexagons = gpd.read_file(GEODATA / "porto_alegre" / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    villages = gpd.read_file(GEODATA / "liechtenstein" / "municipalities.geojson")
    regions = []
    for name, rows in PARTS.items():
        hexagons[rows(hexagons)][["id", "population", "geometry"]].to_file(
            folder / f"{name}.geojson", driver="GeoJSON"
        )
        regions.append((name, GEODATA / "porto_alegre" / "poa_osm.pbf"))
    for name, rows in VILLAGES.items():
        villages[rows(villages)].to_file(folder / f"{name}.geojson", driver="GeoJSON")
        regions.append((name, GEODATA / "liechtenstein" / "liechtenstein-latest.osm.pbf"))
    lines = ["name: four-regions", "regions:"]
    lines += [
        f"  - {{name: {name}, roads: {roads}, population: {{path: {name}.geojson}}}}"
        for name, roads in regions
    ]
    lines += [
        "siting: {objective: lexicographic, coverage_minutes: 15, density: null}",
        f"solver: {{time_limit_seconds: {time_limit}, threads: 1}}",
        "outputs: {formats: []}",
    ]
    path = folder / "four-regions.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path, executor: str, workers: int) -> tuple[float, dict]:
    """Plan the scenario on ``executor``; its wall seconds and siting summary."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        with native_stdout_aside():  # HiGHS' banner, also from the workers started within
            outcome = api.plan(
                path, out_dir=Path(out), executor=ExecutorChoice(executor, workers=workers)
            )
        return time.perf_counter() - started, outcome.summary["engines"]["siting"]  # type: ignore[return-value]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = scenario(Path(folder), arguments.time_limit)
        reference = None
        print("executor  wall s  tasks s  longest s  same plan  regions (stations, seconds)")
        for executor in ("serial", "local", "dask"):
            wall, siting = run(path, executor, arguments.workers)
            rows = siting["regions"]
            seconds = [row["preparation_seconds"] + row["solve"]["seconds"] for row in rows]
            figures = [
                (row["region"], row["stations"], row["solve"]["objective"], row["coverage_percent"])
                for row in rows
            ]
            reference = reference or figures
            regions = ", ".join(
                f"{row['region']} {row['stations']} in {task:.1f} s"
                + ("" if row["solve"]["status"] == "optimal" else f" ({row['solve']['status']})")
                for row, task in zip(rows, seconds, strict=True)
            )
            print(
                f"{executor:8}  {wall:6.1f}  {sum(seconds):7.1f}  {max(seconds):9.1f}  "
                f"{'yes' if figures == reference else 'NO':9}  {regions}"
            )
        print(
            "A region with its status in parentheses ended unproven (at its time limit): its plan "
            "may differ from run to run, so 'same plan' compares only where every region is "
            "proven optimal."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
