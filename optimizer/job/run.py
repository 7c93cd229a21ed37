"""``run_job``: one run of the periodic roster job, from the job file to a publication.

1. Read the job file and its scenario (bad input: exit 2, nothing written); hash the inputs
   into the run id.
2. Take the job folder's lock (another run holds it: exit 75 at once).
3. Open the store (unreachable: exit 75); put the roster folder back in step with the store
   if a kill left it one publication behind; when the published roster has this run id,
   say "unchanged" and stop (exit 0, nothing solved or written).
4. Forecast from the history before ``--as-of`` through the window's end; staff
   requirements over the window.
5. Roster the window against them, with the published roster as the previous one: on the
   window's first ``freeze_days`` (that it covers) every published duty stays and none is
   added (hard); later published days cost ``stability`` per change. The roster spans whole
   contract periods counted from the scenario's first publication: the published days of
   the period the window starts in are kept as they are (``_lead_in``), and the days after
   the window up to the period's end are planned too (against the forecast) but not
   published, so that no week is judged in part.
6. The change set against the published roster.
7. Publish: the folder's files are staged beside it; then one store transaction publishes
   the roster and supersedes the previous one; then the folder is swapped in. A kill before
   the commit leaves the store and the folder as they were (the staged folder is removed by
   the next run); a kill between commit and swap leaves the folder one publication behind,
   which step 3 of the next run repairs.
8. ``runs/<run id>/manifest.json``, last.

A SIGTERM or SIGINT while the solver runs stops it; its best roster is published when its
gap is at most ``publish_max_gap``, else nothing is (exit 128 + signal).
"""

from __future__ import annotations

import os
import platform
import re
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from optimizer import __version__, stop
from optimizer.errors import DataError, InfeasibleError, SvcplanError, TemporaryFailure
from optimizer.export.lock import output_lock
from optimizer.export.staging import check_output_folder, publish, write_artifacts
from optimizer.export.tables import json_writer
from optimizer.job.config import ROSTER_FOLDER, RUNS_FOLDER, Job, load_job
from optimizer.job.folder import folder_artifacts, published_id
from optimizer.job.log import JobLog
from optimizer.job.run_id import InputFile, hash_inputs, run_id
from optimizer.job.store import PublicationStore, redacted

if TYPE_CHECKING:
    import pandas as pd

    from optimizer.roster.problem import RosterProblem

UNCHANGED, PUBLISHED = "unchanged", "published"
MAX_FORECAST_DAYS = 366
"""Longest forecast: from the last day of history to the window's end."""
REQUIREMENT_FRAME = ["site", "slot", "skill", "staff_needed", "reserve_needed"]
"""The requirement columns the roster problem reads."""


class NotPublishedError(SvcplanError):
    """A signal stopped the solver and its best roster's gap is above ``publish_max_gap``:
    nothing was published. Exit 128 + the signal's number, like an interrupted run."""

    def __init__(self, signal_name: str, exit_code: int, message: str) -> None:
        self.exit_code = exit_code
        super().__init__(f"stopped by {signal_name}: {message}; nothing was published")


@dataclass
class JobOutcome:
    """What a job run did.

    Attributes:
        status: ``published`` or ``unchanged``.
        run_id: the run id.
        summary: the JSON-ready summary (what the run manifest records, less the inputs).
    """

    status: str
    run_id: str
    summary: dict[str, Any] = field(default_factory=dict)


