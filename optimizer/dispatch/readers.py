"""CSV readers for dispatch inputs, with one clear error per bad file: file, row, column.

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2.

* regions: ``region`` (id), optional ``priority`` (integer 1–1,000, default 1),
  ``mobilisation_minutes`` (>= 0, default 0), ``lat`` and ``lon`` (WGS84 degrees, both or none).
* resources (long format, one row per region and resource type): ``region``, ``resource``,
  ``available_units``, ``demand_units`` and optional ``min_cover_units``, ``partner_units``
  (whole units >= 0, default 0). Region and resource pairs not listed have no units.
* travel minutes, either a square matrix (header ``region,<id>,<id>,...``, then one row per
  region in the same order; an empty cell is an unreachable pair) or long format
  ``from,to,minutes`` (pairs not listed are unreachable).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.errors import DataError

#: Highest region priority: keeps ``priority × regions × window seconds`` unmet-demand
#: penalties well inside 64-bit costs (a scale of 1–5 or 1–10 is the usual use).
MAX_PRIORITY = 1000

UNIT_COLUMNS = ("available_units", "demand_units", "min_cover_units", "partner_units")


@dataclass(frozen=True)
class ResourceTable:
    """Units per region and resource type read from a resources CSV, int (n, r) each."""

    resource_names: tuple[str, ...]
    available: np.ndarray
    demand: np.ndarray
    min_cover: np.ndarray
    partner: np.ndarray


def read_table(path: str | Path, required: Sequence[str]) -> pd.DataFrame:
    """A CSV file as a frame of strings (empty cells are ``""``), with ``required`` columns.

    Raises:
        DataError: unreadable, empty, without data rows, or missing a required column.
    """
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except pd.errors.EmptyDataError:
        raise DataError(path, f"file is empty (expected columns {', '.join(required)})") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataError(path, f"cannot read CSV: {error}") from None
    missing = [column for column in required if column not in table.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}", field="header")
    if table.empty:
        raise DataError(path, "no data rows")
    return table


def numeric_column(
    path: str | Path,
    table: pd.DataFrame,
    column: str,
    *,
    whole: bool = False,
    minimum: float = 0.0,
    maximum: float = np.inf,
    default: float | None = None,
) -> np.ndarray:
    """``table[column]`` as float64, checked finite, within ``[minimum, maximum]`` and whole
    when asked.

    Empty cells (or an absent column) take ``default``; without a default they are errors.

    Raises:
        DataError: naming the first bad row and the column.
    """
    if column not in table.columns:
        if default is None:
            raise DataError(path, f"missing column {column}", field="header")
        return np.full(len(table), default, dtype=np.float64)
    text = table[column].str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    if default is not None:
        values[(text == "").to_numpy()] = default
    bad = ~np.isfinite(values) | (values < minimum) | (values > maximum)
    if whole:
        bad |= np.isfinite(values) & (values != np.round(values))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        kind = "a whole number" if whole else "a number"
        bounds = f">= {minimum:g}" if maximum == np.inf else f"from {minimum:g} to {maximum:g}"
        raise DataError(
            path,
            f"row {row + 2}: expected {kind} {bounds} (got {table[column].iloc[row]!r})",
            field=column,
        )
    return values


def region_rows(
    path: str | Path, table: pd.DataFrame, column: str, region_ids: Sequence[str]
) -> np.ndarray:
    """Region index of each row's ``column`` value, int (rows,).

    Raises:
        DataError: a region id that is not among ``region_ids``, naming the row.
    """
    index = pd.Index(region_ids).get_indexer(table[column].str.strip())
    unknown = np.flatnonzero(index < 0)
    if len(unknown):
        row = int(unknown[0])
        raise DataError(
            path, f"row {row + 2}: unknown region {table[column].iloc[row]!r}", field=column
        )
    return index


def first_duplicate(path: str | Path, table: pd.DataFrame, columns: list[str]) -> None:
    """Raise DataError naming the first row whose ``columns`` repeat an earlier row."""
    duplicated = table.duplicated(subset=columns).to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        values = ", ".join(str(table[column].iloc[row]) for column in columns)
        raise DataError(path, f"row {row + 2}: duplicate {values}", field=columns[0])


def read_regions_csv(path: str | Path) -> pd.DataFrame:
    """Regions: columns ``region`` (str), ``priority`` (int), ``mobilisation_minutes`` (float)
    and, when the file has them, ``lat`` and ``lon`` (float degrees); in file order.

    Raises:
        DataError: see the module docstring for the expected columns.
    """
    table = read_table(path, ["region"])
    table["region"] = table["region"].str.strip()
    if (table["region"] == "").any():
        row = int(np.flatnonzero(table["region"] == "")[0])
        raise DataError(path, f"row {row + 2}: empty region id", field="region")
    first_duplicate(path, table, ["region"])
    regions = pd.DataFrame({"region": table["region"]})
    regions["priority"] = numeric_column(
        path, table, "priority", whole=True, minimum=1, maximum=MAX_PRIORITY, default=1
    ).astype(np.int64)
    regions["mobilisation_minutes"] = numeric_column(
        path, table, "mobilisation_minutes", default=0.0
    )
    if ("lat" in table.columns) != ("lon" in table.columns):
        raise DataError(path, "give both lat and lon columns, or neither", field="header")
    if "lat" in table.columns:
        for column, limit in (("lat", 90.0), ("lon", 180.0)):
            regions[column] = numeric_column(path, table, column, minimum=-limit)
            beyond = np.flatnonzero(regions[column].to_numpy() > limit)
            if len(beyond):
                raise DataError(path, f"row {beyond[0] + 2}: beyond ±{limit:g}", field=column)
    return regions


def read_resources_csv(path: str | Path, *, region_ids: Sequence[str]) -> ResourceTable:
    """Units per region and resource type (long format, see the module docstring).

    Raises:
        DataError: an unknown region, a duplicate (region, resource) row, a negative or
            fractional unit count, naming the row and column.
    """
    table = read_table(path, ["region", "resource", "available_units", "demand_units"])
    regions = region_rows(path, table, "region", region_ids)
    names = table["resource"].str.strip()
    if (names == "").any():
        row = int(np.flatnonzero(names == "")[0])
        raise DataError(path, f"row {row + 2}: empty resource name", field="resource")
    first_duplicate(path, table.assign(region=regions, resource=names), ["region", "resource"])
    resource_names, resources = np.unique(names.to_numpy(dtype=str), return_inverse=True)
    units = []
    for column in UNIT_COLUMNS:
        values = numeric_column(path, table, column, whole=True, default=0.0)
        grid = np.zeros((len(region_ids), len(resource_names)), dtype=np.int64)
        grid[regions, resources] = values.astype(np.int64)
        units.append(grid)
    return ResourceTable(tuple(str(name) for name in resource_names), *units)


def read_travel_csv(path: str | Path, *, region_ids: Sequence[str]) -> sp.csr_array:
    """Travel minutes between regions, (n, n) csr in ``region_ids`` order.

    Stored entries are the pairs given (explicit zeros kept); see the module docstring for the
    two accepted layouts.

    Raises:
        DataError: a non-square matrix or ragged row, an unknown or missing region, a negative
            or non-numeric value, naming the row and column.
    """
    with _open_text(path) as handle:
        header = next(csv.reader(handle), None)
    if header is None:
        raise DataError(path, "file is empty (expected a matrix or from,to,minutes)")
    if [cell.strip() for cell in header] == ["from", "to", "minutes"]:
        return _read_travel_pairs(path, region_ids)
    return _read_travel_matrix(path, region_ids)


def _open_text(path: str | Path) -> TextIO:
    """Open a CSV file for reading text, turning a missing file into a DataError."""
    try:
        return open(path, newline="", encoding="utf-8")
    except OSError as error:
        raise DataError(path, f"cannot open: {error.strerror}") from None


def _read_travel_pairs(path: str | Path, region_ids: Sequence[str]) -> sp.csr_array:
    """Long-format travel minutes ``from,to,minutes``."""
    table = read_table(path, ["from", "to", "minutes"])
    origins = region_rows(path, table, "from", region_ids)
    destinations = region_rows(path, table, "to", region_ids)
    first_duplicate(path, table.assign(origin=origins, to=destinations), ["origin", "to"])
    minutes = numeric_column(path, table, "minutes")
    n = len(region_ids)
    return sp.csr_array((minutes, (origins, destinations)), shape=(n, n))


def _read_travel_matrix(path: str | Path, region_ids: Sequence[str]) -> sp.csr_array:
    """Square travel-minutes matrix with region ids in the header and the first column."""
    with _open_text(path) as handle:
        rows = list(csv.reader(handle))
    header, body = [cell.strip() for cell in rows[0]], rows[1:]
    columns = header[1:]
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(
                path,
                f"row {number}: {len(row) - 1} values for {len(columns)} columns "
                "(the matrix must be square)",
                field="matrix",
            )
    if len(body) != len(columns):
        raise DataError(
            path,
            f"{len(body)} rows for {len(columns)} columns (the matrix must be square)",
            field="matrix",
        )
    frame = pd.DataFrame(body, columns=["region", *columns], dtype=str)
    origins = region_rows(path, frame, "region", region_ids)
    destinations = pd.Index(region_ids).get_indexer(columns)
    if (destinations < 0).any():
        unknown = columns[int(np.flatnonzero(destinations < 0)[0])]
        raise DataError(path, f"row 1: unknown region {unknown!r}", field="header")
    first_duplicate(path, frame, ["region"])
    if len(set(columns)) != len(columns) or len(columns) != len(region_ids):
        raise DataError(
            path, f"the matrix must list each of the {len(region_ids)} regions once", field="header"
        )
    cells = np.char.strip(np.asarray(body, dtype=str)[:, 1:])
    given = cells != ""
    minutes = np.full(cells.shape, np.nan)
    minutes[given] = pd.to_numeric(pd.Series(cells[given]), errors="coerce").to_numpy()
    bad = given & ~(minutes >= 0)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        raise DataError(
            path,
            f"row {row + 2}: expected minutes >= 0 (got {cells[row, column]!r})",
            field=columns[column],
        )
    rows_given, columns_given = np.nonzero(given)
    n = len(region_ids)
    return sp.csr_array(
        (minutes[given], (origins[rows_given], destinations[columns_given])), shape=(n, n)
    )
