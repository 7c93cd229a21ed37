"""Reader of CVRPLIB's TSPLIB-style CVRP files (the X instances of Uchoa et al. 2017).

Header lines ``KEY : value`` (``DIMENSION`` counts the depot; ``EDGE_WEIGHT_TYPE`` must be
``EUC_2D``; ``CAPACITY``), then ``NODE_COORD_SECTION`` (id x y), ``DEMAND_SECTION`` (id
demand) and ``DEPOT_SECTION`` (ids, ending with -1). Distances are TSPLIB's EUC_2D,
``nint(euclid)`` per edge, so a route's cost is a sum of integers. The fleet is unlimited (the
k in a name is not a limit), and there are no windows, stop times or route-length limits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.errors import DataError
from optimizer.formats.solomon import euclidean_minutes
from optimizer.formats.tokens import Tokens
from optimizer.rounds import RoundsProblem
from optimizer.tables import quoted, read_text


def _header(path: Path) -> dict[str, str]:
    """``KEY : value`` lines before the first section, keys upper-cased."""
    header: dict[str, str] = {}
    for line in read_text(path).splitlines():
        if line.strip().upper().endswith("_SECTION"):
            break
        key, colon, value = line.partition(":")
        if colon:
            header[key.strip().upper()] = value.strip()
    return header


def read_cvrplib(path: str | Path) -> RoundsProblem:
    """Read a CVRPLIB ``.vrp`` CVRP instance with EUC_2D distances.

    Returns:
        A one-day ``RoundsProblem``: the depot and one place per customer (named by its node
        id), distances rounded per edge, capacity, no fleet limit.

    Raises:
        DataError: not a CVRP with EUC_2D distances, or a section that does not follow the format.
    """
    path = Path(path)
    header = _header(path)
    if header.get("EDGE_WEIGHT_TYPE", "").upper() != "EUC_2D":
        found = quoted(header.get("EDGE_WEIGHT_TYPE", "none"))
        raise DataError(path, f"EDGE_WEIGHT_TYPE must be EUC_2D, got {found}")
    try:
        dimension = int(header["DIMENSION"])
        capacity = int(header["CAPACITY"])
    except (KeyError, ValueError):
        raise DataError(path, "DIMENSION and CAPACITY must be integers in the header") from None
    if dimension < 2 or capacity < 1:
        raise DataError(path, f"bad header: DIMENSION {dimension}, CAPACITY {capacity}")
    tokens = Tokens(path)
    tokens.seek("NODE_COORD_SECTION")
    nodes = tokens.numbers(3 * dimension, f"{dimension} nodes 'id x y'").reshape(-1, 3)
    tokens.seek("DEMAND_SECTION")
    demands = tokens.numbers(2 * dimension, f"{dimension} demands 'id demand'", integer=True)
    demands = demands.reshape(-1, 2)
    tokens.seek("DEPOT_SECTION")
    depot = tokens.integer("the depot id")
    expected = np.arange(1, dimension + 1)
    if (nodes[:, 0] != expected).any() or (demands[:, 0] != expected).any():
        raise DataError(path, f"node ids must run 1..{dimension} in both sections")
    if depot != 1:
        raise DataError(path, f"the depot must be node 1, got {depot}")
    if (demands[:, 1] < 0).any() or (demands[1:, 1] > capacity).any():
        raise DataError(path, f"a demand is negative or exceeds the capacity {capacity}")
    minutes = np.floor(euclidean_minutes(nodes[:, 1:]) + 0.5)
    return RoundsProblem(
        travel_minutes=minutes,
        depots=(0,),
        place_location=np.arange(1, dimension),
        place_names=tuple(str(i) for i in range(2, dimension + 1)),
        stop_minutes=np.zeros(dimension - 1),
        demand=demands[1:, 1],
        window_open_minutes=np.zeros(dimension - 1),
        window_close_minutes=np.full(dimension - 1, np.inf),
        patterns=((1,),) * (dimension - 1),
        period_days=1,
        capacity=capacity,
        name=header.get("NAME", path.stem),
    )
