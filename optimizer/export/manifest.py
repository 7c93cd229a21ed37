"""``manifest.json``: every published folder lists each file with its size and SHA-256, the
inputs it was made from, and the svcplan version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from optimizer import __version__
from optimizer.export.tables import json_writer

MANIFEST = "manifest.json"


def file_digest(path: Path) -> dict[str, object]:
    """``{"path", "bytes", "sha256"}`` of one file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def write_manifest(folder: Path, *, inputs: Iterable[Path]) -> None:
    """Write ``folder``'s manifest listing the files now in it and the ``inputs``."""
    manifest = {
        "svcplan_version": __version__,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [file_digest(Path(path)) for path in inputs],
        "outputs": _listing(folder),
    }
    json_writer(manifest)(folder / MANIFEST)


def is_svcplan_manifest(path: Path) -> bool:
    """Whether ``path`` is a manifest svcplan wrote: a JSON object with svcplan's keys
    (``svcplan_version`` text, ``inputs`` and ``outputs`` lists). Only a folder holding one is
    replaced by a later run."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return (
        isinstance(manifest, dict)
        and isinstance(manifest.get("svcplan_version"), str)
        and isinstance(manifest.get("inputs"), list)
        and isinstance(manifest.get("outputs"), list)
    )


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` holds a whole svcplan publication made from today's inputs: its
    manifest is svcplan's, every output it lists is there with the size and SHA-256 it records,
    and every input it records still has its recorded digest (``sweep --resume`` skips such a
    folder)."""
    path = folder / MANIFEST
    if not is_svcplan_manifest(path):
        return False
    manifest = json.loads(path.read_text(encoding="utf-8"))
    listed = [*manifest["outputs"], *manifest["inputs"]]
    if not all(isinstance(item, dict) and isinstance(item.get("path"), str) for item in listed):
        return False
    recorded = [(folder / item["path"], item) for item in manifest["outputs"]]
    recorded += [(Path(item["path"]), item) for item in manifest["inputs"]]
    for file, item in recorded:
        if not file.is_file() or file.stat().st_size != item.get("bytes"):
            return False
        if file_digest(file)["sha256"] != item.get("sha256"):
            return False
    return True


def refreshed_manifest(folder: Path, *, recorded: Path | None = None) -> dict[str, object]:
    """A manifest listing the files now in ``folder``: the inputs and version recorded in the
    manifest at ``recorded`` (default: ``folder``'s own) are kept, the outputs re-hashed
    (``export.staging`` writes it into the folder it is about to swap in)."""
    path = folder / MANIFEST if recorded is None else recorded
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    manifest["outputs"] = _listing(folder)
    manifest["updated_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    return manifest


def _listing(folder: Path) -> list[dict[str, object]]:
    """Every file below ``folder`` (hidden ones and the manifest aside), with size and digest;
    paths relative to ``folder``, sorted."""
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.name != MANIFEST
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )
    return [{**file_digest(path), "path": path.relative_to(folder).as_posix()} for path in files]
