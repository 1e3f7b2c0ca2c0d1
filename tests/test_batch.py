"""``inspector batch``: four simulated phones on loopback acquired at once (the shipped ``clean``,
``bxaq-installed`` and ``mfsocket`` phones, plus a second ``clean`` phone with another serial number
that drops its connection half-way, as an unplugged cable does), against a real SQLite store and a
real PostgreSQL server; then the command itself on two phones."""

# ruff: noqa: F811 - pytest fixtures imported from tests/postgres.py are used as parameter names

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from inspector.analyze.signatures import SignaturePack
from inspector.fleet.batch import Batch, BatchOptions
from inspector.resources import simulator_profiles_dir
from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone
from inspector.simulator.server import Faults
from inspector.store import Store
from postgres import postgres_server, postgres_url, store_url  # noqa: F401 - fixtures
from simulator_profiles import clean_twin

EXE = Path(sys.executable).parent / "inspector"


def _phones(tmp_path: Path, unplugged: bool = True) -> list[SimulatedPhone]:
    profiles = [DeviceProfile.load(simulator_profiles_dir() / name) for name in ("clean", "bxaq-installed", "mfsocket")]
    phones = [SimulatedPhone(p, auth=AuthPolicy(required=False)) for p in profiles]
    # Drops the connection after ~60 kB: during the collection, after the phone said who it is.
    faults = Faults(drop_after_bytes=60_000) if unplugged else Faults()
    phones.append(SimulatedPhone(clean_twin(tmp_path, "TWIN0002"), auth=AuthPolicy(required=False), faults=faults))
    for phone in phones:
        phone.start()
    return phones


def test_four_phones_at_once(store_url: str, tmp_path: Path) -> None:
    phones = _phones(tmp_path)
    try:
        options = BatchOptions(out=tmp_path / "batch", tcp=[p.address for p in phones], db=store_url,
                               formats=("json",), poll_s=0.1)
        changes: list[int] = []
        job = Batch(options, SignaturePack.load(), on_change=lambda: changes.append(1))
        summary = job.run()
    finally:
        for phone in phones:
            phone.stop()
    rows = {row.label: row for row in summary.rows}
    assert len(rows) == 4 and changes
    clean, bxaq, mfsocket, twin = (rows[p.address] for p in phones)
    assert (clean.stage, clean.verdict, clean.complete) == ("done", "nothing_found", True)
    assert bxaq.verdict == "implant_found" and any(f["family"] == "bxaq" for f in bxaq.findings)
    assert mfsocket.verdict == "implant_found" and any(f["family"] == "mfsocket" for f in mfsocket.findings)
    # The unplugged phone: kept, marked incomplete, analysed as far as it was read; the rest went on.
    assert twin.stage == "incomplete" and twin.complete is False and "unplugged" in (twin.error or "")
    assert twin.path and (Path(twin.path) / "acquisition.json").is_file()
    # Four folders, numbered in the order the phones were found, each with its report.
    folders = sorted(p.name for p in (tmp_path / "batch").iterdir() if p.is_dir())
    assert len(folders) == 4 and all((tmp_path / "batch" / f / "report.json").is_file() for f in folders)
    # Every app analysed once: as many extractions as different apps, fewer than the copies.
    assert summary.apk_extractions == summary.unique_apks < summary.apk_copies
    with Store.open(store_url) as store:
        latest = store.latest_scans()
        assert sorted(s.verdict for s in latest) == sorted(r.verdict for r in summary.rows)
        assert len({s.device_fingerprint for s in latest}) == 4

    table = list(csv.DictReader(io.StringIO((tmp_path / "batch" / "fleet.csv").read_text())))
    assert {r["phone"] for r in table} == set(rows)
    assert {r["rule_id"] for r in table if r["phone"] == bxaq.label} == {f["rule_id"] for f in bxaq.findings}
    assert [r["verdict"] for r in table if r["phone"] == clean.label][0] == "nothing_found"
    html = (tmp_path / "batch" / "fleet.html").read_text()
    assert "<script" not in html and "bxaq.package" in html and "http-equiv=\"Content-Security-Policy\"" in html
    assert "We found a known surveillance app" in html and "Batch audit: summary" in html


def test_a_phone_that_never_answers_does_not_stop_the_others(tmp_path: Path) -> None:
    phone = SimulatedPhone(DeviceProfile.load(simulator_profiles_dir() / "clean"), auth=AuthPolicy(required=False))
    phone.start()
    try:
        options = BatchOptions(out=tmp_path / "b", tcp=[phone.address, "127.0.0.1:1"], count=1, store=False,
                               formats=("json",), poll_s=0.1)
        summary = Batch(options, SignaturePack.load()).run()
    finally:
        phone.stop()
    assert [(r.label, r.stage) for r in summary.rows] == [(phone.address, "done")]


