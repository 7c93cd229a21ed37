"""CSV readers of the roster problem's tables: employees, shift types, requirements, requests,
partners' shared employees and a previous roster.

Every reader raises ``optimizer.errors.DataError`` on the first bad row, naming the file, the
column, the row (as a spreadsheet numbers it: the header is row 1) and what was expected
(``optimizer.tables`` reads the files and checks numbers as for every CSV reader).
Multi-valued cells (sites, skills, dates) are ``|``-separated. Dates are ISO ``YYYY-MM-DD``;
times of day ``HH:MM``.

CSV formats (a ``?`` marks an optional column; empty cells take the default):

- employees: ``employee_id, sites, skills, min_minutes_per_week, max_minutes_per_week,
  max_consecutive_days?, min_consecutive_days?, min_consecutive_days_off?, max_weekends?,
  unavailable_dates?``
- shift types: ``shift_id, start, length_minutes, forbidden_next?, night?``
- requirements: ``site, date, shift, skill, staff_needed, reserve_needed?``
- requests: ``employee_id, date, shift?, kind (on|off), weight?`` (no shift: the whole day)
- shared employees: ``partner, employee_id, sites, skills, available_from, available_to,
  max_days, cost_per_day``
- previous roster: a published ``assignments.csv`` (``employee, date, shift, site, skill,
  role`` and any other columns)

Bounds keep every number inside what the engine can weigh: minutes per week up to
:data:`MINUTES_PER_WEEK`, a shift up to a day, day and weekend counts up to :data:`MAX_DAYS`,
staff per requirement up to :data:`MAX_STAFF`, weights and costs up to :data:`MAX_WEIGHT`,
and a partner's availability at most :data:`MAX_DAYS_AVAILABLE` days long.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import pandas as pd

from optimizer.errors import DataError
from optimizer.roster.plan import ROLES
from optimizer.roster.problem import (
    MINUTES_PER_DAY,
    Employee,
    Requirement,
    SharedEmployee,
    ShiftRequest,
    ShiftType,
)
from optimizer.tables import Table, parse_number, quoted, read_table, row_error

T = TypeVar("T")

MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_DAYS = 366
"""Most days (or weekends) a per-employee limit or a partner's lending limit may count."""
MAX_STAFF = 10_000
"""Most staff (or on-call reserve) one requirement row may ask for."""
MAX_WEIGHT = 1_000_000
"""Largest request weight or partner cost per day."""
MAX_DAYS_AVAILABLE = 3660
"""Longest span (about ten years) from a shared employee's available_from to available_to."""

PREVIOUS_ROSTER_COLUMNS = ("employee", "date", "shift", "site", "skill", "role")

_CLOCK = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


class _Row:
    """One CSV row with its spreadsheet row number, parsing cells into typed values or
    raising DataError."""

    def __init__(self, path: Path, row: int, cells: Mapping[str, str]) -> None:
        self.path, self.row, self.cells = path, row, cells

    def error(self, column: str, message: str) -> DataError:
        return row_error(self.path, self.row, column, message)

    def text(self, column: str, default: str | None = None) -> str:
        value = self.cells.get(column, "")
        if value:
            return value
        if default is None:
            raise self.error(column, "empty; a value is required")
        return default

    def parsed(self, column: str, parse: Callable[[str], T], expected: str) -> T:
        value = self.text(column)
        try:
            return parse(value)
        except ValueError:
            raise self.error(column, f"expected {expected} (got {quoted(value)})") from None

    def optional(self, column: str, parse: Callable[[str], T], expected: str) -> T | None:
        return self.parsed(column, parse, expected) if self.text(column, "") else None

    def count(self, column: str, maximum: int) -> int:
        """A whole number from 0 to ``maximum``."""
        value = self.text(column)
        try:
            return int(parse_number(value, whole=True, maximum=maximum))
        except ValueError as error:
            raise self.error(column, f"expected {error} (got {quoted(value)})") from None

    def optional_count(self, column: str, maximum: int) -> int | None:
        return self.count(column, maximum) if self.text(column, "") else None

    def day(self, column: str) -> date:
        return self.parsed(column, date.fromisoformat, "a date YYYY-MM-DD")

    def names(self, column: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in self.text(column, "").split("|") if part.strip())


def _clock_minutes(text: str) -> int:
    """Minutes after midnight of ``HH:MM`` (00:00 to 23:59)."""
    match = _CLOCK.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return int(match[1]) * 60 + int(match[2])


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false", "yes", "no", "1", "0"):
        raise ValueError(text)
    return lowered in ("true", "yes", "1")


def _rows(
    path: str | Path, required: tuple[str, ...], *, allow_empty: bool = False
) -> Iterator[_Row]:
    """The data rows of a CSV file whose header has the ``required`` columns."""
    return _table_rows(read_table(path, required, allow_empty=allow_empty))


def _table_rows(table: Table) -> Iterator[_Row]:
    """The data rows of ``table`` as :class:`_Row`."""
    for row, cells in zip(table.rows, table.frame.to_dict("records"), strict=True):
        yield _Row(table.path, int(row), cells)


