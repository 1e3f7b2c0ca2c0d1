"""Every simulated phone under inspector/simulator/profiles/ against the real collector and today's checks.

For each profile: it loads; a full collection over loopback (SimulatedPhone + AndroidConnection +
acquire_android) is complete, sends no shell syntax, and every command the collector ran was answered
by the profile itself (its commands.yaml, or a built-in reading a file that exists in its fs/), never by
the simulator's "inaccessible or not found" fallback. Then the verdicts the stories are built for:

- ``bxaq-installed``: BXAQ still installed -> implant_found, rule bxaq.package (installed);
- ``mfsocket``: MFSocket installed and running -> implant_found, rule mfsocket.package;
- ``clean``: nothing of severity medium or worse, whatever naive tools would say about its screen
  reader, autofill, notification listener, F-Droid and USB debugging;

and what the collection must have captured of each story (so that later checks have their evidence).
The static consistency of the profile files is checked in tests/test_demo_profile.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inspector.acquire.android import commands as C
from inspector.acquire.android.connection import AndroidConnection
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.pipeline import acquire_android
from inspector.simulator import AuthPolicy, DeviceProfile, SimulatedPhone

REPO = Path(__file__).resolve().parent.parent
PROFILES = REPO / "inspector" / "simulator" / "profiles"
ALL_PROFILES = sorted(p.name for p in PROFILES.iterdir() if (p / "profile.yaml").is_file())
FIXTURE_APKS = REPO / "tests" / "fixtures" / "apks"

# The first (preferred) variant of every fixed command of the collector: a profile must answer these,
# so that no fallback variant is ever needed.
COLLECTOR_ARGV = [
    ("getprop",),
    *[argv for _name, argv in C.TEXT_ARTIFACTS],
    C.LOGCAT,
    *[("dumpsys", service) for service in C.DUMPSYS_SERVICES],
    C.PM_LIST_USERS,
    C.pm_list_all("0")[0],
    *[C.pm_list_flag(flag, "0") for flag in (None, "-s", "-3", "-d")],
]
FALLBACK_ARGV = [C.PROCESSES_FALLBACK, C.LOGCAT_FALLBACK, *C.pm_list_all("0")[1:]]
FILE_BUILTINS = ("sha256sum", "md5sum", "cat")
SEVERE = {"critical", "high", "medium"}


def _file_args(argv: tuple[str, ...]) -> list[str]:
    """The paths a file built-in (sha256sum, md5sum, cat, stat [-L] -c FMT) was asked about."""
    args = list(argv[1:])
    if argv[0] == "stat":
        out, i = [], 0
        while i < len(args):
            if args[i] == "-c":
                i += 2
                continue
            if args[i] != "-L":
                out.append(args[i])
            i += 1
        return out
    return [a for a in args if not (a.startswith("-") and len(a) > 1)]


def _answered_by_profile(profile: DeviceProfile, argv: tuple[str, ...]) -> bool:
    if argv in profile.commands:
        return True
    if argv[0] in (*FILE_BUILTINS, "stat"):
        paths = _file_args(argv)
        return bool(paths) and all(profile.fs.stat(p.encode("utf-8", "surrogateescape")) for p in paths)
    return False


class Scan:
    def __init__(self, name, profile, acq, lost, commands_seen, violations, proc_net, result):
        self.name, self.profile, self.acq, self.lost = name, profile, acq, lost
        self.commands_seen, self.violations, self.proc_net, self.result = commands_seen, violations, proc_net, result

    def text(self, artifact: str) -> str:
        return (self.acq.path / artifact).read_text("utf-8")

    def json(self, artifact: str):
        return json.loads(self.text(artifact))

    def dumpsys(self, service: str) -> str:
        text = self.text("dumpsys.txt")
        return text.split(f"DUMP OF SERVICE {service}:\n", 1)[1].split("-" * 79 + "\nDUMP OF SERVICE ", 1)[0]

    def packages(self) -> dict[str, dict]:
        return {p["name"]: p for p in self.json("packages.json")}

    def findings(self) -> list[dict]:
        return self.result["findings"]


@pytest.fixture(scope="module")
def pack():
    return SignaturePack.load()


@pytest.fixture(scope="module")
def scans(tmp_path_factory, pack):
    """One collection and analysis per profile, shared by the tests below (each takes a few seconds)."""
    done: dict[str, Scan] = {}

    def scan(name: str) -> Scan:
        if name in done:
            return done[name]
        base = tmp_path_factory.mktemp(f"scan-{name}")
        # conftest's isolation is per test; this module-wide scan isolates the user folders itself
        with pytest.MonkeyPatch.context() as mp:
            for var in ("CONFIG", "DATA", "CACHE"):
                mp.setenv(f"INSPECTOR_{var}_DIR", str(base / var.lower()))
            mp.delenv("INSPECTOR_DB", raising=False)
            profile = DeviceProfile.load(PROFILES / name)
            with SimulatedPhone(profile, auth=AuthPolicy(on_new_key="allow")) as phone:
                host, port = phone.address.rsplit(":", 1)
                with AndroidConnection.connect_tcp(host, int(port), auth_timeout_s=10) as conn:
                    acq, _stats, lost = acquire_android(conn, base / "acq", resume=False, operator=None, pack=pack)
                    seen_before = len(phone.commands_seen)
                    proc_net = {f: conn.shell(C.command("cat", f"/proc/net/{f}")).decode() for f in ("tcp", "tcp6")}
                commands_seen = list(phone.commands_seen[:seen_before])
                violations = list(phone.violations)
            result = analyze(acq, pack)
        done[name] = Scan(name, profile, acq, lost, commands_seen, violations, proc_net, result)
        return done[name]

    return scan


@pytest.mark.parametrize("name", ALL_PROFILES)
def test_profile_loads(name):
    profile = DeviceProfile.load(PROFILES / name)
    assert profile.serial and profile.commands and profile.fs is not None
    assert all(_answered_by_profile(profile, argv) for argv in COLLECTOR_ARGV), [
        argv for argv in COLLECTOR_ARGV if not _answered_by_profile(profile, argv)]


@pytest.mark.parametrize("name", ALL_PROFILES)
def test_full_collection_is_complete_and_answered_by_the_profile(name, scans):
    scan = scans(name)
    assert scan.lost is None
    assert scan.acq.complete, {n: r for n, r in scan.acq.manifest["artifacts"].items() if r.get("status") != "complete"}
    assert scan.violations == []
    seen = set(scan.commands_seen)
    assert set(COLLECTOR_ARGV) <= seen
    assert not seen & set(FALLBACK_ARGV), "the profile made the collector fall back to an older command"
    unanswered = [argv for argv in scan.commands_seen if not _answered_by_profile(scan.profile, argv)]
    assert unanswered == []
    installed = [p for p in scan.json("packages.json") if not p["uninstalled"]]
    assert installed
    for package in installed:  # every APK was hashed on the phone and copied whole
        for entry in package["files"]:
            assert entry["sha256"] and entry["local_name"] and not entry["error"], package["name"]
            assert hashlib.sha256((scan.acq.path / entry["local_name"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("name", [n for n in ALL_PROFILES if n != "demo"])
def test_proc_net_is_in_the_kernel_format(name, scans):
    tcp, tcp6 = scans(name).proc_net["tcp"], scans(name).proc_net["tcp6"]
    assert tcp.startswith("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid")
    assert tcp6.startswith("  sl  local_address                         remote_address")
    row = re.compile(r"^ {0,3}\d+: [0-9A-F]{8}:[0-9A-F]{4} [0-9A-F]{8}:[0-9A-F]{4} [0-9A-F]{2} ")
    row6 = re.compile(r"^ {0,3}\d+: [0-9A-F]{32}:[0-9A-F]{4} [0-9A-F]{32}:[0-9A-F]{4} [0-9A-F]{2} ")
    assert all(row.match(line) for line in tcp.splitlines()[1:])
    assert all(row6.match(line) for line in tcp6.splitlines()[1:])


def _by_rule(scan: Scan) -> dict[str, dict]:
    return {f["rule_id"]: f for f in scan.findings()}


def test_bxaq_installed_is_an_implant_found(scans):
    scan = scans("bxaq-installed")
    assert scan.result["verdict"] == "implant_found"
    finding = _by_rule(scan)["bxaq.package"]
    assert finding["title"] == "finding.known_package.installed.title"
    assert finding["severity"] == "critical" and finding["subject"] == "com.fiberhome.wifiserver"
    # the leftovers on shared storage are found too (the app is still there, so it has not "cleaned up")
    assert {"bxaq.leftover.cjlog", "bxaq.leftover.cjlog_plain"} <= set(_by_rule(scan))
    # and the device-state check sees the implant's enabled accessibility service and the saved hotspot
    subjects = {(f["rule_id"], f["subject"]) for f in scan.findings()}
    assert ("state.accessibility_service",
            "com.fiberhome.wifiserver/com.fenghuo.accessibilityservice.AutoClickAccessibleService") in subjects
    assert ("state.hotspot_network", '"FH-CJ-02"') in subjects


def test_bxaq_installed_collection_holds_the_story(scans):
    scan = scans("bxaq-installed")
    bxaq = scan.packages()["com.fiberhome.wifiserver"]
    assert not bxaq["uninstalled"] and bxaq["installer"] == "null" and not bxaq["system"]
    lookalike = hashlib.sha256((FIXTURE_APKS / "bxaq_lookalike.apk").read_bytes()).hexdigest()
    assert bxaq["files"][0]["sha256"] == lookalike
    crossing = datetime(2026, 9, 16, tzinfo=UTC)
    service = "com.fiberhome.wifiserver/com.fenghuo.accessibilityservice.AutoClickAccessibleService"
    assert f"enabled_accessibility_services={service}\n" in scan.text("settings_secure.txt")
    assert "accessibility_enabled=1\n" in scan.text("settings_secure.txt")
    accessibility = scan.dumpsys("accessibility")
    assert f"Enabled services:{{{{{service}}}}}" in accessibility and "蜂采自动点击" in accessibility
    assert "installInitiatingPackageName=com.android.shell" in scan.dumpsys("package")
    first_install = re.search(r"Package \[com\.fiberhome\.wifiserver\].*?firstInstallTime=(\S+)",
                              scan.dumpsys("package"), re.S).group(1)
    assert first_install == "2026-09-16"
    # only the two cjlog files are left on shared storage
    paths = {f["path"] for f in scan.json("files.json") if f["type"] == "file"}
    assert {"/sdcard/Android/cjlog.txt", "/sdcard/cjlog_plain.txt"} <= paths
    assert not [p for p in paths if "qzj" in p]
    # a new ADB key, allowed on the crossing day
    last = int(re.search(r'lastConnection="(\d+)"', scan.dumpsys("adb")).group(1)) / 1000
    assert datetime.fromtimestamp(last, UTC).date() == crossing.date()
    # the border hotspot is still saved, created by BXAQ's uid; the logs show its gateway
    wifi = scan.dumpsys("wifi")
    saved = wifi.split("Configured networks Begin", 1)[1].split("Configured networks End", 1)[0]
    assert 'SSID: "FH-CJ-02"' in saved and f"cuid={bxaq['uid']} cname=com.fiberhome.wifiserver" in saved
    assert '"FH-CJ-02" DhcpResults: IP address 192.168.43.112/24 Gateway 192.168.43.1 ' in wifi
    assert "gateway 192.168.43.1" in scan.text("logcat.txt")
    assert any(line.split()[-1] == "com.fiberhome.wifiserver" for line in scan.text("processes.txt").splitlines())


def test_mfsocket_is_an_implant_found(scans):
    scan = scans("mfsocket")
    assert scan.result["verdict"] == "implant_found"
    finding = _by_rule(scan)["mfsocket.package"]
    assert finding["title"] == "finding.known_package.installed.title"
    assert finding["subject"] == "com.Android.MFSocket"


def test_mfsocket_collection_holds_the_story(scans):
    scan = scans("mfsocket")
    mf = scan.packages()["com.Android.MFSocket"]
    assert not mf["uninstalled"] and mf["installer"] == "null"
    lookalike = hashlib.sha256((FIXTURE_APKS / "mfsocket_lookalike.apk").read_bytes()).hexdigest()
    assert mf["files"][0]["sha256"] == lookalike
    assert "[ro.build.version.release]: [9]" in scan.text("getprop.txt")
    assert "adb_enabled=1\n" in scan.text("settings_global.txt")
    user = f"u0_a{mf['uid'] - 10000}"
    rows = [line.split() for line in scan.text("processes.txt").splitlines()]
    assert [r for r in rows if r[-1] == "com.Android.MFSocket" and r[0] == user]
    package = scan.dumpsys("package")
    block = package.split("Package [com.Android.MFSocket]", 1)[1].split("  Package [", 1)[0]
    assert "DEBUGGABLE" in block
    assert "com.android.MFSocket.START_ADBDOWNLOAD:" in package.split("Receiver Resolver Table:", 1)[1]
    assert scan.dumpsys("adb").strip() == "Can't find service: adb"  # Android 9 has no AdbService
    # listening on TCP 10103 (0x2777), state 0A (LISTEN), owned by MFSocket's uid; a Java ServerSocket
    # binds the dual-stack wildcard, so the socket is in tcp6 as :::10103
    listen = [line.split() for line in scan.proc_net["tcp6"].splitlines()[1:]]
    assert [r for r in listen if r[1] == "0" * 32 + ":2777" and r[3] == "0A" and r[7] == str(mf["uid"])]


def test_clean_phone_is_not_called_infected(scans):
    """No check flags anything of severity medium or worse, and the verdict is "nothing_found".

    Why not "needs_review": today the device-state check reports the sideloaded F-Droid and "unknown
    sources" as *low*, and the screen reader's accessibility service, USB debugging and the patch level
    as *info*; low device-state findings are shown in the report but do not change the verdict
    (inspector/analyze/result.py, ``verdict``), and nothing ties this phone to an implant family. A
    medium finding here, or a low one of an implant family, would be a false alarm on a clean phone."""
    scan = scans("clean")
    severe = [(f["rule_id"], f["subject"]) for f in scan.findings() if f["severity"] in SEVERE]
    assert severe == []
    assert not [f for f in scan.findings() if f["family"] not in ("device_state",)], "an implant family matched"
    assert scan.result["verdict"] == "nothing_found"


def test_clean_collection_holds_what_naive_tools_flag(scans):
    scan = scans("clean")
    packages = scan.packages()
    assert "[ro.build.version.release]: [14]" in scan.text("getprop.txt")
    assert packages["org.fdroid.fdroid"]["installer"] in ("com.google.android.packageinstaller", "null")
    from_fdroid = sorted(n for n, p in packages.items() if p["installer"] == "org.fdroid.fdroid")
    assert from_fdroid == ["org.demo.passwordsafe", "org.demo.watchbridge"]
    assert packages["org.demo.screenreader"]["installer"] == "com.android.vending"
    secure = scan.text("settings_secure.txt")
    assert "enabled_accessibility_services=org.demo.screenreader/org.demo.screenreader.ReaderService\n" in secure
    assert "autofill_service=org.demo.passwordsafe/" in secure
    assert "enabled_notification_listeners=org.demo.watchbridge/" in secure
    assert "Bound services:{Service[label=Screen Reader" in scan.dumpsys("accessibility")
    assert "ComponentInfo{org.demo.watchbridge/" in scan.dumpsys("notification")
    settings = scan.text("settings_global.txt")
    assert "adb_enabled=1\n" in settings and "development_settings_enabled=1\n" in settings
    # the only ADB key is the owner's, last used months before the collection; the patch is two months old
    now = datetime(2024, 5, 14, 11, 30, tzinfo=UTC) - timedelta(hours=6)
    last = int(re.search(r'lastConnection="(\d+)"', scan.dumpsys("adb")).group(1)) / 1000
    assert now - datetime.fromtimestamp(last, UTC) > timedelta(days=60)
    assert scan.dumpsys("adb").count("<adbKey ") == 1
    assert "[ro.build.version.security_patch]: [2024-03-05]" in scan.text("getprop.txt")
    wifi = scan.dumpsys("wifi")
    assert 'SSID: "HOME-7C21"' in wifi and "Currently Connected: true" in wifi


def test_mfsocket_lookalike_fixture_is_what_it_claims():
    import zipfile

    apk = FIXTURE_APKS / "mfsocket_lookalike.apk"
    with zipfile.ZipFile(apk) as zf:
        assert zf.testzip() is None
        asset = zf.read("assets/adbDownload")
        dex = zf.read("classes.dex")
        manifest = zf.read("AndroidManifest.xml")
    assert len(asset) < 128 and not asset.startswith(b"\x7fELF")  # a placeholder, not the ARM binary
    for needle in (b"Lcom/Android/MFSocket/MFSocket;", b"4500_BAOKONG_INFO", b"4500_QUIT",
                   b"com.android.MFSocket.START_ADBDOWNLOAD"):
        assert needle in dex, needle
    # binary XML keeps its strings as UTF-16
    assert "com.android.MFSocket.START_ADBDOWNLOAD".encode("utf-16-le") in manifest
    assert len(apk.read_bytes()) < 20_000
    aapt = shutil.which("aapt")
    if aapt is None:
        pytest.skip("aapt is not installed (apt-get install aapt); CI has it")
    badging = subprocess.run([aapt, "dump", "badging", str(apk)], check=True, capture_output=True, text=True).stdout
    assert "package: name='com.Android.MFSocket' versionCode='1'" in badging
    assert "application-label:'MFSocket'" in badging and "application-debuggable" in badging
    assert "launchable-activity: name='com.Android.MFSocket.MFSocket'" in badging
