"""A roster's files: its tables as CSV and one iCalendar file per person.

iCalendar (RFC 5545): one ``.ics`` per person with one VEVENT per duty. The UID is derived
from employee, date and shift, so it is stable across re-plans; SEQUENCE starts at 0 and is
bumped, per UID, whenever the event's content differs from the previously written file.
Writers write where they are told: the caller stages the folder (``export.staging``).
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from optimizer.roster.plan import Roster

ICS_DOMAIN = "svcplan"


def write_roster_csv(roster: Roster, directory: str | Path) -> list[Path]:
    """Write ``assignments.csv``, ``uncovered.csv``, ``reserve.csv`` and
    ``employee_minutes.csv`` into ``directory``.

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
        path.write_text(table.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
        paths.append(path)
    return paths


def event_uid(employee: str, day: date, shift: str) -> str:
    """Stable iCalendar UID of an employee's duty in a shift on a day."""
    digest = hashlib.sha1(f"{employee}\x1f{day.isoformat()}\x1f{shift}".encode()).hexdigest()
    return f"{digest[:20]}@{ICS_DOMAIN}"


def write_icalendars(
    roster: Roster,
    directory: str | Path,
    *,
    time_zone: str = "UTC",
    stamp: datetime | None = None,
) -> list[Path]:
    """Write one ``<employee>.ics`` per person with duty into ``directory``.

    An existing file's events are read first: an event whose content changed gets its
    SEQUENCE bumped; unchanged events keep theirs. Shifts without a start time become all-day
    events.

    Args:
        roster: the solved roster.
        directory: where to write.
        time_zone: IANA name of the sites' time zone: shift times are local to it, each event
            names it (``TZID``) and each calendar defines it (``VTIMEZONE``, with the offsets
            in force over the roster's dates).
        stamp: DTSTAMP of the events (default: now, UTC).

    Returns:
        The paths written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    zone = _vtimezone(time_zone, min(roster.assignments["date"]), max(roster.assignments["date"]))
    paths = []
    for employee, duties in roster.assignments.groupby("employee", sort=True):
        path = directory / f"{_safe_name(str(employee))}.ics"
        previous = _read_events(path) if path.exists() else {}
        events = []
        for duty in duties.itertuples(index=False):
            uid = event_uid(str(employee), duty.date, duty.shift)
            body = _event_body(duty, time_zone)
            sequence, old_body = previous.get(uid, (0, body))
            events.append((uid, sequence + (old_body != body), body))
        text = _calendar(str(employee), events, stamp, zone)
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(path)
    return paths


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _event_body(duty: object, time_zone: str) -> list[str]:
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
        timing = [
            f"DTSTART;TZID={time_zone}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={time_zone}:{end:%Y%m%dT%H%M%S}",
        ]
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


def _vtimezone(time_zone: str, first: date, last: date) -> list[str]:
    """The ``VTIMEZONE`` of ``time_zone`` from ``first`` to ``last`` (a day either side): one
    component for the offset in force at the start and one per change of offset after it."""
    zone = ZoneInfo(time_zone)
    hour = timedelta(hours=1)
    moment = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
    before = moment.astimezone(zone)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{time_zone}"]
    lines += _zone_component(before, before.utcoffset())
    while moment < end:
        moment += hour
        local = moment.astimezone(zone)
        if local.utcoffset() != before.utcoffset():
            lines += _zone_component(local, before.utcoffset())
        before = local
    return [*lines, "END:VTIMEZONE"]


def _zone_component(onset: datetime, offset_from: timedelta | None) -> list[str]:
    """A ``STANDARD`` or ``DAYLIGHT`` component whose offset starts at ``onset`` (aware)."""
    kind = "DAYLIGHT" if onset.dst() else "STANDARD"
    local_onset = (onset.astimezone(UTC) + (offset_from or timedelta())).replace(tzinfo=None)
    return [
        f"BEGIN:{kind}",
        f"DTSTART:{local_onset:%Y%m%dT%H%M%S}",
        f"TZOFFSETFROM:{_utc_offset(offset_from)}",
        f"TZOFFSETTO:{_utc_offset(onset.utcoffset())}",
        f"TZNAME:{_escape(onset.tzname() or '')}",
        f"END:{kind}",
    ]


def _utc_offset(offset: timedelta | None) -> str:
    """RFC 5545 UTC-OFFSET, e.g. ``+1300`` or ``-0330``."""
    minutes = round((offset or timedelta()).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _calendar(
    employee: str, events: list[tuple[str, int, list[str]]], stamp: datetime, zone: list[str]
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ICS_DOMAIN}//roster//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(f'Roster {employee}')}",
        *zone,
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
