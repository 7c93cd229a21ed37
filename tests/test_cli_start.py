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


def test_the_api_and_the_siting_adapter_load_only_what_they_run() -> None:
    """``optimizer.api`` loads no engine until a function runs one, and the siting adapter loads
    no other engine and no drawing code until a map is written."""
    engines = ("numba", "ortools", "pyvrp", "scipy.stats", "geopandas")
    result = _run(
        "import sys, optimizer.api\n"
        f"print(','.join(name for name in {engines!r} if name in sys.modules))"
    )
    assert result.stdout.strip() == ""
    others = ("numba", "pyvrp", "scipy.stats", "matplotlib", "optimizer.dispatch")
    result = _run(
        "import sys, optimizer.pipeline.siting\n"
        f"print(','.join(name for name in {others!r} if name in sys.modules))"
    )
    assert result.stdout.strip() == ""


def test_the_forecast_pipeline_loads_no_statistics_or_drawing_library() -> None:
    """Every forecast and every nightly job run pays its imports: Erlang C needs no
    ``scipy.stats`` and the backtest chart loads matplotlib only when it is drawn."""
    heavy = ("scipy", "matplotlib", "geopandas", "ortools")
    result = _run(
        "import sys, optimizer.pipeline.forecast\n"
        f"print(','.join(name for name in {heavy!r} if name in sys.modules))"
    )
    assert result.stdout.strip() == ""


def test_every_map_kind_names_writers_that_exist() -> None:
    from optimizer.export.artifacts import MAP_KINDS, _writer

    for kind in MAP_KINDS:
        assert callable(_writer(kind.html_writer)) and callable(_writer(kind.png_writer))
