"""The comparison table of a sweep: one row per variant, its grid values and its siting
figures, with their units in the column names."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

FIGURES = (
    "status",
    "coverage_percent",
    "stations",
    "opening_cost",
    "mean_travel_minutes",
    "gap",
    "solve_seconds",
    "run_seconds",
)
"""The figures of each row after the variant's values: the solve's status; residents within
coverage_minutes, % of all; stations open; their opening cost (scenario cost units); mean
minutes to the nearest open station; the solve's relative gap (0: proven optimal); the siting
solve's seconds; the variant's whole run in seconds on its worker (empty when resumed)."""

FAILED = "failed"
"""The status of a variant whose run raised; its ``error`` says why."""


def variant_row(
    name: str,
    values: Mapping[str, Any],
    summary: Mapping[str, Any] | None,
    *,
    run_seconds: float | None = None,
    error: str | None = None,
    resumed: bool = False,
) -> dict[str, Any]:
    """One row of the table.

    Args:
        name: the variant's folder name.
        values: its grid values (dotted key → value); lists and mappings become JSON text.
        summary: its ``summary.json`` document (``None`` when it failed).
        run_seconds: the variant's run on its worker, seconds.
        error: why it failed.
        resumed: its outputs were complete already (``--resume``).

    Returns:
        ``variant``, the values, the ``FIGURES``, ``resumed`` and ``error``.
    """
    row: dict[str, Any] = {"variant": name}
    row.update({key: _cell(value) for key, value in values.items()})
    siting = (summary or {}).get("engines", {}).get("siting") if summary else None
    if siting is None:
        row.update(dict.fromkeys(FIGURES))
        row["status"] = FAILED if error is not None else "no siting"
    else:
        solve = siting["solve"]
        row.update(
            status=siting["status"],
            coverage_percent=siting["coverage_percent"],
            stations=siting["stations"],
            opening_cost=siting["opening_cost"],
            mean_travel_minutes=siting["mean_travel_minutes"],
            gap=solve["gap"],
            solve_seconds=solve["seconds"],
        )
    row["run_seconds"] = run_seconds
    row["resumed"] = resumed
    row["error"] = error
    return row


def _cell(value: Any) -> Any:
    """A grid value as a table cell: lists and mappings as compact JSON text."""
    return json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict) else value
