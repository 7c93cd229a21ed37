"""One self-contained interactive map page built on Leaflet: what every HTML map shares.

Leaflet 1.9.4 (BSD-2-Clause, vendored under ``static/leaflet/``), its images, the page's own
script (``static/map.js``) and styles, and the features are all embedded in the page, so it
renders with no network. Base tiles are drawn only when a tile URL is given; without them the
``roads`` layer (the major roads of the scenario's OSM extract) gives the map its bearings.

A map is a list of overlays (``overlay``), bottom to top, each switchable, every feature with a
popup table. A feature's properties may also say its fill ``colour``, its line ``weight``, a
``title`` (a station marker's hover text) and a ``label`` (a tooltip, shown at all times when
``label_permanent``). The siting map (``html_map``) and the dispatch
map (``dispatch_html_map``) choose their overlays and legend; this module writes the page.
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

from optimizer.export.layers import Layers, LayerSet, in_metres, validate_layers
from optimizer.export.staging import staged
from optimizer.export.style import ROAD_COLOUR, road_widths

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

PopupRows = Callable[[gpd.GeoDataFrame], list[list[list[str]]]]
"""Popup rows (label, value) of every feature of a layer."""

LegendItem = tuple[str, str, str]
"""A legend line: the symbol's shape class (``""``, ``circle`` or ``line``), its CSS, its
label."""


def write_leaflet_page(
    layers: Layers,
    path: str | Path,
    layer_set: LayerSet,
    *,
    title: str,
    summary: Callable[[Layers], str],
    overlays: Callable[[Layers], list[dict[str, object]]],
    legend_html: Callable[[Layers], str],
    tiles_url: str | None,
    credit: str,
) -> Path:
    """Write ``layers`` as one interactive map page, once they keep ``layer_set``'s contract.

    Args:
        layers: the layers to draw.
        path: the HTML file to write (replaced atomically).
        layer_set: the contract ``layers`` must keep.
        title: the page's and the map's title.
        summary: the line under the title, from the layers.
        overlays: the switchable overlays, bottom to top (``overlay``), from the layers in
            degrees (``for_display``); the map opens on their bounds.
        legend_html: the legend's HTML (``legend_item`` lines under ``<h2>`` headings), from
            the layers.
        tiles_url: an XYZ tile URL template for a base map; ``None`` draws none and needs no
            network.
        credit: the data credit shown in the map's corner (``style.map_credit``).

    Returns:
        ``path``.

    Raises:
        DataError: layers that break the contract (nothing is written).
    """
    validate_layers(layers, layer_set=layer_set)
    displayed = for_display(layers, layer_set)
    document = {
        "attribution": credit,
        "tiles_url": tiles_url,
        "bounds": _bounds(displayed),
        "legend_html": legend_html(layers),
        "overlays": overlays(displayed),
    }
    page = PAGE.substitute(
        title=html.escape(title),
        summary=html.escape(summary(layers)),
        data=_script_safe(json.dumps(document, ensure_ascii=False, separators=(",", ":"))),
        leaflet_css=_leaflet_css(),
        map_css=(STATIC / "map.css").read_text(encoding="utf-8"),
        leaflet_js=_without_source_map((STATIC / "leaflet" / "leaflet.js").read_text("utf-8")),
        map_js=(STATIC / "map.js").read_text(encoding="utf-8"),
    )
    path = Path(path)
    with staged([path]) as (temporary,):
        temporary.write_text(page, encoding="utf-8")
    return path


def for_display(layers: Layers, layer_set: LayerSet) -> dict[str, gpd.GeoDataFrame]:
    """The layers in EPSG:4326, simplified (in metres) and rounded for a smaller page."""
    displayed = {}
    for name, frame in in_metres(layers, layer_set).items():
        simplified = frame.geometry.simplify(DISPLAY_TOLERANCE_METERS).to_crs(4326)
        rounded = shapely.transform(
            simplified.to_numpy(), lambda xy: np.round(xy, COORDINATE_DECIMALS)
        )
        displayed[name] = frame.set_geometry(gpd.GeoSeries(rounded, index=frame.index, crs=4326))
    return displayed


def overlay(
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
    """One overlay: its key (CSS class ``svcplan-<key>``), switcher label, Leaflet style and
    features; ``colours`` are the features' fill colours, ``extra`` further per-feature
    properties (module docstring); ``shown`` says whether it is on when the page opens."""
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


def roads_overlays(layers: Layers) -> list[dict[str, object]]:
    """The ``roads`` overlay, each road as wide as its class; none without roads."""
    roads = layers.get("roads")
    if roads is None or roads.empty:
        return []
    return [
        overlay(
            roads,
            "roads",
            "Roads (OpenStreetMap)",
            {"color": ROAD_COLOUR, "opacity": 0.55},
            _road_popups,
            extra={"weight": road_widths(roads["highway"])},
        )
    ]


def road_legend_items(layers: Layers) -> list[LegendItem]:
    """The roads' legend line, when the map draws roads."""
    if "roads" in layers and not layers["roads"].empty:
        return [("line", f"color:{ROAD_COLOUR}", "road (OpenStreetMap)")]
    return []


def legend_item(item: LegendItem) -> str:
    """One legend line as HTML: its symbol and its (escaped) label."""
    shape, css, label = item
    return f'<div><i class="{shape}" style="{css}"></i>{html.escape(label)}</div>'


def legend_note(text: str) -> str:
    """A legend line of (escaped) text without a symbol."""
    return f"<div>{html.escape(text)}</div>"


def _road_popups(roads: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [["road", name or "(unnamed)"], ["class", highway]]
        for name, highway in zip(roads["name"], roads["highway"], strict=True)
    ]


def _plain(value: object) -> object:
    """A numpy scalar as the Python value ``json`` can write."""
    return value.item() if isinstance(value, np.generic) else value


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
