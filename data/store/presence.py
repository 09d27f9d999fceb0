"""Who else has the workspace open, and where they are looking.

Each running worktop keeps one small file in a folder beside the workspace,
``.NAME.presence/<user>@<host>.<pid>.json``, saying who it is, which pane has
its focus, which item it has selected and whom it follows. The workspace file
itself is never written for this: a cursor move must not take the workspace
lock, bump the revision or make every other terminal re-read 4 MB.

A file counts while it is fresh: rewritten every :data:`HEARTBEAT` seconds,
it is ignored (and removed) once it is older than :data:`STALE_AFTER`, or at
once when it names a process on this host that no longer exists. So a worktop
killed with SIGKILL vanishes from everyone's view within a few seconds even
though it never got to remove its file.

Files are replaced atomically (temp file + ``os.replace``), so a reader sees a
whole file or the previous one. They are not fsync'd: presence is worth nothing
after a crash.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from data.store.safe_open import open_folder, open_regular, read_fd, unlink_if_regular

HEARTBEAT = 2.0
"""Seconds between rewrites of a process's own file when nothing changes."""

STALE_AFTER = 6.0
"""A file not rewritten for this long belongs to a process that is gone or hung."""

PANES = ("inbox", "board", "matrix", "why")
"""Pane names a presence may report (anything else is dropped when read)."""

FUTURE_SLACK = 30.0
"""A presence stamped further ahead than this (seconds) is not believed: a clock can be a little off, not days."""

MAX_PID = 4_194_304
"""The largest process id Linux hands out (``PID_MAX_LIMIT``): a presence claiming more is not one."""

FILE_LIMIT = 4096
"""Bytes read of one presence file (a real one is a few hundred)."""

SCAN_LIMIT = 2048
"""Presence (and presence temp) names looked at per reading: a folder flooded with them costs a bounded amount;
names of any other shape are not looked at at all."""

READ_LIMIT = 64
"""Presence files read per reading, newest first."""

_NAME_LIMIT = 40
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_FILE_NAME = re.compile(r"[A-Za-z0-9._-]{1,40}@[A-Za-z0-9._-]{1,40}\.[0-9]{1,10}\.json")
"""What :attr:`Presence.file_name` gives; nothing else in the folder is read as a presence."""
_TEMP_NAME = re.compile(r"\.[A-Za-z0-9._-]{1,40}@[A-Za-z0-9._-]{1,40}\.[0-9]{1,10}\.json\.[0-9a-f]{8}\.tmp")
"""What :meth:`PresenceFolder.write` names its temp files."""


def presence_dir(workspace_path: Path) -> Path:
    """The folder of presence files for a workspace: ``.NAME.presence`` beside it."""
    return workspace_path.with_name(f".{workspace_path.name}.presence")


def this_host() -> str:
    return socket.gethostname() or "localhost"


@dataclass(frozen=True, slots=True)
class Presence:
    """One running worktop, as it announces itself.

    Equality ignores the time stamps, so a heartbeat that changes nothing
    compares equal to the previous reading.
    """

    user: str
    """Who it writes as (the workspace actor: ``WORKTOP_USER`` or the login name)."""
    host: str
    pid: int
    pane: str | None = None
    """The pane with the focus: inbox, board, matrix or why."""
    selected: int | None = None
    """The selected item's id."""
    following: str | None = None
    """The :attr:`key` of the worktop this one follows, if any."""
    started: float = field(default=0.0, compare=False)
    """When this worktop started (seconds since the epoch)."""
    at: float = field(default=0.0, compare=False)
    """When the file was last written (seconds since the epoch)."""
    owner: str | None = None
    """The login that owns the file, as the filesystem says (not as the file claims); None for our own."""

    @property
    def name(self) -> str:
        """Who to show: the claimed user, with the file's real owner beside it when they differ.

        Root's files are shown as they claim (root can write as anyone anyway);
        anyone else claiming another name is shown as ``claimed(owner)``, so a
        member cannot pass as a teammate.
        """
        if self.owner is None or self.owner in (self.user, "root"):
            return self.user
        return f"{self.user}({self.owner})"

    @property
    def key(self) -> str:
        """Unique per running worktop: ``user@host.pid``."""
        return f"{self.user}@{self.host}.{self.pid}"

    @property
    def file_name(self) -> str:
        return f"{_safe_name(self.user)}@{_safe_name(self.host)}.{self.pid}.json"

    def to_json(self) -> bytes:
        doc = asdict(self)
        doc.pop("owner")  # read from the filesystem, never from the file
        return orjson.dumps(doc)

    @classmethod
    def from_doc(cls, doc: Any) -> Presence | None:
        """A presence from parsed JSON, or None if it is not one (files are written by other users)."""
        if not isinstance(doc, dict):
            return None
        user, host, pid = doc.get("user"), doc.get("host"), doc.get("pid")
        if not (isinstance(user, str) and user and isinstance(host, str) and host):
            return None
        if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid <= MAX_PID:
            return None
        pane = doc.get("pane")
        selected = doc.get("selected")
        following = doc.get("following")
        started, at = doc.get("started"), doc.get("at")
        return cls(
            user=user[:_NAME_LIMIT],
            host=host[:255],
            pid=pid,
            pane=pane if pane in PANES else None,
            selected=selected if isinstance(selected, int) and not isinstance(selected, bool) else None,
            following=following if isinstance(following, str) and len(following) < 400 else None,
            started=float(started) if isinstance(started, int | float) else 0.0,
            at=float(at) if isinstance(at, int | float) else 0.0,
        )


