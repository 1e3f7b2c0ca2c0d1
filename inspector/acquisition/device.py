"""Who the phone is, from ``getprop``. The serial is stored only as a salted SHA-256."""

from __future__ import annotations

import hashlib
import re

_PROP = re.compile(r"^\[(?P<key>[^\]]*)\]: \[(?P<value>.*)\]$")
SERIAL_SALT = b"inspector-device-serial:"


def parse_getprop(text: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for line in text.splitlines():
        match = _PROP.match(line)
        if match:
            props[match.group("key")] = match.group("value")
    return props


def hash_serial(serial: str) -> str:
    return hashlib.sha256(SERIAL_SALT + serial.encode("utf-8", "surrogateescape")).hexdigest()


def device_identity(props: dict[str, str], fallback_serial: str) -> dict[str, object]:
    serial = props.get("ro.serialno") or props.get("ro.boot.serialno") or fallback_serial
    return {
        "platform": "android",
        "manufacturer": props.get("ro.product.manufacturer"),
        "model": props.get("ro.product.model"),
        "device": props.get("ro.product.device"),
        "os_version": props.get("ro.build.version.release"),
        "sdk": props.get("ro.build.version.sdk"),
        "build": props.get("ro.build.fingerprint") or props.get("ro.build.display.id"),
        "security_patch": props.get("ro.build.version.security_patch"),
        "timezone": props.get("persist.sys.timezone"),
        "serial_sha256": hash_serial(serial),
    }
