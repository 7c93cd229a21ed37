"""The job file: which scenario to roster, from which sources, over which window, published
where. Read and validated like a scenario file (``scenario_source`` with line numbers, one
``file:line: field: message`` per problem, exit 2), e.g.::

    jobs/nightly.yaml:9: freeze_days: must be <= 366 (got 400)

Paths are relative to the job file. The sources default to the scenario's own files; naming
them here lets the scheduler point the same scenario at fresh extracts.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from optimizer.errors import ScenarioError
from optimizer.scenario import DataFile, Scenario, Section, StaffingConfig, load_scenario
from optimizer.scenario_errors import describe_validation_error
from optimizer.scenario_source import read_scenario_source

DEFAULT_DATABASE_FILE = "publications.sqlite"
"""The SQLite store's file name in the job's folder when the job names no database."""
ROSTER_FOLDER = "roster"
"""The folder sink's name in the job's folder."""
RUNS_FOLDER = "runs"
"""Where each run's ``<run id>/manifest.json`` goes, in the job's folder."""


def _database_url(url: str) -> str:
    """A URL SQLAlchemy can read, of a database it can reach with what is installed."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise PydanticCustomError(
            "database_url",
            "not a database URL (expected e.g. sqlite:///path/to/file.sqlite or "
            "postgresql+psycopg://user@host/name)",
            {},
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise PydanticCustomError(
            "database_url",
            "unsupported database '{backend}' (expected sqlite or postgresql)",
            {"backend": parsed.get_backend_name()},
        )
    return url


DatabaseUrl = Annotated[str, AfterValidator(_database_url)]


class Sources(Section):
    """The data the job plans from; each one left out is the scenario's own file."""

    history: DataFile | None = Field(None, description="Demand history CSV (site, date, count).")
    employees: DataFile | None = Field(None, description="Employees CSV.")
    shift_types: DataFile | None = Field(None, description="Shift types CSV.")
    shared_employees: DataFile | None = Field(None, description="Partners' shared employees.")
    requests: DataFile | None = Field(None, description="Day-off and shift requests CSV.")


class Window(Section):
    """The planning window, relative to ``--as-of``."""

    start_in_days: int = Field(
        2, ge=0, le=366, description="The window starts this many days after --as-of."
    )
    length_days: int = Field(28, gt=0, le=366, description="Days planned.")


class Sinks(Section):
    """Where a roster is published."""

    database: DatabaseUrl | None = Field(
        None,
        description="SQLAlchemy URL of the publication store, e.g. "
        "postgresql+psycopg://svcplan@db.example/svcplan; default: a SQLite file "
        f"{DEFAULT_DATABASE_FILE} in the job's folder.",
    )
    database_env: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Name of an environment variable holding the database URL (keeps "
        "passwords out of the job file); instead of `database`.",
    )
    folder: bool = Field(
        True,
        description=f"Also publish to the job's folder ({ROSTER_FOLDER}/: CSV tables and one "
        "iCalendar file per person).",
    )

    @model_validator(mode="after")
    def _one_database(self) -> Sinks:
        if self.database is not None and self.database_env is not None:
            raise PydanticCustomError(
                "one_database", "give `database` or `database_env`, not both", {}
            )
        return self


class JobConfig(Section):
    """A periodic roster job."""

    name: str = Field(
        description="Job name; also its folder's name (<directory>/<name>/).",
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=100,
    )
    scenario: DataFile = Field(description="The scenario file (with staffing and its roster).")
    sources: Sources = Field(default_factory=Sources)
    window: Window = Field(default_factory=Window)
    freeze_days: int = Field(
        7,
        ge=0,
        le=366,
        description="The window's first days that keep their published assignments exactly.",
    )
    stability: int | None = Field(
        None,
        ge=0,
        le=1_000_000,
        description="Cost per changed published assignment after the freeze; default: the "
        "scenario's staffing.roster.weights.stability.",
    )
    publish_max_gap: float = Field(
        1.0,
        ge=0,
        le=1,
        description="A roster stopped by SIGTERM/SIGINT is published only when its relative "
        "gap is at most this (1: always).",
    )
    time_zone: str | None = Field(
        None,
        description="IANA time zone of the sites; default: the scenario's staffing.time_zone.",
    )
    time_limit_seconds: float | None = Field(
        None, gt=0, description="Roster time limit; default: the scenario's solver limit."
    )
    directory: Path = Field(
        Path("out"),
        description="Folder that receives <name>/ (store, roster folder, runs); relative to "
        "the job file.",
    )
    sinks: Sinks = Field(default_factory=Sinks)

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, name: str | None) -> str | None:
        if name is None:
            return None
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise PydanticCustomError(
                "unknown_time_zone",
                "unknown time zone {name}; use an IANA name such as Pacific/Auckland",
                {"name": name},
            ) from None
        return name

    @field_validator("freeze_days")
    @classmethod
    def _freeze_within_window(cls, freeze_days: int, info: ValidationInfo) -> int:
        window = info.data.get("window")
        if isinstance(window, Window) and freeze_days > window.length_days:
            raise PydanticCustomError(
                "freeze_too_long",
                "freeze_days ({freeze}) is longer than the window ({days} days)",
                {"freeze": freeze_days, "days": window.length_days},
            )
        return freeze_days


