"""Roster tables, CSV files and per-employee iCalendar files (stable UIDs, SEQUENCE bumps)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from optimizer.export.roster_files import event_uid, write_icalendars, write_roster_csv
from optimizer.roster.plan import roster_tables
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftType

DAY = date(2025, 1, 6)
PROBLEM = RosterProblem(
    start_date=DAY,
    horizon_days=1,
    shift_types=(ShiftType("early", 480, start_minutes=7 * 60), ShiftType("late", 480, 14 * 60)),
    employees=(Employee("A, the first"), Employee("B")),
    requirements=(
        Requirement("harbour", DAY, "early", "general", 2, reserve_needed=1),
        Requirement("harbour", DAY, "late", "general", 1),
    ),
)
STAMP = datetime(2025, 1, 1, tzinfo=UTC)


def test_tables_report_cover_reserve_and_minutes() -> None:
    roster = roster_tables(PROBLEM, [(0, 0, "work"), (1, 0, "on-call")])
    assert roster.uncovered[["shift", "uncovered"]].values.tolist() == [["early", 1], ["late", 1]]
    assert roster.reserve[["on_call", "lent", "shortfall"]].values.tolist() == [[1, 0, 0]]
    minutes = roster.employee_minutes.set_index("employee")
    assert minutes.loc["A, the first", "minutes"] == 480
    assert minutes.loc["B", ["minutes", "on_call_days"]].tolist() == [0, 1]
    assert roster.assignments.loc[0, "start"] == pd.Timestamp("2025-01-06 07:00")


def test_csv_files_are_written(tmp_path) -> None:
    roster = roster_tables(PROBLEM, [(0, 0, "work")])
    names = [path.name for path in write_roster_csv(roster, tmp_path)]
    assert names == ["assignments.csv", "uncovered.csv", "reserve.csv", "employee_minutes.csv"]
    assert pd.read_csv(tmp_path / "assignments.csv")["employee"].tolist() == ["A, the first"]


def test_icalendar_uids_are_stable_and_sequence_bumps_on_change(tmp_path) -> None:
    first = roster_tables(PROBLEM, [(0, 0, "work"), (1, 1, "work")])
    write_icalendars(first, tmp_path, stamp=STAMP)
    text = (tmp_path / "A__the_first.ics").read_bytes().decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert f"UID:{event_uid('A, the first', DAY, 'early')}\r\n" in text
    assert (
        "SEQUENCE:0\r\nDTSTART;TZID=UTC:20250106T070000\r\nDTEND;TZID=UTC:20250106T150000\r\n"
    ) in text
    assert "SUMMARY:work early at harbour (general)" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))

    write_icalendars(first, tmp_path, stamp=STAMP)  # unchanged: same SEQUENCE
    assert (tmp_path / "A__the_first.ics").read_bytes().decode() == text

    changed = roster_tables(PROBLEM, [(0, 0, "on-call"), (1, 1, "work")])
    write_icalendars(changed, tmp_path, stamp=STAMP)
    again = (tmp_path / "A__the_first.ics").read_bytes().decode()
    assert "SEQUENCE:1\r\n" in again and "SUMMARY:on-call early" in again
    assert "SEQUENCE:0\r\n" in (tmp_path / "B.ics").read_bytes().decode()


def _unfolded(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_calendars_carry_the_sites_time_zone_across_a_change_of_offset(tmp_path) -> None:
    """New Zealand daylight time ends on Sunday 5 April 2026 at 03:00 (+1300 -> +1200): a
    roster from 3 to 7 April names the zone on every timed event and defines both offsets."""
    first = date(2026, 4, 3)
    problem = RosterProblem(
        start_date=first,
        horizon_days=5,
        shift_types=(ShiftType("early", 480, start_minutes=7 * 60),),
        employees=(Employee("A"),),
        requirements=tuple(
            Requirement("harbour", date(2026, 4, day), "early", "general", 1) for day in (3, 6)
        ),
    )
    roster = roster_tables(problem, [(0, 0, "work"), (0, 1, "work")])
    write_icalendars(roster, tmp_path, time_zone="Pacific/Auckland", stamp=STAMP)
    lines = _unfolded((tmp_path / "A.ics").read_bytes().decode())
    timed = [line for line in lines if line.startswith(("DTSTART;", "DTEND;"))]
    assert timed and all(";TZID=Pacific/Auckland:" in line for line in timed)
    assert "DTSTART;TZID=Pacific/Auckland:20260406T070000" in lines
    zone = lines[lines.index("BEGIN:VTIMEZONE") : lines.index("END:VTIMEZONE") + 1]
    assert "TZID:Pacific/Auckland" in zone
    offsets = [line for line in zone if line.startswith("TZOFFSETTO:")]
    assert offsets == ["TZOFFSETTO:+1300", "TZOFFSETTO:+1200"]
    change = zone.index("TZOFFSETFROM:+1300", zone.index("BEGIN:STANDARD"))
    assert zone[change - 1] == "DTSTART:20260405T030000"  # local time before the change
    assert lines.index("END:VTIMEZONE") < lines.index("BEGIN:VEVENT")
