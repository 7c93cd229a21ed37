"""How the review maps draw an outlet review: outlet categories and colours, receiver line
widths and the summary line, shared by the HTML and PNG maps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from optimizer.export.layers import Layers
from optimizer.export.style import BLIND_SPOT_COLOUR, SymbolStyle

CLOSES, CHANGES, NO_OPTION, KEEPS = "closes", "changes", "no_option", "keeps"

OUTLET_STYLES: dict[str, SymbolStyle] = {
    CLOSES: SymbolStyle("would close (merge or joint closure)", BLIND_SPOT_COLOUR),
    CHANGES: SymbolStyle("flagged: relocate or transform", "#fd8d3c"),
    NO_OPTION: SymbolStyle("flagged: no option keeps every rule", "#756bb1"),
    KEEPS: SymbolStyle("not flagged", "#3182bd"),
}
"""Outlet category (``outlet_categories``) → style, in legend order."""

RECEIVER_COLOUR = "#636363"
RECEIVER_WIDTH_PIXELS = (1.0, 8.0)
"""A receiver line is ``a + b·share`` pixels wide (share of the closing outlet's residents)."""


def outlet_categories(outlets: gpd.GeoDataFrame) -> np.ndarray:
    """Each outlet's category: ``closes`` (recommended merge or joint closure), ``changes``
    (another recommendation), ``no_option`` (flagged, nothing passes) or ``keeps``, object
    (n,)."""
    recommendation = outlets["recommendation"].to_numpy(dtype=object)
    flagged = outlets["flagged"].to_numpy(dtype=bool)
    return np.select(
        [
            (recommendation == "merge") | outlets["closes_jointly"].to_numpy(dtype=bool),
            flagged & (recommendation != ""),
            flagged,
        ],
        [CLOSES, CHANGES, NO_OPTION],
        KEEPS,
    ).astype(object)


def outlet_legend(outlets: gpd.GeoDataFrame) -> list[SymbolStyle]:
    """The styles of the outlet categories present, in legend order."""
    present = set(outlet_categories(outlets))
    return [style for category, style in OUTLET_STYLES.items() if category in present]


def receiver_widths(receivers: gpd.GeoDataFrame) -> np.ndarray:
    """Each receiver line's width in pixels from its resident share."""
    base, per_share = RECEIVER_WIDTH_PIXELS
    return base + per_share * receivers["resident_share"].to_numpy(dtype=float)


def review_summary(layers: Layers) -> str:
    """One line for a map's subtitle, e.g. ``"81 outlets · 7 flagged: 7 close, 0 change,
    0 no passing option"``."""
    categories = outlet_categories(layers["outlets"])
    flagged = int(layers["outlets"]["flagged"].sum())
    count = {category: int((categories == category).sum()) for category in OUTLET_STYLES}
    return (
        f"{len(categories)} outlets · {flagged} flagged: {count[CLOSES]} close,"
        f" {count[CHANGES]} change, {count[NO_OPTION]} no passing option"
    )
