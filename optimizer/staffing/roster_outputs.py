"""A solved roster as tables, and writers for CSV and per-employee iCalendar files.

Tables (pandas, one row each):

- ``assignments``: employee, partner ("" for own staff), date, shift, site, skill, role
  (``work`` | ``on-call`` | ``lent``), start and end (timestamps, NaT when the shift has no
  start time), minutes (worked minutes; 0 for on-call and lent duty).
- ``cover``: site, date, shift, skill, staff_needed, staff_assigned, uncovered, over.
- ``reserve``: site, date, shift, skill, reserve_needed, on_call, lent, shortfall (rows with a
  reserve target only).
- ``employee_minutes``: employee, minutes, shifts, on_call_days, weekend_days, night_shifts.

iCalendar (RFC 5545): one ``.ics`` per person with one VEVENT per duty. The UID is derived
from employee, date and shift, so it is stable across re-plans; SEQUENCE starts at 0 and is
bumped, per UID, whenever the event's content differs from the previously written file.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from optimizer.staffing.roster_inputs import RosterProblem

ROLES = ("work", "on-call", "lent")
ASSIGNMENT_COLUMNS = [
    "employee",
    "partner",
    "date",
    "shift",
    "site",
    "skill",
    "role",
    "start",
    "end",
    "minutes",
]
ICS_DOMAIN = "svcplan"


@dataclass(frozen=True)
class Roster:
    """A solved roster: the four tables described in the module docstring."""

    assignments: pd.DataFrame
    cover: pd.DataFrame
    reserve: pd.DataFrame
    employee_minutes: pd.DataFrame

    @property
    def uncovered(self) -> pd.DataFrame:
        """Cover rows with demand left uncovered."""
        return self.cover[self.cover["uncovered"] > 0].reset_index(drop=True)


def roster_tables(problem: RosterProblem, chosen: list[tuple[int, int, str]]) -> Roster:
    """The roster tables from the chosen (person index, requirement row, role) triples;
    person indices count own employees first, then shared employees."""
    people = [(emp.employee_id, "") for emp in problem.employees]
    people += [(shared.employee_id, shared.partner) for shared in problem.shared_employees]
    shifts = {shift.shift_id: shift for shift in problem.shift_types}
    records = []
    for p, r, role in sorted(chosen):
        requirement = problem.requirements[r]
        shift = shifts[requirement.shift_id]
        start = (
            pd.NaT
            if shift.start_minutes is None
            else pd.Timestamp(requirement.day) + pd.Timedelta(minutes=shift.start_minutes)
        )
        records.append(
            {
                "employee": people[p][0],
                "partner": people[p][1],
                "date": requirement.day,
                "shift": requirement.shift_id,
                "site": requirement.site,
                "skill": requirement.skill,
                "role": role,
                "start": start,
                "end": start + pd.Timedelta(minutes=shift.length_minutes),
                "minutes": shift.length_minutes if role == "work" else 0,
            }
        )
    assignments = pd.DataFrame.from_records(records, columns=ASSIGNMENT_COLUMNS)
    assignments = assignments.sort_values(["employee", "date", "shift"], kind="stable")
    assignments = assignments.reset_index(drop=True)
    return Roster(
        assignments=assignments,
        cover=_cover(problem, assignments),
        reserve=_reserve(problem, assignments),
        employee_minutes=_employee_minutes(problem, assignments),
    )


_ROW_KEY = ["site", "date", "shift", "skill"]


def _requirements_frame(problem: RosterProblem) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": [r.site for r in problem.requirements],
            "date": [r.day for r in problem.requirements],
            "shift": [r.shift_id for r in problem.requirements],
            "skill": [r.skill for r in problem.requirements],
            "staff_needed": [r.staff_needed for r in problem.requirements],
            "reserve_needed": [r.reserve_needed for r in problem.requirements],
        }
    )


def _counts(assignments: pd.DataFrame, role: str, name: str) -> pd.DataFrame:
    rows = assignments[assignments["role"] == role]
    return rows.groupby(_ROW_KEY).size().rename(name).reset_index()


def _cover(problem: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    cover = _requirements_frame(problem).drop(columns="reserve_needed")
    cover = cover.merge(_counts(assignments, "work", "staff_assigned"), on=_ROW_KEY, how="left")
    cover["staff_assigned"] = cover["staff_assigned"].fillna(0).astype(int)
    cover["uncovered"] = (cover["staff_needed"] - cover["staff_assigned"]).clip(lower=0)
    cover["over"] = (cover["staff_assigned"] - cover["staff_needed"]).clip(lower=0)
    return cover


def _reserve(problem: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    reserve = _requirements_frame(problem).drop(columns="staff_needed")
    reserve = reserve[reserve["reserve_needed"] > 0]
    for role, name in (("on-call", "on_call"), ("lent", "lent")):
        reserve = reserve.merge(_counts(assignments, role, name), on=_ROW_KEY, how="left")
        reserve[name] = reserve[name].fillna(0).astype(int)
    filled = reserve["on_call"] + reserve["lent"]
    reserve["shortfall"] = (reserve["reserve_needed"] - filled).clip(lower=0)
    return reserve.reset_index(drop=True)


def _employee_minutes(problem: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    nights = {shift.shift_id for shift in problem.shift_types if shift.night}
    own = assignments[assignments["partner"] == ""]
    work = own[own["role"] == "work"]
    weekend = pd.to_datetime(work["date"]).dt.day_of_week >= 5
    table = pd.DataFrame(
        {
            "minutes": work.groupby("employee")["minutes"].sum(),
            "shifts": work.groupby("employee").size(),
            "on_call_days": own[own["role"] == "on-call"].groupby("employee").size(),
            "weekend_days": work[weekend.to_numpy()].groupby("employee").size(),
            "night_shifts": work[work["shift"].isin(nights)].groupby("employee").size(),
        },
        index=pd.Index([emp.employee_id for emp in problem.employees], name="employee"),
    )
    return table.fillna(0).astype(int).reset_index()


# --- writers ---------------------------------------------------------------------------------


def write_roster_csv(roster: Roster, directory: str | Path) -> list[Path]:
    """Write ``assignments.csv``, ``uncovered.csv``, ``reserve.csv`` and
    ``employee_minutes.csv`` into ``directory`` (each via a temporary name, then renamed).

    Returns:
        The paths written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tables = {
        "assignments.csv": roster.assignments,
        "uncovered.csv": roster.uncovered,
        "reserve.csv": roster.reserve,
        "employee_minutes.csv": roster.employee_minutes,
    }
    paths = []
    for name, table in tables.items():
        path = directory / name
        _write_atomically(path, table.to_csv(index=False, lineterminator="\n"))
        paths.append(path)
    return paths


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    os.replace(temporary, path)


