"""One ``SolverLimits`` per run, honoured by every engine: siting, roster and dispatch."""

from __future__ import annotations

import time
from pathlib import Path

import highspy
import pytest
from typer.testing import CliRunner

import optimizer.api
import optimizer.sweep.run
from cli import app
from optimizer.dispatch import DispatchRules, solve_dispatch
from optimizer.errors import DataError
from optimizer.formats import solve_published_instance
from optimizer.formats.curtois import solve_curtois_instance
from optimizer.pipeline.limits import solver_limits
from optimizer.roster import model as roster_model
from optimizer.roster.settings import RosterSettings
from optimizer.scenario import load_scenario
from optimizer.solve import SolverLimits, SolveStatus, settled_at
from tests.test_dispatch_invariants import random_problem

DATA = Path(__file__).parent / "data"
SCENARIOS = Path(__file__).parents[1] / "scenarios"
LIMITS = SolverLimits(time_limit_seconds=7.5, relative_gap=0.25, threads=1, seed=11)


class _HighsOptions:
    """Records every option set on any ``highspy.Highs`` while active. ``threads`` is recorded
    but not passed on: HiGHS's thread pool is process-wide, and a run asking for another count
    than the pool started with fails (other tests in this process started it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[dict[str, object]] = []
        original = highspy.Highs.setOptionValue
        recorder = self

        def record(highs: highspy.Highs, name: str, value: object) -> object:
            if not recorder.seen or recorder.seen[-1].get("__object") is not highs:
                recorder.seen.append({"__object": highs})
            recorder.seen[-1][name] = value
            return None if name == "threads" else original(highs, name, value)

        monkeypatch.setattr(highspy.Highs, "setOptionValue", record)


def _limit_options(options: dict[str, object]) -> tuple[object, ...]:
    return tuple(options.get(name) for name in ("mip_rel_gap", "threads", "random_seed"))


def test_the_scenario_limits_and_command_line_overrides_make_one_object() -> None:
    scenario = load_scenario(SCENARIOS / "surge.yaml")
    limits = solver_limits(scenario.solver, time_limit_seconds=12.0)
    assert limits.time_limit_seconds == 12.0
    assert (limits.relative_gap, limits.threads, limits.seed) == (
        scenario.solver.relative_gap,
        scenario.solver.threads,
        scenario.solver.seed,
    )
    assert solver_limits(scenario.solver).time_limit_seconds == scenario.solver.time_limit_seconds


@pytest.mark.parametrize(
    "bad",
    [
        {"time_limit_seconds": 0},
        {"relative_gap": 1.0},
        {"threads": 0},
        {"threads": 100_000},
        {"seed": -1},
    ],
)
def test_impossible_limits_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        SolverLimits(**bad)


def test_siting_passes_every_limit_to_highs(monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = _HighsOptions(monkeypatch)
    _, report = solve_published_instance("orlib-pmed", DATA / "pmed1.txt", LIMITS)
    assert report.gap is not None and report.gap <= 0.25
    solves = [options for options in recorded.seen if "time_limit" in options]
    assert solves, "HiGHS was never given a time limit"
    for options in solves:
        assert _limit_options(options) == (0.25, 1, 11)
        assert 0 < float(options["time_limit"]) <= 7.5


def test_siting_stops_at_its_time_limit_with_a_bound() -> None:
    # HiGHS proves pmed16 optimal in about 3 s on this 2-core machine; at 0.3 s it stops
    # with a bound from its root node at the latest
    started = time.perf_counter()
    _, report = solve_published_instance(
        "orlib-pmed", DATA / "pmed16.txt", SolverLimits(time_limit_seconds=0.3)
    )
    assert time.perf_counter() - started < 0.3 + 3.0
    assert report.status == SolveStatus.FEASIBLE and report.gap is not None


def test_dispatch_passes_every_limit_to_its_mip(monkeypatch: pytest.MonkeyPatch) -> None:
    problem, _ = random_problem(3, regions=30, rules=DispatchRules(min_batch_units=3))
    recorded = _HighsOptions(monkeypatch)
    _, report = solve_dispatch(problem, limits=LIMITS)
    assert report.solver == "highs"
    (options,) = [options for options in recorded.seen if "time_limit" in options]
    assert _limit_options(options) == (0.25, 1, 11)
    assert options["time_limit"] == 7.5


def test_roster_solver_takes_workers_seed_and_gap_from_the_limits() -> None:
    solver = roster_model.make_solver(RosterSettings(), LIMITS, 3.0)
    parameters = solver.parameters
    assert (parameters.num_workers, parameters.random_seed) == (1, 11)
    assert parameters.relative_gap_limit == pytest.approx(0.25)
    assert parameters.max_time_in_seconds == pytest.approx(3.0)


def test_roster_stops_at_its_time_limit_with_a_bound() -> None:
    """Curtois–Qu Instance17 is not proven optimal in a minute; 2 s stop it early, with a
    roster and a bound."""
    started = time.perf_counter()
    _, _, report = solve_curtois_instance(
        DATA / "roster" / "Instance17.txt", SolverLimits(time_limit_seconds=2.0)
    )
    assert time.perf_counter() - started < 2.0 + 3.0
    assert report.status == SolveStatus.FEASIBLE and report.bound is not None


def test_a_relative_gap_settles_an_objective_its_share_above_the_bound() -> None:
    assert settled_at(95.0, 0.05) == pytest.approx(100.0)
    assert settled_at(0.0, 0.5) == 0.0  # a zero bound proves only a zero objective
    within = SolverLimits(relative_gap=0.05)
    assert within.within_gap(100.0, 95.0) and not within.within_gap(100.1, 95.0)
    assert not within.within_gap(1.0, None)
    assert SolverLimits().within_gap(828.0, 828.0) and not SolverLimits().within_gap(829.0, 828.0)


def test_the_roster_stops_once_proven_within_the_relative_gap() -> None:
    """Curtois–Qu Instance17 (best known 5,746): column generation's roster is within 5 % of
    its bound after about 8 s on an idle machine; without a gap the search runs to the
    limit, as no roster there is proven optimal in a minute."""
    started = time.perf_counter()
    _, _, report = solve_curtois_instance(
        DATA / "roster" / "Instance17.txt",
        SolverLimits(time_limit_seconds=60.0, relative_gap=0.05),
    )
    assert time.perf_counter() - started < 30.0
    assert report.status == SolveStatus.OPTIMAL
    assert report.bound is not None and report.bound <= report.objective
    assert report.gap is not None and report.gap <= 0.05
    assert (report.gap > 0) == any("relative gap" in note for note in report.notes)


GAP_AFTER = (), ("--relative-gap", "0.25"), 0.25
"""No option before the command, a gap after it, the gap every engine gets."""


@pytest.mark.parametrize(
    ("command", "scenario", "module", "given"),
    [
        ("plan", "porto-alegre.yaml", optimizer.api, GAP_AFTER),
        ("dispatch", "surge.yaml", optimizer.api, GAP_AFTER),
        ("review", "library-review.yaml", optimizer.api, GAP_AFTER),
        ("rounds", "rural-rounds.yaml", optimizer.api, GAP_AFTER),
        ("sweep", "porto-alegre.yaml", optimizer.sweep.run, GAP_AFTER),
        # a gap of 0 after the command (exact) wins over one before it
        (
            "dispatch",
            "surge.yaml",
            optimizer.api,
            (("--relative-gap", "0.5"), ("--relative-gap", "0"), 0.0),
        ),
    ],
)
def test_the_command_line_relative_gap_overrides_the_scenarios(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
    scenario: str,
    module: object,
    given: tuple[tuple[str, ...], tuple[str, ...], float],
) -> None:
    """``--relative-gap`` reaches the limits every engine of the command gets (recorded as
    they are built; the run then stops with a data error before any engine)."""
    before, after, expected = given
    seen: list[object] = []

    def recorded(solver: object, **overrides: object) -> SolverLimits:
        seen.append(overrides.get("relative_gap"))
        raise DataError(scenario, "the limits were recorded")

    monkeypatch.setattr(module, "solver_limits", recorded)
    arguments = [*before, command, str(SCENARIOS / scenario), "--out", str(tmp_path / "out")]
    if command == "sweep":
        grid = tmp_path / "grid.yaml"
        grid.write_text("solver.seed: [1]\n", encoding="utf-8")
        arguments += ["--grid", str(grid), "--executor", "serial"]
    result = CliRunner().invoke(app, [*arguments, *after])
    assert result.exit_code == 2, result.output
    assert seen == [expected]
