"""A small, bounded reader of the raw tables of a DEX file: its string table and the names of the
classes it defines. Rules need these and nothing more, so nothing else is parsed (no code, no
methods). Every offset and size is checked against the file's length; a table that cannot be read
gives a partial result with an error, never an exception."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from itertools import accumulate

MAX_STRINGS = 4_000_000  # far above any real app (the largest have ~500k); more is a hostile header
MAX_CLASSES = 1_000_000
MAX_STRING_BYTES = 1 << 20  # one string longer than 1 MiB is not worth reading
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


@dataclass
class DexTables:
    strings: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # descriptors of defined classes, "Lcom/x/Y;"
    error: str | None = None


def _uleb128_skip(data: bytes, pos: int, end: int) -> int:
    for _ in range(5):
        if pos >= end:
            raise ValueError("string length runs past the end of the file")
        byte = data[pos]
        pos += 1
        if byte < 0x80:
            return pos
    raise ValueError("bad string length")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Modified UTF-8: surrogate pairs encoded separately (CESU-8) and NUL as C0 80.
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
        try:
            return text.encode("utf-16", "surrogatepass").decode("utf-16")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def _table(data: bytes, size: int, off: int, width: int, limit: int, name: str) -> tuple[int, int]:
    if size > limit:
        raise ValueError(f"{name} declares {size} entries (more than {limit}): not a real DEX")
    if size and (off <= 0 or off + size * width > len(data)):
        raise ValueError(f"{name} ({size} entries at offset {off}) runs past the end of the file ({len(data)} bytes)")
    return size, off


def _contiguous_strings(data: bytes, offsets: tuple[int, ...]) -> list[str] | None:
    """The string table in a few C-speed passes, when the strings lie one after the other in id order
    (what every DEX compiler writes); None when they do not, and the careful loop reads them."""
    if not offsets or offsets[0] >= len(data):
        return None
    if data[offsets[0]] == 0:  # the empty string (length byte 0, then its NUL): ids are sorted, so first
        if data[offsets[0] + 1:offsets[0] + 2] != b"\0" or len(offsets) == 1:
            return None if len(offsets) > 1 else [""]
        rest = _contiguous_strings(data, offsets[1:])
        return None if rest is None else ["", *rest]
    end = data.find(b"\0", offsets[-1] + 1)
    if end < 0 or end - offsets[0] > len(data):
        return None
    parts = data[offsets[0]:end].split(b"\0")
    if len(parts) != len(offsets):
        return None
    starts = list(accumulate((len(part) + 1 for part in parts[:-1]), initial=offsets[0]))
    if starts != list(offsets):
        return None
    # Each item is a uleb128 length (1–5 bytes, the last one below 0x80) and then the MUTF-8 bytes.
    try:
        raw = [part[1:] if part and part[0] < 0x80 else part[_uleb128_skip(part, 0, len(part)):] for part in parts]
    except ValueError:
        return None
    # One decode for the whole table; the few strings in modified UTF-8 (NUL as C0 80, characters
    # beyond the BMP as surrogate pairs) come out with escaped bytes and are decoded again alone.
    items = b"\0".join(raw).decode("utf-8", "surrogateescape").split("\0")
    for index in [i for i, text in enumerate(items) if not text.isascii() and _ESCAPED.search(text)]:
        items[index] = _decode(raw[index])
    return items


def read_dex(data: bytes) -> DexTables:
    out = DexTables()
    if len(data) < 0x70 or not data.startswith(b"dex\n") or data[7] != 0:
        out.error = "not a DEX file (bad magic or shorter than its header)"
        return out
    (string_size, string_off, type_size, type_off) = struct.unpack_from("<4I", data, 56)
    (class_size, class_off) = struct.unpack_from("<2I", data, 96)
    try:
        string_size, string_off = _table(data, string_size, string_off, 4, MAX_STRINGS, "string_ids")
    except ValueError as exc:
        out.error = str(exc)
        return out
    n = len(data)
    offsets = struct.unpack_from(f"<{string_size}I", data, string_off) if string_size else ()
    fast = _contiguous_strings(data, offsets)
    if fast is not None:
        out.strings = fast
        offsets = ()  # done
    strings = out.strings
    for index, offset in enumerate(offsets):
        try:
            if offset >= n:
                raise ValueError(f"string #{index} at offset {offset} is past the end of the file")
            start = _uleb128_skip(data, offset, n)
            stop = data.find(b"\0", start, min(n, start + MAX_STRING_BYTES))
            if stop < 0:
                raise ValueError(f"string #{index} has no end")
        except ValueError as exc:
            out.error = str(exc)
            break
        strings.append(_decode(data[start:stop]))
    try:
        type_size, type_off = _table(data, type_size, type_off, 4, MAX_STRINGS, "type_ids")
        class_size, class_off = _table(data, class_size, class_off, 32, MAX_CLASSES, "class_defs")
    except ValueError as exc:
        out.error = out.error or str(exc)
        return out
    types = struct.unpack_from(f"<{type_size}I", data, type_off) if type_size else ()
    for i in range(class_size):
        type_idx = struct.unpack_from("<I", data, class_off + 32 * i)[0]
        if type_idx >= len(types) or types[type_idx] >= len(strings):
            out.error = out.error or f"class_defs #{i} names a type that does not exist"
            continue
        out.classes.append(strings[types[type_idx]])
    return out
