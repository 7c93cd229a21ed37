"""Primal network simplex for the dispatch flow networks, compiled with numba.

The dispatch network is a transportation problem with a few thousand nodes and a few hundred
thousand arcs, solved once per resource type while a planner waits. On the 2,000-region
benchmark this solver takes a quarter to a half of the time of OR-Tools' cost-scaling
``SimpleMinCostFlow`` (``benchmarks/RESULTS.md``), which stays available as
``flow_engine="ortools"``.

The algorithm (Ahuja, Magnanti & Orlin, ch. 11; the layout follows LEMON's ``NetworkSimplex``):

* The start basis hangs every node from an artificial root: supply nodes by an upward arc of
  cost 0, demand nodes by a downward arc of a cost no real path can reach, so the optimum
  carries no artificial flow whenever the network is feasible.
* Entering arc: block pricing. Arcs are scanned cyclically in blocks and the most negative
  reduced cost of the first block holding one enters. Arcs are scanned grouped by head node:
  on twelve 2,000-region dispatch networks that took 233 ms in all against 345 ms in the order
  the arcs were built (the same number of pivots, cheaper ones).
* Optionally in two rounds (``priced_first``): the flagged arcs are priced until none prices
  out, then all of them from that basis (the others enter at their lower bound, so the basis
  stays strongly feasible) until the optimum over all arcs. On the surge model's 2,000-region
  networks (0.73 M arcs, of which the 0.24 M moves into regions short before any move come
  first) the second round needs about 130 pivots, and the solve takes half the time of one
  round over all arcs (57 k + 0.1 k pivots against 91 k).
* Leaving arc: the last blocking arc of the cycle in its orientation, which keeps the tree
  strongly feasible and so rules out cycling.
* The tree is kept as parent pointers, depths and doubly linked child lists; a pivot re-hangs
  the subtree cut off by the leaving arc and shifts its potentials.

All arithmetic is in int64. :func:`solve` checks that potentials cannot overflow; the total
cost is the caller's to bound (``optimizer.dispatch.flow`` does).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Arc states: at its lower bound, in the spanning tree, at its upper bound. The sign is the
#: direction in which an improving pivot changes the arc's flow.
_LOWER, _TREE, _UPPER = 1, 0, -1

#: Block of arcs priced before a pivot: ``sqrt(arcs) × factor``, at least ``MIN_BLOCK_ARCS``.
#: Measured on the two seed-7 benchmark networks: factor 0.05 needs 1.5× the pivots of 1.0
#: (LEMON's default) but prices 20× fewer arcs per pivot: 42 and 31 ms against 61 and 91 ms.
BLOCK_SIZE_FACTOR = 0.05
MIN_BLOCK_ARCS = 10

#: Bound kept on node potentials and reduced costs, well inside int64.
_MAX_POTENTIAL = 2**62


class NetworkTooCostlyError(ValueError):
    """Costs are so large that the potentials could overflow 64-bit integers."""


def solve(
    n_nodes: int,
    tails: np.ndarray,
    heads: np.ndarray,
    capacities: np.ndarray,
    unit_costs: np.ndarray,
    supplies: np.ndarray,
    priced_first: np.ndarray | None = None,
) -> tuple[np.ndarray, int, bool]:
    """Minimum-cost flow of a network whose supplies sum to zero.

    Args:
        n_nodes: nodes are ``0 .. n_nodes - 1``.
        tails, heads: node of each arc, int (m,).
        capacities: units per arc, int (m,), >= 0.
        unit_costs: cost per unit per arc, int (m,).
        supplies: supply (> 0) or demand (< 0) per node, int (n_nodes,), summing to 0.
        priced_first: optional bool (m,): arcs priced in a first round (module docstring);
            the result is optimal over all arcs either way.

    Returns:
        ``(flows, cost, feasible)``: units per arc (int64, in the order given), the total cost,
        and whether all supplies could be routed (when not, flows and cost are meaningless).

    Raises:
        NetworkTooCostlyError: the costs could overflow 64-bit potentials.
    """
    max_cost = int(np.abs(unit_costs).max(initial=0))
    # A potential is at most one artificial cost plus n_nodes real ones: < 2 (C + 1)(n + 1).
    if 8 * (max_cost + 1) * (n_nodes + 1) >= _MAX_POTENTIAL:
        raise NetworkTooCostlyError("arc costs too large for 64-bit network simplex potentials")
    heads = np.asarray(heads, dtype=np.int64)
    order = _arcs_by_head(heads, n_nodes)
    first_round = len(order)
    if priced_first is not None:
        flagged = np.asarray(priced_first, dtype=bool)[order]
        order = np.concatenate([order[flagged], order[~flagged]])  # each part grouped by head
        first_round = int(flagged.sum())
    tree = _StartTree(
        n_nodes,
        np.asarray(tails, dtype=np.int64)[order],
        heads[order],
        np.asarray(capacities, dtype=np.int64)[order],
        np.asarray(unit_costs, dtype=np.int64)[order],
        np.asarray(supplies, dtype=np.int64),
        artificial_cost=(max_cost + 1) * (n_nodes + 1),
    )
    m = len(order)
    for priced in dict.fromkeys((first_round, m)):  # arcs 0 .. priced - 1 may enter
        _pivot_to_optimum(*tree.arrays(), priced, _block_arcs(priced))
    flows = np.empty(m, dtype=np.int64)
    flows[order] = tree.flow[:m]
    feasible = not tree.flow[m:].any()
    return flows, int(tree.flow[:m] @ tree.cost[:m]), feasible


def _block_arcs(priced: int) -> int:
    """Arcs priced per block when ``priced`` arcs may enter."""
    return max(MIN_BLOCK_ARCS, int(BLOCK_SIZE_FACTOR * np.sqrt(priced)))


class _StartTree:
    """Arc arrays with one artificial arc per node (arcs ``m .. m + n_nodes - 1``) and the
    start basis: every node hangs from the root ``n_nodes`` by its artificial arc, upward (cost
    0) from a supply node, downward (``artificial_cost``, dearer than any path of real arcs)
    to a demand node. Tree: parent pointers, the arc to the parent and its direction, depths,
    potentials and doubly linked child lists."""

    def __init__(
        self,
        n_nodes: int,
        tails: np.ndarray,
        heads: np.ndarray,
        capacities: np.ndarray,
        unit_costs: np.ndarray,
        supplies: np.ndarray,
        *,
        artificial_cost: int,
    ) -> None:
        nodes = np.arange(n_nodes)
        root, up = n_nodes, supplies >= 0
        self.source = np.concatenate([tails, np.where(up, nodes, root)])
        self.target = np.concatenate([heads, np.where(up, root, nodes)])
        self.capacity = np.concatenate([capacities, np.full(n_nodes, np.abs(supplies).sum() + 1)])
        self.cost = np.concatenate([unit_costs, np.where(up, 0, artificial_cost)])
        self.flow = np.concatenate([np.zeros(len(tails), np.int64), np.abs(supplies)])
        self.state = np.concatenate(
            [np.full(len(tails), _LOWER, np.int8), np.full(n_nodes, _TREE, np.int8)]
        )
        self.parent = np.append(np.full(n_nodes, root), -1)
        self.pred = np.append(len(tails) + nodes, -1)
        self.pred_up = np.append(up, False)
        self.depth = np.append(np.ones(n_nodes, np.int64), 0)
        self.potential = np.append(np.where(up, 0, artificial_cost), 0).astype(np.int64)
        # The root's children are 0, 1, ..., n_nodes - 1 in that order.
        self.first_child = np.full(n_nodes + 1, -1, np.int64)
        self.first_child[root] = 0 if n_nodes else -1
        self.next_sibling = np.append(np.where(nodes + 1 < n_nodes, nodes + 1, -1), -1)
        self.prev_sibling = np.append(nodes - 1, -1)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays in the argument order of :func:`_pivot_to_optimum`."""
        return (
            self.source,
            self.target,
            self.capacity,
            self.cost,
            self.flow,
            self.state,
            self.parent,
            self.pred,
            self.pred_up,
            self.depth,
            self.potential,
            self.first_child,
            self.next_sibling,
            self.prev_sibling,
        )


