"""A member of the group against root and against each other, with real Unix users.

``worktop init --shared`` changes modes and groups, often as root (the
README's repair step), and presence cleanup deletes files: both act on names in
a folder every member can write. Each test plants, as one real user, what that
user could leave there, then lets root or a teammate run worktop, and checks
that nothing outside the workspace changed. Needs root (tests/support/users.py).
"""

from __future__ import annotations

import os
import pwd
import stat
import time
from pathlib import Path

import pytest

import data.store.sharing  # noqa: F401 - loaded before the fork: the CLI imports it lazily
import data.writes.ops  # noqa: F401
from data.store.history_file import history_path
from data.store.lock import lock_path
from data.store.presence import Presence, PresenceFolder, labels, presence_dir
from tests.support.users import Users, as_user, cli_as, cli_run, needs_root

pytestmark = needs_root


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def shared_workspace(users: Users, base: Path) -> Path:
    code, _out, err = cli_run("init", "--shared", users.group, base / "team")
    assert code == 0, err
    return base / "team" / "worktop.json"


def root_secret(base: Path) -> Path:
    """A file only root may read, standing in for /etc/shadow."""
    secret = base / "secret"
    secret.write_text("root:$6$hash:...\n")
    os.chmod(secret, 0o600)
    return secret


def replace_with_link(user: str, name: Path, target: Path) -> None:
    """As ``user`` (a member): remove ``name`` and put a symbolic link to ``target`` in its place."""

    def plant() -> None:
        if name.is_dir() and not name.is_symlink():
            os.rename(name, name.with_name(name.name + ".moved"))
        else:
            name.unlink(missing_ok=True)
        name.symlink_to(target)

    as_user(user, plant)


@pytest.mark.parametrize("sidecar", ["lock", "history"])
def test_root_repairing_a_shared_workspace_follows_no_link_a_member_planted(users: Users, base: Path,
                                                                          sidecar: str) -> None:
    path = shared_workspace(users, base)
    cli_as(users.ana, "-w", path, "add", "leaves a change note")
    secret = root_secret(base)
    planted = lock_path(path) if sidecar == "lock" else history_path(path)
    replace_with_link(users.bo, planted, secret)

    code, out, err = cli_run("init", "--shared", users.group, path)  # root runs the README's repair step
    assert mode(secret) == 0o600 and os.stat(secret).st_gid == 0, "root's file was given to the group"
    assert code == 3 and "symbolic link" in err and str(planted) in err, (code, out, err)
    assert "Traceback" not in err


def test_root_repairing_does_not_give_a_folder_a_member_linked_as_the_presence_folder(users: Users,
                                                                                     base: Path) -> None:
    path = shared_workspace(users, base)
    private = base / "root-only"
    private.mkdir(mode=0o700)
    replace_with_link(users.bo, presence_dir(path), private)
    code, _out, err = cli_run("init", "--shared", users.group, path)
    assert mode(private) == 0o700 and os.stat(private).st_gid == 0
    assert code == 3 and "symbolic link" in err


def test_root_repairing_refuses_a_hard_link_to_a_file_elsewhere(users: Users, base: Path) -> None:
    """Where the kernel allows hard links to other people's files (fs.protected_hardlinks=0)."""
    path = shared_workspace(users, base)
    secret = root_secret(base)
    lock_path(path).unlink()
    os.link(secret, lock_path(path))  # what a member could do on such a system
    code, _out, err = cli_run("init", "--shared", users.group, path)
    assert mode(secret) == 0o600 and os.stat(secret).st_gid == 0
    assert code == 3 and "links" in err


def test_a_member_cannot_get_a_teammates_file_opened_up_by_init_shared(users: Users, base: Path) -> None:
    """ana shares her own folder; bo, a member, links the lock to ana's ~/.bashrc before she repairs it."""
    os.chown(base, pwd.getpwnam(users.ana).pw_uid, -1)
    code, _out, err = cli_as(users.ana, "init", "--shared", users.group, base / "team")
    assert code == 0, err
    path = base / "team" / "worktop.json"
    bashrc = base / "ana-bashrc"
    bashrc.write_text("alias ls='ls --color'\n")
    os.chown(bashrc, pwd.getpwnam(users.ana).pw_uid, pwd.getpwnam(users.ana).pw_gid)
    os.chmod(bashrc, 0o644)
    replace_with_link(users.bo, lock_path(path), bashrc)
    code, _out, err = cli_as(users.ana, "init", "--shared", users.group, path)
    assert mode(bashrc) == 0o644 and os.stat(bashrc).st_gid == pwd.getpwnam(users.ana).pw_gid
    assert code == 3 and "symbolic link" in err


def test_presence_cleanup_never_deletes_through_a_link_to_a_teammates_folder(users: Users, base: Path) -> None:
    path = shared_workspace(users, base)
    bo_uid = pwd.getpwnam(users.bo).pw_uid
    project = base / "bo-project"
    project.mkdir()
    files = {"package.json": b"{}", "settings.json": b'{"a": 1}', ".build.tmp": b"x"}
    for name, content in files.items():
        (project / name).write_bytes(content)
        os.utime(project / name, (time.time() - 3600, time.time() - 3600))  # older than any stale presence
    for entry in [project, *project.iterdir()]:
        os.chown(entry, bo_uid, -1)
    replace_with_link(users.ana, presence_dir(path), project)

    def bo_opens_worktop() -> list[Presence]:
        folder = PresenceFolder(path)
        folder.ensure()
        try:
            folder.write(folder.me(users.bo, pane="board"))
        except OSError:
            pass  # no presence folder to write in: bo is simply not announced
        return folder.read()

    as_user(users.bo, bo_opens_worktop)
    assert sorted(os.listdir(project)) == sorted(files), "bo's own files were deleted or written to"
    for name, content in files.items():
        assert (project / name).read_bytes() == content


def test_a_presence_claiming_another_name_shows_who_really_wrote_it(users: Users, base: Path) -> None:
    path = shared_workspace(users, base)

    def bo_claims_to_be(name: str) -> None:
        folder = PresenceFolder(path)
        folder.ensure()
        folder.write(Presence(user=name, host=folder.host, pid=1, started=time.time(), at=time.time()))

    as_user(users.bo, lambda: bo_claims_to_be(users.ana))
    (seen,) = as_user(users.ana, lambda: PresenceFolder(path).read())
    assert seen.owner == users.bo
    assert labels([seen])[seen.key] == f"{users.ana}({users.bo})"


def test_a_presence_stamped_far_in_the_future_is_not_a_ghost(users: Users, base: Path) -> None:
    path = shared_workspace(users, base)

    def ghost() -> None:
        folder = PresenceFolder(path)
        folder.ensure()
        ghost = Presence(user="root", host=folder.host, pid=1, started=0.0, at=9_999_999_999.0)
        (presence_dir(path) / ghost.file_name).write_bytes(ghost.to_json())

    as_user(users.bo, ghost)
    assert as_user(users.ana, lambda: PresenceFolder(path).read()) == []
