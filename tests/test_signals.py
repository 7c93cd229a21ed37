"""SIGINT and SIGTERM stop a run promptly: a solver returns its best solution (reported
feasible, with bound and gap, and a note), other work ends with exit 128 + signal and nothing
written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from optimizer import stop
from optimizer.formats import solve_published_instance
from optimizer.formats.curtois import curtois_settings, read_curtois
from optimizer.roster.engine import solve_roster
from optimizer.solve import SolverLimits, SolveStatus
from tests.test_roster_checker import curtois_objective, hard_rule_violations

from .conftest import REPO_ROOT, SAMPLE_SCENARIO

DATA = Path(__file__).parent / "data"


SignalAfter = Callable[[float, int], None]


@pytest.fixture
def signal_after() -> Iterator[SignalAfter]:
    """Send this process a signal after some seconds; a signal not sent by the end of the test
    is cancelled (the work it was meant for finished first), so it cannot end the test run."""
    timers: list[threading.Timer] = []

    def send(seconds: float, number: int) -> None:
        timers.append(threading.Timer(seconds, os.kill, (os.getpid(), number)))
        timers[-1].start()

    yield send
    for timer in timers:
        timer.cancel()


def test_a_signal_during_a_roster_solve_keeps_the_best_roster(signal_after: SignalAfter) -> None:
    """Plain CP-SAT (no start roster) needs about 7 s to prove Curtois–Qu Instance2 optimal;
    SIGTERM after 2 s ends its search."""
    limits = SolverLimits(time_limit_seconds=30)
    settings = replace(curtois_settings(), neighbourhood_search=False)
    problem = read_curtois(DATA / "roster" / "Instance2.txt")
    signal_after(2.0, signal.SIGTERM)
    started = time.perf_counter()
    _, report = stop.run_stoppable(lambda: solve_roster(problem, settings, limits))
    assert time.perf_counter() - started < 2.0 + 3.0
    assert report.has_solution and report.bound is not None
    assert "stopped by SIGTERM: the best roster found is kept" in report.notes
    assert not stop.requested() and stop.stopped_by() == "SIGTERM"  # later work runs normally


@pytest.mark.parametrize("fairness_weight", [0, 1])
def test_a_signal_after_the_start_roster_keeps_it_with_its_objective(
    signal_after: SignalAfter, fairness_weight: int
) -> None:
    """SIGTERM 3 s into Curtois–Qu Instance17 (column generation's construction is done in
    about 1 s): the start roster is the result, its objective computed, also when the
    fairness goal (not priced by column generation) counts."""
    settings = replace(curtois_settings(), fairness_weight=fairness_weight)
    problem = read_curtois(DATA / "roster" / "Instance17.txt")
    signal_after(3.0, signal.SIGTERM)
    started = time.perf_counter()
    roster, report = stop.run_stoppable(
        lambda: solve_roster(problem, settings, SolverLimits(time_limit_seconds=60))
    )
    assert time.perf_counter() - started < 3.0 + 5.0  # 1-2 s alone, 3.5 s beside other tests
    assert report.has_solution and report.bound is not None
    assert "stopped by SIGTERM: the best roster found is kept" in report.notes
    assert hard_rule_violations(problem, settings, roster.assignments) == []
    own = curtois_objective(problem, roster.assignments)
    assert report.objective == own if fairness_weight == 0 else report.objective >= own


def test_a_signal_during_a_siting_solve_keeps_the_best_plan(signal_after: SignalAfter) -> None:
    signal_after(0.7, signal.SIGINT)
    started = time.perf_counter()
    _, report = stop.run_stoppable(
        lambda: solve_published_instance(
            "orlib-pmed", DATA / "pmed16.txt", SolverLimits(time_limit_seconds=30)
        )
    )
    assert time.perf_counter() - started < 0.7 + 3.0
    assert report.status == SolveStatus.FEASIBLE and report.gap is not None
    assert any("stopped by SIGINT" in note for note in report.notes)


def test_a_signal_outside_a_solver_interrupts_the_work_at_once(
    signal_after: SignalAfter,
) -> None:
    def busy() -> None:
        ends = time.perf_counter() + 20
        while time.perf_counter() < ends:
            pass

    signal_after(0.3, signal.SIGTERM)
    started = time.perf_counter()
    with pytest.raises(stop.Interrupted) as raised:
        stop.run_stoppable(busy)
    assert time.perf_counter() - started < 0.3 + 1.0
    assert raised.value.exit_code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is not None  # handlers are restored afterwards


def test_sigterm_while_a_plan_reads_its_data_exits_143_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "plan", str(SAMPLE_SCENARIO), "--out", str(out)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # reading roads and residents takes several seconds more
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=10)
    assert process.returncode == 143, errors
    assert "interrupted by SIGTERM" in errors and "Traceback" not in errors
    assert not out.exists() or not any(out.rglob("*"))


def test_watching_a_solver_costs_no_wait_when_it_ends() -> None:
    """A solver that ends on its own is not held up by the stop watcher (small instances
    solve in milliseconds: pmed1 in about 8 ms)."""
    started = time.perf_counter()
    for _ in range(20):
        with stop.solving(lambda: None):
            pass
    assert (time.perf_counter() - started) / 20 < 0.01
