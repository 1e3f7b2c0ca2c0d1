"""Timeline events from the parsed Android artifacts: installs and removals, app use, permission use,
trusted computers, Wi-Fi networks, process starts. Many phones log thousands of these; the timeline
keeps every event of a non-system app and every event inside the crossing window."""

from __future__ import annotations

from collections.abc import Iterator

from inspector.analyze.android_state import AndroidState
from inspector.analyze.timeline import Event, Window

_USE = {"MOVE_TO_FOREGROUND", "ACTIVITY_RESUMED", "FOREGROUND_SERVICE_START"}


def android_events(state: AndroidState, window: Window | None, system: set[str]) -> list[Event]:
    """``system``: packages marked system in packages.json (their routine events are left out unless
    they fall inside the window)."""

    def keep(time: str | None, package: str | None) -> bool:
        return bool(time) and ((package is not None and package not in system) or
                               (window is not None and window.contains(time)))

    return [event for event, package in _all(state) if keep(event.time, package)]


def _all(state: AndroidState) -> Iterator[tuple[Event, str | None]]:
    dump = state.package_dump()
    for record in dump.packages if dump else []:
        if record.first_install_time and record.first_install_time.time:
            yield Event(record.first_install_time.time, "package_installed", record.name, "dumpsys.txt"), record.name
        if (record.last_update_time and record.last_update_time.time and record.first_install_time
                and record.last_update_time.time != record.first_install_time.time):
            yield Event(record.last_update_time.time, "package_updated", record.name, "dumpsys.txt"), record.name
    for event in state.logcat_package_events() or []:
        if event.time.time and event.package:
            yield Event(event.time.time, f"log_{event.action}", event.package, "logcat.txt"), event.package
    usage = state.usagestats()
    for event in usage.events if usage else []:
        if event.type in _USE and event.package:
            yield Event(event.time.time or "", "app_used", event.package, "dumpsys.txt"), event.package
    ops = state.appops()
    for op in ops.ops if ops else []:
        for access in op.accesses:
            if access.kind == "access" and access.time and access.time.time and op.package:
                yield Event(access.time.time, "permission_used", f"{op.package}: {op.op}", "dumpsys.txt"), op.package
    adb = state.adb()
    for key in adb.keys if adb else []:
        if key.last_connection and key.last_connection.time:
            yield Event(key.last_connection.time, "adb_key_used", key.comment or key.fingerprint or "?",
                        "dumpsys.txt"), None
    wifi = state.wifi()
    for network in wifi.saved_networks if wifi else []:
        if network.created and network.created.time:
            yield Event(network.created.time, "wifi_network_added", network.ssid_raw, "dumpsys.txt"), \
                network.creator_name
        if network.last_connected and network.last_connected.time:
            yield Event(network.last_connected.time, "wifi_connected", network.ssid_raw, "dumpsys.txt"), None
    for entry in wifi.log if wifi else []:
        if entry.time.time and entry.action:
            yield Event(entry.time.time, f"wifi_{entry.action}", entry.ssid_raw or entry.package or "?",
                        "dumpsys.txt"), entry.package
    battery = state.batterystats()
    for event in battery.package_events if battery else []:
        if event.time and event.time.time:
            yield Event(event.time.time, f"package_{event.action}", event.package, "dumpsys.txt"), event.package
