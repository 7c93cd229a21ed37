"""Dispatch objectives against networkx ``network_simplex`` and a brute force.

Both references are built here from the problem's raw arrays, independently of the engine's
arc building, in the surge model of issue #16: every region has its demand, its floor (its
minimum cover; with ``donors_keep="demand"`` its demand plus its minimum cover) and its
priority; its units above the floor may move to any region within the window, and every
region's demand left uncovered counts, donors' included. The objective compared is
lexicographic: priority-weighted unmet units first, then travel seconds (travel minutes rounded
to the second, as the engine prices them).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from optimizer.dispatch import DispatchProblem, DispatchRules, solve_dispatch
from optimizer.dispatch.settings import FLOW_ENGINES, DispatchSettings
from tests.test_dispatch_invariants import random_problem


def lexicographic(problem: DispatchProblem, plan) -> tuple[int, int]:
    """``(weighted unmet units, travel seconds)`` of a plan."""
    seconds = np.rint(plan.moves["travel_minutes"].to_numpy() * 60).astype(np.int64)
    travel = int((seconds * plan.moves["units"].to_numpy()).sum())
    return plan.totals()["weighted_unmet_units"], travel


def model_arrays(problem: DispatchProblem, resource: int):
    """``(available, demand, floor, above_floor)`` of one resource type, from the raw arrays."""
    available = problem.available_units[:, resource].astype(int)
    demand = problem.demand_units[:, resource].astype(int)
    floor = problem.min_cover_units[:, resource].astype(int)
    if problem.donors_keep == "demand":
        floor = floor + demand
    return available, demand, floor, np.maximum(available - floor, 0)


def lenders_and_arcs(problem: DispatchProblem, minutes: np.ndarray, resource: int):
    """Lenders ``(region, is_partner, units)`` and allowed arcs ``(lender, receiver, seconds)``
    to every region within the window (own units never to their own region)."""
    _, _, _, above_floor = model_arrays(problem, resource)
    lenders = [(i, False, int(above_floor[i])) for i in range(problem.n_regions)]
    lenders += [
        (i, True, int(problem.partner_units[i, resource])) for i in range(problem.n_regions)
    ]
    lenders = [lender for lender in lenders if lender[2] > 0]
    arcs = []
    for index, (region, is_partner, _) in enumerate(lenders):
        for receiver in range(problem.n_regions):
            if region == receiver and not is_partner:
                continue
            travel = 0.0 if region == receiver else minutes[region, receiver]
            if problem.mobilisation_minutes[region] + travel <= problem.window_minutes:
                arcs.append((index, receiver, round(travel * 60)))
    return lenders, arcs


def networkx_objective(problem: DispatchProblem, minutes: np.ndarray) -> tuple[int, int]:
    """Lexicographic optimum by networkx: unmet first (large weight), then travel.

    Each region's demand is a node; its floor's units serve it first, its own units above the
    floor serve it at no cost or go elsewhere, an unmet arc at ``priority × big`` fills the rest.
    """
    weighted_unmet, travel = 0, 0
    big = 10**9
    for resource in range(len(problem.resource_names)):
        available, demand, floor, _ = model_arrays(problem, resource)
        lenders, arcs = lenders_and_arcs(problem, minutes, resource)
        open_demand = np.maximum(demand - np.minimum(available, floor), 0)
        graph = nx.DiGraph()
        total_open, total_lend = int(open_demand.sum()), sum(units for *_, units in lenders)
        graph.add_node("unmet", demand=-total_open)
        graph.add_node("idle", demand=total_lend)
        graph.add_edge("unmet", "idle", capacity=total_open, weight=0)
        for index, (region, is_partner, units) in enumerate(lenders):
            graph.add_node(("lender", index), demand=-units)
            graph.add_edge(("lender", index), "idle", capacity=units, weight=0)
            if not is_partner:
                graph.add_edge(("lender", index), ("region", region), weight=0)
        for region in range(problem.n_regions):
            graph.add_node(("region", region), demand=int(open_demand[region]))
            weight = big * int(problem.priority[region])
            graph.add_edge(
                "unmet", ("region", region), capacity=int(open_demand[region]), weight=weight
            )
        for lender, receiver, seconds in arcs:
            graph.add_edge(("lender", lender), ("region", receiver), weight=seconds)
        cost, _ = nx.network_simplex(graph)
        weighted_unmet += cost // big
        travel += cost % big
    return weighted_unmet, travel


@pytest.mark.parametrize("donors_keep", ["min_cover", "demand"])
@pytest.mark.parametrize("engine", FLOW_ENGINES)
@pytest.mark.parametrize("seed", range(8))
def test_objective_agrees_with_networkx(seed: int, engine: str, donors_keep: str) -> None:
    problem, minutes = random_problem(
        seed, regions=25, resources=2, sparse=seed % 2 == 0, donors_keep=donors_keep
    )
    plan, report = solve_dispatch(problem, DispatchSettings(flow_engine=engine))
    assert report.status == "optimal" and report.gap == 0.0
    assert lexicographic(problem, plan) == networkx_objective(problem, minutes)
    penalty = plan.unmet_penalty_minutes
    weighted, seconds = lexicographic(problem, plan)
    assert report.objective == pytest.approx(weighted * penalty + seconds / 60)


def _distributions(units: int, caps: list[int], batch: int):
    """Every way to put at most ``units`` on arcs of capacities ``caps`` (0 or >= ``batch``
    each)."""
    if not caps:
        yield ()
        return
    for amount in range(min(units, caps[0]) + 1):
        if 0 < amount < batch:
            continue
        for rest in _distributions(units - amount, caps[1:], batch):
            yield (amount, *rest)


def brute_force(problem: DispatchProblem, minutes: np.ndarray) -> tuple[int, int]:
    """Lexicographic optimum over every integer allocation (tiny instances only).

    Lender by lender, every distribution of its units over its arcs (a move carries at most
    the receiver's open demand, as in the engines) is combined with every allocation of the
    lenders before it; allocations that agree on units sent and received per region (and, with
    the donor-count rule, on donors per region) differ only in travel, so the least-travel one
    stands for them all.
    """
    rules = problem.rules
    n = problem.n_regions
    weighted_unmet, travel = 0, 0
    for resource in range(len(problem.resource_names)):
        available, demand, floor, _ = model_arrays(problem, resource)
        open_demand = np.maximum(demand - np.minimum(available, floor), 0)
        lenders, arcs = lenders_and_arcs(problem, minutes, resource)
        # state: (own units sent, units received, donors) per region -> least travel seconds
        states: dict[tuple[tuple[int, ...], ...], int] = {((0,) * n, (0,) * n, (0,) * n): 0}
        for index, (region, is_partner, units) in enumerate(lenders):
            own_arcs = [(to, seconds) for lender, to, seconds in arcs if lender == index]
            caps = [int(open_demand[receiver]) for receiver, _ in own_arcs]
            options = list(_distributions(units, caps, rules.min_batch_units))
            next_states: dict[tuple[tuple[int, ...], ...], int] = {}
            for (sent, got, donors), seconds_so_far in states.items():
                for amounts in options:
                    sent_ = list(sent)
                    got_, donors_ = list(got), list(donors)
                    seconds = seconds_so_far
                    for (receiver, arc_seconds), amount in zip(own_arcs, amounts, strict=True):
                        if amount:
                            got_[receiver] += amount
                            donors_[receiver] += 1
                            seconds += amount * arc_seconds
                    if not is_partner:
                        sent_[region] += sum(amounts)
                    key = (tuple(sent_), tuple(got_), tuple(donors_))
                    if seconds < next_states.get(key, seconds + 1):
                        next_states[key] = seconds
            states = next_states
        best = None
        for (sent, got, donors), seconds in states.items():
            if rules.max_donors_per_receiver and max(donors) > rules.max_donors_per_receiver:
                continue
            short = np.maximum(demand - (available - np.array(sent) + np.array(got)), 0)
            value = (int((problem.priority * short).sum()), seconds)
            best = value if best is None or value < best else best
        weighted_unmet += best[0]
        travel += best[1]
    return weighted_unmet, travel


def tiny_problem(
    seed: int, rules: DispatchRules | None, donors_keep: str = "min_cover"
) -> tuple[DispatchProblem, np.ndarray]:
    """Four regions, one resource, a handful of units: small enough to enumerate. Donors are
    often below their own demand, and priorities differ."""
    rng = np.random.default_rng(seed)
    minutes = rng.uniform(10, 130, size=(4, 4)).round(1)
    np.fill_diagonal(minutes, 0.0)
    available = rng.integers(0, 7, size=4)
    problem = DispatchProblem.from_arrays(
        region_ids=["a", "b", "c", "d"],
        resource_names=["staff"],
        available_units=available,
        demand_units=rng.integers(0, 7, size=4),
        min_cover_units=np.minimum(rng.integers(0, 3, size=4), available),
        partner_units=rng.integers(0, 2, size=4) * (rng.random(4) < 0.5),
        priority=rng.integers(1, 4, size=4),
        mobilisation_minutes=rng.uniform(0, 20, size=4),
        travel_minutes=minutes,
        rules=rules,
        donors_keep=donors_keep,
    )
    return problem, minutes


ENGINES = [
    ("network-simplex", None),
    ("ortools", None),
    ("network-simplex", DispatchRules(min_batch_units=2)),
    ("network-simplex", DispatchRules(max_donors_per_receiver=1)),
]


@pytest.mark.parametrize("donors_keep", ["min_cover", "demand"])
@pytest.mark.parametrize(
    ("engine", "rules"),
    ENGINES,
    ids=["network-simplex", "ortools", "batch-mip", "donor-count-mip"],
)
@pytest.mark.parametrize("seed", range(10))
def test_objective_agrees_with_brute_force(
    seed: int, engine: str, rules: DispatchRules | None, donors_keep: str
) -> None:
    problem, minutes = tiny_problem(seed, rules, donors_keep)
    plan, report = solve_dispatch(problem, DispatchSettings(flow_engine=engine))
    assert report.status == "optimal"
    assert lexicographic(problem, plan) == brute_force(problem, minutes)


def test_the_mip_agrees_with_the_flow_when_its_rules_bind_nothing() -> None:
    # A batch of 1 is no rule; at most 4 donors per receiver binds nothing among 4 regions.
    for seed in range(10):
        problem, _ = tiny_problem(seed, DispatchRules(max_donors_per_receiver=8))
        flow_problem, _ = tiny_problem(seed, None)
        mip_plan, mip_report = solve_dispatch(problem)
        flow_plan, _ = solve_dispatch(flow_problem)
        assert mip_report.solver == "highs"
        assert lexicographic(problem, mip_plan) == lexicographic(flow_problem, flow_plan)
