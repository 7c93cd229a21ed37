"""Large travel stages by Benders cuts: the sites' MIP with one travel column per demand point.

The radius formulation (``formulation``) spends a column and a row on every distinct reachable
minute of every demand point: 181,379 columns on Porto municipality's travel stage, whose root
LP alone takes 44 s. Here each demand point ``i`` has one column ``θ_i`` (its minutes to the
nearest open site) bounded below by cuts over the site columns ``y`` only: for a level
``D`` of ``i``'s sorted reachable minutes,

    θ_i >= D - sum_{j: d_ij < D} (D - d_ij) y_j,

valid because the nearest open site ``j`` is either closer than ``D`` (the right side is at most
``d_ij``) or not (it is at most ``D``). For given ``y``, the level where the ``y`` within reach
first add up to 1 gives the deepest cut; with every such cut the LP bound equals the radius
formulation's, and at integer ``y`` the cut is tight (Magnanti–Wong style cuts of the p-median
Benders decomposition, as in Duran-Mateos and Ljubić's work on large location problems).

The solve adds cuts in rounds: first on the LP relaxation (separated at a point between the LP
optimum and a stability centre, which needs far fewer rounds), then on the MIP, whose optimum is
re-checked against the true travel of its sites until the two agree; the best true plan found
so far is the incumbent, and a master bound at or above it proves it optimal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from optimizer import stop
from optimizer.siting.formulation import TravelLevels
from optimizer.siting.highs import load_highs
from optimizer.siting.mip import MipModel, MipResult, ModelBuilder
from optimizer.siting.problem import SitingProblem
from optimizer.solve import SolveStatus

STABILITY_WEIGHT = 0.5
"""Share of the stability centre in the point where LP cuts are separated (in-out method)."""
LP_TOLERANCE = 1e-7
"""Relative distance between the LP master and the travel of its point that ends the LP
rounds."""
PROOF_TOLERANCE = 1e-7
"""Relative tolerance of the proof that the best plan is optimal (the solver's own
tolerances are of this order)."""
_CUT_TOLERANCE = 1e-6
_FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible.value)
_INTEGER_TYPE = np.uint8(highspy.HighsVarType.kInteger.value)
_CONTINUOUS_TYPE = np.uint8(highspy.HighsVarType.kContinuous.value)


@dataclass(frozen=True)
class Separation:
    """The deepest cuts at one point, per ``θ`` column.

    Attributes:
        travel_minutes: the travel each cut gives at the point (the nearest open site's
            minutes when the point is 0/1).
        level_minutes: each cut's level ``D`` (its right-hand side).
        entries: indices into ``TravelLevels.entry_site`` of the sites in the cuts (those
            closer than ``D``), grouped by demand point.
        coefficients: ``D - d_ij`` of each of those entries.
    """

    travel_minutes: np.ndarray
    level_minutes: np.ndarray
    entries: np.ndarray
    coefficients: np.ndarray


@dataclass(frozen=True)
class TravelCuts:
    """The travel part of a master model: which columns are ``y`` and ``θ``, and the sorted
    reachable minutes (``TravelLevels``) the cuts are read from.

    Attributes:
        levels: each demand point's sorted reachable sites and distinct minutes.
        y: the site columns.
        theta: one column per demand point that reaches a site, in demand order.
    """

    levels: TravelLevels
    y: slice
    theta: slice

    def separate(self, site_values: np.ndarray) -> Separation:
        """The deepest cut of every demand point at ``site_values`` (the ``y`` columns)."""
        levels = self.levels
        with_levels = levels.reaching_demand()
        values = site_values[levels.entry_site]
        n_levels = len(levels.level_minutes)
        reached = np.cumsum(np.bincount(levels.entry_level, values, minlength=n_levels))
        before = np.concatenate([[0.0], reached])[levels.first_level[with_levels]]
        reached -= np.repeat(before, np.diff(levels.first_level)[with_levels])
        last = levels.first_level[with_levels + 1] - 1
        candidate = np.where(reached >= 1 - _CUT_TOLERANCE, np.arange(n_levels), n_levels)
        deepest = np.minimum(np.minimum.reduceat(candidate, levels.first_level[with_levels]), last)
        level_of_demand = np.full(len(levels.first_level) - 1, -1)
        level_of_demand[with_levels] = deepest
        cut_minutes = levels.level_minutes[deepest]
        entry_demand = levels.level_demand[levels.entry_level]
        entries = np.flatnonzero(levels.entry_level < level_of_demand[entry_demand])
        minutes_of_entry = levels.level_minutes[levels.entry_level[entries]]
        coefficients = (
            levels.level_minutes[level_of_demand[entry_demand[entries]]] - minutes_of_entry
        )
        saving = np.bincount(
            entry_demand[entries], coefficients * values[entries], minlength=len(level_of_demand)
        )[with_levels]
        return Separation(cut_minutes - saving, cut_minutes, entries, coefficients)

    def rows(self, cuts: Separation, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR arrays ``(starts, columns, values)`` of the cuts of the ``θ`` columns ``keep``
        (sorted positions among ``θ``) as rows ``θ_i + sum (D - d_ij) y_j >= D``."""
        levels = self.levels
        entries, coefficients = cuts.entries, cuts.coefficients
        with_levels = levels.reaching_demand()
        position = np.full(len(levels.first_level) - 1, -1)
        position[with_levels] = np.arange(len(with_levels))
        entry_position = position[levels.level_demand[levels.entry_level[entries]]]
        chosen = np.zeros(len(with_levels), dtype=bool)
        chosen[keep] = True
        use = chosen[entry_position]
        cut_of_entry = np.searchsorted(keep, entry_position[use])
        order = np.argsort(cut_of_entry, kind="stable")
        counts = np.bincount(cut_of_entry, minlength=len(keep)) + 1  # + the θ column
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        columns = np.empty(int(counts.sum()), dtype=np.int32)
        values = np.empty(len(columns))
        theta_at = starts + counts - 1
        site_at = np.setdiff1d(np.arange(len(columns)), theta_at, assume_unique=True)
        columns[site_at] = self.y.start + levels.entry_site[entries[use][order]]
        values[site_at] = coefficients[use][order]
        columns[theta_at] = self.theta.start + keep
        values[theta_at] = 1.0
        return starts.astype(np.int32), columns, values


