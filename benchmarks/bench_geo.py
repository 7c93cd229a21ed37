"""Geo layer benchmark: svcplan against osmnx/networkx, side by side in one run.

1. Loading the Porto (Portugal) OSM extract into a routable walk network: svcplan reads the
   ``.osm.pbf``; osmnx ``graph_from_xml`` reads the same data as ``.osm.bz2`` (osmnx has no PBF
   reader) and is then reduced to the same walk network (same way filter, largest strongly
   connected component), so node and edge counts can be compared one to one.
2. The 15-minute walk coverage matrix between the 1,659 census subsections of Porto (INE BGRI
   2021) and 5,000 candidate sites (random network nodes inside the municipality):
   svcplan ``travel_minutes`` against networkx ``single_source_dijkstra_path_length`` with
   ``cutoff`` from each site, on the same graph. networkx runs on a random subset of sites and
   is extrapolated linearly; the covered pairs of that subset must be identical.
   A second row times the full reach of every site (sites × all nodes).
3. Peak memory: every measurement runs in its own subprocess, which reports its peak RSS.

Run from the repository root::

    python benchmarks/bench_geo.py

It reads ``../shared/data`` relative to the repository and exits 0 with a message when absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "geo" / "porto_pt"
PBF = DATA / "porto_portugal.osm.pbf"
XML = DATA / "porto_portugal.osm.bz2"
BGRI = DATA / "BGRI2021_1312.gpkg"
CUTOFF_MINUTES = 15.0


class _Clock:
    """Wall-clock and CPU seconds since creation (CPU time is less sensitive to a busy
    machine; pyosmium decodes on a thread pool, so its CPU time can exceed its wall time)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def read(self) -> dict[str, float]:
        return {
            "seconds": time.perf_counter() - self.wall,
            "cpu_seconds": time.process_time() - self.cpu,
        }


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_svcplan(_: argparse.Namespace) -> dict:
    from optimizer.geo.osm import load_road_network

    clock = _Clock()
    network = load_road_network(PBF, mode="walk")
    timing = clock.read()
    return {
        **timing,
        "nodes": network.node_count,
        "edges": network.edge_count,
        "dropped_nodes": network.dropped_node_count,
    }


def load_osmnx(_: argparse.Namespace) -> dict:
    import networkx as nx
    import osmnx as ox

    from optimizer.geo.osm import DEFAULT_SPEEDS_KMH, way_rule

    ox.settings.useful_tags_way = [*ox.settings.useful_tags_way, "foot"]
    clock = _Clock()
    graph = ox.graph_from_xml(XML, bidirectional=True, simplify=False, retain_all=True)
    parse_seconds = clock.read()["seconds"]
    walk_speeds = DEFAULT_SPEEDS_KMH["walk"]
    walkable = [
        (u, v, k)
        for u, v, k, tags in graph.edges(keys=True, data=True)
        if way_rule(tags, "walk", walk_speeds)[0] > 0
    ]
    walk = graph.edge_subgraph(walkable)
    largest = max(nx.strongly_connected_components(walk), key=len)
    walk = walk.subgraph(largest)
    return {
        **clock.read(),
        "parse_seconds": parse_seconds,
        "raw_nodes": graph.number_of_nodes(),
        "raw_edges": graph.number_of_edges(),
        "nodes": walk.number_of_nodes(),
        "edges": walk.number_of_edges(),
        "distinct_edges": len({(u, v) for u, v in walk.edges() if u != v}),
    }


def _coverage_inputs(args: argparse.Namespace):
    """The walk network, demand nodes (BGRI subsections), candidate sites and the subset of
    sites networkx is timed on. Deterministic for a given seed."""
    import shapely

    from optimizer.geo.demand import load_demand_points
    from optimizer.geo.osm import load_road_network

    network = load_road_network(PBF, mode="walk")
    demand = load_demand_points(BGRI, population_field="N_INDIVIDUOS", network=network)
    municipality = shapely.union_all(demand.areas.geometry.to_crs(network.crs).to_numpy())
    inside = np.flatnonzero(shapely.contains_xy(municipality, network.x_meters, network.y_meters))
    rng = np.random.default_rng(args.seed)
    sites = np.sort(rng.choice(inside, args.sites, replace=False))
    subset = np.sort(rng.choice(args.sites, args.nx_sample, replace=False))
    return network, demand.node_index, sites, subset


