"""Dispatch objectives against networkx ``network_simplex`` and a brute force.

Both references are built here from the problem's raw arrays, independently of the engine's
arc building. The objective compared is lexicographic: priority-weighted unmet units first,
then travel seconds (travel minutes rounded to the second, as the engine prices them).
"""

from __future__ import annotations

import itertools

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


def lenders_and_arcs(problem: DispatchProblem, minutes: np.ndarray, resource: int):
    """Lenders ``(region, is_partner, units)`` and allowed arcs ``(lender, receiver, seconds)``."""
    spare = problem.available_units - problem.demand_units - problem.min_cover_units
    lenders = [(i, False, int(spare[i, resource])) for i in range(problem.n_regions)]
    lenders += [
        (i, True, int(problem.partner_units[i, resource])) for i in range(problem.n_regions)
    ]
    lenders = [lender for lender in lenders if lender[2] > 0]
    need = np.maximum(problem.demand_units - problem.available_units, 0)[:, resource]
    arcs = []
    for index, (region, is_partner, _) in enumerate(lenders):
        for receiver in np.flatnonzero(need > 0):
            travel = 0.0 if region == receiver else minutes[region, receiver]
            if region == receiver and not is_partner:
                continue
            if problem.mobilisation_minutes[region] + travel <= problem.window_minutes:
                arcs.append((index, int(receiver), round(travel * 60)))
    return lenders, arcs, need


def networkx_objective(problem: DispatchProblem, minutes: np.ndarray) -> tuple[int, int]:
    """Lexicographic optimum by networkx: unmet first (large weight), then travel."""
    weighted_unmet, travel = 0, 0
    for resource in range(len(problem.resource_names)):
        lenders, arcs, need = lenders_and_arcs(problem, minutes, resource)
        big = 10**9
        graph = nx.DiGraph()
        total_need, total_lend = int(need.sum()), sum(units for *_, units in lenders)
        graph.add_node("unmet", demand=-total_need)
        graph.add_node("home", demand=total_lend)
        graph.add_edge("unmet", "home", capacity=total_need, weight=0)
        for index, (_, _, units) in enumerate(lenders):
            graph.add_node(("lender", index), demand=-units)
            graph.add_edge(("lender", index), "home", capacity=units, weight=0)
        for receiver in np.flatnonzero(need > 0):
            graph.add_node(("receiver", receiver), demand=int(need[receiver]))
            weight = big * int(problem.priority[receiver])
            graph.add_edge(
                "unmet", ("receiver", receiver), capacity=int(need[receiver]), weight=weight
            )
        for lender, receiver, seconds in arcs:
            graph.add_edge(("lender", lender), ("receiver", receiver), weight=seconds)
        cost, _ = nx.network_simplex(graph)
        weighted_unmet += cost // big
        travel += cost % big
    return weighted_unmet, travel


@pytest.mark.parametrize("engine", FLOW_ENGINES)
@pytest.mark.parametrize("seed", range(8))
def test_objective_agrees_with_networkx(seed: int, engine: str) -> None:
    problem, minutes = random_problem(seed, regions=25, resources=2, sparse=seed % 2 == 0)
    plan, report = solve_dispatch(problem, DispatchSettings(flow_engine=engine))
    assert report.status == "optimal" and report.gap == 0.0
    assert lexicographic(problem, plan) == networkx_objective(problem, minutes)
    penalty = plan.unmet_penalty_minutes
    weighted, seconds = lexicographic(problem, plan)
    assert report.objective == pytest.approx(weighted * penalty + seconds / 60)


def brute_force(problem: DispatchProblem, minutes: np.ndarray) -> tuple[int, int]:
    """Lexicographic optimum by enumerating every integer allocation (tiny instances only)."""
    rules = problem.rules
    weighted_unmet, travel = 0, 0
    for resource in range(len(problem.resource_names)):
        lenders, arcs, need = lenders_and_arcs(problem, minutes, resource)
        best = None
        ranges = [
            range(min(lenders[lender][2], int(need[receiver])) + 1) for lender, receiver, _ in arcs
        ]
        for units in itertools.product(*ranges):
            units = np.array(units, dtype=np.int64)
            if (units[(units > 0)] < rules.min_batch_units).any():
                continue
            sent = np.zeros(len(lenders), dtype=np.int64)
            got = np.zeros(problem.n_regions, dtype=np.int64)
            donors_of = np.zeros(problem.n_regions, dtype=np.int64)
            for (lender, receiver, _), amount in zip(arcs, units, strict=True):
                sent[lender] += amount
                got[receiver] += amount
                donors_of[receiver] += amount > 0
            if (sent > [units_ for *_, units_ in lenders]).any() or (got > need).any():
                continue
            if rules.max_donors_per_receiver and (donors_of > rules.max_donors_per_receiver).any():
                continue
            value = (
                int((problem.priority * (need - got)).sum()),
                int(
                    sum(
                        seconds * amount
                        for (_, _, seconds), amount in zip(arcs, units, strict=True)
                    )
                ),
            )
            best = value if best is None or value < best else best
        weighted_unmet += best[0]
        travel += best[1]
    return weighted_unmet, travel


def tiny_problem(seed: int, rules: DispatchRules | None) -> tuple[DispatchProblem, np.ndarray]:
    """Four regions, one resource, a handful of units: small enough to enumerate."""
    rng = np.random.default_rng(seed)
    minutes = rng.uniform(10, 130, size=(4, 4)).round(1)
    np.fill_diagonal(minutes, 0.0)
    problem = DispatchProblem.from_arrays(
        region_ids=["a", "b", "c", "d"],
        resource_names=["staff"],
        available_units=rng.integers(0, 6, size=4),
        demand_units=rng.integers(0, 6, size=4),
        min_cover_units=rng.integers(0, 2, size=4),
        partner_units=rng.integers(0, 2, size=4),
        priority=rng.integers(1, 3, size=4),
        mobilisation_minutes=rng.uniform(0, 20, size=4),
        travel_minutes=minutes,
        rules=rules,
    )
    return problem, minutes


@pytest.mark.parametrize(
    "rules",
    [None, DispatchRules(min_batch_units=2), DispatchRules(max_donors_per_receiver=1)],
    ids=["flow", "batch-mip", "donor-count-mip"],
)
@pytest.mark.parametrize("seed", range(10))
def test_objective_agrees_with_brute_force(seed: int, rules: DispatchRules | None) -> None:
    problem, minutes = tiny_problem(seed, rules)
    plan, report = solve_dispatch(problem)
    assert report.status == "optimal"
    assert lexicographic(problem, plan) == brute_force(problem, minutes)
