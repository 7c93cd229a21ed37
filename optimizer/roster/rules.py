"""The labour rules of the roster engine, one small named function each.

HARD RULES (always hold; when they cannot, ``explain`` names the clashing ones)
    one shift per day ...................................... (structural: a day's duty
                                                             literal is the 0/1 sum of its
                                                             choices, see variables.py)
    only shifts, sites and skills the employee may work .... eligibility.may_staff
    never on duty on an unavailable day .................... not_on_unavailable_days
    at least 11 hours between two shifts, no forbidden
    successions ............................................ at_least_min_rest_between_shifts
    at most N consecutive working days ..................... at_most_max_consecutive_days
    at least N consecutive working days .................... at_least_min_consecutive_days
    at least N consecutive days off ........................ at_least_min_consecutive_days_off
    at most N weekends worked .............................. at_most_max_weekends
    contract minutes within [min, max] per period .......... within_contract_minutes
    at most N shifts of a type ............................. at_most_max_shifts_per_type
    at most N night shifts per week ........................ at_most_max_night_shifts_per_week
    partners lend at most their limit of days .............. within_lending_limits

SOFT GOALS (weighted; default tiers: uncovered demand ≫ reserve shortfall ≫ partner cost ≫
stability ≫ over-cover and requests ≫ fairness)
    cover every requirement, with no more staff than needed  cover_demand
    meet the on-call reserve target ........................ cover_reserve
    borrow partners' staff cheaply ......................... low_partner_cost
    keep already published shifts .......................... keep_published_shifts
    grant shift-on, shift-off and day-off requests ......... grant_requests
    spread weekend and night work evenly ................... spread_weekend_and_night_work

"On duty" means working or on call: on-call duty counts against every sequence and rest rule
but not against contract minutes. Sequence rules follow the Curtois–Qu convention at the
horizon edges: a work or day-off stretch touching the first or last day is not held to a
minimum length (the roster before and after is unknown); maximum lengths apply everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ortools.sat.python import cp_model

from optimizer.roster.problem import Employee, RosterProblem
from optimizer.roster.settings import EmployeeLimits, RosterSettings
from optimizer.roster.variables import RosterModel

Constraint = cp_model.Constraint
WeightedTerms = list[tuple[int, cp_model.LinearExprT]]
MINUTES_PER_DAY = 24 * 60


# --- hard rules: one function per rule, each returning the constraints it added -------------


def not_on_unavailable_days(m: RosterModel, e: int) -> list[Constraint]:
    """Never on duty on a day the employee is unavailable."""
    days = [m.problem.day_index(day) for day in m.problem.employees[e].unavailable]
    off = [m.duty[e][d] for d in sorted(days) if 0 <= d < m.days]
    return [m.model.add_bool_and([~duty for duty in off])] if off else []


def at_least_min_rest_between_shifts(m: RosterModel, e: int) -> list[Constraint]:
    """At least ``min_rest_minutes`` between two shifts, and no forbidden successions: a shift
    and any shift that may not follow it the next day are never both worked. Types that
    forbid the same successors share one constraint a day (one of them today and one they
    forbid tomorrow, not both): with at most one shift a day that says what one constraint
    per type says, in fewer terms (Curtois–Qu Instance24's 27 types with forbidden
    successors have 7 sets of them)."""
    constraints = []
    choices, types = m.shift_choices[e], m.day_types[e]
    for d in range(m.days - 1):
        today: dict[frozenset[int], list[cp_model.IntVar]] = {}
        for s in types[d]:
            forbidden = m.forbidden_next[s]
            if forbidden:
                today.setdefault(forbidden, []).extend(choices[d][s])
        for later, worked_today in today.items():
            nexts = [v for t in types[d + 1] if t in later for v in choices[d + 1][t]]
            if nexts:
                worked = cp_model.LinearExpr.sum(worked_today) + cp_model.LinearExpr.sum(nexts)
                constraints.append(m.model.add(worked <= 1))
    return constraints


def at_most_max_consecutive_days(m: RosterModel, e: int) -> list[Constraint]:
    """At most N consecutive days on duty: every window of N + 1 days has a day off."""
    limit = m.limits[e].max_consecutive_days
    duty = m.duty[e]
    return [
        m.model.add(cp_model.LinearExpr.sum(duty[d : d + limit + 1]) <= limit)
        for d in range(m.days - limit)
    ]


def at_least_min_consecutive_days(m: RosterModel, e: int) -> list[Constraint]:
    """At least N consecutive days on duty: a stretch starting after a day off (inside the
    horizon) continues for N days or to the last day."""
    return _stretch_at_least(m, m.duty[e], m.limits[e].min_consecutive_days)


def at_least_min_consecutive_days_off(m: RosterModel, e: int) -> list[Constraint]:
    """At least N consecutive days off: a day-off stretch starting after a duty day (inside
    the horizon) continues for N days or to the last day."""
    return _stretch_at_least(m, [~duty for duty in m.duty[e]], m.limits[e].min_consecutive_days_off)


def _stretch_at_least(
    m: RosterModel, days: list[cp_model.IntVar], minimum: int
) -> list[Constraint]:
    """``days[d] and not days[d-1] ⇒ days[d+j]`` for 1 ≤ j < minimum, d ≥ 1: a stretch that
    starts inside the horizon lasts ``minimum`` days or reaches the end."""
    return [
        m.model.add_bool_or([~days[d], days[d - 1], days[d + j]])
        for d in range(1, m.days)
        for j in range(1, minimum)
        if d + j < m.days
    ]


def at_most_max_weekends(m: RosterModel, e: int) -> list[Constraint]:
    """At most N weekends worked: a weekend counts when its Saturday or Sunday is on duty."""
    limit = m.limits[e].max_weekends
    if limit is None or len(m.weekends) <= limit:
        return []
    worked = []
    for weekend_days in m.weekends:
        if len(weekend_days) == 1:
            worked.append(m.duty[e][weekend_days[0]])
            continue
        weekend = m.model.new_bool_var("")
        m.model.add_max_equality(weekend, [m.duty[e][d] for d in weekend_days])
        worked.append(weekend)
    return [m.model.add(cp_model.LinearExpr.sum(worked) <= limit)]


def within_contract_minutes(m: RosterModel, e: int) -> list[Constraint]:
    """Contract minutes worked per period within [min, max] (a trailing partial period gets a
    pro-rated minimum and the full maximum)."""
    employee = m.problem.employees[e]
    constraints = []
    for first, last, minimum in employee.contract_periods(m.days):
        minutes = m.worked_minutes(e, range(first, last))
        if minimum > 0:
            constraints.append(m.model.add(minutes >= minimum))
        if employee.max_minutes is not None:
            constraints.append(m.model.add(minutes <= employee.max_minutes))
    return constraints


def at_most_max_shifts_per_type(m: RosterModel, e: int) -> list[Constraint]:
    """At most N shifts of a type in the horizon (work and on-call duty)."""
    constraints = []
    for shift, limit in m.problem.employees[e].max_shifts.items():
        if shift not in m.shift_index:
            continue
        choices = m.type_choices[e][m.shift_index[shift]]
        if len(choices) > limit:
            constraints.append(m.model.add(cp_model.LinearExpr.sum(choices) <= limit))
    return constraints


def at_most_max_night_shifts_per_week(m: RosterModel, e: int) -> list[Constraint]:
    """At most N night shifts (work and on-call duty) in each calendar week, Monday to Sunday."""
    limit = m.settings.max_night_shifts_per_week
    nights = [s for s, shift in enumerate(m.problem.shift_types) if shift.night]
    if limit is None or not nights:
        return []
    weeks: dict[date, list[cp_model.IntVar]] = {}
    for d, day in enumerate(m.problem.dates):
        monday = day - timedelta(days=day.weekday())
        weeks.setdefault(monday, []).extend(v for s in nights for v in m.shift_choices[e][d][s])
    return [
        m.model.add(cp_model.LinearExpr.sum(choices) <= limit)
        for choices in weeks.values()
        if len(choices) > limit
    ]


def within_lending_limits(m: RosterModel) -> None:
    """Partners lend each shared employee at most one shift a day and ``max_days`` in all."""
    for q, shared in enumerate(m.problem.shared_employees):
        lent = m.lent_choices[q]
        by_day: dict[int, list[cp_model.IntVar]] = {}
        for d, var in lent:
            by_day.setdefault(d, []).append(var)
        for choices in by_day.values():
            if len(choices) > 1:
                m.model.add_at_most_one(choices)
        if len(by_day) > shared.max_days:
            m.model.add(cp_model.LinearExpr.sum([v for _, v in lent]) <= shared.max_days)


@dataclass(frozen=True)
class HardRule:
    """One per-employee hard rule, stated once: everything svcplan knows about it.

    Attributes:
        name: short name, used in infeasibility explanations.
        add: adds the rule to the CP-SAT model for one employee; returns its constraints.
        describe: the rule in words for one employee (with their effective limits).
        setting: the ``RosterSettings`` field (and scenario ``staffing.roster.rules`` key) that
            sets it, ``None`` when it comes from the employee and shift-type files only.
        priced: how the column-generation pricing program (``pricing.best_roster``) keeps the
            rule; ``None`` when it does not, and then column generation is not used for a
            problem in which the rule binds (``binds``), and the reason is reported.
        binds: whether the rule can constrain a problem under the settings (an unpriced rule
            that cannot bind does not stop column generation).
        weekly: the rule counts by calendar weeks (Monday to Sunday), so a part of the
            horizon that splits a week cannot keep it (``windows.cut_days``).
    """

    name: str
    add: Callable[[RosterModel, int], list[Constraint]]
    describe: Callable[[Employee, EmployeeLimits, RosterSettings], str]
    setting: str | None
    priced: str | None
    binds: Callable[[RosterProblem, RosterSettings], bool] = lambda _problem, _settings: True
    weekly: bool = False


def minimum_minutes_wording(employee: Employee) -> str:
    """E.g. "minimum 1,800 minutes/week"."""
    days = employee.contract_period_days
    return f"minimum {employee.min_minutes:,} minutes/{'week' if days == 7 else f'{days} days'}"


def _minutes_wording(employee: Employee, _: EmployeeLimits, __: RosterSettings) -> str:
    maximum = "" if employee.max_minutes is None else f", maximum {employee.max_minutes:,}"
    return minimum_minutes_wording(employee) + maximum


HARD_RULES: tuple[HardRule, ...] = (
    HardRule(
        "unavailability",
        not_on_unavailable_days,
        lambda employee, *_: f"unavailable on {len(employee.unavailable)} day(s)",
        setting=None,
        priced="unavailable days are left out of the employee's cells",
    ),
    HardRule(
        "minimum rest",
        at_least_min_rest_between_shifts,
        lambda _, __, settings: (
            f"at least {settings.min_rest_minutes} minutes between shifts "
            "and no forbidden successions"
        ),
        setting="min_rest_minutes",
        priced="transitions: a shift type is followed only by the types it allows",
    ),
    HardRule(
        "maximum consecutive days",
        at_most_max_consecutive_days,
        lambda _, limits, __: f"at most {limits.max_consecutive_days} consecutive working days",
        setting="max_consecutive_days",
        priced="state: the length of the current work stretch",
    ),
    HardRule(
        "minimum consecutive days",
        at_least_min_consecutive_days,
        lambda _, limits, __: f"at least {limits.min_consecutive_days} consecutive working days",
        setting="min_consecutive_days",
        priced="state: the length of the current work stretch",
    ),
    HardRule(
        "minimum consecutive days off",
        at_least_min_consecutive_days_off,
        lambda _, limits, __: f"at least {limits.min_consecutive_days_off} consecutive days off",
        setting="min_consecutive_days_off",
        priced="state: the length of the current day-off stretch",
    ),
    HardRule(
        "maximum weekends",
        at_most_max_weekends,
        lambda _, limits, __: f"at most {limits.max_weekends} weekends worked",
        setting="max_weekends",
        priced="state: the weekends worked so far",
    ),
    HardRule(
        "contract minutes",
        within_contract_minutes,
        _minutes_wording,
        setting=None,
        priced="state: the minutes worked in the current contract period",
    ),
    HardRule(
        "maximum shifts per type",
        at_most_max_shifts_per_type,
        lambda employee, *_: (
            "at most "
            + ", ".join(f"{n} {shift}" for shift, n in sorted(employee.max_shifts.items()))
            + " shifts"
        ),
        setting=None,
        priced="state for the tightest limits, Lagrangian penalties for the others",
    ),
    HardRule(
        "maximum night shifts per week",
        at_most_max_night_shifts_per_week,
        lambda _, __, settings: (
            f"at most {settings.max_night_shifts_per_week} night shifts per week"
        ),
        setting="max_night_shifts_per_week",
        priced=None,
        binds=lambda problem, settings: (
            settings.max_night_shifts_per_week is not None
            and any(shift.night for shift in problem.shift_types)
        ),
        weekly=True,
    ),
)
"""Every per-employee hard rule. A new rule is one function above and one record here (plus
its ``RosterSettings`` field and scenario key when it has a setting)."""


def unpriced_rules(problem: RosterProblem, settings: RosterSettings) -> list[HardRule]:
    """The hard rules that bind ``problem`` but that the pricing program does not keep."""
    return [rule for rule in HARD_RULES if rule.priced is None and rule.binds(problem, settings)]


# --- soft goals: one function per goal, each returning its weighted objective terms ---------


def cover_demand(m: RosterModel) -> WeightedTerms:
    """Cover every requirement, with no more staff than needed: staff-shifts short of
    ``staff_needed`` and staff-shifts above it, as one slack pair of one equality per row
    (``staff + short − over = staff_needed``)."""
    terms: WeightedTerms = []
    for r, requirement in enumerate(m.problem.requirements):
        needed, count = requirement.staff_needed, len(m.row_work_choices[r])
        under_weight = requirement.under_weight or m.settings.uncovered_weight
        over_weight = m.settings.over_cover_weight
        over_weight = over_weight if requirement.over_weight is None else requirement.over_weight
        short_max = max(needed, 0)
        over_max = count - needed if over_weight and count > needed else 0
        if not short_max and not over_max:
            continue
        short = m.model.new_int_var(0, short_max, "")
        over = m.model.new_int_var(0, over_max, "")
        if over_max:
            m.model.add(m.row_work(r) + short - over == needed)
        else:
            m.model.add(m.row_work(r) + short >= needed)
        terms += [(under_weight, short), (over_weight, over)]
    return terms


def cover_reserve(m: RosterModel) -> WeightedTerms:
    """Meet the on-call reserve target: places of ``reserve_needed`` filled neither by own
    on-call staff nor by partners' lent staff."""
    terms: WeightedTerms = []
    for r, requirement in enumerate(m.problem.requirements):
        if requirement.reserve_needed > 0:
            short = m.model.new_int_var(0, requirement.reserve_needed, "")
            reserve = cp_model.LinearExpr.sum(m.row_reserve_choices[r])
            m.model.add(short + reserve >= requirement.reserve_needed)
            terms.append((m.settings.reserve_shortfall_weight, short))
    return terms


