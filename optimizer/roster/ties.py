"""One roster among a proven optimum's ties, defined by the model alone.

A roster problem usually has many optimal rosters (the synthetic two-site problem of the tests
has dozens at objective 25), and which one CP-SAT's parallel search reaches can differ from
run to run even with its interleaved, deterministic mode (the project's CI, 2026-12-05 and
-06: two runs in one process, the same inputs and seed, two rosters of the same objective).
``first_of_ties`` replaces that choice by one the model defines: of the rosters at the
optimum, the lexicographically largest in the model's choice order.
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from optimizer import stop

LEAST_SECONDS = 2.0
"""Least time the search for the first of the ties gets (within the time limit)."""
SOLVE_FACTOR = 2.0
"""The search for the first of the ties gets at most this many times the seconds the solve
took to prove its optimum (at least ``LEAST_SECONDS``). Measured with one worker: the
synthetic problem 0.07–0.13 s after a 0.25 s proof; Curtois–Qu Instance1 1.8–2.0 s after
0.4 s, but Instances 2 and 3 (proven in 2–12 s) not within 60 s."""


def seconds_for_ties(solve_seconds: float, seconds_left: float) -> float:
    """Seconds for ``first_of_ties`` after a solve that proved its optimum in
    ``solve_seconds``, with ``seconds_left`` before the time limit: ``SOLVE_FACTOR`` times
    the solve's, at least ``LEAST_SECONDS``, at most the time left (0 when none is)."""
    return max(0.0, min(max(LEAST_SECONDS, SOLVE_FACTOR * solve_seconds), seconds_left))


def first_of_ties(
    model: cp_model.CpModel,
    choices: list[cp_model.IntVar],
    objective: float,
    seconds: float,
) -> list[bool] | None:
    """Of the solutions of ``model`` whose objective is at most ``objective`` (the proven
    optimum), the lexicographically largest in ``choices`` (each choice taken when the
    earlier ones allow): a roster the model alone defines, whatever solution a search
    reached first, whatever its seed and thread timing.

    One worker searches depth first over ``choices`` in order, ones first (CP-SAT's fixed
    search); the clauses it learns exclude no solution, so the first solution it finds is the
    largest. ``model`` is not changed.

    Args:
        model: the roster's CP-SAT model, with an integer objective.
        choices: its choice variables, in the order that decides ties.
        objective: the proven optimal objective, in the model's objective units.
        seconds: time limit of the search.

    Returns:
        The choices' values, or ``None`` when the search found none in ``seconds``.
    """
    if seconds <= 0:
        return None
    tied = model.clone()
    goal = tied.proto.objective
    if goal.vars:
        total = cp_model.LinearExpr.weighted_sum(
            [tied.get_int_var_from_proto_index(index) for index in goal.vars], list(goal.coeffs)
        )
        scale = goal.scaling_factor or 1.0
        tied.add(total <= math.floor(objective / scale - goal.offset + 1e-6))
    tied.clear_objective()
    ordered = [tied.get_bool_var_from_proto_index(var.index) for var in choices]
    tied.add_decision_strategy(ordered, cp_model.CHOOSE_FIRST, cp_model.SELECT_MAX_VALUE)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.search_branching = cp_model.FIXED_SEARCH
    solver.parameters.max_time_in_seconds = seconds
    code = stop.run_cp_sat(solver, tied)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [bool(solver.boolean_value(var)) for var in ordered]
