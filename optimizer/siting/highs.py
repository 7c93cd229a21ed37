"""Solve a ``MipModel`` with HiGHS (``highspy``), passing the model as arrays in one call."""

from __future__ import annotations

import time

import highspy
import numpy as np

from optimizer import stop
from optimizer.siting.mip import MipModel, MipResult
from optimizer.solve import status_from_highs

_ROWWISE = int(highspy.MatrixFormat.kRowwise.value)
_MINIMIZE = int(highspy.ObjSense.kMinimize.value)
_FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible.value)


def run_highs(
    model: MipModel,
    *,
    time_limit_seconds: float | None,
    mip_rel_gap: float,
    threads: int | None,
    seed: int,
) -> MipResult:
    """Solve ``model`` with HiGHS.

    Args:
        model: the model (minimised).
        time_limit_seconds: wall-clock limit for HiGHS, ``None`` for none.
        mip_rel_gap: relative gap at which HiGHS may declare optimality.
        threads: HiGHS thread count (``None``: HiGHS default).
        seed: HiGHS ``random_seed``, for reproducible runs.

    Returns:
        The ``MipResult``; ``status`` is mapped by ``optimizer.solve.status_from_highs``.
    """
    started = time.perf_counter()
    highs = load_highs(
        model,
        time_limit_seconds=time_limit_seconds,
        mip_rel_gap=mip_rel_gap,
        threads=threads,
        seed=seed,
    )
    if model.start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = model.start.tolist()
        solution.value_valid = True
        highs.setSolution(solution)
    stop.run_highs(highs)
    info = highs.getInfo()
    has_solution = int(info.primal_solution_status) == _FEASIBLE
    model_status = highs.getModelStatus()
    name = model_status.name
    if name == "kUnboundedOrInfeasible":  # siting models are bounded: this means infeasible
        name = "kInfeasible"
    status = status_from_highs(name, has_solution=has_solution)
    values = np.asarray(highs.getSolution().col_value) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    trivial = model.trivial_bound()
    if trivial is not None and (bound is None or trivial > bound):
        bound = trivial  # HiGHS stopped before its root LP: bound from column bounds
    return MipResult(
        status=status,
        values=values,
        objective=objective,
        bound=bound,
        seconds=time.perf_counter() - started,
        solver="highs",
    )


def load_highs(
    model: MipModel,
    *,
    time_limit_seconds: float | None,
    mip_rel_gap: float,
    threads: int | None,
    seed: int,
) -> highspy.Highs:
    """A silent ``highspy.Highs`` holding ``model`` (its start not set) and the options that
    ``run_highs`` documents."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", int(seed))
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if time_limit_seconds is not None:
        highs.setOptionValue("time_limit", max(float(time_limit_seconds), 0.0))
    if threads is not None:
        highs.setOptionValue("threads", int(threads))
    for name, value in model.highs_options.items():
        highs.setOptionValue(name, value)
    matrix = model.matrix
    highs.passModel(
        model.n_cols,
        matrix.shape[0],
        matrix.nnz,
        _ROWWISE,
        _MINIMIZE,
        float(model.offset),
        np.ascontiguousarray(model.cost, dtype=np.float64),
        np.ascontiguousarray(model.lower, dtype=np.float64),
        np.ascontiguousarray(model.upper, dtype=np.float64),
        np.ascontiguousarray(model.row_lower, dtype=np.float64),
        np.ascontiguousarray(model.row_upper, dtype=np.float64),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        model.integer.astype(np.int32),
    )
    return highs