def low_partner_cost(m: RosterModel) -> WeightedTerms:
    """Borrow partners' staff cheaply: the cost of every lent day."""
    weight = m.settings.partner_cost_weight
    return [
        (weight * shared.cost_per_day, var)
        for q, shared in enumerate(m.problem.shared_employees)
        for _, var in m.lent_choices[q]
    ]


def grant_requests(m: RosterModel) -> WeightedTerms:
    """Grant requests: a shift-on request is met by working that shift; a shift-off request is
    broken by any duty in that shift; a day-off request by any duty that day."""
    terms: WeightedTerms = []
    for e, employee in enumerate(m.problem.employees):
        for request in employee.requests:
            d = m.problem.day_index(request.day)
            if not 0 <= d < m.days:
                continue
            weight = m.settings.request_weight * request.weight
            if request.shift_id is None:
                terms.append((weight, 1 - m.duty[e][d] if request.wanted else m.duty[e][d]))
                continue
            if request.shift_id not in m.shift_index:
                continue
            s = m.shift_index[request.shift_id]
            if request.wanted:
                worked = cp_model.LinearExpr.sum(m.shift_work_choices(e, d, s))
                terms.append((weight, 1 - worked))
            else:
                terms.append((weight, cp_model.LinearExpr.sum(m.shift_choices[e][d][s])))
    return terms


