"""Local names for things named by the device. Device strings are hostile: a package name or a
file name may hold ``/``, ``..``, newlines or bytes that are not UTF-8. Local names are built only
from a safe alphabet, stay short, and keep a hash of the original so two names never collide."""

from __future__ import annotations

import base64
import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(text: str, limit: int = 80) -> str:
    raw = text.encode("utf-8", "surrogateescape")
    cleaned = _UNSAFE.sub("_", text).strip("._") or "unnamed"
    if cleaned != text or len(cleaned) > limit:
        tag = hashlib.sha256(raw).hexdigest()[:8]
        cleaned = f"{cleaned[:limit]}-{tag}"
    return cleaned


def printable(raw: bytes) -> str:
    """Device bytes as text for JSON: UTF-8 where valid, ``\\xNN`` escapes for the rest."""
    return raw.decode("utf-8", "backslashreplace")


def keep_raw_bytes(obj: dict, key: str, raw: bytes) -> None:
    """Names that are not UTF-8 keep their exact bytes, base64, beside the printable form."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        obj[f"{key}_bytes_b64"] = base64.b64encode(raw).decode("ascii")


def raw_bytes(obj: dict, key: str) -> bytes:
    """The exact bytes of a name written by :func:`keep_raw_bytes`."""
    if f"{key}_bytes_b64" in obj:
        return base64.b64decode(obj[f"{key}_bytes_b64"])
    return str(obj[key]).encode("utf-8")
