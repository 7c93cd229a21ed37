"""Native libraries' prints kept off stdout (``optimizer.native_output``), checked in a
process of its own: HiGHS prints its banner on file descriptor 1 once per process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import highspy
from optimizer.native_output import native_stdout_aside
with native_stdout_aside(quiet={quiet}):
    print("inside", flush=True)
    highspy.Highs()
print("after")
"""


@pytest.mark.parametrize("quiet", [False, True])
def test_a_native_banner_goes_to_stderr_or_nowhere_and_stdout_comes_back(quiet: bool) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(quiet=quiet)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    )
    assert result.stdout.split() == ["after"]
    assert ("Running HiGHS" in result.stderr) is not quiet
    assert ("inside" in result.stderr) is not quiet
