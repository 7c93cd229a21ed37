"""Starting solutions handed to the MIP solver (they give it an incumbent from the first second).

``p_median_start``: greedy addition followed by best-improvement interchange (Teitz–Bart), on a
dense demand × site matrix of minutes; each interchange pass is ``p`` vectorised evaluations.
``greedy_cover``: Chvátal's greedy set cover (least cost per newly covered point) with the
redundant sites closed afterwards, for models that must cover every coverable point.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

MAX_DENSE_ENTRIES = 4_000_000


def p_median_start(
    minutes: np.ndarray,
    weights: np.ndarray,
    p: int,
    *,
    initial: np.ndarray | None = None,
    max_passes: int = 100,
) -> np.ndarray | None:
    """A good set of ``p`` sites for the p-median (least weighted minutes).

    Args:
        minutes: dense (n_demand, n_sites) minutes, ``inf`` where unreachable.
        weights: residents per demand point.
        p: number of sites to open.
        initial: ``p`` site indices to start the interchange from (default: greedy).
        max_passes: cap on interchange passes.

    Returns:
        Sorted indices of ``p`` sites, or ``None`` when no such set reaches every demand point
        that can be reached at all.
    """
    n_sites = minutes.shape[1]
    if not 0 < p <= n_sites:
        return None
    reachable = np.isfinite(minutes).any(axis=1)
    minutes, weights = minutes[reachable], weights[reachable]
    big = np.where(
        np.isfinite(minutes),
        minutes,
        1e6 * (np.nanmax(minutes[np.isfinite(minutes)], initial=1) + 1),
    )
    open_sites = _greedy(big, weights, p) if initial is None else np.array(initial, dtype=np.int64)
    current = float(weights @ big[:, open_sites].min(axis=1))
    rows = np.arange(len(weights))
    for _ in range(max_passes):
        sub = big[:, open_sites]
        order = np.argsort(sub, axis=1)
        first = sub[rows, order[:, 0]]
        second = sub[rows, order[:, 1]] if p > 1 else np.full(len(weights), np.inf)
        best_gain, move = 1e-9, None
        for slot in range(p):
            without = np.where(order[:, 0] == slot, second, first)
            totals = weights @ np.minimum(big, without[:, None])
            totals[open_sites] = np.inf
            site = int(np.argmin(totals))
            if current - totals[site] > best_gain:
                best_gain, move = current - totals[site], (slot, site)
        if move is None:
            break
        open_sites[move[0]] = move[1]
        current -= best_gain
    if not np.isfinite(minutes[:, open_sites]).any(axis=1).all():
        return None
    return np.sort(open_sites)


def _greedy(big: np.ndarray, weights: np.ndarray, p: int) -> np.ndarray:
    """Greedy addition: repeatedly open the site that lowers weighted minutes most."""
    best = np.full(len(weights), np.inf)
    chosen: list[int] = []
    for _ in range(p):
        totals = weights @ np.minimum(big, best[:, None])
        totals[chosen] = np.inf
        site = int(np.argmin(totals))
        chosen.append(site)
        best = np.minimum(best, big[:, site])
    return np.array(chosen)


def greedy_cover(
    coverage: sparse.csr_matrix, costs: np.ndarray, forced_open: np.ndarray
) -> np.ndarray:
    """Open sites that cover every coverable demand point at a low total cost.

    Starting from ``forced_open``, repeatedly opens the site with the least cost per demand
    point it newly covers, then closes open sites (costliest first, never a forced one) whose
    points all stay covered.

    Args:
        coverage: boolean csr (n_demand, n_sites), True where a site covers a point.
        costs: cost of opening each site (negative costs count as 0 in the ratio).
        forced_open: bool mask of sites that must be open.

    Returns:
        Bool mask of open sites (n_sites).
    """
    by_point = coverage.astype(np.int32).tocsr()
    by_site = by_point.tocsc()
    open_sites = np.asarray(forced_open, dtype=bool).copy()
    times_covered = by_point @ open_sites.astype(np.int32)
    uncovered = (times_covered == 0) & (np.diff(by_point.indptr) > 0)
    ratio_costs = np.maximum(np.asarray(costs, dtype=float), 0.0)
    while uncovered.any():
        newly = by_site.T @ uncovered.astype(np.int32)
        ratio = np.full(len(newly), np.inf)
        np.divide(ratio_costs, newly, out=ratio, where=newly > 0)
        site = int(np.argmin(ratio))
        points = by_site.indices[by_site.indptr[site] : by_site.indptr[site + 1]]
        open_sites[site] = True
        times_covered[points] += 1
        uncovered[points] = False
    optional = np.flatnonzero(open_sites & ~forced_open)
    for site in optional[np.argsort(-ratio_costs[optional], kind="stable")]:
        points = by_site.indices[by_site.indptr[site] : by_site.indptr[site + 1]]
        if (times_covered[points] >= 2).all():
            open_sites[site] = False
            times_covered[points] -= 1
    return open_sites
