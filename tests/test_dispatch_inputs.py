"""Dispatch inputs: CSV readers (good and bad files), sparse travel storage, plan outputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from optimizer.dispatch import (
    BEYOND_THE_WINDOW,
    DONORS_EXHAUSTED,
    DispatchProblem,
    solve_dispatch,
)
from optimizer.dispatch.readers import read_regions_csv, read_resources_csv, read_travel_csv
from optimizer.errors import DataError

DATA = Path(__file__).parent / "data" / "dispatch"
REGIONS = ["north", "centre", "south", "east"]


def load(travel: str = "travel_matrix.csv", donors_keep: str = "min_cover") -> DispatchProblem:
    return DispatchProblem.from_csv(
        regions_path=DATA / "regions.csv",
        resources_path=DATA / "resources.csv",
        travel_path=DATA / travel,
        donors_keep=donors_keep,
    )


def test_csv_problem_solves_to_the_expected_plan() -> None:
    plan, report = solve_dispatch(load())
    assert report.status == "optimal"
    moves = plan.moves.groupby(["resource", "from_region", "to_region"])["units"].sum()
    # north (priority 1) lends down to its own demand 4: 8 of its 12 paramedics go to centre
    # (priority 2, lacking 8), though 12 - 8 is less than demand 4 + minimum cover 3; south
    # lends 3 of its 8 (above its cover 2) to east; everybody's demand is met.
    assert moves.to_dict() == {
        ("paramedic", "north", "centre"): 8,
        ("paramedic", "south", "east"): 3,
        ("sandbags", "north", "centre"): 250,
    }
    unmet = plan.unmet.set_index(["region", "resource"])
    assert unmet["unmet_units"].to_dict() == {("east", "sandbags"): 20}
    assert unmet.loc[("east", "sandbags"), "reason"] == BEYOND_THE_WINDOW


def test_csv_problem_keeping_demand_lends_only_beyond_it() -> None:
    plan, report = solve_dispatch(load(donors_keep="demand"))
    assert report.status == "optimal"
    moves = plan.moves.groupby(["resource", "from_region", "to_region"])["units"].sum()
    # north lends 5 paramedics (12 - 4 - 3) to centre; south lends 4 (8 - 2 - 2) plus 1 from
    # its partner: east (priority 3) gets its 3 first, centre (priority 2) the other 2.
    assert moves.to_dict() == {
        ("paramedic", "north", "centre"): 5,
        ("paramedic", "south", "centre"): 2,
        ("paramedic", "south", "east"): 3,
        ("sandbags", "north", "centre"): 250,
    }
    unmet = plan.unmet.set_index(["region", "resource"])
    assert unmet["unmet_units"].to_dict() == {("centre", "paramedic"): 1, ("east", "sandbags"): 20}
    assert unmet.loc[("centre", "paramedic"), "reason"] == DONORS_EXHAUSTED
    assert unmet.loc[("east", "sandbags"), "reason"] == BEYOND_THE_WINDOW


def test_matrix_and_pair_layouts_give_the_same_travel() -> None:
    matrix = read_travel_csv(DATA / "travel_matrix.csv", region_ids=REGIONS)
    pairs = read_travel_csv(DATA / "travel_pairs.csv", region_ids=REGIONS)
    assert load("travel_matrix.csv").travel_minutes.nnz == 8
    np.testing.assert_array_equal(
        load("travel_matrix.csv").travel_minutes.toarray(),
        load("travel_pairs.csv").travel_minutes.toarray(),
    )
    assert matrix.nnz == 14  # 10 given off-diagonal pairs and 4 explicit zeros on the diagonal
    assert pairs.nnz == 8  # the problem keeps these: the 8 pairs within 120 minutes


@pytest.mark.parametrize(
    ("reader", "name", "expected"),
    [
        ("resources", "bad_negative_stock.csv", "bad_negative_stock.csv: available_units: row 3"),
        ("resources", "bad_unknown_region.csv", "bad_unknown_region.csv: region: row 4"),
        ("travel", "bad_nonsquare.csv", "bad_nonsquare.csv: row 3: 4 values for 5 columns"),
    ],
)
def test_bad_input_names_file_row_and_field(reader: str, name: str, expected: str) -> None:
    read = read_resources_csv if reader == "resources" else read_travel_csv
    with pytest.raises(DataError) as error:
        read(DATA / name, region_ids=REGIONS)
    message = str(error.value)
    assert expected in message
    assert "\n" not in message
    assert error.value.exit_code == 2


def test_bad_input_messages_say_what_is_wrong() -> None:
    with pytest.raises(DataError, match="expected a whole number from 0 to 1000000 \\(got '-3'\\)"):
        read_resources_csv(DATA / "bad_negative_stock.csv", region_ids=REGIONS)
    with pytest.raises(DataError, match="unknown region 'west'"):
        read_resources_csv(DATA / "bad_unknown_region.csv", region_ids=REGIONS)
    with pytest.raises(DataError, match="4 values for 5 columns in the header"):
        read_travel_csv(DATA / "bad_nonsquare.csv", region_ids=REGIONS)
    with pytest.raises(DataError, match="row 5: unknown region 'east'"):
        read_travel_csv(DATA / "travel_matrix.csv", region_ids=REGIONS[:3])


def test_a_priority_beyond_the_scale_names_file_row_and_field(tmp_path: Path) -> None:
    # Priorities this large would overflow the 64-bit unmet-demand penalties.
    text = (DATA / "regions.csv").read_text().replace("east,3,", "east,100000000,")
    regions = tmp_path / "regions.csv"
    regions.write_text(text)
    with pytest.raises(DataError) as error:
        read_regions_csv(regions)
    assert "regions.csv: priority: row 5: expected a whole number from 1 to 1000" in str(
        error.value
    )


def test_sparse_travel_keeps_zero_minute_pairs_and_ignores_the_diagonal() -> None:
    # a -> b is 0 minutes (stored as an explicit zero), b -> c is 1e-9 (the geo layer's zero),
    # a -> c is missing (unreachable); the diagonal holds junk that must be ignored.
    rows, cols = np.array([0, 1, 0, 1, 2]), np.array([1, 2, 0, 1, 2])
    values = np.array([0.0, 1e-9, 5.0, 0.0, 1e-9])
    travel = sp.csr_array((values, (rows, cols)), shape=(3, 3))
    problem = DispatchProblem.from_arrays(
        region_ids=["a", "b", "c"],
        resource_names=["staff"],
        available_units=[4, 4, 0],
        demand_units=[0, 0, 3],
        partner_units=[0, 0, 1],
        travel_minutes=travel,
    )
    assert problem.travel_minutes.nnz == 2
    plan, _ = solve_dispatch(problem)
    by_lender = plan.moves.set_index(["from_region", "lender"])
    assert by_lender.loc[("b", "own"), "travel_minutes"] == 0.0  # 1e-9 read as 0
    assert plan.moves["units"].sum() == 3
    assert ("a", "own") not in by_lender.index  # a cannot reach c


def two_regions(travel_minutes: np.ndarray) -> DispatchProblem:
    """Region a lends one unit to region b, over ``travel_minutes``."""
    return DispatchProblem.from_arrays(
        region_ids=["a", "b"],
        resource_names=["staff"],
        available_units=[1, 0],
        demand_units=[0, 1],
        travel_minutes=travel_minutes,
    )


def test_non_square_array_is_rejected() -> None:
    with pytest.raises(ValueError, match="travel_minutes must be"):
        two_regions(np.zeros((2, 3)))


@pytest.mark.parametrize("cell", [(0, 1), (1, 1)])
def test_negative_minutes_in_a_dense_array_are_rejected(cell: tuple[int, int]) -> None:
    minutes = np.array([[0.0, 5.0], [5.0, 0.0]])
    minutes[cell] = -1.0
    with pytest.raises(ValueError, match="negative"):
        two_regions(minutes)


def test_plan_outputs_tables_json_and_move_lines() -> None:
    plan, _ = solve_dispatch(load())
    frames = plan.to_frames()
    assert set(frames) == {"moves", "unmet", "totals"}
    assert frames["totals"].loc[0, "moved_units"] == 261
    data = json.loads(json.dumps(plan.to_dict()))
    assert data["totals"]["unmet_units"] == 20  # 20 sandbags nobody reaches
    lines = plan.to_geodataframe()
    assert lines.crs.to_epsg() == 4326
    assert (lines.geom_type == "LineString").all()
    first = lines.iloc[0]
    assert first.geometry.coords[0] == (-51.20, -30.00)  # north (lon, lat)
