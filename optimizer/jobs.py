"""Writing a run's outputs: all files into a temporary folder, then renamed into place.

A crash or an interrupt while writing leaves the previous outputs intact; readers never see a
half-written folder. Every published folder holds ``manifest.json`` listing each file with its
size and SHA-256, the inputs it was made from, and the svcplan version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from optimizer import __version__

MANIFEST = "manifest.json"

ArtifactWriter = Callable[[Path], None]
"""Writes one output file at the path it is given."""


def file_digest(path: Path) -> dict[str, object]:
    """``{"path", "bytes", "sha256"}`` of one file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"path": str(path), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def json_writer(document: object) -> ArtifactWriter:
    """An artifact writer that dumps ``document`` as indented UTF-8 JSON."""

    def write(path: Path) -> None:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    return write


def publish(
    folder: Path, artifacts: Mapping[str, ArtifactWriter], *, inputs: Iterable[Path] = ()
) -> list[Path]:
    """Write ``artifacts`` (file name → writer) and ``manifest.json`` into ``folder`` atomically.

    Args:
        folder: the output folder, e.g. ``out/porto-alegre``; created or replaced as a whole.
        artifacts: file names inside ``folder`` and the functions that write them.
        inputs: the input files the outputs were made from, recorded in the manifest.

    Returns:
        The paths of the published files, manifest last.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the outputs are for sharing
        for name, write in artifacts.items():
            write(staging / name)
        manifest = {
            "svcplan_version": __version__,
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
            "inputs": [file_digest(Path(path)) for path in inputs],
            "outputs": _listing(staging),
        }
        json_writer(manifest)(staging / MANIFEST)
        _swap_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / name for name in [*artifacts, MANIFEST]]


def refresh_manifest(folder: Path) -> Path:
    """Rewrite ``folder``'s manifest so that it lists the files now in the folder.

    The inputs and version it recorded are kept; the outputs are re-hashed. The manifest is
    replaced atomically.
    """
    path = folder / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    manifest["outputs"] = _listing(folder)
    manifest["updated_utc"] = datetime.now(UTC).isoformat(timespec="seconds")
    staged_path = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    json_writer(manifest)(staged_path)
    os.replace(staged_path, path)
    return path


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


def _swap_into_place(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by ``staging`` with renames; the old folder survives until the end."""
    if not folder.exists():
        os.rename(staging, folder)
        return
    retired = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    os.rename(folder, retired)
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(retired, folder)
        raise
    shutil.rmtree(retired, ignore_errors=True)