@njit(cache=True)
def _pivot_to_optimum(
    source,
    target,
    capacity,
    cost,
    flow,
    state,
    parent,
    pred,
    pred_up,
    depth,
    potential,
    first_child,
    next_sibling,
    prev_sibling,
    m,
    block_arcs,
):
    """Pivot until no real arc prices out; updates the arrays in place."""
    stack = np.empty(len(parent), np.int64)
    next_arc = 0
    while True:
        in_arc, next_arc = _entering_arc(
            source, target, cost, state, potential, m, next_arc, block_arcs
        )
        if in_arc < 0:
            return
        if state[in_arc] == _LOWER:
            first, second = source[in_arc], target[in_arc]
        else:
            first, second = target[in_arc], source[in_arc]
        join = _join(first, second, parent, depth)
        delta, u_out, side = _leaving(
            in_arc, first, second, join, capacity, flow, parent, pred, pred_up
        )
        if delta > 0:
            _push(in_arc, join, delta * state[in_arc], source, target, flow, parent, pred, pred_up)
        if side == 0:
            state[in_arc] = -state[in_arc]
            continue
        out_arc = pred[u_out]
        state[in_arc] = _TREE
        state[out_arc] = _LOWER if flow[out_arc] == 0 else _UPPER
        if side == 1:
            u_in, v_in = first, second
        else:
            u_in, v_in = second, first
        _rehang(
            u_in,
            v_in,
            u_out,
            in_arc,
            source,
            parent,
            pred,
            pred_up,
            first_child,
            next_sibling,
            prev_sibling,
        )
        if source[in_arc] == u_in:
            sigma = potential[v_in] - cost[in_arc] - potential[u_in]
        else:
            sigma = potential[v_in] + cost[in_arc] - potential[u_in]
        _shift_subtree(u_in, sigma, potential, depth, parent, first_child, next_sibling, stack)


