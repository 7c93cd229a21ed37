"""The roster engine: ``solve_roster`` searches the CP-SAT model of ``model`` (with a start
roster and a neighbourhood search when asked for). It does no I/O.
"""

from __future__ import annotations

import math
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
from ortools.sat.python import cp_model

from optimizer import stop
from optimizer.errors import InfeasibleError, NoSolutionError, SolverError
from optimizer.roster import columns, responses, ties, windows
from optimizer.roster.explain import explain_infeasibility, missing_rosters
from optimizer.roster.model import (
    DEFAULT_TIME_LIMIT_SECONDS,
    DEFAULT_WORKERS,
    build_model,
    make_solver,
)
from optimizer.roster.plan import Roster, roster_tables
from optimizer.roster.problem import RosterProblem
from optimizer.roster.resolves import Sizes, one_worker
from optimizer.roster.settings import RosterSettings
from optimizer.roster.start import employee_by_employee
from optimizer.roster.variables import SATURDAY, SUNDAY, WORK, RosterModel
from optimizer.solve import SolveReport, SolverLimits, SolveStatus, settled_at, settles

MONDAY, FRIDAY = 0, 4


def solve_roster(
    problem: RosterProblem,
    settings: RosterSettings | None = None,
    limits: SolverLimits | None = None,
    *,
    previous: pd.DataFrame | None = None,
) -> tuple[Roster, SolveReport]:
    """Roster ``problem`` with CP-SAT (after a start roster, when
    ``settings.neighbourhood_search``).

    Args:
        problem: employees, shift types, requirements and shared employees.
        settings: rule defaults, weights and search options (``RosterSettings()`` if omitted).
        limits: time limit (default ``DEFAULT_TIME_LIMIT_SECONDS``), relative gap, CP-SAT
            workers (default 2) and seed.
        previous: the previous roster's ``assignments`` table: a warm start, and the published
            assignments the ``stability_weight`` keeps.

    Returns:
        The roster and a report: ``optimal`` only when proven (by CP-SAT, or by the roster
        reaching the bound); on the time limit ``feasible`` with the best bound (the larger
        of CP-SAT's and column generation's, where column generation ran) and the gap. The
        objective is in weighted units. When the CP-SAT model is too large for the time the
        start roster left (``_model_fits``), the start roster is the result.

    Raises:
        InfeasibleError: the hard rules cannot all hold; ``clashes`` names the rules and
            employees of a small clashing set.
        NoSolutionError: the time limit ran out before any roster was found, and none could
            be built employee by employee (``FALLBACK_AFTER``) either.
    """
    settings = settings or RosterSettings()
    limits = limits or SolverLimits()
    seconds = limits.seconds_or(DEFAULT_TIME_LIMIT_SECONDS)
    started = time.perf_counter()
    deadline = started + seconds
    start = None
    windowed = not windows.applies(problem, settings, previous=previous is not None)
    if settings.neighbourhood_search:
        start = _start_roster(problem, settings, limits, deadline, previous, windowed)
        if stop.requested() and start is None:
            raise stop.Interrupted
    if start is not None and start.objective is not None:
        # within the gap but not exactly at the bound: no search follows (an exact proof goes
        # on to the whole model, whose first tied optimum is the reproducible result)
        proven, exact = _proof(limits, start.objective, start.bound)
        if stop.requested() or (proven and not exact):
            return _start_result(problem, start, started, limits)
        left = deadline - time.perf_counter()
        skipped = _model_skipped(problem, left, windowed, windows_lead=start.windows_lead)
        if skipped:
            start.notes.append(f"the CP-SAT model was not built: {skipped}")
            if windowed:
                start = _windowed(problem, settings, limits, deadline, start)
            return _start_result(problem, start, started, limits)
    m, _ = build_model(problem, settings, previous=previous)
    search = _Search(m, settings, limits, deadline, start, previous)
    code = search.run()
    if code == cp_model.INFEASIBLE:
        frozen = settings.frozen_days if previous is not None else frozenset()
        clashes = explain_infeasibility(problem, settings, limits, deadline, frozen=frozen)
        raise InfeasibleError("the roster's hard rules cannot all hold", clashes)
    if search.values is None:
        if start is not None and start.objective is not None:
            start.notes.append("CP-SAT found no roster in the time left: the start roster is kept")
            return _start_result(problem, start, started, limits)
        if stop.requested():
            raise stop.Interrupted
        if code == cp_model.UNKNOWN:
            raise NoSolutionError(f"no roster found within {seconds:g} s")
        raise SolverError(f"CP-SAT failed: {search.solver.status_name(code)}")
    objective, bound, own_bound = search.objective, search.bound, search.own_bound
    if search.solved:
        own_bound = max(own_bound, search.solver.best_objective_bound)
        bound = max(bound, own_bound)
    proven, exact = _proof(limits, objective, bound)
    # CP-SAT's OPTIMAL is an exact proof unless a relative gap was given to it
    exact = exact or (code == cp_model.OPTIMAL and not limits.relative_gap)
    proven = proven or code == cp_model.OPTIMAL
    bound = min(bound, objective)
    notes = list(search.notes)
    if start is not None and start.bound is not None and own_bound > start.bound + 1e-6:
        notes.append(_search_bound_note(bound, exact, start.bound))
    if proven and not exact:
        notes.append(_gap_note(limits))
    values = search.values
    if exact and settings.deterministic:
        values = _first_of_ties(m, search.values, objective, started, deadline, notes)
    report = SolveReport.measured(
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        objective=objective,
        bound=bound,
        started=started,
        solver="cp-sat",
        notes=(*notes, *_stop_note()),
    )
    chosen = [
        (p, r, role) for (p, r, role, _), value in zip(m.choices, values, strict=True) if value
    ]
    return roster_tables(problem, chosen), report