def _safe_name(text: str) -> str:
    """``text`` usable in a file name: no slashes or spaces, and no leading dot (those are temp files)."""
    name = _UNSAFE.sub("_", text)[:_NAME_LIMIT] or "_"
    return "_" + name[1:] if name.startswith(".") else name


@lru_cache(maxsize=256)
def _login(uid: int) -> str:
    """The login name of a uid (the number when the host has no such user)."""
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except OSError:  # EPERM: it exists, and is someone else's
        return True
    return True


class PresenceFolder:
    """The presence files of one workspace: write your own, read everyone else's.

    The folder and every file in it are written by other members, so nothing
    here goes through a path that could be a link: the folder is opened (it
    must be a real folder, not a link to one) and each file is created, read,
    renamed and removed by name inside that descriptor, opened without
    following a link or blocking on a FIFO, and read only up to
    :data:`FILE_LIMIT` bytes. Cleaning removes only what is provably a presence
    file or a presence temp file.

    Args:
        workspace_path: the workspace file (the folder sits beside it).
        host: this machine's name (tests pin it).
        clock: seconds since the epoch (tests pin it).
        alive: whether a pid on this host is running (tests replace it).
    """

    def __init__(self, workspace_path: Path, *, host: str | None = None,
                 clock: Callable[[], float] = time.time, alive: Callable[[int], bool] = pid_alive) -> None:
        self.workspace_path = Path(workspace_path)
        self.path = presence_dir(self.workspace_path)
        self.host = host or this_host()
        self.clock = clock
        self.alive = alive

    def me(self, user: str, **fields: Any) -> Presence:
        """A presence for this process."""
        now = self.clock()
        return Presence(user=user, host=self.host, pid=os.getpid(), started=now, at=now, **fields)

    @contextlib.contextmanager
    def _opened(self) -> Iterator[int]:
        """The presence folder's descriptor (a real folder beside the workspace, never through a link).

        Raises:
            OSError: missing, not a folder, a link (:class:`~data.store.safe_open.Untrusted`).
        """
        parent = open_folder(self.path.parent)
        try:
            fd = open_folder(self.path.name, dir_fd=parent)
        finally:
            os.close(parent)
        try:
            yield fd
        finally:
            os.close(fd)

    # -- writing ------------------------------------------------------------
    def ensure(self) -> None:
        """Make the folder if it is missing, shared the way the workspace's folder is.

        It gets the workspace folder's permission bits (setgid and group write
        included; never others' write or the sticky bit) and the workspace
        file's group, whatever this process's umask, so every member of a
        shared workspace's group can add and clean files in it. Modes are set
        on the descriptor of the folder just made, never by path.

        Raises:
            OSError: the folder cannot be made (a read-only workspace folder).
        """
        parent = open_folder(self.path.parent)
        try:
            try:
                os.mkdir(self.path.name, 0o700, dir_fd=parent)
            except FileExistsError:
                return  # there already: whatever it is, reading and writing check it
            mode = (stat.S_IMODE(os.fstat(parent).st_mode) & 0o2775) | 0o700
            fd = open_folder(self.path.name, dir_fd=parent)
            try:
                with contextlib.suppress(OSError):
                    group = os.stat(self.workspace_path.name, dir_fd=parent, follow_symlinks=False).st_gid
                    if os.fstat(fd).st_gid != group:
                        os.fchown(fd, -1, group)
                with contextlib.suppress(OSError):
                    os.fchmod(fd, mode)
            finally:
                os.close(fd)
        finally:
            os.close(parent)

    def write(self, presence: Presence) -> Presence:
        """Replace this process's file with ``presence`` (stamped now); returns what was written.

        Raises:
            OSError: the folder is missing, not a real folder, or not writable for this user.
        """
        presence = replace(presence, at=self.clock())
        target = presence.file_name
        tmp = f".{target}.{os.urandom(4).hex()}.tmp"
        with self._opened() as folder:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=folder)
            try:
                os.fchmod(fd, 0o644)  # readable by the group whatever the umask; only the owner rewrites it
                os.write(fd, presence.to_json())
            finally:
                os.close(fd)
            try:
                os.replace(tmp, target, src_dir_fd=folder, dst_dir_fd=folder)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp, dir_fd=folder)
                raise
        return presence

    def remove(self, presence: Presence) -> None:
        """Delete this process's file (on a clean exit)."""
        with contextlib.suppress(OSError), self._opened() as folder:
            unlink_if_regular(presence.file_name, folder)

    # -- reading ------------------------------------------------------------
    def read(self, *, exclude: str | None = None, clean: bool = True) -> list[Presence]:
        """Every live presence but ``exclude`` (a key), oldest session first.

        Files that are stale, name a dead process on this host, or are not
        presence files are skipped; with ``clean`` stale presence files, and
        temp files a killed writer left, are also deleted (when the folder lets
        this user). At most :data:`READ_LIMIT` files are read, newest first, so
        a folder flooded with files costs a bounded amount.
        """
        now = self.clock()
        found: list[Presence] = []
        try:
            with self._opened() as folder:
                names = os.listdir(folder)  # one C-speed listing; only names worktop gives are looked at further
                if clean:
                    for name in list(filter(_TEMP_NAME.fullmatch, names))[:SCAN_LIMIT]:
                        self._remove_if_old(name, folder, now)
                candidates = []
                for name in list(filter(_FILE_NAME.fullmatch, names))[:SCAN_LIMIT]:
                    with contextlib.suppress(OSError):
                        candidates.append((os.lstat(name, dir_fd=folder).st_mtime, name))
                candidates.sort(reverse=True)
                for _mtime, name in candidates[:READ_LIMIT]:
                    presence = self._read_one(name, folder)
                    if presence is None:
                        continue
                    stale = not (now - STALE_AFTER <= presence.at <= now + FUTURE_SLACK)
                    if stale or (presence.host == self.host and not self.alive(presence.pid)):
                        if clean:
                            unlink_if_regular(name, folder)  # provably a presence file: its content said so
                        continue
                    if presence.key != exclude:
                        found.append(presence)
        except OSError:
            return found
        newest: dict[str, Presence] = {}
        for presence in found:  # two files may claim one worktop (anyone can write both): the newest counts
            if presence.key not in newest or presence.at > newest[presence.key].at:
                newest[presence.key] = presence
        return sorted(newest.values(), key=lambda p: (p.started, p.key))

    def watch(self, on_change: Callable[[], None], stop: threading.Event, *, me: Presence | None = None,
              check_every: float = 1.0) -> None:
        """Call ``on_change()`` when a presence file changes (not ``me``'s own), and every ``check_every`` s."""
        watch_presence(self, on_change, stop, ignore=me.file_name if me is not None else "", check_every=check_every)

    @staticmethod
    def _read_one(name: str, folder: int) -> Presence | None:
        """The presence in file ``name`` if it is a regular file holding one; else None."""
        try:
            fd = open_regular(name, dir_fd=folder)
            try:
                owner = os.fstat(fd).st_uid
                raw = read_fd(fd, FILE_LIMIT, name)
            finally:
                os.close(fd)
            presence = Presence.from_doc(orjson.loads(raw))
        except (OSError, orjson.JSONDecodeError):
            return None
        return None if presence is None else replace(presence, owner=_login(owner))

    @staticmethod
    def _remove_if_old(name: str, folder: int, now: float) -> None:
        with contextlib.suppress(OSError):
            if now - os.lstat(name, dir_fd=folder).st_mtime > STALE_AFTER:
                unlink_if_regular(name, folder)


