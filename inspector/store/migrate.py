"""Schema migrations of the store, run programmatically with Alembic (docs/store.md).

The migrations live inside the package (``inspector/store/migrations``), so an installed inspector
can upgrade a store without an ``alembic.ini``. :func:`upgrade` is what ``Store.open`` and
``inspector db upgrade`` call:

- a new (empty) database is brought to the newest revision ("head");
- a database made by inspector 0.1.0 (``metadata.create_all``, no ``alembic_version`` table) is
  stamped as revision 0001, whose schema is exactly that one, then upgraded;
- a database already at head is left alone (one cheap read);
- a database at a revision this inspector does not know (made by a newer version) is refused.

Several processes may open a new store at once: on SQLite the whole upgrade runs in one
``BEGIN IMMEDIATE`` transaction (SQLite's DDL is transactional), so one process migrates while
the others wait on the busy timeout and then find the store at head.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The revision whose schema is exactly what inspector 0.1.0 created without migrations.
LEGACY_REVISION = "0001"
_LEGACY_TABLES = {"devices", "acquisitions", "scans", "findings"}

# The key of the PostgreSQL advisory lock held while migrating (any constant; "insp" in ASCII).
_PG_MIGRATION_LOCK = 0x696E7370

# Execution option read by the SQLite "begin" hook in database.py (kept in one place there).
_SQLITE_BEGIN_OPTION = "inspector_sqlite_begin"


class StoreSchemaError(Exception):
    """The database's schema cannot be used or upgraded by this inspector."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing into the installed package (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script().get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise StoreSchemaError("the store's migrations are missing from this installation")
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's revision; None for a database without ``alembic_version``."""
    return MigrationContext.configure(connection).get_current_revision()


def _state(connection: Connection) -> tuple[str | None, set[str]]:
    tables = set(inspect(connection).get_table_names())
    revision = current_revision(connection) if "alembic_version" in tables else None
    return revision, tables


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database of ``engine`` to head. Returns (revision before, revision after);
    "before" is None for a new database, ``"legacy"`` for one made before migrations existed."""
    head = head_revision()
    with engine.connect() as connection:
        revision, tables = _state(connection.execution_options(**{_SQLITE_BEGIN_OPTION: "DEFERRED"}))
        connection.rollback()
        if revision == head:
            return head, head
    return _upgrade_locked(engine, head)


def _upgrade_locked(engine: Engine, head: str) -> tuple[str | None, str]:
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            # A batch migration copies a table and drops the old one; with foreign keys on, that
            # drop would cascade to the rows referring to it. The pragma only takes effect outside
            # a transaction, hence on the raw connection before BEGIN.
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():  # on SQLite: BEGIN IMMEDIATE, the write lock
                if connection.dialect.name == "postgresql":
                    # PostgreSQL's DDL is transactional but two sessions can both see "no tables"
                    # and both create them: one transaction-scoped advisory lock makes them take turns.
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
                revision, tables = _state(connection)
                before: str | None = revision
                if revision is None and tables & _LEGACY_TABLES:
                    missing = _LEGACY_TABLES - tables
                    if missing:
                        raise StoreSchemaError(
                            f"the database has some of inspector's tables but not {', '.join(sorted(missing))}",
                            hint="Point --db at an inspector store, or at a new file.")
                    log.info("store made before migrations: stamping it as %s", LEGACY_REVISION)
                    command.stamp(alembic_config(connection), LEGACY_REVISION)
                    before = "legacy"
                elif revision is not None and revision != head:
                    try:
                        _script().get_revision(revision)
                    except Exception:
                        raise StoreSchemaError(
                            f"the store is at schema revision {revision}, which this inspector "
                            f"({head} at most) does not know: it was made by a newer inspector",
                            hint="Use the newer inspector, or another store (--db).") from None
                if revision != head:
                    command.upgrade(alembic_config(connection), "head")
                    if raw is not None:
                        problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if problems:
                            raise StoreSchemaError(f"the upgrade would break references: {problems[:5]}")
            return before, head
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")
