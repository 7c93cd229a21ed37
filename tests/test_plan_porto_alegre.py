"""The bundled sample: siting for 812,935 residents, checked independently of the model.

The plan is conftest's ``porto_alegre_plan``, solved once per test session. Coverage, the
density rule and the typed posts are recomputed here from the published layers with networkx's
Dijkstra, the raw hexagon file and H3, not with the engine's own travel-time code.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import geopandas as gpd
import h3
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree

from optimizer import api
from optimizer.geo.osm import load_road_network

from .conftest import REPO_ROOT

DATA = REPO_ROOT / "geodata" / "porto_alegre"


@pytest.fixture(scope="module")
def outcome(porto_alegre_plan: api.PlanOutcome) -> api.PlanOutcome:
    return porto_alegre_plan


@pytest.fixture(scope="module")
def siting(outcome: api.PlanOutcome) -> dict:
    return outcome.summary["engines"]["siting"]


@pytest.fixture(scope="module")
def stations(outcome: api.PlanOutcome) -> gpd.GeoDataFrame:
    return gpd.read_file(outcome.folder / "plan.gpkg", layer="stations")


@pytest.fixture(scope="module")
def walk_graph() -> tuple[nx.DiGraph, cKDTree, str]:
    network = load_road_network(DATA / "poa_osm.pbf", mode="walk")
    tree = cKDTree(np.column_stack([network.x_meters, network.y_meters]))
    return network.to_networkx().reverse(copy=False), tree, network.crs


def _minutes_from(graph: nx.DiGraph, sources: set[int], cutoff_minutes: float) -> dict[int, float]:
    seconds = nx.multi_source_dijkstra_path_length(
        graph, sources, cutoff=cutoff_minutes * 60, weight="seconds"
    )
    return {node: value / 60 for node, value in seconds.items()}


def test_plan_is_proven_optimal_and_published(outcome: api.PlanOutcome, siting: dict) -> None:
    assert siting["status"] == "optimal"
    assert siting["solve"]["gap"] == pytest.approx(0.0, abs=1e-9)
    assert siting["residents"] == pytest.approx(812_935)
    on_disk = json.loads((outcome.folder / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(outcome.summary))
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    assert {item["path"] for item in manifest["outputs"]} == {
        "plan.gpkg",
        "map.html",
        "map.png",
        "siting_plan.json",
        "summary.json",
    }


def test_coverage_recomputed_with_networkx_matches_the_report(
    siting: dict, stations: gpd.GeoDataFrame, walk_graph: tuple[nx.DiGraph, cKDTree, str]
) -> None:
    graph, tree, crs = walk_graph
    station_xy = stations.to_crs(crs).get_coordinates().to_numpy()
    _, station_nodes = tree.query(station_xy)  # a station serves from its nearest road node
    minutes = _minutes_from(graph, set(station_nodes.tolist()), 15.0)

    hexagons = gpd.read_file(DATA / "poa_hexgrid_h3.gpkg")
    hexagons = hexagons[hexagons["population"] > 0]
    centres = hexagons.geometry.to_crs(crs).centroid.get_coordinates().to_numpy()
    snap_meters, demand_nodes = tree.query(centres)
    near_road = snap_meters <= 500
    covered = near_road & np.array([node in minutes for node in demand_nodes])
    covered_residents = hexagons["population"].to_numpy()[covered].sum()
    assert covered_residents == pytest.approx(siting["covered_residents"])
    beyond = hexagons["population"].to_numpy()[~near_road].sum()
    assert beyond == pytest.approx(siting["residents_beyond_road_reach"])
    assert siting["coverage_percent"] > 99.8


def test_every_urban_district_has_one_station_per_5000_reachable_residents(
    outcome: api.PlanOutcome,
    stations: gpd.GeoDataFrame,
    walk_graph: tuple[nx.DiGraph, cKDTree, str],
) -> None:
    _, tree, crs = walk_graph
    demand = gpd.read_file(outcome.folder / "plan.gpkg", layer="demand")
    districts = gpd.read_file(outcome.folder / "plan.gpkg", layer="districts")
    snap_meters, _ = tree.query(demand.geometry.to_crs(crs).centroid.get_coordinates().to_numpy())
    reachable = demand[snap_meters <= 500].groupby("district")["residents"].sum()
    lonlat = stations.to_crs("EPSG:4326").get_coordinates()
    cells = [h3.latlng_to_cell(y, x, 7) for x, y in zip(lonlat["x"], lonlat["y"], strict=True)]
    stations_per_district = pd.Series(cells).value_counts()
    urban = districts.loc[districts["urban"], "district"]
    assert len(urban) > 30
    for district in urban:
        required = math.ceil(reachable.get(district, 0.0) / 5000)
        assert stations_per_district.get(district, 0) >= required, district


def test_every_typed_place_has_its_post_within_five_minutes(
    stations: gpd.GeoDataFrame, walk_graph: tuple[nx.DiGraph, cKDTree, str]
) -> None:
    graph, tree, crs = walk_graph
    places = pd.read_csv(DATA / "poa_points_of_interest.csv").set_index("id")
    wanted = {
        "self_service_24h": ["bus_central_station", "farrapos_station"],
        "multilingual": ["iguatemi_shopping_center", "praia_de_belas_shopping_center"],
        "barrier_free": ["santa_casa_hospital", "moinhos_de_vento_hospital"],
    }
    station_xy = stations.to_crs(crs).get_coordinates().to_numpy()
    _, station_nodes = tree.query(station_xy)
    forward = graph.reverse(copy=False)
    for post, place_ids in wanted.items():
        with_post = {
            int(node)
            for node, types in zip(station_nodes, stations["post_types"], strict=True)
            if post in types.split(",")
        }
        assert 0 < len(with_post) <= len(place_ids), post  # no spare posts
        for place_id in place_ids:
            point = gpd.GeoSeries.from_xy(
                [places.loc[place_id, "lon"]], [places.loc[place_id, "lat"]], crs="EPSG:4326"
            ).to_crs(crs)
            _, place_node = tree.query(point.get_coordinates().to_numpy()[0])
            reach = _minutes_from(forward, {int(place_node)}, 5.0)
            assert with_post & set(reach), (post, place_id)


def test_layers_hold_the_plan(outcome: api.PlanOutcome, siting: dict) -> None:
    path = outcome.folder / "plan.gpkg"
    stations = gpd.read_file(path, layer="stations")
    assert len(stations) == siting["stations"]
    blind = gpd.read_file(path, layer="blind_spots")
    assert blind["residents"].sum() == pytest.approx(siting["uncovered_residents"])
    areas = gpd.read_file(path, layer="service_areas")
    assert (areas["kind"] == "union").sum() == 1
    assert len(areas) == siting["stations"] + 1


def test_export_command_rewrites_every_format_and_the_manifest(
    outcome: api.PlanOutcome, siting: dict, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from cli import app

    folder = tmp_path / outcome.folder.name  # a copy: the session's plan stays as published
    shutil.copytree(outcome.folder, folder)
    formats = ["geoparquet", "flatgeobuf", "geojson", "html", "png"]
    arguments = ["export", str(folder), "--dpi", "60", "--json"]
    for name in formats:
        arguments += ["--format", name]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    written = {Path(path).name for path in json.loads(result.stdout)["written"]}
    assert {
        "stations.parquet",
        "stations.fgb",
        "stations.geojson",
        "map.html",
        "map.png",
    } <= written
    assert len(gpd.read_parquet(folder / "stations.parquet")) == siting["stations"]
    for name in ("stations.fgb", "stations.geojson"):
        assert len(gpd.read_file(folder / name)) == siting["stations"]
    assert gpd.read_file(folder / "stations.geojson").crs.to_epsg() == 4326
    listed = {
        item["path"] for item in json.loads((folder / "manifest.json").read_text())["outputs"]
    }
    assert written <= listed
    # the maps keep the scenario's data credit (recorded in summary.json) beside OpenStreetMap's
    credit = json.loads((folder / "summary.json").read_text())["map_credit"]
    assert credit.startswith("© OpenStreetMap contributors; population and places: Ipea")
    assert f'"attribution":"{credit}"' in (folder / "map.html").read_text(encoding="utf-8")


def test_export_of_a_folder_without_a_plan_exits_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli import app

    result = CliRunner().invoke(app, ["export", str(tmp_path), "--format", "geojson"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip() == f"error: {tmp_path}: no plan.gpkg here: run `svcplan plan` first"
    )
