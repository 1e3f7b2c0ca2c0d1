"""The store, against real SQLite files in tmp_path and a real PostgreSQL server (tests/postgres.py),
with two real processes writing at once on each."""

# ruff: noqa: F811 - pytest fixtures imported from tests/postgres.py are used as parameter names

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inspector.analyze.findings import Evidence, Finding
from inspector.store import Acquisition, ApkRecord, Device, FindingRow, Scan, Store, StoreError, default_url
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 - fixtures (used by name: F811 below)

SERIAL_SHA = "b" * 64


def make_result(acq_id: str = "acq-1", *, serial_sha256: str | None = SERIAL_SHA, **extra: Any) -> dict[str, Any]:
    finding = Finding(
        rule_id="bxaq.leftover.cjlog",
        family="bxaq",
        severity="high",
        confidence="high",
        title="finding.leftover_file.title",
        explanation="finding.leftover_file.explanation",
        subject="/sdcard/cjlog.txt\udcff",
        evidence=(Evidence("files.json", "/sdcard/cjlog.txt", "2" * 64),),
        time="2026-11-21T10:00:00Z",
        params={"family_name": "BXAQ", "path": "/sdcard/cjlog.txt", "modified_time": "2026-11-21T10:00:00Z"},
    )
    result = {
        "schema_version": "1.0",
        "tool": {
            "name": "inspector",
            "version": "0.1.0",
            "signature_pack": {"version": "2026.11.0", "sha256": "a" * 64},
        },
        "generated_at": "2026-11-22T02:10:00Z",
        "verdict": "implant_found",
        "device": {
            "platform": "android",
            "manufacturer": "Xiaomi",
            "model": "Redmi Note 11",
            "os_version": "13",
            "build": "TKQ1",
            "serial_sha256": serial_sha256,
        },
        "acquisition": {
            "path": f"/acq/{acq_id}",
            "id": acq_id,
            "complete": True,
            "started_at": "2026-11-22T01:00:00Z",
            "finished_at": "2026-11-22T01:06:00Z",
            "operator": "helpdesk",
            "artifacts": [{"name": "files.json", "status": "complete", "error": None}],
            "hashes_csv_sha256": "c" * 64,
        },
        "inventory": {
            "packages": 5,
            "packages_uninstalled_kept_data": 0,
            "apks_collected": 0,
            "apks_analyzed": 0,
            "files_listed": 52,
        },
        "coverage": [{"check": "leftover_files", "status": "ran", "reason": None}],
        "findings": [finding.to_dict()],
    }
    result.update(extra)
    return result


def count(store: Store, model: type) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def store(store_url: str):
    with Store.open(store_url) as opened:
        yield opened


def test_two_scans_of_one_device_make_one_device_and_two_scans(store: Store) -> None:
    first = store.record_scan(make_result("acq-1"))
    # The same acquisition analysed again with a newer signature pack, then a second acquisition.
    rescan = make_result("acq-1", generated_at="2026-11-23T08:00:00Z")
    rescan["tool"]["signature_pack"]["version"] = "2026.12.0"
    second = store.record_scan(rescan)
    third = store.record_scan(make_result("acq-2", generated_at="2026-11-24T08:00:00Z"))
    assert first != second != third
    assert count(store, Device) == 1
    assert count(store, Acquisition) == 2
    assert count(store, Scan) == 3

    scans = store.scans_for_device(SERIAL_SHA)
    assert [s.id for s in scans] == [first, second, third]
    assert [s.acq_id for s in scans] == ["acq-1", "acq-1", "acq-2"]
    assert [s.signature_pack_version for s in scans] == ["2026.11.0", "2026.12.0", "2026.11.0"]
    assert scans[0].created_at == datetime(2026, 11, 22, 2, 10, tzinfo=UTC)
    assert scans[0].verdict == "implant_found" and scans[0].tool_version == "0.1.0"
    assert scans[0].finding_count == 1
    assert store.scans_for_device("0" * 64) == []


def test_device_and_acquisition_fields(store: Store) -> None:
    store.record_scan(make_result("acq-1"))
    with Session(store.engine) as session:
        device = session.scalars(select(Device)).one()
        assert (device.platform, device.fingerprint, device.model) == ("android", SERIAL_SHA, "Redmi Note 11")
        assert device.first_seen == datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
        acq = session.scalars(select(Acquisition)).one()
        assert acq.acq_id == "acq-1" and acq.path == "/acq/acq-1" and acq.complete is True
        assert acq.operator == "helpdesk" and acq.hashes_csv_sha256 == "c" * 64
        assert acq.finished_at == datetime(2026, 11, 22, 1, 6, tzinfo=UTC)
        assert acq.device_id == device.id