def run_job(
    job_path: str | Path,
    *,
    as_of: date | None = None,
    time_limit_seconds: float | None = None,
    relative_gap: float | None = None,
    log: JobLog | None = None,
) -> JobOutcome:
    """Run the roster job of ``job_path`` as of ``as_of`` (default: today in the sites' time
    zone); see the module docstring. ``time_limit_seconds`` overrides the job's roster time
    limit, ``relative_gap`` the scenario's ``solver.relative_gap``.

    Raises:
        ScenarioError, DataError: bad job file, scenario or data (exit 2).
        InfeasibleError: the hard rules, or the frozen days, cannot hold (exit 3).
        NoSolutionError: no roster within the time limit (exit 4).
        OutputBusyError, StoreUnavailableError, PublishConflictError: retry later (exit 75).
        NotPublishedError: stopped by a signal with too large a gap (exit 128 + signal).
    """
    log = log or JobLog(quiet=True)
    started, started_utc = time.perf_counter(), datetime.now(UTC)
    job = load_job(job_path)
    as_of = as_of or job.today()
    window = Window.of(job, as_of)
    inputs = hash_inputs({"job": job.path, "scenario": job.scenario_path, **job.source_files()})
    rid = run_id(inputs, as_of=as_of)
    log.event(
        "start",
        f"job {job.config.name}: run {rid} as of {as_of}, window {window.start} to {window.end}",
        run_id=rid,
        as_of=as_of.isoformat(),
    )
    record: dict[str, Any] = {
        "run_id": rid,
        "job": job.config.name,
        "job_file": str(job.path),
        "scenario": job.scenario.name,
        "as_of": as_of.isoformat(),
        "window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
        "freeze_days": job.config.freeze_days,
        "started_utc": started_utc.isoformat(timespec="seconds"),
    }
    folder = job.folder
    with output_lock(folder):
        folder.mkdir(parents=True, exist_ok=True)
        roster_folder = folder / ROSTER_FOLDER
        if job.config.sinks.folder:
            check_output_folder(roster_folder)
        _remove_dead_partials(folder / RUNS_FOLDER)
        url = job.database_url()
        record["database"] = redacted(url)
        try:
            with PublicationStore(url) as store:
                current = store.current(job.scenario.name)
                if job.config.sinks.folder:
                    _reconcile_folder(store, current, roster_folder, job, log)
                if current is not None and current["run_id"] == rid:
                    log.event(
                        UNCHANGED,
                        f"unchanged: publication {current['id']} already holds run {rid}; "
                        "nothing was solved or published",
                        run_id=rid,
                        publication_id=current["id"],
                    )
                    return JobOutcome(
                        UNCHANGED,
                        rid,
                        {**record, "status": UNCHANGED, "publication_id": current["id"]},
                    )
                planner = _Planner(
                    job, window, store, current, log, time_limit_seconds, relative_gap
                )
                planner.run(record)
        except SvcplanError as error:
            if not isinstance(error, stop.Interrupted):
                record.update(status=_status_of(error), error=str(error))
                _write_run_manifest(folder, record, inputs, started, error.exit_code)
            raise
        _write_run_manifest(folder, record, inputs, started, 0)
    log.event(
        PUBLISHED,
        f"published publication {record['publication_id']} (run {rid}): "
        f"{record['rows_published']['shift_assignment']:,} duties, "
        f"{_changes_text(record['changes'])}; roster {record['solve']['status']}"
        f"{_gap_text(record['solve']['gap'])}",
        run_id=rid,
        publication_id=record["publication_id"],
    )
    return JobOutcome(PUBLISHED, rid, record)


@dataclass(frozen=True)
class Window:
    """The planning window: ``start`` to ``end`` (inclusive) and its frozen head."""

    start: date
    end: date
    freeze_end: date | None
    """The last day of the window's first ``freeze_days`` (None: no freeze)."""

    @classmethod
    def of(cls, job: Job, as_of: date) -> Window:
        config = job.config
        start = as_of + timedelta(days=config.window.start_in_days)
        end = start + timedelta(days=config.window.length_days - 1)
        freeze_end = start + timedelta(days=config.freeze_days - 1) if config.freeze_days else None
        return cls(start, end, freeze_end)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=d) for d in range((self.end - self.start).days + 1)]


