"""The publication store on SQLite and on a real PostgreSQL server: tables and schema version
created on first use, one transaction per publication, one published roster per scenario
(partial unique index), readers that see whole publications only, time-zone-aware
timestamps, and exit 75 when the database cannot be reached or another run published
meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import IntegrityError

from optimizer.errors import PublishConflictError, StoreUnavailableError
from optimizer.job.store import PublicationStore, publication, schema

from .job_sample import PostgresServer, postgres_server

AUCKLAND = ZoneInfo("Pacific/Auckland")
postgres = pytest.fixture(scope="module")(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
def store(url: str) -> Iterator[PublicationStore]:
    with PublicationStore(url) as opened:
        yield opened


def _record(run_id: str = "r1", scenario: str = "s") -> dict[str, Any]:
    return {
        "scenario": scenario,
        "job": "j",
        "horizon_start": date(2026, 4, 1),
        "horizon_end": date(2026, 4, 10),
        "run_id": run_id,
        "as_of": date(2026, 3, 30),
        "solve_status": "feasible",
        "objective": 10.0,
        "bound": 5.0,
        "gap": 0.5,
        "time_zone": "Pacific/Auckland",
    }


def _duty(employee: str, day: date, hour: int = 8) -> dict[str, Any]:
    start = datetime.combine(day, datetime.min.time()).replace(hour=hour, tzinfo=AUCKLAND)
    return {
        "employee": employee,
        "date": day,
        "shift": "day",
        "site": "Quay",
        "skill": "general",
        "start": start,
        "end": start + timedelta(hours=8),
        "role": "work",
        "source": "own",
        "partner": None,
        "pinned": False,
    }


def test_tables_and_the_schema_version_are_created_on_first_use(url: str) -> None:
    PublicationStore(url).close()
    with PublicationStore(url) as store:  # the second open finds them
        assert store.counts() == {
            "publication": 0,
            "shift_assignment": 0,
            "change_set": 0,
            "requirement": 0,
        }
        with store.engine.connect() as connection:
            assert connection.execute(select(schema.c.component, schema.c.version)).all() == [
                ("publication_store", 1)
            ]


def test_publishing_supersedes_the_previous_publication(store: PublicationStore) -> None:
    first = store.publish(
        _record("r1"), {"shift_assignment": [_duty("E1", date(2026, 4, 1))]}, supersedes=None
    )
    second = store.publish(
        _record("r2"),
        {"shift_assignment": [_duty("E2", date(2026, 4, 2)), _duty("E3", date(2026, 4, 2))]},
        supersedes=first,
    )
    rows = store.publications("s")
    assert [(row["id"], row["status"], row["supersedes"]) for row in rows] == [
        (first, "superseded", None),
        (second, "published", first),
    ]
    assert store.current("s")["run_id"] == "r2"
    assert [row["employee"] for row in store.rows("shift_assignment", second)] == ["E2", "E3"]


def test_a_timestamp_keeps_its_instant_across_a_daylight_change(store: PublicationStore) -> None:
    # New Zealand daylight time ends on 5 April 2026 at 03:00 (+13:00 -> +12:00).
    duties = [
        _duty("E1", date(2026, 4, 4)),
        _duty("E1", date(2026, 4, 5)),
        _duty("E1", date(2026, 4, 6), 1),
    ]
    new_id = store.publish(_record(), {"shift_assignment": duties}, supersedes=None)
    stored = store.rows("shift_assignment", new_id)
    for given, found in zip(duties, stored, strict=True):
        assert found["start"].tzinfo is not None and found["start"] == given["start"]
        assert found["end"] - found["start"] == timedelta(hours=8)
    offsets = [found["start"].astimezone(AUCKLAND).utcoffset() for found in stored]
    assert offsets == [timedelta(hours=13), timedelta(hours=12), timedelta(hours=12)]


def test_the_partial_unique_index_keeps_one_published_roster_per_scenario(
    store: PublicationStore,
) -> None:
    first = store.publish(_record("r1"), {}, supersedes=None)
    store.publish(_record("r2"), {}, supersedes=first)
    store.publish(_record("r3", scenario="other"), {}, supersedes=None)  # another scenario
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            update(publication).where(publication.c.id == first).values(status="published")
        )
    assert [row["status"] for row in store.publications("s")] == ["superseded", "published"]


def test_a_run_planned_against_an_older_publication_exits_75(store: PublicationStore) -> None:
    first = store.publish(_record("r1"), {}, supersedes=None)
    store.publish(_record("r2"), {}, supersedes=first)
    with pytest.raises(PublishConflictError) as caught:
        store.publish(
            _record("r3"), {"shift_assignment": [_duty("E1", date(2026, 4, 1))]}, supersedes=first
        )
    assert caught.value.exit_code == 75
    with pytest.raises(PublishConflictError):  # a first publication racing another
        store.publish(_record("r4"), {}, supersedes=None)
    assert store.counts()["shift_assignment"] == 0 and len(store.publications("s")) == 2


def test_readers_see_whole_publications_only(store: PublicationStore, url: str) -> None:
    """While one transaction has staged a publication and inserted its rows, a reader on
    another connection still sees the previous publication, whole."""
    first = store.publish(
        _record("r1"), {"shift_assignment": [_duty("E1", date(2026, 4, 1))]}, supersedes=None
    )
    inserted, release = threading.Event(), threading.Event()
    flip = PublicationStore._flip

    def paused_flip(self: PublicationStore, *args: Any) -> None:
        inserted.set()
        assert release.wait(30)
        flip(self, *args)

    duties = [_duty(f"E{n}", date(2026, 4, 2)) for n in range(2, 50)]
    writer = threading.Thread(
        target=lambda: store.publish(_record("r2"), {"shift_assignment": duties}, supersedes=first)
    )
    PublicationStore._flip = paused_flip  # type: ignore[method-assign]
    try:
        writer.start()
        assert inserted.wait(30)
        reader = create_engine(url)
        with reader.connect() as connection:
            published = connection.execute(
                text(
                    "SELECT a.employee FROM shift_assignment a JOIN publication p "
                    "ON p.id = a.publication_id WHERE p.status = 'published' AND p.scenario = 's'"
                )
            ).all()
        reader.dispose()
        assert [row[0] for row in published] == ["E1"]
    finally:
        release.set()
        writer.join()
        PublicationStore._flip = flip  # type: ignore[method-assign]
    assert store.current("s")["run_id"] == "r2"


def test_an_unreachable_database_exits_75(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        PublicationStore(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.sqlite'}")
    assert caught.value.exit_code == 75 and "publication store unavailable" in str(caught.value)
    with pytest.raises(StoreUnavailableError) as caught:
        PublicationStore(f"postgresql+psycopg://svcplan:secret@/x?host={tmp_path}")
    assert caught.value.exit_code == 75
    assert "secret" not in str(caught.value)  # the password is never shown
