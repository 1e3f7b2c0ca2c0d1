"""The crossing window, the timeline, and copies of implants' leftover files with decoded times."""

from __future__ import annotations

import json

import pytest
from android_profiles import android_phone, start_phone

from inspector.acquire.android.connection import AndroidConnection
from inspector.acquisition import Acquisition
from inspector.analyze.decoders import bxaq_cjlog_plain
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.timeline import Window, WindowError
from inspector.pipeline import acquire_android

CHECK = 1794970051  # 2026-11-18T02:47:31Z
PLAIN = f"860000000000009\t437050000000001\t2201117TG\t1.0\t{CHECK - 3600}\t214\n" \
        f"860000000000009\t437050000000001\t2201117TG\t1.0\t{CHECK}\t215\n"


def test_cjlog_plain_decoder_takes_the_latest_sane_time():
    assert bxaq_cjlog_plain(PLAIN.encode()) == {"check_time": "2026-11-18T02:47:31Z", "check_count": 2}
    garbage = b"\xff\xfe\x00garbage\n1\t2\t3\t4\t0\n1\t2\t3\t4\t-5\n1\t2\t3\t4\t32503680000\nshort\tline\n"
    assert bxaq_cjlog_plain(garbage) == {}
    assert bxaq_cjlog_plain(b"") == {}


@pytest.mark.parametrize("text,start,end", [
    ("2026-11-18", "2026-11-17T16:00:00Z", "2026-11-18T16:00:00Z"),  # the day in the phone's zone (UTC+8)
    ("2026-11-18T08:00+08:00/2026-11-18T14:30+08:00", "2026-11-18T00:00:00Z", "2026-11-18T06:30:00Z"),
    ("2026-11-18T08:00/2026-11-18T09:00", "2026-11-18T00:00:00Z", "2026-11-18T01:00:00Z"),
])
def test_window_forms(text, start, end):
    window = Window.parse(text, "Asia/Shanghai")
    assert (window.to_dict()["start"], window.to_dict()["end"]) == (start, end)


@pytest.mark.parametrize("text", ["yesterday", "2026-11-18/2026-11-17", "2026-01-01/2026-06-01", "2026-11-18T10:00"])
def test_bad_windows_say_what_is_accepted(text):
    with pytest.raises(WindowError):
        Window.parse(text, "UTC")


def test_unknown_timezone_falls_back_to_utc():
    assert Window.parse("2026-11-18", "Mars/Olympus").timezone == "UTC"


def _scan(tmp_path, files, meta=None):
    phone = start_phone(android_phone(tmp_path, [], files, meta=meta))
    try:
        host, port = phone.address.rsplit(":", 1)
        with AndroidConnection.connect_tcp(host, int(port)) as conn:
            acq, _stats, _lost = acquire_android(conn, tmp_path / "acq", resume=False, operator=None,
                                                 pack=SignaturePack.load())
    finally:
        phone.stop()
    return acq, phone


def test_leftover_files_are_copied_and_decoded(tmp_path):
    big = b"x" * ((1 << 20) + 1)
    files = {"/sdcard/cjlog_plain.txt": PLAIN, "/sdcard/Android/cjlog.txt": b"\x93\x11" * 300,
             "/sdcard/qzj/qzj.log": big, "/sdcard/Download/holiday.jpg": b"\xff\xd8" * 100}
    meta = {"/sdcard/cjlog_plain.txt": {"mtime": CHECK + 1}, "/sdcard/Android/cjlog.txt": {"mtime": CHECK + 2},
            "/sdcard/Download/holiday.jpg": {"mtime": CHECK + 60}, "/sdcard/qzj/qzj.log": {"mtime": 1000}}
    acq, phone = _scan(tmp_path, files, meta)
    copies = {name: rec for name, rec in acq.manifest["artifacts"].items() if name.startswith("files/")}
    assert set(copies) == {"files/sdcard/cjlog_plain.txt", "files/sdcard/Android/cjlog.txt"}  # qzj.log > 1 MiB
    assert (acq.path / "files/sdcard/cjlog_plain.txt").read_text() == PLAIN
    assert not (acq.path / "files" / "sdcard" / "Download").exists()  # only implants' leftovers are copied
    assert phone.violations == []

    result = analyze(acq, SignaturePack.load(), window="2026-11-18T09:00+08:00/2026-11-18T12:00+08:00")
    by_rule = {f["rule_id"]: f for f in result["findings"]}
    plain = by_rule["bxaq.leftover.cjlog_plain"]
    assert plain["time"] == "2026-11-18T02:47:31Z" and plain["params"]["check_count"] == 2
    assert [e["artifact"] for e in plain["evidence"]] == ["files.json", "files/sdcard/cjlog_plain.txt"]
    # inside the window: raised one level, and the reason is data
    assert plain["severity"] == "critical" and plain["params"]["raised_from"] == "high"
    qzj = by_rule["bxaq.leftover.qzj_log"]
    assert qzj["severity"] == "medium" and "raised_from" not in qzj["params"]  # 1970: outside the window
    assert result["window"]["timezone"] == "Asia/Bishkek"
    timeline = result["timeline"]
    assert [e["time"] for e in timeline] == sorted(e["time"] for e in timeline)
    holiday = [e for e in timeline if e["subject"] == "/sdcard/Download/holiday.jpg"]
    assert holiday and holiday[0]["in_window"] and holiday[0]["event"] == "file_modified"
    assert any(e["finding_rule_id"] == "bxaq.leftover.cjlog_plain" and e["in_window"] for e in timeline)


def test_window_without_times_changes_nothing(tmp_path):
    acq, _ = _scan(tmp_path, {"/sdcard/Download/a.txt": b"a"})
    result = analyze(Acquisition.open(acq.path), SignaturePack.load(), window="2020-01-01")
    assert [f for f in result["findings"] if f["family"] != "device_state"] == []
    assert all(not e["in_window"] for e in result["timeline"])
    assert json.dumps(result)  # serialisable
