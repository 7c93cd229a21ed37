"""Named places from a CSV file of ``id, lat, lon`` (WGS84 degrees).

Used for points of interest, candidate sites and existing stations. Bad rows are errors naming
the file, the row (1-based, header is row 1) and the column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.errors import DataError

REQUIRED_COLUMNS = ("id", "lat", "lon")


def read_places_csv(path: str | Path) -> pd.DataFrame:
    """Read a places CSV.

    Returns:
        A frame with columns ``id`` (str), ``lat`` and ``lon`` (float degrees), in file order,
        plus any extra columns of the file.

    Raises:
        DataError: unreadable or empty file, a missing column, a non-numeric or out-of-range
            coordinate, or a duplicate id.
    """
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype={"id": str})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise DataError(path, f"cannot read CSV: {error}") from None
    except pd.errors.EmptyDataError:
        raise DataError(path, "file is empty (expected columns id, lat, lon)") from None
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise DataError(path, f"missing column(s) {', '.join(missing)}", field="header")
    if table.empty:
        raise DataError(path, "no rows (expected at least one place)")
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        values = pd.to_numeric(table[column], errors="coerce")
        bad = ~np.isfinite(values) | (values.abs() > limit)
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 2
            got = table[column].iloc[row - 2]
            raise DataError(
                path, f"row {row}: expected degrees within ±{limit:g} (got {got!r})", field=column
            )
        table[column] = values.astype(float)
    duplicated = table["id"].duplicated()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0]) + 2
        raise DataError(path, f"row {row}: duplicate id {table['id'].iloc[row - 2]!r}", field="id")
    return table.reset_index(drop=True)
