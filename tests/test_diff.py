"""``inspector diff``: two real acquisitions of one simulated phone (the shipped ``clean`` profile),
the second after a "crossing" that changed it: an app added (F-Droid's neighbour Notes), one removed
(Watch Bridge), one replaced by a build signed with another certificate (Password Safe, re-signed
here with apksigner and a new keytool key), a computer newly trusted for USB debugging, a new
accessibility service, wireless debugging switched on."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.acquire.android.connection import AndroidConnection
from inspector.acquisition import Acquisition
from inspector.analyze.diff import DiffError, compare
from inspector.analyze.signatures import SignaturePack
from inspector.pipeline import acquire_android
from inspector.resources import simulator_profiles_dir
from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone

REPO = Path(__file__).resolve().parent.parent
FIXTURE_APKS = REPO / "tests" / "fixtures" / "apks"
EXE = Path(sys.executable).parent / "inspector"
SAFE_APK = "data/app/~~CfxcAw_ZPnurGzwpAoxqnw==/org.demo.passwordsafe-Gesn5hIyJjza1UhMN5f55Q==/base.apk"
NOTES_DIR = "/data/app/~~Nn0tes5Ew5Ew5Ew5Ew5Eww==/org.demo.notes-Nn0tes5Ew5Ew5Ew5Ew5Eww=="
# A second computer's public ADB key: Android's RSAPublicKey layout (a word count of 64, then made-up
# numbers; only the key's identity matters here).
BORDER_KEY = base64.b64encode(b"\x40\x00\x00\x00" + hashlib.sha512(b"border-laptop").digest() * 8
                              + b"\x01\x00\x01\x00").decode()


def _resign(apk: Path, out: Path, work: Path) -> None:
    """``apk`` signed with a new, different certificate (a new keystore made by keytool)."""
    keystore = work / "other.jks"
    subprocess.run(["keytool", "-genkeypair", "-keystore", str(keystore), "-storepass", "password", "-keypass",
                    "password", "-alias", "other", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3650",
                    "-dname", "CN=someone else, O=not the developer, C=XX"], check=True, capture_output=True)
    subprocess.run(["apksigner", "sign", "--ks", str(keystore), "--ks-pass", "pass:password", "--ks-key-alias",
                    "other", "--out", str(out), str(apk)], check=True, capture_output=True)


def _after_profile(root: Path) -> Path:
    """The clean phone after the crossing (see the module docstring)."""
    profile = root / "after-profile"
    shutil.copytree(simulator_profiles_dir() / "clean", profile, symlinks=True)
    commands = profile / "commands"
    listing = (commands / "pm_list_packages_all.txt").read_text()
    listing = "".join(line for line in listing.splitlines(keepends=True) if "watchbridge" not in line)
    listing = listing.replace("org.demo.passwordsafe versionCode:4070", "org.demo.passwordsafe versionCode:4071")
    listing += (f"package:{NOTES_DIR}/base.apk=org.demo.notes versionCode:48  "
                "installer=com.google.android.packageinstaller uid:10311\n")
    (commands / "pm_list_packages_all.txt").write_text(listing)
    for name in ("pm_list_packages.txt", "pm_list_packages_3.txt"):
        text = (commands / name).read_text().replace("package:org.demo.watchbridge\n", "")
        (commands / name).write_text(text + "package:org.demo.notes\n")
    yaml_text = (profile / "commands.yaml").read_text()
    yaml_text += (f"- argv: [pm, path, org.demo.notes, --user, '0']\n  text: \"package:{NOTES_DIR}/base.apk\\n\"\n")
    (profile / "commands.yaml").write_text(yaml_text)
    notes = profile / "fs" / NOTES_DIR.lstrip("/") / "base.apk"
    notes.parent.mkdir(parents=True)
    shutil.copy(FIXTURE_APKS / "org.demo.notes.apk", notes)
    safe = profile / "fs" / SAFE_APK
    _resign(FIXTURE_APKS / "org.demo.passwordsafe.apk", root / "resigned.apk", root)
    shutil.copy(root / "resigned.apk", safe)
    adb = (commands / "dumpsys_adb.txt").read_text()
    head, sep, tail = adb.partition("owner@thinkpad-x13\n")
    (commands / "dumpsys_adb.txt").write_text(head + sep + f"{BORDER_KEY} border@laptop-7\n" + tail)
    access = (commands / "dumpsys_accessibility.txt").read_text().replace(
        "Enabled services:{{org.demo.screenreader/org.demo.screenreader.ReaderService}}",
        "Enabled services:{{org.demo.screenreader/org.demo.screenreader.ReaderService}, "
        "{org.demo.notes/.SyncHelper}}")
    (commands / "dumpsys_accessibility.txt").write_text(access)
    settings = (commands / "settings_global.txt").read_text().replace("adb_wifi_enabled=0", "adb_wifi_enabled=1")
    (commands / "settings_global.txt").write_text(settings)
    return profile


def _acquire(profile: Path, out: Path) -> Acquisition:
    pack = SignaturePack.load()
    with SimulatedPhone(DeviceProfile.load(profile), auth=AuthPolicy(on_new_key="allow")) as phone:
        host, port = phone.address.rsplit(":", 1)
        with AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=10) as conn:
            acq, _stats, lost = acquire_android(conn, out, resume=False, operator="helpdesk", pack=pack)
    assert lost is None and acq.complete
    return acq


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Acquisition, Acquisition, Path]:
    base = tmp_path_factory.mktemp("diff")
    with pytest.MonkeyPatch.context() as mp:
        for var in ("CONFIG", "DATA", "CACHE"):
            mp.setenv(f"INSPECTOR_{var}_DIR", str(base / var.lower()))
        before = _acquire(simulator_profiles_dir() / "clean", base / "before")
        after = _acquire(_after_profile(base), base / "after")
    return before, after, base


def _by_rule(document: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in document["findings"]:
        found.setdefault(finding["rule_id"], []).append(finding)
    return found


def test_before_and_after_a_crossing(pair) -> None:
    before, after, _base = pair
    document = compare(before, after)
    found = _by_rule(document)
    assert document["before"]["id"] == before.manifest["id"] and document["after"]["id"] == after.manifest["id"]
    assert [f["subject"] for f in found["diff.package_added"]] == ["org.demo.notes"]
    assert found["diff.package_added"][0]["severity"] == "medium"
    assert found["diff.package_added"][0]["params"]["installer"] == "com.google.android.packageinstaller"
    assert [f["subject"] for f in found["diff.package_removed"]] == ["org.demo.watchbridge"]
    (signer,) = found["diff.package_signer_changed"]
    assert signer["subject"] == "org.demo.passwordsafe" and signer["severity"] == "high"
    assert signer["params"]["source"] == "apk"
    assert signer["params"]["certificates_before"] == [
        "ddd485d5f31eb5aa3dfc2e76ae2d784109ae2c714a9370e18753126890215f57"]
    assert signer["params"]["certificates_after"] != signer["params"]["certificates_before"]
    assert (signer["params"]["version_before"], signer["params"]["version_after"]) == (4070, 4071)
    assert "diff.package_updated" not in found  # the signer change says it already
    (key,) = found["diff.adb_key_added"]
    assert key["subject"] == "border@laptop-7" and key["params"]["fingerprint"]
    (service,) = found["diff.accessibility_added"]
    assert service["subject"] == "org.demo.notes/org.demo.notes.SyncHelper" and service["params"]["new_app"] is True
    (setting,) = found["diff.setting_changed"]
    assert setting["params"] == {"namespace": "global", "setting": "adb_wifi_enabled", "value_before": "0",
                                 "value_after": "1", "weakened": True}
    assert set(found) == {"diff.package_added", "diff.package_removed", "diff.package_signer_changed",
                          "diff.adb_key_added", "diff.accessibility_added", "diff.setting_changed"}
    assert all(f["family"] == "device_change" and f["evidence"] for f in document["findings"])
    assert document["findings"][0]["severity"] == "high"  # most serious first


def test_same_acquisition_twice_has_no_changes(pair) -> None:
    before, _after, _base = pair
    assert compare(before, before)["findings"] == []


def test_the_other_way_round(pair) -> None:
    before, after, _base = pair
    found = _by_rule(compare(after, before))
    assert [f["subject"] for f in found["diff.package_added"]] == ["org.demo.watchbridge"]
    assert found["diff.package_added"][0]["params"]["certificates"] == [
        "ddd485d5f31eb5aa3dfc2e76ae2d784109ae2c714a9370e18753126890215f57"]
    assert "diff.adb_key_added" not in found and "diff.accessibility_added" not in found
    assert found["diff.setting_changed"][0]["params"]["weakened"] is False


def test_two_different_phones_are_refused(pair, tmp_path: Path) -> None:
    before, _after, _base = pair
    other = tmp_path / "other"
    shutil.copytree(before.path, other)
    manifest = json.loads((other / "acquisition.json").read_text())
    manifest["device"]["serial_sha256"] = "0" * 64
    (other / "acquisition.json").write_text(json.dumps(manifest))
    with pytest.raises(DiffError, match="not acquisitions of the same phone"):
        compare(before, Acquisition.open(other))
    assert compare(before, Acquisition.open(other), same_phone=False)["findings"] == []


def test_cli_diff_folders_and_stored_scans(pair, tmp_path: Path) -> None:
    before, after, base = pair
    env = {**os.environ, "COLUMNS": "200", "INSPECTOR_DB": f"sqlite:///{tmp_path / 'store.sqlite3'}"}
    for var in ("CONFIG", "DATA", "CACHE"):
        env[f"INSPECTOR_{var}_DIR"] = str(base / var.lower())

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=180, env=env)

    out = tmp_path / "diff.json"
    page = tmp_path / "diff.html"
    done = cli("diff", str(before.path), str(after.path), "--out", str(out), "--html", str(page))
    assert done.returncode == 1, done.stdout + done.stderr
    html = page.read_text()
    assert "<script" not in html and "Content-Security-Policy" in html
    assert "An app was replaced by a copy from someone else: org.demo.passwordsafe" in html
    assert "6 change(s), the most serious first" in html
    zh = tmp_path / "diff.zh.html"
    assert cli("diff", str(before.path), str(after.path), "--html", str(zh), "--lang", "zh_CN").returncode == 1
    assert "一个应用被换成了别人制作的版本" in zh.read_text()
    assert "org.demo.passwordsafe" in done.stdout and "border@laptop-7" in done.stdout
    document = json.loads(out.read_text())
    assert len(document["findings"]) == 6
    assert cli("diff", str(before.path), str(before.path)).returncode == 0

    # By stored scan ids (inspector check records a scan of each).
    assert cli("check", str(before.path), "--format", "json").returncode in (0, 1)
    assert cli("check", str(after.path), "--format", "json").returncode in (0, 1)
    by_id = cli("diff", "1", "2", "--json")
    assert by_id.returncode == 1, by_id.stdout + by_id.stderr
    assert json.loads(by_id.stdout)["findings"] == document["findings"]
    missing = cli("diff", "1", "99")
    assert missing.returncode == 2 and "no stored scan 99" in missing.stdout
    other = cli("diff", str(before.path), str(tmp_path))
    assert other.returncode == 2 and "Error" in other.stdout
