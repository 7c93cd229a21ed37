"""The run id: what a job run computes from, as one hash.

It covers the contents of every input (the scenario file and each data file it and the job
read, by role), the job file's content, ``--as-of`` and the svcplan version. A rerun whose id
equals the published roster's run id has nothing new to compute: it publishes nothing and
says "unchanged". Paths are not part of it (a moved file with the same content is the same
input); the database state is not either (a rerun is "unchanged" only while the roster with
its id is the one published).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from optimizer import __version__

RUN_ID_HEX = 20
"""Hex digits of a run id (80 bits)."""


@dataclass(frozen=True)
class InputFile:
    """One input: its role (``job``, ``scenario``, ``history``, ``employees``, ...), path,
    size and SHA-256."""

    role: str
    path: Path
    bytes: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        return {
            "role": self.role,
            "path": str(self.path),
            "bytes": self.bytes,
            "sha256": self.sha256,
        }


def hash_file(role: str, path: Path) -> InputFile:
    """``path``'s size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return InputFile(role, path, size, digest.hexdigest())


def hash_inputs(files: Mapping[str, Path]) -> list[InputFile]:
    """Each file of ``files`` (role → path) with its hash, in role order."""
    return [hash_file(role, Path(path)) for role, path in sorted(files.items())]


def run_id(inputs: list[InputFile], *, as_of: date, version: str = __version__) -> str:
    """The run id of a job run on ``inputs`` (the job file among them) as of ``as_of``."""
    digest = hashlib.sha256(b"svcplan job run\0")
    digest.update(f"version={version}\0as_of={as_of.isoformat()}\0".encode())
    for item in sorted(inputs, key=lambda item: item.role):
        digest.update(f"{item.role}={item.sha256}\0".encode())
    return digest.hexdigest()[:RUN_ID_HEX]
