"""CSV readers for dispatch inputs, with one clear error per bad file: file, row, column.

Rows are numbered as in a spreadsheet: the header is row 1, the first data row is row 2
(``optimizer.tables`` reads and checks the cells the same way for every reader).

* regions: ``region`` (id), optional ``priority`` (integer 1–1,000, default 1),
  ``mobilisation_minutes`` (>= 0, default 0), optional ``name`` (what planners call it), ``lat``
  and ``lon`` (WGS84 degrees, both or none).
* resources (long format, one row per region and resource type): ``region``, ``resource``,
  ``available_units``, ``demand_units`` and optional ``min_cover_units``, ``partner_units``
  (whole units from 0 to :data:`MAX_UNITS`, default 0). Region and resource pairs not listed
  have no units.
* travel minutes, either a square matrix (header ``region,<id>,<id>,...``, then one row per
  region in the same order; an empty cell is an unreachable pair) or long format
  ``from,to,minutes`` (pairs not listed are unreachable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from optimizer.errors import DataError
from optimizer.tables import (
    Table,
    number_column,
    quoted,
    read_table,
    reject_duplicates,
    text_column,
)

#: Highest region priority: keeps ``priority × regions × window seconds`` unmet-demand
#: penalties well inside 64-bit costs (a scale of 1–5 or 1–10 is the usual use).
MAX_PRIORITY = 1000

#: Most units of one resource type in one region (a cell of the resources file): a million
#: staff, vehicles or pallets is beyond any real region, and keeps unmet-demand penalties
#: (units × priority × penalty seconds) inside 64-bit costs for realistic region counts.
MAX_UNITS = 1_000_000

UNIT_COLUMNS = ("available_units", "demand_units", "min_cover_units", "partner_units")


@dataclass(frozen=True)
class ResourceTable:
    """Units per region and resource type read from a resources CSV, int (n, r) each."""

    resource_names: tuple[str, ...]
    available: np.ndarray
    demand: np.ndarray
    min_cover: np.ndarray
    partner: np.ndarray


def region_rows(table: Table, column: str, region_ids: Sequence[str]) -> np.ndarray:
    """Region index of each row's ``column`` value, int (rows,).

    Raises:
        DataError: an empty cell or a region id that is not among ``region_ids``, naming the
            row.
    """
    cells = text_column(table, column)
    index = pd.Index(region_ids).get_indexer(cells)
    table.reject(index < 0, column, lambda i: f"unknown region {quoted(cells.iloc[i])}")
    return index


def read_regions_csv(path: str | Path) -> pd.DataFrame:
    """Regions: columns ``region`` (str), ``priority`` (int), ``mobilisation_minutes`` (float)
    and, when the file has them, ``name`` (str, what planners call the region) and ``lat`` and
    ``lon`` (float degrees); in file order.

    Raises:
        DataError: see the module docstring for the expected columns.
    """
    table = read_table(path, ["region"])
    reject_duplicates(table, ["region"])
    regions = pd.DataFrame({"region": text_column(table, "region").to_numpy(dtype=str)})
    regions["priority"] = number_column(
        table, "priority", whole=True, minimum=1, maximum=MAX_PRIORITY, default=1
    ).astype(np.int64)
    regions["mobilisation_minutes"] = number_column(table, "mobilisation_minutes", default=0.0)
    if table.has("name"):
        regions["name"] = text_column(table, "name").to_numpy(dtype=str)
    if table.has("lat") != table.has("lon"):
        raise DataError(path, "give both lat and lon columns, or neither", field="header")
    if table.has("lat"):
        for column, limit in (("lat", 90.0), ("lon", 180.0)):
            regions[column] = number_column(table, column, minimum=-limit, maximum=limit)
    return regions


def read_resources_csv(path: str | Path, *, region_ids: Sequence[str]) -> ResourceTable:
    """Units per region and resource type (long format, see the module docstring).

    Raises:
        DataError: an unknown region, a duplicate (region, resource) row, a unit count that is
            not a whole number from 0 to :data:`MAX_UNITS`, naming the row and column.
    """
    table = read_table(path, ["region", "resource", "available_units", "demand_units"])
    regions = region_rows(table, "region", region_ids)
    names = text_column(table, "resource")
    keys = pd.DataFrame({"region": regions, "resource": names.to_numpy(dtype=str)})
    reject_duplicates(table, ["region", "resource"], keys)
    resource_names, resources = np.unique(names.to_numpy(dtype=str), return_inverse=True)
    units = []
    for column in UNIT_COLUMNS:
        values = number_column(table, column, whole=True, maximum=MAX_UNITS, default=0.0)
        grid = np.zeros((len(region_ids), len(resource_names)), dtype=np.int64)
        grid[regions, resources] = values.astype(np.int64)
        units.append(grid)
    return ResourceTable(tuple(str(name) for name in resource_names), *units)


def read_travel_csv(path: str | Path, *, region_ids: Sequence[str]) -> sp.csr_array:
    """Travel minutes between regions, (n, n) csr in ``region_ids`` order.

    Stored entries are the pairs given (explicit zeros kept); see the module docstring for the
    two accepted layouts.

    Raises:
        DataError: a non-square matrix, an unknown or missing region, a negative or
            non-numeric value, naming the row and column.
    """
    table = read_table(path)
    if list(table.frame.columns) == ["from", "to", "minutes"]:
        return _travel_pairs(table, region_ids)
    return _travel_matrix(table, region_ids)


def _travel_pairs(table: Table, region_ids: Sequence[str]) -> sp.csr_array:
    """Long-format travel minutes ``from,to,minutes``."""
    origins = region_rows(table, "from", region_ids)
    destinations = region_rows(table, "to", region_ids)
    keys = pd.DataFrame({"from": origins, "to": destinations})
    reject_duplicates(table, ["from", "to"], keys)
    minutes = number_column(table, "minutes")
    n = len(region_ids)
    return sp.csr_array((minutes, (origins, destinations)), shape=(n, n))


def _travel_matrix(table: Table, region_ids: Sequence[str]) -> sp.csr_array:
    """Square travel-minutes matrix with region ids in the header and the first column."""
    path = table.path
    header = list(table.frame.columns)
    if not header or header[0] != "region":
        raise DataError(
            path, "expected a matrix (first column 'region') or from,to,minutes", field="header"
        )
    origins = region_rows(table, "region", region_ids)
    reject_duplicates(table, ["region"], pd.DataFrame({"region": origins}))
    columns = header[1:]
    destinations = pd.Index(region_ids).get_indexer(columns)
    if (destinations < 0).any():
        unknown = columns[int(np.flatnonzero(destinations < 0)[0])]
        raise DataError(path, f"row 1: unknown region {quoted(unknown)}", field="header")
    if len(columns) != len(region_ids):
        raise DataError(
            path, f"the matrix must list each of the {len(region_ids)} regions once", field="header"
        )
    if len(table) != len(columns):
        raise DataError(
            path,
            f"{len(table)} rows for {len(columns)} columns (the matrix must be square)",
            field="matrix",
        )
    minutes = np.column_stack([number_column(table, column, default=np.nan) for column in columns])
    given = ~np.isnan(minutes)
    rows_given, columns_given = np.nonzero(given)
    n = len(region_ids)
    return sp.csr_array(
        (minutes[given], (origins[rows_given], destinations[columns_given])), shape=(n, n)
    )
