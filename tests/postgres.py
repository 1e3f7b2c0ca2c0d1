"""A real PostgreSQL server for the store's tests: a private cluster started once per test session,
and a fresh, empty database for each test that asks for one.

Where the server comes from, in order:

1. ``$INSPECTOR_TEST_PG_URL``: an existing server, as a SQLAlchemy URL of a role that may create
   databases (``postgresql+psycopg://user:pw@host:5432/postgres``);
2. Debian's PostgreSQL binaries (``apt-get install postgresql``; scripts/test.sh installs them):
   ``initdb`` + ``pg_ctl`` make a throw-away cluster in a temporary folder, listening on loopback on a
   free port, stopped at the end of the session. As root (CI), they run as the ``postgres`` user,
   since PostgreSQL refuses to run as root.

Without either, tests that need PostgreSQL are skipped with the reason — except in CI (``CI=true``),
where they fail: a green CI run must have tested PostgreSQL for real.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ENV_URL = "INSPECTOR_TEST_PG_URL"
_counter = itertools.count()


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PostgreSQL is required in CI but {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL server: {reason} (apt-get install postgresql, or set ${ENV_URL})")


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("pg_ctl")
    return Path(which).parent if which else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateCluster:
    """A PostgreSQL cluster in a temporary folder, owned by whoever may run it."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="inspector-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run the server") from None
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self._as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {(done.stderr or done.stdout).strip()[-800:]}")

    def start(self) -> str:
        self._run(str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c max_connections=200"
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                  "-o", options, "-w", "-t", "60", "start")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        try:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresServer:
    """The admin URL of a running server; :meth:`new_database` makes an empty database on it."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def _admin(self):
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.admin_url)
        return psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                               password=url.password, dbname=url.database or "postgres", autocommit=True)

    def new_database(self) -> str:
        from sqlalchemy.engine import make_url

        name = f"inspector_test_{os.getpid()}_{next(_counter)}_{int(time.time() * 1000) % 100000}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed (pip install 'psycopg[binary]')")
    if os.environ.get(ENV_URL):
        server = PostgresServer(os.environ[ENV_URL])
        try:
            server._admin().close()
        except Exception as exc:  # noqa: BLE001 - any connection failure means: not available
            _unavailable(f"${ENV_URL} cannot be reached ({exc})")
        yield server
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable("its programs (initdb, pg_ctl) are not installed")
    cluster = PrivateCluster(bin_dir)
    try:
        url = cluster.start()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        cluster.stop()
        _unavailable(f"a private cluster could not be started ({exc})")
    try:
        yield PostgresServer(url)
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty database on the real server, dropped after the test."""
    url = postgres_server.new_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'inspector.sqlite3'}"
    return request.getfixturevalue("postgres_url")