@njit(cache=True)
def _arcs_by_head(heads, n_nodes):
    """Arc indices grouped by head node, in given order within a group (a counting sort)."""
    starts = np.zeros(n_nodes + 1, np.int64)
    for head in heads:
        starts[head + 1] += 1
    starts = np.cumsum(starts)
    order = np.empty(len(heads), np.int64)
    for arc in range(len(heads)):
        order[starts[heads[arc]]] = arc
        starts[heads[arc]] += 1
    return order


@njit(cache=True)
def _entering_arc(source, target, cost, state, potential, m, next_arc, block_arcs):
    """Block pricing from ``next_arc``; returns ``(arc, next_arc)``, arc -1 when optimal."""
    best, in_arc, left_in_block, arc = 0, -1, block_arcs, next_arc
    for _ in range(m):
        reduced = state[arc] * (cost[arc] + potential[source[arc]] - potential[target[arc]])
        if reduced < best:
            best, in_arc = reduced, arc
        arc = arc + 1 if arc + 1 < m else 0
        left_in_block -= 1
        if left_in_block == 0:
            if in_arc >= 0:
                return in_arc, arc
            left_in_block = block_arcs
    return in_arc, arc


@njit(cache=True)
def _join(first, second, parent, depth):
    """Nearest common ancestor of two nodes in the tree."""
    while first != second:
        if depth[first] >= depth[second]:
            first = parent[first]
        else:
            second = parent[second]
    return first


@njit(cache=True)
def _leaving(in_arc, first, second, join, capacity, flow, parent, pred, pred_up):
    """``(delta, u_out, side)``: the most flow the cycle can carry, the node below the leaving
    arc and its side (1: first's path, 2: second's path, 0: the entering arc itself).

    Ties go to the last blocking arc along the cycle (join → first → second → join), which
    keeps the tree strongly feasible.
    """
    delta, u_out, side = capacity[in_arc], -1, 0
    node = first
    while node != join:
        arc = pred[node]
        room = flow[arc] if pred_up[node] else capacity[arc] - flow[arc]
        if room < delta:
            delta, u_out, side = room, node, 1
        node = parent[node]
    node = second
    while node != join:
        arc = pred[node]
        room = capacity[arc] - flow[arc] if pred_up[node] else flow[arc]
        if room <= delta:
            delta, u_out, side = room, node, 2
        node = parent[node]
    return delta, u_out, side


@njit(cache=True)
def _push(in_arc, join, units, source, target, flow, parent, pred, pred_up):
    """Send ``units`` (signed) along ``in_arc`` and back round the cycle through ``join``."""
    flow[in_arc] += units
    node = source[in_arc]
    while node != join:
        flow[pred[node]] += -units if pred_up[node] else units
        node = parent[node]
    node = target[in_arc]
    while node != join:
        flow[pred[node]] += units if pred_up[node] else -units
        node = parent[node]


@njit(cache=True)
def _rehang(
    u_in,
    v_in,
    u_out,
    in_arc,
    source,
    parent,
    pred,
    pred_up,
    first_child,
    next_sibling,
    prev_sibling,
):
    """Cut the tree arc above ``u_out`` and hang its subtree from ``v_in`` by ``in_arc``,
    reversing the parent pointers on the path ``u_in`` → ``u_out``."""
    new_parent, new_pred, new_up = v_in, in_arc, source[in_arc] == u_in
    node = u_in
    while True:
        old_parent, old_pred, old_up = parent[node], pred[node], pred_up[node]
        _detach(node, old_parent, first_child, next_sibling, prev_sibling)
        parent[node], pred[node], pred_up[node] = new_parent, new_pred, new_up
        _attach(node, new_parent, first_child, next_sibling, prev_sibling)
        if node == u_out:
            return
        new_parent, new_pred, new_up = node, old_pred, not old_up
        node = old_parent


@njit(cache=True)
def _shift_subtree(top, sigma, potential, depth, parent, first_child, next_sibling, stack):
    """Add ``sigma`` to the potentials below and at ``top`` and recompute their depths."""
    stack[0], size = top, 1
    while size > 0:
        size -= 1
        node = stack[size]
        potential[node] += sigma
        depth[node] = depth[parent[node]] + 1
        child = first_child[node]
        while child >= 0:
            stack[size] = child
            size += 1
            child = next_sibling[child]


@njit(cache=True)
def _attach(node, new_parent, first_child, next_sibling, prev_sibling):
    """Make ``node`` the first child of ``new_parent``."""
    head = first_child[new_parent]
    prev_sibling[node], next_sibling[node] = -1, head
    if head >= 0:
        prev_sibling[head] = node
    first_child[new_parent] = node


@njit(cache=True)
def _detach(node, old_parent, first_child, next_sibling, prev_sibling):
    """Remove ``node`` from the children of ``old_parent``."""
    before, after = prev_sibling[node], next_sibling[node]
    if before >= 0:
        next_sibling[before] = after
    else:
        first_child[old_parent] = after
    if after >= 0:
        prev_sibling[after] = before
