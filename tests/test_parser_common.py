"""The parsers' shared machinery: lines, times, uids, components, bounded warnings."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from inspector.analyze.parsers import ComponentName, ParseError, Stamp
from inspector.analyze.parsers._common import (
    MAX_LINE_CHARS,
    MAX_WARNINGS,
    Warnings,
    bounded_lines,
    iter_lines,
    parse_component,
    parse_duration_ms,
    parse_uid,
    stamp_ago,
    stamp_epoch,
    stamp_local,
    time_context,
)


def test_lines_from_str_bytes_and_files_agree():
    text = "a\r\nb\n\nc\u2028still c\n"
    expected = ["a", "b", "", "c\u2028still c"]
    assert list(iter_lines(text)) == expected
    assert list(iter_lines(text.encode())) == expected
    assert list(iter_lines(io.BytesIO(text.encode()))) == expected
    assert list(iter_lines(["a\r\n", b"b\n", "", "c\u2028still c"])) == expected


def test_lines_of_non_utf8_bytes_are_replaced_not_fatal():
    assert list(iter_lines(b"ok\n\xff\xfe bad\nend")) == ["ok", "\ufffd\ufffd bad", "end"]


def test_lines_are_cut_in_chunks_without_losing_any(monkeypatch):
    import inspector.analyze.parsers._common as common

    monkeypatch.setattr(common, "_CHUNK", 7)
    text = "".join(f"line {i}\n" for i in range(100)) + "last"
    assert list(iter_lines(text)) == [f"line {i}" for i in range(100)] + ["last"]
    assert list(iter_lines(text.encode())) == [f"line {i}" for i in range(100)] + ["last"]


def test_overlong_line_is_cut_with_a_warning():
    warnings = Warnings()
    lines = list(bounded_lines("x" * (MAX_LINE_CHARS + 5) + "\nshort\n", warnings))
    assert [len(line) for line in lines] == [MAX_LINE_CHARS, 5]
    assert warnings.as_list() == [f"line 1: {MAX_LINE_CHARS + 5} characters, cut to {MAX_LINE_CHARS}"]


def test_warnings_are_bounded():
    warnings = Warnings()
    for i in range(MAX_WARNINGS + 7):
        warnings.add(f"w{i}")
    listed = warnings.as_list()
    assert len(listed) == MAX_WARNINGS + 1 and listed[-1] == "7 more warnings not shown"


def test_local_time_with_zone():
    ctx = time_context("Asia/Shanghai")
    assert stamp_local("2026-11-18 09:11:26", ctx) == Stamp("2026-11-18 09:11:26", "2026-11-18T01:11:26Z")
    assert stamp_local('"2026-11-18 09:11:26.999"', ctx).time == "2026-11-18T01:11:26Z"
    assert stamp_local("2026-11-18-09-11-26", ctx).time == "2026-11-18T01:11:26Z"  # batterystats form
    assert stamp_local("2026-11-18T09:11", ctx).time == "2026-11-18T01:11:00Z"  # LocalDateTime without seconds


def test_local_time_in_daylight_saving():
    ctx = time_context("America/Los_Angeles")
    assert stamp_local("2019-07-02 11:02:17", ctx).time == "2019-07-02T18:02:17Z"
    assert stamp_local("2019-01-02 11:02:17", ctx).time == "2019-01-02T19:02:17Z"


def test_local_time_without_zone_is_read_as_utc_and_says_so():
    stamp = stamp_local("2026-11-18 09:11:26", time_context(None))
    assert stamp.time == "2026-11-18T09:11:26Z" and "no time zone" in (stamp.note or "")
    warnings = Warnings()
    stamp = stamp_local("2026-11-18 09:11:26", time_context("Mars/Olympus_Mons", warnings=warnings))
    assert stamp.time == "2026-11-18T09:11:26Z" and "unknown time zone" in (stamp.note or "")
    assert warnings.as_list() == ["unknown time zone 'Mars/Olympus_Mons': local time read as UTC"]


def test_month_day_times_need_a_year():
    assert stamp_local("11-18 09:10:04.000", time_context("UTC")).time is None
    assert stamp_local("11-18 09:10:04.000", time_context("UTC", year=2026)).time == "2026-11-18T09:10:04Z"
    ctx = time_context("Asia/Shanghai", now="2027-01-02T03:00:00Z")
    # 12-31 is after the dump's 01-02: it belongs to the year before.
    assert stamp_local("12-31 23:59:00.000", ctx).time == "2026-12-31T15:59:00Z"
    assert stamp_local("01-02 10:00:00.000", ctx).time == "2027-01-02T02:00:00Z"


@pytest.mark.parametrize("raw", ["1970-01-01 08:00:00", "3000-01-01 00:00:00", "1969-12-31 23:00:00",
                                 "0000-01-01 00:00:00", "2026-02-30 10:00:00", "99999-01-01 00:00:00"])
def test_absurd_local_times_keep_their_text_and_get_no_time(raw):
    stamp = stamp_local(raw, time_context("Asia/Shanghai"))
    assert stamp.raw == raw and stamp.time is None and stamp.note


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1794970385000, "ms", "2026-11-18T02:53:05Z"),
    ("1630642752", "s", "2021-09-03T04:19:12Z"),
    (1630642752.9, "s", "2021-09-03T04:19:12Z"),
])
def test_epoch_times(value, unit, expected):
    assert stamp_epoch(str(value), value, unit).time == expected


@pytest.mark.parametrize("value", [0, -5, 32503680000, 10**30, "abc", float("nan"), float("inf")])
def test_absurd_epoch_times(value):
    stamp = stamp_epoch(str(value), value, "s")
    assert stamp.time is None and stamp.note and stamp.raw == str(value)


def test_durations_as_android_prints_them():
    assert parse_duration_ms("+1d2h3m4s5ms") == 93_784_005
    assert parse_duration_ms("-12h27m49s583ms") == -44_869_583
    assert parse_duration_ms("-1d08h19m52s096ms") == -116_392_096
    assert parse_duration_ms("+5s0ms") == 5000
    assert parse_duration_ms("+82ms") == 82
    assert parse_duration_ms("0") == 0
    assert parse_duration_ms("+3m") == 180_000
    assert parse_duration_ms("<uninitialized>") is None
    assert parse_duration_ms("") is None
    assert parse_duration_ms("1h2x") is None


def test_relative_times_need_now():
    assert stamp_ago("-1h", 3_600_000, time_context()).time is None
    ctx = time_context(now=datetime(2026, 11, 18, 13, 40, tzinfo=UTC))
    assert stamp_ago("-1h", 3_600_000, ctx).time == "2026-11-18T12:40:00Z"
    assert time_context(now=1794970800).now == datetime(2026, 11, 18, 3, 0, tzinfo=UTC)
    warnings = Warnings()
    assert time_context(now="yesterday", warnings=warnings).now is None and warnings.as_list()


@pytest.mark.parametrize(("text", "uid"), [
    ("10262", 10262), ("u0a262", 10262), ("u10a231", 1010231), ("u0s1000", 1000), ("u0i5", 99005),
    ("uXa1", None), ("", None), ("-1", -1),
])
def test_uids(text, uid):
    assert parse_uid(text) == uid


def test_components():
    assert parse_component("com.x/.Svc") == ComponentName("com.x", "com.x.Svc", "com.x/.Svc")
    assert parse_component("ComponentInfo{com.x/com.y.Svc}").class_name == "com.y.Svc"
    assert parse_component("{com.x/com.y.Svc}").package == "com.x"
    for bad in ("com.x", "/cls", "com.x/", "a b/c", ""):
        assert parse_component(bad) is None


def test_parse_error_names_the_artifact():
    error = ParseError("dumpsys package", "no package dump structure found")
    assert str(error) == "dumpsys package: no package dump structure found"
    assert (error.artifact, error.reason) == ("dumpsys package", "no package dump structure found")
    assert isinstance(error, ValueError)