def _first_of_ties(
    m: RosterModel,
    own: list[bool],
    objective: float,
    started: float,
    deadline: float,
    notes: list[str],
) -> list[bool]:
    """The choices of the first roster among the proven optimum's ties
    (``ties.first_of_ties``), so that the same inputs give the same roster whichever optimal
    roster the search reached; when it is not found in ``ties.seconds_for_ties``, the
    search's own (``own``), with a note in ``notes`` saying so (none after a stop request,
    whose own note the report gives)."""
    if stop.requested():
        return own
    now = time.perf_counter()
    seconds = ties.seconds_for_ties(now - started, deadline - now)
    first = ties.first_of_ties(m.model, [var for *_, var in m.choices], objective, seconds)
    if first is not None:
        return first
    notes.append(
        f"the first of the optimal rosters (in the model's choice order) was not found in "
        f"{seconds:.1f} s: this optimal roster is the search's own, and another run may "
        "return another of the same objective"
    )
    return own


START_SHARE = 0.95
"""At most this share of the time limit goes to the start roster. Curtois–Qu Instance12
needs most of it (60 s limit: 4,600 with 0.6; 4,167–4,275 with 0.85; 4,172 and 4,175 with
0.95); smaller instances finish the start early and leave the rest to the searches."""
EVALUATE_SECONDS = 2.0
"""Least time CP-SAT is given to compute the start roster's objective (every choice fixed),
even past the deadline: without it a stop or a late start would leave no roster."""
FALLBACK_AFTER = 0.1
"""Share of the time limit after which a whole-model search without a roster yet gets one
built employee by employee beside it (``_Search._with_fallback``): of wall-clock time, and
of processor time at the rate its workers run on an idle machine (``FALLBACK_LATEST``
bounds the wait for the latter). CP-SAT's own search may
find none for long (tourist-peak with one worker: none in the first 3 s of 30, 1,056 by
their end; the job sample with one worker: none in 4 s on a busy machine), while with two
workers it has the job sample's first roster within 6 s. Building one first on every run
would take 2–3 s from every search (the job's first night, 60 s: 454 with it, 414 and 424
without; single runs, which differ by up to 50 at that load). Column generation beside the
search instead (its roster on the job sample at 4 s: 271 against 614) takes a core for the
whole limit: on a busy machine tourist-peak's one-worker search then had no better roster
than column generation's construction (6 staff-shifts short, where it covers all)."""
FALLBACK_LATEST = 0.25
"""Share of the time limit after which the fallback starts whatever processor time the
whole-model search has had (``_Search._await_first_roster``). ``FALLBACK_AFTER`` counts
that search's processor time, so a machine busy with other work does not start the
fallback on a problem CP-SAT solves alone (CI, 2026-12-05: the synthetic two-site roster,
proven in 0.3 s idle, came out different on a second run under load); this share bounds
the wait where that search gets almost no processor time."""
AWAIT_POLL_SECONDS = 0.05
"""How often ``_Search._await_first_roster`` looks at the whole-model search's progress."""
COLUMNS_SHARE = 0.3
"""Share of the time limit column generation gets after the fallback roster is built
(``_Search._with_fallback``), where it applies; the neighbourhoods then improve the better
of the two rosters."""
LEAD_SHARE = 0.5
"""Windowed neighbourhoods lead (``_windows_share``) where fewer than ``LEAST_RESOLVES``
whole-model re-solves fit the time after this share of the limit."""
HAND_OVER_SHARE = 0.25
"""Share of the time limit column generation gets when CP-SAT's model will not fit the time
left and windowed neighbourhoods search after it; where the windows lead, the share by
which its construction, and its passes after a stalled first linear program, end
(``hand_over_by``), the windows then searching the rest, not the whole model. Curtois–Qu at
600 s: Instance23 21,349 and 21,481 (21,663–21,981 in three runs handing over at half);
Instance24 (the model never fits) 119,279 and 118,766 (120,319 and 120,671 with half;
144,189 with 95 %); but Instance22 37,071 and 37,347 (36,798 and 36,927 with half), where
the wider passes after its stall gain as much as the windows would."""
WINDOWS_SHARE = 0.25
"""Least share of the time limit windowed neighbourhoods get after column generation where
its pricing is banded and fewer than ``LEAST_RESOLVES`` whole-model re-solves fit that
share (``_windows_share``): they lower its roster fastest there. Curtois–Qu Instance21 at
600 s: with column generation to 95 % its windows took 26,369 to 22,188 in the last 55 s
(and 22,715 in another run); to 75 %, 23,106 to 21,568 in 171 s."""
LEAST_RESOLVES = 10
"""Fewest neighbourhood re-solves of the whole model the time left after the start roster
must allow for that model to be built, when windowed neighbourhoods could search instead.
The estimate counts staff × rows (the model is not built yet): Curtois–Qu Instance23 has
582,400, 116 s a re-solve (its 369,096 choices get 74 s). At 600 s column generation ended
there at 459 s, and the whole-model search improved nothing (41,289 in two runs)."""
MODEL_CHOICES_PER_SECOND = 40_000
"""About how many (employee, requirement row) pairs CP-SAT's model is built and presolved
for per second (``_model_fits``)."""


