"""Writing a run's outputs: all files into a temporary folder, then renamed into place.

A crash or an interrupt while writing leaves the previous outputs intact; readers never see a
half-written folder. Every published folder holds ``manifest.json`` listing each file with its
size and SHA-256, the inputs it was made from, and the svcplan version.

Runs that write the same scenario's outputs take an exclusive lock first (``output_lock``): a
periodic job that starts while the previous run is still going stops at once with exit code 5
instead of computing a plan it could not publish safely.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from optimizer import __version__
from optimizer.errors import OutputBusyError

MANIFEST = "manifest.json"

ArtifactWriter = Callable[[Path], None]
"""Writes one output file at the path it is given."""


@contextmanager
def output_lock(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of output ``folder`` while the block runs.

    The lock is ``flock`` on a file named after the folder's absolute path in
    ``<temp dir>/svcplan-locks/`` (so a run that fails on bad input leaves nothing in the output
    tree); the file records the holder's pid and start time. The operating system releases the
    lock when the holder exits, even by a crash, so a stale file never blocks a later run.

    Raises:
        OutputBusyError: another process holds the lock (nothing is waited for).
    """
    locks = Path(tempfile.gettempdir()) / "svcplan-locks"
    locks.mkdir(exist_ok=True)
    key = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:32]
    with (locks / f"{key}.lock").open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise OutputBusyError(
                f"{folder}: another svcplan run is writing here ({holder}); try again when it ends"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            started = datetime.now(UTC).isoformat(timespec="seconds")
            handle.write(f"pid {os.getpid()}, started {started}")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    folder: Path,
    artifacts: Mapping[str, ArtifactWriter],
    *,
    inputs: Iterable[Path] = (),
    carry_over: Iterable[str] = (),
) -> list[Path]:
    """Write ``artifacts`` (file name → writer) and ``manifest.json`` into ``folder`` atomically.

    Args:
        folder: the output folder, e.g. ``out/porto-alegre``; created or replaced as a whole.
        artifacts: file names inside ``folder`` and the functions that write them.
        inputs: the input files the outputs were made from, recorded in the manifest.
        carry_over: subfolders of the previous ``folder`` that other commands own (e.g.
            ``forecast``); they are kept (hard-linked into the new folder) unless ``artifacts``
            writes them too.

    Returns:
        The paths of the published files, manifest last.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the outputs are for sharing
        for name, write in artifacts.items():
            write(staging / name)
        for name in carry_over:
            if (folder / name).is_dir() and not (staging / name).exists():
                shutil.copytree(folder / name, staging / name, copy_function=os.link)
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