def solve_by_travel_cuts(
    model: MipModel,
    cuts: TravelCuts,
    *,
    deadline: float | None,
    mip_rel_gap: float,
    threads: int | None,
    seed: int,
    polish: Callable[[np.ndarray], np.ndarray] | None = None,
) -> MipResult:
    """Solve a master ``model`` (the stage's rules, ``y`` and ``θ`` columns, no cuts yet) by
    rounds of travel cuts; ``model.start``, when set, is the first incumbent.

    ``polish`` maps a plan's column values to a plan under the same rules that is no worse
    (a local search); each round's master plan is polished, and the polished plan is a
    candidate too and adds its cuts, which takes the master to the optimum in fewer rounds.

    Returns:
        The best plan's column values, its true objective, and the master's bound: ``optimal``
        once the bound reaches the objective within ``mip_rel_gap``, ``feasible`` when the
        deadline or a stop comes first (``values`` is ``None`` without any plan).
    """
    started = time.perf_counter()
    highs = load_highs(model, time_limit_seconds=None, mip_rel_gap=0.0, threads=threads, seed=seed)
    integer = np.flatnonzero(model.integer).astype(np.int32)
    _set_integrality(highs, integer, _CONTINUOUS_TYPE)
    bound = _lp_rounds(highs, model, cuts, deadline)
    _drop_slack_cuts(highs, first_cut=model.matrix.shape[0])
    best, best_objective = None, np.inf
    if model.start is not None:
        best, best_objective, _ = _tightened(highs, model, cuts, model.start)
    _set_integrality(highs, integer, _INTEGER_TYPE)
    highs.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    status = SolveStatus.FEASIBLE
    found: list[np.ndarray] = []  # the master's improving solutions in one solve
    highs.cbMipImprovingSolution.subscribe(
        lambda event: found.append(np.array(event.data_out.mip_solution))
    )
    while not stop.requested() and not stop.past(deadline, time.perf_counter()):
        if deadline is not None:
            highs.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.0))
        if best is not None:
            highs.setSolution(_solution(best))
        found.clear()
        stop.run_highs(highs)
        finished = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
        info = highs.getInfo()
        if np.isfinite(info.mip_dual_bound):
            bound = max(bound, float(info.mip_dual_bound))
        if int(info.primal_solution_status) != _FEASIBLE:
            break
        added = 0
        for values in [*found, np.asarray(highs.getSolution().col_value)]:
            plan, objective, added = _tightened(highs, model, cuts, values)
            if objective < best_objective:
                best, best_objective = plan, objective
        if polish is not None:
            polished, objective, _ = _tightened(highs, model, cuts, polish(plan))
            if objective < best_objective:
                best, best_objective = polished, objective
        if bound >= best_objective - max(mip_rel_gap, PROOF_TOLERANCE) * abs(best_objective):
            status = SolveStatus.OPTIMAL
            break
        if not finished or added == 0:
            break  # time limit or interrupt inside HiGHS, or nothing left to cut
    return MipResult(
        status=status if best is not None else SolveStatus.TIME_LIMIT_NO_SOLUTION,
        values=best,
        objective=None if best is None else best_objective,
        bound=float(min(bound, best_objective)) if np.isfinite(bound) else None,
        seconds=time.perf_counter() - started,
        solver="highs",
    )


