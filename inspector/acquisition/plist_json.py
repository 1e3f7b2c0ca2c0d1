"""Plist values (as ``plistlib`` or pymobiledevice3 return them) made safe for JSON artifacts.

The rule, shared by every iOS artifact (docs/acquisition.md): ``bytes`` → lowercase hex string,
``datetime`` → ISO 8601 UTC with "Z" (naive datetimes are UTC, as plists store them),
``plistlib.UID`` → int, dictionary keys → strings, everything else as JSON has it. Values come from
the phone and are hostile: non-finite floats become strings (JSON has no NaN), nesting deeper than
``max_depth`` is cut with a marker instead of exhausting the stack.
"""

from __future__ import annotations

import math
import plistlib
from datetime import UTC, date, datetime
from typing import Any

MAX_DEPTH = 64
TOO_DEEP = "<nested too deep>"


def to_json_safe(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    return _convert(value, max_depth)


def _convert(value: Any, depth: int) -> Any:
    if depth < 0:
        return TOO_DEEP
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{moment.microsecond:06d}" if moment.microsecond else "") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, plistlib.UID):
        return int(value.data)
    if isinstance(value, dict):
        return {str(key) if not isinstance(key, bytes) else key.hex(): _convert(item, depth - 1)
                for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_convert(item, depth - 1) for item in value]
    return str(value)
