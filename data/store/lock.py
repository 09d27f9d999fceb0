"""The workspace's exclusive lock: every write takes it, for as long as one write takes.

An ``flock`` on the workspace's folder is the lock that counts: nobody in the
group can delete or replace the folder the way they can any file in it (a ``git
clean`` or a cleanup job that removes ``.NAME.lock`` while writers run would
otherwise let two of them in at once). The sidecar lock file is kept for
worktops before this one, which lock only it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from data.errors import LockHeld, ReadOnlyWorkspace, WorkspaceError, WorkspaceMissing
from data.store.safe_open import Untrusted, open_folder, open_regular, read_regular

LOCK_WAIT = 10.0
"""Seconds a writer waits for the lock before giving up with a message naming who holds it."""


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@dataclass
class Lock:
    """A held workspace lock, and what the person should hear about it."""

    warnings: list[str] = field(default_factory=list)


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[Lock]:
    """Hold the workspace's exclusive lock: an ``flock`` on its folder, and on the sidecar lock file.

    The folder's lock is the one that counts: nobody in the group can delete or
    replace the folder the way they can any file in it (a ``git clean`` or a
    cleanup job that removes ``.NAME.lock`` while writers run would otherwise
    let two of them in at once). The lock file is kept for worktops before this
    one, which lock only it; it must be a regular file (a link, FIFO or folder
    there is ignored, with a warning) and is checked, once locked, to still be
    the file at its path.

    Waits up to ``wait`` seconds, then raises :class:`LockHeld` naming the
    process that holds it (a member can hold a lock forever; nobody's save may
    freeze for good).
    """
    held = Lock()
    deadline = time.monotonic() + wait
    folder = _open_lock_folder(path)
    try:
        if folder is not None:
            _flock(folder, deadline, path, wait)
        lock_fd = _lock_file(path, deadline, wait, held, folder)
        try:
            yield held
        finally:
            if lock_fd is not None:
                os.close(lock_fd)  # closing releases the flock
    finally:
        if folder is not None:
            os.close(folder)


def _open_lock_folder(path: Path) -> int | None:
    """The workspace folder's descriptor to ``flock``, or None where folders cannot be locked (then the file alone)."""
    try:
        return open_folder(path.parent)
    except Untrusted as error:
        raise WorkspaceError(f"{error}; nothing was written") from None
    except FileNotFoundError:
        raise WorkspaceMissing(f"folder {path.parent} does not exist") from None
    except PermissionError:
        return None  # a folder one may enter but not list: the lock file still works


def _flock(fd: int, deadline: float, path: Path, wait: float) -> None:
    """``flock(LOCK_EX)`` on ``fd``, waiting until ``deadline`` (polling: a blocking flock cannot time out)."""
    pause = 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as error:
            if error.errno in (errno.ENOLCK, errno.EBADF, errno.EINVAL, errno.EOPNOTSUPP):
                return  # no locks on this filesystem (some network ones): nothing better to do
            raise
        if time.monotonic() > deadline:
            raise LockHeld(f"{path} has been locked by {_lock_holder(fd)} for over {wait:.0f} s; "
                           "nothing was written (try again, or ask them to close it)")
        time.sleep(pause)
        pause = min(pause * 2, 0.005)


def _lock_file(path: Path, deadline: float, wait: float, held: Lock, folder: int | None) -> int | None:
    """Open and lock the sidecar lock file; None when it is not a regular file (ignored, with a warning)."""
    lock = lock_path(path)
    for _ in range(100):
        try:
            fd = open_regular(lock.name if folder is not None else lock, os.O_RDWR | os.O_CREAT, 0o666, dir_fd=folder)
        except Untrusted as error:
            error = Untrusted(lock, error.found)
            if folder is None:
                raise WorkspaceError(f"{error}; nothing was written (remove it: worktop makes a new one)") from None
            held.warnings.append(f"{error}: ignored (the workspace is locked through its folder); "
                                 "remove it and worktop makes a new one")
            return None
        except PermissionError:
            try:
                fd = open_regular(lock, os.O_RDONLY)  # flock works on any descriptor
            except OSError:
                if folder is not None:
                    return None  # the folder's lock holds; this user cannot make the file
                raise ReadOnlyWorkspace(f"cannot take the lock {lock}; the workspace is read-only for you") from None
        try:
            _flock(fd, deadline, path, wait)
            try:
                same = os.path.samestat(os.fstat(fd), os.lstat(lock))
            except FileNotFoundError:
                same = False
            if same:
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # removed or replaced while we waited: lock the file that is there now
    raise WorkspaceError(f"{lock} keeps being replaced; nothing was written")


def _lock_holder(fd: int) -> str:
    """Who holds the flock on ``fd``, from /proc/locks: 'process 123 (ana)', or 'another process'."""
    st = os.fstat(fd)
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with contextlib.suppress(OSError, ValueError):
        raw, _ = read_regular("/proc/locks", 1 << 20)
        for line in raw.decode("ascii", "replace").splitlines():
            fields = line.split()
            if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == wanted and fields[4].isdigit():
                pid = int(fields[4])
                return f"process {pid}{_owner_of(pid)}"
    return "another process"


def _owner_of(pid: int) -> str:
    with contextlib.suppress(OSError, KeyError, ImportError):
        import pwd

        return f" ({pwd.getpwuid(os.stat(f'/proc/{pid}').st_uid).pw_name})"
    return ""


__all__ = ["LOCK_WAIT", "Lock", "exclusive_lock", "lock_path"]
