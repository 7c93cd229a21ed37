"""Nothing lost, nothing half-written (issue #15): svcplan replaces only folders it published,
swaps a folder in one atomic step, cleans up after a run that died, and never leaves a manifest
that disagrees with its files. The kills here are deterministic (a test-side patch in the
child process SIGKILLs it at one step); tests/test_kill.py kills at random moments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.errors import DataError
from optimizer.export import staging
from optimizer.export.lock import output_lock
from optimizer.export.sinks import layer_artifacts
from optimizer.export.staging import publish, refresh_manifest, update
from optimizer.export.tables import ArtifactWriter, json_writer

from .conftest import REPO_ROOT
from .export_sample import porto_alegre_layers
from .outputs_check import KILL, assert_consistent, dead_pid, hidden, run_cli, tree

runner = CliRunner()
SURGE = REPO_ROOT / "scenarios" / "surge.yaml"
NOT_OURS = "exists and was not written by svcplan; choose another outputs.directory or name"


def _plan(scenario: Path, out: Path) -> None:
    result = runner.invoke(app, ["plan", str(scenario), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A scenario without engines (plan writes summary.json and the manifest, in a second)."""
    path = tmp_path / "x.yaml"
    path.write_text("name: x\n")
    return path


@pytest.fixture
def planned(tmp_path: Path, bare: Path) -> Path:
    """``out/x`` as published by ``plan``, with a ``dispatch/`` subfolder another run wrote."""
    out = tmp_path / "out"
    publish(out / "x" / "dispatch", {"moves.csv": lambda path: path.write_text("a,b\n1,2\n")})
    _plan(bare, out)
    assert_consistent(out / "x")
    return out


# --- defect 2: only svcplan's own folders are replaced --------------------------------------


def test_plan_refuses_a_folder_svcplan_did_not_write_and_touches_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "important.txt").write_text("years of work\n")
    scenario = project / "docs.yaml"
    scenario.write_text("name: docs\noutputs:\n  directory: .\n")
    before = tree(project)
    result = runner.invoke(app, ["plan", str(scenario)])
    assert result.exit_code == 2, result.output
    assert " ".join(result.stderr.split()) == f"error: {project / 'docs'}: {NOT_OURS}"
    assert tree(project) == before
    assert sorted(path.name for path in project.iterdir()) == ["docs", "docs.yaml"]


