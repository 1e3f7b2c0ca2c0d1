"""dumpsys package → packages, package changes, install sessions (Android 5 excerpts, 9, 11, 13, Samsung 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers.dumpsys import split_dumpsys
from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package

FIXTURES = Path(__file__).parent / "fixtures" / "android"


def parse(name: str, tz: str):
    return parse_dumpsys_package((FIXTURES / name).read_bytes(), tz=tz)


def test_android9():
    dump = parse("dumpsys_package_android9.txt", "America/Los_Angeles")
    assert dump.warnings == []
    assert [p.name for p in dump.packages] == ["com.android.chrome", "com.example.notes", "com.fiberhome.wifiserver"]
    chrome, notes, bxaq = dump.packages
    assert (chrome.app_id, chrome.version_code, chrome.version_name) == (10087, 377014332, "76.0.3809.111")
    assert chrome.system and "UPDATED_SYSTEM_APP" in chrome.flags and not chrome.debuggable
    assert chrome.first_install_time.time == "2009-01-01T00:00:00Z"  # the build's fixed time, 16:00 PST
    assert chrome.last_update_time.time == "2019-08-21T11:13:07Z"
    assert chrome.installer_package_name == "com.android.vending"
    assert chrome.users[0].runtime_permissions[0].granted is False
    assert chrome.granted_permissions == ["android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE",
                                          "android.permission.ACCESS_FINE_LOCATION"]
    assert notes.version_name == "5.1.2 (build 512)"
    assert notes.splits == ["base", "config.arm64_v8a", "config.xxhdpi"]
    assert (notes.min_sdk, notes.target_sdk) == (21, 28)
    assert bxaq.debuggable and bxaq.installer_package_name is None
    assert (bxaq.signatures, bxaq.signature_scheme_version, bxaq.apk_signing_version) == (["a1b2c3d4"], 1, 1)
    assert bxaq.first_install_time.time == "2019-07-02T18:02:17Z"
    assert bxaq.installed_users == [0] and not bxaq.uninstalled_with_data
    assert bxaq.users[0].gids == [3003]
    runtime = {g.name: (g.granted, g.flags) for g in bxaq.users[0].runtime_permissions}
    assert runtime["android.permission.READ_SMS"] == (True, ["REVOKE_ON_UPGRADE"])
    assert runtime["android.permission.RECORD_AUDIO"] == (False, ["REVOKE_ON_UPGRADE"])
    assert len(bxaq.install_permissions) == 4 and all(g.granted for g in bxaq.install_permissions)
    assert [(p.name, p.hidden_system, p.version_code, p.code_path) for p in dump.hidden_system_packages] == [
        ("com.android.chrome", True, 353810032, "/system/app/Chrome")]
    assert [(c.user, c.seq, c.package) for c in dump.package_changes] == [
        (0, 1, "com.example.notes"), (0, 3, "com.fiberhome.wifiserver")]
    (session,) = dump.install_sessions
    assert (session.session_id, session.historical, session.user) == (1039875281, True, 0)
    assert (session.installer_package_name, session.installer_uid, session.original_installer_uid) == (
        "com.android.shell", 2000, 2000)
    assert session.created.time == "2019-07-02T18:02:15Z"
    assert (session.size_bytes, session.install_flags, session.final_status) == (3105272, 0x112, 1)
    assert session.app_package_name is None


def test_android11_uninstalled_with_data_and_initiating_installer():
    dump = parse("dumpsys_package_android11.txt", "Asia/Bishkek")
    assert dump.warnings == []
    by_name = dump.by_name()
    assert list(by_name) == ["com.android.settings", "com.whatsapp", "com.fiberhome.wifiserver", "com.Android.MFSocket"]
    settings = by_name["com.android.settings"]
    assert (settings.app_id, settings.shared_user) == (1000, "android.uid.system")
    assert settings.first_install_time.time == "2009-01-01T00:00:00Z"
    whatsapp = by_name["com.whatsapp"]
    assert whatsapp.install_initiating_package_name == "com.android.vending"
    assert whatsapp.first_install_time.time == "2020-12-26T07:40:02Z"
    bxaq = by_name["com.fiberhome.wifiserver"]
    assert bxaq.pkg_loaded is False and bxaq.uninstalled_with_data and bxaq.installed_users == []
    assert bxaq.version_code == 1 and bxaq.version_name is None and bxaq.flags == []
    assert bxaq.debuggable  # from pkgFlags: the only flags left without an APK
    assert bxaq.installer_package_name is None and bxaq.install_initiating_package_name == "com.android.shell"
    assert bxaq.users[0].stopped is True
    assert bxaq.granted_permissions == ["android.permission.INTERNET", "android.permission.ACCESS_WIFI_STATE",
                                        "android.permission.CHANGE_WIFI_STATE", "android.permission.READ_SMS",
                                        "android.permission.READ_CONTACTS"]
    mfsocket = by_name["com.Android.MFSocket"]
    assert (mfsocket.app_id, mfsocket.version_name, mfsocket.target_sdk) == (10263, "3.7", 19)
    assert [(c.seq, c.package) for c in dump.package_changes] == [(4, "com.fiberhome.wifiserver"),
                                                                  (6, "com.Android.MFSocket")]
    assert [(s.session_id, s.install_initiating_package_name, s.installer_package_name, s.created.time,
             s.updated.time, s.is_committed) for s in dump.install_sessions] == [
        (1471828403, "com.android.shell", None, "2021-09-03T04:14:25Z", "2021-09-03T04:14:26Z", True),
        (208819345, "com.android.shell", None, "2021-09-03T04:31:07Z", "2021-09-03T04:31:07Z", True)]


def test_android13_per_user_install_times_and_sessions():
    dump = parse("dumpsys_package_android13.txt", "Asia/Shanghai")
    assert dump.warnings == []
    telegram, bxaq, cellebrite = dump.packages
    assert [u.user for u in telegram.users] == [0, 10]
    assert telegram.installed_users == [0] and not telegram.uninstalled_with_data
    assert telegram.users[0].install_reason == 4
    assert telegram.users[0].first_install_time.time == "2022-02-19T04:01:44Z"
    # A user that never had the app: firstInstallTime is epoch 0 in local time.
    never = telegram.users[1].first_install_time
    assert (never.raw, never.time) == ("1970-01-01 08:00:00", None) and "zero" in never.note
    assert telegram.first_install_time.time == "2022-02-19T04:01:44Z"  # from the users, none at package level
    assert telegram.package_source == 0 and telegram.installer_package_name == "com.android.vending"
    assert bxaq.uninstalled_with_data and bxaq.pkg_loaded is False
    assert bxaq.first_install_time.time == "2023-09-14T01:02:41Z"
    assert cellebrite.name == "com.client.appA" and cellebrite.installed_users == [0]
    assert cellebrite.users[0].disabled_components == ["com.client.appA.LauncherAlias"]
    assert [(c.user, c.seq, c.package) for c in dump.package_changes] == [
        (0, 9, "com.fiberhome.wifiserver"), (0, 11, "com.client.appA")]
    active, historical = dump.install_sessions
    assert (active.session_id, active.historical, active.is_committed) == (731188402, False, False)
    assert active.committed.time is None  # committedMillis=0
    assert (historical.session_id, historical.historical, historical.final_message) == (
        1284901145, True, "INSTALL_SUCCEEDED")
    assert historical.committed.time == "2023-09-14T01:02:40Z"
    assert historical.stage_dir == "/data/app/vmdl1284901145.tmp"


def test_samsung_android15_layout():
    dump = parse("dumpsys_package_samsung_android15.txt", "Asia/Tashkent")
    assert dump.warnings == []
    calculator, instagram, bxaq = dump.packages
    assert calculator.app_id == 10132 and calculator.system
    assert calculator.installer_package_name is None and calculator.installer_package_uid == -1
    assert calculator.extras["category"] == "manifest: -1, override: -1, by user: -1"
    assert calculator.extras["componentsDeclared"] == "6"
    assert calculator.private_flags[-1] == "PRIVATE_FLAG_ALLOW_NATIVE_HEAP_POINTER_TAGGING"
    assert instagram.installer_package_name == "com.android.vending" and instagram.installer_package_uid == 10085
    assert instagram.install_initiating_package_name == "com.android.vending"
    assert instagram.install_originating_package_name is None
    assert instagram.update_owner_package_name == "com.android.vending" and instagram.package_source == 2
    assert instagram.installed_users == [0, 150]  # 150: Samsung Secure Folder
    assert [u.first_install_time.time for u in instagram.users] == ["2024-06-11T13:30:07Z", "2024-11-02T02:45:19Z"]
    assert [u.data_dir for u in instagram.users] == ["/data/user/0/com.instagram.android",
                                                     "/data/user/150/com.instagram.android"]
    assert instagram.users[0].fields["deDataInode"] == "393713" and instagram.users[0].fields["quarantined"] == "false"
    assert bxaq.install_initiating_package_name == "com.android.shell" and bxaq.debuggable
    assert bxaq.first_install_time.time == "2025-03-18T05:20:33Z"
    assert [(c.user, c.seq, c.package) for c in dump.package_changes] == [
        (0, 30, "com.fiberhome.wifiserver"), (150, 12, "com.instagram.android")]


def test_android5_lines_from_real_bugreports():
    snippets = (FIXTURES / "battery_historian_appops_package_snippets.txt").read_text()
    section = split_dumpsys(snippets).services["package"]
    dump = parse_dumpsys_package(section, tz="UTC")
    youtube, gms = dump.packages
    assert (youtube.app_id, youtube.extras["gids"], youtube.target_sdk, youtube.min_sdk) == (
        10089, "[3003, 1028, 1015]", 21, None)
    assert youtube.first_install_time.time == "2014-12-05T14:23:12Z"
    assert youtube.last_update_time.time == "2014-12-10T21:46:43Z"
    assert (gms.shared_user, gms.version_name) == ("com.google.uid.shared", "6.7.59 (1671217-430)")
    assert gms.timestamp.time == "2015-01-09T08:30:14Z"


def test_truncated_dump_keeps_what_was_read():
    text = (FIXTURES / "dumpsys_package_android11.txt").read_text()
    cut = text[:text.index("    installInitiatingPackageName=com.android.shell")]
    dump = parse_dumpsys_package(cut, tz="Asia/Bishkek")
    assert [p.name for p in dump.packages] == ["com.android.settings", "com.whatsapp", "com.fiberhome.wifiserver"]
    assert dump.packages[-1].last_update_time.time == "2021-09-03T04:14:26Z"
    assert dump.packages[-1].users == [] and not dump.packages[-1].uninstalled_with_data


def test_garbage_inside_a_package_block():
    text = ("Packages:\n  Package [a.b] (1f):\n    userId=notanumber\n    \x00\x01\xff garbage\n"
            "    firstInstallTime=3000-01-01 00:00:00\n    lastUpdateTime=0\n"
            "    User zero: installed=maybe\n    User 0: nothing\n")
    dump = parse_dumpsys_package(text, tz="UTC")
    (package,) = dump.packages
    assert package.app_id is None
    assert package.first_install_time.time is None and package.first_install_time.raw == "3000-01-01 00:00:00"
    assert package.last_update_time.time is None
    assert package.users[0].installed is None
    assert "line 3: app id 'notanumber' is not a number" in dump.warnings
    assert "line 8: user 0 of a.b: no installed= value" in dump.warnings


def test_hostile_package_name_and_non_utf8():
    data = (b"Packages:\n  Package [evil\xff] name] (ab):\n    userId=10001\n"
            b"    codePath=/data/app/\xc3\x28\n    User 0: installed=true\n")
    (package,) = parse_dumpsys_package(data).packages
    assert package.name == "evil\ufffd] name" and package.code_path == "/data/app/\ufffd("
    assert package.installed_users == [0]


def test_not_a_package_dump():
    with pytest.raises(ParseError) as caught:
        parse_dumpsys_package("Current AppOps Service state:\n  Uid 1000:\n    Package android:\n")
    assert caught.value.artifact == "dumpsys package"
    with pytest.raises(ParseError):
        parse_dumpsys_package(bytes(range(256)) * 10)
    assert parse_dumpsys_package("").warnings == ["empty input"]
    assert parse_dumpsys_package([]).packages == []
