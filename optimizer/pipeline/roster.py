"""From a scenario's ``staffing.roster`` section and the staff requirements to a roster.

Each day's requirement of a site (staff needed and on-call reserve, from the forecast) is
staffed by the scenario's ``shift``; employees, partners' shared employees and requests come
from CSV files. Outputs: the roster tables as CSV and one iCalendar file per person; an
earlier calendar in the output folder keeps its event UIDs and gets SEQUENCE bumped on change.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from optimizer.errors import DataError
from optimizer.export.roster_files import write_icalendars, write_roster_csv
from optimizer.export.tables import ArtifactWriter
from optimizer.pipeline.forecast import forecast_staffing, staffing_artifacts, staffing_summary
from optimizer.roster.engine import solve_roster
from optimizer.roster.model import DEFAULT_TIME_LIMIT_SECONDS
from optimizer.roster.plan import Roster
from optimizer.roster.problem import Requirement, RosterProblem, ShiftType
from optimizer.roster.readers import (
    read_employees,
    read_previous_roster,
    read_requests,
    read_shared_employees,
    read_shift_types,
)
from optimizer.roster.settings import RosterSettings, loosened_limits
from optimizer.scenario import RosterConfig, Scenario
from optimizer.solve import SolveReport, SolverLimits

CALENDARS = "calendars"
ROSTER_TABLES = "roster"


def requirement_rows(requirements: pd.DataFrame, shift: str) -> tuple[Requirement, ...]:
    """One roster requirement per row of the staffing ``requirements`` table (``site``,
    ``slot``, ``skill``, ``staff_needed``, ``reserve_needed``), each day staffed by ``shift``."""
    days = pd.to_datetime(requirements["slot"]).dt.date
    return tuple(
        Requirement(
            site=str(site),
            day=day,
            shift_id=shift,
            skill=str(skill),
            staff_needed=int(staff),
            reserve_needed=int(reserve),
        )
        for site, day, skill, staff, reserve in zip(
            requirements["site"],
            days,
            requirements["skill"],
            requirements["staff_needed"],
            requirements["reserve_needed"],
            strict=True,
        )
    )


def roster_shift_types(config: RosterConfig) -> tuple[ShiftType, ...]:
    """The shift types of ``config.shift_types``, among them ``config.shift``.

    Raises:
        DataError: bad rows, or no shift type ``config.shift`` (the one that staffs each day).
    """
    shift_types = read_shift_types(config.shift_types)
    if config.shift not in {shift.shift_id for shift in shift_types}:
        raise DataError(config.shift_types, f"no shift {config.shift!r}", field="shift_id")
    return shift_types


def roster_problem(config: RosterConfig, requirements: pd.DataFrame, *, name: str) -> RosterProblem:
    """The roster problem: the requirement table's days staffed by ``config.shift``.

    Raises:
        DataError: bad CSV rows, or a shift unknown to the shift-type file.
    """
    shift_types = roster_shift_types(config)
    requests = read_requests(config.requests) if config.requests is not None else None
    rows = requirement_rows(requirements, config.shift)
    days = [row.day for row in rows]
    return RosterProblem(
        start_date=min(days),
        horizon_days=(max(days) - min(days)).days + 1,
        shift_types=shift_types,
        employees=read_employees(config.employees, requests=requests),
        requirements=rows,
        shared_employees=(
            read_shared_employees(config.shared_employees)
            if config.shared_employees is not None
            else ()
        ),
        name=name,
    )


def roster_settings(config: RosterConfig) -> RosterSettings:
    """Engine settings from the scenario's rules and weights. Every key of the scenario's
    ``rules`` is the ``RosterSettings`` field of the same name (``rules.HARD_RULES`` names it)."""
    weights = config.weights
    return RosterSettings(
        **config.rules.model_dump(),
        uncovered_weight=weights.uncovered,
        reserve_shortfall_weight=weights.reserve_shortfall,
        partner_cost_weight=weights.partner_cost,
        stability_weight=weights.stability,
        over_cover_weight=weights.over_cover,
        request_weight=weights.requests,
        fairness_weight=weights.fairness,
    )


def make_roster(
    config: RosterConfig,
    limits: SolverLimits,
    requirements: pd.DataFrame,
    *,
    name: str,
    progress: Callable[[str], None],
) -> tuple[Roster, SolveReport]:
    """Build and solve the roster (warm-started from ``previous_roster`` when given). The
    report's notes name the employee rows whose own limits the scenario's rules overrule."""
    problem = roster_problem(config, requirements, name=name)
    settings = roster_settings(config)
    previous = None
    if config.previous_roster is not None:
        previous = read_previous_roster(config.previous_roster)
    progress(
        f"rostering {len(problem.employees)} employees over {problem.horizon_days} days "
        f"(up to {limits.seconds_or(DEFAULT_TIME_LIMIT_SECONDS):g} s)"
    )
    roster, report = solve_roster(problem, settings, limits, previous=previous)
    overruled = _overruled_limits(problem, settings)
    return roster, replace(report, notes=(*report.notes, *overruled))


def _overruled_limits(problem: RosterProblem, settings: RosterSettings) -> list[str]:
    """One note naming the employee rows whose own limits would loosen a scenario rule (at
    most five named, then a count); empty when none does."""
    loose = [
        f"{employee.employee_id} {', '.join(fields)}"
        for employee in problem.employees
        if (fields := loosened_limits(employee, settings))
    ]
    if not loose:
        return []
    named = "; ".join(loose[:5]) + (f"; and {len(loose) - 5} more" if len(loose) > 5 else "")
    return [
        f"{len(loose)} employee row(s) would loosen the scenario's rules, which hold instead "
        f"(an employee row may only tighten them): {named}"
    ]


def roster_summary(roster: Roster, report: SolveReport) -> dict[str, object]:
    """Key figures of a roster: cover, reserve, partners, minutes per employee."""
    cover, reserve = roster.cover, roster.reserve
    worked = roster.assignments[roster.assignments["role"] == "work"]
    return {
        "status": str(report.status),
        "solve": report.to_dict(),
        "staff_shifts_needed": int(cover["staff_needed"].sum()),
        "staff_shifts_assigned": int(cover["staff_assigned"].sum()),
        "uncovered_staff_shifts": int(cover["uncovered"].sum()),
        "reserve_needed": int(reserve["reserve_needed"].sum()) if len(reserve) else 0,
        "reserve_on_call": int(reserve["on_call"].sum()) if len(reserve) else 0,
        "reserve_lent_by_partners": int(reserve["lent"].sum()) if len(reserve) else 0,
        "reserve_shortfall": int(reserve["shortfall"].sum()) if len(reserve) else 0,
        "employees_working": int(worked["employee"].nunique()),
        "partner_days": int((roster.assignments["partner"] != "").sum()),
    }


def roster_artifacts(
    roster: Roster, *, previous_folder: Path, time_zone: str
) -> dict[str, Callable[[Path], None]]:
    """Writers of the roster tables (``roster/``) and calendars (``calendars/``).

    Calendars already in ``previous_folder/calendars`` are copied in first, so that each event
    keeps its UID and an event whose content changed gets its SEQUENCE bumped.
    """

    def calendars(path: Path) -> None:
        earlier = previous_folder / CALENDARS
        if earlier.is_dir():
            shutil.copytree(earlier, path)
        write_icalendars(roster, path, time_zone=time_zone)

    return {
        ROSTER_TABLES: lambda path: write_roster_csv(roster, path),
        CALENDARS: calendars,
    }


def run_staffing(
    scenario: Scenario,
    limits: SolverLimits,
    artifacts: dict[str, ArtifactWriter],
    folder: Path,
    progress: Callable[[str], None],
) -> dict[str, object]:
    """Forecast, staff requirements and (with ``staffing.roster``) the roster; add their files
    to ``artifacts`` (calendars already in ``folder`` keep their event UIDs).

    Returns:
        The staffing summary, with the roster's under ``"roster"``.
    """
    staffing = scenario.staffing
    assert staffing is not None
    demand = forecast_staffing(staffing, with_backtest=False, progress=progress)
    artifacts.update(staffing_artifacts(demand))
    summary = staffing_summary(demand)
    if staffing.roster is not None:
        roster, report = make_roster(
            staffing.roster,
            limits,
            demand.requirements,
            name=scenario.name,
            progress=progress,
        )
        artifacts.update(
            roster_artifacts(roster, previous_folder=folder, time_zone=staffing.time_zone)
        )
        summary["roster"] = roster_summary(roster, report)
        summary["status"] = str(report.status)
    return summary
