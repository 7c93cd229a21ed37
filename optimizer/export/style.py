"""How the maps draw a plan: colours and labels shared by the HTML and PNG maps (their credit
line is ``optimizer.export.credit``)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import geopandas as gpd
import numpy as np
import pandas as pd

from optimizer.export.layers import Layers


@dataclass(frozen=True)
class SymbolStyle:
    """How features of one category are drawn: their label and colour."""

    label: str
    colour: str


COMPREHENSIVE = "comprehensive"
SEVERAL = "several"
OTHER = "other"

POST_TYPE_STYLES: dict[str, SymbolStyle] = {
    "self_service_24h": SymbolStyle("24-hour self-service post", "#7b3294"),
    "multilingual": SymbolStyle("multilingual post", "#1b9e77"),
    "barrier_free": SymbolStyle("barrier-free post", "#d95f02"),
}
"""Known post types → style."""

STATION_STYLES: dict[str, SymbolStyle] = {
    COMPREHENSIVE: SymbolStyle("comprehensive (no typed post)", "#1f4e9c"),
    **POST_TYPE_STYLES,
    SEVERAL: SymbolStyle("several typed posts", "#e7298a"),
    OTHER: SymbolStyle("other typed post", "#7f7f7f"),
}
"""Station category (see ``station_category``) → style, in legend order."""

STATUS_LABELS = {"existing": "existing station", "new": "new station"}

SERVICE_AREA_COLOUR = "#3182bd"
BLIND_SPOT_COLOUR = "#e31a1c"
DISTRICT_COLOUR = "#4d4d4d"
ROAD_COLOUR = "#5a5a5a"

ROAD_WIDTHS = {"motorway": 3.0, "trunk": 3.0, "primary": 2.4, "secondary": 1.8}
"""Line width (pixels; points on the PNG) of the map's roads by OSM class, links as their
road; every other class is drawn ``MINOR_ROAD_WIDTH`` wide."""
MINOR_ROAD_WIDTH = 1.1
UNCOVERED_COLOUR = "#d9d9d9"

MINUTE_COLOURS = ("#c7e9c0", "#74c476", "#31a354")
"""Fill colours of covered demand by thirds of the cutoff, nearest first."""


def station_category(post_types: str) -> str:
    """The category a station is drawn as: its one post type, ``several`` or ``comprehensive``.

    Args:
        post_types: comma-separated post types; ``""`` for a station without typed posts.
    """
    types = _post_types(post_types)
    if not types:
        return COMPREHENSIVE
    if len(types) > 1:
        return SEVERAL
    return types[0] if types[0] in POST_TYPE_STYLES else OTHER


def post_type_words(post_types: str) -> str:
    """A station's post types in words, e.g. ``"24-hour self-service post, multilingual post"``."""
    words = [
        POST_TYPE_STYLES[name].label if name in POST_TYPE_STYLES else name
        for name in _post_types(post_types)
    ]
    return ", ".join(words) or STATION_STYLES[COMPREHENSIVE].label


def station_legend(stations: gpd.GeoDataFrame) -> tuple[list[SymbolStyle], dict[str, str]]:
    """What a legend shows of the stations: the styles of the categories present, in legend
    order, and the statuses present (status → label)."""
    categories = set(stations["post_types"].map(station_category))
    statuses = set(stations["status"])
    styles = [style for category, style in STATION_STYLES.items() if category in categories]
    return styles, {status: label for status, label in STATUS_LABELS.items() if status in statuses}


def _post_types(post_types: str) -> list[str]:
    return [name.strip() for name in post_types.split(",") if name.strip()]


def cutoff_minutes(layers: Layers) -> float:
    """The plan's coverage cutoff in minutes: the largest service-area cutoff (15 when none)."""
    minutes = layers["service_areas"]["minutes"]
    return float(minutes.max()) if len(minutes) else 15.0


def minute_classes(cutoff: float) -> list[tuple[float, str, str]]:
    """Classes of minutes to the nearest station: ``(upper bound, label, colour)``, by thirds.

    For a 15-minute cutoff: ``≤ 5 min``, ``5–10 min``, ``10–15 min``.
    """
    bounds = [cutoff * (third + 1) / len(MINUTE_COLOURS) for third in range(len(MINUTE_COLOURS))]
    lowers = [None, *bounds[:-1]]
    return [
        (upper, f"≤ {upper:.3g} min" if lower is None else f"{lower:.3g}–{upper:.3g} min", colour)
        for lower, upper, colour in zip(lowers, bounds, MINUTE_COLOURS, strict=True)
    ]


def minute_colours(minutes: pd.Series, cutoff: float) -> np.ndarray:
    """Fill colour of each demand feature from its minutes (``UNCOVERED_COLOUR`` when NaN)."""
    values = minutes.to_numpy(dtype=float)
    bounds = [upper for upper, _, _ in minute_classes(cutoff)]
    index = np.minimum(np.searchsorted(bounds, values, side="left"), len(bounds) - 1)
    colours = np.array([*MINUTE_COLOURS, UNCOVERED_COLOUR], dtype=object)
    return colours[np.where(np.isnan(values), len(MINUTE_COLOURS), index)]


COVERAGE_DECIMALS = 2
"""Decimals of a coverage percentage as the maps and the terminal show it."""


def coverage_percent_text(covered: float, total: float) -> str:
    """Covered residents as a share of all, for people: ``"99.84%"``.

    The one rounding of a coverage figure that the maps and the terminal share: truncated
    (never rounded up) to ``COVERAGE_DECIMALS`` decimals, computed exactly, so 99.996 % shows
    as ``99.99%`` and ``100.00%`` means that no resident is left uncovered. ``"n/a"`` when
    there are no residents.
    """
    if not total > 0:
        return "n/a"
    scale = 100 * 10**COVERAGE_DECIMALS
    units = min(int(Fraction(float(covered)) * scale // Fraction(float(total))), scale)
    whole, part = divmod(units, 10**COVERAGE_DECIMALS)
    return f"{whole}.{part:0{COVERAGE_DECIMALS}d}%"


def road_widths(highway: pd.Series) -> np.ndarray:
    """Line width of each road from its OSM ``highway`` class (``primary_link`` as ``primary``)."""
    classes = highway.astype(str).str.removesuffix("_link")
    return classes.map(ROAD_WIDTHS).fillna(MINOR_ROAD_WIDTH).to_numpy(dtype=float)


def coverage_summary(layers: Layers) -> str:
    """One line for a map's subtitle: stations, share of residents covered, blind spots."""
    stations = layers["stations"]
    demand = layers["demand"]
    blind_spots = layers["blind_spots"]
    total = float(demand["residents"].sum())
    covered = float(demand.loc[demand["covered"], "residents"].sum())
    share = coverage_percent_text(covered, total)
    new = int((stations["status"] == "new").sum())
    return (
        f"{len(stations)} stations ({new} new) · {share} of residents covered · "
        f"{len(blind_spots)} blind spots with {blind_spots['residents'].sum():,.0f} residents"
    )
