"""``solve_siting``: build the siting MIP for the chosen objective and solve it (HiGHS default).

Objectives are solved as one or more *stages*; each stage is one MIP whose goal is one of
``cover_cost`` (least opening cost), ``max_cover`` (most residents covered), ``travel`` (least
resident-weighted minutes) or ``cost_travel`` (both). ``lexicographic`` runs
max_cover (only when ``max_stations``/``budget`` limit it; otherwise everyone coverable must be
covered) → cover_cost → travel, each stage keeping the previous optimum as a constraint and
starting from the previous solution.

``min_travel`` without site rules first builds a heuristic solution (greedy + interchange) and
drops the sites a Lagrangian bound proves useless (``lagrangian.py``); the MIP then proves
optimality on the remaining sites, which holds for the whole problem.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

from optimizer import stop
from optimizer.errors import InfeasibleError, NoSolutionError, SolverError
from optimizer.siting import formulation as form
from optimizer.siting.heuristics import MAX_DENSE_ENTRIES, greedy_cover, p_median_start
from optimizer.siting.interchange import improve_travel_start
from optimizer.siting.lagrangian import screen_p_median_sites
from optimizer.siting.mip import MipModel, MipResult, ModelBuilder
from optimizer.siting.plan import SitingPlan, evaluate_plan, nearest_open_site
from optimizer.siting.problem import SitingProblem
from optimizer.siting.reduce import Reduction, keep_sites, reduce_problem
from optimizer.siting.rules import (
    GROUP_CAPACITY,
    POSTS_PREFIX,
    AssignmentColumns,
    add_density_capacity,
    add_density_rule,
    add_typed_posts,
    necessary_clashes,
    required_stations,
)
from optimizer.siting.settings import DEFAULT_RELATIVE_GAP, SitingSettings
from optimizer.siting.travel_cuts import (
    TravelCuts,
    add_travel_bound,
    nearest_minutes_start,
    solve_by_travel_cuts,
)
from optimizer.solve import SolveReport, SolverLimits, SolveStatus

_SOLVE_RANK = {SolveStatus.OPTIMAL: 0, SolveStatus.FEASIBLE: 1}


@dataclass(frozen=True)
class Stage:
    """One MIP of a siting solve.

    Attributes:
        goal: ``cover_cost``, ``max_cover``, ``travel`` or ``cost_travel``.
        full_cover: every coverable demand point must be covered.
        min_covered_residents: floor on covered residents (from a previous stage).
        max_site_cost: ceiling on total site cost (from a previous stage).
    """

    goal: str
    full_cover: bool = False
    min_covered_residents: float | None = None
    max_site_cost: float | None = None


INTERCHANGE_SHARE = 0.25
"""Share of the time left that the swaps improving a travel stage's start may take."""
P_MEDIAN_PROOF_OPTIONS: dict[str, object] = {
    "mip_heuristic_effort": 0.0,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_heuristic_run_feasibility_jump": False,
    "mip_pscost_minreliable": 0,
}
"""HiGHS options for a p-median started from ``_p_median_screen``'s plan (interchange from the
greedy plan and from the Lagrangian relaxation's): its sub-MIP heuristics, run at the root
whatever ``mip_heuristic_effort`` says, and strong branching take most of the time and find
nothing better. On random graphs shaped like OR-Library pmed21–40
(``benchmarks/bench_siting_shapes.py``, 60 s, 2 threads) 19 of 20 proven on each of two seeds
where 17 were, most p = 5 and p = 10 shapes 1.5–3.2 times faster; pmed16 6.7 → 2.9 s. A
700-vertex, p = 10 graph: 49 s as before, 32 s with the heuristics off alone, 20 s with strong
branching off too."""
LARGE_TRAVEL_COLUMNS = 100_000
"""Travel stages with more columns than this run without HiGHS' primal heuristics."""


@dataclass(frozen=True)
class StageModel:
    """A built stage: the MIP, its sign (reported objective = sign × MIP objective)."""

    model: MipModel
    sign: float
    posts: dict[str, slice]
    assignment: AssignmentColumns | None
    start_kept_back: bool = False
    travel_cuts: TravelCuts | None = None
    """Set when the travel is one ``θ`` column per demand point, solved by travel cuts."""
    """The start is not handed to HiGHS but kept as the result when HiGHS finds nothing better:
    on large travel stages HiGHS' root heuristics (line-search rounding between the LP point
    and the incumbent, with objective propagation) do not look at the time limit; on Porto
    municipality's 181,379-column travel stage they ran over 10 minutes past a 300 s limit."""


