"""Travel times agree with networkx on the real Porto Alegre network, in both directions."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from optimizer.geo import traveltime
from optimizer.geo.network import contract_chains
from optimizer.geo.osm import load_road_network
from optimizer.geo.traveltime import MIN_STORED_MINUTES, nearest_minutes, travel_minutes

REPO = Path(__file__).resolve().parent.parent
POA_PBF = REPO / "geodata" / "porto_alegre" / "poa_osm.pbf"
ONEWAY_OSM = REPO / "tests" / "data" / "oneway_streets.osm"


@pytest.fixture(scope="module")
def drive():
    return load_road_network(POA_PBF, mode="drive")


@pytest.fixture(scope="module")
def drive_graph(drive):
    return drive.to_networkx()


def _networkx_minutes(graph: nx.DiGraph, source: int, cutoff_minutes: float) -> dict[int, float]:
    seconds = nx.single_source_dijkstra_path_length(
        graph, source, cutoff=cutoff_minutes * 60, weight="seconds"
    )
    return {node: value / 60 for node, value in seconds.items()}


def _assert_row_matches(row_nodes, row_minutes, expected: dict[int, float]):
    assert sorted(row_nodes.tolist()) == sorted(expected)
    want = np.array([expected[node] for node in row_nodes])
    np.testing.assert_allclose(np.maximum(want, MIN_STORED_MINUTES), row_minutes, atol=1e-9)


def test_all_node_reach_matches_networkx(drive, drive_graph):
    sources = np.random.default_rng(1).choice(drive.node_count, 25, replace=False)
    minutes = travel_minutes(
        drive, origins=sources, destinations=np.arange(drive.node_count), cutoff_minutes=6
    )
    assert minutes.shape == (25, drive.node_count)
    for row, source in enumerate(sources):
        start, end = minutes.indptr[row], minutes.indptr[row + 1]
        expected = _networkx_minutes(drive_graph, int(source), 6)
        assert len(expected) > 100
        _assert_row_matches(minutes.indices[start:end], minutes.data[start:end], expected)


def test_origin_destination_matrix_matches_networkx_both_ways(drive, drive_graph):
    """Fewer origins: searches run forward from origins. Fewer destinations: backward from
    destinations on the reversed graph. Both must equal networkx's forward searches."""
    rng = np.random.default_rng(2)
    few = rng.choice(drive.node_count, 20, replace=False)
    many = rng.choice(drive.node_count, 3000, replace=False)
    from_few = travel_minutes(drive, origins=few, destinations=many, cutoff_minutes=8)
    to_few = travel_minutes(drive, origins=many, destinations=few, cutoff_minutes=8)
    many_column = {int(node): column for column, node in enumerate(many)}
    for row, source in enumerate(few):
        reach = _networkx_minutes(drive_graph, int(source), 8)
        expected = {many_column[n]: m for n, m in reach.items() if n in many_column}
        start, end = from_few.indptr[row], from_few.indptr[row + 1]
        _assert_row_matches(from_few.indices[start:end], from_few.data[start:end], expected)
    reverse_graph = drive_graph.reverse(copy=False)
    to_few_columns = to_few.tocsc()
    for column, target in enumerate(few):
        reach = _networkx_minutes(reverse_graph, int(target), 8)  # trips ending at target
        expected = {many_column[n]: m for n, m in reach.items() if n in many_column}
        start, end = to_few_columns.indptr[column], to_few_columns.indptr[column + 1]
        _assert_row_matches(
            to_few_columns.indices[start:end], to_few_columns.data[start:end], expected
        )
    assert (from_few != to_few.T).nnz > 0  # one-way streets make the two differ


def test_from_destinations_is_the_transpose_of_to_destinations(drive):
    rng = np.random.default_rng(3)
    a = rng.choice(drive.node_count, 40, replace=False)
    b = rng.choice(drive.node_count, 500, replace=False)
    outbound = travel_minutes(drive, origins=a, destinations=b, cutoff_minutes=10)
    inbound = travel_minutes(
        drive, origins=b, destinations=a, cutoff_minutes=10, direction="from_destinations"
    )
    assert outbound.nnz > 1000
    assert (outbound != inbound.T).nnz == 0


