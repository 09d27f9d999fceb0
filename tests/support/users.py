"""Real Unix users for tests: throw-away users and a group, and work run as one of them.

Making users needs root; tests that use these skip, saying so, otherwise
(:data:`needs_root`). Each user's work runs in a forked child that drops to that
user (``initgroups``/``setgid``/``setuid``, umask 022): a fork keeps the
interpreter already loaded, which matters where Python lives in a folder other
users cannot read (a pyenv under /root). Load every module the child needs
before forking: after the drop it may not be able to read them.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tui import cli

needs_root = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create Unix users and a group (CI runs as root)"),
    pytest.mark.skipif(shutil.which("useradd") is None or shutil.which("groupadd") is None,
                       reason="useradd/groupadd are not installed"),
]
"""``pytestmark`` for modules that make real users."""


@dataclass
class Users:
    group: str
    ana: str
    bo: str
    outsider: str
    """Not in the group."""


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


def make_users() -> Iterator[Users]:
    """A group with two members and one user outside it, all with unique names; removed afterwards."""
    tag = f"{os.getpid() % 100000}{os.urandom(2).hex()}"
    made = Users(group=f"wtg{tag}", ana=f"wta{tag}", bo=f"wtb{tag}", outsider=f"wto{tag}")
    created: list[str] = []
    try:
        _run("groupadd", made.group)
        for name in (made.ana, made.bo, made.outsider):
            extra = ["-G", made.group] if name != made.outsider else []
            # -U: each user's primary group is their own, as on most systems; the team group is extra.
            _run("useradd", "-M", "-U", "-s", "/usr/sbin/nologin", *extra, name)
            created.append(name)
        yield made
    finally:
        for name in created:
            subprocess.run(["userdel", name], capture_output=True, timeout=60)
        subprocess.run(["groupdel", made.group], capture_output=True, timeout=60)


def make_base() -> Iterator[Path]:
    """A folder outside pytest's private temp tree, which other users cannot enter."""
    folder = Path(tempfile.mkdtemp(prefix="worktop-users-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def as_user(name: str, work: Callable[[], Any]) -> Any:
    """Run ``work`` in a forked child as user ``name``; return its result or raise its error."""
    return start_as(name, work)()


def cli_run(*argv: object) -> tuple[int, str, str]:
    """The CLI in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def cli_as(name: str, *argv: object) -> tuple[int, str, str]:
    return as_user(name, lambda: cli_run(*argv))


def start_as(name: str, work: Callable[[], Any]) -> Callable[[], Any]:
    """Start ``work`` now in a forked child running as ``name``; the returned function waits for its result.

    The child takes the user's groups, uid and a typical umask (022), and their
    name in ``USER``/``LOGNAME`` (which worktop writes history under).
    """
    entry = pwd.getpwnam(name)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        try:
            os.initgroups(name, entry.pw_gid)
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.umask(0o022)
            os.environ.update(USER=name, LOGNAME=name, HOME="/nonexistent")
            os.environ.pop("WORKTOP_USER", None)
            payload = pickle.dumps(("ok", work()))
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            payload = pickle.dumps(("raised", RuntimeError(f"as {name}: {type(error).__name__}: {error}")))
        os.write(write_end, payload)
        os._exit(0)
    os.close(write_end)

    def wait() -> Any:
        chunks = []
        while chunk := os.read(read_end, 65536):
            chunks.append(chunk)
        os.close(read_end)
        os.waitpid(pid, 0)
        kind, value = pickle.loads(b"".join(chunks))
        if kind == "raised":
            raise value
        return value

    return wait
