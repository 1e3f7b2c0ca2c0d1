"""``inspector diff`` on iPhone backups (issue #5): real iTunes-format backups, plain and encrypted
(tests/ios_backup_builder.py), each acquired with the real CLI (``inspector check BACKUP``) as a helpdesk
does before and after a trip, then compared through the CLI: apps added, removed and updated (purchase
records and Manifest.plist versions), configuration profiles with a root certificate, a VPN and MDM,
MDM enrolment, backup encryption switched on; a live scan against a backup; and what goes wrong: no or
a wrong password, a backup folder overwritten by a newer backup, an unreadable Manifest.plist, two
different phones, a sysdiagnose."""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from ios_backup_builder import PROFILES_DOMAIN, BackupContent, build_backup, build_sysdiagnose, profile_path, \
    profile_plist

from inspector.acquisition import Acquisition
from inspector.acquisition.device import hash_serial

EXE = Path(sys.executable).parent / "inspector"
SERIAL = "F2LXTESTSERIAL"  # the builder's Lockdown SerialNumber
CLOUD = (PROFILES_DOMAIN, "Library/ConfigurationProfiles/CloudConfigurationDetails.plist")
WIFI, ROOT, MDM = "AAAA1111-0000", "BBBB2222-0000", "CCCC3333-0000"


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "INSPECTOR_BACKUP_PASSWORD"}
    env.update(env_extra or {}, COLUMNS="200")
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, timeout=120, env=env,
                          stdin=subprocess.DEVNULL)


def _purchase(short: str, build: str, name: str) -> dict:
    """Info.plist Applications entry of an App Store app: its purchase record (iTunesMetadata)."""
    meta = {"itemName": name, "bundleShortVersionString": short, "bundleVersion": build, "softwareVersionBundleId": ""}
    return {"iTunesMetadata": plistlib.dumps(meta, fmt=plistlib.FMT_BINARY), "ApplicationSINF": b"sinf"}


def _content(trip: bool, serial: str = SERIAL) -> BackupContent:
    c = BackupContent()
    c.lockdown["SerialNumber"] = serial
    when = datetime(2026, 11, 2, 9) if not trip else datetime(2026, 11, 20, 18)
    c.date = when
    c.files[profile_path(WIFI)] = profile_plist(WIFI, "Home Wi-Fi", [{"PayloadType": "com.apple.wifi.managed"}],
                                                datetime(2025, 3, 1), organization="Home")
    if not trip:
        info_apps = {"org.signal.app": _purchase("7.1", "710", "Signal"), "org.notes": _purchase("2.0", "200", "Notes")}
        c.applications = {"org.signal.app": {"CFBundleVersion": "710"}, "org.notes": {"CFBundleVersion": "200"},
                          "com.bank.app": {"CFBundleVersion": "500"}}
    else:
        info_apps = {"org.signal.app": _purchase("7.2", "720", "Signal")}
        c.applications = {"org.signal.app": {"CFBundleVersion": "720"}, "com.bank.app": {"CFBundleVersion": "501"},
                          "cn.gov.checker": {"CFBundleVersion": "1"}}
        c.files[profile_path(ROOT)] = profile_plist(ROOT, "Border Network", [
            {"PayloadType": "com.apple.security.root"}, {"PayloadType": "com.apple.vpn.managed"}],
            datetime(2026, 11, 19, 8), organization="Border Office")
        c.files[profile_path(MDM)] = profile_plist(MDM, "Device Management", [{"PayloadType": "com.apple.mdm"}],
                                                   datetime(2026, 11, 19, 8), organization="Border Office")
        c.files[CLOUD] = plistlib.dumps({"IsSupervised": True, "OrganizationName": "Border Office",
                                         "ConfigurationURL": "https://mdm.border.example/enroll"},
                                        fmt=plistlib.FMT_BINARY)
    c.info_extra = {"Applications": info_apps}
    return c


