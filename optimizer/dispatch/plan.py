"""``DispatchPlan``: the moves chosen and the demand left unmet (with why); tables, JSON, map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.dispatch.problem import DispatchProblem

if TYPE_CHECKING:
    import geopandas as gpd

NO_DONOR_IN_WINDOW = "no donor within the window"
DONORS_EXHAUSTED = "donors exhausted"

MOVE_COLUMNS = (
    "from_region",
    "to_region",
    "resource",
    "lender",
    "units",
    "depart_minute",
    "arrive_minute",
    "travel_minutes",
)
UNMET_COLUMNS = ("region", "resource", "priority", "need_units", "unmet_units", "reason")


@dataclass(frozen=True)
class Allocation:
    """Units an engine put on moves (one entry per move with units > 0).

    Attributes:
        resource, donor, receiver: resource / region indices, int (m,).
        from_partner: the lender is the donor region's partner pool, bool (m,).
        travel_minutes: drive minutes, float (m,).
        units: units moved, int (m,).
        reachable: whether any allowed move reaches each region for each resource, bool (n, r).
    """

    resource: np.ndarray
    donor: np.ndarray
    from_partner: np.ndarray
    receiver: np.ndarray
    travel_minutes: np.ndarray
    units: np.ndarray
    reachable: np.ndarray


@dataclass(frozen=True)
class DispatchPlan:
    """Who goes where, and which demand stays unmet.

    Attributes:
        moves: one row per move, columns :data:`MOVE_COLUMNS`; ``lender`` is ``"own"`` or
            ``"partner"``; minutes count from the call (minute 0); ``depart_minute`` is the
            lender's mobilisation minutes.
        unmet: one row per region and resource with unmet units > 0, columns
            :data:`UNMET_COLUMNS`; ``reason`` is :data:`NO_DONOR_IN_WINDOW` or
            :data:`DONORS_EXHAUSTED`.
        window_minutes: the window every move arrives within.
        unmet_penalty_minutes: objective cost of one unmet unit at priority 1.
        coordinates: region id -> ``(lon, lat)`` in WGS84 degrees, or ``None``.
    """

    moves: pd.DataFrame
    unmet: pd.DataFrame
    window_minutes: float
    unmet_penalty_minutes: float
    coordinates: dict[str, tuple[float, float]] | None = None

    @classmethod
    def from_allocation(
        cls, problem: DispatchProblem, allocation: Allocation, *, unmet_penalty_minutes: float
    ) -> DispatchPlan:
        """Tables of ``allocation``; unmet units = need − units received (never below 0)."""
        regions = np.asarray(problem.region_ids, dtype=object)
        resources = np.asarray(problem.resource_names, dtype=object)
        order = np.lexsort(
            (allocation.from_partner, allocation.receiver, allocation.donor, allocation.resource)
        )
        depart = problem.mobilisation_minutes[allocation.donor][order]
        travel = allocation.travel_minutes[order]
        moves = pd.DataFrame(
            {
                "from_region": regions[allocation.donor[order]],
                "to_region": regions[allocation.receiver[order]],
                "resource": resources[allocation.resource[order]],
                "lender": np.where(allocation.from_partner[order], "partner", "own"),
                "units": allocation.units[order],
                "depart_minute": depart,
                "arrive_minute": depart + travel,
                "travel_minutes": travel,
            },
            columns=list(MOVE_COLUMNS),
        )
        need = problem.need_units()
        received = np.zeros_like(need)
        np.add.at(received, (allocation.receiver, allocation.resource), allocation.units)
        unmet_units = np.maximum(need - received, 0)
        region, resource = np.nonzero(unmet_units)
        unmet = pd.DataFrame(
            {
                "region": regions[region],
                "resource": resources[resource],
                "priority": problem.priority[region],
                "need_units": need[region, resource],
                "unmet_units": unmet_units[region, resource],
                "reason": np.where(
                    allocation.reachable[region, resource], DONORS_EXHAUSTED, NO_DONOR_IN_WINDOW
                ),
            },
            columns=list(UNMET_COLUMNS),
        )
        coordinates = None
        if problem.coordinates_deg is not None:
            coordinates = {
                region_id: (float(lon), float(lat))
                for region_id, (lon, lat) in zip(
                    problem.region_ids, problem.coordinates_deg, strict=True
                )
            }
        return cls(
            moves=moves,
            unmet=unmet,
            window_minutes=problem.window_minutes,
            unmet_penalty_minutes=unmet_penalty_minutes,
            coordinates=coordinates,
        )

    def totals(self) -> dict[str, float | int]:
        """Headline figures: moves, units moved, unmet units (plain and priority-weighted),
        unit-minutes of travel (units × travel minutes) and the latest arrival minute."""
        return {
            "moves": len(self.moves),
            "moved_units": int(self.moves["units"].sum()),
            "unmet_units": int(self.unmet["unmet_units"].sum()),
            "weighted_unmet_units": int((self.unmet["unmet_units"] * self.unmet["priority"]).sum()),
            "travel_unit_minutes": float(
                (self.moves["units"] * self.moves["travel_minutes"]).sum()
            ),
            "latest_arrival_minute": float(
                np.max(self.moves["arrive_minute"].to_numpy(), initial=0.0)
            ),
            "window_minutes": self.window_minutes,
        }

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """``{"moves", "unmet", "totals"}`` frames for CSV output (totals is one row)."""
        return {
            "moves": self.moves.copy(),
            "unmet": self.unmet.copy(),
            "totals": pd.DataFrame([self.totals()]),
        }

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict: ``moves`` and ``unmet`` as lists of records, and ``totals``."""
        return {
            "moves": _records(self.moves),
            "unmet": _records(self.unmet),
            "totals": self.totals(),
            "unmet_penalty_minutes": self.unmet_penalty_minutes,
        }

    def to_geodataframe(self) -> gpd.GeoDataFrame:
        """Move lines (lender centroid → receiver centroid) in EPSG:4326 with the move columns.

        Raises:
            ValueError: the problem had no region coordinates.
        """
        import geopandas as gpd
        import shapely

        if self.coordinates is None:
            raise ValueError("the dispatch problem has no region coordinates")
        index = pd.Index(list(self.coordinates))
        lon_lat = np.array(list(self.coordinates.values()), dtype=np.float64).reshape(-1, 2)
        start = lon_lat[index.get_indexer(self.moves["from_region"])]
        end = lon_lat[index.get_indexer(self.moves["to_region"])]
        lines = shapely.linestrings(np.stack([start, end], axis=1))
        return gpd.GeoDataFrame(self.moves.copy(), geometry=lines, crs="EPSG:4326")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts of plain Python values (JSON-serialisable)."""
    return [
        {
            key: value.item() if isinstance(value, np.generic) else value
            for key, value in row.items()
        }
        for row in frame.to_dict(orient="records")
    ]
