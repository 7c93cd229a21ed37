"""CSV readers of the roster inputs: good files parse, bad rows name file, row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from optimizer.errors import DataError
from optimizer.roster.readers import (
    read_employees,
    read_requirements,
    read_shared_employees,
    read_shift_types,
)
from tests.test_roster_checker import synthetic_problem


def test_fixture_files_parse() -> None:
    problem = synthetic_problem()
    assert [e.employee_id for e in problem.employees][:3] == ["E1", "E2", "E3"]
    e1 = problem.employees[0]
    assert e1.sites == ("harbour",) and e1.skills == {"general", "languages"}
    assert (e1.min_minutes, e1.max_minutes, e1.contract_period_days) == (960, 2400, 7)
    assert e1.requests[0].day == date(2025, 1, 10) and not e1.requests[0].wanted
    night = problem.shift_types[2]
    assert (night.start_minutes, night.length_minutes, night.night) == (22 * 60, 540, True)
    weekend = [r for r in problem.requirements if r.site == "harbour" and r.day.weekday() == 5]
    assert {r.reserve_needed for r in weekend} == {r.staff_needed for r in weekend}
    assert problem.shared_employees[0].cost_per_day == 250
    assert len(problem.shared_employees[0].available) == 14


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


EMPLOYEE_HEADER = "employee_id,sites,skills,min_minutes_per_week,max_minutes_per_week\n"


@pytest.mark.parametrize(
    ("reader", "name", "text", "expected"),
    [
        (
            read_employees,
            "employees.csv",
            EMPLOYEE_HEADER + "A,s,g,960,2400\nB,s,g,lots,2400\n",
            "employees.csv: min_minutes_per_week: row 3: expected a whole number from 0 to 10080 "
            "(got 'lots')",
        ),
        (
            read_employees,
            "employees.csv",
            EMPLOYEE_HEADER + "A,s,g,960,600\n",
            "employees.csv: max_minutes_per_week: row 2: is below min_minutes_per_week 960",
        ),
        (
            read_employees,
            "employees.csv",
            EMPLOYEE_HEADER + "A,s,g,0,60\nA,s,g,0,60\n",
            "employees.csv: employee_id: row 3: duplicate 'A' (first on row 2)",
        ),
        (
            read_shift_types,
            "shifts.csv",
            "shift_id,start,length_minutes\nE,7am,480\n",
            "shifts.csv: start: row 2: expected a time HH:MM (got '7am')",
        ),
        (
            read_requirements,
            "req.csv",
            "site,date,shift,skill,staff_needed\ns,2025-13-01,E,g,1\n",
            "req.csv: date: row 2: expected a date YYYY-MM-DD (got '2025-13-01')",
        ),
        (
            read_requirements,
            "req.csv",
            "site,date,shift,skill\n",
            "req.csv: header: missing column(s) staff_needed; the header has 4 named column(s)",
        ),
        (
            read_shared_employees,
            "shared.csv",
            "partner,employee_id,sites,skills,available_from,available_to,max_days,cost_per_day\n"
            "P,Q1,s,g,2025-01-10,2025-01-01,2,100\n",
            "shared.csv: available_to: row 2: is before available_from 2025-01-10",
        ),
    ],
)
def test_bad_rows_name_file_line_and_column(tmp_path, reader, name, text, expected) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(DataError) as caught:
        reader(path)
    assert str(caught.value) == f"{tmp_path}/{expected}"
    assert caught.value.exit_code == 2


def test_missing_file_is_a_data_error(tmp_path) -> None:
    with pytest.raises(DataError, match=r"absent\.csv: file not found"):
        read_shift_types(tmp_path / "absent.csv")
