"""The interactive HTML map of an outlet review: one self-contained page (``leaflet_page``).

Overlays (switchable), bottom to top: the extract's roads (on a road network); lines from each
outlet that would close to the outlets
taking its residents, as wide as their share; the outlets coloured by what the review says of
them, flagged outlets named at all times and the others on hover. An outlet's popup gives its
volume, its streak below the threshold, the recommendation and its saving.
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

OUTLET_RADIUS = 7
"""Radius of an outlet's circle, in pixels."""


def write_review_html_map(
    layers: Layers, path: str | Path, *, tiles_url: str | None = None, title: str, credit: str
) -> Path:
    """Write the outlet review as one self-contained interactive HTML page.

    Args:
        layers: layers that ``validate_layers`` accepts for ``REVIEW``.
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
        REVIEW,
        title=title,
        summary=review_summary,
        overlays=_overlays,
        legend_html=_legend_html,
        tiles_url=tiles_url,
        credit=credit,
    )


def _overlays(layers: Layers) -> list[dict[str, object]]:
    """The roads, the receiver lines and the outlets, each with its features, style and
    popups."""
    outlets, receivers = layers["outlets"], layers["receivers"]
    categories = outlet_categories(outlets)
    return [
        *roads_overlays(layers),
        overlay(
            receivers,
            "receivers",
            "Closed outlet → receiving outlet (width: share of its residents)",
            {"color": RECEIVER_COLOUR, "opacity": 0.8},
            _receiver_popups,
            extra={"weight": receiver_widths(receivers)},
        ),
        overlay(
            outlets,
            "outlets",
            "Outlets",
            {"radius": OUTLET_RADIUS, "color": "#222", "weight": 1, "fillOpacity": 0.9},
            _outlet_popups,
            colours=np.array([OUTLET_STYLES[category].colour for category in categories]),
            extra={"label": outlets["name"].to_numpy(), "label_permanent": categories != KEEPS},
        ),
    ]


def _outlet_popups(outlets: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["outlet", f"{row.name} ({row.outlet})"],
            ["type", row.type],
            ["volume", f"{row.recent_volume_per_month:,.0f} per month (last 12 counted)"],
            ["months below the threshold", f"{row.current_streak_months}"],
            ["flagged", "yes" if row.flagged else "no"],
            ["recommendation", row.recommendation or "none"],
            [
                "saving",
                "—" if np.isnan(row.annual_saving) else f"{row.annual_saving:,.0f} per year",
            ],
            ["in the joint closure", "yes" if row.closes_jointly else "no"],
        ]
        for row in outlets.itertuples()
    ]


def _receiver_popups(receivers: gpd.GeoDataFrame) -> list[list[list[str]]]:
    return [
        [
            ["closes", f"{row.outlet_name} ({row.outlet})"],
            ["residents go to", f"{row.receiver_name} ({row.receiver})"],
            ["share of its residents", f"{row.resident_share:.0%}"],
            ["why", row.closes_by],
        ]
        for row in receivers.itertuples()
    ]


def _legend_html(layers: Layers) -> str:
    """The legend: the outlet categories present and the receiver lines."""
    items = [
        ("circle", f"background:{style.colour}", style.label)
        for style in outlet_legend(layers["outlets"])
    ]
    items.append(("line", f"color:{RECEIVER_COLOUR}", "to the outlet taking its residents"))
    items += road_legend_items(layers)
    return "<h2>Outlets</h2>" + "".join(map(legend_item, items))
