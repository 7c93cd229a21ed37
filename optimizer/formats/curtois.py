"""Reader of the Curtois–Qu shift-scheduling benchmark instances (``InstanceN.txt``).

Builds the same ``RosterProblem`` the roster engine solves for scenarios: one site and one
skill; each employee's total minutes over the whole horizon in [min, max]
(``contract_period_days`` = horizon); days off are hard unavailability; shift-on and
shift-off requests carry their file weights; cover lines carry their under/over weights.
Settings for the benchmark: request weight 1 and no fairness, so the engine's objective equals
the benchmark's. Sequence minimums do not bind stretches touching the horizon edges, as in the
benchmark (see ``optimizer.roster.rules``). Instances start on a Monday.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from optimizer.errors import DataError
from optimizer.roster.engine import solve_roster
from optimizer.roster.plan import Roster
from optimizer.roster.problem import Employee, Requirement, RosterProblem, ShiftRequest, ShiftType
from optimizer.roster.settings import RosterSettings
from optimizer.roster.weekends import SATURDAY
from optimizer.solve import SolveReport, SolverLimits
from optimizer.tables import quoted, read_text

CURTOIS_START = date(2024, 1, 1)
"""A Monday; the instances' day 0."""
SITE, SKILL = "ward", ""
SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


def curtois_settings() -> RosterSettings:
    """Settings under which the engine's objective is the benchmark's objective; workers are
    not interleaved and a neighbourhood search runs alongside (a time-limited benchmark run is
    not reproducible anyway)."""
    return RosterSettings(
        min_rest_minutes=0,
        max_consecutive_days=10_000,
        request_weight=1,
        fairness_weight=0,
        deterministic=False,
        neighbourhood_search=True,
    )


def _sections(path: Path) -> dict[str, list[tuple[int, list[str]]]]:
    """Section name → its (line number, comma-separated fields) rows."""
    lines = read_text(path).splitlines()
    sections: dict[str, list[tuple[int, list[str]]]] = {}
    current = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise DataError(f"{path}:{number}", f"unknown section {quoted(line)}")
            current = sections.setdefault(line, [])
        elif current is None:
            raise DataError(f"{path}:{number}", "data before the first SECTION_ line")
        else:
            current.append((number, [field.strip() for field in line.split(",")]))
    return sections


