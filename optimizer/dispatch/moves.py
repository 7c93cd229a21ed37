"""Which moves are allowed: lender → receiver pairs that arrive within the window.

A move leaves a lender after its mobilisation minutes and drives the stored travel minutes; it is
allowed when ``mobilisation_minutes + travel_minutes <= window_minutes``. Lenders are a region's
own units above its floor and the partner units based in a region (a partner may also serve its
home region, in 0 travel minutes); receivers are the regions with open demand
(``DispatchProblem.open_demand_units``), donors included: a region that lends may be refilled
by another. Everything is computed with masks over the stored pairs of the
pruned travel matrix; there is no loop over region pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizer.dispatch.problem import DispatchProblem


@dataclass(frozen=True)
class CandidateMoves:
    """Allowed moves of one kind of unit (a resource type, or a team).

    Attributes:
        donor: region index of the lender, int (m,).
        from_partner: True when the lender is the partner pool of ``donor``, bool (m,).
        receiver: region index of the receiver, int (m,).
        travel_minutes: drive minutes of the move, float (m,).
        capacity_units: most units the move can carry: min(lendable, open demand), int (m,).
    """

    donor: np.ndarray
    from_partner: np.ndarray
    receiver: np.ndarray
    travel_minutes: np.ndarray
    capacity_units: np.ndarray

    def __len__(self) -> int:
        return len(self.donor)

    def lender_node(self, n_regions: int) -> np.ndarray:
        """Lender index in ``[0, 2n)``: ``donor`` for own units, ``n + donor`` for partners."""
        return self.donor + n_regions * self.from_partner


def allowed_moves(
    problem: DispatchProblem,
    *,
    lendable_units: np.ndarray,
    partner_units: np.ndarray,
    open_demand_units: np.ndarray,
) -> CandidateMoves:
    """Moves that arrive within the window from a lender with units to a region with open
    demand.

    Args:
        problem: supplies the travel matrix, mobilisation minutes and window.
        lendable_units: own units above the floor per region, int (n,).
        partner_units: partner units per region, int (n,).
        open_demand_units: demand that may go unmet per region, int (n,).

    Returns:
        Own-unit moves first (row-major (donor, receiver) order), then partner moves in the
        same order, then partners serving their home region.
    """
    travel = problem.travel_minutes
    n = problem.n_regions
    donors = np.repeat(np.arange(n), np.diff(travel.indptr))
    receivers = travel.indices.astype(np.int64)
    minutes = travel.data
    in_window = problem.mobilisation_minutes[donors] + minutes <= problem.window_minutes
    in_need = open_demand_units[receivers] > 0
    home = np.flatnonzero(
        (problem.mobilisation_minutes <= problem.window_minutes) & (open_demand_units > 0)
    )
    movable = in_window & in_need
    own = np.flatnonzero(movable & (lendable_units[donors] > 0))
    lent = (
        np.flatnonzero(movable & (partner_units[donors] > 0))
        if partner_units.any()
        else np.zeros(0, dtype=np.int64)
    )
    local = home[partner_units[home] > 0]
    donor = np.concatenate([donors[own], donors[lent], local])
    from_partner = np.arange(len(donor)) >= len(own)
    receiver = np.concatenate([receivers[own], receivers[lent], local])
    pool = np.where(from_partner, partner_units[donor], lendable_units[donor])
    return CandidateMoves(
        donor=donor.astype(np.int64),
        from_partner=from_partner,
        receiver=receiver.astype(np.int64),
        travel_minutes=np.concatenate([minutes[own], minutes[lent], np.zeros(len(local))]),
        capacity_units=np.minimum(pool, open_demand_units[receiver]).astype(np.int64),
    )
