"""Bringing work in from the tools teams use, and taking it out again.

Readers (one module per source) turn a file into :class:`~data.interchange.records.Record`
values; :class:`~data.interchange.apply.ImportItems` applies them in one write.
Writers turn items back into each tool's format. This module is the front door:
reading a file safely, telling its format, and choosing the reader or writer.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from data.interchange.records import BadSource, Parsed

if TYPE_CHECKING:
    from data.model.items import Item
    from data.model.snapshot import Snapshot

IMPORT_FORMATS = ("taskwarrior", "todotxt", "csv", "github", "trello")
EXPORT_FORMATS = ("taskwarrior", "todotxt", "csv", "json")

READ_LIMIT = 256 * 1024 * 1024
"""The largest file an import reads (10k Taskwarrior tasks are about 5 MB)."""


def read_text(path: str) -> tuple[str, str]:
    """(the file's text, the name to show) for a path, or ``-`` for standard input.

    Only a regular file (or standard input) is read, at most :data:`READ_LIMIT`
    bytes, as UTF-8 (a byte-order mark is dropped); anything else is a
    :class:`BadSource` naming the file.
    """
    if path == "-":
        raw, name = sys.stdin.buffer.read(READ_LIMIT + 1), "standard input"
    else:
        name = path
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise BadSource(f"{name}: no such file") from None
        except IsADirectoryError:
            raise BadSource(f"{name} is a folder, not a file to import") from None
        except PermissionError:
            raise BadSource(f"{name}: permission denied") from None
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise BadSource(f"{name} is a folder, not a file to import")
            if not stat.S_ISREG(info.st_mode):
                raise BadSource(f"{name} is not a regular file (a pipe or a device); to read a pipe, "
                                f"give `-` and send it to standard input")
            if info.st_size > READ_LIMIT:
                raise BadSource(f"{name} is {info.st_size // (1024 * 1024)} MB; an import reads at most "
                                f"{READ_LIMIT // (1024 * 1024)} MB")
            with os.fdopen(fd, "rb", closefd=True) as handle:
                fd = -1
                raw = handle.read(READ_LIMIT + 1)
        finally:
            if fd >= 0:
                os.close(fd)
    if len(raw) > READ_LIMIT:
        raise BadSource(f"{name} is larger than {READ_LIMIT // (1024 * 1024)} MB; an import reads no more")
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise BadSource(f"{name} line {line}: not UTF-8 text (byte {error.start}); save it as UTF-8 first") from None


def detect(name: str, text: str) -> str:
    """The format of a file, from its name and its first bytes; a :class:`BadSource` when it cannot be told."""
    import orjson

    from data.interchange import github, trello

    suffix = Path(name).suffix.lower()
    head = text.lstrip()[:1]
    if suffix == ".csv":
        return "csv"
    if suffix in (".txt", ".todo") or Path(name).name.lower() in ("todo.txt", "done.txt"):
        return "todotxt"
    if head in ("[", "{") and suffix in (".json", ".jsonl", ".ndjson", ""):
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            first = text.lstrip().splitlines()[0] if text.strip() else ""
            if first.startswith("{") and '"uuid"' in first:
                return "taskwarrior"  # one object a line: `task export rc.json.array=off`
            raise BadSource(f"{name}: not valid JSON, so its format cannot be told; give --from") from None
        if trello.looks_like(data):
            return "trello"
        if github.looks_like(data):
            return "github"
        if isinstance(data, list) and data and isinstance(data[0], dict) and "uuid" in data[0] and \
                "description" in data[0]:
            return "taskwarrior"
        if data == []:
            return "taskwarrior"
        raise BadSource(f"{name}: JSON, but not a Taskwarrior, GitHub (gh issue list --json) or Trello export; "
                        f"give --from")
    raise BadSource(f"{name}: cannot tell the format from its name; give --from "
                    f"({', '.join(IMPORT_FORMATS)})")


def read_source(text: str, name: str, fmt: str, *, mapping: str | None = None,
                workspace_key: str | None = None) -> Parsed:
    """Parse ``text`` (from the file ``name``) as ``fmt``."""
    from data.interchange import csvfile, github, taskwarrior, todotxt, trello

    if mapping and fmt != "csv":
        raise BadSource("--map names CSV columns; it goes with a CSV file (--from csv)")
    if fmt == "taskwarrior":
        return taskwarrior.read(text, name, workspace_key)
    if fmt == "todotxt":
        return todotxt.read(text, name)
    if fmt == "github":
        return github.read(text, name)
    if fmt == "trello":
        return trello.read(text, name)
    if fmt == "csv":
        first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
        import csv

        header = next(csv.reader([first]), [])
        if not mapping and csvfile.is_linear([h.strip() for h in header]):
            return csvfile.read_linear(text, name)
        return csvfile.read_mapped(text, name, csvfile.parse_map(mapping))
    raise BadSource(f"unknown format {fmt!r}; formats: {', '.join(IMPORT_FORMATS)}")


def write_export(items: list[Item], snapshot: Snapshot, fmt: str, *, workspace_key: str) -> bytes:
    """Items in ``fmt`` (one of :data:`EXPORT_FORMATS`)."""
    from data.interchange import csvfile, taskwarrior, todotxt

    if fmt == "taskwarrior":
        return taskwarrior.write(items, snapshot, workspace_key)
    if fmt == "todotxt":
        return todotxt.write(items, snapshot)
    if fmt == "csv":
        return csvfile.write(items, snapshot)
    if fmt == "json":
        import orjson

        return orjson.dumps([{"id": item.id, **item.doc} for item in items], option=orjson.OPT_INDENT_2) + b"\n"
    raise BadSource(f"unknown format {fmt!r}; formats: {', '.join(EXPORT_FORMATS)}")


def workspace_key(meta: Mapping[str, Any]) -> str:
    """What tells this workspace apart in uuids it hands out (its creation time and name)."""
    return f"{meta.get('created_at', '')}|{meta.get('name', '')}"


__all__ = ["EXPORT_FORMATS", "IMPORT_FORMATS", "READ_LIMIT", "BadSource", "Parsed", "detect", "read_source",
           "read_text", "workspace_key", "write_export"]
