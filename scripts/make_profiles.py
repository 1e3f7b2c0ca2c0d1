#!/usr/bin/env python3
"""Write the simulated phones that exercise inspector's Android checks (inspector/simulator/profiles/).

    python3 scripts/make_profiles.py                  # every profile: demo, bxaq-installed, mfsocket, clean
    python3 scripts/make_profiles.py mfsocket clean   # only these

Every phone is FICTION, written by this script for tests and demos (each profile's README.md tells
its story and where each file came from):

- ``demo``            Android 13 Redmi: BXAQ run at the border and uninstalled with its data kept
                      (written by scripts/make_demo_profile.py, which this script calls unchanged).
- ``bxaq-installed``  Android 11 Samsung Galaxy A50: BXAQ still installed, its accessibility service
                      still enabled, the border hotspot still saved.
- ``mfsocket``        Android 9 Xiaomi Redmi 6A: MFSocket still installed, running and listening on
                      TCP 10103.
- ``clean``           Android 14 Pixel 7a: nothing bad, but a screen reader, a password manager's
                      autofill, a notification listener, F-Droid and USB debugging, which naive
                      tools flag.

Each profile answers exactly the commands inspector's collector runs (inspector/acquire/android/),
plus ``cat /proc/net/tcp`` and ``cat /proc/net/tcp6`` through files under fs/proc/net/. The APKs
under fs/ are built and copied there by scripts/build_fixture_apks.sh: run it first on a fresh
checkout. Output is byte-for-byte reproducible (seeded generators only). The helpers shared with the
demo phone (tiny files, ADB keys, Android's duration format) come from scripts/make_demo_profile.py.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_demo_profile as demo  # noqa: E402  (the demo's generator; importing it writes nothing)
from make_demo_profile import adb_pubkey, fmt_duration, hexid, luhn_complete, spaced, tiny_jpeg, tiny_pdf, tiny_png  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "inspector" / "simulator" / "profiles"
FACTORY_TIME = datetime(2008, 1, 1, tzinfo=UTC)  # timestamps of files on read-only partitions (AOSP ziptime)

RUNTIME_PERMS = demo.RUNTIME_PERMS | {
    "android.permission.BLUETOOTH_SCAN", "android.permission.ACCESS_BACKGROUND_LOCATION",
    "android.permission.WRITE_SMS", "android.permission.READ_MEDIA_VIDEO", "android.permission.READ_MEDIA_AUDIO",
}


def rand_name(seed: str) -> str:
    """A stable stand-in for the 16 random bytes, URL-safe base64, in Android's /data/app names."""
    return base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()[:16]).decode()


def data_app_apk(profile: str, package: str, sdk: int) -> str:
    """Where Android puts an app's base.apk: /data/app/PKG-RANDOM==/ (Android 8-10) or
    /data/app/~~RANDOM==/PKG-RANDOM==/ (Android 11+). scripts/build_fixture_apks.sh copies the APKs to
    these paths (its table repeats them; tests/test_demo_profile.py checks that they agree)."""
    inner = f"{package}-{rand_name(f'{profile}:{package}:inner')}"
    if sdk >= 30:
        return f"/data/app/~~{rand_name(f'{profile}:{package}:outer')}/{inner}/base.apk"
    return f"/data/app/{inner}/base.apk"


# --------------------------------------------------------------------------------------------------
# The model: apps, log lines, and a phone that renders every command output from them
# --------------------------------------------------------------------------------------------------

@dataclass
class Service:
    cls: str  # full class name
    label: str
    permission: str
    action: str


@dataclass
class App:
    name: str
    label: str
    uid: int
    apk: str  # device path of base.apk (or of the APK on a system partition)
    version_code: int
    version_name: str
    min_sdk: int
    target_sdk: int | None
    installer: str | None
    first_install: datetime
    last_update: datetime
    system: bool = False
    privileged: bool = False
    debuggable: bool = False
    initiator: str | None = None  # who asked for the install (installInitiatingPackageName, Android 11+)
    activities: tuple[str, ...] = ()  # full class names; the first may be the launcher activity
    launcher: bool = True
    home: bool = False
    extra_filters: tuple[tuple[str, str, str], ...] = ()  # (activity, action, category)
    receivers: tuple[tuple[str, str], ...] = ()  # (class, action)
    services: tuple[Service, ...] = ()
    permissions: tuple[str, ...] = ()
    runtime_granted: tuple[str, ...] = ()
    package_source: int = 0
    ce_inode: int = 0
    signing: int = 3
    sig_hash: str = "9e4d0b77"
    allow_backup: bool = True  # android:allowBackup (default true)

    @property
    def code_path(self) -> str:
        return self.apk.rsplit("/", 1)[0]

    @property
    def uid_name(self) -> str:
        return f"u0_a{self.uid - 10000}"

    @property
    def bs_uid(self) -> str:
        return f"u0a{self.uid - 10000}"

    def short(self, cls: str) -> str:
        """ComponentName.toShortString without braces: pkg/.Cls when the class is in the package."""
        return f"{self.name}/{cls[len(self.name):]}" if cls.startswith(self.name + ".") else f"{self.name}/{cls}"

    def flat(self, cls: str) -> str:
        """ComponentName.flattenToString: pkg/full.Class (what settings store)."""
        return f"{self.name}/{cls}"


@dataclass(order=True)
class LogLine:
    when: datetime
    seq: int
    buffer: str = field(compare=False)
    pid: int = field(compare=False)
    tid: int = field(compare=False)
    level: str = field(compare=False)
    tag: str = field(compare=False)
    message: str = field(compare=False)


@dataclass
class WifiNetwork:
    nid: int
    ssid: str
    key_mgmt: str  # WPA_PSK / NONE / SAE
    created: datetime
    last_connected: datetime
    creator_uid: int = 1000
    creator_name: str = "android.uid.system"
    current: bool = False


@dataclass
class Op:
    name: str
    mode: str = "allow"
    accesses: tuple[tuple[str, datetime, str], ...] = ()  # (uid state, when, duration or "")
    rejects: tuple[tuple[str, datetime], ...] = ()