class _Planner:
    """Steps 4-7 of the module docstring for one run."""

    def __init__(
        self,
        job: Job,
        window: Window,
        store: PublicationStore,
        current: dict[str, Any] | None,
        log: JobLog,
        time_limit_seconds: float | None,
        relative_gap: float | None,
    ) -> None:
        self.job, self.window, self.store, self.current, self.log = job, window, store, current, log
        self.time_limit_seconds, self.relative_gap = time_limit_seconds, relative_gap
        self.zone = ZoneInfo(job.time_zone)

    def run(self, record: dict[str, Any]) -> None:
        """Plan and publish; fill ``record`` with what the run manifest says about it."""
        import pandas as pd

        from optimizer.pipeline.limits import solver_limits
        from optimizer.pipeline.roster import roster_problem, roster_settings
        from optimizer.roster.engine import solve_roster

        job, window = self.job, self.window
        staffing = job.staffing()
        config = staffing.roster
        assert config is not None
        period = _contract_period(config)
        previous, previous_requirements, previous_days = self._previous()
        lead_days, lead_duties, lead_requirements = self._lead_in(period)
        # whole contract periods: a trailing partial one would be held to a pro-rated minimum
        # (one day: a whole shift for everyone); the days after the window are planned for
        # the rules' sake and not published
        length = (window.end - (lead_days[0] if lead_days else window.start)).days + 1
        plan_end = window.end + timedelta(days=-length % period)
        requirements = self._requirements(staffing, plan_end)
        in_window = previous[previous["date"] >= window.start] if len(previous) else previous
        kept = pd.concat([lead_duties, in_window], ignore_index=True) if lead_days else previous
        frozen = frozenset(lead_days) | frozenset(
            day
            for day in window.days
            if window.freeze_end is not None and day <= window.freeze_end and day in previous_days
        )
        planned = pd.concat([lead_requirements, requirements], ignore_index=True)
        planned = _keep_frozen_reserve(planned, kept, frozen, config.shift)
        problem = roster_problem(config, planned, name=job.scenario.name)
        clashes = frozen_clashes(problem, kept, frozen)
        if clashes:
            raise InfeasibleError(
                f"the {len(frozen)} frozen days cannot keep their published duties", clashes
            )
        settings = replace(
            roster_settings(config),
            stability_weight=(
                config.weights.stability if job.config.stability is None else job.config.stability
            ),
            frozen_days=frozen,
            # against a published roster the neighbourhood search, from that roster repaired:
            # CP-SAT's whole-model search kept to its hint and left 206 staff-shifts uncovered
            # on the tourist-peak job's second night in 60 s; the first night keeps CP-SAT's
            # own search (414 against the neighbourhood search's 493 there in 60 s)
            neighbourhood_search=bool(len(kept)),
        )
        seconds = self.time_limit_seconds or job.config.time_limit_seconds
        limits = solver_limits(
            job.scenario.solver, time_limit_seconds=seconds, relative_gap=self.relative_gap
        )
        record.update(
            seed=limits.seed,
            time_limit_seconds=limits.time_limit_seconds,
            relative_gap=limits.relative_gap,
        )
        record["frozen_days"] = len(frozen) - len(lead_days)
        record["lead_in_days"] = len(lead_days)
        self.log.step(
            f"rostering {len(problem.employees)} employees over {problem.horizon_days} days "
            f"({len(frozen)} frozen, {len(lead_days)} of them before the window; up to "
            f"{limits.time_limit_seconds:g} s)"
        )
        try:
            roster, report = solve_roster(
                problem, settings, limits, previous=kept if len(kept) else None
            )
        except InfeasibleError as error:
            if not frozen:
                raise
            raise InfeasibleError(
                error.summary,
                [
                    *error.clashes,
                    f"freeze_days: the published duties of {len(frozen)} days "
                    f"({min(frozen)} to {max(frozen)}) are kept exactly; with them the rules "
                    "above cannot all hold (fewer freeze_days leave the solver more room)",
                ],
            ) from None
        record["solve"] = report.to_dict()
        self._check_stopped(report.gap)
        dates = roster.assignments["date"]
        published = roster.assignments[(dates >= window.start) & (dates <= window.end)]
        planned_days = pd.to_datetime(planned["slot"]).dt.date
        rows = {
            "shift_assignment": self._assignment_rows(published, frozen),
            "requirement": _requirement_rows(
                planned[(planned_days >= window.start) & (planned_days <= window.end)],
                config.shift,
            ),
        }
        from optimizer.job.changes import change_set

        rows["change_set"] = change_set(
            previous.to_dict("records"),
            rows["shift_assignment"],
            days=previous_days & set(window.days),
            requirements_before=previous_requirements,
            requirements_after=rows["requirement"],
            absent=_absence(problem),
        )
        record["changes"] = _change_counts(rows["change_set"])
        self._publish(record, rows, report)

    def _requirements(self, staffing: Any, plan_end: date) -> pd.DataFrame:
        """Staff requirements from the window's start to ``plan_end``, forecast from the
        history before as-of."""
        import pandas as pd

        from optimizer.pipeline.forecast import forecast_staffing, read_staffing_history

        window = self.window
        as_of = window.start - timedelta(days=self.job.config.window.start_in_days)
        self.log.step(f"reading demand history {staffing.history.name}")
        history = read_staffing_history(staffing)
        counts = history.counts[history.counts["time"] < pd.Timestamp(as_of)]
        if counts.empty:
            raise DataError(staffing.history, f"no history before --as-of {as_of}")
        history = replace(history, counts=counts.reset_index(drop=True))
        last = history.daily_matrix(day_start_hour=staffing.day_start_hour).index[-1].date()
        horizon = (plan_end - last).days
        if horizon > MAX_FORECAST_DAYS:
            raise DataError(
                staffing.history,
                f"the history ends on {last}, {horizon} days before the window ends on "
                f"{window.end} (at most {MAX_FORECAST_DAYS}): the history is out of date",
            )
        demand = forecast_staffing(
            staffing.model_copy(update={"horizon_days": horizon}),
            with_backtest=False,
            progress=self.log.step,
            history=history,
        )
        table = demand.requirements
        days = pd.to_datetime(table["slot"]).dt.date
        return table[(days >= window.start) & (days <= plan_end)].reset_index(drop=True)

    def _previous(self) -> tuple[pd.DataFrame, list[dict[str, Any]], set[date]]:
        """The published roster's duties (``use_previous``'s columns), the requirements it
        was planned against and the days it covers; the scenario's ``previous_roster`` when
        the store has none yet."""
        import pandas as pd

        columns = ["employee", "date", "shift", "site", "skill", "role"]
        config = self.job.staffing().roster
        assert config is not None
        if self.current is None:
            if config.previous_roster is None:
                return pd.DataFrame(columns=columns), [], set()
            from optimizer.roster.readers import read_previous_roster

            table = read_previous_roster(config.previous_roster)
            return table[columns], [], set(table["date"])
        duties = self.store.rows("shift_assignment", self.current["id"])
        first, last = self.current["horizon_start"], self.current["horizon_end"]
        days = {first + timedelta(days=d) for d in range((last - first).days + 1)}
        table = pd.DataFrame([{c: row[c] for c in columns} for row in duties], columns=columns)
        return table, self.store.rows("requirement", self.current["id"]), days

    def _lead_in(self, period: int) -> tuple[list[date], pd.DataFrame, pd.DataFrame]:
        """The published days between the start of the contract period the window starts in
        and the window: their duties and requirements, from the latest publication covering
        each, to be kept exactly.

        Contract periods (``contract_period_days``, 7: weekly minimum and maximum minutes)
        count from the roster's first day. Every run starts its roster on a period boundary
        counted from the scenario's first publication, so that a window sliding by a day
        keeps the same weeks: a week that started before the window keeps its published
        duties, and its minimum was met when they were published.
        """
        import pandas as pd

        columns = ["employee", "date", "shift", "site", "skill", "role"]
        empty = (pd.DataFrame(columns=columns), pd.DataFrame(columns=REQUIREMENT_FRAME))
        if self.current is None:
            return [], *empty
        config = self.job.staffing().roster
        assert config is not None
        publications = self.store.publications(self.job.scenario.name)
        anchor = min(publication["horizon_start"] for publication in publications)
        start = self.window.start
        days = [start - timedelta(days=d) for d in range((start - anchor).days % period, 0, -1)]
        duties, requirements = [], []
        rows: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for day in days:
            source = next(
                (
                    p
                    for p in reversed(publications)
                    if p["horizon_start"] <= day <= p["horizon_end"]
                ),
                None,
            )
            if source is None:
                self.log.event(
                    "lead_in",
                    f"no publication covers {day}: the roster starts with the window, so its "
                    "contract weeks may differ from the published ones",
                    level="warning",
                )
                return [], *empty
            for table in ("shift_assignment", "requirement"):
                if (table, source["id"]) not in rows:
                    rows[(table, source["id"])] = self.store.rows(table, source["id"])
            duties += [
                {c: row[c] for c in columns}
                for row in rows[("shift_assignment", source["id"])]
                if row["date"] == day
            ]
            requirements += [
                {
                    "site": row["site"],
                    "slot": pd.Timestamp(day),
                    "skill": row["skill"],
                    "staff_needed": row["staff_needed"],
                    "reserve_needed": row["reserve_needed"],
                }
                for row in rows[("requirement", source["id"])]
                if row["date"] == day and row["shift"] == config.shift
            ]
        return (
            days,
            pd.DataFrame(duties, columns=columns),
            pd.DataFrame(requirements, columns=REQUIREMENT_FRAME),
        )

    def _check_stopped(self, gap: float | None) -> None:
        """Refuse to publish a roster that a signal stopped with a gap above the job's
        ``publish_max_gap``."""
        if not stop.requested():
            return
        limit = self.job.config.publish_max_gap
        if gap is not None and gap <= limit:
            self.log.event(
                "stopped",
                f"stopped by {stop.signal_name()}: publishing the best roster found "
                f"(gap {100 * gap:.1f}% within publish_max_gap {100 * limit:.1f}%)",
                level="warning",
            )
            return
        name = stop.signal_name() or "a signal"
        number = 15 if name == "SIGTERM" else 2
        shown = "unknown" if gap is None else f"{100 * gap:.1f}%"
        raise NotPublishedError(
            name,
            128 + number,
            f"the best roster's gap ({shown}) is above publish_max_gap ({100 * limit:.1f}%)",
        )

    def _assignment_rows(self, assignments: pd.DataFrame, frozen: frozenset[date]) -> list[dict]:
        """The store's ``shift_assignment`` rows of a roster's assignments."""
        rows = []
        for duty in assignments.itertuples(index=False):
            rows.append(
                {
                    "employee": str(duty.employee),
                    "date": duty.date,
                    "shift": str(duty.shift),
                    "site": str(duty.site),
                    "skill": str(duty.skill),
                    "start": self._aware(duty.start),
                    "end": self._aware(duty.end),
                    "role": str(duty.role),
                    "source": "partner" if duty.partner else "own",
                    "partner": str(duty.partner) or None,
                    "pinned": duty.date in frozen,
                }
            )
        return rows

    def _aware(self, moment: Any) -> datetime | None:
        """A roster's local wall-clock time as an aware timestamp in the sites' zone."""
        import pandas as pd

        if moment is None or pd.isna(moment):
            return None
        return pd.Timestamp(moment).to_pydatetime().replace(tzinfo=self.zone)

    def _publish(self, record: dict[str, Any], rows: dict[str, list[dict]], report: Any) -> None:
        """Step 7 of the module docstring."""
        job, window = self.job, self.window
        publication = {
            "scenario": job.scenario.name,
            "job": job.config.name,
            "horizon_start": window.start,
            "horizon_end": window.end,
            "run_id": record["run_id"],
            "as_of": date.fromisoformat(record["as_of"]),
            "solve_status": str(report.status),
            "objective": report.objective,
            "bound": report.bound,
            "gap": report.gap,
            "time_zone": job.time_zone,
        }
        supersedes = None if self.current is None else self.current["id"]
        published: dict[str, Any] = {}

        def commit() -> dict[str, Any]:
            self.log.step(f"publishing to {self.store.where}")
            new_id = self.store.publish(publication, rows, supersedes=supersedes)
            published.update(self.store.current(job.scenario.name) or {"id": new_id})
            return published

        if job.config.sinks.folder:
            folder = job.folder / ROSTER_FOLDER
            self.log.step(f"writing {folder}")
            artifacts = folder_artifacts(
                rows, previous_folder=folder, time_zone=job.time_zone, publication=commit
            )
            inputs = [job.path, job.scenario_path, *job.source_files().values()]
            publish(folder, artifacts, inputs=inputs)
        else:
            commit()
        record.update(
            status=PUBLISHED,
            publication_id=published["id"],
            supersedes=supersedes,
            rows_published={name: len(items) for name, items in rows.items()},
        )


