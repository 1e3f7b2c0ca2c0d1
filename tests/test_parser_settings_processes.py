"""settings list … and ps → key/values and processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.processes import parse_processes
from inspector.analyze.parsers.settings import parse_settings, split_components

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def test_settings_secure():
    settings = parse_settings((FIXTURES / "settings_secure_android11.txt").read_bytes())
    assert len(settings.values) == 14
    assert settings.warnings == ["line 16: 'user_setup_complete' printed again; the last value is kept"]
    assert settings.get("lock_screen_owner_info") == "Call Alice:\n+996 555 010 203"
    assert [c.raw for c in settings.components("enabled_accessibility_services")] == [
        "com.fiberhome.wifiserver/com.fenghuo.accessibilityservice.AutoClickAccessibleService",
        "com.google.android.marvin.talkback/.TalkBackService"]
    assert [c.package for c in settings.components("enabled_notification_listeners")] == [
        "com.google.android.projection.gearhead", "com.Android.MFSocket"]
    assert settings.flag("accessibility_enabled") is True and settings.flag("mock_location") is False
    assert settings.flag("no_such_key") is None and settings.components("no_such_key") == []


def test_settings_global():
    settings = parse_settings((FIXTURES / "settings_global_android11.txt").read_text())
    assert settings.warnings == [] and len(settings.values) == 14
    assert (settings.flag("adb_enabled"), settings.flag("verifier_verify_adb_installs")) == (True, False)
    assert settings.get("database_creation_buildid") == "RQ3A.210805.001.A1"


def test_settings_values_with_equals_and_garbage():
    settings = parse_settings(b"garbage first\nkey=a=b\n\xff=bad key\nempty=\n")
    assert settings.values == {"key": "a=b\n\ufffd=bad key", "empty": ""}
    assert settings.warnings == ["line 1: not a key=value line"]
    assert split_components("a/.B::null:c") == split_components("a/.B")
    with pytest.raises(ParseError):
        parse_settings("no key value here\nnor here\n")
    assert parse_settings("").warnings == ["empty input"]


def test_ps_toybox():
    listing = parse_processes((FIXTURES / "ps_android11.txt").read_bytes())
    assert listing.warnings == [] and len(listing.processes) == 10
    assert listing.header == ["USER", "PID", "PPID", "VSZ", "RSS", "WCHAN", "ADDR", "S", "NAME"]
    collector = listing.by_name("adbDownload")[0]
    assert (collector.user, collector.pid, collector.ppid, collector.state) == ("u0_a263", 22591, 22433, "S")
    assert [p.name for p in listing.processes if p.user == "u0_a263"] == [
        "com.Android.MFSocket", "com.Android.MFSocket:remote", "adbDownload"]
    assert listing.by_name("evil name with spaces")[0].pid == 23990
    assert listing.processes[1].name == "[kthreadd]"


def test_ps_toolbox_with_unlabelled_state_column():
    listing = parse_processes((FIXTURES / "ps_android7_toolbox.txt").read_text())
    assert listing.warnings == [] and len(listing.processes) == 10
    assert listing.header[-2:] == ["S", "NAME"]
    scanner = listing.processes[7]
    assert (scanner.user, scanner.pid, scanner.ppid, scanner.name, scanner.state) == (
        "u0_a151", 21931, 21877, "/data/data/com.fiberhome.wifiserver/files/wifiscan", "S")
    assert listing.processes[-1].state == "R"


def test_ps_ef_and_damaged_lines():
    text = ("UID  PID PPID C STIME TTY TIME CMD\nroot 1 0 0 09:00 ? 00:00:01 /init second_stage\n"
            "shell x 1 0\nu0_a1 77\n")
    listing = parse_processes(text)
    assert [(p.user, p.pid, p.name) for p in listing.processes] == [("root", 1, "/init second_stage")]
    assert listing.warnings == ["line 3: PID 'x' is not a number", "line 4: too few columns"]
    with pytest.raises(ParseError):
        parse_processes("nothing like ps\n")
    assert parse_processes(b"").warnings == ["empty input"]
