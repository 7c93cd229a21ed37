"""Named places from a CSV file of ``id, lat, lon`` (WGS84 degrees).

Used for points of interest, candidate sites and existing stations. Bad rows are errors naming
the file, the row (1-based, header is row 1) and the column (``optimizer.tables`` reads and
checks the cells as for every CSV reader).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.tables import number_column, read_table, reject_duplicates, text_column

REQUIRED_COLUMNS = ("id", "lat", "lon")


def read_places_csv(path: str | Path) -> pd.DataFrame:
    """Read a places CSV.

    Returns:
        A frame with columns ``id`` (str), ``lat`` and ``lon`` (float degrees), in file order,
        plus any extra columns of the file (as text).

    Raises:
        DataError: unreadable or empty file, a missing column, an empty id, a non-numeric or
            out-of-range coordinate, or a duplicate id.
    """
    table = read_table(path, REQUIRED_COLUMNS)
    text_column(table, "id")
    reject_duplicates(table, ["id"])
    places = table.frame.copy()
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        places[column] = number_column(table, column, minimum=-limit, maximum=limit)
    return places.astype({"id": str})
