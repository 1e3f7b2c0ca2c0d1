"""The store's Alembic migrations, against real SQLite files and a real PostgreSQL server: from empty,
from a database made by inspector 0.1.0 (create_all, no alembic_version; SQLite), down and up again
with data, and models and migrations agreeing (what `alembic check` checks)."""

# ruff: noqa: F811 - pytest fixtures imported from tests/postgres.py are used as parameter names

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from inspector.store import ApkRecord, Base, FindingRow, Store, StoreSchemaError, migrate
from inspector.store.database import create_store_engine
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 - fixtures
from test_store import SERIAL_SHA, make_result

# What inspector 0.1.0 (Base.metadata.create_all) made on SQLite, copied from sqlite_master.
LEGACY_DDL = """
CREATE TABLE devices (
	id INTEGER NOT NULL, platform VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, model VARCHAR,
	first_seen DATETIME NOT NULL, PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_devices_fingerprint ON devices (fingerprint);
CREATE TABLE acquisitions (
	id INTEGER NOT NULL, device_id INTEGER NOT NULL, path TEXT NOT NULL, acq_id VARCHAR NOT NULL,
	started_at DATETIME, finished_at DATETIME, complete BOOLEAN NOT NULL, operator VARCHAR,
	hashes_csv_sha256 VARCHAR, PRIMARY KEY (id),
	FOREIGN KEY(device_id) REFERENCES devices (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_acquisitions_acq_id ON acquisitions (acq_id);
CREATE INDEX ix_acquisitions_device_id ON acquisitions (device_id);
CREATE TABLE scans (
	id INTEGER NOT NULL, acquisition_id INTEGER NOT NULL, created_at DATETIME NOT NULL,
	verdict VARCHAR NOT NULL, tool_version VARCHAR, signature_pack_version VARCHAR,
	result_json TEXT NOT NULL, PRIMARY KEY (id),
	FOREIGN KEY(acquisition_id) REFERENCES acquisitions (id) ON DELETE CASCADE
);
CREATE INDEX ix_scans_created_at ON scans (created_at);
CREATE INDEX ix_scans_acquisition_id ON scans (acquisition_id);
CREATE TABLE findings (
	id INTEGER NOT NULL, scan_id INTEGER NOT NULL, rule_id VARCHAR NOT NULL, family VARCHAR NOT NULL,
	severity VARCHAR NOT NULL, confidence VARCHAR NOT NULL, subject TEXT NOT NULL, time DATETIME,
	data TEXT NOT NULL, PRIMARY KEY (id),
	FOREIGN KEY(scan_id) REFERENCES scans (id) ON DELETE CASCADE
);
CREATE INDEX ix_findings_scan_id ON findings (scan_id);
CREATE INDEX ix_findings_rule_id ON findings (rule_id);
CREATE INDEX ix_findings_family ON findings (family);
"""

LEGACY_ROWS = """
INSERT INTO devices VALUES (1, 'android', '{serial}', 'Pixel 7', '2026-11-20 08:00:00.000000');
INSERT INTO acquisitions VALUES (1, 1, '/acq/old', 'acq-old', '2026-11-20 08:00:00.000000', NULL, 1,
    'helpdesk', NULL);
INSERT INTO scans VALUES (1, 1, '2026-11-20 09:00:00.000000', 'nothing_found', '0.1.0', '2026.11.0', '{{}}');
INSERT INTO findings VALUES (1, 1, 'r', 'f', 'low', 'low', 's', NULL, '{{}}');
"""


def _schema(path: Path) -> dict[str, str]:
    """name → normalised CREATE statement of every table and index (alembic_version left out)."""
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    return {name: re.sub(r"\s+", " ", re.sub(r"\s*([(),])\s*", r"\1", sql.replace('"', ""))).strip()
            for name, sql in rows if name != "alembic_version"}


def _revision(path: Path) -> str:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _legacy_db(path: Path, with_rows: bool = True) -> None:
    with sqlite3.connect(path) as raw:
        raw.executescript(LEGACY_DDL)
        if with_rows:
            raw.executescript(LEGACY_ROWS.format(serial=SERIAL_SHA))


def _db_revision(url: str) -> str:
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def test_new_database_is_created_at_head(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.record_scan(make_result())
    assert _db_revision(store_url) == migrate.head_revision() == "0004"
    assert {"cases", "devices", "acquisitions", "scans", "findings", "apks", "jobs"} <= _tables(store_url)


def test_models_and_migrations_agree(store_url: str) -> None:
    """`alembic check`: autogenerate finds nothing to add after upgrading to head."""
    engine = create_store_engine(store_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata)
        assert diffs == []
    finally:
        engine.dispose()


def test_revision_0001_is_exactly_the_legacy_schema(tmp_path: Path) -> None:
    legacy, migrated = tmp_path / "legacy.sqlite3", tmp_path / "migrated.sqlite3"
    _legacy_db(legacy, with_rows=False)
    engine = create_store_engine(f"sqlite:///{migrated}")
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.alembic_config(connection), "0001")
    finally:
        engine.dispose()
    assert _schema(migrated) == _schema(legacy)


