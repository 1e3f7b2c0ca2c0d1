"""A small, format-faithful ``system_logs.logarchive`` for tests, written in milliseconds.

What a real one holds, at the same paths: ``Persist/<16 hex>.tracev3`` (a header chunk, a catalog,
chunksets of LZ4 blocks holding firehose and oversize chunks), ``timesync/<16 hex>.timesync`` (a boot
record and a sync record), one uuidtext file per process image (``XX/YYYY…``: the image's format
strings and path) and a ``dsc/<UUID>`` shared-cache strings file (an empty one: shared-cache entries
are not decoded). The layouts follow libyal's dtformats ("Apple Unified Logging and Activity Tracing
formats"), plaso's ``aul_*.yaml`` and Mandiant's macos-UnifiedLogs; the tests read the result with
plaso's parser as the independent reader. Synthetic, not captured from a phone: the processes, pids,
paths and messages are plausible iOS ones chosen for the tests.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import lz4.block

BOOT_UUID = uuid.UUID("6C2A8E3B-4F1D-4E7A-9C55-0B3D2E1F4A66")
DSC_UUID = uuid.UUID("A1B2C3D4-0000-4000-8000-00000000D5C0")
NUMERATOR, DENOMINATOR = 125, 3  # Apple silicon's timebase: 41.67 ns per tick
BOOT_TIME = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
STRINGS_BASE = 0x4000  # virtual offset of each image's format strings

# name → (image path, pid, euid, subsystem)
PROCESSES: dict[str, tuple[str, int, int, str]] = {
    "lockdownd": ("/usr/libexec/lockdownd", 61, 0, "com.apple.lockdownd"),
    "afcd": ("/usr/libexec/afcd", 812, 501, "com.apple.afcd"),
    "BackupAgent2": ("/usr/libexec/BackupAgent2", 955, 501, "com.apple.MobileBackup"),
    "SpringBoard": ("/System/Library/CoreServices/SpringBoard.app/SpringBoard", 34, 501, "com.apple.SpringBoard"),
    "locationd": ("/usr/libexec/locationd", 77, 0, "com.apple.locationd"),
}


@dataclass(frozen=True)
class Private:
    """A value logged as private. ``value`` None: not recorded (``<private>``); else recorded in the
    firehose chunk's private data (private logging enabled)."""

    value: str | None = None


@dataclass
class LogLine:
    process: str
    when: datetime  # UTC
    format: str
    args: list = field(default_factory=list)  # int, str (public), Private
    level: int = 0x00  # Default
    shared_cache: bool = False  # the format string is "in the dsc" (not in the process's uuidtext)
    oversize: bool = False  # the values go into an oversize chunk
    oversize_after: bool = False  # … placed after the firehose chunk that needs it


def image_uuid(process: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"inspector-test-image:{process}")


def proc_id(process: str) -> tuple[int, int]:
    pid = PROCESSES[process][1]
    return 0x1000 + pid, pid * 3 + 1


def _pad8(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 8)


def _chunk(tag: int, sub_tag: int, data: bytes) -> bytes:
    return struct.pack("<IIQ", tag, sub_tag, len(data)) + data


def _ticks(when: datetime, sync: tuple[int, int] | None) -> int:
    """The continuous time whose UTC is ``when`` (after the sync record if it applies)."""
    ns = int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1000
    boot_ns = int(BOOT_TIME.timestamp()) * 1_000_000_000
    ticks = (ns - boot_ns) * DENOMINATOR // NUMERATOR
    if sync is not None:
        sync_ct, sync_ns = sync
        after = sync_ct + (ns - sync_ns) * DENOMINATOR // NUMERATOR
        if after >= sync_ct:
            return after
    return ticks


def sync_record() -> tuple[int, int]:
    """One wall-clock adjustment an hour after boot: the clock was set 2 s forward."""
    ct = 3600 * 1_000_000_000 * DENOMINATOR // NUMERATOR
    return ct, int(BOOT_TIME.timestamp()) * 1_000_000_000 + 3600 * 1_000_000_000 + 2_000_000_000


class _Strings:
    def __init__(self) -> None:
        self.data = bytearray()
        self.at: dict[str, int] = {}

    def ref(self, text: str) -> int:
        if text not in self.at:
            self.at[text] = STRINGS_BASE + len(self.data)
            self.data += text.encode() + b"\x00"
        return self.at[text]


