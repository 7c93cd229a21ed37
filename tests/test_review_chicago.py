"""``svcplan review`` on the Chicago library sample (straight-line travel): the published
figures of every option (merge, relocate, transform; recommended or not) recomputed from the
bundled files with plain numpy, the README's reference streaks, and bad input that exits 2
and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from optimizer.review.readers import read_outlets_csv, read_volumes_csv
from optimizer.review.settings import ReviewSettings
from optimizer.review.streaks import read_months
from tests.review_figures import assert_option_matches, recompute_option

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "library-review.yaml"
DATA = ROOT / "geodata" / "chicago"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = CliRunner().invoke(app, ["review", str(SCENARIO), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "no road network" in result.output
    return out / "library-review" / "review"


def test_every_option_recomputed_independently(published: Path) -> None:
    config = yaml.safe_load(SCENARIO.read_text())["review"]
    travel = config["straight_line"]
    options = pd.read_csv(published / "review_options.csv")
    assert (options["travel"].str.contains("straight line × 1.3 at 4.5 km/h")).all()
    outlets = pd.read_csv(DATA / "library_branches.csv")
    tracts = gpd.read_file(DATA / "tract_population_points.geojson")
    crs = "EPSG:32616"
    demand = np.column_stack([tracts.to_crs(crs).geometry.x, tracts.to_crs(crs).geometry.y])
    sites = gpd.GeoSeries(gpd.points_from_xy(outlets.lon, outlets.lat), crs="EPSG:4326")
    site_xy = np.vstack([np.column_stack([sites.to_crs(crs).x, sites.to_crs(crs).y]), demand])
    minutes = (
        np.linalg.norm(demand[:, None] - site_xy[None], axis=2)
        * travel["detour_factor"]
        / (travel["speed_kmh"] * 1000 / 60)
    )
    minutes[minutes > config["reach_minutes"]] = np.inf
    site_column = {outlet: i for i, outlet in enumerate(outlets["id"])}
    site_column |= {f"site-{g}": len(outlets) + i for i, g in enumerate(tracts["geoid"])}
    assert {"merge", "relocate", "self_service_24h"} <= set(options["kind"])
    assert "merge" in set(options.loc[options["recommended"], "kind"])
    for _, row in options.iterrows():
        figures = recompute_option(
            row,
            minutes,
            tracts["population"].to_numpy(dtype=float),
            site_column=site_column[row["site_id"]],
            n_outlets=len(outlets),
            coverage_minutes=config["coverage_minutes"],
        )
        assert_option_matches(row, figures, outlets["id"].to_numpy())


def test_summary_and_tables_carry_the_travel_label(published: Path) -> None:
    summary = json.loads((published / "summary.json").read_text())["review"]
    assert "no road network" in summary["travel"]
    assert all("no road network" in sentence for sentence in summary["sentences"])
    review = pd.read_csv(published / "review.csv")
    assert review["flagged"].sum() == len(summary["flagged"])


def test_reference_streaks_of_the_readme() -> None:
    """README: runs of >= 6 months with 0 < visitors < 3,000 in 2017-01 … 2019-12."""
    outlets = read_outlets_csv(DATA / "library_branches.csv")
    volumes = read_volumes_csv(DATA / "library_visitors_monthly.csv", outlet_ids=outlets.ids)
    window = volumes.loc[pd.Period("2017-01", "M") : pd.Period("2019-12", "M")]
    settings = ReviewSettings(threshold_volume=3000.0)
    longest = {
        outlet: read_months(
            window[outlet].to_numpy(), window.index, np.full(len(window), 3000.0), settings
        ).longest_streak_months
        for outlet in window.columns
    }
    runs = {outlet: run for outlet, run in longest.items() if run >= 6}
    assert runs == {
        "altgeld": 18,
        "chicago-bee": 14,
        "gage-park": 8,
        "galewood-mont-clare": 18,
        "greater-grand-crossing": 9,
        "king": 6,
    }


def test_unknown_outlet_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    volumes = tmp_path / "volumes.csv"
    volumes.write_text("outlet,month,volume\naltgeld,2022-01,5\nnowhere,2022-02,7\n")
    scenario = yaml.safe_load(SCENARIO.read_text())
    review = scenario["review"]
    review["volumes"] = str(volumes)
    for key in ("outlets",):
        review[key] = str(DATA / "library_branches.csv")
    review["population"]["path"] = str(DATA / "tract_population_points.geojson")
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(scenario))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["review", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert "volumes.csv: outlet: row 3: unknown outlet 'nowhere'" in result.output
    assert not out.exists() or not any(out.rglob("*.csv"))


def test_outlet_layer_and_receiver_lines_agree_with_the_tables(published: Path) -> None:
    review = pd.read_csv(published / "review.csv", dtype={"outlet": str})
    review["recommendation"] = review["recommendation"].fillna("")
    outlets = gpd.read_file(published / "review.gpkg", layer="outlets", engine="pyogrio")
    assert list(outlets["outlet"]) == list(review["outlet"])
    assert list(outlets["flagged"]) == list(review["flagged"])
    assert list(outlets["recommendation"].fillna("")) == list(review["recommendation"])
    branches = pd.read_csv(DATA / "library_branches.csv").set_index("id")
    assert np.allclose(outlets.geometry.x, branches.loc[outlets["outlet"], "lon"])
    receivers = gpd.read_file(published / "review.gpkg", layer="receivers", engine="pyogrio")
    closing = set(review.loc[review["recommendation"] == "merge", "outlet"])
    closing |= set(review.loc[review["closes_jointly"], "outlet"])
    assert set(receivers["outlet"]) == closing
    options = pd.read_csv(published / "review_options.csv")
    merges = options[options["kind"] == "merge"].set_index("outlet_id")
    for outlet, lines in receivers.groupby("outlet"):
        # the largest share goes to the merge option's main receiver, and shares sum to ≤ 1
        assert (
            lines.loc[lines["resident_share"].idxmax(), "receiver"]
            == (merges.loc[outlet, "receiver_id"])
        )
        assert lines["resident_share"].sum() <= 1 + 1e-9
    first = receivers.geometry.iloc[0].coords
    source, target = receivers.iloc[0][["outlet", "receiver"]]
    assert np.allclose(first[0], branches.loc[source, ["lon", "lat"]].astype(float))
    assert np.allclose(first[-1], branches.loc[target, ["lon", "lat"]].astype(float))


def test_review_maps_name_the_closing_outlets_and_credit_the_data(published: Path) -> None:
    review = pd.read_csv(published / "review.csv")
    page = (published / "review_map.html").read_text(encoding="utf-8")
    assert "no road network" in page
    for name in review.loc[review["flagged"], "name"]:
        assert name in page
    assert "Chicago Public Library" in page and "OpenStreetMap" not in page
    png = (published / "review_map.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000


def test_readme_documents_the_review_layers() -> None:
    from optimizer.export.layers import layers_markdown
    from optimizer.export.review_layers import REVIEW

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert layers_markdown(REVIEW, without=("roads",)) in readme
