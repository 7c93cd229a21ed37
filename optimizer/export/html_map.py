"""The interactive HTML map of a plan: one self-contained page built on Leaflet.

Leaflet 1.9.4 (BSD-2-Clause, vendored under ``static/leaflet/``), its images, the page's own
script and styles, and the plan's features are all embedded in the page, so it renders with no
network. Base tiles are drawn only when a tile URL is given; without them the plan's own
``roads`` layer (the major roads of the scenario's OSM extract) gives the map its bearings.
Overlays (switchable): demand cells coloured by minutes to the nearest station, blind spots,
roads, each station's area, the union of the areas, districts, and stations coloured by post
type (squares existing, circles new), named on hover. Every feature has a popup. Each station's
own area is switched off at first in plans of more than 30 stations.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path
from string import Template

import geopandas as gpd
import numpy as np
import shapely

from optimizer.export.layers import Layers, in_metres, validate_layers
from optimizer.export.staging import staged
from optimizer.export.style import (
    BLIND_SPOT_COLOUR,
    DATA_ATTRIBUTION,
    DISTRICT_COLOUR,
    ROAD_COLOUR,
    SERVICE_AREA_COLOUR,
    STATION_STYLES,
    UNCOVERED_COLOUR,
    coverage_summary,
    cutoff_minutes,
    minute_classes,
    minute_colours,
    post_type_words,
    road_widths,
    station_category,
    station_legend,
)

STATIC = files("optimizer.export") / "static"

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>$title</title>
<style>$leaflet_css</style>
<style>$map_css</style>
</head>
<body>
<header><h1>$title</h1><p>$summary</p></header>
<div id="map"></div>
<script id="svcplan-data" type="application/json">$data</script>
<script>$leaflet_js</script>
<script>$map_js</script>
</body>
</html>
""")

DISPLAY_TOLERANCE_METERS = 5.0
"""Outlines are simplified within this distance: under a pixel up to street zoom (16), and the
Porto Alegre page shrinks from 4.1 to 2.7 MB (the GeoPackage keeps full detail)."""
COORDINATE_DECIMALS = 5
"""Decimals of the degrees written in the page (10⁻⁵° is about 1 m)."""

STATION_AREAS_SHOWN_UP_TO = 30
"""Each station's own area is drawn at first only in plans of at most this many stations; in
larger plans the outlines hide the map, and the layer switcher turns them on."""

PopupRows = Callable[[gpd.GeoDataFrame], list[list[list[str]]]]
"""Popup rows (label, value) of every feature of a layer."""


def write_html_map(
    layers: Layers,
    path: str | Path,
    *,
    tiles_url: str | None = None,
    title: str,
) -> Path:
    """Write the plan as one self-contained interactive HTML page.

    Args:
        layers: a plan that ``validate_layers`` accepts.
        path: the HTML file to write (replaced atomically).
        tiles_url: an XYZ tile URL template such as ``https://tile.openstreetmap.org/{z}/{x}/{y}.png``
            for a base map; ``None`` (default) draws no base map and needs no network.
        title: the page's and the map's title.

    Returns:
        ``path``.

    Raises:
        DataError: layers that break the contract (nothing is written).
    """
    validate_layers(layers)
    in_degrees = _for_display(layers)
    plan = {
        "attribution": DATA_ATTRIBUTION,
        "tiles_url": tiles_url,
        "bounds": _bounds(in_degrees),
        "legend_html": _legend_html(layers),
        "overlays": _overlays(in_degrees, cutoff_minutes(layers)),
    }
    page = PAGE.substitute(
        title=html.escape(title),
        summary=html.escape(coverage_summary(layers)),
        data=_script_safe(json.dumps(plan, ensure_ascii=False, separators=(",", ":"))),
        leaflet_css=_leaflet_css(),
        map_css=(STATIC / "map.css").read_text(encoding="utf-8"),
        leaflet_js=_without_source_map((STATIC / "leaflet" / "leaflet.js").read_text("utf-8")),
        map_js=(STATIC / "map.js").read_text(encoding="utf-8"),
    )
    path = Path(path)
    with staged([path]) as (temporary,):
        temporary.write_text(page, encoding="utf-8")
    return path


