"""``RoundsSettings``: which routing engine solves each day, and what it minimises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from optimizer import choices

RoutingEngine = Literal[tuple(choices.ROUTING_ENGINES)]  # type: ignore[valid-type]
ROUTING_ENGINES: tuple[str, ...] = tuple(choices.ROUTING_ENGINES)
RoundsObjective = Literal[tuple(choices.ROUNDS_OBJECTIVES)]  # type: ignore[valid-type]
ROUNDS_OBJECTIVES: tuple[str, ...] = tuple(choices.ROUNDS_OBJECTIVES)


@dataclass(frozen=True)
class RoundsSettings:
    """Solver settings (time, threads and seed are ``SolverLimits``).

    Attributes:
        engine: the day solver: ``pyvrp`` (PyVRP's iterated local search) or ``ortools``
            (OR-Tools routing, guided local search).
        objective: ``vehicles_then_driving``: fewest vehicles on each day, then fewest driving
            minutes; ``driving``: fewest driving minutes with the fleet the problem allows.
        ticks_per_minute: the integer resolution the day solvers work in (both take integer
            times); travel times are rounded up to it, so a plan they find keeps every window
            and shift at full precision.
        start_share: with ``engine: ortools``, the share of the time limit given to solving
            every day once from the balanced start; the rest goes to the pattern search.
            PyVRP changes day patterns inside its own search and does not use it.
    """

    engine: RoutingEngine = "pyvrp"
    objective: RoundsObjective = "vehicles_then_driving"
    ticks_per_minute: int = 1000
    start_share: float = 0.5

    def __post_init__(self) -> None:
        if self.engine not in ROUTING_ENGINES:
            raise ValueError(f"engine must be one of {ROUTING_ENGINES}, got {self.engine!r}")
        if self.objective not in ROUNDS_OBJECTIVES:
            raise ValueError(f"objective must be one of {ROUNDS_OBJECTIVES}")
        if self.ticks_per_minute < 1:
            raise ValueError("ticks_per_minute must be >= 1")
        if not 0 < self.start_share <= 1:
            raise ValueError("start_share must be in (0, 1]")
