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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

HEARTBEAT = 2.0
"""Seconds between rewrites of a process's own file when nothing changes."""

STALE_AFTER = 6.0
"""A file not rewritten for this long belongs to a process that is gone or hung."""

PANES = ("inbox", "board", "matrix", "why")
"""Pane names a presence may report (anything else is dropped when read)."""

_NAME_LIMIT = 40
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


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

    @property
    def key(self) -> str:
        """Unique per running worktop: ``user@host.pid``."""
        return f"{self.user}@{self.host}.{self.pid}"

    @property
    def file_name(self) -> str:
        return f"{_safe_name(self.user)}@{_safe_name(self.host)}.{self.pid}.json"

    def to_json(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_doc(cls, doc: Any) -> Presence | None:
        """A presence from parsed JSON, or None if it is not one (files are written by other users)."""
        if not isinstance(doc, dict):
            return None
        user, host, pid = doc.get("user"), doc.get("host"), doc.get("pid")
        if not (isinstance(user, str) and user and isinstance(host, str) and host):
            return None
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
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


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host (it may belong to another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, and is someone else's
        return True
    return True


class PresenceFolder:
    """The presence files of one workspace: write your own, read everyone else's.

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

    # -- writing ------------------------------------------------------------
    def ensure(self) -> None:
        """Make the folder if it is missing, shared the way the workspace's folder is.

        It gets the workspace folder's permission bits (setgid and group write
        included; never others' write or the sticky bit) and the workspace
        file's group, whatever this process's umask, so every member of a
        shared workspace's group can add and clean files in it.

        Raises:
            OSError: the folder cannot be made (a read-only workspace folder).
        """
        if self.path.is_dir():
            return
        parent = os.stat(self.path.parent)
        mode = (stat.S_IMODE(parent.st_mode) & 0o2775) | 0o700
        try:
            os.mkdir(self.path, 0o700)
        except FileExistsError:
            return
        with contextlib.suppress(OSError):
            group = os.stat(self.workspace_path).st_gid
            if os.stat(self.path).st_gid != group:
                os.chown(self.path, -1, group)
        with contextlib.suppress(OSError):
            os.chmod(self.path, mode)

    def write(self, presence: Presence) -> Presence:
        """Replace this process's file with ``presence`` (stamped now); returns what was written.

        Raises:
            OSError: the folder is missing or not writable for this user.
        """
        presence = replace(presence, at=self.clock())
        target = self.path / presence.file_name
        tmp = self.path / f".{presence.file_name}.{os.urandom(4).hex()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            os.fchmod(fd, 0o644)  # readable by the group whatever the umask; only the owner rewrites it
            os.write(fd, presence.to_json())
        finally:
            os.close(fd)
        try:
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return presence

    def remove(self, presence: Presence) -> None:
        """Delete this process's file (on a clean exit)."""
        with contextlib.suppress(OSError):
            os.unlink(self.path / presence.file_name)

    # -- reading ------------------------------------------------------------
    def read(self, *, exclude: str | None = None, clean: bool = True) -> list[Presence]:
        """Every live presence but ``exclude`` (a key), oldest session first.

        Files that are stale, name a dead process on this host, or are not
        presence files are skipped; with ``clean`` they are also deleted (when
        the folder lets this user), along with temp files a killed writer left.
        """
        now = self.clock()
        found: list[Presence] = []
        try:
            entries = list(os.scandir(self.path))
        except OSError:
            return found
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                if clean and name.endswith(".tmp"):
                    self._remove_if_old(entry, now)
                continue
            if not name.endswith(".json"):
                continue
            presence = self._read_one(entry.path)
            if presence is None:
                if clean:
                    self._remove_if_old(entry, now)
                continue
            gone = now - presence.at > STALE_AFTER or (presence.host == self.host and not self.alive(presence.pid))
            if gone:
                if clean:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                continue
            if presence.key != exclude:
                found.append(presence)
        found.sort(key=lambda p: (p.started, p.key))
        return found

    @staticmethod
    def _read_one(path: str) -> Presence | None:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(4096)
            return Presence.from_doc(orjson.loads(raw))
        except (OSError, orjson.JSONDecodeError):
            return None

    @staticmethod
    def _remove_if_old(entry: os.DirEntry[str], now: float) -> None:
        with contextlib.suppress(OSError):
            if now - entry.stat().st_mtime > STALE_AFTER:
                os.unlink(entry.path)


def labels(peers: list[Presence]) -> dict[str, str]:
    """A short name per presence key: the user, numbered when one user has several sessions.

    ``ana``, ``ana·2``: the second worktop ana opened, whichever terminal it is in.
    """
    by_user: dict[str, int] = {}
    out: dict[str, str] = {}
    for peer in sorted(peers, key=lambda p: (p.started, p.key)):
        count = by_user[peer.user] = by_user.get(peer.user, 0) + 1
        out[peer.key] = peer.user if count == 1 else f"{peer.user}·{count}"
    return out


def watch_presence(folder: PresenceFolder, on_change: Callable[[], None], stop: threading.Event, *,
                   ignore: str = "", check_every: float = 1.0) -> None:
    """Call ``on_change()`` (in this thread) whenever a presence file changes, and every ``check_every`` s.

    The timed calls notice a worktop that died without a word (its file just
    goes stale). Blocks until ``stop`` is set. ``ignore`` is this process's
    own file name: its heartbeats wake nobody. Where the folder cannot be
    watched (missing, a network filesystem, ``WORKTOP_POLL=1``) it polls.
    """
    from watchfiles import watch  # imported here: the CLI never needs it

    from data.store.watcher import POLL_ENV

    def keep(_change: object, changed: str) -> bool:
        name = os.path.basename(changed)
        return name.endswith(".json") and not name.startswith(".") and name != ignore

    force_polling = os.environ.get(POLL_ENV, "") not in ("", "0")
    while not stop.is_set():
        if not folder.path.is_dir():
            on_change()
            stop.wait(check_every)
            continue
        try:
            for _changes in watch(folder.path, watch_filter=keep, stop_event=stop, debounce=40, step=5,
                                  rust_timeout=int(check_every * 1000), yield_on_timeout=True,
                                  force_polling=force_polling, poll_delay_ms=100, recursive=False,
                                  ignore_permission_denied=True):
                on_change()
        except (OSError, RuntimeError):
            on_change()
            if stop.wait(check_every):
                return
            force_polling = True


__all__ = ["HEARTBEAT", "STALE_AFTER", "Presence", "PresenceFolder", "labels", "pid_alive", "presence_dir",
           "watch_presence"]
