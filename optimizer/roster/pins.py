"""Pinned days: what the column-generation dive (``columns._dive``) fixes of an employee's
roster one day at a time, before it fixes the whole roster.

A roster is a requirement row per day (−1: off). A pin holds one day of one employee to a
row or to a day off; ``FREE`` marks a day not pinned. Columns that break a pin leave the
linear program, and the pricing program keeps every pin (``columns._Pricing``).
"""

from __future__ import annotations

import numpy as np

FREE = -2
"""A day not pinned (−1 pins a day off, a row index ≥ 0 pins that row)."""


def days_to_pin(
    rosters: np.ndarray, shares: np.ndarray, pinned: np.ndarray, least_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """The free days that one of an employee's rosters shares with rosters holding at
    least ``least_share`` of the linear program, and what that roster does on them.

    Of every roster the employee has in the linear program (``rosters``, one per line, with
    their ``shares``), the one with the most such days is taken (ties: the larger share), so
    every day pinned holds in that roster and the pins leave it in the program.

    Args:
        rosters: [roster, day] requirement row worked, −1 off.
        shares: [roster] its value in the linear program (they sum to at most 1).
        pinned: [day] the employee's pins so far (``FREE`` where none).
        least_share: the least share of the linear program that must agree on a day.

    Returns:
        (the days to pin, the row or −1 to pin each to); empty when none qualifies.
    """
    same = rosters[:, None, :] == rosters[None, :, :]
    agreeing = np.einsum("i,ijd->jd", shares, same)
    qualifies = (agreeing >= least_share) & (pinned == FREE)
    counts = qualifies.sum(axis=1)
    best = int(np.lexsort((-shares, -counts))[0])
    days = np.flatnonzero(qualifies[best])
    return days, rosters[best, days]


def keeps_pins(rosters: np.ndarray, pinned: np.ndarray) -> np.ndarray:
    """[roster] whether each of ``rosters`` ([roster, day], rows or −1) keeps every pin of
    ``pinned`` ([day], ``FREE`` where none)."""
    return ((pinned == FREE) | (rosters == pinned)).all(axis=1)
