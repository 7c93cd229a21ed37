"""The svcplan command line: exit codes, one-line errors, outputs and the JSON summary."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import h3
import pytest
from rich.console import Console
from typer.testing import CliRunner

import cli
from cli import app
from optimizer.api import PlanOutcome
from optimizer.export.staging import publish
from optimizer.export.tables import json_writer

from .conftest import REPO_ROOT, SAMPLE_SCENARIO
from .test_scenario import BROKEN

runner = CliRunner()
SAMPLE_TEXT = SAMPLE_SCENARIO.read_text().replace("../geodata", str(REPO_ROOT / "geodata"))
SAMPLE_PEOPLE = REPO_ROOT / "geodata" / "porto_alegre" / "poa_hexgrid_h3.gpkg"
#: Two H3 resolution-7 districts of central Porto Alegre (72 hexagons, 93,569 residents).
CENTRAL_DISTRICTS = {"87a901288ffffff", "87a90128effffff"}


@pytest.fixture
def region_only(tmp_path: Path) -> Path:
    """The sample scenario without its siting section: validates and plans in a second."""
    path = tmp_path / "region-only.yaml"
    path.write_text(SAMPLE_TEXT.split("\nsiting:")[0] + "\n")
    return path


def test_validate_sample_exits_0() -> None:
    result = runner.invoke(app, ["validate", str(SAMPLE_SCENARIO)])
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout and "porto-alegre" in result.stdout


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_broken_exits_2_with_one_line_and_no_traceback(tmp_path: Path, case: str) -> None:
    content, line, _ = BROKEN[case]
    path = tmp_path / "broken.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"error: {path}:{line}: ")
    assert "Traceback" not in result.output


def test_validate_reports_every_file_and_fails_if_one_is_bad(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: ok\nsolver: {seed: -1}\n")
    result = runner.invoke(app, ["validate", "--json", str(SAMPLE_SCENARIO), str(bad)])
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert [item["valid"] for item in report] == [True, False]
    assert report[1]["problems"] == [f"{bad}:2: solver.seed: must be >= 0 (got -1)"]


def test_schema_command_prints_the_committed_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    committed = (REPO_ROOT / "scenarios" / "scenario.schema.json").read_text()
    assert json.loads(result.stdout) == json.loads(committed)


def test_plan_writes_summary_and_manifest(tmp_path: Path, region_only: Path) -> None:
    result = runner.invoke(app, ["plan", str(region_only), "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    folder = tmp_path / "porto-alegre"
    assert json.loads((folder / "summary.json").read_text()) == summary
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [item["path"] for item in manifest["outputs"]] == ["summary.json"]
    assert {Path(item["path"]).name for item in manifest["inputs"]} >= {"poa_osm.pbf"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging left behind"


def test_global_options_before_the_command_work_too(tmp_path: Path, region_only: Path) -> None:
    result = runner.invoke(app, ["--out", str(tmp_path), "--quiet", "plan", str(region_only)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert (tmp_path / "porto-alegre" / "summary.json").is_file()


def _printed(monkeypatch: pytest.MonkeyPatch, render: Callable[[], None]) -> str:
    """What ``render`` (one of the CLI's printing functions) prints on the CLI's stdout."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, highlight=False, soft_wrap=True)
    monkeypatch.setattr(cli, "stdout", console)
    render()
    return buffer.getvalue()


def test_plan_prints_the_siting_figures(
    porto_alegre_plan: PlanOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `svcplan plan` prints for the sample, rendered by the CLI's own printing code from
    the plan solved once for the session (conftest), not from a second solve."""
    text = _printed(monkeypatch, lambda: cli._print_plan(porto_alegre_plan))
    assert "residents within 15 min" in text
    assert "of 812,935 (" in text
    assert "urban districts meeting density" in text
    assert "HiGHS" not in text
    assert f"outputs: {porto_alegre_plan.folder}/" in text
    preparation = porto_alegre_plan.summary["engines"]["siting"]["preparation_seconds"]
    assert preparation > 0 and f"data prepared in {preparation:.1f} s" in text


def test_plan_end_to_end_keeps_solver_output_off_stdout(tmp_path: Path) -> None:
    """`svcplan plan` in its own process, so that what the solver prints natively on file
    descriptor 1 (HiGHS' banner, once per process) would reach stdout if the CLI let it. The
    scenario is the sample with `objective: cover` on two central districts' residents only,
    so that the sample city is not solved twice in a test session."""
    people = tmp_path / "people.gpkg"
    cells = gpd.read_file(SAMPLE_PEOPLE)
    central = [h3.cell_to_parent(cell, 7) in CENTRAL_DISTRICTS for cell in cells["id"]]
    cells[central].to_file(people, layer="poa_hexgrid")
    scenario = tmp_path / "cover.yaml"
    text = SAMPLE_TEXT.replace("objective: lexicographic", "objective: cover")
    assert str(SAMPLE_PEOPLE) in text  # else the whole city would be solved again
    text = text.replace(str(SAMPLE_PEOPLE), str(people))
    scenario.write_text(text.replace("formats: [gpkg, html, png]", "formats: [gpkg]"))
    result = subprocess.run(
        [sys.executable, "-m", "cli", "plan", str(scenario), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "120"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "residents within 15 min" in result.stdout
    assert "urban districts meeting density" in result.stdout
    assert "HiGHS" not in result.stdout
    summary = json.loads((tmp_path / "out" / "porto-alegre" / "summary.json").read_text())
    siting = summary["engines"]["siting"]
    assert siting["objective"] == "cover"
    assert siting["status"] == "optimal"


def test_plan_on_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsiting: {coverage_minutes: 15}\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {bad}:2: siting: needs a region or regions section\n"
    assert not out.exists()


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 2
    assert "cannot read scenario file" in result.stderr
    debug = runner.invoke(app, ["plan", "--debug", str(missing)])
    assert debug.exception is not None and debug.exit_code != 0


def test_interrupted_publish_keeps_the_previous_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "plan"
    publish(folder, {"summary.json": json_writer({"run": 1})})

    def crash(path: Path) -> None:
        path.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish(folder, {"summary.json": json_writer({"run": 2}), "z.csv": crash})
    assert json.loads((folder / "summary.json").read_text()) == {"run": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_console_script_exit_code_for_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsiting:\n  covrage_minutes: 15\n")
    result = subprocess.run(
        [sys.executable, "-m", "cli", "validate", str(bad)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {bad}:3: siting.covrage_minutes: unknown key 'covrage_minutes'; "
        "did you mean 'coverage_minutes'?"
    ]


@pytest.mark.parametrize("defect", ["truncated_pbf", "missing_population_field", "no_crs"])
def test_bad_geodata_exits_2_naming_the_file_and_writes_nothing(
    tmp_path: Path, defect: str
) -> None:
    import geopandas as gpd

    text = SAMPLE_TEXT.replace("objective: lexicographic", "objective: cover")
    roads = REPO_ROOT / "geodata" / "porto_alegre" / "poa_osm.pbf"
    people = REPO_ROOT / "geodata" / "porto_alegre" / "poa_hexgrid_h3.gpkg"
    if defect == "truncated_pbf":
        bad = tmp_path / "roads.osm.pbf"
        bad.write_bytes(roads.read_bytes()[:300_000])
        text = text.replace(str(roads), str(bad))
    elif defect == "missing_population_field":
        bad = people
        text = text.replace("population_field: population", "population_field: inhabitants")
    else:
        bad = tmp_path / "people.shp"
        gpd.read_file(people).head(50).to_file(bad)
        bad.with_suffix(".prj").unlink()  # a shapefile without its .prj has no CRS
        text = text.replace(str(people), str(bad)).replace("    layer: poa_hexgrid\n", "")
    scenario = tmp_path / "bad-geodata.yaml"
    scenario.write_text(text)
    result = runner.invoke(app, ["plan", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}"), lines
    assert not (tmp_path / "out").exists()
