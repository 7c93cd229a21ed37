"""The run's ``SolverLimits``: the scenario's ``solver`` section with command-line overrides."""

from __future__ import annotations

from optimizer.scenario import SolverConfig
from optimizer.solve import SolverLimits


def solver_limits(
    solver: SolverConfig,
    *,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    threads: int | None = None,
    seed: int | None = None,
) -> SolverLimits:
    """The limits every engine of one run gets: each given override replaces the scenario's
    value (``None``: keep it)."""
    return SolverLimits(
        time_limit_seconds=(
            solver.time_limit_seconds if time_limit_seconds is None else time_limit_seconds
        ),
        relative_gap=solver.relative_gap if relative_gap is None else relative_gap,
        threads=solver.threads if threads is None else threads,
        seed=solver.seed if seed is None else seed,
    )
