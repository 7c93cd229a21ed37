"""Service areas, the coverage union and blind spots on the real Porto Alegre data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from optimizer.geo.areas import blind_spots, coverage_union, service_areas
from optimizer.geo.demand import load_demand_points
from optimizer.geo.osm import load_road_network
from optimizer.geo.traveltime import nearest_minutes

REPO = Path(__file__).resolve().parent.parent
POA = REPO / "geodata" / "porto_alegre"


@pytest.fixture(scope="module")
def walk():
    return load_road_network(POA / "poa_osm.pbf", mode="walk")


@pytest.fixture(scope="module")
def stations(walk):
    """The 15 points of interest (hospitals, stations, malls...) snapped to the network."""
    places = pd.read_csv(POA / "poa_points_of_interest.csv")
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", walk.crs, always_xy=True)
    x, y = to_utm.transform(places["lon"].to_numpy(), places["lat"].to_numpy())
    nodes, snap_meters = walk.nearest_nodes(x, y)
    assert snap_meters.max() < 150
    return nodes


def test_service_areas_hold_reached_nodes_and_not_distant_ones(walk, stations):
    areas = service_areas(walk, station_nodes=stations[:4], cutoff_minutes=10, buffer_meters=25)
    assert list(areas["station"]) == [0, 1, 2, 3] and areas.crs == walk.crs
    for row, station in zip(areas.itertuples(), stations[:4], strict=True):
        minutes = nearest_minutes(walk, sources=[station], direction="to_sources")
        reached = minutes <= 10
        assert row.reached_nodes == reached.sum()
        inside = shapely.contains_xy(row.geometry, walk.x_meters, walk.y_meters)
        assert inside[reached].all()
        # 10 minutes at 4.8 km/h is 800 m: nothing beyond 825 m straight-line can be inside.
        straight = np.hypot(
            walk.x_meters - walk.x_meters[station], walk.y_meters - walk.y_meters[station]
        )
        assert not inside[straight > 800 + 25 + 1].any()
        assert inside[minutes > 13].sum() < 0.05 * reached.sum()
        assert 0.3e6 < row.geometry.area < np.pi * 825**2


def test_union_equals_the_union_of_areas_and_blind_spots_add_up(walk, stations):
    union = coverage_union(walk, station_nodes=stations, cutoff_minutes=15)
    areas = service_areas(walk, station_nodes=stations, cutoff_minutes=15)
    assert union.area == pytest.approx(shapely.union_all(areas.geometry.to_numpy()).area, rel=1e-6)
    demand = load_demand_points(
        POA / "poa_hexgrid_h3.gpkg", population_field="population", network=walk
    )
    blind = blind_spots(demand, union)
    covered = shapely.contains_xy(union, demand.x_meters, demand.y_meters)
    assert len(blind) == (~covered).sum() > 0
    assert blind["residents"].sum() + demand.residents[covered].sum() == demand.total_residents
    assert blind.crs == walk.crs
    # A blind spot is a place where the nearest station is more than 15 minutes away (or the
    # place is off the network); with a 50 m buffer a few borderline points may differ.
    minutes = nearest_minutes(walk, sources=stations)[demand.node_index]
    assert np.mean(minutes[blind.index] > 15) > 0.97


def test_drive_areas_differ_by_direction():
    drive = load_road_network(POA / "poa_osm.pbf", mode="drive")
    station = np.array([drive.node_count // 2])
    inbound = coverage_union(
        drive, station_nodes=station, cutoff_minutes=2, direction="to_stations"
    )
    outbound = coverage_union(
        drive, station_nodes=station, cutoff_minutes=2, direction="from_stations"
    )
    assert inbound.area > 0 and outbound.area > 0
    assert inbound.symmetric_difference(outbound).area > 0.01 * inbound.area


def test_no_stations_give_an_empty_union(walk):
    assert coverage_union(walk, station_nodes=np.array([], dtype=int), cutoff_minutes=15).is_empty
