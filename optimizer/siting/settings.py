"""``SitingSettings``: what to optimise and how long to try."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from optimizer.choices import SITING_OBJECTIVES, SITING_SOLVERS

Objective = Literal[tuple(SITING_OBJECTIVES)]  # type: ignore[valid-type]
SolverName = Literal[tuple(SITING_SOLVERS)]  # type: ignore[valid-type]
OBJECTIVES: tuple[str, ...] = tuple(SITING_OBJECTIVES)
SOLVERS: tuple[str, ...] = tuple(SITING_SOLVERS)
DEFAULT_RELATIVE_GAP = 1e-6
"""Relative gap at which a siting solve counts as optimal when the limits do not set one."""


@dataclass(frozen=True, kw_only=True)
class SitingSettings:
    """Options of ``solve_siting`` (its time, gap, threads and seed are ``SolverLimits``).

    Attributes:
        objective: ``cover`` (fewest stations / least opening cost covering every coverable
            resident), ``max_cover`` (most residents covered with ``max_stations`` or
            ``budget``), ``min_travel`` (p-median: least resident-weighted minutes with exactly
            ``max_stations`` open), ``min_cost`` (opening cost + resident-weighted minutes),
            ``lexicographic`` (cover → fewest stations → least travel; the default).
        max_stations: the ``p`` of max_cover / min_travel; an upper limit elsewhere.
        budget: limit on the total opening cost (same unit as ``opening_cost``).
        solver: ``highs`` (default), ``cbc`` (via PuLP) or ``cp-sat``.
        residents_per_station: density rule, stations per urban district =
            ceil(residents / this); applies when the problem has districts.
        density_rule: apply the density rule when the problem has districts.
        density_as_capacity: also cap each station at ``residents_per_station`` assigned
            residents: within ``coverage_minutes`` for the covering stages, to any reachable
            site for ``min_travel``/``min_cost``; travel is then measured along the assignment.
        presolve: merge identical demand points and drop dominated sites before solving.
        travel_cuts_above_levels: HiGHS solves travel stages whose radius formulation would
            have more levels (columns) than this by travel cuts (``travel_cuts``): one column
            per demand point and Benders cuts instead; ``None``: never.
    """

    objective: Objective = "lexicographic"
    max_stations: int | None = None
    budget: float | None = None
    solver: SolverName = "highs"
    residents_per_station: float = 5000.0
    density_rule: bool = True
    density_as_capacity: bool = False
    presolve: bool = True
    travel_cuts_above_levels: int | None = 100_000

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        unlimited = self.max_stations is None and (
            self.objective == "min_travel" or self.budget is None
        )
        if self.objective in ("max_cover", "min_travel") and unlimited:
            raise ValueError(f"objective {self.objective!r} needs max_stations (p)")
        if self.max_stations is not None and self.max_stations < 0:
            raise ValueError("max_stations must be >= 0")
        if self.residents_per_station <= 0:
            raise ValueError("residents_per_station must be > 0")
