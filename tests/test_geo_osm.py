"""OSM reading: modes, one-way streets, real Porto Alegre data and bad input."""

from __future__ import annotations

import bz2
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components, dijkstra

from optimizer.errors import DataError
from optimizer.geo.osm import DEFAULT_SPEEDS_KMH, load_road_network, way_rule

REPO = Path(__file__).resolve().parent.parent
POA_PBF = REPO / "geodata" / "porto_alegre" / "poa_osm.pbf"
ONEWAY_OSM = REPO / "tests" / "data" / "oneway_streets.osm"


def _seconds_between(network, from_osm_id: int, to_osm_id: int) -> float:
    index = {int(osm_id): i for i, osm_id in enumerate(network.osm_node_ids)}
    return float(dijkstra(network.seconds, indices=index[from_osm_id])[index[to_osm_id]])


def _meters_between(network, a_osm_id: int, b_osm_id: int) -> float:
    index = {int(osm_id): i for i, osm_id in enumerate(network.osm_node_ids)}
    a, b = index[a_osm_id], index[b_osm_id]
    return float(
        np.hypot(
            network.x_meters[a] - network.x_meters[b], network.y_meters[a] - network.y_meters[b]
        )
    )


def test_oneway_yes_gives_asymmetric_drive_times():
    network = load_road_network(ONEWAY_OSM, mode="drive")
    # n1 → n2 is direct; n2 → n1 must go round n3 and n4. maxspeed=36 km/h is 10 m/s.
    assert _seconds_between(network, 1, 2) == pytest.approx(_meters_between(network, 1, 2) / 10)
    around = sum(_meters_between(network, a, b) for a, b in [(2, 3), (3, 4), (4, 1)])
    assert _seconds_between(network, 2, 1) == pytest.approx(around / 10)
    assert _seconds_between(network, 1, 2) == pytest.approx(7.17, abs=0.05)  # ~71.7 m
    assert _seconds_between(network, 2, 1) == pytest.approx(29.41, abs=0.1)


def test_oneway_minus_one_runs_against_the_drawing_direction():
    network = load_road_network(ONEWAY_OSM, mode="drive")
    direct = _meters_between(network, 5, 4) / 10
    assert _seconds_between(network, 5, 4) == pytest.approx(direct)
    around = (_meters_between(network, 4, 1) + _meters_between(network, 1, 5)) / 10
    assert _seconds_between(network, 4, 5) == pytest.approx(around)


def test_walk_ignores_oneway_and_uses_footways():
    network = load_road_network(ONEWAY_OSM, mode="walk")
    assert sorted(network.osm_node_ids) == [1, 2, 3, 4, 5, 6]
    meters = _meters_between(network, 1, 2)
    assert _seconds_between(network, 1, 2) == pytest.approx(meters / (4.8 / 3.6))
    assert _seconds_between(network, 2, 1) == pytest.approx(_seconds_between(network, 1, 2))
    assert (network.seconds != network.seconds.T).nnz == 0
    drive = load_road_network(ONEWAY_OSM, mode="drive")
    assert 6 not in drive.osm_node_ids  # the footway is not driveable


