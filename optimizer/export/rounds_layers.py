"""The mobile-rounds plan as GIS layers: the places with their status, the stations the
vehicles start from, the stops and the routes; for the maps, the extract's roads.

The contract (``ROUNDS``) follows ``export.layers``: every layer format of ``export.sinks``
writes these layers (``rounds.gpkg``, ``routes.parquet``, ...); ``roads`` is drawn on the maps
only. Layers are in EPSG:4326. A route's line follows the drivable roads from its station
through its stops and back.
"""

from __future__ import annotations

from optimizer.export.layers import LINE, POINT, ROADS, Attribute, Layer, LayerSet

PLACE_STATUSES = ("visited", "covered", "urban", "unreachable", "beyond_shift")
"""What the rounds do for a place (``pipeline.rounds_inputs.RoundsInputs``)."""

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
            "visited by the rounds; covered by a station within the coverage minutes; urban:"
            " in an urban district, left to the stations; unreachable: farther than"
            " max_snap_meters from a drivable road; beyond_shift: no vehicle can visit it and"
            " be back within a shift.",
            PLACE_STATUSES,
        ),
        Attribute("reason", "str", "", 'Why the place is not visited; "" when it is.'),
    ),
)

ROUNDS_STATIONS = Layer(
    "rounds_stations",
    POINT,
    "The stations the vehicles start and end at.",
    (
        Attribute("id", "str", "", "Station id, as in the stations file."),
        Attribute("vehicles", "int", "vehicles", "The most vehicles it sends out on one day."),
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
        Attribute(
            "start_minutes", "float", "minutes", "Start of the stop (after a wait or a break)."
        ),
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
        Attribute("breaks", "int", "", "Breaks the crew takes on the round."),
    ),
)

ROUNDS = LayerSet(
    "rounds plan",
    "rounds.gpkg",
    {layer.name: layer for layer in (ROUNDS_PLACES, ROUNDS_STATIONS, STOPS, ROUTES, ROADS)},
    ROUNDS_PLACES.name,
    map_only=(ROADS.name,),
)
"""The rounds plan's layers, in the order they are written; ``roads`` is optional and drawn on
the maps only."""
