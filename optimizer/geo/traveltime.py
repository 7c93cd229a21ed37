"""Bounded travel times on a :class:`RoadNetwork`: sparse origin × destination minutes.

Searches are scipy's ``csgraph.dijkstra`` with ``limit`` (the cutoff), run from a chunk of
sources at a time. A search of ``t`` seconds cannot end farther than ``t`` times the network's
fastest straight-line speed from its start, so each chunk (sources from one square cell) runs on
the subgraph of nodes within that reach of its cell, extracted in time proportional to its size.
Before searching, the through-nodes of unbranched streets that are neither sources nor targets
are contracted away (:func:`~optimizer.geo.network.contract_chains`), which shrinks the graph
several times on unsimplified OSM data. The results are exact: every path within the cutoff
lies inside the window, and contraction keeps times between the remaining nodes. Memory stays
bounded by ``chunk × window`` distances.

Stored entries of the returned matrices are exactly the pairs reached within the cutoff. A pair
reached in 0 minutes (a node to itself) is stored as :data:`MIN_STORED_MINUTES` rather than 0,
so the entry survives sparse operations that drop explicit zeros; treat values below
``1e-6`` minutes as 0.

Results can be cached on disk (``cache_dir``): one ``.npz`` per call, keyed by a SHA-256 of the
network's fingerprint and every argument.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from optimizer.geo.network import RoadNetwork, contract_chains

#: What a reachable pair with a travel time of 0 minutes is stored as (see module docstring).
MIN_STORED_MINUTES = 1e-9

#: Largest number of float64 distances one Dijkstra chunk may hold (64 MiB).
MAX_CHUNK_DISTANCES = 8_000_000

#: Cells per reach radius when grouping sources into windows (see ``_windows``). On the Porto
#: walk network 1 was fastest: per-chunk overhead outweighs the tighter windows of 2 or more.
CELLS_PER_REACH = 1

_CACHE_FORMAT = "svcplan-traveltime-1"


def travel_minutes(
    network: RoadNetwork,
    *,
    origins: np.ndarray,
    destinations: np.ndarray,
    cutoff_minutes: float,
    direction: Literal["to_destinations", "from_destinations"] = "to_destinations",
    cache_dir: str | Path | None = None,
) -> sp.csr_array:
    """Travel minutes between node sets, keeping only pairs within the cutoff.

    Args:
        network: the road network.
        origins: node indices (rows of the result); repeats allowed.
        destinations: node indices (columns of the result); repeats allowed.
        cutoff_minutes: pairs farther apart than this many minutes are left out.
        direction: ``"to_destinations"``: entry ``[i, j]`` is the trip origins[i] →
            destinations[j] (a resident travelling to a station); ``"from_destinations"``:
            the trip destinations[j] → origins[i] (a crew driving out to a resident).
        cache_dir: directory of the on-disk result cache; ``None`` disables it.

    Returns:
        ``(len(origins), len(destinations))`` CSR array of minutes. Stored entries are the
        pairs reached within ``cutoff_minutes`` (0-minute pairs stored as
        :data:`MIN_STORED_MINUTES`).

    The searches run from whichever side has fewer distinct nodes, on the reversed network
    when that side is where trips end; the result is the same either way.
    """
    origins = _node_indices(network, origins, "origins")
    destinations = _node_indices(network, destinations, "destinations")
    if cutoff_minutes < 0:
        raise ValueError(f"cutoff_minutes must be >= 0, not {cutoff_minutes}")
    if direction not in ("to_destinations", "from_destinations"):
        raise ValueError(f"unknown direction {direction!r}")
    key_parts = ("travel_minutes", origins, destinations, float(cutoff_minutes), direction)
    cached = _cache_load(cache_dir, network, key_parts)
    if cached is not None:
        return cached

    origin_nodes, origin_rows = np.unique(origins, return_inverse=True)
    destination_nodes, destination_columns = np.unique(destinations, return_inverse=True)
    from_origins = len(origin_nodes) <= len(destination_nodes)
    trips_start_at_sources = from_origins == (direction == "to_destinations")
    graph = network if trips_start_at_sources else network.reverse()
    sources, targets = (
        (origin_nodes, destination_nodes) if from_origins else (destination_nodes, origin_nodes)
    )
    minutes = _to_minutes(_bounded_seconds(graph, sources, targets, cutoff_minutes * 60.0))
    if not from_origins:
        minutes = sp.csr_array(minutes.T)
    if not np.array_equal(origins, origin_nodes):  # repeated or unsorted origins
        minutes = minutes[origin_rows]
    if not np.array_equal(destinations, destination_nodes):
        minutes = minutes[:, destination_columns]
    result = sp.csr_array(minutes)
    _cache_store(cache_dir, network, key_parts, result)
    return result


def nearest_minutes(
    network: RoadNetwork,
    *,
    sources: np.ndarray,
    cutoff_minutes: float | None = None,
    direction: Literal["to_sources", "from_sources"] = "to_sources",
) -> np.ndarray:
    """Minutes between every node and its nearest source, in one multi-source search.

    Args:
        network: the road network.
        sources: node indices (e.g. stations).
        cutoff_minutes: stop searching beyond this; ``None`` searches the whole network.
        direction: ``"to_sources"``: time of the trip node → nearest source;
            ``"from_sources"``: time of the trip nearest source → node.

    Returns:
        float64 array of length ``network.node_count``: minutes, ``inf`` where no source is
        within the cutoff.
    """
    sources = np.unique(_node_indices(network, sources, "sources"))
    if direction not in ("to_sources", "from_sources"):
        raise ValueError(f"unknown direction {direction!r}")
    graph = network.reverse() if direction == "to_sources" else network
    if len(sources) == 0:
        return np.full(network.node_count, np.inf)
    limit = np.inf if cutoff_minutes is None else cutoff_minutes * 60.0
    seconds = dijkstra(graph.seconds, directed=True, indices=sources, limit=limit, min_only=True)
    return seconds / 60.0


def _node_indices(network: RoadNetwork, nodes: np.ndarray, name: str) -> np.ndarray:
    nodes = np.asarray(nodes, dtype=np.int64).ravel()
    if len(nodes) and (nodes.min() < 0 or nodes.max() >= network.node_count):
        raise ValueError(f"{name} must be node indices in [0, {network.node_count})")
    return nodes


def _to_minutes(seconds: sp.csr_array) -> sp.csr_array:
    minutes = seconds.copy()
    minutes.data = np.maximum(minutes.data / 60.0, MIN_STORED_MINUTES)
    return minutes


def _bounded_seconds(
    network: RoadNetwork, sources: np.ndarray, targets: np.ndarray, limit_seconds: float
) -> sp.csr_array:
    """``(len(sources), len(targets))`` CSR of travel seconds source → target within the
    limit; reachable 0-second pairs are stored as explicit zeros."""
    shape = (len(sources), len(targets))
    if len(sources) == 0 or len(targets) == 0:
        return sp.csr_array(shape)
    protected = np.zeros(network.node_count, dtype=bool)
    protected[sources] = protected[targets] = True
    kept, graph = contract_chains(network.seconds, protected)
    position = np.full(network.node_count, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    sources, targets = position[sources], position[targets]
    x, y = network.x_meters[kept], network.y_meters[kept]
    reach_meters = limit_seconds * network.max_straight_speed_meters_per_second

    target_column = np.full(len(kept), -1, dtype=np.int64)
    target_column[targets] = np.arange(len(targets))
    local = np.full(len(kept), -1, dtype=np.int64)
    rows, columns, values = [], [], []
    for chunk_rows, window in _windows(x, y, sources, reach_meters):
        local[window] = np.arange(len(window))
        window_targets = window[target_column[window] >= 0]
        distances = dijkstra(
            _subgraph(graph, window, local),
            directed=True,
            indices=local[sources[chunk_rows]],
            limit=limit_seconds,
        )[:, local[window_targets]]
        local[window] = -1
        hit_row, hit_column = np.nonzero(np.isfinite(distances))
        rows.append(chunk_rows[hit_row].astype(np.int32))
        columns.append(target_column[window_targets[hit_column]].astype(np.int32))
        values.append(distances[hit_row, hit_column])
    coo = sp.coo_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=shape
    )
    return coo.tocsr()


def _subgraph(graph: sp.csr_array, window: np.ndarray, local: np.ndarray) -> sp.csr_array:
    """The CSR subgraph on ``window`` nodes (``local`` maps them to 0..len-1, others to -1),
    in time proportional to the window's edges."""
    starts = graph.indptr[window]
    counts = graph.indptr[window + 1] - starts
    offsets = np.cumsum(counts) - counts
    positions = np.arange(counts.sum()) + np.repeat(starts - offsets, counts)
    columns = local[graph.indices[positions]]
    inside = columns >= 0
    kept_per_row = np.bincount(
        np.repeat(np.arange(len(window)), counts)[inside], minlength=len(window)
    )
    indptr = np.concatenate([[0], np.cumsum(kept_per_row)])
    return sp.csr_array(
        (graph.data[positions[inside]], columns[inside], indptr), shape=(len(window),) * 2
    )


