"""The job's log: one line per event on stderr, as text or (``--log-format json``) as one
JSON object per line, which log collectors (journald, Airflow, a SIEM) parse without rules.

A JSON line holds ``time`` (UTC, ISO 8601), ``level``, ``event`` (a short stable name such
as ``step``, ``published``, ``unchanged``, ``error``), ``message`` and the event's fields.
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

LOG_FORMATS = ("text", "json")


class JobLog:
    """Writes the job's log lines to ``stream`` (default stderr) in ``log_format``."""

    def __init__(
        self, log_format: str = "text", *, quiet: bool = False, stream: TextIO | None = None
    ) -> None:
        if log_format not in LOG_FORMATS:
            raise ValueError(f"unknown log format {log_format!r}")
        self.json = log_format == "json"
        self.quiet = quiet
        self.stream = stream

    def _write(self, line: str) -> None:
        stream = self.stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def event(self, event: str, message: str, *, level: str = "info", **fields: Any) -> None:
        """One log line (info lines are left out when quiet)."""
        if self.quiet and level == "info":
            return
        if self.json:
            record = {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "level": level,
                "event": event,
                "message": message,
                **fields,
            }
            self._write(json.dumps(record, ensure_ascii=False, default=str))
        else:
            prefix = "" if level == "info" else f"{level}: "
            for number, line in enumerate(message.splitlines() or [""]):
                self._write(line if number and line.startswith(" ") else f"{prefix}{line}")

    def step(self, message: str) -> None:
        """A progress line: the step that starts now."""
        self.event("step", message)

    @contextmanager
    def warnings_logged(self) -> Iterator[None]:
        """Python warnings raised in the block become log lines (level ``warning``)."""
        shown = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
            self.event("warning", f"{category.__name__}: {message}", level="warning")

        warnings.showwarning = show  # type: ignore[assignment]
        try:
            yield
        finally:
            warnings.showwarning = shown
