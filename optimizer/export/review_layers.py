"""The outlet review as GIS layers: the outlets with their reading, and the lines from each
outlet the review would close to the outlets that take its residents; on a road network, the
extract's roads for the maps (``roads``, drawn but not written, as the dispatch plan's).

The contract (``REVIEW``) follows ``export.layers``: every format of ``export.sinks`` writes
these layers (``review.gpkg``, ``outlets.parquet``, ...), and ``layers_markdown(REVIEW)``
renders them as the README's tables. Layers are in EPSG:4326, as the outlets file gives their
points.
"""

from __future__ import annotations

from optimizer.export.layers import LINE, POINT, ROADS, Attribute, Layer, LayerSet

CLOSES_BY = ("recommended merge", "joint closure", "both")
"""Why a ``receivers`` line is drawn: the outlet's recommended option is a merge, it is in the
joint closure, or both."""

OUTLETS = Layer(
    "outlets",
    POINT,
    "Every outlet at its point, with its volume, its streak below the threshold and what the"
    " review recommends.",
    (
        Attribute("outlet", "str", "", "Outlet id, as in the outlets file."),
        Attribute("name", "str", "", "Outlet name, as in the outlets file."),
        Attribute("type", "str", "", "Outlet type, as in the outlets file."),
        Attribute(
            "recent_volume_per_month",
            "float",
            "visits per month",
            "Mean volume of its last 12 counted months.",
        ),
        Attribute(
            "current_streak_months",
            "int",
            "months",
            "Consecutive months below the threshold up to the last month.",
        ),
        Attribute("flagged", "bool", "", "Whether the streak reaches the review's length."),
        Attribute(
            "recommendation",
            "str",
            "",
            "The cheapest option that keeps every rule (merge, relocate or a transformation);"
            " empty when the outlet is not flagged or no option passes.",
        ),
        Attribute(
            "annual_saving",
            "float",
            "currency per year",
            "What the recommended option saves (NaN without one).",
        ),
        Attribute(
            "closes_jointly", "bool", "", "Whether the joint closure closes it with the others."
        ),
    ),
)

RECEIVERS = Layer(
    "receivers",
    LINE,
    "Lines from each outlet the review would close (its recommended merge, or the joint"
    " closure) to the outlets that take its residents.",
    (
        Attribute("outlet", "str", "", "Id of the outlet that closes."),
        Attribute("outlet_name", "str", "", "Its name."),
        Attribute("receiver", "str", "", "Id of the outlet taking its residents."),
        Attribute("receiver_name", "str", "", "Its name."),
        Attribute(
            "resident_share",
            "float",
            "share (0–1)",
            "Share of the closing outlet's moved residents whose nearest outlet becomes the"
            " receiver.",
        ),
        Attribute("closes_by", "str", "", "Why the outlet would close.", CLOSES_BY),
    ),
)

REVIEW = LayerSet(
    "outlet review",
    "review.gpkg",
    {layer.name: layer for layer in (OUTLETS, RECEIVERS, ROADS)},
    OUTLETS.name,
    map_only=(ROADS.name,),
)
"""The outlet review's layers, in the order they are written; ``roads`` is optional and drawn
on the maps only."""
