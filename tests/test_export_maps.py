"""The static PNG map and the self-contained HTML map of a plan."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.image
import pytest

from optimizer.errors import DataError
from optimizer.export import html_map
from optimizer.export.credit import OSM_ATTRIBUTION
from optimizer.export.html_map import write_html_map
from optimizer.export.png_map import write_png_map
from optimizer.export.style import minute_classes, station_category
from tests.export_sample import CREDIT, empty_like, porto_alegre_layers

TITLE = "Porto Alegre — station siting"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _plan_document(page: str) -> dict:
    """The JSON document the page's script draws."""
    match = re.search(r'<script id="svcplan-data" type="application/json">(.*?)</script>', page)
    assert match is not None
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def html_page(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("html") / "map.html"
    write_html_map(porto_alegre_layers(), path, title=TITLE, credit=CREDIT)
    return path.read_text(encoding="utf-8")


def test_png_map_has_the_size_its_dpi_asks_for_and_is_deterministic(tmp_path: Path) -> None:
    layers = porto_alegre_layers()
    path = write_png_map(layers, tmp_path / "map.png", dpi=40, title=TITLE, credit=CREDIT)
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    height, width, _ = matplotlib.image.imread(path).shape
    assert (width, height) == (11 * 40, 9 * 40)
    write_png_map(layers, tmp_path / "again.png", dpi=40, title=TITLE, credit=CREDIT)
    assert (tmp_path / "again.png").read_bytes() == path.read_bytes()


def test_png_map_accepts_layers_in_wgs84(tmp_path: Path) -> None:
    in_degrees = {name: frame.to_crs(4326) for name, frame in porto_alegre_layers().items()}
    path = write_png_map(in_degrees, tmp_path / "map.png", dpi=30, title=TITLE, credit=CREDIT)
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_maps_of_an_empty_plan_are_errors_and_write_nothing(tmp_path: Path) -> None:
    empty = empty_like(porto_alegre_layers())
    with pytest.raises(DataError, match="no stations"):
        write_png_map(empty, tmp_path / "map.png", title=TITLE, credit=CREDIT)
    with pytest.raises(DataError, match="no layers"):
        write_html_map({}, tmp_path / "map.html", title=TITLE, credit=CREDIT)
    assert list(tmp_path.iterdir()) == []


def test_html_map_loads_nothing_from_the_network(html_page: str) -> None:
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(?!data:)", html_page)
    assert "url(images/" not in html_page
    assert "sourceMappingURL" not in html_page
    assert _plan_document(html_page)["tiles_url"] is None


def test_html_map_has_switchable_overlays_with_popups(html_page: str) -> None:
    plan = _plan_document(html_page)
    overlays = {overlay["key"]: overlay for overlay in plan["overlays"]}
    assert list(overlays) == [
        "demand",
        "blind-spots",
        "roads",
        "station-areas",
        "union-area",
        "districts",
        "stations",
    ]
    stations = overlays["stations"]["features"]["features"]
    assert len(stations) == 15
    iguatemi = next(
        feature["properties"]
        for feature in stations
        if feature["properties"]["title"] == "iguatemi shopping center"
    )
    assert dict(iguatemi["popup"]) == {
        "station": "iguatemi shopping center",
        "id": "iguatemi_shopping_center",
        "type": "multilingual post, 24-hour self-service post",
        "serves": "iguatemi_shopping_center",
        "status": "new",
        "residents served": "30,331",
        "district": "87a901298ffffff",
    }
    cells = overlays["demand"]["features"]["features"]
    assert len(cells) == 1227
    minutes = [dict(cell["properties"]["popup"])["minutes to nearest station"] for cell in cells]
    assert "beyond 15" in minutes
    assert any(re.fullmatch(r"\d+\.\d", value) for value in minutes)


def test_html_map_has_title_legend_and_attribution(html_page: str) -> None:
    plan = _plan_document(html_page)
    assert f"<h1>{TITLE}</h1>" in html_page
    assert plan["attribution"].startswith(OSM_ATTRIBUTION)
    for _, label, _ in minute_classes(15.0):
        assert label in plan["legend_html"]
    assert "blind spot" in plan["legend_html"]
    assert "several typed posts" in plan["legend_html"]


def test_station_areas_start_switched_off_in_large_plans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_map, "STATION_AREAS_SHOWN_UP_TO", 10)
    write_html_map(porto_alegre_layers(), tmp_path / "map.html", title=TITLE, credit=CREDIT)
    plan = _plan_document((tmp_path / "map.html").read_text(encoding="utf-8"))
    shown = {overlay["key"]: overlay["shown"] for overlay in plan["overlays"]}
    assert shown == {
        "demand": True,
        "blind-spots": True,
        "roads": True,
        "station-areas": False,
        "union-area": True,
        "districts": True,
        "stations": True,
    }


def test_html_map_draws_base_tiles_only_when_asked(tmp_path: Path) -> None:
    tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    layers = porto_alegre_layers()
    write_html_map(layers, tmp_path / "map.html", tiles_url=tiles, title="<b>&</b>", credit=CREDIT)
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert _plan_document(page)["tiles_url"] == tiles
    assert "<h1>&lt;b&gt;&amp;&lt;/b&gt;</h1>" in page


def test_html_map_is_deterministic(html_page: str, tmp_path: Path) -> None:
    write_html_map(porto_alegre_layers(), tmp_path / "map.html", title=TITLE, credit=CREDIT)
    assert (tmp_path / "map.html").read_text(encoding="utf-8") == html_page


def test_text_cannot_break_out_of_the_page(tmp_path: Path) -> None:
    layers = porto_alegre_layers()
    layers["stations"].loc[0, "name"] = "</script><script>alert(1)</script>"
    write_html_map(layers, tmp_path / "map.html", title=TITLE, credit=CREDIT)
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "alert(1)</script>" not in page
    assert _plan_document(page)["overlays"][-1]["features"]["features"][0]["properties"][
        "title"
    ] == ("</script><script>alert(1)</script>")


@pytest.mark.parametrize(
    ("post_types", "category"),
    [
        ("", "comprehensive"),
        ("barrier_free", "barrier_free"),
        ("self_service_24h, multilingual", "several"),
        ("drive_through", "other"),
    ],
)
def test_stations_are_drawn_by_post_type(post_types: str, category: str) -> None:
    assert station_category(post_types) == category


def test_maps_draw_demand_given_as_points(tmp_path: Path) -> None:
    layers = porto_alegre_layers()
    for name in ("demand", "blind_spots"):
        layers[name] = layers[name].set_geometry(layers[name].geometry.centroid)
    write_png_map(layers, tmp_path / "map.png", dpi=30, title=TITLE, credit=CREDIT)
    write_html_map(layers, tmp_path / "map.html", title=TITLE, credit=CREDIT)
    plan = _plan_document((tmp_path / "map.html").read_text(encoding="utf-8"))
    demand = plan["overlays"][0]["features"]["features"]
    assert {feature["geometry"]["type"] for feature in demand} == {"Point"}
