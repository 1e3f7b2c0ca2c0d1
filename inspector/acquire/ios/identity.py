"""Who the iPhone is, from lockdown's values. The serial number is stored only as a salted SHA-256
(the same salt as Android's, inspector.acquisition.device), the UDID not at all."""

from __future__ import annotations

from typing import Any

from inspector.acquisition.device import hash_serial


def _text(value: Any) -> str | None:
    """Device values are hostile: only plain strings and numbers are taken as text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)[:200]
    return None


def ios_identity(values: Any, udid: str) -> dict[str, Any]:
    values = values if isinstance(values, dict) else {}
    serial = _text(values.get("SerialNumber")) or _text(values.get("UniqueDeviceID")) or udid
    passcode = values.get("PasswordProtected")
    return {
        "platform": "ios",
        "manufacturer": "Apple",
        "model": _text(values.get("ProductType")),
        "device": _text(values.get("HardwareModel")),
        "os_version": _text(values.get("ProductVersion")),
        "build": _text(values.get("BuildVersion")),
        "timezone": _text(values.get("TimeZone")),
        "activation_state": _text(values.get("ActivationState")),
        "passcode_set": passcode if isinstance(passcode, bool) else None,
        "serial_sha256": hash_serial(serial),
    }
