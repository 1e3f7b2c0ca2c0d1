"""Device state after a border extraction, with false-positive control, and the Android timeline."""

from __future__ import annotations

import json

import pytest

from inspector.acquisition import Acquisition
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack

SEP = "-" * 79 + "\n"


def _acq(tmp_path, packages=(), settings=None, dumpsys=None, getprop="", files=(), processes="", scanner_key=None):
    acq = Acquisition.create(tmp_path / "a", platform="android", tool_version="t", signature_pack_version="t")
    acq.manifest["started_at"] = "2026-11-18T12:00:00Z"
    acq.manifest["device"] = {"timezone": "Asia/Shanghai"}
    if scanner_key:
        acq.manifest["scanner"] = {"adb_public_key": scanner_key}
    acq.write_json("packages.json", list(packages))
    acq.write_json("files.json", list(files))
    for namespace, text in (settings or {}).items():
        acq.write_bytes(f"settings_{namespace}.txt", text.encode())
    if dumpsys:
        acq.write_bytes("dumpsys.txt", "".join(f"{SEP}DUMP OF SERVICE {k}:\n{v}" for k, v in dumpsys.items()).encode())
    acq.write_bytes("getprop.txt", getprop.encode())
    acq.write_bytes("processes.txt", processes.encode())
    acq.finish()
    return acq


def _pkg(name, installer="null", system=False):
    return {"name": name, "files": [], "installer": installer, "uid": 10100, "system": system,
            "third_party": not system, "disabled": False, "uninstalled": False}


def _state(result):
    return [f for f in result["findings"] if f["rule_id"].startswith("state.")]


@pytest.fixture(scope="module")
def pack():
    return SignaturePack.load()


def test_store_apps_are_not_sideloaded_and_file_installs_are(tmp_path, pack):
    packages = [_pkg("org.play.app", "com.android.vending"), _pkg("org.fdroid.app", "org.fdroid.fdroid"),
                _pkg("org.file.app", "com.google.android.packageinstaller"), _pkg("org.adb.app", "null"),
                _pkg("org.browser.app", "com.android.chrome"), _pkg("org.sys", "null", system=True)]
    result = analyze(_acq(tmp_path, packages), pack)
    sideloaded = {f["subject"]: f for f in _state(result) if f["rule_id"] == "state.sideloaded_app"}
    assert set(sideloaded) == {"org.file.app", "org.adb.app", "org.browser.app"}
    assert sideloaded["org.browser.app"]["params"]["via_browser"] is True
    assert all(f["severity"] == "low" for f in sideloaded.values())


def test_screen_readers_are_not_suspicious_other_accessibility_services_are(tmp_path, pack):
    secure = ("enabled_accessibility_services=com.google.android.marvin.talkback/com.google.android.marvin.talkback"
              ".TalkBackService:com.fenghuo.accessibilityservice/.AutoClickAccessibleService\n"
              "install_non_market_apps=1\n")
    result = analyze(_acq(tmp_path, settings={"secure": secure, "global": "adb_enabled=1\n"}), pack)
    by_package = {f["params"].get("package"): f for f in _state(result)
                  if f["rule_id"] == "state.accessibility_service"}
    assert by_package["com.google.android.marvin.talkback"]["severity"] == "info"
    assert by_package["com.fenghuo.accessibilityservice"]["severity"] == "medium"
    rules = {f["rule_id"] for f in _state(result)}
    assert {"state.unknown_sources", "state.usb_debugging"} <= rules


def _public_key(folder, name):
    from adb_shell.auth.keygen import keygen

    keygen(str(folder / name))
    return (folder / f"{name}.pub").read_text().strip()


def test_this_computers_adb_key_is_expected_others_are_reported(tmp_path, pack):
    ours = _public_key(tmp_path, "ours").split()[0] + " me@laptop"
    theirs = _public_key(tmp_path, "theirs").split()[0] + " user@bxaq-pc"
    adb = ("ADB MANAGER STATE (dumpsys adb):\n{\n  debugging_manager={\n    connected_to_adb=true\n"
           f"    user_keys={ours}\n{theirs}\n\n    system_keys=\n  }}\n}}\n")
    result = analyze(_acq(tmp_path, dumpsys={"adb": adb}, scanner_key=ours), pack)
    keys = [f for f in _state(result) if f["rule_id"] == "state.adb_key"]
    assert [f["params"]["host"] for f in keys] == ["user@bxaq-pc"]


def test_root_and_old_patch(tmp_path, pack):
    getprop = "[ro.debuggable]: [1]\n[ro.build.tags]: [test-keys]\n[ro.build.version.security_patch]: [2025-01-05]\n"
    result = analyze(_acq(tmp_path, getprop=getprop, files=[{"path": "/data/local/tmp/su", "type": "file", "size": 1}],
                          processes="USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 0 0 0 0 S magiskd\n"), pack)
    by_rule = {f["rule_id"]: f for f in _state(result)}
    assert set(by_rule["state.root"]["params"]["reasons"]) >= {"ro.debuggable=1", "ro.build.tags=test-keys",
                                                                "/data/local/tmp/su", "process magiskd"}
    assert by_rule["state.security_patch"]["severity"] == "info" and by_rule["state.security_patch"]["params"][
        "days_old"] > 600


def test_garbled_dumpsys_marks_what_failed_and_the_rest_runs(tmp_path, pack):
    acq = _acq(tmp_path, [_pkg("org.file.app")], settings={"global": "adb_enabled=1\n"})
    (acq.path / "dumpsys.txt").write_bytes(b"\xff\xfe not a dumpsys at all \x00\n" * 100)
    acq.mark("dumpsys.txt", "complete")
    result = analyze(acq, pack)
    coverage = {c["check"]: c for c in result["coverage"]}["device_state"]
    assert coverage["status"] == "ran" and "dumpsys adb: the service is not in dumpsys.txt" in coverage["reason"]
    assert {f["rule_id"] for f in _state(result)} >= {"state.usb_debugging", "state.sideloaded_app"}


def test_demo_phone_story(tmp_path, pack):
    """The simulated phone back from the crossing: history, traces and state, placed in the window."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "inspector"
    out = tmp_path / "demo"
    subprocess.run([str(exe), "scan", "--demo", "--out", str(out), "--no-store"], capture_output=True, timeout=180,
                   env=os.environ, check=False)
    acq = Acquisition.open(out)
    demo_pack = SignaturePack.load(include_demo=True)
    result = analyze(acq, demo_pack, window="2026-11-18T08:00+08:00/2026-11-18T12:00+08:00")
    by_rule = {}
    for f in result["findings"]:
        by_rule.setdefault(f["rule_id"], []).append(f)
    package = by_rule["bxaq.package"][0]
    assert package["time"] == "2026-11-18T01:11:26Z" and package["params"]["removed_time"] == "2026-11-18T02:52:20Z"
    assert package["severity"] == "critical" and package["params"]["raised_from"] == "high"
    assert by_rule["state.adb_key"][0]["params"]["host"] == "user@bxaq-pc"
    assert by_rule["state.adb_key"][0]["severity"] == "medium"  # low, raised: used inside the window
    assert any(f["params"].get("ssid") == '"FH-CJ-AP"' for f in by_rule["state.hotspot_network"])
    events = {(e["event"], e["subject"]) for e in result["timeline"] if e["in_window"]}
    assert ("log_package_removed", "com.fiberhome.wifiserver") in events
    assert ("permission_used", "com.fiberhome.wifiserver: READ_SMS") in events
    assert ("adb_key_used", "user@bxaq-pc") in events
    json.dumps(result)
