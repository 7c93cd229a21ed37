"""``svcplan sweep`` (issue #21): grids, the local and Dask executors agreeing, a killed Dask
worker's task run again, failed variants beside finished ones, and ``--resume``.

The variants are a six-corner street network (``tests/data/oneway_streets.osm``) with six
places of residents: each plans in well under a second, so the time goes to starting workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from typer.testing import CliRunner

from cli import app
from optimizer import api
from optimizer.errors import ScenarioError
from optimizer.export.manifest import is_complete
from optimizer.parallel import open_executor
from optimizer.sweep.grid import load_grid

from .conftest import REPO_ROOT
from .sweep_tasks import sleepy_task

distributed = pytest.importorskip("distributed")

GRID = "siting.coverage_minutes: [0.5, 3]\nsiting.density.residents_per_station: [300, 1000]\n"
TIMINGS = {"solve_seconds", "run_seconds"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A siting scenario on six street corners (``formats: []``: no maps to draw)."""
    folder = tmp_path_factory.mktemp("tiny")
    places = [(10.0, 50.0), (10.001, 50.0), (10.001, 50.001), (10.0, 50.001), (9.999, 50.0005)]
    places.append((10.0005, 50.0005))
    gpd.GeoDataFrame(
        {"id": [f"p{i}" for i in range(6)], "population": [300, 200, 400, 100, 250, 150]},
        geometry=[shapely.Point(place) for place in places],
        crs=4326,
    ).to_file(folder / "people.geojson", driver="GeoJSON")
    roads = REPO_ROOT / "tests" / "data" / "oneway_streets.osm"
    (folder / "tiny.yaml").write_text(
        f"name: tiny\nregion:\n  roads: {roads}\n  population: {{path: people.geojson}}\n"
        "  districts: {derive_h3_resolution: 7, urban_min_residents_per_km2: 1}\n"
        "siting:\n  coverage_minutes: 1\n"
        "  candidates: {grid_spacing_meters: null, points_of_interest: false}\n"
        "  density: {residents_per_station: 500}\n"
        "solver: {time_limit_seconds: 10}\noutputs: {formats: []}\n",
        encoding="utf-8",
    )
    (folder / "grid.yaml").write_text(GRID, encoding="utf-8")
    return folder / "tiny.yaml"


def _results(outcome: api.SweepOutcome) -> list[dict[str, object]]:
    """The rows without their timings (what two executors must agree on)."""
    return [{k: v for k, v in row.items() if k not in TIMINGS} for row in outcome.rows]


@pytest.fixture(scope="module")
def cluster() -> object:
    """A Dask LocalCluster reached by its address: one worker, a thread of this process, which
    has imported the engines already (a worker process would import them again: seconds on a
    busy machine; the kill test runs worker processes)."""
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as local:
        yield local


def test_the_local_pool_and_a_dask_cluster_give_the_same_sweep(
    tiny: Path, tmp_path: Path, cluster: distributed.LocalCluster
) -> None:
    grid = tiny.parent / "grid.yaml"
    local = api.sweep(tiny, grid, out_dir=tmp_path / "local", executor="local", workers=1)
    dask = api.sweep(
        tiny, grid, out_dir=tmp_path / "dask", executor="dask", address=cluster.scheduler_address
    )
    assert (local.executor, local.slots, dask.executor, dask.slots) == ("local", 1, "dask", 1)
    assert local.threads_per_task == dask.threads_per_task
    assert _results(local) == _results(dask)
    assert [row["variant"] for row in local.rows] == [
        "coverage_minutes-0.5_residents_per_station-300",
        "coverage_minutes-0.5_residents_per_station-1000",
        "coverage_minutes-3_residents_per_station-300",
        "coverage_minutes-3_residents_per_station-1000",
    ]
    assert [row["stations"] for row in local.rows] == [5, 5, 5, 2]
    assert all(row["status"] == "optimal" and row["error"] is None for row in local.rows)
    for outcome in (local, dask):
        assert all(is_complete(outcome.folder / row["variant"]) for row in outcome.rows)
        assert is_complete(outcome.folder / "comparison")
        csv = (outcome.folder / "comparison" / "sweep.csv").read_text(encoding="utf-8")
        assert (
            csv.count("\n") == 5
            and (outcome.folder / "comparison" / "tradeoffs.png").stat().st_size
        )


