"""The pure dispatch case as one min-cost flow per resource type.

Two engines solve the same arrays: svcplan's network simplex (``network_simplex``, the default)
and OR-Tools' ``SimpleMinCostFlow`` through its vectorised calls (``"ortools"``).

Nodes: ``0..n-1`` a region's own units above its floor (supply ``lendable_units``),
``n..2n-1`` the partner pool of each region (supply ``partner_units``), ``2n..3n-1`` each
region's open demand (demand ``open_demand_units``), ``3n`` a super-source of unmet demand,
``3n+1`` a sink for units nobody needs. Arcs, built as arrays:

* each allowed move (``optimizer.dispatch.moves``): lender → the receiver's demand node, cost =
  travel seconds per unit;
* home: a region's own units → its own demand node, cost 0 (a unit sent away leaves its home
  short unless another fills in);
* a slack arc super-source → demand node carrying its unmet units, at ``priority × penalty``
  per unit, where the penalty (:func:`unmet_penalty_seconds`) exceeds the travel of any cycle
  of the residual network, so priority-weighted unmet demand is minimised first
  (lexicographically) and travel second: moving a unit from A to B trades A's
  ``priority × penalty`` for B's, and is made when B's priority is higher (or A's unit was
  idle, or a third region refills A);
* lender → sink (units nobody needs stay home; its capacity, all units plus one, never
  binds) and super-source → sink (demand that was met), cost 0.

Costs are integer seconds of travel per unit (travel minutes rounded to the second).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
from ortools.graph.python import min_cost_flow

from optimizer.dispatch import network_simplex
from optimizer.dispatch.moves import CandidateMoves
from optimizer.dispatch.settings import FlowEngine
from optimizer.errors import SolverError

SECONDS_PER_MINUTE = 60


#: Largest total cost accepted, well inside int64 (OR-Tools rejects overflowing costs).
MAX_TOTAL_COST = 2**62


def travel_cost_seconds(travel_minutes: np.ndarray) -> np.ndarray:
    """Integer cost per unit of a move: its travel minutes in whole seconds, int64."""
    return np.rint(np.asarray(travel_minutes) * SECONDS_PER_MINUTE).astype(np.int64)


def unmet_penalty_seconds(n_regions: int, window_minutes: float) -> int:
    """Cost of one unmet unit at priority 1, in travel seconds.

    A simple cycle of the residual network enters each of the ``n_regions`` demand nodes at
    most once, so it holds at most ``n_regions`` forward (and as many backward) moves of at
    most ``window_minutes`` each: its travel changes by less than the penalty, and one unit less
    of priority-weighted unmet demand always beats any saving in travel.
    """
    window_seconds = int(travel_cost_seconds(np.array([window_minutes]))[0])
    return max(n_regions, 1) * max(window_seconds, 1) + 1


def penalties_fit(
    open_demand_units: np.ndarray, priority: np.ndarray, penalty_seconds: int
) -> bool:
    """Whether the penalty of leaving all open demand unmet stays below
    :data:`MAX_TOTAL_COST`, so that no cost of the flow network overflows 64 bits.

    Args:
        open_demand_units: demand that may go unmet per region of one resource type, int (n,).
        priority: weight of an unmet unit per region, int (n,).
        penalty_seconds: cost of one unmet unit at priority 1.
    """
    need = np.asarray(open_demand_units)
    highest = int(np.asarray(priority)[need > 0].max(initial=0))
    total = sum(int(units) for units in need[need > 0])  # Python ints: no wrap-around
    return total * penalty_seconds * highest < MAX_TOTAL_COST


@dataclass(frozen=True)
class FlowNetwork:
    """One resource type's min-cost flow network as arrays (module docstring for the layout).

    Attributes:
        tails, heads: node indices per arc, int32; the first ``n_moves`` arcs are the moves.
        capacities: units per arc, int64.
        unit_costs: seconds per unit per arc, int64.
        supplies: units supplied (> 0) or demanded (< 0) per node, int64.
        n_moves: number of move arcs.
        priced_first: arcs the network simplex prices in its first round, bool: all but the
            moves into regions whose own units cover their demand (those matter only when
            such a region lends and is refilled); a solver strategy, not part of the model.
        hang_from: the network simplex's start basis, int per node: each lender's arc to the
            sink, each demand node's unmet arc, -1 elsewhere (the plan that moves nothing).
    """

    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    unit_costs: np.ndarray
    supplies: np.ndarray
    n_moves: int
    priced_first: np.ndarray | None = None
    hang_from: np.ndarray | None = None

    def to_networkx(self) -> nx.DiGraph:
        """The same network as a networkx graph (``demand``, ``capacity``, ``weight``).

        Used to cross-check objectives against ``networkx.network_simplex``. Parallel arcs
        cannot occur: every (tail, head) pair appears once.
        """
        graph = nx.DiGraph()
        graph.add_nodes_from(
            (node, {"demand": -int(supply)}) for node, supply in enumerate(self.supplies)
        )
        graph.add_edges_from(
            (tail, head, {"capacity": capacity, "weight": cost})
            for tail, head, capacity, cost in zip(
                self.tails.tolist(),
                self.heads.tolist(),
                self.capacities.tolist(),
                self.unit_costs.tolist(),
                strict=True,
            )
        )
        return graph


def flow_network(
    moves: CandidateMoves,
    *,
    lendable_units: np.ndarray,
    partner_units: np.ndarray,
    open_demand_units: np.ndarray,
    priority: np.ndarray,
    penalty_seconds: int,
) -> FlowNetwork:
    """Arrays of the flow network of one resource type (module docstring for the layout).

    Args:
        moves: the allowed moves of this resource type.
        lendable_units, partner_units, open_demand_units: int (n,) per region.
        priority: int (n,) weight of an unmet unit.
        penalty_seconds: cost of one unmet unit at priority 1.

    Raises:
        ValueError: the costs could overflow 64-bit integers.
    """
    n = len(open_demand_units)
    source, sink = 3 * n, 3 * n + 1
    if not penalties_fit(open_demand_units, priority, penalty_seconds):
        raise ValueError("unmet-demand penalties overflow 64-bit costs; too many units")
    receivers = np.flatnonzero(open_demand_units > 0)
    pools = np.concatenate([lendable_units, partner_units])
    lenders = np.flatnonzero(pools > 0)
    home = np.flatnonzero((lendable_units > 0) & (open_demand_units > 0))
    total_open = int(open_demand_units.sum())
    tails = np.concatenate(
        [moves.lender_node(n), home, np.full(len(receivers), source), lenders, [source]]
    )
    heads = np.concatenate(
        [
            2 * n + moves.receiver,
            2 * n + home,
            2 * n + receivers,
            np.full(len(lenders), sink),
            [sink],
        ]
    )
    capacities = np.concatenate(
        [
            moves.capacity_units,
            np.minimum(lendable_units[home], open_demand_units[home]),
            open_demand_units[receivers],
            np.full(len(lenders), int(pools.sum()) + 1),
            [total_open],
        ]
    )
    unit_costs = np.concatenate(
        [
            travel_cost_seconds(moves.travel_minutes),
            np.zeros(len(home), dtype=np.int64),
            penalty_seconds * priority[receivers],
            np.zeros(len(lenders) + 1, dtype=np.int64),
        ]
    )
    supplies = np.zeros(3 * n + 2, dtype=np.int64)
    supplies[: 2 * n] = pools
    supplies[2 * n : 3 * n] = -open_demand_units
    supplies[source] = total_open
    supplies[sink] = -int(pools.sum())
    hang_from = np.full(3 * n + 2, -1, dtype=np.int64)
    first_slack = len(moves) + len(home)
    hang_from[2 * n + receivers] = first_slack + np.arange(len(receivers))
    hang_from[lenders] = first_slack + len(receivers) + np.arange(len(lenders))
    return FlowNetwork(
        tails=tails.astype(np.int32),
        heads=heads.astype(np.int32),
        capacities=capacities.astype(np.int64),
        unit_costs=unit_costs.astype(np.int64),
        supplies=supplies,
        n_moves=len(moves),
        priced_first=np.concatenate(
            [
                open_demand_units[moves.receiver] > lendable_units[moves.receiver],
                np.ones(len(tails) - len(moves), dtype=bool),
            ]
        ),
        hang_from=hang_from,
    )


def solve_flow(
    network: FlowNetwork, engine: FlowEngine = "network-simplex"
) -> tuple[np.ndarray, int]:
    """Solve ``network`` to optimality.

    Args:
        engine: ``"network-simplex"`` (:mod:`optimizer.dispatch.network_simplex`) or
            ``"ortools"`` (OR-Tools ``SimpleMinCostFlow``); both return an optimum.

    Returns:
        ``(move_units, cost_seconds)``: units on each move arc (int64, ``n_moves``) and the
        optimal total cost.

    Raises:
        SolverError: the solver did not reach an optimum (the network is always feasible).
        ValueError: the costs are too large for 64-bit arithmetic.
    """
    if engine == "network-simplex":
        flows, cost, feasible = network_simplex.solve(
            len(network.supplies),
            network.tails,
            network.heads,
            network.capacities,
            network.unit_costs,
            network.supplies,
            network.priced_first,
            network.hang_from,
        )
        if not feasible:
            raise SolverError("network simplex left artificial flow: the network is infeasible")
        return flows[: network.n_moves], cost
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        network.tails, network.heads, network.capacities, network.unit_costs
    )
    solver.set_nodes_supplies(np.arange(len(network.supplies), dtype=np.int32), network.supplies)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status!r}")
    move_units = solver.flows(np.asarray(arcs[: network.n_moves], dtype=np.int32))
    return np.asarray(move_units, dtype=np.int64), int(solver.optimal_cost())
