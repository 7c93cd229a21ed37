"""Which weekends each employee works, planned by counting alone, to guide the
column-generation construction where the weekend plan's MIP (``weekends``) does not.

Where employees may work only some weekends and those weekends only just cover weekend
demand, each weekend worked on one day only, or on a day already covered, is a weekend
that some other weekend goes short of. The construction spends the weekends employee by
employee at the prices of the moment, and with demand rising through the year the last
weekends go short: Curtois–Qu Instance24 needs 6,535 weekend staff-shifts against at most
6,818 its weekend limits allow, and the construction's roster left 649 weekend staff-shifts
short (565 of its 725 short staff-shifts lay in the last quarter) with 630 weekends worked
on one day only. Its weekend plan's MIP (297,309 choices) has no plan within the
construction's time.

This plan counts staff alone: each weekend needs as many employees as the busier of its two
days, and each employee works at most their weekend limit of weekends, whole, among those
they may work on both days. The most weekends needed that can be planned is a maximum flow
(employees → weekends), solved exactly in under half a second on Instance24; of those flows
it takes one of least cost over tiers of each weekend's need (``TIERS``), so that a
shortfall is spread over the weekends. It sees no shift types, successions or minutes, so
it only guides (``weekends.guides``): every row of a planned weekend day gains in the
employee's prices, every row of another weekend day loses. On Instance24 at 600 s the
construction's roster after its passes came to 74,815–77,031 (85,906–87,421 unguided) and
the final roster to 54,104–54,717 (56,375–57,271 unguided), six runs.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from optimizer.roster.pins import FREE
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings, employee_limits
from optimizer.roster.weekends import ANY_ROW, SATURDAY

SOURCE, SINK = "source", "sink"
TIERS = 4
"""A weekend's need is filled in this many equal tiers, each costing one more per employee
than the one before, so that where the limits cannot fill every weekend the flow of least
cost fills each weekend's first quarter before any weekend's second, and so on: the
weekends go short evenly, not the last ones whole."""


def applies(problem: RosterProblem, settings: RosterSettings) -> bool:
    """Whether some employee's weekend limit is below the horizon's weekends, the plan's one
    resource; False with on-call reserve, which also spends weekends and which the plan does
    not place."""
    if any(row.reserve_needed > 0 for row in problem.requirements):
        return False
    weekends = len(_saturdays(problem))
    return any(
        (limit := employee_limits(employee, settings).max_weekends) is not None and limit < weekends
        for employee in problem.employees
    )


def weekend_count_plan(problem: RosterProblem, settings: RosterSettings) -> np.ndarray:
    """``[employee, day]`` the plan in ``weekends.WeekendPlan.rows``' terms: ``ANY_ROW`` on
    both days of each weekend planned for the employee, −1 on the other weekend days,
    ``pins.FREE`` on weekdays. A weekend is one whose Saturday and Sunday both lie in the
    horizon; the plan is a maximum flow from each employee (at most their weekend limit)
    over the weekends they may work on both days (one each) to each weekend (at most the
    staff its busier day needs), of least cost over the need's tiers (``TIERS``)."""
    days = problem.horizon_days
    needed = np.zeros(days, dtype=np.int64)
    for row in problem.requirements:
        d = problem.day_index(row.day)
        if 0 <= d < days:
            needed[d] += row.staff_needed
    saturdays, dates = _saturdays(problem), problem.dates
    graph = nx.DiGraph()
    for e, employee in enumerate(problem.employees):
        limit = employee_limits(employee, settings).max_weekends
        graph.add_edge(SOURCE, e, capacity=len(saturdays) if limit is None else limit)
        for d in saturdays:
            if not {dates[d], dates[d + 1]} & employee.unavailable:
                graph.add_edge(e, ("weekend", d), capacity=1)
    for d in saturdays:
        staff = int(max(needed[d], needed[d + 1]))
        for tier, capacity in enumerate(np.diff(np.linspace(0, staff, TIERS + 1).round())):
            graph.add_edge(("weekend", d), ("tier", d, tier), capacity=int(capacity))
            graph.add_edge(("tier", d, tier), SINK, capacity=int(capacity), weight=tier)
    plan = np.full((len(problem.employees), days), FREE, dtype=np.int64)
    weekend_days = [d for d, day in enumerate(dates) if day.weekday() >= SATURDAY]
    plan[:, weekend_days] = -1
    if not saturdays:
        return plan
    flow = nx.max_flow_min_cost(graph, SOURCE, SINK)
    for e in range(len(problem.employees)):
        for weekend, employees in flow.get(e, {}).items():
            if employees > 0:
                plan[e, weekend[1] : weekend[1] + 2] = ANY_ROW
    return plan


def _saturdays(problem: RosterProblem) -> list[int]:
    """The day index of each Saturday whose Sunday lies in the horizon too."""
    return [d for d, day in enumerate(problem.dates[:-1]) if day.weekday() == SATURDAY]
