"""Build a ``ReviewProblem`` from a scenario's ``review`` section (and ``region`` for roads).

Residents are the population layer's features (``review.population``, else
``region.population``); relocation sites are the populated places (each feature's point, on
a road network the road node nearest it) in the districts that hold an outlet: an outlet
moves within its district only, so minutes to the other places are never read (on the Porto
Alegre roads 231 sites of 1,116, and a fifth of the searches). Travel minutes run over
``region.roads`` in ``review.travel_mode``, or, with ``review.straight_line``, are
straight-line distance × the detour factor at the stated speed; the label saying which goes
into every output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from scipy import sparse

from optimizer.errors import DataError, ScenarioError
from optimizer.geo.demand import load_demand_points, read_population_layer
from optimizer.geo.osm import load_road_network, utm_crs_for
from optimizer.geo.straight import straight_line_minutes
from optimizer.geo.traveltime import travel_minutes
from optimizer.pipeline.siting_inputs import build_districts, feature_ids
from optimizer.review.problem import Outlets, ReviewProblem
from optimizer.review.readers import OutletTable, read_outlets_csv, read_volumes_csv
from optimizer.scenario import PopulationLayer, Scenario
from optimizer.scenario_review import ReviewConfig
from optimizer.siting.problem import Districts, SitingProblem, canonical_csr
from optimizer.tables import reject_rows


@dataclass(frozen=True)
class Residents:
    """Residents as points, and how to measure the travel minutes from them.

    Attributes:
        residents: per demand point; ids: their population-layer ids; lonlat: ``(n, 2)``.
        features: each point's population feature (for the districts' areas).
        crs: the metric CRS used.
        site_lonlat: ``(n, 2)``: where a relocation site at each point would be (its road
            node on a road network).
        minutes_to: ``minutes_to(points)``: residents × (outlets, then a site at each of
            ``points``, indices of demand points), csr, within ``reach_minutes``.
        label: how the minutes were measured.
    """

    residents: np.ndarray
    ids: np.ndarray
    lonlat: np.ndarray
    features: gpd.GeoSeries
    crs: str
    site_lonlat: np.ndarray
    minutes_to: Callable[[np.ndarray], sparse.csr_matrix]
    label: str


def population_layer(scenario: Scenario) -> PopulationLayer:
    """The review's population layer (its own, else the region's)."""
    assert scenario.review is not None
    layer = scenario.review.population or (
        scenario.region.population if scenario.region is not None else None
    )
    if layer is None:
        raise ScenarioError(["review.population: needed when the scenario has no region"])
    return layer


def straight_line_residents(
    config: ReviewConfig, layer: PopulationLayer, outlets: OutletTable
) -> Residents:
    """Residents at their features' representative points; straight-line minutes."""
    assert config.straight_line is not None
    travel = config.straight_line
    areas = read_population_layer(layer.path, layer.layer, layer.population_field)
    rows = np.flatnonzero(areas[layer.population_field].to_numpy() > 0)
    if len(rows) == 0:
        raise DataError(layer.path, "no feature has residents > 0", field=layer.population_field)
    features = areas.geometry.iloc[rows]
    points = features.to_crs("EPSG:4326").representative_point()
    lonlat = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    crs = utm_crs_for(lonlat[:, 0], lonlat[:, 1])
    all_lonlat = np.vstack([np.column_stack([outlets.lon, outlets.lat]), lonlat])
    xy = (
        gpd.GeoSeries(shapely.points(all_lonlat[:, 0], all_lonlat[:, 1]), crs="EPSG:4326")
        .to_crs(crs)
        .get_coordinates()
        .to_numpy()
    )
    outlet_xy, demand_xy = xy[: len(outlets.ids)], xy[len(outlets.ids) :]

    def minutes_to(points: np.ndarray) -> sparse.csr_matrix:
        minutes = straight_line_minutes(
            demand_xy,
            np.vstack([outlet_xy, demand_xy[points]]),
            speed_kmh=travel.speed_kmh,
            detour_factor=travel.detour_factor,
            cutoff_minutes=config.reach_minutes,
        )
        return sparse.csr_matrix(minutes)

    return Residents(
        residents=areas[layer.population_field].to_numpy(dtype=float)[rows],
        ids=feature_ids(areas, id_field=layer.id_field, path=layer.path)[rows],
        lonlat=lonlat,
        features=features,
        crs=crs,
        site_lonlat=lonlat,
        minutes_to=minutes_to,
        label=(
            f"straight line × {travel.detour_factor:g} at {travel.speed_kmh:g} km/h "
            f"({travel.mode}; no road network)"
        ),
    )


