"""svcplan's network simplex against OR-Tools and networkx on general networks.

The dispatch tests cover the transportation networks the engine is built for; these cover
what the algorithm must get right on any network: capacities at their bounds, transshipment
nodes, negative costs, many ties (degenerate pivots) and infeasible supplies.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from ortools.graph.python import min_cost_flow

from optimizer.dispatch import network_simplex


def random_network(seed: int, *, nodes: int, arcs: int, cost_range: tuple[int, int]):
    """A random network whose supplies can all be routed (a spanning cycle of big arcs)."""
    rng = np.random.default_rng(seed)
    tails = rng.integers(0, nodes, size=arcs)
    heads = rng.integers(0, nodes, size=arcs)
    keep = tails != heads
    ring = np.arange(nodes)
    tails = np.concatenate([tails[keep], ring, (ring + 1) % nodes])
    heads = np.concatenate([heads[keep], (ring + 1) % nodes, ring])
    capacities = rng.integers(0, 12, size=len(tails))
    capacities[-2 * nodes :] = 1_000
    costs = rng.integers(*cost_range, size=len(tails))
    costs[-2 * nodes :] = cost_range[1]  # the ring is the dearest way round
    supplies = rng.integers(-8, 9, size=nodes)
    supplies[0] -= supplies.sum()
    return tails, heads, capacities, costs, supplies


def ortools_cost(tails, heads, capacities, costs, supplies) -> int:
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs
    )
    solver.set_nodes_supplies(np.arange(len(supplies), dtype=np.int32), supplies)
    assert solver.solve() == solver.OPTIMAL
    return solver.optimal_cost()


def check_flows(flows, tails, heads, capacities, supplies) -> None:
    """Flows within bounds and conserving every node's supply."""
    assert (flows >= 0).all() and (flows <= capacities).all()
    net_out = np.bincount(tails, flows, len(supplies)) - np.bincount(heads, flows, len(supplies))
    assert np.array_equal(net_out.astype(np.int64), supplies)


@pytest.mark.parametrize(
    ("seed", "cost_range"),
    [(seed, (1, 100)) for seed in range(6)]
    + [(seed, (-20, 50)) for seed in range(6, 10)]
    + [(seed, (0, 2)) for seed in range(10, 14)],  # mostly ties: degenerate pivots
)
def test_optimal_cost_matches_ortools(seed: int, cost_range: tuple[int, int]) -> None:
    network = random_network(seed, nodes=60, arcs=600, cost_range=cost_range)
    tails, heads, capacities, costs, supplies = network
    flows, cost, feasible = network_simplex.solve(len(supplies), *network)
    assert feasible
    check_flows(flows, tails, heads, capacities, supplies)
    assert cost == int((flows * costs).sum()) == ortools_cost(*network)


@pytest.mark.parametrize("seed", range(8))
def test_pricing_in_two_rounds_reaches_the_same_optimum(seed: int) -> None:
    network = random_network(seed, nodes=60, arcs=600, cost_range=(-5, 40))
    tails, heads, capacities, costs, supplies = network
    rng = np.random.default_rng(seed)
    for share in (0.0, 0.3, 1.0):
        first = rng.random(len(tails)) < share
        flows, cost, feasible = network_simplex.solve(len(supplies), *network, first)
        assert feasible
        check_flows(flows, tails, heads, capacities, supplies)
        assert cost == int((flows * costs).sum()) == ortools_cost(*network)


@pytest.mark.parametrize("seed", range(8))
def test_a_start_basis_hung_by_real_arcs_reaches_the_same_optimum(seed: int) -> None:
    network = random_network(seed, nodes=60, arcs=600, cost_range=(-5, 40))
    tails, heads, capacities, costs, supplies = network
    rng = np.random.default_rng(seed)
    # Each node offers a random arc at it (some unusable: wrong direction, too small, or a
    # chain of hung nodes), or none.
    ends = np.concatenate([tails, heads])
    arcs = np.concatenate([np.arange(len(tails))] * 2)
    hang = np.full(len(supplies), -1)
    for node in range(len(supplies)):
        at_node = arcs[ends == node]
        if len(at_node) and rng.random() < 0.8:
            hang[node] = rng.choice(at_node)
    for first in (None, rng.random(len(tails)) < 0.3):
        flows, cost, feasible = network_simplex.solve(
            len(supplies), *network, priced_first=first, hang_from=hang
        )
        assert feasible
        check_flows(flows, tails, heads, capacities, supplies)
        assert cost == int((flows * costs).sum()) == ortools_cost(*network)


def test_optimal_cost_matches_networkx_on_a_small_network() -> None:
    network = random_network(3, nodes=15, arcs=80, cost_range=(1, 30))
    # networkx keeps one arc per (tail, head): keep each pair's first arc on both sides.
    first = np.unique(np.stack(network[:2]), axis=1, return_index=True)[1]
    tails, heads, capacities, costs = (array[first] for array in network[:4])
    supplies = network[4]
    graph = nx.DiGraph()
    graph.add_nodes_from((node, {"demand": -int(b)}) for node, b in enumerate(supplies))
    graph.add_edges_from(
        (int(t), int(h), {"capacity": int(c), "weight": int(w)})
        for t, h, c, w in zip(tails, heads, capacities, costs, strict=True)
    )
    _, cost, feasible = network_simplex.solve(
        len(supplies), tails, heads, capacities, costs, supplies
    )
    assert feasible and cost == nx.network_simplex(graph)[0]


def test_supplies_that_cannot_be_routed_are_reported_infeasible() -> None:
    # 5 units must cross an arc of capacity 3.
    _, _, feasible = network_simplex.solve(
        2, np.array([0]), np.array([1]), np.array([3]), np.array([1]), np.array([5, -5])
    )
    assert not feasible


def test_costs_that_could_overflow_are_refused() -> None:
    with pytest.raises(network_simplex.NetworkTooCostlyError):
        network_simplex.solve(
            2, np.array([0]), np.array([1]), np.array([3]), np.array([2**60]), np.array([1, -1])
        )
