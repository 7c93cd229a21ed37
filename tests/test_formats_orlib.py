"""OR-Library readers: published optima on bundled instances, and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from optimizer.errors import DataError
from optimizer.formats import read_published_instance, solve_published_instance
from optimizer.solve import SolverLimits, SolveStatus

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    ("format_name", "file_name", "optimum"),
    [
        ("orlib-pmed", "pmed1.txt", 5819),
        ("orlib-pmed", "pmed4.txt", 3034),  # 2999 if duplicate edges kept their minimum
        ("orlib-pmed", "pmed16.txt", 8162),  # p = 5 of 400: the slowest of pmed1–20 to prove
        ("orlib-scp", "scp41.txt", 429),
        ("orlib-cap", "cap71.txt", 932615.75),
    ],
)
def test_published_optimum_is_reached_and_proven(format_name, file_name, optimum):
    plan, report = solve_published_instance(
        format_name, DATA / file_name, SolverLimits(time_limit_seconds=60)
    )
    assert report.status == SolveStatus.OPTIMAL
    assert report.objective == pytest.approx(optimum, rel=1e-9)
    assert report.gap == pytest.approx(0.0, abs=1e-6)
    assert plan.objective_value == report.objective


def test_pmed_last_duplicate_edge_wins(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("3 3 1\n1 2 5\n2 3 1\n1 2 9\n")
    problem = read_published_instance("orlib-pmed", path).problem
    assert problem.travel_minutes.toarray()[0, 1] == 9.0
    assert problem.travel_minutes[0, 0] == 0.0 and problem.travel_minutes.nnz == 9


def test_pmed_reads_header_p_and_shortest_paths():
    instance = read_published_instance("orlib-pmed", DATA / "pmed1.txt")
    assert instance.settings.max_stations == 5
    minutes = instance.problem.travel_minutes.toarray()
    assert minutes.shape == (100, 100)
    np.testing.assert_array_equal(minutes, minutes.T)


def test_scp_problem_shape_and_costs():
    problem = read_published_instance("orlib-scp", DATA / "scp41.txt").problem
    assert (problem.n_demand, problem.n_sites) == (200, 1000)
    assert problem.coverable().all()
    assert problem.opening_cost[:3].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("format_name", "text", "message"),
    [
        ("orlib-pmed", "3 2 1\n1 2 5\n2 x 1\n", "line 3: expected a number"),
        ("orlib-pmed", "3 2 1\n1 2 5\n", "file ends early"),
        ("orlib-pmed", "3 1 1\n1 7 5\n", "line 2: vertex 7 is outside 1..3"),
        ("orlib-pmed", "3 1 1\n1 2 5\n9\n", "line 3: unexpected extra value"),
        ("orlib-scp", "2 2\n1 1\n1\n1\n1\n3\n", "line 6: column 3 is outside 1..2"),
        ("orlib-cap", "1 1\ncapacity 10.\n5\n2.5 7\n", "unexpected extra value"),
        ("orlib-cap", "1 2\n100 10.\n5\n2.5\n", "file ends early"),
    ],
)
def test_bad_files_raise_one_line_data_error(tmp_path, format_name, text, message):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(DataError) as caught:
        read_published_instance(format_name, path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="unknown format 'orlib-xyz'"):
        read_published_instance("orlib-xyz", DATA / "pmed1.txt")
    with pytest.raises(DataError, match="no such file"):
        read_published_instance("orlib-pmed", tmp_path / "absent.txt")


def test_cap_accepts_literal_capacity_word(tmp_path):
    path = tmp_path / "capx.txt"
    path.write_text("2 1\ncapacity 10.\ncapacity 3.\n5\n2.5 7\n")
    _, report = solve_published_instance("orlib-cap", path, SolverLimits(time_limit_seconds=10))
    assert report.objective == pytest.approx(min(10 + 2.5, 3 + 7))
