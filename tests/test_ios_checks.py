"""The iOS checks end to end: generated backups and sysdiagnose archives read into acquisitions
(inspector.sources.detect), analysed (inspector.analyze.result), with the real bundled indicators."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from ios_backup_builder import (
    DATA_USAGE,
    SAFARI_HISTORY,
    SMS_DB,
    TCC_DB,
    BackupContent,
    build_backup,
    build_sysdiagnose,
    data_usage_db,
    log_show_line,
    profile_path,
    profile_plist,
    safari_history_db,
    shutdown_log,
    sms_db,
    tcc_db,
)

from inspector.acquisition import Acquisition
from inspector.analyze.ios.evidence import IOSOptions
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.sources.detect import kind_of, open_for_check

WHEN = datetime(2026, 11, 18, 9, 30)
# Real indicators from signatures/iocs/mvt (MVT's STIX2 bundles)
PREDATOR_PROFILE = "76DAB334-7E17-475D-A5D6-0794EB5818A5"
KINGSPAWN_PATH = "/private/var/db/com.apple.xpc.roleaccountd.staging/subridged"


@pytest.fixture(scope="module")
def pack() -> SignaturePack:
    return SignaturePack.load()


def _indicator(pack: SignaturePack, kind: str, campaign: str | None = None) -> str:
    for value, found in sorted(pack.indicators.values(kind).items()):
        if campaign is None or any(i.campaign == campaign for i in found):
            return value
    raise AssertionError(f"no {kind} indicator")


def _rules(doc: dict) -> dict[str, dict]:
    return {f["rule_id"]: f for f in doc["findings"]}


def _coverage(doc: dict) -> dict[str, dict]:
    return {c["check"]: c for c in doc["coverage"]}


def infected_content(tmp: Path, pack: SignaturePack) -> BackupContent:
    domain = _indicator(pack, "domain", "RCSLab")
    process = _indicator(pack, "process", "KingSpawn")
    app_id = _indicator(pack, "app_id", "RCSLab")
    c = BackupContent()
    c.files[SMS_DB] = sms_db(tmp, [("+8613800000000", f"your parcel: https://{domain}/track?id=5", WHEN),
                                   ("+8613800000001", "dinner at 8? https://example.org/menu", WHEN)])
    c.files[SAFARI_HISTORY] = safari_history_db(tmp, [(f"https://sub.{domain}/x", WHEN),
                                                      ("https://www.wikipedia.org/", WHEN)])
    c.files[TCC_DB] = tcc_db(tmp, [("kTCCServiceMicrophone", "com.example.recorder", 2, WHEN)])
    c.files[DATA_USAGE] = data_usage_db(tmp, [(process, process, WHEN), ("Safari", "com.apple.mobilesafari", WHEN)])
    c.files[profile_path(PREDATOR_PROFILE)] = profile_plist(PREDATOR_PROFILE, "Update", [
        {"PayloadType": "com.apple.webClip.managed"}], WHEN)
    c.files[profile_path("11111111-2222")] = profile_plist("11111111-2222", "Network", [
        {"PayloadType": "com.apple.security.root"}, {"PayloadType": "com.apple.proxy.http.global"},
        {"PayloadType": "com.apple.mdm"}], WHEN, organization="Border Office")
    c.applications[app_id] = {}
    return c


def test_encrypted_backup_with_indicators(tmp_path, pack):
    root = build_backup(tmp_path / "backup", infected_content(tmp_path, pack), password="s3cret")
    assert kind_of(root) == "ios-backup"
    acq, kind = open_for_check(root, tmp_path / "acq", password="s3cret")
    assert kind == "ios-backup" and acq.manifest["platform"] == "ios"
    assert acq.manifest["device"]["model"] == "iPhone14,5"
    assert "F2LXTESTSERIAL" not in (acq.path / "acquisition.json").read_text()  # hashed, never kept
    doc = analyze(acq, pack, ios_options=IOSOptions(backup_password="s3cret"))
    rules = _rules(doc)
    assert doc["verdict"] == "implant_found"
    assert rules["ios.ioc.sms_link"]["severity"] == "high" and rules["ios.ioc.sms_link"]["family"] == "ioc.rcslab"
    assert rules["ios.ioc.sms_link"]["time"] == "2026-11-18T09:30:00Z"
    assert rules["ios.ioc.safari_visit"]["confidence"] == "low"  # a visit alone: needs review
    assert rules["ios.ioc.data_usage"]["severity"] == "critical"
    assert rules["ios.ioc.app"]["subject"].startswith("com.")
    assert rules["ios.profile.known_malicious"]["params"]["family_name"] == "Predator"
    for kind in ("mdm", "root_certificate", "proxy"):
        assert rules[f"ios.profile.{kind}"]["params"]["organization"] == "Border Office"
    assert rules["ios.backup_encryption.ask_owner"]["severity"] == "medium"
    assert "ios.ioc.tcc" not in rules  # com.example.recorder is on no list
    assert {f["subject"] for f in doc["findings"] if f["rule_id"] == "ios.ioc.sms_link"} == {
        f"https://{_indicator(pack, 'domain', 'RCSLab')}/track?id=5"}
    cover = _coverage(doc)
    assert cover["ios_indicators"]["counts"]["sources"] == 5 and cover["ios_indicators"]["reason"] is None
    assert cover["ios_shutdown_log"]["status"] == "skipped"
    # decrypted copies were only in the acquisition's work folder, and are gone
    assert not list(acq.path.glob(".ios-work*"))


def test_clean_plain_backup(tmp_path, pack):
    c = BackupContent()
    c.files[SMS_DB] = sms_db(tmp_path, [("+1555", "https://example.org/hello", WHEN)])
    root = build_backup(tmp_path / "backup", c)
    acq, _ = open_for_check(root, tmp_path / "acq")
    doc = analyze(acq, pack)
    assert doc["findings"] == [] and doc["verdict"] == "nothing_found"


def test_owner_answer_about_backup_password(tmp_path, pack):
    root = build_backup(tmp_path / "backup", BackupContent(), password="pw")
    acq, _ = open_for_check(root, tmp_path / "acq", password="pw")
    said_no = _rules(analyze(acq, pack, ios_options=IOSOptions("pw", owner_set_backup_password=False)))
    assert said_no["ios.backup_encryption.not_by_owner"]["severity"] == "high"
    said_yes = analyze(acq, pack, ios_options=IOSOptions("pw", owner_set_backup_password=True))
    assert not [f for f in said_yes["findings"] if f["rule_id"].startswith("ios.backup_encryption")]


def test_re_check_without_password_says_what_was_not_checked(tmp_path, pack):
    root = build_backup(tmp_path / "backup", infected_content(tmp_path, pack), password="pw")
    acq, _ = open_for_check(root, tmp_path / "acq", password="pw")
    doc = analyze(Acquisition.open(acq.path), pack)  # no password this time
    cover = _coverage(doc)
    assert cover["ios_indicators"]["status"] == "failed"
    assert "encrypted and no password" in cover["ios_indicators"]["reason"]
    assert cover["ios_backup_files"]["status"] == "failed"
    assert doc["verdict"] == "needs_review"  # the encryption finding still stands


def test_missing_and_truncated_files_in_coverage(tmp_path, pack):
    from ios_backup_builder import file_id

    content = infected_content(tmp_path, pack)
    root = build_backup(tmp_path / "backup", content, password="pw")
    (root / file_id(*SMS_DB)[:2] / file_id(*SMS_DB)).unlink()
    tcc = root / file_id(*TCC_DB)[:2] / file_id(*TCC_DB)
    tcc.write_bytes(tcc.read_bytes()[:-5])
    acq, _ = open_for_check(root, tmp_path / "acq", password="pw")
    doc = analyze(acq, pack, ios_options=IOSOptions("pw"))
    cover = _coverage(doc)
    assert cover["ios_backup_files"]["counts"] == {"backup_files": 6, "missing": 1, "truncated": 1, "unreadable": 0}
    assert "missing from the backup" in cover["ios_indicators"]["reason"]
    assert "cut short" in cover["ios_indicators"]["reason"]
    rules = _rules(doc)
    assert "ios.ioc.sms_link" not in rules and "ios.ioc.data_usage" in rules  # the rest was still checked


def _live_acquisition(tmp: Path) -> Acquisition:
    """The layout the live collector writes (docs/acquisition.md), filled in by hand here."""
    acq = Acquisition.create(tmp / "live", platform="ios", tool_version="t", signature_pack_version="t")
    acq.write_json("backup_settings.json", {"WillEncrypt": True})
    acq.write_json("apps.json", [
        {"CFBundleIdentifier": "com.apple.mobilesafari", "ApplicationType": "System"},
        {"CFBundleIdentifier": "org.signal.app", "ApplicationType": "User",
         "SignerIdentity": "Apple iPhone OS Application Signing", "ProfileValidated": False},
        {"CFBundleIdentifier": "cn.gov.checker", "ApplicationType": "User",
         "SignerIdentity": "iPhone Distribution: Some Company Ltd", "ProfileValidated": True},
        {"CFBundleIdentifier": "me.dev.tool", "ApplicationType": "User",
         "SignerIdentity": "Apple Development: Jane Doe (ABCDE12345)"},
    ])
    acq.write_json("profiles.json", {"profiles": {"ProfileMetadata": {"com.corp.wifi": {
        "PayloadDisplayName": "Corp Wi-Fi", "PayloadOrganization": "Corp", "PayloadUUID": "AB-CD"}},
        "OrderedIdentifiers": ["com.corp.wifi"]},
        "cloud_configuration": {"IsSupervised": True, "OrganizationName": "Border Office"}})
    acq.finish()
    return acq


def test_live_layout(tmp_path, pack):
    acq = _live_acquisition(tmp_path)
    doc = analyze(acq, pack)
    rules = _rules(doc)
    assert rules["ios.app_source.enterprise"]["subject"] == "cn.gov.checker"
    assert rules["ios.app_source.developer"]["subject"] == "me.dev.tool"
    assert rules["ios.mdm_enrolled"]["params"]["organization"] == "Border Office"
    assert rules["ios.profile.installed"]["subject"] == "Corp Wi-Fi"
    assert rules["ios.backup_encryption.ask_owner"]["evidence"][0]["artifact"] == "backup_settings.json"
    assert _coverage(doc)["ios_apps"]["counts"] == {"apps": 3, "apps_app_store": 1, "apps_developer": 1,
                                                    "apps_enterprise": 1}
    assert doc["verdict"] == "needs_review"


def test_sysdiagnose_shutdown_log_crash_logs_and_window(tmp_path, pack):
    process = _indicator(pack, "process", "KingSpawn")
    crash = (json.dumps({"app_name": process, "timestamp": "2026-11-18 10:02:00.00 +0800", "bug_type": "309"})
             + "\n" + json.dumps({"procName": process, "procPath": f"/private/var/tmp/{process}"})).encode()
    log = "\n".join([
        log_show_line(datetime(2026, 11, 17, 20, 0), "+0800", "lockdownd", "StartSessionWithHost: host id 1234"),
        log_show_line(datetime(2026, 11, 18, 10, 5), "+0800", "lockdownd", "StartSessionWithHost: host id ABCD"),
        log_show_line(datetime(2026, 11, 18, 10, 6), "+0800", "BackupAgent2", "Starting backup"),
        log_show_line(datetime(2026, 11, 18, 10, 9), "+0800", "afcd", "Opened /DCIM for reading"),
        log_show_line(datetime(2026, 11, 18, 10, 9), "+0800", "SpringBoard", "nothing to see"),
    ]).encode()
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2026.11.18.tar.gz", {
        "system_logs.logarchive/Extra/shutdown.log": shutdown_log(
            [KINGSPAWN_PATH, "/private/var/db/com.apple.strange/helperd", "/usr/libexec/locationd"],
            WHEN).encode(),
        "crashes_and_spins/helper-2026-11-18-100200.ips": crash,
        "logs/lockdownd_text_export.log": log,
        "system_logs.logarchive/00/0000000000000001.tracev3": b"\x00" * 64,
    })
    assert kind_of(archive) == "sysdiagnose"
    acq, _ = open_for_check(archive, tmp_path / "acq")
    doc = analyze(acq, pack, window="2026-11-18T09:00+08:00/2026-11-18T12:00+08:00")
    rules = _rules(doc)
    assert rules["ios.shutdown_log.known_process"]["subject"] == KINGSPAWN_PATH
    assert rules["ios.shutdown_log.known_process"]["family"] == "ioc.kingspawn"
    assert rules["ios.shutdown_log.suspicious_path"]["subject"] == "/private/var/db/com.apple.strange/helperd"
    assert rules["ios.ioc.crash_log"]["time"] == "2026-11-18T02:02:00Z"
    # activity inside the window only (the pairing of the evening before is outside it)
    assert rules["ios.activity.pairing"]["params"]["lines"] == 1
    assert rules["ios.activity.backup"]["severity"] == "medium"  # low, raised: inside the crossing window
    assert rules["ios.activity.afc"]["params"]["first"] == "2026-11-18T02:09:00Z"
    assert {e["event"] for e in doc["timeline"]} >= {"ios_pairing", "ios_backup", "ios_afc"}
    cover = _coverage(doc)
    assert "not decoded" in cover["ios_device_activity"]["reason"]
    assert cover["ios_apps"]["status"] == "skipped"  # a sysdiagnose holds no app list
    assert doc["verdict"] == "implant_found"


def test_crash_log_folder(tmp_path, pack):
    process = _indicator(pack, "process", "KingSpawn")
    folder = tmp_path / "crashes"
    folder.mkdir()
    (folder / "ok.ips").write_text(json.dumps({"app_name": "MobileSafari", "timestamp": "2026-11-18 10:00:00.00 +0000"})
                                   + "\n{}")
    (folder / f"{process}-2026.crash").write_text(
        f"Incident Identifier: X\nProcess: {process} [123]\nPath: /private/var/tmp/{process}\n"
        "Date/Time: 2026-11-18 10:00:00 +0000\n")
    (folder / "link.ips").symlink_to("/etc/passwd")
    assert kind_of(folder) == "ios-crash-logs"
    acq, _ = open_for_check(folder, tmp_path / "acq")
    assert not any("link" in name for name in acq.manifest["artifacts"])  # symlinks are not followed
    doc = analyze(acq, pack)
    assert _rules(doc)["ios.ioc.crash_log"]["subject"] == process


def test_safari_profiles_history_is_read_too(tmp_path, pack):
    domain = _indicator(pack, "domain", "RCSLab")
    c = BackupContent()
    c.files[SAFARI_HISTORY] = safari_history_db(tmp_path, [("https://www.wikipedia.org/", WHEN)])
    c.files[("HomeDomain", "Library/Safari/Profiles/4C1F/History.db")] = safari_history_db(
        tmp_path, [(f"http://{domain}/landing", WHEN)])
    acq, _ = open_for_check(build_backup(tmp_path / "backup", c), tmp_path / "acq")
    found = _rules(analyze(acq, pack))["ios.ioc.safari_visit"]
    assert found["evidence"][0]["locator"].startswith("HomeDomain/Library/Safari/Profiles/4C1F/History.db")


def test_info_plist_of_the_wrong_type_is_noted_not_fatal(tmp_path, pack):
    import plistlib

    c = BackupContent()
    c.files[SMS_DB] = sms_db(tmp_path, [("+1", f"https://{_indicator(pack, 'domain', 'RCSLab')}/x", WHEN)])
    root = build_backup(tmp_path / "backup", c)
    (root / "Info.plist").write_bytes(plistlib.dumps(["not", "a", "dictionary"]))
    (root / "Status.plist").write_bytes(b"\x00garbage")
    acq, _ = open_for_check(root, tmp_path / "acq")
    doc = analyze(acq, pack)
    assert "Info.plist holds a list" in _coverage(doc)["ios_apps"]["reason"]
    assert "ios.ioc.sms_link" in _rules(doc)  # the rest of the backup was still checked


def test_process_list_of_a_sysdiagnose(tmp_path, pack):
    ps = ("USER UID PRSNA PID PPID F %CPU %MEM PRI NI VSZ RSS WCHAN TT STAT STARTED TIME COMMAND\n"
          "root 0 - 1 0 4004 0.0 0.1 37 0 1 1 - ?? Ss 9:00AM 0:01.00 /sbin/launchd\n"
          f"root 0 - 77 1 4004 0.0 0.1 37 0 1 1 - ?? Ss 9:00AM 0:00.10 {KINGSPAWN_PATH} --daemon\n"
          "mobile 501 - 90 1 4004 0.0 0.1 37 0 1 1 - ?? Ss 9:00AM 0:00.10 /usr/libexec/locationd\n")
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_ps.tar.gz", {"ps.txt": ps.encode()})
    acq, _ = open_for_check(archive, tmp_path / "acq")
    found = _rules(analyze(acq, pack))["ios.ioc.process_list"]
    assert found["subject"] == KINGSPAWN_PATH and found["family"] == "ioc.kingspawn"
    assert found["evidence"][0]["locator"].endswith("ps.txt line 3")
