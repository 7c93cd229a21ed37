"""CSV readers of the roster problem's tables: employees, shift types, requirements, requests
and partners' shared employees.

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
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from optimizer.errors import DataError
from optimizer.roster.problem import (
    MINUTES_PER_DAY,
    Employee,
    Requirement,
    SharedEmployee,
    ShiftRequest,
    ShiftType,
)

T = TypeVar("T")


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