class Job:
    """A validated job with its scenario.

    Attributes:
        path: the job file.
        config: the job file's content.
        scenario: the scenario it names (validated; it has ``staffing.roster``).
        scenario_path: the scenario file.
    """

    def __init__(self, path: Path, config: JobConfig, scenario: Scenario) -> None:
        self.path = path
        self.config = config
        self.scenario = scenario
        self.scenario_path = config.scenario

    @property
    def folder(self) -> Path:
        """``<directory>/<name>``: the store's default file, the roster folder and runs."""
        directory = self.config.directory
        base = directory if directory.is_absolute() else self.path.parent / directory
        return Path(os.path.normpath(base)) / self.config.name

    @property
    def time_zone(self) -> str:
        """The sites' IANA time zone."""
        staffing = self.scenario.staffing
        assert staffing is not None
        return self.config.time_zone or staffing.time_zone

    def database_url(self) -> str:
        """The store's SQLAlchemy URL.

        Raises:
            ScenarioError: ``sinks.database_env`` names a variable that is not set or holds
                no usable URL.
        """
        sinks = self.config.sinks
        if sinks.database_env is not None:
            url = os.environ.get(sinks.database_env, "").strip()
            where = f"{self.path}: sinks.database_env"
            if not url:
                raise ScenarioError(
                    [f"{where}: environment variable {sinks.database_env} is empty"]
                )
            try:
                return _database_url(url)
            except PydanticCustomError as error:
                raise ScenarioError([f"{where}: {sinks.database_env}: {error}"]) from None
        if sinks.database is not None:
            return sinks.database
        return f"sqlite:///{self.folder / DEFAULT_DATABASE_FILE}"

    def staffing(self) -> StaffingConfig:
        """The scenario's ``staffing`` section with the job's sources laid over it."""
        staffing = self.scenario.staffing
        assert staffing is not None and staffing.roster is not None
        given = self.config.sources.model_dump(exclude_none=True)
        history = given.pop("history", staffing.history)
        roster = staffing.roster.model_copy(update=given)
        return staffing.model_copy(update={"history": history, "roster": roster})

    def source_files(self) -> dict[str, Path]:
        """Every data file the job reads, by role (``history``, ``employees``, ...)."""
        staffing = self.staffing()
        roster = staffing.roster
        assert roster is not None
        files = {
            "history": staffing.history,
            "employees": roster.employees,
            "shift_types": roster.shift_types,
            "shared_employees": roster.shared_employees,
            "requests": roster.requests,
            "previous_roster": roster.previous_roster,
        }
        return {role: path for role, path in files.items() if path is not None}

    def today(self) -> date:
        """Today's date in the sites' time zone (the default ``--as-of``)."""
        return datetime.now(ZoneInfo(self.time_zone)).date()


def load_job(path: str | Path) -> Job:
    """Read and validate a job file and the scenario it names.

    Raises:
        ScenarioError: one ``file:line: field: message`` per defect of the job file, the
            scenario's own problems, or a scenario without ``staffing.roster``.
    """
    path = Path(path)
    source = read_scenario_source(path)
    try:
        config = JobConfig.model_validate(source.data, context={"base_dir": path.parent})
    except ValidationError as error:
        problems = [describe_validation_error(item, source, JobConfig) for item in error.errors()]
        raise ScenarioError(problems) from None
    except RecursionError:
        raise ScenarioError([f"{path}:1: the document is nested too deeply"]) from None
    scenario = load_scenario(config.scenario)
    if scenario.staffing is None or scenario.staffing.roster is None:
        raise ScenarioError(
            [source.problem(("scenario",), "the scenario has no staffing.roster section to run")]
        )
    return Job(path, config, scenario)
