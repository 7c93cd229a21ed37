"""The interactive HTML map of a rounds plan: one self-contained page (``leaflet_page``).

Overlays (switchable), bottom to top: the extract's roads; one overlay of route lines per day,
each day in its colour, following the roads from the station through the stops and back; the
places coloured by status, those visited or unreachable named at all times; the stations. A
route's popup gives its vehicle, station, stops in order, driving, shift and breaks; a place's
its residents, status and the reason it is not visited.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

from optimizer.export.layers import Layers
from optimizer.export.leaflet_page import (
    legend_item,
    overlay,
    road_legend_items,
    roads_overlays,
    write_leaflet_page,
)
from optimizer.export.rounds_layers import ROUNDS
from optimizer.export.rounds_style import (
    NAMED,
    ROUTE_WIDTH_PIXELS,
    STATION_COLOUR,
    day_colour,
    day_label,
    place_colours,
    place_legend,
    rounds_summary,
    route_days,
    stop_sequences,
)

PLACE_RADIUS = 6
"""Radius of a place's circle, in pixels."""


def write_rounds_html_map(
    layers: Layers, path: str | Path, *, tiles_url: str | None = None, title: str, credit: str
) -> Path:
    """Write the rounds plan as one self-contained interactive HTML page.

    Args:
        layers: layers that ``validate_layers`` accepts for ``ROUNDS``.
        path: the HTML file to write (replaced atomically).
        tiles_url: an XYZ tile URL template for a base map; ``None`` (default) draws no base
            map and needs no network.
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
        ROUNDS,
        title=title,
        summary=rounds_summary,
        overlays=_overlays,
        legend_html=_legend_html,
        tiles_url=tiles_url,
        credit=credit,
    )


def _overlays(layers: Layers) -> list[dict[str, object]]:
    """The roads, each day's routes, the places and the stations."""
    places, stations = layers["rounds_places"], layers["rounds_stations"]
    routes = layers["routes"].assign(sequence=stop_sequences(layers))
    days = [
        overlay(
            day_routes,
            f"routes-day-{day}",
            day_label(day, day_routes),
            {"color": day_colour(day), "weight": ROUTE_WIDTH_PIXELS, "opacity": 0.85},
            _route_popups,
        )
        for day, day_routes in route_days(routes)
    ]
    return [
        *roads_overlays(layers),
        *days,
        overlay(
            places,
            "places",
            "Places",
            {"radius": PLACE_RADIUS, "color": "#222", "weight": 1, "fillOpacity": 0.9},
            _place_popups,
            colours=place_colours(places),
            extra={
                "label": places["name"].to_numpy(),
                "label_permanent": places["status"].isin(NAMED).to_numpy(),
            },
        ),
        overlay(
            stations,
            "stations",
            "Stations",
            {},
            _station_popups,
            colours=np.full(len(stations), STATION_COLOUR, dtype=object),
            extra={
                "title": stations["id"].to_numpy(),
                "status": np.full(len(stations), "depot", dtype=object),
            },
        ),
    ]


def _route_popups(routes: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["day, vehicle", f"{row.day}, {row.vehicle}"],
            ["station", row.station],
            ["stops", f"{row.stops}: {row.sequence}"],
            ["driving", f"{row.driving_minutes:.0f} min"],
            ["shift", f"{row.shift_minutes:.0f} min"],
            ["breaks", str(row.breaks)],
        ]
        for row in routes.itertuples()
    ]


def _place_popups(places: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["place", f"{row.name} ({row.id})"],
            ["residents", f"{row.residents:,.0f}"],
            ["status", row.status],
            *([["why", row.reason]] if row.reason else []),
        ]
        for row in places.itertuples()
    ]


def _station_popups(stations: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [[["station", row.id], ["vehicles", str(row.vehicles)]] for row in stations.itertuples()]


def _legend_html(layers: Layers) -> str:
    """The legend: each day's routes, the place statuses present, the stations, the roads."""
    routes = [
        ("line", f"color:{day_colour(day)};border-top-width:3px", day_label(day, day_routes))
        for day, day_routes in route_days(layers["routes"])
    ]
    places = [
        ("circle", f"background:{style.colour}", style.label)
        for style in place_legend(layers["rounds_places"])
    ]
    stations = [("", f"background:{STATION_COLOUR}", "station (vehicles start and end)")]
    return (
        "<h2>Routes</h2>"
        + "".join(map(legend_item, routes))
        + "<h2>Places</h2>"
        + "".join(map(legend_item, places + stations + road_legend_items(layers)))
    )