def test_findings_are_stored(store: Store) -> None:
    result = make_result("acq-1")
    scan_id = store.record_scan(result)
    with Session(store.engine) as session:
        row = session.scalars(select(FindingRow)).one()
        assert row.scan_id == scan_id
        assert (row.rule_id, row.family) == ("bxaq.leftover.cjlog", "bxaq")
        assert (row.severity, row.confidence) == ("high", "high")
        assert row.subject == "/sdcard/cjlog.txt\ufffd"  # storable text; the exact value is in data
        assert row.time == datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
        assert json.loads(row.data) == result["findings"][0]
    assert store.findings_for_scan(scan_id) == result["findings"]
    # The whole document round-trips exactly, undecodable bytes included.
    assert store.scans_for_device(SERIAL_SHA)[0].result() == result


def test_scan_without_findings_and_with_odd_times(store: Store) -> None:
    result = make_result("acq-1", findings=[], generated_at="not a time")
    result["acquisition"]["started_at"] = None
    scan_id = store.record_scan(result)
    (record,) = store.scans_for_device(SERIAL_SHA)
    assert record.id == scan_id and record.finding_count == 0
    assert record.created_at.tzinfo is not None


def test_unreadable_serials_are_never_merged(store: Store) -> None:
    store.record_scan(make_result("acq-a", serial_sha256=None))
    store.record_scan(make_result("acq-b", serial_sha256=None))
    assert count(store, Device) == 2
    assert len(store.scans_for_device("unknown-serial:acq-a")) == 1


def test_record_scan_is_one_transaction(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: Any) -> None:
        raise RuntimeError("disk full")

    # Fails after the device and acquisition were written in the transaction: nothing is kept.
    monkeypatch.setattr(Store, "_new_scan", staticmethod(fail))
    with pytest.raises(RuntimeError):
        store.record_scan(make_result("acq-1"))
    assert count(store, Device) == count(store, Acquisition) == count(store, Scan) == 0


def test_record_scan_refuses_what_it_cannot_index(store: Store) -> None:
    with pytest.raises(ValueError):
        store.record_scan({"acquisition": {"id": "x"}})  # no verdict
    with pytest.raises(ValueError):
        store.record_scan({"verdict": "incomplete", "acquisition": {}})  # no acquisition id or path
    broken = make_result("acq-1")
    broken["findings"][0]["params"]["x"] = object()  # not JSON
    with pytest.raises(TypeError):
        store.record_scan(broken)
    assert count(store, Scan) == 0


def test_sqlite_file_uses_wal_and_a_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "store.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        store.record_scan(make_result())
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # WAL is a property of the file: a plain sqlite3 connection sees it too.
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_in_memory_sqlite_works() -> None:
    with Store.open("sqlite://") as store:
        store.record_scan(make_result())
        assert len(store.scans_for_device(SERIAL_SHA)) == 1


def test_env_inspector_db_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("INSPECTOR_DB", f"sqlite:///{path}")
    with Store.open() as store:
        assert store.url == f"sqlite:///{path}"
        store.record_scan(make_result())
    assert path.is_file()
    with Store.open(f"sqlite:///{path}") as again:
        assert len(again.scans_for_device(SERIAL_SHA)) == 1


def test_default_is_sqlite_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSPECTOR_DB", raising=False)
    monkeypatch.setenv("INSPECTOR_DATA_DIR", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'inspector.sqlite3'}"
    with Store.open() as store:
        store.record_scan(make_result())
    assert (tmp_path / "data" / "inspector.sqlite3").is_file()


# --- two processes at once ----------------------------------------------------------------------

SCANS_PER_PROCESS = 15