def _for_display(layers: Layers) -> dict[str, gpd.GeoDataFrame]:
    """The layers in EPSG:4326, simplified and rounded for a smaller page."""
    displayed = {}
    for name, frame in in_metres(layers).items():
        simplified = frame.geometry.simplify(DISPLAY_TOLERANCE_METERS).to_crs(4326)
        rounded = shapely.transform(
            simplified.to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS)
        )
        displayed[name] = frame.set_geometry(gpd.GeoSeries(rounded, index=frame.index, crs=4326))
    return displayed


def _overlays(layers: Layers, cutoff: float) -> list[dict[str, object]]:
    """The switchable overlays, bottom to top, each with its features, style and popups."""
    areas = layers["service_areas"]
    demand = layers["demand"]
    stations = layers["stations"]
    categories = stations["post_types"].map(station_category)
    roads = layers.get("roads")
    return [
        _overlay(
            demand,
            "demand",
            f"Demand: minutes to nearest station (cutoff {cutoff:g})",
            {"stroke": False, "fillOpacity": 0.7},
            _demand_popups(cutoff),
            colours=minute_colours(demand["minutes_to_nearest"], cutoff),
        ),
        _overlay(
            layers["blind_spots"],
            "blind-spots",
            "Blind spots",
            {"stroke": False, "fillColor": BLIND_SPOT_COLOUR, "fillOpacity": 0.65},
            _blind_spot_popups,
        ),
        *(
            []
            if roads is None or roads.empty
            else [
                _overlay(
                    roads,
                    "roads",
                    "Roads (OpenStreetMap)",
                    {"color": ROAD_COLOUR, "opacity": 0.55},
                    _road_popups,
                    extra={"weight": road_widths(roads["highway"])},
                )
            ]
        ),
        _overlay(
            areas[areas["kind"] == "station"],
            "station-areas",
            "Station areas",
            {"color": SERVICE_AREA_COLOUR, "weight": 1, "opacity": 0.6, "fill": False},
            _area_popups,
            shown=len(stations) <= STATION_AREAS_SHOWN_UP_TO,
        ),
        _overlay(
            areas[areas["kind"] == "union"],
            "union-area",
            f"Area within {cutoff:g} min (union)",
            {"color": SERVICE_AREA_COLOUR, "weight": 1.5, "fill": False},
            _area_popups,
        ),
        _overlay(
            layers["districts"],
            "districts",
            "Districts",
            {"color": DISTRICT_COLOUR, "weight": 1.2, "fill": False},
            _district_popups,
        ),
        _overlay(
            stations,
            "stations",
            "Stations",
            {},
            _station_popups,
            colours=categories.map(lambda category: STATION_STYLES[category].colour).to_numpy(),
            extra={
                "status": stations["status"].to_numpy(),
                "title": stations["name"].to_numpy(),
            },
        ),
    ]


def _overlay(
    frame: gpd.GeoDataFrame,
    key: str,
    label: str,
    style: dict[str, object],
    popups: PopupRows,
    *,
    colours: np.ndarray | None = None,
    extra: Mapping[str, np.ndarray] | None = None,
    shown: bool = True,
) -> dict[str, object]:
    """One overlay: its key (CSS class ``svcplan-<key>``), switcher label, style and features;
    ``shown`` says whether it is switched on when the page opens."""
    properties: dict[str, object] = {"popup": popups(frame), **(extra or {})}
    if colours is not None:
        properties["colour"] = colours
    rows = [
        {name: _plain(values[index]) for name, values in properties.items()}
        for index in range(len(frame))
    ]
    geometries = shapely.to_geojson(frame.geometry.to_numpy())
    features = [
        {"type": "Feature", "geometry": json.loads(geometry), "properties": row}
        for geometry, row in zip(geometries, rows, strict=True)
    ]
    return {
        "key": key,
        "label": label,
        "class_name": f"svcplan-{key}",
        "shown": shown,
        "style": style,
        "features": {"type": "FeatureCollection", "features": features},
    }


def _plain(value: object) -> object:
    """A numpy scalar as the Python value ``json`` can write."""
    return value.item() if isinstance(value, np.generic) else value


def _station_popups(stations: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["station", name],
            ["id", station_id],
            ["type", post_type_words(post_types)],
            *([["serves", serves.replace(",", ", ")]] if serves else []),
            ["status", status],
            ["residents served", f"{residents:,}"],
            ["district", district],
        ]
        for name, station_id, post_types, serves, status, residents, district in zip(
            stations["name"],
            stations["station_id"],
            stations["post_types"],
            stations["serves"],
            stations["status"],
            stations["residents_served"],
            stations["district"],
            strict=True,
        )
    ]


