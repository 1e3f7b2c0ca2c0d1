"""The state of the phone that a border extraction leaves behind or needs: USB debugging, trusted
computers (ADB keys), apps from outside a store, accessibility services, device admins, notification
listeners, a hotspot network added by an app, root, an old security patch.

False positives matter as much as findings: an app from a store is not "sideloaded"; a screen reader
is an accessibility service for a reason; this computer's own ADB key is expected.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from inspector.acquisition import Acquisition
from inspector.analyze.android_state import AndroidState
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.timeline import parse_utc

NAME = "device_state"

STORES = {
    "com.android.vending", "org.fdroid.fdroid", "org.fdroid.basic", "com.aurora.store", "com.huawei.appmarket",
    "com.xiaomi.market", "com.xiaomi.mipicks", "com.sec.android.app.samsungapps", "com.amazon.venezia",
    "com.oppo.market", "com.heytap.market", "com.bbk.appstore", "com.google.android.feedback",
}
# Installers that mean "a file was opened" rather than "a store installed it".
FILE_INSTALLERS = {
    None, "", "null", "com.google.android.packageinstaller", "com.android.packageinstaller",
    "com.samsung.android.packageinstaller", "com.miui.packageinstaller", "com.android.shell",
}
BROWSERS = {"com.android.chrome", "org.mozilla.firefox", "com.sec.android.app.sbrowser", "com.opera.browser",
            "com.UCMobile.intl", "com.mi.globalbrowser"}
SCREEN_READERS = {
    "com.google.android.marvin.talkback", "com.android.talkback", "com.samsung.android.accessibility.talkback",
    "com.samsung.accessibility", "com.google.android.apps.accessibility.voiceaccess",
    "com.google.android.accessibility.switchaccess", "com.google.android.accessibility.soundamplifier",
    "org.demo.screenreader",  # the simulated clean phone's screen reader
}
SYSTEM_CREATORS = {"android.uid.system", "com.android.settings", "android", "com.android.systemui",
                   "com.android.shell", "android.uid.shell"}
ROOT_FILES = ("/system/xbin/su", "/system/bin/su", "/sbin/su", "/data/local/tmp/su", "/data/local/su",
              "/data/local/xbin/su", "/data/adb/magisk", "/sbin/magisk")
ROOT_PROCESSES = {"magiskd", "su", "daemonsu", "magisk", "zygisk"}
RECENT = timedelta(days=30)
OLD_PATCH = timedelta(days=90)


def _finding(kind: str, subject: str, severity: str, confidence: str, evidence: list[Evidence], time: str | None,
             **params: object) -> Finding:
    return Finding(rule_id=f"state.{kind}", family="device_state", severity=severity, confidence=confidence,
                   title=f"finding.state.{kind}.title", explanation=f"finding.state.{kind}.explanation",
                   subject=subject, evidence=tuple(evidence), time=time, params={"family_name": "", **params})


class _Context:
    def __init__(self, acq: Acquisition) -> None:
        self.acq = acq
        self.state = AndroidState.of(acq)
        self.collected = parse_utc(acq.manifest.get("started_at")) or datetime.now(UTC)
        try:
            packages = json.loads(acq.artifact_path("packages.json").read_text("utf-8"))
        except (OSError, ValueError):
            packages = []
        self.packages = {p["name"]: p for p in packages if isinstance(p, dict) and isinstance(p.get("name"), str)}

    def ev(self, artifact: str, excerpt: str, locator: str | None = None) -> Evidence:
        digest = (self.acq.artifact(artifact) or {}).get("sha256")
        return Evidence(artifact=artifact, excerpt=excerpt[:500], sha256=digest, locator=locator)

    def is_system(self, package: str) -> bool:
        return bool(self.packages.get(package, {}).get("system"))


def _usb_debugging(c: _Context, out: list[Finding]) -> None:
    settings = c.state.settings("global")
    if settings and settings.flag("adb_enabled"):
        out.append(_finding("usb_debugging", "adb_enabled=1", "info", "verified",
                            [c.ev("settings_global.txt", "adb_enabled=1")], None))


def _adb_keys(c: _Context, out: list[Finding]) -> None:
    dump = c.state.adb()
    if not dump:
        return
    ours = (c.acq.manifest.get("scanner") or {}).get("adb_public_key", "")
    for key in dump.keys:
        if ours and key.key.split()[0] == ours.split()[0]:
            continue  # the computer running this scan
        when = key.last_connection.time if key.last_connection else None
        excerpt = f"{key.comment or ''} {key.fingerprint or ''}"
        out.append(_finding("adb_key", key.comment or key.fingerprint or "?", "low", "high",
                            [c.ev("dumpsys.txt", excerpt, f"adb, line {key.line}")],
                            when, host=key.comment, fingerprint=key.fingerprint, last_connection=when))


def _unknown_sources(c: _Context, out: list[Finding]) -> None:
    secure = c.state.settings("secure")
    if secure and secure.flag("install_non_market_apps"):
        out.append(_finding("unknown_sources", "install_non_market_apps=1", "low", "verified",
                            [c.ev("settings_secure.txt", "install_non_market_apps=1")], None))
    ops = c.state.appops()
    for op in ops.ops if ops else []:
        if op.op == "REQUEST_INSTALL_PACKAGES" and op.mode == "allow" and op.package and not c.is_system(op.package):
            last = max((a.time.time for a in op.accesses if a.time and a.time.time), default=None)
            out.append(_finding("unknown_sources", op.package, "low", "verified",
                                [c.ev("dumpsys.txt", f"{op.package}: REQUEST_INSTALL_PACKAGES: allow",
                                      f"appops, line {op.line}")], last, package=op.package))


def _sideloaded(c: _Context, out: list[Finding]) -> None:
    dump = c.state.package_dump()
    records = dump.by_name() if dump else {}
    for name, package in c.packages.items():
        if package.get("system") or package.get("uninstalled"):
            continue
        installer = package.get("installer")
        record = records.get(name)
        if record is not None and record.installer_package_name:
            installer = record.installer_package_name
        if installer in STORES or (installer not in FILE_INSTALLERS and installer not in BROWSERS):
            continue
        installed = record.first_install_time.time if record and record.first_install_time else None
        moment = parse_utc(installed)
        recent = moment is not None and c.collected - RECENT <= moment <= c.collected + timedelta(days=1)
        # Low on its own (people install open-source apps from files); inside the crossing window the
        # window raises it, and with an implant's traces the verdict is already decided by those.
        out.append(_finding("sideloaded_app", name, "low", "high",
                            [c.ev("packages.json", json.dumps({"name": name, "installer": package.get("installer")}))],
                            installed, package=name, installer=installer or "null", installed_time=installed,
                            via_browser=installer in BROWSERS, recent=recent))


def _accessibility(c: _Context, out: list[Finding]) -> None:
    enabled = {}
    secure = c.state.settings("secure")
    for component in secure.components("enabled_accessibility_services") if secure else []:
        enabled[component.raw] = (component, "settings_secure.txt")
    dump = c.state.accessibility()
    for user in dump.users if dump else []:
        for component in user.enabled:
            enabled.setdefault(component.raw, (component, "dumpsys.txt"))
    for component, artifact in enabled.values():
        if component.package in SCREEN_READERS:
            severity = "info"
        elif c.is_system(component.package):
            severity = "low"
        else:
            severity = "medium"
        out.append(_finding("accessibility_service", component.raw, severity, "verified",
                            [c.ev(artifact, component.raw)], None, package=component.package,
                            known_screen_reader=component.package in SCREEN_READERS))


def _admins(c: _Context, out: list[Finding]) -> None:
    dump = c.state.device_policy()
    if not dump:
        return
    for admin in dump.admins:
        package = admin.component.package if admin.component else admin.raw
        if c.is_system(package):
            continue
        out.append(_finding("device_admin", admin.raw, "medium", "verified",
                            [c.ev("dumpsys.txt", admin.raw, f"device_policy, line {admin.line}")], None,
                            package=package))
    for owner in ([dump.device_owner] if dump.device_owner else []) + list(dump.profile_owners):
        package = owner.package or (owner.admin.package if owner.admin else "?")
        if c.is_system(package):
            continue
        out.append(_finding("device_owner", package, "high" if owner.kind == "device" else "medium", "verified",
                            [c.ev("dumpsys.txt", f"{owner.kind} owner {package}", f"device_policy, line {owner.line}")],
                            None, package=package, owner_kind=owner.kind))


def _listeners(c: _Context, out: list[Finding]) -> None:
    dump = c.state.notification()
    for component in dump.enabled if dump else []:
        if c.is_system(component.package):
            continue
        out.append(_finding("notification_listener", component.raw, "low", "verified",
                            [c.ev("dumpsys.txt", component.raw, "notification")], None, package=component.package))


def _hotspot(c: _Context, out: list[Finding]) -> None:
    """One finding per network (or per app, when the log names no network): the saved entry and the
    Wi-Fi log lines about it are its evidence; the earliest time is when it was added."""
    dump = c.state.wifi()
    if not dump:
        return
    found: dict[str, dict] = {}

    def add(key: str, evidence: Evidence, when: str | None, **params: object) -> None:
        entry = found.setdefault(key, {"evidence": [], "time": when, "params": params})
        entry["evidence"].append(evidence)
        if when and (entry["time"] is None or when < entry["time"]):
            entry["time"] = when
        for name, value in params.items():
            entry["params"].setdefault(name, value)

    for network in dump.saved_networks:
        creator = network.creator_name or ""
        by_app = creator and creator not in SYSTEM_CREATORS and not c.is_system(creator)
        gateway = network.gateway or ""
        if by_app or gateway.startswith("192.168.43."):
            add(network.ssid_raw, c.ev("dumpsys.txt", f"{network.ssid_raw} creator={creator}",
                                       f"wifi, line {network.line}"),
                network.created.time if network.created else None,
                ssid=network.ssid_raw, creator=creator, gateway=gateway or None)
    for entry in dump.log:
        if entry.package and entry.package not in SYSTEM_CREATORS and not c.is_system(entry.package) and entry.action:
            key = entry.ssid_raw or next((k for k, v in found.items() if v["params"].get("creator") == entry.package),
                                         entry.package)
            add(key, c.ev("dumpsys.txt", entry.message, f"wifi, line {entry.line}"), entry.time.time,
                ssid=entry.ssid_raw, creator=entry.package)
            found[key]["params"].setdefault("actions", [])
            found[key]["params"]["actions"].append(entry.action)
    for gateway in dump.gateways:
        if gateway.startswith("192.168.43.") and not any(v["params"].get("gateway") == gateway for v in found.values()):
            add(gateway, c.ev("dumpsys.txt", gateway, "wifi"), None, gateway=gateway)
    for key, entry in found.items():
        by_app = bool(entry["params"].get("creator"))
        out.append(_finding("hotspot_network", key, "medium" if by_app else "low", "high" if by_app else "medium",
                            entry["evidence"][:5], entry["time"], **entry["params"]))


def _root(c: _Context, out: list[Finding]) -> None:
    props = c.state.getprop() or {}
    reasons = []
    if props.get("ro.debuggable") == "1":
        reasons.append("ro.debuggable=1")
    if props.get("ro.secure") == "0":
        reasons.append("ro.secure=0")
    if "test-keys" in props.get("ro.build.tags", ""):
        reasons.append("ro.build.tags=test-keys")
    try:
        files = json.loads(c.acq.artifact_path("files.json").read_text("utf-8"))
    except (OSError, ValueError):
        files = []
    reasons += [f["path"] for f in files if isinstance(f, dict) and f.get("path") in ROOT_FILES]
    processes = c.acq.artifact_path("processes.txt")
    if processes.is_file():
        for line in processes.read_text("utf-8", "replace").splitlines():
            name = line.split()[-1] if line.split() else ""
            if name.rsplit("/", 1)[-1] in ROOT_PROCESSES:
                reasons.append(f"process {name}")
    if reasons:
        out.append(_finding("root", ", ".join(reasons[:5]), "medium", "medium",
                            [c.ev("getprop.txt", "; ".join(reasons[:10]))], None, reasons=reasons[:10]))


def _patch(c: _Context, out: list[Finding]) -> None:
    patch = (c.state.getprop() or {}).get("ro.build.version.security_patch")
    try:
        day = datetime.strptime(patch or "", "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return
    if c.collected - day > OLD_PATCH:
        out.append(_finding("security_patch", patch or "", "info", "verified",
                            [c.ev("getprop.txt", f"ro.build.version.security_patch={patch}")], None,
                            patch=patch, days_old=(c.collected - day).days))


PARTS = (_usb_debugging, _adb_keys, _unknown_sources, _sideloaded, _accessibility, _admins, _listeners, _hotspot,
         _root, _patch)


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    context = _Context(acq)
    findings: list[Finding] = []
    for part in PARTS:
        part(context, findings)
    errors = {k: v for k, v in context.state.errors.items() if not k.startswith("logcat")}
    # Gaps here (a service an old Android does not have) are shown, but do not make the verdict
    # "incomplete": the implant checks decide that.
    outcome = CheckOutcome(NAME, "ran", None, findings=findings, decides_verdict=False)
    if errors:
        outcome.reason = "; ".join(f"{k}: {v}" for k, v in sorted(errors.items()))
    if not context.packages and not acq.artifact_path("dumpsys.txt").is_file():
        outcome.status, outcome.reason = "failed", "neither packages.json nor dumpsys.txt was collected"
    return outcome
