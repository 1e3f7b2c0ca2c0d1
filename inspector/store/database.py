"""Opening the store and recording scans in it.

The store is any SQLAlchemy database: SQLite in the user's data folder by default, PostgreSQL for a
helpdesk team (``INSPECTOR_DB=postgresql+psycopg://…``). The schema is created and upgraded by the
Alembic migrations shipped in the package (:mod:`inspector.store.migrate`, docs/store.md), on open
and by ``inspector db upgrade``.

SQLite is made safe for several processes (two scans finishing at once, a report being read while a
scan writes): WAL journal mode so readers never block the writer, a busy timeout so a writer waits
for another instead of failing, and write transactions that start with ``BEGIN IMMEDIATE`` so two
writers cannot both read "no such device" and then both insert it.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspector import paths
from inspector.store.models import Acquisition, ApkRecord, Case, Device, FindingRow, Scan

log = logging.getLogger(__name__)

ENV_URL = "INSPECTOR_DB"
DB_FILE_NAME = "inspector.sqlite3"

# How long a SQLite writer waits for another process's write to finish before giving up. A scan's
# write is a few milliseconds; 30 s covers a slow disk or a long batch import in another process.
SQLITE_BUSY_TIMEOUT_S = 30.0

# Execution option naming the SQLite BEGIN mode of a transaction (IMMEDIATE unless a read asks
# for DEFERRED).
_BEGIN_OPTION = "inspector_sqlite_begin"
_BEGIN_MODES = {"DEFERRED", "IMMEDIATE", "EXCLUSIVE"}

# An IntegrityError on upsert means another writer inserted the same device or acquisition between
# our read and our insert (possible on PostgreSQL under READ COMMITTED): read again and retry.
_UPSERT_ATTEMPTS = 3

_SURROGATE_OR_NUL_RE = re.compile("[\x00\ud800-\udfff]")
_SHA256_RE = re.compile("[0-9a-f]{64}")


class StoreError(Exception):
    """A request the store refuses (unknown or closed case, ambiguous device…), with a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class CaseNotFound(StoreError):
    def __init__(self, name: str) -> None:
        super().__init__(f"there is no case named {name!r}",
                         hint=f"Create it first: inspector cases new {_shell_word(name)}  (inspector cases list "
                              "shows the existing ones).")


class CaseClosed(StoreError):
    def __init__(self, name: str, closed_at: datetime | None) -> None:
        when = f" on {closed_at:%Y-%m-%d %H:%M} UTC" if closed_at else ""
        super().__init__(f"case {name!r} was closed{when}: nothing more is recorded in it",
                         hint="Open a new case (inspector cases new NAME), or leave out --case.")


class CaseExists(StoreError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a case named {name!r} already exists",
                         hint=f"Choose another name, or look at it: inspector cases show {_shell_word(name)}")


def _shell_word(text: str) -> str:
    import shlex

    return shlex.quote(text)


@dataclass(frozen=True)
class CaseInfo:
    """One case, as returned by :meth:`Store.list_cases` and :meth:`Store.get_case`."""

    name: str
    created_at: datetime
    closed_at: datetime | None
    note: str | None
    acquisition_count: int
    device_count: int


@dataclass(frozen=True)
class CaseAcquisition:
    """One acquisition of a case with its latest scan (:meth:`Store.case_acquisitions`)."""

    acq_id: str
    path: str
    device_fingerprint: str
    model: str | None
    started_at: datetime | None
    verdict: str | None
    finding_count: int


