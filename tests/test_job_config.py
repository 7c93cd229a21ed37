"""Job files are validated like scenario files: one ``file:line: field: message`` line per
problem, exit 2, nothing written; the run id is a hash of what the run computes from."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.errors import ScenarioError
from optimizer.job.config import load_job
from optimizer.job.run_id import hash_inputs, run_id

from .conftest import REPO_ROOT
from .job_sample import write_sample_job

runner = CliRunner()


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_job(path)
    return caught.value.problems


def test_the_bundled_job_file_is_valid() -> None:
    job = load_job(REPO_ROOT / "jobs" / "tourist-peak-nightly.yaml")
    assert job.config.freeze_days == 7 and job.config.window.length_days == 28
    assert job.time_zone == "Pacific/Auckland"
    assert job.database_url().startswith("sqlite:///") and job.database_url().endswith(
        "out/tourist-peak-nightly/publications.sqlite"
    )
    assert set(job.source_files()) == {"history", "employees", "shift_types", "shared_employees"}


def test_each_problem_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "name: nightly\n"
        f"scenario: {REPO_ROOT / 'scenarios' / 'tourist-peak.yaml'}\n"
        "window:\n"
        "  start_in_days: -1\n"
        "  lenght_days: 28\n"
        "freeze_days: 7\n"
        "time_zone: Mars/Olympus\n"
        "sinks:\n"
        "  database: mysql://nobody@localhost/x\n"
    )
    problems = _problems(path)
    assert f"{path}:4: window.start_in_days: must be >= 0 (got -1)" in problems
    assert (
        f"{path}:5: window.lenght_days: unknown key 'lenght_days'; did you mean 'length_days'?"
    ) in problems
    assert any(
        p.startswith(f"{path}:7: time_zone: unknown time zone Mars/Olympus") for p in problems
    )
    assert any(
        p.startswith(f"{path}:9: sinks.database: unsupported database 'mysql'") for p in problems
    )


def test_a_freeze_longer_than_the_window_and_a_missing_scenario_are_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(
        "name: nightly\nscenario: nowhere.yaml\nwindow: {length_days: 5}\nfreeze_days: 6\n"
    )
    problems = _problems(path)
    assert any(p.startswith(f"{path}:2: scenario: file not found") for p in problems)
    assert any("freeze_days (6) is longer than the window (5 days)" in p for p in problems)


def test_a_scenario_without_a_roster_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "job.yaml"
    path.write_text(f"name: nightly\nscenario: {REPO_ROOT / 'scenarios' / 'surge.yaml'}\n")
    assert _problems(path) == [
        f"{path}:2: scenario: the scenario has no staffing.roster section to run"
    ]


def test_the_cli_exits_2_on_a_bad_job_file_and_writes_nothing(tmp_path: Path) -> None:
    path = write_sample_job(tmp_path, freeze_days=-3)
    result = runner.invoke(app, ["job", "run", str(path), "--as-of", "2025-12-30"])
    assert result.exit_code == 2
    assert f"error: {path}:" in result.stderr and "freeze_days: must be >= 0" in result.stderr
    assert not (tmp_path / "out").exists()
    result = runner.invoke(app, ["job", "run", str(path), "--as-of", "30/12/2025"])
    assert result.exit_code == 2 and "--as-of: expected a date YYYY-MM-DD" in result.stderr


def test_a_database_url_from_the_environment(tmp_path: Path, monkeypatch) -> None:
    path = write_sample_job(tmp_path)
    text = path.read_text().replace("  folder: true\n", "  folder: true\n  database_env: JOB_DB\n")
    path.write_text(text)
    job = load_job(path)
    monkeypatch.delenv("JOB_DB", raising=False)
    with pytest.raises(ScenarioError, match="environment variable JOB_DB is empty"):
        job.database_url()
    monkeypatch.setenv("JOB_DB", "postgresql+psycopg://svcplan:secret@db/rosters")
    assert job.database_url() == "postgresql+psycopg://svcplan:secret@db/rosters"


def test_the_run_id_follows_contents_as_of_and_version(tmp_path: Path) -> None:
    path = write_sample_job(tmp_path)
    job = load_job(path)

    def current(as_of: date = date(2025, 12, 30), version: str = "1") -> str:
        files = {"job": job.path, "scenario": job.scenario_path, **job.source_files()}
        return run_id(hash_inputs(files), as_of=as_of, version=version)

    first = current()
    assert current() == first and len(first) == 20
    assert current(as_of=date(2025, 12, 31)) != first
    assert current(version="2") != first
    (tmp_path / "moved").mkdir()
    history = tmp_path / "history.csv"
    history.rename(tmp_path / "moved" / "history.csv")
    (tmp_path / "moved" / "history.csv").rename(history)
    assert current() == first  # the same content is the same input
    history.write_text(history.read_text() + "107 Quay Street,2025-12-31,1\n")
    assert current() != first


def test_job_validate_checks_a_job_file_without_running_it(tmp_path: Path) -> None:
    path = write_sample_job(tmp_path)
    result = runner.invoke(app, ["job", "validate", str(path)])
    assert result.exit_code == 0 and "ok" in result.stdout and "waterfront-nightly" in result.stdout
    assert not (tmp_path / "out").exists()
    bad = write_sample_job(tmp_path / "bad", window="{length_days: 0}")
    result = runner.invoke(app, ["job", "validate", str(bad)])
    assert result.exit_code == 2 and "window.length_days: must be > 0 (got 0)" in result.stderr
