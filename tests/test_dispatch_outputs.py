"""The dispatch plan's layers in every GIS format and its maps, on the surge sample.

The surge scenario is run once with ``donors_keep: demand`` (its three festival districts are
then left short, with computed reasons) and every output format, and the files are read back
and compared with ``moves.csv`` and ``unmet.csv``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import matplotlib.image
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from optimizer.choices import LAYER_FORMATS, OUTPUT_FORMATS
from optimizer.export.artifacts import DISPATCH_MAPS, map_artifacts
from optimizer.export.dispatch_layers import DISPATCH
from optimizer.export.layers import PLAN, layers_markdown
from optimizer.export.sinks import FORMATS, read_layers
from tests.export_sample import CREDIT, porto_alegre_layers

from .conftest import REPO_ROOT

runner = CliRunner()
SCENARIO = REPO_ROOT / "scenarios" / "surge.yaml"
DATA = REPO_ROOT / "scenarios" / "data" / "surge"
DPI = 40
MOVE_KEY = ["from_region", "to_region", "resource", "lender"]
UNMET_KEY = ["region", "resource"]
IDS = {"from_region": str, "to_region": str, "region": str}


@pytest.fixture(scope="module")
def surge(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """``svcplan dispatch`` of the surge sample keeping demand, in every output format: its
    JSON summary and its folder."""
    folder = tmp_path_factory.mktemp("surge")
    text = SCENARIO.read_text().replace("../geodata", str(REPO_ROOT / "geodata"))
    text = text.replace("data/surge/", f"{DATA}/").replace(
        "donors_keep: min_cover", "donors_keep: demand"
    )
    formats = ", ".join([*LAYER_FORMATS, "html", "png"])
    scenario = folder / "surge.yaml"
    text = text.replace("\noutputs:\n", f"\noutputs:\n  formats: [{formats}]\n  png_dpi: {DPI}\n")
    scenario.write_text(text)
    result = runner.invoke(app, ["dispatch", str(scenario), "--out", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder / "surge" / "dispatch"


def _read_layer(folder: Path, format_name: str, layer: str) -> gpd.GeoDataFrame:
    """One layer of the dispatch plan as the format wrote it."""
    if format_name == "gpkg":
        return gpd.read_file(folder / DISPATCH.geopackage, layer=layer, engine="pyogrio")
    path = folder / f"{layer}{FORMATS[format_name].suffix}"
    return gpd.read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path)


def _sorted(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.sort_values(key).reset_index(drop=True)


GIS_FORMATS = [name for name in FORMATS if not FORMATS[name].main_only]


@pytest.mark.parametrize("format_name", GIS_FORMATS)
def test_every_gis_format_holds_the_moves_of_moves_csv(
    surge: tuple[dict, Path], format_name: str
) -> None:
    _, folder = surge
    table = _sorted(pd.read_csv(folder / "moves.csv", dtype=IDS), MOVE_KEY)
    layer = _sorted(_read_layer(folder, format_name, "moves"), MOVE_KEY)
    assert len(table) > 0 and len(layer) == len(table)
    for column in ["from_region", "to_region", "resource", "lender", "from_name", "to_name"]:
        assert layer[column].astype(str).tolist() == table[column].tolist(), column
    assert layer["units"].astype(int).tolist() == table["units"].tolist()
    # Each line runs from the lender's point to the receiver's, as the regions file gives them.
    points = pd.read_csv(DATA / "regions.csv", dtype={"region": str}).set_index("region")
    lines = layer.to_crs(4326).geometry
    start = np.array([line.coords[0] for line in lines])
    end = np.array([line.coords[-1] for line in lines])
    expected_start = points.loc[table["from_region"], ["lon", "lat"]].to_numpy()
    expected_end = points.loc[table["to_region"], ["lon", "lat"]].to_numpy()
    assert np.allclose(start, expected_start, atol=1e-7)
    assert np.allclose(end, expected_end, atol=1e-7)


@pytest.mark.parametrize("format_name", GIS_FORMATS)
def test_every_gis_format_holds_the_unmet_regions_of_unmet_csv(
    surge: tuple[dict, Path], format_name: str
) -> None:
    _, folder = surge
    table = _sorted(pd.read_csv(folder / "unmet.csv", dtype=IDS), UNMET_KEY)
    layer = _sorted(_read_layer(folder, format_name, "unmet_regions"), UNMET_KEY)
    assert table["unmet_units"].sum() > 0
    assert layer["region"].tolist() == table["region"].tolist()
    assert layer["unmet_units"].astype(int).tolist() == table["unmet_units"].tolist()
    assert layer["reason"].tolist() == table["reason"].tolist()


def test_the_regions_table_gives_each_region_its_point_name_and_unmet_units(
    surge: tuple[dict, Path],
) -> None:
    """``stations-csv`` writes the dispatch plan's point layer: regions.csv."""
    summary, folder = surge
    regions = pd.read_csv(folder / "regions.csv", dtype={"region": str}).set_index("region")
    given = pd.read_csv(DATA / "regions.csv", dtype={"region": str}).set_index("region")
    assert list(regions.columns[:2]) == ["lon", "lat"]
    assert np.allclose(regions.loc[given.index, ["lon", "lat"]], given[["lon", "lat"]])
    assert regions["name"].to_dict() == summary["region_names"]
    unmet = pd.read_csv(folder / "unmet.csv", dtype=IDS).groupby("region")["unmet_units"].sum()
    assert regions["unmet_units"].to_dict() == unmet.reindex(regions.index, fill_value=0).to_dict()
    moves = pd.read_csv(folder / "moves.csv", dtype=IDS)
    assert regions["received_units"].sum() == moves["units"].sum()


