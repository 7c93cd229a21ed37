"""``SolveReport``: what every engine says about how its solve went.

Principle: a result is called ``optimal`` only when the solver proved it. A run stopped by the
time limit with a solution in hand is ``feasible`` and carries the best bound and the gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from enum import StrEnum


class SolveStatus(StrEnum):
    """Outcome of one solve."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT_NO_SOLUTION = "time_limit_no_solution"
    ERROR = "error"


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap ``|objective - bound| / max(|objective|, 1e-9)``; ``None`` when unknown.

    Returns 0.0 when both are equal (including both zero).
    """
    if objective is None or bound is None:
        return None
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    difference = abs(objective - bound)
    if difference == 0.0:
        return 0.0
    return difference / max(abs(objective), 1e-9)


@dataclass(frozen=True)
class SolveReport:
    """How a solve went.

    Attributes:
        status: the outcome (see ``SolveStatus``).
        objective: objective value of the returned solution, in the engine's unit; ``None``
            when there is no solution.
        bound: best proven bound on the objective (lower bound when minimising).
        gap: relative gap between ``objective`` and ``bound`` (0.0 when proven optimal).
        seconds: wall-clock seconds spent in the solver, model building included.
        solver: name of the solver that ran, e.g. ``"highs"``, ``"cp-sat"``.
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str

    @classmethod
    def measured(
        cls,
        *,
        status: SolveStatus,
        objective: float | None,
        bound: float | None,
        started: float,
        solver: str,
    ) -> SolveReport:
        """A report whose gap is computed from ``objective`` and ``bound`` and whose seconds run
        from ``started`` (a ``time.perf_counter()`` reading) to now."""
        return cls(
            status=status,
            objective=objective,
            bound=bound,
            gap=relative_gap(objective, bound),
            seconds=time.perf_counter() - started,
            solver=solver,
        )

    @property
    def has_solution(self) -> bool:
        """True when a solution (proven optimal or not) is available."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with the keys status, objective, bound, gap, seconds, solver."""
        data = asdict(self)
        data["status"] = str(self.status)
        return data


_HIGHS_LIMIT_STATUSES = frozenset(
    {
        "kTimeLimit",
        "kIterationLimit",
        "kSolutionLimit",
        "kInterrupt",
        "kHighsInterrupt",
        "kMemoryLimit",
        "kObjectiveBound",
        "kObjectiveTarget",
    }
)


def status_from_highs(model_status: str, *, has_solution: bool) -> SolveStatus:
    """Map a HiGHS model status name (e.g. ``"kOptimal"``) to a ``SolveStatus``, honestly.

    Args:
        model_status: the ``HighsModelStatus`` member name, e.g. ``"kTimeLimit"``.
        has_solution: whether HiGHS holds a feasible primal solution.

    Returns:
        ``OPTIMAL`` only when HiGHS proved optimality (within its gap tolerance); a run stopped
        by a limit is ``FEASIBLE`` with a solution and ``TIME_LIMIT_NO_SOLUTION`` without;
        ``INFEASIBLE`` when proven infeasible; ``ERROR`` otherwise (including
        "unbounded or infeasible", which HiGHS cannot tell apart).
    """
    if model_status == "kOptimal":
        return SolveStatus.OPTIMAL if has_solution else SolveStatus.ERROR
    if model_status == "kInfeasible":
        return SolveStatus.INFEASIBLE
    if model_status in _HIGHS_LIMIT_STATUSES:
        return SolveStatus.FEASIBLE if has_solution else SolveStatus.TIME_LIMIT_NO_SOLUTION
    return SolveStatus.ERROR
