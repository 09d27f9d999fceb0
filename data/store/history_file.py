"""The history of a file workspace: ``NAME.history`` beside it, one change per line, only ever appended.

Each line is one entry, ``{"rev", "at", "by", "op", "item", "changes", "summary"}``.
A write appends its entries under the workspace lock *before* it replaces the
workspace file, and the new workspace file records how many bytes of history it
covers (``meta.history_bytes``). So:

* readers read only that many bytes: an entry appended by a writer killed before
  its replace is never shown — the history never claims a change the workspace
  does not hold;
* the next writer cuts such a tail off before appending its own: the history
  stays complete, one entry per change, revisions in order;
* a write costs one append, however old the workspace: the file grows with the
  workspace's age, but nothing reads all of it except the pulse, ``log`` and
  the report, which read it when asked (and filter lines before parsing them).

Like every file in a shared folder it is input from other members: opened
without following a link or blocking, read up to the size the workspace file
gives and :data:`MAX_BYTES` at most, each line checked before it is believed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from pathlib import Path
from typing import Any

from data.errors import ReadOnlyWorkspace, WorkspaceError
from data.store import jsonline
from data.store.atomic import FILE_MODE_MASK
from data.store.safe_open import Untrusted, gc_paused, open_regular

MAX_BYTES = 1 << 30
"""The most history worktop reads (about five million changes)."""


def history_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.history")


ENTRY_KEYS = ("rev", "at", "by", "op", "item", "changes", "summary")

BULK = 64
"""Entries above which a write serialises them with orjson (a history rewritten whole), not line by line."""


def entry_line(entry: dict[str, Any], dumps: Callable[[Any], bytes] = jsonline.dumps) -> bytes:
    """One entry as its line (these keys first, in this order, so lines can be filtered before parsing).

    ``dumps``: orjson's for many entries at once (a history rewritten whole); one write's few take the stdlib's.
    """
    ordered = {key: entry[key] for key in ENTRY_KEYS}
    ordered.update((key, value) for key, value in entry.items() if key not in ordered)
    return dumps(ordered) + b"\n"


def append(path: Path, entries: list[dict[str, Any]], committed: int, like: os.stat_result | None) -> tuple[int, str | None]:
    """Append entries to the workspace's history (call with the lock held); returns (bytes it now covers, notice).

    Anything past ``committed`` bytes was appended by a writer killed before it
    replaced the workspace file, and is cut off first. A history shorter than
    ``committed`` lost entries to someone else (truncated, deleted): appending
    goes on at its end, and the notice says so. ``like`` is the workspace
    file's stat: a new history file gets its mode and group.
    """
    target = history_path(path)
    if len(entries) > BULK:
        import orjson

        payload = b"".join(entry_line(entry, orjson.dumps) for entry in entries)
    else:
        payload = b"".join(map(entry_line, entries))
    notice = None
    try:
        fd = open_regular(target, os.O_RDWR | os.O_CREAT, 0o666)  # the umask applies, as to the workspace file
    except Untrusted as error:
        raise WorkspaceError(f"{error}; nothing was written (move it away: worktop then starts a new history)") from None
    except PermissionError:
        raise ReadOnlyWorkspace(f"cannot write {target} (permission denied); nothing was changed") from None
    try:
        st = os.fstat(fd)
        if like is not None and st.st_size == 0:
            with contextlib.suppress(OSError):  # only the owner may; a history file someone else made keeps its mode
                os.fchmod(fd, like.st_mode & FILE_MODE_MASK)
                if st.st_gid != like.st_gid:
                    os.fchown(fd, -1, like.st_gid)
        size = st.st_size
        if size > committed:
            os.ftruncate(fd, committed)
            size = committed
        elif size < committed:
            notice = (f"the history {target} is shorter than the workspace says ({size:,} of {committed:,} bytes): "
                      "someone cut it; the changes in the missing part are no longer listed")
        os.lseek(fd, size, os.SEEK_SET)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        return size + len(payload), notice
    finally:
        os.close(fd)


def rewrite(path: Path, entries: list[dict[str, Any]], like: os.stat_result | None) -> int:
    """Start the history over with ``entries`` (a format-1 file moving its history out); returns its size."""
    return append(path, entries, 0, like)[0]


CHUNK = 256 * 1024
"""Bytes read at a time when the history is read from its end (the newest entries first)."""


class MovesCache:
    """The status moves read so far, kept by a store between its snapshots (the history is only appended to).

    A live app reads only what was appended since the last pulse, not a year of
    history every time the pulse redraws.
    """

    def __init__(self) -> None:
        self.upto = 0
        self.inode: tuple[int, int] | None = None
        """The history file read: one replaced (a script's rewrite, a restore) is read again from the start."""
        self.tail = b""
        """The last bytes before :attr:`upto`: a history cut or rewritten in place since no longer ends with them."""
        self.moves: list[tuple[int, str, str]] = []


def lines_holding(raw: bytes, needle: bytes) -> list[bytes]:
    """The lines of ``raw`` that hold ``needle``, found by searching for it: the lines without it (most, for the
    status moves of a year of edits) are never cut out, which splitting the whole history into lines would do."""
    found: list[bytes] = []
    append, find, rfind, pos, size = found.append, raw.find, raw.rfind, 0, len(raw)
    while (at := find(needle, pos)) >= 0:
        start = rfind(b"\n", pos, at) + 1 or pos
        end = find(b"\n", at)
        end = size if end < 0 else end
        append(raw[start:end])
        pos = end + 1
    return found


class HistoryReader:
    """The history of one snapshot: the first ``upto`` bytes of ``NAME.history``, read when asked.

    Implements :class:`data.model.snapshot.History`. Nothing is kept between
    calls (a year of history is ~16 MB; parsed, ten times that) but, when the
    store passes one, the status moves (:class:`MovesCache`). The newest entries
    are read from the end, a chunk at a time, so ``log --limit 20`` or a
    conflict's "changed by … at …" cost the same however old the workspace is.
    """

    def __init__(self, path: Path, upto: int, cache: MovesCache | None = None) -> None:
        self.path = history_path(path)
        self.upto = upto
        self.cache = cache
        self.problem: str | None = None
        """Why the history could not be read (it is then empty), for a view to say."""

    def _read(self, start: int, end: int) -> bytes:
        """Bytes ``start``…``end`` of the history (fewer where the file is shorter); b"" if it cannot be read."""
        if end <= start:
            return b""
        try:
            fd = open_regular(self.path)
        except OSError as error:
            self.problem = f"the history {self.path} cannot be read ({error})"
            return b""
        try:
            if end - start > MAX_BYTES:
                self.problem = f"the history {self.path} is larger than worktop reads"
                start = end - MAX_BYTES
            chunks, offset = [], start
            while offset < end:
                chunk = os.pread(fd, min(end - offset, 1 << 24), offset)
                if not chunk:
                    break
                chunks.append(chunk)
                offset += len(chunk)
            return b"".join(chunks)
        except OSError as error:
            self.problem = f"the history {self.path} cannot be read ({error})"
            return b""
        finally:
            os.close(fd)

    @staticmethod
    def _matching(lines: list[bytes], needle: bytes | None) -> list[bytes]:
        if needle is None:
            return lines
        return list(compress(lines, map((-1).__ne__, map(bytes.find, lines, repeat(needle)))))

    def _lines_from_end(self, needle: bytes | None) -> Iterator[bytes]:
        """The history's lines (that hold ``needle``), newest first, read a chunk at a time from the end."""
        end, carry = self.upto, b""
        while end > 0:
            start = max(0, end - CHUNK)
            block = self._read(start, end) + carry
            lines = block.split(b"\n")
            carry = lines.pop(0) if start > 0 else b""  # cut by the chunk's start: finished by the next chunk
            yield from reversed(self._matching(lines, needle))
            end = start
        if carry:
            yield from self._matching([carry], needle)

    @staticmethod
    def _entry(line: bytes) -> dict[str, Any] | None:
        """An entry from a line, if it is one (the file is written by anyone in the group)."""
        import orjson

        try:
            entry = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        if (not isinstance(entry, dict) or type(entry.get("rev")) is not int or not isinstance(entry.get("changes"), dict)
                or not all(isinstance(entry.get(k, ""), str) for k in ("at", "by", "op", "summary"))
                or not (entry.get("item") is None or type(entry.get("item")) is int)):
            return None
        return entry

    def entries(self, *, item_id: int | None = None, since: int = 0, limit: int | None = None,
                newest_first: bool = False) -> list[dict[str, Any]]:
        needle = None if item_id is None else b'"item":' + str(item_id).encode() + b","
        found: list[dict[str, Any]] = []
        for line in self._lines_from_end(needle):
            if not line:
                continue
            entry = self._entry(line)
            if entry is None or (item_id is not None and entry.get("item") != item_id):
                continue
            if entry["rev"] <= since:
                break
            found.append(entry)
            if limit is not None and len(found) >= limit:
                break
        return found if newest_first else found[::-1]

    def status_moves(self) -> list[tuple[int, str, str]]:
        cache = self.cache
        start, known = 0, []
        inode = self._inode()
        if cache is not None and 0 < cache.upto <= self.upto and cache.inode == inode \
                and self._read(cache.upto - len(cache.tail), cache.upto) == cache.tail:
            start, known = cache.upto, cache.moves
        raw = self._read(start, self.upto)
        moves = known + self._moves_in(lines_holding(raw, b'"status":['))
        if cache is not None and self.upto >= cache.upto:
            cache.upto, cache.moves, cache.inode = self.upto, moves, inode
            cache.tail = (raw[-256:] if len(raw) >= 256 or start == 0 else self._read(max(0, self.upto - 256),
                                                                                     self.upto))
        return moves

    def _inode(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _moves_in(self, lines: list[bytes]) -> list[tuple[int, str, str]]:
        import orjson

        with gc_paused():
            try:  # one parse of every matching line at once: a year of history in tens of milliseconds
                parsed = orjson.loads(b"[" + b",".join(lines) + b"]") if lines else []
            except orjson.JSONDecodeError:  # a damaged line somewhere: line by line, skipping what is not an entry
                parsed = [self._entry(line) for line in lines]
        moves: list[tuple[int, str, str]] = []
        append = moves.append
        for entry in parsed:
            try:
                item, at, change = entry["item"], entry["at"], entry["changes"]["status"]
                new = change[1]
            except (KeyError, TypeError, IndexError):
                continue
            if type(item) is int and type(at) is str and type(new) is str and len(change) == 2 \
                    and "via" not in entry:  # an import says when work was done elsewhere, not the day it came in
                append((item, at, new))
        return moves

    def last_change_of(self, item_id: int, field_name: str) -> dict[str, Any] | None:
        for entry in self.entries(item_id=item_id, newest_first=True):
            if field_name in entry["changes"]:
                return entry
        return None


__all__ = ["MAX_BYTES", "HistoryReader", "MovesCache", "append", "entry_line", "history_path", "lines_holding",
           "rewrite"]
