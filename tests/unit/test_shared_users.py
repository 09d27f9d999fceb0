"""Several real Unix users on one workspace: ``worktop init --shared``, group writes, read-only outsiders.

These tests make throw-away users and a group (tests/support/users.py) and
remove them afterwards, so they need root; they are skipped, saying so,
otherwise. Everything each user's forked child touches on disk it touches with
that user's rights.
"""

from __future__ import annotations

import asyncio
import grp
import os
import pwd
import stat
from pathlib import Path
from typing import Any

import orjson

import data.model.query  # noqa: F401
import data.store.sharing  # noqa: F401
import data.writes.ops  # noqa: F401 - loaded before the fork: the CLI imports it lazily
from data.store.lock import lock_path
from data.store.presence import Presence, PresenceFolder, presence_dir
from tests.support.users import Users, as_user, cli_as, cli_run, needs_root, start_as
from tests.unit.test_concurrency import assert_history_matches_file

pytestmark = needs_root


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


ROUNDS = 25


def _member_session(path: Path, who: str, item: int, field: str) -> list[tuple[int, str]]:
    """What one member does: add items, set their field on a shared item, move it; every exit code."""
    codes = []
    for n in range(ROUNDS):
        code, out, err = cli_run("-w", path, "add", f"{who} task {n}")
        codes.append((code, err))
        code, out, err = cli_run("-w", path, "set", item, f"{field}={who} wrote {n}")
        codes.append((code, err))
    code, _out, err = cli_run("-w", path, "move", item, "doing")
    codes.append((code, err))
    return codes


def test_two_users_in_one_group_write_one_workspace_and_lose_nothing(users: Users, base: Path) -> None:
    grp_gid = grp.getgrnam(users.group).gr_gid
    os.chown(base, pwd.getpwnam(users.ana).pw_uid, -1)  # ana's own folder; she prepares it, not root
    code, out, err = cli_as(users.ana, "init", "--shared", users.group, base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    assert f"for group {users.group}" in out
    folder = path.parent
    assert mode(folder) == 0o2770 and folder.stat().st_gid == grp_gid
    for shared_file in (path, lock_path(path)):
        assert mode(shared_file) == 0o660 and shared_file.stat().st_gid == grp_gid, shared_file
    assert mode(presence_dir(path)) == 0o2770 and presence_dir(path).stat().st_gid == grp_gid

    code, out, err = cli_as(users.ana, "-w", path, "add", "shared item", "--why", "pairing")
    assert (code, out.strip()) == (0, "1"), err

    # Both at once, each as themselves, each with umask 022 and a primary group of their own.
    waits = [start_as(users.ana, lambda: _member_session(path, "a", 1, "why")),
             start_as(users.bo, lambda: _member_session(path, "b", 1, "body"))]
    for wait in waits:
        results = wait()
        assert all(code == 0 for code, _err in results), [err for code, err in results if code]

    # Whoever wrote last, the file is still the group's and group-writable; so is its backup.
    assert path.stat().st_uid in {pwd.getpwnam(users.ana).pw_uid, pwd.getpwnam(users.bo).pw_uid}
    for shared_file in (path, path.with_name("worktop.json.bak")):
        assert mode(shared_file) == 0o660 and shared_file.stat().st_gid == grp_gid, shared_file
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]

    # Nothing lost: every add is there, each person's last value of their own field survived,
    # the history replays to the file and names both people.
    data = assert_history_matches_file(path)
    titles = {doc["title"] for doc in data["items"].values()}
    assert titles == {"shared item"} | {f"{w} task {n}" for w in "ab" for n in range(ROUNDS)}
    shared_doc = data["items"]["1"]
    assert shared_doc["why"] == f"a wrote {ROUNDS - 1}" and shared_doc["body"] == f"b wrote {ROUNDS - 1}"
    assert shared_doc["status"] == "doing"
    assert {entry["by"] for entry in data["history"].values()} == {users.ana, users.bo}

    # And both can still read and write it.
    for name in (users.ana, users.bo):
        code, out, err = cli_as(name, "-w", path, "ls", "--json")
        assert code == 0, err
        assert len(orjson.loads(out)) == 1 + 2 * ROUNDS
        code, _out, err = cli_as(name, "-w", path, "note", 1, f"{name} was here")
        assert code == 0, err
    assert mode(path) == 0o660 and path.stat().st_gid == grp_gid


