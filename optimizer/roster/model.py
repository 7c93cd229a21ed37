"""The roster's CP-SAT model: its variables with every hard rule and soft goal of ``rules``."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from ortools.sat.python import cp_model

from optimizer.roster.problem import RosterProblem
from optimizer.roster.rules import HARD_RULES, SOFT_GOALS, within_lending_limits
from optimizer.roster.settings import RosterSettings
from optimizer.roster.variables import RosterModel
from optimizer.solve import SolverLimits


def build_model(
    problem: RosterProblem,
    settings: RosterSettings,
    *,
    previous: pd.DataFrame | None = None,
    assumptions: bool = False,
    offered: Callable[[int, int], bool] | None = None,
) -> tuple[RosterModel, dict[int, tuple[str, int]]]:
    """The CP-SAT model of ``problem``.

    Args:
        problem: what to roster.
        settings: rule defaults, weights and solver options.
        previous: a previous roster's assignments, used as hint and for stability.
        assumptions: guard each hard rule of each employee by an assumption literal (for
            explaining infeasibility).
        offered: which (employee, requirement row) work choices to create beyond
            eligibility (``RosterModel.offered``); all when ``None``.

    Returns:
        The model and, when ``assumptions``, literal index → (rule name, employee index).
    """
    _check(problem)
    m = RosterModel(problem, settings, offered)
    guards: dict[int, tuple[str, int]] = {}
    literals = []
    for e in range(len(problem.employees)):
        for rule in HARD_RULES:
            constraints = rule.add(m, e)
            if assumptions and constraints:
                guard = m.model.new_bool_var(f"assume {rule.name} e{e}")
                for constraint in constraints:
                    constraint.only_enforce_if(guard)
                guards[guard.index] = (rule.name, e)
                literals.append(guard)
    within_lending_limits(m)
    if previous is not None:
        m.use_previous(previous)
    terms = [term for goal in SOFT_GOALS for term in goal(m)]
    m.model.minimize(
        cp_model.LinearExpr.weighted_sum([expr for _, expr in terms], [w for w, _ in terms])
    )
    m.model.add_assumptions(literals)
    return m, guards


def _check(problem: RosterProblem) -> None:
    """Raise ValueError for requirement rows naming an unknown shift type."""
    known = {shift.shift_id for shift in problem.shift_types}
    unknown = sorted({r.shift_id for r in problem.requirements} - known)
    if unknown:
        raise ValueError(f"requirements name unknown shift type(s) {', '.join(unknown)}")


DEFAULT_TIME_LIMIT_SECONDS = 60.0
"""Time limit of a roster solve when the limits set none."""
DEFAULT_WORKERS = 2
"""CP-SAT workers when the limits set no thread count (fixed, for reproducible runs)."""


def make_solver(
    settings: RosterSettings, limits: SolverLimits, time_limit_seconds: float
) -> cp_model.CpSolver:
    """A CP-SAT solver with the limits' workers, seed and relative gap, stopping after
    ``time_limit_seconds``."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_seconds)
    solver.parameters.num_workers = limits.threads or DEFAULT_WORKERS
    solver.parameters.random_seed = limits.seed
    solver.parameters.catch_sigint_signal = False  # SIGINT stops the run through optimizer.stop
    if limits.relative_gap is not None:
        solver.parameters.relative_gap_limit = limits.relative_gap
    solver.parameters.interleave_search = settings.deterministic
    return solver
