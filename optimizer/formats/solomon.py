"""Reader of Solomon's VRPTW text format (also Gehring–Homberger's, which is the same).

Line 1 the name; ``VEHICLE / NUMBER CAPACITY / K Q``; ``CUSTOMER`` and a header line; then
rows ``id x y demand ready due service``, row 0 the depot, whose due date closes the depot.
Travel minutes are Euclidean distances in double precision (the SINTEF convention: the total
is rounded to 2 decimals only when reported). The header's ``SERVICE TIME`` is two tokens, so
rows are read after it by count, not by header position.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.errors import DataError
from optimizer.formats.tokens import Tokens
from optimizer.rounds import RoundsProblem


def euclidean_minutes(xy: np.ndarray) -> np.ndarray:
    """(L, L) Euclidean distances between the rows of ``xy`` (L, 2), double precision."""
    return np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))


def read_solomon(path: str | Path, *, vehicles: int | None = None) -> RoundsProblem:
    """Read a Solomon or Gehring–Homberger VRPTW instance.

    Args:
        path: the instance file.
        vehicles: fleet size to fix; ``None``: the file's fleet (K), fewest used first.

    Returns:
        A one-day ``RoundsProblem``: the depot and one place per customer (named by its
        number), windows for the start of service, minutes as distances.

    Raises:
        DataError: the file does not follow the format (naming the line), or ``vehicles < 1``.
    """
    path = Path(path)
    tokens = Tokens(path)
    name = tokens.take(1, "the instance name")[0]
    tokens.seek("CAPACITY")
    fleet = tokens.integer("the vehicle number K")
    capacity = tokens.integer("the vehicle capacity Q")
    tokens.seek("SERVICE")
    tokens.seek("TIME")
    first = tokens.position
    count = tokens.remaining()
    if count == 0 or count % 7:
        raise DataError(
            path, f"expected customer rows of 7 numbers after the header, got {count} values"
        )
    rows = tokens.numbers(count, "the customer rows").reshape(-1, 7)
    lines = np.asarray(tokens.lines[first::7])
    ids = rows[:, 0]
    wrong = np.flatnonzero(ids != np.arange(len(rows)))
    if len(wrong):
        raise DataError(
            path, f"line {lines[wrong[0]]}: customer number {ids[wrong[0]]:g}, expected {wrong[0]}"
        )
    negative = np.flatnonzero((rows[:, 3:] < 0).any(axis=1))
    if len(negative):
        raise DataError(path, f"line {lines[negative[0]]}: negative demand, time or service")
    late = np.flatnonzero(rows[:, 5] < rows[:, 4])
    if len(late):
        raise DataError(path, f"line {lines[late[0]]}: due date before ready time")
    if vehicles is not None and vehicles < 1:
        raise DataError("--vehicles", f"must be at least 1, got {vehicles}")
    if fleet < 1 or capacity < 1:
        raise DataError(path, f"bad vehicle line: K={fleet} Q={capacity}")
    opens = rows[0, 4]
    customers = rows[1:]
    return RoundsProblem(
        travel_minutes=euclidean_minutes(rows[:, 1:3]),
        depots=(0,),
        place_location=np.arange(1, len(rows)),
        place_names=tuple(f"{int(i)}" for i in customers[:, 0]),
        stop_minutes=customers[:, 6],
        demand=customers[:, 3].astype(np.int64),
        window_open_minutes=np.maximum(customers[:, 4] - opens, 0.0),
        window_close_minutes=customers[:, 5] - opens,
        patterns=((1,),) * len(customers),
        period_days=1,
        vehicles_per_day=fleet if vehicles is None else vehicles,
        capacity=capacity,
        depot_close_minutes=float(rows[0, 5] - opens),
        name=name,
    )
