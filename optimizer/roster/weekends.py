"""A weekend plan for the column-generation construction: who works which weekend day, on
which requirement row, decided for all employees at once by a MIP over the weekend days
alone (HiGHS).

Where employees may work only some of the horizon's weekends (``max_weekends``) and those
weekends cannot cover weekend demand (``binds``), the weekends are the scarce resource, and
an employee-by-employee construction spends them greedily: on Curtois–Qu Instance22 (50
staff, 52 weeks, every employee at their limit of mostly 26 weekends) its roster, improved
for 450 s, kept 315 weekend staff-shifts short and 144 weekend shifts over-staffed, while
the weekend days alone admit a plan 249 short (proven optimal in 28–31 s). The plan keeps
what binds on weekends: one row a day among those the employee may staff, the forbidden
successions from Saturday to Sunday, the weekend limit and the per-type limits (all of a
type's limit may go to weekends); it prices the weekend days' shift requests. It leaves out
the weekdays, the minutes and the other sequence rules, so a planned pattern can leave an
employee too few workable days for their minimum minutes (on Instance22, 41 of 50
employees' exact programs found no roster holding their plan as pins). The construction
therefore takes it as a guide (``guides``): a premium on the planned rows and a charge on
the rows of a weekend day planned off, in each employee's own prices, and the employee's
program decides.

Every roster's weekend days are a plan of this model (drop the weekdays and what binds
them), so the MIP's dual bound, with the weight of the weekend shift-on requests added
(``_Model.unmet_requests``), bounds the weekend days' cost of every roster; with the weekdays'
over-cover that the contracts' minimum minutes force, it bounds the whole objective
(``WeekendPlan.bound``): on Instance22 26,023, where counting staff-shifts alone gives
9,158 (best known 30,241).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import highspy
import numpy as np

from optimizer import stop
from optimizer.roster.eligibility import forbidden_successions, may_staff
from optimizer.roster.pins import FREE
from optimizer.roster.problem import Employee, RosterProblem
from optimizer.roster.settings import RosterSettings, employee_limits

SATURDAY, SUNDAY = 5, 6
PLAN_SHARE = 0.4
"""Share of the construction's time (``columns.CONSTRUCT_SHARE``) the plan's MIP may take."""
PLAN_GAP = 0.05
"""The plan is used only when the MIP proved it within this relative gap of its bound."""
SECONDS_PER_CELL = 1e-3
"""The plan's MIP is not begun with less time than this per (employee, weekend day, row)
choice: Instance22's 31,077 took 28–31 s to prove optimal; cut short at 5 s (its share at a
60 s limit) it had no plan within ``PLAN_GAP``, and the construction lost those seconds
(45,050 became 57,652 at 60 s)."""
BOUND_SECONDS_PER_CELL = 2e-4
"""``weekend_bound``'s MIP is not begun with less time than this per choice: its first bound
(the root's linear program) took 19 s for Curtois–Qu Instance23's 95,296 choices, 149 s for
Instance24's 297,309 and 2 s for Instance21's 25,821 (proven optimal then)."""
BOUND_NODES = 100
"""``weekend_bound``'s MIP stops after this many branch-and-bound nodes: the bound is what
it is for, and the root gives most of it."""
ANY_ROW = -3
"""In a plan's ``rows``: a weekend day planned on, on whichever row the employee may staff
(``weekend_count``)."""
FEASIBLE = 2
"""HiGHS' ``primal_solution_status`` of a feasible solution."""
GUIDE_SHARE = 0.3
"""The premium on a planned row, and the charge on each row of a weekend day planned off,
as a share of the row's under-cover weight."""


def binds(problem: RosterProblem, settings: RosterSettings) -> bool:
    """Whether the staff's weekends cannot cover the weekend demand even counted alone: the
    weekend staff-shifts needed exceed what every employee could work on weekends (two a
    weekend on both days open, one on one, at most their weekend limit of them, the
    weekends with both days open first). Then which employee works which weekend is what
    the objective turns on, and the plan's MIP has a bound to work against; where the
    count covers demand (Curtois–Qu Instances 23 and 24) HiGHS found only poor plans in
    30 s, though its bound still counts (``weekend_bound``). False with on-call reserve,
    which also spends weekends and which the plan does not place."""
    if any(row.reserve_needed > 0 for row in problem.requirements):
        return False
    dates = problem.dates
    needed = sum(
        row.staff_needed
        for row in problem.requirements
        if row.day.weekday() in (SATURDAY, SUNDAY) and 0 <= problem.day_index(row.day) < len(dates)
    )
    return needed > sum(
        _weekend_capacity(employee, settings, dates) for employee in problem.employees
    )


def _weekend_capacity(employee: Employee, settings: RosterSettings, dates: list[date]) -> int:
    """The most weekend days ``employee`` could work in the horizon of ``dates``, counting
    only their availability and weekend limit."""
    open_days: dict[int, int] = defaultdict(int)
    for d, day in enumerate(dates):
        if day.weekday() in (SATURDAY, SUNDAY) and day not in employee.unavailable:
            open_days[d + SUNDAY - day.weekday()] += 1
    limit = employee_limits(employee, settings).max_weekends
    by_days = sorted(open_days.values(), reverse=True)
    return sum(by_days if limit is None else by_days[:limit])


@dataclass(frozen=True)
class WeekendPlan:
    """What the weekend plan's MIP found.

    Attributes:
        rows: ``[employee, day]``: the row planned, −1 for a weekend day planned off,
            ``pins.FREE`` on weekdays and on weekend days the employee can staff no row;
            ``None`` when the MIP found no plan within ``PLAN_GAP`` of its bound.
        bound: a lower bound on every roster's objective, in objective units: the
            weekend days' cost (cover of their rows and their shift requests) the MIP
            proved, 0 when it proved nothing, and the weekdays' over-cover their contracts
            force (``_weekday_over_cover``).
    """

    rows: np.ndarray | None
    bound: float


def weekend_plan(
    problem: RosterProblem,
    settings: RosterSettings,
    under: np.ndarray,
    over: np.ndarray,
    deadline: float,
) -> WeekendPlan | None:
    """The weekend days' rows of every employee that cost least in cover (``under`` and
    ``over``: each requirement row's weights per staff-shift short and over) and weekend
    shift requests, by a HiGHS MIP stopped at ``deadline`` (a ``time.perf_counter()``
    reading) or a stop request with its best plan, and the bound it proved.

    Returns:
        The plan and bound; ``None`` when the MIP was not begun for lack of time
        (``SECONDS_PER_CELL``).
    """
    solved = _solved(problem, settings, under, over, deadline, SECONDS_PER_CELL)
    if solved is None:
        return None
    model, lp, weekend_cost = solved
    bound = weekend_cost + _weekday_over_cover(problem, settings, over)
    info = lp.getInfo()
    solution = np.asarray(lp.getSolution().col_value)
    if len(solution) != lp.getNumCol() or info.primal_solution_status != FEASIBLE:
        return WeekendPlan(None, bound)
    if info.mip_gap > PLAN_GAP:
        return WeekendPlan(None, bound)
    plan = np.full((len(problem.employees), problem.horizon_days), FREE, dtype=np.int64)
    for e, d in model.day_cells:
        plan[e, d] = -1
    chosen = solution[: len(model.cells)] > 0.5
    for (e, d, r), picked in zip(model.cells, chosen, strict=True):
        if picked:
            plan[e, d] = r
    return WeekendPlan(plan, bound)


def weekend_bound(
    problem: RosterProblem,
    settings: RosterSettings,
    under: np.ndarray,
    over: np.ndarray,
    deadline: float,
    forced_over: float = 0.0,
) -> float | None:
    """``WeekendPlan.bound`` alone, for where the plan guides nothing: the weekend plan's
    MIP stopped at ``deadline`` (a ``time.perf_counter()`` reading), a stop request or
    ``BOUND_NODES`` nodes, whichever comes first. ``forced_over`` is a lower bound on every
    roster's over-cover cost over all its days (objective units, e.g.
    ``columns.StaffShiftCount.forced_over``); where it is more than the weekdays' own
    (``_weekday_over_cover``), the MIP counts the weekend days' over-cover at no cost and
    ``forced_over`` is added instead (the weekend days' other costs and all the over-cover
    are disjoint parts of the objective): on Curtois–Qu Instance23 the weekdays' own is 0,
    the whole 1,245.

    Returns:
        The bound in objective units; ``None`` when the MIP was not begun for lack of time
        (``BOUND_SECONDS_PER_CELL``).
    """
    if bound_rises(problem, settings, over, forced_over):
        weekend_row = np.zeros(len(over), dtype=bool)  # rows past the requirements: reserve
        for r, row in enumerate(problem.requirements):
            weekend_row[r] = row.day.weekday() in (SATURDAY, SUNDAY)
        over, weekdays_over = np.where(weekend_row, 0.0, over), forced_over
    else:
        weekdays_over = _weekday_over_cover(problem, settings, over)
    solved = _solved(
        problem, settings, under, over, deadline, BOUND_SECONDS_PER_CELL, nodes=BOUND_NODES
    )
    return None if solved is None else solved[2] + weekdays_over


def bound_rises(
    problem: RosterProblem, settings: RosterSettings, over: np.ndarray, forced_over: float
) -> bool:
    """Whether ``weekend_bound`` with ``forced_over`` counts more over-cover than a plan's
    ``WeekendPlan.bound`` does (the weekdays' own, ``_weekday_over_cover``): on Curtois–Qu
    Instance21 573 against 48."""
    return forced_over > _weekday_over_cover(problem, settings, over)


def _solved(
    problem: RosterProblem,
    settings: RosterSettings,
    under: np.ndarray,
    over: np.ndarray,
    deadline: float,
    seconds_per_cell: float,
    nodes: int | None = None,
) -> tuple[_Model, highspy.Highs, float] | None:
    """The weekend plan's MIP (``_Model``) run to ``deadline``, a stop request or ``nodes``
    branch-and-bound nodes (``None``: no limit), and the bound it proved on the weekend
    days' cost (their rows' cover at the weights ``under`` and ``over``, and their shift
    requests), in objective units; ``None`` when less time is left than
    ``seconds_per_cell`` for each of its choices."""
    if stop.past(deadline, time.perf_counter()):
        return None
    model = _Model(problem, settings)
    seconds = deadline - time.perf_counter()  # building the model took some
    if not model.cells or len(model.cells) * seconds_per_cell > seconds:
        return None
    lp = model.solver(under, over, seconds)
    if nodes is not None:
        lp.setOptionValue("mip_max_nodes", nodes)
    stop.run_highs(lp)
    proved = lp.getInfo().mip_dual_bound  # −inf until the MIP has a bound
    bound = max(proved + model.unmet_requests, 0.0) if math.isfinite(proved) else 0.0
    if model.whole_costs(under, over):
        bound = float(math.ceil(bound - 1e-6))
    return model, lp, bound


def _weekday_over_cover(
    problem: RosterProblem, settings: RosterSettings, over: np.ndarray
) -> float:
    """A lower bound on the weekdays' over-cover cost (``over``: each requirement row's
    weight per staff-shift over): the minutes each employee's contract makes them work
    (the minimum of every contract period) beyond what their weekends can hold (their most
    weekend days, ``_weekend_capacity``, at their longest shift type) land on weekday rows,
    and those beyond the weekday demand's minutes are over-cover, at most the longest
    weekday row's minutes a staff-shift. On Curtois–Qu Instance22 at least 1,053."""
    days, dates = problem.horizon_days, problem.dates
    length = {shift.shift_id: shift.length_minutes for shift in problem.shift_types}
    weekday_rows = [
        r
        for r, row in enumerate(problem.requirements)
        if 0 <= problem.day_index(row.day) < days and row.day.weekday() < SATURDAY
    ]
    longest_row = max((length[problem.requirements[r].shift_id] for r in weekday_rows), default=0)
    if not longest_row:
        return 0.0
    demand = sum(
        problem.requirements[r].staff_needed * length[problem.requirements[r].shift_id]
        for r in weekday_rows
    )
    forced = 0
    for employee in problem.employees:
        least = sum(minimum for _, _, minimum in employee.contract_periods(days))
        longest_shift = max(
            (
                minutes
                for shift_id, minutes in length.items()
                if employee.max_shifts.get(shift_id, 1)
            ),
            default=0,
        )
        weekend = _weekend_capacity(employee, settings, dates) * longest_shift
        forced += max(least - weekend, 0)
    surplus = math.ceil((forced - demand) / longest_row)
    return max(surplus, 0) * float(over[weekday_rows].min())


def guides(
    problem: RosterProblem, plan: np.ndarray, rows: list[np.ndarray], under: np.ndarray
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Employee → (requirement rows, what their prices gain there) from the weekend ``plan``
    (as ``weekend_plan`` or ``weekend_count.weekend_count_plan`` gives it), ``rows`` each
    employee's workable rows and ``under`` each row's under-cover weight: the planned rows
    (every row of a day planned ``ANY_ROW``) ``GUIDE_SHARE`` of their weight more, the rows
    of a day planned off that much less. Employees whose prices do not move are left out."""
    row_day = np.array([problem.day_index(row.day) for row in problem.requirements])
    found = {}
    for e, plan_row in enumerate(plan):
        workable = rows[e][rows[e] < len(row_day)]
        day = row_day[workable]
        inside = (day >= 0) & (day < len(plan_row))
        planned = np.where(inside, plan_row[np.clip(day, 0, len(plan_row) - 1)], FREE)
        premium = GUIDE_SHARE * under[workable]
        on = (planned == workable) | (planned == ANY_ROW)
        gain = np.where(on, premium, np.where(planned == -1, -premium, 0.0))
        if gain.any():
            found[e] = (workable[gain != 0], gain[gain != 0])
    return found


def weekend_centres(plan: np.ndarray) -> np.ndarray:
    """``[employee, day]`` 0 on the days the weekend ``plan`` (as ``guides`` takes it) has
    each employee work, −1 on the others: rosters in the terms of
    ``pricing.best_roster(weekend_around=)``, which keeps the weekend band to them."""
    return np.where((plan >= 0) | (plan == ANY_ROW), 0, -1).astype(np.int64)


class _Model:
    """The plan's variables: ``cells`` (employee, weekend day, row) the employee may staff,
    grouped by employee and day (``day_cells``); ``request_costs``, what working each cell
    changes in request cost, and ``unmet_requests``, the weight of the weekend shift-on
    requests, which the MIP's objective leaves out (``_request_costs``)."""

    def __init__(self, problem: RosterProblem, settings: RosterSettings) -> None:
        self.problem, self.settings = problem, settings
        self.dates = problem.dates
        shifts = {shift.shift_id: shift for shift in problem.shift_types}
        weekend_rows: dict[int, list[int]] = defaultdict(list)
        for r, row in enumerate(problem.requirements):
            d = problem.day_index(row.day)
            weekend = row.day.weekday() in (SATURDAY, SUNDAY)
            if 0 <= d < problem.horizon_days and weekend:
                weekend_rows[d].append(r)
        self.cells: list[tuple[int, int, int]] = []
        self.day_cells: dict[tuple[int, int], list[int]] = {}
        for e, employee in enumerate(problem.employees):
            for d, rows in sorted(weekend_rows.items()):
                if self.dates[d] in employee.unavailable:
                    continue
                staffed = [
                    r
                    for r in rows
                    if may_staff(
                        employee,
                        problem.requirements[r],
                        shifts[problem.requirements[r].shift_id],
                    )
                ]
                if staffed:
                    first = len(self.cells)
                    self.day_cells[e, d] = list(range(first, first + len(staffed)))
                    self.cells += [(e, d, r) for r in staffed]
        self.request_costs, self.unmet_requests = self._request_costs()

    def solver(self, under: np.ndarray, over: np.ndarray, seconds: float) -> highspy.Highs:
        """The MIP in HiGHS, silent, limited to ``seconds``: binary cells, then one binary
        per employee and weekend worked, then each row's short and over staff-shifts."""
        problem = self.problem
        cells, day_cells = self.cells, self.day_cells
        weekend_of = {(e, d): d + SUNDAY - self.dates[d].weekday() for e, d in day_cells}
        worked: dict[tuple[int, int], int] = {}
        """(employee, weekend's Sunday) → the column of 'works that weekend'"""
        for (e, _), weekend in sorted(weekend_of.items()):
            worked.setdefault((e, weekend), len(cells) + len(worked))
        cell_rows = sorted({r for _, _, r in cells})
        short_at = {r: len(cells) + len(worked) + i for i, r in enumerate(cell_rows)}
        over_at = {r: short_at[r] + len(cell_rows) for r in cell_rows}
        columns = len(cells) + len(worked) + 2 * len(cell_rows)
        lower, upper, cost = np.zeros(columns), np.ones(columns), np.zeros(columns)
        integral = np.zeros(columns, dtype=np.int32)
        integral[: len(cells) + len(worked)] = 1
        needed = np.array([problem.requirements[r].staff_needed for r in cell_rows], float)
        first_short = len(cells) + len(worked)
        upper[first_short : first_short + len(cell_rows)] = needed
        upper[first_short + len(cell_rows) :] = highspy.kHighsInf
        cost[first_short : first_short + len(cell_rows)] = under[cell_rows]
        cost[first_short + len(cell_rows) :] = over[cell_rows]
        cost[: len(cells)] = self.request_costs
        rows: list[tuple[list[int], list[float], float, float]] = []
        staff: dict[int, list[int]] = defaultdict(list)
        for j, (_, _, r) in enumerate(cells):
            staff[r].append(j)
        for r in cell_rows:
            rows.append(
                (
                    [*staff[r], short_at[r], over_at[r]],
                    [1.0] * len(staff[r]) + [1.0, -1.0],
                    float(problem.requirements[r].staff_needed),
                    float(problem.requirements[r].staff_needed),
                )
            )
        for key, js in day_cells.items():
            link = worked[key[0], weekend_of[key]]
            rows.append(([*js, link], [1.0] * len(js) + [-1.0], -highspy.kHighsInf, 0.0))
        rows += self._successions()
        rows += self._limits(worked)
        lp = highspy.Highs()
        lp.setOptionValue("output_flag", False)
        lp.setOptionValue("time_limit", max(seconds, 0.01))
        lp.setOptionValue("mip_rel_gap", PLAN_GAP)
        lp.addVars(columns, lower, upper)
        lp.changeColsCost(columns, np.arange(columns, dtype=np.int32), cost)
        lp.changeColsIntegrality(columns, np.arange(columns, dtype=np.int32), integral)
        starts, index, value = [], [], []
        for entries, coefficients, _, _ in rows:
            starts.append(len(index))
            index += entries
            value += coefficients
        lp.addRows(
            len(rows),
            np.array([row[2] for row in rows]),
            np.array([row[3] for row in rows]),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value),
        )
        return lp

    def whole_costs(self, under: np.ndarray, over: np.ndarray) -> bool:
        """Whether every cost of the MIP with these cover weights, and ``unmet_requests``,
        is a whole number (then its bound rounds up)."""
        costs = np.concatenate([under, over, self.request_costs, [self.unmet_requests]])
        return bool(np.all(costs == np.round(costs)))

    def _request_costs(self) -> tuple[np.ndarray, float]:
        """``[cell]`` what working it changes in request cost (the weight of a shift-off
        request for its shift that day, less that of a shift-on request), and the weekend
        days' shift-on requests' weight when none is met, the plan's cost before any cell
        is worked. Day-off and day-on requests are left out."""
        problem, weight = self.problem, self.settings.request_weight
        known = {shift.shift_id for shift in problem.shift_types}
        wishes: dict[tuple[int, int, str], float] = defaultdict(float)
        unmet = 0.0
        for e, employee in enumerate(problem.employees):
            for request in employee.requests:
                d = problem.day_index(request.day)
                if request.shift_id not in known or not 0 <= d < problem.horizon_days:
                    continue
                wishes[e, d, request.shift_id] += (
                    (-1 if request.wanted else 1) * request.weight * weight
                )
                if request.wanted and request.day.weekday() in (SATURDAY, SUNDAY):
                    unmet += request.weight * weight
        costs = np.array(
            [wishes.get((e, d, problem.requirements[r].shift_id), 0) for e, d, r in self.cells],
            dtype=float,
        )
        return costs, unmet

    def _successions(self) -> list[tuple[list[int], list[float], float, float]]:
        """One row per employee, weekend and Saturday shift type: that shift on Saturday and
        the Sunday shifts that may not follow it, at most one."""
        problem = self.problem
        following = forbidden_successions(problem.shift_types, self.settings.min_rest_minutes)
        rows = []
        for (e, d), js in self.day_cells.items():
            if self.dates[d].weekday() != SATURDAY or (e, d + 1) not in self.day_cells:
                continue
            sunday = self.day_cells[e, d + 1]
            by_shift: dict[str, list[int]] = defaultdict(list)
            for j in js:
                by_shift[problem.requirements[self.cells[j][2]].shift_id].append(j)
            for shift_id, saturday in by_shift.items():
                banned = [
                    j
                    for j in sunday
                    if problem.requirements[self.cells[j][2]].shift_id in following[shift_id]
                ]
                if banned:
                    entries = saturday + banned
                    rows.append((entries, [1.0] * len(entries), -highspy.kHighsInf, 1.0))
        return rows

    def _limits(
        self, worked: dict[tuple[int, int], int]
    ) -> list[tuple[list[int], list[float], float, float]]:
        """Each employee's weekend limit over their weekend binaries (``worked``) and
        per-type limits over their cells, where a limit could bind."""
        problem = self.problem
        rows = []
        by_employee: dict[int, list[int]] = defaultdict(list)
        for (e, _), column in worked.items():
            by_employee[e].append(column)
        for e, columns in by_employee.items():
            limit = employee_limits(problem.employees[e], self.settings).max_weekends
            if limit is not None and limit < len(columns):
                rows.append((columns, [1.0] * len(columns), -highspy.kHighsInf, float(limit)))
        by_type: dict[tuple[int, str], list[int]] = defaultdict(list)
        for j, (e, _, r) in enumerate(self.cells):
            by_type[e, problem.requirements[r].shift_id].append(j)
        for (e, shift_id), js in by_type.items():
            limit = problem.employees[e].max_shifts.get(shift_id)
            if limit is not None and limit < len(js):
                rows.append((js, [1.0] * len(js), -highspy.kHighsInf, float(limit)))
        return rows
