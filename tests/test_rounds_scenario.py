"""The rural-rounds scenario on Liechtenstein's roads: places no station covers, rounds and
breaks that the independent checker accepts, places off the roads or beyond a shift listed
with their reason beside the plan, places in urban districts (by a layer's flag or by density)
left to the stations, and bad input exiting 2."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from cli import app
from optimizer.errors import DataError
from optimizer.export.layers import validate_layers
from optimizer.export.rounds_layers import ROUNDS
from optimizer.pipeline.rounds import rounds_frame
from optimizer.pipeline.rounds_inputs import RoundsInputs, read_rounds_inputs
from optimizer.pipeline.rounds_layers import rounds_layers
from optimizer.rounds import RoundsSettings, solve_rounds
from optimizer.scenario import load_scenario
from optimizer.scenario_base import DistrictsConfig
from optimizer.solve import SolverLimits, SolveStatus
from tests.rounds_checker import check_rounds

from .conftest import REPO_ROOT

SCENARIO = REPO_ROOT / "scenarios" / "rural-rounds.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def inputs() -> RoundsInputs:
    config = load_scenario(SCENARIO).mobile_rounds
    assert config is not None
    return read_rounds_inputs(config)


def test_places_no_station_covers_get_rounds_the_checker_accepts(inputs: RoundsInputs) -> None:
    status = dict(zip(inputs.places["name"], inputs.places["status"], strict=True))
    assert status["Vaduz"] == "covered" and status["Malbun"] == "visited"
    assert {n for n, s in status.items() if s == "unreachable"} == {
        "Hintertuass",
        "Magrüal",
        "Platta",
        "Tuass",
    }
    problem = inputs.problem
    assert problem is not None
    plan, report = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=2))
    assert report.status == SolveStatus.FEASIBLE
    assert check_rounds(problem, plan) == pytest.approx(report.objective)
    for place, mask in enumerate(plan.patterns):  # the larger villages twice, 2+ days apart
        twice = problem.stop_minutes[place] >= 45 + 0.01 * 2000
        assert bin(mask).count("1") == (2 if twice else 1)


def test_places_beyond_a_shift_are_listed_with_their_reason_beside_the_plan(
    tmp_path: Path,
) -> None:
    path = _scenario_with(tmp_path, "shift_hours: 4 ", "shift_hours: 1.2 ")
    out = tmp_path / "out"
    result = runner.invoke(app, ["rounds", str(path), "--out", str(out), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "Balzers" in result.output and "longer than the 72-minute shift" in result.output
    folder = out / "rural-rounds" / "rounds"
    summary = json.loads((folder / "summary.json").read_text())["mobile_rounds"]
    beyond = {p["name"]: p for p in summary["unreachable_places"] if p["status"] == "beyond_shift"}
    assert set(beyond) == {"Balzers", "Triesenberg", "Ruggell", "Malbun"}
    assert beyond["Balzers"]["reason"].startswith("out and back with its stop takes 109.")
    assert summary["places_visited"] == 6 and summary["stops"] == 6
    places = pd.read_csv(folder / "rounds_places.csv").set_index("name")
    assert places.loc["Malbun", "status"] == "beyond_shift"
    assert "Malbun" not in set(pd.read_csv(folder / "rounds.csv")["place"])


def test_crews_take_their_breaks_and_the_checker_accepts_them(inputs: RoundsInputs) -> None:
    problem = inputs.problem
    assert (problem.break_minutes, problem.max_minutes_before_break) == (15.0, 150.0)
    assert (problem.work_minutes, problem.break_count) == (225.0, 1)
    plan, _ = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    check_rounds(problem, plan)
    for shift in plan.shifts:  # a shift of more than 150 minutes' work breaks once
        worked = shift.back_minutes - shift.leave_minutes - 15 * len(shift.breaks)
        assert len(shift.breaks) == (worked > 150)


def test_a_break_without_its_length_of_work_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = _scenario_with(tmp_path, "  max_minutes_before_break: 150\n", "")
    result = runner.invoke(app, ["rounds", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "mobile_rounds" in result.output and "max_minutes_before_break" in result.output


def _districts(tmp_path: Path, flags: tuple[str, str]) -> DistrictsConfig:
    """Two districts: a box around Triesenberg and Rotenboden, then all the country."""
    boxes = [shapely.box(9.535, 47.105, 9.56, 47.13), shapely.box(9.4, 47.0, 9.7, 47.3)]
    frame = gpd.GeoDataFrame(
        {"name": ["Triesenberg", "Land"], "urban": list(flags)}, geometry=boxes, crs=4326
    )
    path = tmp_path / "districts.geojson"
    frame.to_file(path)
    return DistrictsConfig(path=path, urban_field="urban")


def test_places_in_urban_districts_are_left_to_the_stations(tmp_path: Path) -> None:
    config = load_scenario(SCENARIO).mobile_rounds
    flagged = read_rounds_inputs(
        config.model_copy(update={"districts": _districts(tmp_path, ("urban", "rural"))})
    )
    places = flagged.places.set_index("name")
    urban = set(places.index[places["status"] == "urban"])
    assert urban == {"Triesenberg", "Rotenboden"}
    assert places.loc["Triesenberg", "reason"] == "in urban district Triesenberg"
    assert not set(flagged.problem.place_names) & urban
    # by density: at or above 0 residents per km² every district is urban, nothing is visited
    dense = read_rounds_inputs(
        config.model_copy(update={"districts": DistrictsConfig(urban_min_residents_per_km2=0)})
    )
    assert dense.problem is None and "visited" not in set(dense.places["status"])


def test_a_bad_urban_flag_names_its_row_and_field(tmp_path: Path) -> None:
    config = load_scenario(SCENARIO).mobile_rounds
    update = {"districts": _districts(tmp_path, ("urban", "maybe"))}
    with pytest.raises(DataError, match=r"districts.geojson: urban: row 2: not an urban flag"):
        read_rounds_inputs(config.model_copy(update=update))


def _scenario_text() -> str:
    """The rural-rounds scenario with absolute data paths."""
    text = SCENARIO.read_text(encoding="utf-8").replace("../", f"{REPO_ROOT}/")
    return text.replace("data/rural-rounds/", f"{REPO_ROOT}/scenarios/data/rural-rounds/")


def _scenario_with(tmp_path: Path, old: str, new: str) -> Path:
    text = _scenario_text()
    assert old in text
    path = tmp_path / "rounds.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_negative_residents_exit_2_naming_file_row_and_column(tmp_path: Path) -> None:
    places = tmp_path / "places.csv"
    source = (REPO_ROOT / "geodata" / "liechtenstein" / "places.csv").read_text(encoding="utf-8")
    places.write_text(
        source.replace(
            "Planken,village,47.1858848,9.5452211,430", "Planken,village,47.1858848,9.5452211,-430"
        ),
        encoding="utf-8",
    )
    path = _scenario_with(tmp_path, f"{REPO_ROOT}/geodata/liechtenstein/places.csv", str(places))
    result = runner.invoke(app, ["rounds", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "places.csv" in result.output and "row 3" in result.output
    assert "residents" in result.output
    assert not (tmp_path / "out").exists()


def test_a_working_day_outside_the_period_exits_2_naming_the_field(tmp_path: Path) -> None:
    path = _scenario_with(tmp_path, "working_days: [1, 2, 3, 4, 5]", "working_days: [1, 8]")
    result = runner.invoke(app, ["rounds", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "mobile_rounds" in result.output and "working day 8" in result.output


def test_a_station_off_the_roads_names_its_row(tmp_path: Path) -> None:
    stations = tmp_path / "stations.csv"
    stations.write_text("id,name,lat,lon\nvaduz,Vaduz,47.1392862,9.5227962\nalp,Alp,47.05,9.62\n")
    config = load_scenario(SCENARIO).mobile_rounds
    with pytest.raises(
        DataError, match=r"stations.csv: lat: row 3: station alp is \d+ m from a drivable road"
    ):
        read_rounds_inputs(config.model_copy(update={"stations": stations}))


def test_route_lines_follow_the_roads_from_their_station_and_back(inputs: RoundsInputs) -> None:
    plan, _ = solve_rounds(inputs.problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    layers = rounds_layers(inputs, plan, rounds_frame(inputs, plan))
    validate_layers(layers, layer_set=ROUNDS)
    routes = layers["routes"].to_crs(layers["routes"].estimate_utm_crs())
    stations = inputs.stations.set_index("id")
    for route, line in zip(routes.itertuples(), routes.geometry, strict=True):
        station = gpd.GeoSeries(
            shapely.points([stations.loc[route.station, ["lon", "lat"]].to_numpy(float)]),
            crs="EPSG:4326",
        ).to_crs(routes.crs)[0]
        first, last = shapely.get_point(line, 0), shapely.get_point(line, -1)
        assert first.distance(station) < 500 and last.distance(station) < 500
        # along the roads: at least 3 km of road per 5 minutes of driving (36 km/h)
        assert line.length >= 0.6 * 1000 * route.driving_minutes


def test_a_market_day_window_is_kept(tmp_path: Path) -> None:
    source = (REPO_ROOT / "geodata" / "liechtenstein" / "places.csv").read_text(encoding="utf-8")
    lines = source.splitlines()
    lines[0] += ",open_minutes,close_minutes"
    lines = [lines[0]] + [line + (",120,135" if ",Malbun," in line else ",,") for line in lines[1:]]
    places = tmp_path / "places.csv"
    places.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = load_scenario(SCENARIO).mobile_rounds
    windowed = read_rounds_inputs(config.model_copy(update={"places": places}))
    problem = windowed.problem
    plan, _ = solve_rounds(problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    check_rounds(problem, plan)
    malbun = problem.place_names.index("Malbun")
    starts = [
        s.departure_minutes - problem.stop_minutes[malbun]
        for shift in plan.shifts
        for s in shift.stops
        if s.place == malbun
    ]
    assert starts and all(120 <= start <= 135 + 1e-6 for start in starts)


def test_plan_sites_first_and_its_new_station_covers_places_the_rounds_skip(
    tmp_path: Path, inputs: RoundsInputs
) -> None:
    places = pd.read_csv(REPO_ROOT / "geodata" / "liechtenstein" / "places.csv")
    population = gpd.GeoDataFrame(
        {"population": places["residents"]},
        geometry=gpd.points_from_xy(places["lon"], places["lat"]),
        crs=4326,
    )
    population.to_file(tmp_path / "population.geojson")
    roads = f"{REPO_ROOT}/geodata/liechtenstein/liechtenstein-latest.osm.pbf"
    stations = f"{REPO_ROOT}/scenarios/data/rural-rounds/stations.csv"
    siting = f"""
