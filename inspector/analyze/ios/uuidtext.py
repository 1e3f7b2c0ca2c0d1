"""The ``uuidtext`` files of a logarchive: one per executable image, named by the image's UUID.

A logarchive keeps, for every image that logged, a file ``XX/YYYY…`` (the UUID in upper-case hex,
split after two characters) holding the image's format strings and, at the end, the image's path
(``/usr/libexec/lockdownd``). The unified log's entries only carry the image UUID and an offset into
these strings. Layout (little-endian): magic ``0x66778899``, major and minor version (2, 1), the number
of ranges, then per range (virtual offset, size); the ranges' bytes follow in the same order, then the
image path as a NUL-terminated string. Format described in libyal's dtformats ("Apple Unified Logging
and Activity Tracing formats") and Mandiant's macos-UnifiedLogs (``src/uuidtext.rs``).

Hostile input: every count and size is checked against the file's length before it is used.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = 0x66778899
MAX_PATH = 1024
MAX_FORMAT_STRING = 16 << 10  # longer ones are cut (no real format string comes close)


class UUIDTextError(ValueError):
    """The file is not a uuidtext file, or its ranges point outside it; the message says which."""


@dataclass(frozen=True)
class UUIDText:
    image_path: str
    ranges: tuple[tuple[int, int, int], ...]  # (virtual offset, size, offset in data)
    data: bytes | None  # None: only the image path was kept

    @property
    def image_name(self) -> str:
        return self.image_path.rsplit("/", 1)[-1] or self.image_path

    def format_string(self, reference: int) -> str | None:
        """The format string at ``reference`` (an offset in the image's strings); None if no range
        holds it or only the path was kept."""
        if self.data is None:
            return None
        for virtual, size, offset in self.ranges:
            if virtual <= reference < virtual + size:
                start = offset + reference - virtual
                end = min(offset + size, start + MAX_FORMAT_STRING)
                text = self.data[start:end]
                return text.split(b"\x00", 1)[0].decode("utf-8", "replace")
        return None


def parse(data: bytes, keep_strings: bool = True) -> UUIDText:
    if len(data) < 16:
        raise UUIDTextError(f"too short for a uuidtext file ({len(data)} bytes)")
    magic, major, _minor, count = struct.unpack_from("<IIII", data, 0)
    if magic != MAGIC:
        raise UUIDTextError(f"not a uuidtext file (magic 0x{magic:08x}, expected 0x{MAGIC:08x})")
    if major != 2:
        raise UUIDTextError(f"uuidtext version {major} is not supported (2 is)")
    table_end = 16 + 8 * count
    if table_end > len(data):
        raise UUIDTextError(f"it claims {count} string ranges, more than its {len(data)} bytes can hold")
    ranges = []
    offset = table_end
    for index in range(count):
        virtual, size = struct.unpack_from("<II", data, 16 + 8 * index)
        if offset + size > len(data):
            raise UUIDTextError(f"string range {index} ({size} bytes at {offset}) runs past the end of the file")
        ranges.append((virtual, size, offset))
        offset += size
    path = data[offset:offset + MAX_PATH].split(b"\x00", 1)[0].decode("utf-8", "replace")
    if not path:
        raise UUIDTextError("the image path at its end is missing")
    return UUIDText(path, tuple(ranges), data if keep_strings else None)


def member_uuid(parts: list[str]) -> str | None:
    """The image UUID of a logarchive member ``XX/YYYY…`` (two path parts), or None if it is not one."""
    if len(parts) != 2 or len(parts[0]) != 2 or len(parts[1]) != 30:
        return None
    text = (parts[0] + parts[1]).upper()
    return text if all(c in "0123456789ABCDEF" for c in text) else None
