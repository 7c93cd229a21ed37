"""The credit line every map prints, kept apart from the map styles so that code which only
records it (a plan's ``summary.json``) loads no drawing or table library."""

OSM_ATTRIBUTION = "© OpenStreetMap contributors"


def map_credit(data_credit: str | None, *, openstreetmap: bool = True) -> str:
    """The credit line a map prints: OpenStreetMap's (when its data is drawn or measured on)
    and the scenario's ``outputs.credit`` for the rest of its data."""
    parts = [OSM_ATTRIBUTION] if openstreetmap else []
    return "; ".join([*parts, *([data_credit] if data_credit else [])])
