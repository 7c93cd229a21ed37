"""Backtests: the model beats seasonal-naive on the bundled Auckland counts (and on Jiuzhaigou,
read from ../shared/data and skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from optimizer.export.backtest_png import write_backtest_png
from optimizer.forecast import ModelOptions, backtest, build_calendar
from optimizer.forecast.history import history_from_frame, load_history

REPO = Path(__file__).resolve().parents[1]
AUCKLAND = REPO / "geodata" / "auckland" / "pedestrians_daily.csv"
AFTER_LOCKDOWNS = ModelOptions(exclude_periods=[("2019-01-01", "2022-12-31")])


def test_auckland_backtest_beats_seasonal_naive(tmp_path: Path) -> None:
    table = pd.read_csv(AUCKLAND, dtype=str)
    first_sites = sorted(table["site"].unique())[:4]
    history = history_from_frame(
        table[table["site"].isin(first_sites)],
        path=AUCKLAND,
        site_column="site",
        time_column="date",
        count_column="count",
    )
    calendar = build_calendar(country="NZ", subdivision="AUK", years=range(2019, 2026))
    result = backtest(history, calendar, weeks=8, options=AFTER_LOCKDOWNS)
    assert list(result.scores.index) == first_sites
    assert (result.scores["n_days"] == 56).all()
    assert result.mean_mase <= 0.8 * result.mean_naive_mase
    assert 0.5 <= result.scores["coverage"].mean() <= 1.0
    png = write_backtest_png(result, tmp_path / "backtest.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.shared_data
def test_jiuzhaigou_backtest_beats_the_better_naive_baseline(shared_data: Path) -> None:
    history = load_history(
        shared_data / "demand" / "jiuzhaigou_visitors" / "jiuzhaigou_daily_visitors.csv",
        site_column=None,
        time_column="date",
        count_column="visitors",
    )
    calendar = build_calendar(country="CN", years=range(2012, 2018))
    result = backtest(history, calendar, weeks=8, end="2017-08-07")
    better_naive = min(result.mean_naive_mase, result.mean_naive_year_mase)
    assert result.mean_mase <= 0.9 * better_naive