def _contract_period(config: Any) -> int:
    """The employees' contract period in days (7 unless they all share another)."""
    from optimizer.roster.readers import read_employees

    periods = {employee.contract_period_days for employee in read_employees(config.employees)}
    return periods.pop() if len(periods) == 1 else 7


def frozen_clashes(
    problem: RosterProblem, previous: pd.DataFrame, frozen: frozenset[date]
) -> list[str]:
    """Why published duties on ``frozen`` days cannot be kept as they are: the person is
    gone, absent that day, no longer allowed there, or the duty's row is not planned."""
    from optimizer.roster.eligibility import may_staff

    if not frozen or previous.empty:
        return []
    own = {employee.employee_id: employee for employee in problem.employees}
    shared = {person.employee_id: person for person in problem.shared_employees}
    shifts = {shift.shift_id: shift for shift in problem.shift_types}
    rows = {(r.site, r.day, r.shift_id, r.skill): r for r in problem.requirements}
    clashes = []
    for duty in previous.itertuples(index=False):
        if duty.date not in frozen:
            continue
        who = f"{duty.employee}'s published {duty.role} {duty.shift} at {duty.site} on {duty.date}"
        person = own.get(duty.employee) or shared.get(duty.employee)
        row = rows.get((duty.site, duty.date, duty.shift, duty.skill))
        if person is None:
            clashes.append(f"freeze_days vs employees: {who}: no longer on the staff lists")
        elif (duty.employee in own and duty.date in person.unavailable) or (
            duty.employee in shared and duty.date not in person.available
        ):
            clashes.append(f"freeze_days vs unavailable_dates: {who}: now unavailable that day")
        elif row is None or duty.shift not in shifts:
            clashes.append(f"freeze_days vs requirements: {who}: that shift is not planned")
        elif not may_staff(person, row, shifts[duty.shift]):
            clashes.append(f"freeze_days vs sites and skills: {who}: no longer allowed there")
        elif (duty.role == "lent") != (duty.employee in shared):
            clashes.append(f"freeze_days vs roles: {who}: role no longer possible")
    return clashes


