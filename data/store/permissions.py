"""Why this user may not read or write a workspace, in words that name the group to join.

Used by the file store's errors and the app's read-only header, and by
:mod:`data.store.sharing` (which sets the groups and modes these explain).
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path


def group_name(gid: int) -> str:
    """The name of a gid (the number when it has none)."""
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


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
        return f"it belongs to group {group} and you ({user_name(uid)}) are not in it"
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
        return f"{what} {blocked} belongs to group {group} and you ({user_name(uid)}) are not in it"
    return f"you may not {need} {what} {blocked} (mode {stat.S_IMODE(st.st_mode):04o}, group {group})"


def user_name(uid: int) -> str:
    """The login name of a uid (the number when it has none)."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


__all__ = ["access_problem", "group_name", "read_problem", "user_name"]