region: {{roads: {roads}, population: {{path: population.geojson}}}}
siting:
  objective: max_cover
  travel_mode: drive
  coverage_minutes: 5
  max_stations: 4
  density: null
  candidates: {{grid_spacing_meters: null, points_of_interest: false}}
  existing_stations: {{path: {stations}}}
outputs: {{formats: []}}
"""
    path = tmp_path / "plan.yaml"
    path.write_text(_scenario_text() + siting, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(path), "--out", str(out), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "station siting" in result.output and "rounds: rural-rounds:" in result.output
    engines = json.loads((out / "rural-rounds" / "summary.json").read_text())["engines"]
    assert list(engines) == ["siting", "mobile_rounds"]
    rounds = engines["mobile_rounds"]
    assert engines["siting"]["new_stations"] == 1 and rounds["stations_planned_in_this_run"] == 4
    alone = int((inputs.places["status"] == "covered").sum())
    assert rounds["places_covered_by_stations"] > alone
    assert rounds["places_visited"] == len(inputs.visited) - (
        rounds["places_covered_by_stations"] - alone
    )
    assert (out / "rural-rounds" / "rounds.csv").is_file()


def test_validate_data_checks_the_places_and_the_district_layer(tmp_path: Path) -> None:
    layer = _districts(tmp_path, ("urban", "maybe")).path
    district = f"coverage_minutes: 5\n  districts: {{path: {layer}, urban_field: urban}}"
    path = _scenario_with(tmp_path, "coverage_minutes: 5", district)
    result = runner.invoke(app, ["validate", "--data", str(path)])
    assert result.exit_code == 2
    assert "districts.geojson: urban: row 2: not an urban flag" in result.output
