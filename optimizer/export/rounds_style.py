"""How the rounds maps draw a rounds plan: place colours by status, a colour per day for the
routes, the stations, the names shown at all times and the summary line, shared by the HTML
and PNG maps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from optimizer.export.layers import Layers
from optimizer.export.style import BLIND_SPOT_COLOUR, SymbolStyle

PLACE_STYLES: dict[str, SymbolStyle] = {
    "visited": SymbolStyle("visited by the rounds", "#2b8cbe"),
    "covered": SymbolStyle("covered by a station", "#bdbdbd"),
    "urban": SymbolStyle("in an urban district: left to the stations", "#969696"),
    "unreachable": SymbolStyle("unreachable: off the drivable roads", BLIND_SPOT_COLOUR),
    "beyond_shift": SymbolStyle("unreachable: beyond a shift", "#fd8d3c"),
}
"""A place's ``status`` → style, in legend order."""

NAMED = ("visited", "unreachable", "beyond_shift")
"""Statuses whose places are named on the maps at all times."""

DAY_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
"""Route colour of day 1, 2, ... (ColorBrewer Dark2), repeating after the seventh day."""

STATION_COLOUR = "#111111"
ROUTE_WIDTH_PIXELS = 4.0


def day_colour(day: int) -> str:
    """The route colour of ``day`` (1-based)."""
    return DAY_COLOURS[(day - 1) % len(DAY_COLOURS)]


def route_days(routes: gpd.GeoDataFrame) -> list[tuple[int, gpd.GeoDataFrame]]:
    """(day, that day's routes) of every day with routes, in order."""
    return [(int(day), frame) for day, frame in routes.groupby("day", sort=True)]


def day_label(day: int, routes: gpd.GeoDataFrame) -> str:
    """A day's legend line, e.g. ``"day 2: 3 vehicles, 4.1 h driven"``."""
    vehicles = len(routes)
    hours = routes["driving_minutes"].sum() / 60
    return f"day {day}: {vehicles} vehicle{'s' * (vehicles != 1)}, {hours:.1f} h driven"


def place_colours(places: gpd.GeoDataFrame) -> np.ndarray:
    """(n,) fill colour of each place from its status."""
    return np.array([PLACE_STYLES[status].colour for status in places["status"]], dtype=object)


def place_legend(places: gpd.GeoDataFrame) -> list[SymbolStyle]:
    """The styles of the statuses present, in legend order."""
    present = set(places["status"])
    return [style for status, style in PLACE_STYLES.items() if status in present]


def stop_sequences(layers: Layers) -> list[str]:
    """Per route (in the ``routes`` layer's order) its stops in order, e.g. ``"Steg → Malbun"``."""
    stops = layers["stops"].sort_values(["day", "vehicle", "order"])
    names = stops.groupby(["day", "vehicle"])["place"].agg(" → ".join)
    routes = layers["routes"]
    keys = zip(routes["day"], routes["vehicle"], strict=True)
    return [names.get((day, vehicle), "") for day, vehicle in keys]


def rounds_summary(layers: Layers) -> str:
    """One line for a map's subtitle, e.g. ``"12 places visited · 15 stops · fleet 3 · 9.4 h
    driven · 4 unreachable (120 residents)"``."""
    places, routes = layers["rounds_places"], layers["routes"]
    visited = int((places["status"] == "visited").sum())
    left_out = places[places["status"].isin(["unreachable", "beyond_shift"])]
    fleet = int(routes["day"].value_counts().max()) if len(routes) else 0
    hours = routes["driving_minutes"].sum() / 60
    return (
        f"{visited} places visited · {len(layers['stops'])} stops · fleet {fleet} · "
        f"{hours:.1f} h driven · {len(left_out)} unreachable "
        f"({left_out['residents'].sum():,.0f} residents)"
    )
