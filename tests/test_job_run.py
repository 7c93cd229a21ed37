"""The roster job end to end (issue #18's acceptance), on SQLite and on a real PostgreSQL
server: publish; a rerun with unchanged inputs changes no row and says "unchanged"; a rerun
after an absence keeps the frozen days exactly and its change set is the diff of the two
publications; SIGKILL during the database write and during the folder write leaves exactly
the previous publication; two concurrent runs: one proceeds, the other exits 75 at once."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.job.store import PublicationStore

from .conftest import REPO_ROOT
from .job_sample import (
    AS_OF,
    ROSTER_SECONDS,
    PostgresServer,
    add_absence,
    copy_database,
    postgres_server,
    snapshot,
    write_sample_job,
)
from .outputs_check import KILL, assert_consistent, cli_command, hidden, run_cli, tree

runner = CliRunner()
postgres = pytest.fixture(scope="module")(postgres_server)
XDIST_GROUP_BY = "template"
"""The SQLite and PostgreSQL halves of this module may run on different workers."""
SCENARIO = "tourist-peak"


@dataclass
class Sample:
    """A copy of the waterfront job with one publication in its store."""

    folder: Path
    job: Path
    url: str

    @property
    def out(self) -> Path:
        return self.folder / "out" / "waterfront-nightly"

    def run(self, *options: str) -> Any:
        return runner.invoke(app, ["job", "run", str(self.job), "--as-of", AS_OF, *options])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """The waterfront job's first publication, once per backend."""
    folder = tmp_path_factory.mktemp(f"job-{request.param}")
    database = None
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres")
        database = server.new_database()
    job = write_sample_job(folder, database=database)
    sample = Sample(
        folder,
        job,
        database or f"sqlite:///{folder / 'out' / 'waterfront-nightly' / 'publications.sqlite'}",
    )
    result = sample.run()
    assert result.exit_code == 0, result.stderr
    return sample


@pytest.fixture
def sample(template: Sample, request: pytest.FixtureRequest, tmp_path: Path) -> Sample:
    """A copy of ``template`` (its files and its database) that a test may change."""
    folder = tmp_path / "job"
    shutil.copytree(template.folder, folder)
    job = folder / "job.yaml"
    url = f"sqlite:///{folder / 'out' / 'waterfront-nightly' / 'publications.sqlite'}"
    if template.url.startswith("postgresql"):
        url = copy_database(request.getfixturevalue("postgres"), template.url)
        job.write_text(job.read_text().replace(template.url, url))
    return Sample(folder, job, url)