def test_database_from_before_migrations_is_stamped_and_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _legacy_db(path)
    with Store.open(f"sqlite:///{path}") as store:
        # Nothing was lost by copying the acquisitions table (no cascade to scans and findings).
        (old,) = store.scans_for_device(SERIAL_SHA)
        assert (old.acq_id, old.verdict, old.finding_count, old.case) == ("acq-old", "nothing_found", 1, None)
        store.create_case("after-upgrade")
        store.record_scan(make_result("acq-new"), case="after-upgrade")
        assert [s.case for s in store.scans_for_device(SERIAL_SHA)] == [None, "after-upgrade"]
    assert _revision(path) == "0004"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _migrate(engine, direction: str, revision: str) -> None:
    """Alembic up or down on ``engine`` as `alembic upgrade/downgrade` would (SQLite: foreign keys
    off for the table copies of batch migrations, as migrate.upgrade does)."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = OFF")
        with connection.begin():
            getattr(command, direction)(migrate.alembic_config(connection), revision)
        if raw is not None:
            raw.execute("PRAGMA foreign_keys = ON")


def test_down_to_0001_and_up_again_keeps_the_data(store_url: str) -> None:
    url = store_url
    with Store.open(url) as store:
        store.record_scan(make_result("acq-1"), apk_features={"a" * 64: {"sha256": "a" * 64, "features_version": 1}})
        store.create_case("c")
        store.record_scan(make_result("acq-2"), case="c")
    engine = create_store_engine(url)
    try:
        _migrate(engine, "downgrade", "0002")
        assert "apks" not in _tables(url)
        assert [s.case for s in Store(engine).scans_for_device(SERIAL_SHA)] == [None, "c"]
        _migrate(engine, "downgrade", "0001")
        assert "cases" not in _tables(url)
        assert migrate.upgrade(engine) == ("0001", "0004")
    finally:
        engine.dispose()
    with Store.open(url) as store:
        scans = store.scans_for_device(SERIAL_SHA)
        assert [(s.acq_id, s.case, s.finding_count) for s in scans] == [("acq-1", None, 1), ("acq-2", None, 1)]
        assert store.list_cases() == []
        assert store.apk_features(["a" * 64]) == {}
        with Session(store.engine) as session:
            # 0003 fills in the pack of findings recorded before it, from their scan.
            assert {row.signature_pack_version for row in session.query(FindingRow)} == {"2026.11.0"}
            assert session.query(ApkRecord).count() == 0


def test_0003_on_a_0002_database_holding_data(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as connection, connection.begin():
            command.upgrade(migrate.alembic_config(connection), "0002")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO devices (id, platform, fingerprint, model, first_seen) "
                "VALUES (1, 'android', :fp, 'Pixel', '2026-11-20 08:00:00')"), {"fp": SERIAL_SHA})
            connection.execute(text(
                "INSERT INTO acquisitions (id, device_id, path, acq_id, complete) VALUES (1, 1, '/a', 'acq-a', true)"))
            connection.execute(text(
                "INSERT INTO scans (id, acquisition_id, created_at, verdict, signature_pack_version, result_json) "
                "VALUES (1, 1, '2026-11-20 09:00:00', 'needs_review', '2026.10.1', '{}')"))
            connection.execute(text(
                "INSERT INTO findings (id, scan_id, rule_id, family, severity, confidence, subject, data) "
                "VALUES (1, 1, 'r', 'f', 'low', 'low', 's', '{}')"))
        assert migrate.upgrade(engine) == ("0002", "0004")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT signature_pack_version FROM findings")).scalar_one() == "2026.10.1"
        if engine.dialect.name == "postgresql":
            # Rows inserted with explicit ids: new rows must still get fresh ones after the migration.
            with engine.begin() as connection:
                for table in ("devices", "acquisitions", "scans", "findings"):
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)"))
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        store.record_scan(make_result("acq-b"))
        assert [s.signature_pack_version for s in store.scans_for_device(SERIAL_SHA)] == ["2026.10.1", "2026.11.0"]


def test_store_from_a_newer_inspector_is_refused(store_url: str) -> None:
    Store.open(store_url).close()
    engine = create_store_engine(store_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreSchemaError, match="newer inspector"):
        Store.open(store_url)
    assert _db_revision(store_url) == "9999"


def test_partial_inspector_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "partial.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE devices (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreSchemaError, match="not acquisitions"):
        Store.open(f"sqlite:///{path}")


def test_0004_down_and_up_with_jobs_and_apks(store_url: str) -> None:
    from inspector.store.jobs import JobQueue

    with Store.open(store_url) as store:
        store.record_scan(make_result("acq-1"), apk_features={"c" * 64: {"sha256": "c" * 64, "features_version": 1}})
        assert JobQueue(store).enqueue("apk_features", "d" * 64, {"path": "/x.apk"})
    engine = create_store_engine(store_url)
    try:
        _migrate(engine, "downgrade", "0003")
        assert "jobs" not in _tables(store_url) and "apks" in _tables(store_url)
        assert migrate.upgrade(engine) == ("0003", "0004")
    finally:
        engine.dispose()
    with Store.open(store_url) as store:
        assert JobQueue(store).counts() == {}
        assert list(store.apk_features(["c" * 64])) == ["c" * 64]
