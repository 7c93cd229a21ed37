"""Tasks for the executor tests, in a module that imports nothing heavy: a Dask worker that
unpickles one (a fresh worker after a kill, too) imports only this."""

from __future__ import annotations

import os
import time
from pathlib import Path


def sleepy_task(item: tuple[str, str]) -> str:
    """Record the attempt (an empty file ``<name>.<pid>`` in folder), then take a second.

    Args:
        item: ``(folder, name)``.

    Returns:
        ``name``.
    """
    folder, name = item
    (Path(folder) / f"{name}.{os.getpid()}").touch()
    time.sleep(1.0)
    return name
