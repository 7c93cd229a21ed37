"""Numba kernels of the roster engine, compiled when their module is imported.

A kernel numba compiles at its first call may compile seconds before a run's deadline: on a
fresh install or a clean checkout numba's on-disk cache is empty, and the relays' kernel is
first called only once best responses stop gaining. Curtois–Qu Instance17 at 20 s with an
empty cache: that first call came at 16.7 s, compiled for 5.1 s, and the run ended at 21.8 s.
A kernel whose argument types are declared (``kernel``) is compiled, or loaded from the cache,
at import instead, before any time limit starts.

The array types below are C-contiguous, as every caller passes them; a call with other types
fails at once with numba's ``TypeError`` (no matching definition) instead of compiling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
from numba import types

INT = types.int64
INTS = types.int64[::1]
INTS_2D = types.int64[:, ::1]
FLOATS = types.float64[::1]
FLOATS_2D = types.float64[:, ::1]
FLOATS_3D = types.float64[:, :, ::1]
BOOLS = types.boolean[::1]
BOOLS_2D = types.boolean[:, ::1]


def kernel(*argument_types: types.Type, nogil: bool = False) -> Callable[[Any], Any]:
    """``numba.njit`` with the kernel's ``argument_types`` declared (its return type
    inferred) and numba's on-disk cache: the decorated function compiles, or loads, as its
    module is imported. ``nogil``: it releases the GIL, for callers running it in threads."""
    return numba.njit(tuple(argument_types), cache=True, nogil=nogil)
