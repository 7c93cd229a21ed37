"""History reader: gaps reported with row numbers, bad rows rejected with file and row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import DataError
from optimizer.forecast import load_history

COLUMNS = {"site_column": "site", "time_column": "date", "count_column": "count"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(text)
    return path


def test_gaps_are_reported_with_rows_and_never_filled(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "site,date,count\n"
        "A,2024-01-01,10\n"  # line 2
        "A,2024-01-02,\n"  # line 3: empty count
        "A,2024-01-03,12\n"
        "A,2024-01-06,9\n"  # 4 and 5 January have no row
        "B,2024-01-01,3\n",
    )
    history = load_history(path, **COLUMNS)
    gaps = [(g.site, g.start, g.periods, g.rows) for g in history.report.gaps]
    assert gaps == [
        ("A", pd.Timestamp("2024-01-02"), 1, (3,)),
        ("A", pd.Timestamp("2024-01-04"), 2, ()),
    ]
    assert "rows 3" in history.report.lines()[0]
    matrix = history.daily_matrix()
    assert np.isnan(matrix.loc["2024-01-04", "A"]) and np.isnan(matrix.loc["2024-01-02", "A"])
    assert history.frequency == "daily"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "site,date,count\nA,2024-01-01,1\nA,2024-01-02,2\nA,2024-01-01,3\n",
            "rows 2, 4: duplicate",
        ),
        ("site,date,count\nA,2024-01-01,1\nA,2024-01-02,-5\n", "negative count on rows 3"),
        (
            "site,date,count\nA,2024-01-01,1\nA,not a date,2\n",
            "unparseable or empty date on rows 3",
        ),
        ("site,date,count\nA,2024-01-01,many\n", "non-numeric count on rows 2"),
        ("site,day,count\nA,2024-01-01,1\n", "no column 'date'"),
        ("site,date,count\nZ,2024-01-01,1\n", "unknown site on rows 2"),
    ],
)
def test_bad_rows_raise_one_clear_data_error(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_history(path, **COLUMNS, known_sites={"A"})
    message = str(caught.value)
    assert expected in message
    assert message.startswith(str(path)) and "\n" not in message


def test_hourly_history_sums_into_counting_days(tmp_path: Path) -> None:
    hours = pd.date_range("2024-03-04 06:00", periods=48, freq="h")
    frame = pd.DataFrame({"site": "A", "date": hours, "count": np.arange(48)})
    path = tmp_path / "hourly.csv"
    frame.iloc[:-1].to_csv(path, index=False)  # the second day misses its last hour
    history = load_history(path, **COLUMNS)
    assert history.frequency == "hourly"
    daily = history.daily_matrix(day_start_hour=6)["A"]
    assert daily.loc["2024-03-04"] == sum(range(24))
    assert np.isnan(daily.loc["2024-03-05"])


def test_single_site_file_is_named_by_its_stem(tmp_path: Path) -> None:
    path = tmp_path / "visitors.csv"
    path.write_text("date,visitors\n2024-01-01,5\n2024-01-02,7\n")
    history = load_history(path, site_column=None, time_column="date", count_column="visitors")
    assert history.sites == ["visitors"]
