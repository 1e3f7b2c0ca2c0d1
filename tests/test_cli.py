"""The installed `inspector` command, run as a user runs it (a subprocess of the console script)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from android_profiles import App, android_phone, fixture_apk, start_phone

import inspector
from inspector.simulator import AuthPolicy

EXE = Path(sys.executable).parent / "inspector"
COMMANDS = ["scan", "check", "devices", "doctor", "simulate"]


def run(*args, env_extra=None, timeout=180):
    env = {**os.environ, **(env_extra or {}), "COLUMNS": "120"}
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=timeout, env=env)


def test_version_and_help_on_every_command():
    out = run("--version")
    assert out.returncode == 0 and inspector.__version__ in out.stdout
    top = run("--help")
    assert top.returncode == 0 and "Exit codes" in top.stdout
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.returncode == 0, command
        assert len(result.stdout.splitlines()) > 5, command


def test_demo_scan_end_to_end_names_bxaq_leftovers(tmp_path):
    out_dir = tmp_path / "demo-scan"
    result = run("scan", "--demo", "--out", str(out_dir), "--json")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["verdict"] == "implant_found"
    assert doc["device"]["platform"] == "android" and doc["device"]["serial_sha256"]
    rules = {f["rule_id"] for f in doc["findings"]}
    assert {"bxaq.leftover.cjlog", "bxaq.leftover.cjlog_plain", "bxaq.package", "bxaq.targets.match"} <= rules
    (listed,) = [f for f in doc["findings"] if f["rule_id"] == "bxaq.targets.match"]
    assert listed["subject"] == "/sdcard/Download/lecture notes (scan).pdf" and listed["params"]["demo_entry"]
    assert doc["acquisition"]["complete"] is True
    assert doc["inventory"]["apks_collected"] >= 4 and doc["inventory"]["files_listed"] > 10
    assert all(c["status"] == "ran" for c in doc["coverage"])
    html = (out_dir / "report.html").read_text("utf-8")
    assert "cjlog_plain.txt" in html and "/sdcard/Android/cjlog.txt" in html
    assert "lecture notes (scan).pdf" in html and "hidden list of 73316 files" in html
    assert json.loads((out_dir / "report.json").read_text("utf-8"))["verdict"] == "implant_found"
    assert "Allow USB debugging" in result.stderr  # the demo phone asks, like a real one
    apps_line = next(line for line in result.stderr.splitlines() if line.startswith("Apps:"))
    assert f"{doc['inventory']['apks_collected']} copied from the phone" in apps_line, apps_line
    assert "MB received from the phone" in apps_line and "not copied again" not in apps_line

    # The scan is in the store; `check` re-analyses the folder without the phone, to the same result.
    again = run("check", str(out_dir), "--json")
    assert again.returncode == 1
    assert {f["rule_id"] for f in json.loads(again.stdout)["findings"]} == rules


def test_clean_phone_exits_zero(tmp_path):
    apps = [App(b"org.demo.notes", (b"/data/app/~~C==/org.demo.notes-Y==/base.apk",),
                (fixture_apk("org.demo.notes.apk"),))]
    phone = start_phone(android_phone(tmp_path, apps, {"/sdcard/DCIM/a.jpg": b"x"}))
    try:
        result = run("scan", "--tcp", phone.address, "--out", str(tmp_path / "acq"), "--no-store")
    finally:
        phone.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "We found no trace of the surveillance apps we know about" in result.stdout


def test_refused_authorisation_exits_2_and_writes_nothing(tmp_path):
    phone = start_phone(android_phone(tmp_path, []), auth=AuthPolicy(on_new_key="deny"))
    try:
        result = run("scan", "--tcp", phone.address, "--out", str(tmp_path / "acq"), "--auth-timeout", "1")
    finally:
        phone.stop()
    assert result.returncode == 2
    assert "Allow USB debugging" in result.stdout
    assert not (tmp_path / "acq").exists()


def test_no_phone_exits_2_with_next_step(tmp_path):
    result = run("scan", "--tcp", "127.0.0.1:1", "--out", str(tmp_path / "acq"))
    assert result.returncode == 2 and "What to do" in result.stdout
    bad = run("scan", "--tcp", "nonsense", "--out", str(tmp_path / "acq"))
    assert bad.returncode == 2 and "HOST:PORT" in bad.stdout


def test_check_of_a_non_acquisition_is_a_clear_error(tmp_path):
    result = run("check", str(tmp_path))
    assert result.returncode == 2 and "not an acquisition" in result.stdout


@pytest.mark.parametrize("flags", [["--demo", "--serial", "x"], ["--resume", ".", "--out", "y"]])
def test_conflicting_options_are_usage_errors(flags):
    assert run("scan", *flags).returncode == 2


def test_lost_connection_says_resume_and_resume_finishes(tmp_path):
    from inspector.simulator import Faults

    apps = [App(b"org.demo.notes", (b"/data/app/~~C==/org.demo.notes-Y==/base.apk",),
                (fixture_apk("org.demo.notes.apk") * 40,))]
    profile = android_phone(tmp_path, apps, {"/sdcard/cjlog_plain.txt": b"1\t2\t3\t4\t1763431200\n"})
    folder = tmp_path / "acq"
    phone = start_phone(profile, faults=Faults(drop_after_bytes=30_000))
    try:
        first = run("scan", "--tcp", phone.address, "--out", str(folder), "--no-store", "--json")
    finally:
        phone.stop()
    partial = json.loads(first.stdout)
    assert partial["acquisition"]["complete"] is False
    # What was collected is still checked: the exit code follows what it shows.
    assert first.returncode == (1 if partial["verdict"] in ("implant_found", "needs_review") else 2)
    assert "--resume" in first.stderr and "connection to the phone was lost" in first.stderr
    assert json.loads((folder / "acquisition.json").read_text())["complete"] is False

    phone = start_phone(profile)
    try:
        second = run("scan", "--tcp", phone.address, "--resume", str(folder), "--json", "--no-store")
    finally:
        phone.stop()
    doc = json.loads(second.stdout)
    assert doc["acquisition"]["complete"] is True
    assert doc["verdict"] == "implant_found" and second.returncode == 1


def test_resume_refuses_another_phone(tmp_path):
    apps = [App(b"org.demo.notes", (b"/data/app/n/base.apk",), (fixture_apk("org.demo.notes.apk"),))]
    phone = start_phone(android_phone(tmp_path / "a", apps, serial="PHONE-A"))
    try:
        run("scan", "--tcp", phone.address, "--out", str(tmp_path / "acq"), "--no-store", "--no-apks")
    finally:
        phone.stop()
    other = start_phone(android_phone(tmp_path / "b", apps, serial="PHONE-B"))
    try:
        result = run("scan", "--tcp", other.address, "--resume", str(tmp_path / "acq"), "--no-store")
    finally:
        other.stop()
    assert result.returncode == 2 and "another phone" in result.stdout


def test_ctrl_c_keeps_what_was_collected_and_says_how_to_resume(tmp_path):
    import signal
    import time

    from inspector.acquire.android import commands as C

    def slow_logcat():
        for _ in range(600):
            time.sleep(0.05)
            yield b"11-18 09:40:01.000  1000  1000 I Slow: line\n"

    phone = start_phone(android_phone(tmp_path, [], {"/sdcard/a.txt": b"a"}))
    phone.set_command(C.LOGCAT, slow_logcat)
    folder = tmp_path / "acq"
    try:
        env = {**os.environ, "COLUMNS": "120"}
        proc = subprocess.Popen([str(EXE), "scan", "--tcp", phone.address, "--out", str(folder), "--no-store"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            manifest = folder / "acquisition.json"
            if manifest.exists() and "logcat.txt" in manifest.read_text():
                break
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=30)
    finally:
        phone.stop()
    assert proc.returncode == 2
    assert "Stopped" in out and "--resume" in out
    manifest = json.loads((folder / "acquisition.json").read_text())
    assert manifest["complete"] is False and "Ctrl-C" in manifest["interrupted"]
    assert manifest["artifacts"]["logcat.txt"]["status"] == "partial"
    assert manifest["artifacts"]["getprop.txt"]["status"] == "complete"


def test_doctor_notices_a_competing_adb_server_and_the_key():
    import socket

    with socket.create_server(("127.0.0.1", 0)) as fake_adb_server:
        port = fake_adb_server.getsockname()[1]
        result = run("doctor", env_extra={"ANDROID_ADB_SERVER_PORT": str(port)})
    assert "adb server is running on port" in result.stdout and "adb kill-server" in result.stdout
    assert "ADB key" in result.stdout and "USB access" in result.stdout
    assert result.returncode == (2 if "✗" in result.stdout else 0)


def test_demo_scan_is_recorded_in_the_store(tmp_path):
    from inspector.store import Store

    run("scan", "--demo", "--out", str(tmp_path / "one"))
    run("check", str(tmp_path / "one"))
    doc = json.loads((tmp_path / "one" / "report.json").read_text())
    store = Store.open()
    try:
        scans = store.scans_for_device(doc["device"]["serial_sha256"])
        stored = store.findings_for_scan(scans[-1].id)
    finally:
        store.close()
    assert [s.verdict for s in scans] == ["implant_found", "implant_found"]
    assert sorted(f["rule_id"] for f in stored) == sorted(f["rule_id"] for f in doc["findings"])


def test_check_reads_a_bugreport_and_marks_the_window(tmp_path):
    from test_sources import _bugreport

    source = _bugreport(tmp_path)
    out = tmp_path / "from-bugreport"
    result = run("check", str(source), "--out", str(out), "--window", "2026-11-18", "--json", "--no-store")
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert doc["window"]["start"] == "2026-11-17T16:00:00Z"  # the phone's zone (Asia/Shanghai)
    assert any(f["rule_id"] == "bxaq.package" and f["params"].get("raised_from") for f in doc["findings"])
    assert any(e["in_window"] and e["subject"] == "com.fiberhome.wifiserver" for e in doc["timeline"])
    assert (out / "acquisition.json").is_file() and source.is_file()


def test_bad_window_is_refused_before_any_work(tmp_path):
    result = run("scan", "--demo", "--out", str(tmp_path / "acq"), "--window", "last tuesday")
    assert result.returncode == 2 and "crossing window" in result.stdout
    assert not (tmp_path / "acq").exists()


def test_signatures_list_counts():
    result = run("signatures", "list")
    assert result.returncode == 0
    assert "73,315" in result.stdout and "10103" in result.stdout and "domain 2,091" in result.stdout


def test_devices_over_tcp_shows_state(tmp_path):
    allowed = start_phone(android_phone(tmp_path / "a", []))
    denied = start_phone(android_phone(tmp_path / "b", []), auth=AuthPolicy(on_new_key="deny"))
    try:
        result = run("devices", "--tcp", allowed.address, "--tcp", denied.address, "--tcp", "127.0.0.1:1",
                     timeout=60)
    finally:
        allowed.stop()
        denied.stop()
    lines = result.stdout.splitlines()
    assert any(allowed.address in line and line.split()[-1] == "device" for line in lines)
    assert any(denied.address in line and "unauthorized" in line for line in lines)
    assert any("127.0.0.1:1" in line and "not reachable" in line for line in lines)
    assert result.returncode == 0  # something was found