def _page_document(page: str) -> dict:
    match = re.search(r'<script id="svcplan-data" type="application/json">(.*?)</script>', page)
    assert match is not None
    return json.loads(match.group(1))


def test_the_html_map_draws_moves_regions_and_unmet_demand_offline(
    surge: tuple[dict, Path],
) -> None:
    summary, folder = surge
    page = (folder / DISPATCH_MAPS.html_name).read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"(?!data:)", page)
    document = _page_document(page)
    assert document["tiles_url"] is None
    overlays = {overlay["key"]: overlay for overlay in document["overlays"]}
    assert list(overlays) == ["roads", "own-moves", "partner-moves", "regions", "unmet"]
    moves = pd.read_csv(folder / "moves.csv", dtype=IDS)
    between = moves[moves["from_region"] != moves["to_region"]]
    drawn = [
        feature["properties"]
        for key in ("own-moves", "partner-moves")
        for feature in overlays[key]["features"]["features"]
    ]
    assert len(drawn) == len(between)
    assert sorted(int(dict(move["popup"])["units"].split()[0]) for move in drawn) == sorted(
        between["units"]
    )
    names = summary["region_names"]
    regions = overlays["regions"]["features"]["features"]
    assert sorted(feature["properties"]["label"] for feature in regions) == sorted(names.values())
    unmet = pd.read_csv(folder / "unmet.csv", dtype=IDS)
    ringed = {
        dict(feature["properties"]["popup"])["id"]
        for feature in overlays["unmet"]["features"]["features"]
    }
    assert ringed == set(unmet["region"])
    for row in unmet.itertuples():
        line = f"{names[row.region]}: {row.unmet_units} of {row.need_units} {row.resource} unmet"
        assert f"{line} ({row.reason})" in document["legend_html"]
    short = next(
        feature
        for feature in regions
        if feature["properties"]["label"] == names[unmet["region"].iloc[0]]
    )
    assert dict(short["properties"]["popup"])[f"unmet {unmet['resource'].iloc[0]}"].endswith(
        f"({unmet['reason'].iloc[0]})"
    )


def test_the_png_map_is_an_image_of_the_size_its_dpi_asks_for(surge: tuple[dict, Path]) -> None:
    _, folder = surge
    path = folder / DISPATCH_MAPS.png_name
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    height, width, _ = matplotlib.image.imread(path).shape
    assert (width, height) == (11 * DPI, 9 * DPI)


def test_siting_and_dispatch_files_never_share_a_name(surge: tuple[dict, Path]) -> None:
    """``svcplan plan`` writes both plans' files into one folder (the dispatch plan's roads
    are drawn on its maps, not written)."""
    _, folder = surge
    siting = porto_alegre_layers()
    dispatch = read_layers(folder / DISPATCH.geopackage, layer_set=DISPATCH)
    dispatch["roads"] = siting["roads"].to_crs(4326)
    formats = list(OUTPUT_FORMATS)
    siting_files = map_artifacts(siting, formats=formats, title="siting", credit=CREDIT)
    dispatch_files = map_artifacts(
        dispatch, formats=formats, title="dispatch", credit=CREDIT, kind=DISPATCH_MAPS
    )
    assert "roads.parquet" in siting_files and "moves.parquet" in dispatch_files
    assert not set(siting_files) & set(dispatch_files)


def test_the_readme_documents_the_dispatch_layers() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert layers_markdown(DISPATCH, without=PLAN.layers) in readme
