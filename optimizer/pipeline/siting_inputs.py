"""Build a ``SitingProblem`` from a scenario's ``region`` and ``siting`` sections.

Reads the road network for the travel mode, the population layer as snapped demand points,
districts (from a layer, or H3 cells derived from the population), candidate sites (existing
stations, points of interest, a file, a grid over populated areas), the sparse demand × site
travel minutes and the typed-post requirements of the scenario's point-of-interest categories.
Also what makes the plan readable: each demand point's own id in the population layer
(``region.population.id_field``), and the extract's street names and major roads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from optimizer.errors import DataError
from optimizer.geo.demand import DemandPoints, load_demand_points
from optimizer.geo.districts import Districts, derive_h3_districts, read_district_layer
from optimizer.geo.network import RoadNetwork
from optimizer.geo.osm import load_road_network
from optimizer.geo.points import read_places_csv
from optimizer.geo.streets import StreetIndex, read_street_index
from optimizer.geo.traveltime import travel_minutes
from optimizer.scenario import DistrictsConfig, RegionConfig, SitingConfig, TypedPostRule
from optimizer.siting import problem as siting_problem
from optimizer.siting.candidates import CandidateSites, grid_places, snap_candidates
from optimizer.tables import quoted, reject_rows

#: For objectives that weigh travel beyond the coverage cutoff (min_travel, min_cost), travel
#: times are computed up to this multiple of ``coverage_minutes``.
TRAVEL_OBJECTIVE_REACH = 3.0


@dataclass(frozen=True)
class SitingInputs:
    """Everything read from the scenario's data files for station siting.

    Attributes:
        network: the road network of the travel mode.
        demand: residents as snapped demand points.
        demand_ids: ``(n_demand,)`` str: each point's feature id in the population layer (its
            ``id_field``, else the 1-based feature number), so the layers join back to it.
        demand_lonlat: ``(n_demand, 2)`` WGS84 degrees of each demand point.
        districts: the districts and their urban flag.
        demand_district: district index per demand point (-1: outside every district).
        candidates: candidate sites, one per road node.
        places: the points of interest with a ``category`` column ("" when uncategorised)
            and a ``label`` column: their ``name`` column when the file has one, else the id
            with spaces for underscores.
        streets: the extract's named streets and places and its major roads.
        problem: the optimisation problem built from all of the above.
        demand_part: ``(n_demand,)`` int: the ``RegionPart`` each demand point comes from (all 0
            for one region).
    """

    network: RoadNetwork
    demand: DemandPoints
    demand_ids: np.ndarray
    demand_lonlat: np.ndarray
    districts: Districts
    demand_district: np.ndarray
    candidates: CandidateSites
    places: pd.DataFrame
    streets: StreetIndex
    problem: siting_problem.SitingProblem
    demand_part: np.ndarray


@dataclass(frozen=True)
class RegionPart:
    """One region of a siting problem that several regions share.

    Attributes:
        region: its residents, places and districts; the first part's roads, snap distance
            and districts hold for all.
        siting: its siting section; the first part's holds for all but its own candidate and
            existing-station files.
        prefix: put before its candidate and place ids (``"north/"``) to keep them apart from
            other parts'; ``""`` for a region on its own.
    """

    region: RegionConfig
    siting: SitingConfig
    prefix: str = ""


def build_siting_inputs(
    region: RegionConfig, siting: SitingConfig, *, progress: Callable[[str], None]
) -> SitingInputs:
    """Read the region's data and build the siting problem.

    Raises:
        DataError: unusable data files, or point-of-interest categories naming unknown places.
    """
    return build_shared_inputs([RegionPart(region, siting)], progress=progress)


def build_shared_inputs(
    parts: Sequence[RegionPart], *, progress: Callable[[str], None]
) -> SitingInputs:
    """Read several regions' data onto the first's road network and build one siting problem
    of all their residents and candidate sites (regions that can interact).

    Raises:
        DataError: unusable data files, or point-of-interest categories naming unknown places.
    """
    region, siting = parts[0].region, parts[0].siting
    progress(f"loading the {siting.travel_mode} network from {region.roads.name}")
    network = load_road_network(region.roads, mode=siting.travel_mode)
    progress("snapping residents to the network")
    residents = [_residents(part.region, network) for part in parts]
    demand = _joined_demand([points for points, _ in residents])
    demand_ids = np.concatenate([ids for _, ids in residents])
    demand_part = np.repeat(np.arange(len(parts)), [len(ids) for _, ids in residents])
    demand_lonlat = np.column_stack(network.lonlat_of(demand.x_meters, demand.y_meters))
    districts, demand_district = _districts(region, demand, demand_lonlat)
    places = pd.concat(
        [
            _prefixed(read_places(part.region), part.prefix).assign(part=i)
            for i, part in enumerate(parts)
        ],
        ignore_index=True,
    )
    progress("reading street names")
    streets = read_street_index(region.roads, crs=network.crs)
    progress("choosing candidate sites")
    candidates = _candidates(parts, network, demand, demand_ids, demand_part, places)
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
        demand_ids=demand_ids,
        demand_lonlat=demand_lonlat,
        districts=districts,
        demand_district=demand_district,
        candidates=candidates,
        places=places.drop(columns="part"),
        streets=streets,
        problem=problem,
        demand_part=demand_part,
    )


def _residents(region: RegionConfig, network: RoadNetwork) -> tuple[DemandPoints, np.ndarray]:
    """A region's population layer as demand points snapped to ``network``, and each point's
    feature id in the layer."""
    population = region.population
    demand = load_demand_points(
        population.path,
        population_field=population.population_field,
        layer=population.layer,
        network=network,
        max_snap_meters=region.max_snap_meters,
    )
    ids = feature_ids(demand.areas, id_field=population.id_field, path=population.path)
    return demand, ids[demand.source_row]


def _joined_demand(parts: list[DemandPoints]) -> DemandPoints:
    """Several regions' demand points as one (one region's as they are): their features in
    the network's CRS, rows renumbered."""
    if len(parts) == 1:
        return parts[0]
    crs = parts[0].crs
    offsets = np.cumsum([0] + [len(part.areas) for part in parts[:-1]])
    areas = gpd.GeoDataFrame(
        geometry=pd.concat([part.areas.geometry.to_crs(crs) for part in parts], ignore_index=True),
        crs=crs,
    )
    joined = {
        name: np.concatenate([getattr(part, name) for part in parts])
        for name in ("x_meters", "y_meters", "residents", "node_index", "snap_meters", "unsnapped")
    }
    source_row = np.concatenate(
        [part.source_row + offset for part, offset in zip(parts, offsets, strict=True)]
    )
    return DemandPoints(**joined, source_row=source_row, areas=areas, crs=crs)


