"""What every static PNG map shares: the figure, the roads beneath, a scale bar, a north
arrow, the legend, the attribution, and the one staged write (matplotlib, Agg; no display and
no network needed).

Maps are drawn in metres (``layers.in_metres``), so the scale bar is true and north is up. The
siting map (``png_map``) and the dispatch map (``dispatch_png_map``) draw their layers between
``map_figure`` and ``save_map``.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

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


def map_figure() -> tuple[Figure, Axes]:
    """A new map figure (``FIGURE_INCHES``, constrained layout) and its axes."""
    figure = Figure(figsize=FIGURE_INCHES, layout="constrained")
    return figure, figure.add_subplot()


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


def road_handles(roads: gpd.GeoDataFrame | None) -> list[Line2D]:
    """The roads' legend entry, when the map draws roads."""
    if roads is None or roads.empty:
        return []
    return [Line2D([], [], color=ROAD_COLOUR, alpha=ROAD_ALPHA, label="road (OpenStreetMap)")]


def legend_text(text: str) -> str:
    """``text`` wrapped at ``LEGEND_LABEL_CHARS`` for a legend line."""
    return textwrap.fill(text, LEGEND_LABEL_CHARS, break_on_hyphens=False)


def save_map(
    figure: Figure,
    axes: Axes,
    path: str | Path,
    *,
    title: str,
    handles: list[object],
    dpi: int,
    credit: str,
) -> Path:
    """Finish the map (no axes, equal aspect, the title, a scale bar, a north arrow, the
    legend on the right, the attribution) and write it as a PNG.

    Args:
        figure, axes: from ``map_figure``, with the layers drawn in metres.
        path: the PNG file to write (replaced atomically).
        title: the title, with a summary line under it when it holds one.
        handles: the legend's entries.
        dpi: resolution in dots per inch.
        credit: the data credit printed in the corner (``style.map_credit``).

    Returns:
        ``path``.
    """
    axes.set_axis_off()
    axes.set_aspect("equal")
    axes.set_title(title, fontsize=13, loc="left")
    _draw_scale_bar(axes)
    _draw_north_arrow(axes)
    figure.legend(handles=handles, loc="outside right upper", fontsize=9, frameon=False)
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