def test_resume_skips_complete_variants_and_reruns_the_rest(tiny: Path, tmp_path: Path) -> None:
    grid = tiny.parent / "grid.yaml"
    first = api.sweep(tiny, grid, out_dir=tmp_path, executor="serial")
    spoilt = first.folder / first.rows[1]["variant"] / "siting_plan.json"
    spoilt.write_text("{}", encoding="utf-8")  # its manifest no longer agrees
    again = api.sweep(tiny, grid, out_dir=tmp_path, executor="serial", resume=True)
    assert [row["resumed"] for row in again.rows] == [True, False, True, True]
    assert _results(again) == [
        {**row, "resumed": index != 1} for index, row in enumerate(_results(first))
    ]
    limited = api.sweep(
        tiny, grid, out_dir=tmp_path, executor="serial", resume=True, time_limit_seconds=5
    )
    assert not any(row["resumed"] for row in limited.rows)  # other limits: other outputs


def test_a_failed_variant_is_reported_and_the_others_finish(tiny: Path, tmp_path: Path) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        "siting.typed_posts:\n  - []\n  - [{category: harbour, post_type: ferry_desk}]\n",
        encoding="utf-8",
    )
    outcome = api.sweep(tiny, grid, out_dir=tmp_path, executor="serial")
    ok, failed = outcome.rows
    assert ok["status"] == "optimal" and ok["error"] is None
    assert failed["status"] == "failed" and "harbour" in failed["error"]
    assert outcome.failed == [failed]
    assert is_complete(outcome.folder / ok["variant"])
    assert not (outcome.folder / failed["variant"]).exists()


@pytest.mark.parametrize(
    ("grid", "expected"),
    [
        ("siting.coverage_minutes: 15\n", r"grid.yaml:1: siting.coverage_minutes: expected a list"),
        (
            "siting.coverage_minutes: []\n",
            r"grid.yaml:1: siting.coverage_minutes: expected at least",
        ),
        (
            "siting:\n  coverge_minutes: [1, 2]\n",
            r"grid.yaml:2: siting.coverge_minutes: unknown key .*did you mean 'coverage_minutes'"
            r".*\(in 2 of 2 variants\)",
        ),
        (
            "siting.coverage_minutes: [1, -5]\n",
            r"grid.yaml:1: siting.coverage_minutes: must be > 0 \(got -5\) \(in 1 of 2 variants\)",
        ),
        ("name.first: [a]\n", r"grid.yaml:1: name.first: name is not a mapping in the scenario"),
        ("siting: [1]\nsiting.objective: [cover]\n", r"grid.yaml:2: siting.objective: lies inside"),
        ("[1, 2]\n", r"grid.yaml:1: expected a mapping at the top level"),
    ],
)
def test_a_bad_grid_names_file_line_and_key(
    tiny: Path, tmp_path: Path, grid: str, expected: str
) -> None:
    path = tmp_path / "grid.yaml"
    path.write_text(grid, encoding="utf-8")
    with pytest.raises(ScenarioError, match=expected):
        load_grid(tiny, path)


def test_a_bad_grid_exits_2_before_anything_runs(tiny: Path, tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text("[siting]\ncoverage_minutes = [1, 0]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(tiny), "--grid", str(grid), "--out", str(out)])
    assert result.exit_code == 2
    assert "grid.toml:2: siting.coverage_minutes: must be > 0" in result.output
    assert not out.exists()


def test_a_killed_dask_worker_has_its_task_run_again(tmp_path: Path) -> None:
    names = ["a", "b", "c", "d"]
    with open_executor("dask", workers=2) as executor:
        results = executor.run(sleepy_task, [(str(tmp_path), name) for name in names])
        deadline = time.monotonic() + 60
        while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        victim = next(tmp_path.iterdir())
        os.kill(int(victim.suffix.lstrip(".")), signal.SIGKILL)  # a worker we started
        finished = list(results)
    assert sorted(result.value for result in finished) == names  # none lost, none twice
    assert all(result.ok for result in finished)
    attempts = sorted(path.stem for path in tmp_path.iterdir())
    assert attempts.count(victim.stem) == 2  # the killed worker's task ran again


def test_dask_is_imported_only_by_its_executor() -> None:
    code = (
        "import sys, cli, optimizer.parallel, optimizer.parallel.local; "
        "print([m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
