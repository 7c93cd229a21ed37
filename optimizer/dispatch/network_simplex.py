"""Primal network simplex for the dispatch flow networks, compiled with numba.

The dispatch network is a transportation problem with a few thousand nodes and a few hundred
thousand arcs, solved once per resource type while a planner waits. On the 2,000-region
benchmark this solver takes a quarter to a half of the time of OR-Tools' cost-scaling
``SimpleMinCostFlow`` (``benchmarks/RESULTS.md``), which stays available as
``flow_engine="ortools"``.

The algorithm (Ahuja, Magnanti & Orlin, ch. 11; the layout follows LEMON's ``NetworkSimplex``):

* The start basis hangs every node from an artificial root: supply nodes by an upward arc of
  cost 0, demand nodes by a downward arc of a cost no real path can reach, so the optimum
  carries no artificial flow whenever the network is feasible. A caller may hang nodes below
  others by real arcs instead (``hang_from``; a supply node by an arc out of it, a demand node
  by an arc into it, each carrying the node's supply): the dispatch networks start from the
  plan that moves nothing (every lender's units idle, every demand unmet), a feasible basis,
  which needs about half the pivots of the artificial one.
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
#: Measured on the two seed-7 benchmark networks of the old model (donors kept their demand):
#: factor 0.05 needs 1.5× the pivots of 1.0 (LEMON's default) but prices 20× fewer arcs per
#: pivot: 42 and 31 ms against 61 and 91 ms. On the surge model's twelve 2,000-region
#: networks (seeds 1, 2, 7 × surge shares 0.2-0.7, whole solves, feasible start): 0.05:
#: 1,770 ms, 0.1: 1,627, 0.2: 1,510, 0.3: 1,455, 0.5: 1,472; the old model's: 278, 248, 237,
#: 251, 257 ms.
BLOCK_SIZE_FACTOR = 0.2
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
    hang_from: np.ndarray | None = None,
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
        hang_from: optional int (n_nodes,): per node, an arc hanging it in the start basis
            below the arc's other end, or -1 to hang it from the artificial root (module
            docstring). An arc is used only when it can carry the node's supply in a strongly
            feasible basis (out of a supply node below its capacity, into a demand node
            within it) and its other end hangs from the root; otherwise the node hangs from
            the root.

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
    later = np.zeros(len(heads), np.int64)
    if priced_first is not None:
        later = (~np.asarray(priced_first, dtype=bool)).astype(np.int64)
    # Arcs priced first, then the others, each part grouped by head.
    order = _arcs_by_head(heads + n_nodes * later, 2 * n_nodes)
    first_round = len(order) - int(later.sum())
    hang = None
    if hang_from is not None:
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        hang_from = np.asarray(hang_from, dtype=np.int64)
        hang = np.where(hang_from >= 0, position[np.maximum(hang_from, 0)], -1)
    tree = _StartTree(
        n_nodes,
        *_gathered(
            order,
            np.asarray(tails, dtype=np.int64),
            heads,
            np.asarray(capacities, dtype=np.int64),
            np.asarray(unit_costs, dtype=np.int64),
        ),
        np.asarray(supplies, dtype=np.int64),
        artificial_cost=(max_cost + 1) * (n_nodes + 1),
        hang=hang,
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
    0) when the node supplies what its tree arcs do not carry away, downward
    (``artificial_cost``, dearer than any path of real arcs) when it demands; nodes given in
    ``hang`` hang one level lower by a real arc carrying their supply (``solve``). Tree: parent
    pointers, the arc to the parent and its direction, depths, potentials and doubly linked
    child lists."""

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
        hang: np.ndarray | None = None,
    ) -> None:
        m, root = len(tails), n_nodes
        nodes = np.arange(n_nodes)
        arc = np.full(n_nodes, -1, np.int64) if hang is None else np.asarray(hang, np.int64)
        safe = np.maximum(arc, 0)
        out_of = (arc >= 0) & (tails[safe] == nodes) & (supplies >= 0)
        out_of &= supplies < capacities[safe]
        into = (arc >= 0) & (heads[safe] == nodes) & (supplies < 0)
        into &= -supplies <= capacities[safe]
        other = np.where(out_of, heads[safe], tails[safe])
        below = (out_of | into) & (other != nodes)
        below &= ~below[other]  # one level: the other end hangs from the root
        child, tree_arc, up_arc = nodes[below], arc[below], out_of[below]
        parent_of_child = other[below]
        rest = supplies.copy()  # what each root-hung node's artificial arc carries
        rest[child] = 0
        np.add.at(rest, parent_of_child, supplies[child])
        up = rest >= 0
        self.source = np.concatenate([tails, np.where(up, nodes, root)])
        self.target = np.concatenate([heads, np.where(up, root, nodes)])
        self.capacity = np.concatenate([capacities, np.full(n_nodes, np.abs(supplies).sum() + 1)])
        self.cost = np.concatenate([unit_costs, np.where(up, 0, artificial_cost)])
        self.flow = np.concatenate([np.zeros(m, np.int64), np.abs(rest)])
        self.flow[tree_arc] = np.abs(supplies[child])
        self.state = np.concatenate([np.full(m, _LOWER, np.int8), np.full(n_nodes, _TREE, np.int8)])
        self.state[tree_arc] = _TREE
        self.state[m + child] = _LOWER  # never priced: artificial arcs stay out of the basis
        self.flow[m + child] = 0
        self.parent = np.append(np.full(n_nodes, root), -1)
        self.parent[child] = parent_of_child
        self.pred = np.append(m + nodes, -1)
        self.pred[child] = tree_arc
        self.pred_up = np.append(up, False)
        self.pred_up[child] = up_arc
        self.depth = np.append(np.ones(n_nodes, np.int64), 0)
        self.depth[child] = 2
        self.potential = np.append(np.where(up, 0, artificial_cost), 0).astype(np.int64)
        step = unit_costs[tree_arc]
        self.potential[child] = self.potential[parent_of_child] + np.where(up_arc, -step, step)
        self.first_child, self.next_sibling, self.prev_sibling = _child_lists(self.parent)

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
def _gathered(order, tails, heads, capacities, unit_costs):
    """The four arc arrays in ``order``, in one pass (numpy's four gathers took 40 ms on
    0.73 M arcs)."""
    m = len(order)
    out = (
        np.empty(m, np.int64),
        np.empty(m, np.int64),
        np.empty(m, np.int64),
        np.empty(m, np.int64),
    )
    for position in range(m):
        arc = order[position]
        out[0][position] = tails[arc]
        out[1][position] = heads[arc]
        out[2][position] = capacities[arc]
        out[3][position] = unit_costs[arc]
    return out


@njit(cache=True)
def _child_lists(parent):
    """``(first_child, next_sibling, prev_sibling)`` of a tree given by parent pointers (-1
    at the root), children in node order."""
    size = len(parent)
    first_child = np.full(size, -1, np.int64)
    next_sibling = np.full(size, -1, np.int64)
    prev_sibling = np.full(size, -1, np.int64)
    for node in range(size - 1, -1, -1):
        above = parent[node]
        if above < 0:
            continue
        head = first_child[above]
        next_sibling[node] = head
        if head >= 0:
            prev_sibling[head] = node
        first_child[above] = node
    return first_child, next_sibling, prev_sibling


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
