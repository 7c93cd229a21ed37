"""The rounds maps on Liechtenstein's rounds: the HTML page's overlays (a switchable overlay
of route lines per day along the roads, places by status with the unreachable ones named, the
stations, the roads) and legend, the PNG, the credit, and layers that break the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.errors import DataError
from optimizer.export.credit import OSM_ATTRIBUTION, map_credit
from optimizer.export.layers import layers_markdown
from optimizer.export.rounds_html_map import write_rounds_html_map
from optimizer.export.rounds_layers import ROUNDS
from optimizer.export.rounds_png_map import write_rounds_png_map
from optimizer.export.rounds_style import day_colour
from optimizer.pipeline.rounds import rounds_frame
from optimizer.pipeline.rounds_inputs import read_rounds_inputs
from optimizer.pipeline.rounds_layers import map_roads, rounds_layers
from optimizer.rounds import RoundsSettings, solve_rounds
from optimizer.scenario import load_scenario
from optimizer.solve import SolverLimits
from tests.test_export_maps import PNG_SIGNATURE, _plan_document

from .conftest import REPO_ROOT

CREDIT = map_credit(None)


@pytest.fixture(scope="module")
def layers() -> dict:
    config = load_scenario(REPO_ROOT / "scenarios" / "rural-rounds.yaml").mobile_rounds
    inputs = read_rounds_inputs(config)
    plan, _ = solve_rounds(inputs.problem, RoundsSettings(), SolverLimits(time_limit_seconds=1))
    return rounds_layers(inputs, plan, rounds_frame(inputs, plan), map_roads(config, inputs))


def test_the_page_draws_each_days_routes_along_the_roads(layers: dict, tmp_path: Path) -> None:
    path = write_rounds_html_map(layers, tmp_path / "map.html", title="rounds", credit=CREDIT)
    document = _plan_document(path.read_text(encoding="utf-8"))
    overlays = {overlay["key"]: overlay for overlay in document["overlays"]}
    days = sorted(set(layers["routes"]["day"]))
    assert list(overlays) == ["roads", *(f"routes-day-{d}" for d in days), "places", "stations"]
    for day in days:
        overlay = overlays[f"routes-day-{day}"]
        assert overlay["style"]["color"] == day_colour(day)
        lines = overlay["features"]["features"]
        assert len(lines) == int((layers["routes"]["day"] == day).sum())
        for line in lines:  # road geometry, not a straight line between stops
            assert line["geometry"]["type"] == "LineString"
            stops = dict(line["properties"]["popup"])["stops"]
            assert len(line["geometry"]["coordinates"]) > 2 * (int(stops.split(":")[0]) + 1)
    places = overlays["places"]["features"]["features"]
    named = {p["properties"]["label"] for p in places if p["properties"]["label_permanent"]}
    assert {"Tuass", "Platta", "Malbun"} <= named and "Vaduz" not in named
    tuass = next(p for p in places if p["properties"]["label"] == "Tuass")
    assert ["why", "1473 m from a drivable road (max_snap_meters 500)"] in tuass["properties"][
        "popup"
    ]
    assert len(overlays["stations"]["features"]["features"]) == 3
    assert "day 1:" in document["legend_html"] and OSM_ATTRIBUTION in document["attribution"]


def test_the_png_is_drawn_with_its_summary(layers: dict, tmp_path: Path) -> None:
    path = write_rounds_png_map(layers, tmp_path / "map.png", dpi=60, title="t", credit=CREDIT)
    assert path.read_bytes().startswith(PNG_SIGNATURE) and path.stat().st_size > 20_000


@pytest.mark.parametrize("writer", [write_rounds_html_map, write_rounds_png_map])
def test_layers_without_routes_write_nothing(layers: dict, tmp_path: Path, writer) -> None:
    broken = {name: frame for name, frame in layers.items() if name != "routes"}
    with pytest.raises(DataError, match="missing layer"):
        writer(broken, tmp_path / "map", title="t", credit=CREDIT)
    assert not list(tmp_path.iterdir())


def test_readme_documents_the_rounds_layers() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert layers_markdown(ROUNDS, without=("roads",)) in readme