@pytest.mark.parametrize(
    "content",
    [
        {"manifest.json": '{"name": "another tool"}', "data.csv": "1\n"},
        {"manifest.json": "not json", "data.csv": "1\n"},
        {"dispatch/moves.csv": "mine\n"},  # a subfolder plan would keep, but not svcplan's
    ],
)
def test_a_look_alike_folder_is_refused_too(tmp_path: Path, bare: Path, content: dict) -> None:
    for name, text in content.items():
        (tmp_path / "out" / "x" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / "x" / name).write_text(text)
    before = tree(tmp_path / "out")
    result = runner.invoke(app, ["plan", str(bare), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and NOT_OURS in " ".join(result.stderr.split())
    assert tree(tmp_path / "out") == before


def test_a_file_where_the_folder_would_go_is_refused(tmp_path: Path, bare: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").write_text("a file\n")
    result = runner.invoke(app, ["plan", str(bare), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert (tmp_path / "out" / "x").read_text() == "a file\n"


def test_an_empty_folder_and_svcplan_folders_are_used(tmp_path: Path, bare: Path) -> None:
    (tmp_path / "out" / "x").mkdir(parents=True)
    _plan(bare, tmp_path / "out")  # empty: used
    first = tree(tmp_path / "out" / "x")
    _plan(bare, tmp_path / "out")  # svcplan's own: replaced
    assert set(tree(tmp_path / "out" / "x")) == set(first) == {"manifest.json", "summary.json"}
    assert hidden(tmp_path / "out") == []


def test_a_folder_holding_only_a_subfolder_svcplan_wrote_is_planned_over(planned: Path) -> None:
    assert tree(planned / "x" / "dispatch")["moves.csv"] == b"a,b\n1,2\n"
    listed = json.loads((planned / "x" / "manifest.json").read_text())["outputs"]
    assert {item["path"] for item in listed} == {"summary.json", "dispatch/moves.csv"}


def test_dispatch_refuses_a_subfolder_svcplan_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "surge" / "dispatch").mkdir(parents=True)
    (out / "surge" / "dispatch" / "notes.txt").write_text("mine\n")
    result = runner.invoke(app, ["dispatch", str(SURGE), "--out", str(out)])
    assert result.exit_code == 2
    assert f"{out / 'surge' / 'dispatch'}: {NOT_OURS}" in " ".join(result.stderr.split())
    assert tree(out) == {"surge/dispatch/notes.txt": b"mine\n"}


def test_export_refuses_a_folder_svcplan_did_not_publish(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    publish(folder, layer_artifacts(porto_alegre_layers()))
    (folder / "manifest.json").unlink()
    before = tree(folder)
    result = runner.invoke(app, ["export", str(folder), "-f", "geojson"])
    assert result.exit_code == 2 and "not a folder svcplan published" in result.stderr
    assert tree(folder) == before


# --- defect 3: an atomic swap, and recovery after a run that died ---------------------------


def test_the_folder_never_goes_missing_while_it_is_replaced(planned: Path, bare: Path) -> None:
    """A plan run in which every rename checks that ``out/x`` is still there, and SIGKILLs
    the process if not (the old swap moved it away before moving the new one in)."""
    watched = planned / "x"
    patch = KILL + (
        "_rename = os.rename\n"
        "def rename(source, target, *args, **kwargs):\n"
        "    _rename(source, target, *args, **kwargs)\n"
        f"    if not os.path.exists({str(watched)!r}):\n"
        "        kill()\n"
        "os.rename = rename\n"
    )
    before = tree(watched)
    result = run_cli(["plan", str(bare), "--out", str(planned), "-q"], patch=patch)
    assert result.returncode == 0, result.stderr
    assert set(tree(watched)) == set(before) and hidden(planned) == []
    assert_consistent(watched)


def test_a_kill_between_the_fallback_renames_is_recovered_by_the_next_run(
    planned: Path, bare: Path
) -> None:
    """Where ``renameat2`` is unavailable the swap is two renames; a kill between them leaves
    only ``.x.<pid>.old``. The next run restores it, so the ``dispatch/`` subfolder it holds
    is carried over again, and leaves nothing hidden behind."""
    patch = KILL + (
        "from optimizer.export import staging\n"
        "if hasattr(staging, '_exchange'):\n"
        "    staging._exchange = lambda first, second: False\n"
        "_rename = os.rename\n"
        "def rename(source, target, *args, **kwargs):\n"
        "    if str(source).endswith('.tmp'):\n"
        "        kill()\n"
        "    return _rename(source, target, *args, **kwargs)\n"
        "os.rename = rename\n"
    )
    moves = tree(planned / "x" / "dispatch")
    result = run_cli(["plan", str(bare), "--out", str(planned), "-q"], patch=patch)
    assert result.returncode == -9, result.stderr
    assert not (planned / "x").exists()  # the state the issue describes
    _plan(bare, planned)
    assert tree(planned / "x" / "dispatch") == moves
    assert hidden(planned) == []
    assert_consistent(planned / "x")


def test_the_fallback_swap_works_where_renameat2_is_missing(
    planned: Path, bare: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(staging, "_exchange", lambda first, second: False)
    _plan(bare, planned)
    assert set(tree(planned / "x")) == {
        "manifest.json",
        "summary.json",
        "dispatch/manifest.json",
        "dispatch/moves.csv",
    }
    assert hidden(planned) == []


def test_exchange_swaps_two_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one").write_text("a")
    (tmp_path / "b").mkdir()
    if not staging._exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is unavailable here")
    assert [path.name for path in (tmp_path / "b").iterdir()] == ["one"]
    assert list((tmp_path / "a").iterdir()) == []


def _debris(folder: Path, pid: int, live: int) -> dict[str, list[Path]]:
    """Temporaries of a dead run (``pid``) and of a live one (``live``) beside and inside
    ``folder``, and entries that only look like them."""
    parent, name = folder.parent, folder.name
    made = {
        "dead": [
            parent / f".{name}.{pid}.k2j4_x9.tmp",
            parent / f".{name}.{pid}.old",
            folder / f".map.partial-{pid}.html",
            folder / f".manifest.partial-{pid}.json",
            folder / "dispatch" / f".moves.partial-{pid}.csv",
        ],
        "kept": [
            parent / f".{name}.{live}.abcdefgh.tmp",  # a live run's
            parent / f".{name}.5.{pid}.abcdefgh.tmp",  # scenario 'x.5', not this one
            parent / f".{name}.qwertyui.tmp",  # no pid: an older version's, undecidable
            parent / f".{name}y.{pid}.old",  # scenario 'xy'
        ],
    }
    for path in [*made["dead"], *made["kept"]]:
        if path.suffix in (".tmp", ".old"):
            (path / "inside").mkdir(parents=True)
        else:
            path.write_text("partial")
    return made


def test_the_next_run_removes_what_dead_runs_left_and_nothing_else(planned: Path) -> None:
    folder = planned / "x"
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as live:
        made = _debris(folder, dead_pid(), live.pid)
        with output_lock(folder):
            refresh_manifest(folder)
        live.kill()
    assert not [path for path in made["dead"] if os.path.lexists(path)]
    assert all(path.exists() for path in made["kept"])
    assert hidden(folder) == []
    assert_consistent(folder)


def test_nothing_is_cleaned_without_the_output_lock(planned: Path) -> None:
    made = _debris(planned / "x", dead_pid(), os.getpid())
    refresh_manifest(planned / "x")  # no lock: another run might own the temporaries
    assert all(os.path.lexists(path) for path in made["dead"])


def test_a_retired_folder_of_a_dead_run_is_restored(planned: Path, bare: Path) -> None:
    before = tree(planned / "x")
    (planned / "x").rename(planned / f".x.{dead_pid()}.old")
    with output_lock(planned / "x"):
        refresh_manifest(planned / "x")
    assert set(tree(planned / "x")) == set(before) and hidden(planned) == []


# --- defect 4: a folder and its manifest change together ------------------------------------


@pytest.fixture(scope="module")
def sample_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published plan folder of the Porto Alegre sample layers (plan.gpkg), for exports."""
    folder = tmp_path_factory.mktemp("sample") / "plan"
    publish(folder, layer_artifacts(porto_alegre_layers(), formats=["gpkg", "geojson"]))
    return folder


@pytest.fixture
def plan_copy(sample_plan: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "out" / "plan"
    folder.parent.mkdir()
    publish(folder, {name: _copy_of(sample_plan / name) for name in tree(sample_plan)})
    return folder


def _copy_of(source: Path) -> ArtifactWriter:
    return lambda path: path.write_bytes(source.read_bytes())


KILL_AT_THE_MANIFEST = KILL + (
    "from optimizer.export import manifest, staging\n"
    "def refreshed(*args, **kwargs):\n"
    "    kill()\n"
    "manifest.refreshed_manifest = refreshed\n"
    "staging.refreshed_manifest = refreshed\n"
)
"""SIGKILL the process when it is about to re-list a manifest after writing new files."""


def test_an_export_killed_before_its_manifest_leaves_a_consistent_folder(plan_copy: Path) -> None:
    before = tree(plan_copy)
    arguments = ["export", str(plan_copy), "-f", "geojson", "-f", "stations-csv", "-q"]
    result = run_cli(arguments, patch=KILL_AT_THE_MANIFEST)
    assert result.returncode == -9, result.stderr
    assert_consistent(plan_copy)
    assert tree(plan_copy) == before
    result = run_cli(arguments)
    assert result.returncode == 0, result.stderr
    assert_consistent(plan_copy)
    assert "stations.csv" in tree(plan_copy) and hidden(plan_copy.parent) == []


def test_a_dispatch_killed_before_the_plan_manifest_leaves_a_consistent_folder(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    _plan(SURGE, out)
    assert runner.invoke(app, ["dispatch", str(SURGE), "--out", str(out), "-q"]).exit_code == 0
    (out / "surge" / "dispatch" / "moves.csv").write_text("edited by hand\n")
    refresh_manifest(out / "surge" / "dispatch")
    refresh_manifest(out / "surge")
    before = tree(out / "surge")
    result = run_cli(["dispatch", str(SURGE), "--out", str(out), "-q"], patch=KILL_AT_THE_MANIFEST)
    assert result.returncode == -9, result.stderr
    assert_consistent(out / "surge")
    assert tree(out / "surge") == before
    assert runner.invoke(app, ["dispatch", str(SURGE), "--out", str(out), "-q"]).exit_code == 0
    assert_consistent(out / "surge")
    assert tree(out / "surge")["dispatch/moves.csv"] != b"edited by hand\n"
    assert hidden(out) == []


def test_export_never_writes_into_a_file_linked_elsewhere(plan_copy: Path, tmp_path: Path) -> None:
    os.link(plan_copy / "plan.gpkg", tmp_path / "kept.gpkg")
    kept = (tmp_path / "kept.gpkg").read_bytes()
    with output_lock(plan_copy):
        written = update(plan_copy, layer_artifacts(porto_alegre_layers(), formats=["gpkg"]))
    assert written == [plan_copy / "plan.gpkg"]
    assert (tmp_path / "kept.gpkg").read_bytes() == kept
    assert os.stat(tmp_path / "kept.gpkg").st_nlink == 1
    assert_consistent(plan_copy)


def test_a_folder_named_dot_is_rebuilt_beside_itself(
    plan_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``svcplan export .`` from inside the plan folder."""
    monkeypatch.chdir(plan_copy)
    with output_lock(Path(".")):
        update(Path("."), {"note.json": json_writer({"n": 1})})
    assert "note.json" in tree(plan_copy) and hidden(plan_copy.parent) == []
    assert_consistent(plan_copy)


def test_an_output_folder_that_is_a_link_stays_a_link(planned: Path, bare: Path) -> None:
    (planned / "x").rename(planned / "elsewhere")
    (planned / "x").symlink_to(planned / "elsewhere")
    _plan(bare, planned)
    assert (planned / "x").is_symlink() and (planned / "elsewhere" / "summary.json").is_file()
    assert "dispatch/moves.csv" in tree(planned / "x") and hidden(planned) == []


def test_update_needs_a_folder_svcplan_published(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    with pytest.raises(DataError, match="not a folder svcplan published"):
        update(tmp_path / "mine", {"a.json": json_writer({})})
    assert list((tmp_path / "mine").iterdir()) == []
