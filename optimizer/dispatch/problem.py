"""``DispatchProblem``: regions, their units per resource type and the travel minutes between them.

Travel-time storage convention: ``travel_minutes`` is a ``scipy.sparse.csr_array`` (n × n) whose
*stored entries* are exactly the ordered region pairs that can be driven within the window; a
missing pair is unreachable. Values are minutes; a 0-minute pair is an explicit zero (values below
:data:`ZERO_MINUTES` — the geo layer stores 0 as ``1e-9`` — are read as 0). The diagonal is never
stored: a region reaches itself in 0 minutes by definition. Constructors prune pairs beyond
``window_minutes`` and never call ``eliminate_zeros``.

The surge model (one model over all regions, per resource type, in integer units). Every region
has its demand, its floor and its priority:

* ``floor_units``: what a region never lends. With ``donors_keep="min_cover"`` (the default) it
  is the minimum cover, a hard floor; with ``donors_keep="demand"`` it is demand plus minimum
  cover (a donor lends only beyond its own demand, the model before issue #16).
* ``lendable_units = max(0, available - floor)``: the units a region may send away.
* ``open_demand_units = max(0, demand - min(available, floor))``: the demand its floor does not
  cover, which its own lendable units serve at home (0 minutes) unless they are sent away.
  Whatever is left of it after the moves is unmet, at ``priority`` per unit.
* ``need_units = max(0, demand - available)``: what a region lacks before any move.
* ``partner_units``: units partner organisations based in the region can lend (to any region,
  the home region included); they mobilise with the region's ``mobilisation_minutes``.

A move from A to B serves B and may leave A short of its own demand, never below its floor;
the engines make it when B's priority-weighted need outweighs A's (``optimizer.dispatch.model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.dispatch import readers
from optimizer.dispatch.rules import DispatchRules, check_rules

DEFAULT_WINDOW_MINUTES = 120.0

DonorsKeep = Literal["min_cover", "demand"]
#: What a region keeps when it lends: its minimum cover, or its demand plus its minimum cover.
DONORS_KEEP: tuple[DonorsKeep, ...] = ("min_cover", "demand")

#: Stored travel values below this many minutes are read as 0 minutes.
ZERO_MINUTES = 1e-6


@dataclass(frozen=True)
class DispatchProblem:
    """Who may help whom within the window.

    Attributes:
        region_ids: region identifiers (n).
        resource_names: resource type names (r), e.g. ``"paramedic"``, ``"sandbags"``.
        available_units: units on hand now, int (n, r).
        demand_units: units needed now or forecast, int (n, r).
        min_cover_units: units each region keeps for its own cover, int (n, r).
        partner_units: units partner organisations in each region can lend, int (n, r).
        priority: weight of one unmet unit per region, int (n,) >= 1.
        mobilisation_minutes: minutes before a donor's units can leave, float (n,).
        travel_minutes: csr (n, n) of drive minutes, pruned to the window (module docstring).
        window_minutes: every move must arrive within this many minutes of the call.
        coordinates_deg: optional (n, 2) array of region ``lon, lat`` (WGS84 degrees).
        rules: batch / donor-count / team rules (any active rule selects the MIP engine).
        donors_keep: ``"min_cover"`` (a region may lend down to its minimum cover) or
            ``"demand"`` (only beyond its demand plus its minimum cover); module docstring.
    """

    region_ids: tuple[str, ...]
    resource_names: tuple[str, ...]
    available_units: np.ndarray
    demand_units: np.ndarray
    min_cover_units: np.ndarray
    partner_units: np.ndarray
    priority: np.ndarray
    mobilisation_minutes: np.ndarray
    travel_minutes: sp.csr_array
    window_minutes: float = DEFAULT_WINDOW_MINUTES
    coordinates_deg: np.ndarray | None = None
    rules: DispatchRules = field(default_factory=DispatchRules)
    donors_keep: DonorsKeep = "min_cover"

    @property
    def n_regions(self) -> int:
        """Number of regions."""
        return len(self.region_ids)

    def floor_units(self) -> np.ndarray:
        """Units each region never lends, int (n, r): its minimum cover, or with
        ``donors_keep="demand"`` its demand plus its minimum cover."""
        if self.donors_keep == "demand":
            return self.demand_units + self.min_cover_units
        return self.min_cover_units

    def lendable_units(self) -> np.ndarray:
        """Units each region may send away, int (n, r): those above its floor."""
        return np.maximum(self.available_units - self.floor_units(), 0)

    def open_demand_units(self) -> np.ndarray:
        """Demand the floor does not cover, int (n, r): what may go unmet."""
        kept = np.minimum(self.available_units, self.floor_units())
        return np.maximum(self.demand_units - kept, 0)

    def need_units(self) -> np.ndarray:
        """Units each region lacks before any move, int (n, r)."""
        return np.maximum(self.demand_units - self.available_units, 0)

    @classmethod
    def from_arrays(
        cls,
        *,
        region_ids: Sequence[str],
        resource_names: Sequence[str],
        available_units: np.ndarray,
        demand_units: np.ndarray,
        travel_minutes: np.ndarray | sp.sparray | sp.spmatrix,
        min_cover_units: np.ndarray | None = None,
        partner_units: np.ndarray | None = None,
        priority: np.ndarray | None = None,
        mobilisation_minutes: np.ndarray | None = None,
        window_minutes: float = DEFAULT_WINDOW_MINUTES,
        coordinates_deg: np.ndarray | None = None,
        rules: DispatchRules | None = None,
        donors_keep: DonorsKeep = "min_cover",
    ) -> DispatchProblem:
        """Build a problem from arrays (units arrays are (n, r) or (n,) for one resource type).

        Args:
            travel_minutes: (n, n) minutes from row region to column region. Dense: ``inf`` or
                ``nan`` marks an unreachable pair. Sparse: stored entries are the reachable
                pairs (explicit zeros and ``1e-9`` mean 0 minutes). The diagonal is ignored.
            min_cover_units, partner_units: default 0; priority default 1;
            mobilisation_minutes: default 0.
            donors_keep: what a lending region keeps (module docstring).

        Raises:
            ValueError: a wrong shape, a negative count or time, a priority below 1, an
                unknown resource in a team, a window below 0 or an unknown ``donors_keep``.
        """
        region_ids = tuple(str(region) for region in region_ids)
        resource_names = tuple(str(name) for name in resource_names)
        shape = (len(region_ids), len(resource_names))
        units = {
            name: _units_array(name, values, shape)
            for name, values in (
                ("available_units", available_units),
                ("demand_units", demand_units),
                ("min_cover_units", min_cover_units),
                ("partner_units", partner_units),
            )
        }
        n = len(region_ids)
        priority = _per_region("priority", priority, n, default=1).astype(np.int64)
        if (priority < 1).any() or (priority > readers.MAX_PRIORITY).any():
            raise ValueError(
                f"priority must be an integer from 1 to {readers.MAX_PRIORITY} for every region"
            )
        mobilisation = _per_region("mobilisation_minutes", mobilisation_minutes, n, default=0.0)
        if window_minutes < 0:
            raise ValueError(f"window_minutes must be >= 0, not {window_minutes}")
        if coordinates_deg is not None:
            coordinates_deg = np.asarray(coordinates_deg, dtype=np.float64)
            if coordinates_deg.shape != (n, 2):
                raise ValueError(f"coordinates_deg must have shape ({n}, 2)")
        if donors_keep not in DONORS_KEEP:
            raise ValueError(f"donors_keep must be one of {DONORS_KEEP}, not {donors_keep!r}")
        rules = rules or DispatchRules()
        check_rules(rules, resource_names)
        return cls(
            region_ids=region_ids,
            resource_names=resource_names,
            priority=priority,
            mobilisation_minutes=mobilisation,
            travel_minutes=pruned_travel_minutes(travel_minutes, n, window_minutes),
            window_minutes=float(window_minutes),
            coordinates_deg=coordinates_deg,
            rules=rules,
            donors_keep=donors_keep,
            **units,
        )

    @classmethod
    def from_csv(
        cls,
        *,
        regions_path: str | Path,
        resources_path: str | Path,
        travel_path: str | Path,
        window_minutes: float = DEFAULT_WINDOW_MINUTES,
        rules: DispatchRules | None = None,
        donors_keep: DonorsKeep = "min_cover",
    ) -> DispatchProblem:
        """Build a problem from the three CSV files described in ``optimizer.dispatch.readers``.

        Raises:
            DataError: a bad file, naming the file, the row and the column.
        """
        regions = readers.read_regions_csv(regions_path)
        region_ids = list(regions["region"])
        return cls.from_tables(
            regions=regions,
            units=readers.read_resources_csv(resources_path, region_ids=region_ids),
            travel_minutes=readers.read_travel_csv(travel_path, region_ids=region_ids),
            window_minutes=window_minutes,
            rules=rules,
            donors_keep=donors_keep,
        )

    @classmethod
    def from_tables(
        cls,
        *,
        regions: pd.DataFrame,
        units: readers.ResourceTable,
        travel_minutes: np.ndarray | sp.sparray | sp.spmatrix,
        window_minutes: float = DEFAULT_WINDOW_MINUTES,
        rules: DispatchRules | None = None,
        donors_keep: DonorsKeep = "min_cover",
    ) -> DispatchProblem:
        """Build a problem from tables as ``readers`` returns them and a travel matrix
        (minutes, in the regions' order; dense or sparse as for ``from_arrays``)."""
        coordinates = None
        if {"lon", "lat"} <= set(regions.columns):
            coordinates = regions[["lon", "lat"]].to_numpy(dtype=np.float64)
        return cls.from_arrays(
            region_ids=list(regions["region"]),
            resource_names=units.resource_names,
            available_units=units.available,
            demand_units=units.demand,
            min_cover_units=units.min_cover,
            partner_units=units.partner,
            priority=regions["priority"].to_numpy(),
            mobilisation_minutes=regions["mobilisation_minutes"].to_numpy(),
            travel_minutes=travel_minutes,
            window_minutes=window_minutes,
            coordinates_deg=coordinates,
            rules=rules,
            donors_keep=donors_keep,
        )


def pruned_travel_minutes(
    matrix: np.ndarray | sp.sparray | sp.spmatrix, n_regions: int, window_minutes: float
) -> sp.csr_array:
    """Off-diagonal pairs within ``window_minutes`` as a csr array (module docstring convention).

    Raises:
        ValueError: not (n, n), or a negative or ``nan`` stored value.
    """
    if matrix.shape != (n_regions, n_regions):
        raise ValueError(f"travel_minutes must be ({n_regions}, {n_regions}), not {matrix.shape}")
    if not sp.issparse(matrix):
        return _pruned_dense(np.asarray(matrix, dtype=np.float64), window_minutes)
    coo = sp.coo_array(matrix)
    coo.sum_duplicates()
    minutes = coo.data.astype(np.float64)
    if np.isnan(minutes).any() or (minutes < 0).any():
        raise ValueError("travel_minutes has a negative or nan stored value")
    keep = (coo.row != coo.col) & (minutes <= window_minutes)
    minutes = np.where(minutes[keep] < ZERO_MINUTES, 0.0, minutes[keep])
    return sp.csr_array((minutes, (coo.row[keep], coo.col[keep])), shape=matrix.shape)


def _pruned_dense(minutes: np.ndarray, window_minutes: float) -> sp.csr_array:
    """CSR of the off-diagonal entries ``<= window_minutes`` of a dense matrix (inf/nan: none)."""
    keep = minutes <= window_minutes  # every negative value is among these
    np.fill_diagonal(keep, False)
    indptr = np.concatenate([[0], np.cumsum(np.count_nonzero(keep, axis=1))])
    flat = np.flatnonzero(keep)
    indices = flat % minutes.shape[1]
    values = minutes.ravel()[flat]
    if (values < 0).any() or (np.diagonal(minutes) < 0).any():
        raise ValueError("travel_minutes has a negative value")
    values[values < ZERO_MINUTES] = 0.0
    return sp.csr_array((values, indices, indptr), shape=minutes.shape)


def _units_array(name: str, values: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    """``values`` as an int64 (n, r) array of units (0 when ``None``)."""
    if values is None:
        return np.zeros(shape, dtype=np.int64)
    array = np.asarray(values)
    if array.ndim == 1 and shape[1] == 1:
        array = array[:, None]
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, not {array.shape}")
    if not np.all(np.isfinite(array)) or not np.array_equal(array, np.round(array)):
        raise ValueError(f"{name} must hold whole units")
    if (array < 0).any():
        raise ValueError(f"{name} must be >= 0")
    return array.astype(np.int64)


def _per_region(name: str, values: np.ndarray | None, n: int, *, default: float) -> np.ndarray:
    """A float (n,) array (``default`` everywhere when ``None``), checked finite and >= 0."""
    if values is None:
        return np.full(n, default, dtype=np.float64)
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), not {array.shape}")
    if not np.all(np.isfinite(array)) or (array < 0).any():
        raise ValueError(f"{name} must be finite and >= 0")
    return array
