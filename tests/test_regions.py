"""Multi-region scenarios (issue #21): regions that cannot interact are planned as separate
tasks and merged into one plan that equals each region planned alone; the local pool and a
Dask cluster give the same plan; regions that can interact are grouped and refused with their
distance; bad region sections get one line naming file, line and field.

The regions are Liechtenstein's municipalities (``geodata/liechtenstein``), split into the
north (Unterland) and the south (Balzers, Triesen, Triesenberg), about 10 km apart.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from optimizer import api
from optimizer.errors import ScenarioError
from optimizer.parallel import ExecutorChoice
from optimizer.pipeline.limits import solver_limits
from optimizer.pipeline.regions_reach import interaction_groups, interactions, region_extent
from optimizer.scenario import load_scenario

from .conftest import REPO_ROOT

LIECHTENSTEIN = REPO_ROOT / "geodata" / "liechtenstein"
PORTO_ALEGRE = REPO_ROOT / "geodata" / "porto_alegre"
ROADS = LIECHTENSTEIN / "liechtenstein-latest.osm.pbf"
TIMINGS = {"seconds", "preparation_seconds"}

SCENARIO = f"""\
name: two
regions:
  - name: north
    roads: {ROADS}
    population: {{path: north.geojson}}
  - name: south
    roads: {ROADS}
    population: {{path: south.geojson}}
    siting: {{coverage_minutes: 10, candidates: {{grid_spacing_meters: 800}}}}
siting:
  coverage_minutes: 15
  candidates: {{grid_spacing_meters: 1000, points_of_interest: false}}
  density: {{residents_per_station: 3000}}
