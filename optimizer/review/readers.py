"""CSV readers of the review's inputs, with one clear error per bad file: file, row, column.

Rows are numbered as in a spreadsheet (``optimizer.tables``): the header is row 1.

* outlets: ``id``, ``name``, ``lon``, ``lat`` (WGS84 degrees), ``type``, optional
  ``annual_cost`` (currency per year, >= 0) and ``staff`` (people, >= 0); an empty optional
  cell takes the scenario's default.
* volumes (long format): ``outlet`` (an id of the outlets file), ``month`` (``YYYY-MM``) and
  ``volume`` (a count >= 0 per month; an empty cell is a month without a count, reported as
  missing). One row per outlet and month.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.tables import number_column, quoted, read_table, reject_duplicates, text_column

MAX_MONTHLY_VOLUME = 1e9
"""Most service events of one outlet in one month: more is a unit or typing error."""

MONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"


@dataclass(frozen=True)
class OutletTable:
    """The outlets file's columns, one row per outlet.

    Attributes:
        ids, names, types: text, shape ``(n,)``.
        lon, lat: WGS84 degrees.
        annual_cost: currency per year; NaN where the file leaves it empty.
        staff: people; NaN where the file leaves it empty.
    """

    ids: np.ndarray
    names: np.ndarray
    types: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    annual_cost: np.ndarray
    staff: np.ndarray


def read_outlets_csv(path: str | Path) -> OutletTable:
    """Read the outlets file.

    Raises:
        DataError: naming file, row and column (missing or repeated id, bad coordinates or
            numbers).
    """
    table = read_table(path, ("id", "name", "lon", "lat", "type"))
    ids = text_column(table, "id")
    reject_duplicates(table, ["id"])
    return OutletTable(
        ids=ids.to_numpy(dtype=str),
        names=text_column(table, "name").to_numpy(dtype=str),
        types=text_column(table, "type").to_numpy(dtype=str),
        lon=number_column(table, "lon", minimum=-180.0, maximum=180.0),
        lat=number_column(table, "lat", minimum=-90.0, maximum=90.0),
        annual_cost=number_column(table, "annual_cost", default=np.nan),
        staff=number_column(table, "staff", default=np.nan),
    )


def read_volumes_csv(path: str | Path, *, outlet_ids: np.ndarray) -> pd.DataFrame:
    """Read the monthly volume file as a month × outlet matrix.

    Args:
        path: the CSV file.
        outlet_ids: the outlets file's ids; every row must name one of them.

    Returns:
        Float matrix indexed by month (``pd.Period``, monthly, every month from the first to
        the last of the file), one column per outlet in ``outlet_ids`` order; NaN where a
        month has no count (an empty cell or no row).

    Raises:
        DataError: naming file, row and column: an unknown outlet id, a month not
            ``YYYY-MM``, a negative or non-numeric volume, or a repeated outlet and month.
    """
    table = read_table(path, ("outlet", "month", "volume"))
    outlets = text_column(table, "outlet")
    known = pd.Index(outlet_ids)
    position = known.get_indexer(outlets)
    table.reject(
        position < 0,
        "outlet",
        lambda i: f"unknown outlet {quoted(outlets.iloc[i])} (not in the outlets file)",
    )
    months = text_column(table, "month")
    table.reject(
        ~months.str.fullmatch(MONTH_PATTERN).to_numpy(dtype=bool),
        "month",
        lambda i: f"expected a month YYYY-MM (got {quoted(months.iloc[i])})",
    )
    reject_duplicates(table, ["month", "outlet"])
    volume = number_column(table, "volume", maximum=MAX_MONTHLY_VOLUME, default=np.nan)
    empty = (table.cells("volume") == "").to_numpy()
    volume[empty] = np.nan
    periods = pd.PeriodIndex(months, freq="M")
    span = pd.period_range(periods.min(), periods.max(), freq="M")
    matrix = np.full((len(span), len(known)), np.nan)
    matrix[(periods - span[0]).map(lambda offset: offset.n).to_numpy(dtype=int), position] = volume
    return pd.DataFrame(matrix, index=span, columns=known)
