"""The iOS parsers and checks over pieces captured from real iPhones (tests/fixtures/ios/captured/,
where the README gives each piece's origin and licence), and over the shutdown.log format as its public
descriptions give it (no captured shutdown.log under a licence we can ship was found: see that README).

- ``ps.txt``: the process list of a real iOS 15 sysdiagnose (April 2022), plaso's test file
  (Apache-2.0). Our parser must read what plaso's own test reads (299 processes, the same values at
  the same positions), cope with a bundle folder holding a space (``/Applications/Screen Time.app``:
  it cut the path at the space before), and the whole list must give no indicator match.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from ios_backup_builder import build_sysdiagnose

from inspector.analyze.ios import process_list
from inspector.analyze.ios import shutdown_log as shutdown
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.sources.detect import open_for_check

CAPTURED = Path(__file__).parent / "fixtures" / "ios" / "captured"
PS_SHA256 = "2fff71c71f569edaf6c6a6aa77a59863db483c7094868a5c15f6ea230dbda838"
UPDATE_BRAIN = ("/private/var/db/com.apple.xpc.roleaccountd.staging/com.apple.MobileSoftwareUpdate.UpdateBrainService"
                ".16777222.456767.xpc/com.apple.MobileSoftwareUpdate.UpdateBrainService")


@pytest.fixture(scope="module")
def pack() -> SignaturePack:
    return SignaturePack.load()


@pytest.fixture(scope="module")
def ps_text() -> str:
    data = (CAPTURED / "ps.txt").read_bytes()
    # the file as plaso publishes it (55,323 characters; the README names the commit)
    assert hashlib.sha256(data).hexdigest() == PS_SHA256 and len(data.decode("utf-8")) == 55323
    return data.decode("utf-8")


def test_captured_ps_txt_reads_as_plaso_reads_it(ps_text):
    processes = process_list.parse(ps_text)
    assert len(processes) == 299  # plaso's tests/parsers/text_plugins/apple_pstxt.py counts 299 too
    # the records plaso's test checks, at the same positions
    assert (processes[1].pid, processes[1].path) == ("29", "/usr/libexec/UserEventAgent")  # "(System)" is an argument
    assert (processes[52].pid, processes[52].path) == ("18988", "/usr/libexec/findmydeviced")
    assert (processes[258].pid, processes[258].path) == (
        "64983", "/System/Library/PrivateFrameworks/MediaAnalysis.framework/mediaanalysisd")
    assert processes[0].line == 2 and processes[-1].path == "/System/Library/CoreServices/SpringBoard.app/SpringBoard"


def test_captured_ps_txt_paths_with_spaces_and_without_folders(ps_text):
    by_pid = {p.pid: p for p in process_list.parse(ps_text)}
    # a bundle folder with a space: the whole path, and the executable's name (was "/Applications/Screen")
    widget = by_pid["65537"]
    assert widget.path == ("/Applications/Screen Time.app/PlugIns/ScreenTimeWidgetExtension.appex/"
                           "ScreenTimeWidgetExtension")
    assert widget.name == "ScreenTimeWidgetExtension"
    # arguments stay out of the path
    assert by_pid["49589"].path == "/usr/libexec/containermanagerd"
    assert by_pid["92"].path.endswith("/com.apple.AppleUserHIDDrivers.dext/com.apple.AppleUserHIDDrivers")
    assert by_pid["18992"].name == "FMDMagSafeExtension"  # -AppleLanguages ("en-CA", "fr-CA") after it
    # some daemons are listed by name only
    assert {p.pid: p.path for p in by_pid.values() if "/" not in p.path} == {
        "50919": "assetsd", "50923": "cloudphotod", "51606": "OTACrashCopier"}
    assert not any(" -" in p.path or "(" in p.path for p in by_pid.values())
    # Apple's own software-update service runs from the staging folder Pegasus also used (Kaspersky):
    # a path under /private/var/db/ alone is not proof (docs/ios.md, "Captured pieces")
    assert [p.path for p in by_pid.values() if p.path.startswith("/private/var/db/")] == [UPDATE_BRAIN]


def test_captured_ps_txt_in_a_sysdiagnose_matches_no_indicator(tmp_path, ps_text, pack):
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2022.04.13.tar.gz", {"ps.txt": ps_text.encode()})
    acq, _ = open_for_check(archive, tmp_path / "acq")
    doc = analyze(acq, pack)
    assert [f["rule_id"] for f in doc["findings"] if f["rule_id"].startswith("ios.ioc")] == []
    cover = {c["check"]: c for c in doc["coverage"]}
    assert cover["ios_indicators"]["status"] == "ran"


# -- shutdown.log: the format as described in public (synthetic lines, no captured file) -------------------
# libyal's "Apple Unified Logging and Activity Tracing formats" describes the newer form:
#     After <x>s, these clients are still here:
#             remaining client pid: <pid> (/<process>/<uuid>)
#     SIGTERM: [<timestamp>] All buffers flushed
# and Kaspersky's iShutdown README shows a real Pegasus client in it as
# "com.apple.xpc.roleaccountd.staging/mptbd/42286BD8-3758-3B85-B19F-6E1FDB2CB030".
NEWER_FORM = """\
After 0.63s, these clients are still here:
\t\tremaining client pid: 215 (/usr/libexec/destinationd/0A1B2C3D-1111-4222-8333-944455556666)
\t\tremaining client pid: 2143 ({staging}/mptbd/42286BD8-3758-3B85-B19F-6E1FDB2CB030)
After 2.62s, these clients are still here:
\t\tremaining client pid: 2143 ({staging}/mptbd/42286BD8-3758-3B85-B19F-6E1FDB2CB030)
SIGTERM: [1649830620] All buffers flushed
"""
STAGING = "/private/var/db/com.apple.xpc.roleaccountd.staging"


def test_shutdown_log_newer_form_splits_the_binary_uuid_off():
    clients = shutdown.parse(NEWER_FORM.format(staging=STAGING))
    assert [(c.pid, c.path, c.delay_s, c.binary_uuid) for c in clients] == [
        ("215", "/usr/libexec/destinationd", 0.63,
         "0A1B2C3D-1111-4222-8333-944455556666"),
        ("2143", f"{STAGING}/mptbd", 0.63, "42286BD8-3758-3B85-B19F-6E1FDB2CB030"),
        ("2143", f"{STAGING}/mptbd", 2.62, "42286BD8-3758-3B85-B19F-6E1FDB2CB030")]  # 2.62 s after the start
    assert clients[-1].process == "mptbd" and clients[-1].in_suspicious_dir
    assert clients[-1].shutdown_time == "2022-04-13T06:17:00Z"
    # a path that only ends in something like a UUID keeps it; a one-line "After …, remaining client" too
    odd = shutdown.parse("After 0.1s, remaining client pid: 155 (/usr/libexec/nfcd)\nSIGTERM: [1]\n")
    assert [(c.pid, c.path, c.binary_uuid) for c in odd] == [("155", "/usr/libexec/nfcd", None)]


def test_shutdown_log_newer_form_file_path_indicator_matches(tmp_path, pack):
    """A file_path indicator names the executable; with the UUID left on, it never matched."""
    paths = sorted(pack.indicators.values("file_path"))
    target = next(p for p in paths if p.startswith("/private/var/") and not pack.indicators.lookup(
        "process", p.rsplit("/", 1)[-1]))
    folder, name = target.rsplit("/", 1)
    text = NEWER_FORM.format(staging=folder).replace("/mptbd/", f"/{name}/")
    archive = build_sysdiagnose(tmp_path / "sysdiagnose_2022.tar.gz", {
        "system_logs.logarchive/Extra/shutdown.log": text.encode()})
    acq, _ = open_for_check(archive, tmp_path / "acq")
    found = [f for f in analyze(acq, pack)["findings"] if f["rule_id"] == "ios.shutdown_log.known_process"]
    assert [f["subject"] for f in found] == [target]
    assert datetime.fromisoformat(found[0]["time"].replace("Z", "+00:00")).year == 2022
