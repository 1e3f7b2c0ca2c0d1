"""Crash and analytics logs (``.ips`` JSON, iOS 15+; ``.crash`` text, older): which process, from which
path and bundle, when. An implant that crashes leaves its process name and path here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_FIELD = re.compile(r"^(Process|Path|Identifier|Date/Time|Bundle Id|Incident Identifier):\s*(.*)$", re.M)
_TEXT_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)? ?([+-]\d{4})?")


@dataclass(frozen=True)
class CrashRecord:
    process: str
    path: str
    bundle: str
    time: str | None


def _utc(text: str) -> str | None:
    from datetime import UTC, datetime

    match = _TEXT_TIME.match(text.strip())
    if not match:
        return None
    try:
        moment = datetime.strptime(match.group(1) + (match.group(2) or "+0000"), "%Y-%m-%d %H:%M:%S%z")
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def parse(data: bytes) -> CrashRecord | None:
    """None when the file is neither an .ips nor a .crash log."""
    text = data[:4 << 20].decode("utf-8", "replace")
    header, _, body = text.partition("\n")
    try:
        head = json.loads(header)
    except ValueError:
        head = None
    if isinstance(head, dict):
        try:
            detail = json.loads(body) if body.lstrip().startswith("{") else {}
        except ValueError:
            detail = {}
        detail = detail if isinstance(detail, dict) else {}
        process = _str(detail.get("procName")) or _str(head.get("app_name")) or _str(head.get("name"))
        bundle = _str(head.get("bundleID")) or _str((detail.get("bundleInfo") or {}).get("CFBundleIdentifier")
                                                     if isinstance(detail.get("bundleInfo"), dict) else "")
        return CrashRecord(process, _str(detail.get("procPath")), bundle, _utc(_str(head.get("timestamp"))))
    fields = {k: v.strip() for k, v in _FIELD.findall(text)}
    if not fields.get("Process") and not fields.get("Path"):
        return None
    process = fields.get("Process", "").split("[", 1)[0].strip()
    return CrashRecord(process, fields.get("Path", ""), fields.get("Identifier", "") or fields.get("Bundle Id", ""),
                       _utc(fields.get("Date/Time", "")))
