"""What every static PNG map shares: the figure, the roads beneath, point markers and their
labels, a scale bar, a north arrow, the legend, the attribution, and the one staged write
(matplotlib, Agg; no display and no network needed).

Maps are drawn in metres (``layers.in_metres``), so the scale bar is true and north is up. The
siting, dispatch, review and rounds maps (``png_map``, ``dispatch_png_map``,
``review_png_map``, ``rounds_png_map``) give ``write_map_png`` the function that draws their
layers.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from optimizer.export.layers import Layers, LayerSet, in_metres, validate_layers
from optimizer.export.staging import staged
from optimizer.export.style import ROAD_COLOUR, road_widths

FIGURE_INCHES = (11.0, 9.0)
ROAD_ALPHA = 0.5
ROAD_WIDTH_SCALE = 0.45
"""Road widths (``style.road_widths``, screen pixels) times this are the PNG's line points."""
LEGEND_LABEL_CHARS = 40
"""Long legend lines (station names, unmet demand) wrap at this width, so the map stays wide."""
CREDIT_LINE_CHARS = 150
"""The attribution wraps at this width: at 8 points a longer line runs off the 11-inch figure
(the road review's credit lost its "© OpenStreetMap contributors")."""
POINT_EDGE_COLOUR = "#222222"
POINT_EDGE_POINTS = 0.6
"""Width of a point marker's dark edge (``draw_points``), in points."""


def draw_roads(axes: Axes, roads: gpd.GeoDataFrame | None) -> None:
    """The map's roads (in metres), each as wide as its class, above fills and beneath
    symbols; nothing without roads."""
    if roads is not None and not roads.empty:
        roads.plot(
            ax=axes,
            color=ROAD_COLOUR,
            alpha=ROAD_ALPHA,
            linewidth=road_widths(roads["highway"]) * ROAD_WIDTH_SCALE,
            zorder=1.5,
        )


def draw_points(
    axes: Axes,
    points: gpd.GeoDataFrame,
    *,
    size: float,
    colours: Sequence[str] | np.ndarray,
    edge_points: float | np.ndarray = POINT_EDGE_POINTS,
) -> None:
    """A marker per point (in metres) in its colour (one a point), ``size`` square points,
    with a dark edge ``edge_points`` wide (one width, or ``(n,)`` one a point), above the lines
    and beneath the labels."""
    axes.scatter(
        points.geometry.x,
        points.geometry.y,
        s=size,
        c=colours,
        edgecolors=POINT_EDGE_COLOUR,
        linewidths=edge_points,
        zorder=4,
    )


def label_points(
    axes: Axes,
    points: gpd.GeoSeries,
    labels: Iterable[str],
    *,
    font_points: float = 7,
    box_alpha: float = 0.75,
    bold: bool = False,
) -> None:
    """Each label beside its point (in metres), in a white box ``box_alpha`` opaque, above
    every symbol."""
    for point, label in zip(points, labels, strict=True):
        axes.annotate(
            label,
            xy=(point.x, point.y),
            xytext=(6, 5),
            textcoords="offset points",
            fontsize=font_points,
            fontweight="bold" if bold else "normal",
            zorder=6,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "alpha": box_alpha,
                "linewidth": 0,
            },
        )


def road_handles(roads: gpd.GeoDataFrame | None) -> list[Line2D]:
    """The roads' legend entry, when the map draws roads."""
    if roads is None or roads.empty:
        return []
    return [Line2D([], [], color=ROAD_COLOUR, alpha=ROAD_ALPHA, label="road (OpenStreetMap)")]


def legend_text(text: str) -> str:
    """``text`` wrapped at ``LEGEND_LABEL_CHARS`` for a legend line."""
    return textwrap.fill(text, LEGEND_LABEL_CHARS, break_on_hyphens=False)


def write_map_png(
    layers: Layers,
    path: str | Path,
    layer_set: LayerSet,
    *,
    draw: Callable[[Axes, Layers], None],
    summary: Callable[[Layers], str],
    handles: Callable[[Layers], list[object]],
    title: str,
    dpi: int,
    credit: str,
) -> Path:
    """Draw ``layers``, once they keep ``layer_set``'s contract, as a PNG map: in metres on a
    ``FIGURE_INCHES`` figure with no axes, the title and the summary under it, a scale bar, a
    north arrow, the legend on the right and the attribution.

    Args:
        layers: the layers to draw.
        path: the PNG file to write (replaced atomically).
        layer_set: the contract ``layers`` must keep.
        draw: draws the layers, in metres (``in_metres``), on the axes.
        summary: the line under the title, from the layers.
        handles: the legend's entries, from the layers in metres.
        title: the map's title.
        dpi: resolution in dots per inch.
        credit: the data credit printed in the corner (``style.map_credit``).

    Returns:
        ``path``.

    Raises:
        DataError: layers that break the contract (nothing is written).
    """
    validate_layers(layers, layer_set=layer_set)
    projected = in_metres(layers, layer_set)
    figure = Figure(figsize=FIGURE_INCHES, layout="constrained")
    axes = figure.add_subplot()
    draw(axes, projected)
    axes.set_axis_off()
    axes.set_aspect("equal")
    axes.set_title(f"{title}\n{summary(layers)}", fontsize=13, loc="left")
    _draw_scale_bar(axes)
    _draw_north_arrow(axes)
    figure.legend(handles=handles(projected), loc="outside right upper", fontsize=9, frameon=False)
    figure.text(
        0.99,
        0.005,
        textwrap.fill(credit, CREDIT_LINE_CHARS, break_on_hyphens=False),
        ha="right",
        va="bottom",
        fontsize=8,
        color="#444",
    )
    path = Path(path)
    with staged([path]) as (temporary,):
        figure.savefig(temporary, format="png", dpi=dpi, metadata={"Software": None})
    return path


def _draw_scale_bar(axes: Axes) -> None:
    """A bar of a round length (1, 2 or 5 × 10ⁿ m) about a fifth of the map wide, bottom left."""
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    meters = _round_length((x1 - x0) / 5)
    left, bottom = x0 + 0.03 * (x1 - x0), y0 + 0.03 * (y1 - y0)
    axes.plot(
        [left, left + meters], [bottom, bottom], color="black", linewidth=3, solid_capstyle="butt"
    )
    label = f"{meters / 1000:g} km" if meters >= 1000 else f"{meters:g} m"
    axes.text(
        left + meters / 2, bottom + 0.012 * (y1 - y0), label, ha="center", va="bottom", fontsize=9
    )


def _round_length(meters: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ not above ``meters``."""
    power = 10 ** math.floor(math.log10(meters))
    return max(step * power for step in (1, 2, 5) if step * power <= meters)


def _draw_north_arrow(axes: Axes) -> None:
    """An arrow pointing up with an N, top right of the map (the map is in UTM: north is up)."""
    axes.annotate(
        "N",
        xy=(0.96, 0.97),
        xytext=(0.96, 0.88),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=12,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 4, "headwidth": 12, "headlength": 10},
    )