def _windows(
    x: np.ndarray, y: np.ndarray, sources: np.ndarray, reach_meters: float
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(source_positions, window_nodes)`` chunks covering every source once.

    ``x``, ``y`` are node coordinates in metres; no trip ends farther than ``reach_meters``
    from its source. Nodes and sources are bucketed in square cells of side
    ``reach / CELLS_PER_REACH``; a chunk's window is the block of cells within reach of its
    sources' cell, which holds every node they can reach. Smaller cells give tighter windows
    (a search costs time in proportion to its window) but more chunks. When the reach spans
    the network the window is all nodes.
    """
    reach_meters += 1.0  # slack for rounding in the speed bound and the cell arithmetic
    if not np.isfinite(reach_meters) or reach_meters >= max(np.ptp(x), np.ptp(y)):
        yield from _chunks(np.arange(len(sources)), np.arange(len(x)))
        return
    k = CELLS_PER_REACH
    cell_meters = reach_meters / k
    cell_x = np.floor((x - x.min()) / cell_meters).astype(np.int64) + k
    cell_y = np.floor((y - y.min()) / cell_meters).astype(np.int64) + k
    row_width = int(cell_x.max()) + k + 1
    node_key = cell_y * row_width + cell_x
    node_order = np.argsort(node_key, kind="stable")
    sorted_keys = node_key[node_order]
    source_key = node_key[sources]
    order = np.argsort(source_key, kind="stable")
    starts = np.flatnonzero(np.r_[True, source_key[order][1:] != source_key[order][:-1]])
    for positions in np.split(order, starts[1:]):
        block_rows = source_key[positions[0]] + np.arange(-k, k + 1) * row_width
        lo = np.searchsorted(sorted_keys, block_rows - k, side="left")
        hi = np.searchsorted(sorted_keys, block_rows + k, side="right")
        window = np.concatenate([node_order[a:b] for a, b in zip(lo, hi, strict=True)])
        yield from _chunks(positions, window)


def _chunks(positions: np.ndarray, window: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    chunk = max(1, MAX_CHUNK_DISTANCES // max(len(window), 1))
    for start in range(0, len(positions), chunk):
        yield positions[start : start + chunk], window


def _cache_path(cache_dir: str | Path, network: RoadNetwork, key_parts: tuple) -> Path:
    digest = hashlib.sha256(f"{_CACHE_FORMAT}|{network.fingerprint}".encode())
    for part in key_parts:
        digest.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"|")
    return Path(cache_dir) / f"{digest.hexdigest()}.npz"


def _cache_load(
    cache_dir: str | Path | None, network: RoadNetwork, key_parts: tuple
) -> sp.csr_array | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, network, key_parts)
    if not path.is_file():
        return None
    with np.load(path) as stored:
        return sp.csr_array(
            (stored["data"], stored["indices"], stored["indptr"]), shape=tuple(stored["shape"])
        )


def _cache_store(
    cache_dir: str | Path | None, network: RoadNetwork, key_parts: tuple, result: sp.csr_array
) -> None:
    """Write atomically: a temporary file in the cache directory renamed into place."""
    if cache_dir is None:
        return
    path = _cache_path(cache_dir, network, key_parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    with os.fdopen(handle, "wb") as file:
        np.savez(
            file,
            data=result.data,
            indices=result.indices,
            indptr=result.indptr,
            shape=np.array(result.shape),
        )
    os.replace(temporary, path)
