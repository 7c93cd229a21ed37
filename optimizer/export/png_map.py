"""The static PNG map of a siting plan (``png_figure`` draws the furniture and writes it).

Drawn in metres: layers in EPSG:4326 are projected to their UTM zone first, so the scale bar
is true and north is up. The plan's ``roads`` layer (when present) is drawn over the demand
cells and beneath everything else, so the map reads without tiles; stations with typed posts
(or every station, in plans of at most ``LABELLED_UP_TO`` stations) are labelled by name.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from optimizer.export.layers import PLAN, Layers
from optimizer.export.png_figure import (
    draw_roads,
    label_points,
    legend_text,
    road_handles,
    write_map_png,
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
    station_category,
    station_legend,
)

STATUS_MARKERS = {"existing": "s", "new": "o"}
"""Marker of existing (square) and new (circle) stations."""

UNION_LINE = {"color": SERVICE_AREA_COLOUR, "linewidth": 1.2}
STATION_AREA_LINE = {"color": SERVICE_AREA_COLOUR, "linewidth": 0.4, "alpha": 0.5}
BLIND_SPOT_ALPHA = 0.6

LABELLED_UP_TO = 30
"""Plans with at most this many stations have every station labelled by name; larger ones
label only the stations with typed posts (a label per station would hide the map)."""


def write_png_map(
    layers: Layers, path: str | Path, *, dpi: int = 150, title: str, credit: str
) -> Path:
    """Draw the plan as a PNG: service areas, demand by minutes, blind spots, districts, stations.

    Stations are coloured by post type and shaped by status; blind spots are in a warning red.
    The map has a legend, a scale bar, a north arrow, the title with a coverage summary under it,
    and the data attribution.

    Args:
        layers: a plan that ``validate_layers`` accepts.
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
        PLAN,
        draw=lambda axes, projected: _draw_layers(axes, projected, cutoff_minutes(layers)),
        summary=coverage_summary,
        handles=lambda projected: _legend_handles(projected, cutoff_minutes(layers)),
        title=title,
        dpi=dpi,
        credit=credit,
    )


def _draw_layers(axes: Axes, layers: Layers, cutoff: float) -> None:
    """Everything but the furniture, bottom to top."""
    demand = layers["demand"]
    if not demand.empty:
        demand.plot(
            ax=axes, color=minute_colours(demand["minutes_to_nearest"], cutoff), linewidth=0
        )
    areas = layers["service_areas"]
    areas[areas["kind"] == "station"].boundary.plot(ax=axes, **STATION_AREA_LINE)
    areas[areas["kind"] == "union"].boundary.plot(ax=axes, **UNION_LINE)
    if not layers["blind_spots"].empty:
        layers["blind_spots"].plot(
            ax=axes, color=BLIND_SPOT_COLOUR, alpha=BLIND_SPOT_ALPHA, linewidth=0, markersize=12
        )
    draw_roads(axes, layers.get("roads"))
    layers["districts"].boundary.plot(ax=axes, color=DISTRICT_COLOUR, linewidth=0.7)
    stations = layers["stations"]
    for (status, category), group in stations.groupby(
        [stations["status"], stations["post_types"].map(station_category)], sort=True
    ):
        group.plot(
            ax=axes,
            marker=STATUS_MARKERS[status],
            color=STATION_STYLES[category].colour,
            edgecolor="#222222",
            linewidth=0.9,
            markersize=110,
            zorder=5,
        )
    _label_stations(axes, stations)


def labelled_stations(stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The stations the PNG numbers and lists by name: every station in plans of at most
    ``LABELLED_UP_TO`` stations, else those with typed posts (in layer order)."""
    if len(stations) <= LABELLED_UP_TO:
        return stations
    return stations[stations["post_types"] != ""]


def _label_stations(axes: Axes, stations: gpd.GeoDataFrame) -> None:
    """A number beside each labelled station's marker; the legend lists the numbers' names
    (numbers stay legible where names would overlap in a city centre)."""
    labelled = labelled_stations(stations)
    numbers = [str(number) for number in range(1, len(labelled) + 1)]
    label_points(axes, labelled.geometry, numbers, font_points=8, box_alpha=0.8, bold=True)


def _station_label(name: str, serves: str) -> str:
    """``"Avenida Sertório (serves farrapos_station)"``: the legend line of a numbered
    station, wrapped (``png_figure.legend_text``)."""
    return legend_text(f"{name} (serves {serves.replace(',', ', ')})" if serves else name)


def _legend_handles(layers: Layers, cutoff: float) -> list[object]:
    """Legend entries for what the map shows: station types and statuses present, then areas."""
    styles, statuses = station_legend(layers["stations"])
    handles: list[object] = [
        Line2D(
            [], [], linestyle="", marker="o", markersize=10, color=style.colour, label=style.label
        )
        for style in styles
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker=STATUS_MARKERS[status],
            markersize=10,
            markerfacecolor="white",
            markeredgecolor="black",
            label=label,
        )
        for status, label in statuses.items()
    ]
    handles += [
        Line2D([], [], **UNION_LINE, label=f"area within {cutoff:g} min (union)"),
        Line2D([], [], **STATION_AREA_LINE, label="one station's area"),
    ]
    handles += [
        Patch(facecolor=colour, label=f"residents {label} away")
        for _, label, colour in minute_classes(cutoff)
    ]
    handles += [
        Patch(facecolor=UNCOVERED_COLOUR, label=f"beyond {cutoff:g} min"),
        Patch(
            facecolor=BLIND_SPOT_COLOUR,
            alpha=BLIND_SPOT_ALPHA,
            label="blind spot (residents beyond reach)",
        ),
        Patch(facecolor="none", edgecolor=DISTRICT_COLOUR, label="district"),
    ]
    handles += road_handles(layers.get("roads"))
    labelled = labelled_stations(layers["stations"])
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker=f"${number}$",
            markersize=5 + 3 * len(str(number)),
            color="black",
            label=_station_label(name, serves),
        )
        for number, (name, serves) in enumerate(
            zip(labelled["name"], labelled["serves"], strict=True), start=1
        )
    ]
    return handles
