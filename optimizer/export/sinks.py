"""Writing the plan's layers to GIS files, and reading a plan GeoPackage back.

Formats (``FORMATS``):

- ``gpkg``: GeoPackage, every layer in one file ``plan.gpkg`` (the default);
- ``geoparquet``: GeoParquet 1.x, one ``<layer>.parquet`` per layer;
- ``flatgeobuf``: FlatGeobuf with a spatial index (features in spatial order), one
  ``<layer>.fgb`` per layer;
- ``geojson``: GeoJSON in EPSG:4326 (``crs`` member CRS84), one ``<layer>.geojson`` per layer;
- ``stations-csv``: the set's point layer alone as a table, ``lon`` and ``lat`` first: the
  plan's ``stations.csv``, the dispatch plan's ``regions.csv``.

The same formats write every ``LayerSet``: the siting plan's (``layers.PLAN``, GeoPackage
``plan.gpkg``) and the dispatch plan's (``dispatch_layers.DISPATCH``, ``dispatch.gpkg``).

GeoPackage, GeoParquet and FlatGeobuf keep the plan's CRS (UTM or EPSG:4326) and record it in
the file. Every file is written under a temporary name and renamed into place once all of an
export's files are written, so a failed export leaves the previous files intact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from optimizer.errors import DataError
from optimizer.export.layers import PLAN, Layers, LayerSet, validate_layers, written_layers
from optimizer.export.staging import write_artifacts
from optimizer.export.tables import ArtifactWriter

GEOPACKAGE_NAME = PLAN.geopackage

GEOPACKAGE_VERSION = "1.2"
"""GeoPackage version written: 1.2 opens without warnings in older GDAL and QGIS releases."""

GEOPACKAGE_TIMESTAMP = "2000-01-01T00:00:00.000Z"
"""Fixed ``last_change`` of the GeoPackage's layers, so the same plan gives the same bytes
(the time of a run is in its ``manifest.json``)."""


@dataclass(frozen=True)
class Format:
    """An output format: its file suffix, whether it holds one layer per file, and whether
    it writes only the set's main (point) layer."""

    name: str
    suffix: str
    one_file_per_layer: bool
    write_layer: Callable[[gpd.GeoDataFrame, Path, str], None]
    main_only: bool = False
    """Only the set's main layer is written (``LayerSet.main``); otherwise every layer."""


