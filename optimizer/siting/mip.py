"""A solver-neutral mixed-integer model held as arrays, and a builder that stacks row blocks.

Every formulation in ``siting`` is written as blocks of (row, column, value) arrays; the
builder stacks them into one CSR constraint matrix. Solvers (HiGHS, CBC, CP-SAT) read the
same ``MipModel``; nothing iterates over demand/site pairs in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from optimizer.solve import SolveStatus


@dataclass(frozen=True)
class MipModel:
    """``min cost·x + offset`` s.t. ``row_lower <= A x <= row_upper``, bounds, integrality.

    Attributes:
        cost: objective coefficient per column.
        offset: constant added to the objective.
        lower, upper: column bounds.
        integer: True for integer columns.
        matrix: csr constraint matrix (n_rows, n_cols).
        row_lower, row_upper: row bounds (``-inf``/``inf`` for one-sided rows).
        row_groups: rule name -> row indices of that rule (to explain infeasibility).
        columns: block name -> slice of its columns.
        start: optional starting solution (full column vector) for the solver.
        highs_options: HiGHS options suited to this formulation (other solvers ignore them).
    """

    cost: np.ndarray
    offset: float
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    matrix: sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_groups: dict[str, np.ndarray]
    columns: dict[str, slice]
    start: np.ndarray | None = None
    highs_options: dict[str, object] = field(default_factory=dict)

    @property
    def n_cols(self) -> int:
        """Number of columns."""
        return len(self.cost)

    def satisfied_by(self, values: np.ndarray, tolerance: float = 1e-6) -> bool:
        """Whether ``values`` keeps every bound, row and integrality of the model."""
        if np.any(values < self.lower - tolerance) or np.any(values > self.upper + tolerance):
            return False
        if np.any(np.abs(values[self.integer] - np.rint(values[self.integer])) > tolerance):
            return False
        activity = self.matrix @ values
        return bool(
            np.all(activity >= self.row_lower - tolerance)
            and np.all(activity <= self.row_upper + tolerance)
        )

    def trivial_bound(self) -> float | None:
        """Lower bound from column bounds alone (ignores rows); ``None`` when unbounded."""
        low = np.where(self.cost >= 0, self.lower, self.upper)
        terms = np.where(self.cost == 0, 0.0, self.cost * low)
        total = float(terms.sum()) + self.offset
        return total if np.isfinite(total) else None

    def without_groups(self, names: set[str]) -> MipModel:
        """The same model with the rows of the named rule groups removed."""
        drop = np.zeros(len(self.row_lower), dtype=bool)
        for name in names:
            drop[self.row_groups[name]] = True
        keep = np.flatnonzero(~drop)
        renumber = np.full(len(drop), -1)
        renumber[keep] = np.arange(len(keep))
        groups = {
            name: renumber[rows][renumber[rows] >= 0]
            for name, rows in self.row_groups.items()
            if name not in names
        }
        return MipModel(
            cost=self.cost,
            offset=self.offset,
            lower=self.lower,
            upper=self.upper,
            integer=self.integer,
            matrix=self.matrix[keep],
            row_lower=self.row_lower[keep],
            row_upper=self.row_upper[keep],
            row_groups=groups,
            columns=self.columns,
            start=self.start,
            highs_options=self.highs_options,
        )


@dataclass
class ModelBuilder:
    """Collects column blocks and row blocks, then builds a ``MipModel``."""

    _cost: list[np.ndarray] = field(default_factory=list)
    _lower: list[np.ndarray] = field(default_factory=list)
    _upper: list[np.ndarray] = field(default_factory=list)
    _integer: list[np.ndarray] = field(default_factory=list)
    _columns: dict[str, slice] = field(default_factory=dict)
    _rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    _row_lower: list[np.ndarray] = field(default_factory=list)
    _row_upper: list[np.ndarray] = field(default_factory=list)
    _groups: dict[str, list[np.ndarray]] = field(default_factory=dict)
    offset: float = 0.0
    n_cols: int = 0
    n_rows: int = 0

    @property
    def columns(self) -> dict[str, slice]:
        """Block name -> slice of its columns, so far."""
        return self._columns

    def add_columns(
        self,
        name: str,
        count: int,
        *,
        cost: np.ndarray | float = 0.0,
        lower: np.ndarray | float = 0.0,
        upper: np.ndarray | float = np.inf,
        integer: bool = False,
    ) -> slice:
        """Add ``count`` columns named ``name``; returns their slice."""
        block = slice(self.n_cols, self.n_cols + count)
        self._cost.append(np.broadcast_to(np.asarray(cost, dtype=float), count))
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), count))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), count))
        self._integer.append(np.full(count, integer))
        self._columns[name] = block
        self.n_cols += count
        return block

    def add_rows(
        self,
        group: str,
        rows: np.ndarray,
        cols: np.ndarray,
        values: np.ndarray | float,
        *,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        count: int,
    ) -> np.ndarray:
        """Add ``count`` rows from triplets (``rows`` local to the block, 0..count-1).

        Returns:
            The global indices of the new rows.
        """
        values = np.broadcast_to(np.asarray(values, dtype=float), len(rows))
        self._rows.append((np.asarray(rows) + self.n_rows, np.asarray(cols), values))
        self._row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), count))
        self._row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), count))
        indices = np.arange(self.n_rows, self.n_rows + count)
        self._groups.setdefault(group, []).append(indices)
        self.n_rows += count
        return indices

    def add_row(
        self,
        group: str,
        cols: np.ndarray,
        values: np.ndarray | float,
        *,
        lower: float,
        upper: float,
    ) -> np.ndarray:
        """Add one row ``lower <= sum(values * x[cols]) <= upper``."""
        cols = np.asarray(cols)
        return self.add_rows(
            group, np.zeros(len(cols), dtype=np.int64), cols, values,
            lower=lower, upper=upper, count=1,
        )  # fmt: skip

    def build(
        self, *, start: np.ndarray | None = None, highs_options: dict[str, object] | None = None
    ) -> MipModel:
        """Stack the blocks into a ``MipModel``."""
        empty = np.zeros(0)
        rows = np.concatenate([r for r, _, _ in self._rows]) if self._rows else empty
        cols = np.concatenate([c for _, c, _ in self._rows]) if self._rows else empty
        values = np.concatenate([v for _, _, v in self._rows]) if self._rows else empty
        matrix = sparse.csr_matrix(
            (values, (rows.astype(np.int64), cols.astype(np.int64))),
            shape=(self.n_rows, self.n_cols),
        )
        return MipModel(
            cost=np.concatenate(self._cost) if self._cost else empty,
            offset=self.offset,
            lower=np.concatenate(self._lower) if self._lower else empty,
            upper=np.concatenate(self._upper) if self._upper else empty,
            integer=np.concatenate(self._integer) if self._integer else np.zeros(0, bool),
            matrix=matrix,
            row_lower=np.concatenate(self._row_lower) if self._row_lower else empty,
            row_upper=np.concatenate(self._row_upper) if self._row_upper else empty,
            row_groups={name: np.concatenate(parts) for name, parts in self._groups.items()},
            columns=dict(self._columns),
            start=start,
            highs_options=dict(highs_options or {}),
        )


@dataclass(frozen=True)
class MipResult:
    """What a solver returned for a ``MipModel`` (objective in the model's minimising sense).

    Attributes:
        status: honest outcome (``optimal`` only when proven).
        values: column values of the best solution, ``None`` without one.
        objective: objective of ``values`` including the offset.
        bound: best proven lower bound including the offset.
        seconds: wall-clock seconds, model passing included.
        solver: solver name.
    """

    status: SolveStatus
    values: np.ndarray | None
    objective: float | None
    bound: float | None
    seconds: float
    solver: str
