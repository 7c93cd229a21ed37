"""How the dispatch maps draw a plan: region and move colours, move widths, the summary line
and the unmet-demand lines, shared by the HTML and PNG maps."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.export.layers import Layers
from optimizer.export.style import BLIND_SPOT_COLOUR, SymbolStyle

SHORT, RECEIVES, SENDS, IDLE = "short", "receives", "sends", "idle"

REGION_STYLES: dict[str, SymbolStyle] = {
    SHORT: SymbolStyle("demand left unmet", BLIND_SPOT_COLOUR),
    RECEIVES: SymbolStyle("receives units", "#31a354"),
    SENDS: SymbolStyle("sends units", "#3182bd"),
    IDLE: SymbolStyle("no moves", "#bdbdbd"),
}
"""Region category (``region_categories``) → style, in legend order."""

MOVE_STYLES: dict[str, SymbolStyle] = {
    "own": SymbolStyle("the lending region's own units", "#08519c"),
    "partner": SymbolStyle("its partner pool's units", "#e08214"),
}
"""A move's ``lender`` → style of its line."""

SURGE_OUTLINE = 3.0
"""Outline width (pixels) of a region whose priority is above 1; others have 1."""

MOVE_WIDTH_PIXELS = (1.5, 1.5, 12.0)
"""A move's line is ``a + b·√units`` pixels wide, at most the third value."""

UNMET_LISTED = 8
"""Unmet lines a legend lists before "and N more"."""


def region_categories(regions: gpd.GeoDataFrame) -> np.ndarray:
    """Each region's category: ``short`` (demand left unmet), else ``receives``, ``sends`` or
    ``idle``, object (n,)."""
    return np.select(
        [
            regions["unmet_units"].to_numpy() > 0,
            regions["received_units"].to_numpy() > 0,
            regions["sent_units"].to_numpy() > 0,
        ],
        [SHORT, RECEIVES, SENDS],
        IDLE,
    ).astype(object)


def region_legend(regions: gpd.GeoDataFrame) -> list[SymbolStyle]:
    """The styles of the region categories present, in legend order."""
    present = set(region_categories(regions))
    return [style for category, style in REGION_STYLES.items() if category in present]


def outline_widths(regions: gpd.GeoDataFrame) -> np.ndarray:
    """Each region's outline width in pixels: ``SURGE_OUTLINE`` above priority 1, else 1."""
    return np.where(regions["priority"].to_numpy() > 1, SURGE_OUTLINE, 1.0)


def move_widths(units: pd.Series) -> np.ndarray:
    """Each move's line width in pixels from its units (``MOVE_WIDTH_PIXELS``)."""
    base, per_root, widest = MOVE_WIDTH_PIXELS
    return np.minimum(base + per_root * np.sqrt(units.to_numpy(dtype=float)), widest)


def between_regions(moves: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The moves from one region to another (a partner filling in at home draws no line)."""
    return moves[moves["from_region"] != moves["to_region"]]


def dispatch_summary(layers: Layers) -> str:
    """One line for a map's subtitle: units moved, moves, the last arrival and unmet units,
    e.g. ``"75 units in 27 moves, the last at minute 45 · 3 units unmet in 1 region"``."""
    moves = layers["moves"]
    regions = layers["regions"]
    last = float(np.max(moves["arrive_minute"].to_numpy(), initial=0.0))
    short = int((regions["unmet_units"] > 0).sum())
    return (
        f"{int(moves['units'].sum()):,} units in {len(moves)} moves, the last at minute"
        f" {last:.0f} · {int(regions['unmet_units'].sum()):,} units unmet in {short}"
        f" region{'' if short == 1 else 's'}"
    )


def unmet_lines(unmet: pd.DataFrame) -> list[str]:
    """One line per region and resource short, e.g. ``"Avenida da Azenha: 3 of 5 staff unmet
    (donors within the window exhausted)"``; the first ``UNMET_LISTED`` and how many more."""
    lines = [
        f"{name}: {short} of {need} {resource} unmet ({reason})"
        for name, short, need, resource, reason in zip(
            unmet["region_name"],
            unmet["unmet_units"],
            unmet["need_units"],
            unmet["resource"],
            unmet["reason"],
            strict=True,
        )
    ]
    more = len(lines) - UNMET_LISTED
    return lines[:UNMET_LISTED] + ([f"and {more} more (unmet.csv)"] if more > 0 else [])


def units_by_resource(moves: pd.DataFrame, region: str, column: str) -> str:
    """Units of the moves whose ``column`` is ``region``, by resource:
    ``"3 staff, 10 water_pallet"``; ``"none"`` when there are none."""
    chosen = moves[moves[column].astype(str) == region]
    totals = chosen.groupby("resource", sort=True)["units"].sum()
    return ", ".join(f"{units} {resource}" for resource, units in totals.items()) or "none"
