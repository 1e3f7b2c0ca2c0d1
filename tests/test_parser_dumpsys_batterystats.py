"""dumpsys batterystats → uid/package map, install/uninstall events, history events."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys_batterystats import parse_dumpsys_batterystats

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def test_android11_history_daily_stats_and_uid_blocks():
    dump = parse_dumpsys_batterystats((FIXTURES / "dumpsys_batterystats_android11.txt").read_bytes(), tz="Asia/Bishkek")
    assert dump.warnings == []
    assert dump.history_start.time == "2021-09-03T02:00:01Z"
    # System uids (1000) are not app uids: they are not mapped; process suffixes (":remote") are dropped.
    assert dump.uid_map() == {10244: ["com.whatsapp"], 10262: ["com.fiberhome.wifiserver"],
                              10263: ["com.Android.MFSocket"]}
    assert {(u.uid, u.source) for u in dump.uid_packages} == {
        (10244, "history:top"), (10262, "history:top"), (10263, "history:top")}
    assert [(e.action, e.package, e.version_code, e.time.time if e.time else None, e.source)
            for e in dump.package_events] == [
        ("install", "com.fiberhome.wifiserver", 1, "2021-09-03T04:14:26Z", "history"),
        ("uninstall", "com.fiberhome.wifiserver", None, "2021-09-03T04:29:59Z", "history"),
        ("install", "com.Android.MFSocket", 37, "2021-09-03T04:31:08Z", "history"),
        ("update", "com.fiberhome.wifiserver", 1, None, "daily"),
        ("uninstall", "com.fiberhome.wifiserver", None, None, "daily"),
        ("update", "com.Android.MFSocket", 37, None, "daily"),
        ("update", "com.whatsapp", 452113, None, "daily")]
    today, earlier = dump.package_events[3], dump.package_events[6]
    assert (today.day_start.time, today.day_end) == ("2021-09-02T18:00:11Z", None)
    assert (earlier.day_start.time, earlier.day_end.time) == ("2021-09-01T18:00:09Z", "2021-09-02T18:00:11Z")
    assert len(dump.history_events) == 22
    tops = [(e.transition, e.tag, e.time.time or e.time.note) for e in dump.history_events if e.name == "top"]
    assert len(tops) == 11
    assert tops[0] == ("", "com.whatsapp", "2021-09-03T02:00:01Z")  # the state at reset, no +/-
    assert tops[-4:] == [
        ("-", "com.Android.MFSocket", "2021-09-03T04:47:03Z"),
        # after "TIME:" the clock had been set 29 s ahead: later offsets count from it
        ("+", "com.whatsapp", "2021-09-03T05:06:14Z"),
        # between START (a reboot) and the next TIME no wall-clock time is known
        ("+", "com.android.settings", "no wall-clock time known for this part of the history"),
        ("-", "com.android.settings", "2021-09-03T06:01:50Z")]
    job = next(e for e in dump.history_events if e.name == "job")
    assert (job.uid, job.tag) == (10244, "com.whatsapp/androidx.work.impl.background.systemjob.SystemJobService")
    wake = next(e for e in dump.history_events if e.name == "wake_lock_in")
    assert (wake.transition, wake.uid, wake.tag, wake.offset_ms) == ("+", 10262, "qzj:scan", 8_102_601)


def test_uid_blocks_alone_map_packages():
    text = ("Statistics since last charge:\n  u0a263:\n    Proc com.Android.MFSocket:remote:\n"
            "      CPU: 3m usr\n    Apk com.Android.MFSocket:\n  1000:\n    Proc system:\n")
    dump = parse_dumpsys_batterystats(text)
    assert [(u.uid, u.package, u.source) for u in dump.uid_packages] == [(10263, "com.Android.MFSocket", "uid-block")]


def test_checkin_uid_lines():
    dump = parse_dumpsys_batterystats((FIXTURES / "dumpsys_batterystats_checkin_android11.txt").read_text())
    assert dump.uid_map() == {1000: ["android", "com.android.settings"], 10244: ["com.whatsapp"],
                              10262: ["com.fiberhome.wifiserver"], 10263: ["com.Android.MFSocket"]}


def test_demo_story_times():
    demo = Path(__file__).parent.parent / "inspector/simulator/profiles/demo/commands/dumpsys_batterystats.txt"
    dump = parse_dumpsys_batterystats(demo.read_text(), tz="Asia/Shanghai")
    install = next(e for e in dump.package_events if e.action == "install")
    assert install.time.time == "2026-11-18T01:11:26Z"


def test_garbage_and_truncated_history():
    text = ("Battery History (1% used):\n                    0 (9) RESET:TIME: 3000-01-01-00-00-00\n"
            "          +1m (2) 100 +top=u0a1:\"a.b\"\n\xff\xfe garbage\n          +2m (2) 100 pkginst=1:\"a.b\n")
    dump = parse_dumpsys_batterystats(text)
    assert dump.history_start.time is None and dump.history_start.raw == "3000-01-01-00-00-00"
    assert [(e.name, e.time.time) for e in dump.history_events] == [("top", None)]
    assert dump.package_events == []


def test_not_batterystats():
    with pytest.raises(ParseError):
        parse_dumpsys_batterystats("user=0\n  time=\"2021-01-01 00:00:00\" type=X package=a\n")
    assert parse_dumpsys_batterystats("").warnings == ["empty input"]
