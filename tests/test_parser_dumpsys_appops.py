"""dumpsys appops → ops with mode and access/reject times (Android 5 excerpts, 9, 11, 13, Samsung 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys import split_dumpsys
from inspector.analyze.parsers.dumpsys_appops import parse_dumpsys_appops

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def parse(name: str, tz: str, now: str | None):
    return parse_dumpsys_appops((FIXTURES / name).read_bytes(), tz=tz, now=now)


def test_android9_uid_states_and_continuations():
    dump = parse("dumpsys_appops_android9.txt", "America/Los_Angeles", "2019-07-02T22:30:00Z")
    assert dump.warnings == []
    assert len(dump.ops) == 9
    uid_mode = dump.ops[1]
    assert (uid_mode.uid, uid_mode.package, uid_mode.op, uid_mode.mode) == (10142, None, "RUN_IN_BACKGROUND", "ignore")
    bxaq = dump.for_package("com.fiberhome.wifiserver")
    assert [op.op for op in bxaq] == ["COARSE_LOCATION", "READ_CONTACTS", "READ_SMS", "RECORD_AUDIO", "WAKE_LOCK",
                                      "READ_EXTERNAL_STORAGE"]
    sms = bxaq[2]
    assert (sms.uid, sms.mode, sms.last_access.time, sms.accesses[0].uid_state) == (
        10151, "allow", "2019-07-02T18:03:32Z", "top")
    audio = bxaq[3]
    assert audio.mode == "ignore" and audio.last_access is None and audio.last_reject.time == "2019-07-02T18:05:12Z"
    wake = bxaq[4]
    assert [(a.uid_state, a.time.time) for a in wake.accesses] == [("top", "2019-07-02T18:04:00Z"),
                                                                   ("fgsvc", "2019-07-02T18:30:00Z")]
    assert wake.last_access.time == "2019-07-02T18:30:00Z" and wake.duration_ms == 5_172_003


def test_android11_attribution_tags_running_and_rejects():
    dump = parse("dumpsys_appops_android11.txt", "Asia/Bishkek", "2021-09-03T10:00:00Z")
    assert dump.warnings == []
    assert len(dump.ops) == 11
    camera = dump.for_package("com.whatsapp")[1]
    assert (camera.op, camera.accesses[0].uid_state, camera.accesses[0].flags, camera.accesses[0].duration_ms) == (
        "CAMERA", "top", "s", 12411)
    identifiers = dump.for_package("com.fiberhome.wifiserver")[2]
    assert (identifiers.op, identifiers.mode) == ("READ_DEVICE_IDENTIFIERS", "default")
    assert identifiers.last_reject.time == "2021-09-03T04:14:41Z"  # "Reject: [top-s]2021-…" (no space)
    assert [op.op for op in dump.ops if op.package is None] == ["FINE_LOCATION"]
    wake = dump.for_package("com.Android.MFSocket")[-1]
    assert [(a.kind, a.attribution_tag, a.time.time) for a in wake.accesses] == [
        ("access", None, "2021-09-03T04:31:16Z"),
        ("access", "MFSocketService", "2021-09-03T04:46:59Z"),
        ("running", "MFSocketService", "2021-09-03T04:47:02Z")]
    audio = next(op for op in dump.ops if op.op == "RECORD_AUDIO")
    assert audio.accesses[0].duration_ms == 240_000


def test_android13_abbreviated_uids_and_proxies():
    dump = parse("dumpsys_appops_android13.txt", "Asia/Shanghai", "2023-09-14T14:00:00Z")
    assert dump.warnings == []
    assert [(op.uid_raw, op.uid) for op in dump.ops][:2] == [("u0a231", 10231), ("u0a265", 10265)]
    assert dump.ops[-1].uid == 1010231  # u10a231: the work profile's copy
    media = next(op for op in dump.ops if op.op == "READ_MEDIA_IMAGES")
    access = media.accesses[0]
    assert (access.flags, access.time.time) == ("tp", "2023-09-14T01:41:30Z")
    assert access.proxy == "uid=10062, pkg=com.google.android.providers.media.module, attributionTag=null"


def test_samsung_android15_switch_modes():
    dump = parse("dumpsys_appops_samsung_android15.txt", "Asia/Tashkent", "2025-03-18T06:40:00Z")
    assert dump.warnings == []
    assert len(dump.ops) == 8
    location = dump.for_package("com.instagram.android")[1]
    assert (location.op, location.mode, location.last_access.time) == ("FINE_LOCATION", "foreground",
                                                                       "2025-03-18T06:05:44Z")
    wifi = dump.for_package("com.fiberhome.wifiserver")[-1]
    assert (wifi.op, wifi.last_access.time) == ("CHANGE_WIFI_STATE", "2025-03-18T06:01:58Z")


def test_relative_time_used_when_no_date_is_printed():
    text = "  Uid 10001:\n    Package a.b:\n      CAMERA (allow):\n          Access: [top-s] (-1h0m0s0ms)\n"
    (op,) = parse_dumpsys_appops(text, now="2026-11-18T13:40:00Z").ops
    assert op.last_access.time == "2026-11-18T12:40:00Z"
    (op,) = parse_dumpsys_appops(text).ops
    assert op.accesses[0].time.time is None and "no reference" in op.accesses[0].time.note


def test_android5_lines_from_real_bugreports():
    section = split_dumpsys((FIXTURES / "battery_historian_appops_package_snippets.txt").read_text()).services["appops"]
    dump = parse_dumpsys_appops(section, now="2015-06-01T00:00:00Z")
    assert [(op.uid, op.package, op.op, op.mode, op.duration_ms) for op in dump.ops] == [
        (1000, "com.android.settings", "COARSE_LOCATION", "0", 0),
        (1000, "android", "VIBRATE", "0", 59),
        (10012, "com.google.android.gsf", "WAKE_LOCK", "0", 39)]
    assert dump.ops[1].last_access.time == "2015-05-31T23:59:20Z"
    assert dump.ops[2].last_access.time == "2015-05-31T23:36:11Z"


def test_garbage_and_absurd_times():
    text = ("Current AppOps Service state:\n  Uid 10001:\n    Package a.b:\n      CAMERA (allow):\n"
            "          Access: [top-s] 3000-01-01 00:00:00.000 (+100000d0h0m0s0ms)\n"
            "          Access: [top-s] 1970-01-01 00:00:00.000 (-20000d)\n"
            "\xff\xfe\x00 nonsense\n      READ_SMS (allow):\n          Access: [top-s] 2026-11-18 09:\n")
    dump = parse_dumpsys_appops(text, tz="UTC")
    camera, sms = dump.ops
    assert [a.time.time for a in camera.accesses] == [None, None]
    assert camera.accesses[0].time.raw == "3000-01-01 00:00:00.000"
    assert sms.accesses[0].time is None and sms.last_access is None


def test_not_appops():
    with pytest.raises(ParseError):
        parse_dumpsys_appops("Wi-Fi is enabled\nmWifiInfo SSID: x\n")
    assert parse_dumpsys_appops("").warnings == ["empty input"]