def test_oneway_direction_on_the_hand_made_network():
    network = load_road_network(ONEWAY_OSM, mode="drive")
    n1, n2 = np.searchsorted(network.osm_node_ids, [1, 2])
    to_n2 = travel_minutes(network, origins=[n1], destinations=[n2], cutoff_minutes=1).toarray()
    to_n1 = travel_minutes(network, origins=[n2], destinations=[n1], cutoff_minutes=1).toarray()
    assert to_n2[0, 0] == pytest.approx(7.17 / 60, abs=0.01 / 60)
    assert to_n1[0, 0] == pytest.approx(29.41 / 60, abs=0.02 / 60)
    # Residents at every node travelling to a station at n1 (searched on the reversed graph).
    everyone = np.arange(network.node_count)
    inbound = travel_minutes(network, origins=everyone, destinations=[n1], cutoff_minutes=1)
    assert inbound[[n2], [0]][0] == pytest.approx(to_n1[0, 0])
    outbound = travel_minutes(
        network,
        origins=everyone,
        destinations=[n1],
        cutoff_minutes=1,
        direction="from_destinations",
    )
    assert outbound[[n2], [0]][0] == pytest.approx(to_n2[0, 0])


def test_cutoff_bounds_the_stored_pairs_and_zero_minutes_survive(drive):
    nodes = np.arange(0, drive.node_count, 97)
    minutes = travel_minutes(drive, origins=nodes, destinations=nodes, cutoff_minutes=3)
    assert minutes.data.max() <= 3.0
    assert np.all(minutes.diagonal() == MIN_STORED_MINUTES)  # every node reaches itself
    minutes.eliminate_zeros()
    assert np.all(minutes.diagonal() > 0)


def test_repeated_nodes_keep_their_rows_and_columns(drive):
    origins = np.array([5, 7, 5])
    destinations = np.arange(0, drive.node_count, 11)
    minutes = travel_minutes(drive, origins=origins, destinations=destinations, cutoff_minutes=5)
    assert minutes.shape == (3, len(destinations))
    assert (minutes[[0]] != minutes[[2]]).nnz == 0


def test_nearest_minutes_matches_networkx_multi_source(drive, drive_graph):
    stations = np.random.default_rng(4).choice(drive.node_count, 12, replace=False)
    to_station = nearest_minutes(drive, sources=stations, cutoff_minutes=5)
    expected = nx.multi_source_dijkstra_path_length(
        drive_graph.reverse(copy=False), set(stations.tolist()), cutoff=300, weight="seconds"
    )
    assert set(np.flatnonzero(np.isfinite(to_station)).tolist()) == set(expected)
    nodes = np.array(sorted(expected))
    want = np.array([expected[n] for n in nodes]) / 60
    np.testing.assert_allclose(to_station[nodes], want)
    unbounded = nearest_minutes(drive, sources=stations, direction="from_sources")
    assert np.all(np.isfinite(unbounded))  # one strong component: every node is reachable


def test_chain_contraction_keeps_times_between_kept_nodes(drive):
    protected = np.zeros(drive.node_count, dtype=bool)
    protected[np.random.default_rng(5).choice(drive.node_count, 300, replace=False)] = True
    kept, graph = contract_chains(drive.seconds, protected)
    assert protected[kept].sum() == 300
    assert len(kept) < 0.6 * drive.node_count
    sources = np.flatnonzero(protected[kept])[:10]
    contracted = dijkstra(graph, indices=sources)
    full = dijkstra(drive.seconds, indices=kept[sources])[:, kept]
    np.testing.assert_allclose(contracted, full, rtol=1e-12)


def test_result_cache_round_trips_and_is_keyed_by_inputs(drive, tmp_path, monkeypatch):
    nodes = np.arange(0, drive.node_count, 53)
    first = travel_minutes(
        drive, origins=nodes, destinations=nodes, cutoff_minutes=4, cache_dir=tmp_path
    )
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def fail(*args, **kwargs):
        raise AssertionError("the cached result should have been used")

    monkeypatch.setattr(traveltime, "_bounded_seconds", fail)
    again = travel_minutes(
        drive, origins=nodes, destinations=nodes, cutoff_minutes=4, cache_dir=tmp_path
    )
    assert (first != again).nnz == 0
    with pytest.raises(AssertionError, match="cached result"):
        travel_minutes(
            drive, origins=nodes, destinations=nodes, cutoff_minutes=5, cache_dir=tmp_path
        )


def test_invalid_node_indices_are_rejected(drive):
    with pytest.raises(ValueError, match="origins"):
        travel_minutes(drive, origins=[drive.node_count], destinations=[0], cutoff_minutes=5)
