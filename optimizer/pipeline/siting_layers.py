"""A siting plan as map layers: stations, service areas, demand, blind spots, districts, roads.

The layer names and columns follow ``optimizer.export.layers`` (the export contract). Blind
spots are the demand features no open station reaches within the cutoff, taken from the
plan's travel times, so the map and the coverage figures always agree. Stations carry their
names and the places their typed posts serve (``siting_names``); demand features keep their
id in the population layer; roads are the extract's major roads, for the maps' context.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from optimizer.geo.areas import service_areas
from optimizer.pipeline.siting_inputs import SitingInputs
from optimizer.pipeline.siting_names import served_places, station_names
from optimizer.siting.plan import SitingPlan

UNION_ID = "ALL"


def plan_layers(inputs: SitingInputs, plan: SitingPlan) -> dict[str, gpd.GeoDataFrame]:
    """The export layers of ``plan`` (the five of the plan and ``roads``), in the network's
    projected CRS."""
    crs = inputs.network.crs
    problem = inputs.problem
    district_names = _district_names(inputs)
    covered = np.ones(problem.n_demand, dtype=bool)
    covered[plan.uncovered_demand] = False
    demand_ids = inputs.demand_ids.astype(str)
    demand_geometry = (
        inputs.demand.areas.geometry.iloc[inputs.demand.source_row].to_crs(crs).to_numpy()
    )
    demand = gpd.GeoDataFrame(
        {
            "demand_id": demand_ids,
            "residents": inputs.demand.residents,
            "minutes_to_nearest": np.where(covered, plan.assigned_minutes, np.nan),
            "covered": covered,
            "district": district_names[inputs.demand_district],
        },
        geometry=demand_geometry,
        crs=crs,
    )
    return {
        "stations": station_layer(inputs, plan),
        "service_areas": _service_areas(inputs, plan),
        "demand": demand,
        "blind_spots": demand.loc[~covered, ["demand_id", "residents", "geometry"]].reset_index(
            drop=True
        ),
        "districts": _districts(inputs, plan),
        "roads": inputs.streets.roads.to_crs(crs),
    }


def station_layer(inputs: SitingInputs, plan: SitingPlan) -> gpd.GeoDataFrame:
    """The ``stations`` layer of ``plan`` alone (cheap: no service areas are drawn)."""
    district_names = _district_names(inputs)
    table = inputs.candidates.table.iloc[plan.open_sites]
    site_district = inputs.problem.districts.site_district[plan.open_sites]
    return gpd.GeoDataFrame(
        {
            "station_id": table["id"].astype(str).to_numpy(),
            "name": station_names(inputs, plan.open_sites),
            "post_types": [",".join(plan.post_types.get(site, [])) for site in plan.site_ids],
            "serves": [
                ",".join(dict.fromkeys(place for places in posts.values() for place in places))
                for posts in served_places(inputs, plan)
            ],
            "status": np.where(table["source"] == "existing", "existing", "new"),
            "residents_served": np.rint(plan.served_residents).astype(np.int64),
            "district": district_names[site_district],
        },
        geometry=shapely.points(table["x_meters"], table["y_meters"]),
        crs=inputs.network.crs,
    )


def _district_names(inputs: SitingInputs) -> np.ndarray:
    """Each district's name, and ``""`` last (index -1: outside every district)."""
    return np.append(np.asarray(inputs.districts.names, dtype=str), "")


def _service_areas(inputs: SitingInputs, plan: SitingPlan) -> gpd.GeoDataFrame:
    minutes = inputs.problem.coverage_minutes
    nodes = inputs.candidates.table["node"].to_numpy()[plan.open_sites]
    areas = service_areas(inputs.network, station_nodes=nodes, cutoff_minutes=minutes)
    per_station = gpd.GeoDataFrame(
        {"station_id": list(plan.site_ids), "minutes": minutes, "kind": "station"},
        geometry=areas.geometry.to_numpy(),
        crs=inputs.network.crs,
    )
    union = gpd.GeoDataFrame(
        {"station_id": [UNION_ID], "minutes": [minutes], "kind": ["union"]},
        geometry=[shapely.union_all(per_station.geometry.to_numpy())],
        crs=inputs.network.crs,
    )
    return pd.concat([per_station, union], ignore_index=True)


def _districts(inputs: SitingInputs, plan: SitingPlan) -> gpd.GeoDataFrame:
    districts = inputs.districts
    count = len(districts.names)
    site_district = inputs.problem.districts.site_district[plan.open_sites]
    stations = np.bincount(site_district[site_district >= 0], minlength=count)
    required = np.zeros(count, dtype=np.int64)
    for density in plan.density:
        required[density.district] = density.required_stations
    return gpd.GeoDataFrame(
        {
            "district": np.asarray(districts.names, dtype=str),
            "residents": districts.residents,
            "urban": districts.urban,
            "stations": stations,
            "required_stations": required,
            "compliant": stations >= required,
        },
        geometry=districts.geometry.to_crs(inputs.network.crs).to_numpy(),
        crs=inputs.network.crs,
    )