def test_cli_batch(tmp_path: Path, isolated_user_dirs: Path) -> None:
    started = _phones(tmp_path, unplugged=False)
    phones = started[:2]  # clean and bxaq-installed
    for phone in started[2:]:
        phone.stop()
    env = {**os.environ, "COLUMNS": "200", "INSPECTOR_DB": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    for var in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{var}_DIR"] = str(isolated_user_dirs / var.lower())
    try:
        assert subprocess.run([str(EXE), "cases", "new", "trip"], env=env, capture_output=True).returncode == 0
        done = subprocess.run([str(EXE), "batch", "--tcp", phones[0].address, "--tcp", phones[1].address,
                               "--out", str(tmp_path / "out"), "--case", "trip"],
                              capture_output=True, text=True, timeout=300, env=env)
    finally:
        for phone in phones:
            phone.stop()
    assert done.returncode == 1, done.stdout + done.stderr  # the BXAQ phone
    assert "fleet.html" in done.stdout and "implant_found" in done.stdout
    assert done.stdout.count("Batch →") == 1  # the final table once (the live view is not left behind)
    clean_line = next(line for line in done.stdout.splitlines() if phones[0].address in line)
    assert "nothing_found" in clean_line and "0 (+" in clean_line and "low/info)" in clean_line
    shown = subprocess.run([str(EXE), "cases", "show", "trip"], env=env, capture_output=True, text=True)
    assert "2 phone(s), 2 acquisition(s)" in shown.stdout
    bad = subprocess.run([str(EXE), "batch", "--tcp", "nonsense"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "HOST:PORT" in bad.stdout


def test_two_phones_with_the_same_apps_at_once(tmp_path: Path) -> None:
    """Both phones send the same APKs (same device paths) at the same moment into the one local APK
    cache: every APK of both must arrive (it once collided on a per-process temporary name)."""
    phones = [SimulatedPhone(clean_twin(tmp_path, serial), auth=AuthPolicy(required=False)).start()
              for serial in ("TWIN0003", "TWIN0004")]
    try:
        options = BatchOptions(out=tmp_path / "b", tcp=[p.address for p in phones], store=False, formats=("json",),
                               poll_s=0.05)
        summary = Batch(options, SignaturePack.load()).run()
    finally:
        for phone in phones:
            phone.stop()
    assert [(r.stage, r.complete) for r in summary.rows] == [("done", True), ("done", True)]
    assert summary.apk_copies == 16 and summary.unique_apks == summary.apk_extractions == 8


def test_usb_listing_on_an_empty_bus_leaves_tcp_phones_alone(tmp_path: Path) -> None:
    """`batch --usb`: every poll lists USB devices through the real libusb (adb-shell's transport);
    this machine has no USB bus with a phone on it, so the listing is empty, says nothing, and the
    TCP phone is acquired as usual. (A phone found on USB goes through the same path as a TCP one from
    `pipeline.connect`; no USB phone can be attached here.)"""
    from inspector.acquire.android.usb import list_phones

    assert list_phones() == []  # the real libusb answered
    phone = SimulatedPhone(DeviceProfile.load(simulator_profiles_dir() / "clean"), auth=AuthPolicy(required=False))
    phone.start()
    try:
        options = BatchOptions(out=tmp_path / "b", tcp=[phone.address], usb=True, count=1, store=False,
                               formats=("json",), poll_s=0.05)
        summary = Batch(options, SignaturePack.load()).run()
    finally:
        phone.stop()
    assert [(r.key, r.stage) for r in summary.rows] == [(f"tcp:{phone.address}", "done")]
    assert not [n for n in summary.notes if n.startswith("USB")]


def test_a_stopped_batch_ends_at_once_with_many_phones_still_being_read(tmp_path: Path) -> None:
    """Ctrl-C with eight phones that stopped answering half-way: the batch ends within its one grace
    period (it gave each phone a second of its own, eight seconds), and says why each is incomplete."""
    import threading
    import time

    phones = [SimulatedPhone(clean_twin(tmp_path, f"STALL{n:03d}"), auth=AuthPolicy(required=False),
                             faults=Faults(stall_after_bytes=20_000)).start() for n in range(8)]
    try:
        job = Batch(BatchOptions(out=tmp_path / "b", tcp=[p.address for p in phones], store=False,
                                 formats=("json",), poll_s=0.05), SignaturePack.load())
        result = {}
        runner = threading.Thread(target=lambda: result.setdefault("summary", job.run()))
        runner.start()
        deadline = time.monotonic() + 60
        while sum(p.bytes_sent >= 20_000 for p in phones) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        stopped = time.monotonic()
        job.stop()
        runner.join(30)
        took = time.monotonic() - stopped
    finally:
        for phone in phones:
            phone.stop()
    summary = result["summary"]
    assert [r.stage for r in summary.rows] == ["incomplete"] * 8
    assert all(r.error == "the batch was stopped" for r in summary.rows)
    assert took < 5, f"the batch took {took:.1f} s to end after it was stopped"
