"""Native libraries' prints kept off stdout, which is kept for results, tables and JSON."""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

_LIBC = ctypes.CDLL(None)


@contextmanager
def native_stdout_aside(quiet: bool = False) -> Iterator[None]:
    """Within the block, send what native libraries print on file descriptor 1 to stderr (or
    nowhere if ``quiet``). Solvers print banners straight to the C-level stdout (HiGHS: its
    version line, once per process)."""
    sys.stdout.flush()
    saved = os.dup(1)
    target = os.open(os.devnull, os.O_WRONLY) if quiet else os.dup(2)
    try:
        os.dup2(target, 1)
        yield
    finally:
        sys.stdout.flush()
        _LIBC.fflush(None)  # C stdio buffers what native code printed; empty it here
        os.dup2(saved, 1)
        os.close(saved)
        os.close(target)
