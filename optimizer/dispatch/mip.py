"""Dispatch under rules a flow cannot express, as a MIP solved by HiGHS (model passed as arrays).

Rules (``DispatchRules``): a minimum batch per move, at most ``k`` donors per receiver, and teams
of resources that move together. A *kind* is what one move carries: a lone resource type, or a
team (its members in fixed numbers). Columns, in blocks:

* ``x``: integer kinds moved on each allowed move of each kind;
* ``u``: integer unmet units per (region, resource) with open demand, at
  ``priority × penalty``;
* ``y``: binary "move used" per ``x`` (minimum batch rule only): ``b·y <= x <= cap·y``;
* ``w``: binary "lender serves receiver" per (lender, receiver) pair (donor-count rule only):
  ``x <= cap·w`` and ``Σ w <= k`` per receiver.

Rows: each lender gives at most its units above the floor (partners: their units) of each
resource; in each region with open demand, units received minus own units sent plus unmet
cover the open demand its own lendable units leave: ``in - out + u >= open - lendable`` (the
surge model of ``optimizer.dispatch.problem``: a donor's own demand may go unmet when that
serves a higher priority). A receiver may get more than it needs (a team brings all its
members; two minimum batches may overshoot) when that covers more demand. The objective is in
the same integer travel seconds as the flow engine, so both report comparable objectives.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from optimizer import stop
from optimizer.dispatch.flow import travel_cost_seconds
from optimizer.dispatch.moves import CandidateMoves, allowed_moves
from optimizer.dispatch.plan import Allocation
from optimizer.dispatch.problem import DispatchProblem
from optimizer.solve import SolverLimits, SolveStatus, status_from_highs

_ROWWISE = int(highspy.MatrixFormat.kRowwise.value)
_MINIMIZE = int(highspy.ObjSense.kMinimize.value)
_FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible.value)

DEFAULT_TIME_LIMIT_SECONDS = 60.0
"""HiGHS time limit of the dispatch MIP when the limits set none."""


@dataclass(frozen=True)
class MipOutcome:
    """What the MIP returned: the allocation (``None`` without a solution) and the solve facts."""

    allocation: Allocation | None
    status: SolveStatus
    cost_seconds: float | None
    bound_seconds: float | None


def unit_kinds(problem: DispatchProblem) -> list[np.ndarray]:
    """Per kind, the units of each resource one move of it carries, int (r,).

    Teams first (in rule order), then every resource not in a team on its own.
    """
    index = {name: i for i, name in enumerate(problem.resource_names)}
    kinds = []
    for team in problem.rules.teams:
        members = np.zeros(len(index), dtype=np.int64)
        for name, units in team.units_per_team.items():
            members[index[name]] = units
        kinds.append(members)
    in_team = np.sum(kinds, axis=0) > 0 if kinds else np.zeros(len(index), dtype=bool)
    kinds.extend(np.eye(len(index), dtype=np.int64)[np.flatnonzero(~in_team)])
    return kinds


def _kind_moves(problem: DispatchProblem, members: np.ndarray) -> CandidateMoves:
    """Allowed moves of one kind: whole kinds lendable, kinds needed to cover every member."""
    used = np.flatnonzero(members)
    per = members[used]
    return allowed_moves(
        problem,
        lendable_units=(problem.lendable_units()[:, used] // per).min(axis=1),
        partner_units=(problem.partner_units[:, used] // per).min(axis=1),
        open_demand_units=(-(-problem.open_demand_units()[:, used] // per)).max(axis=1),
    )


def solve_mip(
    problem: DispatchProblem,
    *,
    penalty_seconds: int,
    limits: SolverLimits,
) -> MipOutcome:
    """Solve the dispatch problem under ``problem.rules`` with HiGHS.

    Args:
        problem: the problem; its rules are active.
        penalty_seconds: cost of one unmet unit at priority 1, in travel seconds.
        limits: HiGHS wall-clock limit (default ``DEFAULT_TIME_LIMIT_SECONDS``), relative gap
            (default 0), threads and random seed.
    """
    n, r = problem.n_regions, len(problem.resource_names)
    kinds = unit_kinds(problem)
    moves = [_kind_moves(problem, members) for members in kinds]
    carried = np.concatenate(
        [
            np.repeat(members[None, :], len(m), axis=0)
            for members, m in zip(kinds, moves, strict=True)
        ]
    ).reshape(-1, r)
    lender = np.concatenate([m.lender_node(n) for m in moves])
    receiver = np.concatenate([m.receiver for m in moves])
    minutes = np.concatenate([m.travel_minutes for m in moves])
    capacity = np.concatenate([m.capacity_units for m in moves])
    n_x = len(lender)
    lendable, open_demand = problem.lendable_units(), problem.open_demand_units()
    open_region, open_resource = np.nonzero(open_demand)
    n_u = len(open_region)

    builder = _Rows()
    # lender rows (lender node × resource): Σ carried · x <= units above the floor.
    x_index, member = np.nonzero(carried)
    builder.add(
        rows=lender[x_index] * r + member,
        cols=x_index,
        values=carried[x_index, member],
        n_rows=2 * n * r,
        lower=np.full(2 * n * r, -np.inf),
        upper=np.concatenate([lendable, problem.partner_units]).ravel(),
    )
    # region rows (region × resource): Σ in − Σ own out + u >= open demand − lendable
    # (free where no demand is open: a donor then never drops below its own demand).
    own = lender[x_index] < n
    builder.add(
        rows=np.concatenate(
            [
                receiver[x_index] * r + member,
                lender[x_index[own]] * r + member[own],
                open_region * r + open_resource,
            ]
        ),
        cols=np.concatenate([x_index, x_index[own], n_x + np.arange(n_u)]),
        values=np.concatenate(
            [
                carried[x_index, member],
                -carried[x_index[own], member[own]],
                np.ones(n_u, dtype=np.int64),
            ]
        ),
        n_rows=n * r,
        lower=np.where(open_demand > 0, open_demand - lendable, -np.inf).ravel(),
        upper=np.full(n * r, np.inf),
    )
    cost = [
        travel_cost_seconds(minutes) * carried.sum(axis=1),
        penalty_seconds * problem.priority[open_region].astype(np.float64),
    ]
    upper = [capacity, open_demand[open_region, open_resource]]
    integer = [np.ones(n_x + n_u, dtype=bool)]
    n_cols = n_x + n_u
    if problem.rules.min_batch_units > 1:
        _add_batch_rule(builder, capacity, problem.rules.min_batch_units, first_col=n_cols)
        cost.append(np.zeros(n_x))
        upper.append(np.ones(n_x))
        integer.append(np.ones(n_x, dtype=bool))
        n_cols += n_x
    if problem.rules.max_donors_per_receiver is not None:
        n_pairs = _add_donor_count_rule(
            builder,
            lender * n + receiver,
            capacity,
            problem.rules.max_donors_per_receiver,
            n_regions=n,
            first_col=n_cols,
        )
        cost.append(np.zeros(n_pairs))
        upper.append(np.ones(n_pairs))
        integer.append(np.ones(n_pairs, dtype=bool))
        n_cols += n_pairs
    values, status, objective, bound = _run_highs(
        cost=np.concatenate(cost),
        upper=np.concatenate(upper).astype(np.float64),
        integer=np.concatenate(integer),
        rows=builder,
        n_cols=n_cols,
        limits=limits,
    )
    if values is None:
        return MipOutcome(None, status, None, bound)
    kinds_moved = np.rint(values[:n_x]).astype(np.int64)
    x_index, member = np.nonzero(carried * (kinds_moved > 0)[:, None])
    allocation = Allocation(
        resource=member,
        donor=lender[x_index] % n,
        from_partner=lender[x_index] >= n,
        receiver=receiver[x_index],
        travel_minutes=minutes[x_index],
        units=kinds_moved[x_index] * carried[x_index, member],
    )
    return MipOutcome(allocation, status, objective, bound)


class _Rows:
    """Row blocks of (row, column, value) triplets with row bounds, stacked into one CSR."""

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.n_rows = 0

    def add(
        self,
        *,
        rows: np.ndarray,
        cols: np.ndarray,
        values: np.ndarray,
        n_rows: int,
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        """Append ``n_rows`` rows; ``rows`` are numbered from 0 within the block."""
        self.blocks.append((np.asarray(rows) + self.n_rows, np.asarray(cols), np.asarray(values)))
        self.lower.append(np.asarray(lower, dtype=np.float64))
        self.upper.append(np.asarray(upper, dtype=np.float64))
        self.n_rows += n_rows

    def matrix(self, n_cols: int) -> sp.csr_array:
        """The stacked constraint matrix (n_rows, n_cols)."""
        rows, cols, values = (np.concatenate(part) for part in zip(*self.blocks, strict=True))
        return sp.csr_array((values.astype(np.float64), (rows, cols)), shape=(self.n_rows, n_cols))


def _add_batch_rule(builder: _Rows, capacity: np.ndarray, batch: int, *, first_col: int) -> None:
    """``batch·y <= x <= capacity·y`` for every move ``x`` (``y`` columns from ``first_col``)."""
    n_x = len(capacity)
    moves = np.arange(n_x)
    used = first_col + moves
    builder.add(
        rows=np.concatenate([moves, moves, n_x + moves, n_x + moves]),
        cols=np.concatenate([moves, used, moves, used]),
        values=np.concatenate([np.ones(n_x), -np.full(n_x, batch), np.ones(n_x), -capacity]),
        n_rows=2 * n_x,
        lower=np.concatenate([np.zeros(n_x), np.full(n_x, -np.inf)]),
        upper=np.concatenate([np.full(n_x, np.inf), np.zeros(n_x)]),
    )


def _add_donor_count_rule(
    builder: _Rows,
    pair: np.ndarray,
    capacity: np.ndarray,
    max_donors: int,
    *,
    n_regions: int,
    first_col: int,
) -> int:
    """``x <= capacity·w[pair]`` and ``Σ w <= max_donors`` per receiver; returns the w count.

    ``pair`` is ``lender_node · n_regions + receiver`` per move.
    """
    pairs, pair_of_move = np.unique(pair, return_inverse=True)
    n_x, n_pairs = len(pair), len(pairs)
    moves = np.arange(n_x)
    builder.add(
        rows=np.concatenate([moves, moves]),
        cols=np.concatenate([moves, first_col + pair_of_move]),
        values=np.concatenate([np.ones(n_x), -capacity]),
        n_rows=n_x,
        lower=np.full(n_x, -np.inf),
        upper=np.zeros(n_x),
    )
    builder.add(
        rows=pairs % n_regions,
        cols=first_col + np.arange(n_pairs),
        values=np.ones(n_pairs),
        n_rows=n_regions,
        lower=np.full(n_regions, -np.inf),
        upper=np.full(n_regions, max_donors),
    )
    return n_pairs


def _run_highs(
    *,
    cost: np.ndarray,
    upper: np.ndarray,
    integer: np.ndarray,
    rows: _Rows,
    n_cols: int,
    limits: SolverLimits,
) -> tuple[np.ndarray | None, SolveStatus, float | None, float | None]:
    """Minimise ``cost·x`` (``0 <= x <= upper``) under ``rows``; returns values, status,
    objective and bound (travel seconds)."""
    matrix = rows.matrix(n_cols)
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("random_seed", limits.seed)
    highs.setOptionValue("mip_rel_gap", limits.relative_gap or 0.0)
    highs.setOptionValue("mip_abs_gap", 0.5)  # integer costs: within 0.5 is proven optimal
    highs.setOptionValue("time_limit", limits.seconds_or(DEFAULT_TIME_LIMIT_SECONDS))
    if limits.threads is not None:
        highs.setOptionValue("threads", limits.threads)
    highs.passModel(
        n_cols,
        matrix.shape[0],
        matrix.nnz,
        _ROWWISE,
        _MINIMIZE,
        0.0,
        np.ascontiguousarray(cost, dtype=np.float64),
        np.zeros(n_cols),
        np.ascontiguousarray(upper),
        np.concatenate(rows.lower),
        np.concatenate(rows.upper),
        matrix.indptr.astype(np.int32),
        matrix.indices.astype(np.int32),
        matrix.data.astype(np.float64),
        integer.astype(np.int32),
    )
    stop.run_highs(highs)
    info = highs.getInfo()
    has_solution = int(info.primal_solution_status) == _FEASIBLE
    status = status_from_highs(highs.getModelStatus().name, has_solution=has_solution)
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None
    if not has_solution:
        return None, status, None, bound
    values = np.asarray(highs.getSolution().col_value)
    return values, status, float(info.objective_function_value), bound
