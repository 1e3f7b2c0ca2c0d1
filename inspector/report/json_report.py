"""The JSON report: the result document written out, in a stable order, as valid UTF-8.

Its schema is ``docs/result.schema.json`` (described in ``docs/result-schema.md``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import PurePath
from typing import Any

# Key order of each kind of object in the document, so that two reports of the same phone diff
# line by line and a reader meets schema_version and the verdict first. Keys not listed (added by
# a later schema version) follow in alphabetical order.
_ORDER: dict[str, tuple[str, ...]] = {
    "result": (
        "schema_version",
        "tool",
        "generated_at",
        "verdict",
        "device",
        "acquisition",
        "inventory",
        "coverage",
        "findings",
        "window",
        "timeline",
        "redaction",
    ),
    "window": ("start", "end", "timezone"),
    "event": ("time", "event", "subject", "artifact", "in_window", "finding_rule_id"),
    "redaction": ("redacted", "token", "counts"),
    "tool": ("name", "version", "signature_pack"),
    "signature_pack": ("version", "sha256"),
    "device": ("platform", "manufacturer", "model", "os_version", "build", "serial_sha256"),
    "acquisition": (
        "path",
        "id",
        "complete",
        "started_at",
        "finished_at",
        "operator",
        "artifacts",
        "hashes_csv_sha256",
    ),
    "artifact": ("name", "status", "error"),
    "inventory": ("packages", "packages_uninstalled_kept_data", "apks_collected", "apks_analyzed", "files_listed"),
    "coverage": ("check", "status", "reason"),
    "finding": (
        "rule_id",
        "family",
        "severity",
        "confidence",
        "title",
        "explanation",
        "subject",
        "evidence",
        "references",
        "time",
        "params",
    ),
    "evidence": ("artifact", "excerpt", "sha256", "locator"),
}

# What each key's value holds, where that decides the order of its keys.
_CHILD_KIND: dict[tuple[str, str], str] = {
    ("result", "tool"): "tool",
    ("tool", "signature_pack"): "signature_pack",
    ("result", "device"): "device",
    ("result", "acquisition"): "acquisition",
    ("acquisition", "artifacts"): "artifact",
    ("result", "inventory"): "inventory",
    ("result", "coverage"): "coverage",
    ("result", "findings"): "finding",
    ("finding", "evidence"): "evidence",
    ("result", "window"): "window",
    ("result", "timeline"): "event",
    ("result", "redaction"): "redaction",
}

_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def safe_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so it can be written as UTF-8.

    Device strings decoded with ``surrogateescape`` (``\\udcff`` for a 0xFF byte) would otherwise
    make the report unwritable. The raw bytes stay in the acquisition, which is authoritative.
    """
    return _SURROGATE_RE.sub("\ufffd", text)


def make_text_safe(value: Any) -> Any:
    """A deep copy of a JSON-like value with every string (keys too) passed through :func:`safe_text`.

    Also turns what a producer may leave in by mistake into JSON: tuples and sets → lists,
    datetimes → ISO 8601 (UTC, ``Z``), paths → strings.
    """
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Mapping):
        return {safe_text(str(k)): make_text_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [make_text_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((make_text_safe(v) for v in value), key=repr)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return safe_text(str(value))
    return value


def _ordered(value: Any, kind: str | None) -> Any:
    if isinstance(value, list):
        return [_ordered(item, kind) for item in value]
    if not isinstance(value, dict):
        return value
    known = _ORDER.get(kind or "", ())
    keys = [k for k in known if k in value] + sorted(k for k in value if k not in known)
    return {k: _ordered(value[k], _CHILD_KIND.get((kind or "", k))) for k in keys}


def render_json(result: Mapping[str, Any]) -> str:
    """The result document as JSON text: stable key order, 2-space indent, non-ASCII kept as is
    (``ensure_ascii=False``), always encodable as UTF-8, ending in a newline."""
    document = _ordered(make_text_safe(result), "result")
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
