"""Stopping a run early: SIGINT (Ctrl-C) or SIGTERM (cron, systemd, Airflow) asks the run to stop.

``run_stoppable`` runs a command's work in a worker thread while the main thread waits and
receives the signals. What a first signal does depends on what the work is doing:

- inside a solver (a ``solving`` block), the solver is asked to stop and return the best
  solution it has, which the run then reports (``feasible``, with its bound and gap) and
  publishes like a time-limited result;
- anywhere else (reading data, building models, writing files), ``Interrupted`` is raised in
  the worker at its next Python instruction, so its clean-up (``finally`` blocks, the staging
  folder's removal) runs and nothing is half-written.

A second signal stops waiting at once. Engines poll ``requested()`` between steps and pass a
stop function (HiGHS ``cancelSolve``, CP-SAT ``stop_search``) to ``solving``.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from optimizer.errors import SvcplanError

T = TypeVar("T")

_requested = threading.Event()
_state = threading.Lock()
_solving = 0
_signal_number: int | None = None
_stopped_by: str | None = None
POLL_SECONDS = 0.05
"""How often a stop request is looked for while a solver or the worker runs."""


class Interrupted(SvcplanError):
    """A signal stopped the run before it had a result; nothing was written. The exit code is
    128 + the signal number, as shells report it (130 for SIGINT, 143 for SIGTERM)."""

    def __init__(self) -> None:
        number = _signal_number or signal.SIGINT
        self.exit_code = 128 + number
        name = signal.Signals(number).name
        super().__init__(f"interrupted by {name} before a result; nothing was written")


def requested() -> bool:
    """Whether a stop has been requested in this run."""
    return _requested.is_set()


def stopped_by() -> str | None:
    """The signal that stopped the last ``run_stoppable`` early (``None``: it ran to its end)."""
    return _stopped_by


def signal_name() -> str | None:
    """The name of the signal that requested the stop (``None``: no stop requested)."""
    return None if _signal_number is None else signal.Signals(_signal_number).name


def past(deadline: float | None, now: float) -> bool:
    """Whether work with ``deadline`` (a ``time.perf_counter()`` reading) must end at ``now``:
    the deadline has passed or a stop was requested."""
    return requested() or (deadline is not None and now >= deadline)


@contextmanager
def solving(stop_solver: Callable[[], None]) -> Iterator[None]:
    """Mark a solver as running: a stop request calls ``stop_solver`` (from a helper thread)
    instead of interrupting the work, so the solver can return its best solution."""
    global _solving
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(POLL_SECONDS):
            if _requested.is_set():
                stop_solver()
                return

    with _state:
        _solving += 1
    watcher = threading.Thread(target=watch, name="svcplan-stop-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        watcher.join()
        with _state:
            _solving -= 1


def run_stoppable(action: Callable[[], T]) -> T:
    """Run ``action`` in a worker thread and return its result, stopping it on SIGINT/SIGTERM
    as the module docstring says. Must be called from the main thread.

    Raises:
        Interrupted: the first signal came while no solver was running, or a second signal
            came; otherwise whatever ``action`` raises.
    """
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["value"] = action()
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error

    worker = threading.Thread(target=work, name="svcplan-run", daemon=True)
    signals = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.getsignal(number) for number in signals}
    received: list[int] = []

    def on_signal(number: int, _frame: object) -> None:
        received.append(number)
        _request(number)
        if len(received) == 1:
            _interrupt_unless_solving(worker)

    _reset()
    for number in signals:
        signal.signal(number, on_signal)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            if len(received) > 1:
                raise Interrupted
        error = outcome.get("error")
        if isinstance(error, BaseException):
            if requested() and not isinstance(error, SvcplanError):
                # an interruption inside an import or a native call surfaces as another error
                raise Interrupted from error
            raise error
        return outcome["value"]  # type: ignore[return-value]
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _finish()


def _request(number: int) -> None:
    global _signal_number
    _signal_number = number
    _requested.set()


def _reset() -> None:
    global _signal_number, _stopped_by
    _signal_number = _stopped_by = None
    _requested.clear()


def _finish() -> None:
    """Remember which signal stopped the run (``stopped_by``) and clear the request, so that
    later work in the same process runs normally."""
    global _signal_number, _stopped_by
    _stopped_by = signal_name()
    _signal_number = None
    _requested.clear()


def _interrupt_unless_solving(worker: threading.Thread) -> None:
    """Raise ``Interrupted`` in ``worker`` at its next Python instruction, unless a solver is
    running there (that one is asked to stop instead, see ``solving``)."""
    with _state:
        if _solving or worker.ident is None:
            return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(worker.ident), ctypes.py_object(Interrupted)
    )


def run_highs(highs: object) -> None:
    """``highs.run()`` (a ``highspy.Highs``) that a stop request interrupts: HiGHS then ends
    with ``kInterrupt`` and keeps its best solution, like a time limit."""
    highs.HandleUserInterrupt = True  # type: ignore[attr-defined]
    with solving(highs.cancelSolve):  # type: ignore[attr-defined]
        highs.run()  # type: ignore[attr-defined]


def run_cp_sat(solver: object, model: object, callback: object = None) -> int:
    """``solver.solve(model, callback)`` (OR-Tools CP-SAT) that a stop request ends with its best
    solution. CP-SAT's own Ctrl-C handling is switched off, so signals reach ``run_stoppable``.

    Returns:
        CP-SAT's status code.
    """
    solver.parameters.catch_sigint_signal = False  # type: ignore[attr-defined]
    with solving(solver.stop_search):  # type: ignore[attr-defined]
        return solver.solve(model, callback)  # type: ignore[attr-defined]
