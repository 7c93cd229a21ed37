"""The interactive HTML map of a dispatch plan: one self-contained page (``leaflet_page``).

Overlays (switchable), bottom to top: the extract's roads; the moves as lines from lender to
receiver, as wide as the units they carry and labelled with them on hover, in two overlays by
lender (the region's own units, its partner pool's dashed above them); the regions coloured by
what the plan does there (demand left unmet, receives, sends, no moves), surge regions
(priority above 1) with a thick outline, the regions in a move or short of units named at all
times and the others on hover; and a red ring around each region whose demand is left unmet.
A region's popup lists what it receives (partners filling in at home included), sends and
lends by resource, and each unmet resource with its computed reason; the legend lists the
unmet demand too.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np

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
    units_by_resource,
    unmet_lines,
)
from optimizer.export.layers import Layers
from optimizer.export.leaflet_page import (
    PopupRows,
    legend_item,
    legend_note,
    overlay,
    road_legend_items,
    roads_overlays,
    write_leaflet_page,
)
from optimizer.export.style import BLIND_SPOT_COLOUR

REGION_RADIUS = 7
"""Radius of a region's circle, in pixels."""
UNMET_RING_RADIUS = 13
"""Radius of the ring around a region with demand left unmet, in pixels."""
PARTNER_DASH = "8 6"
"""Dash pattern (pixels) of partners' moves, which may run beside a region's own."""


def write_dispatch_html_map(
    layers: Layers, path: str | Path, *, tiles_url: str | None = None, title: str, credit: str
) -> Path:
    """Write the dispatch plan as one self-contained interactive HTML page.

    Args:
        layers: layers that ``validate_layers`` accepts for ``DISPATCH``.
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
        DISPATCH,
        title=title,
        summary=dispatch_summary,
        overlays=_overlays,
        legend_html=_legend_html,
        tiles_url=tiles_url,
        credit=credit,
    )


def _overlays(layers: Layers) -> list[dict[str, object]]:
    """The switchable overlays, bottom to top, each with its features, style and popups."""
    regions = layers["regions"]
    moves = between_regions(layers["moves"])
    categories = region_categories(regions)
    popups = _region_popups(layers["moves"], layers["unmet_regions"])
    return [
        *roads_overlays(layers),
        *(_moves_overlay(moves[moves["lender"] == lender], lender) for lender in MOVE_STYLES),
        overlay(
            regions,
            "regions",
            "Regions",
            {"radius": REGION_RADIUS, "color": "#222", "fillOpacity": 0.9},
            popups,
            colours=np.array([REGION_STYLES[category].colour for category in categories]),
            extra={
                "weight": outline_widths(regions),
                "label": regions["name"].to_numpy(),
                "label_permanent": categories != IDLE,
            },
        ),
        overlay(
            regions[regions["unmet_units"] > 0],
            "unmet",
            "Demand left unmet",
            {"radius": UNMET_RING_RADIUS, "color": BLIND_SPOT_COLOUR, "weight": 3, "fill": False},
            popups,
        ),
    ]


def _moves_overlay(moves: gpd.GeoDataFrame, lender: str) -> dict[str, object]:
    """The moves of one kind of lender: lines as wide as their units, labelled on hover;
    partners' lines dashed, so that they show where they run beside a region's own."""
    style = MOVE_STYLES[lender]
    dash = {"dashArray": PARTNER_DASH} if lender == "partner" else {}
    return overlay(
        moves,
        f"{lender}-moves",
        f"Moves: {style.label} (width: units)",
        {"color": style.colour, "opacity": 0.8, **dash},
        _move_popups,
        extra={
            "weight": move_widths(moves["units"]),
            "label": np.array(_move_labels(moves), dtype=object),
        },
    )


def _move_labels(moves: gpd.GeoDataFrame) -> list[str]:
    """``"3 staff: Rua A → Rua B"`` per move."""
    return [
        f"{units} {resource}: {source} → {target}"
        for units, resource, source, target in zip(
            moves["units"], moves["resource"], moves["from_name"], moves["to_name"], strict=True
        )
    ]


def _move_popups(moves: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["from", f"{move.from_name} ({move.from_region})"],
            ["to", f"{move.to_name} ({move.to_region})"],
            ["units", f"{move.units} {move.resource}"],
            ["lender", MOVE_STYLES[move.lender].label],
            ["leaves at minute", f"{move.depart_minute:.0f}"],
            ["arrives at minute", f"{move.arrive_minute:.0f}"],
            ["travel", f"{move.travel_minutes:.1f} min"],
        ]
        for move in moves.itertuples()
    ]


def _region_popups(moves: gpd.GeoDataFrame, unmet: gpd.GeoDataFrame) -> PopupRows:
    """Popups of regions: name, id, priority, units received (partners filling in at home
    included), own units sent and partner units lent by resource, and each unmet resource with
    its reason."""

    own, partner = moves[moves["lender"] == "own"], moves[moves["lender"] == "partner"]

    def popups(regions: gpd.GeoDataFrame) -> list[list[list[str]]]:
        return [
            [
                ["region", name],
                ["id", region],
                ["priority", f"{priority}"],
                ["receives", units_by_resource(moves, region, "to_region")],
                ["sends (own units)", units_by_resource(own, region, "from_region")],
                ["its partners lend", units_by_resource(partner, region, "from_region")],
                *(
                    [
                        f"unmet {row.resource}",
                        f"{row.unmet_units} of {row.need_units} ({row.reason})",
                    ]
                    for row in unmet[unmet["region"] == region].itertuples()
                ),
            ]
            for region, name, priority in zip(
                regions["region"], regions["name"], regions["priority"], strict=True
            )
        ]

    return popups


def _legend_html(layers: Layers) -> str:
    """The legend: move colours, region categories present, surge outline, the unmet ring,
    roads, and the unmet demand line by line."""
    own, partner = MOVE_STYLES["own"], MOVE_STYLES["partner"]
    move_items = [
        ("line", f"color:{own.colour}", own.label),
        ("line", f"color:{partner.colour};border-top-style:dashed", partner.label),
    ]
    region_items = [
        ("circle", f"background:{style.colour}", style.label)
        for style in region_legend(layers["regions"])
    ]
    region_items += [
        ("circle", "border:3px solid #222", "surge region (priority above 1)"),
        ("circle", f"border:3px solid {BLIND_SPOT_COLOUR}", "unmet demand (listed below)"),
        *road_legend_items(layers),
    ]
    unmet = unmet_lines(layers["unmet_regions"]) or ["none: every region's demand is met"]
    return "".join(
        [
            "<h2>Moves (width: units)</h2>",
            *map(legend_item, move_items),
            "<h2>Regions</h2>",
            *map(legend_item, region_items),
            "<h2>Unmet demand</h2>",
            *map(legend_note, unmet),
        ]
    )
