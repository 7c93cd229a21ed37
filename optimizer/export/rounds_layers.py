"""The mobile-rounds plan as GIS layers: the places with their status, the stops and the routes.

The contract (``ROUNDS``) follows ``export.layers``: every layer format of ``export.sinks``
writes these layers (``rounds.gpkg``, ``routes.parquet``, ...). Layers are in EPSG:4326. A
route's line follows the drivable roads from its station through its stops and back.
"""

from __future__ import annotations

from optimizer.export.layers import LINE, POINT, Attribute, Layer, LayerSet

PLACE_STATUSES = ("visited", "covered", "unreachable")

ROUNDS_PLACES = Layer(
    "rounds_places",
    POINT,
    "Every place of the places file, at its point, with what the rounds do for it.",
    (
        Attribute("id", "str", "", "Place id, as in the places file."),
        Attribute("name", "str", "", "Place name."),
        Attribute("residents", "float", "residents", "Residents, as in the places file."),
        Attribute(
            "status",
            "str",
            "",
            "visited by the rounds; covered by a station within the coverage minutes; or"
            " unreachable: farther than max_snap_meters from a drivable road.",
            PLACE_STATUSES,
        ),
    ),
)

STOPS = Layer(
    "stops",
    POINT,
    "Visits of the rounds at their places: one point per place, day and vehicle.",
    (
        Attribute("day", "int", "", "Day of the period, 1-based."),
        Attribute("vehicle", "int", "", "Vehicle of that day, 1-based."),
        Attribute("station", "str", "", "Station the vehicle starts and ends at."),
        Attribute("order", "int", "", "Position of the stop in the vehicle's round, 1-based."),
        Attribute("place_id", "str", "", "Place id."),
        Attribute("place", "str", "", "Place name."),
        Attribute("arrival_minutes", "float", "minutes", "Arrival, minutes after opening."),
        Attribute("departure_minutes", "float", "minutes", "End of the stop."),
        Attribute(
            "driving_minutes", "float", "minutes", "Driving from the previous stop or station."
        ),
    ),
)

ROUTES = Layer(
    "routes",
    LINE,
    "One line per vehicle and day along the roads, station to station through its stops.",
    (
        Attribute("day", "int", "", "Day of the period, 1-based."),
        Attribute("vehicle", "int", "", "Vehicle of that day, 1-based."),
        Attribute("station", "str", "", "Station the vehicle starts and ends at."),
        Attribute("stops", "int", "", "Stops on the round."),
        Attribute("driving_minutes", "float", "minutes", "Driving of the whole round."),
        Attribute("shift_minutes", "float", "minutes", "From leaving the station to being back."),
    ),
)

ROUNDS = LayerSet(
    "rounds plan",
    "rounds.gpkg",
    {layer.name: layer for layer in (ROUNDS_PLACES, STOPS, ROUTES)},
    ROUNDS_PLACES.name,
)
"""The rounds plan's layers, in the order they are written."""