def _acquire(backup: Path, out: Path, password: str | None = None) -> Path:
    args = ["check", str(backup), "--out", str(out), "--no-store", "--owner-set-backup-password", "no"]
    done = run(*args, *(["--password", password] if password else []))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert (out / "backup_files.csv").is_file()
    return out


@pytest.fixture(scope="module")
def trip(tmp_path_factory) -> dict[str, Path]:
    """Before the trip a plain backup; after it an encrypted one (with a new password someone set)."""
    base = tmp_path_factory.mktemp("trip")
    before = build_backup(base / "backups" / "before", _content(trip=False))
    after = build_backup(base / "backups" / "after", _content(trip=True), password="trip pass")
    return {"base": base, "before_backup": before, "after_backup": after,
            "before": _acquire(before, base / "A"), "after": _acquire(after, base / "B", "trip pass")}


def _diff(*args: str, env_extra: dict | None = None) -> tuple[subprocess.CompletedProcess, dict | None]:
    done = run("diff", *args, "--json", env_extra=env_extra)
    return done, (json.loads(done.stdout) if done.returncode in (0, 1) else None)


def _by_rule(document: dict) -> dict[tuple[str, str], dict]:
    return {(f["rule_id"], f["subject"]): f for f in document["findings"]}


def test_two_backups_before_and_after_a_trip(trip, tmp_path):
    page = tmp_path / "diff.html"
    done, document = _diff(str(trip["before"]), str(trip["after"]), "--password-b", "trip pass", "--html", str(page),
                           "--lang", "en")
    assert done.returncode == 1, done.stdout + done.stderr
    found = _by_rule(document)
    assert set(found) == {
        ("diff.package_added", "cn.gov.checker"), ("diff.package_removed", "org.notes"),
        ("diff.package_updated", "org.signal.app"), ("diff.package_updated", "com.bank.app"),
        ("diff.profile_added", "Border Network"), ("diff.profile_added", "Device Management"),
        ("diff.device_owner_added", "mdm:Border Office"),
        ("diff.backup_encryption_on", "IsEncrypted: false → true")}
    added = found[("diff.package_added", "cn.gov.checker")]
    assert added["severity"] == "medium" and added["params"]["installer"] == "unknown"  # no purchase record
    assert "signer" not in added["params"]  # a backup does not say who signed it: not invented
    assert [e["artifact"] for e in added["evidence"]] == ["backup_info.json", "source backup: Manifest.plist"]
    recorded = Acquisition.open(trip["after"]).artifact("backup_info.json")["sha256"]
    assert added["evidence"][0]["sha256"] == recorded and added["evidence"][0]["locator"] == "Installed Applications"
    signal = found[("diff.package_updated", "org.signal.app")]["params"]
    assert (signal["version_before"], signal["version_after"]) == ("7.1", "7.2")  # from the purchase records
    bank = found[("diff.package_updated", "com.bank.app")]["params"]
    assert (bank["version_before"], bank["version_after"]) == ("? (500)", "? (501)")  # Manifest.plist only
    network = found[("diff.profile_added", "Border Network")]
    assert network["severity"] == "high" and network["params"]["payloads"] == ["root_certificate", "vpn"]
    assert network["params"]["organization"] == "Border Office" and network["params"]["payloads_known"] is True
    (evidence,) = network["evidence"]
    assert evidence["artifact"] == "source backup" and evidence["locator"] == "/".join(profile_path(ROOT))
    assert "com.apple.security.root" in evidence["excerpt"]
    rows = (trip["after"] / "backup_files.csv").read_text("utf-8")
    assert evidence["sha256"] in rows  # the stored file's SHA-256 as the acquisition recorded it
    mdm = found[("diff.device_owner_added", "mdm:Border Office")]
    assert mdm["severity"] == "high" and mdm["params"]["profile"] == "Device Management"
    encryption = found[("diff.backup_encryption_on", "IsEncrypted: false → true")]
    assert [e["artifact"] for e in encryption["evidence"]] == ["backup_manifest.json", "backup_manifest.json"]
    assert encryption["evidence"][1]["sha256"] == Acquisition.open(trip["after"]).artifact(
        "backup_manifest.json")["sha256"]
    assert set(document["not_compared"]) == {"app signers"}
    assert "does not record who signed an app" in document["not_compared"]["app signers"]
    # the terminal and the page say the same
    shown = " ".join(done.stderr.split()) + " ".join(done.stdout.split())
    assert "Not compared: app signers" in shown
    html = page.read_text("utf-8")
    assert "A new configuration profile was installed: Border Network" in html
    assert "Backup encryption was switched on" in html and "The phone is now managed by an organisation" in html
    assert "app signers" in html and "cn.gov.checker" in html
    assert "A configuration profile makes the phone trust a certificate" in html  # the payloads, in words
    assert "sends the phone&#39;s traffic through a VPN" in html
    # the same backup against itself: nothing changed, exit 0
    same, again = _diff(str(trip["after"]), str(trip["after"]), "--password-a", "trip pass", "--password-b",
                        "trip pass")
    assert same.returncode == 0 and again["findings"] == []


