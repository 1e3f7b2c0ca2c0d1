"""Local names for things named by the device. Device strings are hostile: a package name or a
file name may hold ``/``, ``..``, newlines or bytes that are not UTF-8. Local names are built only
from a safe alphabet, stay short, and keep a hash of the original so two names never collide."""

from __future__ import annotations

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
