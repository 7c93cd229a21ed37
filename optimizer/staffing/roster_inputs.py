"""What the roster engine plans with: employees, shift types, requirements, partners' shared
employees and reserve rules, as dataclasses, and CSV readers for each.

Every reader raises ``optimizer.errors.DataError`` on the first bad row, naming the file and
line (``employees.csv:7``), the column and what was expected. Multi-valued cells (sites,
skills, dates) are ``|``-separated. Dates are ISO ``YYYY-MM-DD``; times of day ``HH:MM``.

CSV formats (a ``?`` marks an optional column; empty cells take the default):

- employees: ``employee_id, sites, skills, min_minutes_per_week, max_minutes_per_week,
  max_consecutive_days?, min_consecutive_days?, min_consecutive_days_off?, max_weekends?,
  unavailable_dates?``
- shift types: ``shift_id, start, length_minutes, forbidden_next?, night?``
- requirements: ``site, date, shift, skill, staff_needed, reserve_needed?``
- requests: ``employee_id, date, shift?, kind (on|off), weight?`` (no shift: the whole day)
- shared employees: ``partner, employee_id, sites, skills, available_from, available_to,
  max_days, cost_per_day``
- reserve rules: ``site, start_date, end_date, reserve_ratio``
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from optimizer.errors import DataError

T = TypeVar("T")
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
class ReserveRule:
    """On-call reserve of ``reserve_ratio`` × staff needed at ``site`` (``"*"``: every site)
    from ``start_date`` to ``end_date`` inclusive."""

    site: str
    start_date: date
    end_date: date
    reserve_ratio: float


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


def apply_reserve_rules(
    requirements: tuple[Requirement, ...], rules: tuple[ReserveRule, ...]
) -> tuple[Requirement, ...]:
    """Requirements with ``reserve_needed = ceil(ratio × staff_needed)`` where a rule applies
    (the last matching rule wins); others unchanged."""

    def reserve(requirement: Requirement) -> Requirement:
        for rule in reversed(rules):
            if rule.site in ("*", requirement.site) and (
                rule.start_date <= requirement.day <= rule.end_date
            ):
                needed = math.ceil(rule.reserve_ratio * requirement.staff_needed - 1e-9)
                return replace(requirement, reserve_needed=needed)
        return requirement

    return tuple(reserve(requirement) for requirement in requirements)


# --- CSV reading ---------------------------------------------------------------------------


class _Row:
    """One CSV row with its location, parsing cells into typed values or raising DataError."""

    def __init__(self, path: Path, line: int, cells: Mapping[str, str | None]) -> None:
        self.path, self.line, self.cells = path, line, cells

    def error(self, column: str, message: str) -> DataError:
        return DataError(f"{self.path}:{self.line}", message, field=column)

    def text(self, column: str, default: str | None = None) -> str:
        value = (self.cells.get(column) or "").strip()
        if value:
            return value
        if default is None:
            raise self.error(column, "is empty; a value is required")
        return default

    def parsed(self, column: str, parse: Callable[[str], T], expected: str) -> T:
        value = self.text(column)
        try:
            return parse(value)
        except ValueError:
            raise self.error(column, f"expected {expected}, got {value!r}") from None

    def optional(self, column: str, parse: Callable[[str], T], expected: str) -> T | None:
        return self.parsed(column, parse, expected) if self.text(column, "") else None

    def count(self, column: str) -> int:
        return self.parsed(column, _non_negative_int, "a whole number >= 0")

    def optional_count(self, column: str) -> int | None:
        return self.optional(column, _non_negative_int, "a whole number >= 0")

    def day(self, column: str) -> date:
        return self.parsed(column, date.fromisoformat, "a date YYYY-MM-DD")

    def names(self, column: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.text(column, "").split("|") if part.strip())


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _clock_minutes(text: str) -> int:
    hours, minutes = text.split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value < MINUTES_PER_DAY or len(minutes) != 2:
        raise ValueError(text)
    return value


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false", "yes", "no", "1", "0"):
        raise ValueError(text)
    return lowered in ("true", "yes", "1")


def _rows(path: str | Path, required: tuple[str, ...]) -> Iterator[_Row]:
    """The data rows of a CSV file, checking the header has the ``required`` columns."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as error:
        raise DataError(path, f"cannot be read ({error.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [column for column in required if column not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}:1", f"missing column(s) {', '.join(missing)}")
        for cells in reader:
            if any((value or "").strip() for value in cells.values()):
                yield _Row(path, reader.line_num, cells)


def _unique(rows: Iterator[tuple[_Row, T]], key: Callable[[T], str], column: str) -> list[T]:
    """The parsed items, raising DataError at the first repeated ``key``."""
    seen: set[str] = set()
    items = []
    for row, item in rows:
        if key(item) in seen:
            raise row.error(column, f"{key(item)!r} appears twice")
        seen.add(key(item))
        items.append(item)
    return items


