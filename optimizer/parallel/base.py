"""What every executor shares: the ``Executor`` interface, ``TaskResult``, and how a task is
attempted and how many solver threads it may use."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class TaskResult(Generic[T]):
    """One task's outcome.

    Attributes:
        index: the task's position in the items given to ``Executor.run``.
        value: what the function returned (``None`` when it failed).
        error: ``"ExceptionName: message"`` when it failed, else ``None``.
        seconds: wall-clock seconds the function ran on its worker (0 when it never
            returned, e.g. its worker was lost for good).
    """

    index: int
    value: T | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether the function returned."""
        return self.error is None


class Executor(Protocol):
    """Runs a function over items, each item one task.

    Attributes:
        name: ``local``, ``dask`` or ``serial``.
        slots: tasks that run at the same time.
        threads_per_task: solver threads each task may use without oversubscribing its
            machine's cores.
    """

    name: str
    slots: int
    threads_per_task: int

    def run(self, function: Callable[[Any], T], items: Sequence[Any]) -> Iterator[TaskResult[T]]:
        """Run ``function(item)`` for every item; yield each result as its task finishes.

        ``function`` and the items must pickle (by reference: a module-level function). A
        failed task is a result with its ``error``; the others go on. When the caller stops
        iterating (or raises), tasks not yet started are cancelled.
        """
        ...


def attempt(function: Callable[[Any], T], item: Any) -> tuple[T | None, str | None, float]:
    """Call ``function(item)`` on a worker.

    Returns:
        ``(value, None, seconds)``, or ``(None, "ExceptionName: message", seconds)`` when it
        raised: the error travels back as text, so an exception that does not pickle (or whose
        class the caller lacks) cannot break the executor.
    """
    started = time.perf_counter()
    try:
        value = function(item)
    except Exception as error:  # reported with its task; the other tasks go on
        return None, describe_error(error), time.perf_counter() - started
    return value, None, time.perf_counter() - started


def describe_error(error: BaseException) -> str:
    """``"ExceptionName: message"`` (the name alone when the message is empty)."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def threads_per_task(cores: int, slots: int) -> int:
    """Solver threads per task when ``slots`` tasks share ``cores`` cores: at least 1."""
    return max(1, cores // max(1, slots))


THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)
"""Environment variables that cap the thread pools of numeric libraries in a worker process
(read when those libraries load, so they are set before a task imports them)."""


def thread_environment(threads: int) -> dict[str, str]:
    """``THREAD_VARIABLES``, each set to ``threads``."""
    return {variable: str(threads) for variable in THREAD_VARIABLES}
