"""The app label's translations straight from ``resources.arsc``: one resource id looked up, nothing else
parsed. androguard's ``ARSCParser`` reads and resolves the whole table first, which is most of the
time the tiered engine spends on a large app (60 % on an 11 MB one); a label is one string entry.

Bounded and defensive like ``dex_tables``: every offset and size is checked against the data; any
surprise raises ``ArscError`` and the caller falls back to androguard. Tested against androguard's own
resolution on every APK of the corpora (tests/test_apk_labels.py).

Format (AOSP ``ResourceTypes.h``): a RES_TABLE chunk holding the global string pool (values) and
package chunks; a package holds type-spec and type chunks; a type chunk is one configuration (locale)
of one resource type with an offset per entry; an entry is a key and a ``Res_value`` (a string value is
an index into the global pool; a reference is another resource id, followed up to a few times)."""

from __future__ import annotations

import struct

RES_STRING_POOL = 0x0001
RES_TABLE = 0x0002
RES_TABLE_PACKAGE = 0x0200
RES_TABLE_TYPE = 0x0201
TYPE_REFERENCE = 0x01
TYPE_STRING = 0x03
FLAG_SPARSE = 0x01
FLAG_OFFSET16 = 0x02
ENTRY_COMPLEX = 0x0001
ENTRY_COMPACT = 0x0008
NO_ENTRY = 0xFFFFFFFF
MAX_REFERENCES = 4


class ArscError(ValueError):
    pass


