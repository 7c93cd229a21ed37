"""Joint closure: the largest set (or saving) of flagged outlets that can close together
while the access standard and the density rule hold, as one exact MIP (HiGHS through the
siting engine's ``ModelBuilder`` and ``run_highs``).

Columns: ``z[k]`` = 1 when flagged outlet k closes (binary); ``c[i]`` = 1 when demand point i
still reaches an open outlet within its class's minutes (continuous in [0, 1]), only for the
points that no unflagged outlet reaches (the others always do).

Rows:

- ``reach[i]``: ``c[i] + Σ z[k] <= |N(i)|`` over the flagged outlets N(i) within i's minutes
  (i is reached only while one of them stays open);
- ``access[class]``: the class's residents reached ``>=`` its target (the standard's share,
  or today's where today misses it) minus those always reached;
- ``density[d]``: ``Σ z[k]`` over the flagged outlets of urban district d ``<=`` its outlets
  today minus those the density rule keeps.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from optimizer.review import rules
from optimizer.review.problem import ReviewProblem
from optimizer.review.settings import ReviewSettings
from optimizer.siting.highs import run_highs
from optimizer.siting.mip import MipModel, ModelBuilder
from optimizer.solve import SolverLimits, SolveStatus


def closure_model(
    problem: ReviewProblem,
    settings: ReviewSettings,
    flagged: np.ndarray,
    today: rules.Access,
) -> MipModel:
    """The joint-closure MIP over the ``flagged`` outlets (indices), minimising
    ``-(closed count)`` or ``-(annual saving)``."""
    minutes = problem.siting.travel_minutes[:, : problem.n_outlets].tocsr()
    reach = np.repeat(rules.class_minutes(problem, settings), np.diff(minutes.indptr))
    within = sparse.csr_matrix(
        (
            minutes.data <= reach,
            minutes.indices,
            minutes.indptr,
        ),
        shape=minutes.shape,
    )
    within.eliminate_zeros()
    is_flagged = np.zeros(problem.n_outlets, dtype=bool)
    is_flagged[flagged] = True
    always = np.asarray(within[:, ~is_flagged].sum(axis=1)).ravel() > 0
    by_flagged = within[:, flagged].tocsr()
    at_risk = np.flatnonzero(~always & (np.diff(by_flagged.indptr) > 0))
    saving = np.asarray(problem.outlets.annual_cost, dtype=float)[flagged]
    gain = np.ones(len(flagged)) if settings.joint_objective == "count" else saving
    builder = ModelBuilder()
    z = builder.add_columns("z", len(flagged), cost=-gain, upper=1.0, integer=True)
    c = builder.add_columns("c", len(at_risk), upper=1.0)
    risk = by_flagged[at_risk].tocoo()
    builder.add_rows(
        "reach",
        np.concatenate([np.arange(len(at_risk)), risk.row]),
        np.concatenate([c.start + np.arange(len(at_risk)), z.start + risk.col]),
        1.0,
        lower=-np.inf,
        upper=np.diff(by_flagged[at_risk].indptr).astype(float),
        count=len(at_risk),
    )
    weights = problem.siting.weights_residents
    targets = rules.access_targets(settings, today)
    for name, members, share in (
        ("access urban", problem.demand_urban, targets[0]),
        ("access rural", ~problem.demand_urban, targets[1]),
    ):
        total = float(weights[members].sum())
        need = share * total - float(weights[members & always].sum())
        mine = np.flatnonzero(members[at_risk])
        builder.add_row(
            name,
            c.start + mine,
            weights[at_risk[mine]],
            lower=need - rules.ACCESS_TOLERANCE * total,
            upper=np.inf,
        )
    _density_rows(builder, problem, settings, flagged, z.start)
    return builder.build()


def _density_rows(
    builder: ModelBuilder,
    problem: ReviewProblem,
    settings: ReviewSettings,
    flagged: np.ndarray,
    z_start: int,
) -> None:
    """``density[d]``: flagged outlets closed in district d at most its spare outlets."""
    district = problem.outlet_district()[flagged]
    spare = rules.open_per_district(problem, np.arange(problem.n_outlets)) - rules.required_outlets(
        problem, settings
    )
    for d in np.unique(district[district >= 0]):
        members = np.flatnonzero(district == d)
        if spare[d] < len(members):
            builder.add_row(
                f"density {problem.district_name(int(d))}",
                z_start + members,
                1.0,
                lower=-np.inf,
                upper=float(spare[d]),
            )


def joint_closure(
    problem: ReviewProblem,
    settings: ReviewSettings,
    flagged: np.ndarray,
    today: rules.Access,
    limits: SolverLimits,
) -> tuple[np.ndarray, SolveStatus, float]:
    """Solve the joint-closure MIP.

    Returns:
        (indices of the outlets closed together, the solve's status, the objective: outlets
        or currency per year).
    """
    if len(flagged) == 0:
        return np.zeros(0, dtype=np.int64), SolveStatus.OPTIMAL, 0.0
    model = closure_model(problem, settings, flagged, today)
    result = run_highs(
        model,
        time_limit_seconds=limits.time_limit_seconds,
        mip_rel_gap=limits.relative_gap or 0.0,
        threads=limits.threads,
        seed=limits.seed,
    )
    if result.values is None or result.objective is None:
        return np.zeros(0, dtype=np.int64), result.status, 0.0
    closed = flagged[result.values[model.columns["z"]] > 0.5]
    return closed, result.status, -result.objective
