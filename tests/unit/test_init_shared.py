"""``worktop init --shared GROUP PATH`` as any user (tests/unit/test_shared_users.py does it with real users).

Here the group is one this process already belongs to, so the tests run
without root: they check the modes and groups set, that an existing workspace
is shared without being rewritten, and that bad requests fail with one clear
line and change nothing.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from data.store.lock import lock_path
from data.store.presence import presence_dir
from data.writes.workspace import Workspace
from tests.unit.test_cli import one_error_line

MY_GROUP = grp.getgrgid(os.getegid()).gr_name


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_shared_makes_a_group_folder_and_group_writable_files(run: Any, tmp_path: Path) -> None:
    result = run("init", "--shared", MY_GROUP, tmp_path / "team")
    assert result.code == 0, result.err
    path = tmp_path / "team" / "worktop.json"
    assert f"created workspace at {path} for group {MY_GROUP}" in result.out
    assert "Pairing over SSH" in result.out
    assert mode(path.parent) == 0o2770
    assert mode(path) == mode(lock_path(path)) == 0o660
    assert mode(presence_dir(path)) == 0o2770
    assert {p.stat().st_gid for p in (path.parent, path, lock_path(path), presence_dir(path))} == {os.getegid()}
    assert Workspace(path).snapshot().settings.name == "team"


def test_others_read_lets_everyone_read(run: Any, tmp_path: Path) -> None:
    result = run("init", "--shared", MY_GROUP, "--others-read", "--name", "crew", tmp_path / "team")
    assert result.code == 0, result.err
    path = tmp_path / "team" / "worktop.json"
    assert mode(path.parent) == 0o2775 and mode(path) == 0o664
    assert "everyone else may read it (read-only)" in result.out
    assert Workspace(path).snapshot().settings.name == "crew"


def test_an_existing_workspace_is_shared_without_being_rewritten(run: Any, workspace: Workspace) -> None:
    os.chmod(workspace.path, 0o600)
    before = workspace.path.read_bytes()
    inode = workspace.path.stat().st_ino
    result = run("init", "--shared", MY_GROUP, workspace.path)
    assert result.code == 0, result.err
    assert "shared the existing workspace" in result.out
    assert workspace.path.read_bytes() == before and workspace.path.stat().st_ino == inode
    assert mode(workspace.path) == 0o660


def test_a_file_that_is_not_a_workspace_is_left_alone(run: Any, tmp_path: Path) -> None:
    path = tmp_path / "worktop.json"
    path.write_bytes(b"precious notes")
    os.chmod(path, 0o600)
    result = run("init", "--shared", MY_GROUP, path)
    assert result.code == 3 and "not valid JSON" in one_error_line(result)
    assert path.read_bytes() == b"precious notes" and mode(path) == 0o600


@pytest.mark.parametrize(("argv", "says"), [
    (["--shared", "no-such-group-here"], "there is no group 'no-such-group-here'"),
    (["--others-read"], "--others-read goes with --shared GROUP"),
])
def test_bad_requests_fail_in_one_line_and_make_nothing(run: Any, tmp_path: Path, argv: list[str], says: str) -> None:
    result = run("init", *argv, tmp_path / "team")
    assert result.code in (1, 3)
    assert says in one_error_line(result)
    assert not (tmp_path / "team").exists()


def test_a_sticky_world_writable_folder_is_refused(run: Any, tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o1777)
    try:
        result = run("init", "--shared", MY_GROUP, tmp_path)
        assert result.code == 3
        assert "world-writable sticky folder" in one_error_line(result)
        assert mode(tmp_path) == 0o1777 and not (tmp_path / "worktop.json").exists()
    finally:
        os.chmod(tmp_path, 0o700)


def test_sharing_an_existing_workspace_fixes_its_history_too(run: Any, workspace: Workspace) -> None:
    """The history written while the workspace was private gets the shared mode, so everyone in the
    group can append to it (and everyone, with --others-read, read it)."""
    from data.store.history_file import history_path
    from data.writes.ops import CreateItem

    os.chmod(workspace.path, 0o600)
    os.chmod(history_path(workspace.path), 0o600)
    workspace.apply(CreateItem("before sharing"))
    assert mode(history_path(workspace.path)) == 0o600
    result = run("init", "--shared", MY_GROUP, "--others-read", workspace.path)
    assert result.code == 0, result.err
    assert mode(history_path(workspace.path)) == 0o664
    assert f"{history_path(workspace.path)}: mode 0664" in result.out
