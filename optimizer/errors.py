"""The errors svcplan raises on purpose; the CLI maps each to an exit code.

User errors (``ScenarioError``, ``DataError``) carry a one-line message that names the file,
the line when known, and the field. ``InfeasibleError`` carries the list of clashing rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class SvcplanError(Exception):
    """Base class of every error svcplan raises deliberately."""

    exit_code = 1


class ScenarioError(SvcplanError):
    """A scenario file is unreadable or invalid.

    ``problems`` holds one message per defect, each already prefixed with ``file:line:``.
    """

    exit_code = 2

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class DataError(SvcplanError):
    """A data file named by a scenario (or given on the command line) is unusable."""

    exit_code = 2

    def __init__(self, path: str | Path, message: str, *, field: str | None = None) -> None:
        self.path = str(path)
        self.field = field
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {message}")


class InfeasibleError(SvcplanError):
    """The hard rules of a plan cannot all hold; ``clashes`` says which ones and why."""

    exit_code = 3

    def __init__(self, summary: str, clashes: Sequence[str] = ()) -> None:
        self.summary = summary
        self.clashes = list(clashes)
        lines = [summary, *(f"  - {clash}" for clash in self.clashes)]
        super().__init__("\n".join(lines))


class NoSolutionError(SvcplanError):
    """The time limit ran out before any feasible solution was found."""

    exit_code = 4


class SolverError(SvcplanError):
    """A solver failed for a reason other than infeasibility or the time limit."""

    exit_code = 1


EX_TEMPFAIL = 75
"""sysexits.h's "temporary failure, retry later": what a scheduler should retry."""


class TemporaryFailure(SvcplanError):
    """The run could not proceed now but may later: exit 75 (``EX_TEMPFAIL``), which a
    scheduler retries; nothing was published."""

    exit_code = EX_TEMPFAIL


class OutputBusyError(TemporaryFailure):
    """Another svcplan run is writing the same output folder (a periodic job overlapping the
    previous one); nothing was computed or written."""


class StoreUnavailableError(TemporaryFailure):
    """The publication store cannot be reached (refused connection, unknown host, a SQLite
    file locked by another writer beyond the wait); nothing was published."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: publication store unavailable: {message}")


class PublishConflictError(TemporaryFailure):
    """Another run published the same scenario while this one planned; nothing was published
    (a rerun plans against the new publication)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
