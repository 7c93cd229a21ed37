"""The one way outputs reach disk: every output folder is built beside itself under a
temporary name and swapped into place in one step, so that a reader, a crash or a ``kill -9``
only ever sees the whole previous folder or the whole new one, each agreeing with its
``manifest.json``.

Entry points (``optimizer.api`` calls them while it holds the folder's ``output_lock``):

- ``publish``: a whole output folder (``out/<scenario>/``, written by ``plan``), built in a
  hidden sibling with its manifest; subfolders other commands own are hard-linked across.
- ``publish_into``: one command's subfolder of a scenario folder (``forecast/``,
  ``dispatch/``). When the scenario folder holds a plan's manifest, the *scenario folder* is
  rebuilt as a whole, so that the subfolder and the plan's manifest change in the same step
  (see "Order" below); otherwise the subfolder is published on its own.
- ``update``: new files in an existing plan folder (``svcplan export``): the folder is rebuilt
  in a sibling (the other files hard-linked, the new ones written fresh, the manifest
  re-listed) and swapped in.
- ``refresh_manifest``: ``update`` with no new files.
- ``check_output_folder``: the ownership check (and recovery) a command makes before any work.
- ``staged`` and ``write_artifacts``: files staged under temporary names and renamed into place
  together, for writers that write one file themselves (maps) and for ``write_layers``.

**The swap.** A folder that exists is exchanged with its staged sibling by Linux
``renameat2(RENAME_EXCHANGE)``, atomically: there is no moment without ``<name>``. The
previous folder, now under the staged name, is then removed. Where the call is unavailable
(``ENOSYS``, or ``EINVAL``/``EOPNOTSUPP`` from a filesystem without it), two renames are the
fallback: ``<name>`` → ``.<name>.<pid>.old``, staged → ``<name>``; a crash between them leaves
only the ``.old`` folder, which the next run restores. A folder that does not exist yet is
renamed into place (atomic). An output folder that is a link is followed: its target is staged
beside itself (on its own disk) and swapped, and the link stays.

**Order.** A file's contents and the manifest that lists it never change in separate steps:

1. every new file is written into the staged folder (never into a hard-linked one: the
   names being rewritten are not linked across, so writers always create fresh files);
2. the manifest is written last, into the staged folder, from the files there;
3. the staged folder is synced to disk and swapped in; the previous one is removed.

A kill before step 3 leaves the previous folder untouched (and a staged folder the next run
removes); a kill after it leaves the new one complete. ``forecast`` and ``dispatch`` runs that
rewrite a subfolder of a plan folder therefore rebuild the plan folder itself (step 1 writes
the subfolder and its manifest, step 2 re-lists the plan's manifest), instead of publishing
the subfolder first and refreshing the plan's manifest after: a kill between those two would
leave a plan manifest that disagrees with the subfolder.

**Ownership.** Only a folder svcplan published is replaced: one holding svcplan's
``manifest.json``, an empty one, or one holding nothing but svcplan-published subfolders that
the new folder carries over. Anything else is refused before any work (``DataError``, exit 2)
and left untouched.

**Recovery.** Every temporary name carries the pid of the run that made it:
``.<name>.<pid>.<random>.tmp`` (a staged folder, or after the exchange the previous one),
``.<name>.<pid>.old`` (the previous folder during the fallback swap) and
``.<stem>.partial-<pid><suffix>`` (a file of ``staged``; the stale manifest temporary files
of earlier versions are such files too). Before it writes, a run that holds the output lock
removes those of dead runs (``os.kill(pid, 0)`` raises ``ProcessLookupError``) beside the
scenario folder and inside it (inside only when svcplan published it), and restores a
``.<name>.<pid>.old`` when ``<name>`` is missing. The run's own pid counts as dead: it holds
the lock and none of its own temporaries is in flight while it recovers (a container that
starts every run as the same pid still gets cleaned). A temporary name without a pid (from a
version before these names) is left alone, as is everything when the lock is not held.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from optimizer.errors import DataError
from optimizer.export.lock import holds_output_lock
from optimizer.export.manifest import (
    MANIFEST,
    is_svcplan_manifest,
    refreshed_manifest,
    write_manifest,
)
from optimizer.export.tables import ArtifactWriter, json_writer

AT_FDCWD = -100
"""``renameat2``'s "relative to the current folder" descriptor."""
RENAME_EXCHANGE = 2
"""``renameat2`` flag: swap the two paths atomically."""
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}

