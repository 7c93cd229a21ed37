"""Reader of Cordeau, Gendreau & Laporte's periodic VRP files (p01–p32, pr01–pr10).

``type m n t``; ``t`` lines ``D Q`` (route duration limit, 0 = none; capacity); then ``n + 1``
lines ``i x y d q f a`` and ``a`` day combinations, line 0 the depot. A combination is a
``t``-bit mask, day 1 the leftmost bit. ``m`` vehicles a day; ``q`` is delivered on every
visit. Distances are Euclidean in double precision, service excluded.

Traps the reader keeps: p11's customer 131 has ``f = 0`` with one-day combinations (its
frequency is taken from them); p01's customer 51 sits on the depot with a full load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from optimizer.errors import DataError
from optimizer.formats.solomon import euclidean_minutes
from optimizer.formats.tokens import Tokens
from optimizer.rounds import RoundsProblem


def read_pvrp(path: str | Path) -> RoundsProblem:
    """Read a Cordeau-format PVRP instance (type 1).

    Returns:
        A ``RoundsProblem`` over ``t`` days: one depot, ``m`` vehicles a day, each customer's
        allowed combinations as its day patterns; ``D`` as the shift limit when positive.

    Raises:
        DataError: another problem type, inconsistent day lines, or a customer line that does
            not follow the format (naming its line).
    """
    path = Path(path)
    tokens = Tokens(path)
    kind, vehicles, n, days = (int(v) for v in tokens.numbers(4, "'type m n t'", integer=True))
    if kind != 1:
        raise DataError(path, f"line 1: problem type {kind}; only 1 (PVRP) is read")
    if vehicles < 1 or n < 1 or not 1 <= days <= 62:
        raise DataError(path, f"line 1: bad header m={vehicles} n={n} t={days}")
    limits = tokens.numbers(2 * days, f"{days} day lines 'D Q'").reshape(-1, 2)
    if (limits != limits[0]).any():
        raise DataError(path, "the day lines differ; only one duration and capacity is read")
    duration, capacity = float(limits[0, 0]), int(limits[0, 1])
    rows = np.empty((n + 1, 5))
    patterns: list[tuple[int, ...]] = []
    for number in range(n + 1):
        line = tokens.lines[min(tokens.position, len(tokens.lines) - 1)]
        rows[number] = tokens.numbers(5, f"'i x y d q' of customer {number}")
        frequency = tokens.integer(f"the frequency f of customer {number}")
        count = tokens.integer(f"the combination count a of customer {number}")
        options = tokens.numbers(count, f"the combinations of customer {number}", integer=True)
        if rows[number, 0] != number:
            raise DataError(
                path, f"line {line}: customer number {rows[number, 0]:g}, expected {number}"
            )
        if number == 0:
            continue
        bits = {bin(int(o)).count("1") for o in options}
        if count < 1 or not ((options >= 1) & (options < 1 << days)).all() or len(bits) != 1:
            raise DataError(path, f"line {line}: customer {number}: bad day combinations")
        if frequency not in (0, *bits):
            raise DataError(
                path,
                f"line {line}: customer {number}: f={frequency}, combinations of {bits.pop()} days",
            )
        patterns.append(tuple(int(o) for o in options))
    tokens.expect_end()
    customers = rows[1:]
    if (customers[:, 3:] < 0).any():
        raise DataError(path, "a service time or demand is negative")
    return RoundsProblem(
        travel_minutes=euclidean_minutes(rows[:, 1:3]),
        depots=(0,),
        place_location=np.arange(1, n + 1),
        place_names=tuple(str(i) for i in range(1, n + 1)),
        stop_minutes=customers[:, 3],
        demand=customers[:, 4].astype(np.int64),
        window_open_minutes=np.zeros(n),
        window_close_minutes=np.full(n, np.inf),
        patterns=tuple(patterns),
        period_days=days,
        vehicles_per_day=vehicles,
        capacity=capacity,
        shift_minutes=duration if duration > 0 else None,
        name=path.name,
    )
