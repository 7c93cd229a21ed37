"""Every data reader against corrupted real rows (issue #15, "Nothing lost, nothing crashes").

The rows of the bundled files (scenarios/data, tests/data, geodata) are corrupted: cells set
to text, decimals, empty, NaN, inf, huge numbers; fields added and removed; rows duplicated;
blank and foreign lines inserted; columns dropped; files cut short; text saved with a BOM, as
UTF-16 or as Latin-1. Each reader must either give the correct result (nothing lost: every
row is in it) or raise one DataError (exit code 2) on one line that starts with the file,
names the 1-based row and the column where a row is at fault, and never quotes a line or the
header of the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from optimizer.dispatch.readers import (
    read_regions_csv,
    read_resources_csv,
    read_travel_csv,
)
from optimizer.dispatch.supplies import read_consumption_csv, read_inventory_csv
from optimizer.errors import DataError
from optimizer.forecast import load_history
from optimizer.geo.demand import load_demand_points
from optimizer.geo.districts import read_district_layer
from optimizer.geo.network import RoadNetwork
from optimizer.geo.osm import load_road_network
from optimizer.geo.points import read_places_csv
from optimizer.roster.readers import (
    read_employees,
    read_previous_roster,
    read_requests,
    read_requirements,
    read_shared_employees,
    read_shift_types,
)

REPO = Path(__file__).resolve().parents[1]
SURGE = REPO / "scenarios" / "data" / "surge"
TOURIST = REPO / "scenarios" / "data" / "tourist-peak"
DISPATCH = REPO / "tests" / "data" / "dispatch"
ROSTER = REPO / "tests" / "data" / "roster"
POA = REPO / "geodata" / "porto_alegre"
AUCKLAND = REPO / "geodata" / "auckland" / "pedestrians_daily.csv"

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

SECRET = "root:x:0:0:SECRET-LINE:/root:/bin/bash:with-more-than-forty-characters"
"""A foreign line (as in /etc/passwd) inserted into files, as a row or as the header: never
to be quoted back whole (a bad cell's value may be, cut to 40 characters)."""

CELLS = st.one_of(
    st.sampled_from(
        [
            "ten",
            "1.5",
            "15.5",
            "",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "1e30",
            "1e308",
            "99999999999999999999",
            "9" * 400,
            "-1",
            "0",
            " 7 ",
            "1,5",
            "٣",
            "2024-13-01",
            "2026-01-05 13:30",
            "25:00",
            "true",
            '"',
            "a\nb",
            "\ufeff",
        ]
    ),
    st.text(max_size=12),
    st.integers(-(10**6), 10**22).map(str),
    st.floats().map(repr),
)
INDEX = st.integers(0, 10**6)
CHANGES = st.one_of(
    st.tuples(st.just("cell"), INDEX, INDEX, CELLS),
    st.tuples(st.just("extra"), INDEX, CELLS),
    st.tuples(st.just("missing"), INDEX, INDEX),
    st.tuples(st.just("duplicate"), INDEX),
    st.tuples(st.just("blank"), INDEX),
    st.tuples(st.just("foreign"), INDEX),
    st.tuples(st.just("foreign_header")),
    st.tuples(st.just("drop_column"), INDEX),
    st.tuples(st.just("truncate"), st.integers(0, 2)),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"])


# --- corrupting CSV text -------------------------------------------------------------------


def real_records(path: Path, rows: int = 40) -> list[list[str]]:
    """The header and the first ``rows`` data rows of a bundled CSV file."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[: rows + 1]


def corrupted(records: list[list[str]], changes: Sequence[tuple]) -> list[list[str]]:
    """``records`` (header first) after the ``changes``; row indices wrap around."""
    records = [list(record) for record in records]
    for kind, *args in changes:
        body = len(records) - 1
        if kind == "truncate":
            records = records[: 1 + args[0]]
        elif kind == "drop_column" and records and records[0]:
            column = args[0] % len(records[0])
            for record in records:
                del record[column : column + 1]
        elif kind == "foreign_header":
            records.insert(0, [SECRET])
        elif kind in ("blank", "foreign"):
            records.insert(1 + args[0] % (body + 1), [] if kind == "blank" else [SECRET])
        elif body and kind == "cell":
            record = records[1 + args[0] % body]
            if record:
                record[args[1] % len(record)] = args[2]
        elif body and kind == "extra":
            records[1 + args[0] % body].append(args[1])
        elif body and kind == "missing":
            record = records[1 + args[0] % body]
            del record[args[1] % max(len(record), 1) : args[1] % max(len(record), 1) + 1]
        elif body and kind == "duplicate":
            row = 1 + args[0] % body
            records.insert(row + 1, list(records[row]))
    return records


def encoded(records: list[list[str]], encoding: str) -> bytes:
    """The records as CSV bytes in ``encoding`` (Latin-1 replaces what it cannot hold)."""
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(records)  # quotes a cell's CR or LF
    return text.getvalue().encode(encoding, errors="replace")


def decoded(data: bytes) -> str | None:
    """The text the readers promise to read (module docstring of optimizer.tables): UTF-16
    with a byte-order mark, else UTF-8 (a BOM skipped); None when that is not text."""
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    try:
        text = data.decode("utf-16" if utf16 else "utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


@dataclass(frozen=True)
class Written:
    """A corrupted file as written, and what a correct reader must see in it."""

    path: Path
    text: str | None
    records: int  # CSV records, blank ones included (the last row number)
    header: list[str]
    rows: list[dict[str, str]]  # the non-blank data rows, cells stripped


def write(folder: Path, name: str, records: list[list[str]], encoding: str) -> Written:
    path = folder / name
    path.write_bytes(encoded(records, encoding))
    text = decoded(path.read_bytes())
    parsed = list(csv.reader(io.StringIO(text or "", newline="")))
    filled = [record for record in parsed if any(cell.strip() for cell in record)]
    header = [cell.strip().lstrip("\ufeff") for cell in filled[0]] if filled else []
    rows = [
        dict(zip(header, (cell.strip() for cell in record), strict=False)) for record in filled[1:]
    ]
    return Written(path, text, len(parsed), header, rows)


# --- what a DataError must say ---------------------------------------------------------------

ROW_FIELDS = {"header", "matrix", "geometry"}


def named_rows(message: str) -> set[int]:
    """Row numbers a message names: ``row 4``, ``rows 2, 5–7``, ``first on row 3``."""
    numbers: set[int] = set()
    for run in re.findall(r"\brows? ((?:\d+(?:–\d+)?(?:, )?)+)", message):
        for part in run.split(", "):
            if part:
                low, _, high = part.partition("–")
                numbers.update(range(int(low), int(high or low) + 1))
    return numbers


def check_error(error: DataError, written: Written, touched: int | None = None) -> None:
    """The DataError is one line naming the file, a real row and a column of the file."""
    message = str(error)
    path = str(written.path)
    assert error.exit_code == 2
    assert "\n" not in message, message
    assert message.startswith(f"{path}: "), message
    assert SECRET not in message, message
    rows = named_rows(message[len(path) :].split(" (got ")[0])
    assert all(1 <= row <= max(written.records, 1) for row in rows), message
    if rows:
        rest = message[len(path) + 2 :]
        field = None if rest.startswith("row") else rest.split(": ")[0]
        if field is None:
            assert "values for" in message or "not CSV" in message, message
        else:
            assert field in written.header or field in ROW_FIELDS, message
        if touched is not None:
            assert touched in rows, message


def read_or_error(
    read: Callable[[Path], object], written: Written, touched: int | None
) -> object | None:
    """The reader's result, or None after checking its DataError; other exceptions fail."""
    try:
        result = read(written.path)
    except DataError as error:
        check_error(error, written, touched)
        event("DataError")
        return None
    assert written.text is not None, "a file that is not text was read"
    event("read")
    return result


def single_cell_row(changes: Sequence[tuple], records: list[list[str]]) -> int | None:
    """The spreadsheet row of the one changed cell, when that is the only change."""
    if len(changes) == 1 and changes[0][0] == "cell" and len(records) > 1:
        return 2 + changes[0][1] % (len(records) - 1)
    return None


# --- the CSV readers and what their results must hold ---------------------------------------


def number(cell: str, default: float = 0.0) -> float:
    return float(cell) if cell else default


def units(rows: list[dict[str, str]], column: str) -> float:
    return sum(number(row.get(column, "")) for row in rows)


REGION_IDS = [row[0] for row in real_records(SURGE / "regions.csv", 1000)[1:]]
TEST_REGION_IDS = [row[0] for row in real_records(DISPATCH / "regions.csv")[1:]]
SURGE_ITEMS = ("blanket", "first_aid_kit", "radio_battery")


def check_regions(result, written: Written) -> None:
    rows = written.rows
    assert result["region"].tolist() == [row["region"] for row in rows]
    expected = [number(row.get("mobilisation_minutes", "")) for row in rows]
    assert result["mobilisation_minutes"].tolist() == pytest.approx(expected)


def check_resources(result, written: Written) -> None:
    rows = written.rows
    for grid, column in ((result.available, "available_units"), (result.demand, "demand_units")):
        assert grid.sum() == units(rows, column)


def check_travel(result, written: Written) -> None:
    rows = written.rows
    if written.header == ["from", "to", "minutes"]:
        assert result.nnz == len(rows)
    else:
        assert result.nnz == sum(1 for row in rows for k, v in row.items() if k != "region" and v)


def check_inventory(result, written: Written) -> None:
    rows = written.rows
    if rows and "tag" in rows[0]:
        tags = [row["tag"] for row in rows]
        counted = [not tag or tag not in tags[:k] for k, tag in enumerate(tags)]
        expected = sum(
            number(row.get("units", ""), 1.0) for row, c in zip(rows, counted, strict=True) if c
        )
    else:
        expected = sum(number(row.get("units", ""), 1.0) for row in rows)
    assert result.stock_units.sum() == expected


def check_consumption(result, written: Written) -> None:
    assert result.sum() == pytest.approx(units(written.rows, "units_per_day"))


def check_history(result, written: Written) -> None:
    assert len(result.counts) == len(written.rows)
    assert np.nansum(result.counts["count"]) == pytest.approx(units(written.rows, "count"))


def check_count(result, written: Written) -> None:
    assert len(result) == len(written.rows)


def check_requests(result, written: Written) -> None:
    assert sum(len(requests) for requests in result.values()) == len(written.rows)


@dataclass(frozen=True)
class Target:
    """One reader, real rows to corrupt, and how to check a result against the file's rows."""

    name: str
    file_name: str
    records: list[list[str]]
    read: Callable[[Path], object]
    check: Callable[[object, Written], None]


def previous_roster_records() -> list[list[str]]:
    """Real roster rows: the bundled requirements, staffed by the bundled employees."""
    employees = [row[0] for row in real_records(ROSTER / "employees.csv")[1:]]
    header = ["employee", "partner", "date", "shift", "site", "skill", "role", "minutes"]
    records = [header]
    for k, (site, day, shift, skill, *_) in enumerate(
        real_records(ROSTER / "requirements.csv")[1:]
    ):
        role = ("work", "on-call", "work")[k % 3]
        records.append([employees[k % len(employees)], "", day, shift, site, skill, role, "480"])
    return records


def bundled(name: str, path: Path, read: Callable[[Path], object], check) -> Target:
    """A target whose rows are the first 40 of the bundled file ``path``."""
    return Target(name, path.name, real_records(path), read, check)


def read_history(path: Path) -> object:
    return load_history(path, site_column="site", time_column="date", count_column="count")


TARGETS = [
    bundled("regions", SURGE / "regions.csv", read_regions_csv, check_regions),
    bundled("regions (tests)", DISPATCH / "regions.csv", read_regions_csv, check_regions),
    bundled(
        "resources",
        SURGE / "resources.csv",
        lambda path: read_resources_csv(path, region_ids=REGION_IDS),
        check_resources,
    ),
    bundled(
        "travel matrix",
        DISPATCH / "travel_matrix.csv",
        lambda path: read_travel_csv(path, region_ids=TEST_REGION_IDS),
        check_travel,
    ),
    bundled(
        "travel pairs",
        DISPATCH / "travel_pairs.csv",
        lambda path: read_travel_csv(path, region_ids=TEST_REGION_IDS),
        check_travel,
    ),
    bundled(
        "inventory",
        SURGE / "inventory.csv",
        lambda path: read_inventory_csv(path, site_ids=REGION_IDS),
        check_inventory,
    ),
    bundled(
        "inventory tags",
        DISPATCH / "inventory.csv",
        lambda path: read_inventory_csv(path, site_ids=TEST_REGION_IDS),
        check_inventory,
    ),
    bundled(
        "consumption",
        SURGE / "consumption.csv",
        lambda path: read_consumption_csv(path, site_ids=REGION_IDS, items=SURGE_ITEMS),
        check_consumption,
    ),
    bundled("places", POA / "poa_points_of_interest.csv", read_places_csv, check_count),
    bundled("history", AUCKLAND, read_history, check_history),
    bundled("employees", TOURIST / "employees.csv", read_employees, check_count),
    bundled("employees (tests)", ROSTER / "employees.csv", read_employees, check_count),
    bundled("shift types", ROSTER / "shift_types.csv", read_shift_types, check_count),
    bundled("partners", TOURIST / "partners.csv", read_shared_employees, check_count),
    bundled(
        "partners (tests)", ROSTER / "shared_employees.csv", read_shared_employees, check_count
    ),
    bundled("requests", ROSTER / "requests.csv", read_requests, check_requests),
    bundled("requirements", ROSTER / "requirements.csv", read_requirements, check_count),
    Target(
        "previous roster",
        "assignments.csv",
        previous_roster_records()[:41],
        read_previous_roster,
        check_count,
    ),
]
IDS = [target.name for target in TARGETS]


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_the_real_rows_read_as_they_are(target: Target) -> None:
    with tempfile.TemporaryDirectory() as folder:
        written = write(Path(folder), target.file_name, target.records, "utf-8")
        target.check(target.read(written.path), written)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
@FUZZ
@given(changes=st.lists(CHANGES, min_size=1, max_size=3), encoding=ENCODINGS)
def test_corrupted_rows_read_correctly_or_name_file_row_and_column(
    target: Target, changes: list[tuple], encoding: str
) -> None:
    check_corrupted(target, changes, encoding)


@pytest.mark.parametrize("target", TARGETS, ids=IDS)
@FUZZ
@given(row=INDEX, column=INDEX, cell=CELLS)
def test_one_bad_cell_is_read_or_named_by_its_row(
    target: Target, row: int, column: int, cell: str
) -> None:
    check_corrupted(target, [("cell", row, column, cell)], "utf-8")


def check_corrupted(target: Target, changes: list[tuple], encoding: str) -> None:
    """Read the corrupted rows: a correct result or a DataError that names the right row."""
    with tempfile.TemporaryDirectory() as folder:
        records = corrupted(target.records, changes)
        written = write(Path(folder), target.file_name, records, encoding)
        touched = single_cell_row(changes, target.records)
        result = read_or_error(target.read, written, touched)
        if result is not None:
            target.check(result, written)


# --- the layer readers: population and districts --------------------------------------------


@pytest.fixture(scope="module")
def walk() -> RoadNetwork:
    return load_road_network(POA / "poa_osm.pbf", mode="walk")


@pytest.fixture(scope="module")
def hexagons() -> gpd.GeoDataFrame:
    """25 populated hexagons of the bundled Porto Alegre population layer."""
    frame = gpd.read_file(POA / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    return frame[frame["population"] > 0].iloc[::40].head(25).reset_index(drop=True)


LAYER_VALUES = st.one_of(
    CELLS,
    st.none(),
    st.floats(),
    st.integers(-(10**6), 10**20),
    st.sampled_from([0, 12.5, 1e9, 1e9 + 1]),
)
GEOMETRIES = st.sampled_from(["none", "empty", "line", "point", "far"])
LAYER_CHANGES = st.one_of(
    st.tuples(st.just("value"), INDEX, LAYER_VALUES),
    st.tuples(st.just("geometry"), INDEX, GEOMETRIES),
    st.tuples(st.just("duplicate"), INDEX),
    st.tuples(st.just("drop_field")),
    st.tuples(st.just("zeros")),
    st.tuples(st.just("crs"), st.sampled_from(["EPSG:3857", "EPSG:32722"])),
    st.tuples(st.just("shift"), st.sampled_from([0.01, 3.0, -40.0])),
)
LAYER_FORMS = st.sampled_from(
    ["geojson", "geojson", "geojson-bom", "geojson-utf16", "gpkg", "parquet"]
)


def geometry_of(kind: str, original: object) -> object:
    if kind == "none":
        return None
    if kind == "empty":
        return shapely.Polygon()
    if kind == "line":  # from an earlier change's point too: a line needs two coordinates
        corners = shapely.get_coordinates(original)
        return shapely.LineString([corners[0], corners[-1] + 0.001])
    if kind == "point":
        return shapely.centroid(original)
    return shapely.affinity.translate(original, 5.0, 0.0)


@dataclass
class Layer:
    """Features as plain lists (so any corruption can be written) and their CRS."""

    values: list[object]
    geometries: list[object]
    crs: str
    field: str | None


def corrupted_layer(frame: gpd.GeoDataFrame, field: str, changes: Sequence[tuple]) -> Layer:
    layer = Layer(list(frame[field]), list(frame.geometry), "EPSG:4326", field)
    for kind, *args in changes:
        n = len(layer.values)
        if kind == "value" and n:
            layer.values[args[0] % n] = args[1]
        elif kind == "geometry" and n:
            i = args[0] % n
            original = layer.geometries[i]
            if original is not None and not shapely.is_empty(original):
                layer.geometries[i] = geometry_of(args[1], original)
        elif kind == "duplicate" and n:
            i = args[0] % n
            layer.values.insert(i, layer.values[i])
            layer.geometries.insert(i, layer.geometries[i])
        elif kind == "drop_field":
            layer.field = None
        elif kind == "zeros":
            layer.values = [0] * n
        elif kind == "crs":
            layer.crs = args[0]
        elif kind == "shift":
            layer.geometries = [
                g if g is None else shapely.affinity.translate(g, args[0], 0.0)
                for g in layer.geometries
            ]
    return layer


def json_value(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_layer(folder: Path, layer: Layer, field: str, form: str) -> Path:
    """The layer as GeoJSON text (UTF-8, with a BOM, or UTF-16), a GeoPackage or GeoParquet."""
    features = [
        {
            "type": "Feature",
            "properties": {"id": k, **({field: json_value(value)} if layer.field else {})},
            "geometry": None if geometry is None else shapely.geometry.mapping(geometry),
        }
        for k, (value, geometry) in enumerate(zip(layer.values, layer.geometries, strict=True))
    ]
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": layer.crs}},
        "features": features,
    }
    text = json.dumps(collection)  # NaN and Infinity as JSON5-style literals
    if form in ("gpkg", "parquet"):
        source = folder / "source.geojson"
        source.write_text(text, encoding="utf-8")
        with warnings.catch_warnings():  # mixed-type properties stay text: that is the point
            warnings.simplefilter("ignore", UserWarning)
            frame = gpd.read_file(source)
        path = folder / f"layer.{form}"
        if form == "gpkg":
            frame.to_file(path, layer="layer")
        else:
            frame.to_parquet(path)
        return path
    path = folder / "layer.geojson"
    encodings = {"geojson": "utf-8", "geojson-bom": "utf-8-sig", "geojson-utf16": "utf-16"}
    path.write_bytes(text.encode(encodings[form]))
    return path


def residents_of(value: object) -> float:
    """What a correct reader makes of a residents value it accepted."""
    return float(value)  # type: ignore[arg-type]


@FUZZ
@given(changes=st.lists(LAYER_CHANGES, min_size=1, max_size=3), form=LAYER_FORMS)
def test_corrupted_population_layers_load_correctly_or_name_file_row_and_field(
    walk: RoadNetwork, hexagons: gpd.GeoDataFrame, changes: list[tuple], form: str
) -> None:
    layer = corrupted_layer(hexagons, "population", changes)
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = write_layer(Path(folder), layer, "population", form)
        except Exception:  # GDAL cannot write this corruption as a GeoPackage: GeoJSON it is
            path = write_layer(Path(folder), layer, "population", "geojson")
        try:
            demand = load_demand_points(path, population_field="population", network=walk)
        except DataError as error:
            check_layer_error(error, path, len(layer.values), {"population", "geometry"})
            event("DataError")
            return
    event("read")
    values = [residents_of(value) for value in layer.values]
    assert demand.total_residents == pytest.approx(sum(values))
    assert len(demand.residents) == sum(1 for value in values if value > 0)
    assert not demand.unsnapped.all()


def check_layer_error(error: DataError, path: Path, features: int, fields: set[str]) -> None:
    message = str(error)
    assert error.exit_code == 2 and "\n" not in message, message
    assert message.startswith(f"{path}: "), message
    rows = named_rows(message[len(str(path)) :].split(" (got ")[0])
    assert all(1 <= row <= features for row in rows), message
    if rows:
        assert message[len(str(path)) + 2 :].split(": ")[0] in fields, message


@pytest.fixture(scope="module")
def districts(hexagons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Real districts: the H3 resolution-7 cells of the whole Porto Alegre population layer."""
    frame = gpd.read_file(POA / "poa_hexgrid_h3.gpkg", layer="poa_hexgrid")
    points = frame.geometry.to_crs(32722).centroid.to_crs(4326)
    cells = sorted({h3.latlng_to_cell(p.y, p.x, 7) for p in points})
    polygons = [shapely.Polygon([(x, y) for y, x in h3.cell_to_boundary(c)]) for c in cells]
    return gpd.GeoDataFrame({"name": cells}, geometry=polygons, crs="EPSG:4326")


@FUZZ
@given(changes=st.lists(LAYER_CHANGES, min_size=1, max_size=3), form=LAYER_FORMS)
def test_corrupted_district_layers_read_correctly_or_name_file_row_and_field(
    hexagons: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, changes: list[tuple], form: str
) -> None:
    layer = corrupted_layer(districts, "name", changes)
    points = hexagons.geometry.to_crs(32722).centroid.to_crs(4326)
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = write_layer(Path(folder), layer, "name", form)
        except Exception:  # GDAL cannot write this corruption as a GeoPackage: GeoJSON it is
            path = write_layer(Path(folder), layer, "name", "geojson")
        try:
            found, _ = read_district_layer(
                path,
                layer=None,
                name_field="name",
                lon=points.x.to_numpy(),
                lat=points.y.to_numpy(),
                residents=hexagons["population"].to_numpy(dtype=float),
                area_km2=None,
                urban_min_residents_per_km2=1500,
            )
        except DataError as error:
            check_layer_error(error, path, len(layer.values), {"name", "geometry"})
            event("DataError")
            return
    event("read")
    assert len(found.names) == len(layer.values)
    assert len(set(found.names)) == len(found.names) and all(found.names)
    assert found.residents.sum() <= hexagons["population"].sum() + 1e-6
    assert math.isfinite(found.populated_area_km2.sum())