def _keep_frozen_reserve(
    requirements: pd.DataFrame, previous: pd.DataFrame, frozen: frozenset[date], shift: str
) -> pd.DataFrame:
    """Requirements where a frozen day's published on-call or lent duty stays possible: a row
    whose reserve target fell to 0 gets back as many places as were published."""
    if not frozen or previous.empty:
        return requirements
    import pandas as pd

    reserve = previous[
        previous["role"].isin(["on-call", "lent"])
        & previous["date"].isin(frozen)
        & (previous["shift"] == shift)
    ]
    if reserve.empty:
        return requirements
    published = reserve.groupby(["site", "date", "skill"]).size()
    table = requirements.copy()
    days = pd.to_datetime(table["slot"]).dt.date
    for index, (site, day, skill) in enumerate(
        zip(table["site"], days, table["skill"], strict=True)
    ):
        count = published.get((site, day, skill), 0)
        if count and table.at[index, "reserve_needed"] == 0:
            table.at[index, "reserve_needed"] = int(count)
    return table


def _requirement_rows(requirements: pd.DataFrame, shift: str) -> list[dict[str, Any]]:
    """The store's ``requirement`` rows (each day's requirement is staffed by ``shift``)."""
    from optimizer.pipeline.roster import requirement_rows

    return [
        {
            "site": row.site,
            "date": row.day,
            "shift": row.shift_id,
            "skill": row.skill,
            "staff_needed": row.staff_needed,
            "reserve_needed": row.reserve_needed,
        }
        for row in requirement_rows(requirements, shift)
    ]


