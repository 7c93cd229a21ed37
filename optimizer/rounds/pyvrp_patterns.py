"""Day patterns and routes searched together: PyVRP's local search with pattern moves.

The PyVRP engine's periodic search, after the hybrid genetic search of Vidal et al. (2012) for
the periodic VRP, which changes patterns inside the search instead of around it. One iterated
local search runs over the whole period (days are blocks of one clock, as in ``period``):

- most iterations are PyVRP's own (perturb a few visits, local search, late-acceptance
  hill climbing over the penalised cost);
- in the others a few related places (a place and its nearest neighbours that have a choice of
  multi-day patterns) leave all their routes and come back on other patterns: one by one on the
  pattern whose days have the cheapest insertions into the current routes, or all together on
  the patterns closest to one pattern of the first (ruin and recreate on patterns). The routes
  are then improved by a full local search on the new patterns and judged like any other
  candidate;
- candidates get a pattern improvement (Vidal et al.'s PI): while moving a place to another
  pattern lowers the cost at the current routes (its removal savings on the days it leaves,
  its cheapest insertions on the days it gains, an overload weighed at the load penalty the
  search uses at that moment), the best such move is made, then a full local search.

The best feasible routes and their patterns are kept throughout; the search goes back to them
after a while without improvement, and pattern moves stop for the last part of the time, which
goes to routing the best patterns found.
"""

from __future__ import annotations

import math
import random
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyvrp
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    PerturbationManager,
    PerturbationParams,
)

from optimizer import stop
from optimizer.rounds.period import DayRoute, PeriodTask, flexible, period_task
from optimizer.rounds.problem import RoundsProblem
from optimizer.rounds.pyvrp_period import _data, visit_clients
from optimizer.rounds.settings import RoundsSettings

PATTERN_SHARE = 0.2
"""Share of the iterations that move patterns (the rest are PyVRP's own perturbations)."""

MAX_RUIN = 8
"""Most places whose patterns one pattern move changes."""

REGROUP_SHARE = 0.5
"""Share of the pattern moves that move a group of neighbours together (the rest re-choose each
place's pattern on its own)."""

NOISE = 0.2
"""Pattern moves weigh each option's insertion cost by a random factor up to ``1 + NOISE``."""

IMPROVE_LIMIT = 10
"""Most pattern-improvement moves made on one candidate."""

POLISH_SHARE = 0.15
"""Last share of the time spent routing the best patterns only."""

HISTORY = 300
"""Late-acceptance history length (PyVRP's default)."""

RESTART_AFTER = 2000
"""Iterations without a new best after which the search returns to the best routes."""

NEIGHBOURS = 50
"""Granular neighbourhood size (PyVRP's default)."""

Routes = list[tuple[int, list[int]]]
"""(vehicle type, places in order) per route."""
Where = tuple[int, int, int]
"""(route index, or -1 for a new route; position in the route; depot of a new route)."""


