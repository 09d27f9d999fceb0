"""Importing todo.txt, Linear's CSV, any CSV with --map, GitHub issues and Trello boards; exporting CSV, todo.txt, JSON.

The fixtures in tests/fixtures/interchange/ follow each format's documentation:
todo.txt's README examples, Linear's export header, the JSON ``gh issue list
--json …`` prints (cli/cli's field names), and a Trello board export. The
workspace has people ana, ben and cy, acting as ana, today pinned to 2025-01-15; each test that uses it
runs on the file and on PostgreSQL (through a pointer file).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import ROOT
from tests.unit.test_cli import stored, written

pytestmark = pytest.mark.both_stores

FIXTURES = ROOT / "tests" / "fixtures" / "interchange"


def items(ws: Path) -> dict[int, dict[str, Any]]:
    """What the workspace at ``ws`` (a file, or a pointer file) stores, by id."""
    return {int(k): v for k, v in stored(ws)["items"].items()}


def by_title(ws: Path) -> dict[str, dict[str, Any]]:
    return {doc["title"]: doc | {"id": item_id} for item_id, doc in items(ws).items()}


def copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copy(FIXTURES / name, target)
    return target


# -- todo.txt ---------------------------------------------------------------------------------

def test_todotxt_fields(run: Any, ws: Path, tmp_path: Path) -> None:
    result = run("import", copy("todo.txt", tmp_path))
    assert result.code == 0 and "(todotxt): 15 new" in result.out
    docs = by_title(ws)
    mom = docs["Thank Mom for the meatballs"]
    assert mom["priority"] == 1 and mom["tags"] == ["phone"] and mom["status"] == "todo"
    pickup = docs["Schedule Goodwill pickup"]
    assert pickup["priority"] == 2 and docs["GarageSale"]["kind"] == "project"
    assert pickup["parent"] == docs["GarageSale"]["id"] == docs["Post signs around the neighborhood"]["parent"]
    assert docs["Eskimo pies"]["tags"] == ["grocerystore"]
    call = docs["Call Mom"]
    assert call["priority"] == 1 and call["created_at"] == "2011-03-02T00:00:00Z"
    assert "priority" not in docs["Really gotta call Mom (A)"]  # "(A)" later in the line is not a priority (rule 1)
    assert docs["Really gotta call Mom (A)"]["tags"] == ["phone", "someday"]
    plumber = docs["Call the plumber"]
    assert plumber["status"] == "done" and plumber["status_since"] == "2011-03-03T00:00:00Z"
    review = docs["Review Tim's pull request"]
    assert review["status"] == "done" and review["created_at"] == "2011-03-01T00:00:00Z"
    assert review["status_since"] == "2011-03-02T00:00:00Z" and review["priority"] == 2  # pri:B on a done line
    assert review["tags"] == ["github"] and review["parent"] == docs["TodoTxtTouch"]["id"]
    passport = docs["Renew passport"]
    assert (passport["due"], passport["owner"], passport["snoozed_until"], passport["priority"]) == (
        "2011-04-15", "ana", "2011-03-10", 3)
    assert docs["Email SoAndSo at soandso@example.com"].get("tags") is None  # no context in an address
    assert docs["Learn how to add 2+2"].get("parent") is None  # 2+2 is not a project
    paper = docs["Finish research paper on .benevolence and .life"]
    assert paper["source"]["fields"] == {"estimate": "3", "project": "English"}  # unknown key:value kept


def test_todotxt_reimport_follows_a_task_marked_done(run: Any, ws: Path, tmp_path: Path) -> None:
    path = copy("todo.txt", tmp_path)
    assert run("import", path).code == 0
    count = len(items(ws))
    assert "0 new, 0 updated, 15 unchanged" in run("import", path).out
    text = path.read_text().replace("(A) Thank Mom for the meatballs @phone",
                                    "x 2011-03-05 Thank Mom for the meatballs @phone pri:A")
    path.write_text(text)
    result = run("import", path)
    assert "0 new, 1 updated" in result.out and len(items(ws)) == count
    assert by_title(ws)["Thank Mom for the meatballs"]["status"] == "done"


def test_todotxt_export(run: Any, ws: Path) -> None:
    run("add", "Call the bank", "--priority", "1", "--tag", "phone", "--due", "2025-01-20", "--owner", "ben")
    run("add", "Paid", "--tag", "finance")
    run("move", "2", "done")
    lines = run("export", "--to", "todotxt").out.splitlines()
    assert lines[0].startswith("(A) 2") and lines[0].endswith("Call the bank @phone due:2025-01-20 owner:ben")
    assert lines[1].startswith("x ") and "Paid @finance" in lines[1]


# -- CSV ---------------------------------------------------------------------------------------

def test_linear_csv_fields(run: Any, ws: Path, tmp_path: Path) -> None:
    result = run("import", copy("linear.csv", tmp_path), "--add-people")
    assert result.code == 0 and "(csv, linear): 5 new" in result.out
    assert "added people: ana.lima, bo" in result.out
    docs = by_title(ws)
    sso = docs["Ship SSO"]
    assert (sso["status"], sso["priority"], sso["owner"], sso["due"]) == ("doing", 1, "ana.lima", "2026-12-15")
    assert sso["tags"] == ["feature", "security"] and sso["body"] == "Customers asked for SAML, then OIDC"
    assert sso["created_at"] == "2026-11-01T09:00:00Z" and sso["source"]["id"] == "ENG-1"
    fields = sso["source"]["fields"]
    assert fields["Team"] == "Engineering" and fields["Estimate"] == "5" and fields["Cycle Name"] == "Sprint 12"
    saml = docs["Write the SAML handler"]
    assert saml["body"] == 'Multi-line\ndescription, with a "quote"' and saml["owner"] == "bo"
    assert (saml["status"], saml["priority"], saml["parent"]) == ("todo", 2, sso["id"])
    idp = docs["Pick the IdP library"]
    assert saml["blocked_by"] == [idp["id"]]
    assert idp["status"] == "done" and idp["status_since"] == "2026-11-12T09:00:00Z" and idp["priority"] == 3
    cleanup = docs['=HYPERLINK("http://x") cleanup']  # the leading ' Linear adds is taken off
    assert cleanup["status"] == "declined" and cleanup["priority"] == 4 and "owner" not in cleanup
    triage = docs["Triage the login bug reports"]
    assert triage["status"] == "inbox" and "priority" not in triage and triage["tags"] == ["bug"]


def test_linear_statuses_can_be_mapped(run: Any, ws: Path, tmp_path: Path) -> None:
    result = run("import", copy("linear.csv", tmp_path), "--statuses", "Backlog=todo,In Progress=review")
    assert result.code == 0
    docs = by_title(ws)
    assert docs["Triage the login bug reports"]["status"] == "todo" and docs["Ship SSO"]["status"] == "review"
    bad = run("import", tmp_path / "linear.csv", "--statuses", "Backlog=later")
    assert bad.code == 1 and "no status 'later'" in bad.err


def test_people_are_listed_then_added(run: Any, ws: Path, tmp_path: Path) -> None:
    path = copy("linear.csv", tmp_path)
    first = run("import", path)
    assert "not in this workspace, so their work has no owner yet: ana.lima (Ana Lima), bo" in first.out
    assert "owner" not in by_title(ws)["Ship SSO"]
    second = run("import", path, "--add-people")
    assert "added people: ana.lima, bo" in second.out and "3 updated" in second.out  # ENG-1, 2, 3 have assignees
    assert by_title(ws)["Ship SSO"]["owner"] == "ana.lima"
    assert "Ana Lima" in run("people").out


def test_any_csv_with_a_map(run: Any, ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text("Key,Name,Who,Deadline,Labels,Notes\nA-1,Order laptops,ben,2025-02-01,\"it, ops\",Budget ok\n"
                    "A-2,Plan the offsite,,,,\n")
    result = run("import", path, "--map", "id=Key,title=Name,owner=Who,due=Deadline,tags=Labels")
    assert result.code == 0 and "(csv): 2 new" in result.out
    laptops = by_title(ws)["Order laptops"]
    assert (laptops["owner"], laptops["due"], laptops["tags"]) == ("ben", "2025-02-01", ["it", "ops"])
    assert (laptops["source"]["system"], laptops["source"]["id"]) == ("csv", "A-1")
    assert laptops["source"]["fields"] == {"Notes": "Budget ok"}
    missing = run("import", path)
    assert missing.code == 1 and "which column is the title?" in missing.err and "--map title=COLUMN" in missing.err
    typo = run("import", path, "--map", "title=Nme")
    assert typo.code == 1 and "no column 'Nme'" in typo.err


@pytest.mark.parametrize(("content", "says"), [
    ("title,owner\nok,ben\nbad,ben,extra\n", "row 3: 3 cells under a header of 2"),
    ('title,owner\n"never closed,ben\n', "not readable as CSV"),
    ("", "no header row"),
    ("title,title\nx,y\n", "names 'title' twice"),
])
def test_a_broken_csv_is_refused_naming_the_row(run: Any, ws: Path, tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(content)
    before = written(ws)
    result = run("import", path)
    assert result.code == 1 and says in result.err and str(path) in result.err
    assert written(ws) == before


def test_csv_export_is_rfc4180_and_formula_safe(run: Any, ws: Path, tmp_path: Path) -> None:
    run("add", "=HYPERLINK(\"http://evil\",\"click\")", "--owner", "ben", "--due", "2025-02-01")
    run("add", "+1 for the plan, \"really\"", "--body", "line one\nline two", "--tag", "ops")
    run("add", "@everyone read this")
    run("add", "-2 degrees")
    run("block", "2", "--by", "1")
    raw = run("export", "--to", "csv").out.encode()
    assert raw.startswith(b"id,title,kind,status,owner,due,") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode(), newline="")))
    titles = [row["title"] for row in rows]
    assert titles == ["'=HYPERLINK(\"http://evil\",\"click\")", "'+1 for the plan, \"really\"", "'@everyone read this",
                      "'-2 degrees"]
    assert rows[1]["body"] == "line one\nline two" and rows[1]["blocked_by"] == "1" and rows[0]["due"] == "2025-02-01"
    assert rows[0]["created_at"].endswith("Z")
    # Read back (into a fresh workspace), the ' comes off again.
    out = tmp_path / "items.csv"
    out.write_bytes(raw)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    run("init", fresh / "worktop.json")
    run("person", "add", "ben", "-w", fresh / "worktop.json")
    assert run("import", out, "-w", fresh / "worktop.json").code == 0
    back = by_title(fresh / "worktop.json")
    assert set(back) == {'=HYPERLINK("http://evil","click")', '+1 for the plan, "really"', "@everyone read this",
                         "-2 degrees"}
    assert back['+1 for the plan, "really"']["blocked_by"] == [back['=HYPERLINK("http://evil","click")']["id"]]


# -- GitHub and Trello -----------------------------------------------------------------------------

def test_github_issues(run: Any, ws: Path, tmp_path: Path) -> None:
    result = run("import", copy("gh-issues.json", tmp_path))
    assert result.code == 0 and "(github): 3 new" in result.out
    assert "octocat (The Octocat)" in result.out  # named by the source, not in the workspace
    docs = by_title(ws)
    login = docs["Login fails when the IdP is down"]
    assert login["source"]["id"] == "acme/web#42" and login["status"] == "todo"
    assert login["tags"] == ["bug", "good-first-issue"] and login["body"].startswith("The login page 500s")
    assert "\r" not in login["body"] and login["created_at"] == "2026-10-01T12:00:00Z"
    assert login["source"]["fields"]["assignees"] == ["octocat", "hubot"]
    milestone = docs["v1.2"]
    assert milestone["kind"] == "project" and milestone["due"] == "2026-12-31" and login["parent"] == milestone["id"]
    typo = docs["Typo in the footer"]
    assert typo["status"] == "done" and typo["status_since"] == "2026-11-02T08:30:00Z"  # "closed", either case


def test_trello_board(run: Any, ws: Path, tmp_path: Path) -> None:
    result = run("import", copy("trello.json", tmp_path), "--statuses", "QA=review", "--add-people")
    assert result.code == 0 and "(trello): 4 new" in result.out
    docs = by_title(ws)
    post = docs["Write the launch post"]
    assert post["status"] == "doing" and post["owner"] == "ada" and post["due"] == "2026-12-10"
    assert post["checklist"] == [{"text": "Outline", "done": True}, {"text": "Get it reviewed", "done": False}]
    assert post["tags"] == ["meta"] and post["body"] == "Draft in the doc"
    note = post["why_log"][0]
    assert (note["text"], note["by"], note["at"]) == ("Use the new screenshots", "grace_h", "2026-11-19T09:30:00Z")
    assert post["source"]["fields"]["members"] == ["ada", "grace_h"]
    assert docs["Check the pricing page"]["status"] == "review" and docs["Check the pricing page"]["tags"] == ["red"]
    assert docs["Book the venue"]["status"] == "done" and docs["Book the venue"]["owner"] == "grace_h"
    assert docs["Old logo ideas"]["status"] == "archived"  # its list is closed
    again = run("import", tmp_path / "trello.json", "--statuses", "QA=review")
    assert "0 new, 0 updated, 4 unchanged" in again.out


def test_trello_list_with_no_status_of_its_name_is_explained(run: Any, ws: Path, tmp_path: Path) -> None:
    result = run("import", copy("trello.json", tmp_path))
    assert "list 'QA': its cards go to" in result.out and "--statuses 'QA=STATUS'" in result.out
    assert by_title(ws)["Check the pricing page"]["status"] == "todo"


# -- the front door: formats, files, hostile input --------------------------------------------------

def test_the_format_is_told_from_the_file_or_asked_for(run: Any, ws: Path, tmp_path: Path) -> None:
    odd = tmp_path / "tasks.dat"
    odd.write_text("(A) Something\n")
    result = run("import", odd)
    assert result.code == 1 and "cannot tell the format" in result.err and "--from" in result.err
    assert run("import", odd, "--from", "todotxt").code == 0
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}')
    result = run("import", foreign)
    assert result.code == 1 and "not a Taskwarrior, GitHub" in result.err


def test_a_file_that_is_not_text_or_not_a_file_is_refused(run: Any, ws: Path, tmp_path: Path) -> None:
    latin = tmp_path / "todo.txt"
    latin.write_bytes("(A) Café\n(B) Crème brûlée\n".encode("latin-1"))
    result = run("import", latin)
    assert result.code == 1 and "line 1: not UTF-8 text" in result.err
    assert "is a folder" in run("import", tmp_path, "--from", "todotxt").err
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = run("import", fifo)  # would block for ever if it were opened for reading plainly
    assert result.code == 1 and "not a regular file" in result.err
    assert "no such file" in run("import", tmp_path / "nope.txt").err


def test_a_file_over_the_limit_is_refused(run: Any, ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import data.interchange

    monkeypatch.setattr(data.interchange, "READ_LIMIT", 1024 * 1024)
    big = tmp_path / "todo.txt"
    big.write_text("a task\n" * 200_000)
    result = run("import", big)
    assert result.code == 1 and "an import reads at most 1 MB" in result.err


def test_a_nul_byte_in_todotxt_is_refused(run: Any, ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "todo.txt"
    path.write_bytes(b"fine\nbad\x00line\n")
    result = run("import", path)
    assert result.code == 1 and "line 2: a NUL byte" in result.err


def test_standard_input_is_read_with_dash(run: Any, ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"(B) From a pipe @cli\n")))
    assert run("import", "-", "--from", "todotxt").code == 0
    assert by_title(ws)["From a pipe"]["tags"] == ["cli"]


def test_a_dependency_cycle_in_a_source_is_cut_and_named(run: Any, ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "cycle.csv"
    path.write_text("id,title,blocked_by\nA,First,B\nB,Second,A\n")
    result = run("import", path)
    assert result.code == 0 and "would make a cycle (#2 → #1 → #2)" in result.out
    docs = by_title(ws)
    assert docs["First"]["blocked_by"] == [docs["Second"]["id"]] and "blocked_by" not in docs["Second"]


def test_a_large_import_shows_progress_on_a_terminal(run: Any, ws: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "todo.txt"
    path.write_text("".join(f"Task number {n} @bulk\n" for n in range(1500)))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    result = run("import", path)
    assert result.code == 0 and "1500 new" in result.out
    assert "importing 500/1500…" in terminal.getvalue() and "importing 1500/1500…" in terminal.getvalue()


def test_export_to_a_file_never_overwrites_the_workspace(run: Any, ws: Path, tmp_path: Path) -> None:
    run("add", "Keep me")
    before = written(ws)
    result = run("export", "--to", "json", "-o", ws)
    assert result.code == 1 and "is the workspace file" in result.err and written(ws) == before
    out = tmp_path / "out.json"
    assert run("export", "--to", "json", "-o", out, "owner:none").code == 0
    exported = orjson.loads(out.read_bytes())
    assert [item["title"] for item in exported] == ["Keep me"] and exported[0]["id"] == 1


@pytest.mark.parametrize(("name", "count"), [("todo.txt", 15), ("linear.csv", 5), ("gh-issues.json", 3),
                                             ("trello.json", 4)])
def test_each_format_dry_runs_without_writing_and_reimports_without_duplicates(
        run: Any, ws: Path, tmp_path: Path, name: str, count: int) -> None:
    path = copy(name, tmp_path)
    before = written(ws)
    dry = run("import", path, "--dry-run", "--add-people")
    assert dry.code == 0 and f": {count} new" in dry.out and written(ws) == before
    assert run("import", path, "--add-people").code == 0 and len(items(ws)) == count
    again = run("import", path)
    assert f"0 new, 0 updated, {count} unchanged" in again.out and len(items(ws)) == count
