"""``svcplan validate --data``: the data files a scenario names, their columns, ids and
cross-references, checked before any run; each problem one line naming file and field, exit 2.

Every case is a copy of a bundled scenario with one defect, in ``tmp_path``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import REPO_ROOT

runner = CliRunner()
SCENARIOS = REPO_ROOT / "scenarios"
SAMPLES = ["porto-alegre", "tourist-peak", "surge"]
POI = REPO_ROOT / "geodata" / "porto_alegre" / "poa_points_of_interest.csv"
HISTORY = REPO_ROOT / "geodata" / "auckland" / "pedestrians_daily.csv"
POPULATION = REPO_ROOT / "geodata" / "porto_alegre" / "poa_hexgrid_h3.gpkg"


def _scenario(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of a bundled scenario with absolute data paths and each ``(old, new)`` edit."""
    text = (SCENARIOS / f"{name}.yaml").read_text()
    text = text.replace("../geodata", str(REPO_ROOT / "geodata"))
    text = text.replace(" data/", f" {SCENARIOS}/data/")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def _data_copy(tmp_path: Path, source: Path, edit: object) -> Path:
    """A copy of a CSV data file changed by ``edit`` (a function of its frame)."""
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    path = tmp_path / source.name
    edit(frame).to_csv(path, index=False)  # type: ignore[operator]
    return path


