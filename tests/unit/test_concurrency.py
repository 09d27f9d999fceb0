"""Many real processes on one workspace file: nothing lost, nothing half-written.

Every test here runs separate Python interpreters (not threads), because the
guarantees are about processes: the sidecar ``flock``, re-reading a file that
another process replaced, and a writer killed with SIGKILL mid-write.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from data.store.file_store import read_file, read_history
from data.writes.ops import CreateItem
from data.writes.workspace import Workspace


def _norm(value: Any) -> Any:
    return None if value in ("", [], {}) else value


def assert_history_matches_file(path: Path, *, seeded: bool = False) -> dict[str, Any]:
    """Replay the history and check it against the file; returns the parsed file.

    Revisions run 1, 2, 3, … with no gap or repeat; each change's "from" value
    is what the replay holds at that point (so no write was lost in between);
    and after the replay every field history mentions holds in the file what
    history says it does. ``seeded``: items written straight into the file by
    the test (no history) are allowed.
    """
    data, _ = read_file(path)
    entries = sorted(read_history(path), key=lambda e: e["rev"])
    data["history"] = {str(n): e for n, e in enumerate(entries, start=1)}
    revisions = [e["rev"] for e in entries]
    assert revisions == list(range(1, len(entries) + 1)), "history revisions must be 1..N with no gap"
    assert data["meta"]["1"]["revision"] == len(entries)
    state: dict[int, dict[str, Any]] = {}
    for entry in entries:
        if entry["item"] is None:
            continue
        doc = state.setdefault(entry["item"], {})
        for name, (old, new) in entry["changes"].items():
            assert _norm(doc.get(name)) == _norm(old), (
                f"rev {entry['rev']} changed #{entry['item']} {name} from {old!r}, but it held {doc.get(name)!r}"
            )
            doc[name] = new
    items = data["items"]
    if seeded:
        assert set(state) <= {int(k) for k in items}, "every item in history is in the file"
    else:
        assert set(state) == {int(k) for k in items}, "every item has a history, every history an item"
    for item_id, fields in state.items():
        for name, value in fields.items():
            assert _norm(items[str(item_id)].get(name)) == _norm(value), f"#{item_id} {name} in file vs history"
    return data


# -- many writers at once ----------------------------------------------------

FIELDS = ("title", "body", "why", "tags", "due", "requester", "snoozed_until", "priority")
"""One field per writer: writers share items but never a field, so every write must survive."""

SHARED = 8
OPS = 100

WRITER = """
import sys, json
from datetime import date, timedelta
from data.writes.ops import CreateItem, SetFields
from data.writes.workspace import Workspace

path, number, field, shared, ops = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

