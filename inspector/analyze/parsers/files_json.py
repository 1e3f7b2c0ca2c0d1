"""``files.json`` (inspector's, or androidqf's) → file records.

Variants read:

- inspector (docs/acquisition.md): a JSON list of ``{path, size, mode ("-rw-rw----"), type,
  modified_time, access_time, changed_time (Unix seconds), user_id, group_id, error, path_bytes_b64}``.
- androidqf with its on-phone collector: the same list shape with ``context``, ``md5``/``sha1``/
  ``sha256``/``sha512``, ``mime_type``; its ``find -printf`` fallback adds ``user_name``/``group_name``
  and an octal ``mode`` ("660"); its plain ``find`` fallback gives ``path`` only.
- JSON lines (one object per line, as androidqf's collector prints them before they are gathered),
  and a single object holding the list under ``files``/``records``/``entries``.
- A truncated or damaged list: every complete object before and after the damage is kept, with a
  warning (a lost connection cuts the file; one broken record must not hide the others).

Missing fields are None; unknown fields are kept in ``FileEntry.extra``. Times are
:class:`~inspector.analyze.parsers.Stamp` (Unix seconds, UTC; 0 and absurd values have
``time=None`` and a note).

Public API: :func:`parse_files_json` ``(data) -> FileListing`` with ``files`` (list[:class:`FileEntry`])
and ``warnings``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import Stamp, Warnings, stamp_epoch

ARTIFACT = "files.json"

_KNOWN = {"path", "size", "mode", "type", "modified_time", "access_time", "changed_time", "user_id", "group_id",
          "user_name", "group_name", "error", "context", "md5", "sha1", "sha256", "sha512", "mime_type",
          "path_bytes_b64"}
_TYPE_BY_MODE = {"-": "file", "d": "directory", "l": "symlink"}


@dataclass(slots=True)
class FileEntry:
    path: str
    size: int | None = None
    mode: str | None = None
    type: str | None = None  # file, directory, symlink, other, or None when unknown
    user_id: int | None = None
    group_id: int | None = None
    user_name: str | None = None
    group_name: str | None = None
    modified_time: Stamp | None = None
    access_time: Stamp | None = None
    changed_time: Stamp | None = None
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    sha512: str | None = None
    error: str | None = None
    context: str | None = None
    mime_type: str | None = None
    path_bytes_b64: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class FileListing:
    files: list[FileEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_files_json(data: str | bytes | bytearray) -> FileListing:
    """Parse a files.json (see the module docstring)."""
    warnings = Warnings()
    result = FileListing()
    text = bytes(data).decode("utf-8", "replace") if isinstance(data, bytes | bytearray) else str(data)
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if not stripped:
        warnings.add("empty input")
        result.warnings = warnings.as_list()
        return result
    if stripped[0] not in "[{":
        raise ParseError(ARTIFACT, "not JSON (neither a list nor objects)")
    objects = _objects(text, warnings)
    found_any = False
    for index, item in enumerate(objects):
        found_any = True
        entry = _entry(item, index, warnings)
        if entry is not None:
            result.files.append(entry)
    if not found_any:
        raise ParseError(ARTIFACT, "no JSON object found")
    result.warnings = warnings.as_list()
    return result


def _objects(text: str, warnings: Warnings) -> list[Any]:
    try:
        whole = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return _salvage(text, warnings)
    if isinstance(whole, list):
        return whole
    if isinstance(whole, dict):
        for key in ("files", "records", "entries"):
            if isinstance(whole.get(key), list):
                return whole[key]
        return [whole]
    raise ParseError(ARTIFACT, f"JSON {type(whole).__name__}, not a list of files")


def _salvage(text: str, warnings: Warnings) -> list[Any]:
    """Every complete JSON object in a damaged list or in JSON lines."""
    decoder = json.JSONDecoder()
    found: list[Any] = []
    position = text.find("{")
    damaged = 0
    while 0 <= position < len(text):
        try:
            value, end = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError):
            damaged += 1
            position = text.find("{", position + 1)
            continue
        found.append(value)
        position = text.find("{", end)
    is_lines = text.lstrip().startswith("{") and "\n{" in text
    if damaged or not is_lines:
        warnings.add(f"damaged or truncated JSON: {len(found)} objects recovered, {damaged} unreadable places skipped")
    return found


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if value != "" else None


def _time(value: Any) -> Stamp | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return Stamp(raw=str(value)[:100], time=None, note="not a number")
    return stamp_epoch(str(value), value, "s")


def _entry(item: Any, index: int, warnings: Warnings) -> FileEntry | None:
    if not isinstance(item, dict):
        warnings.add(f"record {index}: not an object")
        return None
    path = item.get("path")
    if not isinstance(path, str) or not path:
        warnings.add(f"record {index}: no path")
        return None
    mode = _text(item.get("mode"))
    file_type = _text(item.get("type"))
    if file_type is None and mode and not mode.isdigit():
        file_type = _TYPE_BY_MODE.get(mode[0], "other")
    entry = FileEntry(
        path=path, size=_number(item.get("size")), mode=mode, type=file_type,
        user_id=_number(item.get("user_id")), group_id=_number(item.get("group_id")),
        user_name=_text(item.get("user_name")), group_name=_text(item.get("group_name")),
        modified_time=_time(item.get("modified_time")), access_time=_time(item.get("access_time")),
        changed_time=_time(item.get("changed_time")),
        md5=_text(item.get("md5")), sha1=_text(item.get("sha1")), sha256=_text(item.get("sha256")),
        sha512=_text(item.get("sha512")), error=_text(item.get("error")), context=_text(item.get("context")),
        mime_type=_text(item.get("mime_type")), path_bytes_b64=_text(item.get("path_bytes_b64")),
        extra={k: v for k, v in item.items() if k not in _KNOWN},
    )
    if "size" in item and item["size"] is not None and entry.size is None:
        warnings.add(f"record {index}: size {str(item['size'])[:30]!r} is not a number")
    return entry