_STAGED = re.compile(r"(?P<pid>\d+)\.[a-z0-9_]+\.tmp")
_RETIRED = re.compile(r"(?P<pid>\d+)\.old")
_STAGED_ANY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[a-z0-9_]+\.tmp")
_RETIRED_ANY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.old")
_PARTIAL = re.compile(r"\..*\.partial-(?P<pid>\d+)(\.[^.]*)?")


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

    The files are renamed into place one after the other: use ``update`` for a folder whose
    manifest must follow them.

    Returns:
        The written paths, in ``artifacts`` order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in artifacts]
    with staged(paths) as temporaries:
        for write, temporary in zip(artifacts.values(), temporaries, strict=True):
            write(temporary)
    return paths


def check_output_folder(folder: Path, *, carry_over: Iterable[str] = ()) -> None:
    """Recover what dead runs left beside and inside ``folder`` (when this process holds its
    output lock), then make sure svcplan may replace it.

    Args:
        folder: an output folder, e.g. ``out/porto-alegre``.
        carry_over: subfolders the new folder keeps (see ``publish``).

    Raises:
        DataError: ``folder`` exists and svcplan did not publish it (nothing was touched).
    """
    carry_over = tuple(carry_over)
    _recover(folder)
    for name in carry_over:
        _recover(folder / name)
    if not _replaceable(folder, carry_over):
        raise DataError(
            folder,
            "exists and was not written by svcplan; choose another outputs.directory or name",
        )


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

    Raises:
        DataError: ``folder`` exists and svcplan did not publish it (see
            ``check_output_folder``; nothing is written).
    """
    carry_over = tuple(carry_over)
    check_output_folder(folder, carry_over=carry_over)

    def build(staging: Path) -> None:
        for name, write in artifacts.items():
            write(staging / name)
        for name in carry_over:
            if (folder / name).is_dir() and not os.path.lexists(staging / name):
                _link_tree(folder / name, staging / name)
        write_manifest(staging, inputs=inputs)

    _replace(folder, build)
    return [folder / name for name in [*artifacts, MANIFEST]]


def publish_into(
    root: Path,
    name: str,
    artifacts: Mapping[str, ArtifactWriter],
    *,
    inputs: Iterable[Path] = (),
) -> list[Path]:
    """Publish ``artifacts`` and a manifest as ``root/name`` (e.g. ``out/surge/dispatch``).

    When ``root`` holds a plan's manifest, ``root`` is rebuilt and swapped as a whole: its other
    files hard-linked across, ``name`` written fresh, the plan's manifest re-listed, so the
    subfolder and the manifest that lists it change in one step. Otherwise ``root/name`` is
    published on its own (``root`` is created when missing, and nothing else in it is touched).

    Returns:
        The paths of the published files, the subfolder's manifest last.

    Raises:
        DataError: ``root/name`` exists and svcplan did not publish it (nothing is written).
    """
    folder = root / name
    _recover(root)
    check_output_folder(folder)
    if is_svcplan_manifest(root / MANIFEST):

        def build(staging: Path) -> None:
            _link_tree(root, staging, skip={name, MANIFEST})
            (staging / name).mkdir()
            for file_name, write in artifacts.items():
                write(staging / name / file_name)
            write_manifest(staging / name, inputs=inputs)
            json_writer(refreshed_manifest(staging, recorded=root / MANIFEST))(staging / MANIFEST)

        _replace(root, build)
    else:
        publish(folder, artifacts, inputs=inputs)
    return [folder / file_name for file_name in [*artifacts, MANIFEST]]


def update(folder: Path, artifacts: Mapping[str, ArtifactWriter]) -> list[Path]:
    """Add or rewrite ``artifacts`` in the published ``folder`` and re-list its manifest, all or
    nothing: the folder is rebuilt in a sibling (its other files hard-linked across, the
    artifacts written fresh, the manifest last) and swapped in.

    Returns:
        The written paths, in ``artifacts`` order.

    Raises:
        DataError: ``folder`` holds no svcplan manifest (nothing is written).
    """
    _recover(folder)
    if not folder.is_dir() or not is_svcplan_manifest(folder / MANIFEST):
        raise DataError(folder, f"no svcplan {MANIFEST} here: not a folder svcplan published")

    def build(staging: Path) -> None:
        _link_tree(folder, staging, skip={*artifacts, MANIFEST})
        for name, write in artifacts.items():
            write(staging / name)
        json_writer(refreshed_manifest(staging, recorded=folder / MANIFEST))(staging / MANIFEST)

    _replace(folder, build)
    return [folder / name for name in artifacts]


def refresh_manifest(folder: Path) -> Path:
    """Re-list ``folder``'s manifest (inputs and version kept, every file re-hashed), swapped
    in like every output.

    Returns:
        The manifest's path.

    Raises:
        DataError: ``folder`` holds no svcplan manifest.
    """
    update(folder, {})
    return folder / MANIFEST


def _replace(folder: Path, build: Callable[[Path], None]) -> None:
    """Build the new ``folder`` in a hidden sibling with ``build(staging)``, sync it and swap it
    into place; on any error the sibling is removed and ``folder`` stays as it was."""
    folder = _absolute(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{folder.name}.{os.getpid()}.", suffix=".tmp", dir=folder.parent)
    )
    try:
        mode = folder.stat().st_mode if folder.is_dir() else 0o755  # mkdtemp makes it private
        os.chmod(staging, stat.S_IMODE(mode))
        build(staging)
        _sync_tree(staging)
        _swap_into_place(staging, folder)
    except BaseException:
        _remove(staging)  # the new folder unfinished, or after the exchange the previous one
        raise


def _swap_into_place(staging: Path, folder: Path) -> None:
    """Put ``staging`` at ``folder`` atomically; the previous folder is removed afterwards."""
    if not os.path.lexists(folder):
        os.rename(staging, folder)
        _sync(folder.parent)
        return
    if _exchange(staging, folder):
        _sync(folder.parent)
        _remove(staging)
        return
    retired = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    os.rename(folder, retired)
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(retired, folder)
        raise
    _sync(folder.parent)
    _remove(retired)


@cache
def _renameat2() -> Callable[..., int] | None:
    """libc's ``renameat2`` (glibc 2.28+), or None where there is none."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    function.argtypes += [ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically with ``renameat2(RENAME_EXCHANGE)``.

    Returns:
        False where the system or the filesystem cannot (nothing was changed).

    Raises:
        OSError: any other failure.
    """
    function = _renameat2()
    if function is None:
        return False
    done = function(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE)
    if done == 0:
        return True
    number = ctypes.get_errno()
    if number in _UNSUPPORTED:
        return False
    raise OSError(number, os.strerror(number), str(first), None, str(second))


def _link_tree(source: Path, target: Path, *, skip: Iterable[str] = ()) -> None:
    """Recreate ``source``'s tree at ``target`` with its files hard-linked (copied where a link
    is impossible, e.g. across filesystems), leaving out the relative paths in ``skip``."""
    skipped = set(skip)

    def ignore(directory: str, names: list[str]) -> set[str]:
        relative = Path(directory).relative_to(source)
        return {name for name in names if (relative / name).as_posix() in skipped}

    shutil.copytree(
        source, target, symlinks=True, ignore=ignore, copy_function=_link, dirs_exist_ok=True
    )


def _link(source: str, target: str) -> None:
    """Hard-link ``source`` as ``target``, or copy it where linking is impossible."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _replaceable(folder: Path, carry_over: Sequence[str]) -> bool:
    """Whether svcplan may replace ``folder``: absent, empty, holding svcplan's manifest, or
    holding nothing but svcplan-published subfolders in ``carry_over`` (they are kept)."""
    folder = _absolute(folder)
    if not os.path.lexists(folder):
        return True
    if not folder.is_dir():
        return False
    if is_svcplan_manifest(folder / MANIFEST):
        return True
    return all(
        entry.name in carry_over
        and entry.is_dir()
        and not entry.is_symlink()
        and is_svcplan_manifest(entry / MANIFEST)
        for entry in folder.iterdir()
    )


