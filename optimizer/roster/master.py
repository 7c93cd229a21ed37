"""Column generation's master linear program (HiGHS): requirement and reserve rows, one
convexity row per person, the fairness goal's rows, and the columns (one roster each); its
price vectors are the pricing programs' input (``columns``)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from optimizer import stop
from optimizer.roster.loads import LOADS, row_loads, spread
from optimizer.roster.pins import keeps_pins
from optimizer.roster.problem import RosterProblem
from optimizer.roster.settings import RosterSettings
from optimizer.roster.variables import LENT, ON_CALL, WORK

Duty = tuple[int, int, str]
"""(employee index, requirement row, role) of one assignment."""

REDUCED_COST_EPSILON = 1e-6

SIMPLEX = (("presolve", "off"), ("solver", "simplex"), ("simplex_strategy", 4))
"""HiGHS options of the master's solves: columns are added between solves, and the primal
simplex restarts from the last basis (Instance12's first linear program: 12 s against 19 s
with HiGHS's defaults)."""
INTERIOR = (("presolve", "on"), ("solver", "ipm"), ("run_crossover", "off"))
"""HiGHS options of the solves within ``Master.interior`` once they are by the interior
point method."""
CROSSOVER = (*INTERIOR[:-1], ("run_crossover", "on"))
"""HiGHS options of the first solve after ``Master.interior`` where the block's solves were by
the interior point method: to a vertex and its basis."""
INTERIOR_AFTER = 1.0
"""Seconds of a simplex solve within ``Master.interior`` after which the block's solves are by the
interior point method. Curtois–Qu 21–24's first linear programs reach it (at 600 s, 21's 39 s
into the run and 22's 24 s into the program; 23's and 24's re-solves took 0.7–2.2 s); those of
1–12, 17–20 and the held-back shapes' cuts, whose solves take milliseconds to 0.7 s, and 21's
at 60 s stay on the simplex, which on the cuts of 18 and 19 proved the optimum in 8.6 and 4.7 s
where the interior point method's vertex led the dive to 5,052 at 60 s (optimum 5,050) and a
proof in 42.9 s."""


def reserve_rows(problem: RosterProblem) -> np.ndarray:
    """The requirement rows with an on-call reserve target, in order: the master's row
    ``len(problem.requirements) + k`` is the reserve of the ``k``-th of them."""
    return np.flatnonzero([row.reserve_needed > 0 for row in problem.requirements])


def reserve_row_of(problem: RosterProblem) -> np.ndarray:
    """[requirement row] the master's reserve row of each (``reserve_rows``), −1 without."""
    reserve_row = np.full(len(problem.requirements), -1, dtype=np.int64)
    reserve = reserve_rows(problem)
    reserve_row[reserve] = len(problem.requirements) + np.arange(len(reserve))
    return reserve_row


class Master:
    """The master linear program in HiGHS: one row per requirement row (its staff), then one
    per reserve target (``reserve_rows``: its on-call places, short ones weighted as in
    ``rules.cover_reserve``, extra ones free), then one convexity row per employee and, with
    the fairness goal, per load (``loads``) a row per employee for most ≥ their load and one
    for their load ≥ least; slack pairs first, then the most and least variables, then the
    columns in the program (a fixed employee's other columns are deleted from it).

    A price vector (``solve``'s duals, ``columns._Pricing``'s input) holds the requirement and
    reserve rows' prices, then each employee's load prices (the least row's dual minus the
    most row's: what one more day of the load is worth to the program)."""

    def __init__(self, problem: RosterProblem, settings: RosterSettings, deadline: float) -> None:
        self.deadline = deadline
        """``time.perf_counter()`` reading at which every linear program stops"""
        requirements = problem.requirements
        self.reserve_of = reserve_rows(problem)
        """the requirement row of each reserve row (master row ``work_rows + k``)"""
        self.work_rows = len(requirements)
        self.rows = self.work_rows + len(self.reserve_of)
        self.employees = len(problem.employees)
        """own employees: persons ``0 .. employees - 1``"""
        self.people = self.employees + len(problem.shared_employees)
        """own employees and then partners' shared employees, each with a convexity row"""
        reserve = [requirements[r] for r in self.reserve_of]
        self.needed = np.array(
            [row.staff_needed for row in requirements] + [row.reserve_needed for row in reserve],
            dtype=float,
        )
        self.under = np.array(
            [row.under_weight or settings.uncovered_weight for row in requirements]
            + [settings.reserve_shortfall_weight] * len(reserve),
            dtype=float,
        )
        self.over = np.array(
            [
                settings.over_cover_weight if row.over_weight is None else row.over_weight
                for row in requirements
            ]
            + [0] * len(reserve),
            dtype=float,
        )
        self.fairness = float(settings.fairness_weight) if self.employees >= 2 else 0.0
        """weight per day of spread of each load; 0 without the goal"""
        self.days = problem.horizon_days
        self.row_loads = np.pad(row_loads(problem), ((0, 0), (0, len(reserve))))
        """[load, master row] what working the row adds to each load"""
        self.priced = self.rows + len(LOADS) * self.employees
        """length of a price vector"""
        self.first_column = 2 * self.rows + (2 * len(LOADS) if self.fairness else 0)
        """position of the first column in the program"""
        self.load_duals = np.zeros((2, len(LOADS), self.employees))
        """[most or least, load, employee] the duals of the fairness rows at the last
        optimal solve"""
        self.columns: list[tuple[int, np.ndarray]] = []
        """(employee, requirement row per day) of each column"""
        self.loads: list[np.ndarray] = []
        """[load] of each column"""
        self.costs: list[float] = []
        """request cost of each column"""
        self.columns_of: list[list[int]] = [[] for _ in range(self.people)]
        """each person's columns"""
        self.in_lp: list[int] = []
        """the columns in the linear program, in its order"""
        self.optimal: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        """the results of the last solve that ended optimal (see ``solve``)"""
        self.lp = self._program()
        self._solver = SIMPLEX
        """HiGHS options of the next solve: ``SIMPLEX``, ``INTERIOR`` or ``CROSSOVER``"""
        self._use(SIMPLEX)
        self._slow_simplex = np.inf
        """seconds of a simplex solve after which the solves are by the interior point
        method (``interior``)"""

    def _use(self, solver: tuple[tuple[str, str | int], ...]) -> None:
        """Solve by ``solver`` (``SIMPLEX``, ``INTERIOR`` or ``CROSSOVER``) from now on."""
        for option, value in solver:
            self.lp.setOptionValue(option, value)
        self._solver = solver

    @contextmanager
    def interior(self, after: float = INTERIOR_AFTER) -> Iterator[None]:
        """Within the block, once a simplex solve has taken more than ``after`` seconds,
        solve by HiGHS's interior point method from scratch, without crossover, instead of
        by the primal simplex from the last basis; if it came to that, the first solve
        after the block runs with crossover, to a vertex whose basis the simplex solves
        after it start from (2–5 s on Curtois–Qu 22–24's first linear programs).

        For column generation's first linear program on a large problem: its duals lie
        inside the optimal face, not at one of its vertices, so the columns they price
        move the program more, and on thousands of whole-year columns a solve from
        scratch costs about what the simplex's degenerate pivots from the last basis do.
        The program fell faster on Curtois–Qu 22–24 (``_generate``): Instance22's to
        37,694 in 116 s against 40,041 in 110 s by the simplex (a solve of its 1,550
        columns: 4.5 s; by the simplex at 790, 3.4 s for 3,700 iterations), Instance23's to
        42,410 in 38 s against 44,503, Instance24's to 101,809 in 53 s against 109,213 in
        57 s."""
        self._slow_simplex = after
        try:
            yield
        finally:
            self._slow_simplex = np.inf
            if self._solver is INTERIOR:
                self._use(CROSSOVER)

    def _program(self) -> highspy.Highs:
        """A HiGHS model with the rows, the slack pairs and the most and least variables,
        no columns yet."""
        lp = highspy.Highs()
        lp.setOptionValue("output_flag", False)
        fair_rows = 2 * len(LOADS) * self.employees if self.fairness else 0
        lower = np.concatenate([self.needed, np.ones(self.people), np.zeros(fair_rows)])
        upper = np.concatenate([lower[: len(lower) - fair_rows], np.full(fair_rows, np.inf)])
        empty = np.array([], np.int32)
        lp.addRows(len(lower), lower, upper, 0, np.zeros(len(lower), np.int32), empty, [])
        slacks = np.arange(self.rows, dtype=np.int32)
        lp.addCols(
            2 * self.rows,
            np.concatenate([self.under, self.over]),
            np.zeros(2 * self.rows),
            np.concatenate([self.needed, np.full(self.rows, highspy.kHighsInf)]),
            2 * self.rows,
            np.arange(2 * self.rows, dtype=np.int32),
            np.concatenate([slacks, slacks]),
            np.concatenate([np.ones(self.rows), -np.ones(self.rows)]),
        )
        if self.fairness:
            # per load: most (+1 in its rows most − load ≥ 0), least (−1 in load − least ≥ 0)
            count = 2 * len(LOADS)
            rows = self._fair_row(np.arange(count)[:, np.newaxis], np.arange(self.employees))
            lp.addCols(
                count,
                np.tile([self.fairness, -self.fairness], len(LOADS)),
                np.zeros(count),
                np.full(count, float(self.days)),
                rows.size,
                np.arange(0, rows.size, self.employees, dtype=np.int32),
                rows.ravel().astype(np.int32),
                np.repeat(np.tile([1.0, -1.0], len(LOADS)), self.employees),
            )
        return lp

    def _fair_row(self, side: int | np.ndarray, e: int | np.ndarray) -> np.ndarray:
        """The program's row for ``side`` (2 × load + 0 for most ≥ load, + 1 for load ≥
        least) of employee ``e``."""
        return np.asarray(self.rows + self.people + side * self.employees + e)

    def duty(self, e: int, row: int) -> Duty:
        """Person ``e``'s duty in master ``row``: work in a requirement row, or on call (own
        staff) or lent (partners' staff) for a reserve row's requirement row."""
        if row < self.work_rows:
            return e, row, WORK
        role = ON_CALL if e < self.employees else LENT
        return e, int(self.reserve_of[row - self.work_rows]), role

    def _entries(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """The rows of ``column`` and its entries in them: its requirement rows and its
        employee's convexity row (1 each) and, with the fairness goal, its loads (−load in
        the most rows, +load in the least rows)."""
        e, rows = self.columns[column]
        index = np.append(np.sort(rows[rows >= 0]), self.rows + e)
        entries = np.ones(len(index))
        if self.fairness and e < self.employees:
            coefficients = np.tile([-1.0, 1.0], len(LOADS)) * np.repeat(self.loads[column], 2)
            sides = np.flatnonzero(coefficients)
            index = np.append(index, self._fair_row(sides, e))
            entries = np.append(entries, coefficients[sides])
        return index.astype(np.int32), entries

    def prices(self, cover: np.ndarray) -> np.ndarray:
        """A price vector with requirement and reserve row prices ``cover`` and no load
        prices."""
        return np.concatenate([cover, np.zeros(self.priced - self.rows)])

    def gain(self, e: int, rows: np.ndarray, cost: float, prices: np.ndarray) -> float:
        """What employee ``e``'s roster working ``rows`` (−1: off) at request ``cost`` is
        worth at ``prices`` (a price vector), before their convexity row's dual (a partner's
        employee ``e`` has no loads)."""
        worked = rows[rows >= 0]
        value = float(prices[worked].sum()) - cost
        if e < self.employees:
            at = self.rows + len(LOADS) * e
            value += float(prices[at : at + len(LOADS)] @ self.row_loads[:, worked].sum(axis=1))
        return value

    def add(self, e: int, rows: np.ndarray, cost: float) -> int:
        """Add employee ``e``'s roster working ``rows`` (−1: off) at request ``cost``;
        returns its column."""
        self.columns_of[e].append(len(self.columns))
        self.in_lp.append(len(self.columns))
        self.columns.append((e, rows))
        self.costs.append(cost)
        self.loads.append(self.row_loads[:, rows[rows >= 0]].sum(axis=1))
        index, entries = self._entries(len(self.columns) - 1)
        self.lp.addCol(cost, 0.0, highspy.kHighsInf, len(index), index, entries)
        return len(self.columns) - 1

    def solve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Solve, stopping at ``deadline``; returns (row duals of the requirement rows, of
        the convexity rows, the value of every column, 0 for those not in the program). A
        solve the deadline stops returns the last optimal solve's (new columns at 0): a
        stopped simplex's values may not even be feasible, and the dive fixes everyone by
        them at the deadline."""
        # HiGHS compares its time limit with its run time summed over every run of the model
        left = max(self.deadline - time.perf_counter(), 0.01)
        self.lp.setOptionValue("time_limit", self.lp.getRunTime() + left)
        started = time.perf_counter()
        self.lp.run()
        if self._solver is CROSSOVER:
            self._use(SIMPLEX)
        elif self._solver is SIMPLEX and time.perf_counter() - started > self._slow_simplex:
            self._use(INTERIOR)
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal and self.optimal:
            duals, convexity, values = self.optimal
            return duals, convexity, np.pad(values, (0, len(self.columns) - len(values)))
        solution = self.lp.getSolution()
        duals = np.asarray(solution.row_dual)
        values = np.zeros(len(self.columns))
        values[self.in_lp] = np.asarray(solution.col_value)[self.first_column :]
        prices = self.prices(duals[: self.rows])
        if self.fairness:
            # [load, most or least, employee], each ≥ 0 (HiGHS may leave −1e-12)
            fair = np.clip(duals[self.rows + self.people :], 0.0, None)
            fair = fair.reshape(len(LOADS), 2, self.employees)
            self.load_duals = fair.transpose(1, 0, 2)
            prices[self.rows :] = (fair[:, 1] - fair[:, 0]).T.ravel()
        self.optimal = (prices, duals[self.rows : self.rows + self.people], values)
        return self.optimal

    def last_prices(self) -> np.ndarray:
        """The price vector of the last solve that ended optimal (``solve``), solving first
        if none has."""
        return (self.optimal or self.solve())[0]

    def start_from(self, chosen: dict[int, int]) -> None:
        """Have the next solve start from the basis of the roster ``chosen`` (person →
        column, every person): each person's column basic, and in each requirement or
        reserve row its under-cover slack where the roster leaves the row short, else its
        over-cover slack (at 0 where the row is met exactly), and the fairness rows'
        logicals. The solve then starts primal feasible at the roster's value instead of
        in phase 1 from the slack basis: Curtois–Qu Instance22's first solve took 0.11 s
        instead of 2.6 s, Instance23's 0.31 s instead of 7.2 s, and Instance24's ended
        optimal in 1.3 s where phase 1 alone had not ended in 28.7 s."""
        staffed = self.staffed(chosen)
        basic, lower = highspy.HighsBasisStatus.kBasic, highspy.HighsBasisStatus.kLower
        columns = [lower] * self.lp.getNumCol()
        for r in np.flatnonzero(staffed < self.needed):
            columns[r] = basic
        for r in np.flatnonzero(staffed >= self.needed):
            columns[self.rows + r] = basic
        position = {j: self.first_column + i for i, j in enumerate(self.in_lp)}
        for column in chosen.values():
            columns[position[column]] = basic
        basis = highspy.HighsBasis()
        basis.col_status = columns
        basis.row_status = [lower] * (self.rows + self.people) + [basic] * (
            self.lp.getNumRow() - self.rows - self.people
        )
        basis.valid = True
        self.lp.setBasis(basis)

    def fix(self, e: int, column: int) -> None:
        """Force employee ``e``'s roster to ``column``: fix it at 1 and delete the others."""
        position = {j: self.first_column + i for i, j in enumerate(self.in_lp)}
        self.lp.changeColBounds(position[column], 1.0, 1.0)
        others = [j for j in self.columns_of[e] if j != column and j in position]
        if others:
            index = np.array(sorted(position[j] for j in others), dtype=np.int32)
            self.lp.deleteCols(len(index), index)
            dropped = set(others)
            self.in_lp = [j for j in self.in_lp if j not in dropped]

    def pin(self, pinned: dict[int, np.ndarray]) -> None:
        """Bound at 0 every column in the program that breaks its employee's pins
        (``pinned``: employee → [day] pins, see ``pins``)."""
        position = {j: self.first_column + i for i, j in enumerate(self.in_lp)}
        banned = []
        for e, days in pinned.items():
            columns = [j for j in self.columns_of[e] if j in position]
            rosters = np.stack([self.columns[j][1] for j in columns])
            kept = keeps_pins(rosters, days)
            banned += [position[j] for j, keep in zip(columns, kept, strict=True) if not keep]
        if banned:
            index = np.array(sorted(banned), dtype=np.int32)
            zeros = np.zeros(len(index))
            self.lp.changeColsBounds(len(index), index, zeros, zeros)

    def unfix(self, e: int) -> None:
        """Free employee ``e`` again: every column of theirs back in the program, at 0 to ∞."""
        position = {j: self.first_column + i for i, j in enumerate(self.in_lp)}
        for column in self.columns_of[e]:
            if column in position:
                self.lp.changeColBounds(position[column], 0.0, highspy.kHighsInf)
                continue
            self._put_back(column)

    def _put_back(self, column: int) -> None:
        """Add a known ``column`` to the program again, at 0 to ∞."""
        index, entries = self._entries(column)
        self.lp.addCol(self.costs[column], 0.0, highspy.kHighsInf, len(index), index, entries)
        self.in_lp.append(column)

    def restart(self, first: int) -> None:
        """The program with its ``first`` columns only, each at 0 to ∞ (the later ones stay
        known, for ``polish``)."""
        in_lp = set(self.in_lp)
        later = [self.first_column + i for i, j in enumerate(self.in_lp) if j >= first]
        if later:
            index = np.array(later, dtype=np.int32)
            self.lp.deleteCols(len(index), index)
        self.in_lp = [j for j in self.in_lp if j < first]
        if self.in_lp:
            start = self.first_column
            index = np.arange(start, start + len(self.in_lp), dtype=np.int32)
            self.lp.changeColsBounds(
                len(index), index, np.zeros(len(index)), np.full(len(index), highspy.kHighsInf)
            )
        for column in range(first):
            if column not in in_lp:
                self._put_back(column)

    def staffed(self, chosen: dict[int, int]) -> np.ndarray:
        """``[row]`` the persons the roster ``chosen`` (person → column) has in each
        requirement and reserve row."""
        staffed = np.zeros(self.rows)
        for column in chosen.values():
            rows = self.columns[column][1]
            np.add.at(staffed, rows[rows >= 0], 1)
        return staffed

    def value(self, chosen: dict[int, int]) -> float:
        """The objective of the roster ``chosen`` (employee → column): its columns' request
        costs, the cover weights of the staff short and over in each row and the fairness
        weight per day of its loads' spread."""
        staffed = self.staffed(chosen)
        cover = self.under * np.maximum(self.needed - staffed, 0)
        cover += self.over * np.maximum(staffed - self.needed, 0)
        own = [self.loads[j] for e, j in chosen.items() if e < self.employees]
        fairness = self.fairness * spread(np.array(own))
        return float(sum(self.costs[column] for column in chosen.values()) + cover.sum() + fairness)

    def switch(self, chosen: dict[int, int], new: dict[int, int]) -> dict[int, int]:
        """Fix the employees whose column differs in ``new`` from ``chosen`` (both employee
        → column, every employee fixed) to their ``new`` column; returns ``new``."""
        for e, column in new.items():
            if column != chosen[e]:
                self.unfix(e)
                self.fix(e, column)
        return new

    def polish(self, chosen: dict[int, int], deadline: float) -> dict[int, int]:
        """A better choice than ``chosen`` (employee → column, every employee) of one column
        per employee, if HiGHS's MIP solver finds one among all columns by the
        ``deadline``; otherwise ``chosen``."""
        self.solve()
        dived = self.lp.getObjectiveValue()
        mip = self._program()
        for column, cost in enumerate(self.costs):
            index, entries = self._entries(column)
            mip.addCol(cost, 0.0, 1.0, len(index), index, entries)
        first = self.first_column
        columns = np.arange(first, first + len(self.columns), dtype=np.int32)
        integer = int(highspy.HighsVarType.kInteger)
        mip.changeColsIntegrality(len(columns), columns, np.full(len(columns), integer, np.uint8))
        start = np.zeros(first + len(self.columns))
        start[first + np.array(list(chosen.values()))] = 1.0
        solution = highspy.HighsSolution()
        solution.col_value = start.tolist()
        mip.setSolution(solution)
        mip.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.01))
        stop.run_highs(mip)
        values = np.asarray(mip.getSolution().col_value)[first:]
        found = mip.getSolution().value_valid and len(values) == len(self.columns)
        if not found or mip.getObjectiveValue() >= dived - REDUCED_COST_EPSILON:
            return chosen
        picked = {self.columns[j][0]: int(j) for j in np.flatnonzero(values > 0.5)}
        return picked if len(picked) == self.people else chosen