def uuidtext(path: str, strings: bytes) -> bytes:
    head = struct.pack("<IIII", 0x66778899, 2, 1, 1) + struct.pack("<II", STRINGS_BASE, len(strings))
    return head + strings + path.encode() + b"\x00"


def timesync(sync: tuple[int, int] | None) -> bytes:
    boot_ns = int(BOOT_TIME.timestamp()) * 1_000_000_000
    out = (b"\xb0\xbb" + struct.pack("<HI", 48, 0) + BOOT_UUID.bytes
           + struct.pack("<IIqiI", NUMERATOR, DENOMINATOR, boot_ns, -480, 0))
    if sync is not None:
        out += b"Ts" + struct.pack("<HIQqiI", 32, 0, sync[0], sync[1], -480, 0)
    return out


def header_chunk(start_ct: int = 0) -> bytes:
    body = struct.pack("<IIQiIIiII", NUMERATOR, DENOMINATOR, start_ct, int(BOOT_TIME.timestamp()), 0, 0, -480, 0, 1)
    body += struct.pack("<IIQ", 0x6100, 8, start_ct)
    body += struct.pack("<IIII", 0x6101, 56, 0, 0) + b"21G93".ljust(16, b"\x00") + b"iPhone14,5".ljust(32, b"\x00")
    body += struct.pack("<II", 0x6102, 24) + BOOT_UUID.bytes + struct.pack("<II", 38, 0)
    body += struct.pack("<II", 0x6103, 48) + b"/var/db/timezone/zoneinfo/Asia/Shanghai".ljust(48, b"\x00")
    assert len(body) == 0xD0
    return _chunk(0x1000, 0x11, body)


def _items(args: list) -> tuple[bytes, bytes, bytes]:
    """(items, public values, private values) for ``args``; offsets from the start of each."""
    items, values, private = b"", b"", b""
    for value in args:
        if isinstance(value, int):
            if -(1 << 31) <= value < (1 << 31):
                items += struct.pack("<BBi", 0x00, 4, value)
            else:
                items += struct.pack("<BBq", 0x00, 8, value)
        elif isinstance(value, Private):
            if value.value is None:
                items += struct.pack("<BBHH", 0x21, 4, 0, 0)
            else:
                raw = value.value.encode() + b"\x00"
                items += struct.pack("<BBHH", 0x21, 4, len(private), len(raw))
                private += raw
        else:
            raw = str(value).encode() + b"\x00"
            items += struct.pack("<BBHH", 0x22, 4, len(values), len(raw))
            values += raw
    return struct.pack("<BB", 0x22, len(args)) + items, values, private


@dataclass
class _Entry:
    line: LogLine
    ct: int
    ref: int


def _firehose(process: str, entries: list[_Entry], data_refs: dict[int, int]) -> bytes:
    """One firehose chunk of ``process``'s entries. ``data_refs``: entry index → oversize reference."""
    upper, lower = proc_id(process)
    base = min(e.ct for e in entries)
    private_blob = b""
    tracepoints = b""
    for number, entry in enumerate(entries):
        line = entry.line
        flags = 0x0200 | (0x0004 if line.shared_cache else 0x0002)
        body = b""
        items, values, private = _items(line.args)
        if private and number not in data_refs:
            flags |= 0x0100
            body += struct.pack("<HH", 0, len(private))  # patched below: virtual offset of the range
        body += struct.pack("<I", 0x1F30 + 8 * number)  # where in the image the call is (pc)
        body += struct.pack("<H", 1)  # subsystem 1 of the process
        if number in data_refs:
            flags |= 0x0800
            body += struct.pack("<I", data_refs[number])
        else:
            body += items + values
        delta = entry.ct - base
        header = struct.pack("<BBHIQIHH", 0x04, line.level, flags, entry.ref, 0x3E8 + number,
                             delta & 0xFFFFFFFF, delta >> 32, len(body))
        tracepoints += _pad8(header + body)
        if flags & 0x0100:
            private_blob += private
    public_size = 16 + len(tracepoints)
    if private_blob:
        private_virtual = 0x1000 - len(private_blob)
        # the private range's virtual offset: where this entry's private values start
        tracepoints = _patch_private_ranges(tracepoints, private_virtual)
    else:
        private_virtual = 0x1000
    head = struct.pack("<QIBBHHHHBBQ", upper, lower, 0, 0, 0, public_size, private_virtual, 0, 0, 0, base)
    return _chunk(0x6001, 0, head + tracepoints + private_blob)


