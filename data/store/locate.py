"""Which store holds a workspace, from where it is: a file path, a ``postgresql://`` URL, a pointer file.

``-w``, ``WORKTOP_WORKSPACE`` and the ``worktop.json`` found upward all give a
location; :func:`open_store` turns one into a store. A path to a pointer file
(see :mod:`data.store.postgres.location`) opens what it points to. PostgreSQL's
module, and psycopg with it, is imported only here and only for such a
location, so a file workspace starts as fast as it did before there was a
second store.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from data.store.postgres.location import is_postgres, parse_location, read_pointer

if TYPE_CHECKING:
    from data.store.interface import Store


def postgres_location(location: str | os.PathLike[str]) -> tuple[str, Path | None] | None:
    """(URL, pointer file) when ``location`` names a PostgreSQL workspace, directly or through a pointer file."""
    text = os.fspath(location)
    if is_postgres(text):
        return text, None
    path = Path(text).expanduser()
    url = read_pointer(path)
    return (url, path) if url is not None else None


def open_store(location: str | os.PathLike[str]) -> Store:
    """The store for a location (the file store unless it is, or points to, a ``postgresql://`` URL)."""
    found = postgres_location(location)
    if found is not None:
        from data.store.postgres.store import PgStore

        return PgStore(parse_location(found[0], pointer=found[1]))
    from data.store.file_store import FileStore

    # Symlinks are resolved: the atomic replace must land on the shared file, and the
    # lock must sit beside it, not beside a link to it in someone's home folder.
    return FileStore(Path(os.path.realpath(Path(location).expanduser())))


__all__ = ["open_store", "postgres_location"]
