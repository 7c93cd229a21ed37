"""The publication store: published rosters in a database, through SQLAlchemy 2.x (Core).

SQLite by default (one file beside the job's outputs: embedded, nothing to start), PostgreSQL
by URL (``postgresql+psycopg://...``). The tables are created on first use, with a row in
``svcplan_schema`` holding their version:

- ``publication``: one roster: id, scenario, job, horizon start and end, ``status``
  (``staged`` → ``published`` → ``superseded``), ``supersedes`` (the publication it
  replaced), run id, as-of date, solve status, objective, bound, gap, time zone, created at;
- ``shift_assignment``: its duties: employee, date, shift, site, skill, start and end
  (time-zone-aware timestamps), role (``work`` / ``on-call`` / ``lent``), source (``own`` /
  ``partner``), partner organisation, pinned (kept from the previous publication on a frozen
  day);
- ``change_set``: what changed against the publication it supersedes, per person and day:
  ``added`` / ``removed`` / ``moved`` with the reason (``demand`` / ``absence`` / ``rule``)
  and the duty before and after;
- ``requirement``: the staff and reserve it was planned against (the next change set tells
  demand changes from the rest by them).

**One transaction publishes.** ``publish`` stages the publication, bulk-inserts its rows,
flips the previous publication to ``superseded`` and the new one to ``published``, and
commits: readers (HR and dispatch systems, reading ``status = 'published'``) only ever see
whole publications, and a crash or ``kill -9`` at any point leaves the previous one
published with no partial rows (the database rolls the open transaction back). A partial
unique index (``WHERE status = 'published'``) keeps one published roster per scenario,
whatever writes the database; two runs that race to publish on the same base make the second
fail on it, and it exits 75 (retry later).

Every failure to reach the database (refused connection, unknown host, a locked SQLite file)
is a ``StoreUnavailableError``: exit 75, retry later.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.types import TypeDecorator

from optimizer.errors import PublishConflictError, StoreUnavailableError

SCHEMA_VERSION = 1
"""Version of the tables below; a database holding a newer one is refused."""
STAGED, PUBLISHED, SUPERSEDED = "staged", "published", "superseded"
CONNECT_TIMEOUT_SECONDS = 10
"""How long a connection (or SQLite's write lock) is waited for before exit 75."""


class AwareDateTime(TypeDecorator[datetime]):
    """A time-zone-aware timestamp: ``timestamp with time zone`` on PostgreSQL; ISO 8601 text
    with its UTC offset on SQLite (whose ``DateTime`` drops the offset). Takes and returns
    aware datetimes only."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive timestamp {value} (expected one with a time zone)")
        return value.isoformat() if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromisoformat(value) if isinstance(value, str) else value


metadata = MetaData()

schema = Table(
    "svcplan_schema",
    metadata,
    Column("component", String(40), primary_key=True),
    Column("version", Integer, nullable=False),
)

publication = Table(
    "publication",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scenario", String(100), nullable=False),
    Column("job", String(100), nullable=False),
    Column("horizon_start", Date, nullable=False),
    Column("horizon_end", Date, nullable=False),
    Column("status", String(12), nullable=False),
    Column("supersedes", Integer, ForeignKey("publication.id"), nullable=True),
    Column("run_id", String(64), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("solve_status", String(20), nullable=False),
    Column("objective", Float, nullable=True),
    Column("bound", Float, nullable=True),
    Column("gap", Float, nullable=True),
    Column("time_zone", String(64), nullable=False),
    Column("created_at", AwareDateTime, nullable=False),
    Index(
        "publication_one_published_per_scenario",
        "scenario",
        unique=True,
        sqlite_where=text(f"status = '{PUBLISHED}'"),
        postgresql_where=text(f"status = '{PUBLISHED}'"),
    ),
    Index("publication_run_id", "run_id"),
)

shift_assignment = Table(
    "shift_assignment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("publication_id", Integer, ForeignKey("publication.id"), nullable=False),
    Column("employee", String(100), nullable=False),
    Column("date", Date, nullable=False),
    Column("shift", String(100), nullable=False),
    Column("site", String(200), nullable=False),
    Column("skill", String(100), nullable=False),
    Column("start", AwareDateTime, nullable=True),
    Column("end", AwareDateTime, nullable=True),
    Column("role", String(10), nullable=False),
    Column("source", String(10), nullable=False),
    Column("partner", String(200), nullable=True),
    Column("pinned", Boolean, nullable=False),
    Index("shift_assignment_publication", "publication_id", "employee", "date"),
)

change_set = Table(
    "change_set",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("publication_id", Integer, ForeignKey("publication.id"), nullable=False),
    Column("employee", String(100), nullable=False),
    Column("date", Date, nullable=False),
    Column("change", String(10), nullable=False),
    Column("reason", String(10), nullable=False),
    Column("before_shift", String(100), nullable=True),
    Column("before_site", String(200), nullable=True),
    Column("before_skill", String(100), nullable=True),
    Column("before_role", String(10), nullable=True),
    Column("after_shift", String(100), nullable=True),
    Column("after_site", String(200), nullable=True),
    Column("after_skill", String(100), nullable=True),
    Column("after_role", String(10), nullable=True),
    Index("change_set_publication", "publication_id"),
)

requirement = Table(
    "requirement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("publication_id", Integer, ForeignKey("publication.id"), nullable=False),
    Column("site", String(200), nullable=False),
    Column("date", Date, nullable=False),
    Column("shift", String(100), nullable=False),
    Column("skill", String(100), nullable=False),
    Column("staff_needed", Integer, nullable=False),
    Column("reserve_needed", Integer, nullable=False),
    Index("requirement_publication", "publication_id"),
)

ROW_TABLES = {table.name: table for table in (shift_assignment, change_set, requirement)}
"""The tables of a publication's rows, by name."""


def _columns(table: Table) -> list[str]:
    return [column.name for column in table.columns if column.name not in ("id", "publication_id")]


ASSIGNMENT_COLUMNS = _columns(shift_assignment)
CHANGE_COLUMNS = _columns(change_set)
REQUIREMENT_COLUMNS = _columns(requirement)


def redacted(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return "<database URL>"


class PublicationStore:
    """The publication store at a SQLAlchemy URL (see the module docstring).

    Use as a context manager, or call ``close``. Every method raises
    ``StoreUnavailableError`` when the database cannot be reached.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = redacted(url)
        backend = make_url(url).get_backend_name()
        self.sqlite = backend == "sqlite"
        connect_args: dict[str, object] = (
            {"timeout": CONNECT_TIMEOUT_SECONDS}
            if self.sqlite
            else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        )
        self.engine: Engine = create_engine(url, connect_args=connect_args)
        if self.sqlite:
            _sqlite_transactions(self.engine)
        with self._connection() as connection:
            self._create(connection)

    def __enter__(self) -> PublicationStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A connection in a transaction, committed at the end of the block (rolled back on
        error); failures to reach the database become ``StoreUnavailableError``."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except IntegrityError:
            raise
        except DBAPIError as error:
            if error.connection_invalidated or isinstance(
                error.orig, _unreachable_errors(self.engine)
            ):
                raise StoreUnavailableError(self.where, _first_line(error)) from None
            raise

    def _create(self, connection: Connection) -> None:
        """Create the tables that are missing and check or record the schema version."""
        metadata.create_all(connection, checkfirst=True)
        found = connection.execute(
            select(schema.c.version).where(schema.c.component == "publication_store")
        ).scalar_one_or_none()
        if found is None:
            connection.execute(
                insert(schema).values(component="publication_store", version=SCHEMA_VERSION)
            )
        elif found > SCHEMA_VERSION:
            raise StoreUnavailableError(
                self.where,
                f"the store's schema version is {found}, newer than this svcplan's "
                f"({SCHEMA_VERSION}): upgrade svcplan",
            )

    def current(self, scenario: str) -> dict[str, Any] | None:
        """The published publication of ``scenario`` (a dict of its columns), or None."""
        with self._connection() as connection:
            row = connection.execute(
                select(publication).where(
                    publication.c.scenario == scenario, publication.c.status == PUBLISHED
                )
            ).one_or_none()
        return None if row is None else dict(row._mapping)

    def publications(self, scenario: str) -> list[dict[str, Any]]:
        """Every publication of ``scenario``, oldest first."""
        with self._connection() as connection:
            rows = connection.execute(
                select(publication)
                .where(publication.c.scenario == scenario)
                .order_by(publication.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def rows(self, table: str, publication_id: int) -> list[dict[str, Any]]:
        """The rows of ``table`` (``shift_assignment``, ``change_set``, ``requirement``) of
        one publication, without their ids, in insertion order."""
        target = ROW_TABLES[table]
        columns = [target.c[name] for name in _columns(target)]
        with self._connection() as connection:
            rows = connection.execute(
                select(*columns)
                .where(target.c.publication_id == publication_id)
                .order_by(target.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def counts(self) -> dict[str, int]:
        """Rows per table (tests and the run manifest use it)."""
        with self._connection() as connection:
            return {
                table.name: int(
                    connection.execute(select(func.count()).select_from(table)).scalar_one()
                )
                for table in (publication, *ROW_TABLES.values())
            }

    def publish(
        self,
        record: dict[str, Any],
        rows: dict[str, Sequence[dict[str, Any]]],
        *,
        supersedes: int | None,
    ) -> int:
        """Publish one roster in one transaction (see the module docstring).

        Args:
            record: the ``publication`` columns other than id, status, supersedes and
                created_at.
            rows: table name → its rows (dicts of ``ASSIGNMENT_COLUMNS``, ...).
            supersedes: the publication planned against (the one published when the run
                started), or None when there was none.

        Returns:
            The new publication's id.

        Raises:
            PublishConflictError: another run published for the scenario meanwhile (exit 75).
        """
        scenario = record["scenario"]
        try:
            with self._connection() as connection:
                current = connection.execute(
                    select(publication.c.id)
                    .where(publication.c.scenario == scenario, publication.c.status == PUBLISHED)
                    .with_for_update()
                ).scalar_one_or_none()
                if current != supersedes:
                    raise PublishConflictError(
                        self.where,
                        f"publication {current} of {scenario} was published while this run "
                        f"planned against {supersedes}; rerun to plan against it",
                    )
                new_id = connection.execute(
                    insert(publication)
                    .values(
                        **record,
                        status=STAGED,
                        supersedes=supersedes,
                        created_at=datetime.now(UTC),
                    )
                    .returning(publication.c.id)
                ).scalar_one()
                self._insert_rows(connection, new_id, rows)
                self._flip(connection, new_id, supersedes)
        except IntegrityError as error:
            raise PublishConflictError(
                self.where, f"another run published {scenario} meanwhile ({_first_line(error)})"
            ) from None
        return int(new_id)

    def _insert_rows(
        self, connection: Connection, new_id: int, rows: dict[str, Sequence[dict[str, Any]]]
    ) -> None:
        """Bulk-insert the publication's rows (one executemany per table)."""
        for name, items in rows.items():
            if items:
                connection.execute(
                    insert(ROW_TABLES[name]), [{**item, "publication_id": new_id} for item in items]
                )

    def _flip(self, connection: Connection, new_id: int, supersedes: int | None) -> None:
        """The previous publication → superseded, then the new one → published (in this
        order: the partial unique index allows one published at a time)."""
        if supersedes is not None:
            connection.execute(
                update(publication).where(publication.c.id == supersedes).values(status=SUPERSEDED)
            )
        connection.execute(
            update(publication).where(publication.c.id == new_id).values(status=PUBLISHED)
        )


def _sqlite_transactions(engine: Engine) -> None:
    """SQLite transactions as SQLAlchemy documents for pysqlite: the driver's own transaction
    handling off, ``BEGIN IMMEDIATE`` at the start of each (the write lock is taken at once, so
    a writer never fails half-way on another's lock), foreign keys enforced."""

    @event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _unreachable_errors(engine: Engine) -> tuple[type[BaseException], ...]:
    """The driver's exception classes that mean "the database cannot be reached now"."""
    module = engine.dialect.loaded_dbapi
    return tuple(
        kind
        for kind in (
            getattr(module, "OperationalError", None),
            getattr(module, "InterfaceError", None),
        )
        if isinstance(kind, type)
    )


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    return (
        str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    )
