"""One workspace, several Unix users: a folder a group shares, and why a user may not write.

``worktop init --shared GROUP PATH`` calls :func:`prepare_shared`: the folder
gets the group and the setgid bit (so every file made in it later, by anyone,
is the group's), and the workspace, its lock file and its presence folder are
group-writable. From then on every write keeps that: the storage layer gives
each new version of the file the old one's mode and group, whoever writes it.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import stat
from dataclasses import dataclass, field
from pathlib import Path

from data.store.presence import presence_dir
from data.store.storage import WorkspaceError, changes_path, lock_path

FOLDER_MODE = 0o2770
"""rwx for the owner and the group, setgid so new files get the group; nothing for others."""
FILE_MODE = 0o660


@dataclass
class SharedSetup:
    """What :func:`prepare_shared` did, for the CLI to report."""

    workspace: Path
    group: str
    created: bool
    """Whether the workspace file was made now (else an existing one was shared)."""
    others_read: bool = False
    changed: list[str] = field(default_factory=list)
    """One line per file or folder whose group or mode was set."""


def group_id(name: str) -> int:
    """The gid of a group name (or a number); a clear error if there is no such group."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        if name.isdigit():
            return int(name)
        raise WorkspaceError(f"there is no group {name!r} on this host; make one with `groupadd {name}` "
                             f"and add each person with `usermod -aG {name} USER`") from None


def group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def prepare_folder(folder: Path, gid: int, *, others_read: bool) -> str | None:
    """Give ``folder`` the group and mode of a shared workspace folder; returns what changed."""
    st = os.stat(folder)
    if st.st_mode & stat.S_ISVTX and st.st_mode & stat.S_IWOTH:
        raise WorkspaceError(f"{folder} is a world-writable sticky folder (like /tmp), where people cannot "
                             "replace each other's files; make a folder for the workspace inside it, "
                             f"e.g. {folder / 'team'}")
    mode = FOLDER_MODE | (0o005 if others_read else 0)
    return _set(folder, gid, mode)


def prepare_shared(path: Path, group: str, *, name: str | None = None, others_read: bool = False) -> SharedSetup:
    """Make (or take) a workspace that every member of ``group`` can read and write.

    Args:
        path: the workspace file. Its folder is made if missing (its parent
            must exist). An existing workspace is shared as it is, never rewritten.
        group: the Unix group whose members pair on the workspace.
        name: the workspace name for a new file.
        others_read: let users outside the group read it (they get it read-only).

    Raises:
        WorkspaceError: no such group, a file that is not a workspace, or a
            folder this user may not give to the group (with what to do).
    """
    from data.store.storage import read_file
    from data.writes.workspace import Workspace

    gid = group_id(group)
    folder = path.parent
    if not folder.exists():
        if not folder.parent.is_dir():
            raise WorkspaceError(f"folder {folder.parent} does not exist; nothing was written")
        os.mkdir(folder, 0o700)
    setup = SharedSetup(workspace=path, group=group_name(gid), created=not path.exists(), others_read=others_read)
    try:
        _note(setup, folder, prepare_folder(folder, gid, others_read=others_read))
        if setup.created:
            Workspace.create(path, name=name)
        else:
            read_file(path)  # refuses anything that is not a worktop workspace, before touching it
        file_mode = FILE_MODE | (0o004 if others_read else 0)
        _note(setup, path, _set(path, gid, file_mode))
        lock = lock_path(path)
        if not lock.exists():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _note(setup, lock, _set(lock, gid, file_mode))
        note = changes_path(path)  # later writes copy the workspace's mode to it; this one may predate the change
        if note.exists():
            _note(setup, note, _set(note, gid, file_mode))
        presence = presence_dir(path)
        if not presence.exists():
            os.mkdir(presence, 0o700)
        _note(setup, presence, _set(presence, gid, FOLDER_MODE | (0o005 if others_read else 0)))
    except PermissionError as error:
        target = error.filename or folder
        raise WorkspaceError(f"cannot give {target} to group {setup.group} (permission denied): run this as the "
                             f"owner of {folder}, who must be in {setup.group}, or as root") from None
    return setup


def _set(path: Path, gid: int, mode: int) -> str | None:
    st = os.stat(path)
    changes = []
    if st.st_gid != gid:
        os.chown(path, -1, gid)
        changes.append(f"group {group_name(gid)}")
    if stat.S_IMODE(os.stat(path).st_mode) != mode:  # chown may have cleared setgid
        os.chmod(path, mode)
        changes.append(f"mode {mode:04o}")
    return ", ".join(changes) or None


def _note(setup: SharedSetup, path: Path, change: str | None) -> None:
    if change:
        setup.changed.append(f"{path}: {change}")


def access_problem(path: Path) -> str | None:
    """Why this user cannot write the workspace, in words; None if they can.

    Names the group to join when the file is a group's and the user is not in
    it, so a read-only header can say what to ask for.
    """
    folder = path.parent
    if os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK):
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    uid, groups = os.geteuid(), set(os.getgroups()) | {os.getegid()}
    group = group_name(st.st_gid)
    if st.st_uid != uid and st.st_gid not in groups and st.st_mode & stat.S_IWGRP:
        return f"it belongs to group {group} and you ({_user(uid)}) are not in it"
    if not os.access(path, os.W_OK):
        return f"its mode is {stat.S_IMODE(st.st_mode):04o}, group {group}"
    return f"you cannot make files in its folder {folder}"


def read_problem(path: Path) -> str | None:
    """Why this user cannot read the workspace, in words (naming the group to join); None if they can."""
    blocked, need = None, "read"
    for folder in reversed(path.parents):
        if not os.access(folder, os.X_OK):
            blocked, need = folder, "enter"
            break
    if blocked is None:
        if os.access(path, os.R_OK):
            return None
        blocked = path
    try:
        st = os.stat(blocked)
    except OSError:
        return None
    what = "the folder" if need == "enter" else "the file"
    uid, groups = os.geteuid(), set(os.getgroups()) | {os.getegid()}
    group = group_name(st.st_gid)
    if st.st_uid != uid and st.st_gid not in groups and st.st_mode & (stat.S_IXGRP if need == "enter" else stat.S_IRGRP):
        return f"{what} {blocked} belongs to group {group} and you ({_user(uid)}) are not in it"
    return f"you may not {need} {what} {blocked} (mode {stat.S_IMODE(st.st_mode):04o}, group {group})"


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


__all__ = ["SharedSetup", "access_problem", "group_id", "prepare_shared", "read_problem"]
