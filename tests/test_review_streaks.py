"""Streaks of months below the threshold: gaps, a broken and restarted streak, an outlet that
opened mid-history, and the volume file's errors (exit 2, file, row and field)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from optimizer.errors import DataError
from optimizer.review.readers import read_volumes_csv
from optimizer.review.settings import ReviewSettings
from optimizer.review.streaks import CLOSED, MISSING, NOT_OPEN, read_months

MONTHS = pd.period_range("2022-01", periods=12, freq="M")
THRESHOLD = np.full(12, 100.0)
NAN = np.nan


def months_of(volume: list[float], **options: object) -> object:
    settings = ReviewSettings(threshold_volume=100.0, **options)  # type: ignore[arg-type]
    return read_months(np.array(volume, dtype=float), MONTHS, THRESHOLD, settings)


def test_a_streak_broken_and_restarted() -> None:
    result = months_of([50, 50, 50, 150, 50, 50, 50, 50, 50, 50, 50, 50])
    assert result.longest_streak_months == 8
    assert result.current_streak_months == 8
    assert result.streak_start == "2022-05"


def test_a_month_above_ends_the_streak() -> None:
    result = months_of([50] * 7 + [150] + [50] * 4)
    assert (result.longest_streak_months, result.current_streak_months) == (7, 4)


def test_a_missing_month_is_reported_and_breaks_the_streak() -> None:
    volume = [50, 50, 50, 50, NAN, 50, 50, 50, 50, 50, 50, 50]
    result = months_of(volume)
    assert result.missing_months == ("2022-05",)
    assert result.states[4] == MISSING
    assert result.current_streak_months == 7


def test_a_missing_month_is_skipped_when_configured() -> None:
    volume = [50, 50, 50, 50, NAN, 50, 50, 50, 50, 50, 50, 50]
    result = months_of(volume, missing_breaks_streak=False)
    assert result.missing_months == ("2022-05",)
    assert result.current_streak_months == 11


def test_zero_is_a_closed_month_or_a_low_one() -> None:
    volume = [50, 50, 0, 50, 50, 50, 50, 50, 50, 50, 50, 50]
    closed = months_of(volume)
    assert closed.closed_months == ("2022-03",) and closed.states[2] == CLOSED
    assert closed.current_streak_months == 9
    assert months_of(volume, zero_is_closed=False).current_streak_months == 12


def test_an_outlet_that_opened_mid_history() -> None:
    result = months_of([NAN] * 5 + [50] * 7)
    assert result.states[:5] == (NOT_OPEN,) * 5
    assert result.missing_months == ()
    assert result.current_streak_months == 7
    assert result.streak_start == "2022-06"


def test_share_of_the_median_threshold_follows_each_month() -> None:
    from optimizer.review.streaks import monthly_thresholds

    volumes = pd.DataFrame({"a": [100.0, 10.0], "b": [200.0, 20.0], "c": [300.0, 0.0]})
    settings = ReviewSettings(threshold_share_of_median=0.5)
    assert monthly_thresholds(volumes, settings).tolist() == [100.0, 7.5]


@pytest.mark.parametrize(
    ("line", "field", "row"),
    [
        ("x,2022-01,5", "outlet", 3),
        ("a,2022-02,-5", "volume", 3),
        ("a,2022-02,many", "volume", 3),
        ("a,2022-01,7", "month", 3),
        ("a,22-1,7", "month", 3),
    ],
)
def test_bad_volume_rows_name_file_row_and_field(
    tmp_path: object, line: str, field: str, row: int
) -> None:
    path = tmp_path / "volumes.csv"  # type: ignore[operator]
    path.write_text(f"outlet,month,volume\na,2022-01,5\n{line}\n")
    with pytest.raises(DataError) as error:
        read_volumes_csv(path, outlet_ids=np.array(["a", "b"]))
    assert error.value.exit_code == 2
    assert error.value.field == field
    assert f"row {row}" in str(error.value) and str(path) in str(error.value)


def test_volumes_become_a_month_by_outlet_matrix(tmp_path: object) -> None:
    path = tmp_path / "volumes.csv"  # type: ignore[operator]
    path.write_text("outlet,month,volume\nb,2022-03,4\na,2022-01,5\na,2022-02,\n")
    matrix = read_volumes_csv(path, outlet_ids=np.array(["a", "b"]))
    assert [str(m) for m in matrix.index] == ["2022-01", "2022-02", "2022-03"]
    assert np.isnan(matrix.loc[pd.Period("2022-02", "M"), "a"])
    assert matrix.loc[pd.Period("2022-03", "M"), "b"] == 4
