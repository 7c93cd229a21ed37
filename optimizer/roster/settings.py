"""``RosterSettings``: rule defaults and goal weights of the roster engine, and each employee's
effective limits."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from optimizer.roster.problem import Employee


@dataclass(frozen=True, kw_only=True)
class RosterSettings:
    """Rule defaults, goal weights and search options of ``solve_roster`` (its time, gap,
    workers and seed are ``SolverLimits``).

    The rules hold for every employee; an employee's own limit may only tighten them (a
    lower cap, a longer minimum stretch), never loosen them (``employee_limits``). Weights
    are integers per unit named in the field; the defaults keep the tiers apart for rosters
    of up to ~100 employees × 5 weeks.

    Attributes:
        min_rest_minutes: least rest between the end of one shift and the next (11 h).
        max_consecutive_days: most consecutive days on duty (6).
        min_consecutive_days: fewest consecutive days on duty in a stretch (1: no limit).
        min_consecutive_days_off: fewest consecutive days off in a stretch (1: no limit).
        max_weekends: most weekends with any duty; ``None``: no limit.
        max_night_shifts_per_week: most night shifts per calendar week; ``None``: no limit.
        uncovered_weight: per staff-shift of demand not covered (1,000,000).
        reserve_shortfall_weight: per on-call place of the reserve target not filled (10,000).
        partner_cost_weight: per currency unit paid to partners for lent days (1).
        stability_weight: per published assignment changed (100).
        over_cover_weight: per staff-shift above the requirement (10).
        request_weight: per unit of request weight not granted (10).
        fairness_weight: per day of spread (max − min over employees) of weekend days and of
            night shifts worked (1).
        deterministic: the same inputs and seed give the same roster whenever it is proven
            optimal before the time limit: of the optimal rosters, the first in the model's
            choice order (``ties.first_of_ties``, given at most twice the solve's time);
            CP-SAT's workers are interleaved deterministically (over the whole-model
            subsolvers ``model.INTERLEAVED_FULL_SUBSOLVERS``), and a roster built beside a
            slow search gives way to CP-SAT's own when the first of the ties is not found.
        neighbourhood_search: build a start roster (by column generation, or employee by
            employee when on-call reserve is asked for), then, alongside the whole-model
            search, re-solve the best roster so far with all but a window of days' or
            weekends' choices fixed (not reproducible: it depends on wall-clock timing).
        frozen_days: days on which the previous roster (``solve_roster``'s ``previous``) is
            kept exactly, a hard rule: every duty it has there stays and none is added.
    """

    min_rest_minutes: int = 11 * 60
    max_consecutive_days: int = 6
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_weekends: int | None = None
    max_night_shifts_per_week: int | None = None
    uncovered_weight: int = 1_000_000
    reserve_shortfall_weight: int = 10_000
    partner_cost_weight: int = 1
    stability_weight: int = 100
    over_cover_weight: int = 10
    request_weight: int = 10
    fairness_weight: int = 1
    deterministic: bool = True
    neighbourhood_search: bool = False
    frozen_days: frozenset[date] = frozenset()


@dataclass(frozen=True)
class EmployeeLimits:
    """An employee's sequence limits with the settings' defaults filled in."""

    max_consecutive_days: int
    min_consecutive_days: int
    min_consecutive_days_off: int
    max_weekends: int | None


def employee_limits(employee: Employee, settings: RosterSettings) -> EmployeeLimits:
    """The employee's effective limits: each rule of the settings, tightened by the employee's
    own limit where that is stricter (the smaller cap, the longer minimum stretch); an own
    limit that is looser than the rule is overruled by it (``loosened_limits`` names those)."""
    return EmployeeLimits(
        max_consecutive_days=_tighter_cap(
            employee.max_consecutive_days, settings.max_consecutive_days
        ),
        min_consecutive_days=max(employee.min_consecutive_days or 0, settings.min_consecutive_days),
        min_consecutive_days_off=max(
            employee.min_consecutive_days_off or 0, settings.min_consecutive_days_off
        ),
        max_weekends=_tighter_cap(employee.max_weekends, settings.max_weekends),
    )


def loosened_limits(employee: Employee, settings: RosterSettings) -> list[str]:
    """The employee's own limits that would loosen a rule of the settings (and so do not
    apply), each as ``"<field> <own> (rule: <rule>)"``; empty when none does."""
    effective = employee_limits(employee, settings)
    return [
        f"{name} {own} (rule: {getattr(settings, name)})"
        for name in (limit.name for limit in fields(EmployeeLimits))
        if (own := getattr(employee, name)) is not None and own != getattr(effective, name)
    ]


def _tighter_cap(own: int | None, rule: int | None) -> int | None:
    """The smaller of two caps, ``None`` meaning no cap."""
    return min((cap for cap in (own, rule) if cap is not None), default=None)