def _patch_private_ranges(tracepoints: bytes, private_virtual: int) -> bytes:
    """Entries with private values were written with range offset 0 relative to the private blob:
    make each the virtual offset (the blob starts at ``private_virtual``)."""
    out = bytearray(tracepoints)
    offset, seen = 0, 0
    while offset + 24 <= len(out):
        flags, size = struct.unpack_from("<H", out, offset + 2)[0], struct.unpack_from("<H", out, offset + 22)[0]
        if flags & 0x0100:
            _, range_size = struct.unpack_from("<HH", out, offset + 24)
            struct.pack_into("<H", out, offset + 24, private_virtual + seen)
            seen += range_size
        offset += 24 + size + (-(24 + size) % 8)
    return bytes(out)


def _oversize(process: str, entry: _Entry, reference: int) -> bytes:
    upper, lower = proc_id(process)
    items, values, private = _items(entry.line.args)
    public = items + values
    head = struct.pack("<QIB3sQIHH", upper, lower, 0, b"\x00" * 3, entry.ct, reference, len(public), len(private))
    return _chunk(0x6002, 0, head + public + private)


def chunkset(chunks: list[bytes], compress: bool = True) -> bytes:
    content = b"".join(_pad8(c) for c in chunks)
    if compress:
        packed = lz4.block.compress(content, store_size=False)
        block = b"bv41" + struct.pack("<II", len(content), len(packed)) + packed + b"bv4$"
    else:
        block = b"bv4-" + struct.pack("<I", len(content)) + content + b"bv4$"
    return _chunk(0x600D, 0, block)


def catalog(processes: list[str], chunksets: list[tuple[int, int, int, list[str]]]) -> bytes:
    """``chunksets``: (first ct, last ct, uncompressed size, processes in it) for the sub-chunks."""
    uuids = [image_uuid(p) for p in processes] + [DSC_UUID]
    strings = bytearray()
    offsets: dict[str, int] = {}
    for name in processes:
        for text in (PROCESSES[name][3], "default"):
            if text not in offsets:
                offsets[text] = len(strings)
                strings += text.encode() + b"\x00"
    strings += b"\x00" * (-len(strings) % 8)
    entries = b""
    for index, name in enumerate(processes):
        path, pid, euid, subsystem = PROCESSES[name]
        upper, lower = proc_id(name)
        entry = struct.pack("<HHhhQIIIIII", index, 0, index, len(uuids) - 1, upper, lower, pid, euid, 0, 1, 0)
        entry += struct.pack("<IIHIH", 0x10000, 0, index, 0x1000, 0)  # the main image, loaded at 0x1000
        entry += struct.pack("<II", 1, 0) + struct.pack("<HHH", 1, offsets[subsystem], offsets["default"])
        entries += _pad8(entry)
    sub_chunks = b""
    for first, last, size, names in chunksets:
        indexes = [processes.index(n) for n in names]
        sub = struct.pack("<QQIII", first, last, size, 0x100, len(indexes)) + struct.pack(f"<{len(indexes)}H", *indexes)
        sub += struct.pack("<I", 0)
        sub_chunks += _pad8(sub)
    uuid_bytes = b"".join(u.bytes for u in uuids)
    head = struct.pack("<HHHHH", len(uuid_bytes), len(uuid_bytes) + len(strings), len(processes),
                       len(uuid_bytes) + len(strings) + len(entries), len(chunksets))
    head += b"\x00" * 6 + struct.pack("<Q", min((c[0] for c in chunksets), default=0))
    return _chunk(0x600B, 0x11, head + uuid_bytes + bytes(strings) + entries + sub_chunks)


