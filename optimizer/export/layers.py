"""GIS layers as a contract: names, attributes, types and units, in one place.

Layers reach the exporters as a mapping of layer name → GeoDataFrame. Every layer has a CRS
(a projected UTM CRS or EPSG:4326); the attributes of its ``Layer`` are required, extra ones
are kept. A ``LayerSet`` is the layers written and drawn together: ``PLAN``, the siting plan's
below (the five plan layers are required; the ``roads`` layer, the map's context from the
scenario's OSM extract, is written and drawn when present, so plans made before it still
export), and the dispatch plan's (``export.dispatch_layers``). ``validate_layers`` checks
layers against their set and ``layers_markdown`` renders a set as the README's tables, so the
code and the documentation cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import pandas as pd

from optimizer.errors import DataError

Layers = Mapping[str, gpd.GeoDataFrame]
"""A plan: layer name → GeoDataFrame, as described by ``LAYERS``."""

Kind = Literal["str", "int", "float", "bool"]

POINT = ("Point", "MultiPoint")
POLYGON = ("Polygon", "MultiPolygon")
LINE = ("LineString", "MultiLineString")


@dataclass(frozen=True)
class Attribute:
    """One required attribute of a layer.

    Attributes:
        name: the column name.
        kind: ``str``, ``int``, ``float`` or ``bool``.
        unit: the unit of the values, or ``""`` when they have none.
        meaning: one sentence for the documentation.
        allowed: the only values allowed, when the attribute is a category.
    """

    name: str
    kind: Kind
    unit: str
    meaning: str
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layer:
    """One layer of the plan: its geometry types and required attributes; ``required``
    says whether every plan has it (an optional layer is checked only when present)."""

    name: str
    geometry_types: tuple[str, ...]
    meaning: str
    attributes: tuple[Attribute, ...]
    required: bool = True


STATIONS = Layer(
    "stations",
    POINT,
    "Service stations of the plan, existing and new.",
    (
        Attribute("station_id", "str", "", "Station identifier."),
        Attribute(
            "name",
            "str",
            "",
            "Where the station is, in words: the nearest named street of the OSM extract (with"
            " the nearest other street when two stations would share a name), the point of"
            " interest it stands at, or else the nearest named place.",
        ),
        Attribute(
            "post_types",
            "str",
            "",
            'Typed posts at the station, comma-separated (e.g. "self_service_24h,multilingual");'
            ' "" for a comprehensive station without typed posts.',
        ),
        Attribute(
            "status",
            "str",
            "",
            "Whether the station exists already or is new.",
            ("existing", "new"),
        ),
        Attribute(
            "serves",
            "str",
            "",
            "Points of interest its typed posts serve (ids in the points-of-interest file),"
            ' comma-separated; "" without typed posts.',
        ),
        Attribute("residents_served", "int", "residents", "Residents assigned to the station."),
        Attribute("district", "str", "", "District the station lies in."),
    ),
)

SERVICE_AREAS = Layer(
    "service_areas",
    POLYGON,
    "Areas reachable within the cutoff: one row per station and one row for their union.",
    (
        Attribute("station_id", "str", "", 'Station identifier; "ALL" on the union row.'),
        Attribute("minutes", "float", "minutes", "Travel-time cutoff of the area."),
        Attribute(
            "kind",
            "str",
            "",
            "One station's area or the union of all of them.",
            ("station", "union"),
        ),
    ),
)

DEMAND = Layer(
    "demand",
    POLYGON + POINT,
    "Population features (cells or points) and their access to the nearest station.",
    (
        Attribute(
            "demand_id",
            "str",
            "",
            "The feature's id in the population layer (`region.population.id_field`, e.g. the"
            " H3 cell id or census tract code; the 1-based feature number when the layer has no"
            " id field), so the layer joins back to it.",
        ),
        Attribute("residents", "float", "residents", "Residents of the feature."),
        Attribute(
            "minutes_to_nearest",
            "float",
            "minutes",
            "Travel time to the station serving it: the nearest, or with `density.as_capacity`"
            " the one serving most of its residents; empty (NaN) when not covered.",
        ),
        Attribute("covered", "bool", "", "Whether all its residents are served within the cutoff."),
        Attribute("district", "str", "", "District the feature lies in."),
    ),
)

BLIND_SPOTS = Layer(
    "blind_spots",
    POLYGON + POINT,
    "Populated features no station reaches within the cutoff.",
    (
        Attribute("demand_id", "str", "", "Demand feature identifier, as in `demand`."),
        Attribute("residents", "float", "residents", "Residents left uncovered."),
    ),
)

DISTRICTS = Layer(
    "districts",
    POLYGON,
    "Districts the density rule counts stations in.",
    (
        Attribute("district", "str", "", "District name (H3 cell id when derived)."),
        Attribute("residents", "float", "residents", "Residents of the district."),
        Attribute("urban", "bool", "", "Whether the density rule applies to the district."),
        Attribute("stations", "int", "stations", "Stations of the plan in the district."),
        Attribute(
            "required_stations", "int", "stations", "Stations the density rule requires there."
        ),
        Attribute("compliant", "bool", "", "Whether the district meets the density rule."),
    ),
)

ROADS = Layer(
    "roads",
    LINE,
    "Major roads of the scenario's OpenStreetMap extract (motorway to tertiary; the minor roads"
    " where it has none), drawn on the maps for bearings without a tile server; absent from"
    " plans made before svcplan drew them.",
    (
        Attribute("osm_id", "int", "", "The OpenStreetMap id of the way."),
        Attribute("name", "str", "", 'The road\'s name; "" when unnamed.'),
        Attribute("highway", "str", "", "Its OpenStreetMap `highway` class (e.g. `primary`)."),
    ),
    required=False,
)

LAYERS: dict[str, Layer] = {
    layer.name: layer for layer in (STATIONS, SERVICE_AREAS, DEMAND, BLIND_SPOTS, DISTRICTS, ROADS)
}
"""Every layer of a plan, in the order they are written."""


@dataclass(frozen=True)
class LayerSet:
    """Layers written and drawn together.

    Attributes:
        name: what the layers are of, in messages (``"plan"``).
        geopackage: the GeoPackage file that holds them all (``"plan.gpkg"``).
        layers: every layer of the set by name, in the order they are written.
        main: the point layer that must have features: the maps are drawn in its CRS (or its
            UTM zone), and the point-table format (``stations-csv``) writes it.
        map_only: layers the maps draw but the GIS files leave out.
    """

    name: str
    geopackage: str
    layers: Mapping[str, Layer]
    main: str
    map_only: tuple[str, ...] = ()


PLAN = LayerSet("plan", "plan.gpkg", LAYERS, STATIONS.name)
"""The siting plan's layers."""


