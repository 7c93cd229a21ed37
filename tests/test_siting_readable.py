"""Results people can read and act on (issue #16): station names, ids that join back to the
input layers, figures with units, one rounding of coverage, clashes that say how to resolve
them, and maps with the scenario's own roads.

The plan is conftest's ``porto_alegre_plan``, solved once per test session.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import geopandas as gpd
import matplotlib.image
import numpy as np
import pytest
import shapely
from rich.console import Console

import cli
from optimizer.api import PlanOutcome
from optimizer.errors import DataError, InfeasibleError
from optimizer.export.html_map import write_html_map
from optimizer.export.png_map import write_png_map
from optimizer.export.sinks import read_layers
from optimizer.export.style import coverage_percent_text, coverage_summary
from optimizer.geo.streets import NamedFeatures, read_street_index
from optimizer.pipeline.siting_inputs import feature_ids
from optimizer.pipeline.siting_names import distinct_names
from optimizer.pipeline.siting_summary import objective_terms
from optimizer.siting import Districts, SitingProblem, SitingSettings, solve_siting
from optimizer.siting.rules import required_stations

from .conftest import REPO_ROOT
from .export_sample import CREDIT

DATA = REPO_ROOT / "geodata" / "porto_alegre"
TYPED_PLACES = {
    "self_service_24h": {"bus_central_station", "farrapos_station"},
    "multilingual": {"iguatemi_shopping_center", "praia_de_belas_shopping_center"},
    "barrier_free": {"santa_casa_hospital", "moinhos_de_vento_hospital"},
}


@pytest.fixture(scope="module")
def siting(porto_alegre_plan: PlanOutcome) -> dict:
    return porto_alegre_plan.summary["engines"]["siting"]


@pytest.fixture(scope="module")
def layers(porto_alegre_plan: PlanOutcome) -> dict[str, gpd.GeoDataFrame]:
    return read_layers(porto_alegre_plan.folder / "plan.gpkg")


def _printed(monkeypatch: pytest.MonkeyPatch, scenario: str, siting: dict) -> str:
    """What ``svcplan plan`` prints for a siting summary, wide enough for rows not to wrap."""
    buffer = io.StringIO()
    monkeypatch.setattr(cli, "stdout", Console(file=buffer, width=400, highlight=False))
    cli._print_siting(scenario, siting)
    return buffer.getvalue()


def _base_name(name: str) -> str:
    """A station name without its disambiguation (`` near ...``, `` (2)``)."""
    return re.sub(r" \(\d+\)$", "", name).split(" near ")[0]


# 1. Stations have names and places -------------------------------------------------------


def test_stations_are_named_after_streets_of_the_scenarios_own_osm_data(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    stations = layers["stations"]
    index = read_street_index(DATA / "poa_osm.pbf", crs=str(stations.crs))
    known = set(index.streets.names) | set(index.places.names)
    names = stations["name"]
    assert names.is_unique
    assert (names != "").all()
    named = names.map(_base_name).isin(known)
    assert named.mean() > 0.95, names[~named].tolist()
    # the name is the street nearest the station's road node, so it lies within reach of it
    nearest, _, meters = index.streets.nearest(
        stations.geometry.x, stations.geometry.y, max_meters=600
    )
    by_street = names.map(_base_name).to_numpy() == nearest
    assert by_street.mean() > 0.8
    assert np.all(meters[by_street] <= 600)


def test_typed_posts_list_the_places_they_serve_in_layer_summary_and_terminal(
    layers: dict[str, gpd.GeoDataFrame], siting: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    stations = layers["stations"]
    with_posts = stations[stations["post_types"] != ""]
    assert (stations.loc[stations["post_types"] == "", "serves"] == "").all()
    for post, places in TYPED_PLACES.items():
        holders = with_posts[with_posts["post_types"].str.contains(f"(?:^|,){post}(?:,|$)")]
        served = {place for serves in holders["serves"] for place in serves.split(",")}
        assert places <= served, post
        listed = siting["typed_posts"][post]
        assert {item["station_id"] for item in listed} == set(holders["station_id"])
        assert {place for item in listed for place in item["serves"]} == places
        assert all(item["name"] in set(stations["name"]) for item in listed)
    text = _printed(monkeypatch, "porto-alegre", siting)
    for post, listed in siting["typed_posts"].items():
        row = next(line for line in text.splitlines() if f"{post} posts" in line)
        assert f"{len(listed)}: " in row
        for item in listed:
            assert f"{item['name']} (serves {', '.join(item['serves'])})" in row
        assert "demand-" not in row and "grid-" not in row


def test_station_names_show_on_both_maps(
    porto_alegre_plan: PlanOutcome, layers: dict[str, gpd.GeoDataFrame]
) -> None:
    page = (porto_alegre_plan.folder / "map.html").read_text(encoding="utf-8")
    document = _plan_document(page)
    stations = next(o for o in document["overlays"] if o["key"] == "stations")
    features = stations["features"]["features"]
    titles = [feature["properties"]["title"] for feature in features]
    assert titles == layers["stations"]["name"].tolist()
    popup = dict(features[0]["properties"]["popup"])
    assert popup["station"] == titles[0]
    assert popup["id"] == layers["stations"]["station_id"].iloc[0]
    holder = next(f for f in features if dict(f["properties"]["popup"]).get("serves"))
    assert set(dict(holder["properties"]["popup"])["serves"].split(", ")) & set().union(
        *TYPED_PLACES.values()
    )


def test_names_shared_by_stations_are_told_apart() -> None:
    names = distinct_names(
        np.array(["Rua A", "Rua A", "Rua A", "Rua B", "Rua C", "Rua C"], dtype=object),
        np.array(["Rua X", "Rua Y", "Rua X", "Rua X", "", ""], dtype=object),
    )
    assert names.tolist() == [
        "Rua A near Rua X",
        "Rua A near Rua Y",
        "Rua A near Rua X (2)",
        "Rua B",
        "Rua C",
        "Rua C (2)",
    ]


def test_nearest_names_are_found_with_arrays_within_reach() -> None:
    streets = NamedFeatures(
        np.array(
            [
                shapely.LineString([(0, 0), (100, 0)]),
                shapely.LineString([(0, 10), (100, 10)]),
                shapely.LineString([(0, 20), (100, 20)]),
                shapely.LineString([(50, -100), (50, 100)]),
            ]
        ),
        np.array(["Avenida", "Avenida", "Rua", "Travessa"], dtype=object),
    )
    nearest, other, meters = streets.nearest(
        np.array([10.0, 49.0, 10.0, 500.0]), np.array([9.0, 18.0, 60.0, 0.0]), max_meters=45
    )
    assert nearest.tolist() == ["Avenida", "Travessa", "Rua", ""]  # Rua ties Travessa: file order
    assert other.tolist() == ["Rua", "Rua", "Travessa", ""]
    assert meters[:3] == pytest.approx([1.0, 1.0, 40.0])
    assert meters[3] == np.inf


# 2. Ids join back to the input layer -----------------------------------------------------


def test_demand_ids_round_trip_to_the_population_layer(
    layers: dict[str, gpd.GeoDataFrame],
) -> None:
    cells = gpd.read_file(DATA / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    demand = layers["demand"]
    assert demand["demand_id"].is_unique
    assert demand["demand_id"].isin(set(cells["id"])).all()
    source = cells.to_crs(demand.crs).set_index("id").loc[demand["demand_id"]]
    assert demand["residents"].to_numpy() == pytest.approx(source["population"].to_numpy())
    same = shapely.equals_exact(
        demand.geometry.to_numpy(), source.geometry.to_numpy(), tolerance=0.01
    )
    assert same.all()
    assert set(layers["blind_spots"]["demand_id"]) <= set(cells["id"])
    placed = layers["stations"]["station_id"].str.removeprefix("demand-")
    at_cells = layers["stations"]["station_id"].str.startswith("demand-")
    assert at_cells.any() and placed[at_cells].isin(set(cells["id"])).all()


def test_feature_ids_take_the_named_field_or_the_first_unique_text_field_or_the_row() -> None:
    path = Path("people.gpkg")
    points = gpd.points_from_xy([0, 1, 2], [0, 1, 2])
    frame = gpd.GeoDataFrame(
        {
            "kind": ["a", "a", "b"],  # text, not unique
            "tract": ["4314902-001", "4314902-002", "4314902-003"],
            "code": [4314902001.0, 4314902002.0, 4314902003.0],
            "people": [10, 20, 30],
        },
        geometry=points,
        crs=4326,
    )
    assert feature_ids(frame, id_field=None, path=path).tolist() == [
        "4314902-001",
        "4314902-002",
        "4314902-003",
    ]
    assert feature_ids(frame, id_field="code", path=path).tolist() == [
        "4314902001",
        "4314902002",
        "4314902003",
    ]
    numbers = frame[["kind", "people", "geometry"]]
    assert feature_ids(numbers, id_field=None, path=path).tolist() == ["1", "2", "3"]
    with pytest.raises(DataError, match="kind: row 2: id 'a' repeats row 1"):
        feature_ids(frame, id_field="kind", path=path)
    with pytest.raises(DataError, match="census: no such field"):
        feature_ids(frame, id_field="census", path=path)


# 3. Figures with units, coverage rounded one way -----------------------------------------


def test_summary_names_the_objectives_unit_and_meaning(siting: dict) -> None:
    assert siting["objective"] == "lexicographic"
    assert siting["objective_unit"] == "resident-minutes"
    assert "travel" in siting["objective_measures"]
    assert "mean_travel_minutes" in siting["objective_measures"]
    per_resident = siting["solve"]["objective"] / siting["covered_residents"]
    assert per_resident == pytest.approx(siting["mean_travel_minutes"], rel=1e-6)


@pytest.mark.parametrize(
    ("settings", "unit", "words"),
    [
        (SitingSettings(), "resident-minutes", "last of two stages"),
        (SitingSettings(max_stations=9), "resident-minutes", "last of three stages"),
        (SitingSettings(objective="cover"), "opening cost", "per new station"),
        (SitingSettings(objective="max_cover", max_stations=9), "residents", "within"),
        (SitingSettings(objective="min_travel", max_stations=9), "resident-minutes", "p-median"),
        (SitingSettings(objective="min_cost"), "opening cost + resident-minutes", "plus"),
    ],
)
def test_every_objective_has_a_unit_and_a_meaning(
    settings: SitingSettings, unit: str, words: str
) -> None:
    assert objective_terms(settings)[0] == unit
    assert words in objective_terms(settings)[1]


@pytest.mark.parametrize(
    ("covered", "total", "text"),
    [
        (811_711, 812_935, "99.84%"),  # 99.8494 %: rounding would say 99.85
        (99_996, 100_000, "99.99%"),  # never 100.00% with residents left out
        (5, 5, "100.00%"),
        (0, 5, "0.00%"),
        (9_985, 10_000, "99.85%"),  # exact, not 99.84 from a float product
        (1, 0, "n/a"),
    ],
)
def test_coverage_percent_is_truncated_not_rounded(covered: float, total: float, text: str) -> None:
    assert coverage_percent_text(covered, total) == text


def test_maps_and_terminal_show_the_same_coverage(
    layers: dict[str, gpd.GeoDataFrame], siting: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = coverage_percent_text(siting["covered_residents"], siting["residents"])
    assert f" {text} of residents covered" in coverage_summary(layers)
    assert f"({text})" in _printed(monkeypatch, "porto-alegre", siting)


# 4. Terminal tables and clashes ----------------------------------------------------------


def test_terminal_leaves_out_rules_that_are_off_and_shortens_long_lists(
    siting: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = {**siting, "density_rule": False, "typed_posts": {}}
    text = _printed(monkeypatch, "porto-alegre", off)
    assert "density" not in text and "posts" not in text
    many = [{"station_id": f"s{i}", "name": f"Rua {i}", "serves": []} for i in range(40)]
    short = [f"8{i}a90128ffffff" for i in range(12)]
    busy = {
        **siting,
        "typed_posts": {"multilingual": many},
        "urban_districts_compliant": siting["urban_districts"] - 12,
        "urban_districts_short": short,
    }
    text = _printed(monkeypatch, "porto-alegre", busy)
    assert "40: Rua 0, Rua 1, Rua 2 and 37 more" in text
    assert f"(short: {', '.join(short[:3])} and 9 more)" in text
    assert "Rua 3," not in text and short[3] not in text


def _district_city(residents: list[float]) -> SitingProblem:
    """One demand point and four candidate sites per district; every district urban."""
    count = len(residents)
    minutes = np.full((count, 4 * count), np.inf)
    for district in range(count):
        minutes[district, 4 * district : 4 * district + 4] = 1.0
    districts = Districts(
        demand_district=np.arange(count),
        site_district=np.repeat(np.arange(count), 4),
        urban=np.ones(count, dtype=bool),
        names=[f"D{district}" for district in range(count)],
    )
    return SitingProblem.from_cost_matrix(
        minutes, weights=np.array(residents), coverage_minutes=5, districts=districts
    )


def test_density_against_max_stations_says_how_to_resolve_it() -> None:
    problem = _district_city([9_000.0, 7_500.0, 12_000.0, 4_000.0, 6_000.0])
    settings = SitingSettings(objective="cover", max_stations=6)
    with pytest.raises(InfeasibleError) as caught:
        solve_siting(problem, settings)
    message = str(caught.value)
    needed = int(required_stations(problem, 5000).sum())
    assert needed == 10
    assert "5 urban districts (D0, D1, D2 and 2 more) need 10 stations" in message
    assert "raise max_stations to at least 10" in message
    assert "switch the density rule off with `density: null`" in message
    found = re.search(r"residents_per_station to at least ([\d,]+)", message)
    assert found is not None
    fits = int(found[1].replace(",", ""))
    assert fits == 9_000  # 9,000, 7,500, 12,000, 4,000, 6,000 residents: 1+1+2+1+1 stations
    assert required_stations(problem, fits).sum() <= 6 < required_stations(problem, fits - 1).sum()
    relaxed = SitingSettings(objective="cover", max_stations=6, residents_per_station=fits)
    plan, _ = solve_siting(problem, relaxed)
    assert len(plan.open_sites) <= 6


def test_no_residents_per_station_helps_when_max_stations_is_below_the_urban_districts() -> None:
    problem = _district_city([9_000.0, 7_500.0, 12_000.0])
    with pytest.raises(InfeasibleError) as caught:
        solve_siting(problem, SitingSettings(objective="cover", max_stations=2))
    message = str(caught.value)
    assert "raise max_stations to at least 7" in message
    assert "residents_per_station" not in message.split("; ", 1)[1]


# 5. Roads on the maps ----------------------------------------------------------------------


def _plan_document(page: str) -> dict:
    match = re.search(r'<script id="svcplan-data" type="application/json">(.*?)</script>', page)
    assert match is not None
    return json.loads(match.group(1))


def test_plan_holds_the_scenarios_major_roads(layers: dict[str, gpd.GeoDataFrame]) -> None:
    roads = layers["roads"]
    assert len(roads) > 1000
    assert set(roads.geom_type) <= {"LineString", "MultiLineString"}
    assert set(roads["highway"]) <= {
        f"{name}{link}"
        for name in ("motorway", "trunk", "primary", "secondary", "tertiary")
        for link in ("", "_link")
    }
    assert "Avenida Ipiranga" in set(roads["name"])
    assert roads.crs == layers["stations"].crs


def test_html_map_draws_roads_beneath_areas_and_stations_without_tiles(
    porto_alegre_plan: PlanOutcome, layers: dict[str, gpd.GeoDataFrame]
) -> None:
    document = _plan_document((porto_alegre_plan.folder / "map.html").read_text("utf-8"))
    assert document["tiles_url"] is None
    keys = [overlay["key"] for overlay in document["overlays"]]
    assert keys.index("demand") < keys.index("roads") < keys.index("station-areas")
    assert keys[-1] == "stations"
    roads = next(o for o in document["overlays"] if o["key"] == "roads")["features"]["features"]
    assert len(roads) == len(layers["roads"])
    assert {road["geometry"]["type"] for road in roads} <= {"LineString", "MultiLineString"}
    assert "road (OpenStreetMap)" in document["legend_html"]


def test_maps_of_an_exported_plan_keep_their_roads(
    layers: dict[str, gpd.GeoDataFrame], tmp_path: Path
) -> None:
    page = write_html_map(layers, tmp_path / "map.html", title="t", credit=CREDIT).read_text(
        "utf-8"
    )
    assert "roads" in [o["key"] for o in _plan_document(page)["overlays"]]
    without = {name: frame for name, frame in layers.items() if name != "roads"}
    page = write_html_map(without, tmp_path / "bare.html", title="t", credit=CREDIT).read_text(
        "utf-8"
    )
    assert "roads" not in [o["key"] for o in _plan_document(page)["overlays"]]
    with_roads = write_png_map(layers, tmp_path / "roads.png", dpi=40, title="t", credit=CREDIT)
    bare = write_png_map(without, tmp_path / "bare.png", dpi=40, title="t", credit=CREDIT)
    drawn = matplotlib.image.imread(with_roads)
    plain = matplotlib.image.imread(bare)
    assert drawn.shape == plain.shape
    assert np.abs(drawn - plain).sum(axis=-1).astype(bool).mean() > 0.005
