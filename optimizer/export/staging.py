"""The one way outputs reach disk: staged under temporary names, renamed into place at the end.

- ``publish``: a whole output folder (``out/<scenario>/``) is written into a hidden sibling
  folder with its manifest, then swapped into place.
- ``write_artifacts``: files added to an existing folder (``svcplan export``) are written
  under hidden names and renamed together.

A crash or an interrupt while writing leaves the previous outputs intact; readers never see a
half-written folder or file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from optimizer.export.manifest import MANIFEST, refreshed_manifest, write_manifest
from optimizer.export.tables import ArtifactWriter, json_writer


def temporary_path(path: Path) -> Path:
    """A hidden sibling of ``path`` with the same suffix (drivers such as FlatGeobuf need it)."""
    return path.with_name(f".{path.stem}.partial-{os.getpid()}{path.suffix}")


@contextmanager
def staged(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Yield one temporary path per path; rename them all into place when the block succeeds.

    Stale temporary files of an earlier crash are removed first, so writers that append to an
    existing file (GeoPackage) start from nothing. When the block raises, the temporary files
    are removed and the previous files at ``paths`` stay as they were. Files are synced to
    disk before their rename, so a power cut cannot leave a renamed but empty file.
    """
    temporaries = [temporary_path(path) for path in paths]
    for temporary in temporaries:
        temporary.unlink(missing_ok=True)
    try:
        yield temporaries
        for temporary in temporaries:
            _sync(temporary)
        for temporary, path in zip(temporaries, paths, strict=True):
            os.replace(temporary, path)
        for folder in dict.fromkeys(path.parent for path in paths):
            _sync(folder)
    except BaseException:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        raise


def write_artifacts(folder: Path, artifacts: Mapping[str, ArtifactWriter]) -> list[Path]:
    """Write each artifact (file name → writer) into ``folder``, all or nothing.

    Returns:
        The written paths, in ``artifacts`` order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in artifacts]
    with staged(paths) as temporaries:
        for write, temporary in zip(artifacts.values(), temporaries, strict=True):
            write(temporary)
    return paths


def _sync(path: Path) -> None:
    """Flush a file's or a folder's data to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def refresh_manifest(folder: Path) -> Path:
    """Rewrite ``folder``'s manifest, staged like every output, so that it lists the files now
    in the folder (after ``write_artifacts`` added some).

    Returns:
        The manifest's path.
    """
    (path,) = write_artifacts(folder, {MANIFEST: json_writer(refreshed_manifest(folder))})
    return path


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
        write_manifest(staging, inputs=inputs)
        _swap_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [folder / name for name in [*artifacts, MANIFEST]]


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