def test_password_from_the_environment_or_none(trip):
    by_env, document = _diff(str(trip["before"]), str(trip["after"]),
                             env_extra={"INSPECTOR_BACKUP_PASSWORD": "trip pass"})
    assert by_env.returncode == 1 and ("diff.profile_added", "Border Network") in _by_rule(document)
    # without the password the profiles of B are not compared, and the rest still is
    none, document = _diff(str(trip["before"]), str(trip["after"]))
    assert none.returncode == 1, none.stdout + none.stderr
    rules = {f["rule_id"] for f in document["findings"]}
    assert rules == {"diff.package_added", "diff.package_removed", "diff.package_updated", "diff.backup_encryption_on"}
    assert document["not_compared"]["after: configuration profiles (backup)"] == \
        "the backup is encrypted and no password was given"
    wrong, _ = _diff(str(trip["before"]), str(trip["after"]), "--password-b", "nope")
    assert wrong.returncode == 2
    shown = " ".join((wrong.stdout + wrong.stderr).split())
    assert "B (" in shown and "the backup password is wrong" in shown and "--password-b" in shown


def test_a_live_scan_against_a_backup(trip, tmp_path):
    """Before: a live scan (the layout the live collector writes); after: the backup of the trip."""
    live = Acquisition.create(tmp_path / "live", platform="ios", tool_version="t", signature_pack_version="t")
    live.set_device({"platform": "ios", "manufacturer": "Apple", "model": "iPhone14,5",
                     "serial_sha256": hash_serial(SERIAL)})
    live.write_json("backup_settings.json", {"WillEncrypt": False})
    live.write_json("apps.json", [
        {"CFBundleIdentifier": "com.apple.mobilesafari", "ApplicationType": "System"},
        {"CFBundleIdentifier": "org.signal.app", "ApplicationType": "User", "CFBundleShortVersionString": "7.1",
         "CFBundleVersion": "710", "SignerIdentity": "Apple iPhone OS Application Signing"},
        {"CFBundleIdentifier": "com.bank.app", "ApplicationType": "User", "CFBundleShortVersionString": "5.0",
         "CFBundleVersion": "501", "SignerIdentity": "Apple iPhone OS Application Signing"}])
    live.write_json("profiles.json", {"profiles": {"ProfileMetadata": {
        "Home Wi-Fi": {"PayloadDisplayName": "Home Wi-Fi", "PayloadUUID": WIFI}}}, "cloud_configuration": {}})
    live.finish()
    done, document = _diff(str(live.path), str(trip["after"]), "--password-b", "trip pass")
    assert done.returncode == 1, done.stdout + done.stderr
    found = _by_rule(document)
    assert set(found) == {
        ("diff.package_added", "cn.gov.checker"), ("diff.package_updated", "org.signal.app"),
        ("diff.profile_added", "Border Network"), ("diff.profile_added", "Device Management"),
        ("diff.device_owner_added", "mdm:Border Office"),
        ("diff.backup_encryption_on", "WillEncrypt: false → IsEncrypted: true")}
    # com.bank.app: 5.0 (501) live, build 501 in the backup: the same build, so not updated
    assert "signed by" in document["not_compared"]["app signers"] and "after" in document["not_compared"]["app signers"]
    enc = found[("diff.backup_encryption_on", "WillEncrypt: false → IsEncrypted: true")]
    assert [e["artifact"] for e in enc["evidence"]] == ["backup_settings.json", "backup_manifest.json"]


