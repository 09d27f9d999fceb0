"""A real PostgreSQL server for the tests, started and stopped by the test session itself.

``initdb``, ``pg_ctl`` and ``postgres`` refuse to run as root, and CI runs as
root, so the server runs as an unprivileged system user (``worktop-pg``, made
with ``useradd -r`` when missing) in a private temp folder: its data folder,
its own socket folder and a free port, so two pytest-xdist workers (one server
each) and another engineer's run never meet. Local (socket) connections are
trusted, so a test connects as any role by naming it, the way separate people
would each log in; TCP connections on 127.0.0.1 need a password (tests of
``PGPASSFILE``).

Where PostgreSQL is not installed the tests that need it are skipped with the
reason, except under ``CI=true`` (set by ``make test`` and ``.ci/run``), where a
server that does not start is a failure: CI must never pass by skipping them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

SERVER_USER = "worktop-pg"
"""The Unix user the server runs as when the tests run as root."""

ADMIN = "worktop_admin"
"""The server's superuser (made by initdb)."""

DATABASE = "worktop"
"""The database most tests use, one workspace per test (``?workspace=tNNN``)."""


def binaries() -> Path | None:
    """The folder holding ``initdb``/``pg_ctl``/``postgres`` (PATH first, then Debian's versioned folders)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl") and shutil.which("postgres"):
        return Path(os.path.realpath(found)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all(os.access(Path(folder, name), os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def required() -> bool:
    """Whether a server that cannot start is a failure rather than a skip (CI, ``make test``)."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or bool(os.environ.get("WORKTOP_REQUIRE_PG"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """The user to run the server as: ourselves unless we are root; then worktop-pg (made if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        pass
    subprocess.run(["useradd", "-r", "-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin", SERVER_USER],
                   check=False, capture_output=True, timeout=60)
    return pwd.getpwnam(SERVER_USER)  # KeyError here says useradd failed


@dataclass
class PgServer:
    """One running test server; :meth:`url` gives a ``postgresql://`` location on it."""

    bin: Path
    root: Path
    port: int
    user: pwd.struct_passwd | None
    log: Path = field(init=False)
    counter: int = 0

    def __post_init__(self) -> None:
        self.log = self.root / "server.log"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sockets(self) -> Path:
        return self.root / "sock"

    def _as_server(self, argv: list[str], *, timeout: float = 120, check: bool = True
                   ) -> subprocess.CompletedProcess[str]:
        extra = {}
        if self.user is not None:
            extra = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=self.root,
                              env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
                                   "TZ": "UTC"}, **extra)
        if check and proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {proc.stdout}{proc.stderr}\n{log}")
        return proc

    def init(self) -> None:
        self.sockets.mkdir(mode=0o755)
        if self.user is not None:
            for path in (self.root, self.sockets):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self._as_server([str(self.bin / "initdb"), "-D", str(self.data), "-U", ADMIN, "--auth-local=trust",
                         "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"])
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = "
                       f"'{self.sockets}'\nfsync = off\nfull_page_writes = off\nmax_connections = 200\n"
                       "shared_buffers = 64MB\nlog_min_messages = warning\nlog_connections = off\n")

    def start(self) -> None:
        self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                         "start"])

    def stop(self) -> None:
        self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], check=False)

    def restart(self) -> None:
        """``pg_ctl restart``: every connection is dropped, the server comes back on the same socket and port."""
        self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-m", "fast", "-w",
                         "-t", "60", "restart"])

    def pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), *args], check=check)

    def conninfo(self, *, role: str = ADMIN, database: str = DATABASE) -> str:
        return f"host={self.sockets} port={self.port} user={role} dbname={database}"

    def url(self, workspace: str | None = None, *, role: str = ADMIN, database: str = DATABASE) -> str:
        """A location on this server, through its private socket folder."""
        query = f"host={quote(str(self.sockets), safe='')}&port={self.port}"
        if workspace is not None:
            query += f"&workspace={quote(workspace, safe='')}"
        return f"postgresql://{role}@/{database}?{query}"

    def fresh_name(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{os.getpid()}_{self.counter}"

    def sql(self, statement: str, *params: object, role: str = ADMIN, database: str = DATABASE) -> list[tuple]:
        """Run one statement as ``role``, autocommit; the rows it returns (none for a command)."""
        import psycopg

        with psycopg.connect(self.conninfo(role=role, database=database), autocommit=True) as conn:
            cursor = conn.execute(statement, params or None)
            return cursor.fetchall() if cursor.description else []

    def make_role(self, name: str, *, grant: str | None = None, password: str | None = None,
                  database: str = DATABASE) -> str:
        """A login role (``grant``: a group role to make it a member of: worktop_reader or worktop_writer)."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo(database=database), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
            if password is not None:
                conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(name), sql.Literal(password)))
            if grant:
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(grant), sql.Identifier(name)))
        return name


def start_server() -> PgServer:
    """Make and start a private server (raises with the server's log when it cannot)."""
    folder = binaries()
    if folder is None:
        raise FileNotFoundError("PostgreSQL's initdb/pg_ctl/postgres are not installed "
                                "(Debian: apt-get install postgresql; `make test` does this as root)")
    user = _server_user()
    last: Exception | None = None
    for _attempt in range(3):  # a port taken between choosing and binding: try another
        root = Path(tempfile.mkdtemp(prefix="worktop-pg-"))
        os.chmod(root, 0o755)
        server = PgServer(bin=folder, root=root, port=_free_port(), user=user)
        try:
            server.init()
            server.start()
        except Exception as error:  # noqa: BLE001 - retried, then raised
            last = error
            shutil.rmtree(root, ignore_errors=True)
            continue
        server.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        return server
    raise RuntimeError(f"the test PostgreSQL server did not start: {last}")


def remove_server(server: PgServer) -> None:
    with contextlib.suppress(Exception):
        server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


__all__ = ["ADMIN", "DATABASE", "PgServer", "binaries", "remove_server", "required", "start_server"]
