"""A redacted copy of a result document, for sharing (``inspector report FOLDER --redact``).

What is hidden (replaced by ``[redacted]``): phone numbers, IMEI and serial numbers, account names
and e-mail addresses (the domain is kept), the user name in paths of the computer that made the
report, the operator's name, and the names of files in the traveller's personal folders
(``/sdcard/DCIM``, ``Download``, ``Documents``, ``Pictures``… : the folder is kept, the name is
masked, its extension kept). What is kept: hashes (SHA-256, MD5: an expert can still tie every
finding to the complete report and the acquisition), times, app package names, the implants' own
file paths (they are the evidence), rule ids and everything the analysis wrote.

This is pattern matching on untrusted text, not a guarantee: the report says so, and a person
should read a redacted copy before it is shared widely.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

TOKEN = "[redacted]"

# Keys whose values are never personal, or must stay exact (hashes tie a copy to the evidence).
_KEEP_KEYS = frozenset(
    {
        "schema_version",
        "verdict",
        "generated_at",
        "rule_id",
        "family",
        "severity",
        "confidence",
        "title",
        "explanation",
        "check",
        "status",
        "references",
        "time",
        "started_at",
        "finished_at",
        "id",
        "platform",
        "manufacturer",
        "model",
        "os_version",
        "build",
        "family_name",
        "list_name",
        "takes",
        "counts",
        "in_window",
        "finding_rule_id",
        "event",
        "timezone",
        "start",
        "end",
        "demo_entry",
        "list_entries",
        "size",
        "redaction",
    }
)
# Whole values that identify a person or a phone, by key name (fields a later schema may add).
_IDENTIFIER_KEYS = {
    "serial": "serial",
    "serialno": "serial",
    "serial_number": "serial",
    "imei": "imei",
    "meid": "imei",
    "iccid": "serial",
    "imsi": "serial",
    "msisdn": "phone_number",
    "phone_number": "phone_number",
    "operator": "user_name",
    "account": "account",
    "account_name": "account",
    "user": "user_name",
}
_HASH_RE = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")

# Shared storage, as Android names it in its different mount points.
_STORAGE = (
    r"(?:/sdcard|/mnt/sdcard|/storage/emulated/\d+|/storage/self/primary|/data/media/\d+"
    r"|/storage/[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4})"
)
# The traveller's own folders on it. Android/media/<package>/ holds messaging apps' media.
_PERSONAL = (
    r"(?:DCIM|Downloads?|Documents|Pictures|Movies|Music|Recordings|Podcasts|Audiobooks|Audio|Video|Videos"
    r"|Telegram|WhatsApp|Signal|WeChat|Weixin|Tencent|Bluetooth|Android/media/[^/\n\r\t\"<>|]+)"
)
# A path in free text ends at a quote, a line break or markup; a name with spaces is masked whole,
# and so is anything after it on the line (masking too much is the safe side).
_PERSONAL_PATH_RE = re.compile(rf"(?P<folder>{_STORAGE}/{_PERSONAL}/)(?P<rest>[^\n\r\t\"<>|\x00]*)", re.IGNORECASE)
# Standard sub-folders that say nothing about the person: kept.
_STANDARD_SUBFOLDERS = frozenset(
    name.lower()
    for name in (
        "Camera",
        "Screenshots",
        "ScreenRecorder",
        "Screen recordings",
        "Restored",
        ".thumbnails",
        "WhatsApp",
        "Media",
        "WhatsApp Images",
        "WhatsApp Video",
        "WhatsApp Documents",
        "WhatsApp Audio",
        "WhatsApp Voice Notes",
        "WhatsApp Animated Gifs",
        "WhatsApp Stickers",
        "Sent",
        "Private",
        "Telegram Images",
        "Telegram Video",
        "Telegram Documents",
        "Telegram Audio",
        "Weixin",
        "WeiXin",
    )
)
_EXTENSION_RE = re.compile(r"^[A-Za-z0-9]{1,5}$")

_HOME_RE = re.compile(r"(?P<head>/home/|/Users/|[A-Za-z]:\\Users\\)(?P<user>[^/\\\n\r\t\"<>|]+)")
_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])(?P<local>[A-Za-z0-9._%+-]+)@(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})"
)
_ACCOUNT_RE = re.compile(
    r"(?P<head>Account\s*\{\s*name=|\b(?:account_?name|mAccountName|accountName|user_?name|login)\s*[=:]\s*[\"']?)"
    r"(?P<value>[^\s,;\"'}\[\]]+)",
    re.IGNORECASE,
)
# getprop lines: [ro.serialno]: [R58M12345AB]
_PROP_RE = re.compile(
    r"(?P<head>\[(?P<key>[\w.]*(?:serial|imei|meid|iccid|imsi|msisdn|phone_?number|line1)[\w.]*)\]:\s*\[)"
    r"(?P<value>(?!\[redacted\])[^\]\n]+)",
    re.IGNORECASE,
)
# key=value / key: value pairs in dumpsys, logcat and JSON excerpts.
_KEYED_RE = re.compile(
    r"(?P<head>(?<![\w.])(?P<key>serial(?:no|_?number)?|imei\d?|meid|iccid|imsi|msisdn|phone_?number|"
    r"line1_?number|mLine1Number|number|tel)[\"']?\s*[=:]\s*[\"']?)"
    # A value may hold spaces only between digit groups ("+86 138 0013 8000").
    r"(?P<value>\+?[0-9A-Za-z](?:[0-9A-Za-z()./-]|\s(?=[\d(])){3,})",
    re.IGNORECASE,
)
_INTERNATIONAL_RE = re.compile(r"(?<![\w.+/:=-])\+\d[\d ()./-]{5,20}\d(?![\w])")
_GROUPED_RE = re.compile(r"(?<![\w.:/=-])\(?\d{2,5}\)?(?:[ .-]\(?\d{2,5}\)?){2,4}(?![\w:/-])")
_CN_MOBILE_RE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])")
_IMEI_RE = re.compile(r"(?<![\d.])\d{15}(?![\d.])")
_DATE_RE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _mask_name(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if dot and stem and _EXTENSION_RE.match(ext):
        return f"{TOKEN}.{ext}"
    return TOKEN


class Redactor:
    """Redacts strings and whole documents, counting what it hid by kind."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def _personal_path(self, match: re.Match[str]) -> str:
        rest = match.group("rest")
        if not rest:
            return match.group(0)
        parts = rest.split("/")
        masked = [p if (not p or p.lower() in _STANDARD_SUBFOLDERS or p == TOKEN) else TOKEN for p in parts[:-1]]
        last = parts[-1]
        if last and not last.startswith(TOKEN):
            masked.append(_mask_name(last))
            self.counts["file_name"] += 1
        else:
            masked.append(last)
        return match.group("folder") + "/".join(masked)

    def _sub(self, pattern: re.Pattern[str], kind: str, text: str, group: str | None = None) -> str:
        def replace(match: re.Match[str]) -> str:
            if group is None:
                self.counts[kind] += 1
                return TOKEN
            value = match.group(group)
            if value.startswith(TOKEN):
                return match.group(0)
            self.counts[kind] += 1
            start, end = match.span(group)
            whole = match.group(0)
            offset = match.start()
            return whole[: start - offset] + TOKEN + whole[end - offset :]

        return pattern.sub(replace, text)

    def text(self, text: str) -> str:
        """``text`` with everything personal replaced by ``[redacted]``."""
        if not text or _HASH_RE.match(text):
            return text
        text = _PERSONAL_PATH_RE.sub(self._personal_path, text)
        text = self._sub(_HOME_RE, "user_name", text, "user")
        if "@" in text:
            text = self._sub(_EMAIL_RE, "account", text, "local")
        text = self._sub(_ACCOUNT_RE, "account", text, "value")
        text = self._prop(text)
        text = self._keyed(text)
        text = self._numbers(text)
        return text

    def _prop(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            key = match.group("key").lower()
            kind = "imei" if ("imei" in key or "meid" in key) else "serial" if "serial" in key else "phone_number"
            if "iccid" in key or "imsi" in key:
                kind = "serial"
            self.counts[kind] += 1
            return match.group("head") + TOKEN

        return _PROP_RE.sub(replace, text)

    def _keyed(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            key = match.group("key").lower()
            value = match.group("value").rstrip(" ./-")
            if key in ("number", "tel") and _digits(value) < 5:
                return match.group(0)
            kind = (
                "imei"
                if key.startswith(("imei", "meid"))
                else "serial"
                if key.startswith(("serial", "iccid", "imsi"))
                else "phone_number"
            )
            self.counts[kind] += 1
            return match.group("head") + TOKEN + match.group("value")[len(value) :]

        return _KEYED_RE.sub(replace, text)

    def _numbers(self, text: str) -> str:
        def imei(match: re.Match[str]) -> str:
            if not _luhn(match.group(0)):
                return match.group(0)
            self.counts["imei"] += 1
            return TOKEN

        def phone(match: re.Match[str]) -> str:
            value = match.group(0)
            if not 7 <= _digits(value) <= 15 or _DATE_RE.search(value):
                return value
            self.counts["phone_number"] += 1
            return TOKEN

        text = _IMEI_RE.sub(imei, text)
        text = _INTERNATIONAL_RE.sub(phone, text)
        text = _GROUPED_RE.sub(phone, text)
        return self._sub(_CN_MOBILE_RE, "phone_number", text)

    def value(self, value: Any, key: str = "") -> Any:
        """A redacted deep copy of a JSON-like value found under ``key``."""
        lowered = key.lower()
        if lowered in _KEEP_KEYS or lowered.endswith(("sha256", "md5", "_time")):
            return value
        if isinstance(value, str):
            if lowered in _IDENTIFIER_KEYS and value:
                self.counts[_IDENTIFIER_KEYS[lowered]] += 1
                return TOKEN
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v, key) for v in value]
        return value


def redact_result(result: Mapping[str, Any]) -> dict[str, Any]:
    """A redacted copy of a result document. It gains a ``redaction`` object (an optional 1.x
    field, see docs/result-schema.md): ``redacted`` (true), ``token`` and ``counts`` by kind."""
    redactor = Redactor()
    document = redactor.value(dict(result))
    document["redaction"] = {
        "redacted": True,
        "token": TOKEN,
        "counts": dict(sorted(redactor.counts.items())),
    }
    return document


def is_redacted(result: Mapping[str, Any]) -> bool:
    redaction = result.get("redaction")
    return isinstance(redaction, Mapping) and redaction.get("redacted") is True