def labels(peers: list[Presence]) -> dict[str, str]:
    """A short name per presence key: the user, numbered when one user has several sessions.

    ``ana``, ``ana·2``: the second worktop ana opened, whichever terminal it is in.
    """
    by_user: dict[str, int] = {}
    out: dict[str, str] = {}
    for peer in sorted(peers, key=lambda p: (p.started, p.key)):
        count = by_user[peer.name] = by_user.get(peer.name, 0) + 1
        out[peer.key] = peer.name if count == 1 else f"{peer.name}·{count}"
    return out


def watch_presence(folder: PresenceFolder, on_change: Callable[[], None], stop: threading.Event, *,
                   ignore: str = "", check_every: float = 1.0) -> None:
    """Call ``on_change()`` (in this thread) whenever a presence file changes, and every ``check_every`` s.

    The timed calls notice a worktop that died without a word (its file just
    goes stale). Blocks until ``stop`` is set. ``ignore`` is this process's
    own file name: its heartbeats wake nobody.
    """
    from data.store.watcher import watch_folder

    def keep(name: str) -> bool:
        return name.endswith(".json") and not name.startswith(".") and name != ignore

    watch_folder(folder.path, keep, on_change, stop, every=check_every)


__all__ = ["HEARTBEAT", "STALE_AFTER", "Presence", "PresenceFolder", "labels", "pid_alive", "presence_dir",
           "watch_presence"]
