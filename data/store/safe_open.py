"""Opening files that other people can replace: the one way worktop touches the shared folder.

Every member of a shared workspace's group can write its folder, so each file
in it — the workspace, its lock, change note, backup, presence files, temp
names — may be a symbolic link to someone's ``~/.bashrc``, a FIFO that blocks
whoever opens it, a folder, ``/dev/zero``, or a 2 GB sparse file. The rules:

* open with ``O_NOFOLLOW | O_NONBLOCK`` (never follow a link, never block on
  open), then ``fstat`` the descriptor and accept only what was expected (a
  regular file, or a directory);
* change modes and owners only through a descriptor opened that way
  (``fchmod``/``fchown``), never by path;
* read at most a stated number of bytes;
* delete or create only by name inside a folder descriptor (``dir_fd``), so a
  folder replaced by a link leads nowhere.

:class:`Untrusted` says, in words, what was found instead of what was expected.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import os
import stat
from collections.abc import Iterator
from pathlib import Path

OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Untrusted(OSError):
    """A file in the shared folder is not what worktop expects there; ``str()`` says what it is."""

    def __init__(self, path: str | os.PathLike[str], found: str, expected: str = "a regular file") -> None:
        super().__init__(errno.EINVAL, f"{path} is {found}, not {expected}")
        self.path = str(path)
        self.found = found
        self.expected = expected

    def __str__(self) -> str:
        return f"{self.path} is {self.found}, not {self.expected}"


class TooLarge(OSError):
    """A file is larger than worktop will read."""

    def __init__(self, path: str | os.PathLike[str], size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"{path} is {size:,} bytes, more than the {limit:,} worktop reads")
        self.path = str(path)

    def __str__(self) -> str:
        return self.strerror or ""


def describe(mode: int) -> str:
    """What kind of file a mode says, as a person would name it."""
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "not a regular file"


def _found(path: str | os.PathLike[str], dir_fd: int | None) -> str:
    try:
        return describe(os.lstat(path, dir_fd=dir_fd).st_mode)
    except OSError:
        return "not a regular file"


def open_regular(path: str | os.PathLike[str], flags: int = os.O_RDONLY, mode: int = 0o666, *,
                 dir_fd: int | None = None) -> int:
    """Open a regular file without following a link or blocking; returns a blocking descriptor.

    ``flags`` may add ``O_RDWR``/``O_WRONLY``/``O_CREAT``/``O_EXCL``. A link, FIFO,
    folder or device raises :class:`Untrusted` (a FIFO is opened non-blocking, so
    this never waits for a writer on the other end).

    Raises:
        Untrusted: not a regular file.
        OSError: as ``os.open`` (FileNotFoundError, PermissionError, …).
    """
    try:
        fd = os.open(path, flags | OPEN_FLAGS, mode, dir_fd=dir_fd)
    except OSError as error:
        # ELOOP: the last component is a link; EISDIR: a folder opened for writing;
        # ENXIO: a FIFO opened for writing with no reader.
        if error.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EMLINK):
            raise Untrusted(path, _found(path, dir_fd)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Untrusted(path, describe(st.st_mode))
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_folder(path: str | os.PathLike[str], *, dir_fd: int | None = None) -> int:
    """Open a real folder (not a link to one) for ``dir_fd`` use and ``fchmod``/``fchown``.

    Raises:
        Untrusted: a link, or not a folder.
        OSError: as ``os.open``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | OPEN_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR):
            raise Untrusted(path, _found(path, dir_fd), "a folder") from None
        raise
    return fd


def read_fd(fd: int, limit: int, path: str | os.PathLike[str], *, prefix: bool = False, at_start: bool = False) -> bytes:
    """Up to ``limit`` bytes of an open regular file; larger raises :class:`TooLarge` (unless ``prefix``).

    The size is checked before reading and the read itself stops one byte past
    the limit, so a file that grows (or lies about its size) costs no more.
    With ``prefix`` the first ``limit`` bytes are read, whatever follows them;
    ``at_start`` reads from the beginning whatever the descriptor's offset.
    """
    if at_start:
        os.lseek(fd, 0, os.SEEK_SET)
    size = os.fstat(fd).st_size
    if size > limit and not prefix:
        raise TooLarge(path, size, limit)
    chunks = []
    left = limit if prefix else limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, max(size, 1 << 16)))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise TooLarge(path, len(data), limit)
    return data


def read_regular(path: str | os.PathLike[str], limit: int, *, dir_fd: int | None = None) -> tuple[bytes, os.stat_result]:
    """The bytes (at most ``limit``) and stat of a regular file, opened as :func:`open_regular` does."""
    fd = open_regular(path, dir_fd=dir_fd)
    try:
        st = os.fstat(fd)
        return read_fd(fd, limit, path), st
    finally:
        os.close(fd)


@contextlib.contextmanager
def opened(fd: int) -> Iterator[int]:
    """Close ``fd`` on the way out."""
    try:
        yield fd
    finally:
        os.close(fd)


def unlink_if_regular(name: str, dir_fd: int) -> bool:
    """Remove ``name`` in the folder ``dir_fd`` if it is a regular file or a link (never what a link points to)."""
    try:
        st = os.lstat(name, dir_fd=dir_fd)
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            return False
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        return False
    return True


def same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)




@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Parsing a 50k-item file allocates millions of dicts and lists; each
    allocation burst triggers collections that rescan everything already parsed,
    which made a parse 3-5x slower. JSON data has no cycles, so nothing is lost.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def open_folder_path(path: str | os.PathLike[str]) -> int:
    """Open an absolute folder path one component at a time, following no link anywhere in it.

    For commands that change modes and owners (``init --shared``), often as
    root, on a path whose folders other people may own: a folder on the way
    that a member swapped for a link to ``/etc`` is refused, not followed.

    Raises:
        Untrusted: a component is a link or not a folder (names that component).
        OSError: as ``os.open``.
    """
    parts = Path(os.path.abspath(path)).parts
    fd = os.open("/", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    walked = Path("/")
    try:
        for part in parts[1:]:
            walked = walked / part
            try:
                next_fd = open_folder(part, dir_fd=fd)
            except Untrusted as error:
                raise Untrusted(walked, error.found, error.expected) from None
            os.close(fd)
            fd = next_fd
    except BaseException:
        os.close(fd)
        raise
    return fd


__all__ = ["TooLarge", "Untrusted", "describe", "gc_paused", "open_folder", "open_folder_path", "open_regular", "opened", "read_fd",
           "read_regular", "same_file", "unlink_if_regular"]