def present_layers(layers: Layers, layer_set: LayerSet = PLAN) -> list[str]:
    """The names of the set's layers that ``layers`` holds, in the set's order (every
    required one, after ``validate_layers``; the optional ones when given)."""
    return [name for name in layer_set.layers if name in layers]


def written_layers(layers: Layers, layer_set: LayerSet = PLAN) -> list[str]:
    """The names of the layers the GIS files hold: those present but not ``map_only``."""
    return [name for name in present_layers(layers, layer_set) if name not in layer_set.map_only]


_KIND_CHECKS = {
    "str": lambda series: pd.api.types.infer_dtype(series, skipna=False) == "string",
    "int": pd.api.types.is_integer_dtype,
    "float": lambda series: (
        pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    ),
    "bool": pd.api.types.is_bool_dtype,
}


def validate_layers(
    layers: Layers | None, *, source: str | None = None, layer_set: LayerSet = PLAN
) -> None:
    """Check that ``layers`` holds every required layer of ``layer_set``, each following its
    contract.

    Args:
        layers: layer name → GeoDataFrame.
        source: what the layers came from (a path or a name), used in error messages;
            default: the set's name.
        layer_set: the contract (default: the siting plan's).

    Raises:
        DataError: no layers at all, a missing layer or attribute, an attribute of the wrong
            type or with a value outside its categories, a layer without a CRS, a geometry of
            the wrong type, or no features in the set's main layer (no stations).
    """
    source = layer_set.name if source is None else source
    if not layers:
        raise DataError(
            source, f"the {layer_set.name} has no layers (was the run empty or failed?)"
        )
    missing = [
        layer.name
        for layer in layer_set.layers.values()
        if layer.required and layer.name not in layers
    ]
    if missing:
        raise DataError(source, f"missing layer(s) {', '.join(missing)}", field="layers")
    for name in present_layers(layers, layer_set):
        _validate_layer(layers[name], layer_set.layers[name], source)
    if layers[layer_set.main].empty:
        raise DataError(
            source, f"the {layer_set.name} has no {layer_set.main}", field=layer_set.main
        )