solver: {{time_limit_seconds: 20}}
outputs: {{formats: [gpkg]}}
"""


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two-region scenario, and the population layers of north, centre and south."""
    folder = tmp_path_factory.mktemp("regions")
    municipalities = gpd.read_file(LIECHTENSTEIN / "municipalities.geojson")
    latitude = municipalities.geometry.y
    parts = {"north": latitude > 47.19, "centre": latitude.between(47.13, 47.17)}
    parts["south"] = latitude < 47.125
    for name, rows in parts.items():
        municipalities[rows].to_file(folder / f"{name}.geojson", driver="GeoJSON")
    (folder / "two.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder / "two.yaml"


@pytest.fixture(scope="module")
def merged(regions: Path, tmp_path_factory: pytest.TempPathFactory) -> api.PlanOutcome:
    """The two-region scenario planned in this process."""
    out = tmp_path_factory.mktemp("merged")
    return api.plan(regions, out_dir=out, executor=ExecutorChoice("serial"))


def _solo(regions: Path, name: str, out: Path) -> dict:
    """One region of the scenario planned alone, as a one-region scenario."""
    scenario = load_scenario(regions)
    region = next(item for item in scenario.regions if item.name == name)
    alone = scenario.model_copy(
        update={
            "region": region,
            "regions": None,
            "siting": scenario.region_siting(region),
            "name": name,
        }
    )
    limits = solver_limits(scenario.solver)
    outcome = api.plan_scenario(alone, out / name, limits=limits)
    return outcome.summary["engines"]["siting"]


def test_the_merged_plan_is_each_region_planned_alone(
    regions: Path, merged: api.PlanOutcome, tmp_path: Path
) -> None:
    siting = merged.summary["engines"]["siting"]
    stations = gpd.read_file(merged.folder / "plan.gpkg", layer="stations")
    demand = gpd.read_file(merged.folder / "plan.gpkg", layer="demand")
    assert siting["tasks"] == [["north"], ["south"]]
    assert stations["station_id"].is_unique
    for row in siting["regions"]:
        name = row["region"]
        alone = _solo(regions, name, tmp_path)
        assert row["solve"]["objective"] == pytest.approx(alone["solve"]["objective"])
        assert row["stations"] == alone["stations"]
        ids = stations.loc[stations["region"] == name, "station_id"]
        alone_ids = gpd.read_file(tmp_path / name / "plan.gpkg", layer="stations")
        assert sorted(ids) == sorted(f"{name}/{own}" for own in alone_ids["station_id"])
        mine = demand[demand["region"] == name]
        covered = float(mine.loc[mine["covered"], "residents"].sum())
        assert covered == pytest.approx(alone["covered_residents"])
        assert row["coverage_minutes"] == (15 if name == "north" else 10)
    assert siting["stations"] == len(stations)
    residents, covered = demand["residents"].sum(), demand.loc[demand["covered"], "residents"].sum()
    assert siting["coverage_percent"] == pytest.approx(100 * covered / residents)
    assert siting["coverage_minutes"] is None  # the regions differ
    assert siting["solve"]["objective"] == pytest.approx(
        sum(row["solve"]["objective"] for row in siting["regions"])
    )


def _without_timings(value: object) -> object:
    """``value`` (a summary) with every timing left out, at any depth."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [_without_timings(item) for item in value]
    return value


def _executor_plan(regions: Path, folder: Path, choice: ExecutorChoice) -> tuple[object, object]:
    """The scenario planned on ``choice``: its summary without timings, its stations layer."""
    outcome = api.plan(regions, out_dir=folder, executor=choice)
    stations = gpd.read_file(outcome.folder / "plan.gpkg", layer="stations")
    return _without_timings(outcome.summary), stations


def test_the_local_pool_gives_the_plan_made_in_process(
    regions: Path, merged: api.PlanOutcome, tmp_path: Path
) -> None:
    summary, stations = _executor_plan(regions, tmp_path, ExecutorChoice("local", workers=1))
    assert summary == _without_timings(merged.summary)
    assert stations.equals(gpd.read_file(merged.folder / "plan.gpkg", layer="stations"))


def test_a_dask_cluster_gives_the_plan_made_in_process(
    regions: Path, merged: api.PlanOutcome, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
    ) as cluster:
        choice = ExecutorChoice("dask", address=cluster.scheduler_address)
        summary, stations = _executor_plan(regions, tmp_path, choice)
    assert summary == _without_timings(merged.summary)
    assert stations.equals(gpd.read_file(merged.folder / "plan.gpkg", layer="stations"))


THREE = f"""\
name: three
regions:
  - {{name: north, roads: {ROADS}, population: {{path: north.geojson}}}}
  - {{name: centre, roads: {ROADS}, population: {{path: centre.geojson}}}}
  - {{name: south, roads: {ROADS}, population: {{path: south.geojson}}}}
siting:
  coverage_minutes: 15
  candidates: {{grid_spacing_meters: 1000, points_of_interest: false}}
  density: {{residents_per_station: 3000}}
solver: {{time_limit_seconds: 20}}
outputs: {{formats: [gpkg]}}
"""


def test_regions_within_reach_are_grouped(regions: Path) -> None:
    folder = regions.parent
    (folder / "three.yaml").write_text(THREE, encoding="utf-8")
    scenario = load_scenario(folder / "three.yaml")
    names = ["north", "centre", "south"]
    sitings = [scenario.region_siting(region) for region in scenario.regions]
    extents = [
        region_extent(region, siting)
        for region, siting in zip(scenario.regions, sitings, strict=True)
    ]
    pairs = interactions(extents)  # on foot: 2.2 km of reach (1.2 km walked, two snaps)
    assert [(pair.first, pair.second) for pair in pairs] == [("centre", "south")]
    assert pairs[0].reach_meters == pytest.approx(15 / 60 * 4.8 * 1000 + 2 * 500)
    assert pairs[0].gap_meters < pairs[0].reach_meters
    assert interaction_groups(names, pairs) == [["north"], ["centre", "south"]]
    drive = [siting.model_copy(update={"travel_mode": "drive"}) for siting in sitings]
    extents = [
        region_extent(region, siting)
        for region, siting in zip(scenario.regions, drive, strict=True)
    ]
    pairs = interactions(extents)  # by car: 33.5 km
    assert len(pairs) == 3 and all(pair.gap_meters <= pair.reach_meters for pair in pairs)
    assert interaction_groups(names, pairs) == [names]


def test_regions_within_reach_are_planned_as_one_problem(regions: Path, tmp_path: Path) -> None:
    folder = regions.parent
    (folder / "three.yaml").write_text(THREE, encoding="utf-8")
    outcome = api.plan(folder / "three.yaml", out_dir=tmp_path, executor=ExecutorChoice("serial"))
    siting = outcome.summary["engines"]["siting"]
    assert siting["tasks"] == [["north"], ["centre", "south"]]
    assert siting["interactions"] == ["centre and south are 0.3 km apart, within 2.2 km of reach"]
    joint = siting["regions"][1]
    assert joint["region"] == "centre+south"
    both = gpd.GeoDataFrame(
        pd.concat([gpd.read_file(folder / f"{name}.geojson") for name in ("centre", "south")]),
        crs=4326,
    )
    both.to_file(folder / "centre-south.geojson", driver="GeoJSON")
    alone = load_scenario(folder / "three.yaml")
    region = alone.regions[1].model_copy(
        update={
            "population": alone.regions[1].population.model_copy(
                update={"path": folder / "centre-south.geojson"}
            )
        }
    )
    one = alone.model_copy(update={"region": region, "regions": None, "name": "one"})
    single = api.plan_scenario(one, tmp_path / "one", limits=solver_limits(one.solver))
    expected = single.summary["engines"]["siting"]
    assert joint["solve"]["objective"] == pytest.approx(expected["solve"]["objective"])
    assert joint["stations"] == expected["stations"]
    assert joint["covered_residents"] == pytest.approx(expected["covered_residents"])
    layers = outcome.folder / "plan.gpkg"
    stations = gpd.read_file(layers, layer="stations")
    demand = gpd.read_file(layers, layer="demand")
    assert stations["station_id"].is_unique
    prefix = stations["station_id"].str.split("/").str[0]
    assert (prefix == stations["region"]).all()
    assert set(stations["region"]) == {"north", "centre", "south"}
    centre = set(gpd.read_file(folder / "centre.geojson")["id"])
    assert (demand["region"] == "centre").sum() == len(centre)
    assert set(demand.loc[demand["region"] == "centre", "demand_id"]) == centre


def test_regions_within_reach_that_differ_are_refused(regions: Path, tmp_path: Path) -> None:
    folder = regions.parent
    text = THREE.replace(
        "population: {path: south.geojson}}",
        "population: {path: south.geojson}, siting: {coverage_minutes: 10}}",
    )
    (folder / "differ.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["plan", str(folder / "differ.yaml"), "--out", str(tmp_path), "--executor", "serial"]
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "error: regions: centre and south are 0.3 km apart, within 2.2 km of reach, so they are "
        "planned as one problem, which needs the same siting.coverage_minutes; make them equal, "
        "or plan the regions as one region\n"
    )
    assert not list(tmp_path.iterdir())
    checked = CliRunner().invoke(app, ["validate", "--data", str(folder / "differ.yaml")])
    assert checked.exit_code == 2
    assert checked.stderr == result.stderr


def _problems(folder: Path, text: str) -> list[str]:
    path = folder / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_scenario(path)
    return [problem.replace(f"{path}:", "") for problem in error.value.problems]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("  - name: south\n", "  - name: north\n"), ["2: regions: region name(s) north repeat"]),
        (
            ("siting: {coverage_minutes: 10,", "siting: {coverage_minutes: -1,"),
            ["9: regions.1.siting.coverage_minutes: must be > 0 (got -1)"],
        ),
        (
            ("  coverage_minutes: 15\n", "  coverage_minutes: 0\n"),
            ["11: siting.coverage_minutes: must be > 0 (got 0)"],
        ),
        (
            (
                "    population: {path: south.geojson}\n",
                "    population: {path: nowhere.geojson}\n",
            ),
            ["8: regions.1.population.path: file not found: {folder}/nowhere.geojson"],
        ),
        (
            ("  - name: north\n", "  - name: north\n    road: x\n"),
            ["4: regions.0.road: unknown key 'road'; did you mean 'roads'?"],
        ),
        (("name: two\n", "name: two\nregion: {roads: x}\n"), None),
        (("siting:\n  coverage", "other:\n  coverage"), None),
    ],
)
def test_bad_region_sections_name_file_line_and_field(
    regions: Path, tmp_path: Path, change: tuple[str, str], expected: list[str] | None
) -> None:
    text = regions.read_text(encoding="utf-8")
    assert change[0] in text
    problems = _problems(regions.parent, text.replace(change[0], change[1], 1))
    if expected is not None:
        assert problems == [line.format(folder=regions.parent) for line in expected]
    else:
        assert problems


def test_validate_data_checks_every_region(regions: Path) -> None:
    text = regions.read_text(encoding="utf-8").replace(
        "population: {path: south.geojson}",
        "population: {path: south.geojson, population_field: people}",
    )
    path = regions.parent / "fields.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--data", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {regions.parent / 'south.geojson'}: people: no such field; the layer has 3 "
        "other fields\n"
    )


def test_regions_far_apart_get_a_png_map_each(regions: Path, tmp_path: Path) -> None:
    """Liechtenstein's north (UTM 32N) and twelve hexagons of central Porto Alegre (UTM 22S)."""
    folder = regions.parent
    hexagons = gpd.read_file(PORTO_ALEGRE / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    centre = hexagons.geometry.to_crs(32722).centroid.to_crs(4326)
    nearest = np.argsort(np.hypot(centre.x + 51.2177, centre.y + 30.0346))[:12]
    hexagons.iloc[nearest][["id", "population", "geometry"]].to_file(
        folder / "poa.geojson", driver="GeoJSON"
    )
    text = SCENARIO.replace("name: two\n", "name: apart\n").replace(
        f"  - name: south\n    roads: {ROADS}\n    population: {{path: south.geojson}}\n",
        f"  - name: poa\n    roads: {PORTO_ALEGRE / 'poa_osm.pbf'}\n"
        "    population: {path: poa.geojson}\n",
    )
    text = text.replace("outputs: {formats: [gpkg]}", "outputs: {formats: [gpkg, png]}")
    (folder / "apart.yaml").write_text(text, encoding="utf-8")
    outcome = api.plan(folder / "apart.yaml", out_dir=tmp_path, executor=ExecutorChoice("serial"))
    names = sorted(path.name for path in outcome.folder.iterdir())
    assert "map_north.png" in names and "map_poa.png" in names and "map.png" not in names
    stations = gpd.read_file(outcome.folder / "plan.gpkg", layer="stations")
    assert stations.crs.to_epsg() == 4326
    assert set(stations["region"]) == {"north", "poa"}
    siting = outcome.summary["engines"]["siting"]
    assert siting["coverage_minutes"] is None  # south's 10 minutes are poa's now: 10 and 15


def test_a_sweep_plans_the_regions_of_every_variant(regions: Path, tmp_path: Path) -> None:
    grid = regions.parent / "grid.yaml"
    grid.write_text(
        "siting.objective: [max_cover]\nsiting.max_stations: [2, 3]\nsiting.density: [null]\n"
        "outputs.formats: [[]]\n",
        encoding="utf-8",
    )
    outcome = api.sweep(regions, grid, out_dir=tmp_path, executor="serial")
    assert [row["status"] for row in outcome.rows] == ["optimal", "optimal"]
    for row in outcome.rows:
        summary = json.loads((outcome.folder / row["variant"] / "summary.json").read_text())
        siting = summary["engines"]["siting"]
        assert [item["region"] for item in siting["regions"]] == ["north", "south"]
        assert row["stations"] == sum(item["stations"] for item in siting["regions"])
    assert [row["stations"] for row in outcome.rows] == [2 + 2, 3 + 3]  # per region
