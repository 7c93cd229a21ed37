"""Published vehicle-routing instances solved by the rounds engine: ``solomon`` (VRPTW),
``cvrplib`` (CVRP, X instances), ``pvrp`` (Cordeau's periodic VRP)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from optimizer.errors import DataError
from optimizer.formats.cvrplib import read_cvrplib
from optimizer.formats.pvrp import read_pvrp
from optimizer.formats.solomon import read_solomon
from optimizer.rounds import RoundsPlan, RoundsProblem, RoundsSettings, solve_rounds
from optimizer.rounds.settings import RoutingEngine
from optimizer.solve import SolveReport, SolverLimits

ROUNDS_FORMATS = ("solomon", "cvrplib", "pvrp")
"""The instance formats the rounds engine solves."""

OBJECTIVE_DECIMALS = 2
"""Every set's cost is reported to 2 decimals (X costs are sums of integers)."""


def read_rounds_instance(
    format_name: str, path: str | Path, *, vehicles: int | None = None
) -> tuple[RoundsProblem, RoundsSettings]:
    """Read ``path`` as ``format_name`` and the settings its benchmark's objective needs.

    Solomon without ``vehicles`` ranks fewest vehicles first (the hierarchical objective of
    its best-known table); with ``vehicles``, and for the other sets, only distance counts
    within the fleet.

    Raises:
        DataError: unknown format, ``vehicles`` with another format than ``solomon``, a
            missing file or one that does not follow the format.
    """
    if format_name not in ROUNDS_FORMATS:
        raise DataError(path, f"unknown format {format_name!r}; expected one of {ROUNDS_FORMATS}")
    if vehicles is not None and format_name != "solomon":
        raise DataError("--vehicles", "only the solomon format takes a fleet size")
    if not Path(path).is_file():
        raise DataError(path, "no such file")
    if format_name == "solomon":
        objective = "vehicles_then_driving" if vehicles is None else "driving"
        return read_solomon(path, vehicles=vehicles), RoundsSettings(objective=objective)
    problem = read_cvrplib(path) if format_name == "cvrplib" else read_pvrp(path)
    return problem, RoundsSettings(objective="driving")


def solve_rounds_instance(
    format_name: str,
    path: str | Path,
    limits: SolverLimits,
    *,
    vehicles: int | None = None,
    engine: RoutingEngine = "pyvrp",
) -> tuple[RoundsProblem, RoundsPlan | None, SolveReport]:
    """Read and solve one published routing instance.

    Args:
        format_name: ``solomon``, ``cvrplib`` or ``pvrp``.
        path: the instance file.
        limits: time limit and seed.
        vehicles: Solomon only: the fixed fleet size.
        engine: the day solver, ``pyvrp`` or ``ortools``.

    Returns:
        (problem, plan, report); the report's objective is the total distance in the set's
        convention, rounded to 2 decimals; the plan is ``None`` without a solution.
    """
    problem, settings = read_rounds_instance(format_name, path, vehicles=vehicles)
    settings = dataclasses.replace(settings, engine=engine)
    plan, report = solve_rounds(problem, settings, limits)
    if report.objective is not None:
        report = dataclasses.replace(report, objective=round(report.objective, OBJECTIVE_DECIMALS))
    return problem, plan, report