def event_uid(employee: str, day: date, shift: str) -> str:
    """Stable iCalendar UID of an employee's duty in a shift on a day."""
    digest = hashlib.sha1(f"{employee}\x1f{day.isoformat()}\x1f{shift}".encode()).hexdigest()
    return f"{digest[:20]}@{ICS_DOMAIN}"


def write_icalendars(
    roster: Roster, directory: str | Path, *, stamp: datetime | None = None
) -> list[Path]:
    """Write one ``<employee>.ics`` per person with duty into ``directory``.

    An existing file's events are read first: an event whose content changed gets its
    SEQUENCE bumped; unchanged events keep theirs. Shifts without a start time become all-day
    events.

    Args:
        roster: the solved roster.
        directory: where to write.
        stamp: DTSTAMP of the events (default: now, UTC).

    Returns:
        The paths written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    paths = []
    for employee, duties in roster.assignments.groupby("employee", sort=True):
        path = directory / f"{_safe_name(str(employee))}.ics"
        previous = _read_events(path) if path.exists() else {}
        events = []
        for duty in duties.itertuples(index=False):
            uid = event_uid(str(employee), duty.date, duty.shift)
            body = _event_body(duty)
            sequence, old_body = previous.get(uid, (0, body))
            events.append((uid, sequence + (old_body != body), body))
        _write_atomically(path, _calendar(str(employee), events, stamp))
        paths.append(path)
    return paths


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _event_body(duty: object) -> list[str]:
    """The content lines that define an event (compared to decide on SEQUENCE bumps)."""
    summary = f"{duty.role} {duty.shift} at {duty.site}" + (
        f" ({duty.skill})" if duty.skill else ""
    )
    if pd.isna(duty.start):
        first = duty.date
        timing = [
            f"DTSTART;VALUE=DATE:{first:%Y%m%d}",
            f"DTEND;VALUE=DATE:{first + timedelta(1):%Y%m%d}",
        ]
    else:
        start, end = pd.Timestamp(duty.start), pd.Timestamp(duty.end)
        timing = [f"DTSTART:{start:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
    return [*timing, f"SUMMARY:{_escape(summary)}", f"LOCATION:{_escape(duty.site)}"]


def _escape(text: str) -> str:
    """RFC 5545 TEXT escaping."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1)."""
    data, parts = line.encode("utf-8"), []
    while len(data) > 75:
        cut = 75 if not parts else 74
        while cut > 0 and (data[cut] & 0xC0) == 0x80:
            cut -= 1
        parts.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    parts.append(data.decode("utf-8"))
    return "\r\n ".join(parts)


def _calendar(employee: str, events: list[tuple[str, int, list[str]]], stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ICS_DOMAIN}//roster//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(f'Roster {employee}')}",
    ]
    for uid, sequence, body in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"SEQUENCE:{sequence}",
            *body,
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{_fold(line)}\r\n" for line in lines)


def _read_events(path: Path) -> dict[str, tuple[int, list[str]]]:
    """UID → (SEQUENCE, body lines) of the events of an .ics file written by this module."""
    text = path.read_bytes().decode("utf-8").replace("\r\n ", "")
    events: dict[str, tuple[int, list[str]]] = {}
    uid, sequence, body = "", 0, []
    for line in text.splitlines():
        if line == "BEGIN:VEVENT":
            uid, sequence, body = "", 0, []
        elif line.startswith("UID:"):
            uid = line[4:]
        elif line.startswith("SEQUENCE:"):
            sequence = int(line[9:])
        elif line == "END:VEVENT":
            events[uid] = (sequence, body)
        elif not line.startswith(("DTSTAMP:", "BEGIN:", "END:", "VERSION:", "PRODID:")):
            body.append(line)
    return events
