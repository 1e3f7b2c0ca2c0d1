"""``dumpsys adb`` (and the USB debugging part of ``dumpsys usb``) → trusted ADB keys.

Forms read:

- Android 10+: ``AdbService.dump`` through DualDumpOutputStream (frameworks/base,
  services/core/java/com/android/server/adb/)::

      ADB MANAGER STATE (dumpsys adb):
      {
        debugging_manager={
          connected_to_adb=true
          last_key_received=FB:6C:77:…
          user_keys=QAAAA…= user@host
      QAAAA…= other@host          (further keys, one per line, until a blank line)

          system_keys=
          keystore=<?xml version='1.0' …?>
      <keyStore version="1">
      <adbKey key="QAAAA…= user@host" lastConnection="1794970385000" />
      <wifiAP bssid="…" />        (trusted Wi-Fi networks for wireless debugging, 11+)
      </keyStore>

  On Android 12+ the key store file may be binary XML (ABX): its text is unreadable, but keys
  (``QAAAA…``) and their comments are still found in it; last-connection times then stay unknown.
- Android 8–9 (``dumpsys usb``): ``USB Debugging State:`` / ``Connected to adbd: true`` /
  ``Last key received: …`` / ``User keys:`` followed by key lines / ``System keys:``.

A key's fingerprint is AdbDebuggingManager's: MD5 of the base64-decoded key, upper-case hex pairs
joined by ``:``. The comment (``user@host``) is chosen by the computer that generated the key.

Public API: :func:`parse_dumpsys_adb` ``(data) -> AdbDump`` with ``keys`` (list[:class:`AdbKey`], one
per distinct key), ``connected`` (bool or None), ``last_key_received`` (fingerprint text),
``trusted_networks`` (BSSIDs) and ``warnings``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import DUMPSYS_ERRORS, Input, Stamp, Warnings, bounded_lines, stamp_epoch

ARTIFACT = "dumpsys adb"


@dataclass
class AdbKey:
    key: str  # base64 public key as stored in adb_keys
    comment: str | None  # "user@host"
    fingerprint: str | None  # MD5, "AB:CD:…"
    last_connection: Stamp | None = None
    sources: list[str] = field(default_factory=list)  # "user_keys", "keystore", "system_keys", "usb"
    line: int = 0


@dataclass
class AdbDump:
    keys: list[AdbKey] = field(default_factory=list)
    connected: bool | None = None
    last_key_received: str | None = None
    trusted_networks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# Android's ADB public key: base64 of a 524-byte RSA key structure, always starting "QAAAA".
# The comment stops at control characters and U+FFFD: in a binary (ABX) key store they follow it.
_KEY = re.compile(r"(?P<key>QAAAA[A-Za-z0-9+/]{100,}={0,2})(?:[ \t]+(?P<comment>[^\s\"<>\x00-\x1f\x7f\ufffd]+))?")
_ADB_KEY_ELEMENT = re.compile(r"<adbKey\b(?P<attrs>[^>]*)/?>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_BSSID = re.compile(r'<wifiAP\b[^>]*\bbssid="(?P<b>[^"]*)"')


def fingerprint(key: str) -> str | None:
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = hashlib.md5(raw, usedforsecurity=False).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def parse_dumpsys_adb(data: Input) -> AdbDump:
    """Parse the output of ``dumpsys adb`` or ``dumpsys usb`` (see the module docstring)."""
    warnings = Warnings()
    result = AdbDump()
    by_key: dict[str, AdbKey] = {}
    section: str | None = None  # user_keys, system_keys, keystore, usb_user_keys, usb_system_keys
    recognised = saw_text = False
    unavailable: str | None = None

    def remember(key: str, comment: str | None, source: str, number: int) -> AdbKey:
        entry = by_key.get(key)
        if entry is None:
            entry = AdbKey(key=key, comment=comment, fingerprint=fingerprint(key), line=number)
            if entry.fingerprint is None:
                warnings.add(f"line {number}: ADB key is not valid base64")
            by_key[key] = entry
            result.keys.append(entry)
        if comment and not entry.comment:
            entry.comment = comment
        if source not in entry.sources:
            entry.sources.append(source)
        return entry

    for number, line in enumerate(bounded_lines(data, warnings), 1):
        text = line.strip()
        if not text:
            if section in ("user_keys", "system_keys"):
                section = None
            continue
        saw_text = True
        if text.startswith(DUMPSYS_ERRORS):
            unavailable = unavailable or text
            continue
        if text.startswith(("ADB MANAGER STATE", "debugging_manager=", "USB Debugging State")):
            recognised = True
            continue
        key, eq, value = text.partition("=")
        if eq and key in ("connected_to_adb", "last_key_received", "user_keys", "system_keys", "keystore"):
            recognised = True
            if key == "connected_to_adb":
                result.connected = value.strip() == "true"
                continue
            if key == "last_key_received":
                result.last_key_received = value.strip() or None
                continue
            section = key
            text = value
        elif text.startswith("Connected to adbd:"):
            result.connected = text.split(":", 1)[1].strip() == "true"
            continue
        elif text.startswith("Last key received:"):
            result.last_key_received = text.split(":", 1)[1].strip() or None
            continue
        elif text == "User keys:":
            section = "usb"
            continue
        elif text == "System keys:":
            section = "system_keys"
            continue
        elif text.startswith("}") and section != "keystore":
            section = None
            continue
        if section is None:
            continue
        if section == "keystore":
            for element in _ADB_KEY_ELEMENT.finditer(text):
                attrs = dict(_ATTR.findall(element.group("attrs")))
                match = _KEY.search(attrs.get("key", ""))
                if not match:
                    warnings.add(f"line {number}: adbKey element without a readable key")
                    continue
                entry = remember(match.group("key"), match.group("comment"), "keystore", number)
                if "lastConnection" in attrs:
                    entry.last_connection = stamp_epoch(attrs["lastConnection"], attrs["lastConnection"], "ms")
            result.trusted_networks.extend(m.group("b") for m in _BSSID.finditer(text))
            if "<adbKey" not in text:
                # Binary XML (ABX) or an unknown form: keys may still be found in the text.
                for match in _KEY.finditer(text):
                    remember(match.group("key"), match.group("comment"), "keystore", number)
            if "</keyStore>" in text:
                section = None
            continue
        for match in _KEY.finditer(text):
            remember(match.group("key"), match.group("comment"), section, number)
    if not saw_text:
        warnings.add("empty input")
    elif not recognised and unavailable:
        warnings.add(f"service unavailable: {unavailable[:200]}")
    elif not recognised:
        raise ParseError(ARTIFACT, "no ADB manager state or USB debugging state found")
    result.warnings = warnings.as_list()
    return result
