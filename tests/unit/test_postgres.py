"""The PostgreSQL store on a real server: locations, schema, rights, authorship, copies, live updates, faults.

The suites marked ``both_stores`` already run every operation, the CLI and the
views on PostgreSQL; these are what only a server has: libpq's conventions,
roles, a schema version, NOTIFY, and processes that die holding a write.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from data.errors import ReadOnlyWorkspace, StoreUnavailable, WorkspaceMissing, WorkspaceUnreadable
from data.store.copy import dump
from data.store.postgres.location import parse_location, pointer_text, read_pointer
from data.writes.ops import CreateItem, Move, SetFields
from data.writes.workspace import Workspace
from tests.conftest import PEOPLE, ROOT, TODAY, subprocess_env
from tests.support.stores import with_role
from tests.support.waiting import wait_until
from tui import cli

STORAGE_KEYS = ("format", "format_version", "history_bytes", "item_count")


@pytest.fixture
def pg(pg_server: Any) -> Any:
    return pg_server


def new_workspace(pg: Any, role: str = "ana") -> str:
    url = pg.url(pg.fresh_name(), role=role)
    Workspace.create(url, name="test", actor=role, people=list(PEOPLE), today=TODAY)
    return url


def cli_run(*argv: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    full = subprocess_env(WORKTOP_TODAY=TODAY.isoformat(), **(env or {}))
    full.pop("WORKTOP_WORKSPACE", None) if not env or "WORKTOP_WORKSPACE" not in env else None
    return subprocess.run([sys.executable, "-m", "tui.cli", *argv], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=120)


# -- locations ---------------------------------------------------------------------------------------------

def test_a_location_names_a_workspace_and_hides_passwords() -> None:
    loc = parse_location("postgresql://ana:s3cret@db.example.com:5433/work?workspace=web&sslmode=require")
    assert loc.workspace == "web"
    assert "workspace" not in loc.conninfo and "sslmode=require" in loc.conninfo
    assert "s3cret" not in loc.display and loc.display.startswith("postgresql://ana@db.example.com:5433/work")
    assert parse_location("postgres:///work").workspace == "default"
    with pytest.raises(Exception, match="not 1-64 letters"):
        parse_location("postgresql:///work?workspace=a%20b")


def test_a_pointer_file_is_read_and_refuses_a_password(tmp_path: Path) -> None:
    pointer = tmp_path / "worktop.json"
    pointer.write_bytes(pointer_text("postgresql://db/work?workspace=web"))
    assert read_pointer(pointer) == "postgresql://db/work?workspace=web"
    pointer.write_bytes(pointer_text("postgresql://ana:pw@db/work"))
    with pytest.raises(WorkspaceUnreadable, match="password"):
        read_pointer(pointer)
    pointer.write_text('{"format": "worktop-location", "version": 7, "location": "postgresql://db/w"}')
    with pytest.raises(WorkspaceUnreadable, match="newer than this worktop"):
        read_pointer(pointer)


def test_libpq_environment_service_file_and_password_file(pg: Any, tmp_path: Path) -> None:
    """PGHOST/PGPORT fill in a URL without a host; PGSERVICE names a service; PGPASSFILE gives a TCP password."""
    url = new_workspace(pg)
    name = parse_location(url).workspace
    env = {"PGHOST": str(pg.sockets), "PGPORT": str(pg.port), "PGUSER": "ana"}
    added = cli_run("-w", f"postgresql:///worktop?workspace={name}", "add", "via PGHOST", env=env)
    assert added.returncode == 0, added.stderr
    services = tmp_path / "services"
    services.write_text(f"[team]\nhost={pg.sockets}\nport={pg.port}\nuser=ben\ndbname=worktop\n")
    listed = cli_run("-w", f"postgresql://?service=team&workspace={name}", "ls",
                     env={"PGSERVICEFILE": str(services)})
    assert listed.returncode == 0 and "via PGHOST" in listed.stdout, listed.stderr
    role = pg.make_role(pg.fresh_name("pw"), grant="worktop_writer", password="hunter2")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{pg.port}:worktop:{role}:hunter2\n")
    passfile.chmod(0o600)
    tcp = f"postgresql://{role}@127.0.0.1:{pg.port}/worktop?workspace={name}&sslmode=disable"
    no_password = cli_run("-w", tcp, "ls", env={"PGPASSFILE": str(tmp_path / "none")})
    assert no_password.returncode == 3 and "cannot reach the PostgreSQL server" in no_password.stderr
    with_password = cli_run("-w", tcp, "add", "over TCP", env={"PGPASSFILE": str(passfile)})
    assert with_password.returncode == 0, with_password.stderr
    assert Workspace(url).history(limit=1)[0]["by"] == role


def test_one_database_holds_several_workspaces(pg: Any) -> None:
    first, second = new_workspace(pg), new_workspace(pg)
    Workspace(first).apply(CreateItem("only in the first"))
    assert [i.title for i in Workspace(first).snapshot().items.values()] == ["only in the first"]
    assert len(Workspace(second).snapshot().items) == 0


def test_a_missing_workspace_or_schema_says_how_to_make_it(pg: Any) -> None:
    with pytest.raises(WorkspaceMissing, match="worktop init"):
        Workspace(pg.url("nobody-made-this")).meta()
    pg.sql("CREATE DATABASE bare", database="postgres")
    with pytest.raises(WorkspaceMissing, match="no worktop schema"):
        Workspace(pg.url("x", database="bare")).meta()


def test_init_makes_a_versioned_schema_and_a_newer_one_is_refused(pg: Any, tmp_path: Path) -> None:
    db = pg.fresh_name("db")
    pg.sql(f"CREATE DATABASE {db}", database="postgres")
    url = pg.url("team", database=db)
    made = cli_run("init", url, "--pointer", str(tmp_path), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert pg.sql("SELECT version FROM worktop.schema_info", database=db) == [(1,)]
    assert cli_run("add", "found through the pointer", cwd=tmp_path).returncode == 0
    assert [i.title for i in Workspace(tmp_path / "worktop.json").snapshot().items.values()] == \
        ["found through the pointer"]
    pg.sql("UPDATE worktop.schema_info SET version = 2", database=db)
    refused = cli_run("ls", cwd=tmp_path)
    assert refused.returncode == 3
    assert "set up by a newer worktop (schema 2, this one reads 1); upgrade worktop" in refused.stderr


def test_settings_read_when_connecting_answer_only_that_first_read(pg: Any) -> None:
    """A new connection's introduction brings the settings and people along (one round trip fewer for a CLI
    command); a read later on the same connection asks the server again."""
    url = new_workspace(pg)
    ws, other = Workspace(url), Workspace(with_role(url, "ben"), actor="ben")
    assert ws.actor == "ana"  # connects (and reads the settings with the introduction)
    revision = other.apply(CreateItem("meanwhile")).revision
    assert ws.meta()["revision"] == revision
    fresh = Workspace(url)
    assert fresh.meta()["revision"] == revision and fresh.meta()["last_change"]["by"] == "ben"


def test_a_damaged_item_is_refused_naming_it_on_a_first_read_and_a_catch_up(pg: Any) -> None:
    """A document another tool stored with a field of the wrong type: the read says which item, nothing breaks."""
    url = new_workspace(pg)
    ws = Workspace(url)
    for n in range(3):
        ws.apply(CreateItem(f"item {n}"))
    watcher = Workspace(url)
    assert len(watcher.snapshot().items) == 3
    wid = ws.store.workspace_id  # type: ignore[attr-defined]
    pg.sql("UPDATE worktop.items SET doc = json_build_object('title', 7, 'kind', 'task', 'status', 'todo')"
           " WHERE workspace = %s AND id = 2", wid)
    pg.sql("UPDATE worktop.workspaces SET revision = revision + 1 WHERE id = %s", wid)
    pg.sql("INSERT INTO worktop.changes (workspace, rev, items) SELECT id, revision, '{2}' FROM worktop.workspaces"
           " WHERE id = %s", wid)
    for reader in (watcher, Workspace(url)):  # caught up from the changes row; read whole
        with pytest.raises(WorkspaceUnreadable, match=r"item #2: title is 7 \(a number\), not text"):
            reader.snapshot()
    # JSON the server takes but worktop cannot read back (a number too large for a double)
    pg.sql("""UPDATE worktop.items SET doc = '{"title": "x", "kind": "task", "status": "todo", "n": 1e999}'"""
           " WHERE workspace = %s AND id = 2", wid)
    with pytest.raises(WorkspaceUnreadable, match=r"item #2 is not valid JSON \(number is infinity"):
        Workspace(url).snapshot()


def test_a_write_finds_what_waits_and_counts_a_column_without_reading_every_item(
        pg: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each write in a fresh process (nothing cached): a cycle refused, a WIP count, a decline releasing what
    waited on it — through the indexes, never through reading the whole item table."""
    from data.errors import BadValue
    from data.store.postgres.store import PgTransaction
    from data.writes.ops import Block

    url = new_workspace(pg)
    ws = Workspace(url)
    ids = [ws.apply(CreateItem(f"t{n}")).item_id for n in range(8)]
    ws.apply(Block(ids[1], [ids[0]]))
    ws.apply(Block(ids[2], [ids[1], ids[0]]))
    for item_id in ids[3:8]:
        ws.apply(Move(item_id, "doing"))
    ws.apply(SetFields(ids[4], {"title": "a NUL \x00 in it"}))  # stored as \u0000, which json's ->> refuses
    ws.apply(Block(ids[4], [ids[1]]))

    def whole_read(self: Any) -> Any:
        raise AssertionError("this write read every item")

    monkeypatch.setattr(PgTransaction, "_all_docs", whole_read)
    with pytest.raises(BadValue, match="that would make a cycle"):
        Workspace(url).apply(Block(ids[0], [ids[2]]))
    assert Workspace(url).apply(Move(ids[0], "doing")).warnings == \
        ["doing is over its WIP limit: 6 cards for 5; moved anyway"]
    Workspace(url).apply(Move(ids[1], "declined", reason="not this quarter"))
    items = Workspace(url).snapshot().items
    assert items[ids[2]].doc.get("blocked_by") == [ids[0]] and "blocked_by" not in items[ids[4]].doc
    assert items[ids[4]].title == "a NUL \x00 in it"