def _subset_columns(matrix, subset: np.ndarray, sites: np.ndarray) -> dict[int, list[int]]:
    columns = matrix.tocsc()
    return {
        int(site): sorted(columns.indices[columns.indptr[j] : columns.indptr[j + 1]].tolist())
        for j, site in zip(subset, sites[subset], strict=True)
    }


def coverage_svcplan(args: argparse.Namespace) -> dict:
    from optimizer.geo.traveltime import travel_minutes

    network, demand_nodes, sites, subset = _coverage_inputs(args)
    clock = _Clock()
    matrix = travel_minutes(
        network, origins=demand_nodes, destinations=sites, cutoff_minutes=CUTOFF_MINUTES
    )
    timing = clock.read()
    return {
        **timing,
        "demand_points": len(demand_nodes),
        "sites": len(sites),
        "covered_pairs": int(matrix.nnz),
        "subset_pairs": _subset_columns(matrix, subset, sites),
    }


def reach_svcplan(args: argparse.Namespace) -> dict:
    from optimizer.geo.traveltime import travel_minutes

    network, _, sites, subset = _coverage_inputs(args)
    clock = _Clock()
    reach = travel_minutes(
        network,
        origins=np.arange(network.node_count),
        destinations=sites,
        cutoff_minutes=CUTOFF_MINUTES,
    )
    timing = clock.read()
    counts = np.diff(reach.tocsc().indptr)
    return {
        **timing,
        "reach_pairs": int(reach.nnz),
        "subset_reach_counts": {
            int(s): int(counts[j]) for j, s in zip(subset, sites[subset], strict=True)
        },
    }


def coverage_networkx(args: argparse.Namespace) -> dict:
    import networkx as nx

    network, demand_nodes, sites, subset = _coverage_inputs(args)
    graph = network.to_networkx()
    # Trips go from residents to sites, so search backwards from each site.
    towards_site = graph.reverse(copy=False)
    demand_rows: dict[int, list[int]] = {}
    for row, node in enumerate(demand_nodes.tolist()):
        demand_rows.setdefault(node, []).append(row)
    pairs, reach_counts = {}, {}
    clock = _Clock()
    for site in sites[subset].tolist():
        reached = nx.single_source_dijkstra_path_length(
            towards_site, site, cutoff=CUTOFF_MINUTES * 60, weight="seconds"
        )
        pairs[site] = sorted(row for node in reached for row in demand_rows.get(node, ()))
        reach_counts[site] = len(reached)
    timing = clock.read()
    scale = len(sites) / len(subset)
    return {
        "subset_seconds": timing["seconds"],
        "seconds": timing["seconds"] * scale,
        "cpu_seconds": timing["cpu_seconds"] * scale,
        "subset_pairs": pairs,
        "subset_reach_counts": reach_counts,
    }


PARTS = {
    f.__name__: f
    for f in (load_svcplan, load_osmnx, coverage_svcplan, reach_svcplan, coverage_networkx)
}


def _run_part(name: str, args: argparse.Namespace, out_dir: Path) -> dict:
    """Run one measurement in a fresh interpreter; return its result and peak RSS."""
    out = out_dir / f"{name}.json"
    command = [sys.executable, __file__, "--part", name, "--out", str(out)]
    command += ["--sites", str(args.sites), "--nx-sample", str(args.nx_sample)]
    command += ["--seed", str(args.seed)]
    print(f"  running {name} ...", file=sys.stderr, flush=True)
    subprocess.run(command, check=True, cwd=REPO)
    return json.loads(out.read_text())


_TIMINGS = ("seconds", "cpu_seconds", "parse_seconds", "subset_seconds")


def _best(runs: list[dict]) -> dict:
    """The first run's figures with the fastest timings and the highest peak RSS of all runs."""
    best = dict(runs[0])
    for key in _TIMINGS:
        if key in best:
            best[key] = min(run[key] for run in runs)
    best["peak_rss_mib"] = max(run["peak_rss_mib"] for run in runs)
    return best


def _same(ours: int, theirs: int) -> str:
    return "same" if ours == theirs else f"differ by {ours - theirs:+,}"