def _lp_rounds(
    highs: highspy.Highs, model: MipModel, cuts: TravelCuts, deadline: float | None
) -> float:
    """Cuts on the LP relaxation until its optimum's travel equals the master's (or the
    deadline); returns the LP bound (including the model's offset)."""
    centre = None
    weight = STABILITY_WEIGHT
    bound = -np.inf
    while not stop.requested() and not stop.past(deadline, time.perf_counter()):
        stop.run_highs(highs)
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        bound = float(highs.getInfo().objective_function_value)
        values = np.asarray(highs.getSolution().col_value)
        sites = values[cuts.y]
        travel = float(model.cost[cuts.theta] @ cuts.separate(sites).travel_minutes)
        master = float(model.cost[cuts.theta] @ values[cuts.theta])
        if travel - master <= LP_TOLERANCE * max(abs(bound), 1.0):
            break
        centre = sites if centre is None else centre
        point = weight * centre + (1 - weight) * sites
        if _add_violated(highs, cuts, point, values[cuts.theta]) == 0:
            weight = 0.0  # the centre's cuts are all in: separate at the LP point itself
            if _add_violated(highs, cuts, sites, values[cuts.theta]) == 0:
                break
        centre = 0.5 * centre + 0.5 * sites
    return bound


def _add_violated(
    highs: highspy.Highs, cuts: TravelCuts, sites: np.ndarray, theta: np.ndarray
) -> int:
    """Add the cuts at ``sites`` that ``theta`` violates; returns how many."""
    separation = cuts.separate(sites)
    travel = separation.travel_minutes
    keep = np.flatnonzero(travel - theta > _CUT_TOLERANCE * np.maximum(1, travel))
    if len(keep) == 0:
        return 0
    starts, columns, values = cuts.rows(separation, keep)
    highs.addRows(
        len(keep),
        np.ascontiguousarray(separation.level_minutes[keep]),
        np.full(len(keep), highspy.kHighsInf),
        len(columns),
        starts,
        columns,
        values,
    )
    return len(keep)


def _tightened(
    highs: highspy.Highs, model: MipModel, cuts: TravelCuts, values: np.ndarray
) -> tuple[np.ndarray, float, int]:
    """``values`` with its sites rounded and its ``θ`` set to their true travel, the cuts it
    violates added to the master; returns the plan, its objective (including the model's
    offset) and how many cuts were added."""
    plan = np.array(values, dtype=float)
    plan[model.integer] = np.rint(plan[model.integer])
    plan[cuts.theta] = cuts.separate(plan[cuts.y]).travel_minutes
    added = _add_violated(highs, cuts, plan[cuts.y], np.asarray(values)[cuts.theta])
    return plan, float(model.cost @ plan) + model.offset, added


def _drop_slack_cuts(highs: highspy.Highs, *, first_cut: int) -> None:
    """Remove the cuts (rows from ``first_cut`` on) that are slack at the current LP point."""
    activity = np.asarray(highs.getSolution().row_value)[first_cut:]
    lower = np.asarray(highs.getLp().row_lower_)[first_cut:]
    slack = np.flatnonzero(activity - lower > _CUT_TOLERANCE * np.maximum(1, np.abs(lower)))
    if len(slack):
        highs.deleteRows(len(slack), (slack + first_cut).astype(np.int32))


def _set_integrality(highs: highspy.Highs, columns: np.ndarray, kind: np.uint8) -> None:
    if len(columns):
        highs.changeColsIntegrality(len(columns), columns, np.full(len(columns), kind))


def _solution(values: np.ndarray) -> highspy.HighsSolution:
    solution = highspy.HighsSolution()
    solution.col_value = values.tolist()
    solution.value_valid = True
    return solution


def add_travel_bound(
    builder: ModelBuilder, problem: SitingProblem, y: slice, levels: TravelLevels
) -> TravelCuts:
    """One ``θ`` column per demand point that reaches a site: resident-weighted, bounded
    below by its nearest reachable minutes; the cuts come during the solve."""
    with_levels = levels.reaching_demand()
    theta = builder.add_columns(
        "theta",
        len(with_levels),
        cost=problem.weights_residents[with_levels],
        lower=levels.level_minutes[levels.first_level[with_levels]],
        upper=np.inf,
    )
    return TravelCuts(levels=levels, y=y, theta=theta)


def nearest_minutes_start(levels: TravelLevels, nearest_minutes: np.ndarray) -> np.ndarray:
    """``θ`` of a plan whose nearest open site is ``nearest_minutes`` away per demand point
    (``inf``: none open within reach, charged the farthest reachable level)."""
    with_levels = levels.reaching_demand()
    last = levels.level_minutes[levels.first_level[with_levels + 1] - 1]
    return np.minimum(nearest_minutes[with_levels], last)
