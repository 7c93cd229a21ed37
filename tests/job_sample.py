"""Helpers of the job tests: a small copy of the tourist-peak scenario (the six waterfront
counters since 2023, their 24 employees and Harbour Trust's partners) with a job file, and a
throwaway PostgreSQL server."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from .conftest import REPO_ROOT

TOURIST_PEAK = REPO_ROOT / "scenarios" / "tourist-peak.yaml"
WATERFRONT = [
    "107 Quay Street",
    "188 Quay Street Lower Albert (EW)",
    "188 Quay Street Lower Albert (NS)",
    "7 Custom Street East",
    "Te Ara Tahuhu Walkway",
    "Commerce Street West",
]
AS_OF = "2025-12-30"
"""The bundled history ends on 31 December 2025: the window starts on 1 January 2026."""
ROSTER_SECONDS = 4
"""The job's roster time limit in tests: enough for a roster that covers every demand (the
assertions need no more), short enough for a suite of many runs."""
RELATIVE_GAP = 0.01
"""The sample scenario's ``solver.relative_gap``: its roster stops once proven within 1 % of
its bound (261 against 260 in about 1 s on an idle machine), as a nightly job would set."""


def write_sample_job(
    folder: Path,
    *,
    database: str | None = None,
    relative_gap: float | None = RELATIVE_GAP,
    **job: object,
) -> Path:
    """The waterfront job in ``folder`` (its data copied there, so tests may change them);
    ``relative_gap`` is its scenario's (``None``: unset, the search runs to its limit or an
    exact proof); ``job`` keys override the job file's top-level values. Returns the job
    file."""
    folder.mkdir(parents=True, exist_ok=True)
    history = pd.read_csv(REPO_ROOT / "geodata" / "auckland" / "pedestrians_daily.csv")
    history = history[history["site"].isin(WATERFRONT) & (history["date"] >= "2023-01-01")]
    history.to_csv(folder / "history.csv", index=False)
    data = REPO_ROOT / "scenarios" / "data" / "tourist-peak"
    employees = pd.read_csv(data / "employees.csv", dtype=str, keep_default_na=False)
    employees = employees[employees["sites"].str.contains("107 Quay Street", regex=False)]
    employees.to_csv(folder / "employees.csv", index=False)
    for name in ("shift_types.csv", "partners.csv"):
        shutil.copy(data / name, folder / name)
    text = TOURIST_PEAK.read_text(encoding="utf-8")
    text = text.replace("../geodata/auckland/pedestrians_daily.csv", "history.csv")
    text = text.replace("data/tourist-peak/", "")
    # one CP-SAT worker: the suite runs a test beside this one on each core
    solver = "\nsolver:\n  threads: 1\n"
    if relative_gap is not None:
        solver += f"  relative_gap: {relative_gap}\n"
    text = re.sub(r"\n  relative_gap: [^\n]*", "", text).replace("\nsolver:\n", solver)
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    values: dict[str, object] = {
        "name": "waterfront-nightly",
        "scenario": "scenario.yaml",
        "window": "{start_in_days: 2, length_days: 10}",
        "freeze_days": 3,
        "time_limit_seconds": ROSTER_SECONDS,
        "directory": "out",
        "time_zone": "Pacific/Auckland",
    }
    values.update(job)
    lines = [f"{key}: {value}" for key, value in values.items()]
    lines.append("sinks:")
    lines.append("  folder: true")
    if database is not None:
        lines.append(f"  database: {database}")
    path = folder / "job.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_absence(job_folder: Path, employee: str, day: str) -> None:
    """Make ``employee`` unavailable on ``day`` in the sample's employees.csv."""
    path = job_folder / "employees.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = table["employee_id"] == employee
    dates = [d for d in table.loc[row, "unavailable_dates"].iloc[0].split("|") if d]
    table.loc[row, "unavailable_dates"] = "|".join([*dates, day])
    table.to_csv(path, index=False)


@dataclass
class PostgresServer:
    """A PostgreSQL server in a temporary folder, on a Unix socket there only, run as an
    unprivileged user (``nobody`` when the tests run as root: postgres refuses root)."""

    base: Path
    bin: Path
    user: int | None

    @classmethod
    def start(cls) -> tuple[PostgresServer | None, str]:
        """A running server, or None and the reason it could not start."""
        candidates = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"),
            key=lambda path: [int(part) for part in path.parts[-3].split(".") if part.isdigit()],
        )
        found = shutil.which("initdb")
        initdb = candidates[-1] if candidates else Path(found).resolve() if found else None
        if initdb is None:
            return None, "PostgreSQL server binaries not found (apt-get install postgresql)"
        user = pwd.getpwnam("nobody").pw_uid if os.geteuid() == 0 else None
        base = Path(tempfile.mkdtemp(prefix="svcplan-pg-"))
        server = cls(base, initdb.parent, user)
        if user is not None:
            os.chown(base, user, pwd.getpwnam("nobody").pw_gid)
        try:
            server._run(
                "initdb",
                "-D",
                str(base / "data"),
                "-U",
                "svcplan",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
            options = f"-k {base} -c listen_addresses='' -c fsync=off"
            server._run(
                "pg_ctl",
                "-D",
                str(base / "data"),
                "-o",
                options,
                "-l",
                str(base / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            )
        except (OSError, subprocess.CalledProcessError) as error:
            detail = getattr(error, "stderr", "") or str(error)
            server.stop()
            return None, f"the PostgreSQL server did not start: {detail.strip()[-300:]}"
        return server, ""

    def _run(self, program: str, *arguments: str) -> None:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            entry = pwd.getpwuid(self.user)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        subprocess.run(
            [str(self.bin / program), *arguments],
            cwd=self.base,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "HOME": str(self.base)},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            **kwargs,
        )

    def new_database(self) -> str:
        """A fresh, empty database's SQLAlchemy URL."""
        import psycopg

        name = f"svcplan_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host={self.base} user=svcplan dbname=postgres", autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://svcplan@/{name}?host={self.base}"

    def stop(self) -> None:
        if (self.base / "data" / "postmaster.pid").exists():
            with contextlib.suppress(OSError, subprocess.CalledProcessError):
                self._run("pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.base, ignore_errors=True)


def postgres_server() -> Iterator[PostgresServer]:
    """Body of a session fixture: a throwaway PostgreSQL server, stopped at the end; the
    tests that need it are skipped, with the reason, only where it cannot start."""
    server, reason = PostgresServer.start()
    if server is None:
        pytest.skip(reason)
    try:
        yield server
    finally:
        server.stop()


def copy_database(server: PostgresServer, url: str) -> str:
    """A new database holding a copy of the one at ``url`` (no one may be connected to it)."""
    import psycopg
    from sqlalchemy.engine import make_url

    source = make_url(url).database
    name = f"svcplan_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"host={server.base} user=svcplan dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
    return url.replace(f"/{source}?", f"/{name}?")


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every store table, by table, in id order."""
    from sqlalchemy import create_engine, select

    from optimizer.job.store import metadata

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    ).all()
                ]
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()
