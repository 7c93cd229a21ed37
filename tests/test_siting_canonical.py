"""``canonical_csr``: sorted pairs, explicit zeros kept, duplicates keep the minimum, whether
scipy's index sort (no duplicates) or the pair sort (duplicates) does it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from optimizer.siting.problem import canonical_csr, csr_from_pairs


@pytest.mark.parametrize("duplicates", [False, True])
def test_canonical_csr_equals_the_pair_sort(duplicates: bool) -> None:
    rng = np.random.default_rng(7)
    shape = (40, 30)
    cells = rng.choice(shape[0] * shape[1], size=300, replace=False)
    if duplicates:
        cells = np.concatenate([cells, cells[:50]])
    cells = cells[rng.permutation(len(cells))]
    rows, cols = np.divmod(cells, shape[1])
    order = np.argsort(rows, kind="stable")  # rows in order, columns unsorted within a row
    rows, cols = rows[order], cols[order]
    values = rng.integers(0, 5, size=len(cells)).astype(float)  # explicit zeros among them
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    unsorted = sparse.csr_matrix((values, cols.astype(np.int32), indptr), shape=shape)
    result = canonical_csr(unsorted)
    expected = csr_from_pairs(rows, cols, values, shape=shape)
    assert result.has_sorted_indices
    assert result.nnz == 300
    assert np.array_equal(result.indptr, expected.indptr)
    assert np.array_equal(result.indices, expected.indices)
    assert np.array_equal(result.data, expected.data)
