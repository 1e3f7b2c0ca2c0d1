"""The demo phone's outputs (synthetic Android 13 / MIUI 14) parse, and tell the story of its README."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers.dumpsys_accessibility import parse_dumpsys_accessibility
from inspector.analyze.parsers.dumpsys_adb import parse_dumpsys_adb
from inspector.analyze.parsers.dumpsys_appops import parse_dumpsys_appops
from inspector.analyze.parsers.dumpsys_batterystats import parse_dumpsys_batterystats
from inspector.analyze.parsers.dumpsys_device_policy import parse_dumpsys_device_policy
from inspector.analyze.parsers.dumpsys_notification import parse_dumpsys_notification
from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package
from inspector.analyze.parsers.dumpsys_usagestats import parse_dumpsys_usagestats
from inspector.analyze.parsers.dumpsys_wifi import parse_dumpsys_wifi
from inspector.analyze.parsers.logcat import parse_logcat
from inspector.analyze.parsers.processes import parse_processes
from inspector.analyze.parsers.settings import parse_settings

DEMO = Path(__file__).parent.parent / "inspector" / "simulator" / "profiles" / "demo" / "commands"
TZ = "Asia/Shanghai"
NOW = "2026-11-18T13:40:00Z"  # collected 21:40 local
BXAQ = "com.fiberhome.wifiserver"


def demo(name: str) -> bytes:
    return (DEMO / name).read_bytes()


PARSERS = {
    "dumpsys_package.txt": lambda d: parse_dumpsys_package(d, tz=TZ),
    "dumpsys_usagestats.txt": lambda d: parse_dumpsys_usagestats(d, tz=TZ, now=NOW),
    "dumpsys_appops.txt": lambda d: parse_dumpsys_appops(d, tz=TZ, now=NOW),
    "dumpsys_batterystats.txt": lambda d: parse_dumpsys_batterystats(d, tz=TZ),
    "dumpsys_accessibility.txt": parse_dumpsys_accessibility,
    "dumpsys_device_policy.txt": parse_dumpsys_device_policy,
    "dumpsys_notification.txt": parse_dumpsys_notification,
    "dumpsys_adb.txt": parse_dumpsys_adb,
    "dumpsys_wifi.txt": lambda d: parse_dumpsys_wifi(d, tz=TZ, now=NOW),
    "settings_global.txt": parse_settings,
    "settings_secure.txt": parse_settings,
    "settings_system.txt": parse_settings,
    "ps_A.txt": parse_processes,
    "logcat_all.txt": lambda d: parse_logcat(d, tz=TZ, now=NOW),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_demo_output_parses_cleanly(name):
    result = PARSERS[name](demo(name))
    assert result.warnings == []


def test_package_dump_tells_the_uninstall_with_kept_data():
    dump = parse_dumpsys_package(demo("dumpsys_package.txt"), tz=TZ)
    packages = dump.by_name()
    assert len(packages) == 7
    bxaq = packages[BXAQ]
    assert (bxaq.app_id, bxaq.pkg_loaded, bxaq.uninstalled_with_data, bxaq.debuggable) == (10262, False, True, True)
    assert bxaq.first_install_time.time == "2026-11-18T01:11:26Z"  # 09:11:26 local
    assert "android.permission.READ_SMS" in bxaq.granted_permissions
    torch = packages["org.demo.torch"]
    assert (torch.installer_package_name, torch.package_source, torch.version_code) == (
        "com.google.android.packageinstaller", 4, 231)
    assert [(c.user, c.package) for c in dump.package_changes] == [(0, BXAQ)]


def test_usage_appops_battery_wifi_logcat_agree_on_the_morning():
    usage = parse_dumpsys_usagestats(demo("dumpsys_usagestats.txt"), tz=TZ, now=NOW)
    assert usage.last_used()[BXAQ].time == "2026-11-18T02:52:20Z"  # 10:52:20 local, the uninstall
    appops = parse_dumpsys_appops(demo("dumpsys_appops.txt"), tz=TZ, now=NOW)
    ops = {op.op: op for op in appops.for_package(BXAQ)}
    assert ops["READ_SMS"].last_access.time == "2026-11-18T01:12:07Z"
    assert ops["READ_DEVICE_IDENTIFIERS"].last_reject.time == "2026-11-18T01:11:40Z"
    battery = parse_dumpsys_batterystats(demo("dumpsys_batterystats.txt"), tz=TZ)
    assert battery.uid_map()[10262] == [BXAQ]
    assert [(e.action, e.time.time) for e in battery.package_events if e.source == "history"] == [
        ("install", "2026-11-18T01:11:26Z"), ("uninstall", "2026-11-18T02:52:20Z")]
    wifi = parse_dumpsys_wifi(demo("dumpsys_wifi.txt"), tz=TZ, now=NOW)
    added = next(e for e in wifi.log if e.ssid == "FH-CJ-AP")
    assert (added.uid, added.package, added.time.time) == (10262, BXAQ, "2026-11-18T01:11:52Z")
    assert "FH-CJ-AP" not in [n.ssid for n in wifi.saved_networks]  # removed by the app's Uninstall button
    logcat = parse_logcat(demo("logcat_all.txt"), tz=TZ, now=NOW)
    assert logcat.lines[0].time.time == "2026-11-18T00:40:15Z"


def test_adb_settings_and_processes():
    adb = parse_dumpsys_adb(demo("dumpsys_adb.txt"))
    assert [(k.comment, k.last_connection.time) for k in adb.keys] == [("user@bxaq-pc", "2026-11-18T02:53:05Z")]
    settings = parse_settings(demo("settings_global.txt"))
    assert settings.flag("adb_enabled") is True and settings.flag("verifier_verify_adb_installs") is False
    processes = parse_processes(demo("ps_A.txt"))
    assert len(processes.processes) == 47 and not processes.by_name(BXAQ)
