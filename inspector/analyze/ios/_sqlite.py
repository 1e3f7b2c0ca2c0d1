"""Opening a database from a backup: read-only, and a clear error when it is not one."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class DatabaseUnusable(Exception):
    """The file is not a readable SQLite database of the expected shape."""


def open_readonly(path: Path) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        db.execute("PRAGMA temp_store = MEMORY")  # no temporary files outside the output folder
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise DatabaseUnusable(f"{path.name} is not a readable database: {exc}") from None
    return db


def rows(path: Path, query: str, *fallbacks: str) -> list[tuple]:
    """The rows of the first query that the database's tables allow."""
    db = open_readonly(path)
    try:
        last: sqlite3.Error | None = None
        for sql in (query, *fallbacks):
            try:
                return db.execute(sql).fetchall()
            except sqlite3.OperationalError as exc:  # a column or table of another iOS version
                last = exc
            except sqlite3.DatabaseError as exc:
                raise DatabaseUnusable(f"{path.name} is damaged: {exc}") from None
        raise DatabaseUnusable(f"{path.name} does not have the expected tables: {last}")
    finally:
        db.close()
