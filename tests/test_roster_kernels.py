"""The roster engine's numba kernels are compiled when the engine is imported, not at their
first call inside a timed run (``optimizer.roster.kernels``): with an empty numba cache the
relays' kernel once compiled for 5 s near the end of a 20 s run, which then ended 4 s late."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from optimizer.roster import stretch_count
from tests.conftest import REPO_ROOT

CALLED_FROM_PYTHON = {
    "optimizer.roster.pricing": ["_best_path", "_most_shifts_from"],
    "optimizer.roster.stretch_count": ["_most_in_runs"],
    "optimizer.roster.swaps": ["_sweep"],
    "optimizer.roster.relays": ["_offers"],
}
"""The kernels the engine's Python code calls (the others are called from these)."""


def test_every_kernel_the_engine_calls_is_compiled_once_the_engine_is_imported() -> None:
    listed = json.dumps(CALLED_FROM_PYTHON)
    script = (
        "import importlib, json\n"
        "import optimizer.roster.engine\n"
        f"kernels = json.loads({listed!r})\n"
        "print(json.dumps([f'{module}.{name}' for module, names in kernels.items()"
        " for name in names if not getattr(importlib.import_module(module), name).signatures]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_a_kernel_called_with_other_types_fails_instead_of_compiling_in_the_run() -> None:
    """A caller passing an array of another type gets numba's error at once."""
    with pytest.raises(TypeError, match="No matching definition"):
        stretch_count._most_in_runs(np.ones(7, dtype=np.int64), 5, 2, 7)
