"""The demo phone profile (inspector/simulator/profiles/demo/) is consistent with itself.

Reads the profile files directly (PyYAML and pathlib only, no simulator code): every canned command
has its output, every installed app's APK is really on the phone's file tree and is a signed APK,
the uninstalled BXAQ has left no APK, the BXAQ leftovers carry the crossing day, and the harmless
BXAQ look-alike fixture is what it claims to be.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
PROFILE = REPO / "inspector" / "simulator" / "profiles" / "demo"
FS = PROFILE / "fs"
COMMANDS = PROFILE / "commands"
FIXTURE_APKS = REPO / "tests" / "fixtures" / "apks"

BXAQ = "com.fiberhome.wifiserver"
CROSSING_DAY = "2026-11-18"
LOCAL = timezone(timedelta(hours=8))  # persist.sys.timezone of the demo phone: Asia/Shanghai

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


def _commands() -> dict[tuple[str, ...], dict]:
    doc = yaml.safe_load((PROFILE / "commands.yaml").read_text("utf-8"))
    assert isinstance(doc, list)
    return {tuple(str(a) for a in entry["argv"]): entry for entry in doc}


def _output(argv: tuple[str, ...]) -> str:
    entry = _commands()[argv]
    if "stdout" in entry:
        return (COMMANDS / entry["stdout"]).read_text("utf-8")
    return str(entry.get("text") or "")


def _on_phone(device_path: str) -> Path:
    return FS / device_path.lstrip("/")


def _full_list() -> dict[str, dict]:
    """`pm list packages -f -i -U -u --show-versioncode`: name -> path, versionCode, installer, uid."""
    out = {}
    for line in _output(PM_LIST_ALL).splitlines():
        assert line.startswith("package:"), line
        head, *fields = line[len("package:"):].split()
        path, name = head.rsplit("=", 1)
        info = dict(f.split(":", 1) if ":" in f else f.split("=", 1) for f in fields)
        out[name] = {"path": path, "versionCode": int(info["versionCode"]), "installer": info["installer"],
                     "uid": int(info["uid"])}
    return out


def _names(argv: tuple[str, ...]) -> set[str]:
    return {line.removeprefix("package:") for line in _output(argv).splitlines() if line}


def _installed() -> set[str]:
    return _names(("pm", "list", "packages", "--user", "0"))


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _tool(name: str) -> str | None:
    path = shutil.which(name)
    if path is None and _ci():
        pytest.fail(f"{name} is missing on CI (apt-get install {name})")
    return path


def _badging(apk: Path) -> str:
    aapt = _tool("aapt")
    if aapt is None:
        pytest.skip("aapt is not installed (apt-get install aapt); CI has it")
    return subprocess.run([aapt, "dump", "badging", str(apk)], check=True, capture_output=True,
                          text=True).stdout


def test_profile_files_exist_and_are_small():
    for name in ("profile.yaml", "commands.yaml", "fs_meta.yaml", "README.md"):
        assert (PROFILE / name).is_file(), name
    profile = yaml.safe_load((PROFILE / "profile.yaml").read_text("utf-8"))
    assert profile["serial"]
    assert set(profile["banner"]) == {"ro.product.name", "ro.product.model", "ro.product.device"}
    total = sum(p.stat().st_size for p in PROFILE.rglob("*") if p.is_file())
    assert total < 1_500_000
    assert not [p for p in PROFILE.rglob("*") if p.is_symlink()]


def test_every_command_entry_has_its_output():
    commands = _commands()
    for argv, entry in commands.items():
        assert ("stdout" in entry) != ("text" in entry), argv
        if "stdout" in entry:
            assert (COMMANDS / entry["stdout"]).is_file(), argv
    for argv in REQUIRED_ARGV:
        assert argv in commands, argv
    for name in _installed():
        assert ("pm", "path", name, "--user", "0") in commands, name
    assert _output(("pm", "list", "users")) == "Users:\n\tUserInfo{0:Owner:c13} running\n"


def test_package_lists_agree():
    full = _full_list()
    installed = _installed()
    system = _names(("pm", "list", "packages", "-s", "--user", "0"))
    third = _names(("pm", "list", "packages", "-3", "--user", "0"))
    assert installed == set(full) - {BXAQ}
    assert system | third == installed and not system & third
    assert "org.demo.torch" in third and "org.demo.notes" in third
    assert {"org.demo.system.launcher", "org.demo.system.phone"} <= system
    assert _names(("pm", "list", "packages", "-d", "--user", "0")) <= installed
    assert full[BXAQ]["installer"] == "null"
    assert len({info["uid"] for info in full.values()}) == len(full)


def test_installed_apks_are_on_the_phone_and_signed():
    full = _full_list()
    apksigner = _tool("apksigner")
    fixtures = {p.read_bytes() for p in FIXTURE_APKS.glob("*.apk")}
    for name in _installed():
        pm_path = _output(("pm", "path", name, "--user", "0")).strip()
        assert pm_path == "package:" + full[name]["path"], name
        apk = _on_phone(full[name]["path"])
        assert apk.is_file(), f"{name}: {apk} missing; run scripts/build_fixture_apks.sh"
        assert apk.read_bytes() in fixtures, f"{name}: {apk} is not one of tests/fixtures/apks/"
        with zipfile.ZipFile(apk) as zf:
            assert zf.testzip() is None
            assert "AndroidManifest.xml" in zf.namelist() and "classes.dex" in zf.namelist()
        if apksigner:
            subprocess.run([apksigner, "verify", str(apk)], check=True, capture_output=True)
        else:
            assert b"APK Sig Block 42" in apk.read_bytes(), f"{name}: no v2/v3 signing block"


def test_installed_apks_match_what_pm_says():
    full = _full_list()
    for name in sorted(_installed()):
        badging = _badging(_on_phone(full[name]["path"]))
        assert f"package: name='{name}' versionCode='{full[name]['versionCode']}'" in badging, name


def test_uninstalled_bxaq_left_no_apk_but_left_its_records():
    full = _full_list()
    assert BXAQ in full and BXAQ not in _installed()
    old = _on_phone(full[BXAQ]["path"])
    assert not old.exists() and not old.parent.exists()
    assert not list(FS.rglob("*wifiserver*"))
    package_dump = _output(("dumpsys", "package"))
    block = package_dump.split(f"Package [{BXAQ}]", 1)[1].split("  Package [", 1)[0]
    assert f"userId={full[BXAQ]['uid']}" in block
    assert "installed=false" in block and f"dataDir=/data/user/0/{BXAQ}" in block
    for service in ("usagestats", "appops", "batterystats"):
        assert BXAQ in _output(("dumpsys", service)), service
    assert "user@bxaq-pc" in _output(("dumpsys", "adb"))
    wifi = _output(("dumpsys", "wifi"))
    saved = wifi.split("Configured networks Begin", 1)[1].split("Configured networks End", 1)[0]
    assert "FH-CJ-AP" in wifi and "FH-CJ-AP" not in saved


def test_cjlog_plain_field_4_is_the_check_time_on_the_crossing_day():
    lines = _on_phone("/sdcard/cjlog_plain.txt").read_text("utf-8").splitlines()
    assert lines
    for line in lines:
        fields = line.split("\t")
        assert len(fields) > 4
        when = datetime.fromtimestamp(int(fields[4]), tz=UTC)
        assert when.astimezone(LOCAL).date().isoformat() == CROSSING_DAY
        assert when.date().isoformat() == CROSSING_DAY
    cjlog = _on_phone("/sdcard/Android/cjlog.txt").read_bytes()
    assert 1024 < len(cjlog) < 16384


def test_fs_meta_points_at_real_paths_with_plausible_times():
    meta = yaml.safe_load((PROFILE / "fs_meta.yaml").read_text("utf-8"))
    for path, fields in meta.items():
        assert _on_phone(path).exists(), path
        assert set(fields) <= {"mtime", "atime", "ctime", "mode", "uid", "gid"}, path
        int(str(fields["mode"]), 8)
    check_time = int(_on_phone("/sdcard/cjlog_plain.txt").read_text("utf-8").split("\t")[4])
    cjlog = meta["/sdcard/Android/cjlog.txt"]
    assert abs(cjlog["mtime"] - check_time) < 120
    full = _full_list()
    assert meta["/sdcard/Android/cjlog.txt"]["uid"] == full[BXAQ]["uid"]


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
