"""What a test needs to say about a workspace whichever store holds it.

The data-layer and CLI suites run on both stores (``pytestmark =
pytest.mark.both_stores``): these helpers read what is stored, tell whether
anything was written, edit the workspace behind worktop's back (another tool,
a hand edit) and open it as another person — on a file by its bytes, on
PostgreSQL by its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import orjson

from data.writes.workspace import Workspace


def is_pg(workspace: Workspace) -> bool:
    return type(workspace.store).__name__ == "PgStore"


def with_role(url: str, role: str) -> str:
    """The same location, logged in as ``role``."""
    parts = urlsplit(url)
    hosts = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{role}@{hosts}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def location_as(workspace: Workspace, actor: str) -> str:
    """Where another person opens the workspace: the file's path, or the URL logged in as their role."""
    if not is_pg(workspace):
        return str(workspace.path)
    return with_role(workspace.store.where.display, actor)  # type: ignore[attr-defined]


def as_user(workspace: Workspace, actor: str, today: date | None = None) -> Workspace:
    """Another process on the same workspace, writing as ``actor`` (on PostgreSQL: logged in as that role)."""
    return Workspace(location_as(workspace, actor), actor=actor, today=today or workspace.today)


def _pg_conn(workspace: Workspace) -> Any:
    import psycopg

    return psycopg.connect(with_role(workspace.store.where.conninfo, "worktop_admin"), autocommit=True)  # type: ignore[attr-defined]


def stored(workspace: Workspace) -> dict[str, Any]:
    """What is stored now: ``{"meta": {...}, "people": {id: doc}, "items": {id: doc}}`` (ids as text)."""
    if not is_pg(workspace):
        from data.store.file_store import read_file

        data, _ = read_file(workspace.path)
        return {"meta": data["meta"]["1"], "people": data["people"], "items": data["items"]}
    ws = workspace.store.workspace_id or _workspace_id(workspace)  # type: ignore[attr-defined]
    with _pg_conn(workspace) as conn:
        meta = orjson.loads(conn.execute("SELECT meta::text FROM worktop.workspaces WHERE id = %s", (ws,)).fetchone()[0])
        items = {str(k): orjson.loads(t) for k, t in conn.execute(
            "SELECT id, doc::text FROM worktop.items WHERE workspace = %s", (ws,)).fetchall()}
        people = {str(k): orjson.loads(t) for k, t in conn.execute(
            "SELECT id, doc::text FROM worktop.people WHERE workspace = %s", (ws,)).fetchall()}
    return {"meta": meta, "people": people, "items": items}


def _workspace_id(workspace: Workspace) -> int:
    workspace.meta()
    return workspace.store.workspace_id  # type: ignore[attr-defined, no-any-return]


def stored_doc(workspace: Workspace, item_id: int) -> dict[str, Any]:
    """The item as stored right now (KeyError when there is none)."""
    return stored(workspace)["items"][str(item_id)]


def fingerprint(workspace: Workspace) -> Any:
    """Something equal before and after exactly when nothing was written (the bytes; the rows and history)."""
    if not is_pg(workspace):
        from data.store.history_file import history_path

        path = history_path(workspace.path)
        return workspace.path.read_bytes(), path.read_bytes() if path.exists() else b""
    ws = _workspace_id(workspace)
    with _pg_conn(workspace) as conn:
        history = conn.execute("SELECT count(*), max(rev) FROM worktop.history WHERE workspace = %s", (ws,)).fetchone()
        changes = conn.execute("SELECT count(*) FROM worktop.changes WHERE workspace = %s", (ws,)).fetchone()
    return stored(workspace), history, changes


def hand_edit(workspace: Workspace, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the stored workspace as another tool would (``change`` edits :func:`stored`'s dict in place).

    On a file: rewritten under the lock without history. On PostgreSQL: rows
    rewritten by the administrator, the revision moved on with a changes row
    (what any writer must leave for clients to catch up), no history.
    """
    if not is_pg(workspace):
        from data.store.atomic import write_atomic
        from data.store.file_store import read_file
        from data.store.lock import exclusive_lock

        with exclusive_lock(workspace.path):
            data, _ = read_file(workspace.path)
            view = {"meta": data["meta"]["1"], "people": data["people"], "items": data["items"]}
            change(view)
            data["meta"]["1"], data["people"], data["items"] = view["meta"], view["people"], view["items"]
            write_atomic(workspace.path, orjson.dumps(data), keep_backup=False)
        return
    before = stored(workspace)
    after = orjson.loads(orjson.dumps(before))
    change(after)
    ws = _workspace_id(workspace)
    touched = sorted(int(k) for k in set(before["items"]) | set(after["items"])
                     if before["items"].get(k) != after["items"].get(k))
    with _pg_conn(workspace) as conn, conn.transaction():
        revision = conn.execute("SELECT revision FROM worktop.workspaces WHERE id = %s FOR UPDATE", (ws,)).fetchone()[0]
        conn.execute("DELETE FROM worktop.items WHERE workspace = %s AND id = ANY(%s)", (ws, touched))
        for key in touched:
            if str(key) in after["items"]:
                conn.execute("INSERT INTO worktop.items VALUES (%s, %s, %s::json)",
                             (ws, key, orjson.dumps(after["items"][str(key)]).decode()))
        people = before["people"] != after["people"]
        if people:
            conn.execute("DELETE FROM worktop.people WHERE workspace = %s", (ws,))
            for key, doc in after["people"].items():
                conn.execute("INSERT INTO worktop.people VALUES (%s, %s, %s::json)", (ws, int(key), orjson.dumps(doc).decode()))
        meta = dict(after["meta"], revision=revision + 1)
        conn.execute("UPDATE worktop.workspaces SET revision = %s, meta = %s::json WHERE id = %s",
                     (revision + 1, orjson.dumps(meta).decode(), ws))
        conn.execute("INSERT INTO worktop.changes (workspace, rev, items, people) VALUES (%s, %s, %s, %s)",
                     (ws, revision + 1, touched, people))


def edit_meta(workspace: Workspace, **values: Any) -> None:
    """Change settings behind worktop's back (WIP limits, a horizon)."""
    hand_edit(workspace, lambda data: data["meta"].update(values))


def add_tasks(workspace: Workspace, count: int, *, status: str = "todo") -> None:
    """``count`` plain tasks written straight into the store (much faster than ``count`` operations)."""
    from tests.conftest import _add_tasks

    def grow(data: dict[str, Any]) -> None:
        _add_tasks(data["items"], count, status)

    hand_edit(workspace, grow)


__all__ = ["add_tasks", "as_user", "become", "edit_meta", "fingerprint", "hand_edit", "is_pg", "location_as", "stored",
           "stored_doc", "with_role"]


def become(monkeypatch: Any, path: Any, user: str) -> None:
    """Run the next CLI commands as ``user``: ``WORKTOP_USER`` on a file; logged in as that role on PostgreSQL."""
    monkeypatch.setenv("WORKTOP_USER", user)
    workspace = Workspace(path)
    if is_pg(workspace):
        monkeypatch.setenv("WORKTOP_WORKSPACE", location_as(workspace, user))  # the env comes before the pointer