@dataclass
class StartRoster:
    """The roster the searches start from.

    Attributes:
        duties: its (employee, requirement row, role) duties; every hard rule holds.
        bound: a lower bound on the objective, when the start's method gives one.
        objective: the roster's whole objective when known without CP-SAT (column
            generation's, which prices every goal), else ``None``.
        notes: how it was built, for the report.
        solver: what built it, for the report when it is the result.
        windows_lead: whether windowed neighbourhoods lead (``_windows_share``): they search
            after it whatever time is left, and the whole model is not built.
    """

    duties: set[columns.Duty]
    bound: float | None = None
    objective: float | None = None
    notes: list[str] = field(default_factory=list)
    solver: str = "column generation"
    windows_lead: bool = False


def _start_roster(
    problem: RosterProblem,
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
    previous: pd.DataFrame | None,
    windowed: bool,
) -> StartRoster | None:
    """A start roster within ``START_SHARE`` of the time to the ``deadline``: by column
    generation (``columns.column_generation``, with the stability goal priced against a
    ``previous`` roster and its frozen days kept) or, when that does not apply or finds
    none, employee by employee with CP-SAT (the ``previous`` roster repaired when there is
    one; its first pass runs to its end even past the deadline); ``None`` when none is found.
    When the CP-SAT model would not fit in the time the start leaves (``_model_fits``),
    column generation gets ``HAND_OVER_SHARE`` of it if windowed neighbourhoods search after
    it (``windowed``), else all of it (its roster is the result), and its construction
    prices with wider programs (its roster, not the dive's, is then the likely start). When
    windowed neighbourhoods would search after it and should (``_windows_share``), its
    construction is held to ``HAND_OVER_SHARE`` of the time, and so are its passes after a
    stalled first linear program (then the windows search from that share on); a first
    linear program that moves keeps column generation's whole share. Where its pricing is
    banded and fewer than ``LEAST_RESOLVES`` whole-model re-solves fit even
    ``WINDOWS_SHARE`` of the time, column generation ends at 1 − ``WINDOWS_SHARE`` of it,
    leaving the windows that share."""
    now = time.perf_counter()
    until = min(deadline, now + START_SHARE * (deadline - now))
    reasons = columns.blockers(problem, settings)
    notes = []
    if reasons:
        notes.append(
            "start roster built employee by employee, not by column generation: "
            + "; ".join(reasons)
        )
    else:
        # a signal ends column generation through stop.past (its loops wind down and keep the
        # best roster found) instead of interrupting it between two Python instructions
        last, searched = until, _model_fits(problem, deadline - until)
        hand_over_by, seconds = None, deadline - now
        windows_share = _windows_share(problem, settings, seconds) if searched and windowed else 0
        if windows_share:
            last, fit = now + (1 - WINDOWS_SHARE) * seconds, WINDOWS_SHARE
            if windows_share > WINDOWS_SHARE:
                hand_over_by, fit = now + HAND_OVER_SHARE * seconds, 1 - LEAD_SHARE
            note = (
                f"column generation was given {1 - WINDOWS_SHARE:.0%} of the limit: its pricing "
                f"is banded, and fewer than {LEAST_RESOLVES} re-solves of the whole model would "
                f"fit {fit:.0%} of it, so windowed neighbourhoods search the rest"
            )
            if hand_over_by is not None:
                note += (
                    f"; they lead, so its construction was timed to end by {HAND_OVER_SHARE:.0%} "
                    "of the limit, and they search from there if its first linear program stalls"
                )
            notes.append(note)
        if not searched:
            last = now + HAND_OVER_SHARE * seconds if windowed else deadline
        try:
            with stop.solving(lambda: None):
                start = columns.column_generation(
                    problem,
                    settings,
                    deadline=last,
                    seed=limits.seed,
                    relative_gap=limits.relative_gap or 0.0,
                    hand_over=last < deadline,
                    hand_over_by=hand_over_by,
                    wider=not searched,
                    passes_follow=last < deadline,
                    previous=previous,
                )
        except columns.NoRoster as no_roster:
            own = [e for e in no_roster.persons if e < len(problem.employees)]
            clashes = missing_rosters(problem, settings, limits, until, own)
            if clashes:
                raise InfeasibleError("the roster's hard rules cannot all hold", clashes) from None
            start = None
            notes.append(
                "column generation found no roster for "
                + ", ".join(_person_name(problem, e) for e in no_roster.persons)
                + ", and CP-SAT did not prove their rules clash: the start roster is built "
                "employee by employee"
            )
        if start is not None:
            if previous is not None:
                notes.append(
                    "start roster: column generation, with the stability goal priced against "
                    "the previous roster and its frozen days kept"
                )
            notes += start.notes
            lead = hand_over_by is not None
            return StartRoster(start.duties, start.bound, start.objective, notes, windows_lead=lead)
    duties = employee_by_employee(problem, settings, deadline=until, previous=previous, finish=True)
    if previous is not None:
        notes.append("start roster: the previous roster, repaired employee by employee")
    if duties is None:
        return None
    late = _late_text(time.perf_counter() - deadline)
    if late:
        notes.append("the start roster was built employee by employee" + late)
    return StartRoster(duties, notes=notes)