def _recover(folder: Path) -> None:
    """Remove (or restore) what dead runs left beside and inside ``folder``; only while this
    process holds the output lock of ``folder`` or of a folder above it."""
    if not holds_output_lock(folder):
        return
    folder = _absolute(folder)
    retired: list[Path] = []
    for entry in _entries(folder.parent):
        rest = entry.name.removeprefix(f".{folder.name}.")
        if rest == entry.name:
            continue
        if _left_by_the_dead(_STAGED, rest):
            _remove(entry)
        elif _left_by_the_dead(_RETIRED, rest):
            retired.append(entry)
    _restore_newest(retired, folder)
    if folder.is_dir() and not folder.is_symlink() and is_svcplan_manifest(folder / MANIFEST):
        _recover_inside(folder)


def _recover_inside(folder: Path) -> None:
    """Remove dead runs' temporaries anywhere below ``folder`` (hidden folders aside), and
    restore their retired subfolders that are missing."""
    for directory, folders, files in os.walk(folder):
        here = Path(directory)
        retired: dict[str, list[Path]] = {}
        for name in files + folders:
            if _left_by_the_dead(_PARTIAL, name) or _left_by_the_dead(_STAGED_ANY, name):
                _remove(here / name)
            elif found := _left_by_the_dead(_RETIRED_ANY, name):
                retired.setdefault(found["name"], []).append(here / name)
        for name, entries in retired.items():
            _restore_newest(entries, here / name)
        folders[:] = [name for name in folders if not name.startswith(".")]


