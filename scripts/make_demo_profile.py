#!/usr/bin/env python3
"""Write the simulated "demo" phone: inspector/simulator/profiles/demo/ (everything but the APKs).

The demo phone is FICTION for demos and tests: a Redmi Note 11 on Android 13 whose owner crossed
from Kyrgyzstan into China at Irkeshtam on 2026-11-18, where BXAQ (com.fiberhome.wifiserver) was
installed over ADB, run, and uninstalled with its data kept. Every output below is synthetic and
written by this script; see the profile's README.md for the story and the time line.

    python3 scripts/make_demo_profile.py           # rewrite the profile (deterministic)

The APKs under fs/ are built and copied by scripts/build_fixture_apks.sh; the device paths and
versions here must match that script and the manifests in scripts/apk-src/ (tests/test_demo_profile.py
checks it). Output is byte-for-byte reproducible: all "random" bytes come from seeded generators.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "inspector" / "simulator" / "profiles" / "demo"
FS = PROFILE / "fs"
CMD = PROFILE / "commands"

LOCAL = timezone(timedelta(hours=8))  # persist.sys.timezone=Asia/Shanghai (no DST)


def t(text: str) -> datetime:
    """A local (UTC+8) wall-clock time: 'YYYY-MM-DD HH:MM:SS[.mmm]'."""
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in text else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(text, fmt).replace(tzinfo=LOCAL)


def epoch(d: datetime) -> int:
    return int(d.timestamp())


def ms(d: datetime) -> int:
    return int(d.timestamp() * 1000)


def fmt_s(d: datetime) -> str:
    return d.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def fmt_ms(d: datetime) -> str:
    d = d.astimezone(LOCAL)
    return d.strftime("%Y-%m-%d %H:%M:%S.") + f"{d.microsecond // 1000:03d}"


def fmt_logcat(d: datetime) -> str:
    d = d.astimezone(LOCAL)
    return d.strftime("%m-%d %H:%M:%S.") + f"{d.microsecond // 1000:03d}"


def fmt_duration(delta: timedelta, *, sign: str = "") -> str:
    """Android's TimeUtils.formatDuration: +1h02m03s004ms (fields after the first are zero-padded)."""
    total_ms = int(round(delta.total_seconds() * 1000))
    neg = total_ms < 0
    total_ms = abs(total_ms)
    days, rem = divmod(total_ms, 86_400_000)
    hours, rem = divmod(rem, 3_600_000)
    minutes, rem = divmod(rem, 60_000)
    seconds, millis = divmod(rem, 1000)
    out = ""
    started = False
    for value, unit, width in ((days, "d", 0), (hours, "h", 2), (minutes, "m", 2), (seconds, "s", 2)):
        if value or started:
            out += f"{value:0{width if started else 0}d}{unit}"
            started = True
    out += f"{millis:03d}ms" if started else f"{millis}ms"
    return ("-" if neg else (sign or "+")) + out


def spaced(delta: timedelta) -> str:
    """batterystats' long form: 1h 2m 3s 4ms."""
    return " ".join(str(int(tok[:-len(unit)])) + unit for tok, unit in
                    re.findall(r"(\d+(ms|d|h|m|s))", fmt_duration(delta)))


