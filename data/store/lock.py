"""The workspace's exclusive lock: every write takes it, for as long as one write takes.

The lock is an open-file-description write lock (``F_OFD_SETLK``, ``F_WRLCK``)
on the workspace file itself:

* it needs the file opened for writing, so someone who may only read the
  workspace (``init --shared --others-read``, a private workspace in a folder
  others can read) cannot take it and hold every writer up — an ``flock``, or
  a lock file others can open, would let them;
* there is no lock file to delete: a ``git clean`` or a cleanup job that
  removes ``.NAME.lock`` while writers run lets no second writer in;
* each write replaces the file (a new inode), so once locked the file is checked
  to still be the one at the path (else the next version is locked instead),
  and just before the replace it is checked again (:meth:`Lock.check`): a file
  replaced by hand meanwhile is never overwritten, the write is tried again on
  top of it.

Format-1 files are also locked through the sidecar ``.NAME.lock`` (an
``flock``), as the worktops that wrote them do; a format-2 file is refused by
those worktops, so they never write it.
"""

# Annotations are evaluated here, not postponed (no `from __future__ import annotations`): typing.NamedTuple
# compiles each one that is a string, and every write (worktop add's too) defines this module's NamedTuples.
import contextlib
import errno
import fcntl
import os
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from data.errors import LockHeld, ReadOnlyWorkspace, WorkspaceError, WorkspaceMissing, WorkspaceUnreadable
from data.store.safe_open import Untrusted, open_regular, read_fd

LOCK_WAIT = 10.0
"""Seconds a writer waits for the lock before giving up with a message (a member can hold it for good)."""

_WHOLE_FILE = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
"""``struct flock`` for a write lock on the whole file (``l_pid`` 0, as OFD locks require)."""


class LockLost(WorkspaceError):
    """The workspace file was replaced by someone else while this writer held the lock; the write is tried again."""


def lock_path(path: Path) -> Path:
    """The sidecar lock file of format-1 workspaces."""
    return path.with_name(f".{path.name}.lock")


class Lock(NamedTuple):
    """A held workspace lock, and what the person should hear about it."""

    path: Path
    fd: int
    warnings: list[str]

    def check(self) -> None:
        """Raise :class:`LockLost` unless the locked file is still the one at the path (call just before replacing it)."""
        try:
            same = os.path.samestat(os.fstat(self.fd), os.lstat(self.path))
        except FileNotFoundError:
            same = False
        if not same:
            raise LockLost(f"{self.path} was replaced by another program during this write; nothing was written")


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[Lock]:
    """Hold the lock on the workspace file at ``path`` (see the module docstring); waits up to ``wait`` seconds.

    Raises:
        WorkspaceMissing: no file at ``path``.
        ReadOnlyWorkspace: this user may not write it (and so may not lock it).
        LockHeld: someone held it for longer than ``wait``.
    """
    deadline = time.monotonic() + wait
    for _ in range(1000):
        fd = _open_for_lock(path)
        try:
            _ofd_lock(fd, deadline, path, wait)
            if os.path.samestat(os.fstat(fd), os.lstat(path)):
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # replaced while we waited (a write finished): lock the version that is there now
    else:
        raise WorkspaceError(f"{path} keeps being replaced; nothing was written")
    held = Lock(path, fd, [])
    legacy = None
    try:
        if _is_format_1(fd):
            legacy = legacy_lock_file(path, deadline, wait, held)
        yield held
    finally:
        if legacy is not None:
            os.close(legacy)
        os.close(fd)  # closing releases the lock


def _open_for_lock(path: Path) -> int:
    try:
        return open_regular(path, os.O_RDWR)
    except FileNotFoundError:
        raise WorkspaceMissing(f"no workspace at {path}") from None
    except Untrusted as error:
        raise WorkspaceUnreadable(f"{error}; nothing was written") from None
    except PermissionError:
        raise ReadOnlyWorkspace(f"{path} is read-only for you; nothing was changed") from None


def _ofd_lock(fd: int, deadline: float, path: Path, wait: float) -> None:
    """``F_OFD_SETLK`` a write lock, polling until ``deadline`` (a blocking lock cannot time out)."""
    pause = 0.0005
    while True:
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _WHOLE_FILE)
            return
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                if error.errno in (errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP):
                    fcntl.flock(fd, fcntl.LOCK_EX)  # no record locks here (some network filesystems)
                    return
                raise
        if time.monotonic() > deadline:
            raise LockHeld(f"{path} has been locked by {_lock_holder(fd)} for over {wait:.0f} s; "
                           "nothing was written (try again, or ask them to close it)")
        time.sleep(pause)
        pause = min(pause * 2, 0.005)


def _is_format_1(fd: int) -> bool:
    """Whether the locked file is in format 1 (one line: worktops before the line layout lock ``.NAME.lock``)."""
    head = os.pread(fd, 65536, 0)
    return bool(head) and b"\n" not in head


def legacy_lock_file(path: Path, deadline: float, wait: float, held: Lock | None = None) -> int | None:
    """``flock`` the sidecar ``.NAME.lock`` (as format-1 worktops do); None when it is not a regular file.

    A link, FIFO or folder there is not followed, opened or waited on: it is
    ignored, with a warning (the format-2 lock does not depend on it).
    """
    lock = lock_path(path)
    for _ in range(100):
        try:
            fd = open_regular(lock, os.O_RDWR | os.O_CREAT, 0o660)
        except Untrusted as error:
            if held is not None:
                held.warnings.append(f"{Untrusted(lock, error.found)}: ignored; remove it and worktop makes a new one")
            return None
        except PermissionError:
            try:
                fd = open_regular(lock, os.O_RDONLY)  # flock works on any descriptor
            except OSError:
                return None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise LockHeld(f"{lock} has been locked for over {wait:.0f} s; nothing was written") from None
                    time.sleep(0.002)
            try:
                same = os.path.samestat(os.fstat(fd), os.lstat(lock))
            except FileNotFoundError:
                same = False
            if same:
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    return None


@contextlib.contextmanager
def creating(path: Path, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Serialise processes making a new workspace at ``path`` (there is no file to lock yet)."""
    fd = legacy_lock_file(path, time.monotonic() + wait, wait)
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def _lock_holder(fd: int) -> str:
    """Who holds the lock on ``fd``'s file, from the lock lines in /proc/*/fdinfo: 'process 123 (ana)'."""
    st = os.fstat(fd)
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}".encode()
    me = os.getpid()
    with contextlib.suppress(OSError):
        for pid in filter(str.isdigit, os.listdir("/proc")):
            if int(pid) == me:
                continue
            with contextlib.suppress(OSError):
                for name in os.listdir(f"/proc/{pid}/fdinfo"):
                    info_fd = os.open(f"/proc/{pid}/fdinfo/{name}", os.O_RDONLY)
                    try:
                        info = read_fd(info_fd, 1 << 16, name, prefix=True)
                    finally:
                        os.close(info_fd)
                    if b"lock:" in info and wanted in info:
                        return f"process {pid}{_owner_of(int(pid))}"
    return "another process"


def _owner_of(pid: int) -> str:
    with contextlib.suppress(OSError, KeyError, ImportError):
        import pwd

        return f" ({pwd.getpwuid(os.stat(f'/proc/{pid}').st_uid).pw_name})"
    return ""


__all__ = ["LOCK_WAIT", "Lock", "LockLost", "creating", "exclusive_lock", "legacy_lock_file", "lock_path"]