class Phone:
    """One simulated phone. Subclasses set the facts in ``build()``; the renderers below turn them
    into the outputs of the Android version ``sdk`` (9 = 28, 11 = 30, 14 = 34)."""

    name = ""
    sdk = 0
    release = ""
    utc_offset_h = 0

    def __init__(self) -> None:
        self.tz = timezone(timedelta(hours=self.utc_offset_h))
        self.root = PROFILES / self.name
        self.fs = self.root / "fs"
        self.cmd_dir = self.root / "commands"
        self.commands: list[dict] = []
        self.meta: dict[str, dict] = {}
        self.log: list[LogLine] = []
        self.rng = random.Random(f"{self.name} logcat")
        # filled by build()
        self.apps: list[App] = []
        self.list_order: list[str] = []
        self.props: dict[str, str] = {}
        self.settings: dict[str, dict[str, str]] = {"global": {}, "secure": {}, "system": {}}
        self.processes: list[tuple] = []
        self.usage: list[tuple[datetime, str]] = []
        self.daily: list[tuple[App, str, datetime, int]] = []
        self.last_used: dict[str, datetime] = {}
        self.appops: list[tuple[App, str, list[Op]]] = []
        self.adb_keys: list[tuple[str, datetime]] = []  # (key line, last connection)
        self.adb_last_key: str = ""
        self.a11y: list[tuple[App, Service, str, int, str]] = []  # app, service, feedback, capabilities, timeout
        self.a11y_touch_exploration = False
        self.a11y_clients: list[tuple[int, App]] = []
        self.listeners: list[tuple[App, Service]] = []
        self.notifications: list[dict] = []
        self.archive: list[tuple[str, int, int, str, str]] = []
        self.wifi_log: list[tuple[datetime, str]] = []
        self.wifi_saved: list[WifiNetwork] = []
        self.wifi_events: list[tuple[datetime, str, str, int, int]] = []
        self.wifi_scan: list[tuple[str, int, int, float, str, str]] = []
        self.wifi_info = ""
        self.wifi_dhcp: list[tuple[datetime, str, str, str, str]] = []  # when, SSID, ip/prefix, gateway, vendor
        self.battery_anchors: list[tuple[datetime, int]] = []
        self.battery_history: list[tuple[datetime, int, str]] = []
        self.battery_start: datetime | None = None
        self.battery_uids: list[tuple[App, list[str]]] = []
        self.battery_power: list[str] = []
        self.battery_package_changes: list[str] = []
        self.battery_summary: dict[str, object] = {}
        self.tcp: list[tuple] = []
        self.tcp6: list[tuple] = []

    # -- time --------------------------------------------------------------------------------------
    def t(self, text: str) -> datetime:
        """A local wall-clock time of this phone: 'YYYY-MM-DD HH:MM:SS[.mmm]'."""
        fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S"
        return datetime.strptime(text, fmt).replace(tzinfo=self.tz)

    def fmt_s(self, d: datetime) -> str:
        return d.astimezone(self.tz).strftime("%Y-%m-%d %H:%M:%S")

    def fmt_ms(self, d: datetime) -> str:
        d = d.astimezone(self.tz)
        return d.strftime("%Y-%m-%d %H:%M:%S.") + f"{d.microsecond // 1000:03d}"

    def fmt_logcat(self, d: datetime) -> str:
        d = d.astimezone(self.tz)
        return d.strftime("%m-%d %H:%M:%S.") + f"{d.microsecond // 1000:03d}"

    @staticmethod
    def epoch(d: datetime) -> int:
        return int(d.timestamp())

    @staticmethod
    def ms(d: datetime) -> int:
        return int(d.timestamp() * 1000)

    def battery_level(self, when: datetime) -> int:
        for (t1, l1), (t2, l2) in itertools.pairwise(self.battery_anchors):
            if t1 <= when <= t2:
                return round(l1 + (l2 - l1) * ((when - t1) / (t2 - t1)))
        return self.battery_anchors[-1][1]

    # -- logcat helpers ----------------------------------------------------------------------------
    def add_log(self, buf: str, when: datetime, pid: int, tid: int, level: str, tag: str, msg: str) -> None:
        self.log.append(LogLine(when, len(self.log), buf, pid, tid, level, tag, msg))

    def ev(self, when: datetime, tag: str, payload: str, pid: int | None = None, tid: int | None = None) -> None:
        pid = pid if pid is not None else self.pid_system_server
        self.add_log("events", when, pid, tid or pid + self.rng.randint(60, 240), "I", tag, payload)

    def sysl(self, when: datetime, level: str, tag: str, msg: str, tid: int | None = None) -> None:
        ss = self.pid_system_server
        self.add_log("system", when, ss, tid or ss + 100 + self.rng.randint(0, 150), level, tag, msg)

    def main(self, when: datetime, pid: int, level: str, tag: str, msg: str, tid: int | None = None) -> None:
        self.add_log("main", when, pid, tid or pid, level, tag, msg)

    pid_system_server = 1000

    # -- writers -----------------------------------------------------------------------------------
    def command_file(self, argv: list[str], filename: str, text: str) -> None:
        (self.cmd_dir / filename).write_bytes(text.encode("utf-8"))
        self.commands.append({"argv": argv, "stdout": filename})

    def command_text(self, argv: list[str], text: str, exit_code: int = 0) -> None:
        entry: dict = {"argv": argv, "text": text}
        if exit_code:
            entry["exit"] = exit_code
        self.commands.append(entry)

    def put_file(self, path: str, data: bytes, *, mtime: datetime, uid: int, gid: int = 1023, mode: str = "0660",
                 atime: datetime | None = None, ctime: datetime | None = None) -> None:
        host = self.fs / path.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        host.write_bytes(data)
        self.set_meta(path, mtime=mtime, uid=uid, gid=gid, mode=mode, atime=atime, ctime=ctime)

    def set_meta(self, path: str, *, mtime: datetime, uid: int, gid: int, mode: str,
                 atime: datetime | None = None, ctime: datetime | None = None) -> None:
        self.meta[path] = {"mtime": self.epoch(mtime), "atime": self.epoch(atime or mtime),
                           "ctime": self.epoch(ctime or mtime), "mode": mode, "uid": uid, "gid": gid}

    # -- the whole profile -------------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def write_files(self) -> None:
        raise NotImplementedError

    def banner(self) -> dict[str, str]:
        return {k: self.props[k] for k in ("ro.product.name", "ro.product.model", "ro.product.device")}

    def apk_meta(self) -> None:
        """Owners, modes and times of the APKs (copied in by scripts/build_fixture_apks.sh)."""
        for app in self.apps:
            if app.system:
                self.set_meta(app.apk, mtime=FACTORY_TIME, uid=0, gid=0, mode="0644")
            else:
                self.set_meta(app.apk, mtime=app.last_update, uid=1000, gid=1000, mode="0644")
                self.set_meta(app.code_path, mtime=app.last_update, uid=1000, gid=1000, mode="0775")
                if self.sdk >= 30:  # Android 11+: /data/app/~~random==/pkg-random==/
                    self.set_meta(app.code_path.rsplit("/", 1)[0], mtime=app.last_update, uid=1000, gid=1000,
                                  mode="0771")

    def write(self) -> None:
        self.build()
        for path in (self.cmd_dir, self.fs / "sdcard", self.fs / "proc"):
            if path.exists():
                shutil.rmtree(path)
        self.cmd_dir.mkdir(parents=True)
        for stale in ("profile.yaml", "commands.yaml", "fs_meta.yaml"):
            (self.root / stale).unlink(missing_ok=True)

        self.command_file(["getprop"], "getprop.txt", self.render_getprop())
        for ns in ("global", "secure", "system"):
            self.command_file(["settings", "list", ns], f"settings_{ns}.txt",
                              "".join(f"{k}={v}\n" for k, v in sorted(self.settings[ns].items())))
        self.command_file(["ps", "-A"], "ps_A.txt", self.render_ps())
        self.command_file(["logcat", "-d", "-b", "all", "-v", "threadtime"], "logcat_all.txt", self.render_logcat())
        for service in ("package", "accessibility", "device_policy", "usagestats", "appops", "adb", "notification",
                        "wifi", "batterystats"):
            self.command_file(["dumpsys", service], f"dumpsys_{service}.txt", getattr(self, f"dumpsys_{service}")())
        flags = "c13" if self.sdk >= 30 else "13"  # FLAG_FULL|FLAG_SYSTEM (0xc00) exist since Android 11
        self.command_text(["pm", "list", "users"], f"Users:\n\tUserInfo{{0:Owner:{flags}}} running\n")
        self.command_file(["pm", "list", "packages", "-f", "-i", "-U", "-u", "--show-versioncode", "--user", "0"],
                          "pm_list_packages_all.txt", self.pm_list_full())
        self.command_file(["pm", "list", "packages", "--user", "0"], "pm_list_packages.txt", self.pm_list(""))
        self.command_file(["pm", "list", "packages", "-s", "--user", "0"], "pm_list_packages_s.txt",
                          self.pm_list("s"))
        self.command_file(["pm", "list", "packages", "-3", "--user", "0"], "pm_list_packages_3.txt",
                          self.pm_list("3"))
        self.command_text(["pm", "list", "packages", "-d", "--user", "0"], self.pm_list("d"))
        for name in self.list_order:
            self.command_text(["pm", "path", name, "--user", "0"], f"package:{self.app(name).apk}\n")

        self.write_files()
        self.write_proc_net()
        self.apk_meta()
        for app in self.apps:
            if not (self.fs / app.apk.lstrip("/")).is_file():
                print(f"warning: {self.name}: {app.apk} is missing; run scripts/build_fixture_apks.sh",
                      file=sys.stderr)

        header = (f"# Simulated phone \"{self.name}\" (fiction): written by scripts/make_profiles.py; "
                  "see README.md.\n")
        profile = {"serial": self.props["ro.serialno"], "banner": self.banner(), "features": []}
        (self.root / "profile.yaml").write_text(header + yaml.safe_dump(profile, sort_keys=False, allow_unicode=True))
        (self.root / "commands.yaml").write_text(header + yaml.safe_dump(
            self.commands, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None))
        offset = f"UTC{self.utc_offset_h:+d}"
        (self.root / "fs_meta.yaml").write_text(
            header + f"# Times are Unix seconds (UTC); the phone shows them in {self.props['persist.sys.timezone']} "
            f"({offset}).\n" + yaml.safe_dump(dict(sorted(self.meta.items())), sort_keys=False, allow_unicode=True,
                                              width=120))
        print(f"wrote {self.root}")

    def app(self, name: str) -> App:
        return next(a for a in self.apps if a.name == name)

    # -- getprop / ps ------------------------------------------------------------------------------
    def render_getprop(self) -> str:
        return "".join(f"[{k}]: [{self.props[k]}]\n" for k in sorted(self.props))

    def render_ps(self) -> str:
        out = ["USER           PID  PPID        VSZ    RSS WCHAN            ADDR S NAME                       "]
        old_kernel = {"do_epoll_wait": "SyS_epoll_wait", "do_sys_poll": "poll_schedule_timeout",
                      "__do_sys_rt_sigtimedwait": "do_sigtimedwait"}  # 4.9 kernels of Android 9 phones
        for user, pid, ppid, vsz, rss, wchan, state, name in self.processes:
            if self.sdk < 29:
                wchan = old_kernel.get(wchan, wchan)
            out.append(f"{user:<12}{pid:>6}{ppid:>6}{vsz:>11}{rss:>7} {wchan[:16]:<16}{0:>6} {state} {name}")
        return "\n".join(out) + "\n"

    # -- logcat ------------------------------------------------------------------------------------
    def render_logcat(self) -> str:
        out: list[str] = []
        seen: set[str] = set()
        for line in sorted(self.log):
            if line.buffer not in seen:
                seen.add(line.buffer)
                out.append(f"--------- beginning of {line.buffer}")
            tag = line.tag if len(line.tag) >= 8 else f"{line.tag:<8}"
            out.append(f"{self.fmt_logcat(line.when)} {line.pid:>5} {line.tid:>5} {line.level} {tag}: {line.message}")
        return "\n".join(out) + "\n"

    def battery_level_events(self, start: datetime, end: datetime) -> None:
        """events: battery_level whenever the level changes (sampled every 7 minutes)."""
        last = None
        minutes = int((end - start).total_seconds() // 60)
        for i in range(0, minutes, 7):
            when = start + timedelta(minutes=i, seconds=self.rng.randint(0, 50), milliseconds=self.rng.randint(0, 999))
            if when > end:
                break
            level = self.battery_level(when)
            if level != last:
                volt = 3700 + level * 6 + self.rng.randint(-20, 20)
                self.ev(when, "battery_level", f"[{level},{volt},{285 + self.rng.randint(0, 60)}]")
                last = level

    # -- pm ----------------------------------------------------------------------------------------
    def pm_list_full(self) -> str:
        # two spaces before "installer=": PackageManagerShellCommand prints it that way (Android 9-14)
        return "".join(f"package:{a.apk}={a.name} versionCode:{a.version_code}  installer={a.installer or 'null'} "
                       f"uid:{a.uid}\n" for a in map(self.app, self.list_order))

    def pm_list(self, which: str) -> str:
        names = []
        for app in map(self.app, self.list_order):
            if (which == "s" and not app.system) or (which == "3" and app.system) or which == "d":
                continue
            names.append(f"package:{app.name}\n")
        return "".join(names)

    # -- dumpsys package ---------------------------------------------------------------------------
    def dumpsys_package(self) -> str:
        o: list[str] = []
        w = o.append
        fingerprint = self.props["ro.build.fingerprint"]
        w("Database versions:")
        for kind in ("Internal", "External"):
            w(f"  {kind}:")
            w(f"    sdkVersion={self.sdk} databaseVersion=3")
            w(f"    fingerprint={fingerprint}")
        w("")
        w("Libraries:")
        libs = ["android.test.base", "android.test.mock", "android.test.runner", "javax.obex",
                "org.apache.http.legacy", "com.android.location.provider", "com.android.media.remotedisplay",
                "com.android.mediadrm.signer"]
        if self.sdk >= 30:
            libs.insert(3, "android.net.ipsec.ike")
        for lib in libs:
            w(f"  {lib} -> (jar) /system/framework/{lib}.jar")
        w("")
        w("Features:")
        w(f"  reqGlEsVersion=0x{self.gles:x}")
        for feat in self.features:
            w(f"  {feat}")
        w("")
        w("Activity Resolver Table:")
        w("  Non-Data Actions:")
        by_action: dict[str, list[tuple[App, str, list[str]]]] = {}
        for app in self.apps:
            if app.home:
                by_action.setdefault("android.intent.action.MAIN", []).append(
                    (app, app.activities[0], ["android.intent.category.HOME", "android.intent.category.DEFAULT"]))
            elif app.launcher and app.activities:
                by_action.setdefault("android.intent.action.MAIN", []).append(
                    (app, app.activities[0], ["android.intent.category.LAUNCHER"]))
            for activity, action, category in app.extra_filters:
                by_action.setdefault(action, []).append((app, activity, [category]))
        for action in sorted(by_action):
            w(f"      {action}:")
            for app, activity, categories in by_action[action]:
                w(f"        {hexid('act', self.name, app.name, activity)} {app.short(activity)} filter "
                  f"{hexid('filter', self.name, app.name, activity, action)}")
                w(f"          Action: \"{action}\"")
                for category in categories:
                    w(f"          Category: \"{category}\"")
        w("")
        receivers = [(app, cls, action) for app in self.apps for cls, action in app.receivers]
        if receivers:
            w("Receiver Resolver Table:")
            w("  Non-Data Actions:")
            for app, cls, action in receivers:
                w(f"      {action}:")
                w(f"        {hexid('rcv', self.name, app.name, cls)} {app.short(cls)} filter "
                  f"{hexid('rfilter', self.name, app.name, cls)}")
                w(f"          Action: \"{action}\"")
            w("")
        services = [(app, s) for app in self.apps for s in app.services]
        if services:
            w("Service Resolver Table:")
            w("  Non-Data Actions:")
            for app, svc in sorted(services, key=lambda x: x[1].action):
                w(f"      {svc.action}:")
                w(f"        {hexid('svc', self.name, app.name, svc.cls)} {app.short(svc.cls)} filter "
                  f"{hexid('sfilter', self.name, app.name, svc.cls)} permission {svc.permission}")
                w(f"          Action: \"{svc.action}\"")
            w("")
        home = next(a for a in self.apps if a.home)
        w("Preferred Activities User 0:")
        w("  Non-Data Actions:")
        w("      android.intent.action.MAIN:")
        w(f"        {hexid('pref-home', self.name)} {home.short(home.activities[0])} filter "
          f"{hexid('pref-home-filter', self.name)}")
        w("          Action: \"android.intent.action.MAIN\"")
        w("          Category: \"android.intent.category.HOME\"")
        w("          Category: \"android.intent.category.DEFAULT\"")
        w("")
        w("Key Set Manager:")
        for i, app in enumerate(self.apps):
            w(f"  [{app.name}]")
            w(f"      Signing KeySets: {11 + i * 3}")
        w("")
        w("Packages:")
        for name in self.list_order:
            o.extend(self._package_block(self.app(name)))
        w("")
        if self.sdk >= 30:
            w("Queries:")
            w("  system apps queryable: false")
            w("  queries via forceQueryable:")
            w("  queries via package name:")
            w("  queries via intent:")
            w(f"    {home.name}:")
            for app in self.apps:
                if app is not home and app.launcher and app.activities:
                    w(f"      {app.name}")
            w("  queryable via interaction:")
            w("  queryable via uses-library:")
            w("")
        w("Package Changes:")
        w(f"  Sequence number={len(self.package_changes)}")
        w("  User 0:")
        for i, pkg in enumerate(self.package_changes, 1):
            w(f"    seq={i}, package={pkg}")
        w("")
        w("Frozen packages:")
        w("  (none)")
        w("")
        w("Loaded volumes:")
        w("  (none)")
        w("")
        w("Service permissions:")
        w("")
        w("Dexopt state:")
        isa = self.props["ro.product.cpu.abi"].split("-")[0]
        for app in self.apps:
            w(f"  [{app.name}]")
            w(f"    path: {app.apk}")
            status = "speed-profile" if app.system else ("quicken" if self.sdk < 31 else "verify")
            reason = "bg-dexopt" if app.system else "install"
            w(f"      {isa}: [status={status}] [reason={reason}]")
        w("")
        w("Compiler stats:")
        for app in self.apps:
            w(f"  [{app.name}]")
            w(f"     {app.apk.rsplit('/', 1)[1]} - {180 + len(app.name) * 7}")
        if self.sdk >= 29:
            w("")
            w("Active APEX packages:")
            for apex in ("com.android.adbd", "com.android.art", "com.android.conscrypt", "com.android.media",
                         "com.android.permission", "com.android.tzdata", "com.android.wifi"):
                if self.sdk < 31 and apex in ("com.android.adbd", "com.android.wifi"):
                    continue
                w(f"  Package: {apex}")
                w(f"    Version: {self.apex_version}")
                w(f"    Path: /system/apex/{apex}.apex")
                w("    IsActive: true")
                w("    IsFactory: true")
                w("")
            w("Inactive APEX packages:")
            w("")
            w("Factory APEX packages:")
        return "\n".join(o) + "\n"

    package_changes: list[str] = []
    gles = 0x30002
    apex_version = "300000000"
    features: list[str] = []

    def _package_block(self, app: App) -> list[str]:
        o: list[str] = []
        w = o.append
        sdk = self.sdk
        w(f"  Package [{app.name}] ({hexid('ps', self.name, app.name)}):")
        w(f"    userId={app.uid}")
        w(f"    pkg=Package{{{hexid('pkg', self.name, app.name)} {app.name}}}")
        w(f"    codePath={app.code_path}")
        w(f"    resourcePath={app.code_path}")
        w(f"    legacyNativeLibraryDir={app.code_path}/lib")
        if sdk >= 31:
            w(f"    extractNativeLibs={'true' if app.target_sdk is None or app.target_sdk < 23 else 'false'}")
        w("    primaryCpuAbi=null")
        w("    secondaryCpuAbi=null")
        if sdk >= 30:
            w("    cpuAbiOverride=null")
        target = app.target_sdk if app.target_sdk is not None else app.min_sdk
        w(f"    versionCode={app.version_code} minSdk={app.min_sdk} targetSdk={target}")
        if sdk >= 31:
            w("    minExtensionVersions=[]")
        w(f"    versionName={app.version_name}")
        if sdk >= 29:
            w("    usesNonSdkApi=false")
        w("    splits=[base]")
        w(f"    apkSigningVersion={app.signing}")
        if sdk < 30:
            w(f"    applicationInfo=ApplicationInfo{{{hexid('ai', self.name, app.name)} {app.name}}}")
        flags = (["SYSTEM"] if app.system else []) + (["DEBUGGABLE"] if app.debuggable else [])
        flags += ["HAS_CODE", "ALLOW_CLEAR_USER_DATA"] + (["ALLOW_BACKUP"] if app.allow_backup and not app.system
                                                           else [])
        w(f"    flags=[ {' '.join(flags)} ]")
        pflags = ["PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION"]
        if sdk >= 29:
            pflags.append("ALLOW_AUDIO_PLAYBACK_CAPTURE")
        if sdk >= 29 and target < 29:
            pflags.append("PRIVATE_FLAG_REQUEST_LEGACY_EXTERNAL_STORAGE")
        if app.privileged:
            pflags.append("PRIVILEGED")
        if app.apk.startswith("/product/"):
            pflags.append("PRODUCT")
        if app.apk.startswith("/system_ext/"):
            pflags.append("SYSTEM_EXT")
        if sdk >= 30:
            pflags.append("PRIVATE_FLAG_ALLOW_NATIVE_HEAP_POINTER_TAGGING")
        w(f"    privateFlags=[ {' '.join(pflags)} ]")
        if sdk >= 30:
            w("    forceQueryable=false")
            w("    queriesPackages=[]")
        w(f"    dataDir=/data/user/0/{app.name}")
        w("    supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]")
        if app.home:
            w("    usesLibraries:")
            w("      android.test.base")
        w(f"    timeStamp={self.fmt_s(app.last_update)}")
        if sdk < 33:
            w(f"    firstInstallTime={self.fmt_s(app.first_install)}")
        w(f"    lastUpdateTime={self.fmt_s(app.last_update)}")
        if app.installer:
            w(f"    installerPackageName={app.installer}")
        if sdk >= 30 and (app.initiator or app.installer):
            w(f"    installInitiatingPackageName={app.initiator or app.installer}")
        if sdk >= 33:
            w(f"    packageSource={app.package_source}")
        w(f"    signatures=PackageSignatures{{{hexid('sigs', self.name, app.name)} version:{app.signing}, "
          f"signatures:[{app.sig_hash}], past signatures:[]}}")
        w("    installPermissionsFixed=true")
        w(f"    pkgFlags=[ {' '.join(flags)} ]")
        w("    requested permissions:")
        for perm in app.permissions:
            w(f"      {perm}")
        install_perms = [p for p in app.permissions if p not in RUNTIME_PERMS]
        if install_perms:
            w("    install permissions:")
            for perm in install_perms:
                w(f"      {perm}: granted=true")
        user = f"    User 0: ceDataInode={app.ce_inode} installed=true hidden=false suspended=false "
        if sdk >= 29:
            user += "distractionFlags=0 "
        user += "stopped=false notLaunched=false enabled=0 instant=false virtual=false"
        w(user)
        if sdk >= 33:
            w("      installReason=0")
            w(f"      firstInstallTime={self.fmt_s(app.first_install)}")
            w("      uninstallReason=0")
        if "android.permission.INTERNET" in app.permissions:
            w("      gids=[3003]")
        if app.runtime_granted:
            w("      runtime permissions:")
            legacy = target < 23
            for perm in app.runtime_granted:
                if sdk < 29:
                    flag = "[ ]" if legacy else ("[ GRANTED_BY_DEFAULT ]" if app.system else "[ USER_SET ]")
                elif legacy:
                    flag = "[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]"
                elif app.system:
                    flag = "[ GRANTED_BY_DEFAULT|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]"
                else:
                    flag = "[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]"
                w(f"        {perm}: granted=true, flags={flag}")
        return o

    # -- dumpsys accessibility ---------------------------------------------------------------------
    def _a11y_service(self, app: App, svc: Service, feedback: str, capabilities: int, timeout: int) -> str:
        return (f"Service[label={svc.label}, feedbackType{feedback}, capabilities={capabilities}, "
                f"eventTypes=TYPES_ALL_MASK, notificationTimeout={timeout}, requestA11yBtn=false]")

    def dumpsys_accessibility(self) -> str:
        bound = ", ".join(self._a11y_service(*entry) for entry in self.a11y)
        enabled = ", ".join("{" + app.flat(svc.cls) + "}" for app, svc, *_ in self.a11y)  # toShortString()
        touch = "true" if self.a11y_touch_exploration else "false"
        if self.sdk < 29:
            return ("ACCESSIBILITY MANAGER (dumpsys accessibility)\n\n"
                    f"User state[attributes:{{id=0, currentUser=true, touchExplorationEnabled={touch}, "
                    "displayMagnificationEnabled=false, navBarMagnificationEnabled=false, autoclickEnabled=false}\n"
                    f"           services:{{{bound}}}]\n\n"
                    "global window list:\n\n")
        attrs = (f"id=0, touchExplorationEnabled={touch}, serviceHandlesDoubleTap=false, "
                 "requestMultiFingerGestures=false, requestTwoFingerPassthrough=false, ")
        if self.sdk >= 33:
            attrs += "sendMotionEventsEnabled=false, "
        attrs += ("displayMagnificationEnabled=false, autoclickEnabled=false, nonInteractiveUiTimeout=0, "
                  f"interactiveUiTimeout=0, installedServiceCount={len(self.a11y)}")
        if self.sdk >= 33:
            attrs += (", magnificationModes=1, magnificationCapabilities=1, audioDescriptionByDefaultEnabled=false, "
                      "magnificationFollowTypingEnabled=true")
        lines = ["ACCESSIBILITY MANAGER (dumpsys accessibility)", "", "currentUserId=0"]
        if self.sdk >= 33:
            lines += ["hasWindowMagnificationConnection=false", "mWindowMagnificationConnectionState=null"]
        lines += ["User state[", f"     attributes:{{{attrs}}}", "     shortcut key:{}", "     button target:{null}",
                  f"     Bound services:{{{bound}}}", f"     Enabled services:{{{enabled}}}",
                  "     Binding services:{}", "     Crashed services:{}", "     Client list info:{"]
        for pid, app in self.a11y_clients:
            lines.append(f"          PID: {pid}, Package names: [{app.name}], Interactive connection: none")
        lines += ["     }", "]", ""]
        if self.sdk >= 33:
            lines += ["Microphone mute state: false", ""]
        lines += ["global window list:", "", "Magnification Controller:", "  mMagnificationCapabilities=1", ""]
        return "\n".join(lines) + "\n"

    # -- dumpsys device_policy ---------------------------------------------------------------------
    def dumpsys_device_policy(self) -> str:
        lines = ["Current Device Policy Manager state:"]
        if self.sdk >= 31:
            lines += ["  Immutable state:", "    mHasFeature=true", "    mIsWatch=false", "    mIsAutomotive=false",
                      "    mHasTelephonyFeature=true", "    mSafetyChecker=null"]
        lines += ["  Device Owner Type: -1" if self.sdk >= 30 else "  mHasFeature=true",
                  "  Enabled Device Admins (User 0, provisioningState: 0):",
                  "  Device Admin Policies (User 0):" if self.sdk >= 31 else "",
                  "    mPasswordOwner=-1", "    mUserSetupComplete=true", "    mPaired=false",
                  "    mUserProvisioningState=0", "    mAffiliationIds=[]", "    mLastSecurityLogRetrievalTime=-1",
                  "    mLastBugReportRequestTime=-1", "    mLastNetworkLogsRetrievalTime=-1",
                  "    mAdminBroadcastPending=false", "    mLockTaskPackages=[]", "    mLockTaskFeatures=16",
                  "  Encryption Status: per-user" if self.sdk >= 29 else "  Encryption Status: unknown",
                  "  mSecurityLoggingEnabled? false" if self.sdk >= 30 else "",
                  "  mNetworkLoggingEnabled? false" if self.sdk >= 30 else ""]
        return "\n".join(line for line in lines if line) + "\n"

    # -- dumpsys usagestats ------------------------------------------------------------------------
    def usage_event(self, when: datetime, kind: str, pkg: str, cls: str | None = None, *,
                    instance: int | None = None, root: tuple[str, str] | None = None, extra: str = "") -> None:
        if self.sdk < 29:  # Android 9 names the pair MOVE_TO_FOREGROUND / MOVE_TO_BACKGROUND
            kind = {"ACTIVITY_RESUMED": "MOVE_TO_FOREGROUND", "ACTIVITY_PAUSED": "MOVE_TO_BACKGROUND"}.get(kind, kind)
            if kind == "ACTIVITY_STOPPED":
                return
            instance, root = None, None
        parts = [f"time=\"{self.fmt_s(when)}\"", f"type={kind}", f"package={pkg}"]
        if cls:
            parts.append(f"class={cls}")
        if extra:
            parts.append(extra)
        if instance is not None:
            parts.append(f"instanceId={instance}")
        if root:
            parts += [f"taskRootPackage={root[0]}", f"taskRootClass={root[1]}"]
        parts.append("flags=0x0")
        self.usage.append((when, "  " + " ".join(parts)))

    def usage_session(self, app: App, cls: str, start: datetime, end: datetime, instance: int) -> None:
        root = (app.name, cls)
        self.usage_event(start, "ACTIVITY_RESUMED", app.name, cls, instance=instance, root=root)
        self.usage_event(end, "ACTIVITY_PAUSED", app.name, cls, instance=instance, root=root)
        self.usage_event(end + timedelta(milliseconds=600), "ACTIVITY_STOPPED", app.name, cls, instance=instance,
                         root=root)

    def dumpsys_usagestats(self) -> str:
        o: list[str] = []
        w = o.append
        since = self.now - timedelta(hours=24)
        w("user=0")
        w(f"Last 24 hour events (timeRange=\"{self.fmt_s(since)} - {self.fmt_s(self.now)}\")")
        o.extend(line for when, line in sorted(self.usage, key=lambda item: item[0]) if when >= since)
        w("")
        w("In-memory daily stats")
        day_start = self.now.replace(hour=0, minute=0, second=0, microsecond=0)
        w(f"timeRange=\"{self.fmt_s(day_start)} - {self.fmt_s(self.now)}\"")
        w("  packages")
        for app, total, last, launches in self.daily:
            if self.sdk < 29:
                w(f"    package={app.name} totalTime=\"{total}\" lastTime=\"{self.fmt_s(last)}\" "
                  f"appLaunchCount={launches} ")
            else:
                w(f"    package={app.name} totalTimeUsed=\"{total}\" lastTimeUsed=\"{self.fmt_s(last)}\" "
                  f"totalTimeVisible=\"{total}\" lastTimeVisible=\"{self.fmt_s(last)}\" "
                  f"totalTimeFS=\"00:00\" lastTimeFS=\"1970-01-01 {self.utc_offset_h:02d}:00:00\" "
                  f"appLaunchCount={launches} ")
        w("  ChooserCounts")
        w("  configurations")
        w("  event aggregations")
        screen_on = sum(1 for _, line in self.usage if "type=SCREEN_INTERACTIVE" in line)
        w(f"    screen-interactive: count={screen_on}")
        w(f"    screen-non-interactive: count={max(screen_on - 1, 0)}")
        w("")
        w("App Standby States:")
        w("  User 0")
        for app in self.apps:
            last = self.last_used.get(app.name, self.now - timedelta(days=6))
            bucket, reason = (10, "u-mf") if self.now - last < timedelta(hours=12) else (
                (20, "t") if self.now - last < timedelta(days=2) else (30, "t"))
            if app.system and self.now - last >= timedelta(days=2):
                bucket, reason = 5, "d"
            w(f"    {app.name} u=0 bucket={bucket} reason={reason} used={fmt_duration(last - self.now)} "
              f"usedScr={fmt_duration(last - self.now)} lastPred=--- activeLeft=0 wsLeft=0 lastJob=--- idle=n")
        w("")
        return "\n".join(o) + "\n"

    # -- dumpsys appops ----------------------------------------------------------------------------
    def dumpsys_appops(self) -> str:
        o: list[str] = []
        w = o.append
        w("Current AppOps Service state:")
        w("  Settings:")
        if self.sdk < 29:
            w("    top_state_settle_time=+30s0ms")
            w("    fg_service_state_settle_time=+10s0ms")
        else:
            w("    top_state_settle_time=+5s0ms")
            w("    fg_service_state_settle_time=+5s0ms")
        w("    bg_state_settle_time=+1s0ms")
        w("")
        for app, state, ops in self.appops:
            w(f"  Uid {app.uid}:")
            w(f"    state={state}")
            if self.sdk >= 30:
                w("    capability=----")
                w("    appWidgetVisible=false")
            w(f"    Package {app.name}:")
            for op in ops:
                if self.sdk < 29:
                    parts = []
                    for st, when, duration in op.accesses:
                        parts.append(f"time={fmt_duration(self.now - when)} ago ({st.split('-')[0]})")
                        if duration:
                            parts.append(f"duration={duration}")
                    for st, when in op.rejects:
                        parts.append(f"rejectTime={fmt_duration(self.now - when)} ago ({st.split('-')[0]})")
                    w(f"      {op.name} ({op.mode})" + (": " + "; ".join(parts) if parts else ""))
                    continue
                w(f"      {op.name} ({op.mode}):")
                if not op.accesses and not op.rejects:
                    continue
                w("        null=[")
                for st, when, duration in op.accesses:
                    extra = f" duration={duration}" if duration else ""
                    w(f"          Access: [{st}] {self.fmt_ms(when)} ({fmt_duration(when - self.now)}){extra}")
                for st, when in op.rejects:
                    w(f"          Reject: [{st}] {self.fmt_ms(when)} ({fmt_duration(when - self.now)})")
                w("        ]")
        return "\n".join(o) + "\n"

    # -- dumpsys adb -------------------------------------------------------------------------------
    def dumpsys_adb(self) -> str:
        if self.sdk < 29:  # AdbService (and `dumpsys adb`) arrived in Android 10; the keys show in `dumpsys usb`
            return "Can't find service: adb\n"
        entries = "".join(f"<adbKey key=\"{key}\" lastConnection=\"{self.ms(last)}\" />\n"
                          for key, last in self.adb_keys)
        keystore = ("<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<keyStore version=\"1\">\n"
                    f"{entries}</keyStore>\n")
        user_keys = "\n".join(key for key, _ in self.adb_keys)
        return ("ADB MANAGER STATE (dumpsys adb):\n{\n  debugging_manager={\n    connected_to_adb=true\n"
                f"    last_key_received={self.adb_last_key}\n    user_keys={user_keys}\n\n    system_keys=\n"
                f"    keystore={keystore}  }}\n}}\n")

    @staticmethod
    def key_fingerprint(key: str) -> str:
        """What the "Allow USB debugging?" dialog shows: MD5 of the decoded key, colon-separated."""
        return ":".join(f"{b:02X}" for b in hashlib.md5(base64.b64decode(key.split()[0])).digest())

    # -- dumpsys notification ----------------------------------------------------------------------
    def dumpsys_notification(self) -> str:
        o: list[str] = []
        w = o.append
        w("Current Notification Manager state:")
        w("  Notification List:")
        for n in self.notifications:
            key = f"0|{n['pkg']}|{n['id']}|null|{n['uid']}"
            w(f"    NotificationRecord({hexid('nr', self.name, key)}: pkg={n['pkg']} user=UserHandle{{0}} id={n['id']} "
              f"tag=null importance={n['importance']} key={key}: Notification(channel={n['channel']} "
              f"shortcut=null contentView=null vibrate=null sound=null defaults=0x0 flags={n['flags']} "
              f"color=0x00000000 vis={n.get('vis', 'PRIVATE')}))")
            w(f"      uid={n['uid']} userId=0")
            w(f"      opPkg={n['pkg']}")
            w(f"      flags={n['flags']}")
            w(f"      key={key}")
            w(f"      postTime={self.ms(n['when'])}")
            if n.get("title"):
                w("      notification=")
                w("          extras={")
                w(f"              android.title=String ({n['title']})")
                w(f"              android.text=String ({n['text']})")
                w("          }")
        w("")
        w(f"  mArchive ({len(self.archive)} notifications):")
        for pkg, nid, uid, channel, flags in self.archive:
            w(f"    StatusBarNotification(pkg={pkg} user=UserHandle{{0}} id={nid} tag=null key=0|{pkg}|{nid}|null|"
              f"{uid}: Notification(channel={channel} shortcut=null contentView=null vibrate=null sound=null "
              f"defaults=0x0 flags={flags} color=0x00000000 vis=PRIVATE))")
        w("")
        w("  Snoozed notifications:")
        w("")
        w("  mMaxPackageEnqueueRate=5.0")
        w("  mSystemReady=true")
        w("")
        w("  Notification listeners:")
        w("    Allowed notification listeners:")
        if self.listeners:
            w("      " + ":".join(app.flat(svc.cls) for app, svc in self.listeners) + " (user: 0 isPrimary: true)")
        w(f"    All notification listeners ({len(self.listeners)}) enabled for current profiles:")
        for app, svc in self.listeners:
            w(f"      ComponentInfo{{{app.flat(svc.cls)}}}")
        w(f"    Live notification listeners ({len(self.listeners)}):")
        for app, svc in self.listeners:
            proxy = hexid("listener", self.name, app.name)
            w(f"      ComponentInfo{{{app.flat(svc.cls)}}} (user 0): "
              f"android.service.notification.INotificationListener$Stub$Proxy@{proxy}")
        w("")
        w("  Policy access:")
        w("    allowed packages: ")
        w("")
        return "\n".join(o) + "\n"

    # -- dumpsys wifi ------------------------------------------------------------------------------
    def dumpsys_wifi(self) -> str:
        o: list[str] = []
        w = o.append
        w("Wi-Fi is enabled")
        w("Verbose logging is off")
        w("Stay-awake conditions: 0")
        w("mInIdleMode false")
        w("mScanPending false")
        w("")
        w("WifiConfigManager - Log Begin ----")
        for when, text in sorted(self.wifi_log):
            w(f"{self.fmt_logcat(when)} - {text}")
        w("WifiConfigManager - Log End ----")
        w("WifiConfigManager - Configured networks Begin ----")
        for net in self.wifi_saved:
            current = "true" if net.current else "false"
            pmf = "true" if net.key_mgmt == "SAE" else "false"
            head = (f"ID: {net.nid} SSID: \"{net.ssid}\" PROVIDER-NAME: null BSSID: null FQDN: null "
                    f"HOME-PROVIDER-NETWORK: false PRIO: 0 HIDDEN: false PMF: {pmf}")
            if self.sdk >= 30:
                head += f" CarrierId: -1 SubscriptionId: -1 Currently Connected: {current}"
            w(head)
            w(" NetworkSelectionStatus NETWORK_SELECTION_ENABLED")
            w(" hasEverConnected: true")
            protocols = "" if net.key_mgmt == "NONE" else ("RSN" if net.key_mgmt == "SAE" else "WPA RSN")
            w(f" KeyMgmt: {net.key_mgmt} Protocols: {protocols}")
            w(" AuthAlgorithms:")
            w(" PairwiseCiphers: CCMP")
            w(" GroupCiphers: CCMP TKIP")
            w(" IP config:")
            w("IP assignment: DHCP")
            w("Proxy settings: NONE")
            w(f" cuid={net.creator_uid} cname={net.creator_name} luid={net.creator_uid} lname={net.creator_name} "
              f"lcuid=0 userApproved=USER_UNSPECIFIED noInternetAccessExpected=false")
            w(f" creation_time={self.fmt_ms(net.created)}")
            w(f" lastConnected: {self.fmt_ms(net.last_connected)}")
            if self.sdk >= 29:
                w(" randomizedMacAddress: 02:00:00:00:00:00")
                w(" macRandomizationSetting: " + ("3" if self.sdk >= 33 else "1"))
            w("")
        w("WifiConfigManager - Configured networks End ----")
        w(f"WifiConfigManager - Next network ID to be allocated {max(n.nid for n in self.wifi_saved) + 1}")
        current = next((n for n in self.wifi_saved if n.current), None)
        if current is not None:
            w(f"WifiConfigManager - Last selected network ID {current.nid}")
        w("")
        w("mConnectionEvents:")
        for when, ssid, bssid, duration, uid in self.wifi_events:
            w(f"startTime={self.fmt_logcat(when)}, SSID=\"{ssid}\", BSSID={bssid}, durationMillis={duration}, "
              f"roamType=ROAM_UNRELATED, connectionResult=1, level2FailureCode=NONE, "
              f"connectivityLevelFailureCode=NONE, signalStrength=-{55 + (uid % 7)}, wifiState=WIFI_ASSOCIATED, "
              f"screenOn=true, useRandomizedMac={'true' if self.sdk >= 29 else 'false'}, "
              f"connectChoiceUid={uid}, result=SUCCESS")
        w("")
        w("Latest scan results:")
        w("    BSSID              Frequency      RSSI           Age(sec)     SSID"
          "                                 Flags")
        for bssid, freq, rssi, age, ssid, flags in self.wifi_scan:
            w(f"  {bssid}{freq:>11}{rssi:>11}{age:>17.1f}      {ssid:<37}{flags}")
        w("")
        if current is not None:
            w(f"mLastNetworkId {current.nid}")
        w(self.wifi_info)
        w("")
        # the state machine's record log: the last IP provisioning of each connection, with its gateway
        w("WifiStateMachine:" if self.sdk < 29 else "ClientModeImpl:")
        w(f" total records={417 + len(self.wifi_dhcp)}")
        for i, (when, ssid, address, gateway, vendor) in enumerate(sorted(self.wifi_dhcp)):
            w(f" rec[{i}]: time={self.fmt_logcat(when)} processed=ObtainingIpState org=ObtainingIpState "
              f"dest=L3ConnectedState what=CMD_IPV4_PROVISIONING_SUCCESS screen=on 0 0 \"{ssid}\" DhcpResults: "
              f"IP address {address} Gateway {gateway}  DNS servers: [ {gateway} ] Domains  DHCP server "
              f"/{gateway} Vendor info {vendor} lease 3600 seconds")
        w("")
        return "\n".join(o) + "\n"

    # -- dumpsys batterystats ----------------------------------------------------------------------
    def dumpsys_batterystats(self) -> str:
        o: list[str] = []
        w = o.append
        start = self.battery_start
        assert start is not None
        w("Battery History (1% used, 38KB used of 4096KB, 81 strings using 5730):")
        w(f"{'0':>21} (9) RESET:TIME: {start.astimezone(self.tz).strftime('%Y-%m-%d-%H-%M-%S')}")
        for when, _level, text in sorted(self.battery_history, key=lambda item: item[0]):
            offset = "0" if when == start else fmt_duration(when - start)
            w(f"{offset:>21} (2) {self.battery_level(when):03d} {text}")  # the same curve as logcat's
        w("")
        w("Statistics since last charge:")
        s = self.battery_summary
        total = self.now - start
        w(f"  System starts: 0, currently on battery: {s['on_battery']}")
        w(f"  Estimated battery capacity: {s['capacity']} mAh")
        w(f"  Time on battery: {spaced(s['time_on_battery'])} ({s['time_on_battery'] / total:.1%}) realtime")
        w(f"  Total run time: {spaced(total)} realtime")
        w("  Start clock time: " + start.astimezone(self.tz).strftime("%Y-%m-%d-%H-%M-%S"))
        w(f"  Screen on: {spaced(s['screen_on'])} ({s['screen_on'] / total:.1%})")
        w("")
        w("  Estimated power use (mAh):")
        w(f"    Capacity: {s['capacity']}, Computed drain: {s['drain']}")
        for line in self.battery_power:
            w(f"    {line}")
        w("")
        for app, lines in self.battery_uids:
            w(f"  {app.bs_uid}:")
            o.extend(lines)
        w("")
        w("Daily stats:")
        day = self.now.astimezone(self.tz)
        w(f"  Current start time: {day.strftime('%Y-%m-%d')}-00-00-01")
        w(f"  Next min deadline: {(day + timedelta(days=1)).strftime('%Y-%m-%d')}-01-00-00")
        w("  Package changes:")
        for line in self.battery_package_changes:
            w(f"    {line}")
        w("")
        return "\n".join(o) + "\n"

    # -- /proc/net/tcp, tcp6 -----------------------------------------------------------------------
    @staticmethod
    def _hex4(ip: str) -> str:
        """An IPv4 address as the kernel prints it: the __be32 read as a little-endian number."""
        return "".join(f"{int(x):02X}" for x in reversed(ip.split(".")))

    @classmethod
    def _hex6(cls, ip: str) -> str:
        """A (v4-mapped or unspecified) IPv6 address as the kernel prints it: four little-endian words."""
        if ip == "::":
            return "0" * 32
        assert ip.startswith("::ffff:"), ip
        return "0000000000000000FFFF0000" + cls._hex4(ip[len("::ffff:"):])

    def write_proc_net(self) -> None:
        """fs/proc/net/tcp and tcp6 in the kernel's format (net/ipv4/tcp_ipv4.c, net/ipv6/tcp_ipv6.c)."""
        head4 = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
        lines = [f"{head4:<149}"]
        for i, (local, lport, remote, rport, state, timer, uid, inode, tail) in enumerate(self.tcp):
            row = (f"{i:4d}: {self._hex4(local)}:{lport:04X} {self._hex4(remote)}:{rport:04X} {state:02X} "
                   f"00000000:00000000 {timer} 00000000 {uid:5d} {0:8d} {inode} {tail}")
            lines.append(f"{row:<149}")
        tcp = "\n".join(lines) + "\n"
        lines = ["  sl  local_address                         remote_address                        st tx_queue "
                 "rx_queue tr tm->when retrnsmt   uid  timeout inode"]
        for i, (local, lport, remote, rport, state, timer, uid, inode, tail) in enumerate(self.tcp6):
            lines.append(f"{i:4d}: {self._hex6(local)}:{lport:04X} {self._hex6(remote)}:{rport:04X} {state:02X} "
                         f"00000000:00000000 {timer} 00000000 {uid:5d} {0:8d} {inode} {tail}")
        tcp6 = "\n".join(lines) + "\n"
        for name, text in (("tcp", tcp), ("tcp6", tcp6)):
            path = self.fs / "proc" / "net" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            # procfs: size 0 on stat, root-owned, 0444, times = now
            self.meta[f"/proc/net/{name}"] = {"mtime": self.epoch(self.now), "atime": self.epoch(self.now),
                                              "ctime": self.epoch(self.now), "mode": "0444", "uid": 0, "gid": 0}


# --------------------------------------------------------------------------------------------------
# Facts shared by the stories
# --------------------------------------------------------------------------------------------------

FEATURES = [
    "android.hardware.audio.output", "android.hardware.bluetooth", "android.hardware.bluetooth_le",
    "android.hardware.camera", "android.hardware.camera.any", "android.hardware.camera.autofocus",
    "android.hardware.camera.flash", "android.hardware.camera.front", "android.hardware.faketouch",
    "android.hardware.fingerprint", "android.hardware.location", "android.hardware.location.gps",
    "android.hardware.location.network", "android.hardware.microphone", "android.hardware.ram.normal",
    "android.hardware.screen.landscape", "android.hardware.screen.portrait",
    "android.hardware.sensor.accelerometer", "android.hardware.sensor.light", "android.hardware.sensor.proximity",
    "android.hardware.telephony", "android.hardware.telephony.gsm", "android.hardware.touchscreen",
    "android.hardware.usb.accessory", "android.hardware.usb.host", "android.hardware.wifi",
    "android.hardware.wifi.direct", "android.software.backup", "android.software.device_admin",
    "android.software.home_screen", "android.software.input_methods", "android.software.live_wallpaper",
    "android.software.managed_users", "android.software.verified_boot", "android.software.webview",
]

STAND_IN_PERMS = {
    "launcher": ("android.permission.QUERY_ALL_PACKAGES", "android.permission.SET_WALLPAPER",
                 "android.permission.VIBRATE"),
    "settings": ("android.permission.WRITE_SETTINGS", "android.permission.ACCESS_WIFI_STATE",
                 "android.permission.CHANGE_WIFI_STATE", "android.permission.BLUETOOTH_CONNECT"),
    "phone": ("android.permission.CALL_PHONE", "android.permission.READ_CALL_LOG", "android.permission.WRITE_CALL_LOG",
              "android.permission.READ_CONTACTS", "android.permission.READ_PHONE_STATE"),
    "camera": ("android.permission.CAMERA", "android.permission.RECORD_AUDIO",
               "android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_MEDIA_IMAGES"),
}
# Permissions that exist as runtime permissions from this SDK on (older phones ignore the request).
PERM_SINCE = {"android.permission.BLUETOOTH_CONNECT": 31, "android.permission.BLUETOOTH_SCAN": 31,
              "android.permission.READ_MEDIA_IMAGES": 33, "android.permission.POST_NOTIFICATIONS": 33,
              "android.permission.ACCESS_BACKGROUND_LOCATION": 29}


def stand_ins(p: Phone, uids: dict[str, int], paths: dict[str, str], setup: datetime,
              inodes: dict[str, int]) -> list[App]:
    """The four system stand-ins (scripts/apk-src/{launcher,settings,phone,camera}), built for p.sdk."""
    def granted(perms: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(x for x in perms if x in RUNTIME_PERMS and PERM_SINCE.get(x, 0) <= p.sdk)

    common = dict(version_code=p.sdk, version_name=p.release, min_sdk=p.sdk, target_sdk=p.sdk, installer=None,
                  first_install=setup, last_update=FACTORY_TIME, system=True, sig_hash="5f3c2a1b")
    return [
        App("org.demo.system.launcher", "Launcher", uids["launcher"], paths["launcher"], privileged=True,
            activities=("org.demo.system.launcher.LauncherActivity",), launcher=False, home=True,
            permissions=STAND_IN_PERMS["launcher"], ce_inode=inodes["launcher"], **common),
        App("org.demo.system.settings", "Settings", uids["settings"], paths["settings"], privileged=True,
            activities=("org.demo.system.settings.SettingsActivity",), permissions=STAND_IN_PERMS["settings"],
            runtime_granted=granted(STAND_IN_PERMS["settings"]), ce_inode=inodes["settings"], **common),
        App("org.demo.system.phone", "Phone", uids["phone"], paths["phone"], privileged=True,
            activities=("org.demo.system.phone.DialerActivity", "org.demo.system.phone.CallLogActivity"),
            extra_filters=(("org.demo.system.phone.DialerActivity", "android.intent.action.DIAL",
                            "android.intent.category.DEFAULT"),),
            permissions=STAND_IN_PERMS["phone"], runtime_granted=granted(STAND_IN_PERMS["phone"]),
            ce_inode=inodes["phone"], **common),
        App("org.demo.system.camera", "Camera", uids["camera"], paths["camera"],
            activities=("org.demo.system.camera.CameraActivity",), permissions=STAND_IN_PERMS["camera"],
            runtime_granted=granted(STAND_IN_PERMS["camera"]), ce_inode=inodes["camera"], **common),
    ]


def notes_app(p: Phone, uid: int, apk: str, installer: str, first: datetime, last: datetime, inode: int) -> App:
    """scripts/apk-src/notes (org.demo.notes 4.8.0), an ordinary app-store app."""
    perms = ("android.permission.INTERNET", "android.permission.POST_NOTIFICATIONS",
             "android.permission.RECEIVE_BOOT_COMPLETED")
    return App("org.demo.notes", "Notes", uid, apk, 48, "4.8.0", 24, 33, installer, first, last,
               activities=("org.demo.notes.NotesActivity", "org.demo.notes.EditorActivity"), permissions=perms,
               runtime_granted=tuple(x for x in perms if x in RUNTIME_PERMS and PERM_SINCE.get(x, 0) <= p.sdk),
               package_source=2, ce_inode=inode)


def torch_app(uid: int, apk: str, installer: str, first: datetime, inode: int) -> App:
    """scripts/apk-src/torch (org.demo.torch 2.3.1)."""
    return App("org.demo.torch", "Super Torch", uid, apk, 231, "2.3.1", 21, 30, installer, first, first,
               activities=("org.demo.torch.MainActivity", "org.demo.torch.SettingsActivity"),
               permissions=("android.permission.CAMERA", "android.permission.FLASHLIGHT",
                            "android.permission.READ_CONTACTS", "android.permission.INTERNET",
                            "android.permission.ACCESS_NETWORK_STATE"),
               runtime_granted=("android.permission.CAMERA", "android.permission.READ_CONTACTS"),
               package_source=2, ce_inode=inode)


def base_props(p: Phone, *, serial: str, fingerprint: str, build_id: str, incremental: str, patch: str,
               build_utc: int, build_date: str, boot: datetime, timezone_name: str, locale: str) -> dict[str, str]:
    """The AOSP part of getprop; the stories add their maker's and network's properties."""
    props = {
        "dalvik.vm.appimageformat": "lz4",
        "dalvik.vm.dex2oat-Xms": "64m",
        "dalvik.vm.dex2oat-Xmx": "512m",
        "dalvik.vm.heapgrowthlimit": "256m",
        "dalvik.vm.heapmaxfree": "8m",
        "dalvik.vm.heapminfree": "512k",
        "dalvik.vm.heapsize": "512m",
        "dalvik.vm.heapstartsize": "8m",
        "dalvik.vm.heaptargetutilization": "0.75",
        "dalvik.vm.usejit": "true",
        "dalvik.vm.usejitprofiles": "true",
        "dev.bootcomplete": "1",
        "init.svc.adbd": "running",
        "init.svc.audioserver": "running",
        "init.svc.bootanim": "stopped",
        "init.svc.cameraserver": "running",
        "init.svc.installd": "running",
        "init.svc.lmkd": "running",
        "init.svc.logd": "running",
        "init.svc.netd": "running",
        "init.svc.servicemanager": "running",
        "init.svc.surfaceflinger": "running",
        "init.svc.vold": "running",
        "init.svc.zygote": "running",
        "init.svc.zygote_secondary": "running",
        "net.bt.name": "Android",
        "persist.sys.dalvik.vm.lib.2": "libart.so",
        "persist.sys.locale": locale,
        "persist.sys.timezone": timezone_name,
        "persist.sys.usb.config": "mtp,adb",
        "pm.dexopt.bg-dexopt": "speed-profile",
        "pm.dexopt.install": "speed-profile" if p.sdk >= 31 else "quicken",
        "ro.adb.secure": "1",
        "ro.allow.mock.location": "0",
        "ro.boot.flash.locked": "1",
        "ro.boot.serialno": serial,
        "ro.boot.vbmeta.device_state": "locked",
        "ro.boot.verifiedbootstate": "green",
        "ro.bootimage.build.fingerprint": fingerprint,
        "ro.build.date": build_date,
        "ro.build.date.utc": str(build_utc),
        "ro.build.fingerprint": fingerprint,
        "ro.build.id": build_id,
        "ro.build.tags": "release-keys",
        "ro.build.type": "user",
        "ro.build.version.all_codenames": "REL",
        "ro.build.version.codename": "REL",
        "ro.build.version.incremental": incremental,
        "ro.build.version.preview_sdk": "0",
        "ro.build.version.release": p.release,
        "ro.build.version.sdk": str(p.sdk),
        "ro.build.version.security_patch": patch,
        "ro.crypto.state": "encrypted",
        "ro.crypto.type": "file",
        "ro.debuggable": "0",
        "ro.logd.size": "1M" if p.sdk < 31 else "262144",
        "ro.product.cpu.abi": "arm64-v8a",
        "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
        "ro.product.cpu.abilist32": "armeabi-v7a,armeabi",
        "ro.product.cpu.abilist64": "arm64-v8a",
        "ro.property_service.version": "2",
        "ro.runtime.firstboot": str(p.ms(boot)),
        "ro.secure": "1",
        "ro.serialno": serial,
        "ro.treble.enabled": "true",
        "ro.vendor.build.fingerprint": fingerprint,
        "ro.vendor.build.security_patch": patch,
        "ro.zygote": "zygote64_32",
        "service.bootanim.exit": "1",
        "sys.boot_completed": "1",
        "sys.oem_unlock_allowed": "0",
        "sys.usb.config": "mtp,adb",
        "sys.usb.configfs": "1",
        "sys.usb.state": "mtp,adb",
        "vold.has_adoptable": "0",
        "vold.post_fs_data_done": "1",
        "wifi.interface": "wlan0",
    }
    if p.sdk >= 30:
        props["ro.build.version.release_or_codename"] = p.release
        props["init.svc.keystore2" if p.sdk >= 31 else "init.svc.keystore"] = "running"
    else:
        props["init.svc.keystore"] = "running"
    if p.sdk >= 34:
        props["ro.build.version.min_supported_target_sdk"] = "23"
    return props


def ps_common(p: Phone, zygote64: int, zygote: int, extra_native: list[tuple]) -> list[tuple]:
    """Kernel threads and native daemons every Android phone runs, in pid order."""
    rows = [
        ("root", 1, 0, 12635728, 7948, "do_epoll_wait" if p.sdk >= 29 else "SyS_epoll_wait", "S", "init"),
        ("root", 2, 0, 0, 0, "kthreadd", "S", "[kthreadd]"),
        ("root", 3, 2, 0, 0, "rescuer_thread", "I", "[rcu_gp]"),
        ("root", 10, 2, 0, 0, "smpboot_thread_fn", "S", "[ksoftirqd/0]"),
        ("root", 11, 2, 0, 0, "rcu_gp_kthread", "I", "[rcu_preempt]"),
        ("root", 12, 2, 0, 0, "smpboot_thread_fn", "S", "[migration/0]"),
        ("root", 97, 2, 0, 0, "kswapd", "S", "[kswapd0]"),
        ("root", 356, 2, 0, 0, "worker_thread", "I", "[kworker/u16:4]"),
        ("root", 412, 1, 12363360, 3112, "do_sys_poll", "S", "ueventd"),
        ("logd", 611, 1, 12413416, 9880, "__do_sys_rt_sigtimedwait", "S", "logd"),
        ("lmkd", 612, 1, 12380176, 3748, "do_epoll_wait", "S", "lmkd"),
        ("system", 613, 1, 12397904, 5088, "binder_thread_read", "S", "servicemanager"),
        ("system", 614, 1, 12402464, 5984, "binder_thread_read", "S", "hwservicemanager"),
        ("root", 640, 1, 12561128, 9216, "binder_thread_read", "S", "vold"),
        ("keystore", 701, 1, 12583808, 9472, "binder_thread_read", "S", "keystore2" if p.sdk >= 31 else "keystore"),
        ("root", 730, 1, 12544496, 11328, "do_epoll_wait", "S", "netd"),
        ("root", zygote64, 1, 15383648, 154336, "do_sys_poll", "S", "zygote64"),
        ("root", zygote, 1, 1818804, 142116, "do_sys_poll", "S", "zygote"),
        ("audioserver", 840, 1, 12702344, 22460, "binder_thread_read", "S", "audioserver"),
        ("cameraserver", 842, 1, 12631512, 21668, "binder_thread_read", "S", "cameraserver"),
        ("root", 846, 1, 12552456, 12420, "binder_thread_read", "S", "installd"),
        ("media", 848, 1, 12492680, 14112, "binder_thread_read", "S", "mediaserver"),
        ("system", 860, 1, 12822984, 38920, "do_epoll_wait", "S", "surfaceflinger"),
        ("wifi", 905, 1, 12419432, 7396, "do_epoll_wait", "S", "wificond"),
        ("wifi", 1203, 1, 12451512, 9840, "do_select", "S", "wpa_supplicant"),
    ]
    rows += extra_native
    return sorted(rows, key=lambda r: r[1])


def app_row(app: App, pid: int, ppid: int, vsz: int, rss: int) -> tuple:
    return (app.uid_name, pid, ppid, vsz, rss, "do_epoll_wait", "S", app.name)


# --------------------------------------------------------------------------------------------------
# bxaq-installed: Android 11 Galaxy A50, BXAQ still installed after the Irkeshtam crossing
# --------------------------------------------------------------------------------------------------

BXAQ_NAME = "com.fiberhome.wifiserver"
BXAQ_A11Y = Service("com.fenghuo.accessibilityservice.AutoClickAccessibleService", "蜂采自动点击",
                    "android.permission.BIND_ACCESSIBILITY_SERVICE",
                    "android.accessibilityservice.AccessibilityService")


class BxaqInstalled(Phone):
    name = "bxaq-installed"
    sdk = 30
    release = "11"
    utc_offset_h = 8  # Asia/Shanghai since the phone reached the Chinese network
    pid_system_server = 1288

    def build(self) -> None:  # noqa: PLR0915 (a story is long)
        t = self.t
        self.now = t("2026-09-16 21:05:00")
        setup = t("2022-05-08 14:22:10")
        boot = t("2026-09-14 07:40:12")
        self.s = s = {
            "unplugged": t("2026-09-16 07:05:44"), "network_china": t("2026-09-16 10:02:31"),
            "settings": t("2026-09-16 10:39:20.412"), "dev_on": t("2026-09-16 10:40:02"),
            "adb_on": t("2026-09-16 10:40:15"), "verify_off": t("2026-09-16 10:40:31"),
            "usb_in": t("2026-09-16 10:40:36"), "key_allowed": t("2026-09-16 10:40:44"),
            "install": t("2026-09-16 10:41:58.630"), "start": t("2026-09-16 10:42:12.104"),
            "reviewed": t("2026-09-16 10:42:31.877"), "a11y_on": t("2026-09-16 10:43:05.219"),
            "hotspot_added": t("2026-09-16 10:43:40.212"), "hotspot_connected": t("2026-09-16 10:43:46.880"),
            "scan_start": t("2026-09-16 10:44:30.402"), "scan_end": t("2026-09-16 11:51:12.918"),
            "upload": t("2026-09-16 11:52:40.115"), "upload_done": t("2026-09-16 11:55:03.660"),
            "check": t("2026-09-16 11:55:20"), "cjlog": t("2026-09-16 11:55:21"),
            "usb_out": t("2026-09-16 11:58:02"), "hotspot_lost": t("2026-09-16 12:21:09.330"),
            "hostel_wifi": t("2026-09-16 19:12:40"), "collect_usb": t("2026-09-16 21:04:31.208"),
        }
        self.boot, self.setup = boot, setup
        self.officer_key = adb_pubkey("admin@CJZ-PC07", "bxaq-installed officers' adb key")
        self.hotspot = ("FH-CJ-02", "e6:7b:1d:40:22:9c")
        self.hostel = ("Kashgar-Old-Town-Hostel", "d4:6e:0e:52:18:a7")
        self.package_changes = [BXAQ_NAME]
        self.features = FEATURES + ["android.hardware.nfc"]
        self.apex_version = "300000000"

        apps = stand_ins(self, {"launcher": 10092, "settings": 10053, "phone": 10074, "camera": 10118},
                         {"launcher": "/system/priv-app/DemoLauncher/DemoLauncher.apk",
                          "settings": "/system/priv-app/DemoSettings/DemoSettings.apk",
                          "phone": "/system/priv-app/DemoPhone/DemoPhone.apk",
                          "camera": "/system/app/DemoCamera/DemoCamera.apk"}, setup,
                         {"launcher": 4012, "settings": 4003, "phone": 4027, "camera": 4041})
        apps.append(notes_app(self, 10231, data_app_apk(self.name, "org.demo.notes", self.sdk), "com.android.vending",
                              t("2022-06-01 09:14:20"), t("2026-05-30 04:12:51"), 131544))
        apps.append(App(
            BXAQ_NAME, "蜂采", 10248,
            data_app_apk(self.name, "com.fiberhome.wifiserver", self.sdk),
            1, "1.0", 5, None, None, s["install"], s["install"], debuggable=True, initiator="com.android.shell",
            activities=("com.fenghuo.qzj.WelcomeActivity", "com.fenghuo.qzj.VideoViewActivity"),
            services=(BXAQ_A11Y,), permissions=demo.BXAQ_PERMS,
            runtime_granted=tuple(x for x in demo.BXAQ_PERMS if x in RUNTIME_PERMS), ce_inode=262219,
            sig_hash="1a5c09e2"))
        self.apps = apps
        self.list_order = ["org.demo.system.camera", BXAQ_NAME, "org.demo.system.launcher", "org.demo.notes",
                           "org.demo.system.phone", "org.demo.system.settings"]
        launcher, settings, phone, camera, notes, bxaq = apps
        self.bxaq, self.notes, self.launcher, self.settings_app, self.camera = bxaq, notes, launcher, settings, camera
        self.pids = {"zygote64": 733, "zygote": 734, "adbd": 8122, "bxaq": 9214, "launcher": 2031,
                     "phone": 2254, "notes": 17690, "settings": 30112}

        fingerprint = "samsung/a50xx/a50:11/RP1A.200720.012/A505FNXXS9CWA1:user/release-keys"
        self.props = base_props(self, serial="R58M71QX2KD", fingerprint=fingerprint, build_id="RP1A.200720.012",
                                incremental="A505FNXXS9CWA1", patch="2023-01-01", build_utc=1673335297,
                                build_date="Tue Jan 10 16:21:37 KST 2023", boot=boot,
                                timezone_name="Asia/Shanghai", locale="de-DE")
        self.props.update({
            "gsm.current.phone-type": "1,1",
            "gsm.network.type": "LTE,Unknown",
            "gsm.nitz.time": str(self.ms(s["network_china"])),
            "gsm.operator.alpha": "CHINA UNICOM,",
            "gsm.operator.iso-country": "cn,",
            "gsm.operator.isroaming": "true,false",
            "gsm.operator.numeric": "46001,",
            "gsm.sim.operator.alpha": "Telekom.de,",
            "gsm.sim.operator.iso-country": "de,",
            "gsm.sim.operator.numeric": "26201,",
            "gsm.sim.state": "LOADED,ABSENT",
            "gsm.version.baseband": "A505FNXXS9CWA1,A505FNXXS9CWA1",
            "persist.sys.boot.reason.history": f"reboot,userrequested,{self.epoch(boot)}",
            "ro.boot.bootreason": "reboot,userrequested",
            "ro.boot.em.model": "SM-A505FN",
            "ro.boot.hardware": "exynos9610",
            "ro.boot.warranty_bit": "0",
            "ro.bootloader": "A505FNXXS9CWA1",
            "ro.build.PDA": "A505FNXXS9CWA1",
            "ro.build.changelist": "21573542",
            "ro.build.characteristics": "phone",
            "ro.build.description": "a50xx-user 11 RP1A.200720.012 A505FNXXS9CWA1 release-keys",
            "ro.build.display.id": "RP1A.200720.012.A505FNXXS9CWA1",
            "ro.build.flavor": "a50xx-user",
            "ro.build.host": "SWDH7217",
            "ro.build.product": "a50",
            "ro.build.user": "dpi",
            "ro.build.version.oneui": "30100",
            "ro.build.version.sem": "3001",
            "ro.board.platform": "universal9610",
            "ro.csc.country_code": "Germany",
            "ro.csc.sales_code": "DBT",
            "ro.hardware": "exynos9610",
            "ro.hardware.egl": "mali",
            "ro.opengles.version": "196610",
            "ro.product.board": "universal9610",
            "ro.product.brand": "samsung",
            "ro.product.device": "a50",
            "ro.product.first_api_level": "28",
            "ro.product.locale": "de-DE",
            "ro.product.manufacturer": "samsung",
            "ro.product.model": "SM-A505FN",
            "ro.product.name": "a50xx",
            "ro.product.system.brand": "samsung",
            "ro.product.system.device": "a50",
            "ro.product.system.manufacturer": "samsung",
            "ro.product.system.model": "SM-A505FN",
            "ro.product.system.name": "a50xx",
            "ro.product.vendor.brand": "samsung",
            "ro.product.vendor.device": "a50",
            "ro.product.vendor.manufacturer": "samsung",
            "ro.product.vendor.model": "SM-A505FN",
            "ro.product.vendor.name": "a50xx",
            "ro.sf.lcd_density": "420",
            "ro.system.build.fingerprint": fingerprint,
            "ro.system.build.version.release": "11",
            "ro.system.build.version.sdk": "30",
            "ro.vndk.version": "28",
            "security.perf_harden": "1",
            "sys.boot.reason": "reboot,userrequested",
            "sys.usb.controller": "13200000.dwc3",
        })
        self.settings["global"] = {
            "adb_allowed_connection_time": "604800000", "adb_enabled": "1", "adb_wifi_enabled": "0",
            "airplane_mode_on": "0", "airplane_mode_radios": "cell,bluetooth,wifi,nfc,wimax",
            "animator_duration_scale": "1.0", "auto_time": "1", "auto_time_zone": "1", "bluetooth_on": "0",
            "boot_count": "57", "data_roaming": "1", "database_creation_buildid": "RP1A.200720.012",
            "default_install_location": "0", "development_settings_enabled": "1", "device_name": "Galaxy A50",
            "device_provisioned": "1", "heads_up_notifications_enabled": "1", "low_power": "0", "mobile_data": "1",
            "mobile_data1": "1", "package_verifier_user_consent": "1", "private_dns_mode": "off",
            "stay_on_while_plugged_in": "0", "transition_animation_scale": "1.0", "usb_mass_storage_enabled": "1",
            "verifier_verify_adb_installs": "0", "wait_for_debugger": "0", "wifi_max_dhcp_retry_count": "9",
            "wifi_networks_available_notification_on": "1", "wifi_on": "1", "wifi_scan_always_enabled": "0",
            "window_animation_scale": "1.0", "zen_mode": "0",
        }
        self.settings["secure"] = {
            "accessibility_display_inversion_enabled": "0", "accessibility_enabled": "1",
            "android_id": "9b27c4e1f0d3a865", "backup_enabled": "0", "bluetooth_addr_valid": "1",
            "double_tap_to_wake": "1", "enabled_accessibility_services": bxaq.flat(BXAQ_A11Y.cls),
            "enabled_notification_listeners": "", "install_non_market_apps": "1", "location_mode": "3",
            "lock_screen_allow_private_notifications": "1", "lock_screen_lock_after_timeout": "5000",
            "lock_screen_show_notifications": "1", "lockscreen.disabled": "0", "mock_location": "0",
            "navigation_mode": "0", "screensaver_enabled": "0", "skip_first_use_hints": "1",
            "touch_exploration_enabled": "0", "ui_night_mode": "1", "unknown_sources_default_reversed": "1",
            "user_setup_complete": "1",
        }
        self.settings["system"] = {
            "accelerometer_rotation": "1", "dim_screen": "1", "dtmf_tone": "1", "font_scale": "1.0",
            "haptic_feedback_enabled": "1", "screen_brightness": "128", "screen_brightness_mode": "1",
            "screen_off_timeout": "60000", "sound_effects_enabled": "1", "time_12_24": "24",
            "volume_alarm": "7", "volume_music": "9", "volume_notification": "9", "volume_ring": "9",
            "volume_system": "5",
        }

        p = self.pids
        self.processes = ps_common(self, p["zygote64"], p["zygote"], [
            ("system", 820, 1, 12487672, 7808, "binder_thread_read", "S", "android.hardware.health@2.1-service"),
            ("radio", 1712, 1, 12633488, 14016, "do_select", "S", "cbd"),
            ("system", self.pid_system_server, p["zygote64"], 18452512, 331204, "do_epoll_wait", "S", "system_server"),
            app_row(launcher, p["launcher"], p["zygote64"], 16498884, 187952),
            app_row(phone, p["phone"], p["zygote64"], 15620672, 90468),
            ("shell", p["adbd"], 1, 12502604, 8184, "do_epoll_wait", "S", "adbd"),
            app_row(bxaq, p["bxaq"], p["zygote64"], 15213120, 71408),
            app_row(notes, p["notes"], p["zygote64"], 15438944, 81312),
            ("root", 26117, 2, 0, 0, "worker_thread", "I", "[kworker/2:1]"),
            app_row(settings, p["settings"], p["zygote64"], 15733516, 111860),
            ("shell", 30511, p["adbd"], 12339844, 3384, "do_wait", "S", "sh"),
            ("shell", 30515, 30511, 12361204, 4068, "0", "R", "ps"),
        ])

        self.battery_anchors = [(s["unplugged"], 100), (s["network_china"], 88), (s["usb_in"], 84),
                                (s["usb_out"], 97), (t("2026-09-16 13:12:00"), 90), (s["hostel_wifi"], 58),
                                (s["collect_usb"], 41), (self.now, 41)]
        self.story_logcat()
        self.story_dumps()

    # ---- logcat --------------------------------------------------------------------------------------
    def story_logcat(self) -> None:
        t, s, p = self.t, self.s, self.pids
        bxaq, notes, launcher, settings = self.bxaq, self.notes, self.launcher, self.settings_app

        def at(d: datetime, k: int) -> datetime:
            return d + timedelta(milliseconds=k)

        self.battery_level_events(t("2026-09-16 09:40:00"), self.now)
        self.ev(t("2026-09-16 09:58:12.331"), "screen_toggled", "1")
        nc = s["network_china"]
        self.sysl(nc, "I", "ServiceStateTracker", "[0] Poll ServiceState done: oldRoaming=false newRoaming=true "
                  "operator=CHINA UNICOM/46001")
        self.sysl(at(nc, 245), "I", "TimeZoneDetectorStrategy", "Set device time zone: newZoneId=Asia/Shanghai, "
                  "cause=Telephony time zone suggestion changed")
        self.sysl(at(nc, 250), "I", "AlarmManager", "Setting time zone to Asia/Shanghai")
        self.ev(t("2026-09-16 10:03:40.020"), "screen_toggled", "0")
        self.ev(t("2026-09-16 10:38:55.402"), "screen_toggled", "1")
        self.ev(at(s["settings"], -110), "am_proc_start", f"[0,{p['settings']},{settings.uid},{settings.name},"
                f"top-activity,{{{settings.short(settings.activities[0])}}}]")
        self.ev(s["settings"], "wm_set_resumed_activity",
                f"[0,{settings.short(settings.activities[0])},resumeTopActivity - onActivityStateChanged]")
        self.sysl(s["dev_on"], "I", "DevelopmentSettings", f"development_settings_enabled changed to 1 by uid "
                  f"{settings.uid}")
        self.sysl(s["adb_on"], "I", "AdbService", "Enabling adb: type=0 (USB)")
        self.add_log("system", at(s["adb_on"], 980), 1, 1, "I", "init", "starting service 'adbd'...")
        self.sysl(s["verify_off"], "I", "SettingsProvider", "Global setting verifier_verify_adb_installs changed "
                  f"to 0 by uid {settings.uid}")
        self.ev(at(s["usb_in"], 12), "battery_status", "[2,2,2,2,Li-ion]")
        self.sysl(at(s["usb_in"], 40), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")
        self.sysl(at(s["usb_in"], 1420), "I", "AdbDebuggingManager", "Received public key from host, asking the "
                  f"user to allow USB debugging: fingerprint={self.key_fingerprint(self.officer_key)}")
        self.sysl(s["key_allowed"], "I", "AdbDebuggingManager", "USB debugging allowed (always) for admin@CJZ-PC07")
        self.main(at(s["key_allowed"], 88), p["adbd"], "I", "adbd", "adbd_auth: authorized host admin@CJZ-PC07")

        inst = s["install"]
        self.sysl(inst - timedelta(milliseconds=1610), "I", "PackageInstallerSession",
                  "Session 1604251187 created by uid 2000 (com.android.shell) (size 3105272)")
        self.sysl(inst - timedelta(milliseconds=301), "I", "PackageDexOptimizer",
                  f"Running dexopt (dexoptNeeded=1) on: {bxaq.apk} pkg={BXAQ_NAME} isa=arm64 "
                  "dexoptFlags=boot_complete,debuggable,public,enable_hidden_api_checks targetFilter=quicken "
                  f"oatDir={bxaq.code_path}/oat classLoaderContext=PCL[]")
        self.sysl(inst, "I", "PackageManager", f"installPackageLI: {BXAQ_NAME} appId={bxaq.uid} "
                  f"codePath={bxaq.code_path} installer=null initiator=com.android.shell")
        self.sysl(at(inst, 64), "I", "ActivityManager", f"Broadcasting android.intent.action.PACKAGE_ADDED "
                  f"package:{BXAQ_NAME} uid={bxaq.uid}")
        wel = "com.fenghuo.qzj.WelcomeActivity"
        comp = f"{BXAQ_NAME}/{wel}"
        st = s["start"]
        self.sysl(st - timedelta(milliseconds=211), "I", "ActivityTaskManager",
                  "START u0 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] "
                  f"flg=0x10000000 cmp={comp}}} from uid 2000")
        self.ev(st, "am_proc_start", f"[0,{p['bxaq']},{bxaq.uid},{BXAQ_NAME},pre-top-activity,{{{comp}}}]")
        self.sysl(at(st, 2), "I", "ActivityManager", f"Start proc {p['bxaq']}:{BXAQ_NAME}/{bxaq.bs_uid} for "
                  f"pre-top-activity {{{comp}}}")
        self.sysl(at(st, 120), "I", "ActivityTaskManager", "START u0 {act=android.intent.action.REVIEW_PERMISSIONS "
                  "flg=0x18800000 cmp=com.google.android.permissioncontroller/com.android.permissioncontroller."
                  "permission.ui.ReviewPermissionsActivity (has extras)} from uid 1000")
        self.sysl(at(st, 190), "W", "ActivityTaskManager", f"Showing SDK deprecation warning for package {BXAQ_NAME}")
        self.main(at(st, 388), p["bxaq"], "W", "ziparchive", f"Unable to open '{bxaq.code_path}/base.dm': "
                  "No such file or directory")
        self.ev(s["reviewed"], "wm_set_resumed_activity", f"[0,{comp},resumeTopActivity - onActivityStateChanged]")
        self.main(at(s["reviewed"], 702), p["bxaq"], "W", "TelephonyManager", f"getDeviceId: The user {bxaq.uid} "
                  "does not meet the requirements to access device identifiers.")
        a11y = bxaq.flat(BXAQ_A11Y.cls)
        self.ev(at(s["a11y_on"], -25_000), "wm_set_resumed_activity",
                f"[0,{settings.short(settings.activities[0])},resumeTopActivity - onActivityStateChanged]")
        self.sysl(s["a11y_on"], "I", "SettingsProvider", f"Secure setting enabled_accessibility_services changed to "
                  f"{a11y} by uid {settings.uid}")
        self.sysl(at(s["a11y_on"], 31), "I", "AccessibilityManagerService", f"Binding to service {a11y}")
        self.sysl(at(s["a11y_on"], 402), "I", "AccessibilityManagerService", f"Service connected: {a11y}")
        self.ev(at(s["a11y_on"], 5_300), "wm_set_resumed_activity", f"[0,{comp},resumeTopActivity - "
                "onActivityStateChanged]")

        ssid, bssid = self.hotspot
        self.sysl(s["hotspot_added"], "I", "WifiService", f"addOrUpdateNetwork uid={bxaq.uid}")
        self.sysl(at(s["hotspot_added"], 6), "I", "WifiConfigManager", f"Adding network \"{ssid}\"WPA_PSK "
                  f"creatorUid={bxaq.uid} creatorName={BXAQ_NAME}")
        self.sysl(at(s["hotspot_added"], 120), "I", "WifiService", f"enableNetwork uid={bxaq.uid} disableOthers=true")
        self.sysl(s["hotspot_connected"], "I", "WifiClientModeImpl", f"Connecting to \"{ssid}\" {bssid}")
        self.sysl(at(s["hotspot_connected"], 1203), "I", "WifiClientModeImpl",
                  f"Connected to \"{ssid}\", ip 192.168.43.112/24, gateway 192.168.43.1")
        self.sysl(at(s["hotspot_connected"], 2230), "I", "ConnectivityService", "NetworkAgentInfo [WIFI () - 112] "
                  "validation failed; keeping mobile data as default network")
        self.sysl(at(s["scan_start"], 40), "I", "PowerManagerService", f"acquireWakeLock: lock=81724110, flags=0x1, "
                  f"tag=\"WakeLock\", ws=null, uid={bxaq.uid}, pid={p['bxaq']}")
        for k in range(5):
            when = s["scan_start"] + timedelta(minutes=9 + 13 * k, seconds=self.rng.randint(0, 50))
            self.main(when, p["bxaq"], "I", "art", "Background young concurrent copying GC freed "
                      f"{self.rng.randint(9000, 30000)}({self.rng.randint(400, 1600)}KB) AllocSpace objects, 0(0B) "
                      f"LOS objects, {self.rng.randint(30, 60)}% free, {self.rng.randint(2, 6)}MB/"
                      f"{self.rng.randint(7, 11)}MB, paused {self.rng.randint(90, 400)}us total "
                      f"{self.rng.randint(8, 40)}.{self.rng.randint(100, 999)}ms", tid=p["bxaq"] + 31)
        self.sysl(s["scan_end"], "I", "PowerManagerService", "releaseWakeLock: lock=81724110 [WakeLock], flags=0x0, "
                  f"total_time={int((s['scan_end'] - s['scan_start']).total_seconds() * 1000)}ms")
        self.main(s["upload"], p["bxaq"], "I", "System.out", "POST http://192.168.43.1:8080/ (multipart, 5.4 MB)",
                  tid=p["bxaq"] + 44)
        self.main(s["upload_done"], p["bxaq"], "I", "System.out", "upload done, 200", tid=p["bxaq"] + 44)
        self.ev(at(s["usb_out"], 10), "battery_status", "[3,2,0,2,Li-ion]")
        self.sysl(s["usb_out"], "I", "UsbDeviceManager", "USB disconnected")
        self.sysl(at(s["usb_out"], 5), "I", "AdbDebuggingManager", "Host disconnected: admin@CJZ-PC07")
        self.ev(t("2026-09-16 11:59:31.873"), "screen_toggled", "0")
        self.sysl(s["hotspot_lost"], "I", "WifiClientModeImpl", f"Disconnected from \"{ssid}\" {bssid} reason=34 "
                  "(beacon loss)")
        self.sysl(at(s["hotspot_lost"], 40), "I", "ConnectivityService", "NetworkAgentInfo [WIFI () - 112] "
                  "disconnected, was satisfying 0")

        for when, app, pid in ((t("2026-09-16 13:10:02"), self.camera, 24410), (t("2026-09-16 19:40:11"), notes,
                                                                                p["notes"])):
            act = app.activities[0]
            self.ev(when, "am_proc_start", f"[0,{pid},{app.uid},{app.name},top-activity,{{{app.short(act)}}}]")
            self.sysl(at(when, 2), "I", "ActivityManager", f"Start proc {pid}:{app.name}/{app.bs_uid} for "
                      f"top-activity {{{app.short(act)}}}")
        self.sysl(s["hostel_wifi"], "I", "WifiClientModeImpl", f"Connected to \"{self.hostel[0]}\", ip "
                  "10.0.8.23/24, gateway 10.0.8.1")

        evening = t("2026-09-16 20:56:30")
        tags = [(launcher, p["launcher"], "D", "Launcher", "onResume: workspace bound, 3 pages"),
                (notes, p["notes"], "I", "NotesSync", "sync skipped: no account"),
                (bxaq, p["bxaq"], "D", "AccessibilityService", "onServiceConnected"),
                (self.apps[2], p["phone"], "D", "DialerSettings", "roaming=true, operator=46001")]
        for i in range(120):
            when = evening + timedelta(seconds=i * 3.9 + self.rng.random())
            if self.rng.random() < 0.5:
                _app, pid, lvl, tag, msg = self.rng.choice(tags)
                self.main(when, pid, lvl, tag, msg, tid=pid + self.rng.randint(0, 40))
            else:
                choice = self.rng.randint(0, 3)
                if choice == 0:
                    self.main(when, 730, "I", "netd", "trafficSwapActiveStatsMap() <2.00ms>",
                              tid=730 + self.rng.randint(1, 20))
                elif choice == 1:
                    self.sysl(when, "D", "WifiNetworkSelector", f"Current connected network: \"{self.hostel[0]}\" "
                              f"rssi=-{self.rng.randint(55, 68)} is sufficient")
                elif choice == 2:
                    self.main(when, 860, "I", "SurfaceFlinger", "Display 0 HWC layers: 3",
                              tid=860 + self.rng.randint(1, 30))
                else:
                    self.sysl(when, "I", "BatteryStatsService", f"Battery level changed: {self.battery_level(when)}% "
                              "(not charging)")
        self.ev(at(s["collect_usb"], 12), "battery_status", "[2,2,2,2,Li-ion]")
        self.sysl(at(s["collect_usb"], 40), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")
        self.main(at(s["collect_usb"], 9_210), p["adbd"], "I", "adbd", "adbd_auth: authorized host (USB)")

    # ---- the dumps -------------------------------------------------------------------------------------
    def story_dumps(self) -> None:  # noqa: PLR0915
        t, s, p = self.t, self.s, self.pids
        bxaq, notes, launcher, settings, camera = self.bxaq, self.notes, self.launcher, self.settings_app, self.camera
        wel, vid = "com.fenghuo.qzj.WelcomeActivity", "com.fenghuo.qzj.VideoViewActivity"
        root = (BXAQ_NAME, wel)

        # usage stats
        self.usage_session(notes, notes.activities[0], t("2026-09-15 21:12:04"), t("2026-09-15 21:20:33"), 33)
        self.usage_event(t("2026-09-15 21:41:10"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 07:05:44"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(launcher, launcher.activities[0], t("2026-09-16 07:05:50"), t("2026-09-16 07:09:12"), 41)
        self.usage_event(t("2026-09-16 07:09:13"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 09:58:12"), "SCREEN_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 10:03:40"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 10:38:55"), "SCREEN_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 10:39:02"), "KEYGUARD_HIDDEN", "android")
        self.usage_session(settings, settings.activities[0], s["settings"], s["start"] - timedelta(seconds=1), 52)
        self.usage_event(s["install"], "STANDBY_BUCKET_CHANGED", BXAQ_NAME, extra="standbyBucket=10 reason=d-i")
        self.usage_event(s["start"], "ACTIVITY_RESUMED", BXAQ_NAME, wel, instance=19811201, root=root)
        self.usage_event(s["start"] + timedelta(milliseconds=140), "ACTIVITY_PAUSED", BXAQ_NAME, wel,
                         instance=19811201, root=root)
        self.usage_event(s["reviewed"], "ACTIVITY_RESUMED", BXAQ_NAME, wel, instance=19811201, root=root)
        self.usage_event(s["reviewed"] + timedelta(seconds=8), "ACTIVITY_PAUSED", BXAQ_NAME, wel, instance=19811201,
                         root=root)
        self.usage_session(settings, settings.activities[0], s["reviewed"] + timedelta(seconds=9),
                           s["a11y_on"] + timedelta(seconds=5), 54)
        self.usage_event(s["a11y_on"] + timedelta(seconds=5, milliseconds=300), "ACTIVITY_RESUMED", BXAQ_NAME, wel,
                         instance=19811201, root=root)
        self.usage_event(s["scan_start"] - timedelta(seconds=2), "ACTIVITY_PAUSED", BXAQ_NAME, wel,
                         instance=19811201, root=root)
        self.usage_event(s["scan_start"] - timedelta(seconds=2), "ACTIVITY_RESUMED", BXAQ_NAME, vid,
                         instance=19811233, root=root)
        self.usage_event(t("2026-09-16 11:57:40"), "ACTIVITY_PAUSED", BXAQ_NAME, vid, instance=19811233, root=root)
        self.usage_event(t("2026-09-16 11:57:41"), "ACTIVITY_STOPPED", BXAQ_NAME, vid, instance=19811233, root=root)
        self.usage_session(launcher, launcher.activities[0], t("2026-09-16 11:57:41"), t("2026-09-16 11:59:31"), 58)
        self.usage_event(t("2026-09-16 11:59:31"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 13:09:55"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(camera, camera.activities[0], t("2026-09-16 13:10:02"), t("2026-09-16 13:14:48"), 61)
        self.usage_event(t("2026-09-16 13:15:10"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t("2026-09-16 19:39:58"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(notes, notes.activities[0], t("2026-09-16 19:40:11"), t("2026-09-16 19:52:30"), 66)
        self.usage_session(launcher, launcher.activities[0], t("2026-09-16 21:03:40"), self.now - timedelta(seconds=3),
                           70)
        self.daily = [(launcher, "00:14:02", t("2026-09-16 21:04:57"), 6),
                      (settings, "00:03:40", s["a11y_on"] + timedelta(seconds=5), 2),
                      (bxaq, "01:15:28", t("2026-09-16 11:57:40"), 1),
                      (camera, "00:04:46", t("2026-09-16 13:14:48"), 1),
                      (notes, "00:12:19", t("2026-09-16 19:52:30"), 1)]
        self.last_used = {launcher.name: t("2026-09-16 21:04:57"), settings.name: s["a11y_on"],
                          self.apps[2].name: t("2026-09-12 18:31:06"), camera.name: t("2026-09-16 13:14:48"),
                          notes.name: t("2026-09-16 19:52:30"), BXAQ_NAME: t("2026-09-16 11:57:40")}

        # app ops
        d = "2026-09-16 "
        self.appops = [
            (notes, "cch", [Op("WAKE_LOCK", accesses=(("cch-s", t(d + "20:31:02.117"), "+61ms"),))]),
            (camera, "cch", [Op("CAMERA", accesses=(("top-s", t(d + "13:10:03.412"), "+4m44s902ms"),)),
                             Op("FINE_LOCATION", accesses=(("top-s", t(d + "13:10:03.655"), ""),))]),
            (bxaq, "fg", [
                Op("COARSE_LOCATION", accesses=(("top-s", t(d + "10:42:50.417"), ""),)),
                Op("CAMERA"), Op("RECORD_AUDIO"),
                Op("READ_CONTACTS", accesses=(("top-s", t(d + "10:42:41.559"), ""),)),
                Op("READ_CALL_LOG", accesses=(("top-s", t(d + "10:42:43.118"), ""),)),
                Op("READ_CALENDAR", accesses=(("top-s", t(d + "10:42:47.002"), ""),)),
                Op("WIFI_SCAN", accesses=(("top-s", t(d + "10:43:39.204"), ""),)),
                Op("READ_SMS", accesses=(("top-s", t(d + "10:42:45.871"), ""),)),
                Op("RECEIVE_SMS"),
                Op("READ_PHONE_STATE", accesses=(("top-s", t(d + "10:42:32.208"), ""),)),
                Op("WAKE_LOCK", accesses=(("top-s", s["scan_start"], fmt_duration(s["scan_end"] - s["scan_start"])),)),
                Op("READ_EXTERNAL_STORAGE", accesses=(("top-s", s["scan_end"], ""),)),
                Op("WRITE_EXTERNAL_STORAGE", accesses=(("top-s", s["cjlog"], ""),)),
                Op("CHANGE_WIFI_STATE", accesses=(("top-s", s["hotspot_added"], ""),)),
                Op("LEGACY_STORAGE"),
                Op("READ_DEVICE_IDENTIFIERS", "default", rejects=(("top-s", t(d + "10:42:32.609")),)),
            ]),
        ]

        # adb, accessibility, notifications
        self.adb_keys = [(self.officer_key, s["usb_out"])]
        self.adb_last_key = self.key_fingerprint(self.officer_key)
        self.a11y = [(bxaq, BXAQ_A11Y, "[FEEDBACK_GENERIC]", 1, 100)]
        self.a11y_clients = [(p["launcher"], launcher), (p["notes"], notes), (p["settings"], settings)]
        self.notifications = [
            {"pkg": "android", "uid": 1000, "id": 26, "channel": "DEVELOPER_IMPORTANT", "flags": "0x2",
             "importance": 2, "when": s["collect_usb"] + timedelta(seconds=9), "vis": "PUBLIC",
             "title": "USB-Debugging verbunden", "text": "Tippen, um USB-Debugging zu deaktivieren"},
            {"pkg": "android", "uid": 1000, "id": 32, "channel": "USB", "flags": "0x2", "importance": 1,
             "when": s["collect_usb"], "vis": "PUBLIC"},
        ]
        self.archive = [("android", 26, 1000, "DEVELOPER_IMPORTANT", "0x2"), ("android", 32, 1000, "USB", "0x2"),
                        (notes.name, 7, notes.uid, "reminders", "0x10")]

        # Wi-Fi: the border hotspot is still saved (the app was not removed with its Uninstall button)
        ssid, bssid = self.hotspot
        self.wifi_saved = [
            WifiNetwork(0, "FRITZ!Box 7530 LK", "WPA_PSK", t("2022-05-08 14:30:02.118"), t("2026-08-29 07:12:10.450")),
            WifiNetwork(3, "Guesthouse Alay", "WPA_PSK", t("2026-09-15 17:48:20.031"), t("2026-09-16 07:20:14.902")),
            WifiNetwork(4, ssid, "WPA_PSK", s["hotspot_added"], s["hotspot_connected"], bxaq.uid, BXAQ_NAME),
            WifiNetwork(5, self.hostel[0], "NONE", s["hostel_wifi"] - timedelta(seconds=38), t(d + "21:04:58.310"),
                        current=True),
        ]
        self.wifi_log = [
            (t("2026-09-15 17:48:20.031"), "addOrUpdateNetwork uid=1000 name=android.uid.system networkId=3 "
                                           "SSID=\"Guesthouse Alay\""),
            (s["hotspot_added"], f"addOrUpdateNetwork uid={bxaq.uid} name={BXAQ_NAME} networkId=4 SSID=\"{ssid}\""),
            (s["hotspot_added"] + timedelta(milliseconds=120), f"enableNetwork networkId=4 uid={bxaq.uid} "
                                                               "disableOthers=true"),
            (s["hostel_wifi"] - timedelta(seconds=38), "addOrUpdateNetwork uid=1000 name=android.uid.system "
                                                       f"networkId=5 SSID=\"{self.hostel[0]}\""),
        ]
        self.wifi_events = [
            (t("2026-09-15 17:48:21.002"), "Guesthouse Alay", "f4:8c:eb:21:0a:5c", 980, 1000),
            (s["hotspot_connected"], ssid, bssid, 1203, bxaq.uid),
            (s["hostel_wifi"], self.hostel[0], self.hostel[1], 1544, 1000),
        ]
        self.wifi_scan = [
            (self.hostel[1], 2437, -57, 1.3, self.hostel[0], "[ESS]"),
            ("e4:f3:e8:0c:71:20", 2462, -77, 1.4, "ChinaNet-8kPz", "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS][WPS]"),
            ("70:3a:73:91:aa:01", 2412, -83, 1.5, "CMCC-Ruq2", "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS]"),
        ]
        self.wifi_dhcp = [(s["hotspot_connected"] + timedelta(milliseconds=1203), ssid, "192.168.43.112/24",
                           "192.168.43.1", "ANDROID_METERED"),
                          (s["hostel_wifi"], self.hostel[0], "10.0.8.23/24", "10.0.8.1", "null")]
        self.wifi_info = (f"mWifiInfo SSID: \"{self.hostel[0]}\", BSSID: {self.hostel[1]}, MAC: 7a:31:c0:5e:92:0b, "
                          "Security type: 0, Supplicant state: COMPLETED, Wi-Fi standard: 4, RSSI: -57, Link speed: "
                          "65Mbps, Tx Link speed: 65Mbps, Rx Link speed: 58Mbps, Frequency: 2437MHz, Net ID: 5, "
                          "Metered hint: false, score: 60")

        # battery: charged from the officers' PC 10:40-11:58, and now from the traveller's laptop
        start = s["unplugged"]
        self.battery_start = start
        h = self.battery_history
        bs = bxaq.bs_uid
        h += [(start, 100, f"status=discharging health=good plug=none temp=288 volt=4371 charge=4000 +running "
                           f"+wake_lock +screen phone_signal_strength=great top={launcher.bs_uid}:\"{launcher.name}\""),
              (t(d + "07:09:13.002"), 100, f"-top={launcher.bs_uid}:\"{launcher.name}\" -screen"),
              (s["network_china"], 88, "phone_state=in phone_signal_strength=good +phone_scanning"),
              (t(d + "10:38:55.402"), 85, "+screen -phone_scanning"),
              (s["settings"], 85, f"+top={settings.bs_uid}:\"{settings.name}\""),
              (s["usb_in"], 84, "status=charging plug=usb volt=4192 +plugged +usb_data"),
              (s["install"], 84, f"pkginst=1:\"{BXAQ_NAME}\""),
              (s["start"], 84, f"-top={settings.bs_uid}:\"{settings.name}\" +top={bs}:\"{BXAQ_NAME}\""),
              (s["hotspot_connected"], 85, "+wifi_radio wifi_signal_strength=4 wifi_suppl=completed"),
              (s["scan_start"], 85, f"+wake_lock_in={bs}:\"WakeLock\""),
              (s["scan_end"], 95, f"-wake_lock_in={bs}:\"WakeLock\""),
              (s["upload"], 96, f"+wifi_running +conn={bs}:\"WIFI\""),
              (s["usb_out"], 97, "status=discharging plug=none volt=4301 -plugged -usb_data"),
              (t(d + "11:59:31.873"), 97, f"-top={bs}:\"{BXAQ_NAME}\" -screen"),
              (s["hotspot_lost"], 95, "-wifi_radio wifi_signal_strength=0 wifi_suppl=disconn"),
              (t(d + "13:10:02.000"), 90, f"+screen +top={camera.bs_uid}:\"{camera.name}\""),
              (t(d + "13:15:10.000"), 90, f"-top={camera.bs_uid}:\"{camera.name}\" -screen"),
              (s["hostel_wifi"], 58, "+wifi_radio wifi_signal_strength=3 wifi_suppl=completed"),
              (s["collect_usb"], 41, "status=charging plug=usb +plugged +usb_data")]
        plugged = (s["usb_out"] - s["usb_in"]) + (self.now - s["collect_usb"])
        self.battery_summary = {"on_battery": "false", "capacity": 4000, "drain": 2411,
                                "time_on_battery": (self.now - start) - plugged,
                                "screen_on": timedelta(hours=2, minutes=58, seconds=40)}
        self.battery_power = [f"Uid {bs}: 207 fg: 181 bg: 26 ( cpu=101 wifi=96 wake=10 )",
                              f"Uid {launcher.bs_uid}: 141 fg: 141 ( cpu=141 )",
                              f"Uid {camera.bs_uid}: 38.2 fg: 38.2 ( cpu=9.8 camera=28.4 )",
                              f"Uid {notes.bs_uid}: 12.7 fg: 11.0 bg: 1.7 ( cpu=12.7 )"]
        self.battery_uids = [(bxaq, ["    Wi-Fi network: 41.02KB received, 5.41MB sent (packets 522 received, "
                                     "3911 sent)",
                                     "    Foreground activities: 1h 15m 28s 0ms realtime (2 times)",
                                     "    Total running: 10h 22m 47s 896ms",
                                     "    Wake lock WakeLock: 1h 6m 42s 516ms partial (1 times) realtime",
                                     f"    Proc {BXAQ_NAME}:",
                                     "      CPU: 58m 40s 210ms usr + 18m 52s 4ms krn ; 0ms fg",
                                     "      1 starts"]),
                             (notes, ["    Foreground activities: 20m 48s 0ms realtime (2 times)"])]
        self.battery_package_changes = [f"Update {BXAQ_NAME} vers=1"]
        self.tcp = [("10.0.8.23", 41822, "198.51.100.23", 443, 0x06, "03:000012C4", 0, 0, "3 0000000000000000")]
        self.tcp6 = [("::ffff:10.0.8.23", 39104, "::ffff:198.51.100.40", 443, 0x01, "02:00000A3C", notes.uid, 60217,
                      "2 0000000000000000 22 4 30 10 -1")]

    # ---- files --------------------------------------------------------------------------------------------
    def write_files(self) -> None:
        t, s = self.t, self.s
        sd = "/sdcard"
        bx, cam, notes_uid = self.bxaq.uid, self.camera.uid, self.notes.uid
        rng = random.Random("bxaq-installed cjlog.txt")
        self.put_file(f"{sd}/Android/cjlog.txt", rng.randbytes(4_096), mtime=s["cjlog"], uid=bx)
        imei = luhn_complete("35329610000000")  # placeholder, not a real handset's IMEI
        plain = "\t".join([imei, "262010000000001", "SM-A505FN", "1.0", str(self.epoch(s["check"])), "163", "904",
                           "377", "11208", "0"]) + "\n"
        self.put_file(f"{sd}/cjlog_plain.txt", plain.encode(), mtime=s["check"], uid=bx)
        photos = [("2026-09-10 08:41:12", "Osh, the bazaar at dawn"), ("2026-09-12 14:02:47", "Taldyk pass"),
                  ("2026-09-13 18:33:05", "Sary-Tash, Pamir in the evening"),
                  ("2026-09-15 09:12:30", "road to Irkeshtam"), ("2026-09-15 16:40:02", "Nura"),
                  ("2026-09-16 13:10:31", "Ulugqat, first noodles in China"),
                  ("2026-09-16 13:12:58", "Ulugqat, the bike")]
        for stamp, caption in photos:
            when = t(stamp)
            self.put_file(f"{sd}/DCIM/Camera/{when.strftime('%Y%m%d_%H%M%S')}.jpg",
                          tiny_jpeg(f"inspector test phone photo: {caption}"), mtime=when, uid=cam)
        shot = t("2026-09-14 20:11:48")
        self.put_file(f"{sd}/Pictures/Screenshots/Screenshot_{shot.strftime('%Y%m%d-%H%M%S')}_Notes.png",
                      tiny_png("bxaq-installed screenshot"), mtime=shot, uid=1000)
        self.put_file(f"{sd}/Download/Irkeshtam_border_info.pdf",
                      tiny_pdf("Irkeshtam crossing", ["Kyrgyz post opens 09:00 (Bishkek time)",
                                                      "Chinese post: Ulugqat, 140 km further"]),
                      mtime=t("2026-09-02 19:44:10"), uid=1000)
        self.put_file(f"{sd}/Download/Kashgar_hostel_booking.pdf",
                      tiny_pdf("Booking confirmation", ["Kashgar Old Town Hostel", "16-19 September 2026, dorm bed"]),
                      mtime=t("2026-09-05 21:03:55"), uid=1000)
        gpx = ("<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"inspector test phone\">\n"
               "<trk><name>Sary-Tash - Irkeshtam - Kashgar</name><trkseg>\n"
               "<trkpt lat=\"39.7297\" lon=\"73.2494\"/>\n<trkpt lat=\"39.6766\" lon=\"73.9105\"/>\n"
               "<trkpt lat=\"39.5203\" lon=\"75.1011\"/>\n<trkpt lat=\"39.4704\" lon=\"75.9898\"/>\n"
               "</trkseg></trk>\n</gpx>\n")
        self.put_file(f"{sd}/Documents/route_SaryTash_Kashgar.gpx", gpx.encode(), mtime=t("2026-09-01 22:18:40"),
                      uid=1000)
        self.put_file(f"{sd}/Android/data/org.demo.notes/files/export/notes-2026-09-14.txt",
                      b"Day 5: Sary-Tash. Headwind. Buy water before the border, nothing until Ulugqat.\n",
                      mtime=t("2026-09-14 20:12:30"), uid=notes_uid, gid=1078)
        self.set_meta(f"{sd}/Android", mtime=s["cjlog"], ctime=self.setup, uid=1000, gid=1023, mode="0771")
        self.set_meta(sd, mtime=s["check"], ctime=self.setup, uid=0, gid=1015, mode="0771")


# --------------------------------------------------------------------------------------------------
# mfsocket: Android 9 Redmi 6A, MFSocket installed at a police checkpoint, still running
# --------------------------------------------------------------------------------------------------

MF_NAME = "com.Android.MFSocket"
MF_ACTION = "com.android.MFSocket.START_ADBDOWNLOAD"
MF_PORT = 10103


class MfSocket(Phone):
    name = "mfsocket"
    sdk = 28
    release = "9"
    utc_offset_h = 8
    pid_system_server = 1044

    def build(self) -> None:  # noqa: PLR0915
        t = self.t
        self.now = t("2026-08-12 13:10:00")
        setup = t("2019-03-22 16:05:40")
        boot = t("2026-08-09 06:58:20")
        self.s = s = {
            "unplugged": t("2026-08-12 06:30:11"), "taken": t("2026-08-12 09:18:42"),
            "settings": t("2026-08-12 09:19:40.208"), "dev_on": t("2026-08-12 09:20:25"),
            "adb_on": t("2026-08-12 09:20:41"), "usb_install_on": t("2026-08-12 09:20:58"),
            "usb_in": t("2026-08-12 09:21:10"), "key_allowed": t("2026-08-12 09:21:17"),
            "install": t("2026-08-12 09:22:03.511"), "broadcast": t("2026-08-12 09:22:09.020"),
            "pulled_end": t("2026-08-12 09:49:30.412"), "usb_out": t("2026-08-12 09:51:40"),
            "home_wifi": t("2026-08-12 12:58:12"), "collect_usb": t("2026-08-12 13:09:41.330"),
        }
        self.boot, self.setup = boot, setup
        self.officer_key = adb_pubkey("Administrator@JCZ-LAPTOP", "mfsocket officers' adb key")
        self.home = ("ChinaNet-7Hq2", "e4:f3:e8:2a:61:b0")
        self.package_changes = [MF_NAME]
        self.features = FEATURES
        self.gles = 0x30002

        apps = stand_ins(self, {"launcher": 10030, "settings": 10026, "phone": 10040, "camera": 10052},
                         {"launcher": "/system/priv-app/DemoLauncher/DemoLauncher.apk",
                          "settings": "/system/priv-app/DemoSettings/DemoSettings.apk",
                          "phone": "/system/priv-app/DemoPhone/DemoPhone.apk",
                          "camera": "/system/app/DemoCamera/DemoCamera.apk"}, setup,
                         {"launcher": 3812, "settings": 3803, "phone": 3827, "camera": 3841})
        apps.append(notes_app(self, 10122, data_app_apk(self.name, "org.demo.notes", self.sdk),
                              "com.xiaomi.market", t("2023-04-02 10:21:44"), t("2025-02-05 02:41:19"), 118402))
        apps.append(torch_app(10129, data_app_apk(self.name, "org.demo.torch", self.sdk), "com.xiaomi.market",
                              t("2024-07-19 20:02:31"), 121877))
        mf_perms = ("android.permission.INTERNET", "android.permission.READ_CONTACTS", "android.permission.READ_SMS",
                    "android.permission.READ_CALL_LOG", "android.permission.READ_PHONE_STATE",
                    "android.permission.ACCESS_FINE_LOCATION", "android.permission.ACCESS_WIFI_STATE",
                    "android.permission.BLUETOOTH", "android.permission.READ_EXTERNAL_STORAGE",
                    "android.permission.WRITE_EXTERNAL_STORAGE", "android.permission.WAKE_LOCK")
        apps.append(App(MF_NAME, "MFSocket", 10135, data_app_apk(self.name, "com.Android.MFSocket", self.sdk),
                        1, "1.0", 14, 22, None, s["install"], s["install"], debuggable=True,
                        activities=("com.Android.MFSocket.MFSocket",),
                        receivers=(("com.Android.MFSocket.StartReceiver", MF_ACTION),), permissions=mf_perms,
                        runtime_granted=tuple(x for x in mf_perms if x in RUNTIME_PERMS), ce_inode=124031,
                        sig_hash="77c0a3d1"))
        self.apps = apps
        self.list_order = ["org.demo.torch", "org.demo.system.launcher", "org.demo.notes", MF_NAME,
                           "org.demo.system.camera", "org.demo.system.settings", "org.demo.system.phone"]
        launcher, settings, phone, camera, notes, torch, mf = apps
        self.mf, self.notes, self.torch, self.launcher, self.settings_app, self.camera = (mf, notes, torch, launcher,
                                                                                          settings, camera)
        self.pids = {"zygote64": 702, "zygote": 703, "adbd": 9903, "mf": 11377, "launcher": 1903, "phone": 2110,
                     "notes": 15288, "settings": 9870}

        fingerprint = "xiaomi/cactus/cactus:9/PPR1.180610.011/V11.0.3.0.PCBCNXM:user/release-keys"
        self.props = base_props(self, serial="1c2e9a7b0d53", fingerprint=fingerprint, build_id="PPR1.180610.011",
                                incremental="V11.0.3.0.PCBCNXM", patch="2020-02-01", build_utc=1581395702,
                                build_date="Tue Feb 11 12:35:02 CST 2020", boot=boot,
                                timezone_name="Asia/Shanghai", locale="ru-RU")
        self.props.update({
            "gsm.current.phone-type": "1,1",
            "gsm.network.type": "LTE,LTE",
            "gsm.operator.alpha": "CHINA MOBILE,CHINA MOBILE",
            "gsm.operator.iso-country": "cn,cn",
            "gsm.operator.isroaming": "false,true",
            "gsm.operator.numeric": "46000,46000",
            "gsm.sim.operator.alpha": "CMCC,Kcell",
            "gsm.sim.operator.iso-country": "cn,kz",
            "gsm.sim.operator.numeric": "46000,40102",
            "gsm.sim.state": "LOADED,LOADED",
            "gsm.version.baseband": "MOLY.LR12A.R3.MP.V84.P24,MOLY.LR12A.R3.MP.V84.P24",
            "gsm.version.ril-impl": "mtk tk ril 1.0",
            "init.svc.mtkfusionrild": "running",
            "net.hostname": "Redmi6A-Redmi",
            "persist.security.adbinput": "0",
            "persist.security.adbinstall": "1",
            "persist.sys.boot.reason": "",
            "ro.board.platform": "mt6765",
            "ro.boot.hardware": "mt6765",
            "ro.bootloader": "unknown",
            "ro.build.characteristics": "default",
            "ro.build.description": "cactus-user 9 PPR1.180610.011 V11.0.3.0.PCBCNXM release-keys",
            "ro.build.display.id": "PPR1.180610.011",
            "ro.build.flavor": "cactus-user",
            "ro.build.host": "c3-miui-ota-bd84.bj",
            "ro.build.product": "cactus",
            "ro.build.user": "builder",
            "ro.hardware": "mt6765",
            "ro.hardware.egl": "mali",
            "ro.miui.region": "CN",
            "ro.miui.ui.version.code": "9",
            "ro.miui.ui.version.name": "V11",
            "ro.opengles.version": "196610",
            "ro.product.board": "cactus",
            "ro.product.brand": "xiaomi",
            "ro.product.device": "cactus",
            "ro.product.first_api_level": "27",
            "ro.product.locale": "zh-CN",
            "ro.product.manufacturer": "Xiaomi",
            "ro.product.mod_device": "cactus",
            "ro.product.model": "Redmi 6A",
            "ro.product.name": "cactus",
            "ro.sf.lcd_density": "320",
            "ro.vendor.build.fingerprint": fingerprint,
            "ro.vendor.mediatek.platform": "MT6765",
            "sys.usb.controller": "musb-hdrc",
        })
        self.settings["global"] = {
            "adb_enabled": "1", "airplane_mode_on": "0", "auto_time": "1", "auto_time_zone": "1",
            "bluetooth_on": "0", "boot_count": "212", "data_roaming": "0",
            "database_creation_buildid": "PPR1.180610.011", "development_settings_enabled": "1",
            "device_name": "Redmi 6A", "device_provisioned": "1", "mobile_data": "1", "mobile_data1": "1",
            "package_verifier_enable": "1", "stay_on_while_plugged_in": "0", "usb_mass_storage_enabled": "1",
            "verifier_verify_adb_installs": "1", "wifi_on": "1", "wifi_scan_always_enabled": "1",
            "wifi_sleep_policy": "2", "window_animation_scale": "1.0",
        }
        self.settings["secure"] = {
            "accessibility_enabled": "0", "android_id": "e41b7c90a2d5f318", "backup_enabled": "0",
            "enabled_accessibility_services": "", "enabled_notification_listeners": "",
            "install_non_market_apps": "1", "location_mode": "3", "location_providers_allowed": "gps,network",
            "lock_screen_owner_info_enabled": "0", "lockscreen.disabled": "0", "mock_location": "0",
            "skip_first_use_hints": "1", "user_setup_complete": "1",
        }
        self.settings["system"] = {
            "accelerometer_rotation": "0", "font_scale": "1.15", "haptic_feedback_enabled": "1",
            "screen_brightness": "95", "screen_brightness_mode": "1", "screen_off_timeout": "30000",
            "time_12_24": "24", "volume_music": "8", "volume_ring": "7",
        }

        p = self.pids
        self.processes = ps_common(self, p["zygote64"], p["zygote"], [
            ("root", 398, 1, 12410020, 3200, "do_sys_poll", "S", "ccci_fsd"),
            ("radio", 1402, 1, 12633488, 14016, "do_select", "S", "mtkfusionrild"),
            ("system", self.pid_system_server, p["zygote64"], 17452512, 241204, "do_epoll_wait", "S",
             "system_server"),
            app_row(launcher, p["launcher"], p["zygote64"], 15498884, 121952),
            app_row(phone, p["phone"], p["zygote64"], 14620672, 70468),
            ("root", 8021, 2, 0, 0, "worker_thread", "I", "[kworker/1:2]"),
            app_row(settings, p["settings"], p["zygote64"], 14733516, 91860),
            ("shell", p["adbd"], 1, 12502604, 6184, "do_epoll_wait", "S", "adbd"),
            app_row(mf, p["mf"], p["zygote64"], 14213120, 48120),
            app_row(notes, p["notes"], p["zygote64"], 14438944, 61312),
            ("shell", 16702, p["adbd"], 10339844, 2384, "do_wait", "S", "sh"),
            ("shell", 16706, 16702, 10361204, 3068, "0", "R", "ps"),
        ])
        self.battery_anchors = [(s["unplugged"], 100), (s["taken"], 81), (s["usb_in"], 79), (s["usb_out"], 93),
                                (t("2026-08-12 11:40:00"), 80), (s["home_wifi"], 66), (s["collect_usb"], 63),
                                (self.now, 63)]
        self.story_logcat()
        self.story_dumps()

    def story_logcat(self) -> None:
        t, s, p = self.t, self.s, self.pids
        mf, notes, torch, launcher, settings = self.mf, self.notes, self.torch, self.launcher, self.settings_app

        def at(d: datetime, k: int) -> datetime:
            return d + timedelta(milliseconds=k)

        self.battery_level_events(t("2026-08-12 08:30:00"), self.now)
        self.ev(at(s["taken"], -12_000), "screen_toggled", "1")
        self.ev(s["settings"], "am_proc_start", f"[0,{p['settings']},{settings.uid},{settings.name},activity,"
                f"{settings.short(settings.activities[0])}]")
        self.sysl(at(s["settings"], 2), "I", "ActivityManager", f"Start proc {p['settings']}:{settings.name}/"
                  f"{settings.bs_uid} for activity {settings.short(settings.activities[0])}")
        self.sysl(s["dev_on"], "I", "DevelopmentSettings", f"development_settings_enabled changed to 1 by uid "
                  f"{settings.uid}")
        self.sysl(s["adb_on"], "I", "UsbDeviceManager", "Setting USB config to mtp,adb")
        self.add_log("system", at(s["adb_on"], 920), 1, 1, "I", "init", "starting service 'adbd'...")
        self.main(s["usb_install_on"], p["settings"], "I", "DevelopmentSettings", "Install via USB: set "
                  "persist.security.adbinstall=1")
        self.ev(at(s["usb_in"], 12), "battery_status", "[2,2,2,2,Li-poly]")
        self.sysl(at(s["usb_in"], 40), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")
        self.sysl(at(s["usb_in"], 1210), "I", "UsbDebuggingManager", "Received public key from host, asking the "
                  f"user to allow USB debugging: fingerprint={self.key_fingerprint(self.officer_key)}")
        self.sysl(s["key_allowed"], "I", "UsbDebuggingManager", "USB debugging allowed (always) for "
                  "Administrator@JCZ-LAPTOP")
        inst = s["install"]
        self.sysl(inst - timedelta(milliseconds=2405), "I", "ActivityManager", "START u0 {cmp=com.miui.securitycenter/"
                  "com.miui.permcenter.install.AdbInstallActivity (has extras)} from uid 1000")
        self.sysl(inst - timedelta(milliseconds=310), "I", "PackageManager.DexOptimizer",
                  f"Running dexopt (dexoptNeeded=1) on: {mf.apk} pkg={MF_NAME} isa=arm64 "
                  "dexoptFlags=boot_complete,debuggable,public targetFilter=quicken")
        self.sysl(inst, "I", "PackageManager", f"installPackageLI: {MF_NAME} appId={mf.uid} "
                  f"codePath={mf.code_path} installer=null")
        self.sysl(at(inst, 58), "I", "ActivityManager", f"Broadcasting android.intent.action.PACKAGE_ADDED "
                  f"package:{MF_NAME} uid={mf.uid}")
        bc = s["broadcast"]
        rcv = mf.short("com.Android.MFSocket.StartReceiver")
        self.ev(bc, "am_proc_start", f"[0,{p['mf']},{mf.uid},{MF_NAME},broadcast,{rcv}]")
        self.sysl(at(bc, 3), "I", "ActivityManager", f"Start proc {p['mf']}:{MF_NAME}/{mf.bs_uid} for broadcast "
                  f"{rcv}")
        self.main(at(bc, 420), p["mf"], "W", "ziparchive", f"Unable to open '{mf.code_path}/base.dm': No such "
                  "file or directory")
        self.sysl(at(bc, 1_020), "I", "PowerManagerService", f"acquireWakeLock: lock=193004221, flags=0x1, "
                  f"tag=\"MFSocket\", ws=null, uid={mf.uid}, pid={p['mf']}")
        self.sysl(s["pulled_end"], "I", "PowerManagerService", "releaseWakeLock: lock=193004221 [MFSocket], "
                  f"flags=0x0, total_time={int((s['pulled_end'] - at(bc, 1_020)).total_seconds() * 1000)}ms")
        for k in range(4):
            when = bc + timedelta(minutes=4 + 6 * k, seconds=self.rng.randint(0, 50))
            self.main(when, p["mf"], "I", "art", "Background concurrent copying GC freed "
                      f"{self.rng.randint(9000, 30000)}({self.rng.randint(400, 1600)}KB) AllocSpace objects, "
                      f"0(0B) LOS objects, {self.rng.randint(30, 60)}% free, {self.rng.randint(2, 6)}MB/"
                      f"{self.rng.randint(7, 11)}MB, paused {self.rng.randint(90, 400)}us total "
                      f"{self.rng.randint(8, 40)}.{self.rng.randint(100, 999)}ms", tid=p["mf"] + 12)
        self.ev(at(s["usb_out"], 10), "battery_status", "[3,2,0,2,Li-poly]")
        self.sysl(s["usb_out"], "I", "UsbDeviceManager", "USB disconnected")
        self.ev(t("2026-08-12 09:53:20.118"), "screen_toggled", "0")
        for when, app, pid in ((t("2026-08-12 11:40:03"), notes, p["notes"]), (t("2026-08-12 12:31:10"), torch, 19204)):
            act = app.activities[0]
            self.ev(when, "am_proc_start", f"[0,{pid},{app.uid},{app.name},activity,{app.short(act)}]")
            self.sysl(at(when, 2), "I", "ActivityManager", f"Start proc {pid}:{app.name}/{app.bs_uid} for activity "
                      f"{app.short(act)}")
        self.ev(t("2026-08-12 12:40:02.551"), "am_proc_died", f"[0,19204,{torch.name},906,17]")
        self.sysl(s["home_wifi"], "I", "WifiStateMachine", f"Connected to \"{self.home[0]}\", ip 192.168.1.104/24, "
                  "gateway 192.168.1.1")

        tags = [(launcher, p["launcher"], "D", "Launcher", "onResume"),
                (notes, p["notes"], "I", "NotesSync", "sync skipped: no account"),
                (self.apps[2], p["phone"], "D", "DialerSettings", "roaming=false, operator=46000")]
        start = t("2026-08-12 13:01:40")
        for i in range(110):
            when = start + timedelta(seconds=i * 4.3 + self.rng.random())
            if self.rng.random() < 0.45:
                _app, pid, lvl, tag, msg = self.rng.choice(tags)
                self.main(when, pid, lvl, tag, msg, tid=pid + self.rng.randint(0, 40))
            else:
                choice = self.rng.randint(0, 2)
                if choice == 0:
                    self.main(when, 398, "I", "ccci_fsd", "FS_OTP_init 0", tid=398 + self.rng.randint(1, 4))
                elif choice == 1:
                    self.sysl(when, "D", "WifiStateMachine", f"RSSI changed: -{self.rng.randint(48, 61)}")
                else:
                    self.main(when, 860, "I", "SurfaceFlinger", "setPowerMode(0, 2)", tid=860 + self.rng.randint(1, 9))
        self.ev(at(s["collect_usb"], 12), "battery_status", "[2,2,2,2,Li-poly]")
        self.sysl(at(s["collect_usb"], 40), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")
        self.main(at(s["collect_usb"], 8_110), p["adbd"], "I", "adbd", "host-19: connected")

    def story_dumps(self) -> None:  # noqa: PLR0915
        t, s = self.t, self.s
        mf, notes, torch, launcher, settings, camera = (self.mf, self.notes, self.torch, self.launcher,
                                                        self.settings_app, self.camera)
        d = "2026-08-12 "
        self.usage_event(t("2026-08-11 19:02:10"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(camera, camera.activities[0], t("2026-08-11 19:02:40"), t("2026-08-11 19:05:02"), 1)
        self.usage_event(t("2026-08-11 19:06:00"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(s["unplugged"], "SCREEN_INTERACTIVE", "android")
        self.usage_session(launcher, launcher.activities[0], t(d + "06:30:20"), t(d + "06:33:02"), 2)
        self.usage_event(t(d + "06:33:05"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t(d + "09:18:30"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(launcher, launcher.activities[0], t(d + "09:18:42"), s["settings"], 3)
        self.usage_session(settings, settings.activities[0], s["settings"], t(d + "09:22:00"), 4)
        self.usage_event(s["install"], "STANDBY_BUCKET_CHANGED", MF_NAME, extra="standbyBucket=10 reason=d-i")
        self.usage_session(launcher, launcher.activities[0], t(d + "09:22:04"), t(d + "09:53:20"), 5)
        self.usage_event(t(d + "09:53:20"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t(d + "11:39:55"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(notes, notes.activities[0], t(d + "11:40:03"), t(d + "11:52:41"), 6)
        self.usage_session(torch, torch.activities[0], t(d + "12:31:10"), t(d + "12:32:02"), 7)
        self.usage_event(t(d + "12:32:30"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t(d + "13:09:30"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(launcher, launcher.activities[0], t(d + "13:09:35"), self.now - timedelta(seconds=4), 8)
        self.daily = [(launcher, "00:36:55", t(d + "13:09:56"), 4), (settings, "00:02:19", t(d + "09:22:00"), 1),
                      (notes, "00:12:38", t(d + "11:52:41"), 1), (torch, "00:00:52", t(d + "12:32:02"), 1)]
        self.last_used = {launcher.name: t(d + "13:09:56"), settings.name: t(d + "09:22:00"),
                          self.apps[2].name: t("2026-08-11 21:15:40"), camera.name: t("2026-08-11 19:05:02"),
                          notes.name: t(d + "11:52:41"), torch.name: t(d + "12:32:02"), MF_NAME: s["broadcast"]}

        bc = s["broadcast"]
        self.appops = [
            (torch, "cch", [Op("CAMERA", accesses=(("top", t(d + "12:31:12.640"), "+49s802ms"),)),
                            Op("READ_CONTACTS", accesses=(("top", t(d + "12:31:11.008"), ""),))]),
            (notes, "cch", [Op("WAKE_LOCK", accesses=(("cch", t(d + "12:10:02.117"), "+61ms"),))]),
            (mf, "cch", [
                Op("COARSE_LOCATION", accesses=(("bg", t(d + "09:23:10.084"), ""),)),
                Op("FINE_LOCATION", accesses=(("bg", t(d + "09:23:10.090"), ""),)),
                Op("READ_CONTACTS", accesses=(("bg", t(d + "09:22:31.417"), ""),)),
                Op("READ_CALL_LOG", accesses=(("bg", t(d + "09:23:02.118"), ""),)),
                Op("READ_SMS", accesses=(("bg", t(d + "09:22:48.871"), ""),)),
                Op("READ_PHONE_STATE", accesses=(("bg", t(d + "09:22:25.208"), ""),)),
                Op("WIFI_SCAN", accesses=(("bg", t(d + "09:23:15.559"), ""),)),
                Op("WAKE_LOCK", accesses=(("bg", bc + timedelta(milliseconds=1_020),
                                           fmt_duration(s["pulled_end"] - bc - timedelta(milliseconds=1_020))),)),
                Op("READ_EXTERNAL_STORAGE", accesses=(("bg", s["pulled_end"], ""),)),
                Op("WRITE_EXTERNAL_STORAGE"),
                Op("RUN_IN_BACKGROUND"),
            ]),
        ]
        self.adb_keys = [(self.officer_key, s["usb_out"])]
        self.notifications = [
            {"pkg": "android", "uid": 1000, "id": 26, "channel": "DEVELOPER", "flags": "0x2", "importance": 2,
             "when": s["collect_usb"] + timedelta(seconds=8), "vis": "PUBLIC",
             "title": "Отладка по USB разрешена", "text": "Нажмите, чтобы отключить отладку по USB."},
            {"pkg": "android", "uid": 1000, "id": 32, "channel": "USB", "flags": "0x2", "importance": 1,
             "when": s["collect_usb"], "vis": "PUBLIC"},
        ]
        self.archive = [("android", 26, 1000, "DEVELOPER", "0x2"), ("android", 32, 1000, "USB", "0x2"),
                        (notes.name, 7, notes.uid, "miscellaneous", "0x10")]
        self.wifi_saved = [
            WifiNetwork(0, "Beeline_Home_5A1C", "WPA_PSK", t("2019-04-02 18:21:07.310"), t("2026-08-08 07:40:02.118")),
            WifiNetwork(2, self.home[0], "WPA_PSK", t("2025-02-03 19:20:11.502"), s["home_wifi"], current=True),
            WifiNetwork(3, "Khorgos-Hotel", "NONE", t("2026-08-10 21:14:40.201"), t("2026-08-12 07:55:31.660")),
        ]
        self.wifi_log = [(t("2026-08-10 21:14:40.201"), "addOrUpdateNetwork uid=1000 name=android.uid.system "
                                                        "networkId=3 SSID=\"Khorgos-Hotel\"")]
        self.wifi_events = [(t("2026-08-10 21:14:41.002"), "Khorgos-Hotel", "a0:f3:c1:77:10:2e", 1410, 1000),
                            (s["home_wifi"], self.home[0], self.home[1], 1688, 1000)]
        self.wifi_scan = [(self.home[1], 2437, -51, 1.1, self.home[0], "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS][WPS]"),
                          ("70:3a:73:10:c4:82", 2412, -80, 1.3, "CMCC-3eFq", "[WPA2-PSK-CCMP][ESS]")]
        self.wifi_dhcp = [(s["home_wifi"], self.home[0], "192.168.1.104/24", "192.168.1.1", "null")]
        self.wifi_info = (f"mWifiInfo SSID: {self.home[0]}, BSSID: {self.home[1]}, MAC: 02:00:00:00:00:00, "
                          "Supplicant state: COMPLETED, RSSI: -51, Link speed: 72Mbps, Frequency: 2437MHz, "
                          "Net ID: 2, Metered hint: false, score: 60")

        start = s["unplugged"]
        self.battery_start = start
        bs = mf.bs_uid
        self.battery_history += [
            (start, 100, f"status=discharging health=good plug=none temp=301 volt=4352 charge=3000 +running +wake_lock "
                         f"+screen phone_signal_strength=great top={launcher.bs_uid}:\"{launcher.name}\""),
            (t(d + "06:33:05.000"), 100, "-screen"),
            (t(d + "09:18:30.402"), 81, "+screen"),
            (s["settings"], 81, f"+top={settings.bs_uid}:\"{settings.name}\""),
            (s["usb_in"], 79, "status=charging plug=usb volt=4180 +plugged +usb_data"),
            (s["install"], 79, f"pkginst=1:\"{MF_NAME}\""),
            (bc, 80, f"+wake_lock_in={bs}:\"MFSocket\""),
            (s["pulled_end"], 92, f"-wake_lock_in={bs}:\"MFSocket\""),
            (s["usb_out"], 93, "status=discharging plug=none volt=4291 -plugged -usb_data"),
            (t(d + "09:53:20.118"), 93, "-screen"),
            (t(d + "12:31:10.000"), 70, f"+screen +top={torch.bs_uid}:\"{torch.name}\" +flashlight"),
            (t(d + "12:32:02.000"), 70, f"-top={torch.bs_uid}:\"{torch.name}\" -flashlight"),
            (s["home_wifi"], 66, "+wifi_radio wifi_signal_strength=4 wifi_suppl=completed"),
            (s["collect_usb"], 63, "status=charging plug=usb +plugged +usb_data"),
        ]
        plugged = (s["usb_out"] - s["usb_in"]) + (self.now - s["collect_usb"])
        self.battery_summary = {"on_battery": "false", "capacity": 3000, "drain": 1205,
                                "time_on_battery": (self.now - start) - plugged,
                                "screen_on": timedelta(hours=1, minutes=22, seconds=5)}
        self.battery_power = [f"Uid {bs}: 88.1 fg: 0 bg: 88.1 ( cpu=78.9 wake=9.2 )",  # data left over USB
                              f"Uid {launcher.bs_uid}: 61.3 ( cpu=61.3 )",
                              f"Uid {torch.bs_uid}: 9.8 ( cpu=2.1 camera=7.7 )"]
        held = s["pulled_end"] - bc - timedelta(milliseconds=1_020)
        self.battery_uids = [(mf, [f"    Wake lock MFSocket: {spaced(held)} partial (1 times) realtime",
                                   "    Mobile network: 0B received, 0B sent",
                                   f"    Proc {MF_NAME}:",
                                   "      CPU: 6m 12s 80ms usr + 2m 40s 310ms krn ; 0ms fg",
                                   "      1 starts"])]
        self.battery_package_changes = [f"Update {MF_NAME} vers=1"]
        # MFSocket's listener: a Java ServerSocket binds the dual-stack wildcard, so it shows in tcp6 as :::10103
        self.tcp = [("192.168.1.104", 51840, "203.0.113.45", 443, 0x06, "03:00001A2B", 0, 0, "3 0000000000000000")]
        self.tcp6 = [
            ("::", MF_PORT, "::", 0, 0x0A, "00:00000000", mf.uid, 58213, "1 0000000000000000 100 0 0 10 0"),
            ("::ffff:192.168.1.104", 39204, "::ffff:198.51.100.77", 443, 0x01, "02:000009E4", notes.uid, 71022,
             "2 0000000000000000 21 4 30 10 -1"),
        ]

    def write_files(self) -> None:
        t = self.t
        sd = "/sdcard"
        cam, notes_uid = self.camera.uid, self.notes.uid
        photos = [("2026-08-10 18:02:11", "Khorgos, the gate"),
                  ("2026-08-11 19:02:55", "Yining, dinner with the family"),
                  ("2026-08-11 19:04:30", "Yining, grandmother"), ("2026-07-20 12:41:02", "Almaty, Kok-Tobe"),
                  ("2026-06-02 09:15:44", "Almaty, the flat")]
        for stamp, caption in photos:
            when = t(stamp)
            self.put_file(f"{sd}/DCIM/Camera/IMG_{when.strftime('%Y%m%d_%H%M%S')}.jpg",
                          tiny_jpeg(f"inspector test phone photo: {caption}"), mtime=when, uid=cam)
        self.put_file(f"{sd}/Download/bus_Almaty_Khorgos.pdf",
                      tiny_pdf("Bus ticket", ["Almaty - Khorgos, 10 August 2026, 07:00", "Seat 22"]),
                      mtime=t("2026-08-01 20:12:05"), uid=1000)
        self.put_file(f"{sd}/Download/invitation_letter.pdf",
                      tiny_pdf("Invitation", ["Family visit, Yining", "10-20 August 2026"]),
                      mtime=t("2026-07-14 11:40:29"), uid=1000)
        shot = t("2026-08-11 08:20:14")
        self.put_file(f"{sd}/Pictures/Screenshots/Screenshot_{shot.strftime('%Y-%m-%d-%H-%M-%S')}-512_"
                      f"org.demo.notes.png", tiny_png("mfsocket screenshot"), mtime=shot, uid=1000)
        self.put_file(f"{sd}/Android/data/org.demo.notes/files/export/shopping.txt",
                      "Подарки: чай, мёд, платок\nКупить SIM-карту? нет, есть CMCC\n".encode(),
                      mtime=t("2026-08-12 11:52:40"), uid=notes_uid, gid=1078)
        self.set_meta(f"{sd}/Android", mtime=t("2026-08-12 11:52:40"), ctime=self.setup, uid=1000, gid=1023,
                      mode="0771")
        self.set_meta(sd, mtime=t("2026-08-11 19:04:30"), ctime=self.setup, uid=0, gid=1015, mode="0771")


# --------------------------------------------------------------------------------------------------
# clean: Android 14 Pixel 7a, nothing bad, but much that naive tools flag
# --------------------------------------------------------------------------------------------------

READER = Service("org.demo.screenreader.ReaderService", "Screen Reader",
                 "android.permission.BIND_ACCESSIBILITY_SERVICE", "android.accessibilityservice.AccessibilityService")
AUTOFILL = Service("org.demo.passwordsafe.autofill.SafeAutofillService", "Password Safe",
                   "android.permission.BIND_AUTOFILL_SERVICE", "android.service.autofill.AutofillService")
RELAY = Service("org.demo.watchbridge.NotificationRelay", "Watch Bridge",
                "android.permission.BIND_NOTIFICATION_LISTENER_SERVICE",
                "android.service.notification.NotificationListenerService")


class Clean(Phone):
    name = "clean"
    sdk = 34
    release = "14"
    utc_offset_h = 6  # Asia/Bishkek (no daylight saving time)
    pid_system_server = 1561

    def build(self) -> None:  # noqa: PLR0915
        t = self.t
        self.now = t("2024-05-14 11:30:00")
        setup = t("2023-06-18 12:10:33")
        boot = t("2024-05-10 08:02:44")
        self.s = s = {
            "reader_install": t("2023-06-18 12:31:02"), "reader_on": t("2023-06-18 12:33:40"),
            "fdroid_install": t("2023-09-02 17:48:12"), "unknown_sources": t("2023-09-02 17:54:50"),
            "safe_install": t("2023-09-02 17:55:30"), "autofill_on": t("2023-09-02 17:58:10"),
            "bridge_install": t("2023-10-21 10:12:05"), "listener_on": t("2023-10-21 10:14:02"),
            "dev_on": t("2023-11-04 19:20:11"), "adb_on": t("2023-11-04 19:20:30"),
            "key_allowed": t("2023-11-04 19:21:02"), "no_timeout": t("2023-11-04 19:22:15"),
            "key_last": t("2024-02-10 20:41:07"), "ota": t("2024-03-13 03:12:40"),
            "unplugged": t("2024-05-13 07:31:18"),
            "border_screen": t("2024-05-13 14:05:10"), "handed_over": t("2024-05-13 14:06:02"),
            "gallery": t("2024-05-13 14:07:12"), "gallery_end": t("2024-05-13 14:19:40"),
            "settings": t("2024-05-13 14:20:05"), "settings_end": t("2024-05-13 14:21:30"),
            "handed_back": t("2024-05-13 14:31:05"), "tz_bishkek": t("2024-05-13 14:40:22"),
            "home_wifi": t("2024-05-13 17:20:04"), "fdroid_used": t("2024-05-13 21:02:31"),
            "collect_usb": t("2024-05-14 11:29:40.512"),
        }
        self.boot, self.setup = boot, setup
        self.owner_key = adb_pubkey("owner@thinkpad-x13", "clean owner's laptop adb key")
        self.home = ("HOME-7C21", "b0:95:75:3e:7c:21")
        self.package_changes = []
        self.features = FEATURES + ["android.hardware.nfc", "android.software.secure_lock_screen",
                                    "android.hardware.telephony.ims"]
        self.gles = 0x30002
        self.apex_version = "341110000"

        apps = stand_ins(self, {"launcher": 10187, "settings": 10143, "phone": 10201, "camera": 10214},
                         {"launcher": "/system_ext/priv-app/DemoLauncher/DemoLauncher.apk",
                          "settings": "/system_ext/priv-app/DemoSettings/DemoSettings.apk",
                          "phone": "/product/priv-app/DemoPhone/DemoPhone.apk",
                          "camera": "/product/app/DemoCamera/DemoCamera.apk"}, setup,
                         {"launcher": 5212, "settings": 5203, "phone": 5227, "camera": 5241})
        reader_perms = ("android.permission.VIBRATE", "android.permission.WAKE_LOCK",
                        "android.permission.READ_PHONE_STATE", "android.permission.POST_NOTIFICATIONS",
                        "android.permission.FOREGROUND_SERVICE")
        apps.append(App("org.demo.screenreader", "Screen Reader", 10276,
                        data_app_apk(self.name, "org.demo.screenreader", self.sdk),
                        140100, "14.1", 26, 34, "com.android.vending", s["reader_install"],
                        t("2024-04-26 03:22:17"), activities=("org.demo.screenreader.SettingsActivity",),
                        services=(READER,), permissions=reader_perms,
                        runtime_granted=("android.permission.READ_PHONE_STATE",
                                         "android.permission.POST_NOTIFICATIONS"),
                        package_source=2, ce_inode=288410, sig_hash="c31f7a02"))
        fdroid_perms = ("android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE",
                        "android.permission.ACCESS_WIFI_STATE", "android.permission.REQUEST_INSTALL_PACKAGES",
                        "android.permission.REQUEST_DELETE_PACKAGES",
                        "android.permission.UPDATE_PACKAGES_WITHOUT_USER_ACTION",
                        "android.permission.POST_NOTIFICATIONS", "android.permission.FOREGROUND_SERVICE",
                        "android.permission.WAKE_LOCK", "android.permission.RECEIVE_BOOT_COMPLETED")
        apps.append(App("org.fdroid.fdroid", "F-Droid", 10298,
                        data_app_apk(self.name, "org.fdroid.fdroid", self.sdk),
                        1019050, "1.19.1", 23, 33, "com.google.android.packageinstaller", s["fdroid_install"],
                        t("2024-04-02 21:10:45"), activities=("org.fdroid.fdroid.views.main.MainActivity",),
                        permissions=fdroid_perms, runtime_granted=("android.permission.POST_NOTIFICATIONS",),
                        package_source=4, ce_inode=301177, sig_hash="43238d51", allow_backup=False))
        apps.append(App("org.demo.passwordsafe", "Password Safe", 10299,
                        data_app_apk(self.name, "org.demo.passwordsafe", self.sdk),
                        4070, "4.0.7", 21, 34, "org.fdroid.fdroid", s["safe_install"], t("2024-04-11 08:41:19"),
                        activities=("org.demo.passwordsafe.MainActivity",), services=(AUTOFILL,),
                        permissions=("android.permission.USE_BIOMETRIC", "android.permission.VIBRATE",
                                     "android.permission.POST_NOTIFICATIONS"),
                        runtime_granted=("android.permission.POST_NOTIFICATIONS",), package_source=2,
                        ce_inode=301203, sig_hash="8f11c0e4", allow_backup=False))
        bridge_perms = ("android.permission.BLUETOOTH_SCAN", "android.permission.BLUETOOTH_CONNECT",
                        "android.permission.READ_CONTACTS", "android.permission.READ_PHONE_STATE",
                        "android.permission.POST_NOTIFICATIONS", "android.permission.FOREGROUND_SERVICE",
                        "android.permission.RECEIVE_BOOT_COMPLETED")
        apps.append(App("org.demo.watchbridge", "Watch Bridge", 10305,
                        data_app_apk(self.name, "org.demo.watchbridge", self.sdk),
                        231, "0.79.1", 23, 33, "org.fdroid.fdroid", s["bridge_install"], t("2024-03-30 18:03:52"),
                        activities=("org.demo.watchbridge.ControlCenter",), services=(RELAY,),
                        permissions=bridge_perms, runtime_granted=tuple(x for x in bridge_perms if x in RUNTIME_PERMS),
                        package_source=2, ce_inode=310542, sig_hash="2be9d7a0"))
        self.apps = apps
        self.list_order = ["org.demo.passwordsafe", "org.demo.system.settings", "org.fdroid.fdroid",
                           "org.demo.system.camera", "org.demo.screenreader", "org.demo.system.launcher",
                           "org.demo.watchbridge", "org.demo.system.phone"]
        launcher, settings, phone, camera, reader, fdroid, safe, bridge = apps
        self.a = {"launcher": launcher, "settings": settings, "phone": phone, "camera": camera, "reader": reader,
                  "fdroid": fdroid, "safe": safe, "bridge": bridge}
        self.pids = {"zygote64": 781, "zygote": 782, "adbd": 1319, "reader": 2402, "bridge": 2510, "launcher": 2288,
                     "phone": 2671, "settings": 27431}

        fingerprint = "google/lynx/lynx:14/AP1A.240305.019.A1/11445699:user/release-keys"
        self.props = base_props(self, serial="33081JEHN09437", fingerprint=fingerprint, build_id="AP1A.240305.019.A1",
                                incremental="11445699", patch="2024-03-05", build_utc=1707351720,
                                build_date="Thu Feb  8 00:22:00 UTC 2024", boot=boot,
                                timezone_name="Asia/Bishkek", locale="en-GB")
        self.props.update({
            "gsm.current.phone-type": "1",
            "gsm.network.type": "LTE",
            "gsm.operator.alpha": "MegaCom",
            "gsm.operator.iso-country": "kg",
            "gsm.operator.isroaming": "false",
            "gsm.operator.numeric": "43705",
            "gsm.sim.operator.alpha": "MegaCom",
            "gsm.sim.operator.iso-country": "kg",
            "gsm.sim.operator.numeric": "43705",
            "gsm.sim.state": "LOADED",
            "gsm.version.baseband": "g5300g-230927-231102-B-11017337",
            "persist.sys.boot.reason.history": f"reboot,userrequested,{self.epoch(boot)}\n"
                                               f"reboot,ota,{self.epoch(s['ota'])}",
            "ro.boot.bootreason": "reboot,userrequested",
            "ro.boot.hardware": "lynx",
            "ro.boot.hardware.platform": "gs201",
            "ro.bootloader": "lynx-14.1-11019213",
            "ro.build.characteristics": "nosdcard",
            "ro.build.description": "lynx-user 14 AP1A.240305.019.A1 11445699 release-keys",
            "ro.build.display.id": "AP1A.240305.019.A1",
            "ro.build.flavor": "lynx-user",
            "ro.build.host": "abfarm-release-2004-0093",
            "ro.build.product": "lynx",
            "ro.build.user": "android-build",
            "ro.board.platform": "gs201",
            "ro.com.google.gmsversion": "14_202402",
            "ro.hardware": "lynx",
            "ro.hardware.egl": "mali",
            "ro.opengles.version": "196610",
            "ro.product.board": "lynx",
            "ro.product.brand": "google",
            "ro.product.device": "lynx",
            "ro.product.first_api_level": "33",
            "ro.product.locale": "en-US",
            "ro.product.manufacturer": "Google",
            "ro.product.model": "Pixel 7a",
            "ro.product.name": "lynx",
            "ro.product.system.brand": "google",
            "ro.product.system.device": "generic",
            "ro.product.system.manufacturer": "Google",
            "ro.product.system.model": "mainline",
            "ro.product.system.name": "mainline",
            "ro.product.vendor.brand": "google",
            "ro.product.vendor.device": "lynx",
            "ro.product.vendor.manufacturer": "Google",
            "ro.product.vendor.model": "Pixel 7a",
            "ro.product.vendor.name": "lynx",
            "ro.sf.lcd_density": "420",
            "ro.soc.manufacturer": "Google",
            "ro.soc.model": "GS201",
            "ro.system.build.fingerprint": "google/lynx/lynx:14/AP1A.240305.019.A1/11445699:user/release-keys",
            "ro.system.build.version.release": "14",
            "ro.system.build.version.sdk": "34",
            "ro.vndk.version": "34",
            "sys.boot.reason": "reboot,userrequested",
            "sys.usb.controller": "11210000.dwc3",
        })
        self.settings["global"] = {
            "adb_allowed_connection_time": "0", "adb_enabled": "1", "adb_wifi_enabled": "0", "airplane_mode_on": "0",
            "auto_time": "1", "auto_time_zone": "1", "bluetooth_on": "1", "boot_count": "38", "data_roaming": "0",
            "database_creation_buildid": "AP1A.240305.019.A1", "development_settings_enabled": "1",
            "device_name": "Pixel 7a", "device_provisioned": "1", "mobile_data": "1",
            "package_verifier_user_consent": "1", "private_dns_mode": "opportunistic",
            "stay_on_while_plugged_in": "0", "verifier_verify_adb_installs": "1", "wifi_on": "1",
            "wifi_scan_always_enabled": "0", "window_animation_scale": "1.0", "zen_mode": "0",
        }
        self.settings["secure"] = {
            "accessibility_enabled": "1", "android_id": "5d03a91fe26cb774",
            "autofill_service": safe.flat(AUTOFILL.cls), "backup_enabled": "1",
            "enabled_accessibility_services": reader.flat(READER.cls),
            "enabled_notification_listeners": bridge.flat(RELAY.cls), "install_non_market_apps": "1",
            "location_mode": "3", "lock_screen_allow_private_notifications": "0",
            "lock_screen_show_notifications": "1", "lockscreen.disabled": "0", "mock_location": "0",
            "navigation_mode": "0", "skip_first_use_hints": "1", "touch_exploration_enabled": "1",
            "ui_night_mode": "2", "user_setup_complete": "1",
        }
        self.settings["system"] = {
            "accelerometer_rotation": "0", "font_scale": "1.3", "haptic_feedback_enabled": "1",
            "screen_brightness": "160", "screen_brightness_mode": "1", "screen_off_timeout": "120000",
            "time_12_24": "24", "volume_music": "11", "volume_ring": "9",
        }

        p = self.pids
        self.processes = ps_common(self, p["zygote64"], p["zygote"], [
            ("system", 820, 1, 12487672, 7808, "binder_thread_read", "S", "android.hardware.health-service.gs201"),
            ("shell", p["adbd"], 1, 12502604, 8184, "do_epoll_wait", "S", "adbd"),
            ("system", self.pid_system_server, p["zygote64"], 19452512, 421204, "do_epoll_wait", "S",
             "system_server"),
            app_row(launcher, p["launcher"], p["zygote64"], 16498884, 211952),
            app_row(reader, p["reader"], p["zygote64"], 15420672, 120468),
            app_row(bridge, p["bridge"], p["zygote64"], 14920672, 70468),
            app_row(phone, p["phone"], p["zygote64"], 15620672, 98468),
            app_row(settings, p["settings"], p["zygote64"], 15733516, 121860),
            ("shell", 28403, p["adbd"], 12339844, 3384, "do_wait", "S", "sh"),
            ("shell", 28407, 28403, 12361204, 4068, "0", "R", "ps"),
        ])
        self.battery_anchors = [(s["unplugged"], 100), (s["border_screen"], 71), (s["handed_back"], 66),
                                (s["home_wifi"], 52), (t("2024-05-13 23:10:00"), 31), (t("2024-05-14 07:40:00"), 22),
                                (s["collect_usb"], 12), (self.now, 12)]
        self.story_logcat()
        self.story_dumps()

    def story_logcat(self) -> None:
        t, s, p, a = self.t, self.s, self.pids, self.a

        def at(d: datetime, k: int) -> datetime:
            return d + timedelta(milliseconds=k)

        self.battery_level_events(t("2024-05-13 12:00:00"), self.now)
        self.ev(s["border_screen"], "screen_toggled", "1")
        self.ev(at(s["border_screen"], 9_800), "wm_set_resumed_activity",
                f"[0,{a['launcher'].short(a['launcher'].activities[0])},resumeTopActivity - onActivityStateChanged]")
        cam = a["camera"]
        self.ev(s["gallery"], "am_proc_start", f"[0,24102,{cam.uid},{cam.name},top-activity,"
                f"{{{cam.short(cam.activities[0])}}}]")
        self.sysl(at(s["gallery"], 2), "I", "ActivityManager", f"Start proc 24102:{cam.name}/{cam.bs_uid} for "
                  f"top-activity {{{cam.short(cam.activities[0])}}}")
        self.ev(s["settings"], "wm_set_resumed_activity",
                f"[0,{a['settings'].short(a['settings'].activities[0])},resumeTopActivity - onActivityStateChanged]")
        self.ev(s["handed_back"], "screen_toggled", "0")
        self.sysl(s["tz_bishkek"], "I", "ServiceStateTracker", "[0] Poll ServiceState done: operator=MegaCom/43705 "
                  "roaming=false")
        self.sysl(at(s["tz_bishkek"], 240), "I", "TimeZoneDetectorStrategy", "Set device time zone: "
                  "newZoneId=Asia/Bishkek, cause=Telephony time zone suggestion changed")
        self.sysl(s["home_wifi"], "I", "WifiClientModeImpl", f"Connected to \"{self.home[0]}\", ip 192.168.0.23/24, "
                  "gateway 192.168.0.1")
        tags = [(p["launcher"], "D", "Launcher", "onResume"),
                (p["reader"], "I", "ReaderService", "onAccessibilityEvent: TYPE_WINDOW_STATE_CHANGED"),
                (p["bridge"], "I", "NotificationRelay", "band: battery 64%"),
                (p["phone"], "D", "DialerSettings", "roaming=false, operator=43705")]
        start = t("2024-05-14 11:21:05")
        for i in range(130):
            when = start + timedelta(seconds=i * 4.0 + self.rng.random())
            if self.rng.random() < 0.5:
                pid, lvl, tag, msg = self.rng.choice(tags)
                self.main(when, pid, lvl, tag, msg, tid=pid + self.rng.randint(0, 40))
            else:
                choice = self.rng.randint(0, 2)
                if choice == 0:
                    self.main(when, 730, "I", "netd", "trafficSwapActiveStatsMap() <2.00ms>",
                              tid=730 + self.rng.randint(1, 20))
                elif choice == 1:
                    self.sysl(when, "D", "WifiNetworkSelector", f"Current connected network: \"{self.home[0]}\" "
                              f"rssi=-{self.rng.randint(45, 58)} is sufficient")
                else:
                    self.sysl(when, "I", "BatteryStatsService", f"Battery level changed: {self.battery_level(when)}% "
                              "(not charging)")
        self.ev(at(s["collect_usb"], 12), "battery_status", "[2,2,2,2,Li-ion]")
        self.sysl(at(s["collect_usb"], 40), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")
        self.main(at(s["collect_usb"], 8_400), p["adbd"], "I", "adbd", "adbd_auth: authorized host (USB)")

    def story_dumps(self) -> None:  # noqa: PLR0915
        t, s, p, a = self.t, self.s, self.pids, self.a
        launcher, settings, camera = a["launcher"], a["settings"], a["camera"]
        reader, fdroid, safe, bridge = a["reader"], a["fdroid"], a["safe"], a["bridge"]
        d13, d14 = "2024-05-13 ", "2024-05-14 "
        self.usage_event(s["border_screen"], "SCREEN_INTERACTIVE", "android")
        self.usage_event(t(d13 + "14:05:41"), "KEYGUARD_HIDDEN", "android")
        self.usage_session(launcher, launcher.activities[0], t(d13 + "14:05:42"), s["gallery"], 81)
        self.usage_session(camera, camera.activities[0], s["gallery"], s["gallery_end"], 82)
        self.usage_session(settings, settings.activities[0], s["settings"], s["settings_end"], 83)
        self.usage_session(launcher, launcher.activities[0], s["settings_end"], s["handed_back"], 84)
        self.usage_event(s["handed_back"], "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(s["handed_back"], "KEYGUARD_SHOWN", "android")
        self.usage_event(t(d13 + "21:02:10"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(fdroid, fdroid.activities[0], t(d13 + "21:02:31"), t(d13 + "21:06:02"), 85)
        self.usage_session(bridge, bridge.activities[0], t(d13 + "21:06:30"), t(d13 + "21:07:11"), 86)
        self.usage_event(t(d13 + "21:07:40"), "SCREEN_NON_INTERACTIVE", "android")
        self.usage_event(t(d14 + "09:11:50"), "SCREEN_INTERACTIVE", "android")
        self.usage_session(safe, safe.activities[0], t(d14 + "09:12:31"), t(d14 + "09:13:10"), 87)
        self.usage_session(launcher, launcher.activities[0], t(d14 + "11:28:02"), self.now - timedelta(seconds=5), 88)
        self.daily = [(launcher, "00:21:10", t(d14 + "11:29:55"), 5), (safe, "00:00:39", t(d14 + "09:13:10"), 1)]
        self.last_used = {launcher.name: t(d14 + "11:29:55"), settings.name: s["settings_end"],
                          camera.name: s["gallery_end"], fdroid.name: t(d13 + "21:06:02"),
                          bridge.name: t(d13 + "21:07:11"), safe.name: t(d14 + "09:13:10"),
                          a["phone"].name: t(d14 + "10:02:12"), reader.name: t(d14 + "11:29:58")}
        self.appops = [
            (camera, "cch", [Op("READ_MEDIA_IMAGES", accesses=(("top-s", t(d13 + "14:07:13.412"), ""),))]),
            (reader, "fg", [Op("READ_PHONE_STATE", accesses=(("fg-s", t(d14 + "10:02:12.004"), ""),)),
                              Op("POST_NOTIFICATION")]),
            (fdroid, "cch", [Op("REQUEST_INSTALL_PACKAGES", accesses=(("top-s", t("2024-04-11 08:41:02.228"), ""),)),
                             Op("POST_NOTIFICATION", accesses=(("top-s", t(d13 + "21:05:12.001"), ""),))]),
            (safe, "cch", [Op("USE_BIOMETRIC", accesses=(("top-s", t(d14 + "09:12:33.117"), ""),))]),
            (bridge, "fg", [Op("READ_CONTACTS", accesses=(("fg-s", t(d14 + "10:02:12.220"), ""),)),
                            Op("BLUETOOTH_CONNECT", accesses=(("fg-s", t(d14 + "08:02:51.004"), ""),)),
                            Op("BLUETOOTH_SCAN", accesses=(("fg-s", t(d14 + "08:02:49.337"), ""),)),
                               Op("POST_NOTIFICATION")]),
        ]
        self.adb_keys = [(self.owner_key, s["key_last"])]
        self.adb_last_key = self.key_fingerprint(self.owner_key)
        self.a11y = [(reader, READER, "[FEEDBACK_SPOKEN, FEEDBACK_HAPTIC, FEEDBACK_AUDIBLE]", 3, 0)]
        self.a11y_touch_exploration = True
        self.a11y_clients = [(p["launcher"], launcher), (p["bridge"], bridge), (p["phone"], a["phone"])]
        self.listeners = [(bridge, RELAY)]
        self.notifications = [
            {"pkg": bridge.name, "uid": bridge.uid, "id": 1, "channel": "connection_status", "flags": "0x22",
             "importance": 2, "when": t(d14 + "08:02:51"), "title": "Watch Bridge", "text": "Band connected"},
            {"pkg": "android", "uid": 1000, "id": 26, "channel": "DEVELOPER_IMPORTANT", "flags": "0x2", "importance": 2,
             "when": s["collect_usb"] + timedelta(seconds=8), "vis": "PUBLIC", "title": "USB debugging connected",
             "text": "Tap to turn off USB debugging"},
            {"pkg": "android", "uid": 1000, "id": 32, "channel": "USB", "flags": "0x2", "importance": 1,
             "when": s["collect_usb"], "vis": "PUBLIC"},
        ]
        self.archive = [(fdroid.name, 1, fdroid.uid, "update-channel", "0x10"),  # "2 updates available", 21:05
                        ("android", 26, 1000, "DEVELOPER_IMPORTANT", "0x2"), ("android", 32, 1000, "USB", "0x2")]
        self.wifi_saved = [
            WifiNetwork(0, self.home[0], "SAE", t("2023-06-18 12:20:14.302"), s["home_wifi"], current=True),
            WifiNetwork(1, "CivicLab-Staff", "WPA_PSK", t("2023-07-03 09:12:40.118"), t("2024-05-08 17:44:09.530")),
            WifiNetwork(5, "Workshop-Almaty", "WPA_PSK", t("2024-05-09 10:02:11.640"), t("2024-05-13 08:40:03.012")),
        ]
        self.wifi_log = [(t("2024-05-09 10:02:11.640"), "addOrUpdateNetwork uid=1000 name=android.uid.system "
                                                        "networkId=5 SSID=\"Workshop-Almaty\"")]
        self.wifi_events = [(t("2024-05-13 08:40:03.012"), "Workshop-Almaty", "3c:84:6a:10:22:f1", 1302, 1000),
                            (s["home_wifi"], self.home[0], self.home[1], 1122, 1000)]
        self.wifi_scan = [(self.home[1], 5180, -46, 0.9, self.home[0], "[RSN-SAE-CCMP][ESS][MFPR][MFPC]"),
                          ("b0:95:75:3e:7c:20", 2437, -49, 0.9, self.home[0], "[RSN-SAE-CCMP][ESS][MFPR][MFPC]"),
                          ("24:0b:2a:5c:09:13", 2462, -78, 1.2, "Beeline_2G_0913",
                           "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS]")]
        self.wifi_dhcp = [(s["home_wifi"], self.home[0], "192.168.0.23/24", "192.168.0.1", "null")]
        self.wifi_info = (f"mWifiInfo SSID: \"{self.home[0]}\", BSSID: {self.home[1]}, MAC: 6e:12:a0:4b:3f:d5, "
                          "IP: /192.168.0.23, Security type: 4, Supplicant state: COMPLETED, Wi-Fi standard: 11ax, "
                          "RSSI: -46, Link speed: 866Mbps, Frequency: 5180MHz, Net ID: 0, Metered hint: false, "
                          "score: 60")
        start = s["unplugged"]
        self.battery_start = start
        self.battery_history += [
            (start, 100, f"status=discharging health=good plug=none temp=276 volt=4401 charge=4385 +running +screen "
                         f"+bluetooth top={launcher.bs_uid}:\"{launcher.name}\""),
            (t(d13 + "07:33:40.000"), 100, "-screen"),
            (s["border_screen"], 71, "+screen"),
            (s["gallery"], 71, f"+top={camera.bs_uid}:\"{camera.name}\""),
            (s["gallery_end"], 70, f"-top={camera.bs_uid}:\"{camera.name}\""),
            (s["settings"], 70, f"+top={settings.bs_uid}:\"{settings.name}\""),
            (s["settings_end"], 70, f"-top={settings.bs_uid}:\"{settings.name}\""),
            (s["handed_back"], 66, "-screen"),
            (s["home_wifi"], 52, "+wifi_radio wifi_signal_strength=4 wifi_suppl=completed"),
            (s["fdroid_used"], 49, f"+screen +top={fdroid.bs_uid}:\"{fdroid.name}\""),
            (t(d13 + "21:06:02.000"), 49, f"-top={fdroid.bs_uid}:\"{fdroid.name}\""),
            (t(d13 + "21:07:40.000"), 49, "-screen"),
            (s["collect_usb"], 12, "status=charging plug=usb +plugged +usb_data"),
        ]
        self.battery_summary = {"on_battery": "false", "capacity": 4385, "drain": 3882,
                                "time_on_battery": s["collect_usb"] - start,
                                "screen_on": timedelta(hours=4, minutes=12, seconds=31)}
        self.battery_power = [f"Uid {reader.bs_uid}: 212 fg: 212 ( cpu=190 audio=22 )",
                              f"Uid {launcher.bs_uid}: 175 fg: 175 ( cpu=175 )",
                              f"Uid {bridge.bs_uid}: 61.4 fg: 61.4 ( cpu=18.0 bluetooth=43.4 )",
                              f"Uid {fdroid.bs_uid}: 4.1 fg: 4.1 ( cpu=2.2 wifi=1.9 )"]
        self.battery_uids = [(bridge, ["    Bluetooth: 20h 41m 9s 0ms (1 times)"]),
                             (fdroid, ["    Foreground activities: 3m 31s 0ms realtime (1 times)"])]
        self.tcp = []
        self.tcp6 = [("::ffff:192.168.0.23", 46210, "::ffff:203.0.113.10", 443, 0x01, "02:00000B1C", 1000, 88120,
                      "2 0000000000000000 20 4 30 10 -1")]

    def write_files(self) -> None:
        t = self.t
        sd = "/sdcard"
        cam, bridge, safe = self.a["camera"].uid, self.a["bridge"].uid, self.a["safe"].uid
        photos = [("2024-05-09 13:02:40", "Almaty, workshop room"), ("2024-05-10 18:30:12", "Almaty, Panfilov park"),
                  ("2024-05-11 11:04:51", "Big Almaty lake"), ("2024-04-20 16:22:05", "Bishkek, Ala-Too square"),
                  ("2024-03-08 12:00:31", "flowers")]
        for stamp, caption in photos:
            when = t(stamp)
            self.put_file(f"{sd}/DCIM/Camera/PXL_{when.astimezone(UTC).strftime('%Y%m%d_%H%M%S')}"
                          f"{when.microsecond // 1000:03d}.jpg", tiny_jpeg(f"inspector test phone photo: {caption}"),
                          mtime=when, uid=cam)
        self.put_file(f"{sd}/Download/workshop_agenda.pdf",
                      tiny_pdf("Workshop agenda", ["9-12 May 2024, Almaty", "Day 2: accessible documents"]),
                      mtime=t("2024-05-02 10:15:03"), uid=1000)
        # the installer the owner downloaded in September 2023 (the same bytes as the installed look-alike)
        fdroid_apk = ROOT / "tests" / "fixtures" / "apks" / "org.fdroid.fdroid.apk"
        self.put_file(f"{sd}/Download/F-Droid.apk", fdroid_apk.read_bytes(), mtime=t("2023-09-02 17:47:40"), uid=1000)
        rng = random.Random("clean kdbx")
        kdbx = b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5\x01\x00\x04\x00" + rng.randbytes(2_036)  # KeePass 2.x signature
        self.put_file(f"{sd}/Documents/Passwords.kdbx", kdbx, mtime=t("2024-05-14 09:13:08"), uid=safe)
        self.put_file(f"{sd}/Documents/accessibility_notes.txt",
                      b"Screen reader gestures: swipe right = next, double tap = open.\n",
                      mtime=t("2023-06-20 19:41:22"), uid=1000)
        self.put_file(f"{sd}/Android/data/org.demo.watchbridge/files/band-activity-2024-05.csv",
                      b"date,steps\n2024-05-09,11204\n2024-05-10,14871\n2024-05-11,18302\n2024-05-12,6401\n"
                      b"2024-05-13,4180\n", mtime=t("2024-05-14 08:03:10"), uid=bridge, gid=1078)
        self.set_meta(f"{sd}/Android", mtime=t("2024-05-14 08:03:10"), ctime=self.setup, uid=1000, gid=1023,
                      mode="0771")
        self.set_meta(sd, mtime=t("2024-05-14 09:13:08"), ctime=self.setup, uid=0, gid=1015, mode="0771")


PHONES = {cls.name: cls for cls in (BxaqInstalled, MfSocket, Clean)}


def main(argv: list[str]) -> None:
    names = argv or ["demo", *PHONES]
    unknown = [n for n in names if n != "demo" and n not in PHONES]
    if unknown:
        raise SystemExit(f"unknown profile(s): {', '.join(unknown)}; known: demo, {', '.join(PHONES)}")
    for name in names:
        if name == "demo":
            demo.main()
        else:
            PHONES[name]().write()


if __name__ == "__main__":
    main(sys.argv[1:])