def tracev3(lines: list[LogLine], strings: dict[str, _Strings], sync: tuple[int, int] | None,
            per_chunk: int = 16, compress: bool = True, chunkset_bytes: int = 0) -> bytes:
    """One tracev3 file. Each firehose chunk holds up to ``per_chunk`` entries of one process; a
    chunkset holds one firehose chunk, or (``chunkset_bytes``) as many as fit in that many bytes, as
    logd's 64 KiB chunksets do."""
    processes = sorted({line.process for line in lines}, key=list(PROCESSES).index)
    entries = [_Entry(line, _ticks(line.when, sync), 0x1234_0000 + n if line.shared_cache
                      else strings[line.process].ref(line.format)) for n, line in enumerate(lines)]
    sets: list[tuple[int, int, int, list[str]]] = []
    blobs: list[bytes] = []
    pending: list[tuple[list[bytes], list[_Entry], str]] = []
    reference = 1

    def flush() -> None:
        if not pending:
            return
        chunks = [c for group_chunks, _, _ in pending for c in group_chunks]
        group = [e for _, group_entries, _ in pending for e in group_entries]
        blobs.append(chunkset(chunks, compress))
        sets.append((min(e.ct for e in group), max(e.ct for e in group), sum(len(_pad8(c)) for c in chunks),
                     sorted({name for _, _, name in pending}, key=processes.index)))
        pending.clear()

    for name in processes:
        mine = [e for e in entries if e.line.process == name]
        for start in range(0, len(mine), per_chunk):
            group = mine[start:start + per_chunk]
            before, after, refs = [], [], {}
            for number, entry in enumerate(group):
                if entry.line.oversize:
                    refs[number] = reference
                    (after if entry.line.oversize_after else before).append(_oversize(name, entry, reference))
                    reference += 1
            pending.append((before + [_firehose(name, group, refs)] + after, group, name))
            if sum(len(c) for chunks, _, _ in pending for c in chunks) >= chunkset_bytes:
                flush()
    flush()
    out = header_chunk() + catalog(processes, sets)
    out = _pad8(out)
    for blob in blobs:
        out += _pad8(blob)
    return out


def build_logarchive(files: dict[str, list[LogLine]], with_sync: bool = True, compress: bool = True
                     ) -> dict[str, bytes]:
    """The logarchive's files (paths relative to ``system_logs.logarchive/``): one tracev3 per key of
    ``files`` (e.g. ``Persist/0000000000000001.tracev3``), timesync, uuidtext and dsc. ``compress``
    False: chunksets stored (``bv4-``), as logd also writes them."""
    sync = sync_record() if with_sync else None
    strings = {name: _Strings() for name in PROCESSES}
    out: dict[str, bytes] = {}
    for name, lines in files.items():
        out[name] = tracev3(lines, strings, sync, compress=compress)
    for name, (path, *_rest) in PROCESSES.items():
        hexed = str(image_uuid(name)).replace("-", "").upper()
        out[f"{hexed[:2]}/{hexed[2:]}"] = uuidtext(path, bytes(strings[name].data))
    out["timesync/0000000000000001.timesync"] = timesync(sync)
    out[f"dsc/{str(DSC_UUID).replace('-', '').upper()}"] = b"hcsd" + struct.pack("<HHII", 2, 0, 0, 0)
    out["Info.plist"] = (b'<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
                         b"<key>OSArchiveVersion</key><integer>4</integer></dict></plist>\n")
    return out


def crossing_lines() -> list[LogLine]:
    """An extraction at a border on 2026-11-18 (UTC 02:00–03:00), ordinary use before it."""
    day = datetime(2026, 11, 18, tzinfo=UTC)
    return [
        LogLine("SpringBoard", day.replace(hour=1, minute=0), "Unlocked with %{public}s", ["passcode"]),
        LogLine("lockdownd", datetime(2026, 11, 17, 22, 0, tzinfo=UTC), "%{public}s: host %{public}s",
                ["StartSessionWithHost", "HOME-MAC"]),
        LogLine("lockdownd", day.replace(hour=2, minute=5), "%{public}s: host %{public}s (pid %d)",
                ["StartSessionWithHost", "5C1E-FORENSIC", 4242]),
        LogLine("lockdownd", day.replace(hour=2, minute=5, second=3),
                "Pairing: validating pair record for %s", [Private()]),
        LogLine("lockdownd", day.replace(hour=2, minute=6), "spawning service %{public}s for %s",
                ["com.apple.mobilebackup2", Private("5C1E-FORENSIC")]),
        LogLine("BackupAgent2", day.replace(hour=2, minute=6, second=10), "Starting backup of %d domains", [412]),
        LogLine("BackupAgent2", day.replace(hour=2, minute=31), "Backup finished: %llu bytes",
                [23_456_789_012], oversize=True),
        LogLine("afcd", day.replace(hour=2, minute=9), "Opened %{public}s for reading", ["/DCIM/100APPLE"]),
        LogLine("afcd", day.replace(hour=2, minute=9, second=30), "afc connection %d closed", [7],
                shared_cache=True),
        LogLine("locationd", day.replace(hour=2, minute=10), "location update %d", [3]),
    ]
