"""Districts derived from the sample city's hexagons, places CSVs and candidate sites."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from optimizer.errors import DataError
from optimizer.geo.districts import derive_h3_districts
from optimizer.geo.points import read_places_csv
from optimizer.siting.candidates import grid_over_population

from .conftest import REPO_ROOT

HEXGRID = REPO_ROOT / "geodata" / "porto_alegre" / "poa_hexgrid_h3.gpkg"
POIS = REPO_ROOT / "geodata" / "porto_alegre" / "poa_points_of_interest.csv"


@pytest.fixture(scope="module")
def hexagons() -> gpd.GeoDataFrame:
    return gpd.read_file(HEXGRID)


def test_derived_districts_hold_every_resident_and_contain_their_hexagons(
    hexagons: gpd.GeoDataFrame,
) -> None:
    area_km2 = hexagons.to_crs(hexagons.estimate_utm_crs()).area.to_numpy() / 1e6
    districts, of_feature = derive_h3_districts(
        hexagons["lon"].to_numpy(),
        hexagons["lat"].to_numpy(),
        hexagons["population"].to_numpy(),
        area_km2=area_km2,
        resolution=7,
        urban_min_residents_per_km2=1500,
    )
    assert districts.residents.sum() == pytest.approx(812_935)
    assert (of_feature >= 0).all()
    centroids = shapely.points(hexagons["lon"], hexagons["lat"])
    inside = shapely.contains(districts.geometry.to_numpy()[of_feature], centroids)
    assert inside.mean() > 0.99  # H3 children straddle their parent's edge slightly
    # Urban flag recomputed from the hexagons themselves.
    frame = hexagons.assign(district=of_feature, area_km2=area_km2)
    totals = frame.groupby("district")[["population", "area_km2"]].sum()
    expected_urban = (totals["population"] / totals["area_km2"] >= 1500).to_numpy()
    assert (districts.urban == expected_urban).all()
    assert districts.locate(np.array([0.0]), np.array([0.0])).tolist() == [-1]
    assert (districts.locate(hexagons["lon"], hexagons["lat"]) == of_feature).all()


def test_places_csv_reads_the_sample_points_of_interest() -> None:
    places = read_places_csv(POIS)
    assert len(places) == 15
    assert "santa_casa_hospital" in set(places["id"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file is empty"),
        ("id,lat\na,1\n", "header: missing column(s) lon"),
        (
            "id,lat,lon\na,-30,-51\nb,95,-51\n",
            "lat: row 3: expected a number from -90 to 90 (got '95')",
        ),
        ("id,lat,lon\na,-30,-51\na,-30,-51.1\n", "id: row 3: duplicate 'a' (first on row 2)"),
        ("id,lat,lon\n", "no data rows"),
    ],
)
def test_bad_places_csv_names_file_row_and_column(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "places.csv"
    path.write_text(content)
    with pytest.raises(DataError) as caught:
        read_places_csv(path)
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)


def test_grid_points_lie_near_populated_points_only() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.uniform(0, 5000, 300), rng.uniform(0, 5000, 300)
    residents = np.where(x < 2500, 100.0, 0.0)  # only the west half is populated
    grid_x, grid_y = grid_over_population(x, y, residents, spacing_meters=400)
    populated = np.column_stack([x[x < 2500], y[x < 2500]])
    gaps = np.hypot(grid_x[:, None] - populated[:, 0], grid_y[:, None] - populated[:, 1]).min(1)
    assert len(grid_x) > 30
    assert (gaps <= 400).all()
    assert grid_x.max() < 2500 + 400
