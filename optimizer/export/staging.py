"""Writing files under temporary names and renaming them into place only when all succeeded.

An export that fails or is interrupted half-way leaves the previous files untouched and no
temporary files behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path


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


def write_artifacts(folder: Path, artifacts: Mapping[str, Callable[[Path], None]]) -> list[Path]:
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
