"""Readers of OR-Library location instances, each building a ``SitingProblem`` and its settings.

- ``orlib-pmed`` (p-median, Beasley 1985): ``n e p`` then ``e`` lines ``i j cost`` of an
  undirected graph; costs are all-pairs shortest paths; when an edge is listed more than once
  the **last** listing wins (OR-Library's convention; it reproduces the published optima).
- ``orlib-scp`` (set covering, Beasley 1987): ``m n``, ``n`` column costs, then per row its
  count and 1-based column list, as one token stream. Rows are demand points, columns sites.
- ``orlib-cap`` (Beasley 1988, used as uncapacitated facility location): ``m n``, ``m`` lines
  ``capacity fixed_cost`` (capacity may be the word ``capacity``; ignored), then per customer
  its demand and ``m`` costs of serving *all* of its demand from each warehouse. The UFLP
  objective is fixed costs + those allocation costs, so customers get weight 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from optimizer.errors import DataError
from optimizer.formats.tokens import Tokens
from optimizer.siting.problem import SitingProblem
from optimizer.siting.settings import SitingSettings


@dataclass(frozen=True)
class PublishedInstance:
    """A published instance as a siting problem plus the settings that define its objective."""

    problem: SitingProblem
    settings: SitingSettings


def _check_range(
    path: Path, values: np.ndarray, low: int, high: int, what: str, lines: np.ndarray
) -> None:
    bad = np.flatnonzero((values < low) | (values > high))
    if len(bad):
        raise DataError(
            path, f"line {lines[bad[0]]}: {what} {values[bad[0]]} is outside {low}..{high}"
        )


def read_orlib_pmed(path: str | Path) -> PublishedInstance:
    """Read an OR-Library ``pmedN.txt`` p-median instance (last duplicate edge wins)."""
    path = Path(path)
    tokens = Tokens(path)
    n = tokens.integer("the vertex count n")
    n_edges = tokens.integer("the edge count e")
    p = tokens.integer("the median count p")
    if n <= 0 or n_edges < 0 or not 0 < p <= n:
        raise DataError(path, f"line 1: bad header n={n} e={n_edges} p={p}")
    start = tokens.position
    edges = tokens.numbers(3 * n_edges, f"{n_edges} edges 'i j cost'").reshape(n_edges, 3)
    tokens.expect_end()
    lines = np.asarray(tokens.lines[start : start + 3 * n_edges : 3])
    ends = edges[:, :2].astype(np.int64)
    _check_range(path, ends[:, 0], 1, n, "vertex", lines)
    _check_range(path, ends[:, 1], 1, n, "vertex", lines)
    if (edges[:, 2] < 0).any():
        bad = int(np.flatnonzero(edges[:, 2] < 0)[0])
        raise DataError(path, f"line {lines[bad]}: negative edge cost {edges[bad, 2]:g}")
    low, high = np.minimum(ends[:, 0], ends[:, 1]) - 1, np.maximum(ends[:, 0], ends[:, 1]) - 1
    # last listing wins: keep the last occurrence of each unordered pair
    key = low * n + high
    _, last_reversed = np.unique(key[::-1], return_index=True)
    last = len(key) - 1 - last_reversed
    # explicit zeros in a csgraph sparse input are zero-cost edges
    graph = sparse.csr_matrix((edges[last, 2], (low[last], high[last])), shape=(n, n))
    minutes = dijkstra(graph, directed=False)
    problem = SitingProblem.from_cost_matrix(minutes, weights=np.ones(n), coverage_minutes=math.inf)
    return PublishedInstance(problem, SitingSettings(objective="min_travel", max_stations=p))


def read_orlib_scp(path: str | Path) -> PublishedInstance:
    """Read an OR-Library ``scpXX.txt`` set-covering instance (rows = demand, columns = sites)."""
    path = Path(path)
    tokens = Tokens(path)
    m = tokens.integer("the row count m")
    n = tokens.integer("the column count n")
    if m <= 0 or n <= 0:
        raise DataError(path, f"line 1: bad header m={m} n={n}")
    costs = tokens.numbers(n, f"{n} column costs")
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for row in range(m):
        count = tokens.integer(f"the column count of row {row + 1}")
        start = tokens.position
        columns = tokens.numbers(count, f"the columns of row {row + 1}", integer=True)
        _check_range(path, columns, 1, n, "column", np.asarray(tokens.lines[start : start + count]))
        rows.append(np.full(count, row))
        cols.append(columns - 1)
    tokens.expect_end()
    covers = sparse.csr_matrix(
        (
            np.ones(sum(len(c) for c in cols), dtype=bool),
            (np.concatenate(rows), np.concatenate(cols)),
        ),
        shape=(m, n),
    )
    problem = SitingProblem.from_coverage(covers, weights=np.ones(m), opening_cost=costs)
    return PublishedInstance(problem, SitingSettings(objective="cover"))


def read_orlib_cap(path: str | Path) -> PublishedInstance:
    """Read an OR-Library ``capXX.txt`` instance as uncapacitated facility location."""
    path = Path(path)
    tokens = Tokens(path)
    m = tokens.integer("the warehouse count m")
    n = tokens.integer("the customer count n")
    if m <= 0 or n <= 0:
        raise DataError(path, f"line 1: bad header m={m} n={n}")
    fixed = np.empty(m)
    for warehouse in range(m):
        tokens.take(1, f"the capacity of warehouse {warehouse + 1}")  # unused for UFLP
        fixed[warehouse] = tokens.numbers(1, f"the fixed cost of warehouse {warehouse + 1}")[0]
    allocation = np.empty((n, m))
    for customer in range(n):
        tokens.numbers(1, f"the demand of customer {customer + 1}")
        allocation[customer] = tokens.numbers(
            m, f"the {m} allocation costs of customer {customer + 1}"
        )
    tokens.expect_end()
    problem = SitingProblem.from_cost_matrix(
        allocation, weights=np.ones(n), coverage_minutes=math.inf, opening_cost=fixed
    )
    return PublishedInstance(problem, SitingSettings(objective="min_cost"))