def _person_name(problem: RosterProblem, person: int) -> str:
    """Column generation's ``person`` (own employees, then partners' staff) by id."""
    return f"employee {(*problem.employees, *problem.shared_employees)[person].employee_id}"


def _windowed(
    problem: RosterProblem,
    settings: RosterSettings,
    limits: SolverLimits,
    deadline: float,
    start: StartRoster,
) -> StartRoster:
    """The ``start`` roster improved by windowed neighbourhoods (``windows.WindowSearch``)
    until the ``deadline`` or its bound, ``usable_workers`` re-solves at a time, in turn with
    pair swaps and best-response passes where column generation's pricing applies
    (``responses.search``)."""
    assert start.objective is not None
    search = windows.WindowSearch(problem, settings, start.duties, start.objective, limits.seed)
    workers = usable_workers(limits)
    passes = not columns.blockers(problem, settings)
    settled_value = None
    if start.bound is not None:
        settled_value = settled_at(start.bound, limits.relative_gap or 0.0)
    ran, swapped = responses.search(
        problem, settings, search, deadline, settled_value, workers, passes
    )
    if not search.tried and not ran and not swapped:
        return start
    note = (
        f"windowed neighbourhoods ({workers} at a time): {search.improved} of {search.tried} "
        f"re-solves lowered the objective"
    )
    if ran:
        note += f", in turn with best-response passes that changed {ran} employees' rosters"
    note += f", from {start.objective:g} to {search.objective:g}"
    if search.clashed:
        note += (
            f"; {search.clashed} of them clashed: another's result meanwhile left some "
            "employees breaking a horizon total, so only the other employees' changes were "
            "kept where they still lowered it"
        )
    if swapped:
        note += f"; pair swaps took {swapped:g} of the fall off the request cost"
    notes = [*start.notes, note]
    solver = "column generation, then windowed neighbourhoods"
    return StartRoster(search.duties, start.bound, search.objective, notes, solver)


def usable_workers(limits: SolverLimits) -> int:
    """The run's threads (CP-SAT's default of 2 when not set), at most the processors this
    process may use: how many windowed neighbourhoods are re-solved at a time, and how many
    processors the whole-model search keeps busy on an idle machine. Each windowed re-solve
    is one CP-SAT worker, and a quarter of its time is spent drawing and building its model
    in Python (Curtois–Qu Instance24, one worker), which another re-solve's solving
    overlaps."""
    return max(1, min(limits.threads or DEFAULT_WORKERS, len(os.sched_getaffinity(0))))


def _windows_share(problem: RosterProblem, settings: RosterSettings, seconds: float) -> float:
    """The share of the ``seconds`` windowed neighbourhoods should search from column
    generation's roster even though CP-SAT's whole model would fit, where column generation
    prices some employee with a banded program (its linear program is then not exact, and
    on large rosters stalls): 1 − ``LEAD_SHARE`` (the windows lead) when fewer
    than ``LEAST_RESOLVES`` of the whole model's neighbourhood re-solves fit that share,
    else ``WINDOWS_SHARE`` when fewer fit that one; 0 otherwise. Curtois–Qu Instance23 at
    600 s: column generation to 570 s and windows for the rest gave 32,742; windows from a
    150 s start reached 27,058 after 600 s more."""
    resolves = LEAST_RESOLVES * _resolve_seconds(len(problem.employees) * len(problem.requirements))
    if resolves <= WINDOWS_SHARE * seconds or columns.priced_exactly(problem, settings):
        return 0.0
    lead = 1 - LEAD_SHARE
    return lead if resolves > lead * seconds else WINDOWS_SHARE


def _model_skipped(
    problem: RosterProblem, seconds: float, windowed: bool, *, windows_lead: bool = False
) -> str:
    """Why CP-SAT's whole model is not built for the ``seconds`` left after the start roster
    (empty when it is): it would not fit them (``_model_fits``), or, when windowed
    neighbourhoods can search instead (``windowed``), they lead (``windows_lead``) or
    ``seconds`` would allow fewer than ``LEAST_RESOLVES`` of its neighbourhood re-solves."""
    if not _model_fits(problem, seconds):
        return "too large for the time left after the start roster"
    if windows_lead:  # only ever set where windows apply
        return "windowed neighbourhoods lead, as column generation's notes say"
    resolve = _resolve_seconds(len(problem.employees) * len(problem.requirements))
    if windowed and seconds < LEAST_RESOLVES * resolve:
        return (
            f"the time left allows fewer than {LEAST_RESOLVES} of its neighbourhood re-solves "
            f"({resolve:.1f} s each); windowed neighbourhoods search instead"
        )
    return ""


