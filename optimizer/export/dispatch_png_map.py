"""The static PNG map of a dispatch plan (``png_figure`` draws the furniture and writes it).

Drawn in metres (the regions' UTM zone): the extract's roads beneath; each move an arrow from
lender to receiver, coloured by lender (partners' arrows curved) and as wide as its units; the
regions coloured by what
the plan does there, surge regions (priority above 1) with a thick outline and a red ring
around each region with demand left unmet. Regions in a move or short of units are named
beside their point (every region in plans of at most ``NAMED_UP_TO`` regions); the legend
lists the unmet demand with its reasons.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from optimizer.export.dispatch_layers import DISPATCH
from optimizer.export.dispatch_style import (
    IDLE,
    MOVE_STYLES,
    REGION_STYLES,
    between_regions,
    dispatch_summary,
    move_widths,
    outline_widths,
    region_categories,
    region_legend,
    unmet_lines,
)
from optimizer.export.layers import Layers
from optimizer.export.png_figure import (
    draw_points,
    draw_roads,
    label_points,
    legend_text,
    road_handles,
    write_map_png,
)
from optimizer.export.style import BLIND_SPOT_COLOUR

PIXEL_POINTS = 0.6
"""Line widths of the HTML map (pixels) times this are the PNG's line points."""
PARTNER_CURVE = 0.25
"""Bend of a partner's arrow (matplotlib's ``arc3`` radius: a share of the arrow's length)."""
REGION_MARKER_SIZE = 70
UNMET_RING_SIZE = 320
NAMED_UP_TO = 12
"""Plans with at most this many regions name every region; larger ones name only the regions
in a move or short of units."""


def write_dispatch_png_map(
    layers: Layers, path: str | Path, *, dpi: int = 150, title: str, credit: str
) -> Path:
    """Draw the dispatch plan as a PNG: roads, moves, regions and unmet demand.

    The map has a legend (with the unmet demand line by line), a scale bar, a north arrow, the
    title with a summary under it, and the data attribution.

    Args:
        layers: layers that ``validate_layers`` accepts for ``DISPATCH``.
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
        DISPATCH,
        draw=_draw,
        summary=dispatch_summary,
        handles=_legend_handles,
        title=title,
        dpi=dpi,
        credit=credit,
    )


def _draw(axes: Axes, layers: Layers) -> None:
    """Roads, moves (between regions) and regions, bottom to top."""
    draw_roads(axes, layers.get("roads"))
    _draw_moves(axes, between_regions(layers["moves"]))
    _draw_regions(axes, layers["regions"])


def _draw_moves(axes: Axes, moves: gpd.GeoDataFrame) -> None:
    """An arrow per move, lender to receiver; partners' arrows curve (``PARTNER_CURVE``), so
    that they show where they run beside a region's own."""
    widths = move_widths(moves["units"]) * PIXEL_POINTS
    for line, lender, width in zip(moves.geometry, moves["lender"], widths, strict=True):
        (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
        axes.annotate(
            "",
            xy=(x1, y1),
            xytext=(x0, y0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": MOVE_STYLES[lender].colour,
                "linewidth": width,
                "alpha": 0.8,
                "shrinkA": 4,
                "shrinkB": 6,
                "mutation_scale": 8 + 2 * width,
                "connectionstyle": f"arc3,rad={PARTNER_CURVE if lender == 'partner' else 0}",
            },
            zorder=3,
        )


def _draw_regions(axes: Axes, regions: gpd.GeoDataFrame) -> None:
    """Regions by category with their outlines, rings where demand is left unmet, names."""
    categories = region_categories(regions)
    draw_points(
        axes,
        regions,
        size=REGION_MARKER_SIZE,
        colours=[REGION_STYLES[category].colour for category in categories],
        edge_points=outline_widths(regions) * PIXEL_POINTS,
    )
    short = regions[regions["unmet_units"] > 0]
    axes.scatter(
        short.geometry.x,
        short.geometry.y,
        s=UNMET_RING_SIZE,
        facecolors="none",
        edgecolors=BLIND_SPOT_COLOUR,
        linewidths=2,
        zorder=4,
    )
    named = regions if len(regions) <= NAMED_UP_TO else regions[categories != IDLE]
    label_points(axes, named.geometry, named["name"])


def _legend_handles(layers: Layers) -> list[object]:
    """Legend entries: move colours, region categories present, outlines, roads, unmet lines."""
    handles: list[object] = [
        Line2D([], [], color=style.colour, linewidth=2.5, label=style.label)
        for style in MOVE_STYLES.values()
    ]
    handles += [
        Line2D(
            [], [], linestyle="", marker="o", markersize=8, color=style.colour, label=style.label
        )
        for style in region_legend(layers["regions"])
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=8,
            markerfacecolor="white",
            markeredgecolor="#222222",
            markeredgewidth=2,
            label="surge region (priority above 1)",
        ),
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=13,
            markerfacecolor="none",
            markeredgecolor=BLIND_SPOT_COLOUR,
            markeredgewidth=2,
            label="unmet demand, by region and resource:",
        ),
    ]
    handles += [
        Line2D([], [], linestyle="", label=legend_text(line))
        for line in unmet_lines(layers["unmet_regions"]) or ["none"]
    ]
    return handles + road_handles(layers.get("roads"))
