"""The folder sink: the published roster as files, for systems that read files.

``<job folder>/roster/`` holds the publication the store has as published:

- ``publication.json``: its id, run id, horizon, status, solve figures and time zone;
- ``assignments.csv``: one row per duty (start and end as ISO 8601 with the UTC offset);
- ``changes.csv``: the change set against the publication it superseded;
- ``requirements.csv``: the staff and reserve it was planned against;
- ``calendars/<person>.ics``: one iCalendar file per person with duty (``TZID`` of the
  sites' zone, stable UIDs, SEQUENCE bumped when an event changes);
- ``manifest.json``: every file with its size and SHA-256 (``export.staging``).

The folder is written from the same rows as the store, by ``export.staging.publish``: built
beside itself and swapped in once complete.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from optimizer.export.tables import ArtifactWriter, json_writer
from optimizer.job.store import ASSIGNMENT_COLUMNS, CHANGE_COLUMNS, REQUIREMENT_COLUMNS

PUBLICATION_FILE = "publication.json"
CALENDARS = "calendars"


def published_id(folder: Path) -> int | None:
    """The publication id the folder holds (None: no folder, or not one of ours)."""
    try:
        record = json.loads((folder / PUBLICATION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, int) else None


def publication_document(record: Mapping[str, Any]) -> dict[str, Any]:
    """A publication row as JSON-ready values."""
    return {key: _text(value) for key, value in record.items()}


def _text(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_writer(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> ArtifactWriter:
    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row[c] is None else _text(row[c]) for c in columns])

    return write


def folder_artifacts(
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    previous_folder: Path,
    time_zone: str,
    publication: Callable[[], Mapping[str, Any]],
) -> dict[str, ArtifactWriter]:
    """Writers of the roster folder's files (``publication.json`` last).

    Args:
        rows: ``shift_assignment``, ``change_set`` and ``requirement`` rows (the store's).
        previous_folder: the folder now published: its calendars are read so that events
            keep their UIDs and changed ones get their SEQUENCE bumped.
        time_zone: the sites' IANA time zone.
        publication: called when every other file is written, returns the publication's
            row: the job publishes to the store there, so that the folder is swapped in only
            after the store committed (see ``job.run``).
    """
    assignments = rows["shift_assignment"]

    def calendars(path: Path) -> None:
        from optimizer.export.roster_files import write_icalendars

        earlier = previous_folder / CALENDARS
        if earlier.is_dir():
            shutil.copytree(earlier, path)
            people = {_safe(str(row["employee"])) for row in assignments}
            for stale in path.glob("*.ics"):  # people without duty now keep no old calendar
                if stale.stem not in people:
                    stale.unlink()
        path.mkdir(exist_ok=True)
        if assignments:
            write_icalendars(_roster(assignments, time_zone), path, time_zone=time_zone)

    return {
        "assignments.csv": _csv_writer(assignments, ASSIGNMENT_COLUMNS),
        "changes.csv": _csv_writer(rows["change_set"], CHANGE_COLUMNS),
        "requirements.csv": _csv_writer(rows["requirement"], REQUIREMENT_COLUMNS),
        CALENDARS: calendars,
        PUBLICATION_FILE: lambda path: json_writer(publication_document(publication()))(path),
    }


def _safe(name: str) -> str:
    """The calendar file stem of a person (as ``export.roster_files`` names it)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _roster(assignments: Sequence[Mapping[str, Any]], time_zone: str) -> Any:
    """A ``Roster`` holding ``assignments`` (store rows) with local start and end times, as
    the calendar writer reads them."""
    import pandas as pd

    from optimizer.roster.plan import Roster

    zone = ZoneInfo(time_zone)

    def local(moment: datetime | None) -> object:
        if moment is None:
            return pd.NaT
        return pd.Timestamp(moment.astimezone(zone).replace(tzinfo=None))

    frame = pd.DataFrame(
        {
            "employee": [row["employee"] for row in assignments],
            "date": [row["date"] for row in assignments],
            "shift": [row["shift"] for row in assignments],
            "site": [row["site"] for row in assignments],
            "skill": [row["skill"] for row in assignments],
            "role": [row["role"] for row in assignments],
            "start": [local(row["start"]) for row in assignments],
            "end": [local(row["end"]) for row in assignments],
        }
    )
    empty = pd.DataFrame()
    return Roster(assignments=frame, cover=empty, reserve=empty, employee_minutes=empty)
