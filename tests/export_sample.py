"""A siting plan's layers built from the bundled Porto Alegre sample, for the export tests.

Stations are the 15 points of interest; a station's area is what a resident walking 80 m per
minute (4.8 km/h) reaches in a straight line within 15 minutes; demand is the 1,227 H3 cells
with their census population; districts are the H3 resolution-7 parents of those cells; roads
are the major roads of the sample's OSM extract.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import h3
import numpy as np
import shapely

from optimizer.export.credit import map_credit
from optimizer.geo.points import read_places_csv
from optimizer.geo.streets import read_street_index
from tests.conftest import REPO_ROOT

SAMPLE = REPO_ROOT / "geodata" / "porto_alegre"
CREDIT = map_credit("population and places: Ipea (r5r)")
"""The sample's map credit, as ``outputs.credit`` of the bundled scenario gives it."""
CUTOFF_MINUTES = 15.0
WALK_METERS_PER_MINUTE = 80.0
RESIDENTS_PER_STATION = 5000
URBAN_MIN_RESIDENTS_PER_KM2 = 3000.0
DISTRICT_H3_RESOLUTION = 7

POST_TYPES_BY_NAME = {
    "station": "self_service_24h",
    "shopping": "multilingual,self_service_24h",
    "hospital": "barrier_free",
    "market": "multilingual",
}
EXISTING_STATIONS = ("public_market", "townhall", "santa_casa_hospital", "ufrgs", "pucrs")


def porto_alegre_layers() -> dict[str, gpd.GeoDataFrame]:
    """The plan layers for Porto Alegre (the five and roads), in the city's UTM CRS (EPSG:32722);
    fresh copies."""
    return {name: frame.copy() for name, frame in _build_layers().items()}


@cache
def _build_layers() -> dict[str, gpd.GeoDataFrame]:
    cells = gpd.read_file(SAMPLE / "poa_hexgrid_h3.gpkg")
    utm = cells.estimate_utm_crs()
    cells = cells.to_crs(utm)
    cells["district"] = [h3.cell_to_parent(cell, DISTRICT_H3_RESOLUTION) for cell in cells["id"]]

    places = read_places_csv(SAMPLE / "poa_points_of_interest.csv")
    stations = gpd.GeoDataFrame(
        {
            "station_id": places["id"],
            "name": places["id"].str.replace("_", " "),
            "post_types": [_post_types(name) for name in places["id"]],
            "serves": [place if _post_types(place) else "" for place in places["id"]],
            "status": np.where(places["id"].isin(EXISTING_STATIONS), "existing", "new"),
            "district": [
                h3.latlng_to_cell(lat, lon, DISTRICT_H3_RESOLUTION)
                for lat, lon in zip(places["lat"], places["lon"], strict=True)
            ],
        },
        geometry=gpd.points_from_xy(places["lon"], places["lat"]),
        crs=4326,
    ).to_crs(utm)

    demand, nearest = _demand(cells, stations)
    served = demand["residents"].where(demand["covered"], 0.0).groupby(nearest).sum()
    stations["residents_served"] = (
        served.reindex(stations.index, fill_value=0.0).round().astype("int64")
    )
    return {
        "stations": stations,
        "service_areas": _service_areas(stations),
        "demand": demand,
        "blind_spots": demand.loc[
            ~demand["covered"] & (demand["residents"] > 0), ["demand_id", "residents", "geometry"]
        ].reset_index(drop=True),
        "districts": _districts(cells, stations),
        "roads": read_street_index(SAMPLE / "poa_osm.pbf", crs=str(utm)).roads,
    }


def _post_types(name: str) -> str:
    return next((types for key, types in POST_TYPES_BY_NAME.items() if key in name), "")


def _demand(
    cells: gpd.GeoDataFrame, stations: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Demand cells with straight-line walking minutes; the nearest station of each cell."""
    centroids = cells.geometry.centroid
    meters = np.stack([centroids.distance(point) for point in stations.geometry], axis=1)
    minutes = meters.min(axis=1) / WALK_METERS_PER_MINUTE
    covered = minutes <= CUTOFF_MINUTES
    demand = gpd.GeoDataFrame(
        {
            "demand_id": cells["id"],
            "residents": cells["population"].astype(float),
            "minutes_to_nearest": np.where(covered, minutes, np.nan),
            "covered": covered,
            "district": cells["district"],
        },
        geometry=cells.geometry,
    )
    return demand, meters.argmin(axis=1)


def _service_areas(stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    radius_meters = CUTOFF_MINUTES * WALK_METERS_PER_MINUTE
    areas = stations.geometry.buffer(radius_meters)
    return gpd.GeoDataFrame(
        {
            "station_id": [*stations["station_id"], "ALL"],
            "minutes": CUTOFF_MINUTES,
            "kind": ["station"] * len(stations) + ["union"],
        },
        geometry=[*areas, areas.union_all()],
        crs=stations.crs,
    )


def _districts(cells: gpd.GeoDataFrame, stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The H3 parent cells of the demand cells, with the density rule's counts."""
    districts = cells.groupby("district", as_index=False)["population"].sum()
    districts["residents"] = districts.pop("population").astype(float)
    geometry = gpd.GeoSeries(
        [
            shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(name)])
            for name in districts["district"]
        ],
        crs=4326,
    ).to_crs(cells.crs)
    area_km2 = geometry.area / 1e6
    districts["urban"] = districts["residents"] / area_km2 >= URBAN_MIN_RESIDENTS_PER_KM2
    counts = stations["district"].value_counts()
    districts["stations"] = counts.reindex(districts["district"], fill_value=0).to_numpy()
    districts["required_stations"] = np.where(
        districts["urban"], np.ceil(districts["residents"] / RESIDENTS_PER_STATION), 0
    ).astype("int64")
    districts["compliant"] = districts["stations"] >= districts["required_stations"]
    return gpd.GeoDataFrame(districts, geometry=geometry.to_numpy(), crs=cells.crs)


def empty_like(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """The same layers with no rows (an empty plan)."""
    return {name: frame.iloc[:0] for name, frame in layers.items()}
