"""``DispatchPlan``: the moves chosen and the demand left unmet (with why); tables, JSON, map.

Why a region's demand of a resource is left unmet is computed from the plan and the window,
never guessed. The *lenders* of a region are the own units above the floor of every *other*
region whose units arrive within the window (mobilisation + travel <= window), and the partner
pools that arrive within the window, its own included. A lender has *spare units* for the
region when they are partner units, own units beyond the lender's own demand, or any own units
above the floor of a region of lower priority (a move there trades a lower priority's need for
a higher one's). The reason is the first that holds:

* :data:`BEYOND_THE_WINDOW`: no lender has units above its floor (or partner units): none can
  reach the region within the window at all;
* :data:`NO_SPARE_IN_WINDOW`: lenders have units above their floors, but none has spare units
  for the region (each needs them for its own demand, at a priority at least the region's);
* :data:`RULES_HOLD_BACK`: a lender still has spare units for the region after the plan, held
  back by the batch, donor-count or team rules (never with the flow engines: their optimum
  would have moved them);
* :data:`DONORS_EXHAUSTED`: lenders had spare units for the region and the plan uses them all.

Unmet units are counted in every region, donors included: ``demand − (available − lent +
received)`` when positive. A region's own lent units are not among its lenders; the unmet
table shows them as ``lent_units``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.dispatch.moves import pairs_in_window
from optimizer.dispatch.problem import DispatchProblem
from optimizer.dispatch_reasons import (
    BEYOND_THE_WINDOW,
    DONORS_EXHAUSTED,
    NO_SPARE_IN_WINDOW,
    RULES_HOLD_BACK,
)

if TYPE_CHECKING:
    import geopandas as gpd

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
UNMET_COLUMNS = (
    "region",
    "resource",
    "priority",
    "need_units",
    "lent_units",
    "unmet_units",
    "reason",
)


@dataclass(frozen=True)
class Allocation:
    """Units an engine put on moves (one entry per move with units > 0).

    Attributes:
        resource, donor, receiver: resource / region indices, int (m,).
        from_partner: the lender is the donor region's partner pool, bool (m,).
        travel_minutes: drive minutes, float (m,).
        units: units moved, int (m,).
    """

    resource: np.ndarray
    donor: np.ndarray
    from_partner: np.ndarray
    receiver: np.ndarray
    travel_minutes: np.ndarray
    units: np.ndarray


@dataclass(frozen=True)
class DispatchPlan:
    """Who goes where, and which demand stays unmet.

    Attributes:
        moves: one row per move, columns :data:`MOVE_COLUMNS`; ``lender`` is ``"own"`` or
            ``"partner"``; minutes count from the call (minute 0); ``depart_minute`` is the
            lender's mobilisation minutes.
        unmet: one row per region and resource with unmet units > 0, columns
            :data:`UNMET_COLUMNS`: ``need_units`` is the demand its own units left at home do
            not cover (what it needed from others), ``lent_units`` its own units sent away,
            ``reason`` one of ``optimizer.dispatch_reasons.UNMET_REASONS`` (module docstring).
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
        shape = problem.available_units.shape
        sent_own, sent_partner, received = (np.zeros(shape, dtype=np.int64) for _ in range(3))
        own = ~allocation.from_partner
        key = (allocation.donor, allocation.resource)
        np.add.at(sent_own, (key[0][own], key[1][own]), allocation.units[own])
        np.add.at(sent_partner, (key[0][~own], key[1][~own]), allocation.units[~own])
        np.add.at(received, (allocation.receiver, allocation.resource), allocation.units)
        need = np.maximum(problem.demand_units - (problem.available_units - sent_own), 0)
        unmet_units = np.maximum(need - received, 0)
        region, resource = np.nonzero(unmet_units)
        unmet = pd.DataFrame(
            {
                "region": regions[region],
                "resource": resources[resource],
                "priority": problem.priority[region],
                "need_units": need[region, resource],
                "lent_units": sent_own[region, resource],
                "unmet_units": unmet_units[region, resource],
                "reason": unmet_reasons(
                    problem,
                    unmet_units > 0,
                    sent_own=sent_own,
                    sent_partner=sent_partner,
                    received=received,
                )[region, resource],
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


def unmet_reasons(
    problem: DispatchProblem,
    short: np.ndarray,
    *,
    sent_own: np.ndarray,
    sent_partner: np.ndarray,
    received: np.ndarray,
) -> np.ndarray:
    """Why each short (region, resource) is short (module docstring), object (n, r); "" where
    not short.

    Args:
        short: True where demand is left unmet, bool (n, r).
        sent_own, sent_partner, received: units the plan moves out of each region's own
            units, out of its partner pool, and into it, int (n, r).
    """
    n = problem.n_regions
    lendable, open_demand = problem.lendable_units(), problem.open_demand_units()
    reasons = np.full(short.shape, "", dtype=object)
    for resource in np.flatnonzero(short.any(axis=0)):
        # Lender regions with own units above the floor or partner units, and the short
        # regions they reach within the window; then partners at home.
        pairs = pairs_in_window(
            problem,
            lender_units=lendable[:, resource] + problem.partner_units[:, resource],
            receiver_units=short[:, resource],
        )
        home = np.flatnonzero(
            (problem.mobilisation_minutes <= problem.window_minutes) & short[:, resource]
        )
        i, j = np.concatenate([pairs[0], home]), np.concatenate([pairs[1], home])
        itself = np.arange(len(i)) >= len(pairs[0])
        lower = problem.priority[i] < problem.priority[j]
        own = np.where(itself, 0, lendable[i, resource])
        partner = problem.partner_units[i, resource]
        spare = (partner > 0) | np.where(lower, own > 0, own > open_demand[i, resource])
        unmoved = own - sent_own[i, resource]
        needed_home = np.maximum(open_demand[i, resource] - received[i, resource], 0)
        left = (partner - sent_partner[i, resource] > 0) | (
            np.where(lower, unmoved, unmoved - needed_home) > 0
        )
        flags = [
            np.bincount(j, weights=flag, minlength=n) > 0
            for flag in ((own > 0) | (partner > 0), spare, spare & left)
        ]
        reasons[:, resource] = np.select(
            [~flags[0], ~flags[1], flags[2]],
            [BEYOND_THE_WINDOW, NO_SPARE_IN_WINDOW, RULES_HOLD_BACK],
            DONORS_EXHAUSTED,
        )
    return np.where(short, reasons, "")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as dicts of plain Python values (JSON-serialisable)."""
    return [
        {
            key: value.item() if isinstance(value, np.generic) else value
            for key, value in row.items()
        }
        for row in frame.to_dict(orient="records")
    ]