def test_someone_outside_the_group_cannot_even_see_a_private_shared_workspace(users: Users, base: Path) -> None:
    code, _out, err = cli_run("init", "--shared", users.group, base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    code, out, err = cli_as(users.outsider, "-w", path, "ls")
    assert code == 3 and out == ""
    assert "cannot be read (permission denied" in err and "Traceback" not in err
    assert f"the folder {path.parent} belongs to group {users.group} and you ({users.outsider}) are not in it" in err


def test_someone_outside_the_group_gets_it_read_only_with_the_reason(users: Users, base: Path) -> None:
    code, out, err = cli_run("init", "--shared", users.group, "--others-read", base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    assert cli_as(users.ana, "-w", path, "add", "visible to all")[0] == 0
    before = path.read_bytes()

    code, out, err = cli_as(users.outsider, "-w", path, "ls")
    assert code == 0 and "visible to all" in out, err
    code, out, err = cli_as(users.outsider, "-w", path, "add", "sneaky")
    assert code == 3 and out == ""
    assert f"belongs to group {users.group} and you ({users.outsider}) are not in it" in err
    assert path.read_bytes() == before


def _open_app_and_try_to_move_a_card(path: Path) -> dict[str, Any]:
    """Open the TUI headless on ``path``, try to move a card, and report what the user saw."""
    from data.writes.workspace import Workspace
    from tests.functional.conftest import screen_text
    from tui.app import WorktopApp

    async def session() -> dict[str, Any]:
        app = WorktopApp(Workspace(path), watch=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            await pilot.press("2", "shift+right")
            await pilot.pause()
            header = str(app.screen.query_one("#header").render())
            return {"header": header, "notes": [str(n.message) for n in app._notifications],
                    "screen": screen_text(app)}

    return asyncio.run(session())


def test_the_app_opens_read_only_for_a_real_outsider_and_says_why(users: Users, base: Path) -> None:
    code, _out, err = cli_run("init", "--shared", users.group, "--others-read", base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    assert cli_as(users.ana, "-w", path, "add", "card one")[0] == 0
    _open_app_and_try_to_move_a_card(path)  # warm up as root: every lazy import is loaded before the fork
    before = path.read_bytes()

    seen = as_user(users.outsider, lambda: _open_app_and_try_to_move_a_card(path))
    assert "READ-ONLY" in seen["header"]
    assert any(f"you ({users.outsider}) are not in it" in note for note in seen["notes"]), seen["notes"]
    assert path.read_bytes() == before  # the key press changed nothing

    member = as_user(users.bo, lambda: _open_app_and_try_to_move_a_card(path))
    assert "READ-ONLY" not in member["header"]
    assert orjson.loads(path.read_bytes())["items"]["1"]["status"] == "doing"  # bo's key press moved it

    os.chmod(path, 0o640)  # someone took the group's write away: members get it read-only too
    before = path.read_bytes()
    member = as_user(users.bo, lambda: _open_app_and_try_to_move_a_card(path))
    assert "READ-ONLY" in member["header"]
    assert any("its mode is 0640" in note for note in member["notes"]), member["notes"]
    assert path.read_bytes() == before


def test_a_member_cleans_up_after_another_members_killed_worktop(users: Users, base: Path) -> None:
    code, _out, err = cli_run("init", "--shared", users.group, base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"

    def announce_and_vanish() -> str:
        folder = PresenceFolder(path)
        folder.ensure()
        me = folder.write(folder.me(pwd.getpwuid(os.getuid()).pw_name, pane="board", selected=1))
        return me.file_name  # the child exits without removing it, as a SIGKILL would

    name = as_user(users.ana, announce_and_vanish)
    written = presence_dir(path) / name
    assert written.stat().st_uid == pwd.getpwnam(users.ana).pw_uid
    assert mode(written) == 0o644

    def look() -> list[Presence]:
        return PresenceFolder(path).read()

    assert as_user(users.bo, look) == []  # ana's child is gone: not shown...
    assert not written.exists()  # ...and bo could remove her file from the group's folder


def test_a_member_cannot_share_a_folder_they_do_not_own(users: Users, base: Path) -> None:
    (base / "team").mkdir()
    os.chmod(base / "team", 0o777)
    code, out, err = cli_as(users.bo, "init", "--shared", users.group, base / "team")
    assert code == 3
    assert "permission denied" in err and "as root" in err and "Traceback" not in err
