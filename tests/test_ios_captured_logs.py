"""lockdownd's, MobileInstallation's and logd's own logs from a real iPhone (plaso's test data,
Apache-2.0; origin in tests/fixtures/ios/captured/README.md) through our parsers, a sysdiagnose holding
them at their real member paths, and ``inspector check … --window`` end to end; then hostile variants.

- ``ios_lockdownd.log``: 153 entries (plaso's test counts 153 and checks entries 6 and 99); a Mac's
  Finder/Music (``AMPDevicesAgent``) reading the phone's identity and starting installation_proxy.
- ``ios_sysdiag.log``: MobileInstallation's log, 28 entries (plaso: 28, entry 7); containers made live
  for Apple's plug-ins at the first boot of an iOS install, no app installed or removed.
- ``logd.0.log``: 76 lines (plaso: 76, entry 2), each with the phone's UTC offset: the clock for the
  two logs above, which write local time without a zone.

Lines marked SYNTHETIC below follow the forms a public write-up of a real sysdiagnose shows (FCSC 2025
"iCompromise"/"iBackdoor": ``handle_pair: Pair for usbmuxd succeeded .``,
``handle_start_service_with_socket: pymobiledevice3 attempting to spawn com.apple.mobilebackup2 service.``,
``Install Successful for (Placeholder:…)``, ``Uninstalling identifier …``); they are not captured.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from ios_backup_builder import build_sysdiagnose

from inspector.analyze.ios import line_log, local_clock, lockdownd_log, mobile_installation
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.sources.detect import open_for_check

CAPTURED = Path(__file__).parent / "fixtures" / "ios" / "captured"
PINNED = {  # name: (SHA-256, characters); the README names the commit each was taken from
    "ios_lockdownd.log": ("5e206c138408f744700a5f65718ba2b595f6695d36b1177847b92c8b9bcc9621", 17512),
    "ios_sysdiag.log": ("678f58009edd0bece3317b4f275e3958861c1a2d48de96ade1ce853f27656e5e", 8114),
    "logd.0.log": ("c042a07f8829cdd447671cdb180c4e0149b6160ad76f22a74c06ff2c22e89294", 6989),
}
# where a sysdiagnose keeps them (plaso does not say where logd.0.log sits: see the README)
LOCKDOWND = "logs/MobileLockdown/lockdownd.log"
INSTALLATION = "logs/MobileInstallation/mobile_installation.log.0"
LOGD = "logs/logd/logd.0.log"
ROOT_2021 = "sysdiagnose_2021.12.16_06-00-00-0500_iPhone-OS_iPhone_19B74"  # SYNTHETIC name, real form
EXE = Path(sys.executable).parent / "inspector"


def captured(name: str) -> bytes:
    data = (CAPTURED / name).read_bytes()
    sha, chars = PINNED[name]
    assert hashlib.sha256(data).hexdigest() == sha and len(data.decode("utf-8")) == chars
    return data


@pytest.fixture(scope="module")
def pack() -> SignaturePack:
    return SignaturePack.load()


def real_members(extra_installation: bytes = b"", extra_lockdownd: bytes = b"") -> dict[str, bytes]:
    return {LOCKDOWND: captured("ios_lockdownd.log") + extra_lockdownd,
            INSTALLATION: captured("ios_sysdiag.log") + extra_installation,
            LOGD: captured("logd.0.log")}


def check(tmp_path: Path, members: dict[str, bytes], window: str | None, pack, root: str = ROOT_2021) -> dict:
    archive = build_sysdiagnose(tmp_path / "sysdiagnose.tar.gz", members, root=root)
    acq, _ = open_for_check(archive, tmp_path / "acq")
    return analyze(acq, pack, window=window)


def activity(doc: dict) -> tuple[list[dict], dict]:
    found = [f for f in doc["findings"] if f["rule_id"].startswith("ios.activity.")]
    return found, {c["check"]: c for c in doc["coverage"]}["ios_device_activity"]


# -- the real files through the parsers, as plaso reads them ------------------------------------------------
def test_lockdownd_log_reads_as_plaso_reads_it():
    log = lockdownd_log.parse(captured("ios_lockdownd.log").decode())
    assert len(log.entries) == 153 and log.problems() == []  # CRLF line ends, as published
    sixth = log.entries[6]
    assert (sixth.pid, sixth.local_time, sixth.message) == (
        69, datetime(2021, 10, 13, 7, 57, 42, 869324),
        "handle_get_value: AMPDevicesAgent attempting to get [InternationalMobileSubscriberIdentity2]")
    # a message over three lines (an XPC reply dictionary) is one entry, joined as plaso joins it
    assert log.entries[99].local_time == datetime(2021, 10, 13, 7, 57, 42, 950704)
    assert log.entries[99].message == (
        'spawn_xpc_service_block_invoke: description of xpc reply: <dictionary: 0x2029c5070> { count = 1, '
        'transaction: 0, voucher = 0x0, contents = "XPCErrorDescription" => <string: 0x2029c5230> { length = 22, '
        'contents = "Connection interrupted" } }')
    assert {e.pid for e in log.entries} == {69}  # lockdownd's own pid, also on libMobileGestalt's lines


def test_lockdownd_log_activities_of_a_real_host():
    clock = local_clock.PhoneClock(local_clock.logd_samples(captured("logd.0.log").decode().split("\n")))
    found = lockdownd_log.activities(lockdownd_log.parse(captured("ios_lockdownd.log").decode()), clock.utc)
    # a Mac (Finder/Music: AMPDevicesAgent) reads the phone's identity and asks for installation_proxy
    assert {(a.kind, a.process) for a in found} == {("pairing", "AMPDevicesAgent")}
    assert len(found) == 91  # 88 values read + 3 service requests; lockdownd's own lines are not activity
    starts = [a for a in found if "attempting to spawn" in a.text]
    assert [a.line for a in starts] == [97, 104, 155] and all("installation_proxy" in a.text for a in starts)
    assert any("[UniqueDeviceID]" in a.text for a in found) and any("[PhoneNumber]" in a.text for a in found)
    # 07:57:42 local on 13 Oct 2021; logd.0.log says the phone was at -0400 that morning
    assert {a.time for a in found} == {"2021-10-13T11:57:42Z"}


def test_mobile_installation_log_reads_as_plaso_reads_it():
    log = mobile_installation.parse(captured("ios_sysdiag.log").decode())
    assert len(log.entries) == 28 and log.problems() == []
    seventh = log.entries[7]
    assert (seventh.pid, seventh.level, seventh.local_time) == (176, "err", datetime(2021, 8, 11, 5, 51, 2))
    assert seventh.call == ("+[MILaunchServicesDatabaseGatherer enumeratePluginKitPluginsInBundle:"
                            "updatingPluginParentID:ensurePluginsAreExecutable:installProfiles:error:enumerator:]")
    assert seventh.message.startswith("Ignoring plugin at /System/Library/PrivateFrameworks/AccessibilityUtilities")
    assert log.entries[24].local_time == datetime(2021, 2, 5, 18, 3, 23)  # "Fri Feb  5": two spaces
    events = mobile_installation.app_events(log)
    # the first boot of an iOS install: containers for Apple's plug-ins, no app installed or removed
    assert {e.action for e in events} == {"container_created"} and len(events) == 14
    assert events[0].bundle_id == "com.apple.CoreCDPUI.localSecretPrompt"
    assert events[0].path == "/private/var/mobile/Containers/Data/PluginKitPlugin/B327BDD9-BD0D-490A-9A31-D07E95DB23E1"


def test_logd_log_gives_the_phones_offsets():
    samples = local_clock.logd_samples(captured("logd.0.log").decode().split("\n"))
    assert len(samples) == 76  # plaso's test reads 76 lines too
    clock = local_clock.PhoneClock(samples)
    # first boot at -0700, "Time zone changed" to -0400, then -0500 after the DST change
    assert clock.offset(datetime(2021, 8, 11, 5, 51)) == timedelta(hours=-7)
    assert clock.offset(datetime(2021, 10, 13, 7, 57)) == timedelta(hours=-4)
    assert clock.offset(datetime(2021, 12, 10)) == timedelta(hours=-5)
    assert clock.offset(datetime(2020, 1, 1)) == timedelta(hours=-7)  # before every sample: the first


def test_sysdiagnose_name_gives_an_offset():
    assert local_clock.name_sample(f"{ROOT_2021}/logs/x") == (datetime(2021, 12, 16, 6), timedelta(hours=-5))
    assert local_clock.name_sample("sysdiagnose_2021.12.16_06-00-00+1900_iPhone") is None  # no such zone
    assert local_clock.name_sample("sysdiagnose_2021.02.30_06-00-00+0100_iPhone") is None


# -- a sysdiagnose holding them, the device-activity check, the window --------------------------------------
def test_real_host_session_inside_the_window_is_a_finding(tmp_path, pack):
    doc = check(tmp_path, real_members(), "2021-10-13T07:00-04:00/2021-10-13T09:00-04:00", pack)
    found, cover = activity(doc)
    assert [(f["rule_id"], f["subject"], f["severity"]) for f in found] == [
        ("ios.activity.pairing", "AMPDevicesAgent", "medium")]  # low, raised by the window
    assert found[0]["time"] == "2021-10-13T11:57:42Z" and found[0]["params"]["lines"] == 91
    assert found[0]["evidence"][0]["locator"] == f"{ROOT_2021}/{LOCKDOWND} line 4"
    assert cover["counts"]["lockdownd_entries"] == 153 and cover["counts"]["installation_entries"] == 28
    assert f"{ROOT_2021}/{LOCKDOWND}: 153 entries read" in cover["reason"]
    assert f"{ROOT_2021}/{INSTALLATION}: 28 entries read" in cover["reason"]
    assert "no unified log was found" in cover["reason"]  # no logarchive in this one
    kinds = {e["kind"] for e in doc["timeline"]["events"]} if isinstance(doc["timeline"], dict) else None
    assert kinds is None or "ios_pairing" in kinds


def test_real_host_session_outside_the_window_is_not(tmp_path, pack):
    doc = check(tmp_path, real_members(), "2021-10-14", pack)
    found, cover = activity(doc)
    assert found == [] and cover["status"] == "ran"


INSTALLS = (  # SYNTHETIC, in the form of a real MobileInstallation log (see the module docstring)
    "Wed Oct 13 08:10:00 2021 [234] <notice> (0x16b48f000) -[MIInstaller _installInstallable:containingSymlink:"
    "error:]: Installing <MIInstallableBundle ID=com.example.agent; Version=12, ShortVersion=1.2>\n"
    "Wed Oct 13 08:10:02 2021 [234] <notice> (0x16b48f000) -[MIInstaller performInstallationWithError:]: "
    "Install Successful for (Customer:com.example.agent); Staging: 0.01s; Waiting: 0.00s; Overall: 0.14s\n"
    "Wed Oct 13 08:40:47 2021 [446] <notice> (0x16fc9b000) -[MIUninstaller _uninstallBundleWithIdentity:"
    "linkedToChildren:waitForDeletion:uninstallReason:temporaryReference:wasLastReference:error:]: "
    "Uninstalling identifier com.example.agent\n"
    "Wed Oct 13 08:40:47 2021 [446] <err> (0x16fc9b000) -[MIUninstaller _uninstallBundleWithIdentity:…]: "
    "Destroying container com.example.agent with persona (null) at /private/var/containers/Bundle/Application/"
    "1EC20F02-263B-4299-AE05-3F5D7A7744E9\n"
    "Thu Oct 21 09:00:00 2021 [234] <notice> (0x16b48f000) -[MIInstaller performInstallationWithError:]: "
    "Install Successful for (Placeholder:org.example.later); Staging: 0.01s\n").encode()


def test_app_installed_and_removed_inside_the_window(tmp_path, pack):
    doc = check(tmp_path, real_members(b"\n" + INSTALLS), "2021-10-13T07:00-04:00/2021-10-13T09:00-04:00", pack)
    found, cover = activity(doc)
    apps = {(f["rule_id"], f["subject"]): f for f in found if "app_" in f["rule_id"]}
    assert sorted(apps) == [("ios.activity.app_installed", "com.example.agent"),
                            ("ios.activity.app_removed", "com.example.agent")]
    installed = apps["ios.activity.app_installed", "com.example.agent"]
    assert installed["time"] == "2021-10-13T12:10:02Z" and installed["params"]["version"] == "1.2 (12)"
    assert installed["params"]["installed_and_removed"] is True
    assert installed["severity"] in ("medium", "high")  # installed and removed again inside the window
    assert apps["ios.activity.app_removed", "com.example.agent"]["time"] == "2021-10-13T12:40:47Z"
    assert cover["counts"]["app_events"] == 3  # two installs, one removal; containers are not findings
    # the later install is outside the window: not a finding, but on the timeline
    assert not any(f["subject"] == "org.example.later" for f in found)


def test_synthetic_lockdownd_pairing_backup_afc_file_relay(tmp_path, pack):
    lines = "\n".join((  # SYNTHETIC, in the forms a real lockdownd.log shows (module docstring)
        "10/13/21 08:20:07.106098 pid=69 handle_pair: Preparing to pair for usbmuxd .",
        "10/13/21 08:20:10.563345 pid=69 handle_pair: Pair for usbmuxd succeeded .",
        "10/13/21 08:21:20.151825 pid=69 handle_start_service_with_socket: pymobiledevice3 attempting to spawn "
        "com.apple.mobilebackup2 service.",
        "10/13/21 08:21:20.161825 pid=69 spawn_xpc_service: service com.apple.mobilebackup2 started",
        "10/13/21 08:22:32.065124 pid=69 handle_start_service_with_socket: idevicebackup2 attempting to spawn "
        "com.apple.afc service.",
        "10/13/21 08:23:00.000001 pid=69 handle_start_service: UFED attempting to spawn com.apple.mobile.file_relay "
        "service.", ""))
    log = lockdownd_log.parse(lines)
    found = lockdownd_log.activities(log, lambda local: None)
    assert [(a.kind, a.process) for a in found] == [
        ("pairing", "usbmuxd"), ("pairing", "usbmuxd"), ("backup", "pymobiledevice3"), ("backup", "lockdownd"),
        ("afc", "idevicebackup2"), ("file_relay", "UFED")]
    doc = check(tmp_path, real_members(extra_lockdownd=lines.encode()), "2021-10-13T07:00-04:00/2021-10-13T09:00-04:00",
                pack)
    rules = {f["rule_id"]: f for f in activity(doc)[0]}
    assert set(rules) == {"ios.activity.pairing", "ios.activity.backup", "ios.activity.afc", "ios.activity.file_relay"}
    assert rules["ios.activity.backup"]["subject"] == "pymobiledevice3"
    assert rules["ios.activity.backup"]["time"] == "2021-10-13T12:21:20Z"


def test_end_to_end_with_the_cli(tmp_path):
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2021.12.16.tar.gz", real_members(), root=ROOT_2021)
    env = {k: v for k, v in os.environ.items() if k != "INSPECTOR_BACKUP_PASSWORD"}

    def run(window: str, out: str, code: tuple[int, ...]) -> dict:
        proc = subprocess.run([str(EXE), "check", str(archive), "--window", window, "--out", str(tmp_path / out),
                               "--no-store", "--json"], capture_output=True, text=True, timeout=120, env=env)
        assert proc.returncode in code, proc.stderr
        return json.loads(proc.stdout)

    inside = run("2021-10-13T07:00-04:00/2021-10-13T09:00-04:00", "in", (1,))
    assert [f["subject"] for f in inside["findings"] if f["rule_id"] == "ios.activity.pairing"] == ["AMPDevicesAgent"]
    # nothing found; the verdict is "incomplete" (2): no check that decides it had anything to read here
    outside = run("2021-10-20", "out", (2,))
    assert not [f for f in outside["findings"] if f["rule_id"].startswith("ios.activity.")]


# -- hostile variants ----------------------------------------------------------------------------------------
def test_hostile_lines_give_specific_problems_and_the_rest_is_read():
    text = "\n".join((
        "\x00\xff garbage \x1b[31m" * 3,  # binary data before any entry
        "10/13/21 08:00:00.000000 pid=69 handle_get_value: Tool attempting to get [UniqueDeviceID]",
        "02/30/21 08:00:00.000000 pid=69 handle_get_value: Tool attempting to get [SerialNumber]",  # no 30 Feb
        "13/45/21 99:00:00.000000 pid=69 handle_pair: Pair for usbmuxd succeeded .",
        "10/13/21 08:00:01.000000 pid=69 handle_get_value: " + "A" * 100_000,  # a very long line
        "10/13/21 08:00:02.000000 pid=99999999999 handle_get_value: x attempting to get [y]",  # pid too long
        "10/13/21 08:00:03.000000 pid=69 handle_get_value: Tool attempting to get [PhoneNumber]", ""))
    log = lockdownd_log.parse(text)
    assert log.unreadable_lines == 1 and log.bad_times == 2 and log.long_lines == 1
    assert len(log.entries) == 5 and len(log.entries[3].message) <= line_log.MAX_MESSAGE
    problems = "; ".join(log.problems())
    assert "1 lines are not lockdownd entries" in problems and "2 entries have a date that does not exist" in problems
    assert f"1 lines longer than {line_log.MAX_LINE} characters were cut" in problems
    found = lockdownd_log.activities(log, local_clock.PhoneClock([(datetime(2021, 1, 1), timedelta(0))]).utc)
    assert [(a.time, a.process) for a in found] == [
        ("2021-10-13T08:00:00Z", "Tool"), (None, "Tool"), (None, "usbmuxd"), ("2021-10-13T08:00:03Z", "Tool")]
    # a continuation line that never ends stays bounded
    endless = lockdownd_log.parse("10/13/21 08:00:00.000000 pid=69 x: y\n" + "z" * 1000 + "\n" * 2 + "w\n" * 50_000)
    assert len(endless.entries) == 1 and len(endless.entries[0].message) <= line_log.MAX_MESSAGE + 1

    install = mobile_installation.parse("\x00\xff\n" + "Wed Feb 30 08:10:02 2021 [234] <notice> (0x1) f: "
                                        "Install Successful for (Customer:com.x)\nMon Oct 13 08:10:02 2021 [2] "
                                        "<notice> (0x1) f: Uninstalling identifier com.y\n")
    assert install.unreadable_lines == 1 and install.bad_times == 1
    assert [(e.action, e.bundle_id, e.local_time) for e in mobile_installation.app_events(install)] == [
        ("installed", "com.x", None), ("uninstalled", "com.y", datetime(2021, 10, 13, 8, 10, 2))]


def test_no_offset_known_leaves_local_times_out_of_the_window(tmp_path, pack):
    members = real_members(b"\n" + INSTALLS)
    del members[LOGD]
    doc = check(tmp_path, members, "2021-10-13T07:00-04:00/2021-10-13T09:00-04:00", pack,
                root="sysdiagnose_2021.10.13_iPhone")  # no offset in the name either
    found, cover = activity(doc)
    assert found == []
    assert "no UTC offset was found" in cover["reason"] and "cannot be placed in the window" in cover["reason"]


def _truncated_member_claiming(size: int, before: dict[str, bytes]) -> bytes:
    """A .tar.gz whose last member's header claims ``size`` bytes and holds a few."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name, data in {**before, f"{ROOT_2021}/logs/MobileLockdown/lockdownd.log.1": b"x" * 10}.items():
            info = tarfile.TarInfo(name if name.startswith(ROOT_2021) else f"{ROOT_2021}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    data = bytearray(raw.getvalue().rstrip(b"\0"))
    header = data.rfind(b"lockdownd.log.1") - len(ROOT_2021) - len("/logs/MobileLockdown/")
    field = f"{size:011o}\0".encode()
    data[header + 124:header + 136] = field
    checksum = sum(data[header:header + 148]) + 8 * 32 + sum(data[header + 156:header + 512])
    data[header + 148:header + 156] = f"{checksum:06o}\0 ".encode()
    return gzip.compress(bytes(data[:header + 512 + 10]))


def test_a_member_claiming_2_gb_ends_the_read_with_a_specific_error(tmp_path, pack):
    archive = tmp_path / "sysdiagnose_2021.tar.gz"
    archive.write_bytes(_truncated_member_claiming(2 << 30, {LOGD: captured("logd.0.log"),
                                                             LOCKDOWND: captured("ios_lockdownd.log")}))
    acq, _ = open_for_check(archive, tmp_path / "acq")
    doc = analyze(acq, pack, window="2021-10-13T07:00-04:00/2021-10-13T09:00-04:00")
    found, cover = activity(doc)
    # what came before the broken member is read and found; the error says what happened
    assert [f["subject"] for f in found] == ["AMPDevicesAgent"]
    assert "read only in part" in cover["reason"] and "damaged" in cover["reason"]


def test_logd_log_alone_is_read_without_activity(tmp_path, pack):
    doc = check(tmp_path, {LOGD: captured("logd.0.log")}, "2021-10-13", pack)
    found, cover = activity(doc)
    assert found == [] and cover["status"] == "ran"
    assert "the sysdiagnose holds no lockdownd.log" in cover["reason"]