def test_a_schema_made_before_the_indexes_gets_them_from_the_next_init(pg: Any) -> None:
    db = pg.fresh_name("db")
    pg.sql(f"CREATE DATABASE {db}", database="postgres")
    Workspace.create(pg.url("first", database=db), name="first")
    pg.sql("DROP INDEX worktop.items_status, worktop.items_waiting", database=db)
    Workspace.create(pg.url("second", database=db), name="second")
    names = pg.sql("SELECT indexname FROM pg_indexes WHERE schemaname = 'worktop' AND tablename = 'items'"
                   " ORDER BY 1", database=db)
    assert names == [("items_pkey",), ("items_status",), ("items_waiting",)]
    import psycopg

    from data.store.postgres.store import STATUS_COUNT, WITH_BLOCKERS

    with psycopg.connect(pg.conninfo(database=db), autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")  # the statements the store sends can use them
        for statement, params, index in ((STATUS_COUNT, (1, "doing"), "items_status"),
                                         (WITH_BLOCKERS, (1,), "items_waiting")):
            plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {statement}", params).fetchall())
            assert index in plan, plan


# -- rights and authorship -----------------------------------------------------------------------------------

def test_a_read_only_role_opens_read_only_with_the_reason(pg: Any) -> None:
    url = new_workspace(pg)
    Workspace(url).apply(CreateItem("look, do not touch"))
    viewer = pg.make_role(pg.fresh_name("viewer"), grant="worktop_reader")
    ws = Workspace(with_role(url, viewer))
    assert [i.title for i in ws.snapshot().items.values()] == ["look, do not touch"]
    assert ws.writable is False
    assert f"your role {viewer} may only read it" in (ws.store.access_problem() or "")
    with pytest.raises(ReadOnlyWorkspace, match="read-only for you; nothing was changed"):
        ws.apply(CreateItem("sneaky"))
    result = cli_run("-w", with_role(url, viewer), "add", "sneaky")
    assert result.returncode == 3 and "read-only for you" in result.stderr and "Traceback" not in result.stderr
    assert len(Workspace(url).snapshot().items) == 1


def test_a_reader_writing_behind_worktops_back_is_refused_by_the_server(pg: Any) -> None:
    import psycopg

    url = new_workspace(pg)
    Workspace(url).meta()
    viewer = pg.make_role(pg.fresh_name("viewer"), grant="worktop_reader")
    with psycopg.connect(pg.conninfo(role=viewer), autocommit=True) as conn:
        for statement in ("UPDATE worktop.items SET doc = '{}'", "DELETE FROM worktop.history",
                          "UPDATE worktop.workspaces SET revision = revision + 1"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_authorship_is_the_connected_role_whatever_the_client_claims(pg: Any) -> None:
    """WORKTOP_USER, a forged history row, an edit of an old one: the history says who really connected."""
    import psycopg

    url = new_workspace(pg)
    mallory = pg.make_role(pg.fresh_name("mallory"), grant="worktop_writer")
    claimed = cli_run("-w", with_role(url, mallory), "add", "I am ana", env={"WORKTOP_USER": "ana"})
    assert claimed.returncode == 0, claimed.stderr
    ws = Workspace(url)
    assert ws.history(limit=1)[0]["by"] == mallory
    wid = ws.store.workspace_id
    with psycopg.connect(pg.conninfo(role=mallory), autocommit=True) as conn:
        conn.execute("INSERT INTO worktop.history (workspace, rev, seq, item, by, fields, entry, copied)"
                     " VALUES (%s, 999, 0, 1, 'ana', '{}', '{\"at\":\"x\",\"op\":\"set\",\"item\":1,"
                     "\"changes\":{},\"summary\":\"forged\"}', true)", (wid,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE worktop.history SET by = 'ana' WHERE workspace = %s", (wid,))
    rows = pg.sql("SELECT by, recorded_by, copied FROM worktop.history WHERE workspace = %s AND rev = 999", wid)
    assert rows == [(mallory, mallory, False)]


# -- moving between stores -----------------------------------------------------------------------------------------

def test_copy_file_to_postgres_and_back_is_lossless(pg: Any, tmp_path: Path, run: Any) -> None:
    from data.demo import make_demo

    source = make_demo(tmp_path / "demo.json", items=300, seed=5, today=TODAY)
    ws = Workspace(source, actor="ben", today=TODAY)
    ws.apply(SetFields(3, {"title": "nul \x00 and [markup] kept"}))
    url = pg.url(pg.fresh_name())
    assert run("copy", source, url).code == 0
    assert run("copy", url, tmp_path / "back.json").code == 0
    before, after = dump(source), dump(tmp_path / "back.json")
    assert after.items == before.items and after.people == before.people
    assert after.history == before.history and len(after.history) > 20
    keep = lambda meta: {k: v for k, v in meta.items() if k not in STORAGE_KEYS}  # noqa: E731
    assert keep(after.meta) == keep(before.meta)
    assert run("copy", source, url).code == 3  # never over an existing workspace
    on_pg = Workspace(url)
    assert on_pg.history(limit=1)[0]["by"] == "ben"  # copied history keeps its authors
    on_pg.apply(CreateItem("made on PostgreSQL"))
    assert on_pg.history(limit=1)[0]["by"] == "worktop_admin"


# -- live ----------------------------------------------------------------------------------------------------------

def test_another_clients_commit_wakes_the_listener_and_is_caught_up(pg: Any) -> None:
    url = new_workspace(pg)
    watcher = Workspace(url)
    first = watcher.snapshot()
    woke = threading.Event()
    stop = threading.Event()
    thread = threading.Thread(target=watcher.store.watch, args=(woke.set, stop), daemon=True)
    thread.start()
    try:
        wait_until(woke.is_set, "the listener's first catch-up call")
        woke.clear()
        item_id = Workspace(with_role(url, "ben")).apply(CreateItem("from ben")).item_id
        wait_until(woke.is_set, "the NOTIFY")
        snap = watcher.snapshot()
        assert snap.items[item_id].title == "from ben"
        assert snap.changes_since(first) == {item_id: {"kind", "title", "status", "created_at", "created_by",
                                                       "updated_at", "updated_by", "status_since", "rank"}}
    finally:
        stop.set()
        thread.join(10)


def test_nothing_is_missed_when_no_one_was_listening(pg: Any) -> None:
    """A client away (no listener) for several commits catches up from the changes table by revision."""
    url = new_workspace(pg)
    watcher = Workspace(url)
    first = watcher.snapshot()
    other = Workspace(with_role(url, "cy"))
    ids = [other.apply(CreateItem(f"while away {n}")).item_id for n in range(5)]
    other.apply(Move(ids[0], "doing"))
    other.apply(SetFields(ids[1], {"title": "renamed"}))
    snap = watcher.snapshot()
    assert snap.revision == first.revision + 7
    assert snap.items[ids[0]].status == "doing" and snap.items[ids[1]].title == "renamed"
    assert set(snap.changes_since(first) or {}) == set(ids)


# -- faults with real processes --------------------------------------------------------------------------------------

WRITER = """
import sys
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
url, number, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ws = Workspace(url)
print("ready", flush=True)
sys.stdin.readline()
for n in range(count):
    result = ws.apply(CreateItem(f"w{number} op{n}"))
    print(result.item_id, result.revision, flush=True)
"""


@pytest.mark.slow
def test_sixteen_writers_at_once_lose_nothing(pg: Any, python_children: Any) -> None:
    url = new_workspace(pg)
    writers = [python_children.start(WRITER, url, n, 12, stdin=subprocess.PIPE) for n in range(16)]
    for proc in writers:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    for proc in writers:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    acknowledged: list[tuple[int, int]] = []
    for proc in writers:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        acknowledged += [tuple(map(int, line.split())) for line in out.split("\n") if line]
    assert len(acknowledged) == 16 * 12
    snap = Workspace(url).snapshot()
    titles = {item.title for item in snap.items.values()}
    assert titles == {f"w{w} op{n}" for w in range(16) for n in range(12)}
    revisions = sorted(rev for _item, rev in acknowledged)
    assert revisions == list(range(2, 2 + 16 * 12)), "each acknowledged write has its own revision, no gap"
    history = snap.history.entries()
    assert [e["rev"] for e in history] == list(range(1, snap.revision + 1))
    assert {(e["item"], e["rev"]) for e in history if e["op"] == "create"} == set(acknowledged)


HOLDER = """
import sys, time
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace
ws = Workspace(sys.argv[1])
with ws.store.transaction(ws.actor, "2025-01-15T09:00:00Z", ws.today) as txn:
    CreateItem("half-made").apply(txn)
    txn.conn.execute("INSERT INTO worktop.items (workspace, id, doc) VALUES (%s, 999, '{}')", (ws.store.workspace_id,))
    print("inside", flush=True)
    time.sleep(600)
"""


@pytest.mark.slow
def test_a_client_killed_mid_transaction_leaves_nothing_and_holds_no_one_up(pg: Any, python_children: Any) -> None:
    url = new_workspace(pg)
    holder = python_children.start(HOLDER, url)
    assert holder.stdout.readline().strip() == "inside", holder.stderr.read()
    blocked = python_children.start(WRITER, url, 0, 1, stdin=subprocess.PIPE)
    assert blocked.stdout.readline().strip() == "ready"
    blocked.stdin.write("go\n")
    blocked.stdin.flush()
    time.sleep(0.3)  # let it queue behind the lock (not a threshold: only makes the kill land mid-wait)
    assert blocked.poll() is None, "the second writer waits for the first"
    os.kill(holder.pid, signal.SIGKILL)
    out, err = blocked.communicate(timeout=60)
    assert blocked.returncode == 0, err
    snap = Workspace(url).snapshot()
    assert [i.title for i in snap.items.values()] == ["w0 op0"]
    assert 999 not in snap.items and snap.revision == 2


def test_a_write_kept_waiting_past_the_lock_timeout_is_refused_and_writes_nothing(
        pg: Any, python_children: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another client holds the workspace mid-write: past ``LOCK_TIMEOUT`` the write says so, nothing half-made."""
    import data.store.postgres.store as pg_store
    from data.errors import LockHeld

    url = new_workspace(pg)
    monkeypatch.setattr(pg_store, "LOCK_TIMEOUT", "200ms")  # set on the connection when it is made
    waiting = Workspace(url)
    waiting.meta()
    before = waiting.snapshot().revision
    holder = python_children.start(HOLDER, url)
    assert holder.stdout.readline().strip() == "inside", holder.stderr.read()
    with pytest.raises(LockHeld, match="another client has held .* for more than 200ms while writing; nothing was"):
        waiting.apply(CreateItem("kept waiting"))
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(30)
    written: list[Any] = []

    def write_once_free() -> bool:  # until the server has noticed the holder is gone
        try:
            written.append(waiting.apply(CreateItem("once it is free")))  # the same store, not left broken
        except LockHeld:
            return False
        return True

    wait_until(write_once_free, "the dead holder's lock to be released")
    assert written[0].revision == before + 1
    assert [i.title for i in Workspace(url).snapshot().items.values()] == ["once it is free"]


def test_a_lost_server_is_a_clear_error_and_the_store_reconnects(pg: Any, tmp_path: Path) -> None:
    """The server goes away between two writes (its backend ended, as in a restart): a message, then it works."""
    url = new_workspace(pg)
    ws = Workspace(url)
    ws.apply(CreateItem("before"))
    pg.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'ana' AND pid <> pg_backend_pid()")
    try:
        ws.snapshot()
    except StoreUnavailable as error:
        assert "lost the PostgreSQL server" in str(error) and "reconnects by itself" in str(error)
    assert ws.apply(CreateItem("after")).item_id == 2
    assert [i.title for i in Workspace(url).snapshot().items.values()] == ["before", "after"]


def test_a_server_that_cannot_be_reached_is_named_not_a_traceback(tmp_path: Path) -> None:
    result = cli_run("-w", f"postgresql://nobody@/db?host={tmp_path}&port=1&workspace=x", "ls")
    assert result.returncode == 3
    assert result.stderr.startswith("worktop: cannot reach the PostgreSQL server for postgresql://nobody@/db")
    assert "Traceback" not in result.stderr


# -- the file store's start-up does not pay for PostgreSQL ------------------------------------------------------------

def test_a_file_workspace_never_imports_psycopg(workspace: Workspace) -> None:
    code = f"""
import sys
from tui.cli import main
for argv in (["add", "x"], ["ls"], ["show", "1"], ["log"], ["pulse"]):
    assert main(["-w", {str(workspace.path)!r}, *argv]) == 0, argv
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("psycopg", "psycopg_binary"))))
"""
    done = subprocess.run([sys.executable, "-c", "import json\n" + code], cwd=ROOT, capture_output=True, text=True,
                          env=subprocess_env(WORKTOP_USER="ana"), timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_cli_in_process_reaches_postgres(pg: Any, run: Any) -> None:
    url = new_workspace(pg)
    assert run("-w", url, "add", "in process").code == 0
    assert cli.main(["-w", url, "ls"]) == 0