def _writer(url: str, name: str, barrier: Any, errors: Any) -> None:
    """Runs in a child process: open the (possibly not yet created) store and record scans of the
    same device as the other process, as fast as possible."""
    try:
        barrier.wait(timeout=60)
        with Store.open(url) as store:
            for i in range(SCANS_PER_PROCESS):
                # Both processes also share acquisitions, so both upserts race.
                store.record_scan(make_result(f"acq-{i % 3}", generated_at=f"2026-11-22T02:{i:02d}:00Z"),
                                  apk_features={f"{i % 4:064x}": {"sha256": f"{i % 4:064x}", "features_version": 1}})
                store.record_scan(make_result(f"acq-{name}-{i}"))
    except BaseException as exc:  # report everything to the parent
        errors.put(f"{name}: {type(exc).__name__}: {exc}")
        raise


def test_two_processes_write_concurrently(store_url: str) -> None:
    url = store_url
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    errors = ctx.Queue()
    workers = [ctx.Process(target=_writer, args=(url, name, barrier, errors)) for name in ("p1", "p2")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    messages = []
    while not errors.empty():
        messages.append(errors.get())
    assert messages == []
    assert [w.exitcode for w in workers] == [0, 0]

    with Store.open(url) as store:
        assert count(store, Device) == 1
        assert count(store, Acquisition) == 3 + 2 * SCANS_PER_PROCESS
        assert count(store, Scan) == 2 * 2 * SCANS_PER_PROCESS
        assert count(store, FindingRow) == 2 * 2 * SCANS_PER_PROCESS
        assert count(store, ApkRecord) == 4  # the same APK recorded by both processes is stored once
        assert len(store.scans_for_device(SERIAL_SHA)) == 2 * 2 * SCANS_PER_PROCESS


def test_findings_record_their_signature_pack(store: Store) -> None:
    scan_id = store.record_scan(make_result("acq-1"))
    with Session(store.engine) as session:
        row = session.scalars(select(FindingRow).where(FindingRow.scan_id == scan_id)).one()
        assert row.signature_pack_version == "2026.11.0"


def test_apk_features_are_stored_once_by_sha256(store: Store) -> None:
    sha = "ab" * 32
    record = {"sha256": sha, "features_version": 1, "package": "com.example\udcff", "dex": [{"strings": ["x"]}]}
    store.record_scan(make_result("acq-1"), apk_features={sha: record, "not-a-sha": {"x": 1}})
    store.record_scan(make_result("acq-2"), apk_features={sha.upper(): {**record, "package": "changed"}})
    assert count(store, ApkRecord) == 1
    assert store.apk_features([sha, "0" * 64]) == {sha: record}  # the first record, exactly


def test_latest_scans_and_their_findings(store: Store) -> None:
    first = store.record_scan(make_result("acq-1"))
    store.create_case("trip")
    later = store.record_scan(make_result("acq-1", generated_at="2026-11-23T00:00:00Z", findings=[]))
    other = store.record_scan(make_result("acq-2"), case="trip")
    latest = store.latest_scans()
    assert [(s.acq_id, s.scan_id) for s in latest] == [("acq-1", later), ("acq-2", other)]
    assert latest[0].finding_keys == ()
    assert latest[1].finding_keys == (("bxaq.leftover.cjlog", "/sdcard/cjlog.txt\ufffd"),)
    assert [s.acq_id for s in store.latest_scans("trip")] == ["acq-2"]
    assert store.scan_acquisition_path(first) == "/acq/acq-1"
    with pytest.raises(StoreError, match="no stored scan"):
        store.scan_acquisition_path(10_000)


# --- a writer killed at random points -------------------------------------------------------------

FINDINGS_PER_SCAN = 150


def _endless_writer(url: str, name: str) -> None:
    """Child process: record scans with many findings each, until killed."""
    result = make_result()
    result["findings"] = [dict(result["findings"][0], subject=f"/sdcard/f{i}") for i in range(FINDINGS_PER_SCAN)]
    with Store.open(url) as store:
        for i in range(10_000):
            result["acquisition"]["id"] = f"{name}-{i}"
            store.record_scan(result)


def test_a_writer_killed_at_random_points_leaves_no_half_written_scan(store_url: str) -> None:
    import random
    import time

    Store.open(store_url).close()
    ctx = multiprocessing.get_context("spawn")
    rng = random.Random(7)
    for round_ in range(3):
        child = ctx.Process(target=_endless_writer, args=(store_url, f"kill{round_}"))
        child.start()
        time.sleep(1.5 + rng.random())  # start-up, then some scans, then a kill in the middle of one
        child.kill()
        child.join(timeout=30)
    with Store.open(store_url) as store:
        with Session(store.engine) as session:
            per_scan = session.execute(
                select(Scan.id, func.count(FindingRow.id)).outerjoin(FindingRow).group_by(Scan.id)).all()
        assert per_scan, "the writer never recorded anything before being killed"
        assert {n for _id, n in per_scan} == {FINDINGS_PER_SCAN}  # every scan whole, or not there at all
        assert count(store, Acquisition) == len(per_scan)


def test_a_writer_takes_the_lock_soon_after_another_writer_releases_it(tmp_path: Path) -> None:
    """Another process's write transaction (a plain sqlite3 connection) holds the write lock for
    0.45 s: a scan recorded meanwhile waits for it and gets it within milliseconds of its release, not
    after SQLite's busy back-off (100 ms between tries by then: ~80 ms late here)."""
    import threading
    import time

    path = tmp_path / "store.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        alone = []
        for n in range(3):  # what recording a scan costs with nobody else writing
            started = time.monotonic()
            store.record_scan(make_result(f"acq-alone-{n}"))
            alone.append(time.monotonic() - started)
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        released = {}

        def release() -> None:
            time.sleep(0.45)
            holder.execute("COMMIT")
            released["at"] = time.monotonic()

        thread = threading.Thread(target=release)
        thread.start()
        started = time.monotonic()
        store.record_scan(make_result("acq-1"))
        done = time.monotonic()
        thread.join()
        holder.close()
        assert done - started >= 0.44  # it did wait for the lock
        late = done - released["at"] - sorted(alone)[1]
        assert late < 0.04, f"took the lock ~{1000 * late:.0f} ms after its release"
        assert count(store, Scan) == 4


def test_a_writer_gives_up_after_the_busy_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy.exc

    from inspector.store import database

    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "store.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(sqlalchemy.exc.OperationalError, match="locked"):
                store.record_scan(make_result("acq-1"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        store.record_scan(make_result("acq-2"))  # the connection is usable again
        with store.engine.connect() as connection:  # and keeps its busy timeout for other waits
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 200


def test_the_garbage_collector_is_paused_only_inside_a_write_transaction(store: Store, tmp_path: Path) -> None:
    import gc
    import threading

    assert gc.isenabled()
    seen = []
    with store.write_session() as session, Store.open(f"sqlite:///{tmp_path / 'other.sqlite3'}") as other:
        seen.append(gc.isenabled())
        session.execute(select(func.count()).select_from(Scan))
        # Another thread's write transaction (in another store: this one's SQLite writer is taken) ends.
        inner = threading.Thread(target=lambda: seen.append(other.record_scan(make_result("acq-thread")) > 0))
        inner.start()
        inner.join()  # another thread's transaction ended: still paused for this one
        seen.append(gc.isenabled())
    seen.append(gc.isenabled())
    with pytest.raises(RuntimeError), store.write_session():
        raise RuntimeError("rolled back")
    seen.append(gc.isenabled())
    assert seen == [False, True, False, True, True]
    gc.disable()
    with store.write_session():
        pass
    assert not gc.isenabled()  # a collector the program had switched off stays off
    gc.enable()


def test_threads_of_one_process_queue_for_the_sqlite_writer_instead_of_polling(tmp_path: Path) -> None:
    """A batch's phones share one store: while one thread writes, the others wait on a lock, asleep;
    they do not try BEGIN IMMEDIATE every millisecond against each other."""
    import threading
    import time

    from sqlalchemy import event

    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        begins: list[str] = []

        def trace(dbapi_connection, _record) -> None:
            dbapi_connection.set_trace_callback(lambda sql: begins.append(sql) if sql.startswith("BEGIN") else None)

        event.listen(store.engine, "connect", trace)
        store.engine.dispose()  # new connections, traced
        inside = threading.Event()

        def long_writer() -> None:
            with store.write_session() as session:
                session.execute(select(func.count()).select_from(Scan))
                inside.set()
                time.sleep(0.4)

        holder = threading.Thread(target=long_writer)
        holder.start()
        assert inside.wait(10)
        others = [threading.Thread(target=store.record_scan, args=(make_result(f"acq-{n}"),)) for n in range(3)]
        for thread in others:
            thread.start()
        for thread in [holder, *others]:
            thread.join(30)
        assert len(begins) == 4, begins  # one BEGIN each; polling made hundreds
        assert count(store, Scan) == 3
