"""Alternative solvers for a ``MipModel``: CBC through PuLP, and OR-Tools CP-SAT.

Both read the same CSR arrays as HiGHS, one expression per row (never per demand/site pair).
Statuses are taken from the solvers themselves: PuLP's ``status`` calls a time-limited run
"Optimal", so CBC's own result line and bound are read from its log.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from optimizer import stop
from optimizer.errors import SolverError
from optimizer.siting.mip import MipModel, MipResult
from optimizer.solve import SolveStatus

_CBC_BOUND = re.compile(r"^Lower bound:\s+(\S+)", re.MULTILINE)
_MAX_SCALE_DIGITS = 6


def _rows(model: MipModel) -> Iterator[tuple[int, np.ndarray, np.ndarray, float, float]]:
    """(row index, column indices, coefficients, lower, upper) per row of ``model``."""
    matrix = model.matrix
    for row in range(matrix.shape[0]):
        span = slice(matrix.indptr[row], matrix.indptr[row + 1])
        yield (
            row,
            matrix.indices[span],
            matrix.data[span],
            model.row_lower[row],
            model.row_upper[row],
        )


def run_cbc(
    model: MipModel,
    *,
    time_limit_seconds: float | None,
    mip_rel_gap: float,
    threads: int | None,
    seed: int,
) -> MipResult:
    """Solve ``model`` with CBC via PuLP (same arguments as ``run_highs``)."""
    import pulp

    started = time.perf_counter()
    problem = pulp.LpProblem("siting", pulp.LpMinimize)
    columns = [
        pulp.LpVariable(
            f"x{j}",
            lowBound=float(low) if np.isfinite(low) else None,
            upBound=float(up) if np.isfinite(up) else None,
            cat=pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for j, (low, up, integer) in enumerate(
            zip(model.lower, model.upper, model.integer, strict=True)
        )
    ]
    used = np.flatnonzero(model.cost)
    problem += pulp.LpAffineExpression([(columns[j], float(model.cost[j])) for j in used])
    for row, cols, values, low, up in _rows(model):
        expression = pulp.LpAffineExpression(
            [(columns[j], float(v)) for j, v in zip(cols, values, strict=True)]
        )
        if low == up:
            problem += pulp.LpConstraint(expression, pulp.LpConstraintEQ, f"r{row}", float(low))
            continue
        if np.isfinite(low):
            problem += pulp.LpConstraint(expression, pulp.LpConstraintGE, f"r{row}l", float(low))
        if np.isfinite(up):
            problem += pulp.LpConstraint(expression, pulp.LpConstraintLE, f"r{row}u", float(up))
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False,
            timeLimit=time_limit_seconds,
            gapRel=mip_rel_gap,
            threads=threads,
            logPath=str(log_path),
            options=[f"randomCbcSeed {seed + 1}"],
        )
        problem.solve(solver)
        log = log_path.read_text() if log_path.exists() else ""
    solution_status = problem.sol_status
    if solution_status == pulp.LpSolutionInfeasible or problem.status == pulp.LpStatusInfeasible:
        return MipResult(
            SolveStatus.INFEASIBLE, None, None, None, time.perf_counter() - started, "cbc"
        )
    if solution_status not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        status = SolveStatus.TIME_LIMIT_NO_SOLUTION if time_limit_seconds else SolveStatus.ERROR
        return MipResult(status, None, None, None, time.perf_counter() - started, "cbc")
    values = np.array([column.varValue or 0.0 for column in columns])
    objective = float(model.cost @ values + model.offset)
    proven = solution_status == pulp.LpSolutionOptimal and "Result - Optimal" in log
    match = _CBC_BOUND.search(log)
    cbc_bound = float(match.group(1)) + model.offset if match else None
    bound = objective if proven else cbc_bound
    return MipResult(
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        values=values,
        objective=objective,
        bound=bound,
        seconds=time.perf_counter() - started,
        solver="cbc",
    )


def _integral_row(
    values: np.ndarray, low: float, up: float, row: int
) -> tuple[np.ndarray, float, float]:
    """Row scaled by a power of ten so its coefficients are integers; bounds tightened."""
    for digits in range(_MAX_SCALE_DIGITS + 1):
        scaled = values * 10.0**digits
        if np.allclose(scaled, np.rint(scaled), rtol=0, atol=1e-9):
            factor = 10.0**digits
            low = float(np.ceil(low * factor - 1e-6)) if np.isfinite(low) else low
            up = float(np.floor(up * factor + 1e-6)) if np.isfinite(up) else up
            return np.rint(scaled).astype(np.int64), low, up
    raise SolverError(f"cp-sat needs integer coefficients; row {row} has {values[:3]}...")


def run_cpsat(
    model: MipModel,
    *,
    time_limit_seconds: float | None,
    mip_rel_gap: float,
    threads: int | None,
    seed: int,
) -> MipResult:
    """Solve ``model`` with CP-SAT (same arguments as ``run_highs``).

    CP-SAT has integer variables only: the continuous columns of siting models (``u`` and
    ``z``) are fractions in [0, 1] whose optimum is 0/1 once sites are binary, so they become
    0/1 integers. Rows are scaled to integer coefficients (up to 10^6); the objective may be
    fractional.
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    cp = cp_model.CpModel()
    upper = np.where(model.integer, model.upper, np.minimum(model.upper, 1.0))
    columns = [
        cp.new_int_var(int(np.ceil(low - 1e-9)), int(np.floor(up + 1e-9)), f"x{j}")
        for j, (low, up) in enumerate(zip(model.lower, upper, strict=True))
    ]
    for row, cols, values, low, up in _rows(model):
        coefficients, low, up = _integral_row(values, low, up, row)
        expression = cp_model.LinearExpr.weighted_sum(
            [columns[j] for j in cols], coefficients.tolist()
        )
        if np.isfinite(low):
            cp.add(expression >= int(low))
        if np.isfinite(up):
            cp.add(expression <= int(up))
    used = np.flatnonzero(model.cost)
    costs = model.cost[used]
    if np.array_equal(costs, np.rint(costs)):  # integer objectives get CP-SAT's exact bounds
        costs = costs.astype(np.int64)
    cp.minimize(cp_model.LinearExpr.weighted_sum([columns[j] for j in used], costs.tolist()))
    solver = cp_model.CpSolver()
    if time_limit_seconds is not None:
        solver.parameters.max_time_in_seconds = float(time_limit_seconds)
    if threads is not None:
        solver.parameters.num_workers = int(threads)
    solver.parameters.random_seed = int(seed)
    solver.parameters.relative_gap_limit = float(mip_rel_gap)
    code = stop.run_cp_sat(solver, cp)
    seconds = time.perf_counter() - started
    if code == cp_model.INFEASIBLE:
        return MipResult(SolveStatus.INFEASIBLE, None, None, None, seconds, "cp-sat")
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = (
            SolveStatus.TIME_LIMIT_NO_SOLUTION if code == cp_model.UNKNOWN else SolveStatus.ERROR
        )
        return MipResult(status, None, None, None, seconds, "cp-sat")
    values = np.array([solver.value(column) for column in columns], dtype=float)
    return MipResult(
        status=SolveStatus.OPTIMAL if code == cp_model.OPTIMAL else SolveStatus.FEASIBLE,
        values=values,
        objective=float(model.cost @ values + model.offset),
        bound=float(solver.best_objective_bound) + model.offset,
        seconds=seconds,
        solver="cp-sat",
    )