def test_backup_folder_overwritten_by_a_newer_backup(tmp_path):
    """iTunes/Finder write each new backup of a phone into the same folder: the before-acquisition then
    points at the after-backup. What it recorded itself is compared; the rest is named."""
    folder = tmp_path / "MobileSync" / "Backup" / "00008110-000A1B2C3D4E5F60"
    build_backup(folder, _content(trip=False))
    before = _acquire(folder, tmp_path / "A")
    shutil.rmtree(folder)
    build_backup(folder, _content(trip=True))
    after = _acquire(folder, tmp_path / "B")
    done, document = _diff(str(before), str(after))
    assert done.returncode == 1, done.stdout + done.stderr
    reason = document["not_compared"]["before: app versions (backup)"]
    assert "now holds another backup" in reason
    assert "2026-11-20T18:00:00Z" in reason and "2026-11-02T09:00:00Z" in reason  # the two backups' dates
    assert "now holds another backup" in document["not_compared"]["before: configuration profiles (backup)"]
    found = _by_rule(document)
    # bundle ids come from the acquisition's own backup_info.json: still compared
    assert ("diff.package_added", "cn.gov.checker") in found and ("diff.package_removed", "org.notes") in found
    assert not any(rule == "diff.profile_added" for rule, _ in found)
    assert "app versions" in document["not_compared"]  # versions known on one side only


def test_unreadable_manifest_and_missing_folder(trip, tmp_path):
    copy = tmp_path / "before-backup"
    shutil.copytree(trip["before_backup"], copy)
    before = _acquire(copy, tmp_path / "A")
    (copy / "Manifest.plist").write_bytes(b"not a plist")
    done, document = _diff(str(before), str(trip["after"]), "--password-b", "trip pass")
    assert done.returncode == 1
    reason = document["not_compared"]["before: configuration profiles (backup)"]
    assert "cannot be read again: Manifest.plist is not a readable plist" in reason
    shutil.rmtree(copy)
    done, document = _diff(str(before), str(trip["after"]), "--password-b", "trip pass")
    assert "is no longer there" in document["not_compared"]["before: app versions (backup)"]
    # the recorded bundle ids and encryption are still compared
    assert ("diff.backup_encryption_on", "IsEncrypted: false → true") in _by_rule(document)


def test_wrong_pairs_are_refused(trip, tmp_path):
    other = build_backup(tmp_path / "other", _content(trip=False, serial="DIFFERENTPHONE"))
    other_acq = _acquire(other, tmp_path / "O")
    done, _ = _diff(str(trip["before"]), str(other_acq))
    assert done.returncode == 2
    assert "not acquisitions of the same phone" in " ".join((done.stdout + done.stderr).split())
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2026.tar.gz", {"ps.txt": b"USER PID COMMAND\n"})
    diag = run("check", str(archive), "--out", str(tmp_path / "S"), "--no-store")
    assert (tmp_path / "S" / "acquisition.json").is_file(), diag.stdout  # (exit 2: too little to judge)
    done, _ = _diff(str(tmp_path / "S"), str(trip["after"]), "--any-phones")
    assert done.returncode == 2
    assert "is a sysdiagnose: it holds no app list" in " ".join((done.stdout + done.stderr).split())