def _absence(problem: RosterProblem) -> Any:
    """``absent(person, day)``: whether the person may not be on duty that day now."""
    own = {employee.employee_id: employee for employee in problem.employees}
    shared = {person.employee_id: person for person in problem.shared_employees}

    def absent(person: str, day: date) -> bool:
        if person in own:
            return day in own[person].unavailable
        if person in shared:
            return day not in shared[person].available
        return True

    return absent


def _change_counts(changes: list[dict[str, Any]]) -> dict[str, Any]:
    counts: dict[str, Any] = {"total": len(changes), "added": 0, "removed": 0, "moved": 0}
    reasons: dict[str, int] = {"demand": 0, "absence": 0, "rule": 0}
    for change in changes:
        counts[change["change"]] += 1
        reasons[change["reason"]] += 1
    return {**counts, "by_reason": reasons}


def _changes_text(changes: dict[str, Any]) -> str:
    if not changes["total"]:
        return "no changes to the published days"
    reasons = ", ".join(f"{count} {name}" for name, count in changes["by_reason"].items() if count)
    return (
        f"{changes['total']} changes ({changes['added']} added, {changes['removed']} removed, "
        f"{changes['moved']} moved; {reasons})"
    )


def _gap_text(gap: float | None) -> str:
    return "" if gap is None else f", gap {100 * gap:.1f}%"


