"""A solved roster as tables (pandas, one row each).

- ``assignments``: employee, partner ("" for own staff), date, shift, site, skill, role
  (``work`` | ``on-call`` | ``lent``), start and end (timestamps, NaT when the shift has no
  start time), minutes (worked minutes; 0 for on-call and lent duty).
- ``cover``: site, date, shift, skill, staff_needed, staff_assigned, uncovered, over.
- ``reserve``: site, date, shift, skill, reserve_needed, on_call, lent, shortfall (rows with a
  reserve target only).
- ``employee_minutes``: employee, minutes, shifts, on_call_days, weekend_days, night_shifts.

``optimizer.export.roster_files`` writes them as CSV and iCalendar files.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from optimizer.roster.problem import RosterProblem

ROLES = ("work", "on-call", "lent")
ASSIGNMENT_COLUMNS = [
    "employee",
    "partner",
    "date",
    "shift",
    "site",
    "skill",
    "role",
    "start",
    "end",
    "minutes",
]


@dataclass(frozen=True)
class Roster:
    """A solved roster: the four tables described in the module docstring."""

    assignments: pd.DataFrame
    cover: pd.DataFrame
    reserve: pd.DataFrame
    employee_minutes: pd.DataFrame

    @property
    def uncovered(self) -> pd.DataFrame:
        """Cover rows with demand left uncovered."""
        return self.cover[self.cover["uncovered"] > 0].reset_index(drop=True)


def roster_tables(problem: RosterProblem, chosen: list[tuple[int, int, str]]) -> Roster:
    """The roster tables from the chosen (person index, requirement row, role) triples;
    person indices count own employees first, then shared employees."""
    people = [(emp.employee_id, "") for emp in problem.employees]
    people += [(shared.employee_id, shared.partner) for shared in problem.shared_employees]
    shifts = {shift.shift_id: shift for shift in problem.shift_types}
    records = []
    for p, r, role in sorted(chosen):
        requirement = problem.requirements[r]
        shift = shifts[requirement.shift_id]
        start = (
            pd.NaT
            if shift.start_minutes is None
            else pd.Timestamp(requirement.day) + pd.Timedelta(minutes=shift.start_minutes)
        )
        records.append(
            {
                "employee": people[p][0],
                "partner": people[p][1],
                "date": requirement.day,
                "shift": requirement.shift_id,
                "site": requirement.site,
                "skill": requirement.skill,
                "role": role,
                "start": start,
                "end": start + pd.Timedelta(minutes=shift.length_minutes),
                "minutes": shift.length_minutes if role == "work" else 0,
            }
        )
    assignments = pd.DataFrame.from_records(records, columns=ASSIGNMENT_COLUMNS)
    assignments = assignments.sort_values(["employee", "date", "shift"], kind="stable")
    assignments = assignments.reset_index(drop=True)
    return Roster(
        assignments=assignments,
        cover=_cover(problem, assignments),
        reserve=_reserve(problem, assignments),
        employee_minutes=_employee_minutes(problem, assignments),
    )


_ROW_KEY = ["site", "date", "shift", "skill"]


def _requirements_frame(problem: RosterProblem) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": [r.site for r in problem.requirements],
            "date": [r.day for r in problem.requirements],
            "shift": [r.shift_id for r in problem.requirements],
            "skill": [r.skill for r in problem.requirements],
            "staff_needed": [r.staff_needed for r in problem.requirements],
            "reserve_needed": [r.reserve_needed for r in problem.requirements],
        }
    )


def _counts(assignments: pd.DataFrame, role: str, name: str) -> pd.DataFrame:
    rows = assignments[assignments["role"] == role]
    return rows.groupby(_ROW_KEY).size().rename(name).reset_index()


def _cover(problem: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    cover = _requirements_frame(problem).drop(columns="reserve_needed")
    cover = cover.merge(_counts(assignments, "work", "staff_assigned"), on=_ROW_KEY, how="left")
    cover["staff_assigned"] = cover["staff_assigned"].fillna(0).astype(int)
    cover["uncovered"] = (cover["staff_needed"] - cover["staff_assigned"]).clip(lower=0)
    cover["over"] = (cover["staff_assigned"] - cover["staff_needed"]).clip(lower=0)
    return cover


def _reserve(problem: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    reserve = _requirements_frame(problem).drop(columns="staff_needed")
    reserve = reserve[reserve["reserve_needed"] > 0]
    for role, name in (("on-call", "on_call"), ("lent", "lent")):
        reserve = reserve.merge(_counts(assignments, role, name), on=_ROW_KEY, how="left")
        reserve[name] = reserve[name].fillna(0).astype(int)
    filled = reserve["on_call"] + reserve["lent"]
    reserve["shortfall"] = (reserve["reserve_needed"] - filled).clip(lower=0)
    return reserve.reset_index(drop=True)


def _employee_minutes(problem: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    nights = {shift.shift_id for shift in problem.shift_types if shift.night}
    own = assignments[assignments["partner"] == ""]
    work = own[own["role"] == "work"]
    weekend = pd.to_datetime(work["date"]).dt.day_of_week >= 5
    table = pd.DataFrame(
        {
            "minutes": work.groupby("employee")["minutes"].sum(),
            "shifts": work.groupby("employee").size(),
            "on_call_days": own[own["role"] == "on-call"].groupby("employee").size(),
            "weekend_days": work[weekend.to_numpy()].groupby("employee").size(),
            "night_shifts": work[work["shift"].isin(nights)].groupby("employee").size(),
        },
        index=pd.Index([emp.employee_id for emp in problem.employees], name="employee"),
    )
    return table.fillna(0).astype(int).reset_index()
