"""`inspector doctor`: what on this computer stops a phone from being seen, and how to fix it."""

from __future__ import annotations

import grp
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from inspector.acquire.android import errors
from inspector.acquire.android.keys import key_path

ADB_SERVER_PORT = 5037
UDEV_RULE_PLACES = (Path("/etc/udev/rules.d"), Path("/lib/udev/rules.d"), Path("/usr/lib/udev/rules.d"))


@dataclass(frozen=True)
class HostCheck:
    title: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""


def run_checks() -> list[HostCheck]:
    return [_python(), _key(), _adb_server(), _libusb(), *(_udev() if sys.platform.startswith("linux") else []),
            _usbmuxd()]


def _usbmuxd() -> HostCheck:
    """iPhones are reached through usbmuxd; only a warning without it (the phones may all be Android)."""
    import asyncio

    from inspector.acquire.ios.connection import list_iphones

    try:
        phones = asyncio.run(list_iphones())
    except errors.DeviceError as exc:
        return HostCheck("iPhones (usbmuxd)", "warn", str(exc), exc.hint)
    if not phones:
        return HostCheck("iPhones (usbmuxd)", "ok", "usbmuxd answers; no iPhone is plugged in",
                         "Plug the iPhone in with a data cable and unlock it.")
    return HostCheck("iPhones (usbmuxd)", "ok", f"{len(phones)} iPhone(s): {', '.join(p.udid for p in phones)}")


def frida_checks(host: str | None = None, device_id: str | None = None, local: bool = False) -> list[HostCheck]:
    """Lab mode (``inspector doctor --frida``): the frida module, frida-server, their versions."""
    from inspector.lab.device import FridaTarget
    from inspector.lab.doctor import frida_checks as lab_checks

    return lab_checks(FridaTarget(local=local, host=host, device_id=device_id), HostCheck)


def _python() -> HostCheck:
    return HostCheck("Python", "ok", sys.version.split()[0])


def _key() -> HostCheck:
    path = key_path()
    if path.is_file() and path.with_suffix(".pub").is_file():
        return HostCheck("ADB key", "ok", str(path))
    return HostCheck("ADB key", "warn", f"none yet at {path}",
                     "It is created on the first scan; the phone will then ask to allow this computer.")


def _adb_server() -> HostCheck:
    port = int(os.environ.get("ANDROID_ADB_SERVER_PORT", ADB_SERVER_PORT))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        busy = sock.connect_ex(("127.0.0.1", port)) == 0
    if busy:
        return HostCheck("Other adb server", "warn", f"an adb server is running on port {port}",
                         "It holds USB phones so inspector cannot open them: run `adb kill-server` before scanning.")
    return HostCheck("Other adb server", "ok", "none running")


def _libusb() -> HostCheck:
    from inspector.acquire.android import usb

    try:
        phones = usb.list_phones()
    except errors.UsbUnavailable as exc:
        return HostCheck("USB access", "fail", str(exc), exc.hint)
    if not phones:
        return HostCheck("USB access", "ok", "libusb works; no phone with USB debugging is plugged in",
                         errors.NoDeviceFound.hint)
    return HostCheck("USB access", "ok", f"{len(phones)} phone(s): {', '.join(p.serial for p in phones)}")


def _udev() -> list[HostCheck]:
    rules = [p for place in UDEV_RULE_PLACES if place.is_dir() for p in place.glob("*android*.rules")]
    checks = []
    if os.geteuid() == 0:
        checks.append(HostCheck("USB permissions", "ok", "running as root"))
    elif rules:
        checks.append(HostCheck("USB permissions", "ok", f"udev rules: {', '.join(str(r) for r in rules[:3])}"))
    else:
        checks.append(HostCheck(
            "USB permissions", "warn", "no Android udev rules found",
            "Install them (Debian/Ubuntu: `sudo apt install android-sdk-platform-tools-common`), then unplug "
            "and replug the phone."))
    if os.geteuid() != 0:
        try:
            in_plugdev = grp.getgrnam("plugdev").gr_gid in os.getgroups()
        except KeyError:
            in_plugdev = True  # distributions without plugdev grant access through the rules alone
        if not in_plugdev:
            checks.append(HostCheck("plugdev group", "warn", "you are not in the plugdev group",
                                    "`sudo usermod -aG plugdev $USER`, then log out and in again."))
    return checks
