"""A scenario's staffing section end to end: forecast, requirements, then the roster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from optimizer.jobs import ArtifactWriter
from optimizer.scenario import Scenario
from optimizer.staffing.demand import forecast_staffing, staffing_artifacts, staffing_summary
from optimizer.staffing.rostering import make_roster, roster_artifacts, roster_summary


def run_staffing(
    scenario: Scenario,
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
            scenario.solver,
            demand.requirements,
            name=scenario.name,
            progress=progress,
        )
        artifacts.update(roster_artifacts(roster, previous_folder=folder))
        summary["roster"] = roster_summary(roster, report)
        summary["status"] = str(report.status)
    return summary
