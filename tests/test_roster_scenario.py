"""The tourist-peak scenario end to end: forecast → requirements → a roster of 70 people.

Hard rules are checked on the published roster with the independent checker of
``test_roster_checker`` (written from the rules' wording, not from the model).
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from ortools.sat.python import cp_model

from optimizer import api
from optimizer.pipeline.limits import solver_limits
from optimizer.pipeline.roster import make_roster, roster_problem, roster_settings
from optimizer.roster.columns import capacity_bound, person_pricing
from optimizer.roster.master import Master
from optimizer.roster.model import build_model, make_solver
from optimizer.roster.problem import Employee
from optimizer.scenario import load_scenario
from optimizer.solve import SolverLimits, SolveStatus, settled_at, settles

from .conftest import REPO_ROOT
from .test_roster_checker import hard_rule_violations

SCENARIO = REPO_ROOT / "scenarios" / "tourist-peak.yaml"


#: The scenario's own limit is 90 s (and its relative gap 1 %). Every assertion here holds for
#: any roster CP-SAT returns once no demand is left uncovered; with one worker (the fixture's,
#: as a test runs beside it on the other core) its search covers every staff-shift after 1.5 s
#: of solving, with no reserve shortfall after 3.2 s, and is within 1 % at 12.5 s (it took 4
#: and 6 s to cover before its interleaved search ran two whole-model subsolvers instead of
#: nine, 2026-12-07). The model takes about 0.5 s, and when the search has no roster after a
#: tenth of the limit, a roster built employee by employee beside it takes 2.3 s of CPU. 15 s
#: once left 8 staff-shifts uncovered beside four busy processes and another test (the search
#: found nothing better than that roster); 25 s leaves a margin for CI machines that busy.
ROSTER_SECONDS = 25
#: The tightened copy leaves more demand uncovered; its assertions hold for any roster.
#: CP-SAT's own search has none with one worker by the fallback's wait (0.6 s), so rosters are
#: built beside it: employee by employee (2.3 s alone, about 4 s beside the search and another
#: test), which runs to its end even past the limit, then by column generation, whose roster
#: was the better on 2026-12-07 (5.6 s). 6 s leaves the first 5.4 s before the limit.
TIGHTENED_SECONDS = 6


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load_scenario(SCENARIO)
    # one CP-SAT worker: the suite runs a test beside this one on each core
    limits = solver_limits(scenario.solver, time_limit_seconds=ROSTER_SECONDS, threads=1)
    outcome = api.plan_scenario(scenario, tmp_path_factory.mktemp("out") / "tourist", limits=limits)
    return outcome.folder


def test_roster_covers_the_forecast_requirement(folder: Path) -> None:
    roster = json.loads((folder / "summary.json").read_text())["engines"]["staffing"]["roster"]
    assert roster["status"] in ("optimal", "feasible")
    assert roster["solve"]["bound"] is not None
    assert roster["uncovered_staff_shifts"] == 0
    assert roster["staff_shifts_needed"] > 800
    reserve = pd.read_csv(folder / "roster" / "reserve.csv")
    assert (
        reserve["on_call"] + reserve["lent"] + reserve["shortfall"] >= reserve["reserve_needed"]
    ).all()
    assert roster["reserve_shortfall"] == reserve["shortfall"].sum()


def test_every_hard_rule_holds_on_the_published_roster(folder: Path) -> None:
    scenario = load_scenario(SCENARIO)
    assert scenario.staffing is not None and scenario.staffing.roster is not None
    requirements = pd.read_csv(folder / "requirements.csv")
    problem = roster_problem(scenario.staffing.roster, requirements, name="check")
    settings = roster_settings(scenario.staffing.roster)
    assignments = pd.read_csv(folder / "roster" / "assignments.csv", keep_default_na=False)
    assignments["date"] = pd.to_datetime(assignments["date"]).dt.date
    assert hard_rule_violations(problem, settings, assignments) == []
    partners = assignments[assignments["partner"] != ""]
    assert set(partners["partner"]) <= {"Harbour Trust"}


def test_the_count_bound_counts_the_over_cover_each_group_of_sites_forces(folder: Path) -> None:
    """Each employee works at one group of sites, the groups do not overlap, and the minutes
    worked in a week count for that week's contract minimum: where a group's least minutes
    exceed its sites' demand in a week, the excess is over-cover in every roster, though the
    whole staff's least minutes are below the whole demand's. Counted here from the
    scenario's rows and contracts alone, group by group and week by week (36 staff-shifts
    on the bundled forecast); the engine's count bound is that many at the over-cover weight,
    and the published roster's objective is no lower."""
    config = load_scenario(SCENARIO).staffing.roster  # type: ignore[union-attr]
    requirements = pd.read_csv(folder / "requirements.csv")
    problem = roster_problem(config, requirements, name="check")
    settings = roster_settings(config)
    groups: defaultdict[tuple[str, ...], list[Employee]] = defaultdict(list)
    for employee in problem.employees:
        groups[employee.sites].append(employee)
    sites = [set(group) for group in groups]
    assert all(a.isdisjoint(b) for a, b in itertools.combinations(sites, 2))
    length = {shift.shift_id: shift.length_minutes for shift in problem.shift_types}
    forced = 0
    for group, staff in groups.items():
        for week in range(problem.horizon_days // 7):
            demand = sum(
                row.staff_needed * length[row.shift_id]
                for row in problem.requirements
                if row.site in group and problem.day_index(row.day) // 7 == week
            )
            least = sum(
                minimum
                for employee in staff
                for first, _, minimum in employee.contract_periods(problem.horizon_days)
                if first // 7 == week
            )
            forced += max(0, math.ceil((least - demand) / max(length.values())))
    total_least = sum(e.min_minutes for e in problem.employees) * problem.horizon_days // 7
    total_demand = sum(row.staff_needed * length[row.shift_id] for row in problem.requirements)
    assert forced > 0 and total_least < total_demand
    master = Master(problem, settings, deadline=time.perf_counter())
    pricing = person_pricing(problem, settings, master)
    assert capacity_bound(problem, master, pricing) == forced * settings.over_cover_weight
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["engines"]["staffing"]["roster"]["solve"]["objective"] >= forced * 10


def test_the_reproducible_search_is_within_the_scenarios_gap_by_a_fixed_deterministic_time(
    folder: Path,
) -> None:
    """The scenario roster's reproducible search (CP-SAT's workers interleaved) finds the same
    rosters at the same deterministic time on any machine, so its pace is checked in that
    time: with one worker, by deterministic time 10 it is within the scenario's relative gap
    (1 %) of its bound. Measured: 303 against a bound of 300. With every whole-model
    subsolver taking turns, as before 2026-12-07: 903."""
    scenario = load_scenario(SCENARIO)
    config = scenario.staffing.roster  # type: ignore[union-attr]
    requirements = pd.read_csv(folder / "requirements.csv")
    problem, settings = roster_problem(config, requirements, name="check"), roster_settings(config)
    assert settings.deterministic
    gap = scenario.solver.relative_gap
    assert gap == 0.01
    m, _ = build_model(problem, settings)
    # the search stops once within the gap (CP-SAT's relative_gap_limit is settled_at's rule)
    limits = SolverLimits(seed=0, threads=1, relative_gap=gap)
    solver = make_solver(settings, limits, time_limit_seconds=600)
    solver.parameters.max_deterministic_time = 10.0
    assert solver.solve(m.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert settles(solver.objective_value, settled_at(solver.best_objective_bound, gap))


def test_every_person_on_duty_gets_a_calendar(folder: Path) -> None:
    assignments = pd.read_csv(folder / "roster" / "assignments.csv", keep_default_na=False)
    calendars = {path.stem for path in (folder / "calendars").glob("*.ics")}
    assert set(assignments["employee"]) <= calendars
    for path in (folder / "calendars").glob("*.ics"):
        text = path.read_text()
        assert text.startswith("BEGIN:VCALENDAR") and "UID:" in text
        assert "TZID:Pacific/Auckland" in text  # the scenario's staffing.time_zone
    manifest = json.loads((folder / "manifest.json").read_text())
    assert any(item["path"].startswith("calendars/") for item in manifest["outputs"])


def test_a_tightened_copy_keeps_the_scenario_rules_over_looser_employee_rows(
    folder: Path,
) -> None:
    """The scenario's rules tightened to at most 2 consecutive duty days and 1 weekend: every
    employee row (6 days, 3 weekends) would loosen them, so the rules hold and a note says so;
    the roster passes the independent checker under the tightened rules."""
    roster_config = load_scenario(SCENARIO).staffing.roster  # type: ignore[union-attr]
    tightened = roster_config.model_copy(
        update={
            "rules": roster_config.rules.model_copy(
                update={"max_consecutive_days": 2, "max_weekends": 1}
            )
        }
    )
    requirements = pd.read_csv(folder / "requirements.csv")
    roster, report = make_roster(
        tightened,
        SolverLimits(time_limit_seconds=TIGHTENED_SECONDS, threads=1),
        requirements,
        name="tightened",
        progress=lambda _: None,
    )
    assert report.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert any(
        "employee row(s) would loosen" in note and "E01 max_consecutive_days 6 (rule: 2)" in note
        for note in report.notes
    )
    problem = roster_problem(tightened, requirements, name="check")
    settings = roster_settings(tightened)
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    on_duty = roster.assignments[roster.assignments["partner"] == ""]
    weekend_days = on_duty[pd.to_datetime(on_duty["date"]).dt.day_of_week >= 5]
    weeks = pd.to_datetime(weekend_days["date"]).dt.isocalendar().week
    assert weeks.groupby(weekend_days["employee"]).nunique().max() <= 1
