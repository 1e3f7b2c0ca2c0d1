"""The simulated phones (inspector/simulator/profiles/*/) are consistent with themselves.

Reads the profile files directly (PyYAML and pathlib only, no simulator code). For every profile:
every canned command has its output, every installed app's APK is really on the phone's file tree, is
a signed APK and is one that this phone's Android version could install, the package lists agree,
processes run under their package's uid, and fs_meta.yaml names real paths. For the phones of a
BXAQ story the leftovers carry the crossing day. The demo's uninstalled BXAQ has left no APK, and the
harmless BXAQ look-alike fixture is what it claims to be.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PROFILES = REPO / "inspector" / "simulator" / "profiles"
ALL_PROFILES = sorted(p.name for p in PROFILES.iterdir() if (p / "profile.yaml").is_file())
FIXTURE_APKS = REPO / "tests" / "fixtures" / "apks"

BXAQ = "com.fiberhome.wifiserver"
# Stories with BXAQ's shared-storage leftovers: (crossing day, UTC offset of the phone's time zone in hours)
BXAQ_STORIES = {"demo": ("2026-11-18", 8), "bxaq-installed": ("2026-09-16", 8)}
# Packages a story removed with "keep data" (pm list packages -u names them, the plain list does not)
UNINSTALLED = {"demo": {BXAQ}}

PM_LIST_ALL = ("pm", "list", "packages", "-f", "-i", "-U", "-u", "--show-versioncode", "--user", "0")
# What the collector runs (inspector/acquire/android/commands.py), besides the per-package `pm path`.
REQUIRED_ARGV = [
    ("getprop",),
    ("settings", "list", "global"),
    ("settings", "list", "secure"),
    ("settings", "list", "system"),
    ("ps", "-A"),
    ("logcat", "-d", "-b", "all", "-v", "threadtime"),
    *[("dumpsys", s) for s in ("package", "accessibility", "device_policy", "usagestats", "appops", "adb",
                              "notification", "wifi", "batterystats")],
    ("pm", "list", "users"),
    PM_LIST_ALL,
    ("pm", "list", "packages", "--user", "0"),
    ("pm", "list", "packages", "-s", "--user", "0"),
    ("pm", "list", "packages", "-3", "--user", "0"),
    ("pm", "list", "packages", "-d", "--user", "0"),
]

each_profile = pytest.mark.parametrize("name", ALL_PROFILES)


def _root(name: str) -> Path:
    return PROFILES / name


def _commands(name: str) -> dict[tuple[str, ...], dict]:
    doc = yaml.safe_load((_root(name) / "commands.yaml").read_text("utf-8"))
    assert isinstance(doc, list)
    return {tuple(str(a) for a in entry["argv"]): entry for entry in doc}


def _output(name: str, argv: tuple[str, ...]) -> str:
    entry = _commands(name)[argv]
    if "stdout" in entry:
        return (_root(name) / "commands" / entry["stdout"]).read_text("utf-8")
    return str(entry.get("text") or "")


def _on_phone(name: str, device_path: str) -> Path:
    return _root(name) / "fs" / device_path.lstrip("/")


def _getprop(name: str) -> dict[str, str]:
    return dict(re.findall(r"^\[([^\]]+)\]: \[([^\]]*)\]$", _output(name, ("getprop",)), re.M))


def _full_list(name: str) -> dict[str, dict]:
    """`pm list packages -f -i -U -u --show-versioncode`: name -> path, versionCode, installer, uid."""
    out = {}
    for line in _output(name, PM_LIST_ALL).splitlines():
        assert line.startswith("package:"), line
        head, *fields = line[len("package:"):].split()
        path, pkg = head.rsplit("=", 1)
        info = dict(f.split(":", 1) if ":" in f else f.split("=", 1) for f in fields)
        out[pkg] = {"path": path, "versionCode": int(info["versionCode"]), "installer": info["installer"],
                    "uid": int(info["uid"])}
    return out


def _names(name: str, argv: tuple[str, ...]) -> set[str]:
    return {line.removeprefix("package:") for line in _output(name, argv).splitlines() if line}


def _installed(name: str) -> set[str]:
    return _names(name, ("pm", "list", "packages", "--user", "0"))


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _tool(tool: str) -> str | None:
    path = shutil.which(tool)
    if path is None and _ci():
        pytest.fail(f"{tool} is missing on CI (apt-get install {tool})")
    return path


def _badging(apk: Path) -> str:
    aapt = _tool("aapt")
    if aapt is None:
        pytest.skip("aapt is not installed (apt-get install aapt); CI has it")
    return subprocess.run([aapt, "dump", "badging", str(apk)], check=True, capture_output=True,
                          text=True).stdout


def test_every_profile_is_found():
    assert {"demo", "bxaq-installed", "mfsocket", "clean"} <= set(ALL_PROFILES)


@each_profile
def test_profile_files_exist_and_are_small(name):
    root = _root(name)
    for file in ("profile.yaml", "commands.yaml", "fs_meta.yaml", "README.md"):
        assert (root / file).is_file(), file
    profile = yaml.safe_load((root / "profile.yaml").read_text("utf-8"))
    assert profile["serial"]
    assert set(profile["banner"]) == {"ro.product.name", "ro.product.model", "ro.product.device"}
    props = _getprop(name)
    assert props["ro.serialno"] == str(profile["serial"])
    for key, value in profile["banner"].items():
        assert props[key] == value, key
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert total < 1_500_000
    assert not [p for p in root.rglob("*") if p.is_symlink()]


@each_profile
def test_every_command_entry_has_its_output(name):
    commands = _commands(name)
    for argv, entry in commands.items():
        assert ("stdout" in entry) != ("text" in entry), argv
        if "stdout" in entry:
            assert (_root(name) / "commands" / entry["stdout"]).is_file(), argv
    for argv in REQUIRED_ARGV:
        assert argv in commands, argv
    for pkg in _installed(name):
        assert ("pm", "path", pkg, "--user", "0") in commands, pkg
    # Android 11 added FLAG_FULL|FLAG_SYSTEM (0xc00) to the owner's flags
    flags = "c13" if int(_getprop(name)["ro.build.version.sdk"]) >= 30 else "13"
    assert _output(name, ("pm", "list", "users")) == f"Users:\n\tUserInfo{{0:Owner:{flags}}} running\n"


@each_profile
def test_package_lists_agree(name):
    full = _full_list(name)
    installed = _installed(name)
    system = _names(name, ("pm", "list", "packages", "-s", "--user", "0"))
    third = _names(name, ("pm", "list", "packages", "-3", "--user", "0"))
    assert installed == set(full) - UNINSTALLED.get(name, set())
    assert system | third == installed and not system & third
    assert third and {"org.demo.system.launcher", "org.demo.system.phone"} <= system
    assert _names(name, ("pm", "list", "packages", "-d", "--user", "0")) <= installed
    assert len({info["uid"] for info in full.values()}) == len(full)
    for pkg in UNINSTALLED.get(name, set()):
        assert full[pkg]["installer"] == "null"


@each_profile
def test_installed_apks_are_on_the_phone_and_signed(name):
    full = _full_list(name)
    apksigner = _tool("apksigner")
    fixtures = {p.read_bytes() for p in FIXTURE_APKS.glob("*.apk")}
    for pkg in _installed(name):
        pm_path = _output(name, ("pm", "path", pkg, "--user", "0")).strip()
        assert pm_path == "package:" + full[pkg]["path"], pkg
        apk = _on_phone(name, full[pkg]["path"])
        assert apk.is_file(), f"{pkg}: {apk} missing; run scripts/build_fixture_apks.sh"
        assert apk.read_bytes() in fixtures, f"{pkg}: {apk} is not one of tests/fixtures/apks/"
        with zipfile.ZipFile(apk) as zf:
            assert zf.testzip() is None
            assert "AndroidManifest.xml" in zf.namelist() and "classes.dex" in zf.namelist()
        if apksigner:
            subprocess.run([apksigner, "verify", str(apk)], check=True, capture_output=True)
        else:
            assert b"APK Sig Block 42" in apk.read_bytes(), f"{pkg}: no v2/v3 signing block"


@each_profile
def test_installed_apks_match_what_pm_says_and_suit_the_android_version(name):
    full = _full_list(name)
    sdk = int(_getprop(name)["ro.build.version.sdk"])
    package_dump = _output(name, ("dumpsys", "package"))
    assert f"sdkVersion={sdk} " in package_dump
    for pkg in sorted(_installed(name)):
        badging = _badging(_on_phone(name, full[pkg]["path"]))
        assert f"package: name='{pkg}' versionCode='{full[pkg]['versionCode']}'" in badging, pkg
        min_sdk = int(re.search(r"^sdkVersion:'(\d+)'", badging, re.M).group(1))
        assert min_sdk <= sdk, f"{pkg} needs SDK {min_sdk}, the phone has {sdk}"
        block = package_dump.split(f"Package [{pkg}]", 1)[1].split("  Package [", 1)[0]
        assert f"userId={full[pkg]['uid']}" in block and f"minSdk={min_sdk} " in block, pkg


@each_profile
def test_app_processes_run_under_their_package_uid(name):
    full = _full_list(name)
    lines = _output(name, ("ps", "-A")).splitlines()
    assert lines[0].split()[:2] == ["USER", "PID"]
    for line in lines[1:]:
        user, *_rest, process = line.split()
        if process in full:
            assert user == f"u0_a{full[process]['uid'] - 10000}", process


@each_profile
def test_fs_meta_points_at_real_paths_with_plausible_times(name):
    meta = yaml.safe_load((_root(name) / "fs_meta.yaml").read_text("utf-8"))
    for path, fields in meta.items():
        assert _on_phone(name, path).exists(), path
        assert set(fields) <= {"mtime", "atime", "ctime", "mode", "uid", "gid"}, path
        int(str(fields["mode"]), 8)
        assert 1_199_145_600 <= fields["mtime"] < 1_830_000_000, path  # 2008 .. 2027
    if name in BXAQ_STORIES:
        check_time = int(_on_phone(name, "/sdcard/cjlog_plain.txt").read_text("utf-8").split("\t")[4])
        cjlog = meta["/sdcard/Android/cjlog.txt"]
        assert abs(cjlog["mtime"] - check_time) < 120
        assert cjlog["uid"] == _full_list(name)[BXAQ]["uid"]


@pytest.mark.parametrize("name", sorted(BXAQ_STORIES))
def test_cjlog_plain_field_4_is_the_check_time_on_the_crossing_day(name):
    day, offset = BXAQ_STORIES[name]
    lines = _on_phone(name, "/sdcard/cjlog_plain.txt").read_text("utf-8").splitlines()
    assert lines
    for line in lines:
        fields = line.split("\t")
        assert len(fields) > 4
        when = datetime.fromtimestamp(int(fields[4]), tz=UTC)
        assert when.astimezone(timezone(timedelta(hours=offset))).date().isoformat() == day
        assert when.date().isoformat() == day
    cjlog = _on_phone(name, "/sdcard/Android/cjlog.txt").read_bytes()
    assert 1024 < len(cjlog) < 16384


def test_uninstalled_bxaq_left_no_apk_but_left_its_records():
    name = "demo"
    full = _full_list(name)
    assert BXAQ in full and BXAQ not in _installed(name)
    old = _on_phone(name, full[BXAQ]["path"])
    assert not old.exists() and not old.parent.exists()
    assert not list((_root(name) / "fs").rglob("*wifiserver*"))
    package_dump = _output(name, ("dumpsys", "package"))
    block = package_dump.split(f"Package [{BXAQ}]", 1)[1].split("  Package [", 1)[0]
    assert f"userId={full[BXAQ]['uid']}" in block
    assert "installed=false" in block and f"dataDir=/data/user/0/{BXAQ}" in block
    for service in ("usagestats", "appops", "batterystats"):
        assert BXAQ in _output(name, ("dumpsys", service)), service
    assert "user@bxaq-pc" in _output(name, ("dumpsys", "adb"))
    wifi = _output(name, ("dumpsys", "wifi"))
    saved = wifi.split("Configured networks Begin", 1)[1].split("Configured networks End", 1)[0]
    assert "FH-CJ-AP" in wifi and "FH-CJ-AP" not in saved


def test_bxaq_lookalike_fixture_is_what_it_claims():
    apk = FIXTURE_APKS / "bxaq_lookalike.apk"
    with zipfile.ZipFile(apk) as zf:
        assert zf.testzip() is None
        assert "assets/xbin/bk_samples.bin" in zf.namelist()
        dex = zf.read("classes.dex")
    for needle in (b"CellHunter Reporter", b"/Android/cjlog.txt", b"/cjlog_plain.txt", b"bk_samples.bin",
                   b"Lcom/fenghuo/qzj/WelcomeActivity;", b"Lcom/fiberhome/wifiserver/"):
        assert needle in dex, needle
    badging = _badging(apk)
    assert "package: name='com.fiberhome.wifiserver' versionCode='1' versionName='1.0'" in badging
    assert "sdkVersion:'5'" in badging and "targetSdkVersion:'" not in badging
    assert "application-debuggable" in badging
    assert "launchable-activity: name='com.fenghuo.qzj.WelcomeActivity'" in badging
    assert "application-label:'蜂采'" in badging
    for perm in ("READ_SMS", "READ_CONTACTS", "MOUNT_UNMOUNT_FILESYSTEMS", "RESTART_PACKAGES"):
        assert f"uses-permission: name='android.permission.{perm}'" in badging