def in_metres(layers: Layers, layer_set: LayerSet = PLAN) -> dict[str, gpd.GeoDataFrame]:
    """The layers in the CRS of the set's main layer when it is projected, else in that
    layer's UTM zone (metres)."""
    main = layers[layer_set.main]
    crs = main.crs if main.crs.is_projected else main.estimate_utm_crs()
    return {name: frame.to_crs(crs) for name, frame in layers.items()}


def _validate_layer(frame: gpd.GeoDataFrame, layer: Layer, source: str) -> None:
    """Check one layer's type, CRS, geometry types and attributes."""
    if not isinstance(frame, gpd.GeoDataFrame) or not _has_geometry(frame):
        raise DataError(source, "expected a GeoDataFrame with a geometry column", field=layer.name)
    if frame.crs is None:
        raise DataError(source, "no CRS set (expected a UTM CRS or EPSG:4326)", field=layer.name)
    geometry_types = set(frame.geom_type.dropna()) - set(layer.geometry_types)
    if geometry_types:
        raise DataError(
            source,
            f"geometry type(s) {', '.join(sorted(geometry_types))} not allowed "
            f"(expected {', '.join(layer.geometry_types)})",
            field=layer.name,
        )
    for attribute in layer.attributes:
        field = f"{layer.name}.{attribute.name}"
        if attribute.name not in frame:
            raise DataError(source, f"missing attribute ({attribute.meaning})", field=field)
        column = frame[attribute.name]
        if not frame.empty and not _KIND_CHECKS[attribute.kind](column):
            raise DataError(
                source, f"expected {attribute.kind} values, got {column.dtype}", field=field
            )
        if attribute.allowed:
            unexpected = sorted(set(column) - set(attribute.allowed))
            if unexpected:
                raise DataError(
                    source,
                    f"unexpected value(s) {', '.join(map(repr, unexpected))} "
                    f"(expected {', '.join(attribute.allowed)})",
                    field=field,
                )


def _has_geometry(frame: gpd.GeoDataFrame) -> bool:
    """Whether the frame has an active geometry column."""
    try:
        frame.geometry  # noqa: B018
    except AttributeError:
        return False
    return True


def layers_markdown(layer_set: LayerSet = PLAN, *, without: Collection[str] = ()) -> str:
    """A set's contract as Markdown: one table per layer (attribute, type, unit, meaning),
    leaving out the layers named in ``without`` (documented with another set)."""
    sections = []
    for layer in layer_set.layers.values():
        if layer.name in without:
            continue
        rows = [
            f"| `{attribute.name}` | {attribute.kind} | {attribute.unit or '—'} | "
            f"{attribute.meaning}{_allowed_words(attribute)} |"
            for attribute in layer.attributes
        ]
        sections.append(
            "\n".join(
                [
                    f"### `{layer.name}` ({' or '.join(_geometry_words(layer))}"
                    f"{'' if layer.required else ', optional'})",
                    "",
                    layer.meaning,
                    "",
                    "| attribute | type | unit | meaning |",
                    "|---|---|---|---|",
                    *rows,
                ]
            )
        )
    return "\n\n".join(sections) + "\n"


def _allowed_words(attribute: Attribute) -> str:
    """`` One of `a`, `b`.`` for a categorical attribute, else ``""``."""
    if not attribute.allowed:
        return ""
    return f" One of {', '.join(f'`{value}`' for value in attribute.allowed)}."


def _geometry_words(layer: Layer) -> list[str]:
    """``["polygons", "points"]`` and the like for a layer's geometry types."""
    words = {POINT: "points", POLYGON: "polygons", LINE: "lines"}
    return [word for types, word in words.items() if set(types) <= set(layer.geometry_types)]
