"""The static PNG map of a rounds plan (``png_figure`` draws the furniture and writes it).

Drawn in metres (the places' UTM zone): the extract's roads beneath; the route lines along the
roads, each day in its colour; the places coloured by status, those visited or unreachable
named beside their point; the stations as black squares.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from optimizer.export.layers import Layers
from optimizer.export.png_figure import (
    draw_points,
    draw_roads,
    label_points,
    legend_text,
    road_handles,
    write_map_png,
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
)

PIXEL_POINTS = 0.6
"""Line widths of the HTML map (pixels) times this are the PNG's line points."""
PLACE_MARKER_SIZE = 40
STATION_MARKER_SIZE = 70


def write_rounds_png_map(
    layers: Layers, path: str | Path, *, dpi: int = 150, title: str, credit: str
) -> Path:
    """Draw the rounds plan as a PNG: routes by day, places by status, stations.

    Args:
        layers: layers that ``validate_layers`` accepts for ``ROUNDS``.
        path: the PNG file to write (replaced atomically).
        dpi: resolution in dots per inch (the figure is 11 × 9 inches).
        title: the map's title.
        credit: the data credit printed in the corner (``style.map_credit``).

    Returns:
        ``path``.

    Raises:
        DataError: layers that break the contract (nothing is written).
    """
    return write_map_png(
        layers,
        path,
        ROUNDS,
        draw=_draw,
        summary=rounds_summary,
        handles=_legend_handles,
        title=title,
        dpi=dpi,
        credit=credit,
    )


def _draw(axes: Axes, layers: Layers) -> None:
    """Roads, routes, places and stations, bottom to top."""
    draw_roads(axes, layers.get("roads"))
    for day, routes in route_days(layers["routes"]):
        routes.plot(
            ax=axes,
            color=day_colour(day),
            linewidth=ROUTE_WIDTH_PIXELS * PIXEL_POINTS,
            alpha=0.85,
            zorder=3,
        )
    _draw_places(axes, layers["rounds_places"])
    stations = layers["rounds_stations"]
    axes.scatter(
        stations.geometry.x,
        stations.geometry.y,
        s=STATION_MARKER_SIZE,
        marker="s",
        c=STATION_COLOUR,
        edgecolors="white",
        linewidths=1.2,
        zorder=5,
    )


def _draw_places(axes: Axes, places: gpd.GeoDataFrame) -> None:
    draw_points(axes, places, size=PLACE_MARKER_SIZE, colours=place_colours(places))
    named = places[places["status"].isin(NAMED)]
    label_points(axes, named.geometry, named["name"])


def _legend_handles(layers: Layers) -> list[object]:
    handles: list[object] = [
        Line2D(
            [],
            [],
            color=day_colour(day),
            linewidth=ROUTE_WIDTH_PIXELS * PIXEL_POINTS,
            label=legend_text(day_label(day, routes)),
        )
        for day, routes in route_days(layers["routes"])
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=7,
            markerfacecolor=style.colour,
            markeredgecolor="#222222",
            label=legend_text(style.label),
        )
        for style in place_legend(layers["rounds_places"])
    ]
    handles.append(
        Line2D(
            [], [], linestyle="", marker="s", markersize=8, color=STATION_COLOUR, label="station"
        )
    )
    return handles + road_handles(layers.get("roads"))
