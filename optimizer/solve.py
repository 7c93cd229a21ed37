"""``SolverLimits``, what every engine is given, and ``SolveReport``, what it says back.

Principle: a result is called ``optimal`` only when the solver proved it. A run stopped by the
time limit with a solution in hand is ``feasible`` and carries the best bound and the gap.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from enum import StrEnum

MAX_THREADS = 64
"""Most solver threads a run may ask for."""


GAP_TOLERANCE = 1e-6
"""Objective units by which an objective may exceed ``settled_at`` and still count as within
the gap (floating-point noise)."""


def settled_at(bound: float, relative_gap: float) -> float:
    """The objective at or below which a minimisation whose lower bound is ``bound`` is within
    ``relative_gap`` of it (``relative_gap`` below): ``bound / (1 - relative_gap)``, ``bound``
    itself at 0 (same unit as ``bound``; ``-inf`` for an unknown bound)."""
    return bound / (1.0 - relative_gap) if bound > 0 else bound


def settles(objective: float, settled_value: float | None) -> bool:
    """Whether ``objective`` is at most ``settled_value`` (``settled_at``'s value, same unit;
    ``None``: nothing settles the run), up to ``GAP_TOLERANCE``."""
    return settled_value is not None and objective <= settled_value + GAP_TOLERANCE


@dataclass(frozen=True, kw_only=True)
class SolverLimits:
    """How long and how hard every engine may search: built once per run (scenario ``solver``
    section, then command-line overrides) and passed to each engine, which honours all four.

    Attributes:
        time_limit_seconds: wall-clock limit of one engine's whole solve (every stage, model
            building included); ``None``: no limit (siting) or the engine's default (roster and
            dispatch MIP: 60 s).
        relative_gap: stop once the solution is proven within this relative gap of the bound;
            ``None``: the engine's default (siting 1e-6, roster and dispatch 0: exact).
        threads: solver threads; ``None``: the engine's default (HiGHS decides; CP-SAT 2).
        seed: random seed: the same inputs and seed give the same plan.
    """

    time_limit_seconds: float | None = None
    relative_gap: float | None = None
    threads: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_limit_seconds is not None and not self.time_limit_seconds > 0:
            raise ValueError(f"time_limit_seconds must be > 0, got {self.time_limit_seconds}")
        if self.relative_gap is not None and not 0 <= self.relative_gap < 1:
            raise ValueError(f"relative_gap must be in [0, 1), got {self.relative_gap}")
        if self.threads is not None and not 1 <= self.threads <= MAX_THREADS:
            raise ValueError(f"threads must be in 1..{MAX_THREADS}, got {self.threads}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")

    def seconds_or(self, default_seconds: float) -> float:
        """The time limit, or ``default_seconds`` when none is set."""
        return default_seconds if self.time_limit_seconds is None else self.time_limit_seconds

    def deadline(self, started: float) -> float | None:
        """The ``time.perf_counter()`` reading at which the limit runs out; ``None``: never."""
        return None if self.time_limit_seconds is None else started + self.time_limit_seconds

    def within_gap(self, objective: float, bound: float | None) -> bool:
        """Whether a minimisation's ``objective`` is proven within the relative gap (0 when
        unset: exactly) of its lower ``bound`` (same unit; ``None``: unknown)."""
        return bound is not None and settles(objective, settled_at(bound, self.relative_gap or 0.0))


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
        notes: what the engine could not do as usual, and why (e.g. a rule that kept the
            roster engine from its column-generation start).
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    notes: tuple[str, ...] = ()

    @classmethod
    def measured(
        cls,
        *,
        status: SolveStatus,
        objective: float | None,
        bound: float | None,
        started: float,
        solver: str,
        notes: tuple[str, ...] = (),
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
            notes=notes,
        )

    @property
    def has_solution(self) -> bool:
        """True when a solution (proven optimal or not) is available."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict with the keys status, objective, bound, gap, seconds, solver, notes."""
        data = asdict(self)
        data["status"] = str(self.status)
        data["notes"] = list(self.notes)
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
