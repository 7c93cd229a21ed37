"""Issue #15, "Nothing lost, nothing crashes": each data-reader defect, reproduced on the
bundled files, now ends in one DataError line (exit 2) naming file, row and column, or in a
correct result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from optimizer.dispatch.problem import DispatchProblem
from optimizer.dispatch.readers import (
    MAX_PRIORITY,
    MAX_UNITS,
    read_regions_csv,
    read_resources_csv,
)
from optimizer.errors import DataError, ScenarioError
from optimizer.forecast import load_history
from optimizer.forecast.history import MAX_COUNT
from optimizer.geo.demand import MAX_RESIDENTS, load_demand_points
from optimizer.geo.network import RoadNetwork
from optimizer.geo.osm import load_road_network
from optimizer.pipeline.dispatch import check_penalties_fit
from optimizer.pipeline.roster import make_roster
from optimizer.roster.readers import read_previous_roster
from optimizer.scenario import load_scenario
from optimizer.solve import MAX_THREADS, SolverLimits

REPO = Path(__file__).resolve().parents[1]
SURGE = REPO / "scenarios" / "data" / "surge"


def edited(source: Path, folder: Path, old: str, new: str) -> Path:
    """A copy of ``source`` in ``folder`` with the first ``old`` replaced by ``new``."""
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = folder / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def data_error(call, *args, **kwargs) -> str:
    """The message of the DataError ``call`` raises; it must be one line, exit code 2."""
    with pytest.raises(DataError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert caught.value.exit_code == 2 and "\n" not in message
    return message


# Defect 1: with pandas 3 ``to_numpy()`` may return a read-only view, and the regions reader
# wrote defaults into it ("assignment destination is read-only", exit 1).


@pytest.mark.parametrize("cell", ["15.5", "1.5", "1e30", "99999999999999999999", ""])
def test_valid_mobilisation_minutes_are_read(tmp_path: Path, cell: str) -> None:
    path = edited(
        SURGE / "regions.csv", tmp_path, "87a901212ffffff,1,15,", f"87a901212ffffff,1,{cell},"
    )
    regions = read_regions_csv(path)
    expected = float(cell) if cell else 0.0
    assert regions["mobilisation_minutes"].iloc[0] == expected
    assert regions["mobilisation_minutes"].iloc[1] == 15.0
    assert len(regions) == 31


def test_text_mobilisation_minutes_name_file_row_and_column(tmp_path: Path) -> None:
    path = edited(
        SURGE / "regions.csv", tmp_path, "87a901281ffffff,2,15,", "87a901281ffffff,2,ten,"
    )
    message = data_error(read_regions_csv, path)
    assert message == f"{path}: mobilisation_minutes: row 4: expected a number >= 0 (got 'ten')"


# Defect 2: solver.threads had no upper bound (100000 started 11,000 threads).


def test_solver_threads_beyond_the_bound_are_a_scenario_error(tmp_path: Path) -> None:
    scenario = tmp_path / "threads.yaml"
    scenario.write_text("name: threads\nsolver:\n  threads: 100000\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    assert str(caught.value) == f"{scenario}:3: solver.threads: must be <= 64 (got 100000)"
    assert caught.value.exit_code == 2
    scenario.write_text(f"name: threads\nsolver:\n  threads: {MAX_THREADS}\n")
    assert load_scenario(scenario).solver.threads == MAX_THREADS


# Defect 4 (dispatch): demand of 9e15 overflowed the unmet-demand penalties (exit 1).


def test_demand_beyond_the_cell_bound_names_file_row_and_column(tmp_path: Path) -> None:
    path = edited(
        SURGE / "resources.csv",
        tmp_path,
        "87a901212ffffff,staff,1,1,",
        "87a901212ffffff,staff,1,9000000000000000,",
    )
    regions = read_regions_csv(SURGE / "regions.csv")["region"].tolist()
    message = data_error(read_resources_csv, path, region_ids=regions)
    assert message == (
        f"{path}: demand_units: row 2: expected a whole number from 0 to {MAX_UNITS} "
        "(got '9000000000000000')"
    )


def unmet_problem(n: int) -> DispatchProblem:
    """``n`` regions, each lacking MAX_UNITS staff at the highest priority, none reachable."""
    return DispatchProblem.from_arrays(
        region_ids=[f"r{i}" for i in range(n)],
        resource_names=["staff"],
        available_units=np.zeros((n, 1), dtype=np.int64),
        demand_units=np.full((n, 1), MAX_UNITS, dtype=np.int64),
        priority=np.full(n, MAX_PRIORITY),
        travel_minutes=sp.csr_array((n, n)),
        window_minutes=24 * 60,
    )


def test_too_much_unmet_demand_over_many_regions_is_a_data_error() -> None:
    check_penalties_fit(unmet_problem(100), Path("resources.csv"), field="demand_units")
    message = data_error(
        check_penalties_fit, unmet_problem(1000), Path("resources.csv"), field="demand_units"
    )
    assert message.startswith("resources.csv: demand_units: 1000000000 units of 'staff' lacking")


# Defects 3-6 (history): absurd counts were accepted, a header-only file crashed, a stray time
# of day emptied every forecast, and a wrong path echoed the first line of any file.

AUCKLAND = REPO / "geodata" / "auckland" / "pedestrians_daily.csv"
HISTORY_COLUMNS = {"site_column": "site", "time_column": "date", "count_column": "count"}


def auckland_rows(folder: Path, count: int = 60, *, edit: tuple[int, str] | None = None) -> Path:
    """The header and the first ``count`` rows of the Auckland history; ``edit`` replaces the
    line of a spreadsheet row (2: the first data row)."""
    lines = AUCKLAND.read_text(encoding="utf-8").splitlines()[: count + 1]
    if edit is not None:
        lines[edit[0] - 1] = edit[1]
    path = folder / "history.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        ("inf", "count: non-numeric count on rows 5 (1 rows)"),
        ("1e308", f"count: count above {int(MAX_COUNT)} on rows 5 (1 rows)"),
        ("99999999999999999999", f"count: count above {int(MAX_COUNT)} on rows 5 (1 rows)"),
        ("-inf", "count: non-numeric count on rows 5 (1 rows)"),
    ],
)
def test_absurd_counts_name_file_row_and_column(tmp_path: Path, count: str, expected: str) -> None:
    path = auckland_rows(tmp_path, edit=(5, f"1 Courthouse Lane,2019-01-04,{count}"))
    assert data_error(load_history, path, **HISTORY_COLUMNS) == f"{path}: {expected}"


def test_a_history_with_a_header_only_is_a_data_error(tmp_path: Path) -> None:
    path = auckland_rows(tmp_path, count=0)
    assert (
        data_error(load_history, path, **HISTORY_COLUMNS) == f"{path}: no data rows (only a header)"
    )


def test_a_time_of_day_in_a_daily_history_names_the_row(tmp_path: Path) -> None:
    path = auckland_rows(tmp_path, edit=(7, "1 Courthouse Lane,2019-01-06 13:30,512"))
    assert data_error(load_history, path, **HISTORY_COLUMNS) == (
        f"{path}: date: time of day in a daily history on rows 7 (1 rows)"
    )
    history = load_history(auckland_rows(tmp_path), **HISTORY_COLUMNS)
    assert history.frequency == "daily" and len(history.counts) == 60


def test_a_history_path_at_another_file_never_quotes_it(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin\n")
    message = data_error(load_history, secret, **HISTORY_COLUMNS)
    assert message == f"{secret}: site: no column 'site'; columns found: 1"
    assert "root" not in message.removeprefix(str(secret))


# Defects 4 and 5 (population): all-zero residents crashed (IndexError), a layer in the wrong
# CRS or 3° away from the roads ended in an unrelated geometry error, and a bad value was
# named as ``np.int64(-100)`` on a 0-based row.

POA = REPO / "geodata" / "porto_alegre"


@pytest.fixture(scope="module")
def walk() -> RoadNetwork:
    return load_road_network(POA / "poa_osm.pbf", mode="walk")


@pytest.fixture(scope="module")
def hexagons() -> gpd.GeoDataFrame:
    """The first 40 populated hexagons of the bundled Porto Alegre population layer."""
    frame = gpd.read_file(POA / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    return frame[frame["population"] > 0].head(40).reset_index(drop=True)


def population_file(folder: Path, frame: gpd.GeoDataFrame) -> Path:
    path = folder / "population.gpkg"
    frame.to_file(path, layer="population")
    return path


def test_a_population_of_zeros_is_a_data_error(
    tmp_path: Path, walk: RoadNetwork, hexagons: gpd.GeoDataFrame
) -> None:
    path = population_file(tmp_path, hexagons.assign(population=0))
    message = data_error(load_demand_points, path, population_field="population", network=walk)
    assert message == f"{path}: population: no feature has residents > 0"


@pytest.mark.parametrize("shift", ["wrong_crs", "3_degrees_east"])
def test_a_population_layer_away_from_the_roads_says_so(
    tmp_path: Path, walk: RoadNetwork, hexagons: gpd.GeoDataFrame, shift: str
) -> None:
    if shift == "wrong_crs":  # degrees declared as Web Mercator metres: near (0°, 0°)
        moved = hexagons.set_crs("EPSG:3857", allow_override=True)
    else:
        moved = hexagons.assign(geometry=hexagons.geometry.translate(3.0, 0.0))
    path = population_file(tmp_path, moved)
    message = data_error(load_demand_points, path, population_field="population", network=walk)
    assert message.startswith(
        f"{path}: the layer lies outside the road network: no populated feature is within "
        "500 m of a road (check its CRS"
    )


def test_metres_in_a_layer_declaring_degrees_name_the_row(
    tmp_path: Path, walk: RoadNetwork, hexagons: gpd.GeoDataFrame
) -> None:
    metres = hexagons.to_crs(walk.crs).set_crs("EPSG:4326", allow_override=True)
    path = population_file(tmp_path, metres)
    message = data_error(load_demand_points, path, population_field="population", network=walk)
    assert message.startswith(f"{path}: geometry: row 1: coordinates beyond the layer's CRS")


def test_a_negative_population_names_the_value_and_the_row_plainly(
    tmp_path: Path, walk: RoadNetwork, hexagons: gpd.GeoDataFrame
) -> None:
    frame = hexagons.copy()
    frame.loc[5, "population"] = -100
    path = population_file(tmp_path, frame)
    message = data_error(load_demand_points, path, population_field="population", network=walk)
    assert message == (
        f"{path}: population: row 6: expected a number from 0 to {int(MAX_RESIDENTS)} "
        "(got -100); 1 bad feature(s) in all"
    )


# Defect 4 (previous roster): pandas read it, and a file without ``date`` ended in
# "Missing column provided to 'parse_dates'" (exit 1).

TOURIST_PEAK = REPO / "scenarios" / "tourist-peak.yaml"
PREVIOUS_HEADER = "employee,partner,date,shift,site,skill,role,start,end,minutes"
PREVIOUS_ROWS = [
    "E01,,2026-01-05,day,107 Quay Street,general,work,2026-01-05 08:00:00,2026-01-05 16:00:00,480",
    "E02,,2026-01-05,day,107 Quay Street,general,on-call,,,0",
    "HT1,Harbour Trust,2026-01-10,day,107 Quay Street,general,lent,,,0",
]


def previous_roster(folder: Path, header: str = PREVIOUS_HEADER) -> Path:
    path = folder / "assignments.csv"
    path.write_text("\n".join([header, *PREVIOUS_ROWS]) + "\n", encoding="utf-8")
    return path


def test_a_previous_roster_without_date_is_a_data_error(tmp_path: Path) -> None:
    path = previous_roster(tmp_path, PREVIOUS_HEADER.replace("date", "day"))
    message = data_error(read_previous_roster, path)
    assert message == (f"{path}: header: missing column(s) date; the header has 10 named column(s)")
    scenario = load_scenario(TOURIST_PEAK)
    assert scenario.staffing is not None and scenario.staffing.roster is not None
    config = scenario.staffing.roster.model_copy(update={"previous_roster": path})
    requirements = pd.DataFrame(
        {
            "slot": ["2026-01-05"],
            "site": ["107 Quay Street"],
            "skill": ["general"],
            "staff_needed": [1],
            "reserve_needed": [0],
        }
    )
    message = data_error(
        make_roster, config, SolverLimits(), requirements, name="t", progress=lambda _: None
    )
    assert message.startswith(f"{path}: header: missing column(s) date")


def test_a_previous_roster_is_read_with_dates(tmp_path: Path) -> None:
    frame = read_previous_roster(previous_roster(tmp_path))
    assert frame["date"].tolist() == [date(2026, 1, 5), date(2026, 1, 5), date(2026, 1, 10)]
    assert frame["role"].tolist() == ["work", "on-call", "lent"]
