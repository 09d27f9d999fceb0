"""Importing from and exporting to Taskwarrior, against exports the real ``task`` binary makes in the test.

Each test has its own Taskwarrior database (tests/support/taskwarrior.py) with
UDAs ``estimate`` (numeric) and ``reviewer`` (string). The worktop workspace has
people ana, ben and cy, acting as ana, today pinned to 2025-01-15; each test that uses it runs on the file and
on PostgreSQL (through a pointer file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.support.taskwarrior import Taskwarrior
from tests.unit.test_cli import stored, written

pytestmark = pytest.mark.both_stores


def items(ws: Path) -> dict[int, dict[str, Any]]:
    """What the workspace at ``ws`` (a file, or a pointer file) stores, by id."""
    return {int(k): v for k, v in stored(ws)["items"].items()}


def by_title(ws: Path) -> dict[str, dict[str, Any]]:
    return {doc["title"]: doc | {"id": item_id} for item_id, doc in items(ws).items()}


@pytest.fixture
def tw(tmp_path: Path) -> Taskwarrior:
    return Taskwarrior(tmp_path / "tw")


@pytest.fixture
def team_tasks(tw: Taskwarrior) -> Taskwarrior:
    """Every status, an annotation, a dependency, a dotted project, priorities, tags, UDAs and a recurring task.

    Dates are far ahead: Taskwarrior reads them against the real clock (``until`` in the past deletes a task).
    """
    tw.run("add", "Write the migration", "project:ops.security", "priority:H", "+db", "due:2030-02-14",
           "estimate:3", "reviewer:ben", "owner:ben")
    tw.run("add", "Deploy it", "project:ops", "depends:1", "+release", "priority:M")
    tw.run("add", "Wait for the vendor", "wait:2030-03-01", "priority:L")
    # Taskwarrior counts recurrences from its own clock: due soon, so it makes one instance.
    tw.run("add", "Weekly report", "recur:weekly", "due:tomorrow", "project:admin")
    tw.run("add", "Done already")
    tw.run("5", "done")
    tw.run("add", "Thrown away")
    tw.run("6", "delete")
    tw.run("1", "annotate", "Talked to ana about the schema")
    tw.run("1", "start")
    tw.run("add", "Scheduled one", "scheduled:2030-02-01", "until:2030-06-30")
    tw.run("list")  # makes the recurring task's first instance, as a person's next command would
    return tw


def write_export(tw: Taskwarrior, folder: Path, *args: str, name: str = "tasks.json") -> Path:
    path = folder / name
    path.write_text(tw.export(*args))
    return path


def test_every_status_and_field_comes_in(run: Any, ws: Path, team_tasks: Taskwarrior, tmp_path: Path) -> None:
    export = write_export(team_tasks, tmp_path)
    tasks = orjson.loads(export.read_bytes())
    uuids = {task["description"]: task["uuid"] for task in tasks}
    recurring = next(task for task in tasks if task["status"] == "recurring")
    result = run("import", export)
    assert result.code == 0, result.err
    assert "(taskwarrior): 10 new, 0 updated, 0 unchanged, 1 skipped" in result.out
    assert "an instance of the recurring task 'Weekly report'; the recurring workflow makes its own" in result.out
    docs = by_title(ws)
    migration = docs["Write the migration"]
    assert migration["status"] == "doing"  # started
    assert migration["due"] == "2030-02-14" and migration["priority"] == 1 and migration["tags"] == ["db"]
    assert migration["owner"] == "ben"  # the owner UDA, a person in the workspace
    note = migration["why_log"][0]
    assert note["kind"] == "note" and note["text"] == "Talked to ana about the schema" and note["at"].endswith("Z")
    fields = migration["source"]["fields"]
    assert fields["estimate"] == 3 and fields["reviewer"] == "ben" and fields["project"] == "ops.security"
    assert "urgency" not in fields and "id" not in fields
    assert migration["source"]["system"] == "taskwarrior" and migration["source"]["id"] == uuids["Write the migration"]
    security, ops = docs["security"], docs["ops"]
    assert (security["kind"], ops["kind"]) == ("workstream", "project")
    assert migration["parent"] == security["id"] and security["parent"] == ops["id"]
    deploy = docs["Deploy it"]
    assert deploy["blocked_by"] == [migration["id"]] and deploy["parent"] == ops["id"] and deploy["priority"] == 2
    waiting = docs["Wait for the vendor"]
    assert waiting["status"] == "inbox" and waiting["snoozed_until"] == "2030-03-01" and waiting["priority"] == 3
    done, gone = docs["Done already"], docs["Thrown away"]
    assert done["status"] == "done" and gone["status"] == "archived"
    assert done["status_since"].endswith("Z") and done["source"]["fields"]["end"]
    report = docs["Weekly report"]
    due = recurring["due"]
    assert report["kind"] == "recurring" and report["rule"] == "every week"
    assert report["rule_start"] == f"{due[:4]}-{due[4:6]}-{due[6:8]}"
    assert docs["Scheduled one"]["source"]["fields"]["scheduled"] == "20300201T000000Z"
    assert docs["Scheduled one"]["source"]["fields"]["until"] == "20300630T000000Z"
    assert sum(1 for task in tasks if task.get("parent") == recurring["uuid"]) == 1  # Taskwarrior's instance…
    # …is not imported: the workflow makes its own instances from its rule.
    assert [doc["kind"] for doc in items(ws).values() if doc["title"] == "Weekly report"] == ["recurring"]


def test_reimport_updates_and_never_duplicates(run: Any, ws: Path, team_tasks: Taskwarrior, tmp_path: Path) -> None:
    first = write_export(team_tasks, tmp_path)
    assert run("import", first).code == 0
    count = len(items(ws))
    again = run("import", first)
    assert "0 new, 0 updated, 10 unchanged" in again.out and len(items(ws)) == count
    # In worktop, someone gives "Deploy it" an owner and a due date; in Taskwarrior the priority changes.
    deploy = by_title(ws)["Deploy it"]["id"]
    assert run("set", deploy, "owner=cy", "due=2025-03-03").code == 0
    team_tasks.run("2", "modify", "priority:H")
    team_tasks.run("2", "annotate", "Needs the new schema")
    second = write_export(team_tasks, tmp_path, name="again.json")
    result = run("import", second)
    assert "0 new, 1 updated, 9 unchanged" in result.out and f"updated #{deploy}: priority, notes" in result.out
    doc = items(ws)[deploy]
    assert (doc["priority"], doc["owner"], doc["due"]) == (1, "cy", "2025-03-03")  # worktop's edits stand
    assert [e["text"] for e in doc["why_log"]] == ["Needs the new schema"]
    assert len(items(ws)) == count


def test_a_task_finished_in_taskwarrior_is_finished_here(run: Any, ws: Path, team_tasks: Taskwarrior,
                                                         tmp_path: Path) -> None:
    assert run("import", write_export(team_tasks, tmp_path)).code == 0
    team_tasks.run("1", "done")
    result = run("import", write_export(team_tasks, tmp_path, name="later.json"))
    migration = by_title(ws)["Write the migration"]
    assert migration["status"] == "done" and "status" in result.out
    assert f"updated #{migration['id']}: status" in result.out
    # Deploy it waited on it; it is no longer blocked (the blocker is done), and the pulse counts it done once.
    pulse = orjson.loads(run("pulse", "--json").out)
    assert pulse["blocked"]["count"] == 0


def test_dry_run_reports_and_writes_nothing(run: Any, ws: Path, team_tasks: Taskwarrior, tmp_path: Path) -> None:
    export = write_export(team_tasks, tmp_path)
    before = written(ws)
    result = run("import", export, "--dry-run")
    assert result.code == 0
    assert result.out.splitlines()[0].startswith("would import") and "10 new" in result.out
    assert result.out.rstrip().endswith("(dry run: nothing was written)")
    assert written(ws) == before


def test_old_style_exports_read_too(run: Any, ws: Path, team_tasks: Taskwarrior, tmp_path: Path) -> None:
    """One object a line (``rc.json.array=off``), and depends as a comma-separated string (Taskwarrior 2.5 and
    older wrote that; 2.6 always writes a list, so the test rewrites its line as 2.5 would have)."""
    lines = []
    for line in team_tasks.export("rc.json.array=off").splitlines():
        task = orjson.loads(line)
        if "depends" in task:
            task["depends"] = ",".join(task["depends"])
        lines.append(orjson.dumps(task).decode())
    path = tmp_path / "lines.json"
    path.write_text("\n".join(lines) + "\n")
    assert not path.read_text().lstrip().startswith("[") and '"depends":"' in path.read_text()
    result = run("import", path, "--from", "taskwarrior")
    assert result.code == 0 and "10 new" in result.out
    docs = by_title(ws)
    assert docs["Deploy it"]["blocked_by"] == [docs["Write the migration"]["id"]]


def test_a_taskwarrior_3_export_reads(run: Any, ws: Path, tmp_path: Path) -> None:
    """Taskwarrior 3.x writes the same JSON (a list, depends as a list of uuids, no id on closed tasks)."""
    path = tmp_path / "tw3.json"
    path.write_bytes(orjson.dumps([
        {"id": 1, "description": "Upgrade the runners", "entry": "20250110T080000Z", "modified": "20250110T080000Z",
         "status": "pending", "uuid": "0c6a2f5e-5f2b-4d4e-9a53-1f3b9f7a5a01", "tags": ["ci"], "urgency": 1.8,
         "depends": ["7d1c7a36-2a7e-4a0f-8c0b-2a8f3f0e7b02"]},
        {"description": "Pin the image", "end": "20250112T080000Z", "entry": "20250110T080000Z",
         "modified": "20250112T080000Z", "status": "completed", "uuid": "7d1c7a36-2a7e-4a0f-8c0b-2a8f3f0e7b02",
         "urgency": 0},
    ]))
    assert run("import", path).code == 0
    docs = by_title(ws)
    assert docs["Pin the image"]["status"] == "done"
    assert docs["Upgrade the runners"]["blocked_by"] == [docs["Pin the image"]["id"]]


@pytest.mark.parametrize(("content", "says"), [
    ('[{"uuid": "a", "description": "x"},\n{"uuid": ', "line 2"),
    ('[{"uuid": "a1", "description": "ok"}, {"description": "no uuid"}]', "record 2: no 'uuid'"),
    ('[{"uuid": "a1", "description": "ok"}, 42]', "record 2: a task must be a JSON object"),
])
def test_a_broken_export_is_refused_naming_the_place(run: Any, ws: Path, tmp_path: Path, content: str,
                                                     says: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    before = written(ws)
    result = run("import", path, "--from", "taskwarrior")
    assert result.code == 1 and result.err.startswith(f"worktop: {path}") and says in result.err
    assert "Traceback" not in result.err and written(ws) == before


def test_round_trip_through_the_real_task_binary(run: Any, ws: Path, tw: Taskwarrior, tmp_path: Path) -> None:
    """worktop → task import → task export → worktop keeps title, status, owner, due, tags, priority, notes, blockers."""
    assert run("add", "SSO", "--kind", "project", "--owner", "ana").code == 0
    assert run("add", "Write the SAML handler", "--parent", "1", "--owner", "ben", "--due", "2025-02-01",
               "--tag", "auth", "--tag", "backend", "--priority", "1").code == 0
    assert run("add", "Pick a library", "--parent", "1", "--owner", "cy", "--priority", "3").code == 0
    assert run("block", "2", "--by", "3").code == 0
    assert run("note", "2", "Decision: SAML first").code == 0
    assert run("move", "3", "done").code == 0
    assert run("add", "Old idea").code == 0 and run("move", "4", "archived").code == 0
    out = tmp_path / "for-task.json"
    assert run("export", "--to", "taskwarrior", "-o", out).code == 0
    tw.import_file(out)
    tasks = {task["description"]: task for task in tw.tasks()}
    assert tasks["Write the SAML handler"]["project"] == "SSO" and tasks["Pick a library"]["status"] == "completed"
    back = tmp_path / "from-task.json"
    back.write_text(tw.export())

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert run("init", fresh / "worktop.json").code == 0
    for handle in ("ana", "ben", "cy"):
        run("person", "add", handle, "-w", fresh / "worktop.json")
    assert run("import", back, "-w", fresh / "worktop.json").code == 0
    mine, theirs = by_title(ws), by_title(fresh / "worktop.json")
    for title in ("SSO", "Write the SAML handler", "Pick a library", "Old idea"):
        for name in ("status", "owner", "due", "tags", "priority", "kind"):
            assert theirs[title].get(name) == mine[title].get(name), (title, name)
    saml = theirs["Write the SAML handler"]
    assert [e["text"] for e in saml["why_log"] if e["kind"] == "note"] == ["Decision: SAML first"]
    assert saml["blocked_by"] == [theirs["Pick a library"]["id"]] and saml["parent"] == theirs["SSO"]["id"]
    # Back into the workspace it came from: the same items, nothing new.
    again = run("import", back)
    assert again.code == 0 and "0 new" in again.out and len(items(ws)) == 4


def test_an_imported_task_goes_back_out_with_its_uuid_and_udas(run: Any, ws: Path, team_tasks: Taskwarrior,
                                                               tmp_path: Path) -> None:
    source = orjson.loads(write_export(team_tasks, tmp_path).read_bytes())
    assert run("import", tmp_path / "tasks.json").code == 0
    exported = {task["description"]: task for task in orjson.loads(run("export", "--to", "taskwarrior").out)}
    original = next(task for task in source if task["description"] == "Write the migration")
    assert exported["Write the migration"]["uuid"] == original["uuid"]
    assert exported["Write the migration"]["estimate"] == 3 and exported["Write the migration"]["reviewer"] == "ben"
    assert exported["Weekly report"]["status"] == "recurring" and exported["Weekly report"]["recur"] == "weekly"
    team_tasks.import_file(tmp_path / "tasks.json")  # task import takes its own export back…
    out = tmp_path / "ours.json"
    out.write_text(run("export", "--to", "taskwarrior").out)
    team_tasks.import_file(out)  # …and ours: same uuids, so the tasks are updated, not added
    descriptions = [task["description"] for task in team_tasks.tasks() if task["status"] != "deleted"]
    assert descriptions.count("Write the migration") == 1


def test_a_hostile_export_cannot_damage_the_workspace(run: Any, ws: Path, tmp_path: Path) -> None:
    """A UDA nested 100 levels deep (the workspace refuses documents nested past 64) and a 50k-character
    description: both come in, the file stays readable, and nothing is lost."""
    deep: Any = "bottom"
    for _ in range(100):
        deep = {"down": deep}
    path = tmp_path / "hostile.json"
    path.write_bytes(orjson.dumps([
        {"uuid": "11111111-2222-4333-8444-555555555555", "description": "x" * 50_000, "status": "pending",
         "entry": "20250110T080000Z", "weird": deep, "\x1b]0;pwned\x07": "escape in a UDA name"},
    ]))
    result = run("import", path)
    assert result.code == 0, result.err
    assert run("ls").code == 0  # the workspace reads back
    doc = next(iter(items(ws).values()))
    assert len(doc["title"]) == 200 and doc["title"].endswith("…") and doc["body"].startswith("x" * 100)
    kept = doc["source"]["fields"]
    assert orjson.loads(kept["weird"]) == deep and kept["\x1b]0;pwned\x07"] == "escape in a UDA name"