def _prefixed(places: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """``places`` with ``prefix`` before every id."""
    return places.assign(id=prefix + places["id"].astype(str)) if prefix else places


def feature_ids(areas: gpd.GeoDataFrame, *, id_field: str | None, path: Path) -> np.ndarray:
    """Each feature's id in a population layer, as text (one per row of ``areas``).

    ``id_field`` when the scenario names one (``region.population.id_field``), else the
    layer's first text field whose values are all present and unique (an H3 cell id, a census
    tract code), else the 1-based feature number (as a GIS attribute table numbers features).

    Raises:
        DataError: the named field is missing, or has empty or repeated values (naming the
            feature).
    """
    field = id_field
    if field is None:
        field = next(
            (
                name
                for name in areas.columns
                if name != areas.geometry.name and _is_unique_text(areas[name])
            ),
            None,
        )
        if field is None:
            return (np.arange(len(areas)) + 1).astype(str).astype(object)
    elif field not in areas.columns or field == areas.geometry.name:
        others = len(areas.columns) - 1
        raise DataError(path, f"no such field; the layer has {others} other fields", field=field)
    ids = _id_text(areas[field])
    rows = np.arange(len(areas)) + 1
    reject_rows(path, rows, ids == "", field, "no id (ids must be present and unique)")
    repeated = pd.Series(ids).duplicated().to_numpy()
    reject_rows(
        path,
        rows,
        repeated,
        field,
        lambda i: f"id {quoted(ids[i])} repeats row {int(np.flatnonzero(ids == ids[i])[0]) + 1}",
    )
    return ids


def _is_unique_text(values: pd.Series) -> bool:
    """Whether every value is a non-blank string and no two are the same."""
    if pd.api.types.infer_dtype(values, skipna=False) != "string":
        return False
    text = values.astype(str).str.strip()
    return bool((text != "").all() and text.is_unique)


def _id_text(values: pd.Series) -> np.ndarray:
    """Ids as text: whole numbers without a decimal point (``3304557`` not ``3304557.0``),
    missing values as ``""``."""
    missing = values.isna().to_numpy()
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(dtype=float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        text = np.where(
            whole,
            np.round(np.where(whole, numbers, 0)).astype(np.int64).astype(str),
            numbers.astype(str),
        ).astype(object)
    else:
        text = values.astype(str).str.strip().to_numpy(dtype=object)
    text[missing] = ""
    return text


def _districts(
    region: RegionConfig, demand: DemandPoints, demand_lonlat: np.ndarray
) -> tuple[Districts, np.ndarray]:
    """Districts from the scenario's layer, or derived H3 cells, and each point's district."""
    polygons = demand.areas.geometry.iloc[demand.source_row]
    return build_districts(
        region.districts, polygons, demand.residents, crs=demand.crs, lonlat=demand_lonlat
    )


def build_districts(
    config: DistrictsConfig,
    features: gpd.GeoSeries,
    residents: np.ndarray,
    *,
    crs: str,
    lonlat: np.ndarray,
) -> tuple[Districts, np.ndarray]:
    """Districts of a ``districts`` section (its layer, or derived H3 cells) and the district
    of each population feature.

    Args:
        config: the section.
        features: each demand point's population feature (its area, when polygons, makes the
            populated area behind the urban flag).
        residents: residents per demand point.
        crs: a metric CRS for the features' areas.
        lonlat: ``(n, 2)`` WGS84 degrees of each demand point.
    """
    has_area = features.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    area_km2 = features.to_crs(crs).area.to_numpy() / 1e6 if has_area else None
    common = {
        "residents": residents,
        "area_km2": area_km2,
        "urban_min_residents_per_km2": config.urban_min_residents_per_km2,
    }
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    if config.path is None:
        return derive_h3_districts(lon, lat, resolution=config.derive_h3_resolution, **common)
    return read_district_layer(
        config.path,
        layer=config.layer,
        name_field=config.name_field,
        urban_field=config.urban_field,
        lon=lon,
        lat=lat,
        **common,
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


def read_places(region: RegionConfig) -> pd.DataFrame:
    """Points of interest with their scenario ``category`` ("" when uncategorised) and
    ``label``; none without a points-of-interest file.

    Raises:
        DataError: an unusable file, or ``point_of_interest_categories`` naming ids not in it.
    """
    if region.points_of_interest is None:
        return pd.DataFrame({"id": [], "lat": [], "lon": [], "category": [], "label": []})
    places = read_places_csv(region.points_of_interest)
    unknown = sorted(set(region.point_of_interest_categories) - set(places["id"]))
    if unknown:
        raise DataError(
            region.points_of_interest,
            f"point_of_interest_categories names places not in the file: {', '.join(unknown)}",
            field="id",
        )
    categories = places["id"].map(region.point_of_interest_categories).fillna("")
    return places.assign(category=categories, label=place_labels(places))


def place_labels(places: pd.DataFrame) -> pd.Series:
    """How a place is named to people: its ``name`` column when the file has one and the
    cell is not blank, else its id with spaces for underscores (``bus central station``)."""
    from_ids = places["id"].astype(str).str.replace("_", " ").str.strip()
    if "name" not in places.columns:
        return from_ids
    names = places["name"].fillna("").astype(str).str.strip()
    return names.where(names != "", from_ids)


def _candidates(
    parts: Sequence[RegionPart],
    network: RoadNetwork,
    demand: DemandPoints,
    demand_ids: np.ndarray,
    demand_part: np.ndarray,
    places: pd.DataFrame,
) -> CandidateSites:
    """Existing stations, places, the files, demand nodes and the grid, snapped, in that order;
    each part's ids after its prefix (a grid point takes its nearest demand point's)."""
    region, config = parts[0].region, parts[0].siting.candidates
    tables = []
    for index, part in enumerate(parts):
        if part.siting.existing_stations is not None:
            existing = read_places_csv(part.siting.existing_stations.path)
            tables.append(existing.assign(source="existing", part=index))
    if config.points_of_interest:
        tables.append(places.assign(source="place"))
    for index, part in enumerate(parts):
        if part.siting.candidates.path is not None:
            extra = read_places_csv(part.siting.candidates.path)
            tables.append(extra.assign(source="file", part=index))
    if config.demand_points:
        tables.append(_demand_places(network, demand, demand_ids, demand_part))
    if config.grid_spacing_meters is not None:
        grid = grid_places(
            network,
            demand.x_meters,
            demand.y_meters,
            demand.residents,
            spacing_meters=config.grid_spacing_meters,
        )
        x_meters, y_meters = network.project(grid["lon"].to_numpy(), grid["lat"].to_numpy())
        _, nearest = cKDTree(np.column_stack([demand.x_meters, demand.y_meters])).query(
            np.column_stack([x_meters, y_meters])
        )
        tables.append(grid.assign(part=demand_part[nearest] if len(grid) else 0))
    if not tables:
        raise DataError(
            "siting.candidates", "no candidate sites: enable the grid, places or a file"
        )
    columns = ["id", "source", "lon", "lat"]
    all_places = pd.concat([table[[*columns, "part"]] for table in tables], ignore_index=True)
    prefixes = np.array([part.prefix for part in parts], dtype=object)
    all_places["id"] = prefixes[all_places["part"].to_numpy(dtype=int)] + all_places["id"].astype(
        str
    )
    return snap_candidates(network, all_places[columns], max_snap_meters=region.max_snap_meters)


def _demand_places(
    network: RoadNetwork, demand: DemandPoints, demand_ids: np.ndarray, demand_part: np.ndarray
) -> pd.DataFrame:
    """The road node nearest each snapped demand point, as places (``id`` demand-<its id>,
    ``part`` its part)."""
    snapped = ~demand.unsnapped
    nodes = demand.node_index[snapped]
    lon, lat = network.lonlat_of(network.x_meters[nodes], network.y_meters[nodes])
    ids = [f"demand-{demand_id}" for demand_id in demand_ids[snapped]]
    return pd.DataFrame(
        {"id": ids, "source": "demand", "lon": lon, "lat": lat, "part": demand_part[snapped]}
    )


def places_of_category(
    places: pd.DataFrame, rule: TypedPostRule, region: RegionConfig
) -> pd.DataFrame:
    """The places (``read_places``) a typed-post rule serves: those of its category.

    Raises:
        DataError: no place has the rule's category.
    """
    chosen = places[places["category"] == rule.category]
    if chosen.empty:
        raise DataError(
            region.points_of_interest or "region.points_of_interest",
            f"typed post {rule.post_type!r} needs places of category {rule.category!r}; "
            "none are categorised so in region.point_of_interest_categories",
            field="category",
        )
    return chosen


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
        chosen = places_of_category(places, rule, region)
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