def _resolve_seconds(choices: int) -> float:
    """Time limit of one neighbourhood re-solve of a whole model with ``choices`` choices:
    ``_Search.SUB_SECONDS`` per ``_Search.SUB_CHOICES`` choices, at least one share."""
    return _Search.SUB_SECONDS * max(1.0, choices / _Search.SUB_CHOICES)


def _model_fits(problem: RosterProblem, seconds: float) -> bool:
    """Whether CP-SAT's model (about staff × requirement rows choices) can be built and
    presolved in half of ``seconds``."""
    pairs = len(problem.employees) * len(problem.requirements)
    return pairs / MODEL_CHOICES_PER_SECOND <= 0.5 * seconds


def _start_result(
    problem: RosterProblem, start: StartRoster, started: float, limits: SolverLimits
) -> tuple[Roster, SolveReport]:
    """The start roster as the result (its ``objective`` known), with its bound: ``optimal``
    when that proves it within the ``limits``' relative gap."""
    assert start.objective is not None
    proven, exact = _proof(limits, start.objective, start.bound)
    gap_notes = [_gap_note(limits)] if proven and not exact else []
    report = SolveReport.measured(
        status=SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE,
        objective=start.objective,
        bound=start.bound,
        started=started,
        solver=start.solver,
        notes=(*start.notes, *gap_notes, *_stop_note()),
    )
    return roster_tables(problem, sorted(start.duties)), report


def _search_bound_note(bound: float, proven: bool, start_bound: float) -> str:
    """The report's note when CP-SAT's whole-model search raised the start roster's
    ``start_bound`` to ``bound`` (weighted units), ``proven`` when it reached the roster."""
    if proven:
        return (
            f"CP-SAT's whole-model search proved the roster optimal: bound {bound:,.0f} "
            f"(the start roster's: {start_bound:,.0f})"
        )
    return columns.bound_note(
        [("CP-SAT's whole-model search", bound), ("the start roster's", start_bound)]
    )


def _proof(limits: SolverLimits, objective: float, bound: float | None) -> tuple[bool, bool]:
    """Whether ``objective`` is proven within the ``limits``' relative gap of ``bound``, and
    whether exactly (at the bound; weighted units, ``None``: no bound)."""
    return limits.within_gap(objective, bound), settles(objective, bound)


def _gap_note(limits: SolverLimits) -> str:
    """The report's note on a roster proven within the ``limits``' relative gap, not exactly
    optimal."""
    return (
        f"the roster is proven within the relative gap asked for ({limits.relative_gap or 0:.2%}, "
        "solver.relative_gap) of the bound, not proven optimal: the search stopped there"
    )


def _late_text(seconds_late: float) -> str:
    """``"; it was done N s past the time limit"`` when ``seconds_late`` rounds to at least
    0.1 s, else ``""``."""
    if round(seconds_late, 1) <= 0:
        return ""
    return f"; it was done {seconds_late:.1f} s past the time limit"


def _stop_note() -> list[str]:
    """The report's note when a signal stopped the run."""
    if not stop.requested():
        return []
    return [f"stopped by {stop.signal_name()}: the best roster found is kept"]


