"""The store's Alembic migrations, against real SQLite files: from empty, from a database made by
inspector 0.1.0 (create_all, no alembic_version), down and up again with data, and models and
migrations agreeing (what `alembic check` checks)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from inspector.store import Base, Store, StoreSchemaError, migrate
from inspector.store.database import create_store_engine
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


def test_new_database_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        store.record_scan(make_result())
    assert _revision(path) == migrate.head_revision() == "0002"
    assert {"cases", "devices", "acquisitions", "scans", "findings"} <= set(_schema(path))


def test_models_and_migrations_agree(tmp_path: Path) -> None:
    """`alembic check`: autogenerate finds nothing to add after upgrading to head."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'check.sqlite3'}")
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
    assert _revision(path) == "0002"
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_down_to_0001_and_up_again_keeps_the_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    with Store.open(url) as store:
        store.record_scan(make_result("acq-1"))
        store.create_case("c")
        store.record_scan(make_result("acq-2"), case="c")
    engine = create_store_engine(url)
    try:
        with engine.connect() as connection:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            with connection.begin():
                command.downgrade(migrate.alembic_config(connection), "0001")
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")
        assert migrate.upgrade(engine) == ("0001", "0002")
    finally:
        engine.dispose()
    with Store.open(url) as store:
        scans = store.scans_for_device(SERIAL_SHA)
        assert [(s.acq_id, s.case) for s in scans] == [("acq-1", None), ("acq-2", None)]
        assert store.list_cases() == []


def test_store_from_a_newer_inspector_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    Store.open(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreSchemaError, match="newer inspector"):
        Store.open(f"sqlite:///{path}")
    assert _revision(path) == "9999"


def test_partial_inspector_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "partial.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE devices (id INTEGER PRIMARY KEY)")
    with pytest.raises(StoreSchemaError, match="not acquisitions"):
        Store.open(f"sqlite:///{path}")
