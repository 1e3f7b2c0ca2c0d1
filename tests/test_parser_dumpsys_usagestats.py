"""dumpsys usagestats → events, per-package last use, standby states (Android 9, 11, 13, Samsung 15)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys_usagestats import parse_dumpsys_usagestats

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def parse(name: str, tz: str, now: str):
    return parse_dumpsys_usagestats((FIXTURES / name).read_bytes(), tz=tz, now=now)


def test_android9_move_to_foreground_and_positive_standby_durations():
    dump = parse("dumpsys_usagestats_android9.txt", "America/Los_Angeles", "2019-07-02T22:30:00Z")
    assert dump.warnings == []
    assert len(dump.events) == 12 and {e.section for e in dump.events} == {"last_24h"}
    assert Counter(e.type for e in dump.events)["MOVE_TO_FOREGROUND"] == 3
    start = next(e for e in dump.events if e.package == "com.fiberhome.wifiserver" and e.type == "MOVE_TO_FOREGROUND")
    assert (start.time.time, start.class_name, start.user) == (
        "2019-07-02T18:02:30Z", "com.fenghuo.qzj.WelcomeActivity", 0)
    bucket = next(e for e in dump.events if e.type == "STANDBY_BUCKET_CHANGED")
    assert bucket.fields == {"standbyBucket": "10", "reason": "d-i", "flags": "0x0"} and bucket.class_name is None
    assert [(u.package, u.interval, u.total_time_used, u.app_launch_count, u.last_time_used.time)
            for u in dump.package_stats] == [
        ("com.android.settings", "daily", "03:28", 1, "2019-07-02T18:02:30Z"),
        ("com.fiberhome.wifiserver", "daily", "1:28:35", 1, "2019-07-02T19:31:05Z"),
        ("com.example.notes", "daily", "00:00", 0, "2019-07-02T04:14:51Z"),
        ("com.example.notes", "weekly", "2:10:45", 9, "2019-07-02T04:14:51Z")]
    assert [(s.package, s.bucket, s.reason, s.last_used.time) for s in dump.standby] == [
        ("com.android.settings", 10, "u-mf", "2019-07-02T18:02:29Z"),
        ("com.fiberhome.wifiserver", 10, "u-mf", "2019-07-02T19:31:04Z"),
        ("com.example.notes", 20, "u-mf", "2019-07-02T04:14:51Z")]
    assert dump.last_used()["com.fiberhome.wifiserver"].time == "2019-07-02T19:31:05Z"


def test_android11_activity_events_and_uninitialized_standby_fields():
    dump = parse("dumpsys_usagestats_android11.txt", "Asia/Bishkek", "2021-09-03T10:00:00Z")
    assert dump.warnings == []
    assert len(dump.events) == 17
    resumed = [e for e in dump.events if e.type == "ACTIVITY_RESUMED"]
    assert [(e.package, e.time.time, e.fields["instanceId"]) for e in resumed] == [
        ("com.fiberhome.wifiserver", "2021-09-03T04:14:40Z", "17772811"),
        ("com.Android.MFSocket", "2021-09-03T04:31:15Z", "41200977"),
        ("com.whatsapp", "2021-09-03T07:05:44Z", "50338012")]
    assert resumed[1].fields["taskRootClass"] == "com.Android.MFSocket.MFSocket"
    service = next(e for e in dump.events if e.type == "FOREGROUND_SERVICE_START")
    assert service.class_name == "com.Android.MFSocket.MFService"
    assert next(e for e in dump.events if e.type == "NOTIFICATION_SEEN").fields["channelId"] == \
        "individual_chat_defaults_3"
    assert dump.events[-1].type == "UNKNOWN_TYPE_24"
    mf = next(u for u in dump.package_stats if u.package == "com.Android.MFSocket")
    assert (mf.last_time_used.time, mf.last_time_visible.time, mf.last_time_foreground_service.time) == (
        "2021-09-03T04:47:02Z", "2021-09-03T04:47:02Z", "2021-09-03T04:47:03Z")
    never = next(u for u in dump.package_stats if u.package == "com.whatsapp").last_time_foreground_service
    assert never.time is None and never.raw == "1970-01-01 06:00:00"
    assert [(s.package, s.last_used.time, s.last_used_by_user.time) for s in dump.standby] == [
        ("com.fiberhome.wifiserver", "2021-09-03T04:29:57Z", "2021-09-03T04:29:57Z"),
        ("com.Android.MFSocket", "2021-09-03T04:47:01Z", "2021-09-03T04:47:01Z"),
        ("com.whatsapp", "2021-09-03T07:09:12Z", "2021-09-03T07:09:12Z")]
    assert dump.last_used()["com.Android.MFSocket"].time == "2021-09-03T04:47:03Z"  # the service outlived the UI


def test_android13_two_users_and_component_use():
    dump = parse("dumpsys_usagestats_android13.txt", "Asia/Shanghai", "2023-09-14T14:00:00Z")
    assert dump.warnings == []
    assert Counter(e.user for e in dump.events) == {0: 11, 10: 2}
    assert Counter(u.user for u in dump.package_stats) == {0: 3, 10: 1}
    cellebrite = next(u for u in dump.package_stats if u.package == "com.client.appA")
    assert cellebrite.last_time_component_used.time == "2023-09-14T01:41:02Z"
    assert [(s.user, s.package, s.bucket) for s in dump.standby] == [
        (0, "com.fiberhome.wifiserver", 10), (0, "com.client.appA", 10), (10, "com.google.android.gm", 20)]
    assert dump.last_used()["com.fiberhome.wifiserver"].time == "2023-09-14T01:38:51Z"


def test_samsung_android15_layout():
    dump = parse("dumpsys_usagestats_samsung_android15.txt", "Asia/Tashkent", "2025-03-18T06:40:00Z")
    assert dump.warnings == []
    assert len(dump.events) == 7 and len(dump.package_stats) == 2 and len(dump.standby) == 2
    component = next(e for e in dump.events if e.type == "APP_COMPONENT_USED")
    assert (component.package, component.time.time) == ("com.fiberhome.wifiserver", "2025-03-18T05:21:03Z")
    bxaq = dump.package_stats[0]
    assert (bxaq.total_time_used, bxaq.last_time_used.time) == ("41:09", "2025-03-18T06:02:11Z")
    assert dump.standby[0].last_used.time == "2025-03-18T06:02:11Z"


def test_without_now_relative_times_stay_unknown():
    dump = parse_dumpsys_usagestats((FIXTURES / "dumpsys_usagestats_android11.txt").read_text(), tz="Asia/Bishkek")
    assert all(s.last_used.time is None and "no reference" in s.last_used.note for s in dump.standby)
    assert dump.events[0].time.time == "2021-09-03T04:12:40Z"


def test_checkin_millisecond_times_and_garbage():
    text = ("user=0\nUser 7 mode: not a user header\nLast 24 hour events (beginTime=1 endTime=2 )\n"
            "  time=1630642480118 type=ACTIVITY_RESUMED package=com.x class=com.x.A flags=0x0\n"
            "  time=0 type=ACTIVITY_PAUSED package=com.x flags=0x0\n"
            "  time=\"2021-13-45 99:00:00\" type=USER_INTERACTION package=com.x flags=0x0\n"
            "  time=\"2021-09-03 10:00:00\" package=com.x\n"
            "\xff\xfe garbage type=\n")
    dump = parse_dumpsys_usagestats(text)
    assert [e.time.time for e in dump.events] == ["2021-09-03T04:14:40Z", None, None]
    assert {e.user for e in dump.events} == {0}
    assert dump.warnings == ["line 7: event without type"]


def test_not_usagestats():
    with pytest.raises(ParseError):
        parse_dumpsys_usagestats("Packages:\n  Package [a.b] (1):\n    userId=1\n")
    assert parse_dumpsys_usagestats(b"").warnings == ["empty input"]
