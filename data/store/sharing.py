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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from data.errors import WorkspaceError
from data.store.history_file import history_path
from data.store.lock import lock_path
from data.store.permissions import access_problem, group_name, read_problem, user_name
from data.store.presence import presence_dir
from data.store.safe_open import Untrusted, open_folder, open_folder_path, open_regular

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


def _refuse_sticky(folder_fd: int, folder: Path) -> None:
    """A world-writable sticky folder (like /tmp) cannot be shared: people could not replace each other's files."""
    st = os.fstat(folder_fd)
    if st.st_mode & stat.S_ISVTX and st.st_mode & stat.S_IWOTH:
        raise WorkspaceError(f"{folder} is a world-writable sticky folder (like /tmp), where people cannot "
                             "replace each other's files; make a folder for the workspace inside it, "
                             f"e.g. {folder / 'team'}")


def prepare_shared(path: Path, group: str, *, create: Callable[[Path], object],
                   others_read: bool = False) -> SharedSetup:
    """Make (or take) a workspace that every member of ``group`` can read and write.

    Every file and folder it changes is opened first — without following a
    link, anywhere in the path — and checked to be what it should be: a real
    folder, regular files with one link each, owned by root, this user or a
    member of the group. Modes and groups are then set on those descriptors,
    never by name, so a member who swapped the lock file for a link to
    ``/etc/shadow`` (or a teammate's ``~/.bashrc``), or the presence folder for
    a link to another folder, gets a refusal naming it and nothing changes.

    Args:
        path: the workspace file. Its folder is made if missing (its parent
            must exist). An existing workspace is shared as it is, never rewritten.
        group: the Unix group whose members pair on the workspace.
        create: makes a new, empty workspace at the path it is given (``Workspace.create``, which
            belongs to the layer above the store), called only when there is none yet.
        others_read: let users outside the group read it (they get it read-only).

    Raises:
        WorkspaceError: no such group, a file that is not a workspace, a
            planted link or odd file (named), or a folder this user may not
            give to the group (with what to do).
    """
    from data.store.file_store import read_file

    gid = group_id(group)
    path = Path(os.path.abspath(path))
    folder = path.parent
    if not os.path.lexists(folder):
        if not folder.parent.is_dir():
            raise WorkspaceError(f"folder {folder.parent} does not exist; nothing was written")
        os.mkdir(folder, 0o700)
    setup = SharedSetup(workspace=path, group=group_name(gid), created=not os.path.lexists(path),
                        others_read=others_read)
    file_mode = FILE_MODE | (0o004 if others_read else 0)
    folder_mode = FOLDER_MODE | (0o005 if others_read else 0)
    try:
        folder_fd = open_folder_path(folder)
    except Untrusted as error:
        raise WorkspaceError(f"{error} (a link in the path of a folder to share is not followed: give the real "
                             "path); nothing was changed") from None
    try:
        _refuse_sticky(folder_fd, folder)
        if setup.created:
            create(path)
        else:
            read_file(path)  # refuses anything that is not a worktop workspace, before touching it
        lock, history, presence = lock_path(path), history_path(path), presence_dir(path)
        note = path.with_name(f".{path.name}.changes")  # left by worktops before the line layout
        for sidecar in (lock, history):
            with contextlib.suppress(FileExistsError):
                os.close(os.open(sidecar.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                                 dir_fd=folder_fd))
        with contextlib.suppress(FileExistsError):
            os.mkdir(presence.name, 0o700, dir_fd=folder_fd)
        members = _members(gid)
        # Everything is opened and checked before anything is changed.
        targets = [(folder, os.dup(folder_fd), folder_mode)]
        try:
            for file in (path, lock, history, *([note] if os.path.lexists(note) else [])):
                targets.append((file, _open_checked(file, folder_fd, members), file_mode))
            targets.append((presence, _open_checked(presence, folder_fd, members, folder=True), folder_mode))
            for target, fd, target_mode in targets:
                _note(setup, target, _set(fd, gid, target_mode))
        finally:
            for _target, fd, _mode in targets:
                os.close(fd)
    except PermissionError as error:
        target = error.filename or folder
        raise WorkspaceError(f"cannot give {target} to group {setup.group} (permission denied): run this as the "
                             f"owner of {folder}, who must be in {setup.group}, or as root") from None
    finally:
        os.close(folder_fd)
    return setup


def _members(gid: int) -> set[int]:
    """Uids allowed to own files in the shared folder: root, this user, and the group's members."""
    allowed = {0, os.geteuid()}
    with contextlib.suppress(KeyError):
        names = set(grp.getgrgid(gid).gr_mem)
        allowed |= {entry.pw_uid for entry in pwd.getpwall() if entry.pw_name in names or entry.pw_gid == gid}
    return allowed


def _open_checked(path: Path, folder_fd: int, members: set[int], *, folder: bool = False) -> int:
    """Open ``path`` (a name in the folder) as a file (or folder) it is safe to change the mode and group of.

    Raises:
        WorkspaceError: a link, a FIFO or other odd file, a file with other
            hard links (it is also somewhere else), or owned by someone who
            could not have made it.
    """
    try:
        fd = open_folder(path.name, dir_fd=folder_fd) if folder else open_regular(path.name, dir_fd=folder_fd)
    except Untrusted as error:
        raise WorkspaceError(f"{path} is {error.found}, not {error.expected}: someone may have put it there; "
                             "nothing was changed. Look at it, remove it, and run this again") from None
    st = os.fstat(fd)
    problem = None
    if not folder and st.st_nlink != 1:
        problem = f"has {st.st_nlink} hard links (the same file is somewhere else too)"
    elif st.st_uid not in members:
        problem = f"belongs to {user_name(st.st_uid)}, who is not in the group"
    if problem:
        os.close(fd)
        raise WorkspaceError(f"{path} {problem}; nothing was changed. Look at it, remove it, and run this again")
    return fd


def _set(fd: int, gid: int, mode: int) -> str | None:
    """Give the open file or folder ``gid`` and ``mode``; what changed, in words."""
    st = os.fstat(fd)
    changes = []
    if st.st_gid != gid:
        os.fchown(fd, -1, gid)
        changes.append(f"group {group_name(gid)}")
    if stat.S_IMODE(os.fstat(fd).st_mode) != mode:  # chown may have cleared setgid
        os.fchmod(fd, mode)
        changes.append(f"mode {mode:04o}")
    return ", ".join(changes) or None


def _note(setup: SharedSetup, path: Path, change: str | None) -> None:
    if change:
        setup.changed.append(f"{path}: {change}")


# access_problem and read_problem live in data.store.permissions (the file store needs them, and this
# module needs the file store); they are still importable from here.
__all__ = ["SharedSetup", "access_problem", "group_id", "prepare_shared", "read_problem"]
