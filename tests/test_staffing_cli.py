"""`svcplan forecast` and the staffing part of `svcplan plan` on the bundled Auckland history."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app

from .conftest import REPO_ROOT

runner = CliRunner()
SCENARIO = REPO_ROOT / "scenarios" / "tourist-peak.yaml"
HISTORY = REPO_ROOT / "geodata" / "auckland" / "pedestrians_daily.csv"
SITES = ["107 Quay Street", "30 Queen Street", "Commerce Street West"]


@pytest.fixture(scope="module")
def small_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tourist-peak scenario on three of its sites (one waterfront), without its roster."""
    folder = tmp_path_factory.mktemp("staffing")
    history = pd.read_csv(HISTORY)
    history[history["site"].isin(SITES)].to_csv(folder / "history.csv", index=False)
    text = SCENARIO.read_text().replace(
        "../geodata/auckland/pedestrians_daily.csv", str(folder / "history.csv")
    )
    text = text.replace(
        "      - 188 Quay Street Lower Albert (EW)\n      - 188 Quay Street Lower Albert (NS)\n", ""
    )
    text = text[: text.index("  roster:")] + text[text.index("\nsolver:") :]  # no roster here
    path = folder / "tourist-peak.yaml"
    path.write_text(text)
    return path


def test_forecast_backtest_beats_seasonal_naive(small_scenario: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["forecast", str(small_scenario), "--backtest", "--json", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sites"] == 3
    folder = tmp_path / "tourist-peak" / "forecast"
    scores = pd.read_csv(folder / "backtest.csv")
    assert sorted(scores["site"]) == sorted(SITES)
    ratio = summary["backtest"]["mase_ratio_to_naive"]
    assert ratio == pytest.approx(scores["mase"].mean() / scores["naive_mase"].mean())
    # 0.81 on these three sites' Christmas window (0.77 without the blend with the naive
    # forecasts); the 0.8 goal on all 21 sites: test_forecast_backtest.py
    assert ratio <= 0.85
    assert (folder / "backtest.png").stat().st_size > 10_000
    gaps = (folder / "history_gaps.txt").read_text()
    assert "107 Quay Street: 1208 missing from 2019-04-01 to 2022-07-21" in gaps


def test_plan_staffs_the_forecast_with_200_percent_reserve_in_season(
    small_scenario: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["plan", str(small_scenario), "--out", str(tmp_path), "-q"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "tourist-peak"
    requirements = pd.read_csv(folder / "requirements.csv", parse_dates=["slot"])
    assert requirements["slot"].min() == pd.Timestamp("2026-01-01")
    assert requirements["slot"].max() == pd.Timestamp("2026-01-28")
    waterfront = requirements[requirements["site"] == "107 Quay Street"]
    in_season = waterfront["slot"] >= pd.Timestamp("2026-01-10")
    assert (
        waterfront.loc[in_season, "reserve_needed"] == 2 * waterfront.loc[in_season, "staff_needed"]
    ).all()
    assert (waterfront.loc[~in_season, "reserve_needed"] == 0).all()
    assert (
        requirements.loc[requirements["site"] != "107 Quay Street", "reserve_needed"] == 0
    ).all()
    assert (requirements["staff_needed"] >= 1).all()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["engines"]["staffing"]["sites"] == 3


def test_forecast_without_a_staffing_section_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("name: nothing\n")
    result = runner.invoke(app, ["forecast", str(path)])
    assert result.exit_code == 2
    assert "staffing: this scenario has no staffing section" in result.stderr


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("30 Queen Street,2025-13-45,100\n", "date"),
        ("30 Queen Street,2025-06-01,-4\n", "count"),
    ],
)
def test_bad_history_rows_exit_2_naming_file_and_row(
    small_scenario: Path, tmp_path: Path, row: str, message: str
) -> None:
    history = tmp_path / "history.csv"
    history.write_text("site,date,count\n30 Queen Street,2025-05-31,10\n" + row)
    scenario = tmp_path / "bad.yaml"
    text = small_scenario.read_text()
    original = next(line for line in text.splitlines() if line.strip().startswith("history:"))
    scenario.write_text(text.replace(original, f"  history: {history}"))
    result = runner.invoke(app, ["forecast", str(scenario)])
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert line.startswith(f"error: {history}")
    assert message in line and "3" in line
    assert "\n" not in line


def test_unknown_holiday_country_is_a_scenario_error(small_scenario: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "country.yaml"
    scenario.write_text(small_scenario.read_text().replace("country: NZ", "country: XX"))
    result = runner.invoke(app, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert "staffing.country: no public-holiday calendar for XX" in result.stderr


@pytest.mark.shared_data
def test_hourly_history_is_scored_by_the_hour(
    small_scenario: Path, shared_data: Path, tmp_path: Path
) -> None:
    """The three sites' hourly Auckland counts (daylight-saving repeats summed, a 06:00 day):
    the backtest scores the hours against the same hour last week, and the naive MASE of a
    site recomputed here from the source file matches the one written."""
    wide = pd.read_csv(shared_data / "demand" / "auckland_pedestrians" / "hourly_counts.csv")
    hour = wide["hour"].str.split(":").str[0].astype(int)
    start = pd.to_datetime(wide["date"]) + pd.to_timedelta(hour + 24 * (hour < 6), unit="h")
    hourly = (
        wide[SITES]
        .assign(time=start)
        .melt(id_vars="time", var_name="site", value_name="count")
        .dropna()
        .groupby(["site", "time"], as_index=False)["count"]
        .sum()
    )
    hourly.to_csv(tmp_path / "hourly.csv", index=False)
    text = small_scenario.read_text().replace(
        small_scenario.parent.joinpath("history.csv").as_posix(),
        (tmp_path / "hourly.csv").as_posix(),
    )
    text = text.replace("time_column: date", "time_column: time\n  day_start_hour: 6")
    scenario = tmp_path / "tourist-peak.yaml"
    scenario.write_text(text)
    result = runner.invoke(
        app, ["forecast", str(scenario), "--backtest", "--json", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    ratio = json.loads(result.stdout)["backtest"]["hourly_mase_ratio_to_naive"]
    scores = pd.read_csv(tmp_path / "out" / "tourist-peak" / "forecast" / "hourly_backtest.csv")
    assert sorted(scores["site"]) == sorted(SITES)
    assert (scores["n_hours"] == 56 * 24).all()
    assert ratio == pytest.approx(scores["mase"].mean() / scores["naive_mase"].mean())
    assert ratio < 0.95

    series = hourly[hourly["site"] == SITES[1]].set_index("time")["count"].asfreq("h")
    test = series.loc["2025-11-06 06:00":"2026-01-01 05:00"]
    before = series.loc[:"2025-11-06 05:00"]
    scale = (before - before.shift(168)).abs().mean()
    naive_mase = (test - series.shift(168).reindex(test.index)).abs().mean() / scale
    written = scores.set_index("site").loc[SITES[1], "naive_mase"]
    assert written == pytest.approx(naive_mase, rel=1e-5)
