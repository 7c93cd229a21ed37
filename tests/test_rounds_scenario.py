"""The rural-rounds scenario on Liechtenstein's roads: places no station covers, rounds that the
independent checker accepts, unreachable places reported, and bad input exiting 2 (or, for a
place beyond a shift, named with its reason)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from typer.testing import CliRunner

from cli import app
from optimizer.errors import DataError, InfeasibleError
from optimizer.export.layers import validate_layers
from optimizer.export.rounds_layers import ROUNDS
from optimizer.pipeline.rounds import rounds_frame
from optimizer.pipeline.rounds_inputs import RoundsInputs, read_rounds_inputs
from optimizer.pipeline.rounds_layers import rounds_layers
from optimizer.rounds import RoundsSettings, solve_rounds
from optimizer.scenario import load_scenario
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


def test_a_place_beyond_the_shift_is_named_with_its_reason(inputs: RoundsInputs) -> None:
    short = dataclasses.replace(inputs.problem, shift_minutes=20.0)
    with pytest.raises(InfeasibleError) as raised:
        solve_rounds(short, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    assert any(c.startswith("Malbun: out and back") for c in raised.value.clashes)


def _scenario_with(tmp_path: Path, old: str, new: str) -> Path:
    text = SCENARIO.read_text(encoding="utf-8").replace("../", f"{REPO_ROOT}/")
    text = text.replace("data/rural-rounds/", f"{REPO_ROOT}/scenarios/data/rural-rounds/")
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