def _timing_row(label: str, ours: dict, theirs: dict, note: str = "") -> str:
    """One table row: wall (CPU) seconds of each side and both ratios."""
    wall = theirs["seconds"] / ours["seconds"]
    cpu = theirs["cpu_seconds"] / ours["cpu_seconds"]
    return (
        f"| {label}: seconds wall (CPU) | {ours['seconds']:.2f} ({ours['cpu_seconds']:.2f}) | "
        f"{theirs['seconds']:.1f} ({theirs['cpu_seconds']:.1f}){note} | "
        f"**{wall:.1f}×** ({cpu:.1f}× CPU) |"
    )


def _memory_row(label: str, ours: dict, theirs: dict) -> str:
    ratio = theirs["peak_rss_mib"] / ours["peak_rss_mib"]
    return (
        f"| {label}: peak RSS MiB | {ours['peak_rss_mib']:.0f} | "
        f"{theirs['peak_rss_mib']:.0f} | {ratio:.1f}× |"
    )


def _table(results: dict, args: argparse.Namespace) -> str:
    load_ours, load_osmnx = results["load_svcplan"], results["load_osmnx"]
    cover_ours, cover_nx = results["coverage_svcplan"], results["coverage_networkx"]
    reach_ours = results["reach_svcplan"]
    same_pairs = cover_ours["subset_pairs"] == cover_nx["subset_pairs"]
    same_reach = reach_ours["subset_reach_counts"] == cover_nx["subset_reach_counts"]
    rows = [
        "| measurement | svcplan | osmnx / networkx | ratio (theirs ÷ svcplan) |",
        "| --- | ---: | ---: | ---: |",
        _timing_row(
            "load walk network",
            load_ours,
            load_osmnx,
            f"; XML parse alone {load_osmnx['parse_seconds']:.1f}",
        ),
        _memory_row("load", load_ours, load_osmnx),
        f"| walk network nodes (largest strong component) | {load_ours['nodes']:,} | "
        f"{load_osmnx['nodes']:,} | {_same(load_ours['nodes'], load_osmnx['nodes'])} |",
        f"| walk network directed edges (distinct node pairs) | {load_ours['edges']:,} | "
        f"{load_osmnx['distinct_edges']:,} ({load_osmnx['edges']:,} multigraph edges) | "
        f"{_same(load_ours['edges'], load_osmnx['distinct_edges'])} |",
        _timing_row(
            f"15-min coverage matrix, {cover_ours['demand_points']:,} subsections × "
            f"{cover_ours['sites']:,} sites",
            cover_ours,
            cover_nx,
            f"; extrapolated from {args.nx_sample} sites ({cover_nx['subset_seconds']:.1f} s)",
        ),
        f"| covered (subsection, site) pairs | {cover_ours['covered_pairs']:,} | "
        f"{args.nx_sample}-site subset: {'identical' if same_pairs else 'DIFFERENT'} | |",
        _memory_row("coverage (includes loading the network)", cover_ours, cover_nx),
        _timing_row(
            f"15-min reach of every site (all {load_ours['nodes']:,} nodes × sites)",
            reach_ours,
            cover_nx,
            "; the same searches",
        ),
        f"| reached nodes per site | {reach_ours['reach_pairs'] / cover_ours['sites']:.0f} mean | "
        f"subset counts {'identical' if same_reach else 'DIFFERENT'} | |",
        _memory_row("reach (includes loading the network)", reach_ours, cover_nx),
    ]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=5000, help="candidate sites")
    parser.add_argument("--nx-sample", type=int, default=200, help="sites timed with networkx")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2, help="runs per part; best is kept")
    parser.add_argument("--part", choices=sorted(PARTS), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        result = PARTS[args.part](args)
        result["peak_rss_mib"] = _peak_rss_mib()
        args.out.write_text(json.dumps(result))
        return 0
    missing = [path for path in (PBF, XML, BGRI) if not path.is_file()]
    if missing:
        print(f"bench_geo: shared data not found ({missing[0]}); nothing to run.")
        return 0
    runs: dict[str, list[dict]] = {name: [] for name in PARTS}
    with tempfile.TemporaryDirectory() as out_dir:
        for _ in range(args.repeats):  # interleaved, so load changes hit both sides alike
            for name in PARTS:
                runs[name].append(_run_part(name, args, Path(out_dir)))
    results = {name: _best(part_runs) for name, part_runs in runs.items()}
    print(_table(results, args))
    same = (
        results["coverage_svcplan"]["subset_pairs"] == results["coverage_networkx"]["subset_pairs"]
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
