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
INTERLEAVED_FULL_SUBSOLVERS = ("default_lp", "core")
"""The whole-model subsolvers of CP-SAT's interleaved (deterministic) search; its
neighbourhood (LNS) and local-search subsolvers run beside them as always. Left to itself,
the interleaved search takes turns among all nine whole-model subsolvers, as it would on
nine workers, and gives the neighbourhoods about a fifth of the time: on
``tourist-peak.yaml``'s roster (two workers, 60 s) its 303 came at deterministic time 36.2
and 301 never; with these two, 303 at 19.8, its first roster covering all demand at 0.3
(``core``'s; with ``default_lp`` alone, at 9.8, after the fallback's wait). Scaled to
140 and 280 staff and to eight weeks (90 s): 2,364, 12,616 and 156,984,764 before, 2,225,
9,505 and 93,810,582 with them (bounds 2,220, 9,500 and 85.8 M)."""


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
    if settings.deterministic:
        solver.parameters.subsolvers.extend(INTERLEAVED_FULL_SUBSOLVERS)
    return solver
