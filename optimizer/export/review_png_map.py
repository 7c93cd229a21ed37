"""The static PNG map of an outlet review (``png_figure`` draws the furniture and writes it).

Drawn in metres (the outlets' UTM zone): the extract's roads beneath (on a road network), a
line from each outlet that would close to each
outlet taking its residents, as wide as their share; the outlets coloured by what the review
says of them; flagged outlets named beside their point.
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
    road_handles,
    write_map_png,
)
from optimizer.export.review_layers import REVIEW
from optimizer.export.review_style import (
    KEEPS,
    OUTLET_STYLES,
    RECEIVER_COLOUR,
    outlet_categories,
    outlet_legend,
    receiver_widths,
    review_summary,
)

PIXEL_POINTS = 0.6
"""Line widths of the HTML map (pixels) times this are the PNG's line points."""
OUTLET_MARKER_SIZE = 60


def write_review_png_map(
    layers: Layers, path: str | Path, *, dpi: int = 150, title: str, credit: str
) -> Path:
    """Draw the outlet review as a PNG: receiver lines and outlets by category.

    Args:
        layers: layers that ``validate_layers`` accepts for ``REVIEW``.
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
        REVIEW,
        draw=_draw,
        summary=review_summary,
        handles=_legend_handles,
        title=title,
        dpi=dpi,
        credit=credit,
    )


def _draw(axes: Axes, layers: Layers) -> None:
    """Roads, receiver lines and outlets, bottom to top."""
    draw_roads(axes, layers.get("roads"))
    _draw_receivers(axes, layers["receivers"])
    _draw_outlets(axes, layers["outlets"])


def _draw_receivers(axes: Axes, receivers: gpd.GeoDataFrame) -> None:
    widths = receiver_widths(receivers) * PIXEL_POINTS
    for line, width in zip(receivers.geometry, widths, strict=True):
        x, y = line.xy
        axes.plot(x, y, color=RECEIVER_COLOUR, linewidth=width, alpha=0.8, zorder=3)


def _draw_outlets(axes: Axes, outlets: gpd.GeoDataFrame) -> None:
    categories = outlet_categories(outlets)
    colours = [OUTLET_STYLES[category].colour for category in categories]
    draw_points(axes, outlets, size=OUTLET_MARKER_SIZE, colours=colours)
    named = outlets[categories != KEEPS]
    label_points(axes, named.geometry, named["name"])


def _legend_handles(layers: Layers) -> list[object]:
    handles: list[object] = [
        Line2D(
            [], [], linestyle="", marker="o", markersize=8, color=style.colour, label=style.label
        )
        for style in outlet_legend(layers["outlets"])
    ]
    handles.append(
        Line2D(
            [], [], color=RECEIVER_COLOUR, linewidth=2.5, label="to the outlet taking its residents"
        )
    )
    return handles + road_handles(layers.get("roads"))
