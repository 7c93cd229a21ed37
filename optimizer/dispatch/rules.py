"""The dispatch rules a plain min-cost flow cannot express: minimum batches, donors per
receiver and teams that move together. Any active rule switches the engine to a MIP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Team:
    """Resource types that only move together, in whole teams.

    Attributes:
        name: team name, e.g. ``"ambulance_crew"``.
        units_per_team: resource name -> units of that resource in one team,
            e.g. ``{"ambulance": 1, "paramedic": 2}``.
    """

    name: str
    units_per_team: Mapping[str, int]


@dataclass(frozen=True)
class DispatchRules:
    """Rules a plain min-cost flow cannot express; any of them switches the engine to a MIP.

    Attributes:
        min_batch_units: every move carries 0 or at least this many units (of one resource,
            or teams for a team move); 1 means no rule.
        max_donors_per_receiver: a region receives from at most this many donors (own regions
            and partners counted separately), all resources together; ``None`` means no rule.
        teams: resource groups that move together in whole teams.
    """

    min_batch_units: int = 1
    max_donors_per_receiver: int | None = None
    teams: tuple[Team, ...] = ()

    @property
    def needs_mip(self) -> bool:
        """True when any rule is active."""
        return (
            self.min_batch_units > 1 or self.max_donors_per_receiver is not None or bool(self.teams)
        )


def check_rules(rules: DispatchRules, resource_names: tuple[str, ...]) -> None:
    """Raise ValueError for an impossible rule setting."""
    if rules.min_batch_units < 1:
        raise ValueError("min_batch_units must be >= 1")
    if rules.max_donors_per_receiver is not None and rules.max_donors_per_receiver < 1:
        raise ValueError("max_donors_per_receiver must be >= 1")
    seen: set[str] = set()
    for team in rules.teams:
        unknown = set(team.units_per_team) - set(resource_names)
        if unknown:
            raise ValueError(f"team {team.name!r}: unknown resource(s) {sorted(unknown)}")
        if any(units < 1 for units in team.units_per_team.values()):
            raise ValueError(f"team {team.name!r}: units per team must be >= 1")
        if seen & set(team.units_per_team):
            raise ValueError(f"team {team.name!r}: a resource belongs to two teams")
        seen |= set(team.units_per_team)
