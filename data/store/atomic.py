"""Replacing a file so that readers see the old or the new one, never a mix, and nothing is lost in a crash.

Every write goes to a temp file in the same folder, is fsync'd, takes the old
file's read/write bits and group, and replaces the old file atomically; the
version replaced is kept as ``NAME.bak`` (a hard link, so no copying).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from data.errors import WorkspaceUnreadable
from data.store.safe_open import describe, open_folder, unlink_if_regular

FILE_MODE_MASK = 0o664
"""Permission bits a data file may carry over from the file it replaces: read and write for its owner and group,
read for others at most — never others' write (a member's ``chmod 666`` would otherwise outlive every later save,
opening the workspace to everyone on the host), execute, setuid or sticky."""

SWEEP_LIMIT = 4096
"""Names of the folder a write looks through for temp files a killed writer left (a folder a member filled with
junk costs a bounded amount)."""

StatKey = tuple[int, int, int, int]


def key_of(st: os.stat_result) -> StatKey:
    """What changes whenever the file's content may have: inode, size, mtime, ctime."""
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def stat_key(path: Path) -> StatKey | None:
    try:
        return key_of(os.stat(path))
    except (FileNotFoundError, PermissionError):  # unknown; reading it says what is wrong
        return None


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.bak")


def write_atomic(path: Path, payload: bytes, *, keep_backup: bool = True, keep_as: Path | None = None,
                 before_replace: Callable[[], None] | None = None,
                 on_replaced: Callable[[], None] | None = None) -> list[str]:
    """Replace ``path`` with ``payload`` so readers see the old or new file, never a mix.

    The temp file gets the old file's read/write bits and group (so a group-shared
    workspace stays group-writable whoever writes last); the old version becomes
    ``NAME.bak``; the folder is fsync'd so the rename itself is durable.
    Call it with the workspace's lock held (:func:`exclusive_lock`): temp files
    of other writers are then leftovers of a killed one, and are removed.

    ``keep_as`` also keeps the version replaced under that name, unless a file
    has it already (the format-1 file an upgrade replaces). ``before_replace`` is
    called just before the replace (the lock's last check): if it raises, nothing
    is replaced.

    Returns:
        Warnings for the person (the backup could not be kept, and why); the
        write itself succeeded.
    """
    folder = path.parent
    warnings: list[str] = []
    _remove_stale_temps(path)
    try:
        old: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise WorkspaceUnreadable(f"{path} is {describe(old.st_mode)}, not a workspace file; nothing was written")
    fd, tmp_name = _make_temp(path)
    try:
        if old is not None:
            os.fchmod(fd, old.st_mode & FILE_MODE_MASK)
            if old.st_gid != os.getegid():
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, -1, old.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    os.close(fd)
    try:
        if old is not None and keep_as is not None and not os.path.lexists(keep_as):
            problem = _keep_backup(path, keep_as)
            if problem:
                warnings.append(problem)
        if old is not None and keep_backup:
            problem = _keep_backup(path, backup_path(path))
            if problem:
                warnings.append(problem)
        if before_replace is not None:
            before_replace()
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if on_replaced is not None:
        on_replaced()  # before the folder fsync: readers woken by the rename find what it leaves
    _fsync_folder(folder)
    return warnings


def _make_temp(path: Path) -> tuple[int, str]:
    """Create ``.NAME.<random>.tmp`` beside ``path``, private until written (as ``tempfile.mkstemp``).

    Not ``tempfile`` itself: importing it (with shutil, random, bz2, lzma) costs
    about 3 ms of every CLI command's 80 ms budget.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        name = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temp file name", str(path.parent))


def _temp_names(path: Path) -> re.Pattern[str]:
    """The names worktop's own writers give their temp files beside ``path`` (and nothing else)."""
    name = re.escape(path.name)
    return re.compile(rf"\.{name}\.(?:changes\.|bak\.|v1\.)?[0-9a-f]{{12}}\.tmp|\.{name}\.bak\.[0-9]+\.tmp")


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files a writer killed mid-write left (each a whole copy of the file).

    Only names worktop's writers make, only regular files or links (a link is
    removed, never what it points to), by name inside the folder's descriptor.
    """
    pattern = _temp_names(path)
    prefix = f".{path.name}."
    with contextlib.suppress(OSError):
        folder = open_folder(path.parent)
        try:
            with os.scandir(folder) as entries:
                for _count, entry in zip(range(SWEEP_LIMIT), entries, strict=False):
                    if entry.name.startswith(prefix) and pattern.fullmatch(entry.name):
                        unlink_if_regular(entry.name, folder)
        finally:
            os.close(folder)


def _keep_backup(path: Path, bak: Path) -> str | None:
    """Hard-link the current file as ``bak`` (``NAME.bak``; atomically replacing the old backup).

    Returns what went wrong, in words, when no backup could be kept: the write
    goes ahead (the atomic replace protects the file), but the person should
    know the backup now lags behind.
    """
    for _ in range(20):  # a random name: a member who knows a pid cannot block it by making that name a folder
        tmp = bak.with_name(f".{bak.name}.{os.urandom(6).hex()}.tmp")
        try:
            os.link(path, tmp, follow_symlinks=False)
            break
        except FileExistsError:
            continue
        except OSError as error:
            return f"the backup {bak} was not kept ({error.strerror or error}); it holds an older version"
    else:
        return f"the backup {bak} was not kept (no free temp name); it holds an older version"
    try:
        os.replace(tmp, bak)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        what = "a folder" if error.errno in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST) else error.strerror
        return f"the backup was not kept: {bak} is {what}; the workspace itself was saved"
    # rename() between two links of one file does nothing and leaves tmp: the case when a writer
    # was killed after linking the backup but before replacing the file.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    return None


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


__all__ = ["FILE_MODE_MASK", "StatKey", "backup_path", "key_of", "stat_key", "write_atomic"]
