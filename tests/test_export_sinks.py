"""Writing the plan layers to GIS files and reading them back."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from optimizer.choices import LAYER_FORMATS, MAP_FORMATS, OUTPUT_FORMATS
from optimizer.errors import DataError
from optimizer.export.layers import LAYERS, PLAN
from optimizer.export.sinks import FORMATS, read_layers, write_layers
from tests.export_sample import empty_like, porto_alegre_layers


def _read(path: Path) -> gpd.GeoDataFrame:
    if path.suffix == ".parquet":
        return gpd.read_parquet(path)
    return gpd.read_file(path, engine="pyogrio")


def _assert_same_layer(
    read: gpd.GeoDataFrame, written: gpd.GeoDataFrame, *, integer_width: bool = True
) -> None:
    """Same CRS, fields, values and geometries (within a micrometre or a nano-degree)."""
    assert read.crs == written.crs
    pd.testing.assert_frame_equal(
        pd.DataFrame(read.drop(columns="geometry")),
        pd.DataFrame(written.drop(columns="geometry")),
        check_dtype=integer_width,
    )
    tolerance = 1e-9 if written.crs.is_geographic else 1e-6
    # Compared part by part: GeoPackage stores mixed polygons and multipolygons as multipolygons.
    read_parts, written_parts = (
        frame.geometry.explode(index_parts=False).reset_index(drop=True)
        for frame in (read, written)
    )
    assert read_parts.geom_equals_exact(written_parts, tolerance).all()


def _by_id(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """The features sorted by the layer's identifier (its first attribute)."""
    return frame.sort_values(LAYERS[layer].attributes[0].name).reset_index(drop=True)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, gpd.GeoDataFrame], Path]:
    layers = porto_alegre_layers()
    folder = tmp_path_factory.mktemp("plan")
    write_layers(layers, folder, formats=list(FORMATS))
    return layers, folder


def test_every_format_writes_the_expected_files(written: tuple[dict, Path]) -> None:
    _, folder = written
    expected = {"plan.gpkg"} | {
        f"{layer}{format_.suffix}"
        for format_ in FORMATS.values()
        if format_.one_file_per_layer
        for layer in ([PLAN.main] if format_.main_only else LAYERS)
    }
    assert {path.name for path in folder.iterdir()} == expected


def test_geoparquet_round_trips_in_the_plan_crs(written: tuple[dict, Path]) -> None:
    layers, folder = written
    for name, frame in layers.items():
        _assert_same_layer(_read(folder / f"{name}.parquet"), frame)


def test_stations_csv_round_trips_positions_and_attributes(written: tuple[dict, Path]) -> None:
    layers, folder = written
    stations = layers["stations"]
    table = pd.read_csv(folder / "stations.csv", dtype={"station_id": str})
    expected = stations.geometry.to_crs(4326)
    assert list(table.columns) == ["lon", "lat", *stations.drop(columns="geometry").columns]
    assert np.allclose(table["lon"], expected.x, atol=1e-6)
    assert np.allclose(table["lat"], expected.y, atol=1e-6)
    for column in stations.drop(columns="geometry").columns:
        assert table[column].fillna("").astype(str).tolist() == (
            stations[column].fillna("").astype(str).tolist()
        ), column


def test_flatgeobuf_round_trips_in_the_plan_crs(written: tuple[dict, Path]) -> None:
    layers, folder = written
    for name, frame in layers.items():
        # FlatGeobuf's spatial index stores the features in spatial order.
        _assert_same_layer(_by_id(_read(folder / f"{name}.fgb"), name), _by_id(frame, name))


def test_geojson_round_trips_in_wgs84(written: tuple[dict, Path]) -> None:
    layers, folder = written
    for name, frame in layers.items():
        read = _read(folder / f"{name}.geojson")
        assert read.crs.to_epsg() == 4326
        # GeoJSON numbers have no width: small integers read back as int32.
        _assert_same_layer(read, frame.to_crs(4326), integer_width=False)
    assert '"name": "urn:ogc:def:crs:OGC:1.3:CRS84"' in (folder / "stations.geojson").read_text()


