"""Real captured `dumpsys package` outputs (Android 4.3, 4.4, 5.x Motorola, 6.0, 7.x Nexus 6P) through our parser.

The captures and where they come from: tests/fixtures/android/captured/README.md. The phone's time
zone is not stated by the source, so every time is read as UTC and the tests compare the raw text
and that reading; the install times are the ones the source's own test asserts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from inspector.analyze.parsers.dumpsys_package import parse_dumpsys_package

CAPTURED = Path(__file__).parent / "fixtures" / "android" / "captured"
APP = "com.example.testapp.first"

# file, app id, code path, data dir, install time, signature hash, (minSdk, targetSdk)
CASES = [
    ("uber-adb-tools_dumpsys-packages-emu-android18.txt", 10051, "/data/app/com.example.testapp.first-1.apk",
     "/data/data/com.example.testapp.first", "2016-11-05 12:10:40", "a5b214c8", (None, 24)),
    ("uber-adb-tools_dumpsys-packages-emu-android19.txt", 10053, "/data/app/com.example.testapp.first-1.apk",
     "/data/data/com.example.testapp.first", "2016-11-05 12:16:06", "9d233000", (None, 24)),
    ("uber-adb-tools_dumpsys-packages-moto-g1.txt", 10076, "/data/app/com.example.testapp.first-1",
     "/data/data/com.example.testapp.first", "2016-11-10 18:41:03", "23f70719", (None, 24)),
    ("uber-adb-tools_dumpsys-packages-emu-android23.txt", 10063, "/data/app/com.example.testapp.first-1",
     "/data/user/0/com.example.testapp.first", "2016-11-05 16:22:57", "c5abb40", (None, 24)),
    ("uber-adb-tools_dumpsys-package-nexus6p.txt", 10225, "/data/app/com.example.testapp.first-1",
     "/data/user/0/com.example.testapp.first", "2016-11-03 01:12:09", "53ea108d", (21, 24)),
]


def parse(name: str):
    return parse_dumpsys_package((CAPTURED / name).read_bytes(), tz="UTC")


@pytest.mark.parametrize("name, app_id, code_path, data_dir, installed, signature, sdks", CASES)
def test_captured_dumpsys_package(name, app_id, code_path, data_dir, installed, signature, sdks):
    dump = parse(name)
    assert dump.warnings == []
    assert [p.name for p in dump.packages] == [APP]
    assert dump.hidden_system_packages == [] and dump.install_sessions == []
    app = dump.packages[0]
    assert app.app_id == app_id
    assert (app.version_code, app.version_name) == (1, "1.0")
    assert (app.min_sdk, app.target_sdk) == sdks
    assert app.code_path == app.resource_path == code_path
    assert app.data_dir == data_dir
    assert app.pkg_loaded is True
    assert app.first_install_time.raw == app.last_update_time.raw == installed
    assert app.first_install_time.time == installed.replace(" ", "T") + "Z"
    assert app.signatures == [signature]
    # adb install sets no installer on these versions: the line is simply absent.
    assert app.installer_package_name is None
    assert [u.user for u in app.users] == [0]
    user = app.users[0]
    assert user.installed is True and user.stopped is True and user.not_launched is True
    assert user.enabled == 0
    assert not app.system


def test_debuggable_flag_of_the_debug_builds():
    # The Nexus 6P capture is of a release build; the four others of a debug build.
    assert {name: parse(name).packages[0].debuggable for name, *_ in CASES} == {
        "uber-adb-tools_dumpsys-packages-emu-android18.txt": True,
        "uber-adb-tools_dumpsys-packages-emu-android19.txt": True,
        "uber-adb-tools_dumpsys-packages-moto-g1.txt": True,
        "uber-adb-tools_dumpsys-packages-emu-android23.txt": True,
        "uber-adb-tools_dumpsys-package-nexus6p.txt": False,
    }


def test_nexus6p_android7_fields():
    app = parse("uber-adb-tools_dumpsys-package-nexus6p.txt").packages[0]
    assert app.timestamp.raw == "2016-11-03 01:12:08"  # the APK file, a second before the install
    assert app.splits == ["base"]
    assert app.apk_signing_version == 1
    assert app.private_flags == ["RESIZEABLE_ACTIVITIES"]
    assert app.flags == app.pkg_flags == ["HAS_CODE", "ALLOW_CLEAR_USER_DATA", "ALLOW_BACKUP"]
    user = app.users[0]
    assert user.ce_data_inode == 474317  # Android 7 (direct boot) adds the CE storage inode
    assert (user.hidden, user.suspended) == (False, False)
    assert user.runtime_permissions == []
    # The dexopt status wrapped over two lines ("kOatUp" / "ToDate]") must not leak into the package.
    assert not any("ToDate" in v for v in app.extras.values())


def test_pre_android8_flag_lines_are_split_into_their_pairs():
    # Android ≤ 8 prints "installPermissionsFixed=true installStatus=1" (6.0, 7.x) and
    # "permissionsFixed=true haveGids=true installStatus=1" (4.3, 4.4, 5.x) on one line.
    nexus = parse("uber-adb-tools_dumpsys-package-nexus6p.txt").packages[0]
    assert nexus.extras["installPermissionsFixed"] == "true"
    assert nexus.extras["installStatus"] == "1"
    moto = parse("uber-adb-tools_dumpsys-packages-moto-g1.txt").packages[0]
    assert (moto.extras["permissionsFixed"], moto.extras["haveGids"], moto.extras["installStatus"]) == (
        "true", "true", "1")
    assert moto.extras["gids"] == "[]"
    # A value with spaces that is not a list of pairs stays whole.
    assert nexus.extras["applicationInfo"] == "ApplicationInfo{29cb2a4 com.example.testapp.first}"
    assert nexus.extras["supportsScreens"] == "[small, medium, large, xlarge, resizeable, anyDensity]"


def test_android44_blocked_is_hidden():
    kitkat = parse("uber-adb-tools_dumpsys-packages-emu-android19.txt").packages[0].users[0]
    assert kitkat.fields["blocked"] == "false"
    assert kitkat.hidden is False
    # Android 4.3 had neither word.
    assert parse("uber-adb-tools_dumpsys-packages-emu-android18.txt").packages[0].users[0].hidden is None


def test_native_library_path_by_version():
    extras = {name: parse(name).packages[0].extras for name, *_ in CASES}
    assert extras["uber-adb-tools_dumpsys-packages-emu-android18.txt"]["nativeLibraryPath"] == (
        "/data/app-lib/com.example.testapp.first-1")
    assert extras["uber-adb-tools_dumpsys-packages-moto-g1.txt"]["legacyNativeLibraryDir"] == (
        "/data/app/com.example.testapp.first-1/lib")
    assert extras["uber-adb-tools_dumpsys-packages-moto-g1.txt"]["primaryCpuAbi"] == "null"


def test_captured_files_are_unchanged():
    # The README gives these hashes of the copies; a change here means a capture was edited.
    expected = {
        "uber-adb-tools_dumpsys-package-nexus6p.txt":
            "1dae875b5b109ba837404f8bfbb212f9b26d5ce274d7402cf58558e0f670dfe4",
        "uber-adb-tools_dumpsys-packages-emu-android18.txt":
            "022794e0348d2e292a00aee27a141b06643b241c725caa0c71e4a18f29682fa2",
        "uber-adb-tools_dumpsys-packages-emu-android19.txt":
            "5821711d9068861fbb79353763f286e7442a3475dadc7b89dd2f5807cbe2db2f",
        "uber-adb-tools_dumpsys-packages-emu-android23.txt":
            "062aa03918ead63ba5a7befb5acc3fd36c4f7701d4f4368128fdaf5c9c83ad2a",
        "uber-adb-tools_dumpsys-packages-moto-g1.txt":
            "ea6fa4b2d349adb9baa16b76d0b94d4a4f3eff5e262f02211f13ba7758945b01",
    }
    assert {n: hashlib.sha256((CAPTURED / n).read_bytes()).hexdigest() for n in expected} == expected