def _left_by_the_dead(pattern: re.Pattern[str], name: str) -> re.Match[str] | None:
    """``pattern``'s match of ``name`` when its ``pid`` group names a dead run."""
    found = pattern.fullmatch(name)
    return found if found and _abandoned(int(found["pid"])) else None


def _restore_newest(retired: list[Path], folder: Path) -> None:
    """Put the newest of a dead run's retired folders back at ``folder`` when it is missing
    (a crash between the fallback swap's two renames); remove the rest."""
    retired = sorted(retired, key=lambda path: path.lstat().st_mtime)
    if retired and not os.path.lexists(folder):
        os.rename(retired.pop(), folder)
    for entry in retired:
        _remove(entry)


def _abandoned(pid: int) -> bool:
    """Whether the run that named a temporary with ``pid`` is gone (this process counts: see
    the module docstring)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # alive under another user, or not a pid at all
    return False


def _absolute(folder: Path) -> Path:
    """``folder`` as an absolute path with links followed: ``export .`` names the folder by its
    own name, and an output folder that is a link to another disk is staged on that disk and
    stays a link (the output lock is taken on the same resolved path)."""
    return Path(os.path.realpath(folder))


def _entries(folder: Path) -> list[Path]:
    """The entries of ``folder``; none when it is missing."""
    try:
        return list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _remove(path: Path) -> None:
    """Remove a file, link or folder tree, whatever is there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _sync_tree(folder: Path) -> None:
    """Flush what was written under ``folder`` to disk: files with a single link (hard-linked
    ones are already on disk) and every folder."""
    for directory, _, files in os.walk(folder):
        for name in files:
            path = Path(directory, name)
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:
                _sync(path)
        _sync(Path(directory))


def _sync(path: Path) -> None:
    """Flush a file's or a folder's data to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