def _unique(rows: Iterator[tuple[_Row, T]], key: Callable[[T], str], column: str) -> list[T]:
    """The parsed items, raising DataError at the first repeated ``key``."""
    first_row: dict[str, int] = {}
    items = []
    for row, item in rows:
        if key(item) in first_row:
            earlier = first_row[key(item)]
            raise row.error(column, f"duplicate {quoted(key(item))} (first on row {earlier})")
        first_row[key(item)] = row.row
        items.append(item)
    return items


def read_shift_types(path: str | Path) -> tuple[ShiftType, ...]:
    """Shift types from CSV ``shift_id, start, length_minutes, forbidden_next?, night?``.

    ``night`` defaults to true for shifts starting before 06:00 or ending after midnight.
    """

    def parse(row: _Row) -> tuple[_Row, ShiftType]:
        start = row.parsed("start", _clock_minutes, "a time HH:MM")
        length = row.count("length_minutes", MINUTES_PER_DAY)
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
    for row in _rows(path, ("employee_id", "date", "kind"), allow_empty=True):
        kind = row.text("kind").lower()
        if kind not in ("on", "off"):
            raise row.error("kind", f"expected on or off (got {quoted(kind)})")
        request = ShiftRequest(
            day=row.day("date"),
            shift_id=row.text("shift", "") or None,
            wanted=kind == "on",
            weight=row.optional_count("weight", MAX_WEIGHT) or 1,
        )
        requests.setdefault(row.text("employee_id"), []).append(request)
    return {employee: tuple(items) for employee, items in requests.items()}


def read_employees(
    path: str | Path, *, requests: Mapping[str, tuple[ShiftRequest, ...]] | None = None
) -> tuple[Employee, ...]:
    """Employees from CSV (see the module docstring), with their ``requests`` attached."""

    def parse(row: _Row) -> tuple[_Row, Employee]:
        minimum = row.count("min_minutes_per_week", MINUTES_PER_WEEK)
        maximum = row.count("max_minutes_per_week", MINUTES_PER_WEEK)
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
            max_consecutive_days=row.optional_count("max_consecutive_days", MAX_DAYS),
            min_consecutive_days=row.optional_count("min_consecutive_days", MAX_DAYS),
            min_consecutive_days_off=row.optional_count("min_consecutive_days_off", MAX_DAYS),
            max_weekends=row.optional_count("max_weekends", MAX_DAYS),
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
            staff_needed=row.count("staff_needed", MAX_STAFF),
            reserve_needed=row.optional_count("reserve_needed", MAX_STAFF) or 0,
        )
        for row in _rows(path, ("site", "date", "shift", "skill", "staff_needed"))
    )


def read_shared_employees(path: str | Path) -> tuple[SharedEmployee, ...]:
    """Partners' shared employees from CSV (see the module docstring)."""

    def parse(row: _Row) -> tuple[_Row, SharedEmployee]:
        first, last = row.day("available_from"), row.day("available_to")
        if last < first:
            raise row.error("available_to", f"is before available_from {first}")
        if (last - first).days >= MAX_DAYS_AVAILABLE:
            raise row.error("available_to", f"{MAX_DAYS_AVAILABLE} days or more after {first}")
        days = frozenset(first + timedelta(days=k) for k in range((last - first).days + 1))
        shared = SharedEmployee(
            partner=row.text("partner"),
            employee_id=row.text("employee_id"),
            sites=row.names("sites"),
            skills=frozenset(row.names("skills")),
            available=days,
            max_days=row.count("max_days", MAX_DAYS),
            cost_per_day=row.count("cost_per_day", MAX_WEIGHT),
        )
        return row, shared

    required = ("partner", "employee_id", "available_from", "available_to", "max_days")
    rows = (parse(row) for row in _rows(path, (*required, "cost_per_day"), allow_empty=True))
    return tuple(_unique(rows, lambda shared: shared.employee_id, "employee_id"))


def read_previous_roster(path: str | Path) -> pd.DataFrame:
    """A published roster's assignments (its ``roster/assignments.csv``), the warm start and
    stability reference of the next roster.

    Returns:
        One row per assignment: ``employee``, ``shift``, ``site``, ``skill`` (str), ``date``
        (``datetime.date``) and ``role`` (one of ``plan.ROLES``); other columns as text.

    Raises:
        DataError: a missing column of :data:`PREVIOUS_ROSTER_COLUMNS`, an empty cell in one,
            a date that is not ``YYYY-MM-DD`` or an unknown role, naming the row.
    """
    table = read_table(path, PREVIOUS_ROSTER_COLUMNS, allow_empty=True)
    roles = " or ".join(ROLES)

    def day(row: _Row) -> date:
        for column in PREVIOUS_ROSTER_COLUMNS:
            row.text(column)
        if row.cells["role"] not in ROLES:
            raise row.error("role", f"expected {roles} (got {quoted(row.cells['role'])})")
        return row.day("date")

    frame = table.frame.copy()
    frame["date"] = [day(row) for row in _table_rows(table)]
    return frame
