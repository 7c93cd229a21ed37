"""Vector layers (GeoPackage, GeoJSON, Shapefile, GeoParquet) read with one set of errors.

Every defect of the file is one :class:`~optimizer.errors.DataError` line naming it; the
reading library's reason is kept short and never quotes the file's content. Features are
numbered from 1, as a GIS attribute table shows them (``row 1`` is the first feature).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np

from optimizer.errors import DataError
from optimizer.tables import reject_rows

PARQUET_SUFFIXES = {".parquet", ".geoparquet"}

_REASON_CHARS = 120
"""Most characters of a reading library's reason quoted in a message."""


def read_vector_layer(path: Path, layer: str | None, *, what: str) -> gpd.GeoDataFrame:
    """The features of ``layer`` (the first when None) in ``path``, with a CRS and a geometry
    on every feature.

    Args:
        path: the file.
        layer: layer name for multi-layer files.
        what: what the layer holds, for messages (``"population layer"``).

    Raises:
        DataError: a missing, empty or unreadable file, a missing layer, no features, no CRS,
            or a feature without geometry (naming its row).
    """
    if not path.is_file():
        raise DataError(path, "file not found")
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty")
    try:
        with warnings.catch_warnings():  # the checks below say what matters, on one line
            warnings.simplefilter("ignore", UserWarning)
            if path.suffix.lower() in PARQUET_SUFFIXES:
                frame = gpd.read_parquet(path)
            else:
                frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as error:  # pyogrio and pyarrow raise many unrelated types
        raise DataError(
            path, f"cannot read layer {layer or '(first)'} as a {what}: {_reason(error, path)}"
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        raise DataError(path, f"{what} has no geometry")
    if len(frame) == 0:
        raise DataError(path, f"{what} has no features")
    if frame.crs is None:
        raise DataError(path, f"{what} has no coordinate reference system (CRS); set one")
    missing = (frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    rows = np.arange(len(frame)) + 1
    reject_rows(path, rows, missing, "geometry", f"no geometry ({int(missing.sum())} features)")
    return frame.reset_index(drop=True)


def _reason(error: Exception, path: Path) -> str:
    """The library's reason for ``error``: its first sentence, without the path, cut short."""
    text = str(error).replace(f"'{path}'", "").replace(str(path), "")
    first = text.split(";")[0].strip() or type(error).__name__
    return first if len(first) <= _REASON_CHARS else first[: _REASON_CHARS - 3] + "..."
