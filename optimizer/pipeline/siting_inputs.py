"""Build a ``SitingProblem`` from a scenario's ``region`` and ``siting`` sections.

Reads the road network for the travel mode, the population layer as snapped demand points,
districts (from a layer, or H3 cells derived from the population), candidate sites (existing
stations, points of interest, a file, a grid over populated areas), the sparse demand × site
travel minutes and the typed-post requirements of the scenario's point-of-interest categories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from optimizer.errors import DataError
from optimizer.geo.demand import DemandPoints, load_demand_points
from optimizer.geo.districts import Districts, derive_h3_districts, read_district_layer
from optimizer.geo.network import RoadNetwork
from optimizer.geo.osm import load_road_network
from optimizer.geo.points import read_places_csv
from optimizer.geo.traveltime import travel_minutes
from optimizer.scenario import RegionConfig, SitingConfig
from optimizer.siting import problem as siting_problem
from optimizer.siting.candidates import CandidateSites, grid_places, snap_candidates

#: For objectives that weigh travel beyond the coverage cutoff (min_travel, min_cost), travel
#: times are computed up to this multiple of ``coverage_minutes``.
TRAVEL_OBJECTIVE_REACH = 3.0


@dataclass(frozen=True)
class SitingInputs:
    """Everything read from the scenario's data files for station siting.

    Attributes:
        network: the road network of the travel mode.
        demand: residents as snapped demand points.
        demand_lonlat: ``(n_demand, 2)`` WGS84 degrees of each demand point.
        districts: the districts and their urban flag.
        demand_district: district index per demand point (-1: outside every district).
        candidates: candidate sites, one per road node.
        places: the points of interest with a ``category`` column ("" when uncategorised).
        problem: the optimisation problem built from all of the above.
    """

    network: RoadNetwork
    demand: DemandPoints
    demand_lonlat: np.ndarray
    districts: Districts
    demand_district: np.ndarray
    candidates: CandidateSites
    places: pd.DataFrame
    problem: siting_problem.SitingProblem


def build_siting_inputs(
    region: RegionConfig, siting: SitingConfig, *, progress: Callable[[str], None]
) -> SitingInputs:
    """Read the region's data and build the siting problem.

    Raises:
        DataError: unusable data files, or point-of-interest categories naming unknown places.
    """
    progress(f"loading the {siting.travel_mode} network from {region.roads.name}")
    network = load_road_network(region.roads, mode=siting.travel_mode)
    progress("snapping residents to the network")
    demand = load_demand_points(
        region.population.path,
        population_field=region.population.population_field,
        layer=region.population.layer,
        network=network,
        max_snap_meters=region.max_snap_meters,
    )
    demand_lonlat = np.column_stack(network.lonlat_of(demand.x_meters, demand.y_meters))
    districts, demand_district = _districts(region, demand, demand_lonlat)
    places = _places(region)
    progress("choosing candidate sites")
    candidates = _candidates(region, siting, network, demand, places)
    site_nodes = candidates.table["node"].to_numpy()
    reach = siting.coverage_minutes
    if siting.objective in ("min_travel", "min_cost"):
        reach *= TRAVEL_OBJECTIVE_REACH
    progress(f"travel times: {len(demand.residents)} demand points × {len(site_nodes)} sites")
    minutes = travel_minutes(
        network, origins=demand.node_index, destinations=site_nodes, cutoff_minutes=reach
    )
    reachable = sparse.diags((~demand.unsnapped).astype(float)) @ sparse.csr_matrix(minutes)
    reachable.eliminate_zeros()
    table = candidates.table
    existing = (table["source"] == "existing").to_numpy()
    existing_config = siting.existing_stations
    problem = siting_problem.SitingProblem(
        weights_residents=demand.residents,
        travel_minutes=siting_problem.canonical_csr(sparse.csr_matrix(reachable)),
        coverage_minutes=siting.coverage_minutes,
        site_ids=table["id"].astype(str).tolist(),
        opening_cost=np.where(existing, 0.0, siting.candidates.opening_cost),
        site_x=table["x_meters"].to_numpy(),
        site_y=table["y_meters"].to_numpy(),
        existing=existing,
        closing_saving=(
            np.full(len(table), existing_config.closing_saving)
            if existing_config is not None and existing_config.allow_closing
            else None
        ),
        districts=siting_problem.Districts(
            demand_district=demand_district,
            site_district=districts.locate(table["lon"].to_numpy(), table["lat"].to_numpy()),
            urban=districts.urban,
            residents=_reachable_residents(demand, demand_district, len(districts.names)),
            names=list(districts.names),
        ),
        typed_posts=_typed_posts(siting, network, places, site_nodes, region),
    )
    return SitingInputs(
        network=network,
        demand=demand,
        demand_lonlat=demand_lonlat,
        districts=districts,
        demand_district=demand_district,
        candidates=candidates,
        places=places,
        problem=problem,
    )


def _districts(
    region: RegionConfig, demand: DemandPoints, demand_lonlat: np.ndarray
) -> tuple[Districts, np.ndarray]:
    """Districts from the scenario's layer, or derived H3 cells, and each point's district."""
    config = region.districts
    polygons = demand.areas.geometry.iloc[demand.source_row]
    has_area = polygons.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    area_km2 = polygons.to_crs(demand.crs).area.to_numpy() / 1e6 if has_area else None
    common = {
        "residents": demand.residents,
        "area_km2": area_km2,
        "urban_min_residents_per_km2": config.urban_min_residents_per_km2,
    }
    lon, lat = demand_lonlat[:, 0], demand_lonlat[:, 1]
    if config.path is None:
        return derive_h3_districts(lon, lat, resolution=config.derive_h3_resolution, **common)
    return read_district_layer(
        config.path, layer=config.layer, name_field=config.name_field, lon=lon, lat=lat, **common
    )


def _reachable_residents(
    demand: DemandPoints, demand_district: np.ndarray, district_count: int
) -> np.ndarray:
    """Residents per district who live near a road: the density rule counts only them.

    Residents beyond ``max_snap_meters`` of any road (islands, say) cannot walk to a station;
    they are reported as unreachable rather than demanding stations nobody can reach.
    """
    counted = ~demand.unsnapped & (demand_district >= 0)
    return np.bincount(
        demand_district[counted], weights=demand.residents[counted], minlength=district_count
    )


def _places(region: RegionConfig) -> pd.DataFrame:
    """Points of interest with their scenario category; unknown ids in the categories fail."""
    if region.points_of_interest is None:
        return pd.DataFrame({"id": [], "lat": [], "lon": [], "category": []})
    places = read_places_csv(region.points_of_interest)
    unknown = sorted(set(region.point_of_interest_categories) - set(places["id"]))
    if unknown:
        raise DataError(
            region.points_of_interest,
            f"point_of_interest_categories names places not in the file: {', '.join(unknown)}",
            field="id",
        )
    categories = places["id"].map(region.point_of_interest_categories).fillna("")
    return places.assign(category=categories)


def _candidates(
    region: RegionConfig,
    siting: SitingConfig,
    network: RoadNetwork,
    demand: DemandPoints,
    places: pd.DataFrame,
) -> CandidateSites:
    """Existing stations, places, the file, demand nodes and the grid, snapped, in that order."""
    config = siting.candidates
    tables = []
    if siting.existing_stations is not None:
        tables.append(read_places_csv(siting.existing_stations.path).assign(source="existing"))
    if config.points_of_interest:
        tables.append(places.assign(source="place"))
    if config.path is not None:
        tables.append(read_places_csv(config.path).assign(source="file"))
    if config.demand_points:
        tables.append(_demand_places(network, demand))
    if config.grid_spacing_meters is not None:
        tables.append(
            grid_places(
                network,
                demand.x_meters,
                demand.y_meters,
                demand.residents,
                spacing_meters=config.grid_spacing_meters,
            )
        )
    if not tables:
        raise DataError(
            "siting.candidates", "no candidate sites: enable the grid, places or a file"
        )
    columns = ["id", "source", "lon", "lat"]
    all_places = pd.concat([table[columns] for table in tables], ignore_index=True)
    return snap_candidates(network, all_places, max_snap_meters=region.max_snap_meters)


def _demand_places(network: RoadNetwork, demand: DemandPoints) -> pd.DataFrame:
    """The road node nearest each snapped demand point, as places (``id`` demand-<row>)."""
    snapped = ~demand.unsnapped
    nodes = demand.node_index[snapped]
    lon, lat = network.lonlat_of(network.x_meters[nodes], network.y_meters[nodes])
    ids = [f"demand-{row}" for row in demand.source_row[snapped]]
    return pd.DataFrame({"id": ids, "source": "demand", "lon": lon, "lat": lat})


def _typed_posts(
    siting: SitingConfig,
    network: RoadNetwork,
    places: pd.DataFrame,
    site_nodes: np.ndarray,
    region: RegionConfig,
) -> list[siting_problem.TypedPostRequirement]:
    """One requirement per typed-post rule: the sites within reach of each place of its category."""
    requirements = []
    for rule in siting.typed_posts:
        chosen = places[places["category"] == rule.category]
        if chosen.empty:
            raise DataError(
                region.points_of_interest or "region.points_of_interest",
                f"typed post {rule.post_type!r} needs places of category {rule.category!r}; "
                "none are categorised so in region.point_of_interest_categories",
                field="category",
            )
        x_meters, y_meters = network.project(chosen["lon"].to_numpy(), chosen["lat"].to_numpy())
        place_nodes, _ = network.nearest_nodes(x_meters, y_meters)
        within = sparse.csr_matrix(
            travel_minutes(
                network,
                origins=place_nodes,
                destinations=site_nodes,
                cutoff_minutes=rule.within_minutes,
                direction="from_destinations",
            )
        )
        requirements.append(
            siting_problem.TypedPostRequirement(
                post_type=rule.post_type,
                category=rule.category,
                place_sites=np.split(within.indices, within.indptr[1:-1]),
                within_minutes=rule.within_minutes,
                place_names=chosen["id"].tolist(),
            )
        )
    return requirements
