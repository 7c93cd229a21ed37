"""``svcplan review`` on the Porto Alegre sample's roads (``scenarios/porto-alegre-review.yaml``):
every option of every flagged outlet recomputed independently (networkx shortest paths over
the OSM extract's edges as the network loader reads them, hexagon centroids snapped to the
nearest node, a plain count of residents), the monthly volumes re-derived from the Auckland
counts, an outlet off the network exits 2 and writes nothing, and ``validate --data`` reads
the review's files."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.spatial import cKDTree
from typer.testing import CliRunner

from cli import app
from optimizer.geo.osm import load_road_network
from tests.review_figures import assert_option_matches, recompute_option

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "porto-alegre-review.yaml"
CONFIG = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
DATA = ROOT / "geodata" / "porto_alegre"
OUTLETS = DATA / "review_outlets.csv"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["review", str(SCENARIO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "on the OpenStreetMap roads of poa_osm.pbf" in result.output
    return out / "porto-alegre-review" / "review"


def snapped_nodes(points: gpd.GeoSeries, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest node (index into ``xy``) of each point and its distance in metres."""
    distance, node = cKDTree(xy).query(np.column_stack([points.x, points.y]))
    return node, distance


def road_minutes(columns_lonlat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Residents (of the hexagons within ``max_snap_meters`` of a node) and the minutes
    residents × columns (``inf`` beyond ``reach_minutes``) over the scenario's roads, by
    networkx from each column's node."""
    region, review = CONFIG["region"], CONFIG["review"]
    network = load_road_network(DATA / "poa_osm.pbf", mode=review["travel_mode"])
    edges = network.seconds.tocoo()
    towards = nx.DiGraph()  # edges reversed: one search from a site reaches every resident
    towards.add_weighted_edges_from(
        zip(edges.col.tolist(), edges.row.tolist(), edges.data.tolist(), strict=True),
        weight="seconds",
    )
    xy = np.column_stack([network.x_meters, network.y_meters])
    hexagons = gpd.read_file(DATA / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    hexagons = hexagons[hexagons["population"] > 0]
    demand_node, snap = snapped_nodes(hexagons.to_crs(network.crs).centroid, xy)
    kept = snap <= region["max_snap_meters"]
    site_points = gpd.GeoSeries(
        gpd.points_from_xy(columns_lonlat[:, 0], columns_lonlat[:, 1]), crs="EPSG:4326"
    ).to_crs(network.crs)
    site_node, _ = snapped_nodes(site_points, xy)
    minutes = np.full((int(kept.sum()), len(site_node)), np.inf)
    for column, node in enumerate(site_node):
        seconds = nx.single_source_dijkstra_path_length(
            towards, int(node), cutoff=review["reach_minutes"] * 60.0, weight="seconds"
        )
        minutes[:, column] = [seconds.get(int(n), np.inf) / 60.0 for n in demand_node[kept]]
    residents = hexagons["population"].to_numpy(dtype=float)[kept]
    return residents, minutes


def test_every_option_recomputed_on_the_roads(published: Path) -> None:
    options = pd.read_csv(published / "review_options.csv")
    assert options["travel"].str.startswith("drive on the OpenStreetMap roads").all()
    outlets = pd.read_csv(OUTLETS)
    hexagons = gpd.read_file(DATA / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    centroids = hexagons.set_index("id").to_crs("EPSG:32722").centroid.to_crs("EPSG:4326")
    relocations = options.loc[options["kind"] == "relocate", "site_id"].str.removeprefix("site-")
    relocations = sorted(set(relocations) - set(outlets["id"]))
    columns = np.vstack(
        [
            outlets[["lon", "lat"]].to_numpy(),
            np.column_stack([centroids[relocations].x, centroids[relocations].y]),
        ]
    )
    residents, minutes = road_minutes(columns)
    site_column = {f"site-{h}": len(outlets) + i for i, h in enumerate(relocations)}
    site_column |= {outlet: i for i, outlet in enumerate(outlets["id"])}
    assert {"merge", "relocate", "self_service_24h"} <= set(options["kind"])
    assert options["recommended"].any()
    for _, row in options.iterrows():
        figures = recompute_option(
            row,
            minutes,
            residents,
            site_column=site_column[row["site_id"]],
            n_outlets=len(outlets),
            coverage_minutes=CONFIG["review"]["coverage_minutes"],
        )
        assert_option_matches(row, figures, outlets["id"].to_numpy())


def test_summary_states_the_roads_and_the_volumes_origin(published: Path) -> None:
    summary = json.loads((published / "summary.json").read_text(encoding="utf-8"))["review"]
    origin = summary["volumes_origin"]
    assert "Auckland" in origin and "Not Porto Alegre" in origin
    flagged = ["bus_central_station", "farroupilha_park", "praia_de_belas_shopping_center"]
    assert summary["flagged"] == flagged
    assert all("OpenStreetMap roads" in sentence for sentence in summary["sentences"])
    page = (published / "review_map.html").read_text(encoding="utf-8")
    assert "© OpenStreetMap contributors" in page and "Heart of the City Auckland" in page
    assert "Roads (OpenStreetMap)" in page  # drawn on the maps, not written to the layers
    layers = gpd.list_layers(published / "review.gpkg")["name"]
    assert list(layers) == ["outlets", "receivers"]


def test_volumes_are_the_auckland_counters_summed_by_month() -> None:
    """Each outlet's month is the sum of its counter's days; a month missing a day is empty."""
    daily = pd.read_csv(ROOT / "geodata" / "auckland" / "pedestrians_daily.csv")
    daily["month"] = daily["date"].str[:7]
    days = daily.groupby(["site", "month"])["count"]
    expected = days.sum().where(days.count() == days.size())
    counter = pd.read_csv(OUTLETS).set_index("id")["volume_counter"]
    volumes = pd.read_csv(DATA / "review_volumes_monthly.csv")
    keys = pd.MultiIndex.from_arrays([counter[volumes["outlet"]].to_numpy(), volumes["month"]])
    assert np.array_equal(volumes["volume"].to_numpy(), expected[keys].to_numpy(), equal_nan=True)
    assert set(volumes["month"]) == set(daily["month"])


def scenario_with(tmp_path: Path, *, outlets: Path, volumes: Path) -> Path:
    """The road review scenario with its data paths absolute and its outlets and volumes
    files replaced, written into ``tmp_path``."""
    scenario = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    scenario["review"]["outlets"] = str(outlets)
    scenario["review"]["volumes"] = str(volumes)
    scenario["region"]["roads"] = str(DATA / "poa_osm.pbf")
    scenario["region"]["population"]["path"] = str(DATA / "poa_hexgrid_h3.gpkg")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    return path


def test_outlet_off_the_network_exits_2_naming_file_row_and_field(tmp_path: Path) -> None:
    outlets = pd.read_csv(OUTLETS)
    outlets.loc[3, ["lon", "lat"]] = [-51.05, -30.30]  # about 20 km south-east, no road
    bad = tmp_path / "outlets.csv"
    outlets.to_csv(bad, index=False)
    path = scenario_with(tmp_path, outlets=bad, volumes=DATA / "review_volumes_monthly.csv")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["review", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "outlets.csv: lon: row 5: off the road network" in result.output
    assert not out.exists() or not any(out.rglob("*.*"))


def test_validate_data_reads_the_review_files(tmp_path: Path) -> None:
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("outlet,month,volume\npucrs,2022-01,5\nnowhere,2022-02,7\n")
    path = scenario_with(tmp_path, outlets=OUTLETS, volumes=volumes)
    result = CliRunner().invoke(app, ["validate", "--data", str(path)])
    assert result.exit_code == 2, result.output
    assert "volumes.csv: outlet: row 3: unknown outlet 'nowhere'" in result.output