def spread_weekend_and_night_work(m: RosterModel) -> WeightedTerms:
    """Spread weekend and night work evenly: (max − min) over employees of weekend days worked,
    plus the same for night shifts worked."""
    if not m.settings.fairness_weight or len(m.problem.employees) < 2:
        return []
    weekend_days = [d for days in m.weekends for d in days]
    nights = [s for s, shift in enumerate(m.problem.shift_types) if shift.night]
    loads = [
        [
            cp_model.LinearExpr.sum([v for d in weekend_days for v in m.day_work_choices(e, d)])
            for e in range(len(m.problem.employees))
        ],
        [
            cp_model.LinearExpr.sum(
                [v for d in range(m.days) for s in nights for v in m.shift_work_choices(e, d, s)]
            )
            for e in range(len(m.problem.employees))
        ],
    ]
    terms: WeightedTerms = []
    for load in loads:
        most, least = m.model.new_int_var(0, m.days, ""), m.model.new_int_var(0, m.days, "")
        m.model.add_max_equality(most, load)
        m.model.add_min_equality(least, load)
        terms.append((m.settings.fairness_weight, most - least))
    return terms


def keep_published_shifts(m: RosterModel) -> WeightedTerms:
    """Keep already published shifts: each published assignment dropped, and each duty added
    on a published day the employee had off, costs ``stability_weight``."""
    weight = m.settings.stability_weight
    if not weight or not m.published:
        return []
    terms: WeightedTerms = []
    published_days = {d for _, d, _ in m.published}
    kept = {(e, d) for e, d, _ in m.published}
    for _, _, var in m.published:
        terms.append((weight, 1 - var) if var is not None else (weight, 1))
    for e in range(len(m.problem.employees)):
        for d in sorted(published_days):
            if (e, d) not in kept:
                terms.append((weight, m.duty[e][d]))
    return terms


SOFT_GOALS: tuple[Callable[[RosterModel], WeightedTerms], ...] = (
    cover_demand,
    cover_reserve,
    low_partner_cost,
    keep_published_shifts,
    grant_requests,
    spread_weekend_and_night_work,
)
