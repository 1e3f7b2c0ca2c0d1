"""Hostile or minimal APKs built byte by byte for the APK-engine tests: real files, read by the real
engine."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path


def dex_bytes(strings: list[str], repeat: int | None = None) -> bytes:
    """A minimal DEX: header, string_ids, string data (no classes). ``repeat``: that many string ids,
    all pointing at the first string (a cheap file that is expensive to read)."""
    n = repeat or len(strings)
    data_off = 0x70 + 4 * n
    blob, offsets = b"", []
    for text in strings:
        raw = text.encode()
        offsets.append(data_off + len(blob))
        blob += bytes([len(raw)]) + raw + b"\0"
    if repeat:
        offsets = [offsets[0]] * repeat
    header = bytearray(0x70)
    header[0:8] = b"dex\n035\0"
    struct.pack_into("<4I", header, 56, n, 0x70, 0, 0)
    return bytes(header) + struct.pack(f"<{n}I", *offsets) + blob


def apk_with_dex(path: Path, dex: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("classes.dex", dex)
    return path