def solve_siting(
    problem: SitingProblem, settings: SitingSettings, limits: SolverLimits | None = None
) -> tuple[SitingPlan, SolveReport]:
    """Choose station sites for ``problem`` under ``settings``.

    Args:
        problem: demand, sites, travel minutes and rules.
        settings: objective, rules and solver choice.
        limits: time limit for the whole solve (every stage), relative gap (default 1e-6),
            threads and seed; ``SolverLimits()`` (no time limit) if omitted.

    Returns:
        (plan, report). The plan's figures are recomputed from ``problem``; the report's
        objective is in the unit of the final stage (covered residents for ``max_cover``,
        opening cost for ``cover``, resident-weighted minutes for ``min_travel`` and
        ``lexicographic``, cost + minutes for ``min_cost``).

    Raises:
        InfeasibleError: the rules contradict each other (clashes named).
        NoSolutionError: the time limit ran out before any solution.
        SolverError: the solver failed.
    """
    started = time.perf_counter()
    limits = limits or SolverLimits()
    density = settings.residents_per_station if settings.density_rule else None
    clashes = necessary_clashes(
        problem,
        residents_per_station=density,
        max_stations=settings.max_stations,
        budget=settings.budget,
    )
    if clashes:
        raise InfeasibleError("the siting rules contradict each other", clashes)
    reduced, reduction = _presolve(problem, settings)
    open_mask = None
    if settings.objective == "min_travel" and not _has_site_rules(reduced, settings):
        reduced, reduction, open_mask = _p_median_screen(reduced, reduction, settings.max_stations)
    screened_start = open_mask is not None
    stages = _stages(settings)
    deadline = limits.deadline(started)
    status, result, built = SolveStatus.OPTIMAL, None, None
    previous_blocks: dict[str, np.ndarray] = {}
    notes: tuple[str, ...] = ()
    for index, stage in enumerate(stages):
        if result is not None and stop.requested():
            status = SolveStatus.FEASIBLE
            notes = (
                f"stopped by {stop.signal_name()} after stage {index} of {len(stages)} "
                f"({stages[index - 1].goal}); objective and bound are that stage's",
            )
            break
        extra_open = []
        if settings.density_as_capacity and stage.goal in ("travel", "cost_travel"):
            extra_open = _uncapacitated_stations(
                reduced, settings, limits, stage, open_mask, deadline
            )
        elif stage.full_cover and open_mask is None:
            # a plan from the first second: on 500 × 5,000 set covering HiGHS found none in 5 s
            extra_open = [
                greedy_cover(reduced.coverage(), reduced.site_costs(), reduced.forced_open())
            ]
        elif stage.goal == "travel" and index > 0:
            # after a previous stage (its stations chosen for their count, not for travel);
            # a first-stage start is already the p-median interchange's
            extra_open = [_swapped_start(reduced, settings, open_mask, previous_blocks, deadline)]
        built = _build_stage(
            reduced, settings, stage, seed=limits.seed,
            previous_open=open_mask, previous_blocks=previous_blocks, extra_open=extra_open,
            p_median_start=screened_start and index == 0,
        )  # fmt: skip
        result = _run_stage(built, reduced, settings, limits, deadline)
        if result.status == SolveStatus.INFEASIBLE:
            raise _explain_infeasible(reduced, built.model, settings, limits, deadline)
        if result.values is None:
            if stop.requested():
                raise stop.Interrupted
            if result.status == SolveStatus.TIME_LIMIT_NO_SOLUTION:
                raise NoSolutionError(
                    f"time limit of {limits.time_limit_seconds} s reached before any "
                    f"solution (stage {index + 1} of {len(stages)}: {stage.goal})"
                )
            raise SolverError(f"{result.solver} failed on stage {stage.goal}: {result.status}")
        if _SOLVE_RANK[result.status] > _SOLVE_RANK[status]:
            status = result.status
        open_mask = result.values[built.model.columns["y"]] > 0.5
        previous_blocks = {
            name: result.values[block] for name, block in built.model.columns.items()
        }
        if index + 1 < len(stages):
            stages[index + 1] = _fix_previous(stages[index + 1], stage, built, result)
    assert result is not None and built is not None and open_mask is not None
    objective = built.sign * result.objective
    bound = None if result.bound is None else built.sign * result.bound
    original_open = np.zeros(problem.n_sites, dtype=bool)
    original_open[reduction.kept_sites[open_mask]] = True
    post_sites = {}
    for post_type, columns in built.posts.items():
        mask = np.zeros(problem.n_sites, dtype=bool)
        mask[reduction.kept_sites[result.values[columns] > 0.5]] = True
        post_sites[post_type] = mask
    post_sites = _needed_posts(problem, post_sites)
    shares = None
    if built.assignment is not None:
        shares = _original_shares(
            built.assignment.shares(result.values, (reduced.n_demand, reduced.n_sites)),
            reduction,
            n_sites=problem.n_sites,
        )
    plan = evaluate_plan(
        problem,
        original_open,
        post_sites=post_sites,
        objective=settings.objective,
        objective_value=objective,
        residents_per_station=density,
        presolve=reduction.to_dict(),
        assignment=shares,
    )
    if stop.requested() and not notes:
        notes = (f"stopped by {stop.signal_name()}: the best plan found is kept",)
    report = SolveReport.measured(
        status=status,
        objective=objective,
        bound=bound,
        started=started,
        solver=result.solver,
        notes=notes,
    )
    return plan, report


