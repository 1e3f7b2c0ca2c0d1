"""Getting APK files off the phone without moving a byte more than needed.

The SHA-256 is computed on the phone (toybox ``sha256sum``, Android 6+); an APK already in the local
cache (``~/.cache/inspector/apks/<sha256>.apk``, shared by every scan and every phone) is not pulled
again. A pulled APK is streamed to a temporary file, verified against the phone's hash, then moved
into the cache; the acquisition gets a hard link (or a copy) of the cached file.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from inspector.acquire.android import errors
from inspector.acquire.android.commands import command
from inspector.acquire.android.connection import AndroidConnection

_SHA256_LINE = re.compile(rb"^([0-9a-f]{64})\s")


@dataclass
class ApkFetch:
    sha256: str
    size: int
    cached_path: Path
    pulled: bool  # False when the cache already had it
    hashed_on_device: bool


class ApkHashMismatch(Exception):
    """The file pulled is not the file the phone hashed (it changed in between, or the link corrupts)."""


def device_sha256(conn: AndroidConnection, path: bytes) -> str | None:
    """The phone's own SHA-256 of ``path``, or None when it has no ``sha256sum`` or cannot read it."""
    try:
        output = conn.shell(command("sha256sum", path), timeout_s=120, max_bytes=64 << 10)
    except (errors.CommandTimeout, errors.OutputTooLarge):
        return None
    match = _SHA256_LINE.match(output)
    return match.group(1).decode("ascii") if match else None


def fetch(
    conn: AndroidConnection,
    path: bytes,
    cache: Path,
    progress: Callable[[int], None] | None = None,
    expected_sha256: str | None = None,
) -> ApkFetch:
    expected = expected_sha256 or device_sha256(conn, path)
    if expected:
        cached = cache / f"{expected}.apk"
        if cached.is_file():
            return ApkFetch(expected, cached.stat().st_size, cached, pulled=False, hashed_on_device=True)
    # Per thread too: a batch acquires several phones at once in one process, and two of them may
    # send the same app (same device path) at the same moment.
    tmp = cache / f".pull-{os.getpid()}-{threading.get_ident()}-{hashlib.sha256(path).hexdigest()[:16]}.tmp"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as out:

            class _Hashing:
                def write(self, data: bytes) -> int:
                    nonlocal size
                    digest.update(data)
                    size += len(data)
                    return out.write(data)

            conn.pull(path, _Hashing(), progress)  # type: ignore[arg-type]
        actual = digest.hexdigest()
        if expected and actual != expected:
            raise ApkHashMismatch(f"phone said SHA-256 {expected}, received {actual}")
        cached = cache / f"{actual}.apk"
        os.replace(tmp, cached)
    finally:
        tmp.unlink(missing_ok=True)
    return ApkFetch(actual, size, cached, pulled=True, hashed_on_device=expected is not None)
