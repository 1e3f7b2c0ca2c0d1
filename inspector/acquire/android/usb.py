"""Finding phones on USB through libusb (adb-shell's USB transport)."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.acquire.android import errors


@dataclass(frozen=True)
class UsbPhone:
    serial: str
    port_path: str
    description: str


def _transport_class():  # libusb is optional at import time: TCP and the demo work without it
    try:
        from adb_shell.transport.usb_transport import UsbTransport
    except (ImportError, OSError) as exc:
        raise errors.UsbUnavailable(f"USB support is not available: {exc}") from exc
    return UsbTransport


def list_phones() -> list[UsbPhone]:
    transport_cls = _transport_class()
    phones = []
    try:
        found = list(transport_cls.find_all_adb_devices())
    except Exception as exc:  # libusb reports permission and backend errors in many types
        raise errors.UsbUnavailable(f"Could not list USB devices: {exc}") from exc
    for transport in found:
        try:
            serial = transport.serial_number or "?"
        except Exception:  # reading the serial needs permission on the device node
            serial = "?"
        try:
            port = ",".join(str(p) for p in transport.port_path)
        except Exception:
            port = "?"
        phones.append(UsbPhone(serial=serial, port_path=port, description=str(transport.usb_info)))
    return phones


def choose(serial: str | None) -> UsbPhone:
    phones = list_phones()
    if serial:
        for phone in phones:
            if phone.serial == serial:
                return phone
        raise errors.NoDeviceFound(f"No phone with serial {serial!r} on USB (found: {[p.serial for p in phones]}).")
    if not phones:
        raise errors.NoDeviceFound("No Android phone with USB debugging was found on USB.")
    if len(phones) > 1:
        raise errors.SeveralDevices(f"{len(phones)} phones are connected: {', '.join(p.serial for p in phones)}.")
    return phones[0]


def open_device(serial: str):
    from adb_shell.adb_device import AdbDeviceUsb

    try:
        return AdbDeviceUsb(serial=serial, default_transport_timeout_s=10.0)
    except Exception as exc:
        text = str(exc).lower()
        if "busy" in text or "access" in text:
            raise errors.UsbBusy(f"Could not open the phone's USB interface: {exc}") from exc
        raise errors.NoDeviceFound(str(exc)) from exc
