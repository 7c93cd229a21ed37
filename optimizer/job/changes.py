"""The change set: what a new roster changes against the publication it supersedes.

Compared per person and day (a person has at most one duty a day) over the days both rosters
cover; days only the new roster covers are new, not changes, and days only the old one
covered have passed. Each difference is one change:

- ``added``: a duty where the person had none;
- ``removed``: a duty the person no longer has;
- ``moved``: a duty whose shift, site, skill or role differs.

Each change gets the first reason that applies:

1. ``absence``: the person cannot be on duty that day any more (an unavailable date, a
   partner no longer lending them, or no longer on the staff list); or the change fills, at
   the same site on the same day, a duty an absent person left;
2. ``demand``: the staff or reserve needed at the duty's site, day and shift (before or
   after) differs from what the previous roster was planned against;
3. ``rule``: anything else: the labour rules moved it in the wake of another change (rest
   between shifts, consecutive days, weekends, contract minutes) or the solver found a
   cheaper roster within the stability cost.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import date
from typing import Any

ADDED, REMOVED, MOVED = "added", "removed", "moved"
ABSENCE, DEMAND, RULE = "absence", "demand", "rule"
DUTY_FIELDS = ("shift", "site", "skill", "role")
"""What makes a duty: a change of any of these is a move."""

Duty = tuple[str, str, str, str]
RequirementKey = tuple[str, date, str, str]
"""(site, date, shift, skill)"""


def duties(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, date], Duty]:
    """(employee, date) → (shift, site, skill, role) of assignment rows."""
    return {
        (str(row["employee"]), row["date"]): tuple(str(row[field]) for field in DUTY_FIELDS)  # type: ignore[misc]
        for row in rows
    }


def requirement_levels(rows: Iterable[Mapping[str, Any]]) -> dict[RequirementKey, tuple[int, int]]:
    """(site, date, shift, skill) → (staff needed, reserve needed) of requirement rows."""
    return {
        (str(row["site"]), row["date"], str(row["shift"]), str(row["skill"])): (
            int(row["staff_needed"]),
            int(row["reserve_needed"]),
        )
        for row in rows
    }


def change_set(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    *,
    days: Collection[date],
    requirements_before: Iterable[Mapping[str, Any]],
    requirements_after: Iterable[Mapping[str, Any]],
    absent: Callable[[str, date], bool],
) -> list[dict[str, Any]]:
    """The change set of ``after`` against ``before`` over ``days`` (see the module docstring).

    Args:
        before, after: assignment rows (``employee``, ``date``, ``shift``, ``site``,
            ``skill``, ``role``).
        days: the days both rosters cover.
        requirements_before, requirements_after: the requirement rows each was planned
            against (``site``, ``date``, ``shift``, ``skill``, ``staff_needed``,
            ``reserve_needed``).
        absent: whether a person may not be on duty on a day now.

    Returns:
        One row per change: ``employee``, ``date``, ``change``, ``reason`` and
        ``before_<field>`` / ``after_<field>`` for each of shift, site, skill and role (None
        where there is no duty), sorted by date and employee.
    """
    days = set(days)
    old = {key: duty for key, duty in duties(before).items() if key[1] in days}
    new = {key: duty for key, duty in duties(after).items() if key[1] in days}
    levels_before = requirement_levels(requirements_before)
    levels_after = requirement_levels(requirements_after)
    differences = sorted(
        (key for key in old.keys() | new.keys() if old.get(key) != new.get(key)),
        key=lambda key: (key[1], key[0]),
    )
    left_by_absence = {
        (old[key][1], key[1]) for key in differences if key in old and absent(key[0], key[1])
    }

    def demand_changed(duty: Duty | None, day: date) -> bool:
        if duty is None:
            return False
        shift, site, skill, _ = duty
        row = (site, day, shift, skill)
        return levels_before.get(row) != levels_after.get(row)

    changes = []
    for key in differences:
        employee, day = key
        was, now = old.get(key), new.get(key)
        change = ADDED if was is None else REMOVED if now is None else MOVED
        if absent(employee, day) or (now is not None and (now[1], day) in left_by_absence):
            reason = ABSENCE
        elif demand_changed(was, day) or demand_changed(now, day):
            reason = DEMAND
        else:
            reason = RULE
        row: dict[str, Any] = {
            "employee": employee,
            "date": day,
            "change": change,
            "reason": reason,
        }
        for prefix, duty in (("before", was), ("after", now)):
            for field, value in zip(DUTY_FIELDS, duty or (None,) * 4, strict=True):
                row[f"{prefix}_{field}"] = value
        changes.append(row)
    return changes