def _reconcile_folder(
    store: PublicationStore,
    current: dict[str, Any] | None,
    folder: Path,
    job: Job,
    log: JobLog,
) -> None:
    """Rewrite the roster folder from the store when it does not hold the published
    publication (a kill between the store's commit and the folder's swap)."""
    if current is None or published_id(folder) == current["id"]:
        return
    log.event(
        "reconcile",
        f"{folder} does not hold publication {current['id']}: rewriting it from the store",
        level="warning",
    )
    rows = {name: store.rows(name, current["id"]) for name in ("shift_assignment", "change_set")}
    rows["requirement"] = store.rows("requirement", current["id"])
    artifacts = folder_artifacts(
        rows, previous_folder=folder, time_zone=current["time_zone"], publication=lambda: current
    )
    publish(folder, artifacts, inputs=[job.path])


_PARTIAL = re.compile(r"\..*\.partial-(?P<pid>\d+)(\.[^.]*)?")


def _remove_dead_partials(runs: Path) -> None:
    """Remove run manifests' temporary files that dead runs left (this run holds the lock)."""
    for path in runs.glob("*/.*.partial-*"):
        match = _PARTIAL.fullmatch(path.name)
        if match and not _alive(int(match["pid"])):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _status_of(error: SvcplanError) -> str:
    from optimizer.errors import NoSolutionError, ScenarioError

    if isinstance(error, InfeasibleError):
        return "infeasible"
    if isinstance(error, NoSolutionError):
        return "no_solution"
    if isinstance(error, ScenarioError | DataError):
        return "bad_input"
    if isinstance(error, TemporaryFailure):
        return "retry_later"
    if isinstance(error, NotPublishedError):
        return "not_published"
    return "failed"


def _versions() -> dict[str, str]:
    versions = {"svcplan": __version__, "python": platform.python_version()}
    for package in ("ortools", "pandas", "numpy", "sqlalchemy", "psycopg"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _write_run_manifest(
    folder: Path,
    record: dict[str, Any],
    inputs: list[InputFile],
    started: float,
    exit_code: int,
) -> None:
    """``runs/<run id>/manifest.json``: the run's inputs with their hashes, versions, seed,
    status, solve figures, seconds, rows published and exit code (one atomic rename)."""
    record.setdefault("rows_published", {})
    record.update(
        seconds=round(time.perf_counter() - started, 3),
        finished_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        exit_code=exit_code,
    )
    document = {
        **record,
        "inputs": [item.to_dict() for item in inputs],
        "versions": _versions(),
    }
    write_artifacts(
        folder / RUNS_FOLDER / record["run_id"], {"manifest.json": json_writer(document)}
    )