def test_geopackage_holds_every_layer_and_reads_back(written: tuple[dict, Path]) -> None:
    layers, folder = written
    read = read_layers(folder / "plan.gpkg")
    assert list(read) == list(LAYERS)
    for name, frame in layers.items():
        _assert_same_layer(read[name], frame)


def test_gdal_ogrinfo_reads_the_geopackage(written: tuple[dict, Path]) -> None:
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("GDAL's ogrinfo is not installed (apt-get install -y gdal-bin)")
    layers, folder = written
    listing = subprocess.run(
        [ogrinfo, "-ro", "-so", "-q", str(folder / "plan.gpkg")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Warning" not in listing.stderr and "ERROR" not in listing.stderr
    assert [line.split(" ")[1] for line in listing.stdout.splitlines()] == list(LAYERS)
    stations = subprocess.run(
        [ogrinfo, "-ro", "-so", str(folder / "plan.gpkg"), "stations"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Feature Count: {len(layers['stations'])}" in stations
    assert 'ID["EPSG",32722]' in stations
    assert "residents_served: Integer64" in stations


def test_a_plan_in_wgs84_keeps_its_crs(tmp_path: Path) -> None:
    layers = {name: frame.to_crs(4326) for name, frame in porto_alegre_layers().items()}
    write_layers(layers, tmp_path, formats=["gpkg", "geoparquet"])
    assert read_layers(tmp_path / "plan.gpkg")["demand"].crs.to_epsg() == 4326
    assert gpd.read_parquet(tmp_path / "districts.parquet").crs.to_epsg() == 4326


def test_a_plan_without_blind_spots_writes_an_empty_layer(tmp_path: Path) -> None:
    layers = porto_alegre_layers()
    layers["blind_spots"] = layers["blind_spots"].iloc[:0]
    write_layers(layers, tmp_path, formats=["gpkg", "flatgeobuf"])
    assert read_layers(tmp_path / "plan.gpkg")["blind_spots"].empty
    assert _read(tmp_path / "blind_spots.fgb").empty


def _digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def test_the_same_plan_gives_the_same_bytes(written: tuple[dict, Path], tmp_path: Path) -> None:
    layers, folder = written
    write_layers(layers, tmp_path, formats=list(FORMATS))
    assert _digests(tmp_path) == _digests(folder)


def test_an_empty_plan_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no stations"):
        write_layers(empty_like(porto_alegre_layers()), tmp_path / "out")
    with pytest.raises(DataError, match="no layers"):
        write_layers({}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_unknown_format_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown format 'shp'"):
        write_layers(porto_alegre_layers(), tmp_path, formats=["gpkg", "shp"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_an_interrupted_export_leaves_the_previous_files_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    layers = porto_alegre_layers()
    formats = ["gpkg", "geojson"]
    write_layers(layers, tmp_path, formats=formats)
    before = _digests(tmp_path)

    changed = {name: frame.iloc[:3] for name, frame in layers.items()}
    geojson = FORMATS["geojson"]

    def fail_on_demand(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
        geojson.write_layer(frame, path, layer)  # a half-written file is left behind
        if layer == "demand":
            raise failure

    monkeypatch.setitem(FORMATS, "geojson", replace(geojson, write_layer=fail_on_demand))
    with pytest.raises(type(failure)):
        write_layers(changed, tmp_path, formats=formats)
    assert _digests(tmp_path) == before


def test_read_layers_rejects_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        read_layers(tmp_path / "plan.gpkg")
    (tmp_path / "plan.gpkg").write_text("not a geopackage")
    with pytest.raises(DataError, match="not a readable GeoPackage"):
        read_layers(tmp_path / "plan.gpkg")


def test_read_layers_rejects_an_incomplete_plan(tmp_path: Path) -> None:
    layers = porto_alegre_layers()
    layers["stations"].to_file(tmp_path / "plan.gpkg", layer="stations", engine="pyogrio")
    with pytest.raises(DataError, match="missing layer") as caught:
        read_layers(tmp_path / "plan.gpkg")
    assert caught.value.path == str(tmp_path / "plan.gpkg")


def test_every_layer_format_the_schema_offers_has_a_writer() -> None:
    assert list(FORMATS) == list(LAYER_FORMATS)
    assert set(OUTPUT_FORMATS) == set(LAYER_FORMATS) | set(MAP_FORMATS)