def read_shift_types(path: str | Path) -> tuple[ShiftType, ...]:
    """Shift types from CSV ``shift_id, start, length_minutes, forbidden_next?, night?``.

    ``night`` defaults to true for shifts starting before 06:00 or ending after midnight.
    """

    def parse(row: _Row) -> tuple[_Row, ShiftType]:
        start = row.parsed("start", _clock_minutes, "a time HH:MM")
        length = row.parsed("length_minutes", _non_negative_int, "a whole number of minutes")
        night = row.optional("night", _boolean, "true or false")
        shift = ShiftType(
            shift_id=row.text("shift_id"),
            length_minutes=length,
            start_minutes=start,
            forbidden_next=frozenset(row.names("forbidden_next")),
            night=(start < 6 * 60 or start + length > MINUTES_PER_DAY) if night is None else night,
        )
        return row, shift

    rows = (parse(row) for row in _rows(path, ("shift_id", "start", "length_minutes")))
    return tuple(_unique(rows, lambda shift: shift.shift_id, "shift_id"))


def read_requests(path: str | Path) -> dict[str, tuple[ShiftRequest, ...]]:
    """Requests from CSV ``employee_id, date, shift?, kind, weight?``, by employee id."""
    requests: dict[str, list[ShiftRequest]] = {}
    for row in _rows(path, ("employee_id", "date", "kind")):
        kind = row.text("kind").lower()
        if kind not in ("on", "off"):
            raise row.error("kind", f"expected on or off, got {kind!r}")
        request = ShiftRequest(
            day=row.day("date"),
            shift_id=row.text("shift", "") or None,
            wanted=kind == "on",
            weight=row.optional_count("weight") or 1,
        )
        requests.setdefault(row.text("employee_id"), []).append(request)
    return {employee: tuple(items) for employee, items in requests.items()}


def read_employees(
    path: str | Path, *, requests: Mapping[str, tuple[ShiftRequest, ...]] | None = None
) -> tuple[Employee, ...]:
    """Employees from CSV (see the module docstring), with their ``requests`` attached."""

    def parse(row: _Row) -> tuple[_Row, Employee]:
        minimum = row.count("min_minutes_per_week")
        maximum = row.count("max_minutes_per_week")
        if maximum < minimum:
            raise row.error("max_minutes_per_week", f"is below min_minutes_per_week {minimum}")
        try:
            unavailable = frozenset(date.fromisoformat(d) for d in row.names("unavailable_dates"))
        except ValueError:
            raise row.error("unavailable_dates", "expected dates YYYY-MM-DD|...") from None
        employee_id = row.text("employee_id")
        employee = Employee(
            employee_id=employee_id,
            sites=row.names("sites"),
            skills=frozenset(row.names("skills")),
            min_minutes=minimum,
            max_minutes=maximum,
            contract_period_days=7,
            max_consecutive_days=row.optional_count("max_consecutive_days"),
            min_consecutive_days=row.optional_count("min_consecutive_days"),
            min_consecutive_days_off=row.optional_count("min_consecutive_days_off"),
            max_weekends=row.optional_count("max_weekends"),
            unavailable=unavailable,
            requests=(requests or {}).get(employee_id, ()),
        )
        return row, employee

    required = ("employee_id", "sites", "skills", "min_minutes_per_week", "max_minutes_per_week")
    rows = (parse(row) for row in _rows(path, required))
    return tuple(_unique(rows, lambda employee: employee.employee_id, "employee_id"))


def read_requirements(path: str | Path) -> tuple[Requirement, ...]:
    """Requirements from CSV ``site, date, shift, skill, staff_needed, reserve_needed?``."""
    return tuple(
        Requirement(
            site=row.text("site"),
            day=row.day("date"),
            shift_id=row.text("shift"),
            skill=row.text("skill"),
            staff_needed=row.count("staff_needed"),
            reserve_needed=row.optional_count("reserve_needed") or 0,
        )
        for row in _rows(path, ("site", "date", "shift", "skill", "staff_needed"))
    )


def read_shared_employees(path: str | Path) -> tuple[SharedEmployee, ...]:
    """Partners' shared employees from CSV (see the module docstring)."""

    def parse(row: _Row) -> tuple[_Row, SharedEmployee]:
        first, last = row.day("available_from"), row.day("available_to")
        if last < first:
            raise row.error("available_to", f"is before available_from {first}")
        days = frozenset(first + timedelta(days=k) for k in range((last - first).days + 1))
        shared = SharedEmployee(
            partner=row.text("partner"),
            employee_id=row.text("employee_id"),
            sites=row.names("sites"),
            skills=frozenset(row.names("skills")),
            available=days,
            max_days=row.count("max_days"),
            cost_per_day=row.count("cost_per_day"),
        )
        return row, shared

    required = ("partner", "employee_id", "available_from", "available_to", "max_days")
    rows = (parse(row) for row in _rows(path, (*required, "cost_per_day")))
    return tuple(_unique(rows, lambda shared: shared.employee_id, "employee_id"))


def read_reserve_rules(path: str | Path) -> tuple[ReserveRule, ...]:
    """Reserve rules from CSV ``site, start_date, end_date, reserve_ratio``."""

    def parse(row: _Row) -> ReserveRule:
        ratio = row.parsed("reserve_ratio", float, "a number such as 2.0")
        if not (math.isfinite(ratio) and ratio >= 0):
            raise row.error("reserve_ratio", f"expected a number >= 0, got {ratio}")
        return ReserveRule(row.text("site"), row.day("start_date"), row.day("end_date"), ratio)

    return tuple(parse(row) for row in _rows(path, ("site", "start_date", "end_date")))
