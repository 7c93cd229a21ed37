"""The interactive HTML map of a siting plan: one self-contained page (``leaflet_page``).

Overlays (switchable): demand cells coloured by minutes to the nearest station, blind spots,
roads, each station's area, the union of the areas, districts, and stations coloured by post
type (squares existing, circles new), named on hover. Every feature has a popup. Each station's
own area is switched off at first in plans of more than 30 stations.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from optimizer.export.layers import PLAN, Layers
from optimizer.export.leaflet_page import (
    PopupRows,
    legend_item,
    overlay,
    road_legend_items,
    roads_overlays,
    write_leaflet_page,
)
from optimizer.export.style import (
    BLIND_SPOT_COLOUR,
    DISTRICT_COLOUR,
    SERVICE_AREA_COLOUR,
    STATION_STYLES,
    UNCOVERED_COLOUR,
    coverage_summary,
    cutoff_minutes,
    minute_classes,
    minute_colours,
    post_type_words,
    station_category,
    station_legend,
)

STATION_AREAS_SHOWN_UP_TO = 30
"""Each station's own area is drawn at first only in plans of at most this many stations; in
larger plans the outlines hide the map, and the layer switcher turns them on."""


def write_html_map(
    layers: Layers, path: str | Path, *, tiles_url: str | None = None, title: str, credit: str
) -> Path:
    """Write the plan as one self-contained interactive HTML page.

    Args:
        layers: a plan that ``validate_layers`` accepts.
        path: the HTML file to write (replaced atomically).
        tiles_url: an XYZ tile URL template such as ``https://tile.openstreetmap.org/{z}/{x}/{y}.png``
            for a base map; ``None`` (default) draws no base map and needs no network.
        title: the page's and the map's title.
        credit: the data credit in the map's corner (``style.map_credit``).

    Returns:
        ``path``.

    Raises:
        DataError: layers that break the contract (nothing is written).
    """
    return write_leaflet_page(
        layers,
        path,
        PLAN,
        title=title,
        summary=coverage_summary,
        overlays=lambda displayed: _overlays(displayed, cutoff_minutes(layers)),
        legend_html=_legend_html,
        tiles_url=tiles_url,
        credit=credit,
    )


def _overlays(layers: Layers, cutoff: float) -> list[dict[str, object]]:
    """The switchable overlays, bottom to top, each with its features, style and popups."""
    areas = layers["service_areas"]
    demand = layers["demand"]
    stations = layers["stations"]
    categories = stations["post_types"].map(station_category)
    return [
        overlay(
            demand,
            "demand",
            f"Demand: minutes to nearest station (cutoff {cutoff:g})",
            {"stroke": False, "fillOpacity": 0.7},
            _demand_popups(cutoff),
            colours=minute_colours(demand["minutes_to_nearest"], cutoff),
        ),
        overlay(
            layers["blind_spots"],
            "blind-spots",
            "Blind spots",
            {"stroke": False, "fillColor": BLIND_SPOT_COLOUR, "fillOpacity": 0.65},
            _blind_spot_popups,
        ),
        *roads_overlays(layers),
        overlay(
            areas[areas["kind"] == "station"],
            "station-areas",
            "Station areas",
            {"color": SERVICE_AREA_COLOUR, "weight": 1, "opacity": 0.6, "fill": False},
            _area_popups,
            shown=len(stations) <= STATION_AREAS_SHOWN_UP_TO,
        ),
        overlay(
            areas[areas["kind"] == "union"],
            "union-area",
            f"Area within {cutoff:g} min (union)",
            {"color": SERVICE_AREA_COLOUR, "weight": 1.5, "fill": False},
            _area_popups,
        ),
        overlay(
            layers["districts"],
            "districts",
            "Districts",
            {"color": DISTRICT_COLOUR, "weight": 1.2, "fill": False},
            _district_popups,
        ),
        overlay(
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
    area_items += road_legend_items(layers)
    return "".join(
        [
            "<h2>Stations</h2>",
            *map(legend_item, station_items + status_items),
            "<h2>Access</h2>",
            *map(legend_item, area_items),
        ]
    )
