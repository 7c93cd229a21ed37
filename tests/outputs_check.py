"""Helpers of the output-safety tests: what an output tree holds, whether its manifests agree
with its files, and a command-line run in its own process with a test-side patch (e.g. one
that SIGKILLs the process at a chosen step)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .conftest import REPO_ROOT

KILL = "import os, signal\nkill = lambda: os.kill(os.getpid(), signal.SIGKILL)\n"
"""Prologue of a patch: ``kill()`` ends the process as ``kill -9`` would."""


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (hidden ones too), relative path → content."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def hidden(folder: Path) -> list[str]:
    """Hidden entries in ``folder`` and anywhere below it (relative paths)."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob(".*")
        if not path.name.startswith(".nfs")
    )


def assert_consistent(folder: Path) -> None:
    """Each manifest in ``folder``'s tree lists exactly the files below it (hidden ones and
    manifests aside), each with its SHA-256 and size."""
    for manifest_path in sorted(folder.rglob("manifest.json")):
        base = manifest_path.parent
        listed = {item["path"]: item for item in json.loads(manifest_path.read_text())["outputs"]}
        present = {
            path.relative_to(base).as_posix()
            for path in base.rglob("*")
            if path.is_file()
            and path.name != "manifest.json"
            and not any(part.startswith(".") for part in path.relative_to(base).parts)
        }
        assert set(listed) == present, (manifest_path, sorted(set(listed) ^ present))
        for name, item in listed.items():
            content = (base / name).read_bytes()
            assert hashlib.sha256(content).hexdigest() == item["sha256"], (manifest_path, name)
            assert len(content) == item["bytes"], (manifest_path, name)


def cli_command(arguments: Sequence[str], *, patch: str = "") -> list[str]:
    """The command line of ``svcplan ARGUMENTS`` in its own Python process, after running the
    Python code ``patch`` there (test-side only: the product has no test hooks). Run it from
    the repository root."""
    script = (
        f"import sys\nsys.path.insert(0, {str(REPO_ROOT)!r})\n{patch}\n"
        "import runpy\nsys.argv[0] = 'svcplan'\nrunpy.run_module('cli', run_name='__main__')\n"
    )
    return [sys.executable, "-c", script, *arguments]


def run_cli(
    arguments: Sequence[str], *, patch: str = "", timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``svcplan ARGUMENTS`` run to its end from the repository root (``cli_command``)."""
    return subprocess.run(
        cli_command(arguments, patch=patch),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