def road_residents(
    config: ReviewConfig, scenario: Scenario, layer: PopulationLayer, outlets: OutletTable
) -> Residents:
    """Residents snapped to the region's roads and travel minutes over them.

    Raises:
        DataError: an outlet farther than ``region.max_snap_meters`` from every road (off the
            network), naming the outlets file's row.
    """
    region = scenario.region
    if region is None:
        raise ScenarioError(["review: needs region.roads, or review.straight_line"])
    network = load_road_network(region.roads, mode=config.travel_mode)
    demand = load_demand_points(
        layer.path,
        population_field=layer.population_field,
        layer=layer.layer,
        network=network,
        max_snap_meters=region.max_snap_meters,
    )
    x, y = network.project(outlets.lon, outlets.lat)
    outlet_nodes, snap = network.nearest_nodes(x, y)
    reject_rows(
        config.outlets,
        np.arange(len(snap)) + 2,
        snap > region.max_snap_meters,
        "lon",
        lambda i: (
            f"off the road network: {snap[i]:,.0f} m from the nearest road "
            f"(region.max_snap_meters is {region.max_snap_meters:g})"
        ),
    )
    keep = ~demand.unsnapped
    demand_nodes = demand.node_index[keep]
    lon, lat = network.to_lonlat()

    def minutes_to(points: np.ndarray) -> sparse.csr_matrix:
        minutes = travel_minutes(
            network,
            origins=demand_nodes,
            destinations=np.concatenate([outlet_nodes, demand_nodes[points]]),
            cutoff_minutes=config.reach_minutes,
        )
        return sparse.csr_matrix(minutes)

    demand_lonlat = np.column_stack(network.lonlat_of(demand.x_meters, demand.y_meters))[keep]
    return Residents(
        residents=demand.residents[keep],
        ids=feature_ids(demand.areas, id_field=layer.id_field, path=layer.path)[demand.source_row][
            keep
        ],
        lonlat=demand_lonlat,
        features=demand.areas.geometry.iloc[demand.source_row[keep]],
        crs=network.crs,
        site_lonlat=np.column_stack([lon, lat])[demand_nodes],
        minutes_to=minutes_to,
        label=f"{config.travel_mode} on the OpenStreetMap roads of {region.roads.name}",
    )


def outlets_with_defaults(config: ReviewConfig, table: OutletTable) -> Outlets:
    """The outlets, their empty cost and staff cells filled with the scenario's defaults."""
    cost, staff = table.annual_cost, table.staff
    return Outlets(
        ids=table.ids,
        names=table.names,
        types=table.types,
        lon=table.lon,
        lat=table.lat,
        annual_cost=np.where(np.isnan(cost), config.outlet_defaults.annual_cost, cost),
        staff=np.where(np.isnan(staff), config.outlet_defaults.staff, staff),
        assumed_cost=np.isnan(cost),
        assumed_staff=np.isnan(staff),
    )


def build_review_problem(scenario: Scenario, *, progress: Callable[[str], None]) -> ReviewProblem:
    """The review problem of a scenario's ``review`` section.

    Raises:
        ScenarioError: no population layer, or no roads without ``straight_line``.
        DataError: bad outlets, volumes or population files; an outlet off the network.
    """
    config = scenario.review
    assert config is not None
    table = read_outlets_csv(config.outlets)
    volumes = read_volumes_csv(config.volumes, outlet_ids=table.ids)
    layer = population_layer(scenario)
    progress("residents and travel minutes")
    if config.straight_line is not None:
        residents = straight_line_residents(config, layer, table)
    else:
        residents = road_residents(config, scenario, layer, table)
    districts, demand_district = build_districts(
        config.districts,
        residents.features,
        residents.residents,
        crs=residents.crs,
        lonlat=residents.lonlat,
    )
    outlet_district = districts.locate(table.lon, table.lat)
    point_district = districts.locate(residents.site_lonlat[:, 0], residents.site_lonlat[:, 1])
    points = np.flatnonzero(np.isin(point_district, outlet_district[outlet_district >= 0]))
    n_outlets = len(table.ids)
    site_ids = [*table.ids, *(f"site-{i}" for i in residents.ids[points])]
    siting = SitingProblem(
        weights_residents=residents.residents,
        travel_minutes=canonical_csr(residents.minutes_to(points)),
        coverage_minutes=config.coverage_minutes,
        site_ids=site_ids,
        existing=np.arange(n_outlets + len(points)) < n_outlets,
        districts=Districts(
            demand_district=demand_district,
            site_district=np.concatenate([outlet_district, point_district[points]]),
            urban=districts.urban,
            names=list(districts.names),
        ),
    )
    return ReviewProblem(
        outlets=outlets_with_defaults(config, table),
        volumes=volumes,
        siting=siting,
        demand_urban=np.asarray(districts.urban)[demand_district] & (demand_district >= 0),
        demand_ids=residents.ids,
        site_lonlat=np.vstack(
            [np.column_stack([table.lon, table.lat]), residents.site_lonlat[points]]
        ),
        travel_label=residents.label,
    )