class _Search:
    """CP-SAT on the whole model alongside a large-neighbourhood search: from
    ``solve_roster``'s start roster when ``settings.neighbourhood_search`` (``StartRoster``,
    whose bound it keeps), else from a roster built employee by employee beside the
    whole-model search only when that has none after ``_Search._await_first_roster``'s wait,
    or only one leaving demand uncovered. The
    neighbourhood search re-solves the best roster so far (one worker, ``SUB_SECONDS`` per
    ``SUB_CHOICES`` choices, ``resolves.one_worker``) with every choice fixed except those
    of a neighbourhood, and keeps the result when better; each
    kind's sizes follow its re-solves (``resolves.Sizes``). Neighbourhoods: a window of days
    around a day with uncovered demand (all staff, or a few random employees over a wider
    window), or the weekends of two random weeks (weekend work is where these rosters run
    short). The whole-model search proves optimality and gives the bound; it stops once the
    bound reaches the best roster found by either (or comes within the run's relative gap of
    it)."""

    SUB_SECONDS = 0.5
    """Time limit of one neighbourhood re-solve per ``SUB_CHOICES`` choices (at least one)."""
    SUB_CHOICES = 2500

    def __init__(
        self,
        m: RosterModel,
        settings: RosterSettings,
        limits: SolverLimits,
        deadline: float,
        start: StartRoster | None,
        previous: pd.DataFrame | None,
    ) -> None:
        self.m, self.settings, self.limits, self.deadline = m, settings, limits, deadline
        self.start, self.previous = start, previous
        self.seconds = max(deadline - time.perf_counter(), 0.01)
        self.variables = [var for _, _, _, var in m.choices]
        self.values: list[bool] | None = None
        self.objective, self.bound = math.inf, -math.inf
        self.own_bound = -math.inf
        """The whole-model search's own bound (``bound`` also takes column generation's)."""
        self.lock = threading.Lock()
        self.solver = make_solver(settings, limits, self.seconds)
        self.code = cp_model.UNKNOWN
        self.solved = False
        """Whether the whole-model search ran (a stop or the deadline may come before it)."""
        self.notes: list[str] = [] if start is None else start.notes
        """What the search could not do as usual, and why (reported with the result)."""
        if start is not None and start.bound is not None:
            self.bound = start.bound

    def offer(self, objective: float, values: list[bool]) -> None:
        """Keep ``values`` when they beat the best roster so far."""
        with self.lock:
            if objective < self.objective:
                self.objective, self.values = objective, values

    def run(self) -> int:
        """Solve; returns the whole-model search's CP-SAT status code."""
        search = self

        class Incumbents(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                values = [self.boolean_value(var) for var in search.variables]
                search.offer(self.objective_value, values)

        def raise_bound(bound: float) -> None:
            search.own_bound = max(search.own_bound, bound)
            search.bound = max(search.bound, bound)

        self.solver.best_bound_callback = raise_bound
        with stop.solving(self.solver.stop_search):
            if not self.variables:
                self.code, self.solved = self.solver.solve(self.m.model, Incumbents()), True
                return self.code
            if not self.settings.neighbourhood_search:
                return self._with_fallback(Incumbents())
            return self._with_neighbourhoods(Incumbents())

    def _with_fallback(self, incumbents: cp_model.CpSolverSolutionCallback) -> int:
        """The whole-model search; when it has no roster after ``_await_first_roster``'s wait
        (``FALLBACK_AFTER`` of its time on a machine it has to itself, at most
        ``FALLBACK_LATEST``), or only one leaving demand uncovered (its objective at least
        the uncovered weight:
        on ``tourist-peak.yaml`` over eight weeks its first roster, at 7 s of 90, left 918
        staff-shifts uncovered and 596 after 90 s, where the rosters built beside it reach
        85–100 M weighted units), a roster is built employee by employee beside it (one
        pass, which runs to its end even past the deadline on a busy machine, as a roster
        late beats none), then one by
        column generation (``_generated``), and the neighbourhood search of
        ``_with_neighbourhoods`` improves the better of them beside the whole-model search
        for the rest of the time. Neither start wins everywhere: at 90 s on tourist-peak
        scaled up, column generation's was better on 140 and 280 staff over four weeks and
        on 70 over eight, the employee-by-employee roster on 70 over twelve. The better
        roster is the result, except that a roster the whole-model search proves optimal is
        its own: with ``settings.deterministic`` it is not stopped when its bound reaches
        the neighbourhoods' roster, so that it finds and proves its own (under load the
        fallback may start on a problem CP-SAT alone solves in a second, and the
        neighbourhoods' roster of the same objective differs from run to run). Returns the
        whole-model search's status code."""
        thread = self._whole_model_thread(incumbents)
        waited_seconds = self._await_first_roster(thread)
        duties = None
        had = "no roster" if self.values is None else "only a roster leaving demand uncovered"
        if self._wants_fallback(thread):
            duties = employee_by_employee(
                self.m.problem,
                self.settings,
                deadline=self.deadline,
                passes=1,
                previous=self.previous,
                finish=True,
            )
        built = time.perf_counter()
        if duties is None or self.code == cp_model.INFEASIBLE:
            thread.join()
            return self.code
        searched = self.objective
        neighbourhoods = _Neighbourhoods(self)
        neighbourhoods.start(duties)
        built_by, first = "employee by employee", self.objective
        generated = self._generated()
        if generated is not None:
            neighbourhoods.start(generated.duties)
            self.bound = max(self.bound, generated.bound)
            if self.objective < first:
                built_by = "by column generation"
            first = self.objective
        self._beside(neighbourhoods, thread, own_proof=self.settings.deterministic)
        if self.code == cp_model.OPTIMAL:
            self._take_proven()
            return self.code
        if self.objective < searched:
            note = (
                f"CP-SAT's search had {had} after {waited_seconds:.1f} s "
                f"({waited_seconds / self.seconds:.0%} of the time limit), so "
                "one was built employee by employee (every hard rule kept, partners' staff not "
                "lent)" + _late_text(built - self.deadline)
            )
            if generated is not None:
                note += (
                    f" and one by column generation in {COLUMNS_SHARE:.0%} of the limit; the "
                    f"better, {built_by} ({first:,.0f}), was kept"
                )
            if neighbourhoods.improved:
                note += (
                    f"; {neighbourhoods.improved} of {neighbourhoods.tried} neighbourhood "
                    f"re-solves then lowered it from {first:,.0f} to {self.objective:,.0f}"
                )
            note += ", and the search found none better"
            if generated is not None and generated.bound > 0:
                note += (
                    "; the bound is the larger of CP-SAT's and column generation's "
                    f"({generated.bound:,.0f})"
                )
            self.notes.append(note)
        return self.code

    def _wants_fallback(self, thread: threading.Thread) -> bool:
        """Whether the whole-model search in ``thread`` still runs with no roster, or only one
        leaving demand uncovered (objective at least the uncovered weight; ``inf``: none)."""
        return thread.is_alive() and self.objective >= self.settings.uncovered_weight

    def _await_first_roster(self, thread: threading.Thread) -> float:
        """Wait while the whole-model search in ``thread`` runs without a roster covering all
        demand, until it has had ``FALLBACK_AFTER`` of the time limit both in wall-clock time
        and in processor time at its idle rate (its workers, at most one a usable processor),
        or ``FALLBACK_LATEST`` of the limit has passed; returns the seconds waited. The
        process's processor time stands for the search's: other work in the process can
        only make the wait shorter, never below ``FALLBACK_AFTER`` of wall-clock time.
        Tourist-peak scaled to 280 staff at 90 s, whose search has no roster by then: the
        fallback began at 12.6 s (18.5 s of processor time; 9.5 s before, at a tenth of
        the wall-clock limit alone), the same 10,124."""
        started, cpu_started = time.perf_counter(), time.process_time()
        cpu_seconds = FALLBACK_AFTER * self.seconds * usable_workers(self.limits)
        earliest = started + FALLBACK_AFTER * self.seconds
        latest = started + FALLBACK_LATEST * self.seconds
        while self._wants_fallback(thread):
            now = time.perf_counter()
            if now >= latest or (
                now >= earliest and time.process_time() - cpu_started >= cpu_seconds
            ):
                break
            thread.join(timeout=min(AWAIT_POLL_SECONDS, latest - now))
        return time.perf_counter() - started

    def _generated(self) -> columns.ColumnStart | None:
        """A roster by column generation in ``COLUMNS_SHARE`` of the time limit, with its
        bound, where it applies (``columns.blockers``) and that share is left before the
        deadline (its construction gives everyone a roster even when late, so it is not
        begun late); ``None`` otherwise or where it finds none."""
        problem, settings = self.m.problem, self.settings
        share, now = COLUMNS_SHARE * self.seconds, time.perf_counter()
        if columns.blockers(problem, settings) or stop.past(self.deadline - share, now):
            return None
        try:
            return columns.column_generation(
                problem,
                settings,
                deadline=now + share,
                seed=self.limits.seed,
                relative_gap=self.limits.relative_gap or 0.0,
                hand_over=True,
                previous=self.previous,
            )
        except columns.NoRoster:
            return None

    def _whole_model_thread(
        self, incumbents: cp_model.CpSolverSolutionCallback
    ) -> threading.Thread:
        """The whole-model search, started in a thread; it sets ``code`` and ``solved``."""

        def whole() -> None:
            self.code, self.solved = self.solver.solve(self.m.model, incumbents), True

        thread = threading.Thread(target=whole, daemon=True)
        thread.start()
        return thread

    def _with_neighbourhoods(self, incumbents: cp_model.CpSolverSolutionCallback) -> int:
        """The start roster, then the whole-model search and the neighbourhoods side by side;
        returns the whole-model search's status code (UNKNOWN when a stop request ended the
        run before it began)."""
        neighbourhoods = _Neighbourhoods(self)
        if self.start is not None:
            neighbourhoods.start(self.start.duties)
        if stop.past(self.deadline, time.perf_counter()):
            return self.code
        self.solver.parameters.max_time_in_seconds = max(self.deadline - time.perf_counter(), 0.01)
        self._beside(neighbourhoods, self._whole_model_thread(incumbents))
        return self.code

    def _beside(
        self, neighbourhoods: _Neighbourhoods, thread: threading.Thread, own_proof: bool = False
    ) -> None:
        """Run ``neighbourhoods`` beside the whole-model search in ``thread``, then stop that
        search and wait for it. With ``own_proof``, a search whose own bound has reached the
        best roster is not stopped but left to find that roster itself (by its time limit at
        the latest), so that a proven result is its own, reproducible roster."""
        try:
            neighbourhoods.run(thread)
            if own_proof and self.own_bound >= self.objective - 1e-6:
                thread.join()
        finally:
            self.solver.stop_search()
            thread.join()

    def _take_proven(self) -> None:
        """Make the whole-model search's own roster the result, once it has proven it optimal
        (a roster of the same objective from the neighbourhoods may differ from run to run)."""
        self.objective = self.solver.objective_value
        self.values = [bool(self.solver.boolean_value(var)) for var in self.variables]


_PROVEN = (cp_model.OPTIMAL, cp_model.INFEASIBLE)
"""Whole-model search outcomes after which the neighbourhood search stops."""


class _Neighbourhoods:
    """The large-neighbourhood search of ``_Search`` (see there), on a clone of the model
    whose choice domains are fixed to the incumbent except in the neighbourhood."""

    def __init__(self, search: _Search) -> None:
        self.search = search
        m = search.m
        self.person = [p for p, _, _, _ in m.choices]
        self.day = [m.problem.day_index(m.problem.requirements[r].day) for _, r, _, _ in m.choices]
        self.work_row = [r if role == WORK else -1 for _, r, role, _ in m.choices]
        self.weekday = [day.weekday() for day in m.problem.dates]
        # the Saturday (day index) of the weekend each Friday to Monday is part of or next to
        self.saturday = [
            d + (SATURDAY - w if w >= FRIDAY else -2 - w) for d, w in enumerate(self.weekday)
        ]
        self.model = m.model.clone()
        self.domains = [self.model.proto.variables[var.index].domain for var in search.variables]
        self.rng = random.Random(search.limits.seed)
        self.seconds = _resolve_seconds(len(m.choices))
        self.tried = self.improved = 0
        """Re-solves ``run`` made, and those that lowered the objective."""

    def run(self, whole: threading.Thread) -> None:
        """Search until the deadline or a roster within the run's relative gap of the bound
        (at it, without a gap), or until the ``whole``-model search ends having proven its
        result (or with no roster to start from). A whole-model search that ends unproven
        before the deadline leaves the rest to the neighbourhoods (on tourist-peak scaled to
        280 staff it once ended 12 s early, before the neighbourhoods' two best re-solves of
        that run)."""
        search = self.search
        employees = len(search.m.problem.employees)
        size = Sizes(
            {"days": 7.0, "staff": max(2.0, employees / 3), "window": 14.0},
            {"days": ("days",), "staff": ("staff", "window")},
        )
        while not stop.past(search.deadline - 0.5, time.perf_counter()):
            with search.lock:
                values, objective = search.values, search.objective
            if not whole.is_alive() and (values is None or search.code in _PROVEN):
                return
            if values is None:
                time.sleep(0.1)
                continue
            if search.limits.within_gap(objective, search.bound):
                return
            kind = self.rng.choice(("days", "staff", "weekends"))
            code, found = self._resolve(values, self._free(kind, values, size), self.seconds)
            better = found is not None and found[0] < objective
            self.tried += 1
            if better:
                self.improved += 1
                search.offer(*found)
            size.after(kind, code, better)

    def _free(self, kind: str, values: list[bool], size: dict[str, float]) -> list[bool]:
        """Which choices a neighbourhood of ``kind`` frees: ``days``, a window of
        ``size["days"]`` days around a day with uncovered demand, all staff; ``staff``,
        ``size["staff"]`` random employees over a window of ``size["window"]`` days around
        such a day; ``weekends``, the Saturdays and Sundays of two random weeks (half the time
        with their Fridays and Mondays), all staff."""
        days = self.search.m.days
        if kind == "weekends":
            saturdays = sorted({self.saturday[d] for d in range(days) if self.weekday[d] >= 5})
            picked = set(self.rng.sample(saturdays, min(len(saturdays), 2)))
            weekdays = {SATURDAY, SUNDAY} | ({MONDAY, FRIDAY} if self.rng.random() < 0.5 else set())
            return [self.weekday[d] in weekdays and self.saturday[d] in picked for d in self.day]
        anchor = self._anchor(values)
        width = min(days, max(2, round(size["days" if kind == "days" else "window"])))
        first = min(max(0, anchor - self.rng.randrange(width)), days - width)
        free = [first <= d < first + width for d in self.day]
        if kind == "staff":
            employees = len(self.search.m.problem.employees)
            count = min(employees, max(1, round(size["staff"])))
            chosen = set(self.rng.sample(range(employees), count))
            free = [f and p in chosen for f, p in zip(free, self.person, strict=True)]
        return free

    def start(self, duties: set[columns.Duty]) -> None:
        """Offer the roster ``duties`` (a start roster) to the search, its objective computed
        by CP-SAT with every choice fixed (presolve alone settles it; a stop request does not
        cut it short, and it may take up to ``EVALUATE_SECONDS`` past the deadline). It is
        not a hint for the whole model: that made CP-SAT's own search worse (Curtois–Qu
        Instance6, employee-by-employee start: 2040 and 2044 with it, 1954 without)."""
        values = [(p, r, role) in duties for p, r, role, _ in self.search.m.choices]
        seconds = max(self.search.deadline - time.perf_counter(), EVALUATE_SECONDS)
        _, found = self._resolve(values, [False] * len(values), seconds, stoppable=False)
        if found is not None:
            self.search.offer(*found)

    def _anchor(self, values: list[bool]) -> int:
        """A random day with uncovered demand in ``values``, or a random day if none."""
        staffed = Counter(
            r for r, value in zip(self.work_row, values, strict=True) if value and r >= 0
        )
        requirements = self.search.m.problem.requirements
        short = [r for r, row in enumerate(requirements) if staffed[r] < row.staff_needed]
        if not short:
            return self.rng.randrange(self.search.m.days)
        return self.search.m.problem.day_index(requirements[self.rng.choice(short)].day)

    def _resolve(
        self, values: list[bool], free: list[bool], seconds: float, *, stoppable: bool = True
    ) -> tuple[int, tuple[float, list[bool]] | None]:
        """Re-solve with the choices not ``free`` fixed to ``values`` (hinted with them), one
        worker, at most ``seconds`` (and, if ``stoppable``, not past the deadline nor a stop
        request); returns the status and (objective, values) if any."""
        search = self.search
        self.model.clear_hints()
        for domain, var, value, is_free in zip(
            self.domains, search.variables, values, free, strict=True
        ):
            domain[0], domain[1] = (0, 1) if is_free else (int(value), int(value))
            self.model.add_hint(var, value)
        seed = self.rng.randrange(1 << 30)
        if not stoppable:
            sub = one_worker(seconds, seed)
            code = sub.solve(self.model)
        else:
            sub = one_worker(min(seconds, search.deadline - time.perf_counter() - 0.3), seed)
            code = stop.run_cp_sat(sub, self.model)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return code, None
        return code, (sub.objective_value, [sub.boolean_value(v) for v in search.variables])