def _published(url: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    with PublicationStore(url) as store:
        current = store.current(SCENARIO)
        assert current is not None
        return current, store.rows("shift_assignment", current["id"])


def _duties(rows: list[dict[str, Any]]) -> dict[tuple[str, date], tuple[str, ...]]:
    return {
        (row["employee"], row["date"]): (row["shift"], row["site"], row["skill"], row["role"])
        for row in rows
    }


def test_a_publication_lands_in_the_store_the_folder_and_the_run_manifest(
    template: Sample,
) -> None:
    current, rows = _published(template.url)
    assert current["horizon_start"] == date(2026, 1, 1) and current["horizon_end"] == date(
        2026, 1, 10
    )
    assert current["status"] == "published" and current["supersedes"] is None
    assert rows and all(row["start"].tzinfo is not None for row in rows)
    assert {row["source"] for row in rows} >= {"own"} and {row["role"] for row in rows} >= {"work"}
    folder = template.out / "roster"
    assert_consistent(folder)
    assert json.loads((folder / "publication.json").read_text())["id"] == current["id"]
    table = pd.read_csv(folder / "assignments.csv", keep_default_na=False)
    assert len(table) == len(rows) and table["start"].str.endswith("+13:00").all()
    calendar = next((folder / "calendars").glob("*.ics")).read_text()
    assert "TZID=Pacific/Auckland" in calendar and "BEGIN:VTIMEZONE" in calendar
    manifest = json.loads((template.out / "runs" / current["run_id"] / "manifest.json").read_text())
    assert manifest["status"] == "published" and manifest["exit_code"] == 0
    assert manifest["publication_id"] == current["id"]
    assert manifest["rows_published"]["shift_assignment"] == len(rows)
    assert {item["role"] for item in manifest["inputs"]} >= {
        "job",
        "scenario",
        "history",
        "employees",
    }
    assert all(len(item["sha256"]) == 64 for item in manifest["inputs"])
    assert manifest["solve"]["status"] in ("optimal", "feasible") and "seed" in manifest
    assert manifest["versions"]["svcplan"] and manifest["versions"]["sqlalchemy"].startswith("2.")


def test_an_unchanged_rerun_changes_no_row_and_solves_nothing(template: Sample) -> None:
    before, files = snapshot(template.url), tree(template.out)
    started = time.perf_counter()
    result = template.run("--log-format", "json")
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert [event["event"] for event in events] == ["start", "unchanged"]
    assert all({"time", "level", "event", "message"} <= set(event) for event in events)
    assert "unchanged" in events[-1]["message"]
    assert snapshot(template.url) == before and tree(template.out) == files
    assert seconds < 2.0


def test_a_rerun_after_an_absence_keeps_the_frozen_days_and_lists_every_change(
    sample: Sample,
) -> None:
    first, old = _published(sample.url)
    old_duties = _duties(old)
    frozen = {date(2026, 1, 1) + timedelta(days=d) for d in range(3)}
    # an employee working on a day after the freeze becomes absent that day
    employee, day = next(
        key
        for key, duty in sorted(old_duties.items())
        if key[1] > max(frozen) and duty[3] == "work"
    )
    add_absence(sample.folder, employee, day.isoformat())
    result = sample.run("--json", "--time-limit", str(2 * ROSTER_SECONDS))
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "published" and summary["frozen_days"] == 3
    second, new = _published(sample.url)
    assert second["supersedes"] == first["id"] and second["id"] != first["id"]
    with PublicationStore(sample.url) as store:
        assert [row["status"] for row in store.publications(SCENARIO)] == [
            "superseded",
            "published",
        ]
        changes = store.rows("change_set", second["id"])
    new_duties = _duties(new)
    # frozen days: exactly the published duties, pinned
    assert {k: v for k, v in new_duties.items() if k[1] in frozen} == {
        k: v for k, v in old_duties.items() if k[1] in frozen
    }
    assert all(row["pinned"] == (row["date"] in frozen) for row in new)
    assert (employee, day) not in new_duties
    # the change set is exactly the diff of the two publications
    differences = {
        key
        for key in old_duties.keys() | new_duties.keys()
        if old_duties.get(key) != new_duties.get(key)
    }
    assert {(row["employee"], row["date"]) for row in changes} == differences
    for row in changes:
        key = (row["employee"], row["date"])
        before = old_duties.get(key)
        after = new_duties.get(key)
        assert row["change"] == (
            "added" if before is None else "removed" if after is None else "moved"
        )
        assert (row["before_site"], row["after_site"]) == (
            before and before[1],
            after and after[1],
        )
    absent = next(row for row in changes if (row["employee"], row["date"]) == (employee, day))
    assert absent["change"] == "removed" and absent["reason"] == "absence"
    # stability: the absence and what covering it takes, a handful of the 126 published
    # duties (2-3 near idle, up to 8 on a machine three times oversubscribed; without the
    # stability goal the rerun changes 84)
    assert len(changes) <= len(old) / 10
    folder = sample.out / "roster"
    assert len(pd.read_csv(folder / "changes.csv")) == len(changes)
    assert json.loads((folder / "publication.json").read_text())["id"] == second["id"]


def test_an_absence_inside_the_freeze_is_a_clash_and_publishes_nothing(sample: Sample) -> None:
    _, old = _published(sample.url)
    duty = next(row for row in old if row["date"] == date(2026, 1, 2) and row["source"] == "own")
    add_absence(sample.folder, duty["employee"], "2026-01-02")
    before = snapshot(sample.url)
    result = sample.run()
    assert result.exit_code == 3
    assert "frozen days cannot keep their published duties" in result.stderr
    assert f"freeze_days vs unavailable_dates: {duty['employee']}'s published" in result.stderr
    assert snapshot(sample.url) == before


def _job_process(
    sample: Sample, log: Path, *options: str, patch: str = ""
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cli_command(["job", "run", str(sample.job), "--as-of", AS_OF, *options], patch=patch),
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


def _wait_for(log: Path, text: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while text not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_of_two_concurrent_runs_one_proceeds_and_the_other_exits_75_at_once(
    sample: Sample, tmp_path: Path
) -> None:
    add_absence(sample.folder, "E03", "2026-01-09")  # so that the first run has work to do
    log = tmp_path / "first.log"
    first = _job_process(sample, log)
    try:
        _wait_for(log, "reading demand history", first)  # it holds the lock from here on
        started = time.perf_counter()
        second = sample.run()
        assert time.perf_counter() - started < 1.5
        assert second.exit_code == 75
        assert "another svcplan run is writing here (pid" in " ".join(second.stderr.split())
        assert first.wait(timeout=120) == 0, log.read_text()
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    with PublicationStore(sample.url) as store:
        assert [row["status"] for row in store.publications(SCENARIO)] == [
            "superseded",
            "published",
        ]


FLIP_KILL = (
    KILL
    + "import optimizer.job.store as store\n"
    + "def flip(self, *args):\n    kill()\n"
    + "store.PublicationStore._flip = flip\n"
)
"""Kill the job inside the store's transaction: the publication staged and its rows
bulk-inserted, before the flip and the commit."""
CALENDAR_KILL = (
    KILL
    + "import optimizer.export.roster_files as files\n"
    + "original = files.write_icalendars\n"
    + "def write(*args, **kwargs):\n    original(*args, **kwargs)\n    kill()\n"
    + "files.write_icalendars = write\n"
)
"""Kill the job in the middle of writing the roster folder (its calendars written, the
publication file and manifest not yet)."""


@pytest.mark.parametrize("patch", [FLIP_KILL, CALENDAR_KILL], ids=["database", "folder"])
def test_a_kill_while_writing_leaves_exactly_the_previous_publication(
    sample: Sample, patch: str
) -> None:
    add_absence(sample.folder, "E03", "2026-01-09")
    before, files = snapshot(sample.url), _visible(sample.out)
    result = run_cli(["job", "run", str(sample.job), "--as-of", AS_OF], patch=patch)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert snapshot(sample.url) == before  # no partial rows, the same publication published
    assert _visible(sample.out) == files
    assert_consistent(sample.out / "roster")
    result = sample.run()  # the next run cleans up and publishes
    assert result.exit_code == 0, result.stderr
    assert hidden(sample.out) == [] and not list(sample.out.glob("*-journal"))
    current, _ = _published(sample.url)
    assert (
        json.loads((sample.out / "roster" / "publication.json").read_text())["id"] == current["id"]
    )


def _visible(folder: Path) -> dict[str, bytes]:
    return {
        name: content
        for name, content in tree(folder).items()
        if not any(part.startswith(".") for part in name.split("/"))
        and not name.endswith("-journal")
        and not name.startswith("publications.sqlite")
    }


def test_a_kill_between_the_commit_and_the_swap_is_repaired_by_the_next_run(
    sample: Sample,
) -> None:
    """The folder is swapped in after the store commits: a kill in between leaves the folder
    one publication behind, and the next run (even an unchanged one) rewrites it."""
    add_absence(sample.folder, "E03", "2026-01-09")
    patch = (
        KILL
        + "import optimizer.export.staging as staging\n"
        + "def swap(*args):\n    kill()\n"
        + "staging._swap_into_place = swap\n"
    )
    result = run_cli(["job", "run", str(sample.job), "--as-of", AS_OF], patch=patch)
    assert result.returncode == -signal.SIGKILL, result.stderr
    current, rows = _published(sample.url)
    assert (
        json.loads((sample.out / "roster" / "publication.json").read_text())["id"] != current["id"]
    )
    result = sample.run()
    assert result.exit_code == 0 and "unchanged" in result.stderr
    assert "rewriting it from the store" in result.stderr
    folder = sample.out / "roster"
    assert json.loads((folder / "publication.json").read_text())["id"] == current["id"]
    assert len(pd.read_csv(folder / "assignments.csv")) == len(rows)
    assert_consistent(folder)
    assert hidden(sample.out) == []


@pytest.mark.parametrize("max_gap", [0.0, 1.0])
def test_sigterm_publishes_the_best_roster_only_within_publish_max_gap(
    tmp_path: Path, max_gap: float
) -> None:
    job = write_sample_job(
        tmp_path, relative_gap=None, time_limit_seconds=60, publish_max_gap=max_gap
    )
    sample = Sample(
        tmp_path,
        job,
        f"sqlite:///{tmp_path / 'out' / 'waterfront-nightly' / 'publications.sqlite'}",
    )
    log, found = tmp_path / "job.log", tmp_path / "a roster was found"
    # the signal comes once the search holds a roster (one before any roster interrupts the
    # run: tests/test_signals.py); the search marks its first roster in a file
    patch = (
        "import pathlib\nimport optimizer.roster.engine as engine\n"
        "offer = engine._Search.offer\n"
        "def marked(self, *args):\n"
        f"    pathlib.Path({str(found)!r}).touch()\n"
        "    offer(self, *args)\n"
        "engine._Search.offer = marked\n"
    )
    process = _job_process(sample, log, patch=patch)
    try:
        _wait_for(log, "rostering", process)
        while not found.exists():
            assert process.poll() is None, log.read_text()
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with PublicationStore(sample.url) as store:
        published = store.current(SCENARIO)
        manifests = list((sample.out / "runs").glob("*/manifest.json"))
    manifest = json.loads(manifests[0].read_text())
    if code == 0 and max_gap == 0.0:  # it proved optimality before the signal
        assert published is not None and published["gap"] == 0.0
        return
    if max_gap == 0.0:
        assert code == 143, log.read_text()
        assert "nothing was published" in log.read_text() and published is None
        assert not (sample.out / "roster").exists()
        assert manifest["status"] == "not_published" and manifest["exit_code"] == 143
    else:
        assert code == 0, log.read_text()
        assert published is not None and "stopped by SIGTERM" in log.read_text()
        assert any("SIGTERM" in note for note in manifest["solve"]["notes"])


def test_the_command_line_relative_gap_ends_the_jobs_roster_once_proven_within_it(
    tmp_path: Path,
) -> None:
    """The sample without a gap in its scenario: ``--relative-gap 0.01`` reaches its roster,
    as the run manifest records, and the roster is proven within it (261 against the bound
    260 after about 1 s idle, where the 4 s limit ends the run without it)."""
    job = write_sample_job(tmp_path, relative_gap=None)
    result = runner.invoke(
        app, ["job", "run", str(job), "--as-of", AS_OF, "--relative-gap", "0.01"]
    )
    assert result.exit_code == 0, result.stderr
    (manifest,) = (tmp_path / "out" / "waterfront-nightly" / "runs").glob("*/manifest.json")
    record = json.loads(manifest.read_text())
    assert record["relative_gap"] == 0.01
    assert record["solve"]["status"] == "optimal" and record["solve"]["gap"] <= 0.01


def test_python_callers_run_the_job_through_the_api(template: Sample) -> None:
    from optimizer import api

    outcome = api.job_run(template.job, as_of=date.fromisoformat(AS_OF))
    current, _ = _published(template.url)
    assert outcome.status == "unchanged" and outcome.run_id == current["run_id"]


def test_the_next_night_slides_the_window_and_keeps_the_contract_weeks(sample: Sample) -> None:
    """As of a day later the window starts a day later: its frozen days keep their duties,
    and the roster starts with the published day before the window, so that its weeks are
    the published ones (a window starting mid-week would judge the frozen days' week against
    the weekly minimum on its own)."""
    _, old = _published(sample.url)
    result = runner.invoke(app, ["job", "run", str(sample.job), "--as-of", "2025-12-31", "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["lead_in_days"] == 1 and summary["frozen_days"] == 3
    second, new = _published(sample.url)
    assert (second["horizon_start"], second["horizon_end"]) == (date(2026, 1, 2), date(2026, 1, 11))
    frozen = {date(2026, 1, 2) + timedelta(days=d) for d in range(3)}
    old_duties, new_duties = _duties(old), _duties(new)
    assert {k: v for k, v in new_duties.items() if k[1] in frozen} == {
        k: v for k, v in old_duties.items() if k[1] in frozen
    }
    assert min(row["date"] for row in new) >= date(2026, 1, 2)  # the lead-in day is not published
    overlap = {date(2026, 1, 2) + timedelta(days=d) for d in range(9)}
    with PublicationStore(sample.url) as store:
        changes = store.rows("change_set", second["id"])
    differences = {
        key
        for key in old_duties.keys() | new_duties.keys()
        if key[1] in overlap and old_duties.get(key) != new_duties.get(key)
    }
    assert {(row["employee"], row["date"]) for row in changes} == differences


def test_an_unreachable_database_exits_75_and_publishes_nothing(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://svcplan@/rosters?host={tmp_path / 'no-server-here'}"
    job = write_sample_job(tmp_path, database=url)
    result = runner.invoke(app, ["job", "run", str(job), "--as-of", AS_OF, "--log-format", "json"])
    assert result.exit_code == 75
    error = json.loads(result.stderr.splitlines()[-1])
    assert error["level"] == "error" and error["exit_code"] == 75
    assert "publication store unavailable" in error["message"]
    out = tmp_path / "out" / "waterfront-nightly"
    assert not (out / "roster").exists()
    (manifest,) = (out / "runs").glob("*/manifest.json")
    record = json.loads(manifest.read_text())
    assert record["status"] == "retry_later" and record["exit_code"] == 75


def test_a_job_without_the_folder_sink_publishes_to_the_store_only(tmp_path: Path) -> None:
    job = write_sample_job(tmp_path)
    job.write_text(job.read_text().replace("  folder: true\n", "  folder: false\n"))
    result = runner.invoke(app, ["job", "run", str(job), "--as-of", AS_OF, "--quiet"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # --quiet: warnings and errors only
    out = tmp_path / "out" / "waterfront-nightly"
    assert not (out / "roster").exists()
    current, rows = _published(f"sqlite:///{out / 'publications.sqlite'}")
    assert rows and current["status"] == "published"
