"""The ``dask`` executor: tasks on Dask distributed, a ``LocalCluster`` started for the run or
a running scheduler (``--address tcp://HOST:8786``). Dask is imported only here.

Dask re-runs the task of a worker that is lost (killed, out of memory, its machine gone) on
another worker; a task whose workers are lost ``distributed.scheduler.allowed-failures``
times (3 by default) is reported failed with ``KilledWorker``. Each task runs once to its end:
a re-run one starts over and publishes its output folder whole, as every run does.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from optimizer.errors import DataError
from optimizer.parallel.base import (
    TaskResult,
    attempt,
    describe_error,
    thread_environment,
    threads_per_task,
    usable_cores,
)

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")

CONNECT_SECONDS = 10.0
"""How long a scheduler address is tried before the run gives up."""


class DaskExecutor:
    """Runs the tasks on a Dask distributed cluster through one ``Client``."""

    name = "dask"

    def __init__(self, client: Client) -> None:
        self._client = client
        workers = client.scheduler_info(n_workers=-1)["workers"]
        if not workers:
            raise DataError("--address", "the Dask scheduler has no workers")
        self.slots = sum(int(info["nthreads"]) for info in workers.values())
        self.threads_per_task = _threads_per_task(client, workers)

    @classmethod
    @contextmanager
    def open(cls, *, workers: int | None = None, address: str | None = None) -> Iterator[Any]:
        """A client of the scheduler at ``address``, or of a ``LocalCluster`` of ``workers``
        single-threaded worker processes (default: one per usable core), for the block.

        Raises:
            DataError: Dask is not installed, or the scheduler cannot be reached.
        """
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise DataError(
                "--executor dask", "Dask is not installed: pip install 'svcplan[dask]'"
            ) from None
        with ExitStack() as stack:
            if address is None:
                slots = workers or usable_cores()
                threads = threads_per_task(usable_cores(), slots)
                cluster = stack.enter_context(
                    LocalCluster(
                        n_workers=slots,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=":0",  # any free port: a second cluster never clashes
                        silence_logs=logging.ERROR,
                        env=thread_environment(threads),
                    )
                )
                client = stack.enter_context(Client(cluster))
            else:
                try:
                    client = stack.enter_context(Client(address, timeout=CONNECT_SECONDS))
                except (OSError, TimeoutError, ValueError) as error:
                    reason = describe_error(error)
                    message = f"cannot reach the Dask scheduler at {address}: {reason}"
                    raise DataError("--address", message) from None
            yield cls(client)

    def run(self, function: Callable[[Any], T], items: Sequence[Any]) -> Iterator[TaskResult[T]]:
        """See ``Executor.run``. Every task is submitted at once (as not pure: Dask never merges
        two)."""
        run_id = uuid.uuid4().hex[:12]
        futures = [
            self._client.submit(
                attempt, function, item, pure=False, key=f"svcplan-{run_id}-{index}"
            )
            for index, item in enumerate(items)
        ]
        return self._results(futures)

    def _results(self, futures: list[Any]) -> Iterator[TaskResult[Any]]:
        """The futures' results as they finish; those unfinished are cancelled when the caller
        stops."""
        from distributed import as_completed

        index_of = {future.key: index for index, future in enumerate(futures)}
        unfinished = set(index_of)
        try:
            for future in as_completed(futures):
                unfinished.discard(future.key)
                try:
                    value, error, seconds = future.result()
                except Exception as lost:  # KilledWorker, CancelledError
                    value, error, seconds = None, describe_error(lost), 0.0
                yield TaskResult(index_of[future.key], value, error, seconds)
        finally:
            self._client.cancel([future for future in futures if future.key in unfinished])


def _threads_per_task(client: Client, workers: dict[str, dict[str, Any]]) -> int:
    """Solver threads per task on the cluster's most crowded machine: its cores (as its
    workers see them) over the task slots of the workers on it."""
    cores = client.run(usable_cores)
    slots_per_host: dict[str, int] = defaultdict(int)
    cores_per_host: dict[str, int] = {}
    for address, info in workers.items():
        host = str(info.get("host", address))
        slots_per_host[host] += int(info["nthreads"])
        cores_per_host[host] = int(cores.get(address, 1))
    return min(
        threads_per_task(cores_per_host[host], slots) for host, slots in slots_per_host.items()
    )