def value(j):
    if field in ("title", "body", "why"):
        return f"{field} by w{number} #{j}"
    if field == "tags":
        return [f"w{number}-{j}"]
    if field == "requester":
        return f"r{number}-{j}"
    if field in ("due", "snoozed_until"):
        return (date(2030, 1, 1) + timedelta(days=j)).isoformat()
    return (j // shared) % 4 + 1  # priority: differs from this writer's last value on the item

ws = Workspace(path, actor=f"w{number}")
print("ready", flush=True)
sys.stdin.readline()
created, last = [], {}
for i in range(ops):
    if i % 2 == 0:
        created.append(ws.apply(CreateItem(f"w{number} made {i}")).item_id)
    else:
        j = i // 2
        item = j % shared + 1
        ws.apply(SetFields(item, {field: value(j)}))
        last[item] = value(j)
print(json.dumps({"created": created, "last": last}), flush=True)
"""


@pytest.mark.slow
def test_eight_writers_lose_nothing(workspace: Workspace, python_children: Any) -> None:
    for n in range(SHARED):
        workspace.apply(CreateItem(f"shared {n + 1}"))
    writers = [python_children.start(WRITER, workspace.path, n, field, SHARED, OPS, stdin=subprocess.PIPE)
               for n, field in enumerate(FIELDS)]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
    for writer in writers:  # start them together, so the lock is contended
        writer.stdin.write("go\n")
        writer.stdin.flush()
    reports = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))

    data = assert_history_matches_file(workspace.path)
    snap = workspace.snapshot()
    ops_total = SHARED + len(writers) * OPS
    assert snap.revision == 1 + ops_total
    assert len(data["history"]) == 1 + ops_total
    created = [i for report in reports for i in report["created"]]
    assert len(created) == len(set(created)) == len(writers) * OPS // 2
    assert len(snap.items) == SHARED + len(created)
    for number, report in enumerate(reports):
        actor = f"w{number}"
        assert sum(1 for e in data["history"].values() if e["by"] == actor) == OPS
        for item_id in report["created"]:
            assert snap.items[item_id].title.startswith(f"w{number} made ")
        field = FIELDS[number]
        for item_id, value in report["last"].items():
            assert data["items"][item_id][field] == value, f"w{number}'s last {field} on #{item_id} was lost"


# -- a writer killed at random moments ----------------------------------------

KILLED = """
import sys
from data.writes.ops import CreateItem, SetFields
from data.writes.workspace import Workspace

ws = Workspace(sys.argv[1], actor="victim")
tag = sys.argv[2]
print("ready", flush=True)
n = 0
mine = []
while True:
    n += 1
    if n % 3 == 0 and mine:
        result = ws.apply(SetFields(mine[-1], {"body": f"{tag} body {n}"}))
    else:
        result = ws.apply(CreateItem(f"{tag} item {n}"))
        mine.append(result.item_id)
    sys.stdout.write(f"{result.revision} {result.item_id}\\n")
    sys.stdout.flush()
"""


@pytest.mark.slow
def test_a_writer_killed_at_any_moment_leaves_a_whole_file_with_every_acknowledged_op(
        big_workspace: Any, python_children: Any) -> None:
    ws = big_workspace(1500)  # big enough that a kill often lands mid-write
    rng = random.Random(20250115)
    acknowledged: list[tuple[int, int]] = []
    for round_ in range(30):
        victim = python_children.start(KILLED, ws.path, f"r{round_}")
        assert victim.stdout.readline().strip() == "ready", victim.stderr.read()
        time.sleep(rng.uniform(0.0, 0.06))
        os.kill(victim.pid, signal.SIGKILL)
        out, _ = victim.communicate(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        lines = out.splitlines()
        # Only whole lines count: the kill may cut the last one mid-write.
        if lines and not out.endswith("\n"):
            lines.pop()
        acknowledged += [tuple(map(int, line.split())) for line in lines]

        data = assert_history_matches_file(ws.path, seeded=True)  # parses, validates, history consistent
        history = {entry["rev"]: entry for entry in data["history"].values()}
        for revision, item_id in acknowledged:
            assert revision in history, f"acknowledged revision {revision} is missing"
            assert history[revision]["by"] == "victim" and history[revision]["item"] == item_id
            assert str(item_id) in data["items"]

    assert len(acknowledged) > 30, "the writer should have had time to write between kills"
    snap = Workspace(ws.path).snapshot()
    assert snap.revision >= max(rev for rev, _ in acknowledged)
    # Kills mid-write leave temp files behind; the next write clears them away.
    ws.apply(CreateItem("after the kills"))
    assert not list(ws.path.parent.glob(".worktop.json.*.tmp"))


# -- two people editing the same field -----------------------------------------

RIVAL = """
import sys
from data.writes.ops import SetFields
from data.errors import Conflict
from data.writes.workspace import Workspace

ws = Workspace(sys.argv[1], actor=sys.argv[2])
seen = ws.snapshot().item(1).title
print("ready", flush=True)
sys.stdin.readline()
try:
    ws.apply(SetFields(1, {"title": f"{seen} as {sys.argv[2]} wants"}, expected={"title": seen}))
    print("won", flush=True)
except Conflict as error:
    print("conflict", error.by, str(error), flush=True)
"""


def test_conflicting_edits_one_wins_the_other_is_told_who(workspace: Workspace, python_children: Any) -> None:
    workspace.apply(CreateItem("original"))
    for round_ in range(4):
        names = (f"rio{round_}", f"sam{round_}")
        rivals = [python_children.start(RIVAL, workspace.path, name, stdin=subprocess.PIPE) for name in names]
        for rival in rivals:
            assert rival.stdout.readline().strip() == "ready", rival.stderr.read()
        for rival in rivals:
            rival.stdin.write("go\n")
            rival.stdin.flush()
        outcomes = {name: rival.communicate(timeout=30)[0].strip() for name, rival in zip(names, rivals, strict=True)}

        winners = [name for name, outcome in outcomes.items() if outcome == "won"]
        assert len(winners) == 1, outcomes
        winner = winners[0]
        (loser,) = set(names) - {winner}
        word, by, message = outcomes[loser].split(" ", 2)
        assert word == "conflict" and by == winner
        assert winner in message and "nothing was written" in message
        assert workspace.snapshot().item(1).title.endswith(f"as {winner} wants")
    assert_history_matches_file(workspace.path)
