"""Demand points from the real Porto Alegre population grid, and bad population layers."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from optimizer.errors import DataError
from optimizer.geo.demand import load_demand_points
from optimizer.geo.osm import load_road_network

REPO = Path(__file__).resolve().parent.parent
POA = REPO / "geodata" / "porto_alegre"
HEXGRID = POA / "poa_hexgrid_h3.gpkg"
TOTAL_RESIDENTS = 812_935


@pytest.fixture(scope="module")
def walk():
    return load_road_network(POA / "poa_osm.pbf", mode="walk")


def test_centroids_keep_every_resident_and_list_the_islands(walk):
    demand = load_demand_points(HEXGRID, population_field="population", network=walk)
    assert demand.total_residents == TOTAL_RESIDENTS
    assert demand.crs == walk.crs
    assert np.all(demand.residents > 0)
    # The Guaíba islands lie more than 500 m from any road: listed, not lost.
    assert demand.unsnapped.sum() == 8
    assert demand.unsnapped_residents == 1_224
    assert np.all(demand.snap_meters[demand.unsnapped] > 500)
    assert np.median(demand.snap_meters) < 60
    # Snapped node really is the nearest one (brute force on a few points).
    for point in range(0, len(demand.residents), 97):
        distances = np.hypot(
            walk.x_meters - demand.x_meters[point], walk.y_meters - demand.y_meters[point]
        )
        assert demand.node_index[point] == np.argmin(distances)
        assert demand.snap_meters[point] == pytest.approx(distances.min())
    # Centroids lie inside their source hexagons.
    hexagons = demand.areas.geometry.to_crs(walk.crs).to_numpy()[demand.source_row]
    assert shapely.contains_xy(hexagons, demand.x_meters, demand.y_meters).all()
    assert len(demand.areas) == 1_227


def test_split_over_nodes_spreads_residents_over_nodes_inside(walk):
    demand = load_demand_points(
        HEXGRID, population_field="population", network=walk, split_over_nodes=True
    )
    assert demand.total_residents == pytest.approx(TOTAL_RESIDENTS)
    assert len(demand.residents) > 20_000
    on_node = demand.snap_meters == 0
    assert on_node.mean() > 0.99
    per_hexagon = np.bincount(demand.source_row, weights=demand.residents, minlength=1227)
    population = demand.areas["population"].to_numpy()
    np.testing.assert_allclose(per_hexagon, population)
    assert demand.unsnapped_residents == 1_224


def test_small_snap_limit_flags_more_points(walk):
    demand = load_demand_points(
        HEXGRID, population_field="population", network=walk, max_snap_meters=50
    )
    assert demand.unsnapped.sum() > 300
    assert demand.total_residents == TOTAL_RESIDENTS
    frame = demand.to_geodataframe()
    assert frame.crs == walk.crs and frame["residents"].sum() == TOTAL_RESIDENTS


def test_missing_population_field_names_file_and_field(walk):
    with pytest.raises(DataError, match=re.escape("poa_hexgrid_h3.gpkg: residents: no such field")):
        load_demand_points(HEXGRID, population_field="residents", network=walk)


def test_layer_without_crs_is_a_data_error(walk, tmp_path):
    frame = gpd.read_file(HEXGRID).set_crs(None, allow_override=True)
    no_crs = tmp_path / "no_crs.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        frame.to_file(no_crs)
    with pytest.raises(
        DataError, match=re.escape("no_crs.gpkg: population layer has no coordinate")
    ):
        load_demand_points(no_crs, population_field="population", network=walk)


def test_empty_and_unreadable_files_are_data_errors(walk, tmp_path):
    empty = tmp_path / "empty.gpkg"
    empty.touch()
    with pytest.raises(DataError, match=re.escape("empty.gpkg: file is empty")):
        load_demand_points(empty, population_field="population", network=walk)
    junk = tmp_path / "junk.geojson"
    junk.write_text("{ not json")
    with pytest.raises(DataError, match=re.escape("junk.geojson: cannot read")):
        load_demand_points(junk, population_field="population", network=walk)
    with pytest.raises(DataError, match=re.escape("poa_hexgrid_h3.gpkg: cannot read layer nope")):
        load_demand_points(HEXGRID, population_field="population", layer="nope", network=walk)


def test_bad_population_values_are_data_errors(walk, tmp_path):
    frame = gpd.read_file(HEXGRID)
    frame.loc[3, "population"] = -5
    negative = tmp_path / "negative.gpkg"
    frame.to_file(negative)
    message = "negative.gpkg: population: row 4: expected a number from 0 to 1000000000 (got -5)"
    with pytest.raises(DataError, match=re.escape(message)):
        load_demand_points(negative, population_field="population", network=walk)


def test_parquet_and_point_layers_load(walk, tmp_path):
    frame = gpd.read_file(HEXGRID)
    frame["geometry"] = frame.geometry.to_crs(walk.crs).centroid.to_crs(frame.crs)
    parquet = tmp_path / "points.parquet"
    frame.to_parquet(parquet)
    demand = load_demand_points(parquet, population_field="population", network=walk)
    assert demand.total_residents == TOTAL_RESIDENTS
    assert demand.unsnapped.sum() == 8
