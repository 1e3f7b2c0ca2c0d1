"""logcat threadtime → lines and package events; files.json (inspector and androidqf variants) → records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.files_json import parse_files_json
from inspector.analyze.parsers.logcat import extract_package_events, iter_logcat, parse_logcat

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def test_logcat_android11_lines_and_buffers():
    log = parse_logcat((FIXTURES / "logcat_android11.txt").read_bytes(), tz="Asia/Bishkek", year=2021)
    assert len(log.lines) == 19
    assert log.warnings == ["2 lines are not threadtime log lines (first: line 12)"]
    first = log.lines[0]
    assert (first.time.time, first.pid, first.tid, first.level, first.tag, first.buffer) == (
        "2021-09-03T04:12:40Z", 1421, 1510, "I", "ActivityManager", "main")
    assert first.message == "Displayed com.android.settings/.Settings: +410ms"
    assert {line.buffer for line in log.lines} == {"main", "events", "system"}
    kill = next(line for line in log.lines if line.tag == "am_kill")
    assert kill.message.startswith("[0,21877,") and kill.time.raw == "09-03 10:29:58.703"
    empty = next(line for line in log.lines if line.message == "" and line.tag == "MFSocket")
    assert empty.pid == 22433


def test_logcat_package_events():
    log = parse_logcat((FIXTURES / "logcat_android11.txt").read_text(), tz="Asia/Bishkek", year=2021)
    events = extract_package_events(log.lines)
    assert [(e.action, e.package) for e in events] == [
        ("process_start", "com.android.settings"),
        ("install", None),
        ("dexopt", "com.fiberhome.wifiserver"),
        ("install", "com.fiberhome.wifiserver"),
        ("process_start", "com.fiberhome.wifiserver"),
        ("process_start", "com.fiberhome.wifiserver"),
        ("force_stop", "com.fiberhome.wifiserver"),
        ("process_killed", "com.fiberhome.wifiserver"),
        ("process_killed", "com.fiberhome.wifiserver"),
        ("process_died", "com.fiberhome.wifiserver"),
        ("force_stop", "com.fiberhome.wifiserver"),
        ("install", None),
        ("process_start", "com.Android.MFSocket"),
        ("process_start", "com.Android.MFSocket"),
        ("package_replaced", "com.whatsapp")]
    start = events[4]
    assert (start.uid, start.pid, start.time.time, start.tag) == (10262, 21877, "2021-09-03T04:14:39Z", "am_proc_start")
    assert events[5].uid == 10262 and events[5].tag == "ActivityManager"
    assert [e.detail for e in events if e.action == "force_stop"] == ["deletePackageX", "pkg removed"]
    assert events[13].detail.startswith("[0,22433,10263,com.Android.MFSocket:remote,service")


def test_logcat_demo_phone():
    demo = Path(__file__).parent.parent / "inspector/simulator/profiles/demo/commands/logcat_all.txt"
    log = parse_logcat(demo.read_bytes(), tz="Asia/Shanghai", now="2026-11-18T13:40:00Z")
    assert log.warnings == [] and len(log.lines) == 306
    events = extract_package_events(log.lines)
    bxaq = [(e.action, e.time.time) for e in events if e.package == "com.fiberhome.wifiserver"]
    assert ("install", "2026-11-18T01:11:26Z") in bxaq
    assert ("uninstall", "2026-11-18T02:52:20Z") in bxaq
    assert ("package_removed", "2026-11-18T02:52:20Z") in bxaq
    assert ("process_start", "2026-11-18T01:11:39Z") in bxaq


def test_logcat_year_and_uid_formats_and_new_year():
    text = ("2026-11-18 09:10:04.088  7321  7321 I adbd    : authorized\n"
            "12-31 23:59:59.900  root  1  1 I init    : year ends\n"
            "01-01 00:00:01.000 10262 21877 21877 W app     : year starts\n")
    lines = list(iter_logcat(text, tz="UTC", now="2027-01-01T08:00:00Z"))
    assert [(line.time.time, line.uid, line.tag) for line in lines] == [
        ("2026-11-18T09:10:04Z", None, "adbd"), ("2026-12-31T23:59:59Z", "root", "init"),
        ("2027-01-01T00:00:01Z", "10262", "app")]
    no_year = list(iter_logcat("11-18 09:10:04.088  1  1 I x: y\n"))
    assert no_year[0].time.time is None and no_year[0].time.raw == "11-18 09:10:04.088"


def test_logcat_not_a_log():
    with pytest.raises(ParseError):
        parse_logcat("Packages:\n  Package [a] (1):\n")
    assert parse_logcat("").warnings == ["empty input"]


# -- files.json -------------------------------------------------------------------------------------

def test_files_inspector_format_and_absurd_times():
    listing = parse_files_json((FIXTURES / "files_inspector.json").read_bytes())
    assert listing.warnings == [] and len(listing.files) == 4
    cjlog, folder, link, odd = listing.files
    assert (cjlog.path, cjlog.size, cjlog.type, cjlog.user_id, cjlog.modified_time.time) == (
        "/sdcard/Android/cjlog.txt", 3584, "file", 10262, "2021-09-03T04:19:12Z")
    assert (folder.type, link.type) == ("directory", "symlink")
    assert [link.modified_time.time, link.access_time.time, link.changed_time.time] == [None, None, None]
    assert (link.access_time.raw, link.changed_time.raw) == ("-5", "32503680000")
    assert odd.path_bytes_b64 == "L3NkY2FyZC9Eb3dubG9hZC/Qv9GA0Lj/LnR4dA==" and odd.access_time is None
    assert odd.error == "stat: No such file or directory"


def test_files_androidqf_collector_list_and_json_lines_agree():
    as_list = parse_files_json((FIXTURES / "files_androidqf_collector.json").read_text())
    as_lines = parse_files_json((FIXTURES / "files_androidqf_collector.jsonl").read_bytes())
    assert as_list.files == as_lines.files and as_list.warnings == as_lines.warnings == []
    collector = as_list.files[1]
    assert (collector.path, collector.sha256, collector.context, collector.mime_type) == (
        "/data/local/tmp/adbDownload", "1fd6580f811c8633779e9e4def6b5726662c15df4fd312733e21587dfe50f667",
        "u:object_r:shell_data_file:s0", "application/x-executable")
    assert collector.md5 is None  # "" means not computed
    denied = as_list.files[2]
    assert denied.error.endswith("permission denied") and denied.modified_time.time is None


def test_files_androidqf_find_fallbacks():
    listing = parse_files_json((FIXTURES / "files_androidqf_find.json").read_bytes())
    log, bare = listing.files
    assert (log.mode, log.type, log.user_name, log.group_name, log.modified_time.time) == (
        "660", None, "u0_a262", "media_rw", "2021-09-03T04:21:09Z")
    assert (bare.path, bare.size, bare.mode, bare.modified_time) == ("/sdcard/Download/ticket.pdf", None, None, None)


def test_files_truncated_and_damaged():
    data = (FIXTURES / "files_androidqf_collector.json").read_bytes()
    cut = parse_files_json(data[:-150])
    assert [f.path for f in cut.files] == ["/sdcard/cjlog_plain.txt", "/data/local/tmp/adbDownload"]
    assert cut.warnings == ["damaged or truncated JSON: 2 objects recovered, 1 unreadable places skipped"]
    records = json.loads(data)
    damaged = (json.dumps(records[:1])[:-1] + ', {"path": "/x", "size": }, ' + json.dumps(records[2]) + "]").encode()
    listing = parse_files_json(damaged)
    assert [f.path for f in listing.files] == ["/sdcard/cjlog_plain.txt", "/sdcard/Pictures/private.jpg"]


def test_files_odd_records():
    listing = parse_files_json('{"files": [{"path": "/a", "size": "12", "modified_time": true, "x": 1}, '
                               '{"size": 1}, "text", {"path": "/b", "size": "big"}]}')
    first, second = listing.files
    assert (first.size, first.modified_time.note, first.extra) == (12, "not a number", {"x": 1})
    assert second.size is None
    assert listing.warnings == ["record 1: no path", "record 2: not an object", "record 3: size 'big' is not a number"]
    assert parse_files_json('{"path": "/only"}').files[0].path == "/only"


def test_files_not_json():
    with pytest.raises(ParseError):
        parse_files_json("path,size\n/a,1\n")
    with pytest.raises(ParseError):
        parse_files_json("[1, 2")
    with pytest.raises(ParseError):
        parse_files_json("42")
    assert parse_files_json(b"  ").warnings == ["empty input"]
