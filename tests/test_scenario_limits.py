"""Scenario files that would exhaust time or memory are refused at once (issue #15, defect 7):
a file larger than the size cap before it is parsed, a YAML document whose aliases expand
beyond the node cap (the "billion laughs" pattern) while it is composed. Each is a one-line
``ScenarioError`` naming the file (exit 2), in well under a second."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from optimizer.errors import ScenarioError
from optimizer.scenario import load_scenario
from optimizer.scenario_source import MAX_ALIASES, MAX_NODES, MAX_SCENARIO_BYTES

from .conftest import REPO_ROOT


def _laughs(levels: int = 9, width: int = 9) -> str:
    """A scenario of under 1 KB whose aliases expand to ``width ** levels`` strings."""
    lines = ["name: bomb", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _refused(path: Path) -> tuple[str, float]:
    """The one problem ``load_scenario`` reports for ``path``, and the seconds it took."""
    started = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    seconds = time.perf_counter() - started
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0], seconds


def test_a_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_laughs())
    assert path.stat().st_size < 1024
    problem, seconds = _refused(path)
    assert problem.startswith(f"{path}:")
    assert f"more than {MAX_NODES:,} nodes" in problem
    assert seconds < 2


def test_the_laughs_are_refused_through_the_command_line_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_laughs(levels=12, width=10))
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "cli", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert time.perf_counter() - started < 10  # process start included
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: {path}:"), result.stderr
    assert "Traceback" not in result.stderr


def test_a_document_of_many_real_nodes_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("name: long\nitems: [" + ",".join(["1"] * (MAX_NODES + 10)) + "]\n")
    assert path.stat().st_size < MAX_SCENARIO_BYTES
    problem, seconds = _refused(path)
    assert problem.startswith(f"{path}:2: ") and f"more than {MAX_NODES:,} nodes" in problem
    assert seconds < 2


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    items = "".join("  - *x\n" for _ in range(MAX_ALIASES + 1))
    path.write_text(f"name: many\nx: &x 1\nitems:\n{items}")
    problem, seconds = _refused(path)
    assert problem.startswith(f"{path}:{MAX_ALIASES + 4}: ")
    assert f"more than {MAX_ALIASES:,} aliases" in problem
    assert seconds < 2


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: loop\nx: &x\n  - 1\n  - *x\n")
    problem, _ = _refused(path)
    assert problem.startswith(f"{path}:4: ") and "contains itself" in problem


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\ndescription: &d shared\nsolver: {seed: 3}\nx-note: *d\n")
    with pytest.raises(ScenarioError) as caught:  # the unknown key, not the alias, is wrong
        load_scenario(path)
    assert "x-note" in caught.value.problems[0]
    path.write_text("name: ok\ndescription: &d shared\n")
    assert load_scenario(path).description == "shared"


@pytest.mark.parametrize("suffix", [".yaml", ".toml"])
def test_a_huge_scenario_file_is_refused_before_parsing(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"huge{suffix}"
    line = "# " + "x" * 1000 + "\n"
    path.write_text('name = "huge"\n' if suffix == ".toml" else "name: huge\n")
    with path.open("a") as handle:
        for _ in range(55 * 1024):  # 55 MB of comments, like the file
            handle.write(line)
    problem, seconds = _refused(path)
    assert problem.startswith(f"{path}: ") and "too large" in problem
    assert f"{MAX_SCENARIO_BYTES:,}" in problem
    assert seconds < 2


def test_a_scenario_that_never_ends_is_refused(tmp_path: Path) -> None:
    """A special file with no size (``/dev/zero``-like) is read only up to the cap."""
    path = tmp_path / "endless.yaml"
    path.symlink_to("/dev/zero")
    problem, seconds = _refused(path)
    assert problem.startswith(f"{path}: ") and "too large" in problem
    assert seconds < 2