def _chunk(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    if pos + 8 > end:
        raise ArscError(f"chunk header at {pos} runs past its parent")
    kind, header_size, size = struct.unpack_from("<HHI", data, pos)
    if header_size < 8 or size < header_size or pos + size > end:
        raise ArscError(f"chunk at {pos} has impossible sizes")
    return kind, header_size, size


class _Pool:
    """A string pool, read lazily: only the strings asked for are decoded."""

    def __init__(self, data: bytes, pos: int, header_size: int, size: int) -> None:
        if header_size < 28:
            raise ArscError("string pool header too short")
        count, _styles, flags, strings_start, _ = struct.unpack_from("<5I", data, pos + 8)
        if pos + header_size + 4 * count > pos + size or strings_start > size:
            raise ArscError("string pool tables run past the pool")
        self.data, self.count, self.utf8 = data, count, bool(flags & 0x100)
        self.offsets_at, self.base, self.end = pos + header_size, pos + strings_start, pos + size

    def get(self, index: int) -> str:
        if not 0 <= index < self.count:
            raise ArscError(f"string #{index} is not in the pool")
        at = self.base + struct.unpack_from("<I", self.data, self.offsets_at + 4 * index)[0]
        data, end = self.data, self.end
        if at + 4 > end:
            raise ArscError(f"string #{index} is past the pool")
        if self.utf8:
            at += 2 if data[at] & 0x80 else 1  # length in characters (skipped)
            n = data[at]
            if n & 0x80:
                n = ((n & 0x7F) << 8) | data[at + 1]
                at += 1
            at += 1
            if at + n > end:
                raise ArscError(f"string #{index} runs past the pool")
            return data[at:at + n].decode("utf-8", "replace")
        n = struct.unpack_from("<H", data, at)[0]
        at += 2
        if n & 0x8000:
            n = ((n & 0x7FFF) << 16) | struct.unpack_from("<H", data, at)[0]
            at += 2
        if at + 2 * n > end:
            raise ArscError(f"string #{index} runs past the pool")
        return data[at:at + 2 * n].decode("utf-16-le", "replace")


def _unpack(two: bytes, base: str) -> str:
    """A language or region of a ResTable_config: two letters, or three packed in 15 bits (AOSP
    unpackLanguageOrRegion)."""
    if not two[0] & 0x80:
        return two.decode("ascii", "replace")
    first = two[1] & 0x1F
    second = ((two[1] & 0xE0) >> 5) + ((two[0] & 0x03) << 3)
    third = (two[0] & 0x7C) >> 2
    return "".join(chr(ord(base) + n) for n in (first, second, third))


def _locale(data: bytes, config_at: int, config_end: int) -> str:
    """"default", "zh-rCN", "ast-rES"… from a ResTable_config, spelled as androguard spells them."""
    if config_at + 16 > config_end:
        return "default"
    lang, country = data[config_at + 8:config_at + 10], data[config_at + 10:config_at + 12]
    if lang == b"\0\0":
        return "default"
    text = _unpack(lang, "a")
    if country != b"\0\0":
        text += "-r" + _unpack(country, "0")
    return text


def labels(arsc: bytes, res_id: int) -> dict[str, str]:
    """{locale: label} for the string resource ``res_id`` (0xPPTTEEEE); references followed. Raises
    ArscError on anything unexpected (the caller then asks androguard)."""
    out: dict[str, str] = {}
    try:
        for locale, value in _values(arsc, res_id, depth=0):
            out.setdefault(locale, value)
    except (struct.error, IndexError) as exc:  # a read past the data that no size check caught
        raise ArscError(f"resources.arsc is damaged: {exc}") from None
    return out


def _values(arsc: bytes, res_id: int, depth: int) -> list[tuple[str, str]]:
    if depth > MAX_REFERENCES:
        raise ArscError("references go round in circles")
    kind, header_size, size = _chunk(arsc, 0, len(arsc))
    if kind != RES_TABLE:
        raise ArscError("not a resource table")
    package_id, type_id, entry_id = res_id >> 24, (res_id >> 16) & 0xFF, res_id & 0xFFFF
    pool: _Pool | None = None
    found: list[tuple[str, str]] = []
    pos = header_size
    while pos < size:
        ckind, chead, csize = _chunk(arsc, pos, size)
        if ckind == RES_STRING_POOL and pool is None:
            pool = _Pool(arsc, pos, chead, csize)
        elif ckind == RES_TABLE_PACKAGE and pool is not None:
            if pos + 12 > pos + csize:
                raise ArscError("package header too short")
            if struct.unpack_from("<I", arsc, pos + 8)[0] == package_id:
                for locale, vtype, data in _entries(arsc, pos, chead, csize, type_id, entry_id):
                    if vtype == TYPE_STRING:
                        found.append((locale, pool.get(data)))
                    elif vtype == TYPE_REFERENCE and data:
                        found += [(locale if loc == "default" else loc, text)
                                  for loc, text in _values(arsc, data, depth + 1)]
        pos += csize
    return found


def _entries(data: bytes, pkg: int, header_size: int, size: int, type_id: int, entry_id: int):
    """(locale, value type, value data) of ``entry_id`` in every configuration of ``type_id``."""
    pos, end = pkg + header_size, pkg + size
    while pos < end:
        kind, chead, csize = _chunk(data, pos, end)
        if kind == RES_TABLE_TYPE and chead >= 20 and data[pos + 8] == type_id:
            flags = data[pos + 9]
            count, entries_start = struct.unpack_from("<II", data, pos + 12)
            config_size = struct.unpack_from("<I", data, pos + 20)[0] if pos + 24 <= end else 0
            locale = _locale(data, pos + 20, min(pos + 20 + config_size, pos + chead))
            offset = _entry_offset(data, pos + chead, pos + csize, flags, count, entry_id)
            if offset is not None:
                at = pos + entries_start + offset
                if at + 8 > pos + csize:
                    raise ArscError("entry runs past its type chunk")
                esize, eflags = struct.unpack_from("<HH", data, at)
                if eflags & ENTRY_COMPACT:  # key in esize; value type in the high byte of the flags
                    yield locale, eflags >> 8, struct.unpack_from("<I", data, at + 4)[0]
                elif not eflags & ENTRY_COMPLEX:
                    if at + esize + 8 > pos + csize:
                        raise ArscError("value runs past its type chunk")
                    _vsize, _res0, vtype, vdata = struct.unpack_from("<HBBI", data, at + esize)
                    yield locale, vtype, vdata
        pos += csize


def _entry_offset(data: bytes, at: int, end: int, flags: int, count: int, entry_id: int) -> int | None:
    if flags & FLAG_SPARSE:  # (u16 index, u16 offset / 4) pairs, sorted by index
        if at + 4 * count > end:
            raise ArscError("sparse entry table runs past its chunk")
        for i in range(count):
            index, offset4 = struct.unpack_from("<HH", data, at + 4 * i)
            if index == entry_id:
                return offset4 * 4
        return None
    if entry_id >= count:
        return None
    if flags & FLAG_OFFSET16:
        if at + 2 * count > end:
            raise ArscError("entry table runs past its chunk")
        offset = struct.unpack_from("<H", data, at + 2 * entry_id)[0]
        return None if offset == 0xFFFF else offset * 4
    if at + 4 * count > end:
        raise ArscError("entry table runs past its chunk")
    offset = struct.unpack_from("<I", data, at + 4 * entry_id)[0]
    return None if offset == NO_ENTRY else offset
