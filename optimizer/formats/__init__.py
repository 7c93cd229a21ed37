"""Readers of published benchmark formats; each builds the same problem type the engines solve.

``solve_published_instance(format_name, path, time_limit_seconds=...)`` reads and solves one
instance: formats ``orlib-pmed`` (p-median), ``orlib-scp`` (set covering), ``orlib-cap``
(uncapacitated facility location).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optimizer.errors import DataError
from optimizer.formats.orlib import (
    PublishedInstance,
    read_orlib_cap,
    read_orlib_pmed,
    read_orlib_scp,
)
from optimizer.siting import SitingPlan, solve_siting
from optimizer.solve import SolveReport, SolverLimits

READERS: dict[str, Callable[[str | Path], PublishedInstance]] = {
    "orlib-pmed": read_orlib_pmed,
    "orlib-scp": read_orlib_scp,
    "orlib-cap": read_orlib_cap,
}


def read_published_instance(format_name: str, path: str | Path) -> PublishedInstance:
    """Read ``path`` in the published format ``format_name`` (one of ``READERS``).

    Raises:
        DataError: unknown format, or the file does not follow it.
    """
    reader = READERS.get(format_name)
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise DataError(path, f"unknown format {format_name!r}; expected one of {known}")
    if not Path(path).is_file():
        raise DataError(path, "no such file")
    return reader(path)


def solve_published_instance(
    format_name: str, path: str | Path, limits: SolverLimits
) -> tuple[SitingPlan, SolveReport]:
    """Read and solve one published instance with the siting engine (HiGHS).

    Args:
        format_name: ``orlib-pmed``, ``orlib-scp`` or ``orlib-cap``.
        path: the instance file.
        limits: time limit, relative gap, threads and seed.

    Returns:
        (plan, report); ``report.objective`` is the instance's objective (sum of distances,
        total column cost, or fixed + allocation cost).
    """
    instance = read_published_instance(format_name, path)
    return solve_siting(instance.problem, instance.settings, limits)


__all__ = [
    "READERS",
    "PublishedInstance",
    "read_published_instance",
    "solve_published_instance",
]
