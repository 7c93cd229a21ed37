"""The command line starts at once: importing it loads no engine, and --version answers."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO_ROOT

HEAVY_MODULES = ("numpy", "scipy", "pandas", "highspy", "ortools", "numba", "geopandas")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    )


def test_importing_the_command_line_loads_no_engine() -> None:
    result = _run(
        "import sys, cli\n"
        f"print(','.join(name for name in {HEAVY_MODULES!r} if name in sys.modules))"
    )
    assert result.stdout.strip() == ""


def test_version_and_help_answer_without_a_command() -> None:
    from optimizer import __version__

    version = _run("import sys, cli; sys.argv = ['svcplan', '--version']; cli.app()")
    assert version.stdout.strip() == f"svcplan {__version__}"
    assert version.returncode == 0
    for command in ("plan", "validate", "dispatch", "export", "solve", "schema", "forecast"):
        assert (
            command in _run("import sys, cli; sys.argv = ['svcplan', '--help']; cli.app()").stdout
        )
