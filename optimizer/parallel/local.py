"""Executors on this machine: ``ProcessPool`` (the ``local`` executor) and ``Serial``."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, TypeVar

from optimizer.parallel.base import (
    TaskResult,
    attempt,
    describe_error,
    thread_environment,
    threads_per_task,
    usable_cores,
)

T = TypeVar("T")


class Serial:
    """Runs the tasks one after another in this process, with every core for each."""

    name = "serial"
    slots = 1

    def __init__(self) -> None:
        self.threads_per_task = usable_cores()

    def run(self, function: Callable[[Any], T], items: Sequence[Any]) -> Iterator[TaskResult[T]]:
        """See ``Executor.run``."""
        for index, item in enumerate(items):
            value, error, seconds = attempt(function, item)
            yield TaskResult(index, value, error, seconds)


class ProcessPool:
    """A pool of worker processes on this machine (``spawn``: no state of this process, e.g.
    its threads, is copied into them). Each worker caps numeric libraries' thread pools at
    ``threads_per_task`` before any task runs.

    A worker that dies (killed, out of memory) breaks the pool: its task and those not yet
    finished are reported failed, and ``--resume`` runs them again. (Dask re-runs them.)
    """

    name = "local"

    def __init__(self, pool: ProcessPoolExecutor, slots: int, threads: int) -> None:
        self._pool = pool
        self.slots = slots
        self.threads_per_task = threads

    @classmethod
    @contextmanager
    def open(cls, *, workers: int | None = None) -> Iterator[ProcessPool]:
        """A pool of ``workers`` processes (default: one per usable core) for the block.

        When the block raises (e.g. an interrupt), tasks not yet started are cancelled and the
        block ends without waiting; a task already running finishes and publishes on its own.
        """
        cores = usable_cores()
        slots = workers or cores
        threads = threads_per_task(cores, slots)
        pool = ProcessPoolExecutor(
            max_workers=slots,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_cap_threads,
            initargs=(threads,),
        )
        try:
            yield cls(pool, slots, threads)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)

    def run(self, function: Callable[[Any], T], items: Sequence[Any]) -> Iterator[TaskResult[T]]:
        """See ``Executor.run``. Every task is submitted at once."""
        pending: dict[Future, int] = {
            self._pool.submit(attempt, function, item): index for index, item in enumerate(items)
        }
        return self._results(pending)

    @staticmethod
    def _results(pending: dict[Future, int]) -> Iterator[TaskResult[Any]]:
        """The pending futures' results as they finish; those not started are cancelled when
        the caller stops."""
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    try:
                        value, error, seconds = future.result()
                    except Exception as lost:  # the worker died: BrokenProcessPool
                        value, error, seconds = None, describe_error(lost), 0.0
                    yield TaskResult(index, value, error, seconds)
        finally:
            for future in pending:
                future.cancel()


def _cap_threads(threads: int) -> None:
    """Pool initializer: cap numeric libraries' thread pools in this worker process."""
    os.environ.update(thread_environment(threads))
