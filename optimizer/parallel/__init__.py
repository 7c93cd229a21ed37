"""Executors: one function over many independent tasks, on this machine or on a cluster.

Every executor has one interface (``Executor``): ``run(function, items)`` yields a
``TaskResult`` per item as tasks finish, a task's error (an exception, or a lost worker that
could not be replaced) reported with its item instead of stopping the rest. ``open_executor``
opens one by name (``optimizer.choices.EXECUTORS``):

- ``local`` (``local.ProcessPool``, the default): a pool of processes on this machine;
- ``dask`` (``dask_executor.DaskExecutor``): Dask distributed, a ``LocalCluster`` or the
  scheduler at an address; Dask is an optional extra and is imported only here;
- ``serial`` (``local.Serial``): one task after another in this process.

Each executor says how many solver threads a task may use (``threads_per_task``): the cores of
a machine shared among the tasks that run on it at once, so that workers do not oversubscribe
the cores. Callers pass it to the engines through ``SolverLimits.threads``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from optimizer.choices import EXECUTORS
from optimizer.errors import DataError
from optimizer.parallel.base import Executor, TaskResult, usable_cores

__all__ = [
    "DEFAULT_EXECUTOR",
    "IN_PROCESS",
    "Executor",
    "ExecutorChoice",
    "TaskResult",
    "open_executor",
    "usable_cores",
]


@dataclass(frozen=True)
class ExecutorChoice:
    """Where a run's tasks go, as the command line chose (see ``open_executor``).

    Attributes:
        name: ``local``, ``dask`` or ``serial``.
        workers: tasks at once (``None``: one per core).
        address: a running Dask scheduler.
        threads: solver threads per task (``None``: the executor's share of the cores).
    """

    name: str
    workers: int | None = None
    address: str | None = None
    threads: int | None = None


DEFAULT_EXECUTOR = ExecutorChoice(next(iter(EXECUTORS)))
"""The command line's default: ``local``."""
IN_PROCESS = ExecutorChoice("serial")
"""One task after another in this process (a sweep's variant, already on a worker)."""


@contextmanager
def open_executor(
    name: str, *, workers: int | None = None, address: str | None = None
) -> Iterator[Executor]:
    """Open the executor ``name`` for the block; its workers stop when the block ends.

    Args:
        name: ``local``, ``dask`` or ``serial``.
        workers: tasks at once (``local``: processes, default one per core; ``dask``
            LocalCluster: worker processes, default one per core); ignored by ``serial`` and
            by a running Dask scheduler, whose workers are already there.
        address: a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786`` (``dask`` only).

    Raises:
        DataError: an unknown executor, an address without ``dask``, Dask not installed, or a
            scheduler that cannot be reached (exit 2).
    """
    if name not in EXECUTORS:
        expected = ", ".join(EXECUTORS)
        raise DataError("--executor", f"unknown executor {name!r}; expected one of {expected}")
    if address is not None and name != "dask":
        raise DataError("--address", "a scheduler address needs --executor dask")
    if name == "dask":
        from optimizer.parallel.dask_executor import DaskExecutor

        with DaskExecutor.open(workers=workers, address=address) as executor:
            yield executor
    elif name == "local":
        from optimizer.parallel.local import ProcessPool

        with ProcessPool.open(workers=workers) as executor:
            yield executor
    else:
        from optimizer.parallel.local import Serial

        yield Serial()