def test_way_rules_for_roundabouts_motorways_and_maxspeed():
    drive = DEFAULT_SPEEDS_KMH["drive"]
    assert way_rule({"highway": "primary", "junction": "roundabout"}, "drive", drive)[1:] == (
        True,
        False,
    )
    assert way_rule({"highway": "motorway"}, "drive", drive) == (100.0, True, False)
    assert way_rule({"highway": "motorway", "oneway": "no"}, "drive", drive)[1:] == (True, True)
    assert way_rule({"highway": "residential", "maxspeed": "20 mph"}, "drive", drive)[0] == (
        pytest.approx(32.18688)
    )
    assert way_rule({"highway": "residential", "maxspeed": "BR:urban"}, "drive", drive)[0] == 30.0
    assert way_rule({"highway": "residential", "access": "private"}, "drive", drive)[0] == 0.0
    assert way_rule({"highway": "footway"}, "drive", drive)[0] == 0.0
    walk = DEFAULT_SPEEDS_KMH["walk"]
    assert way_rule({"highway": "residential", "foot": "no"}, "walk", walk)[0] == 0.0
    assert way_rule({"highway": "footway", "access": "no", "foot": "yes"}, "walk", walk)[0] == 4.8
    bike = DEFAULT_SPEEDS_KMH["bike"]
    contraflow = {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"}
    assert way_rule(contraflow, "bike", bike)[1:] == (True, True)


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_porto_alegre_network_is_one_strong_component_in_local_utm(mode):
    network = load_road_network(POA_PBF, mode=mode)
    assert network.crs == "EPSG:32722"  # UTM 22S
    assert 20_000 < network.node_count < 43_264
    assert network.dropped_node_count > 0
    count, _ = connected_components(network.seconds, directed=True, connection="strong")
    assert count == 1
    assert np.array_equal(network.seconds.indices, network.length_meters.indices)
    speeds_mps = network.length_meters.data / network.seconds.data
    assert (
        speeds_mps.max() <= max(DEFAULT_SPEEDS_KMH[mode].values()) / 3.6 + 1e-9 or mode == "drive"
    )
    lon, lat = network.to_lonlat()
    assert lon.min() > -51.27 and lon.max() < -51.13
    assert lat.min() > -30.12 and lat.max() < -29.98
    if mode == "walk":
        assert (network.seconds != network.seconds.T).nnz == 0
    if mode == "drive":
        assert (network.seconds != network.seconds.T).nnz > 0  # one-way streets exist


def test_pbf_and_xml_give_the_same_network(tmp_path):
    xml = tmp_path / "poa.osm.bz2"
    xml.write_bytes(bz2.compress((REPO / "tests" / "data" / "oneway_streets.osm").read_bytes()))
    from_xml = load_road_network(xml, mode="drive")
    from_plain = load_road_network(ONEWAY_OSM, mode="drive")
    assert np.array_equal(from_xml.osm_node_ids, from_plain.osm_node_ids)
    assert (from_xml.seconds != from_plain.seconds).nnz == 0


def test_speeds_override_changes_travel_seconds():
    slow = load_road_network(ONEWAY_OSM, mode="walk", speeds={"residential": 2.4})
    normal = load_road_network(ONEWAY_OSM, mode="walk")
    assert _seconds_between(slow, 1, 2) == pytest.approx(2 * _seconds_between(normal, 1, 2))


def test_nearest_nodes_snaps_to_the_closest_corner():
    network = load_road_network(ONEWAY_OSM, mode="walk")
    node, snap_meters = network.nearest_nodes(
        network.x_meters[[2]] + 3.0, network.y_meters[[2]] + 4.0
    )
    assert node.tolist() == [2] and snap_meters == pytest.approx([5.0])


def test_truncated_pbf_is_a_data_error(tmp_path):
    truncated = tmp_path / "truncated.osm.pbf"
    truncated.write_bytes(POA_PBF.read_bytes()[:300_000])
    with pytest.raises(DataError, match=re.escape("truncated.osm.pbf")):
        load_road_network(truncated)


def test_empty_file_is_a_data_error(tmp_path):
    empty = tmp_path / "empty.osm.pbf"
    empty.touch()
    with pytest.raises(DataError, match=r"empty\.osm\.pbf: file is empty"):
        load_road_network(empty)


def test_file_without_usable_ways_is_a_data_error(tmp_path):
    no_roads = tmp_path / "no_roads.osm"
    no_roads.write_text(
        '<?xml version="1.0"?><osm version="0.6"><node id="1" lat="1" lon="1" version="1"/></osm>'
    )
    with pytest.raises(DataError, match=re.escape("no_roads.osm")):
        load_road_network(no_roads)


def test_garbage_and_missing_files_are_data_errors(tmp_path):
    garbage = tmp_path / "garbage.osm.pbf"
    garbage.write_bytes(b"this is not a pbf file" * 100)
    with pytest.raises(DataError, match=re.escape("garbage.osm.pbf: cannot read OSM data")):
        load_road_network(garbage)
    with pytest.raises(DataError, match=re.escape("missing.osm.pbf: file not found")):
        load_road_network(tmp_path / "missing.osm.pbf")
    renamed = tmp_path / "roads.dat"
    shutil.copy(POA_PBF, renamed)
    with pytest.raises(DataError, match=re.escape("roads.dat")):
        load_road_network(renamed)