def _original_shares(
    shares: sparse.csr_matrix, reduction: Reduction, *, n_sites: int
) -> sparse.csr_matrix:
    """Assignment shares of the reduced problem expressed on the original demand and sites
    (a merged demand point's shares apply to each point merged into it)."""
    group = reduction.demand_group
    rows = shares[np.maximum(group, 0)].tocoo()
    keep = group[rows.row] >= 0
    return sparse.csr_matrix(
        (rows.data[keep], (rows.row[keep], reduction.kept_sites[rows.col[keep]])),
        shape=(len(group), n_sites),
    )


def _needed_posts(
    problem: SitingProblem, post_sites: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The posts without the ones no place needs: posts cost nothing in the model, so a solver
    may place spare ones; a post is dropped when every place of its type still has another
    post within reach (posts are few, so this greedy pass is cheap)."""
    needed = {}
    for requirement in problem.typed_posts:
        mask = post_sites.get(requirement.post_type, np.zeros(problem.n_sites, dtype=bool)).copy()
        for site in np.flatnonzero(mask):
            mask[site] = False
            if not all(mask[sites].any() for sites in requirement.place_sites):
                mask[site] = True
        needed[requirement.post_type] = mask
    return needed


def _has_site_rules(problem: SitingProblem, settings: SitingSettings) -> bool:
    """True when some rule refers to individual sites (so sites may not be dropped)."""
    return bool(
        settings.density_as_capacity
        or problem.typed_posts
        or np.asarray(problem.existing).any()
        or (
            settings.density_rule
            and required_stations(problem, settings.residents_per_station).any()
        )
    )


def _drops_implied(problem: SitingProblem, settings: SitingSettings) -> bool:
    """True when the presolve drops implied demand points (``cover`` without site rules)."""
    return (
        settings.presolve
        and settings.objective == "cover"
        and not _has_site_rules(problem, settings)
    )


def _presolve(problem: SitingProblem, settings: SitingSettings) -> tuple[SitingProblem, Reduction]:
    coverage_only = settings.objective in ("cover", "max_cover")
    if settings.presolve:
        return reduce_problem(
            problem,
            coverage_only=coverage_only,
            drop_dominated=coverage_only and not _has_site_rules(problem, settings),
            drop_implied=_drops_implied(problem, settings),
        )
    identity = Reduction(
        n_demand_before=problem.n_demand,
        n_demand_after=problem.n_demand,
        n_sites_before=problem.n_sites,
        n_sites_after=problem.n_sites,
        demand_group=np.arange(problem.n_demand),
        kept_sites=np.arange(problem.n_sites),
    )
    return problem, identity


def _stages(settings: SitingSettings) -> list[Stage]:
    limited = settings.max_stations is not None or settings.budget is not None
    if settings.objective == "cover":
        return [Stage("cover_cost", full_cover=True)]
    if settings.objective == "max_cover":
        return [Stage("max_cover")]
    if settings.objective == "min_travel":
        return [Stage("travel")]
    if settings.objective == "min_cost":
        return [Stage("cost_travel")]
    if limited:
        return [Stage("max_cover"), Stage("cover_cost"), Stage("travel")]
    return [Stage("cover_cost", full_cover=True), Stage("travel", full_cover=True)]


def _fix_previous(next_stage: Stage, stage: Stage, built: StageModel, result: MipResult) -> Stage:
    """``next_stage`` with the optimum of ``stage`` kept as a constraint."""
    value = built.sign * float(result.objective)
    if stage.goal == "max_cover":
        return replace(next_stage, min_covered_residents=value * (1 - 1e-9) - 1e-7)
    if stage.goal == "cover_cost":
        return replace(
            next_stage,
            min_covered_residents=stage.min_covered_residents,
            max_site_cost=value * (1 + 1e-9) + 1e-7,
        )
    return next_stage


def _build_stage(
    problem: SitingProblem,
    settings: SitingSettings,
    stage: Stage,
    *,
    seed: int = 0,
    previous_open: np.ndarray | None,
    previous_blocks: dict[str, np.ndarray],
    extra_open: Sequence[np.ndarray] = (),
    p_median_start: bool = False,
) -> StageModel:
    """The MIP of one stage, with a start when a previous plan is known.

    Args:
        previous_open: open sites of the previous stage (or a heuristic), used as a start.
        p_median_start: ``previous_open`` is ``_p_median_screen``'s start and the stage is its
            p-median: HiGHS then runs without its primal heuristics and without strong
            branching (``P_MEDIAN_PROOF_OPTIONS``).
        previous_blocks: the previous stage's solution per column block, copied into the start
            where the blocks match.
        extra_open: further sets of open sites to start from; the cheapest start wins.
        seed: solver seed of the LPs that complete a start's assignment.
    """
    builder = ModelBuilder()
    pays_sites = stage.goal in ("cover_cost", "cost_travel")
    y = form.add_site_columns(builder, problem, cost_weight=1.0 if pays_sites else 0.0)
    covering = stage.goal == "max_cover" or stage.min_covered_residents is not None
    u = None
    if stage.full_cover:
        form.add_full_coverage(builder, problem, y)
    elif covering:
        u = form.add_partial_coverage(
            builder, problem, y,
            reward_per_resident=1.0 if stage.goal == "max_cover" else 0.0,
            min_covered_residents=stage.min_covered_residents,
        )  # fmt: skip
    exact = settings.objective == "min_travel"
    travel = stage.goal in ("travel", "cost_travel")
    assignment = None
    if settings.density_as_capacity and (stage.full_cover or covering or travel):
        assignment = add_density_capacity(
            builder, problem, y,
            residents_per_station=settings.residents_per_station, covered=u,
            within_coverage=stage.full_cover or covering, travel_cost=travel,
        )  # fmt: skip
    levels = travel_cuts = None
    if travel and assignment is None:
        levels = form.travel_levels(
            problem.travel_minutes,
            exact_stations=settings.max_stations if exact else None,
            open_ended=stage.goal == "travel" and covering and not stage.full_cover,
        )
        above = settings.travel_cuts_above_levels
        if settings.solver == "highs" and above is not None and len(levels.level_minutes) > above:
            travel_cuts = add_travel_bound(builder, problem, y, levels)
        else:
            form.add_travel(builder, problem, y, levels)
    form.add_station_limit(
        builder, problem, y,
        max_stations=settings.max_stations, exact=exact,
        budget=settings.budget, max_site_cost=stage.max_site_cost,
    )  # fmt: skip
    if settings.density_rule:
        add_density_rule(builder, problem, y, residents_per_station=settings.residents_per_station)
    posts = add_typed_posts(builder, problem, y)
    sign = -1.0 if stage.goal == "max_cover" else 1.0
    # restarts re-solve the large, degenerate root LP of the radius formulation: measured
    # 2-5x slower on OR-Library pmed (e.g. pmed6 24 s -> 5 s, pmed16 59 s -> 30 s)
    radius = levels is not None and travel_cuts is None
    options: dict[str, object] = {"mip_allow_restart": False} if radius else {}
    if radius and p_median_start:
        options.update(P_MEDIAN_PROOF_OPTIONS)
    if levels is None and (stage.full_cover or covering):
        # covering models: a cut pool of one keeps HiGHS from spending its root node on cuts
        # that do not pay off (2,000 × 300 LSCP: 2.9 s -> 1.1 s)
        options["mip_pool_soft_limit"] = 1
    if _drops_implied(problem, settings):
        # svcplan's presolve already removed what HiGHS' presolve would find here; running it
        # again costs more than it saves (2,000 × 300 LSCP: 1.16 -> 0.9 s; scp41-65: 5.9 -> 4.5 s)
        options["presolve"] = "off"
    large = radius and builder.n_cols > LARGE_TRAVEL_COLUMNS
    if large:
        options["mip_heuristic_effort"] = 0.0
    model = builder.build(highs_options=options)
    starts = [
        _start_vector(problem, builder, open_mask, levels, blocks)
        for open_mask, blocks in [(previous_open, previous_blocks), *((m, {}) for m in extra_open)]
        if open_mask is not None
    ]
    if assignment is not None:  # re-solve each start's assignment for its stations
        starts = [_completed_start(model, start, seed) for start in starts]
    starts = [start for start in starts if start is not None and model.satisfied_by(start)]
    if starts:
        model = replace(model, start=min(starts, key=lambda start: float(model.cost @ start)))
    return StageModel(
        model=model,
        sign=sign,
        posts=posts,
        assignment=assignment,
        start_kept_back=large,
        travel_cuts=travel_cuts,
    )


def _p_median_screen(
    problem: SitingProblem, reduction: Reduction, p: int
) -> tuple[SitingProblem, Reduction, np.ndarray | None]:
    """A heuristic p-median start and, when every pair is reachable, the Lagrangian screen.

    Returns:
        (problem on the kept sites, updated reduction, start mask over the kept sites or None).
    """
    if problem.n_demand * problem.n_sites > MAX_DENSE_ENTRIES:
        return problem, reduction, None
    dense = np.full(problem.travel_minutes.shape, np.inf)
    matrix = problem.travel_minutes.tocoo()
    dense[matrix.row, matrix.col] = matrix.data
    sites = p_median_start(dense, problem.weights_residents, p)
    if sites is None:
        return problem, reduction, None
    start = np.zeros(problem.n_sites, dtype=bool)
    start[sites] = True
    if matrix.nnz < problem.n_demand * problem.n_sites:
        return problem, reduction, start
    cost = problem.weights_residents[:, None] * dense
    upper_bound = float(cost[:, sites].min(axis=1).sum())
    keep, _, relaxed = screen_p_median_sites(cost, p, upper_bound)
    polished = p_median_start(dense, problem.weights_residents, p, initial=relaxed)
    if polished is not None and cost[:, polished].min(axis=1).sum() < upper_bound:
        sites = polished  # a better incumbent: screen again against its cost
        start[:] = False
        start[sites] = True
        keep, _, _ = screen_p_median_sites(cost, p, float(cost[:, sites].min(axis=1).sum()))
    keep |= start
    kept = np.flatnonzero(keep)
    screened = replace(reduction, n_sites_after=len(kept), kept_sites=reduction.kept_sites[kept])
    return keep_sites(problem, kept), screened, start[kept]


def _start_vector(
    problem: SitingProblem,
    builder: ModelBuilder,
    open_mask: np.ndarray,
    levels: form.TravelLevels | None,
    previous_blocks: dict[str, np.ndarray],
) -> np.ndarray:
    """Column values of the plan ``open_mask``.

    Blocks the previous stage solved (same name and size) are copied from its solution; the
    others are derived from ``open_mask`` (posts on every open site). A capacity assignment
    ``x`` without previous values is left at 0 for ``_completed_start`` to fill.
    """
    start = np.zeros(builder.n_cols)
    for name, block in builder.columns.items():
        values = previous_blocks.get(name)
        if values is not None and len(values) == block.stop - block.start:
            start[block] = values
        elif name == "y" or name.startswith("t:"):
            start[block] = open_mask
        elif name == "u":
            covered = np.asarray(problem.coverage()[:, open_mask].sum(axis=1)).ravel() > 0
            start[block] = covered[problem.coverable()]
        elif name in ("z", "theta") and levels is not None:
            _, minutes = nearest_open_site(problem.travel_minutes, open_mask)
            minutes = np.nan_to_num(minutes, nan=np.inf)
            if name == "z":
                start[block] = form.travel_start(levels, minutes)
            else:
                start[block] = nearest_minutes_start(levels, minutes)
    return start


def _completed_start(model: MipModel, start: np.ndarray, seed: int) -> np.ndarray | None:
    """``start`` with its continuous columns re-solved for the least cost: the LP with every
    integer column fixed at its start value (under the capacity rule, the least-travel
    assignment to the start's stations). ``None`` when no assignment fits those stations."""
    from optimizer.siting.highs import run_highs

    fixed = np.asarray(model.integer, dtype=bool)
    completion = replace(
        model,
        lower=np.where(fixed, start, model.lower),
        upper=np.where(fixed, start, model.upper),
        integer=np.zeros_like(fixed),
        start=None,
    )
    result = run_highs(
        completion, time_limit_seconds=None, mip_rel_gap=0.0, threads=None, seed=seed
    )
    return result.values if result.status == SolveStatus.OPTIMAL else None


def _swapped_start(
    problem: SitingProblem,
    settings: SitingSettings,
    open_mask: np.ndarray,
    previous_blocks: dict[str, np.ndarray],
    deadline: float | None,
) -> np.ndarray:
    """The previous stage's stations improved for travel by swaps that keep its rules (see
    ``interchange``), within ``INTERCHANGE_SHARE`` of the time left; sites carrying a typed
    post stay open."""
    now = time.perf_counter()
    share = None if deadline is None else now + INTERCHANGE_SHARE * max(deadline - now, 0.0)
    keep_open = np.zeros(problem.n_sites, dtype=bool)
    for name, values in previous_blocks.items():
        if name.startswith("t:") and len(values) == problem.n_sites:
            keep_open |= values > 0.5
    n_districts = 0 if problem.districts is None else len(problem.districts.urban)
    floor = np.zeros(n_districts, dtype=np.int64)
    site_district = np.full(problem.n_sites, -1)
    if problem.districts is not None:
        site_district = np.asarray(problem.districts.site_district)
        if settings.density_rule:
            floor = required_stations(problem, settings.residents_per_station)
    return improve_travel_start(
        problem.travel_minutes,
        problem.weights_residents,
        open_mask,
        site_district=site_district,
        district_floor=floor,
        opening_cost=problem.site_costs(),
        keep_open=keep_open,
        deadline=share,
    )


def _uncapacitated_stations(
    problem: SitingProblem,
    settings: SitingSettings,
    limits: SolverLimits,
    stage: Stage,
    previous_open: np.ndarray | None,
    deadline: float | None,
) -> list[np.ndarray]:
    """Open sites of ``stage`` solved without the capacity rule, as a start for the capacitated
    stage: its assignment LP is far easier than the capacitated MIP, and on Porto Alegre its
    stations with a capacitated assignment travel 3.48 M resident-minutes against 5.03 M from
    the previous stage's stations. It gets at most half of the time left, so the capacitated
    stage keeps time to run. Empty when that solve finds nothing in time."""
    relaxed = replace(settings, density_as_capacity=False)
    built = _build_stage(
        problem, relaxed, stage, seed=limits.seed, previous_open=previous_open, previous_blocks={}
    )
    now = time.perf_counter()
    half_left = None if deadline is None else now + (deadline - now) / 2
    result = _run(built.model, relaxed, limits, half_left)
    if result.values is None:
        return []
    return [result.values[built.model.columns["y"]] > 0.5]


def _run_stage(
    built: StageModel,
    problem: SitingProblem,
    settings: SitingSettings,
    limits: SolverLimits,
    deadline: float | None,
) -> MipResult:
    """Solve a built stage. A start kept back (``StageModel.start_kept_back``) is given to
    HiGHS only as a cutoff (``objective_bound``: prune what cannot beat it), and it is the
    result when HiGHS finds nothing better; "infeasible" under the cutoff proves it optimal."""
    if built.travel_cuts is not None:
        return _run_by_travel_cuts(built, problem, settings, limits, deadline)
    start = built.model.start
    if not built.start_kept_back or start is None:
        return _run(built.model, settings, limits, deadline)
    start_cost = float(built.model.cost @ start) + built.model.offset
    cutoff = {**built.model.highs_options, "objective_bound": start_cost - built.model.offset}
    unstarted = replace(built.model, start=None, highs_options=cutoff)
    result = _run(unstarted, settings, limits, deadline)
    found = result.values is not None and result.objective is not None
    if found and result.objective <= start_cost:
        return result
    if result.status == SolveStatus.INFEASIBLE:
        return replace(
            result, status=SolveStatus.OPTIMAL, values=start, objective=start_cost, bound=start_cost
        )
    status = SolveStatus.FEASIBLE
    if result.bound is not None and result.bound >= start_cost - 1e-9 * max(1.0, abs(start_cost)):
        status = SolveStatus.OPTIMAL
    return replace(result, status=status, values=start, objective=start_cost)


def _run_by_travel_cuts(
    built: StageModel,
    problem: SitingProblem,
    settings: SitingSettings,
    limits: SolverLimits,
    deadline: float | None,
) -> MipResult:
    """A stage whose travel is cut-bounded ``θ`` columns, solved by rounds of travel cuts, each
    round's plan polished by the swaps that keep the stage's rules (``_swapped_start``)."""
    assert built.travel_cuts is not None
    columns = built.model.columns

    def polish(values: np.ndarray) -> np.ndarray:
        posts = {name: values[block] for name, block in columns.items() if name.startswith("t:")}
        polished = values.copy()
        open_sites = values[columns["y"]] > 0.5
        polished[columns["y"]] = _swapped_start(problem, settings, open_sites, posts, deadline)
        return polished

    return solve_by_travel_cuts(
        built.model,
        built.travel_cuts,
        deadline=deadline,
        mip_rel_gap=DEFAULT_RELATIVE_GAP if limits.relative_gap is None else limits.relative_gap,
        threads=limits.threads,
        seed=limits.seed,
        polish=polish,
    )


def _run(
    model: MipModel, settings: SitingSettings, limits: SolverLimits, deadline: float | None
) -> MipResult:
    """``model`` solved by the settings' solver under ``limits``, stopping at ``deadline``."""
    left = None if deadline is None else max(deadline - time.perf_counter(), 0.0)
    options = {
        "time_limit_seconds": left,
        "mip_rel_gap": DEFAULT_RELATIVE_GAP if limits.relative_gap is None else limits.relative_gap,
        "threads": limits.threads,
        "seed": limits.seed,
    }
    if settings.solver == "highs":
        from optimizer.siting.highs import run_highs

        return run_highs(model, **options)
    from optimizer.siting.alt_solvers import run_cbc, run_cpsat

    return (run_cbc if settings.solver == "cbc" else run_cpsat)(model, **options)


def _explain_infeasible(
    problem: SitingProblem,
    model: MipModel,
    settings: SitingSettings,
    limits: SolverLimits,
    deadline: float | None,
) -> InfeasibleError:
    """Find the rule groups whose removal makes ``model`` feasible, and name them."""
    rule_groups = [
        name
        for name in model.row_groups
        if name in ("density", GROUP_CAPACITY, form.GROUP_STATION_LIMIT)
        or name.startswith(POSTS_PREFIX)
    ]
    feasibility = replace(model, cost=np.zeros_like(model.cost), offset=0.0, start=None)
    clashes = []
    for name in rule_groups:
        result = _run(feasibility.without_groups({name}), settings, limits, deadline)
        if result.values is not None:
            clashes.append(f"{name}: {_describe_group(problem, settings, name)}")
    if not clashes:
        clashes = [f"{name}: {_describe_group(problem, settings, name)}" for name in rule_groups]
    return InfeasibleError(
        "the siting rules contradict each other; dropping any one of these rules makes "
        "a plan possible"
        if clashes
        else "no plan satisfies the siting rules",
        clashes,
    )


def _describe_group(problem: SitingProblem, settings: SitingSettings, name: str) -> str:
    if name == "density" and problem.districts is not None:
        needed = required_stations(problem, settings.residents_per_station)
        parts = [f"{problem.districts.name(d)} needs {needed[d]}" for d in np.flatnonzero(needed)]
        return (
            f"at least one station per {settings.residents_per_station:,.0f} urban residents ("
            + ", ".join(parts)
            + ")"
        )
    if name == GROUP_CAPACITY:
        return f"each station serves at most {settings.residents_per_station:,.0f} residents"
    if name == form.GROUP_STATION_LIMIT:
        limits = []
        if settings.max_stations is not None:
            limits.append(f"max_stations = {settings.max_stations}")
        if settings.budget is not None:
            limits.append(f"budget = {settings.budget:,.2f}")
        return " and ".join(limits)
    requirement = name.removeprefix(POSTS_PREFIX)
    return f"every place of its category has a {requirement} post within reach"
