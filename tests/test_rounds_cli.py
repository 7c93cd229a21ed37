"""`svcplan solve solomon|cvrplib|pvrp FILE`: the JSON keys of every format plus `vehicles`,
and bad input exiting 2 with one line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import REPO_ROOT

runner = CliRunner()
DATA = REPO_ROOT / "tests" / "data" / "rounds"


def test_solomon_with_a_fixed_fleet_prints_the_json_keys_and_vehicles() -> None:
    arguments = ["solve", "solomon", str(DATA / "C101.txt"), "--vehicles", "10"]
    result = runner.invoke(app, [*arguments, "--time-limit", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    keys = {"format", "instance", "status", "objective", "bound", "gap", "seconds", "solver"}
    assert keys | {"notes", "vehicles"} == set(data)
    assert data["vehicles"] == 10
    assert data["objective"] == pytest.approx(828.94, abs=0.01)


def test_plain_output_names_the_fleet() -> None:
    result = runner.invoke(app, ["solve", "pvrp", str(DATA / "p14"), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    assert "vehicles 2" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["cvrplib", str(DATA / "p14")], "EDGE_WEIGHT_TYPE must be EUC_2D"),
        (["pvrp", str(DATA / "p14"), "--vehicles", "3"], "only the solomon format"),
        (["solomon", str(DATA / "missing.txt")], "no such file"),
    ],
)
def test_bad_input_exits_2_with_one_line(arguments: list[str], message: str) -> None:
    result = runner.invoke(app, ["solve", *arguments, "--time-limit", "1"])
    assert result.exit_code == 2
    assert message in result.output