def _road_popups(roads: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [["road", name or "(unnamed)"], ["class", highway]]
        for name, highway in zip(roads["name"], roads["highway"], strict=True)
    ]


def _demand_popups(cutoff: float) -> PopupRows:
    def popups(demand: gpd.GeoDataFrame) -> list[list[list[str]]]:
        return [
            [
                ["demand cell", demand_id],
                ["residents", f"{residents:,.0f}"],
                [
                    "minutes to nearest station",
                    f"{minutes:.1f}" if np.isfinite(minutes) else f"beyond {cutoff:g}",
                ],
                ["district", district],
            ]
            for demand_id, residents, minutes, district in zip(
                demand["demand_id"],
                demand["residents"],
                demand["minutes_to_nearest"],
                demand["district"],
                strict=True,
            )
        ]

    return popups


def _blind_spot_popups(blind_spots: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [["blind spot", demand_id], ["residents", f"{residents:,.0f}"]]
        for demand_id, residents in zip(
            blind_spots["demand_id"], blind_spots["residents"], strict=True
        )
    ]


def _area_popups(areas: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [["station", station_id], ["reachable within", f"{minutes:g} min"]]
        for station_id, minutes in zip(areas["station_id"], areas["minutes"], strict=True)
    ]


def _district_popups(districts: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["district", district],
            ["residents", f"{residents:,.0f}"],
            ["urban", "yes" if urban else "no"],
            ["stations", f"{stations} ({required} required)"],
            ["density rule met", "yes" if compliant else "no"],
        ]
        for district, residents, urban, stations, required, compliant in zip(
            districts["district"],
            districts["residents"],
            districts["urban"],
            districts["stations"],
            districts["required_stations"],
            districts["compliant"],
            strict=True,
        )
    ]


def _legend_html(layers: Layers) -> str:
    """The legend: station types present, statuses, minutes classes, areas, blind spots,
    districts and roads."""
    cutoff = cutoff_minutes(layers)
    styles, statuses = station_legend(layers["stations"])
    station_items = [("circle", f"background:{style.colour}", style.label) for style in styles]
    status_items = [
        ("circle" if status == "new" else "", "border:2px solid #222", label)
        for status, label in statuses.items()
    ]
    area_items = [
        ("", f"background:{colour}", f"residents {label} away")
        for _, label, colour in minute_classes(cutoff)
    ]
    area_items += [
        ("", f"background:{UNCOVERED_COLOUR}", f"beyond {cutoff:g} min"),
        ("", f"background:{BLIND_SPOT_COLOUR};opacity:.65", "blind spot (residents beyond reach)"),
        ("line", f"color:{SERVICE_AREA_COLOUR}", f"area within {cutoff:g} min"),
        ("", f"border:1.5px solid {DISTRICT_COLOUR}", "district"),
    ]
    if "roads" in layers and not layers["roads"].empty:
        area_items.append(("line", f"color:{ROAD_COLOUR}", "road (OpenStreetMap)"))
    return "".join(
        [
            "<h2>Stations</h2>",
            *map(_legend_item, station_items + status_items),
            "<h2>Access</h2>",
            *map(_legend_item, area_items),
        ]
    )


def _legend_item(item: tuple[str, str, str]) -> str:
    shape, css, label = item
    return f'<div><i class="{shape}" style="{css}"></i>{html.escape(label)}</div>'


def _bounds(layers: Layers) -> list[float]:
    """``[west, south, east, north]`` in degrees of all non-empty layers."""
    boxes = np.array([frame.total_bounds for frame in layers.values() if not frame.empty])
    return [*boxes[:, :2].min(axis=0).tolist(), *boxes[:, 2:].max(axis=0).tolist()]


def _leaflet_css() -> str:
    """Leaflet's CSS with its images inlined as data URIs (a page that loads no files)."""
    css = (STATIC / "leaflet" / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        image = (STATIC / "leaflet" / "images" / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", inline, css)


def _without_source_map(script: str) -> str:
    """``script`` without its ``sourceMappingURL`` comment (the map file is not shipped)."""
    return re.sub(r"^//# sourceMappingURL=.*$", "", script, flags=re.MULTILINE)


def _script_safe(document: str) -> str:
    """JSON that cannot close its ``<script>`` element early (``<`` written as ``\\u003c``)."""
    return document.replace("<", "\\u003c")
