"""Live iPhone acquisition against the fake iPhone (tests/fake_ios): pymobiledevice3 itself talks to
the fake usbmuxd over a real unix socket, pairs with the fake lockdownd, upgrades to real TLS and
uses the real service protocols (installation_proxy, MCInstall, AFC)."""

from __future__ import annotations

import csv
import json
import os
import plistlib
import subprocess
import sys
from pathlib import Path

import pytest
from fake_ios import SERIAL, UDID, FakeIPhone, FakeUsbmuxd, Trust

from inspector.acquire.ios import errors as ios_errors
from inspector.acquire.ios.collector import IosCollectOptions
from inspector.acquisition import Acquisition
from inspector.analyze.signatures import SignaturePack
from inspector.pipeline import acquire_ios

PMD3 = [sys.executable, "-m", "pymobiledevice3"]


@pytest.fixture(scope="module")
def pack() -> SignaturePack:
    return SignaturePack.load()


def start(monkeypatch, tmp_path: Path, *phones: FakeIPhone) -> FakeUsbmuxd:
    mux = FakeUsbmuxd(list(phones) or [FakeIPhone()], folder=tmp_path)
    mux.start()
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", mux.address)
    return mux


def scan(tmp_path: Path, pack: SignaturePack, name: str = "acq", **kwargs):
    prompts: list[str] = []
    kwargs.setdefault("trust_timeout_s", 10)
    acq, stats, lost = acquire_ios(kwargs.pop("udid", None), tmp_path / name, resume=kwargs.pop("resume", False),
                                   operator="test", pack=pack, on_prompt=prompts.append, **kwargs)
    return acq, stats, lost, prompts


def scan_phone(monkeypatch, tmp_path: Path, pack: SignaturePack, phone: FakeIPhone, folder: Path | None = None,
               **kwargs):
    """Scan ``phone`` (behind a fake usbmuxd started for it and stopped after) into ``folder``."""
    mux = start(monkeypatch, tmp_path, phone)
    try:
        return scan(folder or tmp_path, pack, **kwargs)
    finally:
        mux.stop()


def statuses(acq: Acquisition) -> dict[str, str]:
    return {name: record["status"] for name, record in acq.manifest["artifacts"].items()}