def _write_geopackage_layer(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    # SQLite's own syncs are off: the file is a temporary one, synced once before its rename.
    with _gdal_config(OGR_CURRENT_DATE=GEOPACKAGE_TIMESTAMP, OGR_SQLITE_SYNCHRONOUS="OFF"):
        frame.to_file(
            path,
            layer=layer,
            driver="GPKG",
            engine="pyogrio",
            index=False,
            dataset_options={"VERSION": GEOPACKAGE_VERSION},
        )


def _write_geoparquet(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    frame.to_parquet(path, index=False)


def _write_flatgeobuf(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    frame.to_file(path, layer=layer, driver="FlatGeobuf", engine="pyogrio", index=False)


def _write_geojson(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    frame.to_crs(4326).to_file(path, layer=layer, driver="GeoJSON", engine="pyogrio", index=False)


def _write_point_table(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """Points as a CSV table: ``lon`` and ``lat`` (EPSG:4326, 7 decimals), then the attributes."""
    points = frame.geometry.to_crs(4326)
    table = frame.drop(columns=frame.geometry.name)
    table.insert(0, "lat", points.y.round(7))
    table.insert(0, "lon", points.x.round(7))
    table.to_csv(path, index=False, lineterminator="\n")


FORMATS: dict[str, Format] = {
    format_.name: format_
    for format_ in (
        Format("gpkg", ".gpkg", False, _write_geopackage_layer),
        Format("geoparquet", ".parquet", True, _write_geoparquet),
        Format("flatgeobuf", ".fgb", True, _write_flatgeobuf),
        Format("geojson", ".geojson", True, _write_geojson),
        Format("stations-csv", ".csv", True, _write_point_table, main_only=True),
    )
}
"""Every output format by name; ``gpkg`` is the default."""


def layer_artifacts(
    layers: Layers, *, formats: Iterable[str] = ("gpkg",), layer_set: LayerSet = PLAN
) -> dict[str, ArtifactWriter]:
    """The files of ``layers`` in ``formats``: file name → writer, for ``export.staging.publish``.

    Args:
        layers: layers that ``validate_layers`` accepts for ``layer_set`` (checked here).
        formats: names from ``FORMATS``.
        layer_set: the contract the layers follow (default: the siting plan's).

    Returns:
        ``{"plan.gpkg": ...}`` (the set's GeoPackage) for GeoPackage, ``{"<layer><suffix>":
        ...}`` per layer for the other formats, in ``formats`` order, then layer order.

    Raises:
        DataError: an unknown format, or layers that break the contract.
    """
    validate_layers(layers, layer_set=layer_set)
    written = written_layers(layers, layer_set)
    artifacts: dict[str, ArtifactWriter] = {}
    for name in dict.fromkeys(formats):
        if name not in FORMATS:
            raise DataError(
                "format", f"unknown format {name!r} (expected one of {', '.join(FORMATS)})"
            )
        format_ = FORMATS[name]
        if format_.one_file_per_layer:
            for layer in [layer_set.main] if format_.main_only else written:
                artifacts[f"{layer}{format_.suffix}"] = _one_layer_writer(layers, layer, format_)
        else:
            artifacts[layer_set.geopackage] = _all_layers_writer(layers, written, format_)
    return artifacts


def _one_layer_writer(layers: Layers, layer: str, format_: Format) -> ArtifactWriter:
    return lambda path: format_.write_layer(layers[layer], path, layer)


def _all_layers_writer(layers: Layers, names: list[str], format_: Format) -> ArtifactWriter:
    def write(path: Path) -> None:
        for layer in names:
            format_.write_layer(layers[layer], path, layer)

    return write


def write_layers(
    layers: Layers, folder: str | Path, *, formats: Iterable[str] = ("gpkg",)
) -> list[Path]:
    """Write ``layers`` into ``folder`` in each of ``formats``, replacing earlier files.

    All files are written under temporary names first and renamed into place only when every
    one of them was written: a failure leaves the previous files of ``folder`` intact.

    Args:
        layers: a plan that ``validate_layers`` accepts.
        folder: the output folder; created when missing.
        formats: names from ``FORMATS`` (default: GeoPackage only).

    Returns:
        The written files, in the order of ``layer_artifacts``.

    Raises:
        DataError: an unknown format, or layers that break the contract (nothing is written).
    """
    return write_artifacts(Path(folder), layer_artifacts(layers, formats=formats))


def read_layers(path: str | Path, *, layer_set: LayerSet = PLAN) -> dict[str, gpd.GeoDataFrame]:
    """Read a GeoPackage of ``layer_set`` (as written by ``write_layers``, or ``layer_artifacts``
    for another set) back into layers.

    Returns:
        Layer name → GeoDataFrame, in the GeoPackage's CRS, for every layer of the file.

    Raises:
        DataError: the file is missing, not a GeoPackage, or not a complete set of layers.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(
            path, f"no such file (expected a {layer_set.geopackage} written by svcplan)"
        )
    try:
        names = [str(name) for name, _ in pyogrio.list_layers(path)]
        layers = {name: gpd.read_file(path, layer=name, engine="pyogrio") for name in names}
    except (DataSourceError, DataLayerError) as error:
        raise DataError(path, f"not a readable GeoPackage: {error}") from None
    validate_layers(layers, source=str(path), layer_set=layer_set)
    return layers


@contextmanager
def _gdal_config(**options: str) -> Iterator[None]:
    """Set GDAL configuration options for the duration of the block, then restore them."""
    previous = {name: pyogrio.get_gdal_config_option(name) for name in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)
