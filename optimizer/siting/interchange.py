"""A better start for a travel stage: swap open and closed sites while the stage's rules hold.

The travel stage of a lexicographic plan starts from the previous stage's stations, which were
chosen for their count, not for travel: on Porto municipality that start travelled 1.80 M
resident-minutes against a bound of 1.20 M. Best-improvement interchange (Teitz–Bart, with
Whitaker's nearest / second-nearest bookkeeping on the sparse travel matrix) closes one open
site and opens one closed site at a time, and accepts a swap only when it keeps every demand
point that is covered now within reach of an open site, keeps each urban district at its
required number of sites, does not raise the total opening cost and never closes a site in
``keep_open`` (typed posts). The caller checks the result against the stage's rows as well.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import sparse

from optimizer import stop

UNREACHED = np.inf


def improve_travel_start(
    minutes: sparse.csr_matrix,
    weights: np.ndarray,
    open_sites: np.ndarray,
    *,
    site_district: np.ndarray,
    district_floor: np.ndarray,
    opening_cost: np.ndarray,
    keep_open: np.ndarray,
    deadline: float | None,
    max_swaps: int = 10_000,
) -> np.ndarray:
    """Open sites after best-improvement swaps that lower resident-weighted travel minutes.

    Args:
        minutes: (n_demand, n_sites) csr of travel minutes; a missing entry is out of reach.
        weights: residents per demand point.
        open_sites: bool mask of the start's open sites.
        site_district: district index per site (-1: none).
        district_floor: least open sites each district must keep (0 where no rule applies).
        opening_cost: cost of opening each site; a swap may not raise the total.
        keep_open: bool mask of sites that must stay open.
        deadline: ``time.perf_counter()`` reading after which no further swap is searched.
        max_swaps: cap on swaps.

    Returns:
        The improved bool mask (the start itself when no swap helps).
    """
    table = _SortedRows(minutes)
    open_sites = open_sites.copy()
    if len(district_floor) == 0:  # no districts: one empty stand-in keeps the arrays simple
        district_floor, site_district = np.zeros(1, dtype=np.int64), np.full(len(open_sites), -1)
    counts = np.bincount(
        site_district[open_sites & (site_district >= 0)], minlength=len(district_floor)
    )
    for _ in range(max_swaps):
        if stop.past(deadline, time.perf_counter()):
            break
        swap = _best_swap(table, weights, open_sites, counts, site_district, district_floor,
                          opening_cost, keep_open)  # fmt: skip
        if swap is None:
            break
        closed, opened = swap
        open_sites[closed], open_sites[opened] = False, True
        for site, change in ((closed, -1), (opened, 1)):
            if site_district[site] >= 0:
                counts[site_district[site]] += change
    return open_sites


class _SortedRows:
    """The travel matrix as flat arrays, each row's entries in order of minutes."""

    def __init__(self, minutes: sparse.csr_matrix) -> None:
        matrix = sparse.csr_matrix(minutes)
        matrix.sort_indices()
        rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
        order = np.lexsort((matrix.data, rows))
        self.rows, self.sites, self.minutes = rows[order], matrix.indices[order], matrix.data[order]
        self.indptr, self.shape = matrix.indptr, matrix.shape

    def nearest_two(self, open_sites: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per demand point: minutes to the nearest open site, that site (-1: none) and
        minutes to the second nearest (``inf`` where missing)."""
        n = self.shape[0]
        is_open = open_sites[self.sites]
        running = np.cumsum(is_open)
        before_row = np.concatenate([[0], running])[self.indptr[:-1]]
        within = running - before_row[self.rows]  # open entries so far in the row, this one too
        first, second, site = np.full(n, UNREACHED), np.full(n, UNREACHED), np.full(n, -1)
        one = np.flatnonzero(is_open & (within == 1))
        two = np.flatnonzero(is_open & (within == 2))
        first[self.rows[one]], site[self.rows[one]] = self.minutes[one], self.sites[one]
        second[self.rows[two]] = self.minutes[two]
        return first, site, second


def _best_swap(
    table: _SortedRows,
    weights: np.ndarray,
    open_sites: np.ndarray,
    counts: np.ndarray,
    site_district: np.ndarray,
    district_floor: np.ndarray,
    opening_cost: np.ndarray,
    keep_open: np.ndarray,
) -> tuple[int, int] | None:
    """The (site to close, site to open) that lowers weighted travel most, or ``None``."""
    n_sites = table.shape[1]
    first, nearest, second = table.nearest_two(open_sites)
    served = nearest >= 0
    rows, sites, minutes = table.rows, table.sites, table.minutes
    w = weights[rows]
    # opening b alone: demand points closer to b than to their nearest open site gain
    gain = np.bincount(sites, weights=w * np.maximum(first[rows] - minutes, 0.0), minlength=n_sites)
    # closing a alone: its demand points fall back to their second nearest
    lonely = served & ~np.isfinite(second)
    fallback = np.zeros_like(first)
    backed = served & ~lonely
    fallback[backed] = second[backed] - first[backed]
    loss = np.bincount(
        nearest[served], weights=weights[served] * fallback[served], minlength=n_sites
    )
    must_cover = np.bincount(nearest[lonely], minlength=n_sites)
    # demand points of a that b serves better than their second nearest
    mine = served[rows] & (minutes < second[rows])
    a, b = nearest[rows[mine]], sites[mine]
    keep = minutes[mine]
    their_first, their_second = first[rows[mine]], second[rows[mine]]
    fallen_back = np.where(np.isfinite(their_second), their_second, their_first)
    correction = w[mine] * (
        np.minimum(keep, their_second) - fallen_back + np.maximum(their_first - keep, 0.0)
    )
    closed_candidates = np.flatnonzero(open_sites & ~keep_open)
    opened_candidates = np.flatnonzero(~open_sites)
    if len(closed_candidates) == 0 or len(opened_candidates) == 0:
        return None
    shape = (n_sites, n_sites)
    fix = sparse.csr_matrix((correction, (a, b)), shape=shape)
    covers = sparse.csr_matrix((lonely[rows[mine]].astype(float), (a, b)), shape=shape)
    closing = closed_candidates[:, None]
    delta = (
        loss[closing]
        - gain[opened_candidates][None, :]
        + fix[closed_candidates][:, opened_candidates].toarray()
    )
    allowed = covers[closed_candidates][:, opened_candidates].toarray() >= must_cover[closing]
    allowed &= opening_cost[opened_candidates][None, :] <= opening_cost[closing] + 1e-9
    district_a, district_b = site_district[closing], site_district[opened_candidates][None, :]
    losing = (district_a >= 0) & (district_a != district_b)
    floor_kept = counts[np.maximum(district_a, 0)] - 1 >= district_floor[np.maximum(district_a, 0)]
    allowed &= ~losing | floor_kept
    delta = np.where(allowed, delta, np.inf)
    best = np.unravel_index(int(np.argmin(delta)), delta.shape)
    if not delta[best] < -1e-9 * max(1.0, float(weights.sum())):
        return None
    return int(closed_candidates[best[0]]), int(opened_candidates[best[1]])