@dataclass(eq=False)
class _Model:
    """One choice of patterns as PyVRP's data and local search."""

    choice: tuple[int, ...]
    task: PeriodTask
    data: pyvrp.ProblemData
    search: LocalSearch
    index: dict[tuple[int, int], int]
    neighbours: dict[pyvrp.Activity, list[pyvrp.Activity]]

    def solution(self, routes: Routes) -> pyvrp.Solution:
        """``routes`` (vehicle type, places) as a solution of this model."""
        n_depots = self.task.n_depots
        return pyvrp.Solution(
            self.data,
            [
                pyvrp.Route(self.data, [self.index[(p, vt // n_depots)] for p in places], vt)
                for vt, places in routes
                if places
            ],
        )

    def routes(self, solution: pyvrp.Solution) -> Routes | None:
        """A solution of this model as (vehicle type, places) per route; ``None`` when a visit
        rides on another day's vehicle (a penalised state the search passes through)."""
        place, first, last = self.task.visit_place, self.task.visit_day, self.task.visit_last_day
        found: Routes = []
        for route in solution.routes():
            vehicle_type = int(route.vehicle_type())
            day = vehicle_type // self.task.n_depots
            # a route prints its visits as C<client> (D<depot> between trips): far quicker
            # than reading its activities one by one
            visits = [int(token[1:]) for token in str(route).split() if token[0] == "C"]
            if any(not first[v] <= day <= last[v] for v in visits):
                return None
            found.append((vehicle_type, [int(place[v]) for v in visits]))
        return found


class _Search:
    """What the combined search keeps between iterations, and its pattern moves."""

    def __init__(
        self,
        problem: RoundsProblem,
        settings: RoundsSettings,
        movable: Sequence[int],
        seed: int,
    ) -> None:
        self.problem = problem
        self.settings = settings
        self.movable = list(movable)
        self.rng = random.Random(seed)
        self.native_rng = pyvrp.RandomNumberGenerator(seed=seed)
        ticks = settings.ticks_per_minute
        self.ticks = ticks
        nodes = np.concatenate([np.asarray(problem.depots), problem.place_location])
        self.distance = np.rint(problem.travel_minutes[np.ix_(nodes, nodes)] * ticks).astype(
            np.int64
        )
        self.n_depots = len(problem.depots)
        self.demand = problem.demand.astype(np.int64) * ticks
        self.capacity = None if problem.capacity is None else problem.capacity * ticks
        movable_array = np.asarray(self.movable, dtype=np.int64)
        self.row = np.full(problem.n_places, -1, dtype=np.int64)
        self.row[movable_array] = np.arange(len(self.movable))
        spots = self.n_depots + movable_array
        near = self.distance[np.ix_(spots, spots)] + self.distance[np.ix_(spots, spots)].T
        self.related = {
            place: [self.movable[j] for j in np.argsort(near[i], kind="stable")]
            for i, place in enumerate(self.movable)
        }
        most = max((len(problem.patterns[p]) for p in self.movable), default=1)
        self.option_days = np.zeros((len(self.movable), most, problem.period_days), dtype=bool)
        self.option_valid = np.zeros((len(self.movable), most), dtype=bool)
        for row, place in enumerate(self.movable):
            for option in range(len(problem.patterns[place])):
                self.option_days[row, option, list(problem.days_of(place, option))] = True
                self.option_valid[row, option] = True
        self.client_cache: dict[tuple[int, ...], pyvrp.Client] = {}
        self.activities: list[pyvrp.Activity] = []
        self.stale = 0

    # -- models ---------------------------------------------------------------------------

    def model(self, choice: Sequence[int], previous: _Model | None = None) -> _Model:
        """The model of ``choice``; from ``previous`` (the same visits but for some places'
        days) it takes the data and the neighbourhoods of the visits whose days stayed."""
        task = period_task(self.problem, self.settings, choice)
        same = (
            previous is not None
            and len(previous.task.visit_place) == len(task.visit_place)
            and (previous.task.visit_place == task.visit_place).all()
            and (previous.task.visit_group == task.visit_group).all()
            and previous.task.vehicles == task.vehicles
            and previous.task.day_ticks == task.day_ticks
        )
        if same:
            assert previous is not None
            data = previous.data.replace(clients=visit_clients(task, self.client_cache))
            changed: np.ndarray | None = np.flatnonzero(
                (previous.task.visit_day != task.visit_day)
                | (previous.task.visit_last_day != task.visit_last_day)
            )
            neighbours = dict(previous.neighbours)
            self.stale += len(changed)
            if self.stale > len(task.visit_place) // 4:
                changed, self.stale = None, 0
            neighbours.update(_neighbours(task, changed, self.activities))
        else:
            data = _data(task)
            self.activities = [
                pyvrp.Activity(pyvrp.ActivityType.CLIENT, k) for k in range(len(task.visit_place))
            ]
            neighbours, self.stale = _neighbours(task, None, self.activities), 0
        search = LocalSearch(
            data, self.native_rng, neighbours, PerturbationManager(PerturbationParams())
        )
        for operator in OPERATORS:
            if operator.supports(data):
                search.add_operator(operator(data))
        return _Model(tuple(choice), task, data, search, task.visit_index(), neighbours)

    # -- insertion estimates --------------------------------------------------------------

    def _edges(
        self, routes: Routes, day: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int]]:
        """The legs of ``day``'s routes: (from node, to node, route index, position a place
        inserted on the leg takes, load of the leg's route) and the routes out per depot."""
        starts: list[int] = []
        ends: list[int] = []
        owner: list[int] = []
        position: list[int] = []
        loads: list[int] = []
        used = [0] * self.n_depots
        n_depots = self.n_depots
        for index, (vt, places) in enumerate(routes):
            if vt // n_depots != day or not places:
                continue
            depot = vt % n_depots
            used[depot] += 1
            path = [depot, *(n_depots + p for p in places), depot]
            legs = len(path) - 1
            starts.extend(path[:-1])
            ends.extend(path[1:])
            owner.extend([index] * legs)
            position.extend(range(legs))
            loads.extend([int(self.demand[places].sum())] * legs)
        return (
            np.asarray(starts, dtype=np.int64),
            np.asarray(ends, dtype=np.int64),
            np.asarray(owner, dtype=np.int64),
            np.asarray(position, dtype=np.int64),
            np.asarray(loads, dtype=np.int64),
            used,
        )

    def _added(
        self,
        starts: np.ndarray,
        ends: np.ndarray,
        loads: np.ndarray,
        places: np.ndarray,
        load_penalty: float,
    ) -> np.ndarray:
        """(places × legs) cost of inserting each place on each leg."""
        spots = self.n_depots + places
        matrix = self.distance
        added = (
            matrix[np.ix_(starts, spots)].T + matrix[np.ix_(spots, ends)] - matrix[starts, ends]
        ).astype(np.float64)
        if self.capacity is not None and load_penalty > 0:
            need = self.demand[places]
            over = np.maximum(loads[None, :] + need[:, None] - self.capacity, 0) - np.maximum(
                loads - self.capacity, 0
            )
            added += load_penalty * over
        return added

    def insertion(
        self, task: PeriodTask, routes: Routes, day: int, place: int, load_penalty: float
    ) -> tuple[float, Where]:
        """Cheapest insertion of ``place`` on ``day``: (cost in ticks, where)."""
        starts, ends, owner, position, loads, used = self._edges(routes, day)
        best_cost, best_where = math.inf, (-1, 0, 0)
        if len(starts):
            added = self._added(starts, ends, loads, np.array([place]), load_penalty)[0]
            leg = int(np.argmin(added))
            best_cost, best_where = float(added[leg]), (int(owner[leg]), int(position[leg]), 0)
        spot = self.n_depots + place
        for depot in range(self.n_depots):
            if used[depot] < task.vehicles:
                alone = float(self.distance[depot, spot] + self.distance[spot, depot])
                if alone + task.fixed_cost < best_cost:
                    best_cost, best_where = alone + task.fixed_cost, (-1, 0, depot)
        return best_cost, best_where

    def insert(self, routes: Routes, day: int, place: int, where: Where) -> None:
        """Put ``place`` on ``day`` where ``insertion`` found room."""
        route, position, depot = where
        if route < 0:
            routes.append((day * self.n_depots + depot, [place]))
        else:
            routes[route][1].insert(position, place)

    def _table(
        self, task: PeriodTask, routes: Routes, load_penalty: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(movable × days) cheapest insertion cost of each movable place on each day, the
        saving of removing it from each day it is on (0 elsewhere), and whether it is on."""
        days = self.problem.period_days
        movable = np.asarray(self.movable, dtype=np.int64)
        insert = np.full((len(movable), days), np.inf)
        remove = np.zeros((len(movable), days))
        present = np.zeros((len(movable), days), dtype=bool)
        matrix = self.distance
        for day in range(days):
            starts, ends, _, _, loads, used = self._edges(routes, day)
            if len(starts):
                insert[:, day] = self._added(starts, ends, loads, movable, load_penalty).min(axis=1)
                # a place on this day is the end of one leg and the start of the next
                here = np.flatnonzero(ends >= self.n_depots)
                rows = self.row[ends[here] - self.n_depots]
                mine = here[rows >= 0]
                if len(mine):
                    before, spot, after = starts[mine], ends[mine], ends[mine + 1]
                    saving = (
                        matrix[before, spot] + matrix[spot, after] - matrix[before, after]
                    ).astype(np.float64)
                    if self.capacity is not None and load_penalty > 0:
                        load = loads[mine]
                        relief = np.maximum(load - self.capacity, 0) - np.maximum(
                            load - self.demand[spot - self.n_depots] - self.capacity, 0
                        )
                        saving += load_penalty * relief
                    remove[rows[rows >= 0], day] = saving
                    present[rows[rows >= 0], day] = True
            for depot in range(self.n_depots):
                if used[depot] < task.vehicles:
                    spots = self.n_depots + movable
                    alone = matrix[depot, spots] + matrix[spots, depot] + task.fixed_cost
                    insert[:, day] = np.minimum(insert[:, day], alone)
        return insert, remove, present

    # -- pattern moves --------------------------------------------------------------------

    def settle(
        self,
        model: _Model,
        choice: list[int],
        routes: Routes,
        evaluator: pyvrp.CostEvaluator,
    ) -> tuple[_Model, pyvrp.Solution]:
        """The model of ``choice`` (``model`` itself when it fixes the same patterns) and
        ``routes`` improved by a full local search in it."""
        if not self.same_model(choice, model):
            model = self.model(choice, model)
        return model, model.search(model.solution(routes), evaluator, exhaustive=True)

    def improve(
        self, model: _Model, routes: Routes, load_penalty: float
    ) -> tuple[list[int], Routes] | None:
        """Pattern improvement: while some place's move to another pattern lowers the cost at
        the current routes (its removal savings on the days it leaves, cheapest insertions on
        the days it gains), make the best such move, at most ``IMPROVE_LIMIT`` times; ``None``
        when none improves."""
        problem = self.problem
        choice = list(model.choice)
        work = [(vt, list(places)) for vt, places in routes]
        moved = False
        for _ in range(IMPROVE_LIMIT):
            insert, remove, now = self._table(model.task, work, load_penalty)
            gain = self.option_days & ~now[:, None, :]
            loss = now[:, None, :] & ~self.option_days
            with np.errstate(invalid="ignore"):
                delta = np.where(gain, insert[:, None, :], 0.0).sum(axis=2) - np.where(
                    loss, remove[:, None, :], 0.0
                ).sum(axis=2)
            delta[~self.option_valid] = np.inf
            row, option = np.unravel_index(int(np.argmin(delta)), delta.shape)
            if not delta[row, option] < -1e-6 * self.ticks:
                break
            place = self.movable[int(row)]
            before = set(np.flatnonzero(now[row]).tolist())
            after = set(problem.days_of(place, int(option)))
            for vt, places in work:
                if vt // self.n_depots in before - after and place in places:
                    places.remove(place)
            for day in sorted(after - before):
                where = self.insertion(model.task, work, day, place, load_penalty)[1]
                self.insert(work, day, place, where)
            choice[place] = int(option)
            moved = True
        return (choice, work) if moved else None

    def repattern(
        self, model: _Model, routes: Routes, load_penalty: float
    ) -> tuple[list[int], Routes]:
        """Ruin and recreate on patterns: a random movable place and up to ``MAX_RUIN - 1`` of
        its nearest movable places leave their routes and come back one by one on their
        cheapest pattern (insertion costs times a random factor up to ``1 + NOISE``)."""
        problem = self.problem
        seed = self.rng.choice(self.movable)
        size = self.rng.randint(1, min(MAX_RUIN, len(self.movable)))
        chosen = self.related[seed][:size]
        gone = set(chosen)
        work = [(vt, [p for p in places if p not in gone]) for vt, places in routes]
        choice = list(model.choice)
        self.rng.shuffle(chosen)
        for place in chosen:
            best: tuple[float, int, list[Where]] | None = None
            for option in range(len(problem.patterns[place])):
                total, spots = 0.0, []
                for day in problem.days_of(place, option):
                    cost, where = self.insertion(model.task, work, day, place, load_penalty)
                    total += cost
                    spots.append(where)
                total *= 1.0 + NOISE * self.rng.random()
                if best is None or total < best[0]:
                    best = (total, option, spots)
            assert best is not None
            choice[place] = best[1]
            for day, where in zip(problem.days_of(place, best[1]), best[2], strict=True):
                self.insert(work, day, place, where)
        return choice, work

    def regroup(
        self, model: _Model, routes: Routes, load_penalty: float
    ) -> tuple[list[int], Routes]:
        """A random movable place and its nearest movable places move together: for each other
        pattern of the first, every place takes its pattern sharing the most days with it, and
        the cheapest of these (insertion costs times a random factor up to ``1 + NOISE``) is
        made."""
        problem = self.problem
        seed = self.rng.choice(self.movable)
        size = self.rng.randint(2, max(2, min(MAX_RUIN, len(self.movable))))
        chosen = self.related[seed][:size]
        gone = set(chosen)
        base = [(vt, [p for p in places if p not in gone]) for vt, places in routes]
        self.rng.shuffle(chosen)
        on = self._days_on(routes)
        best: tuple[float, list[int], Routes] | None = None
        for target in range(len(problem.patterns[seed])):
            if set(problem.days_of(seed, target)) == on.get(seed, set()):
                continue
            days = set(problem.days_of(seed, target))
            work = [(vt, list(places)) for vt, places in base]
            choice = list(model.choice)
            total = 0.0
            for place in chosen:
                option = max(
                    range(len(problem.patterns[place])),
                    key=lambda o, place=place: (
                        len(days.intersection(problem.days_of(place, o))),
                        set(problem.days_of(place, o)) == on.get(place, set()),
                    ),
                )
                choice[place] = option
                for day in problem.days_of(place, option):
                    cost, where = self.insertion(model.task, work, day, place, load_penalty)
                    total += cost
                    self.insert(work, day, place, where)
            total *= 1.0 + NOISE * self.rng.random()
            if best is None or total < best[0]:
                best = (total, choice, work)
        if best is None:
            return list(model.choice), routes
        return best[1], best[2]

    def _days_on(self, routes: Routes) -> dict[int, set[int]]:
        """The days each place is on in ``routes``."""
        on: dict[int, set[int]] = {}
        for vt, places in routes:
            for place in places:
                on.setdefault(place, set()).add(vt // self.n_depots)
        return on

    def same_model(self, choice: Sequence[int], model: _Model) -> bool:
        """Whether ``choice`` keeps ``model``'s patterns of the movable places (the others'
        are fixed, or free for the solver)."""
        return all(choice[p] == model.choice[p] for p in self.movable)

    def complete(self, model: _Model, routes: Routes) -> Routes:
        """``routes`` with every visit of ``model`` they lack at its cheapest position
        (overloads allowed: the search repairs them)."""
        routes = [(vt, list(places)) for vt, places in routes]
        made = {(p, vt // self.n_depots) for vt, places in routes for p in places}
        days = range(self.problem.period_days)
        for place in range(self.problem.n_places):
            if flexible(self.problem, place) and any((place, day) in made for day in days):
                continue
            for day in self.problem.days_of(place, model.choice[place]):
                if (place, day) not in made:
                    where = self.insertion(model.task, routes, day, place, 0.0)[1]
                    self.insert(routes, day, place, where)
        return routes


def _neighbours(
    task: PeriodTask, rows: np.ndarray | None, activities: list[pyvrp.Activity]
) -> dict[pyvrp.Activity, list[pyvrp.Activity]]:
    """PyVRP's granular neighbourhoods of the visits ``rows`` (``None``: all): the visits
    nearest by travel plus the least wait (weight 0.2) and lateness (weight 1) of going from
    one to the other directly, taken both ways (the proximity of Vidal et al. 2013, as PyVRP's
    ``compute_neighbours`` has it; visits of one group are never neighbours)."""
    count = len(task.visit_place)
    rows = np.arange(count) if rows is None else np.asarray(rows, dtype=np.int64)
    if count < 2 or len(rows) == 0:
        return {activities[r]: [] for r in rows.tolist()}
    where = task.n_depots + task.visit_place
    early = task.window_open.astype(np.float64)
    late = task.window_close.astype(np.float64)
    service = task.stop.astype(np.float64)

    def proximity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        travel = task.duration[np.ix_(where[a], where[b])].astype(np.float64)
        cost = task.distance[np.ix_(where[a], where[b])].astype(np.float64)
        wait = early[None, b] - travel - service[a, None] - late[a, None]
        lateness = early[a, None] + service[a, None] + travel - late[None, b]
        return cost + 0.2 * np.maximum(wait, 0) + np.maximum(lateness, 0)

    everyone = np.arange(count)
    near = np.minimum(proximity(rows, everyone), proximity(everyone, rows).T)
    group = task.visit_group
    same = (group[rows, None] == group[None, :]) & (group[rows, None] >= 0)
    near[same] = np.finfo(np.float64).max
    near[np.arange(len(rows)), rows] = np.inf
    k = min(NEIGHBOURS, count - 1)
    top = np.argpartition(near, k - 1, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(near, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    return {
        activities[r]: [activities[j] for j in row]
        for r, row in zip(rows.tolist(), top.tolist(), strict=True)
    }


def search_patterns(
    problem: RoundsProblem,
    settings: RoundsSettings,
    choice: Sequence[int],
    start: Sequence[Sequence[DayRoute]],
    movable: Sequence[int],
    deadline: float | None,
    seed: int,
) -> tuple[list[int], list[list[DayRoute]]] | None:
    """Patterns and routes by the combined search until ``deadline``.

    Args:
        problem: the period.
        settings: objective and resolution.
        choice: the starting option of each place (flexible places are free).
        start: per day, routes to start from; visits they lack are inserted at their cheapest
            places (the routes need not keep capacity, windows or shifts: the search repairs
            them).
        movable: places with a choice of multi-day patterns.
        deadline: ``time.perf_counter()`` reading to stop at; ``None``: until a stop request.
        seed: random seed.

    Returns:
        (the option of each place, per day its routes), the best feasible found; ``None``
        when nothing feasible was found.
    """
    search = _Search(problem, settings, movable, seed)
    model = search.model(choice)
    params = PenaltyParams()
    penalties = PenaltyManager(params.midpoint_penalties(model.data), params)
    routes = [
        (day * search.n_depots + route.depot, list(route.places))
        for day, day_routes in enumerate(start)
        for route in day_routes
        if route.places
    ]
    current = model.solution(search.complete(model, routes))
    polish = (
        None if deadline is None else deadline - POLISH_SHARE * (deadline - time.perf_counter())
    )
    best: tuple[int, _Model, pyvrp.Solution] | None = None
    first = current  # the late-acceptance reference until the history is full
    history: list[float] = []
    position = since_best = 0
    polishing = False
    with warnings.catch_warnings(), stop.solving(lambda: None):
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        while not stop.past(deadline, time.perf_counter()):
            since_best += 1
            moving = bool(search.movable) and (polish is None or time.perf_counter() < polish)
            if best is not None and (since_best > RESTART_AFTER or (not moving and not polishing)):
                _, model, current = best  # back to the best (and, once, to polish it)
                polishing = not moving
                first, history, position, since_best = current, [], 0, 0
            evaluator = penalties.cost_evaluator()
            load_penalty = penalties.penalties()[0][0] if problem.capacity is not None else 0.0
            routes_now = (
                model.routes(current) if moving and search.rng.random() < PATTERN_SHARE else None
            )
            if routes_now is not None:
                move = search.regroup if search.rng.random() < REGROUP_SHARE else search.repattern
                candidate_model, candidate = search.settle(
                    model, *move(model, routes_now, load_penalty), evaluator
                )
            else:
                candidate_model = model
                candidate = model.search(current, evaluator, exhaustive=False)
            penalties.register(candidate)
            if moving:
                candidate_routes = candidate_model.routes(candidate)
                improved = (
                    None
                    if candidate_routes is None
                    else search.improve(candidate_model, candidate_routes, load_penalty)
                )
                if improved is not None:
                    candidate_model, candidate = search.settle(
                        candidate_model, *improved, evaluator
                    )
            if candidate.is_feasible() and (best is None or evaluator.cost(candidate) < best[0]):
                candidate = candidate_model.search(candidate, evaluator, exhaustive=True)
                if candidate.is_feasible():
                    best = (evaluator.cost(candidate), candidate_model, candidate)
                    since_best = 0
            # late-acceptance hill climbing, as PyVRP's own iterated local search
            candidate_cost = evaluator.penalised_cost(candidate)
            current_cost = evaluator.penalised_cost(current)
            full = len(history) == HISTORY
            late_cost = history[position] if full else evaluator.penalised_cost(first)
            if candidate_cost < late_cost or candidate_cost < current_cost:
                model, current, current_cost = candidate_model, candidate, candidate_cost
            if not full:
                history.append(current_cost)
            elif current_cost < late_cost:
                history[position] = current_cost
            position = (position + 1) % HISTORY
    if best is None:
        return None
    _, best_model, best_solution = best
    found = best_model.routes(best_solution)
    assert found is not None  # a feasible solution keeps every visit on its days
    by_day: list[list[DayRoute]] = [[] for _ in range(problem.period_days)]
    for vt, places in found:
        day, depot = divmod(vt, search.n_depots)
        by_day[day].append(DayRoute(depot, tuple(places)))
    return list(best_model.choice), by_day
