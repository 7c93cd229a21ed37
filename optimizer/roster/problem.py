"""What the roster engine plans with: employees, shift types, requirements and partners'
shared employees, as dataclasses (``readers`` builds them from CSV files)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class ShiftType:
    """A kind of shift.

    Attributes:
        shift_id: name, e.g. ``"E"`` or ``"early"``.
        length_minutes: paid length.
        start_minutes: start, minutes after midnight; ``None`` when unknown (then only
            ``forbidden_next`` limits what may follow it).
        forbidden_next: shift ids that may not be worked the day after this one.
        night: counts as night work for the fairness goal.
    """

    shift_id: str
    length_minutes: int
    start_minutes: int | None = None
    forbidden_next: frozenset[str] = frozenset()
    night: bool = False


@dataclass(frozen=True)
class ShiftRequest:
    """An employee's wish: ``wanted`` True asks for the shift, False asks to be off it.

    ``shift_id`` ``None`` means the whole day (a requested day off when not ``wanted``).
    ``weight`` multiplies ``RosterSettings.request_weight``.
    """

    day: date
    shift_id: str | None
    wanted: bool
    weight: int = 1


@dataclass(frozen=True)
class Employee:
    """One of the organisation's own staff.

    Limits left ``None`` take the ``RosterSettings`` default.

    Attributes:
        employee_id: unique id.
        sites: sites the employee may work at (home site first); empty: any site.
        skills: skills held; empty: any skill.
        min_minutes, max_minutes: contract minutes worked per contract period (on-call time
            does not count); a trailing partial period gets a pro-rated minimum.
        contract_period_days: length of a contract period (7: per week).
        max_shifts: shift id → most shifts of that type in the horizon (0: never).
        max_consecutive_days, min_consecutive_days, min_consecutive_days_off, max_weekends:
            the sequence limits (days on duty, on-call included).
        unavailable: days the employee cannot be on duty at all.
        requests: shift-on / shift-off / day-off wishes.
    """

    employee_id: str
    sites: tuple[str, ...] = ()
    skills: frozenset[str] = frozenset()
    min_minutes: int = 0
    max_minutes: int | None = None
    contract_period_days: int = 7
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    max_consecutive_days: int | None = None
    min_consecutive_days: int | None = None
    min_consecutive_days_off: int | None = None
    max_weekends: int | None = None
    unavailable: frozenset[date] = frozenset()
    requests: tuple[ShiftRequest, ...] = ()

    def contract_periods(self, horizon_days: int) -> list[tuple[int, int, int]]:
        """(first day, one past the last day, least minutes) of each contract period in a
        horizon of ``horizon_days`` from day 0: ``min_minutes``, pro-rated for a trailing
        partial period."""
        period = self.contract_period_days
        return [
            (first, end, self.min_minutes * (end - first) // period)
            for first in range(0, horizon_days, period)
            for end in (min(first + period, horizon_days),)
        ]


@dataclass(frozen=True)
class Requirement:
    """Staff needed at a site on a date in a shift with a skill, and the on-call reserve.

    ``under_weight`` / ``over_weight`` override the settings' weights per staff-shift short
    or over (benchmarks use them; scenarios leave them ``None``).
    """

    site: str
    day: date
    shift_id: str
    skill: str
    staff_needed: int
    reserve_needed: int = 0
    under_weight: int | None = None
    over_weight: int | None = None


@dataclass(frozen=True)
class SharedEmployee:
    """A partner organisation's employee who may be lent as on-call reserve.

    Attributes:
        partner: the lending organisation.
        employee_id: unique id (across own and shared staff).
        sites, skills: where and what the employee may cover (empty: any).
        available: days the partner lends the employee.
        max_days: most days lent in the horizon (the lending limit).
        cost_per_day: cost of one lent day, in the partner's currency unit.
    """

    partner: str
    employee_id: str
    sites: tuple[str, ...]
    skills: frozenset[str]
    available: frozenset[date]
    max_days: int
    cost_per_day: int


@dataclass(frozen=True)
class RosterProblem:
    """Everything the roster engine needs; ``start_date`` is day 0 of ``horizon_days``."""

    start_date: date
    horizon_days: int
    shift_types: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    requirements: tuple[Requirement, ...]
    shared_employees: tuple[SharedEmployee, ...] = ()
    name: str = ""

    @property
    def dates(self) -> list[date]:
        """The planned dates, day 0 first."""
        return [self.start_date + timedelta(days=d) for d in range(self.horizon_days)]

    def day_index(self, day: date) -> int:
        """Index of ``day`` in the horizon (may be outside ``0..horizon_days-1``)."""
        return (day - self.start_date).days
