"""Where a PostgreSQL workspace is: a ``postgresql://`` URL, and the pointer files that name one.

A location is a libpq connection URI with one extra query parameter,
``workspace`` (default ``default``), which names one of the workspaces the
database holds::

    postgresql://ana@db.example.com/work?workspace=web&sslmode=verify-full

Everything else is libpq's: a missing host, user or database comes from
``PGHOST``/``PGUSER``/``PGDATABASE``, a password from ``PGPASSFILE`` (or
``~/.pgpass``), ``service=NAME`` from ``PGSERVICEFILE``, and ``sslmode`` and the
rest of libpq's parameters work as they do for ``psql``.

A **pointer file** is a ``worktop.json`` that holds no workspace but says where
one is, so ``worktop`` run in a project folder (or below it) opens the team's
database the way it finds a workspace file upward::

    {"format": "worktop-location", "version": 1, "location": "postgresql://db.example.com/work?workspace=web"}

It may be committed to a repository, so it must not hold a password (libpq's
password file is the place for that): one that does is refused.

Nothing here imports psycopg: the file store's start-up must not pay for it.
"""

# Annotations are evaluated here, not postponed (no `from __future__ import annotations`): typing.NamedTuple
# compiles each one that is a string, and every write (worktop add's too) defines this module's NamedTuples.
import os
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from data.errors import WorkspaceError, WorkspaceUnreadable

SCHEMES = ("postgresql://", "postgres://")

DEFAULT_WORKSPACE = "default"
"""The workspace a URL without ``?workspace=`` names."""

WORKSPACE_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""What a workspace name may be (it is shown in titles and messages, and names a NOTIFY channel)."""

POINTER_FORMAT = "worktop-location"
POINTER_VERSION = 1
POINTER_LIMIT = 4096
"""Bytes read of a file to tell whether it is a pointer (a real one is one line)."""


def is_postgres(location: str | os.PathLike[str]) -> bool:
    """Whether a location names a PostgreSQL workspace (a ``postgresql://`` or ``postgres://`` URL)."""
    return isinstance(location, str) and location.startswith(SCHEMES)


class PgLocation(NamedTuple):
    """A parsed PostgreSQL location (a NamedTuple: every command loads this module, and ``worktop add``'s
    path has no dataclass)."""

    conninfo: str
    """The URL for libpq: the location without ``workspace``."""
    workspace: str
    """The workspace's name in the database."""
    display: str
    """The location as messages show it: the URL with any password taken out."""
    pointer: Path | None = None
    """The pointer file it was read from, if any."""

    def with_workspace(self, name: str) -> "PgLocation":
        return parse_location(_set_query(self.display, "workspace", name), pointer=self.pointer)


def _set_query(url: str, key: str, value: str | None) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != key]
    if value is not None:
        query.append((key, value))
    return _unsplit(parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote))


def _unsplit(scheme: str, netloc: str, path: str, query: str) -> str:
    """A URL from its parts, keeping ``//`` with an empty host (``postgresql:///db``: libpq's local socket)."""
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def parse_location(url: str, *, pointer: Path | None = None) -> PgLocation:
    """Read a ``postgresql://`` location (the ``workspace`` parameter split off for worktop).

    Raises:
        WorkspaceError: not such a URL, or a workspace name worktop does not accept.
    """
    if not is_postgres(url):
        raise WorkspaceError(f"{url[:80]!r} is not a postgresql:// location")
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as error:
        raise WorkspaceError(f"{_hide_password(url)} is not a valid postgresql:// URL ({error})") from None
    names = [v for k, v in query if k == "workspace"]
    if len(names) > 1:
        raise WorkspaceError(f"{_hide_password(url)} names more than one workspace")
    name = names[0] if names else DEFAULT_WORKSPACE
    if not WORKSPACE_NAME.fullmatch(name):
        raise WorkspaceError(f"workspace name {name[:70]!r} is not 1-64 letters, digits, '.', '_' or '-'")
    conninfo = _set_query(url, "workspace", None)
    if conninfo.endswith("?"):
        conninfo = conninfo[:-1]
    display = _hide_password(url)
    return PgLocation(conninfo=conninfo, workspace=name, display=display, pointer=pointer)


def _hide_password(url: str) -> str:
    """The URL without its password (in the authority or as ``password=``), for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1][:200]
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hosts = netloc.rpartition("@")
        netloc = f"{userinfo.split(':')[0]}@{hosts}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
    return _unsplit(parts.scheme, netloc, parts.path, urlencode(query, quote_via=quote))


def has_password(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    userinfo = parts.netloc.rpartition("@")[0]
    return ":" in userinfo or any(k == "password" for k, _v in parse_qsl(parts.query, keep_blank_values=True))


# -- pointer files ------------------------------------------------------------------------------------------------

def read_pointer(path: Path) -> str | None:
    """The location a pointer file names; None when ``path`` is not a pointer (a workspace file, nothing).

    Only the first :data:`POINTER_LIMIT` bytes are looked at, through a descriptor
    that follows no link and does not block (the file may be anyone's).

    Raises:
        WorkspaceUnreadable: a pointer that is damaged, newer than this worktop, or holds a password.
    """
    from data.store.safe_open import read_regular

    try:
        raw, st = read_regular(path, POINTER_LIMIT + 1)
    except OSError:
        return None  # not readable as a small regular file: whatever it is, the file store says what is wrong
    head = raw.lstrip()
    if not head.startswith(b"{") or len(raw) > POINTER_LIMIT or b'"worktop-location"' not in raw:
        return None
    import orjson

    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != POINTER_FORMAT:
        return None
    version = doc.get("version")
    if type(version) is not int or version > POINTER_VERSION:
        raise WorkspaceUnreadable(f"{path} is a worktop pointer of version {version!r:.20}, newer than this "
                                  f"worktop reads ({POINTER_VERSION}); upgrade worktop")
    location = doc.get("location")
    if not isinstance(location, str) or not is_postgres(location):
        raise WorkspaceUnreadable(f"{path} is a worktop pointer, but its location is not a postgresql:// URL")
    if has_password(location):
        raise WorkspaceUnreadable(f"{path} holds a password in its location; take it out and put it in your "
                                  "password file (~/.pgpass or PGPASSFILE), which libpq reads")
    return location


def pointer_text(location: str) -> bytes:
    """The bytes of a pointer file naming ``location``."""
    import orjson

    return orjson.dumps({"format": POINTER_FORMAT, "version": POINTER_VERSION, "location": location}) + b"\n"


__all__ = ["DEFAULT_WORKSPACE", "PgLocation", "SCHEMES", "has_password", "is_postgres", "parse_location",
           "pointer_text", "read_pointer"]
