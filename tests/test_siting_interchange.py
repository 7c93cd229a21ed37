"""The swaps that improve a travel stage's start: each one is the best that keeps the rules,
checked by brute force on small random instances, and the rules hold after all of them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from optimizer.siting.interchange import _best_swap, _SortedRows, improve_travel_start


def _instance(seed: int, n_demand: int = 25, n_sites: int = 12):
    """Random minutes (half the pairs out of reach) and a start serving every reachable point."""
    rng = np.random.default_rng(seed)
    dense = rng.uniform(1.0, 15.0, (n_demand, n_sites))
    dense[rng.random(dense.shape) < 0.5] = np.inf
    weights = rng.integers(1, 100, n_demand).astype(float)
    open_sites = np.zeros(n_sites, dtype=bool)
    open_sites[rng.choice(n_sites, 4, replace=False)] = True
    for row in np.flatnonzero(np.isfinite(dense).any(axis=1)):
        if not np.isfinite(dense[row, open_sites]).any():
            open_sites[np.flatnonzero(np.isfinite(dense[row]))[0]] = True
    district = rng.integers(0, 3, n_sites)
    matrix = sparse.csr_matrix(np.where(np.isfinite(dense), dense, 0.0))
    return dense, matrix, weights, open_sites, district


def _travel(dense: np.ndarray, weights: np.ndarray, open_sites: np.ndarray) -> np.ndarray:
    return weights * np.min(np.where(open_sites, dense, np.inf), axis=1)


def _brute_best(dense, weights, open_sites, district, floor):
    """The best swap by trying every pair, with the same rules."""
    served = np.isfinite(_travel(dense, weights, open_sites))
    now = _travel(dense, weights, open_sites)[served].sum()
    counts = np.bincount(district[open_sites], minlength=len(floor))
    best = (0.0, None)
    for closed in np.flatnonzero(open_sites):
        for opened in np.flatnonzero(~open_sites):
            trial = open_sites.copy()
            trial[closed], trial[opened] = False, True
            after = _travel(dense, weights, trial)[served]
            moved_out = district[closed] != district[opened]
            if not np.isfinite(after).all() or (
                moved_out and counts[district[closed]] - 1 < floor[district[closed]]
            ):
                continue
            if after.sum() - now < best[0] - 1e-9:
                best = (after.sum() - now, (int(closed), int(opened)))
    return best


@pytest.mark.parametrize("seed", range(25))
def test_each_swap_is_the_best_one_that_keeps_cover_and_density(seed: int) -> None:
    dense, matrix, weights, open_sites, district = _instance(seed)
    floor = np.bincount(district[open_sites], minlength=3)  # no district may lose a site
    floor[seed % 3] = 0  # except one
    counts = np.bincount(district[open_sites], minlength=3)
    swap = _best_swap(
        _SortedRows(matrix), weights, open_sites, counts, district, floor,
        np.zeros(len(open_sites)), np.zeros(len(open_sites), dtype=bool),
    )  # fmt: skip
    gain, expected = _brute_best(dense, weights, open_sites, district, floor)
    if expected is None:
        assert swap is None
        return
    assert swap is not None
    trial = open_sites.copy()
    trial[swap[0]], trial[swap[1]] = False, True
    served = np.isfinite(_travel(dense, weights, open_sites))
    change = _travel(dense, weights, trial)[served].sum()
    change -= _travel(dense, weights, open_sites)[served].sum()
    assert change == pytest.approx(gain)


def test_the_improved_start_travels_less_and_keeps_every_rule() -> None:
    dense, matrix, weights, open_sites, district = _instance(7, n_demand=80, n_sites=30)
    floor = np.bincount(district[open_sites], minlength=3)
    keep_open = np.zeros(len(open_sites), dtype=bool)
    keep_open[np.flatnonzero(open_sites)[0]] = True
    cost = np.ones(len(open_sites))
    improved = improve_travel_start(
        matrix, weights, open_sites, site_district=district, district_floor=floor,
        opening_cost=cost, keep_open=keep_open, deadline=None,
    )  # fmt: skip
    served = np.isfinite(_travel(dense, weights, open_sites))
    assert np.isfinite(_travel(dense, weights, improved)[served]).all()
    assert (
        _travel(dense, weights, improved)[served].sum()
        < _travel(dense, weights, open_sites)[served].sum()
    )
    assert improved.sum() == open_sites.sum() and improved[keep_open].all()
    assert (np.bincount(district[improved], minlength=3) >= floor).all()
    assert _best_swap(
        _SortedRows(matrix), weights, improved, np.bincount(district[improved], minlength=3),
        district, floor, cost, keep_open,
    ) is None  # fmt: skip