def read_curtois(path: str | Path) -> RosterProblem:
    """The roster problem of a Curtois–Qu instance file.

    Raises:
        DataError: naming file and line of a malformed row.
    """
    path = Path(path)
    sections = _sections(path)

    def integer(number: int, text: str, name: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise DataError(
                f"{path}:{number}", f"expected an integer, got {quoted(text)}", field=name
            ) from None

    def rows(section: str, width: int | None = None) -> list[tuple[int, list[str]]]:
        found = sections.get(section, [])
        for number, fields in found:
            if width is not None and len(fields) != width:
                raise DataError(
                    f"{path}:{number}", f"{section} rows have {width} fields, not {len(fields)}"
                )
        return found

    horizon_rows = rows("SECTION_HORIZON", 1)
    if len(horizon_rows) != 1:
        raise DataError(path, "SECTION_HORIZON must hold exactly one number")
    horizon = integer(horizon_rows[0][0], horizon_rows[0][1][0], "horizon")
    day = [CURTOIS_START + timedelta(days=d) for d in range(horizon)]

    def day_of(number: int, text: str) -> date:
        d = integer(number, text, "day")
        if not 0 <= d < horizon:
            raise DataError(f"{path}:{number}", f"day {d} is outside 0..{horizon - 1}", field="day")
        return day[d]

    shifts = tuple(
        ShiftType(
            shift_id=fields[0],
            length_minutes=integer(number, fields[1], "length"),
            forbidden_next=frozenset(name for name in fields[2].split("|") if name),
        )
        for number, fields in rows("SECTION_SHIFTS", 3)
    )
    days_off: dict[str, frozenset[date]] = {
        fields[0]: frozenset(day_of(number, text) for text in fields[1:] if text)
        for number, fields in rows("SECTION_DAYS_OFF")
    }
    requests: dict[str, list[ShiftRequest]] = {}
    for section, wanted in (
        ("SECTION_SHIFT_ON_REQUESTS", True),
        ("SECTION_SHIFT_OFF_REQUESTS", False),
    ):
        for number, (employee, d, shift, weight) in rows(section, 4):
            request = ShiftRequest(
                day_of(number, d), shift, wanted, integer(number, weight, "weight")
            )
            requests.setdefault(employee, []).append(request)

    employees = []
    for number, fields in rows("SECTION_STAFF", 8):
        employee_id, max_shifts, *limits = fields
        maximum, minimum, max_run, min_run, min_off, weekends = (
            integer(number, text, name)
            for text, name in zip(
                limits,
                (
                    "MaxTotalMinutes",
                    "MinTotalMinutes",
                    "MaxConsecutiveShifts",
                    "MinConsecutiveShifts",
                    "MinConsecutiveDaysOff",
                    "MaxWeekends",
                ),
                strict=True,
            )
        )
        caps = {}
        for item in filter(None, max_shifts.split("|")):
            shift, _, count = item.partition("=")
            caps[shift] = integer(number, count, "MaxShifts")
        employees.append(
            Employee(
                employee_id=employee_id,
                min_minutes=minimum,
                max_minutes=maximum,
                contract_period_days=horizon,
                max_shifts=caps,
                max_consecutive_days=max_run,
                min_consecutive_days=min_run,
                min_consecutive_days_off=min_off,
                max_weekends=weekends,
                unavailable=days_off.get(employee_id, frozenset()),
                requests=tuple(requests.get(employee_id, ())),
            )
        )

    requirements = tuple(
        Requirement(
            site=SITE,
            day=day_of(number, d),
            shift_id=shift,
            skill=SKILL,
            staff_needed=integer(number, needed, "Requirement"),
            under_weight=integer(number, under, "WeightForUnder"),
            over_weight=integer(number, over, "WeightForOver"),
        )
        for number, (d, shift, needed, under, over) in rows("SECTION_COVER", 5)
    )
    return RosterProblem(
        start_date=CURTOIS_START,
        horizon_days=horizon,
        shift_types=shifts,
        employees=tuple(employees),
        requirements=requirements,
        name=path.stem,
    )


def solve_curtois_instance(
    path: str | Path, limits: SolverLimits
) -> tuple[RosterProblem, Roster, SolveReport]:
    """Read and solve a Curtois–Qu instance: (the problem read, the roster, the report);
    the report's objective is the benchmark's (``cost_parts`` splits it)."""
    problem = read_curtois(path)
    roster, report = solve_roster(problem, curtois_settings(), limits)
    return problem, roster, report


def cost_parts(problem: RosterProblem, roster: Roster) -> dict[str, int]:
    """A roster's Curtois–Qu objective by part, from its cover table and requests.

    Returns:
        ``under_cover``, ``over_cover`` and ``requests``, which sum to the objective: each
        cover row's staff short (over) times its under (over) weight, and the weights of
        the shift-on requests not granted and the shift-off (or day-off) requests broken;
        then the counts behind the cover parts: ``staff_shifts_short``,
        ``short_on_weekends`` (of them, on Saturdays and Sundays) and ``staff_shifts_over``.
    """
    cover = roster.cover
    under_weight = [row.under_weight or 0 for row in problem.requirements]
    over_weight = [row.over_weight or 0 for row in problem.requirements]
    on_weekends = pd.to_datetime(cover["date"]).dt.day_of_week >= SATURDAY
    work = roster.assignments[roster.assignments["role"] == "work"]
    days = zip(work["employee"], work["date"], strict=True)
    shift_on = dict(zip(days, work["shift"], strict=True))
    requests = 0
    for employee in problem.employees:
        for request in employee.requests:
            worked = shift_on.get((employee.employee_id, request.day))
            held = worked is not None if request.shift_id is None else worked == request.shift_id
            requests += request.weight * (held != request.wanted)
    return {
        "under_cover": int((cover["uncovered"] * under_weight).sum()),
        "over_cover": int((cover["over"] * over_weight).sum()),
        "requests": requests,
        "staff_shifts_short": int(cover["uncovered"].sum()),
        "short_on_weekends": int(cover.loc[on_weekends, "uncovered"].sum()),
        "staff_shifts_over": int(cover["over"].sum()),
    }
