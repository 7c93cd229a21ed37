"""Who may work what: the eligibility of a person for a requirement row, and the shift
successions that the rest rules forbid."""

from __future__ import annotations

from optimizer.roster.problem import (
    MINUTES_PER_DAY,
    Employee,
    Requirement,
    SharedEmployee,
    ShiftType,
)


def may_staff(
    person: Employee | SharedEmployee, requirement: Requirement, shift: ShiftType
) -> bool:
    """Only shifts, sites and skills the person may work: the site is one of theirs, they hold
    the skill, and (own staff) their limit for the shift type is not 0."""
    if person.sites and requirement.site not in person.sites:
        return False
    if person.skills and requirement.skill not in person.skills:
        return False
    return not isinstance(person, Employee) or person.max_shifts.get(shift.shift_id, 1) > 0


def forbidden_successions(
    shift_types: tuple[ShiftType, ...], min_rest_minutes: int
) -> dict[str, frozenset[str]]:
    """Shift id → shift ids that may not follow it the next day: its ``forbidden_next`` plus
    those starting less than ``min_rest_minutes`` after it ends (when start times are known)."""
    following = {}
    for first in shift_types:
        too_close = {
            second.shift_id
            for second in shift_types
            if first.start_minutes is not None
            and second.start_minutes is not None
            and MINUTES_PER_DAY + second.start_minutes - first.start_minutes - first.length_minutes
            < min_rest_minutes
        }
        following[first.shift_id] = frozenset(first.forbidden_next | too_close)
    return following
