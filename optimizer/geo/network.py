"""The routable road network: node arrays and a directed CSR adjacency of travel seconds.

A :class:`RoadNetwork` is built from plain edge arrays by :meth:`RoadNetwork.from_edges`, which
merges parallel edges (the fastest one wins), drops self-loops and keeps only the largest strongly
connected component, so every node can reach every other node. Coordinates are metres in a
projected CRS (the local UTM zone when the network comes from :mod:`optimizer.geo.osm`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
import pyproj
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

#: Shortest edge kept, in metres. Two OSM nodes at the same spot are joined by an edge this
#: long, so the edge has a positive travel time and survives sparse storage.
MIN_EDGE_METERS = 0.01


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road network for one travel mode.

    Attributes:
        osm_node_ids: OSM id of each node, int64, shape ``(n,)``.
        x_meters, y_meters: projected node coordinates in metres (CRS ``crs``), shape ``(n,)``.
        crs: the projected CRS of the coordinates, e.g. ``"EPSG:32722"``.
        seconds: ``(n, n)`` CSR array; entry ``[u, v]`` is the travel time in seconds of the
            edge u → v (no entry: no edge).
        length_meters: ``(n, n)`` CSR array with the same sparsity: edge lengths in metres.
        mode: travel mode, ``"walk"``, ``"bike"`` or ``"drive"``.
        dropped_node_count: nodes outside the largest strongly connected component, removed.
    """

    osm_node_ids: np.ndarray
    x_meters: np.ndarray
    y_meters: np.ndarray
    crs: str
    seconds: sp.csr_array
    length_meters: sp.csr_array
    mode: str
    dropped_node_count: int

    @classmethod
    def from_edges(
        cls,
        *,
        osm_node_ids: np.ndarray,
        x_meters: np.ndarray,
        y_meters: np.ndarray,
        crs: str,
        tail: np.ndarray,
        head: np.ndarray,
        length_meters: np.ndarray,
        speed_meters_per_second: np.ndarray,
        mode: str,
    ) -> RoadNetwork:
        """Build a network from directed edges ``tail[i] → head[i]`` (indices into the nodes).

        Lengths below :data:`MIN_EDGE_METERS` are raised to it; travel seconds are
        ``length_meters / speed_meters_per_second``. Of parallel edges the fastest is kept;
        self-loops are dropped. Only the largest strongly connected component is kept;
        ``dropped_node_count`` counts the other nodes.
        """
        node_count = len(osm_node_ids)
        length = np.maximum(np.asarray(length_meters, dtype=np.float64), MIN_EDGE_METERS)
        seconds = length / np.asarray(speed_meters_per_second, dtype=np.float64)
        fastest = _fastest_edges(tail, head, seconds)
        tail, head, length, seconds = (
            tail[fastest],
            head[fastest],
            length[fastest],
            seconds[fastest],
        )

        shape = (node_count, node_count)
        adjacency = sp.csr_array((seconds, (tail, head)), shape=shape)
        _, labels = connected_components(adjacency, directed=True, connection="strong")
        sizes = np.bincount(labels)
        kept_nodes = np.flatnonzero(labels == np.argmax(sizes)) if node_count else labels
        new_index = np.full(node_count, -1, dtype=np.int64)
        new_index[kept_nodes] = np.arange(len(kept_nodes))
        keep = (new_index[tail] >= 0) & (new_index[head] >= 0)
        tail, head = new_index[tail[keep]], new_index[head[keep]]
        kept_shape = (len(kept_nodes), len(kept_nodes))
        return cls(
            osm_node_ids=np.asarray(osm_node_ids, dtype=np.int64)[kept_nodes],
            x_meters=np.asarray(x_meters, dtype=np.float64)[kept_nodes],
            y_meters=np.asarray(y_meters, dtype=np.float64)[kept_nodes],
            crs=crs,
            seconds=sp.csr_array((seconds[keep], (tail, head)), shape=kept_shape),
            length_meters=sp.csr_array((length[keep], (tail, head)), shape=kept_shape),
            mode=mode,
            dropped_node_count=int(node_count - len(kept_nodes)),
        )

    @property
    def node_count(self) -> int:
        """Number of nodes."""
        return len(self.osm_node_ids)

    @property
    def edge_count(self) -> int:
        """Number of directed edges (parallel edges already merged)."""
        return int(self.seconds.nnz)

    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(tail, head, seconds)`` of every directed edge, in CSR order."""
        tail = np.repeat(np.arange(self.node_count), np.diff(self.seconds.indptr))
        return tail, self.seconds.indices.astype(np.int64), self.seconds.data

    def reverse(self) -> RoadNetwork:
        """The same network with every edge turned around (cached).

        Travel times *to* a node on this network are travel times *from* it on the reverse.
        """
        return self._reversed

    @cached_property
    def _reversed(self) -> RoadNetwork:
        return RoadNetwork(
            osm_node_ids=self.osm_node_ids,
            x_meters=self.x_meters,
            y_meters=self.y_meters,
            crs=self.crs,
            seconds=sp.csr_array(self.seconds.T),
            length_meters=sp.csr_array(self.length_meters.T),
            mode=self.mode,
            dropped_node_count=self.dropped_node_count,
        )

    @cached_property
    def _kdtree(self) -> cKDTree:
        return cKDTree(np.column_stack([self.x_meters, self.y_meters]))

    def nearest_nodes(
        self, x_meters: np.ndarray, y_meters: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Snap points (metres, in ``crs``) to their nearest node.

        Returns ``(node_index, snap_meters)``: int64 node indices and straight-line distances.
        """
        points = np.column_stack([np.ravel(x_meters), np.ravel(y_meters)])
        snap_meters, node_index = self._kdtree.query(points)
        return node_index.astype(np.int64), snap_meters

    def to_lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(lon, lat)`` of every node in degrees (WGS 84)."""
        return self.lonlat_of(self.x_meters, self.y_meters)

    def lonlat_of(
        self, x_meters: np.ndarray, y_meters: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(lon, lat)`` in degrees (WGS 84) of points given in the network's CRS."""
        to_wgs84 = pyproj.Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        lon, lat = to_wgs84.transform(np.asarray(x_meters), np.asarray(y_meters))
        return np.asarray(lon), np.asarray(lat)

    def project(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(x_meters, y_meters)`` in the network's CRS of points given in WGS 84 degrees."""
        to_network = pyproj.Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        x_meters, y_meters = to_network.transform(np.asarray(lon), np.asarray(lat))
        return np.asarray(x_meters), np.asarray(y_meters)

    @cached_property
    def max_straight_speed_meters_per_second(self) -> float:
        """Largest straight-line distance covered per second on any edge.

        No trip of ``t`` seconds ends farther than ``t`` times this from its start, which lets
        bounded searches look only at nearby nodes.
        """
        tail, head, seconds = self.edge_arrays()
        if len(seconds) == 0:
            return 0.0
        straight_meters = np.hypot(
            self.x_meters[head] - self.x_meters[tail], self.y_meters[head] - self.y_meters[tail]
        )
        return float(np.max(straight_meters / seconds))

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 hex digest of the graph, coordinates, CRS and mode (for result caches)."""
        digest = hashlib.sha256(f"{self.mode}|{self.crs}".encode())
        for array in (
            self.osm_node_ids,
            self.x_meters,
            self.y_meters,
            self.seconds.indptr,
            self.seconds.indices,
            self.seconds.data,
        ):
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def to_networkx(self) -> nx.DiGraph:
        """The network as a networkx DiGraph on node indices.

        Edge attributes: ``seconds`` and ``length_meters``. For validation and interoperability;
        the array form is what the optimizer uses.
        """
        tail, head, seconds = self.edge_arrays()
        graph = nx.DiGraph()
        graph.add_nodes_from(range(self.node_count))
        graph.add_edges_from(
            (int(u), int(v), {"seconds": float(s), "length_meters": float(m)})
            for u, v, s, m in zip(tail, head, seconds, self.length_meters.data, strict=True)
        )
        return graph


def _fastest_edges(tail: np.ndarray, head: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Positions of the edges to keep: no self-loops, and of parallel edges the fastest,
    ordered by (tail, head)."""
    order = np.lexsort((seconds, head, tail))
    order = order[tail[order] != head[order]]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (tail[order][1:] != tail[order][:-1]) | (head[order][1:] != head[order][:-1])
    return order[first]


def contract_chains(
    seconds: sp.csr_array, protected: np.ndarray
) -> tuple[np.ndarray, sp.csr_array]:
    """Remove the through-nodes of a graph, keeping travel times between the other nodes.

    A through-node lies inside an unbranched street: exactly two neighbours, passed straight
    through (one-way, or both ways), and not ``protected``. Each chain of through-nodes between
    two kept nodes becomes one edge whose seconds are the chain's sum (vectorised pointer
    jumping, ``O(edges × log(longest chain))``). Shortest travel times between kept nodes are
    unchanged.

    Args:
        seconds: ``(n, n)`` CSR of edge travel seconds, no self-loops or parallel edges.
        protected: bool mask of nodes that must be kept (e.g. the sources and targets).

    Returns:
        ``(kept, graph)``: the kept node indices (ascending) and the CSR of seconds between
        them, indexed by position in ``kept``.
    """
    n = seconds.shape[0]
    tail = np.repeat(np.arange(n), np.diff(seconds.indptr))
    head = seconds.indices.astype(np.int64)
    both_ways = sp.csr_array(
        (np.ones(2 * len(head)), (np.r_[tail, head], np.r_[head, tail])), shape=(n, n)
    )
    out_degree = np.diff(seconds.indptr)
    in_degree = np.bincount(head, minlength=n)
    through = (
        (np.diff(both_ways.indptr) == 2)
        & ~protected
        & (((in_degree == 1) & (out_degree == 1)) | ((in_degree == 2) & (out_degree == 2)))
    )
    if not through.any():
        return np.arange(n), seconds
    # The edge after each edge that enters a through-node: its out-edge to the other neighbour.
    following = np.full(len(head), -1, dtype=np.int64)
    enters = np.flatnonzero(through[head])
    first_out = seconds.indptr[head[enters]]
    following[enters] = np.where(head[first_out] != tail[enters], first_out, first_out + 1)

    total = seconds.data.astype(np.float64)
    last = np.arange(len(head))
    for _ in range(int(np.log2(max(len(head), 2))) + 2):
        active = np.flatnonzero(following >= 0)
        if len(active) == 0:
            break
        step = following[active]
        total[active] += total[step]
        last[active] = last[step]
        following[active] = following[step]
    else:  # rings made only of through-nodes: keep their nodes and start again
        on_rings = np.zeros(n, dtype=bool)
        on_rings[head[active]] = True
        return contract_chains(seconds, protected | on_rings)

    kept = np.flatnonzero(~through)
    position = np.full(n, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    starts = np.flatnonzero(~through[tail])
    chain_tail, chain_head = position[tail[starts]], position[head[last[starts]]]
    fastest = _fastest_edges(chain_tail, chain_head, total[starts])
    graph = sp.csr_array(
        (total[starts][fastest], (chain_tail[fastest], chain_head[fastest])),
        shape=(len(kept), len(kept)),
    )
    return kept, graph
