"""One run at a time per output folder: ``output_lock``.

Runs that write the same scenario's outputs take an exclusive lock first: a periodic job that
starts while the previous run is still going stops at once with exit code 75 (``EX_TEMPFAIL``:
retry later) instead of computing a plan it could not publish safely.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from optimizer.errors import OutputBusyError

_held: set[Path] = set()
"""The output folders (resolved) whose lock this process holds now."""


def holds_output_lock(path: Path) -> bool:
    """Whether this process holds the output lock of ``path`` or of a folder above it (only then
    may ``export.staging`` clean up what dead runs left there)."""
    resolved = Path(path).resolve()
    return any(held == resolved or held in resolved.parents for held in _held)


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of output ``folder`` while the block runs.

    The lock is ``flock`` on a file named after the folder's absolute path in
    ``<temp dir>/svcplan-locks/`` (so a run that fails on bad input leaves nothing in the output
    tree); the file records the holder's pid and start time. The operating system releases the
    lock when the holder exits, even by a crash, so a stale file never blocks a later run.

    Raises:
        OutputBusyError: another process holds the lock (nothing is waited for).
    """
    locks = Path(tempfile.gettempdir()) / "svcplan-locks"
    locks.mkdir(exist_ok=True)
    resolved = folder.resolve()
    key = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:32]
    with (locks / f"{key}.lock").open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise OutputBusyError(
                f"{folder}: another svcplan run is writing here ({holder}); try again when it ends"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            started = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()}, started {started}")
            handle.flush()
            _held.add(resolved)
            yield
        finally:
            _held.discard(resolved)
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