# -- pymobiledevice3's own CLI against the fake: the fake speaks the real protocols ----------------
def test_pymobiledevice3_cli_reads_the_fake_phone(monkeypatch, tmp_path):
    mux = start(monkeypatch, tmp_path)
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    try:
        def run(*args: str) -> str:
            done = subprocess.run([*PMD3, *args], env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            return done.stdout

        assert json.loads(run("usbmux", "list"))[0]["Identifier"] == UDID
        info = json.loads(run("lockdown", "info"))
        assert info["SerialNumber"] == SERIAL and info["ProductVersion"] == "17.6.1"
        apps = json.loads(run("apps", "list"))
        assert apps["com.example.fieldtool"]["SignerIdentity"].startswith("iPhone Distribution")
        assert "com.example.mdm.enrollment" in json.loads(run("profile", "list"))["ProfileManifest"]
        crash = run("crash", "ls")
        assert "/JetsamEvent-2026-11-18-101532.ips" in crash and "/Retired" in crash
    finally:
        mux.stop()


def test_pymobiledevice3_cli_pairs_with_an_untrusted_fake(monkeypatch, tmp_path):
    phone = FakeIPhone(trusted=False, trust=Trust("accept", pending_s=0.5))
    mux = start(monkeypatch, tmp_path, phone)
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    try:
        done = subprocess.run([*PMD3, "lockdown", "pair"], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert UDID in mux.pair_records  # the CLI handed its new record to usbmuxd, as on a real system
        assert len(phone.paired_hosts) == 1
    finally:
        mux.stop()


# -- the quick scan ---------------------------------------------------------------------------------
def test_quick_scan_writes_the_ios_layout(monkeypatch, tmp_path, pack):
    phone = FakeIPhone()
    acq, stats, lost, prompts = scan_phone(monkeypatch, tmp_path, pack, phone)
    assert lost is None and prompts == []
    assert acq.complete and acq.manifest["platform"] == "ios"
    device = acq.manifest["device"]
    assert device["platform"] == "ios" and device["model"] == "iPhone14,5" and device["os_version"] == "17.6.1"
    assert device["build"] == "21G93" and device["passcode_set"] is True and device["activation_state"] == "Activated"
    manifest_text = (acq.path / "acquisition.json").read_text()
    assert SERIAL not in manifest_text and UDID not in manifest_text  # the serial only as a salted hash
    assert len(device["serial_sha256"]) == 64

    info = json.loads((acq.path / "device_info.json").read_text())
    assert info["SerialNumber"] == SERIAL and info["DeviceName"] == "Aigerim's iPhone"
    assert info["DevicePublicKey"] == phone.public_key_pem.hex()  # bytes → lowercase hex
    backup = json.loads((acq.path / "backup_settings.json").read_text())
    assert backup["WillEncrypt"] is True and backup["LastiTunesBackupDate"] == "2026-11-18T04:31:00Z"
    apps = {a["CFBundleIdentifier"]: a for a in json.loads((acq.path / "apps.json").read_text())}
    assert set(apps) == {"com.apple.mobilesafari", "ph.telegra.Telegraph", "com.example.fieldtool", "org.example.beta"}
    assert apps["com.example.fieldtool"]["ProfileValidated"] is True
    assert apps["ph.telegra.Telegraph"]["ApplicationType"] == "User"
    profiles = json.loads((acq.path / "profiles.json").read_text())
    assert profiles["profiles"]["OrderedIdentifiers"] == ["com.example.mdm.enrollment"]
    assert profiles["cloud_configuration"]["IsSupervised"] is False
    for rel, data in phone.profile.crash_logs.items():
        assert (acq.path / "crash_logs" / rel).read_bytes() == data
    assert stats.crash_files == 4 and stats.apps == 4

    # chain of custody: every artifact hashed, and nothing on the phone was opened for writing
    rows = list(csv.DictReader((acq.path / "hashes.csv").open()))
    assert {r["path"] for r in rows} >= {"device_info.json", "apps.json",
                                         "crash_logs/Retired/Telegram-2026-10-02-081500.ips"}
    assert acq.verify_hashes() == []
    assert "lockdown:StartSession" in phone.events and not any("Set" in e or "Remove" in e for e in phone.events)


def test_trust_dialog_flow_and_the_saved_pairing(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(trusted=False, trust=Trust("accept", pending_s=1.2))
    mux = start(monkeypatch, tmp_path, phone)
    try:
        acq, _, lost, prompts = scan(tmp_path, pack)
        assert lost is None and acq.complete
        assert prompts == ["trust"]  # said once, while the dialog was up
        assert UDID in mux.pair_records and len(phone.paired_hosts) == 1
        saved = plistlib.loads(mux.pair_records[UDID])
        assert saved["HostID"] in phone.paired_hosts
        # a second scan uses the pairing: no dialog
        _, _, lost, prompts = scan(tmp_path, pack, name="again")
        assert lost is None and prompts == []
    finally:
        mux.stop()


@pytest.mark.parametrize(("answer", "error", "prompt"), [
    ("deny", ios_errors.TrustDenied, []),
    ("locked", ios_errors.DeviceLocked, ["unlock"]),
    ("never", ios_errors.TrustTimeout, ["trust"]),
])
def test_trust_refused_or_never_given(monkeypatch, tmp_path, pack, answer, error, prompt):
    mux = start(monkeypatch, tmp_path, FakeIPhone(trusted=False, trust=Trust(answer)))
    prompts: list[str] = []
    try:
        with pytest.raises(error) as raised:
            acquire_ios(None, tmp_path / "acq", resume=False, operator=None, pack=pack,
                        on_prompt=prompts.append, trust_timeout_s=1.5)
    finally:
        mux.stop()
    assert raised.value.hint and prompts == prompt
    assert not (tmp_path / "acq").exists()  # nothing to keep: no acquisition was started


def test_no_usbmuxd_no_phone_several_phones(monkeypatch, tmp_path, pack):
    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", str(tmp_path / "nothing.sock"))
    with pytest.raises(ios_errors.UsbmuxdUnavailable) as raised:
        scan(tmp_path, pack)
    assert "apt install usbmuxd" in raised.value.hint
    mux = start(monkeypatch, tmp_path, *[])
    mux.devices[0].plugged_in = False
    try:
        with pytest.raises(ios_errors.NoIPhoneFound):
            scan(tmp_path, pack)
    finally:
        mux.stop()
    second = FakeIPhone()
    second.profile.udid = "00008030-000000000000002E"
    second.values["UniqueDeviceID"] = second.profile.udid
    second.values["SerialNumber"] = "OTHERSERIAL1"
    mux = start(monkeypatch, tmp_path, FakeIPhone(), second)
    try:
        with pytest.raises(ios_errors.SeveralIPhones) as raised:
            scan(tmp_path, pack)
        assert UDID in str(raised.value) and "--udid" in raised.value.hint
        acq, _, lost, _ = scan(tmp_path, pack, udid="00008030000000000000002E")  # dashes optional
        assert lost is None
        assert json.loads((acq.path / "device_info.json").read_text())["SerialNumber"] == "OTHERSERIAL1"
        with pytest.raises(ios_errors.NoIPhoneFound):
            scan(tmp_path, pack, name="x", udid="00000000-0000000000000000")
    finally:
        mux.stop()


# -- faults mid-way ----------------------------------------------------------------------------------
def test_unplugged_mid_way_keeps_the_part_and_resume_finishes(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(unplug_at="service:com.apple.mobile.MCInstall")
    mux = start(monkeypatch, tmp_path, phone)
    try:
        acq, _, lost, _ = scan(tmp_path, pack)
        assert isinstance(lost, ios_errors.IPhoneDisconnected) and "--resume" in lost.hint
        done = statuses(acq)
        assert done["device_info.json"] == done["apps.json"] == done["backup_settings.json"] == "complete"
        assert "profiles.json" not in done or done["profiles.json"] == "failed"
        reopened = Acquisition.open(acq.path)
        assert reopened.manifest["interrupted"] and not reopened.complete
        # plugged back in: --resume collects only what is missing
        phone.plugged_in, phone.unplug_at = True, None
        browses = phone.events.count("instproxy:Browse")
        acq, _, lost, _ = scan(tmp_path, pack, resume=True)
        assert lost is None and acq.complete and phone.events.count("instproxy:Browse") == browses
        assert (acq.path / "profiles.json").is_file() and (acq.path / "crash_logs" / "Retired").is_dir()
    finally:
        mux.stop()


def test_unplugged_while_copying_a_crash_log(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(unplug_at="afc:read#2")
    acq, _, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone)
    assert isinstance(lost, ios_errors.IPhoneDisconnected)
    done = statuses(acq)
    assert done["profiles.json"] == "complete"
    assert sum(1 for k, v in done.items() if k.startswith("crash_logs/") and v == "complete") == 1
    assert acq.manifest["interrupted"] and acq.verify_hashes() == []


def test_phone_that_stops_trusting_mid_way(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(unpair_at="service:com.apple.mobile.MCInstall")
    acq, _, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone)
    assert isinstance(lost, ios_errors.DeviceUnpaired) and "Trust" in lost.hint
    assert statuses(acq)["apps.json"] == "complete" and acq.manifest["interrupted"]


def test_locked_phone_fails_only_what_needs_unlocking(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(locked_services={"com.apple.mobile.MCInstall", "com.apple.crashreportcopymobile"})
    acq, _, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone)
    assert isinstance(lost, ios_errors.DeviceLocked)
    done = statuses(acq)
    assert done["apps.json"] == "complete" and done["profiles.json"] == "failed"
    assert "locked" in acq.manifest["artifacts"]["profiles.json"]["error"]
    assert done["crash_logs"] == "partial" and not acq.complete


# -- hostile phones -------------------------------------------------------------------------------
def test_hostile_names_and_values_stay_inside_the_folder(monkeypatch, tmp_path, pack):
    phone = FakeIPhone()
    phone.profile.apps.append({"CFBundleIdentifier": "../../../etc/passwd/..", "ApplicationType": ["User"],
                               "SignerIdentity": {"nested": [1, 2.5, float("nan")]}, "ProfileValidated": "yes"})
    phone.values["ProductType"] = {"not": "a string"}
    phone.values["BuildVersion"] = b"\xff\xfe"
    phone.profile.backup_domain["WillEncrypt"] = b"\x01"  # data where a boolean is expected
    phone.hostile_crash_entries += [("/", "../../escape.ips", b"evil"), ("/", "a\\b\u202e.ips", b"rtl"),
                                    ("/", "x" * 300 + ".ips", b"long"), ("/Retired", "..", b"dots")]
    out = tmp_path / "out"
    out.mkdir()
    acq, _, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone, folder=out)
    assert lost is None
    assert acq.manifest["device"]["model"] is None and acq.manifest["device"]["build"] is None
    assert json.loads((acq.path / "backup_settings.json").read_text())["WillEncrypt"] == "01"
    hostile = json.loads((acq.path / "apps.json").read_text())[-1]
    assert hostile["SignerIdentity"] == {"nested": [1, 2.5, "nan"]}
    escaped = [p for p in tmp_path.rglob("*escape*") if out not in p.parents]
    places = [acq.path / "crash_logs", acq.path, out, tmp_path, tmp_path.parent, Path.cwd()]
    assert escaped == [] and not any((place / "escape.ips").exists() for place in places)
    names = [p.relative_to(acq.path / "crash_logs").as_posix() for p in (acq.path / "crash_logs").rglob("*")
             if p.is_file()]
    assert all(".." not in n.split("/") and "\\" not in n and len(Path(n).name) < 120 for n in names)
    # "../../escape.ips" is refused (it names a place outside the service's folder); the others are renamed
    assert acq.manifest["artifacts"]["crash_logs"]["status"] == "partial"
    assert "escape.ips" in acq.manifest["artifacts"]["crash_logs"]["error"]
    assert any(n.startswith("a_b") for n in names) and any(n.startswith("xxxx") for n in names)


def test_binary_plists_with_nul_and_uid_values(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(binary_plists=True)  # binary plists can carry what XML cannot
    phone.profile.apps.append({"CFBundleIdentifier": "evil\x00/../../x", "ApplicationType": "User"})
    phone.profile.backup_domain["WillEncrypt"] = plistlib.UID(7)
    acq, _, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone)
    assert lost is None and acq.complete
    assert json.loads((acq.path / "backup_settings.json").read_text())["WillEncrypt"] == 7
    assert json.loads((acq.path / "apps.json").read_text())[-1]["CFBundleIdentifier"] == "evil\x00/../../x"
    assert sorted(p.name for p in acq.path.iterdir() if p.is_file()) == [
        "acquisition.json", "apps.json", "backup_settings.json", "device_info.json", "hashes.csv", "profiles.json"]


def test_unreadable_crash_log_does_not_hide_the_others(monkeypatch, tmp_path, pack):
    phone = FakeIPhone(ghost_crash_entries=[("/", "vanished.ips"), ("/", "Gone")])
    acq, stats, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone)
    assert lost is None and stats.crash_files == 4
    record = acq.manifest["artifacts"]["crash_logs"]
    assert record["status"] == "partial" and "/vanished.ips: not readable" in record["error"]


def test_endless_app_list_is_cut(monkeypatch, tmp_path, pack):
    phone = FakeIPhone()
    phone.profile.apps = [{"CFBundleIdentifier": f"com.example.app{n}", "ApplicationType": "User"}
                          for n in range(1500)]
    acq, stats, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone, options=IosCollectOptions(max_apps=1000))
    assert stats.apps == 1000 and len(json.loads((acq.path / "apps.json").read_text())) == 1000
    assert statuses(acq)["apps.json"] == "partial"
    assert "more than 1000" in acq.manifest["artifacts"]["apps.json"]["error"]


def test_unusable_lockdown_values_give_a_clear_error(monkeypatch, tmp_path, pack):
    phone = FakeIPhone()
    phone.values["ProductVersion"] = b"\xff\xfe"  # pymobiledevice3 needs a version to pick TLS settings
    mux = start(monkeypatch, tmp_path, phone)
    try:
        with pytest.raises(ios_errors.DeviceError) as raised:
            scan(tmp_path, pack)
    finally:
        mux.stop()
    assert "cannot be used" in str(raised.value) and raised.value.hint


# -- the command line ------------------------------------------------------------------------------
def _inspector(args: list[str], tmp_path: Path, mux: FakeUsbmuxd) -> subprocess.CompletedProcess:
    env = {**os.environ, "USBMUXD_SOCKET_ADDRESS": mux.address, "HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "inspector", *args], env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def test_cli_scan_ios_with_the_trust_dialog(monkeypatch, tmp_path):
    phone = _backup_phone()
    phone.trusted, phone.trust = False, Trust("accept", pending_s=0.5)
    phone.paired_hosts.clear()
    mux = start(monkeypatch, tmp_path, phone)
    mux.pair_records.clear()
    try:
        listed = _inspector(["devices"], tmp_path, mux)
        assert UDID in listed.stdout and "inspector scan --ios" in listed.stdout
        done = _inspector(["scan", "--ios", "--out", str(tmp_path / "scan"), "--no-store"], tmp_path, mux)
        backup = _inspector(["scan", "--ios", "--backup", "--out", str(tmp_path / "b"), "--no-store"], tmp_path, mux)
        mux.devices[0].plugged_in = False
        missing = _inspector(["scan", "--ios", "--out", str(tmp_path / "none")], tmp_path, mux)
    finally:
        mux.stop()
    assert "Trust This Computer?" in done.stdout and "tap *Trust* and enter your passcode" in done.stdout
    assert done.returncode in (0, 1), done.stdout + done.stderr  # a verdict was reached (2 = could not finish)
    result = json.loads((tmp_path / "scan" / "report.json").read_text())
    assert result["device"]["platform"] == "ios" and result["device"]["model"] == "iPhone14,5"
    assert (tmp_path / "scan" / "report.html").is_file()
    # not a terminal: nobody to ask, so backup encryption is not touched and the backup is plain
    assert backup.returncode in (0, 1) and "No one to ask" in backup.stdout, backup.stdout + backup.stderr
    assert (tmp_path / "b" / "backup" / "Manifest.db").is_file() and "ChangePassword" not in " ".join(phone.events)
    assert missing.returncode == 2 and "No iPhone found" in missing.stdout and "What to do" in missing.stdout


def test_cli_rejects_android_options_with_ios(tmp_path):
    done = subprocess.run([sys.executable, "-m", "inspector", "scan", "--ios", "--tcp", "1.2.3.4:5555"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "not with --ios" in done.stderr


# -- --sysdiagnose ------------------------------------------------------------------------------------
def test_sysdiagnose_is_waited_for_and_copied(monkeypatch, tmp_path, pack):
    from datetime import datetime

    from ios_backup_builder import build_sysdiagnose, shutdown_log

    archive = build_sysdiagnose(tmp_path / "made.tar.gz", {
        "system_logs.logarchive/Extra/shutdown.log": shutdown_log(
            ["/usr/libexec/locationd", "/private/var/db/com.apple.strange/helperd"],
            datetime(2026, 11, 18, 2, 0)).encode()}).read_bytes()
    phone = FakeIPhone(sysdiagnose=archive, sysdiagnose_after=2)
    old = b"an older sysdiagnose the owner made"
    phone.profile.crash_logs["DiagnosticLogs/sysdiagnose/sysdiagnose_2026.10.01_old.tar.gz"] = old
    mux = start(monkeypatch, tmp_path, phone)
    try:
        options = IosCollectOptions(sysdiagnose=True, sysdiagnose_poll_s=0.05)
        acq, _, lost, prompts = scan(tmp_path, pack, options=options)
    finally:
        mux.stop()
    assert lost is None and acq.complete and prompts == ["sysdiagnose"]
    assert (acq.path / "sysdiagnose.tar.gz").read_bytes() == archive  # the finished one, not IN_PROGRESS_ half
    record = acq.manifest["artifacts"]["sysdiagnose.tar.gz"]
    assert record["device_path"] == f"/DiagnosticLogs/sysdiagnose/{phone.sysdiagnose_name}"
    assert (acq.path / "crash_logs/DiagnosticLogs/sysdiagnose/sysdiagnose_2026.10.01_old.tar.gz").read_bytes() == old
    # the offline engineer's sysdiagnose checks read what the live scan collected
    from inspector.analyze.result import analyze

    doc = analyze(acq, pack)
    assert any(f["rule_id"].startswith("ios.shutdown_log") for f in doc["findings"]), doc["findings"]


def test_sysdiagnose_never_started(monkeypatch, tmp_path, pack):
    mux = start(monkeypatch, tmp_path, FakeIPhone())
    try:
        acq, _, lost, prompts = scan(tmp_path, pack, options=IosCollectOptions(
            sysdiagnose=True, sysdiagnose_poll_s=0.05, sysdiagnose_timeout_s=0.5))
    finally:
        mux.stop()
    assert lost is None and prompts == ["sysdiagnose"]
    assert statuses(acq)["sysdiagnose.tar.gz"] == "failed" and not acq.complete
    assert "no finished sysdiagnose appeared" in acq.manifest["artifacts"]["sysdiagnose.tar.gz"]["error"]
    assert statuses(acq)["apps.json"] == "complete"


def test_resume_refuses_another_iphone(monkeypatch, tmp_path, pack):
    first = FakeIPhone(unplug_at="service:com.apple.mobile.MCInstall")
    mux = start(monkeypatch, tmp_path, first)
    try:
        acq, _, lost, _ = scan(tmp_path, pack)
    finally:
        mux.stop()
    assert isinstance(lost, ios_errors.IPhoneDisconnected)
    other = FakeIPhone()
    other.values["SerialNumber"] = "SOMEONEELSE1"
    mux = start(monkeypatch, tmp_path, other)
    try:
        with pytest.raises(ios_errors.DeviceError) as raised:
            scan(tmp_path, pack, resume=True)
    finally:
        mux.stop()
    assert "another phone" in str(raised.value)
    assert statuses(Acquisition.open(acq.path))["apps.json"] == "complete"  # nothing of the first one lost


def test_doctor_reports_usbmuxd_and_the_iphone(monkeypatch, tmp_path):
    from inspector.doctor import _usbmuxd

    monkeypatch.setenv("USBMUXD_SOCKET_ADDRESS", str(tmp_path / "none.sock"))
    missing = _usbmuxd()
    assert missing.status == "warn" and "usbmuxd" in missing.fix
    mux = start(monkeypatch, tmp_path)
    try:
        found = _usbmuxd()
    finally:
        mux.stop()
    assert found.status == "ok" and UDID in found.detail


# -- plist values → JSON ------------------------------------------------------------------------------
def test_plist_json_rules():
    from datetime import UTC, datetime, timedelta, timezone

    from inspector.acquisition.plist_json import TOO_DEEP, to_json_safe

    value = {"b": b"\x00\xffA", "d": datetime(2026, 11, 18, 4, 31), "u": plistlib.UID(12),
             "z": datetime(2026, 11, 18, 10, 31, tzinfo=timezone(timedelta(hours=6))),
             "ms": datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "n": float("nan"), "i": float("inf"),
             "l": [True, 1, 2.5, None, "x"], 7: "int key"}
    safe = to_json_safe(value)
    assert safe == {"b": "00ff41", "d": "2026-11-18T04:31:00Z", "u": 12, "z": "2026-11-18T04:31:00Z",
                    "ms": "2026-01-02T03:04:05.678000Z", "n": "nan", "i": "inf", "l": [True, 1, 2.5, None, "x"],
                    "7": "int key"}
    json.dumps(safe, allow_nan=False)  # strict JSON
    deep: list = []
    node = deep
    for _ in range(10_000):
        node.append([])
        node = node[0]
    flat = json.dumps(to_json_safe(deep))
    assert TOO_DEEP in flat and len(flat) < 1000


# -- --backup -----------------------------------------------------------------------------------------
def _backup_phone() -> FakeIPhone:
    return FakeIPhone(backup_files={("HomeDomain", "Library/Preferences/com.apple.test.plist"): b"<plist/>",
                                    ("MediaDomain", "Media/DCIM/100APPLE/IMG_0001.JPG"): b"\xff\xd8" + b"x" * 5000,
                                    ("HomeDomain", "Library/Empty.txt"): b""})


def test_backup_with_a_temporary_password_the_person_agreed_to(monkeypatch, tmp_path, pack):
    phone = _backup_phone()
    mux = start(monkeypatch, tmp_path, phone)
    asked: list[str] = []
    try:
        acq, stats, lost, _ = scan(tmp_path, pack, options=IosCollectOptions(backup=True),
                                   confirm=lambda q: asked.append(q) or True)
    finally:
        mux.stop()
    assert lost is None and acq.complete, acq.manifest["artifacts"].get("backup")
    assert asked == ["backup_encryption"]
    assert stats.backup_password and phone.backup_password is None  # set for the backup, removed after
    events = [e for e in phone.events if e.startswith("mobilebackup2:")]
    assert events.count("mobilebackup2:ChangePassword") == 2 and "mobilebackup2:Backup" in events
    record = acq.manifest["artifacts"]["backup"]
    assert record["status"] == "complete" and record["encrypted"] is True
    assert acq.manifest["backup_encryption"]["removed_at"]
    manifest = plistlib.loads((acq.path / "backup" / "Manifest.plist").read_bytes())
    assert manifest["IsEncrypted"] is True
    assert (acq.path / "backup" / "Info.plist").is_file() and acq.verify_hashes() == []
    assert stats.backup_password not in (acq.path / "acquisition.json").read_text()
    assert not (acq.path / ".partial-backup").exists()
    # the offline engineer's backup checks read it with the temporary password
    from inspector.analyze.ios.evidence import IOSOptions
    from inspector.analyze.result import analyze

    doc = analyze(acq, pack, ios_options=IOSOptions(backup_password=stats.backup_password))
    cover = {c["check"]: c for c in doc["coverage"]}
    assert cover["ios_backup_files"]["status"] == "ran", cover["ios_backup_files"]


def test_backup_leaves_the_owners_password_alone(monkeypatch, tmp_path, pack):
    phone = _backup_phone()
    phone.backup_password = "owner's secret"
    mux = start(monkeypatch, tmp_path, phone)
    asked: list[str] = []
    try:
        acq, stats, lost, _ = scan(tmp_path, pack, options=IosCollectOptions(backup=True),
                                   confirm=lambda q: asked.append(q) or True)
    finally:
        mux.stop()
    assert lost is None and asked == [] and stats.backup_password is None
    assert "mobilebackup2:ChangePassword" not in phone.events and phone.backup_password == "owner's secret"
    assert acq.manifest["artifacts"]["backup"]["encrypted"] is True and "backup_encryption" not in acq.manifest


def test_backup_without_consent_is_not_encrypted(monkeypatch, tmp_path, pack):
    phone = _backup_phone()
    acq, stats, lost, _ = scan_phone(monkeypatch, tmp_path, pack, phone, options=IosCollectOptions(backup=True),
                                     confirm=lambda q: False)
    assert lost is None and acq.complete and stats.backup_password is None
    assert "mobilebackup2:ChangePassword" not in phone.events
    assert plistlib.loads((acq.path / "backup" / "Manifest.plist").read_bytes())["IsEncrypted"] is False


def test_backup_cut_by_a_pulled_cable(monkeypatch, tmp_path, pack):
    phone = _backup_phone()
    phone.unplug_at = "backup:file#2"
    mux = start(monkeypatch, tmp_path, phone)
    prompts: list[str] = []
    try:
        acq, stats, lost = acquire_ios(None, tmp_path / "acq", resume=False, operator=None, pack=pack,
                                       on_prompt=prompts.append, options=IosCollectOptions(backup=True),
                                       confirm=lambda q: True)
    finally:
        mux.stop()
    assert isinstance(lost, ios_errors.IPhoneDisconnected)
    # the temporary password could not be removed: the person is told, and it is in the stats to show
    assert "backup_password_left" in prompts and stats.backup_password == phone.backup_password
    assert acq.manifest["backup_encryption"]["removed_at"] is None and acq.manifest["backup_encryption"]["remove_error"]
    assert statuses(acq)["apps.json"] == "complete" and not (acq.path / ".partial-backup").exists()
    assert stats.backup_password not in (acq.path / "acquisition.json").read_text()
    # resumed later: no second backup with a password nobody knows any more
    phone.plugged_in, phone.unplug_at = True, None
    mux = start(monkeypatch, tmp_path, phone)
    try:
        acq, stats, lost = acquire_ios(None, tmp_path / "acq", resume=True, operator=None, pack=pack,
                                       options=IosCollectOptions(backup=True), confirm=lambda q: True)
    finally:
        mux.stop()
    assert lost is None and statuses(acq)["backup"] == "failed"
    assert "still on the iPhone" in acq.manifest["artifacts"]["backup"]["error"]
    assert phone.events.count("mobilebackup2:Backup") == 1 and stats.backup_password is None