def _one_error(scenario: Path) -> str:
    """The one error line of ``validate --data``, after checking exit 2 and no traceback."""
    result = runner.invoke(app, ["validate", "--data", str(scenario)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize("name", SAMPLES)
def test_the_bundled_samples_pass(name: str) -> None:
    result = runner.invoke(app, ["validate", "--data", str(SCENARIOS / f"{name}.yaml")])
    assert result.exit_code == 0, result.output
    assert "data files checked" in result.stdout


def test_a_typed_post_whose_category_no_place_has(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path, "porto-alegre", ("{category: medical, post_type", "{category: stadium, post_type")
    )
    line = _one_error(scenario)
    assert line.startswith(f"error: {POI}: category: typed post 'barrier_free' needs places")
    assert "'stadium'" in line


def test_a_category_for_a_place_the_file_lacks(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path, "porto-alegre", ("santa_casa_hospital: medical", "santa_casa: medical")
    )
    line = _one_error(scenario)
    assert line == (
        f"error: {POI}: id: point_of_interest_categories names places not in the file: santa_casa"
    )


def test_a_population_id_field_the_layer_lacks(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path,
        "porto-alegre",
        ("population_field: population", "population_field: population\n    id_field: cell"),
    )
    assert _one_error(scenario).startswith(f"error: {POPULATION}: cell: no such field")


def test_a_site_class_naming_an_unknown_site(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path, "tourist-peak", ("      - 107 Quay Street\n", "      - 107 Quay St\n")
    )
    assert _one_error(scenario) == (
        f"error: {HISTORY}: site: staffing.site_classes names sites not in the history: 107 Quay St"
    )


@pytest.mark.parametrize("file", ["partners.csv", "employees.csv"])
def test_a_roster_file_naming_an_unknown_site(tmp_path: Path, file: str) -> None:
    source = SCENARIOS / "data" / "tourist-peak" / file
    broken = _data_copy(
        tmp_path,
        source,
        lambda frame: frame.assign(sites=frame["sites"].str.replace("Quay", "Key")),
    )
    scenario = _scenario(tmp_path, "tourist-peak", (str(source), str(broken)))
    line = _one_error(scenario)
    assert line.startswith(f"error: {broken}: sites: employee ")
    assert "'107 Key Street' is not in the history" in line


def test_requests_of_an_unknown_employee(tmp_path: Path) -> None:
    requests = tmp_path / "requests.csv"
    requests.write_text("employee_id,date,kind\nE01,2026-01-05,off\nE99,2026-01-06,off\n")
    scenario = _scenario(
        tmp_path,
        "tourist-peak",
        ("    shift: day ", f"    requests: {requests}\n    shift: day "),
    )
    assert _one_error(scenario) == (
        f"error: {requests}: employee_id: employees not in employees.csv: 'E99'"
    )


def test_a_roster_shift_the_shift_types_lack(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "tourist-peak", ("    shift: day ", "    shift: night "))
    shift_types = SCENARIOS / "data" / "tourist-peak" / "shift_types.csv"
    assert _one_error(scenario) == f"error: {shift_types}: shift_id: no shift 'night'"


def test_dispatch_regions_without_the_points_drive_times_need(tmp_path: Path) -> None:
    source = SCENARIOS / "data" / "surge" / "regions.csv"
    broken = _data_copy(tmp_path, source, lambda frame: frame.drop(columns=["lat", "lon"]))
    scenario = _scenario(tmp_path, "surge", (str(source), str(broken)))
    assert _one_error(scenario).startswith(
        f"error: {broken}: header: lat and lon are needed for drive times"
    )


def test_dispatch_regions_without_their_id_column(tmp_path: Path) -> None:
    source = SCENARIOS / "data" / "surge" / "regions.csv"
    broken = _data_copy(tmp_path, source, lambda frame: frame.rename(columns={"region": "id"}))
    scenario = _scenario(tmp_path, "surge", (str(source), str(broken)))
    assert _one_error(scenario).startswith(f"error: {broken}: header: missing column(s) region")


@pytest.mark.parametrize(
    ("file", "column"), [("resources.csv", "region"), ("inventory.csv", "site")]
)
def test_dispatch_files_naming_an_unknown_region(tmp_path: Path, file: str, column: str) -> None:
    source = SCENARIOS / "data" / "surge" / file
    broken = _data_copy(
        tmp_path,
        source,
        lambda frame: frame.assign(
            **{column: frame[column].mask(frame.index == 2, "87a90nowhere")}
        ),
    )
    scenario = _scenario(tmp_path, "surge", (str(source), str(broken)))
    assert _one_error(scenario) == (
        f"error: {broken}: {column}: row 4: unknown region '87a90nowhere'"
    )


def test_a_dispatch_team_naming_an_unknown_resource(tmp_path: Path) -> None:
    scenario = _scenario(
        tmp_path,
        "surge",
        (
            "  donors_keep:",
            "  teams: [{name: crew, units_per_team: {paramedic: 2}}]\n  donors_keep:",
        ),
    )
    resources = SCENARIOS / "data" / "surge" / "resources.csv"
    assert _one_error(scenario) == (
        f"error: {resources}: resource: dispatch.teams 'crew' names resource types not in the "
        "file: paramedic"
    )


def test_every_bad_file_is_reported_and_json_lists_them(tmp_path: Path) -> None:
    inventory = SCENARIOS / "data" / "surge" / "inventory.csv"
    bad_inventory = _data_copy(tmp_path, inventory, lambda frame: frame.drop(columns=["item"]))
    resources = SCENARIOS / "data" / "surge" / "resources.csv"
    bad_resources = _data_copy(
        tmp_path,
        resources,
        lambda frame: frame.assign(demand_units=frame["demand_units"].mask(frame.index == 0, "-1")),
    )
    scenario = _scenario(
        tmp_path,
        "surge",
        (str(inventory), str(bad_inventory)),
        (str(resources), str(bad_resources)),
    )
    result = runner.invoke(app, ["validate", "--data", "--json", str(scenario)])
    assert result.exit_code == 2
    [report] = json.loads(result.stdout)
    assert report["valid"] is False
    assert [line.split(": ")[:2] for line in report["problems"]] == [
        [str(bad_resources), "demand_units"],
        [str(bad_inventory), "header"],
    ]


def test_plain_validate_does_not_open_the_data(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "tourist-peak", ("    shift: day ", "    shift: night "))
    assert runner.invoke(app, ["validate", str(scenario)]).exit_code == 0


ENGINE_MODULES = (
    "geopandas",
    "shapely",
    "ortools",
    "highspy",
    "numba",
    "networkx",
    "pandas",
    "numpy",
)
"""Libraries the engines and data readers load; plain ``validate`` needs none of them."""
VALIDATE_AND_LIST_MODULES = """
import runpy, sys
sys.argv = ["cli", "validate", *sys.argv[1:]]
try:
    runpy.run_module("cli", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def test_plain_validate_loads_no_engine_and_stays_within_cpu_bounds() -> None:
    """Plain ``validate`` opens no data file and loads no engine library, so it stays quick:
    within 1.5 s of CPU for all three samples (0.45 s on a quick machine, 0.9–1.2 s on a
    slow one where the interpreter alone starts in 0.2 s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            VALIDATE_AND_LIST_MODULES,
            *(str(SCENARIOS / f"{name}.yaml") for name in SAMPLES),
        ],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    loaded = set(done.stderr.split())
    assert "optimizer" in loaded and loaded.isdisjoint(ENGINE_MODULES), loaded

    assert (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) <= 1.5


def test_validate_data_through_the_console_script(tmp_path: Path) -> None:
    scenario = _scenario(tmp_path, "tourist-peak", ("    shift: day ", "    shift: night "))
    result = subprocess.run(
        [sys.executable, "-m", "cli", "validate", "--data", str(scenario)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {SCENARIOS / 'data' / 'tourist-peak' / 'shift_types.csv'}: shift_id: "
        "no shift 'night'"
    ]
