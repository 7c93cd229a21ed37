"""Independent checks of dispatch plans on random instances (not the model's own constraints).

``check_plan`` recomputes everything from the problem's raw arrays and the plan's move table:
arrivals within the window, donors never below their floor (minimum cover; with
``donors_keep="demand"`` demand plus minimum cover), units conserved, unmet demand counted in
every region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from optimizer.dispatch import (
    BEYOND_THE_WINDOW,
    DONORS_EXHAUSTED,
    RULES_HOLD_BACK,
    UNMET_REASONS,
    DispatchPlan,
    DispatchProblem,
    DispatchRules,
    Team,
    solve_dispatch,
)


def random_problem(
    seed: int,
    *,
    regions: int = 12,
    resources: int = 2,
    max_units: int = 12,
    sparse: bool = False,
    rules: DispatchRules | None = None,
    donors_keep: str = "min_cover",
) -> tuple[DispatchProblem, np.ndarray]:
    """A seeded random problem and its raw dense travel matrix (``inf`` = unreachable)."""
    rng = np.random.default_rng(seed)
    xy_km = rng.uniform(0.0, 150.0, size=(regions, 2))
    minutes = np.sqrt(((xy_km[:, None] - xy_km[None]) ** 2).sum(axis=2)) * 60.0 / 50.0
    minutes = np.round(minutes, 2)
    minutes[rng.random(minutes.shape) < 0.15] = np.inf  # some roads closed
    np.fill_diagonal(minutes, 0.0)
    shape = (regions, resources)
    matrix = minutes
    if sparse:
        reachable = np.isfinite(minutes)
        rows, cols = np.nonzero(reachable)
        values = minutes[reachable]
        values[values == 0] = 1e-9  # the geo layer's stored zero
        matrix = sp.csr_array((values, (rows, cols)), shape=minutes.shape)
    problem = DispatchProblem.from_arrays(
        region_ids=[f"r{i}" for i in range(regions)],
        resource_names=[f"k{i}" for i in range(resources)],
        available_units=rng.integers(0, max_units, size=shape),
        demand_units=rng.integers(0, max_units, size=shape),
        min_cover_units=rng.integers(0, 3, size=shape),
        partner_units=rng.integers(0, 3, size=shape) * (rng.random(shape) < 0.3),
        priority=rng.integers(1, 4, size=regions),
        mobilisation_minutes=rng.uniform(0.0, 40.0, size=regions),
        travel_minutes=matrix,
        coordinates_deg=np.column_stack([-51 + xy_km[:, 0] / 100, -30 + xy_km[:, 1] / 100]),
        rules=rules,
        donors_keep=donors_keep,
    )
    return problem, minutes


def check_plan(problem: DispatchProblem, minutes: np.ndarray, plan: DispatchPlan) -> None:
    """Assert the plan keeps every rule, recomputed from raw arrays."""
    moves = plan.moves
    regions = pd.Index(problem.region_ids)
    resources = pd.Index(problem.resource_names)
    donor = regions.get_indexer(moves["from_region"])
    receiver = regions.get_indexer(moves["to_region"])
    resource = resources.get_indexer(moves["resource"])
    partner = (moves["lender"] == "partner").to_numpy()
    units = moves["units"].to_numpy()
    assert (units > 0).all()
    # Timing: depart after mobilisation, drive the matrix minutes, arrive within the window.
    expected_travel = np.where(donor == receiver, 0.0, minutes[donor, receiver])
    assert np.allclose(moves["travel_minutes"], expected_travel)
    assert np.allclose(moves["depart_minute"], problem.mobilisation_minutes[donor])
    assert np.allclose(moves["arrive_minute"], moves["depart_minute"] + expected_travel)
    assert (moves["arrive_minute"] <= problem.window_minutes + 1e-9).all()
    assert (donor[~partner] != receiver[~partner]).all()
    # Lenders: own units never below the floor; partners within their units.
    sent_own = np.zeros_like(problem.available_units)
    sent_partner = np.zeros_like(problem.available_units)
    received = np.zeros_like(problem.available_units)
    np.add.at(sent_own, (donor[~partner], resource[~partner]), units[~partner])
    np.add.at(sent_partner, (donor[partner], resource[partner]), units[partner])
    np.add.at(received, (receiver, resource), units)
    floor = problem.min_cover_units.copy()
    if problem.donors_keep == "demand":
        floor += problem.demand_units
    remaining = problem.available_units - sent_own
    lent = sent_own > 0
    assert (remaining[lent] >= floor[lent]).all()
    assert (remaining[lent] >= problem.min_cover_units[lent]).all()
    assert (sent_partner <= problem.partner_units).all()
    # Conservation: units leave one place and arrive at another, none created or lost.
    assert sent_own.sum() + sent_partner.sum() == received.sum() == units.sum()
    # Unmet demand, in every region (donors included): exactly what is still missing.
    short = np.maximum(problem.demand_units - (remaining + received), 0)
    unmet = np.zeros_like(short)
    unmet_region = regions.get_indexer(plan.unmet["region"])
    unmet_resource = resources.get_indexer(plan.unmet["resource"])
    unmet[unmet_region, unmet_resource] = plan.unmet["unmet_units"]
    np.testing.assert_array_equal(unmet, short)
    np.testing.assert_array_equal(plan.unmet["lent_units"], sent_own[unmet_region, unmet_resource])
    if not problem.rules.needs_mip:  # batches and teams may bring more than needed
        open_demand = np.maximum(
            problem.demand_units - np.minimum(problem.available_units, floor), 0
        )
        assert (received <= open_demand).all()
        assert RULES_HOLD_BACK not in set(plan.unmet["reason"])
    assert set(plan.unmet["reason"]) <= set(UNMET_REASONS)


RULES = [
    None,
    DispatchRules(min_batch_units=3),
    DispatchRules(max_donors_per_receiver=1),
    DispatchRules(teams=(Team("crew", {"k0": 1, "k1": 2}),)),
    DispatchRules(min_batch_units=2, max_donors_per_receiver=2),
]


@pytest.mark.parametrize("donors_keep", ["min_cover", "demand"])
@pytest.mark.parametrize("rules", RULES, ids=lambda rules: repr(rules)[:60])
@pytest.mark.parametrize("seed", range(6))
def test_plans_keep_the_rules(seed: int, rules: DispatchRules | None, donors_keep: str) -> None:
    problem, minutes = random_problem(
        seed, sparse=seed % 2 == 1, rules=rules, donors_keep=donors_keep
    )
    plan, report = solve_dispatch(problem)
    assert report.has_solution
    check_plan(problem, minutes, plan)
    if rules is not None and rules.min_batch_units > 1:
        assert (plan.moves["units"] >= rules.min_batch_units).all()
    if rules is not None and rules.max_donors_per_receiver is not None:
        lenders = plan.moves.drop_duplicates(["from_region", "lender", "to_region"])
        assert lenders.groupby("to_region").size().max() <= rules.max_donors_per_receiver


def test_team_moves_carry_whole_teams() -> None:
    rules = DispatchRules(teams=(Team("crew", {"k0": 1, "k1": 2}),))
    problem, _ = random_problem(3, rules=rules)
    plan, _ = solve_dispatch(problem)
    per_move = plan.moves.pivot_table(
        index=["from_region", "to_region", "lender"], columns="resource", values="units"
    )
    assert not per_move.empty
    np.testing.assert_array_equal(per_move["k1"], 2 * per_move["k0"])


def test_a_move_arriving_after_the_window_is_never_planned() -> None:
    # north has spare units 100 minutes away, but mobilises in 30: 130 > 120.
    problem = DispatchProblem.from_arrays(
        region_ids=["north", "south"],
        resource_names=["staff"],
        available_units=[10, 0],
        demand_units=[0, 4],
        travel_minutes=np.array([[0.0, 100.0], [100.0, 0.0]]),
        mobilisation_minutes=np.array([30.0, 0.0]),
    )
    plan, report = solve_dispatch(problem)
    assert plan.moves.empty
    assert plan.unmet.to_dict("records") == [
        {
            "region": "south",
            "resource": "staff",
            "priority": 1,
            "need_units": 4,
            "lent_units": 0,
            "unmet_units": 4,
            "reason": BEYOND_THE_WINDOW,
        }
    ]
    assert report.status == "optimal"


def test_unmet_demand_goes_to_the_higher_priority_region() -> None:
    problem = DispatchProblem.from_arrays(
        region_ids=["donor", "low", "high"],
        resource_names=["staff"],
        available_units=[5, 0, 0],
        demand_units=[0, 3, 3],
        min_cover_units=[1, 0, 0],
        priority=np.array([1, 1, 5]),
        travel_minutes=np.array([[0, 10, 90], [10, 0, 80], [90, 80, 0]], dtype=float),
    )
    plan, _ = solve_dispatch(problem)
    moved = plan.moves.set_index("to_region")["units"].to_dict()
    assert moved == {"high": 3, "low": 1}
    assert plan.unmet.set_index("region").loc["low", "reason"] == DONORS_EXHAUSTED


def test_partner_units_serve_their_home_region_first() -> None:
    # home has a partner pool of 2 (0 minutes away) and a neighbour with spare units 30 away.
    problem = DispatchProblem.from_arrays(
        region_ids=["home", "neighbour"],
        resource_names=["staff"],
        available_units=[0, 9],
        demand_units=[5, 0],
        partner_units=[2, 0],
        travel_minutes=np.array([[0.0, 30.0], [30.0, 0.0]]),
    )
    plan, _ = solve_dispatch(problem)
    moves = plan.moves.set_index(["from_region", "lender"])["units"].to_dict()
    assert moves == {("home", "partner"): 2, ("neighbour", "own"): 3}
    assert plan.unmet.empty