def hexid(*parts: object) -> str:
    """A stable stand-in for Java's identityHashCode (7 hex digits, like real dumps)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:7].lstrip("0") or "1"


# --------------------------------------------------------------------------------------------------
# The story's fixed facts
# --------------------------------------------------------------------------------------------------

SERIAL = "7f3a91c2"
FINGERPRINT = "Redmi/spes_global/spes:13/TKQ1.221114.001/V14.0.4.0.TGCMIXM:user/release-keys"
MODEL = "2201117TG"

FACTORY_TIME = datetime(2009, 1, 1, tzinfo=UTC)  # timestamps of files on the read-only partitions
SETUP_TIME = t("2025-04-20 16:31:02")  # factory reset and setup by the current owner
BOOT = t("2026-11-16 07:12:38")  # last boot
UNPLUGGED = t("2026-11-18 06:41:02")  # last full charge ended (battery stats reset)
NOW = t("2026-11-18 21:40:00")  # when the helpdesk collected the phone's state

NETWORK_CHINA = t("2026-11-18 08:52:10")  # roaming on CHINA MOBILE, time zone follows
DEV_OPTIONS_ON = t("2026-11-18 09:09:12")
ADB_ON = t("2026-11-18 09:09:30")
VERIFY_ADB_OFF = t("2026-11-18 09:09:55")
USB_PLUGGED = t("2026-11-18 09:09:58")
ADB_KEY_ALLOWED = t("2026-11-18 09:10:04")
BXAQ_INSTALL = t("2026-11-18 09:11:26.412")
BXAQ_START = t("2026-11-18 09:11:39.907")
HOTSPOT_ADDED = t("2026-11-18 09:11:52.310")
HOTSPOT_CONNECTED = t("2026-11-18 09:11:58.503")
SCAN_START = t("2026-11-18 09:13:40.118")
SCAN_END = t("2026-11-18 10:41:52.774")
UPLOAD = t("2026-11-18 10:43:09.882")
CHECK_TIME = t("2026-11-18 10:47:31")  # field 4 of /sdcard/cjlog_plain.txt
CJLOG_WRITTEN = t("2026-11-18 10:47:32")
HOTSPOT_REMOVED = t("2026-11-18 10:52:05.662")
BXAQ_UNINSTALL = t("2026-11-18 10:52:20.145")
USB_UNPLUGGED = t("2026-11-18 10:53:05")
HOTEL_WIFI = t("2026-11-18 16:58:40")

HOTSPOT_SSID = "FH-CJ-AP"
HOTSPOT_BSSID = "ae:5f:3e:12:9b:40"
HOTEL_SSID = "Seman-Hotel-Guest"
HOTEL_BSSID = "c8:3a:35:5e:71:b8"
HOME_SSID = "Beeline_Osh_7F1A"
ADB_HOST = "user@bxaq-pc"

PIDS = {
    "system_server": 1432, "zygote64": 812, "zygote": 813, "adbd": 7321, "bxaq": 21877,
    "launcher": 2211, "phone": 2404, "notes": 19654, "torch": 25530, "settings": 27760,
    "shell_am": 21860, "shell_pm": 21802, "shell_pm_uninstall": 24410,
}


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
    system: bool
    privileged: bool = False
    installed: bool = True
    debuggable: bool = False
    activities: tuple[str, ...] = ()
    launcher_activity: str | None = None
    permissions: tuple[str, ...] = ()
    runtime_granted: tuple[str, ...] = ()
    package_source: int = 0
    ce_inode: int = 0
    signing: int = 3
    extra_filters: tuple[tuple[str, str, str], ...] = ()  # (activity, action, category)

    @property
    def code_path(self) -> str:
        return self.apk.rsplit("/", 1)[0]

    @property
    def uid_name(self) -> str:
        return f"u0_a{self.uid - 10000}"

    @property
    def bs_uid(self) -> str:
        return f"u0a{self.uid - 10000}"


RUNTIME_PERMS = {
    "android.permission.CAMERA", "android.permission.READ_CONTACTS", "android.permission.READ_SMS",
    "android.permission.RECEIVE_SMS", "android.permission.READ_CALENDAR", "android.permission.READ_PHONE_STATE",
    "android.permission.ACCESS_COARSE_LOCATION", "android.permission.ACCESS_FINE_LOCATION",
    "android.permission.RECORD_AUDIO", "android.permission.WRITE_EXTERNAL_STORAGE",
    "android.permission.READ_EXTERNAL_STORAGE", "android.permission.READ_CALL_LOG",
    "android.permission.WRITE_CALL_LOG", "android.permission.CALL_PHONE", "android.permission.POST_NOTIFICATIONS",
    "android.permission.READ_MEDIA_IMAGES", "android.permission.BLUETOOTH_CONNECT",
}

BXAQ_PERMS = (
    "android.permission.READ_SMS", "android.permission.RECEIVE_SMS", "android.permission.READ_CONTACTS",
    "android.permission.READ_CALENDAR", "android.permission.READ_PHONE_STATE",
    "android.permission.ACCESS_COARSE_LOCATION", "android.permission.CAMERA", "android.permission.RECORD_AUDIO",
    "android.permission.WRITE_EXTERNAL_STORAGE", "android.permission.MOUNT_UNMOUNT_FILESYSTEMS",
    "android.permission.INTERNET", "android.permission.ACCESS_WIFI_STATE", "android.permission.CHANGE_WIFI_STATE",
    "android.permission.BLUETOOTH", "android.permission.BLUETOOTH_ADMIN", "android.permission.GET_PACKAGE_SIZE",
    "android.permission.RESTART_PACKAGES", "android.permission.WAKE_LOCK", "android.permission.ACCESS_NETWORK_STATE",
    # implied for targetSdk < 16 / < 4 by the platform, as `aapt dump badging` shows
    "android.permission.READ_EXTERNAL_STORAGE", "android.permission.READ_CALL_LOG",
)

APPS = [
    App("org.demo.system.launcher", "Launcher", 10067,
        "/system_ext/priv-app/DemoLauncher/DemoLauncher.apk", 33, "13", 33, 33, None,
        SETUP_TIME, FACTORY_TIME, system=True, privileged=True,
        activities=("LauncherActivity",), launcher_activity=None,
        permissions=("android.permission.QUERY_ALL_PACKAGES", "android.permission.SET_WALLPAPER",
                     "android.permission.VIBRATE"),
        ce_inode=4012, extra_filters=(("LauncherActivity", "android.intent.action.MAIN",
                                       "android.intent.category.HOME"),)),
    App("org.demo.system.settings", "Settings", 10055,
        "/system_ext/priv-app/DemoSettings/DemoSettings.apk", 33, "13", 33, 33, None,
        SETUP_TIME, FACTORY_TIME, system=True, privileged=True,
        activities=("SettingsActivity",), launcher_activity="SettingsActivity",
        permissions=("android.permission.WRITE_SETTINGS", "android.permission.ACCESS_WIFI_STATE",
                     "android.permission.CHANGE_WIFI_STATE", "android.permission.BLUETOOTH_CONNECT"),
        runtime_granted=("android.permission.BLUETOOTH_CONNECT",), ce_inode=4003),
    App("org.demo.system.phone", "Phone", 10081,
        "/product/priv-app/DemoPhone/DemoPhone.apk", 33, "13", 33, 33, None,
        SETUP_TIME, FACTORY_TIME, system=True, privileged=True,
        activities=("DialerActivity", "CallLogActivity"), launcher_activity="DialerActivity",
        permissions=("android.permission.CALL_PHONE", "android.permission.READ_CALL_LOG",
                     "android.permission.WRITE_CALL_LOG", "android.permission.READ_CONTACTS",
                     "android.permission.READ_PHONE_STATE"),
        runtime_granted=("android.permission.CALL_PHONE", "android.permission.READ_CALL_LOG",
                         "android.permission.WRITE_CALL_LOG", "android.permission.READ_CONTACTS",
                         "android.permission.READ_PHONE_STATE"),
        ce_inode=4027, extra_filters=(("DialerActivity", "android.intent.action.DIAL",
                                       "android.intent.category.DEFAULT"),)),
    App("org.demo.system.camera", "Camera", 10093,
        "/product/app/DemoCamera/DemoCamera.apk", 33, "13", 33, 33, None,
        SETUP_TIME, FACTORY_TIME, system=True,
        activities=("CameraActivity",), launcher_activity="CameraActivity",
        permissions=("android.permission.CAMERA", "android.permission.RECORD_AUDIO",
                     "android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_MEDIA_IMAGES"),
        runtime_granted=("android.permission.CAMERA", "android.permission.RECORD_AUDIO",
                         "android.permission.READ_MEDIA_IMAGES"),
        ce_inode=4041),
    App("org.demo.notes", "Notes", 10196,
        "/data/app/~~4usW_RKehm_MGrJI25vKqg==/org.demo.notes-WYWxdreuRjn-vQYnnN97qg==/base.apk",
        48, "4.8.0", 24, 33, "com.android.vending",
        t("2026-03-14 11:02:47"), t("2026-09-21 03:14:09"), system=False,
        activities=("NotesActivity", "EditorActivity"), launcher_activity="NotesActivity",
        permissions=("android.permission.INTERNET", "android.permission.POST_NOTIFICATIONS",
                     "android.permission.RECEIVE_BOOT_COMPLETED"),
        runtime_granted=("android.permission.POST_NOTIFICATIONS",), package_source=2, ce_inode=196733),
    App("org.demo.torch", "Super Torch", 10241,
        "/data/app/~~a5AR5NUKmJ2OkByUZqDI1Q==/org.demo.torch-yIWnb410yPSIlXUY5c0LmA==/base.apk",
        231, "2.3.1", 21, 30, "com.google.android.packageinstaller",
        t("2026-10-02 21:47:13"), t("2026-10-02 21:47:13"), system=False,
        activities=("MainActivity", "SettingsActivity"), launcher_activity="MainActivity",
        permissions=("android.permission.CAMERA", "android.permission.FLASHLIGHT",
                     "android.permission.READ_CONTACTS", "android.permission.INTERNET",
                     "android.permission.ACCESS_NETWORK_STATE"),
        runtime_granted=("android.permission.CAMERA", "android.permission.READ_CONTACTS"),
        package_source=4, ce_inode=262331),
    App("com.fiberhome.wifiserver", "蜂采", 10262,
        "/data/app/~~YidfkgjkTW2JgiVrtBGx3w==/com.fiberhome.wifiserver-HTGzy5WsHYjE2-AIQskZbw==/base.apk",
        1, "1.0", 5, None, None, BXAQ_INSTALL, BXAQ_INSTALL, system=False, installed=False, debuggable=True,
        activities=("com.fenghuo.qzj.WelcomeActivity", "com.fenghuo.qzj.VideoViewActivity"),
        launcher_activity="com.fenghuo.qzj.WelcomeActivity", permissions=BXAQ_PERMS,
        runtime_granted=tuple(p for p in BXAQ_PERMS if p in RUNTIME_PERMS), ce_inode=262419, signing=2),
]
BY_NAME = {a.name: a for a in APPS}
BXAQ = BY_NAME["com.fiberhome.wifiserver"]
TORCH = BY_NAME["org.demo.torch"]
NOTES = BY_NAME["org.demo.notes"]
LAUNCHER = BY_NAME["org.demo.system.launcher"]
PHONE = BY_NAME["org.demo.system.phone"]
SETTINGS = BY_NAME["org.demo.system.settings"]
CAMERA = BY_NAME["org.demo.system.camera"]
INSTALLED = [a for a in APPS if a.installed]
# PackageManager's ArrayMap order: by hash, i.e. in no order a person would choose
LIST_ORDER = ["org.demo.system.camera", "org.demo.torch", "org.demo.system.launcher", "com.fiberhome.wifiserver",
              "org.demo.system.phone", "org.demo.notes", "org.demo.system.settings"]


def component(app: App, activity: str) -> str:
    return activity if "." in activity else f"{app.name}.{activity}"


def short_component(app: App, activity: str) -> str:
    full = component(app, activity)
    if full.startswith(app.name + "."):
        return f"{app.name}/{full[len(app.name):]}"
    return f"{app.name}/{full}"


# --------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------

COMMANDS: list[dict] = []
META: dict[str, dict] = {}


def command_file(argv: list[str], filename: str, text: str, exit_code: int = 0) -> None:
    (CMD / filename).write_bytes(text.encode("utf-8"))
    entry: dict = {"argv": argv, "stdout": filename}
    if exit_code:
        entry["exit"] = exit_code
    COMMANDS.append(entry)


def command_text(argv: list[str], text: str, exit_code: int = 0) -> None:
    entry: dict = {"argv": argv, "text": text}
    if exit_code:
        entry["exit"] = exit_code
    COMMANDS.append(entry)


def put_file(path: str, data: bytes, *, mtime: datetime, uid: int, gid: int = 1023, mode: str = "0660",
             atime: datetime | None = None, ctime: datetime | None = None) -> None:
    host = FS / path.lstrip("/")
    host.parent.mkdir(parents=True, exist_ok=True)
    host.write_bytes(data)
    meta(path, mtime=mtime, uid=uid, gid=gid, mode=mode, atime=atime, ctime=ctime)


def meta(path: str, *, mtime: datetime, uid: int, gid: int, mode: str,
         atime: datetime | None = None, ctime: datetime | None = None) -> None:
    META[path] = {
        "mtime": epoch(mtime),
        "atime": epoch(atime or mtime),
        "ctime": epoch(ctime or mtime),
        "mode": mode,
        "uid": uid,
        "gid": gid,
    }


# --------------------------------------------------------------------------------------------------
# getprop / settings
# --------------------------------------------------------------------------------------------------

def getprop() -> str:
    boot_s = epoch(BOOT)
    props = {
        "dalvik.vm.appimageformat": "lz4",
        "dalvik.vm.dex2oat-Xms": "64m",
        "dalvik.vm.dex2oat-Xmx": "512m",
        "dalvik.vm.dex2oat-max-image-block-size": "524288",
        "dalvik.vm.dex2oat-minidebuginfo": "true",
        "dalvik.vm.dex2oat-resolve-startup-strings": "true",
        "dalvik.vm.dexopt.secondary": "true",
        "dalvik.vm.heapgrowthlimit": "256m",
        "dalvik.vm.heapmaxfree": "8m",
        "dalvik.vm.heapminfree": "512k",
        "dalvik.vm.heapsize": "512m",
        "dalvik.vm.heapstartsize": "8m",
        "dalvik.vm.heaptargetutilization": "0.75",
        "dalvik.vm.isa.arm.features": "default",
        "dalvik.vm.isa.arm.variant": "cortex-a73",
        "dalvik.vm.isa.arm64.features": "default",
        "dalvik.vm.isa.arm64.variant": "cortex-a73",
        "dalvik.vm.lockprof.threshold": "500",
        "dalvik.vm.usejit": "true",
        "dalvik.vm.usejitprofiles": "true",
        "debug.sf.hw": "1",
        "dev.bootcomplete": "1",
        "gsm.current.phone-type": "1,1",
        "gsm.network.type": "LTE,Unknown",
        "gsm.nitz.time": str(ms(NETWORK_CHINA)),
        "gsm.operator.alpha": "CHINA MOBILE,",
        "gsm.operator.iso-country": "cn,",
        "gsm.operator.isroaming": "true,false",
        "gsm.operator.numeric": "46000,",
        "gsm.sim.operator.alpha": "MegaCom,",
        "gsm.sim.operator.iso-country": "kg,",
        "gsm.sim.operator.numeric": "43705,",
        "gsm.sim.state": "LOADED,ABSENT",
        "gsm.version.baseband": "MPSS.HA.1.0.c1-00071-KAMORTA_GEN_PACK-1,MPSS.HA.1.0.c1-00071-KAMORTA_GEN_PACK-1",
        "gsm.version.ril-impl": "Qualcomm RIL 1.0",
        "init.svc.adbd": "running",
        "init.svc.audioserver": "running",
        "init.svc.bootanim": "stopped",
        "init.svc.cameraserver": "running",
        "init.svc.drm": "running",
        "init.svc.gatekeeperd": "running",
        "init.svc.installd": "running",
        "init.svc.keystore2": "running",
        "init.svc.lmkd": "running",
        "init.svc.logd": "running",
        "init.svc.media": "running",
        "init.svc.netd": "running",
        "init.svc.servicemanager": "running",
        "init.svc.statsd": "running",
        "init.svc.surfaceflinger": "running",
        "init.svc.vold": "running",
        "init.svc.wificond": "running",
        "init.svc.zygote": "running",
        "init.svc.zygote_secondary": "running",
        "net.bt.name": "Android",
        "net.hostname": "Redmi-Note-11",
        "persist.device_config.runtime_native.usap_pool_enabled": "true",
        "persist.sys.boot.reason.history":
            f"reboot,userrequested,{boot_s}\nreboot,ota,{epoch(t('2026-06-07 02:14:51'))}",
        "persist.sys.dalvik.vm.lib.2": "libart.so",
        "persist.sys.device_name": "Redmi Note 11",
        "persist.sys.fuse": "true",
        "persist.sys.locale": "en-GB",
        "persist.sys.timezone": "Asia/Shanghai",
        "persist.sys.usb.config": "mtp,adb",
        "persist.vendor.radio.enable_temp_dds": "true",
        "pm.dexopt.bg-dexopt": "speed-profile",
        "pm.dexopt.boot-after-ota": "verify",
        "pm.dexopt.first-boot": "verify",
        "pm.dexopt.install": "speed-profile",
        "pm.dexopt.shared": "speed",
        "ro.adb.secure": "1",
        "ro.allow.mock.location": "0",
        "ro.baseband": "msm",
        "ro.board.platform": "bengal",
        "ro.boot.avb_version": "1.0",
        "ro.boot.bootreason": "reboot,userrequested",
        "ro.boot.flash.locked": "1",
        "ro.boot.hardware": "qcom",
        "ro.boot.hwc": "GLOBAL",
        "ro.boot.hwversion": "4.19.5",
        "ro.boot.serialno": SERIAL,
        "ro.boot.vbmeta.device_state": "locked",
        "ro.boot.verifiedbootstate": "green",
        "ro.boot.veritymode": "enforcing",
        "ro.bootimage.build.date": "Mon Jan 29 19:31:42 CST 2024",
        "ro.bootimage.build.date.utc": "1706527902",
        "ro.bootimage.build.fingerprint": FINGERPRINT,
        "ro.bootloader": "unknown",
        "ro.bootmode": "unknown",
        "ro.build.characteristics": "nosdcard",
        "ro.build.date": "Mon Jan 29 19:31:42 CST 2024",
        "ro.build.date.utc": "1706527902",
        "ro.build.description": "spes_global-user 13 TKQ1.221114.001 V14.0.4.0.TGCMIXM release-keys",
        "ro.build.display.id": "TKQ1.221114.001 release-keys",
        "ro.build.fingerprint": FINGERPRINT,
        "ro.build.flavor": "spes_global-user",
        "ro.build.host": "pangu-build-component-system-177793-6qwhv-3x2kc-1pxl4",
        "ro.build.id": "TKQ1.221114.001",
        "ro.build.product": "spes",
        "ro.build.tags": "release-keys",
        "ro.build.type": "user",
        "ro.build.user": "builder",
        "ro.build.version.all_codenames": "REL",
        "ro.build.version.codename": "REL",
        "ro.build.version.incremental": "V14.0.4.0.TGCMIXM",
        "ro.build.version.min_supported_target_sdk": "23",
        "ro.build.version.preview_sdk": "0",
        "ro.build.version.release": "13",
        "ro.build.version.release_or_codename": "13",
        "ro.build.version.sdk": "33",
        "ro.build.version.security_patch": "2024-03-01",
        "ro.carrier": "unknown",
        "ro.com.google.clientidbase": "android-xiaomi-rvo3",
        "ro.com.google.gmsversion": "13_202302",
        "ro.config.alarm_alert": "Fireflies.ogg",
        "ro.config.notification_sound": "Xiaomi.ogg",
        "ro.config.ringtone": "MiRemix.ogg",
        "ro.crypto.metadata.enabled": "true",
        "ro.crypto.state": "encrypted",
        "ro.crypto.type": "file",
        "ro.debuggable": "0",
        "ro.hardware": "qcom",
        "ro.hardware.egl": "adreno",
        "ro.hardware.vulkan": "adreno",
        "ro.kernel.version": "4.19",
        "ro.logd.size": "1M",
        "ro.miui.build.region": "global",
        "ro.miui.region": "KG",
        "ro.miui.ui.version.code": "14",
        "ro.miui.ui.version.name": "V140",
        "ro.oem_unlock_supported": "1",
        "ro.opengles.version": "196610",
        "ro.product.board": "bengal",
        "ro.product.brand": "Redmi",
        "ro.product.build.fingerprint": FINGERPRINT,
        "ro.product.cpu.abi": "arm64-v8a",
        "ro.product.cpu.abilist": "arm64-v8a,armeabi-v7a,armeabi",
        "ro.product.cpu.abilist32": "armeabi-v7a,armeabi",
        "ro.product.cpu.abilist64": "arm64-v8a",
        "ro.product.device": "spes",
        "ro.product.first_api_level": "30",
        "ro.product.locale": "en-GB",
        "ro.product.manufacturer": "Xiaomi",
        "ro.product.marketname": "Redmi Note 11",
        "ro.product.mod_device": "spes_global",
        "ro.product.model": MODEL,
        "ro.product.name": "spes_global",
        "ro.product.system.brand": "Redmi",
        "ro.product.system.device": "spes",
        "ro.product.system.manufacturer": "Xiaomi",
        "ro.product.system.model": MODEL,
        "ro.product.system.name": "spes_global",
        "ro.product.vendor.brand": "Redmi",
        "ro.product.vendor.device": "spes",
        "ro.product.vendor.manufacturer": "Xiaomi",
        "ro.product.vendor.model": MODEL,
        "ro.product.vendor.name": "spes_global",
        "ro.property_service.version": "2",
        "ro.revision": "0",
        "ro.runtime.firstboot": str(ms(BOOT)),
        "ro.secure": "1",
        "ro.serialno": SERIAL,
        "ro.sf.lcd_density": "440",
        "ro.soc.manufacturer": "QTI",
        "ro.soc.model": "SM6225",
        "ro.system.build.date.utc": "1706527902",
        "ro.system.build.fingerprint": FINGERPRINT,
        "ro.system.build.version.release": "13",
        "ro.system.build.version.sdk": "33",
        "ro.treble.enabled": "true",
        "ro.vendor.build.fingerprint": FINGERPRINT,
        "ro.vendor.build.security_patch": "2024-03-01",
        "ro.vndk.version": "30",
        "ro.zygote": "zygote64_32",
        "security.perf_harden": "1",
        "service.bootanim.exit": "1",
        "sys.boot.reason": "reboot,userrequested",
        "sys.boot.reason.last": "reboot,userrequested",
        "sys.boot_completed": "1",
        "sys.oem_unlock_allowed": "0",
        "sys.sysctl.extra_free_kbytes": "24300",
        "sys.usb.config": "mtp,adb",
        "sys.usb.configfs": "1",
        "sys.usb.controller": "4e00000.dwc3",
        "sys.usb.state": "mtp,adb",
        "sys.use_fifo_ui": "0",
        "vold.has_adoptable": "0",
        "vold.has_quota": "1",
        "vold.post_fs_data_done": "1",
        "wifi.interface": "wlan0",
    }
    lines = []
    for key in sorted(props):
        lines.append(f"[{key}]: [{props[key]}]")
    return "\n".join(lines) + "\n"


ANDROID_ID = "3c1f9e07b2a4d815"


def settings_global() -> str:
    values = {
        "adb_allowed_connection_time": "604800000",
        "adb_enabled": "1",
        "adb_wifi_enabled": "0",
        "add_users_when_locked": "0",
        "airplane_mode_on": "0",
        "airplane_mode_radios": "cell,bluetooth,uwb,wifi,wimax",
        "airplane_mode_toggleable_radios": "bluetooth,wifi",
        "animator_duration_scale": "1.0",
        "apply_ramping_ringer": "0",
        "audio_safe_volume_state": "3",
        "auto_time": "1",
        "auto_time_zone": "1",
        "autofill_max_partitions_size": "10",
        "autofill_max_visible_datasets": "3",
        "ble_scan_always_enabled": "0",
        "bluetooth_disabled_profiles": "0",
        "bluetooth_on": "0",
        "boot_count": "41",
        "call_auto_retry": "0",
        "captive_portal_mode": "1",
        "cdma_cell_broadcast_sms": "1",
        "data_roaming": "1",
        "database_creation_buildid": "TKQ1.221114.001",
        "default_install_location": "0",
        "development_settings_enabled": "1",
        "device_name": "Redmi Note 11",
        "device_provisioned": "1",
        "dock_audio_media_enabled": "1",
        "emergency_tone": "0",
        "heads_up_notifications_enabled": "1",
        "hidden_api_blacklist_exemptions": "null",
        "low_power": "0",
        "max_sound_trigger_detection_service_ops_per_day": "1000",
        "mobile_data": "1",
        "mobile_data1": "1",
        "mobile_data_always_on": "0",
        "multi_sim_data_call": "1",
        "multi_sim_sms": "1",
        "multi_sim_voice_call": "1",
        "netstats_enabled": "1",
        "network_recommendations_enabled": "1",
        "ota_disable_automatic_update": "0",
        "package_verifier_user_consent": "1",
        "preferred_network_mode": "9,9",
        "private_dns_mode": "opportunistic",
        "stay_on_while_plugged_in": "0",
        "subscription_mode": "0",
        "theater_mode_on": "0",
        "time_remaining_estimate_millis": "53940000",
        "transition_animation_scale": "1.0",
        "usb_mass_storage_enabled": "1",
        "verifier_verify_adb_installs": "0",
        "wait_for_debugger": "0",
        "wifi_display_on": "0",
        "wifi_max_dhcp_retry_count": "9",
        "wifi_networks_available_notification_on": "1",
        "wifi_on": "1",
        "wifi_scan_always_enabled": "0",
        "wifi_wakeup_enabled": "0",
        "window_animation_scale": "1.0",
        "zen_mode": "0",
        "zen_mode_config_etag": "-1476218402",
        "zen_mode_ringer_level": "2",
    }
    return "".join(f"{k}={values[k]}\n" for k in sorted(values))


def settings_secure() -> str:
    values = {
        "accessibility_display_inversion_enabled": "0",
        "accessibility_enabled": "0",
        "android_id": ANDROID_ID,
        "backup_enabled": "0",
        "bluetooth_addr_valid": "1",
        "charging_sounds_enabled": "1",
        "charging_vibration_enabled": "1",
        "double_tap_to_wake": "1",
        "enabled_accessibility_services": "",
        "enabled_notification_listeners": "",
        "immersive_mode_confirmations": "",
        "install_non_market_apps": "1",
        "location_mode": "3",
        "lock_screen_allow_private_notifications": "1",
        "lock_screen_lock_after_timeout": "5000",
        "lock_screen_owner_info_enabled": "0",
        "lock_screen_show_notifications": "1",
        "lockscreen.disabled": "0",
        "mock_location": "0",
        "mount_play_not_snd": "1",
        "mount_ums_autostart": "0",
        "mount_ums_notify_enabled": "1",
        "mount_ums_prompt": "1",
        "navigation_mode": "2",
        "screensaver_enabled": "0",
        "show_ime_with_hard_keyboard": "0",
        "skip_first_use_hints": "1",
        "sleep_timeout": "-1",
        "ui_night_mode": "1",
        "unknown_sources_default_reversed": "1",
        "usb_audio_automatic_routing_disabled": "0",
        "user_setup_complete": "1",
        "user_setup_personalization_state": "10",
        "wake_gesture_enabled": "1",
    }
    return "".join(f"{k}={values[k]}\n" for k in sorted(values))


def settings_system() -> str:
    values = {
        "accelerometer_rotation": "0",
        "alarm_alert": "content://media/internal/audio/media/28?title=Fireflies&canonical=1",
        "alarm_alert_set": "1",
        "dim_screen": "1",
        "dtmf_tone": "1",
        "dtmf_tone_type": "0",
        "font_scale": "1.0",
        "haptic_feedback_enabled": "1",
        "hearing_aid": "0",
        "lockscreen_sounds_enabled": "1",
        "mode_ringer_streams_affected": "422",
        "mute_streams_affected": "111",
        "notification_light_pulse": "1",
        "notification_sound": "content://media/internal/audio/media/41?title=Xiaomi&canonical=1",
        "notification_sound_set": "1",
        "peak_refresh_rate": "90.0",
        "pointer_speed": "0",
        "ringtone": "content://media/internal/audio/media/57?title=MiRemix&canonical=1",
        "ringtone_set": "1",
        "screen_brightness": "102",
        "screen_brightness_mode": "1",
        "screen_off_timeout": "30000",
        "sound_effects_enabled": "0",
        "time_12_24": "24",
        "tty_mode": "0",
        "user_rotation": "0",
        "vibrate_when_ringing": "0",
        "volume_alarm": "6",
        "volume_music": "7",
        "volume_notification": "5",
        "volume_ring": "5",
        "volume_system": "4",
        "volume_voice": "4",
    }
    return "".join(f"{k}={values[k]}\n" for k in sorted(values))


# --------------------------------------------------------------------------------------------------
# ps -A
# --------------------------------------------------------------------------------------------------

def processes() -> str:
    rows = [
        ("root", 1, 0, 12635728, 7948, "do_epoll_wait", "S", "init"),
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
        ("system", 615, 1, 12362528, 3256, "binder_thread_read", "S", "vndservicemanager"),
        ("root", 640, 1, 12561128, 9216, "binder_thread_read", "S", "vold"),
        ("keystore", 701, 1, 12583808, 9472, "binder_thread_read", "S", "keystore2"),
        ("root", 730, 1, 12544496, 11328, "do_epoll_wait", "S", "netd"),
        ("root", 812, 1, 15383648, 154336, "do_sys_poll", "S", "zygote64"),
        ("root", 813, 1, 1818804, 142116, "do_sys_poll", "S", "zygote"),
        ("system", 820, 1, 12487672, 7808, "binder_thread_read", "S", "android.hardware.health-service.qti"),
        ("system", 824, 1, 12421856, 6500, "binder_thread_read", "S",
         "android.hardware.graphics.allocator@4.0-service-qti"),
        ("system", 830, 1, 12478160, 9312, "binder_thread_read", "S",
         "vendor.qti.hardware.display.composer-service"),
        ("audioserver", 840, 1, 12702344, 22460, "binder_thread_read", "S", "audioserver"),
        ("cameraserver", 842, 1, 12631512, 21668, "binder_thread_read", "S", "cameraserver"),
        ("drm", 845, 1, 12438256, 10532, "binder_thread_read", "S", "drmserver"),
        ("root", 846, 1, 12552456, 12420, "binder_thread_read", "S", "installd"),
        ("media", 848, 1, 12492680, 14112, "binder_thread_read", "S", "mediaserver"),
        ("mediaex", 850, 1, 12509832, 17404, "binder_thread_read", "S", "media.extractor"),
        ("statsd", 855, 1, 12401216, 7560, "do_epoll_wait", "S", "statsd"),
        ("root", 858, 1, 12403104, 6772, "hrtimer_nanosleep", "S", "storaged"),
        ("system", 860, 1, 12822984, 38920, "do_epoll_wait", "S", "surfaceflinger"),
        ("tombstoned", 870, 1, 12361272, 2712, "do_epoll_wait", "S", "tombstoned"),
        ("wifi", 905, 1, 12419432, 7396, "do_epoll_wait", "S", "wificond"),
        ("wifi", 1203, 1, 12451512, 9840, "do_select", "S", "wpa_supplicant"),
        ("gpu_service", 1210, 1, 12398496, 6024, "binder_thread_read", "S", "gpuservice"),
        ("system", PIDS["system_server"], PIDS["zygote64"], 18452512, 351204, "do_epoll_wait", "S", "system_server"),
        ("radio", 1980, 1, 12633488, 14016, "do_select", "S", "qcrilNrd"),
        (LAUNCHER.uid_name, PIDS["launcher"], PIDS["zygote64"], 16498884, 201952, "do_epoll_wait", "S",
         LAUNCHER.name),
        (PHONE.uid_name, PIDS["phone"], PIDS["zygote64"], 15620672, 98468, "do_epoll_wait", "S", PHONE.name),
        ("shell", PIDS["adbd"], 1, 12502604, 8184, "do_epoll_wait", "S", "adbd"),
        (NOTES.uid_name, PIDS["notes"], PIDS["zygote64"], 15438944, 87312, "do_epoll_wait", "S", NOTES.name),
        (TORCH.uid_name, PIDS["torch"], PIDS["zygote64"], 15512060, 91904, "do_epoll_wait", "S", TORCH.name),
        ("root", 26117, 2, 0, 0, "worker_thread", "I", "[kworker/2:1]"),
        (SETTINGS.uid_name, PIDS["settings"], PIDS["zygote64"], 15733516, 121860, "do_epoll_wait", "S",
         SETTINGS.name),
        ("root", 29003, 2, 0, 0, "worker_thread", "I", "[kworker/0:0]"),
        ("shell", 30127, PIDS["adbd"], 12339844, 3384, "do_wait", "S", "sh"),
        ("shell", 30131, 30127, 12361204, 4068, "0", "R", "ps"),
    ]
    out = ["USER           PID  PPID        VSZ    RSS WCHAN            ADDR S NAME                       "]
    for user, pid, ppid, vsz, rss, wchan, state, name in rows:
        out.append(f"{user:<12}{pid:>6}{ppid:>6}{vsz:>11}{rss:>7} {wchan[:16]:<16}{0:>6} {state} {name}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------
# logcat -d -b all -v threadtime
# --------------------------------------------------------------------------------------------------

# battery level anchors, shared by logcat and batterystats (the phone charged on the officers' USB)
BATTERY = [(UNPLUGGED, 100), (NETWORK_CHINA, 92), (USB_PLUGGED, 91), (USB_UNPLUGGED, 98),
           (t("2026-11-18 14:12:31"), 81), (HOTEL_WIFI, 64), (t("2026-11-18 18:02:14"), 60),
           (t("2026-11-18 21:39:51"), 42), (NOW, 42)]


def battery_level(when: datetime) -> int:
    for (t1, l1), (t2, l2) in itertools.pairwise(BATTERY):
        if t1 <= when <= t2:
            return round(l1 + (l2 - l1) * ((when - t1) / (t2 - t1)))
    return BATTERY[-1][1]


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


def logcat() -> str:
    lines: list[LogLine] = []
    seq = [0]
    rng = random.Random("demo-logcat")
    ss = PIDS["system_server"]

    def add(buf: str, when: datetime, pid: int, tid: int, level: str, tag: str, msg: str) -> None:
        seq[0] += 1
        lines.append(LogLine(when, seq[0], buf, pid, tid, level, tag, msg))

    def ev(when: datetime, tag: str, payload: str, pid: int = ss, tid: int | None = None) -> None:
        add("events", when, pid, tid or pid + rng.randint(60, 240), "I", tag, payload)

    def sysl(when: datetime, level: str, tag: str, msg: str, tid: int | None = None) -> None:
        add("system", when, ss, tid or ss + 100 + rng.randint(0, 150), level, tag, msg)

    def ms_(d: datetime, k: int) -> datetime:
        return d + timedelta(milliseconds=k)

    bx, bxuid = PIDS["bxaq"], BXAQ.uid
    wel = "com.fenghuo.qzj.WelcomeActivity"
    comp = f"{BXAQ.name}/{wel}"
    bx_path = BXAQ.code_path

    # ---- events + system buffers on the crossing day (older lines have rolled out of main) ----
    t0 = t("2026-11-18 08:40:00")
    last_level = None
    for i in range(0, 14 * 60, 7):  # battery_level is logged when the level changes
        when = t0 + timedelta(minutes=i, seconds=rng.randint(0, 50), milliseconds=rng.randint(0, 999))
        if when > NOW:
            break
        level = battery_level(when)
        if level != last_level:
            volt = 3700 + level * 6 + rng.randint(-20, 20)
            ev(when, "battery_level", f"[{level},{volt},{285 + rng.randint(0, 60)}]")
            last_level = level

    ev(t("2026-11-18 08:51:12.331"), "screen_toggled", "1")
    sysl(NETWORK_CHINA, "I", "ServiceStateTracker", "[0] Poll ServiceState done: oldRoaming=false newRoaming=true "
         "operator=CHINA MOBILE/46000")
    sysl(ms_(NETWORK_CHINA, 211), "I", "NitzStateMachineImpl", "handleNitzReceived: nitzSignal=TimestampedValue"
         "{mReferenceTimeMillis=192838811, mValue=NitzData{mOriginalString=26/11/18,00:52:10+32,00, "
         "mZoneOffset=28800000, mDstOffset=0}}")
    sysl(ms_(NETWORK_CHINA, 245), "I", "TimeZoneDetectorStrategy", "Set device time zone: newZoneId=Asia/Shanghai, "
         "cause=Telephony time zone suggestion changed: slotIndex=0, zoneId=Asia/Shanghai")
    sysl(ms_(NETWORK_CHINA, 250), "I", "AlarmManager", "Setting time zone to Asia/Shanghai")
    ev(t("2026-11-18 08:58:40.020"), "screen_toggled", "0")
    ev(t("2026-11-18 09:06:55.412"), "screen_toggled", "1")
    ev(t("2026-11-18 09:07:03.118"), "wm_set_resumed_activity",
       f"[0,{SETTINGS.name}/.SettingsActivity,resumeTopActivity - onActivityStateChanged]")
    ev(t("2026-11-18 09:07:03.002"), "am_proc_start",
       f"[0,{PIDS['settings'] - 6110},{SETTINGS.uid},{SETTINGS.name},next-top-activity,"
       f"{{{SETTINGS.name}/{SETTINGS.name}.SettingsActivity}}]")
    sysl(DEV_OPTIONS_ON, "I", "DevelopmentSettings", "development_settings_enabled changed to 1 by uid "
         f"{SETTINGS.uid}")
    sysl(ADB_ON, "I", "AdbService", "Enabling adb: type=0 (USB)")
    sysl(ms_(ADB_ON, 402), "I", "UsbDeviceManager", "Setting USB config to mtp,adb")
    add("system", ms_(ADB_ON, 980), 1, 1, "I", "init", "starting service 'adbd'...")
    sysl(VERIFY_ADB_OFF, "I", "SettingsProvider", "Global setting verifier_verify_adb_installs changed to 0 by "
         f"uid {SETTINGS.uid}")
    ev(ms_(USB_PLUGGED, 12), "battery_status", "[2,2,1,2,Li-poly]")
    sysl(ms_(USB_PLUGGED, 40), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")
    sysl(ms_(USB_PLUGGED, 1420), "I", "AdbDebuggingManager", "Received public key from host, asking the user "
         f"to allow USB debugging: fingerprint={BXAQ_ADB_FINGERPRINT}")
    sysl(ADB_KEY_ALLOWED, "I", "AdbDebuggingManager", f"USB debugging allowed (always) for {ADB_HOST}")
    sysl(ms_(ADB_KEY_ALLOWED, 31), "I", "AdbDebuggingManager", "Writing key to /data/misc/adb/adb_keys")
    add("main", ms_(ADB_KEY_ALLOWED, 88), PIDS["adbd"], PIDS["adbd"], "I", "adbd",
        "adbd_auth: authorized host user@bxaq-pc")

    # adb install (streamed session, Android 13)
    inst = BXAQ_INSTALL
    sysl(inst - timedelta(milliseconds=1610), "I", "PackageInstallerSession",
         "Session 1186429337 created by uid 2000 (com.android.shell) for installation of an app (size 3105272)")
    sysl(inst - timedelta(milliseconds=402), "I", "PackageManager",
         "Integrity check passed for file:///data/app/vmdl1186429337.tmp")
    sysl(inst - timedelta(milliseconds=377), "W", "PackageParsing",
         "com.fiberhome.wifiserver: targetSdkVersion 5 is below the platform minimum of 23; "
         "installing for backwards compatibility")
    sysl(inst - timedelta(milliseconds=301), "I", "PackageDexOptimizer",
         f"Running dexopt (dexoptNeeded=1) on: {BXAQ.apk} pkg=com.fiberhome.wifiserver isa=arm64 "
         f"dexoptFlags=boot_complete,debuggable,public,enable_hidden_api_checks targetFilter=verify "
         f"oatDir={bx_path}/oat classLoaderContext=PCL[]{{}}")
    add("main", inst - timedelta(milliseconds=298), 846, 1066, "I", "installd",
        f"dexopt {BXAQ.apk} targetFilter=verify")
    sysl(inst, "I", "PackageManager", f"installPackageLI: com.fiberhome.wifiserver appId={bxuid} "
         f"codePath={bx_path} installer=null initiator=com.android.shell")
    sysl(ms_(inst, 22), "I", "PackageManager", "Granted legacy runtime permissions to com.fiberhome.wifiserver "
         "(targetSdk 5): READ_SMS, RECEIVE_SMS, READ_CONTACTS, READ_CALL_LOG, READ_CALENDAR, READ_PHONE_STATE, "
         "ACCESS_COARSE_LOCATION, CAMERA, RECORD_AUDIO, READ_EXTERNAL_STORAGE, WRITE_EXTERNAL_STORAGE")
    sysl(ms_(inst, 64), "I", "ActivityManager", "Broadcasting android.intent.action.PACKAGE_ADDED "
         "package:com.fiberhome.wifiserver uid=10262")

    # am start -n from the officer's PC, then the app runs
    sysl(BXAQ_START - timedelta(milliseconds=211), "I", "ActivityTaskManager",
         f"START u0 {{act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10000000 "
         f"cmp={BXAQ.name}/{wel}}} from uid 2000")
    sysl(BXAQ_START - timedelta(milliseconds=190), "W", "ActivityTaskManager",
         "Showing SDK deprecation warning for package com.fiberhome.wifiserver")
    ev(BXAQ_START - timedelta(milliseconds=120), "wm_task_created", "[87,-1]")
    ev(BXAQ_START - timedelta(milliseconds=118), "wm_create_activity",
       f"[0,211862401,87,{comp},android.intent.action.MAIN,NULL,NULL,268435456]")
    ev(BXAQ_START, "am_proc_start", f"[0,{bx},{bxuid},{BXAQ.name},next-top-activity,{{{comp}}}]")
    sysl(ms_(BXAQ_START, 2), "I", "ActivityManager",
         f"Start proc {bx}:{BXAQ.name}/{BXAQ.bs_uid} for next-top-activity {{{comp}}}")
    ev(ms_(BXAQ_START, 9), "am_uid_running", f"{bxuid}")
    ev(ms_(BXAQ_START, 310), "am_proc_bound", f"[0,{bx},{BXAQ.name}]", pid=ss)
    ev(ms_(BXAQ_START, 402), "wm_on_create_called", f"[211862401,{wel},performCreate,7]", pid=bx, tid=bx)
    ev(ms_(BXAQ_START, 431), "wm_on_start_called", f"[211862401,{wel},handleStartActivity,1]", pid=bx, tid=bx)
    ev(ms_(BXAQ_START, 440), "wm_on_resume_called", f"[211862401,{wel},RESUME_ACTIVITY,2]", pid=bx, tid=bx)
    ev(ms_(BXAQ_START, 501), "wm_activity_launch_time", f"[0,211862401,{comp},595]")
    sysl(ms_(BXAQ_START, 502), "I", "ActivityTaskManager", f"Displayed {comp}: +595ms")
    ev(ms_(BXAQ_START, 430), "am_uid_active", f"{bxuid}")
    add("main", ms_(BXAQ_START, 388), bx, bx, "W", "ziparchive", "Unable to open '"
        f"{bx_path}/base.dm': No such file or directory")
    add("main", ms_(BXAQ_START, 702), bx, bx, "W", "TelephonyManager",
        "getDeviceId: The user 10262 does not meet the requirements to access device identifiers.")

    # Wi-Fi: the app adds and joins the border hotspot (legacy API, allowed for targetSdk < 29)
    sysl(HOTSPOT_ADDED, "I", "WifiService", f"addOrUpdateNetwork uid={bxuid}")
    sysl(ms_(HOTSPOT_ADDED, 6), "I", "WifiConfigManager", f"Adding network \"{HOTSPOT_SSID}\"WPA_PSK "
         f"creatorUid={bxuid} creatorName={BXAQ.name}")
    sysl(ms_(HOTSPOT_ADDED, 120), "I", "WifiService", f"enableNetwork uid={bxuid} disableOthers=true")
    sysl(HOTSPOT_CONNECTED, "I", "WifiClientModeImpl", f"Connecting to \"{HOTSPOT_SSID}\" {HOTSPOT_BSSID}")
    sysl(ms_(HOTSPOT_CONNECTED, 1203), "I", "WifiClientModeImpl",
         f"Connected to \"{HOTSPOT_SSID}\", ip 192.168.43.87/24, gateway 192.168.43.1")
    sysl(ms_(HOTSPOT_CONNECTED, 2210), "I", "NetworkMonitor/104", "PROBE_DNS connectivitycheck.gstatic.com "
         "0ms FAIL in type ADDRCONFIG")
    sysl(ms_(HOTSPOT_CONNECTED, 2230), "I", "ConnectivityService", "NetworkAgentInfo [WIFI () - 104] "
         "validation failed; keeping mobile data as default network")

    # the scan of shared storage and the upload
    add("main", SCAN_START, bx, bx + 31, "I", "art", "Background concurrent copying GC freed 20318(1071KB) "
        "AllocSpace objects, 0(0B) LOS objects, 49% free, 2619KB/5239KB, paused 118us total 21.443ms")
    sysl(ms_(SCAN_START, 40), "I", "PowerManagerService", f"acquireWakeLock: lock=214775201, flags=0x1, "
         f"tag=\"WakeLock\", ws=null, uid={bxuid}, pid={bx}")
    for k in range(6):
        when = SCAN_START + timedelta(minutes=11 + 14 * k, seconds=rng.randint(0, 50))
        add("main", when, bx, bx + 31, "I", "art", f"Background young concurrent copying GC freed "
            f"{rng.randint(9000, 30000)}({rng.randint(400, 1600)}KB) AllocSpace objects, 0(0B) LOS objects, "
            f"{rng.randint(30, 60)}% free, {rng.randint(2, 6)}MB/{rng.randint(7, 11)}MB, paused "
            f"{rng.randint(90, 400)}us total {rng.randint(8, 40)}.{rng.randint(100, 999)}ms")
    sysl(SCAN_END, "I", "PowerManagerService", f"releaseWakeLock: lock=214775201 [WakeLock], flags=0x0, "
         f"total_time={int((SCAN_END - SCAN_START).total_seconds() * 1000)}ms")
    add("main", UPLOAD, bx, bx + 44, "D", "NetworkSecurityConfig", "No Network Security Config specified, "
        "using platform default")
    add("main", ms_(UPLOAD, 3), bx, bx + 44, "I", "System.out", "POST http://192.168.43.1:8080/ (multipart, 6.1 MB)")
    add("main", ms_(UPLOAD, 211_880), bx, bx + 44, "I", "System.out", "upload done, 200")

    # the "Uninstall" button: forget the hotspot, then uninstall (the officer keeps the data: pm uninstall -k)
    sysl(HOTSPOT_REMOVED, "I", "WifiService", f"removeNetwork uid={bxuid}")
    sysl(ms_(HOTSPOT_REMOVED, 4), "I", "WifiConfigManager", f"Removing network \"{HOTSPOT_SSID}\"WPA_PSK "
         f"by uid {bxuid}")
    sysl(ms_(HOTSPOT_REMOVED, 310), "I", "WifiClientModeImpl", f"Disconnected from \"{HOTSPOT_SSID}\" "
         "reason=3 (DEAUTH_LEAVING)")
    un = BXAQ_UNINSTALL
    sysl(un - timedelta(milliseconds=40), "I", "PackageManager",
         "deletePackageAsUser: pkg=com.fiberhome.wifiserver user=0 flags=0x1 (DELETE_KEEP_DATA) by uid 2000")
    sysl(un, "I", "ActivityManager", f"Force stopping {BXAQ.name} appid={bxuid} user=0: deletePackageX")
    sysl(ms_(un, 3), "I", "ActivityManager", f"Killing {bx}:{BXAQ.name}/{BXAQ.bs_uid} (adj 0): "
         f"stop {BXAQ.name} due to deletePackageX")
    ev(ms_(un, 4), "am_kill", f"[0,{bx},{BXAQ.name},0,stop {BXAQ.name} due to deletePackageX]")
    ev(ms_(un, 5), "wm_finish_activity", f"[0,211862401,87,{comp},proc died without state saved]")
    ev(ms_(un, 41), "am_proc_died", f"[0,{bx},{BXAQ.name},0,2]")
    ev(ms_(un, 44), "am_uid_stopped", f"{bxuid}")
    sysl(ms_(un, 58), "I", "PackageManager", f"Removed code of com.fiberhome.wifiserver at {bx_path}; "
         f"kept data /data/user/0/{BXAQ.name}")
    sysl(ms_(un, 71), "I", "ActivityManager", "Broadcasting android.intent.action.PACKAGE_REMOVED "
         f"package:{BXAQ.name} uid={bxuid} EXTRA_DATA_REMOVED=false")
    sysl(ms_(un, 90), "I", "WifiConfigManager", f"removeNetworksForApp: {BXAQ.name} uid={bxuid}: no networks")
    ev(ms_(USB_UNPLUGGED, 10), "battery_status", "[3,2,0,2,Li-poly]")
    sysl(USB_UNPLUGGED, "I", "UsbDeviceManager", "USB disconnected")
    sysl(ms_(USB_UNPLUGGED, 5), "I", "AdbDebuggingManager", f"Host disconnected: {ADB_HOST}")
    ev(t("2026-11-18 11:02:11.873"), "screen_toggled", "0")
    ev(t("2026-11-18 11:24:40.551"), "screen_toggled", "1")
    ev(t("2026-11-18 11:24:48.302"), "wm_set_resumed_activity",
       f"[0,{LAUNCHER.name}/.LauncherActivity,resumeTopActivity - onActivityStateChanged]")

    # the afternoon: torch, notes, hotel Wi-Fi
    day = t("2026-11-18 12:00:00")
    for k, (app, act, pid) in enumerate([(TORCH, "MainActivity", PIDS["torch"]),
                                         (NOTES, "NotesActivity", PIDS["notes"])]):
        when = day + timedelta(hours=2 + 3 * k, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))
        ev(when, "am_proc_start", f"[0,{pid},{app.uid},{app.name},next-top-activity,"
           f"{{{app.name}/{app.name}.{act}}}]")
        sysl(when, "I", "ActivityManager", f"Start proc {pid}:{app.name}/{app.bs_uid} for next-top-activity "
             f"{{{app.name}/{app.name}.{act}}}")
    sysl(HOTEL_WIFI, "I", "WifiClientModeImpl", f"Connected to \"{HOTEL_SSID}\", ip 10.12.4.57/22, "
         "gateway 10.12.4.1")
    sysl(t("2026-11-18 18:02:14.337"), "I", "AppOps", f"Noted op READ_CONTACTS for {TORCH.name} uid={TORCH.uid} "
         "(background)")

    # ---- the evening, at the hotel, up to the moment of collection ----
    evening = t("2026-11-18 21:31:07.000")
    tags = [
        (LAUNCHER, PIDS["launcher"], "D", "Launcher", "onResume: workspace bound, 4 pages"),
        (NOTES, PIDS["notes"], "I", "NotesSync", "sync skipped: no account"),
        (TORCH, PIDS["torch"], "D", "TorchService", "camera torch unavailable: camera in use = false"),
        (TORCH, PIDS["torch"], "I", "AdsCfg", "config refresh scheduled in 3600s"),
        (PHONE, PIDS["phone"], "D", "DialerSettings", "roaming=true, operator=46000"),
    ]
    for i in range(150):
        when = evening + timedelta(seconds=i * 3.2 + rng.random())
        if rng.random() < 0.55:
            app, pid, lvl, tag, msg = rng.choice(tags)
            add("main", when, pid, pid + rng.randint(0, 40), lvl, tag, msg)
        else:
            choice = rng.randint(0, 5)
            if choice == 0:
                add("main", when, 730, 730 + rng.randint(1, 20), "I", "netd",
                    "trafficSwapActiveStatsMap() <2.00ms>")
            elif choice == 1:
                sysl(when, "D", "WifiNetworkSelector", f"Current connected network: \"{HOTEL_SSID}\" "
                     f"rssi=-{rng.randint(55, 68)} is sufficient")
            elif choice == 2:
                add("main", when, 860, 860 + rng.randint(1, 30), "I", "SurfaceFlinger",
                    "Display 4630946480857883009 HWC layers: 3")
            elif choice == 3:
                add("main", when, 611, 611 + rng.randint(1, 4), "I", "logd", f"logdr: UID=2000 GID=2000 "
                    f"PID={30100 + rng.randint(0, 20)} n tail=0 logMask=99 pid=0 start=0ns deadline=0ns")
            elif choice == 4:
                sysl(when, "I", "BatteryStatsService", "Battery level changed: "
                     f"{battery_level(when)}% (not charging)")
            else:
                add("radio", when, 1980, 1990 + rng.randint(0, 9), "D", "RILJ",
                    "[UNSL]< UNSOL_RESPONSE_NETWORK_STATE_CHANGED [PHONE0]")
    add("main", t("2026-11-18 21:39:51.204"), PIDS["adbd"], PIDS["adbd"], "I", "adbd",
        "adbd_auth: authorized host (USB)")
    sysl(t("2026-11-18 21:39:51.260"), "I", "UsbDeviceManager", "USB connected, configured: functions=mtp,adb")

    lines.sort()
    out: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if line.buffer not in seen:
            seen.add(line.buffer)
            out.append(f"--------- beginning of {line.buffer}")
        tag = line.tag if len(line.tag) >= 8 else f"{line.tag:<8}"
        out.append(f"{fmt_logcat(line.when)} {line.pid:>5} {line.tid:>5} {line.level} {tag}: {line.message}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------------
# dumpsys package
# --------------------------------------------------------------------------------------------------

def dumpsys_package() -> str:
    o: list[str] = []
    w = o.append
    w("Database versions:")
    w("  Internal:")
    w("    sdkVersion=33 databaseVersion=3")
    w(f"    fingerprint={FINGERPRINT}")
    w("  External:")
    w("    sdkVersion=33 databaseVersion=3")
    w(f"    fingerprint={FINGERPRINT}")
    w("")
    w("Libraries:")
    for lib in ("android.test.base", "android.test.mock", "android.test.runner", "android.net.ipsec.ike",
                "javax.obex", "org.apache.http.legacy", "com.android.location.provider",
                "com.android.media.remotedisplay", "com.android.mediadrm.signer"):
        w(f"  {lib} -> (jar) /system/framework/{lib}.jar")
    w("")
    w("Features:")
    w("  reqGlEsVersion=0x30002")
    for feat in ("android.hardware.audio.output", "android.hardware.bluetooth", "android.hardware.bluetooth_le",
                 "android.hardware.camera", "android.hardware.camera.any", "android.hardware.camera.autofocus",
                 "android.hardware.camera.flash", "android.hardware.camera.front", "android.hardware.faketouch",
                 "android.hardware.fingerprint", "android.hardware.location", "android.hardware.location.gps",
                 "android.hardware.location.network", "android.hardware.microphone", "android.hardware.nfc",
                 "android.hardware.ram.normal", "android.hardware.screen.landscape",
                 "android.hardware.screen.portrait", "android.hardware.sensor.accelerometer",
                 "android.hardware.sensor.light", "android.hardware.sensor.proximity",
                 "android.hardware.telephony", "android.hardware.telephony.gsm", "android.hardware.touchscreen",
                 "android.hardware.usb.accessory", "android.hardware.usb.host", "android.hardware.wifi",
                 "android.hardware.wifi.direct", "android.software.adoptable_storage", "android.software.backup",
                 "android.software.device_admin", "android.software.home_screen",
                 "android.software.input_methods", "android.software.live_wallpaper",
                 "android.software.managed_users", "android.software.secure_lock_screen",
                 "android.software.verified_boot", "android.software.webview"):
        w(f"  {feat}")
    w("")
    w("Activity Resolver Table:")
    w("  Non-Data Actions:")
    by_action: dict[str, list[tuple[App, str, str]]] = {}
    for app in INSTALLED:
        if app.launcher_activity:
            by_action.setdefault("android.intent.action.MAIN", []).append(
                (app, app.launcher_activity, "android.intent.category.LAUNCHER"))
        for activity, action, category in app.extra_filters:
            by_action.setdefault(action, []).append((app, activity, category))
    for action in sorted(by_action):
        w(f"      {action}:")
        for app, activity, category in by_action[action]:
            w(f"        {hexid('act', app.name, activity)} {short_component(app, activity)} filter "
              f"{hexid('filter', app.name, activity, action)}")
            w(f"          Action: \"{action}\"")
            w(f"          Category: \"{category}\"")
            if category == "android.intent.category.HOME":
                w("          Category: \"android.intent.category.DEFAULT\"")
    w("")
    w("Preferred Activities User 0:")
    w("  Non-Data Actions:")
    w("      android.intent.action.MAIN:")
    w(f"        {hexid('pref-home')} {LAUNCHER.name}/.LauncherActivity filter {hexid('pref-home-filter')}")
    w("          Action: \"android.intent.action.MAIN\"")
    w("          Category: \"android.intent.category.HOME\"")
    w("          Category: \"android.intent.category.DEFAULT\"")
    w("")
    w("Permissions:")
    w("  Permission [android.permission.READ_SMS] (a3f1e02):")
    w("    sourcePackage=android")
    w("    uid=1000 gids=[] type=0 prot=dangerous")
    w("    perm=PermissionInfo{1d2c8f1 android.permission.READ_SMS}")
    w("    flags=0x0")
    w("")
    w("Key Set Manager:")
    for i, app in enumerate(APPS):
        w(f"  [{app.name}]")
        w(f"      Signing KeySets: {11 + i * 3}")
    w("")
    w("Packages:")
    for name in LIST_ORDER:
        o.extend(_package_block(BY_NAME[name]))
    w("")
    w("Queries:")
    w("  system apps queryable: false")
    w("  queries via forceQueryable:")
    w("  queries via package name:")
    w("  queries via component:")
    w(f"    {LAUNCHER.name}:")
    for app in INSTALLED:
        if app is not LAUNCHER and app.launcher_activity:
            w(f"      {app.name}")
    w("  queryable via interaction:")
    w("    User 0:")
    w(f"      [{LAUNCHER.name}]:")
    w(f"        {TORCH.name}")
    w(f"        {NOTES.name}")
    w("  queryable via uses-library:")
    w("")
    w("Package Changes:")
    w("  Sequence number=2")
    w("  User 0:")
    w(f"    seq=1, package={BXAQ.name}")
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
    for app in INSTALLED:
        w(f"  [{app.name}]")
        w(f"    path: {app.apk}")
        status = "speed-profile" if app.system else "verify"
        reason = "bg-dexopt" if app.system else "install"
        w(f"      arm64: [status={status}] [reason={reason}]")
    w("")
    w("Compiler stats:")
    for app in INSTALLED:
        w(f"  [{app.name}]")
        w(f"     {app.apk.rsplit('/', 1)[1]} - {180 + len(app.name) * 7}")
    w("")
    w("Active APEX packages:")
    for apex in ("com.android.adbd", "com.android.art", "com.android.conscrypt", "com.android.media",
                 "com.android.permission", "com.android.tzdata", "com.android.wifi"):
        w(f"  Package: {apex}")
        w("    Version: 330443000")
        w(f"    Path: /system/apex/{apex}.apex")
        w("    IsActive: true")
        w("    IsFactory: true")
        w("")
    w("Inactive APEX packages:")
    w("")
    w("Factory APEX packages:")
    return "\n".join(o) + "\n"


def _package_block(app: App) -> list[str]:
    o: list[str] = []
    w = o.append
    sig_hash = "5f3c2a1b" if app.system else ("9e4d0b77" if app is not BXAQ else "1a5c09e2")
    w(f"  Package [{app.name}] ({hexid('ps', app.name)}):")
    w(f"    userId={app.uid}")
    w(f"    pkg={'Package{' + hexid('pkg', app.name) + ' ' + app.name + '}' if app.installed else 'null'}")
    w(f"    codePath={app.code_path}")
    w(f"    resourcePath={app.code_path}")
    w(f"    legacyNativeLibraryDir={app.code_path}/lib")
    w(f"    extractNativeLibs={'true' if app.target_sdk is None or app.target_sdk < 23 else 'false'}")
    w("    primaryCpuAbi=null")
    w("    secondaryCpuAbi=null")
    w("    cpuAbiOverride=null")
    if app.installed:
        w(f"    versionCode={app.version_code} minSdk={app.min_sdk} targetSdk={app.target_sdk}")
        w("    minExtensionVersions=[]")
        w(f"    versionName={app.version_name}")
        w("    usesNonSdkApi=false")
        w("    splits=[base]")
        w(f"    apkSigningVersion={app.signing}")
        flags = ["SYSTEM"] if app.system else []
        flags += ["HAS_CODE", "ALLOW_CLEAR_USER_DATA"]
        if not app.system:
            flags.append("ALLOW_BACKUP")
        w(f"    flags=[ {' '.join(flags)} ]")
        pflags = ["PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION", "ALLOW_AUDIO_PLAYBACK_CAPTURE"]
        if app.privileged:
            pflags.append("PRIVILEGED")
        if app.apk.startswith("/product/"):
            pflags.append("PRODUCT")
        if app.apk.startswith("/system_ext/"):
            pflags.append("SYSTEM_EXT")
        pflags.append("PRIVATE_FLAG_ALLOW_NATIVE_HEAP_POINTER_TAGGING")
        w(f"    privateFlags=[ {' '.join(pflags)} ]")
        w("    forceQueryable=false")
        w(f"    dataDir=/data/user/0/{app.name}")
        w("    supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]")
        if app is LAUNCHER:
            w("    usesLibraries:")
            w("      android.test.base")
    else:
        w(f"    versionCode={app.version_code}")
    w(f"    timeStamp={fmt_s(app.last_update)}")
    w(f"    lastUpdateTime={fmt_s(app.last_update)}")
    if app.installer:
        w(f"    installerPackageName={app.installer}")
    w(f"    packageSource={app.package_source}")
    w(f"    signatures=PackageSignatures{{{hexid('sigs', app.name)} version:{app.signing}, "
      f"signatures:[{sig_hash}], past signatures:[]}}")
    w(f"    installPermissionsFixed={'true' if app.installed else 'false'}")
    pkg_flags = (["SYSTEM"] if app.system else []) + (["DEBUGGABLE"] if app.debuggable else [])
    pkg_flags += ["HAS_CODE", "ALLOW_CLEAR_USER_DATA"] + ([] if app.system else ["ALLOW_BACKUP"])
    w(f"    pkgFlags=[ {' '.join(pkg_flags)} ]")
    if app.installed:
        w("    requested permissions:")
        for perm in app.permissions:
            w(f"      {perm}")
    install_perms = [p for p in app.permissions if p not in RUNTIME_PERMS]
    if install_perms:
        w("    install permissions:")
        for perm in install_perms:
            w(f"      {perm}: granted=true")
    stopped = "true" if not app.installed else "false"
    w(f"    User 0: ceDataInode={app.ce_inode} installed={'true' if app.installed else 'false'} hidden=false "
      f"suspended=false distractionFlags=0 stopped={stopped} notLaunched=false enabled=0 instant=false "
      f"virtual=false")
    w("      installReason=0")
    w(f"      firstInstallTime={fmt_s(app.first_install)}")
    w("      uninstallReason=0")
    if not app.installed:
        w(f"      dataDir=/data/user/0/{app.name}")
    if "android.permission.INTERNET" in app.permissions:
        w("      gids=[3003]")
    if app.runtime_granted:
        w("      runtime permissions:")
        legacy = app.target_sdk is None or app.target_sdk < 23
        for perm in app.runtime_granted:
            if legacy:
                # granted at install (targetSdk < 23); the review screen was passed, so no REVIEW_REQUIRED
                w(f"        {perm}: granted=true, flags=[ USER_SENSITIVE_WHEN_GRANTED|USER_SENSITIVE_WHEN_DENIED]")
            elif app.system:
                w(f"        {perm}: granted=true, flags=[ GRANTED_BY_DEFAULT|USER_SENSITIVE_WHEN_GRANTED|"
                  "USER_SENSITIVE_WHEN_DENIED]")
            else:
                w(f"        {perm}: granted=true, flags=[ USER_SET|USER_SENSITIVE_WHEN_GRANTED|"
                  "USER_SENSITIVE_WHEN_DENIED]")
    if app is TORCH:
        w("      disabledComponents:")
        w("      enabledComponents:")
    return o


# --------------------------------------------------------------------------------------------------
# the other dumpsys services
# --------------------------------------------------------------------------------------------------

def dumpsys_accessibility() -> str:
    return (
        "ACCESSIBILITY MANAGER (dumpsys accessibility)\n"
        "\n"
        "currentUserId=0\n"
        "hasWindowMagnificationConnection=false\n"
        "mWindowMagnificationConnectionState=null\n"
        "User state[\n"
        "     attributes:{id=0, touchExplorationEnabled=false, serviceHandlesDoubleTap=false, "
        "requestMultiFingerGestures=false, requestTwoFingerPassthrough=false, sendMotionEventsEnabled=false, "
        "displayMagnificationEnabled=false, autoclickEnabled=false, nonInteractiveUiTimeout=0, "
        "interactiveUiTimeout=0, installedServiceCount=0, magnificationModes=1, magnificationCapabilities=1, "
        "audioDescriptionByDefaultEnabled=false, magnificationFollowTypingEnabled=true}\n"
        "     shortcut key:{}\n"
        "     button target:{null}\n"
        "     Bound services:{}\n"
        "     Enabled services:{}\n"
        "     Binding services:{}\n"
        "     Crashed services:{}\n"
        "     Client list info:{\n"
        f"          PID: {PIDS['launcher']}, Package names: [{LAUNCHER.name}], Interactive connection: none\n"
        f"          PID: {PIDS['settings']}, Package names: [{SETTINGS.name}], Interactive connection: none\n"
        "     }\n"
        "]\n"
        "\n"
        "Microphone mute state: false\n"
        "\n"
        "global window list:\n"
        "\n"
        "Magnification Controller:\n"
        "  mMagnificationCapabilities=1\n"
        "  mMagnificationFollowTypingEnabled=true\n"
        "\n"
    )


def dumpsys_device_policy() -> str:
    return (
        "Current Device Policy Manager state:\n"
        "  Immutable state:\n"
        "    mHasFeature=true\n"
        "    mIsWatch=false\n"
        "    mIsAutomotive=false\n"
        "    mHasTelephonyFeature=true\n"
        "    mSafetyChecker=null\n"
        "  Device Owner Type: -1\n"
        "  Enabled Device Admins (User 0, provisioningState: 0):\n"
        "  Device Admin Policies (User 0):\n"
        "    mPasswordOwner=-1\n"
        "    mPasswordTokenHandle=0\n"
        "    mUserSetupComplete=true\n"
        "    mPaired=false\n"
        "    mUserProvisioningState=0\n"
        "    mFactoryResetFlags=0\n"
        "    mAffiliationIds=[]\n"
        "    mNewUserDisclaimer=not_needed\n"
        "    mLastSecurityLogRetrievalTime=-1\n"
        "    mLastBugReportRequestTime=-1\n"
        "    mLastNetworkLogsRetrievalTime=-1\n"
        "    mAdminBroadcastPending=false\n"
        "    mLockTaskPackages=[]\n"
        "    mLockTaskFeatures=16\n"
        "  Encryption Status: per-user\n"
        "  Logout user: 0\n"
        "  Pending user data:\n"
        "  Constants:\n"
        "    DAS_DIED_SERVICE_RECONNECT_BACKOFF_SEC: 3600\n"
        "    DAS_DIED_SERVICE_RECONNECT_BACKOFF_INCREASE: 2.0\n"
        "    DAS_DIED_SERVICE_RECONNECT_MAX_BACKOFF_SEC: 86400\n"
        "    DAS_DIED_SERVICE_STABLE_CONNECTION_THRESHOLD_SEC: 120\n"
        "  Stats:\n"
        "    LockGuard.guard(): count=0, total=0.0ms, avg=0.000ms\n"
        "  mSecurityLoggingEnabled? false\n"
        "  mNetworkLoggingEnabled? false\n"
        "  Other Profile Policy Manager state:\n"
        "    mDevicePolicyEngine: none\n"
    )


def dumpsys_usagestats() -> str:
    o: list[str] = []
    w = o.append
    since = NOW - timedelta(hours=24)
    w("user=0")
    w(f"Last 24 hour events (timeRange=\"{fmt_s(since)} - {fmt_s(NOW)}\")")

    events: list[tuple[datetime, str]] = []

    def e(when: datetime, kind: str, pkg: str, cls: str | None = None, *, instance: int | None = None,
          root: tuple[str, str] | None = None, extra: str = "") -> None:
        parts = [f"time=\"{fmt_s(when)}\"", f"type={kind}", f"package={pkg}"]
        if cls:
            parts.append(f"class={cls}")
        if extra:
            parts.append(extra)
        if instance is not None:
            parts.append(f"instanceId={instance}")
        if root:
            parts += [f"taskRootPackage={root[0]}", f"taskRootClass={root[1]}"]
        parts.append("flags=0x0")
        events.append((when, "  " + " ".join(p for p in parts if p)))

    def session(app: App, cls: str, start: datetime, end: datetime, instance: int) -> None:
        full = component(app, cls)
        root = (app.name, full)
        e(start, "ACTIVITY_RESUMED", app.name, full, instance=instance, root=root)
        e(end, "ACTIVITY_PAUSED", app.name, full, instance=instance, root=root)
        e(end + timedelta(milliseconds=600), "ACTIVITY_STOPPED", app.name, full, instance=instance, root=root)

    e(t("2026-11-18 06:41:02"), "SCREEN_INTERACTIVE", "android")
    e(t("2026-11-18 06:41:05"), "KEYGUARD_HIDDEN", "android")
    session(LAUNCHER, "LauncherActivity", t("2026-11-18 06:41:06"), t("2026-11-18 06:42:15"), 41)
    session(NOTES, "NotesActivity", t("2026-11-18 06:42:15"), t("2026-11-18 06:49:40"), 43)
    e(t("2026-11-18 06:51:01"), "SCREEN_NON_INTERACTIVE", "android")
    e(t("2026-11-18 06:51:01"), "KEYGUARD_SHOWN", "android")
    e(t("2026-11-18 08:51:12"), "SCREEN_INTERACTIVE", "android")
    e(t("2026-11-18 08:58:40"), "SCREEN_NON_INTERACTIVE", "android")
    e(t("2026-11-18 09:06:55"), "SCREEN_INTERACTIVE", "android")
    e(t("2026-11-18 09:07:01"), "KEYGUARD_HIDDEN", "android")
    session(SETTINGS, "SettingsActivity", t("2026-11-18 09:07:03"), t("2026-11-18 09:11:39"), 52)
    e(BXAQ_INSTALL, "STANDBY_BUCKET_CHANGED", BXAQ.name, extra="standbyBucket=10 reason=d-i")
    e(BXAQ_START, "ACTIVITY_RESUMED", BXAQ.name, "com.fenghuo.qzj.WelcomeActivity", instance=211862401,
      root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    e(BXAQ_START + timedelta(seconds=1), "STANDBY_BUCKET_CHANGED", BXAQ.name,
      extra="standbyBucket=10 reason=u-mf")
    e(t("2026-11-18 09:12:40"), "USER_INTERACTION", BXAQ.name)
    e(t("2026-11-18 09:13:02"), "ACTIVITY_PAUSED", BXAQ.name, "com.fenghuo.qzj.WelcomeActivity",
      instance=211862401, root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    e(t("2026-11-18 09:13:02"), "ACTIVITY_RESUMED", BXAQ.name, "com.fenghuo.qzj.VideoViewActivity",
      instance=211862433, root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    e(t("2026-11-18 10:47:35"), "USER_INTERACTION", BXAQ.name)
    e(t("2026-11-18 10:51:58"), "ACTIVITY_PAUSED", BXAQ.name, "com.fenghuo.qzj.VideoViewActivity",
      instance=211862433, root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    e(t("2026-11-18 10:51:58"), "ACTIVITY_RESUMED", BXAQ.name, "com.fenghuo.qzj.WelcomeActivity",
      instance=211862401, root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    e(t("2026-11-18 10:52:04"), "USER_INTERACTION", BXAQ.name)
    e(BXAQ_UNINSTALL, "ACTIVITY_PAUSED", BXAQ.name, "com.fenghuo.qzj.WelcomeActivity", instance=211862401,
      root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    e(BXAQ_UNINSTALL + timedelta(milliseconds=40), "ACTIVITY_STOPPED", BXAQ.name,
      "com.fenghuo.qzj.WelcomeActivity", instance=211862401, root=(BXAQ.name, "com.fenghuo.qzj.WelcomeActivity"))
    session(LAUNCHER, "LauncherActivity", BXAQ_UNINSTALL + timedelta(milliseconds=90), t("2026-11-18 11:02:11"), 58)
    e(t("2026-11-18 11:02:11"), "SCREEN_NON_INTERACTIVE", "android")
    e(t("2026-11-18 11:24:40"), "SCREEN_INTERACTIVE", "android")
    session(LAUNCHER, "LauncherActivity", t("2026-11-18 11:24:48"), t("2026-11-18 14:12:30"), 61)
    session(TORCH, "MainActivity", t("2026-11-18 14:12:31"), t("2026-11-18 14:13:02"), 63)
    session(NOTES, "NotesActivity", t("2026-11-18 17:40:10"), t("2026-11-18 17:52:44"), 66)
    session(LAUNCHER, "LauncherActivity", t("2026-11-18 21:39:10"), NOW - timedelta(seconds=2), 70)
    events.sort(key=lambda item: item[0])
    o.extend(line for _, line in events)
    w("")
    w("In-memory daily stats")
    w(f"timeRange=\"{fmt_s(t('2026-11-18 00:00:00'))} - {fmt_s(NOW)}\"")
    w("  packages")
    usage = [
        (LAUNCHER, "02:51:22", t("2026-11-18 21:39:58"), 9),
        (SETTINGS, "00:04:36", t("2026-11-18 09:11:39"), 1),
        (BXAQ, "01:40:41", BXAQ_UNINSTALL, 1),
        (TORCH, "00:00:31", t("2026-11-18 14:13:02"), 1),
        (NOTES, "00:19:59", t("2026-11-18 17:52:44"), 2),
    ]
    for app, total, last, launches in usage:
        w(f"    package={app.name} totalTimeUsed=\"{total}\" lastTimeUsed=\"{fmt_s(last)}\" "
          f"totalTimeVisible=\"{total}\" lastTimeVisible=\"{fmt_s(last)}\" lastTimeComponentUsed=\"{fmt_s(last)}\" "
          f"totalTimeFS=\"00:00\" lastTimeFS=\"1970-01-01 08:00:00\" appLaunchCount={launches} ")
    w("  ChooserCounts")
    w("  configurations")
    w("  event aggregations")
    w("    screen-interactive: count=5 duration=\"05:19:06\"")
    w("    screen-non-interactive: count=4 duration=\"10:41:52\"")
    w("    keyguard-shown: count=1 duration=\"02:15:54\"")
    w("    keyguard-hidden: count=3 duration=\"12:43:04\"")
    w("")
    w("App Standby States:")
    w("  User 0")
    last_used = {
        LAUNCHER.name: t("2026-11-18 21:39:58"), SETTINGS.name: t("2026-11-18 09:11:39"),
        PHONE.name: t("2026-11-17 20:10:41"), CAMERA.name: t("2026-11-17 13:21:19"),
        NOTES.name: t("2026-11-18 17:52:44"), TORCH.name: t("2026-11-18 14:13:02"), BXAQ.name: BXAQ_UNINSTALL,
    }
    for app in APPS:
        last = last_used[app.name]
        bucket, reason = (10, "u-mf") if NOW - last < timedelta(hours=12) else (20, "t")
        w(f"    {app.name} u=0 bucket={bucket} reason={reason} used={fmt_duration(last - NOW)} "
          f"usedByUser={fmt_duration(last - NOW)} usedScr={fmt_duration(last - NOW)} lastPred=--- "
          f"activeLeft=0 wsLeft=0 lastJob=--- idle=n")
    w("")
    return "\n".join(o) + "\n"


def dumpsys_appops() -> str:
    o: list[str] = []
    w = o.append
    w("Current AppOps Service state:")
    w("  Settings:")
    w("    top_state_settle_time=+5s0ms")
    w("    fg_service_state_settle_time=+5s0ms")
    w("    bg_state_settle_time=+1s0ms")
    w("")
    w("  Op mode watchers:")
    w("    Op COARSE_LOCATION:")
    w(f"      #0: ModeCallback{{{hexid('mcb', 1)} watchinguid=-1 flags=0x1 op=COARSE_LOCATION from uid=1000 "
      f"pid={PIDS['system_server']}}}")
    w("")

    def op(name: str, mode: str, accesses: list[tuple[str, datetime, str]],
           rejects: list[tuple[str, datetime]] = ()) -> None:
        w(f"      {name} ({mode}):")
        w("        null=[")
        for state, when, duration in accesses:
            extra = f" duration={duration}" if duration else ""
            w(f"          Access: [{state}] {fmt_ms(when)} ({fmt_duration(when - NOW)}){extra}")
        for state, when in rejects:
            w(f"          Reject: [{state}] {fmt_ms(when)} ({fmt_duration(when - NOW)})")
        w("        ]")

    def uid_header(app: App, state: str) -> None:
        w(f"  Uid {app.uid}:")
        w(f"    state={state}")
        w("    capability=----")
        w("    appWidgetVisible=false")
        w(f"    Package {app.name}:")

    uid_header(NOTES, "cch")
    op("POST_NOTIFICATION", "allow", [("fg-s", t("2026-11-18 17:44:02.415"), "")])
    op("WAKE_LOCK", "allow", [("cch-s", t("2026-11-18 20:15:11.208"), "+82ms")])

    uid_header(TORCH, "cch")
    op("CAMERA", "allow", [("top-s", t("2026-11-18 14:12:33.641"), "+28s402ms")])
    op("READ_CONTACTS", "allow", [("bg-s", t("2026-11-18 18:02:14.337"), "")])
    op("WAKE_LOCK", "allow", [("cch-s", t("2026-11-18 21:12:40.090"), "+1s12ms")])

    d = "2026-11-18 "
    uid_header(BXAQ, "cch")
    op("COARSE_LOCATION", "allow", [("top-s", t(d + "09:12:10.417"), "")])
    op("CAMERA", "allow", [])
    op("RECORD_AUDIO", "allow", [])
    op("READ_CONTACTS", "allow", [("top-s", t(d + "09:12:03.559"), "")])
    op("READ_CALL_LOG", "allow", [("top-s", t(d + "09:12:05.118"), "")])
    op("READ_CALENDAR", "allow", [("top-s", t(d + "09:12:09.002"), "")])
    op("WIFI_SCAN", "allow", [("top-s", t(d + "10:51:58.204"), "")])
    op("READ_SMS", "allow", [("top-s", t(d + "09:12:07.871"), "")])
    op("RECEIVE_SMS", "allow", [])
    op("READ_PHONE_STATE", "allow", [("top-s", t(d + "09:11:41.208"), "")])
    op("WAKE_LOCK", "allow", [("top-s", SCAN_START, fmt_duration(SCAN_END - SCAN_START))])
    op("READ_EXTERNAL_STORAGE", "allow", [("top-s", t(d + "10:41:52.774"), "")])
    op("WRITE_EXTERNAL_STORAGE", "allow", [("top-s", CJLOG_WRITTEN, "")])
    op("CHANGE_WIFI_STATE", "allow", [("top-s", HOTSPOT_REMOVED, "")])
    op("LEGACY_STORAGE", "allow", [])
    op("READ_DEVICE_IDENTIFIERS", "default", [], [("top-s", t(d + "09:11:40.609"))])

    uid_header(CAMERA, "cch")
    op("CAMERA", "allow", [("top-s", t("2026-11-17 13:20:07.904"), "+1m12s300ms")])
    op("FINE_LOCATION", "allow", [("top-s", t("2026-11-17 13:20:08.115"), "")])
    return "\n".join(o) + "\n"


def adb_pubkey(host: str, seed: str) -> str:
    """An Android-format ADB public key (struct RSAPublicKey, base64) with a deterministic modulus.

    The modulus is a seeded random odd 2048-bit number, not a real RSA key: nobody holds a private key
    for it, which is what a fixture wants. n0inv and rr are computed as adb computes them."""
    rng = random.Random(seed)
    n = rng.getrandbits(2048) | (1 << 2047) | 1
    n0inv = (-pow(n, -1, 1 << 32)) % (1 << 32)
    rr = pow(2, 4096, n)
    data = struct.pack("<II", 64, n0inv) + n.to_bytes(256, "little") + rr.to_bytes(256, "little") \
        + struct.pack("<I", 65537)
    return base64.b64encode(data).decode() + " " + host


BXAQ_ADB_KEY = adb_pubkey(ADB_HOST, "bxaq-pc adb key")
# what Android shows in the "Allow USB debugging?" dialog: MD5 of the decoded key, colon-separated
BXAQ_ADB_FINGERPRINT = ":".join(f"{b:02X}" for b in hashlib.md5(base64.b64decode(BXAQ_ADB_KEY.split()[0])).digest())


def dumpsys_adb() -> str:
    keystore = (
        "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n"
        "<keyStore version=\"1\">\n"
        f"<adbKey key=\"{BXAQ_ADB_KEY}\" lastConnection=\"{ms(USB_UNPLUGGED)}\" />\n"
        "</keyStore>\n"
    )
    return (
        "ADB MANAGER STATE (dumpsys adb):\n"
        "{\n"
        "  debugging_manager={\n"
        "    connected_to_adb=true\n"
        f"    last_key_received={BXAQ_ADB_FINGERPRINT}\n"
        f"    user_keys={BXAQ_ADB_KEY}\n"
        "\n"
        "    system_keys=\n"
        f"    keystore={keystore}"
        "  }\n"
        "}\n"
    )


def dumpsys_notification() -> str:
    o: list[str] = []
    w = o.append
    w("Current Notification Manager state:")
    w("  Notification List:")
    w(f"    NotificationRecord({hexid('nr', 1)}: pkg=android user=UserHandle{{0}} id=26 tag=null importance=2 "
      f"key=0|android|26|null|1000: Notification(channel=DEVELOPER_IMPORTANT shortcut=null contentView=null "
      "vibrate=null sound=null defaults=0x0 flags=0x2 color=0xff607d8b category=sys vis=PUBLIC))")
    w("      uid=1000 userId=0")
    w("      opPkg=android")
    w("      icon=Icon(typ=RESOURCE pkg=android id=0x01080b2e)")
    w("      flags=0x2")
    w("      pri=0")
    w("      key=0|android|26|null|1000")
    w("      seen=true")
    w("      groupKey=0|android|g:ranker_group|1000|ranker_group")
    w("      notification=")
    w("          fullscreenIntent=null")
    w("          contentIntent=PendingIntent{3c5e1b2: android.os.BinderProxy@4f1d0a9}")
    w("          tickerText=null")
    w("          contentView=null")
    w("          extras={")
    w("              android.title=String (USB debugging connected)")
    w("              android.text=String (Tap to turn off USB debugging)")
    w("          }")
    w(f"    NotificationRecord({hexid('nr', 2)}: pkg={NOTES.name} user=UserHandle{{0}} id=7 tag=null "
      f"importance=2 key=0|{NOTES.name}|7|null|{NOTES.uid}: Notification(channel=reminders shortcut=null "
      "contentView=null vibrate=null sound=null defaults=0x0 flags=0x10 color=0x00000000 vis=PRIVATE))")
    w(f"      uid={NOTES.uid} userId=0")
    w("")
    w("  mArchive (4 notifications):")
    archive = [
        ("android", 26, 1000, "DEVELOPER_IMPORTANT", "0x2", ADB_KEY_ALLOWED),
        ("android", 32, 1000, "USB", "0x2", USB_PLUGGED),
        (TORCH.name, 1, TORCH.uid, "torch_service", "0x62", t("2026-11-18 14:12:33")),
        (NOTES.name, 7, NOTES.uid, "reminders", "0x10", t("2026-11-18 17:44:02")),
    ]
    for pkg, nid, uid, channel, flags, _when in archive:
        w(f"    StatusBarNotification(pkg={pkg} user=UserHandle{{0}} id={nid} tag=null key=0|{pkg}|{nid}|null|"
          f"{uid}: Notification(channel={channel} shortcut=null contentView=null vibrate=null sound=null "
          f"defaults=0x0 flags={flags} color=0x00000000 vis=PRIVATE))")
    w("")
    w("  Snoozed notifications:")
    w("")
    w("  mMaxPackageEnqueueRate=5.0")
    w("  hideSilentStatusBar=false")
    w("  mUseAttentionLight=true")
    w("  mHasLight=false")
    w("  mNotificationPulseEnabled=false")
    w("  mSoundNotificationKey=null")
    w("  mVibrateNotificationKey=null")
    w("  mDisableNotificationEffects=null")
    w("  mCallState=CALL_STATE_IDLE")
    w("  mSystemReady=true")
    w("")
    w("  Notification listeners:")
    w("    Allowed user-set packages: ")
    w("")
    w("  Policy access:")
    w("    allowed packages: ")
    w("")
    return "\n".join(o) + "\n"


def dumpsys_wifi() -> str:
    o: list[str] = []
    w = o.append
    w("Wi-Fi is enabled")
    w("Verbose logging is off")
    w("Stay-awake conditions: 0")
    w("mInIdleMode false")
    w("mScanPending false")
    w("SupportedFeatures: 0x139ff3b68f")
    w("")
    w("WifiConfigManager - Log Begin ----")
    log = [
        (t("2026-11-17 16:02:51.603"), "addOrUpdateNetwork uid=1000 name=android.uid.system networkId=1 "
                                        "SSID=\"Hotel Alay\""),
        (HOTSPOT_ADDED, f"addOrUpdateNetwork uid={BXAQ.uid} name={BXAQ.name} networkId=3 SSID=\"{HOTSPOT_SSID}\""),
        (HOTSPOT_ADDED + timedelta(milliseconds=120), f"enableNetwork networkId=3 uid={BXAQ.uid} "
                                                      "disableOthers=true"),
        (HOTSPOT_REMOVED, f"removeNetwork networkId=3 uid={BXAQ.uid} name={BXAQ.name} "
                          f"SSID=\"{HOTSPOT_SSID}\""),
        (BXAQ_UNINSTALL + timedelta(milliseconds=90), f"removeNetworksForApp {BXAQ.name} uid={BXAQ.uid}: "
                                                       "0 networks"),
        (HOTEL_WIFI - timedelta(seconds=41), f"addOrUpdateNetwork uid=1000 name=android.uid.system networkId=4 "
                                               f"SSID=\"{HOTEL_SSID}\""),
    ]
    for when, text in log:
        w(f"{when.astimezone(LOCAL).strftime('%m-%d %H:%M:%S.')}{when.microsecond // 1000:03d} - {text}")
    w("WifiConfigManager - Log End ----")
    w("WifiConfigManager - Configured networks Begin ----")
    saved = [
        (0, HOME_SSID, "WPA_PSK", "WPA RSN", t("2025-04-20 16:40:11.230"), t("2026-11-17 07:58:20.004"), False),
        (1, "Hotel Alay", "WPA_PSK", "WPA RSN", t("2026-11-17 16:02:51.603"), t("2026-11-18 07:20:44.118"), False),
        (4, HOTEL_SSID, "NONE", "", HOTEL_WIFI - timedelta(seconds=41), t("2026-11-18 21:39:40.118"), True),
    ]
    creator, creator_name = 1000, "android.uid.system"  # all added in Settings by the owner
    for nid, ssid, key_mgmt, protocols, created, last, current in saved:
        w(f"ID: {nid} SSID: \"{ssid}\" PROVIDER-NAME: null BSSID: null FQDN: null HOME-PROVIDER-NETWORK: false "
          f"PRIO: 0 HIDDEN: false PMF: false CarrierId: -1 SubscriptionId: -1 SubscriptionGroup: null "
          f"Currently Connected: {'true' if current else 'false'} IsMostRecentlyConnected: "
          f"{'true' if current else 'false'}")
        w(" NetworkSelectionStatus NETWORK_SELECTION_ENABLED")
        w(" hasEverConnected: true")
        w(f" KeyMgmt: {key_mgmt} Protocols: {protocols}")
        w(" AuthAlgorithms:")
        w(" PairwiseCiphers: CCMP")
        w(" GroupCiphers: CCMP TKIP")
        w(" IP config:")
        w("IP assignment: DHCP")
        w("Proxy settings: NONE")
        w(f" cuid={creator} cname={creator_name} luid={creator} lname={creator_name} lcuid=0 "
          "userApproved=USER_UNSPECIFIED noInternetAccessExpected=false")
        w(f" creation_time={fmt_ms(created)}")
        w(f" lastConnected: {fmt_ms(last)}")
        w(" randomizedMacAddress: 02:00:00:00:00:00")
        w(" macRandomizationSetting: 3")
        w("")
    w("WifiConfigManager - Configured networks End ----")
    w("WifiConfigManager - Next network ID to be allocated 5")
    w("WifiConfigManager - Last selected network ID 4")
    w("")
    w("mConnectionEvents:")
    conn = [
        (t("2026-11-17 16:02:52.012"), "Hotel Alay", "f4:8c:eb:21:0a:5c", 980, "SUCCESS", 1000),
        (HOTSPOT_CONNECTED, HOTSPOT_SSID, HOTSPOT_BSSID, 1203, "SUCCESS", BXAQ.uid),
        (HOTEL_WIFI, HOTEL_SSID, HOTEL_BSSID, 1544, "SUCCESS", 1000),
        (t("2026-11-18 21:39:39.002"), HOTEL_SSID, HOTEL_BSSID, 1116, "SUCCESS", 1000),
    ]
    for when, ssid, bssid, dur, result, uid in conn:
        w(f"startTime={fmt_logcat(when)}, SSID=\"{ssid}\", BSSID={bssid}, durationMillis={dur}, "
          f"roamType=ROAM_UNRELATED, connectionResult=1, level2FailureCode=NONE, level2FailureReason=UNKNOWN, "
          f"connectivityLevelFailureCode=NONE, signalStrength=-{48 if ssid == HOTSPOT_SSID else 61}, "
          f"wifiState=WIFI_ASSOCIATED, screenOn=true, mRouterFingerprint: {{mDtimInterval=0, "
          f"mAuthentication=1, mHidden=false, mChannelInfo=2437}}, useRandomizedMac=true, "
          f"connectionNominator=NOMINATOR_{'SAVED' if uid == 1000 else 'UNKNOWN'}, "
          f"networkSelectorExperimentId=0, connectChoiceUid={uid}, result={result}")
    w("")
    w("Latest scan results:")
    w("    BSSID              Frequency      RSSI           Age(sec)     SSID                                 Flags")
    scans = [
        (HOTEL_BSSID, 2437, -58, 1.2, HOTEL_SSID, "[ESS]"),
        ("c8:3a:35:5e:71:b9", 5180, -66, 1.2, HOTEL_SSID, "[ESS]"),
        ("e4:f3:e8:0c:33:10", 2462, -79, 1.4, "ChinaNet-3fQa", "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS][WPS]"),
        ("70:3a:73:91:de:02", 2412, -84, 1.5, "CMCC-x2Hk", "[WPA2-PSK-CCMP][RSN-PSK-CCMP][ESS]"),
    ]
    for bssid, freq, rssi, age, ssid, flags in scans:
        w(f"  {bssid}{freq:>11}{rssi:>11}{age:>17.1f}      {ssid:<37}{flags}")
    w("")
    w("mLastNetworkId 4")
    w(f"mLastBssid {HOTEL_BSSID}")
    w("mWifiInfo SSID: \"Seman-Hotel-Guest\", BSSID: c8:3a:35:5e:71:b8, MAC: 6a:1f:52:c0:9e:14, IP: /10.12.4.57, "
      "Security type: 0, Supplicant state: COMPLETED, Wi-Fi standard: 4, RSSI: -58, Link speed: 72Mbps, "
      "Tx Link speed: 72Mbps, Max Supported Tx Link speed: 144Mbps, Rx Link speed: 65Mbps, "
      "Max Supported Rx Link speed: 144Mbps, Frequency: 2437MHz, Net ID: 4, Metered hint: false, score: 60")
    w("")
    return "\n".join(o) + "\n"


def dumpsys_batterystats() -> str:
    o: list[str] = []
    w = o.append
    start = UNPLUGGED
    w("Battery History (1% used, 41KB used of 4096KB, 96 strings using 6422):")

    history: list[tuple[datetime, int, int, int, str]] = []

    def h(when: datetime, cmd: int, level: int, text: str) -> None:
        history.append((when, len(history), cmd, level, text))

    w(f"{'0':>21} (9) RESET:TIME: {start.astimezone(LOCAL).strftime('%Y-%m-%d-%H-%M-%S')}")
    h(start, 2, 100, "status=discharging health=good plug=none temp=291 volt=4392 charge=4902 "
      "modemRailChargemAh=0 wifiRailChargemAh=0 +running +wake_lock +screen phone_signal_strength=great "
      f"brightness=medium +wifi_radio wifi_signal_strength=4 wifi_suppl=completed "
      f"top={LAUNCHER.bs_uid}:\"{LAUNCHER.name}\"")
    h(start, 2, 100, "user=0:\"0\"")
    h(start, 2, 100, "userfg=0:\"0\"")
    h(t("2026-11-18 06:42:15.210"), 2, 100, f"-top={LAUNCHER.bs_uid}:\"{LAUNCHER.name}\"")
    h(t("2026-11-18 06:42:15.230"), 2, 100, f"+top={NOTES.bs_uid}:\"{NOTES.name}\"")
    h(t("2026-11-18 06:51:01.002"), 2, 99, f"-top={NOTES.bs_uid}:\"{NOTES.name}\" -screen")
    h(t("2026-11-18 07:20:44.118"), 2, 98, "-wifi_radio wifi_signal_strength=0 wifi_suppl=disconn "
      "phone_signal_strength=moderate")
    h(NETWORK_CHINA, 2, 92, "phone_state=in phone_signal_strength=good +phone_scanning")
    h(t("2026-11-18 08:51:12.331"), 2, 92, "+screen -phone_scanning")
    h(t("2026-11-18 09:07:03.118"), 2, 91, f"+top={SETTINGS.bs_uid}:\"{SETTINGS.name}\"")
    h(USB_PLUGGED, 2, 91, "status=charging plug=usb volt=4211 +plugged +usb_data")
    h(BXAQ_INSTALL, 2, 91, f"pkginst=1:\"{BXAQ.name}\"")
    h(BXAQ_START - timedelta(milliseconds=5), 2, 91, f"-top={SETTINGS.bs_uid}:\"{SETTINGS.name}\"")
    h(BXAQ_START, 2, 91, f"+top={BXAQ.bs_uid}:\"{BXAQ.name}\"")
    h(HOTSPOT_CONNECTED, 2, 91, "+wifi_radio wifi_signal_strength=4 wifi_suppl=completed +wifi_scan")
    h(HOTSPOT_CONNECTED + timedelta(seconds=3), 2, 91, "-wifi_scan")
    h(SCAN_START, 2, 92, f"+wake_lock_in={BXAQ.bs_uid}:\"WakeLock\"")
    h(SCAN_END, 2, 97, f"-wake_lock_in={BXAQ.bs_uid}:\"WakeLock\"")
    h(UPLOAD, 2, 97, f"+mobile_radio=0 +wifi_radio +wifi_running +conn={BXAQ.bs_uid}:\"WIFI\"")
    h(HOTSPOT_REMOVED, 2, 98, "-wifi_radio wifi_signal_strength=0 wifi_suppl=disconn")
    h(BXAQ_UNINSTALL, 2, 98, f"-top={BXAQ.bs_uid}:\"{BXAQ.name}\"")
    h(BXAQ_UNINSTALL + timedelta(milliseconds=60), 2, 98, f"pkgunin=1:\"{BXAQ.name}\"")
    h(BXAQ_UNINSTALL + timedelta(milliseconds=90), 2, 98, f"+top={LAUNCHER.bs_uid}:\"{LAUNCHER.name}\"")
    h(USB_UNPLUGGED, 2, 98, "status=discharging plug=none volt=4268 -plugged -usb_data")
    h(t("2026-11-18 11:02:11.873"), 2, 98, f"-top={LAUNCHER.bs_uid}:\"{LAUNCHER.name}\" -screen")
    h(t("2026-11-18 11:24:40.551"), 2, 96, f"+screen +top={LAUNCHER.bs_uid}:\"{LAUNCHER.name}\"")
    h(t("2026-11-18 14:12:31.000"), 2, 81, f"+top={TORCH.bs_uid}:\"{TORCH.name}\" +flashlight")
    h(t("2026-11-18 14:13:02.000"), 2, 81, f"-top={TORCH.bs_uid}:\"{TORCH.name}\" -flashlight")
    h(HOTEL_WIFI, 2, 64, "+wifi_radio wifi_signal_strength=3 wifi_suppl=completed")
    h(t("2026-11-18 18:02:14.337"), 2, 60, f"+job={TORCH.bs_uid}:\"{TORCH.name}/.SyncJob\"")
    h(t("2026-11-18 18:02:16.101"), 2, 60, f"-job={TORCH.bs_uid}:\"{TORCH.name}/.SyncJob\"")
    h(t("2026-11-18 21:39:51.204"), 2, 42, "status=charging plug=usb +plugged +usb_data")
    for when, _, cmd, level, text in sorted(history):
        offset = "0" if when == start else fmt_duration(when - start)
        w(f"{offset:>21} ({cmd}) {level:03d} {text}")
    w("")
    w("Per-PID Stats:")
    w(f"  PID {PIDS['system_server']} wake time: +3m12s401ms")
    w("")
    w("Discharge step durations:")
    w("  #0: +8m41s220ms to 42 (screen-on, power-save-off, device-idle-off)")
    w("  #1: +9m02s773ms to 43 (screen-on, power-save-off, device-idle-off)")
    w("")
    w("Statistics since last charge:")
    # the phone was on USB (the officers' PC) 09:09:58-10:53:05, and on the helpdesk's since 21:39:51
    total = NOW - UNPLUGGED
    plugged = (USB_UNPLUGGED - USB_PLUGGED) + (NOW - t("2026-11-18 21:39:51.204"))
    on_battery = total - plugged
    screen_on = timedelta(hours=5, minutes=19, seconds=6)
    wifi_running = (HOTSPOT_REMOVED - HOTSPOT_CONNECTED) + (NOW - HOTEL_WIFI) + timedelta(minutes=39, seconds=18)

    def pct(part: timedelta) -> str:
        return f"{part / total:.1%}"

    w("  System starts: 0, currently on battery: false")
    w("  Estimated battery capacity: 4902 mAh")
    w(f"  Time on battery: {spaced(on_battery)} ({pct(on_battery)}) realtime, "
      f"{spaced(on_battery - timedelta(hours=7, minutes=2, seconds=11))} uptime")
    w(f"  Time on battery screen off: {spaced(on_battery - screen_on)} realtime")
    w(f"  Total run time: {spaced(total)} realtime, {spaced(total - timedelta(hours=6, minutes=11))} uptime")
    w("  Discharge: 3110 mAh")
    w("  Start clock time: " + start.astimezone(LOCAL).strftime("%Y-%m-%d-%H-%M-%S"))
    w(f"  Screen on: {spaced(screen_on)} ({pct(screen_on)}) 9x, "
      f"Interactive: {spaced(screen_on - timedelta(seconds=14, milliseconds=598))}")
    w("  Connectivity changes: 7")
    w(f"  Mobile radio active time: {spaced(timedelta(hours=1, minutes=51, seconds=12, milliseconds=30))} "
      f"({pct(timedelta(hours=1, minutes=51, seconds=12, milliseconds=30))}) 212x")
    w(f"  Wifi on: {spaced(total)} (100.0%), Wifi running: {spaced(wifi_running)} ({pct(wifi_running)})")
    w("")
    w("  Estimated power use (mAh):")
    w("    Capacity: 4902, Computed drain: 3011, actual drain: 2940-3110")
    w("    screen: 1310 apps: 1310")
    w(f"    Uid {BXAQ.bs_uid}: 241 fg: 212 bg: 29 ( cpu=118 wifi=112 wake=11 )")
    w(f"    Uid {LAUNCHER.bs_uid}: 188 fg: 188 ( cpu=188 )")
    w(f"    Uid {TORCH.bs_uid}: 61.2 fg: 40.8 bg: 20.4 ( cpu=22.1 camera=31.0 wifi=8.1 )")
    w(f"    Uid {NOTES.bs_uid}: 19.6 fg: 17.0 bg: 2.6 ( cpu=19.6 )")
    w("")
    w("  All kernel wake locks:")
    w("  Kernel Wake lock PowerManagerService.WakeLocks: 1h 33m 20s 411ms (812 times) realtime")
    w("")
    w("  All partial wake locks:")
    w(f"  Wake lock {BXAQ.bs_uid} WakeLock: 1h 28m 12s 656ms (1 times) max=5292656 actual=5292656 realtime")
    w(f"  Wake lock {TORCH.bs_uid} *job*/{TORCH.name}/.SyncJob: 1s 764ms (1 times) max=1764 realtime")
    w("")
    for app, lines in (
        (BXAQ, [
            "    Wi-Fi network: 48.20KB received, 6.12MB sent (packets 601 received, 4417 sent)",
            "    Wifi Running: 1h 40m 41s 238ms (10.5%)",
            "    Wifi Scan (blamed): 1s 208ms (0.0%) 2x",
            "    Wifi Scan (actual): 1s 208ms (0.0%) 2x",
            "    Foreground activities: 1h 40m 40s 238ms realtime (2 times)",
            "    Top for: 1h 40m 40s 238ms",
            "    Total running: 1h 40m 40s 238ms",
            "    Total cpu time: u=1h 4m 12s 480ms s=21m 3s 110ms",
            "    Wake lock WakeLock: 1h 28m 12s 656ms partial (1 times) max=5292656 actual=5292656 realtime",
            f"    Proc {BXAQ.name}:",
            "      CPU: 1h 4m 12s 480ms usr + 21m 3s 110ms krn ; 0ms fg",
            "      1 starts",
            f"    Apk {BXAQ.name}:",
            "      (nothing executed)",
        ]),
        (TORCH, [
            "    Wi-Fi network: 212.04KB received, 38.77KB sent (packets 302 received, 288 sent)",
            "    Camera: 31s 0ms realtime (1 times)",
            "    Flashlight: 31s 0ms realtime (1 times)",
            "    Foreground activities: 31s 0ms realtime (1 times)",
            f"    Job {TORCH.name}/.SyncJob: 1s 764ms realtime (1 times)",
            f"    Proc {TORCH.name}:",
            "      CPU: 4s 120ms usr + 1s 82ms krn ; 2s 230ms fg",
            "      1 starts",
        ]),
        (NOTES, [
            "    Foreground activities: 19m 59s 0ms realtime (2 times)",
            f"    Proc {NOTES.name}:",
            "      CPU: 12s 311ms usr + 3s 50ms krn ; 10s 904ms fg",
        ]),
    ):
        w(f"  {app.bs_uid}:")
        o.extend(lines)
    w("")
    w("Daily stats:")
    w("  Current start time: 2026-11-18-00-00-01")
    w("  Next min deadline: 2026-11-19-01-00-00")
    w("  Next max deadline: 2026-11-19-03-00-00")
    w("  Current daily steps:")
    w("    Discharge total time: 15h 42m 10s 0ms  (from 58 steps)")
    w("    Discharge screen on time: 5h 51m 12s 600ms  (from 38 steps)")
    w("  Package changes:")
    w(f"    Update {BXAQ.name} vers=1")
    w(f"    Uninstall {BXAQ.name}")
    w("")
    return "\n".join(o) + "\n"


# --------------------------------------------------------------------------------------------------
# pm
# --------------------------------------------------------------------------------------------------

def pm_list_full() -> str:
    lines = []
    for name in LIST_ORDER:
        app = BY_NAME[name]
        # two spaces before "installer=": PackageManagerShellCommand prints it that way
        lines.append(f"package:{app.apk}={app.name} versionCode:{app.version_code}  "
                     f"installer={app.installer or 'null'} uid:{app.uid}")
    return "\n".join(lines) + "\n"


def pm_list(which: str) -> str:
    names = []
    for name in LIST_ORDER:
        app = BY_NAME[name]
        if not app.installed:
            continue
        if which == "s" and not app.system:
            continue
        if which == "3" and app.system:
            continue
        if which == "d":
            continue
        names.append(f"package:{name}")
    return "".join(n + "\n" for n in names)


# --------------------------------------------------------------------------------------------------
# files on the phone
# --------------------------------------------------------------------------------------------------

def luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


IMEI_PLACEHOLDER = luhn_complete("86000000000000")  # not a real handset's IMEI
IMSI_PLACEHOLDER = "437050000000001"  # MegaCom (437-05) test-style number


def tiny_jpeg(comment: str) -> bytes:
    """A valid 8x8 grey baseline JPEG with a COM segment, built from scratch (no imaging library)."""
    soi = b"\xff\xd8"
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    com_data = comment.encode("utf-8")
    com = b"\xff\xfe" + struct.pack(">H", len(com_data) + 2) + com_data
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes([1] * 64)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 8, 8, 1) + b"\x01\x11\x00"
    # DC table: one code of length 1 for category 0; AC table: one code of length 1 for EOB (0x00)
    dht_dc = b"\xff\xc4" + struct.pack(">H", 20) + b"\x00" + bytes([1] + [0] * 15) + b"\x00"
    dht_ac = b"\xff\xc4" + struct.pack(">H", 20) + b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00" + b"\x00\x3f\x00"
    scan = b"\x3f"  # DC diff 0 (code '0'), EOB (code '0'), then 1-bits to the byte boundary
    eoi = b"\xff\xd9"
    return soi + app0 + com + dqt + sof + dht_dc + dht_ac + sos + scan + eoi


def tiny_pdf(title: str, lines: list[str]) -> bytes:
    text = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(
        "(" + ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for ln in [title] + lines
    ) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        f"<< /Title ({title}) /Producer (inspector demo profile) >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return out


def tiny_png(seed: str) -> bytes:
    rng = random.Random(seed)
    width, height = 4, 4
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def write_files() -> None:
    sd = "/sdcard"
    cam, notes_uid, torch_uid, bx = CAMERA.uid, NOTES.uid, TORCH.uid, BXAQ.uid

    # --- BXAQ leftovers (paths verified from the public sample; contents synthetic) ---
    rng = random.Random("demo cjlog.txt")
    put_file(f"{sd}/Android/cjlog.txt", rng.randbytes(3_584), mtime=CJLOG_WRITTEN, uid=bx,
             atime=CJLOG_WRITTEN, ctime=CJLOG_WRITTEN)
    plain = "\t".join([IMEI_PLACEHOLDER, IMSI_PLACEHOLDER, MODEL, "1.0", str(epoch(CHECK_TIME)), "214", "1385",
                       "602", "18342", "0"]) + "\n"
    put_file(f"{sd}/cjlog_plain.txt", plain.encode(), mtime=CHECK_TIME, uid=bx)
    qzj = (
        f"{fmt_ms(t('2026-11-18 09:13:02.417'))} E/getVirAccount: exec failed: "
        f"/data/data/{BXAQ.name}/xbin/getVirAccount: Permission denied\n"
        f"{fmt_ms(t('2026-11-18 10:43:09.882'))} W/upload: POST http://192.168.43.1:8080/ timeout, retry 1\n"
        f"{fmt_ms(t('2026-11-18 10:46:41.760'))} I/upload: POST http://192.168.43.1:8080/ 200\n"
    )
    put_file(f"{sd}/qzj/qzj.log", qzj.encode(), mtime=t("2026-11-18 10:46:41"), uid=bx,
             ctime=t("2026-11-18 10:46:41"))
    meta(f"{sd}/qzj", mtime=t("2026-11-18 10:46:41"), ctime=t("2026-11-18 09:13:02"), uid=bx, gid=1023,
         mode="0771")

    # --- the owner's own files ---
    photos = [
        ("2026-10-05 17:22:10", "Osh bazaar"), ("2026-10-19 12:04:51", "Sulaiman-Too"),
        ("2026-11-02 09:41:33", "bus to Sary-Tash"), ("2026-11-10 10:15:00", "Alay valley"),
        ("2026-11-10 10:16:42", "Alay valley 2"), ("2026-11-14 15:30:08", "guesthouse"),
        ("2026-11-17 08:12:55", "road to Sary-Tash"), ("2026-11-17 13:20:07", "Sary-Tash"),
        ("2026-09-28 19:03:12", "dinner"), ("2026-10-02 21:40:18", "power cut in the flat"),
        ("2026-10-26 11:11:41", "market"), ("2026-11-05 16:47:09", "snow on the pass"),
        ("2026-11-16 18:20:30", "yurt camp"), ("2026-11-17 13:20:09", "Sary-Tash 2"),
    ]
    for stamp, caption in photos:
        when = t(stamp)
        name = f"IMG_{when.strftime('%Y%m%d_%H%M%S')}.jpg"
        put_file(f"{sd}/DCIM/Camera/{name}", tiny_jpeg(f"inspector demo photo: {caption}"), mtime=when, uid=cam)
    shots = [("2026-10-12 20:41:07", NOTES.name), ("2026-11-12 14:03:22", "org.demo.system.settings")]
    for stamp, pkg in shots:
        when = t(stamp)
        name = f"Screenshot_{when.strftime('%Y-%m-%d-%H-%M-%S')}-415_{pkg}.png"
        put_file(f"{sd}/Pictures/Screenshots/{name}", tiny_png(name), mtime=when, uid=1000)
    downloads = [
        ("SaryTash-Kashgar_bus_ticket.pdf", "Bus ticket Sary-Tash - Irkeshtam - Kashgar",
         ["Departure 2026-11-18 05:30 (Kyrgyzstan time)", "Seat 14"], "2026-11-09 18:02:44"),
        ("Irkeshtam_crossing_hours.pdf", "Irkeshtam crossing: opening hours",
         ["Mon-Fri 09:00-17:00 (Beijing time)", "Closed on public holidays"], "2026-11-01 21:15:09"),
        ("guesthouse_invoice_0431.pdf", "Invoice 0431", ["3 nights", "Paid in cash"], "2026-11-14 15:42:30"),
    ]
    for name, title, lines, stamp in downloads:
        put_file(f"{sd}/Download/{name}", tiny_pdf(title, lines), mtime=t(stamp), uid=1000)
    put_file(f"{sd}/Download/SuperTorch_2.3.1_readme.txt",
             b"Super Torch 2.3.1 - the brightest torch!\nInstall the APK and allow all permissions.\n",
             mtime=t("2026-10-02 21:45:50"), uid=1000)
    documents = {
        "packing_list.txt": ("passport\nvisa printout\npower bank\nwarm jacket\ncash (CNY, KGS)\n",
                             "2026-11-08 22:10:05"),
        "itinerary.md": ("# Itinerary\n\n- 2026-11-17 Osh -> Sary-Tash (Hotel Alay)\n"
                         "- 2026-11-18 Sary-Tash -> Irkeshtam -> Kashgar\n"
                         "- 2026-11-21 Kashgar -> Urumqi (train)\n", "2026-11-08 22:31:40"),
        "phrasebook_zh.txt": ("ni hao - hello\nxie xie - thank you\nduo shao qian - how much\n",
                              "2026-11-11 19:55:12"),
        "contacts_export.vcf": ("BEGIN:VCARD\nVERSION:3.0\nFN:Aizada (demo)\nTEL:+996000000001\nEND:VCARD\n"
                                "BEGIN:VCARD\nVERSION:3.0\nFN:Guesthouse Osh (demo)\nTEL:+996000000002\n"
                                "END:VCARD\n", "2026-09-30 10:01:19"),
    }
    for name, (body, stamp) in documents.items():
        put_file(f"{sd}/Documents/{name}", body.encode(), mtime=t(stamp), uid=notes_uid if name.endswith(
            ".md") else 1000)
    put_file(f"{sd}/Android/data/{NOTES.name}/files/export/notes-2026-11-01.txt",
             b"Shopping: bread, apples, tea\nCall the guesthouse before 18:00\n",
             mtime=t("2026-11-01 08:33:21"), uid=notes_uid, gid=1078)
    put_file(f"{sd}/Android/data/{TORCH.name}/cache/adcfg.json",
             b'{"refresh":3600,"slots":["banner_main","interstitial_exit"],"endpoint":"https://ads.example.invalid/v2"}\n',
             mtime=t("2026-11-18 21:12:40"), uid=torch_uid, gid=1078)
    put_file(f"{sd}/Documents/voice note 2026-11-06 transcript.txt",
             b"Remember: the bus leaves Osh at 05:30, bring cash for the border taxi.\n",
             mtime=t("2026-11-06 19:02:58"), uid=notes_uid)
    # /proc/net/tcp and tcp6 in the kernel's format: nothing listening but the usual, one HTTPS
    # connection of the notes app (uid 10196) to a CDN. BXAQ never listened; MFSocket would (10103).
    tcp = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
           "   0: 0100007F:13AD 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 30211 1 "
           "0000000000000000 100 0 0 10 0\n")
    tcp6 = ("  sl  local_address                         remote_address                        st tx_queue "
            "rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
            "   0: 0000000000000000FFFF00000B00A8C0:C3A2 0000000000000000FFFF0000D8BB3A8E:01BB 01 00000000:00000000 "
            "02:00000C1D 00000000 10196        0 88123 2 0000000000000000 22 4 30 10 -1\n")
    put_file("/proc/net/tcp", tcp.encode(), mtime=NOW, uid=0, gid=0, mode="0444")
    put_file("/proc/net/tcp6", tcp6.encode(), mtime=NOW, uid=0, gid=0, mode="0444")
    # A file that is on the demo's entry of the border app's target list (signatures/target-lists/
    # bxaq.yaml, demo_entries): synthetic bytes, so the demo can show what a list match looks like.
    put_file(f"{sd}/Download/{DEMO_TARGET_NAME}", demo_target_bytes(), mtime=t("2026-10-21 20:14:09"), uid=1000)

    # --- the APKs (copied in by scripts/build_fixture_apks.sh): owners and times ---
    for app in INSTALLED:
        if app.system:
            meta(app.apk, mtime=FACTORY_TIME, uid=0, gid=0, mode="0644")
        else:
            meta(app.apk, mtime=app.last_update, uid=1000, gid=1000, mode="0644")
            meta(app.code_path, mtime=app.last_update, uid=1000, gid=1000, mode="0775")
            meta(app.code_path.rsplit("/", 1)[0], mtime=app.last_update, uid=1000, gid=1000, mode="0771")

    # a few directories whose times tell the story
    meta(f"{sd}/Android", mtime=CJLOG_WRITTEN, ctime=SETUP_TIME, uid=1000, gid=1023, mode="0771")
    meta(sd, mtime=t("2026-11-18 09:13:02"), ctime=SETUP_TIME, uid=0, gid=1015, mode="0771")


# --------------------------------------------------------------------------------------------------

DEMO_TARGET_NAME = "lecture notes (scan).pdf"


def demo_target_bytes() -> bytes:
    """Deterministic, synthetic "PDF" bytes; its size and MD5 are the demo entry of the target list."""
    import hashlib

    body = bytearray(b"%PDF-1.4\n% inspector demo file: synthetic bytes, not a real document\n")
    block = b"inspector-demo-target"
    while len(body) < 48_000:
        block = hashlib.sha256(block).digest()
        body += block
    return bytes(body) + b"\n%%EOF\n"


def main() -> None:
    for path in (CMD, FS / "sdcard"):
        if path.exists():
            shutil.rmtree(path)
    CMD.mkdir(parents=True)
    for stale in ("profile.yaml", "commands.yaml", "fs_meta.yaml"):
        (PROFILE / stale).unlink(missing_ok=True)

    command_file(["getprop"], "getprop.txt", getprop())
    command_file(["settings", "list", "global"], "settings_global.txt", settings_global())
    command_file(["settings", "list", "secure"], "settings_secure.txt", settings_secure())
    command_file(["settings", "list", "system"], "settings_system.txt", settings_system())
    command_file(["ps", "-A"], "ps_A.txt", processes())
    command_file(["logcat", "-d", "-b", "all", "-v", "threadtime"], "logcat_all.txt", logcat())
    for service, fn in (("package", dumpsys_package), ("accessibility", dumpsys_accessibility),
                        ("device_policy", dumpsys_device_policy), ("usagestats", dumpsys_usagestats),
                        ("appops", dumpsys_appops), ("adb", dumpsys_adb), ("notification", dumpsys_notification),
                        ("wifi", dumpsys_wifi), ("batterystats", dumpsys_batterystats)):
        command_file(["dumpsys", service], f"dumpsys_{service}.txt", fn())
    command_text(["pm", "list", "users"], "Users:\n\tUserInfo{0:Owner:c13} running\n")
    command_file(["pm", "list", "packages", "-f", "-i", "-U", "-u", "--show-versioncode", "--user", "0"],
                 "pm_list_packages_all.txt", pm_list_full())
    command_file(["pm", "list", "packages", "--user", "0"], "pm_list_packages.txt", pm_list(""))
    command_file(["pm", "list", "packages", "-s", "--user", "0"], "pm_list_packages_s.txt", pm_list("s"))
    command_file(["pm", "list", "packages", "-3", "--user", "0"], "pm_list_packages_3.txt", pm_list("3"))
    command_text(["pm", "list", "packages", "-d", "--user", "0"], pm_list("d"))
    for name in LIST_ORDER:
        app = BY_NAME[name]
        if app.installed:
            command_text(["pm", "path", app.name, "--user", "0"], f"package:{app.apk}\n")
        else:
            command_text(["pm", "path", app.name, "--user", "0"], "", exit_code=1)

    write_files()

    profile = {
        "serial": SERIAL,
        "banner": {"ro.product.name": "spes_global", "ro.product.model": MODEL, "ro.product.device": "spes"},
        "features": [],
    }
    header = "# Demo phone (fiction): written by scripts/make_demo_profile.py; see README.md.\n"
    (PROFILE / "profile.yaml").write_text(header + yaml.safe_dump(profile, sort_keys=False, allow_unicode=True))
    (PROFILE / "commands.yaml").write_text(
        header + yaml.safe_dump(COMMANDS, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None))
    (PROFILE / "fs_meta.yaml").write_text(
        header + "# Times are Unix seconds (UTC); the phone shows them in Asia/Shanghai (UTC+8).\n"
        + yaml.safe_dump(dict(sorted(META.items())), sort_keys=False, allow_unicode=True, width=120))
    print(f"wrote {PROFILE}")


if __name__ == "__main__":
    main()