def default_url() -> str:
    """``$INSPECTOR_DB`` if set, else the SQLite file in the user's data folder."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    return f"sqlite:///{paths.data_dir() / DB_FILE_NAME}"


@dataclass(frozen=True)
class ScanRecord:
    """One stored scan, as returned by :meth:`Store.scans_for_device`."""

    id: int
    acq_id: str
    acquisition_path: str
    created_at: datetime
    verdict: str
    tool_version: str | None
    signature_pack_version: str | None
    finding_count: int
    result_json: str
    case: str | None = None

    def result(self) -> dict[str, Any]:
        """The result document as recorded."""
        return json.loads(self.result_json)


def _column_text(value: Any) -> str:
    """Device text made storable: lone surrogates (undecodable bytes) and NUL (which PostgreSQL
    refuses in text) become U+FFFD. The exact value stays in result_json / data."""
    return _SURROGATE_OR_NUL_RE.sub("\ufffd", str(value))


def finding_key(finding: Mapping[str, Any]) -> tuple[str, str]:
    """(rule_id, subject) of a finding as the ``findings`` table stores them: what tells two
    findings apart when two scans of one acquisition are compared."""
    return _column_text(finding.get("rule_id") or ""), _column_text(finding.get("subject") or "")


def _optional_text(value: Any) -> str | None:
    return None if value is None or value == "" else _column_text(value)


def _parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from the document as aware UTC; None if absent or not a time. Times
    without a zone are taken as UTC (the result schema says every time is UTC)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            log.warning("not an ISO 8601 time, not indexed: %r", value[:64])
            return None
    else:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | PurePath):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _to_json(value: Any) -> str:
    # ensure_ascii: lone surrogates become \udcff escapes, so the text is storable anywhere and
    # json.loads gives back exactly what the analysis produced.
    return json.dumps(value, ensure_ascii=True, default=_json_default)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _is_sqlite_file(url: str) -> tuple[bool, bool, Path | None]:
    """(is SQLite, is a file on disk, its path)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return False, False, None
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or "mode=memory" in database:
        return True, False, None
    return True, True, Path(database)


