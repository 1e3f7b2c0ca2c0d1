"""A consistent simulated Android phone built from a list of apps and files, for collector tests.

The ``pm``, ``getprop``, ``settings``, ``ps``, ``logcat`` and ``dumpsys`` outputs agree with each other
and with the file tree, in the formats of Android 13; APK bytes come from the real fixture APKs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator_profiles import make_profile

from inspector.acquire.android import commands as C

FIXTURE_APKS = Path(__file__).parent / "fixtures" / "apks"


@dataclass
class App:
    name: bytes
    apk_paths: tuple[bytes, ...]
    apk_bytes: tuple[bytes, ...] = ()
    uid: int = 10100
    installer: bytes = b"null"
    system: bool = False
    disabled: bool = False
    installed: bool = True  # False: removed with data kept
    version_code: int = 1


def fixture_apk(name: str) -> bytes:
    return (FIXTURE_APKS / name).read_bytes()


def android_phone(tmp_path, apps: list[App], files: dict | None = None, meta: dict | None = None,
                  serial: str = "SIMTEST0001", extra_commands: dict | None = None, **kwargs):
    commands: dict[tuple[str, ...], bytes | str] = {}
    overrides: dict[tuple[str, ...], bytes] = {}
    fs: dict = dict(files or {})
    props = (f"[ro.product.manufacturer]: [Simco]\n[ro.product.model]: [Sim 13]\n[ro.product.device]: [sim]\n"
             f"[ro.build.version.release]: [13]\n[ro.build.version.sdk]: [33]\n[ro.serialno]: [{serial}]\n"
             "[ro.build.fingerprint]: [simco/sim/sim:13/TQ3A.230901.001/1:user/release-keys]\n"
             "[persist.sys.timezone]: [Asia/Bishkek]\n")
    commands[("getprop",)] = props
    commands[("settings", "list", "global")] = "adb_enabled=1\ndevelopment_settings_enabled=1\n"
    commands[("settings", "list", "secure")] = "install_non_market_apps=1\n"
    commands[("settings", "list", "system")] = "screen_brightness=102\n"
    commands[("ps", "-A")] = "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 1 1 0 0 S init\n"
    commands[C.LOGCAT] = "--------- beginning of main\n11-18 09:40:01.000  1000  1000 I PackageManager: ok\n"
    for service in C.DUMPSYS_SERVICES:
        commands[("dumpsys", service)] = f"{service} state: nothing to see\n"
    commands[C.PM_LIST_USERS] = "Users:\n\tUserInfo{0:Owner:c13} running\n"
    all_lines, installed, system, third, disabled = [], [], [], [], []
    for app in apps:
        all_lines.append(b"package:" + app.apk_paths[0] + b"=" + app.name + b" versionCode:%d installer=%s uid:%d"
                         % (app.version_code, app.installer, app.uid))
        if app.installed:
            installed.append(b"package:" + app.name)
            (system if app.system else third).append(b"package:" + app.name)
            if app.disabled:
                disabled.append(b"package:" + app.name)
            argv = ("pm", "path", app.name.decode("utf-8", "surrogateescape"), "--user", "0")
            output = b"".join(b"package:" + p + b"\n" for p in app.apk_paths)
            try:
                app.name.decode("utf-8")
                commands[argv] = output
            except UnicodeDecodeError:
                overrides[argv] = output  # YAML cannot hold it: served with SimulatedPhone.set_command
            for path, data in zip(app.apk_paths, app.apk_bytes, strict=True):
                fs[path] = data
    commands[C.pm_list_all("0")[0]] = b"\n".join(all_lines) + b"\n"
    commands[C.pm_list_flag(None, "0")] = b"\n".join(installed) + b"\n"
    commands[C.pm_list_flag("-s", "0")] = b"\n".join(system) + b"\n"
    commands[C.pm_list_flag("-3", "0")] = b"\n".join(third) + b"\n"
    commands[C.pm_list_flag("-d", "0")] = b"\n".join(disabled) + (b"\n" if disabled else b"")
    commands.update(extra_commands or {})
    kwargs.setdefault("dirs", ["/sdcard", "/data/local/tmp"])
    # Fixed times for every file and folder: the real ones on this disk change when the simulated phone
    # reads them (atime), as they do on a real phone, which would make two collections differ.
    pinned = {"mtime": 1763400000, "atime": 1763400000, "ctime": 1763400000}
    meta = dict(meta or {})
    for path in fs:
        text = path if isinstance(path, str) else path.decode("utf-8", "surrogateescape")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            continue  # YAML cannot hold the name; its times stay the disk's
        parts = text.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            key = "/" + "/".join(parts[:depth])
            meta[key] = {**pinned, **meta.get(key, {})}
    profile = make_profile(tmp_path, files=fs, commands=commands, meta=meta, serial=serial, **kwargs)
    return profile, overrides


def start_phone(profile_and_overrides, **kwargs):
    """A started SimulatedPhone serving the profile, with the overrides installed."""
    from inspector.simulator import AuthPolicy, SimulatedPhone

    profile, overrides = profile_and_overrides
    kwargs.setdefault("auth", AuthPolicy(on_new_key="allow"))
    phone = SimulatedPhone(profile, **kwargs)
    for argv, output in overrides.items():
        phone.set_command(argv, output)
    return phone.start()
