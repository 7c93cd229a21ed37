"""The dispatch plan as GIS layers: regions, moves and unmet demand, with the map's roads.

The contract (``DISPATCH``) follows ``export.layers``: every format of ``export.sinks`` writes
these layers as it writes a siting plan's (``dispatch.gpkg``, ``moves.parquet``, ...), and
``layers_markdown(DISPATCH)`` renders them as the README's tables. Layers are in EPSG:4326, as
the regions file gives their points. A move's line runs from the lender's point to the
receiver's; a partner filling in at home (lender and receiver the same region) is a line of
length zero. The ``roads`` layer (the siting plan's, from the scenario's OSM extract) is drawn
on the maps but not written: the siting plan's files hold it, and ``svcplan plan`` writes both
plans' files into one folder, where ``roads.parquet`` and the like would clash.
"""

from __future__ import annotations

from optimizer.dispatch_reasons import UNMET_REASONS
from optimizer.export.layers import LINE, POINT, ROADS, Attribute, Layer, LayerSet

REGIONS = Layer(
    "regions",
    POINT,
    "Dispatch regions at their points, with what the plan moves in and out and leaves unmet.",
    (
        Attribute("region", "str", "", "Region id, as in the regions file."),
        Attribute(
            "name",
            "str",
            "",
            "What planners call the region: the regions file's `name`, else the nearest named"
            " street or place of the OSM extract, else the id.",
        ),
        Attribute("priority", "int", "", "The region's priority (1 = normal)."),
        Attribute(
            "received_units",
            "int",
            "units",
            "Units moved into the region, every resource type, partners filling in at home"
            " included.",
        ),
        Attribute("sent_units", "int", "units", "Own units the region sends away."),
        Attribute(
            "unmet_units",
            "int",
            "units",
            "Units of its demand left unmet, every resource type (`unmet_regions` says why).",
        ),
    ),
)

MOVES = Layer(
    "moves",
    LINE,
    "Moves of the plan: one line per lender, receiver and resource type.",
    (
        Attribute("from_region", "str", "", "Lending region's id."),
        Attribute("from_name", "str", "", "Lending region's name, as in `regions`."),
        Attribute("to_region", "str", "", "Receiving region's id."),
        Attribute("to_name", "str", "", "Receiving region's name."),
        Attribute("resource", "str", "", "Resource type (as in the resources file)."),
        Attribute(
            "lender",
            "str",
            "",
            "Whose units move: the lending region's own, or its partner pool's.",
            ("own", "partner"),
        ),
        Attribute("units", "int", "units", "Units moved."),
        Attribute(
            "depart_minute",
            "float",
            "minutes",
            "Minutes after the call the units leave (the lender's mobilisation minutes).",
        ),
        Attribute("arrive_minute", "float", "minutes", "Minutes after the call they arrive."),
        Attribute(
            "travel_minutes",
            "float",
            "minutes",
            "Travel minutes from lender to receiver (drive times, or the travel file's).",
        ),
    ),
)

UNMET_REGIONS = Layer(
    "unmet_regions",
    POINT,
    "Regions whose demand is left unmet, at their points: one row per region and resource"
    " type short, as in `unmet.csv`.",
    (
        Attribute("region", "str", "", "Region id."),
        Attribute("region_name", "str", "", "Region name, as in `regions`."),
        Attribute("resource", "str", "", "Resource type short."),
        Attribute("priority", "int", "", "The region's priority."),
        Attribute(
            "need_units",
            "int",
            "units",
            "Demand its own units left at home do not cover: what it needed from others.",
        ),
        Attribute("lent_units", "int", "units", "Its own units sent away."),
        Attribute("unmet_units", "int", "units", "Units of demand left unmet."),
        Attribute("reason", "str", "", "Why, computed from the plan.", UNMET_REASONS),
    ),
)

DISPATCH = LayerSet(
    "dispatch plan",
    "dispatch.gpkg",
    {layer.name: layer for layer in (REGIONS, MOVES, UNMET_REGIONS, ROADS)},
    REGIONS.name,
    map_only=(ROADS.name,),
)
"""The dispatch plan's layers, in the order they are written; ``roads`` is optional and drawn
on the maps only."""