def _ensure_wal(cursor: Any) -> None:
    """Switch the database file to WAL (once: the mode is stored in the file).

    SQLite does not call the busy handler while switching a file to WAL, so a second process
    opening a fresh store while the first one switches it gets "database is locked" at once:
    retry until the switch is done by either process, or the busy timeout has passed.
    """
    def switch() -> None:
        if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
            return
        mode = str(cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
        if mode != "wal":
            log.warning("SQLite store could not switch to WAL (journal_mode=%s)", mode)

    _until_unlocked(switch, SQLITE_BUSY_TIMEOUT_S, 0.02)


def _until_unlocked(action: Any, timeout_s: float, pause_s: float) -> None:
    """Run ``action`` again every ``pause_s`` while SQLite says the database is locked or busy, for up
    to ``timeout_s``; any other error, or the last one, is raised."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as exc:
            message = str(exc).lower()
            if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                raise
        time.sleep(pause_s)


def _install_sqlite_hooks(engine: Engine, file_based: bool) -> None:
    timeout_ms = int(SQLITE_BUSY_TIMEOUT_S * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (below) instead of the sqlite3 module, which delays it until
        # the first write and so cannot take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # busy_timeout first: switching to WAL needs a lock another process may hold.
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if file_based:
                _ensure_wal(cursor)
                # In WAL mode NORMAL is crash-safe (a power cut may lose the last commit, never
                # corrupt the file) and saves an fsync per transaction.
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = str(connection.get_execution_options().get(_BEGIN_OPTION, "IMMEDIATE")).upper()
        if mode not in _BEGIN_MODES:
            raise ValueError(f"bad SQLite BEGIN mode {mode!r}")
        if mode == "DEFERRED":  # takes no lock now: nothing to wait for
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        _begin_write(connection.connection.driver_connection, mode, timeout_ms)


# How often a writer tries again to take the write lock that another one holds.
_WRITE_LOCK_POLL_S = 0.001


def _begin_write(raw: sqlite3.Connection, mode: str, timeout_ms: int) -> None:
    """``BEGIN IMMEDIATE`` (or EXCLUSIVE): take the write lock now, waiting for another writer by
    trying again every millisecond, for up to the busy timeout.

    Not SQLite's busy handler: it sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries,
    so next to a process that writes many short transactions (a rescan recording 1,000 scans) a writer
    could sleep 100-200 ms past the moment the lock was free (bench/store.py: 188 ms, of which 5 ms on a
    CPU). The handler stays on for everything else (a checkpoint, a schema change)."""
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        _until_unlocked(lambda: raw.execute(f"BEGIN {mode}"), timeout_ms / 1000, _WRITE_LOCK_POLL_S)
    except sqlite3.OperationalError as exc:
        # as SQLAlchemy reports a failed statement, so callers see one kind of store error
        raise sqlalchemy_exc.OperationalError(f"BEGIN {mode}", None, exc) from exc
    finally:
        raw.execute(f"PRAGMA busy_timeout = {timeout_ms}")


class _CollectorPause:
    """Python's cyclic garbage collector paused while this process is in a write transaction of the
    store (``with _COLLECTOR_PAUSE:`` around BEGIN … COMMIT).

    A full collection in a process with a large heap (a rescan holding 1,000 stored scans, a batch)
    takes 100+ ms of CPU; run inside a write transaction, it holds the store's write lock that long and
    every other process's write waits for it (bench/store.py: collections in the rescan's
    transactions made another process's writes wait 100-130 ms). Paused, the collection runs after the
    commit. Counted per process: several threads may be writing at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._open == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._open += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._open -= 1
            if self._open == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSE = _CollectorPause()


def create_store_engine(url: str) -> Engine:
    """A SQLAlchemy engine for ``url``, with the SQLite settings above when it is SQLite."""
    is_sqlite, file_based, db_path = _is_sqlite_file(url)
    if not is_sqlite:
        return create_engine(url, pool_pre_ping=True)
    if db_path is not None:
        db_path.expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    _install_sqlite_hooks(engine, file_based)
    return engine


class Store:
    """The index of devices, acquisitions, scans and findings.

    Open with :meth:`Store.open`; use as a context manager or call :meth:`close`.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # SQLite has one writer at a time: this process's threads (a batch's phones) queue for it here,
        # asleep, instead of each trying BEGIN IMMEDIATE every millisecond (_begin_write) against the
        # others. PostgreSQL writes at once, each session on its own connection.
        self._writers = threading.RLock() if engine.dialect.name == "sqlite" else nullcontext()

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (and create if needed) the store at ``url``; None → ``$INSPECTOR_DB`` → the SQLite
        file ``inspector.sqlite3`` in :func:`inspector.paths.data_dir`.

        The schema is brought to the newest migration (:func:`inspector.store.migrate.upgrade`):
        a new database is created, one made by an older inspector is upgraded.
        """
        from inspector.store import migrate

        engine = create_store_engine(url or default_url())
        try:
            migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._engine.dispose()

    @contextmanager
    def _read_session(self) -> Iterator[Session]:
        with self._engine.connect() as connection:
            # Reads need no write lock: in WAL mode they then never wait for a writer.
            connection = connection.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
            with Session(bind=connection) as session:
                yield session

    # --- writing -------------------------------------------------------------------------------

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A write transaction (SQLite: ``BEGIN IMMEDIATE``, one thread of this process at a time),
        committed at the end of the block, with the garbage collector paused until the commit is done
        (``_CollectorPause``)."""
        with self._writers, _COLLECTOR_PAUSE, Session(self._engine, expire_on_commit=False) as session, session.begin():
            yield session

    def record_scan(self, result: Mapping[str, Any], *, case: str | None = None,
                    consent_note: str | None = None,
                    apk_features: Mapping[str, Mapping[str, Any]] | None = None) -> int:
        """Record one result document (docs/result-schema.md); return the new scan's id.

        ``case``: the name of an open case the acquisition belongs to (:class:`CaseNotFound`,
        :class:`CaseClosed` otherwise; nothing is recorded then). Without it, an acquisition keeps
        the case it was recorded in before. ``consent_note`` is kept on the acquisition.

        In one transaction: the device is found by fingerprint (the hashed serial) or created, the
        acquisition found by its id or created (and updated from the document), then the scan and
        its findings are inserted. A device whose serial could not be read gets the fingerprint
        ``unknown-serial:<acquisition id>``, so its scans are never merged with another phone's.

        ``apk_features``: SHA-256 → the APK engine's feature record of the acquisition's apps; those
        not yet in the ``apks`` table are added in the same transaction (``inspector rescan`` reads
        them instead of the APKs).
        """
        if not isinstance(result, Mapping):
            raise TypeError("record_scan expects the result document (a mapping)")
        if not result.get("verdict"):
            raise ValueError("result document has no verdict")
        acquisition = _mapping(result.get("acquisition"))
        acq_id = acquisition.get("id") or (f"path:{acquisition['path']}" if acquisition.get("path") else None)
        if not acq_id:
            raise ValueError("result document has neither acquisition.id nor acquisition.path")
        result_json = _to_json(result)

        for attempt in range(1, _UPSERT_ATTEMPTS + 1):
            try:
                with self.write_session() as session:
                    device = self._upsert_device(session, result, _column_text(acq_id))
                    acq = self._upsert_acquisition(session, device, acquisition, _column_text(acq_id))
                    if case is not None:
                        acq.case = self._open_case(session, case)
                    if consent_note is not None:
                        acq.consent_note = _column_text(consent_note)
                    scan = self._new_scan(result, result_json)
                    scan.acquisition = acq
                    session.add(scan)
                    if apk_features:
                        self._add_apks(session, apk_features)
                    session.flush()
                    return scan.id
            except IntegrityError:
                if attempt == _UPSERT_ATTEMPTS:
                    raise
                log.info("store: concurrent insert of the same device/acquisition, retrying")
        raise AssertionError("unreachable")

    @staticmethod
    def _open_case(session: Session, name: str) -> Case:
        found = session.scalars(select(Case).where(Case.name == name)).one_or_none()
        if found is None:
            raise CaseNotFound(name)
        if found.closed_at is not None:
            raise CaseClosed(name, found.closed_at)
        return found

    # --- cases ---------------------------------------------------------------------------------

    def create_case(self, name: str, note: str | None = None) -> CaseInfo:
        """A new open case. :class:`CaseExists` if the name is taken; names are kept as given."""
        name = name.strip()
        if not name or _SURROGATE_OR_NUL_RE.search(name) or any(ord(c) < 32 for c in name):
            raise StoreError(f"{name!r} is not a usable case name",
                             hint="Use printable text, e.g. delegation-2026-11 or 'Ana P.'.")
        try:
            with self.write_session() as session:
                if session.scalars(select(Case.id).where(Case.name == name)).first() is not None:
                    raise CaseExists(name)
                created = Case(name=name, created_at=datetime.now(UTC), note=_optional_text(note))
                session.add(created)
        except IntegrityError:  # created by another process between the read and the insert
            raise CaseExists(name) from None
        return CaseInfo(created.name, created.created_at, None, created.note, 0, 0)

    def close_case(self, name: str) -> CaseInfo:
        """Close an open case: later scans can no longer be recorded in it."""
        with self.write_session() as session:
            found = session.scalars(select(Case).where(Case.name == name)).one_or_none()
            if found is None:
                raise CaseNotFound(name)
            if found.closed_at is not None:
                raise CaseClosed(name, found.closed_at)
            found.closed_at = datetime.now(UTC)
        return self.get_case(name)

    def ensure_open_case(self, name: str) -> None:
        """Raise :class:`CaseNotFound` or :class:`CaseClosed` unless ``name`` is an open case."""
        info = self.get_case(name)
        if info.closed_at is not None:
            raise CaseClosed(name, info.closed_at)

    def _case_query(self):
        return (
            select(Case, func.count(Acquisition.id), func.count(func.distinct(Acquisition.device_id)))
            .outerjoin(Acquisition, Acquisition.case_id == Case.id)
            .group_by(Case.id)
        )

    @staticmethod
    def _case_info(row: Any) -> CaseInfo:
        case, acquisitions, devices = row
        return CaseInfo(case.name, case.created_at, case.closed_at, case.note, int(acquisitions), int(devices))

    def list_cases(self) -> list[CaseInfo]:
        """Every case, oldest first."""
        with self._read_session() as session:
            rows = session.execute(self._case_query().order_by(Case.created_at, Case.id))
            return [self._case_info(row) for row in rows]

    def get_case(self, name: str) -> CaseInfo:
        with self._read_session() as session:
            row = session.execute(self._case_query().where(Case.name == name)).one_or_none()
            if row is None:
                raise CaseNotFound(name)
            return self._case_info(row)

    def case_acquisitions(self, name: str) -> list[CaseAcquisition]:
        """The acquisitions of a case, oldest first, each with the verdict of its latest scan."""
        self.get_case(name)
        latest = select(func.max(Scan.id).label("scan_id")).group_by(Scan.acquisition_id).subquery()
        counts = (
            select(FindingRow.scan_id, func.count(FindingRow.id).label("n")).group_by(FindingRow.scan_id).subquery()
        )
        query = (
            select(Acquisition, Device.fingerprint, Device.model, Scan.verdict, func.coalesce(counts.c.n, 0))
            .join(Case, Acquisition.case_id == Case.id)
            .join(Device, Acquisition.device_id == Device.id)
            .outerjoin(Scan, (Scan.acquisition_id == Acquisition.id) & Scan.id.in_(select(latest.c.scan_id)))
            .outerjoin(counts, counts.c.scan_id == Scan.id)
            .where(Case.name == name)
            .order_by(Acquisition.started_at, Acquisition.id)
        )
        with self._read_session() as session:
            return [
                CaseAcquisition(acq.acq_id, acq.path, fingerprint, model, acq.started_at, verdict, int(n))
                for acq, fingerprint, model, verdict, n in session.execute(query)
            ]

    # --- devices -------------------------------------------------------------------------------

    def find_devices(self, prefix: str) -> list[str]:
        """Fingerprints of the devices whose fingerprint starts with ``prefix`` (case-insensitive)."""
        prefix = prefix.strip().lower()
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = (
            select(Device.fingerprint)
            .where(func.lower(Device.fingerprint).like(f"{escaped}%", escape="\\"))
            .order_by(Device.fingerprint)
        )
        with self._read_session() as session:
            return list(session.scalars(query))

    @staticmethod
    def _upsert_device(session: Session, result: Mapping[str, Any], acq_id: str) -> Device:
        device_doc = _mapping(result.get("device"))
        fingerprint = _optional_text(device_doc.get("serial_sha256")) or f"unknown-serial:{acq_id}"
        started = _parse_time(_mapping(result.get("acquisition")).get("started_at"))
        seen = started or datetime.now(UTC)
        device = session.scalars(select(Device).where(Device.fingerprint == fingerprint)).one_or_none()
        if device is None:
            device = Device(
                fingerprint=fingerprint,
                platform=_optional_text(device_doc.get("platform")) or "unknown",
                model=_optional_text(device_doc.get("model")),
                first_seen=seen,
            )
            session.add(device)
            session.flush()
            return device
        if device.model is None and device_doc.get("model"):
            device.model = _column_text(device_doc["model"])
        if seen < device.first_seen:  # an older acquisition imported later
            device.first_seen = seen
        return device

    @staticmethod
    def _upsert_acquisition(session: Session, device: Device, doc: Mapping[str, Any], acq_id: str) -> Acquisition:
        acq = session.scalars(select(Acquisition).where(Acquisition.acq_id == acq_id)).one_or_none()
        if acq is None:
            acq = Acquisition(acq_id=acq_id)
            session.add(acq)
        acq.device = device
        acq.path = _column_text(doc.get("path") or "")
        acq.started_at = _parse_time(doc.get("started_at"))
        acq.finished_at = _parse_time(doc.get("finished_at"))
        acq.complete = doc.get("complete") is True
        acq.operator = _optional_text(doc.get("operator"))
        acq.hashes_csv_sha256 = _optional_text(doc.get("hashes_csv_sha256"))
        session.flush()
        return acq

    @staticmethod
    def _add_apks(session: Session, records: Mapping[str, Mapping[str, Any]]) -> None:
        wanted = {sha.lower(): rec for sha, rec in records.items()
                  if isinstance(sha, str) and _SHA256_RE.fullmatch(sha.lower()) and isinstance(rec, Mapping)}
        if not wanted:
            return
        known = set(session.scalars(select(ApkRecord.sha256).where(ApkRecord.sha256.in_(list(wanted)))))
        now = datetime.now(UTC)
        for sha, record in sorted(wanted.items()):
            if sha in known:
                continue
            version = record.get("features_version")
            session.add(ApkRecord(sha256=sha, package=_optional_text(record.get("package")),
                                  features_version=version if isinstance(version, int) else 0,
                                  features=_to_json(record), first_seen=now))

    @staticmethod
    def _new_scan(result: Mapping[str, Any], result_json: str) -> Scan:
        tool = _mapping(result.get("tool"))
        pack_version = _optional_text(_mapping(tool.get("signature_pack")).get("version"))
        scan = Scan(
            created_at=_parse_time(result.get("generated_at")) or datetime.now(UTC),
            verdict=_column_text(result["verdict"]),
            tool_version=_optional_text(tool.get("version")),
            signature_pack_version=pack_version,
            result_json=result_json,
        )
        findings = result.get("findings")
        for finding in findings if isinstance(findings, list) else []:
            if not isinstance(finding, Mapping):
                continue
            scan.findings.append(
                FindingRow(
                    rule_id=_column_text(finding.get("rule_id") or ""),
                    family=_column_text(finding.get("family") or ""),
                    severity=_column_text(finding.get("severity") or ""),
                    confidence=_column_text(finding.get("confidence") or ""),
                    subject=_column_text(finding.get("subject") or ""),
                    time=_parse_time(finding.get("time")),
                    data=_to_json(finding),
                    signature_pack_version=pack_version,
                )
            )
        return scan

    # --- reading -------------------------------------------------------------------------------

    def scans_for_device(self, fingerprint: str) -> list[ScanRecord]:
        """Every scan of the device with this fingerprint (hashed serial), oldest first."""
        counts = (
            select(FindingRow.scan_id, func.count(FindingRow.id).label("n")).group_by(FindingRow.scan_id).subquery()
        )
        query = (
            select(Scan, Acquisition.acq_id, Acquisition.path, func.coalesce(counts.c.n, 0), Case.name)
            .join(Acquisition, Scan.acquisition_id == Acquisition.id)
            .join(Device, Acquisition.device_id == Device.id)
            .outerjoin(Case, Acquisition.case_id == Case.id)
            .outerjoin(counts, counts.c.scan_id == Scan.id)
            .where(Device.fingerprint == fingerprint)
            .order_by(Scan.created_at, Scan.id)
        )
        with self._read_session() as session:
            return [
                ScanRecord(
                    id=scan.id,
                    acq_id=acq_id,
                    acquisition_path=path,
                    created_at=scan.created_at,
                    verdict=scan.verdict,
                    tool_version=scan.tool_version,
                    signature_pack_version=scan.signature_pack_version,
                    finding_count=int(count),
                    result_json=scan.result_json,
                    case=case_name,
                )
                for scan, acq_id, path, count, case_name in session.execute(query)
            ]

    def findings_for_scan(self, scan_id: int) -> list[dict[str, Any]]:
        """The findings recorded for a scan, as the finding dicts of the result document."""
        query = select(FindingRow.data).where(FindingRow.scan_id == scan_id).order_by(FindingRow.id)
        with self._read_session() as session:
            return [json.loads(data) for data in session.scalars(query)]

    # --- rescan and diff -----------------------------------------------------------------------

    def apk_features(self, sha256s: list[str]) -> dict[str, dict[str, Any]]:
        """The stored feature records of these APKs (those the store has), by SHA-256."""
        wanted = sorted({s.lower() for s in sha256s if isinstance(s, str)})
        found: dict[str, dict[str, Any]] = {}
        with self._read_session() as session:
            for start in range(0, len(wanted), 500):
                query = select(ApkRecord.sha256, ApkRecord.features).where(
                    ApkRecord.sha256.in_(wanted[start:start + 500]))
                for sha, features in session.execute(query):
                    found[sha] = json.loads(features)
        return found

    def latest_scans(self, case: str | None = None) -> list[LatestScan]:
        """The latest scan of every stored acquisition (of one case with ``case``), oldest
        acquisition first, with the identity of each of its findings."""
        if case is not None:
            self.get_case(case)
        latest = select(func.max(Scan.id)).group_by(Scan.acquisition_id)
        query = (
            select(Scan.id, Scan.verdict, Scan.signature_pack_version, Acquisition.acq_id, Acquisition.path,
                   Device.fingerprint, Case.name)
            .join(Acquisition, Scan.acquisition_id == Acquisition.id)
            .join(Device, Acquisition.device_id == Device.id)
            .outerjoin(Case, Acquisition.case_id == Case.id)
            .where(Scan.id.in_(latest))
            .order_by(Acquisition.started_at, Acquisition.id)
        )
        if case is not None:
            query = query.where(Case.name == case)
        with self._read_session() as session:
            rows = session.execute(query).all()
            keys: dict[int, list[tuple[str, str]]] = {row[0]: [] for row in rows}
            ids = list(keys)
            for start in range(0, len(ids), 500):
                finding_query = (select(FindingRow.scan_id, FindingRow.rule_id, FindingRow.subject)
                                 .where(FindingRow.scan_id.in_(ids[start:start + 500])).order_by(FindingRow.id))
                for scan_id, rule_id, subject in session.execute(finding_query):
                    keys[scan_id].append((rule_id, subject))
        return [LatestScan(scan_id, verdict, pack, acq_id, path, fingerprint, case_name, tuple(keys[scan_id]))
                for scan_id, verdict, pack, acq_id, path, fingerprint, case_name in rows]

    def scan_acquisition_path(self, scan_id: int) -> str:
        """The acquisition folder of a stored scan (:class:`StoreError` if there is no such scan)."""
        query = select(Acquisition.path).join(Scan, Scan.acquisition_id == Acquisition.id).where(Scan.id == scan_id)
        with self._read_session() as session:
            path = session.scalars(query).first()
        if path is None:
            raise StoreError(f"there is no stored scan {scan_id} in {self.url}",
                             hint="inspector history DEVICE lists a phone's scans; or give acquisition folders.")
        return path


    # --- export and import ---------------------------------------------------------------------

    def case_export(self, name: str) -> list[tuple[str, str, list[str]]]:
        """The acquisitions of case ``name`` for an export bundle: (acq_id, folder, the result JSON
        of each of its scans, oldest first)."""
        self.get_case(name)
        query = (
            select(Acquisition.acq_id, Acquisition.path, Scan.result_json)
            .join(Case, Acquisition.case_id == Case.id)
            .join(Scan, Scan.acquisition_id == Acquisition.id)
            .where(Case.name == name)
            .order_by(Acquisition.started_at, Acquisition.id, Scan.created_at, Scan.id)
        )
        found: dict[str, tuple[str, str, list[str]]] = {}
        with self._read_session() as session:
            for acq_id, path, result_json in session.execute(query):
                found.setdefault(acq_id, (acq_id, path, []))[2].append(result_json)
        return list(found.values())

    def known_acquisitions(self, acq_ids: list[str]) -> set[str]:
        with self._read_session() as session:
            return set(session.scalars(select(Acquisition.acq_id).where(Acquisition.acq_id.in_(acq_ids))))

    def import_scans(self, results: list[Mapping[str, Any]], *, case: str | None = None,
                     case_note: str | None = None) -> list[int]:
        """Record several result documents in ONE transaction (an import is all or nothing); the
        case is created if it does not exist (a closed case refuses, :class:`CaseClosed`)."""
        with self.write_session() as session:
            target = None
            if case is not None:
                target = session.scalars(select(Case).where(Case.name == case)).one_or_none()
                if target is None:
                    target = Case(name=case, created_at=datetime.now(UTC), note=_optional_text(case_note))
                    session.add(target)
                elif target.closed_at is not None:
                    raise CaseClosed(case, target.closed_at)
            ids = []
            for result in results:
                if not isinstance(result, Mapping) or not result.get("verdict"):
                    raise ValueError("a result document without a verdict cannot be imported")
                acquisition = _mapping(result.get("acquisition"))
                acq_id = _column_text(acquisition.get("id") or f"path:{acquisition.get('path')}")
                device = self._upsert_device(session, result, acq_id)
                acq = self._upsert_acquisition(session, device, acquisition, acq_id)
                if target is not None:
                    acq.case = target
                scan = self._new_scan(result, _to_json(result))
                scan.acquisition = acq
                session.add(scan)
                session.flush()
                ids.append(scan.id)
            return ids


@dataclass(frozen=True)
class LatestScan:
    """The latest scan of one acquisition (:meth:`Store.latest_scans`)."""

    scan_id: int
    verdict: str
    signature_pack_version: str | None
    acq_id: str
    path: str
    device_fingerprint: str
    case: str | None
    finding_keys: tuple[tuple[str, str], ...]  # (rule_id, subject as stored) of each finding
