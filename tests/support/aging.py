"""Workspaces of other ages and formats, made the way worktop made them (for tests and the bench).

:func:`to_format_1` turns a workspace into what worktop wrote before the line
layout (everything on one line, the history inside the file), so the upgrade on
first write can be tested against a real old file. :func:`age` appends a year of
history the way worktop appends it, without a year of operations.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson

from data.store import history_file, layout
from data.store.atomic import write_atomic
from data.store.file_store import read_file, read_history
from data.store.lock import exclusive_lock


def to_format_1(path: Path) -> bytes:
    """Rewrite the workspace at ``path`` as format 1 (history inside, one line); returns the bytes written."""
    with exclusive_lock(path):
        data, _ = read_file(path)
        entries = read_history(path)
        meta = dict(data["meta"]["1"], format_version=1)
        for key in ("history_bytes", "item_count", "next_id", "rank_max"):
            meta.pop(key, None)
        old = {"meta": {"1": meta}, "items": data["items"], "people": data["people"],
               "history": {str(n): entry for n, entry in enumerate(entries, start=1)}}
        payload = orjson.dumps(old)
        write_atomic(path, payload, keep_backup=False)
        history_file.history_path(path).unlink(missing_ok=True)
    return payload


def age(path: Path, entries: int, *, seed: int = 1) -> None:
    """Append ``entries`` history entries as a team's year of edits would leave them (the items stay as they are).

    Each is an entry worktop writes (a field set, a move, a note), for a real item, by
    a real person, one revision each; the workspace's revision and history size follow.
    """
    rng = random.Random(seed)
    with exclusive_lock(path):
        data, _ = read_file(path)
        meta = data["meta"]["1"]
        items = list(data["items"].items())
        people = [doc["handle"] for doc in data["people"].values()] or ["ana"]
        revision = int(meta["revision"])
        lines = []
        for n in range(entries):
            revision += 1
            key, doc = rng.choice(items)
            roll = rng.random()
            if roll < 0.45:
                changes: dict[str, Any] = {"title": [doc.get("title"), doc.get("title")]}
                op, summary = "set", f"set title of #{key}"
            elif roll < 0.8:
                changes = {"status": ["todo", "doing"]}
                op, summary = "move", f"moved #{key} to doing"
            else:
                changes = {"why_log": [None, f"decided on day {n % 365}"]}
                op, summary = "note", f"noted on #{key}"
            lines.append(history_file.entry_line({
                "rev": revision, "at": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}T09:00:00Z", "by": rng.choice(people),
                "op": op, "item": int(key), "changes": changes, "summary": summary}))
        with open(history_file.history_path(path), "ab") as handle:
            handle.write(b"".join(lines))
            size = handle.tell()
        meta.update(revision=revision, history_bytes=size,
                    last_change={"revision": revision, "by": people[0], "at": "2025-12-31T09:00:00Z",
                                 "summary": "a year of edits"})
        meta["item_count"] = len(data["items"])
        payload = layout.encode(meta, data["people"], layout.item_lines(data["items"].items()))
        write_atomic(path, payload, keep_backup=False)


__all__ = ["age", "to_format_1"]
