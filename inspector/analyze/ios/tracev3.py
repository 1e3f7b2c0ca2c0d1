"""A bounded reader of the binary unified log: the ``.tracev3`` files of a logarchive.

What it reads (everything little-endian; a file is a sequence of chunks, each a 16-byte preamble —
tag u32, sub-tag u32, data size u64 — then the data, padded to 8 bytes):

- the header chunk (``0x1000``): the timebase (ticks → ns as numerator/denominator), the continuous
  time at the start of the file and, in its ``0x6102`` sub-chunk, the boot UUID (timesync.py maps the
  boot's continuous time to UTC);
- catalog chunks (``0x600B``): the image UUIDs, the subsystem/category strings and one entry per
  process (``proc_id`` pair → pid, euid, index of the main executable's UUID, of the shared cache's,
  the images loaded at which addresses, the process's subsystems);
- chunksets (``0x600D``): LZ4 blocks (``bv41`` compressed / ``bv4-`` stored … ``bv4$``) holding
  firehose chunks (``0x6001``: one process's tracepoints, each with a 24-byte header — record type,
  log level, flags, format-string reference, thread, continuous-time delta, data size — then the
  data) and oversize chunks (``0x6002``: the values of an entry too large for its firehose chunk).
  Log records (type 4, what ``os_log`` writes) are decoded down to their values; activity, trace,
  signpost and loss records, statedump and simpledump chunks are counted and skipped.

Format sources: libyal's dtformats, "Apple Unified Logging and Activity Tracing formats"; plaso's
``plaso/parsers/unified_logging.py`` and ``aul_tracev3.yaml`` (Apache-2.0); Mandiant's
macos-UnifiedLogs (Apache-2.0). No code is taken from them.

Hostile input: a file is read chunk by chunk from a stream (one chunk in memory at a time, at most
``MAX_CHUNK_BYTES``; a chunkset decompresses to at most its stated size, itself at most
``MAX_DECOMPRESSED_BYTES``); every count, offset and size is checked against the bytes that hold it;
every loop advances. A broken chunk inside a chunkset is skipped with a note; a broken file-level
chunk ends the file with a ``TraceV3Error`` naming the offset (the entries before it are kept).
"""

from __future__ import annotations

import struct
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import lz4.block

from inspector.analyze.ios.log_format import PRIVATE, Arg

TAG_HEADER = 0x1000
TAG_FIREHOSE = 0x6001
TAG_OVERSIZE = 0x6002
TAG_STATEDUMP = 0x6003
TAG_SIMPLEDUMP = 0x6004
TAG_CATALOG = 0x600B
TAG_CHUNKSET = 0x600D

# Real chunks are small: chunksets hold ~64 KiB compressed, catalogs a few hundred KiB. The limits
# leave a wide margin and stop a file that claims gigabytes.
MAX_CHUNK_BYTES = 16 << 20
MAX_DECOMPRESSED_BYTES = 16 << 20
MAX_OVERSIZE_BYTES = 32 << 20  # oversize values kept per file until the entries that need them come
MAX_PENDING = 100_000  # entries waiting for an oversize chunk further on in the file
MAX_PROBLEMS = 20

RECORD_NAMES = {0x02: "activity", 0x03: "trace", 0x04: "log", 0x06: "signpost", 0x07: "loss"}
LEVELS = {0x00: "Default", 0x01: "Info", 0x02: "Debug", 0x10: "Error", 0x11: "Fault"}

# Where an entry's format string lives (flags & 0x000E).
STRINGS_MAIN_EXE = 0x0002
STRINGS_SHARED_CACHE = 0x0004
STRINGS_ABSOLUTE = 0x0008
STRINGS_UUID_RELATIVE = 0x000A
STRINGS_LARGE_SHARED_CACHE = 0x000C

FLAG_CURRENT_ACTIVITY = 0x0001
FLAG_LARGE_OFFSET = 0x0020
FLAG_PRIVATE_RANGE = 0x0100
FLAG_SUBSYSTEM = 0x0200
FLAG_TTL = 0x0400
FLAG_OVERSIZE = 0x0800

_NUMBER_ITEMS = frozenset({0x00, 0x02})
_PRECISION_ITEMS = frozenset({0x10, 0x12})
_STRING_ITEMS = frozenset({0x20, 0x22, 0x40, 0x42})
_PRIVATE_STRING_ITEMS = frozenset({0x21, 0x41})
_BINARY_ITEMS = frozenset({0x30, 0x32, 0xF2})
# Private numbers, sensitive values, private binary data: never in the log.
_HIDDEN_ITEMS = frozenset({0x01, 0x05, 0x25, 0x31, 0x35, 0x45, 0x81, 0x85, 0xF1})


class TraceV3Error(ValueError):
    """The file cannot be read further; the message names the offset and what is wrong there."""


@dataclass(frozen=True)
class Header:
    numerator: int
    denominator: int
    continuous_time: int
    boot_uuid: str  # upper case, with dashes


@dataclass
class Process:
    pid: int
    euid: int
    main_uuid: str | None  # upper-case hex without dashes, as uuidtext files are named
    dsc_uuid: str | None
    images: list[tuple[int, int, str]] = field(default_factory=list)  # (load address, size, uuid)
    subsystems: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (subsystem, category)


@dataclass(frozen=True)
class RawEntry:
    """One log record as stored: what it says still has to be looked up (logarchive.py)."""

    process: Process
    continuous_time: int
    thread: int
    level: str
    strings: int  # STRINGS_* : where the format string is
    strings_uuid: str | None  # the uuidtext file holding it (None for the shared cache)
    format_ref: int
    dynamic: bool  # the format string is "%s" (a string built at run time)
    subsystem: tuple[str, str] | None
    args: tuple[Arg, ...] | None  # None: the values could not be read (why: ``args_problem``)
    args_problem: str | None
    chunk_offset: int  # offset of the chunkset in the file


@dataclass(frozen=True)
class _Pending:
    process: Process
    key: tuple[int, int, int]
    fields: dict


def _uuid_hex(raw: bytes) -> str:
    return raw.hex().upper()


def _cstring(data: bytes, offset: int, limit: int = 1024) -> str:
    if not 0 <= offset < len(data):
        return ""
    return data[offset:offset + limit].split(b"\x00", 1)[0].decode("utf-8", "replace")


class _Cursor:
    """Reads from one bytes object; every read past its end is a TraceV3Error naming ``where``."""

    __slots__ = ("data", "pos", "where")

    def __init__(self, data: bytes, where: str, pos: int = 0) -> None:
        self.data, self.pos, self.where = data, pos, where

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise TraceV3Error(f"{self.where}: needs {size} bytes at {self.pos}, only {len(self.data) - self.pos} left")
        out = self.data[self.pos:end]
        self.pos = end
        return out

    def unpack(self, fmt: str) -> tuple:
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))

    def left(self) -> int:
        return len(self.data) - self.pos


def parse_header(data: bytes) -> Header:
    if len(data) < 40:
        raise TraceV3Error(f"the header chunk is {len(data)} bytes, too short")
    numerator, denominator, continuous = struct.unpack_from("<IIQ", data, 0)
    if not numerator or not denominator:
        raise TraceV3Error(f"the header has a zero timebase ({numerator}/{denominator})")
    boot = None
    offset = 40
    while offset + 8 <= len(data):  # sub-chunks: tag u32, size u32, data
        tag, size = struct.unpack_from("<II", data, offset)
        body = data[offset + 8:offset + 8 + size]
        if len(body) < size:
            raise TraceV3Error(f"header sub-chunk 0x{tag:x} at {offset} claims {size} bytes, past the header's end")
        if tag == 0x6100 and size >= 8:
            (continuous,) = struct.unpack_from("<Q", body, 0)
        elif tag == 0x6102 and size >= 16:
            boot = str(uuid.UUID(bytes=body[:16])).upper()
        offset += 8 + size
    if boot is None:
        raise TraceV3Error("the header has no boot UUID (sub-chunk 0x6102)")
    return Header(numerator, denominator, continuous, boot)


def parse_catalog(data: bytes) -> dict[tuple[int, int], Process]:
    """The catalog's processes by (proc_id upper, lower)."""
    c = _Cursor(data, "catalog")
    strings_off, procs_off, n_procs, _subchunks_off, _n_subchunks = c.unpack("<HHHHH")
    c.take(6 + 8)  # unknown, earliest firehose time
    if strings_off % 16 or procs_off < strings_off or 24 + procs_off > len(data):
        raise TraceV3Error(f"catalog offsets are inconsistent (UUIDs {strings_off} bytes, processes at {procs_off}, "
                           f"catalog {len(data)} bytes)")
    uuids = [_uuid_hex(data[24 + i:24 + i + 16]) for i in range(0, strings_off, 16)]
    strings = data[24 + strings_off:24 + procs_off]
    c.pos = 24 + procs_off
    processes: dict[tuple[int, int], Process] = {}
    for index in range(n_procs):
        c.where = f"catalog process entry {index}"
        _i, _u, main_index, dsc_index, upper, lower, pid, euid, _u2, n_uuids, _u3 = c.unpack("<HHhhQIIIIII")
        if n_uuids * 16 > c.left():
            raise TraceV3Error(f"{c.where}: {n_uuids} images claimed, more than the catalog holds")
        process = Process(pid, euid, uuids[main_index] if 0 <= main_index < len(uuids) else None,
                          uuids[dsc_index] if 0 <= dsc_index < len(uuids) else None)
        for _ in range(n_uuids):
            size, _unknown, uuid_index, load_lower, load_upper = c.unpack("<IIHIH")
            if uuid_index < len(uuids):
                process.images.append((load_lower | load_upper << 32, size, uuids[uuid_index]))
        n_subsystems, _u4 = c.unpack("<II")
        if n_subsystems * 6 > c.left():
            raise TraceV3Error(f"{c.where}: {n_subsystems} subsystems claimed, more than the catalog holds")
        for _ in range(n_subsystems):
            ident, sub_off, cat_off = c.unpack("<HHH")
            process.subsystems[ident] = (_cstring(strings, sub_off), _cstring(strings, cat_off))
        c.take(min((8 - (n_subsystems * 6) % 8) % 8, c.left()))
        processes[(upper, lower)] = process
    return processes


def decompress_chunkset(data: bytes) -> bytes:
    """The chunkset's content: its LZ4 blocks, each decompressed to exactly its stated size."""
    out: list[bytes] = []
    total, offset = 0, 0
    while True:
        magic = data[offset:offset + 4]
        if magic == b"bv4$":
            return b"".join(out)
        if magic not in (b"bv41", b"bv4-"):
            raise TraceV3Error(f"chunkset block at {offset}: magic {magic!r}, expected bv41, bv4- or bv4$")
        if magic == b"bv41":
            if offset + 12 > len(data):
                raise TraceV3Error(f"chunkset block at {offset} is cut short")
            size, packed = struct.unpack_from("<II", data, offset + 4)
            body_at = offset + 12
        else:
            if offset + 8 > len(data):
                raise TraceV3Error(f"chunkset block at {offset} is cut short")
            (size,) = struct.unpack_from("<I", data, offset + 4)
            packed, body_at = size, offset + 8
        total += size
        if total > MAX_DECOMPRESSED_BYTES:
            raise TraceV3Error(f"chunkset claims {total} bytes decompressed, more than the "
                               f"{MAX_DECOMPRESSED_BYTES >> 20} MiB a real one comes near")
        body = data[body_at:body_at + packed]
        if len(body) < packed:
            raise TraceV3Error(f"chunkset block at {offset} claims {packed} bytes, only {len(body)} are there")
        if magic == b"bv41":
            try:
                block = lz4.block.decompress(body, uncompressed_size=size)
            except lz4.block.LZ4BlockError as exc:
                raise TraceV3Error(f"chunkset block at {offset} does not decompress to its stated {size} bytes "
                                   f"({exc})") from None
            if len(block) != size:
                raise TraceV3Error(f"chunkset block at {offset} decompresses to {len(block)} bytes, "
                                   f"not its stated {size}")
        else:
            block = body
        out.append(block)
        offset = body_at + packed


def _items(c: _Cursor, count: int) -> list[tuple[int, bytes]]:
    out = []
    for _ in range(count):
        kind, size = c.unpack("<BB")
        out.append((kind, c.take(size)))
    return out


def _args(items: list[tuple[int, bytes]], values: bytes, private: bytes | None, private_base: int
          ) -> tuple[tuple[Arg, ...] | None, str | None]:
    """The values of an entry, in format-string order; (None, why) for a value type we do not know."""
    args: list[Arg] = []
    for kind, raw in items:
        if kind in _PRECISION_ITEMS:
            continue
        if kind in _NUMBER_ITEMS:
            args.append(Arg("int", raw))
        elif kind in _HIDDEN_ITEMS:
            args.append(PRIVATE)
        elif kind in _STRING_ITEMS or kind in _BINARY_ITEMS or kind in _PRIVATE_STRING_ITEMS:
            if len(raw) != 4:
                return None, f"value of type 0x{kind:02x} has {len(raw)} bytes of location, not 4"
            offset, size = struct.unpack("<HH", raw)
            if kind in _PRIVATE_STRING_ITEMS:
                if private is None or not size:
                    args.append(PRIVATE)
                    continue
                source, offset = private, private_base + offset
            else:
                source = values
            if size == 0:
                args.append(Arg("str", None) if kind not in _BINARY_ITEMS else Arg("bin", b""))
                continue
            if offset < 0 or offset + size > len(source):
                return None, f"value of type 0x{kind:02x} at {offset}+{size} lies outside the entry's data"
            args.append(Arg("bin" if kind in _BINARY_ITEMS else "str", source[offset:offset + size]))
        else:
            return None, f"unknown value type 0x{kind:02x}"
    return tuple(args), None


class TraceV3Reader:
    """One tracev3 file, read from a stream. ``want(process)`` decides whose log records are decoded
    (the others' firehose chunks are skipped after their 32-byte header)."""

    def __init__(self, stream: BinaryIO, want: Callable[[Process], bool] | None = None) -> None:
        self.stream = stream
        self.want = want
        self.header: Header | None = None
        self.problems: list[str] = []
        self.counts: Counter[str] = Counter()
        self.offset = 0
        self._processes: dict[tuple[int, int], Process] = {}
        self._oversize: dict[tuple[int, int, int], tuple[list, bytes, bytes]] = {}
        self._oversize_bytes = 0
        self._pending: list[_Pending] = []

    # -- the stream -------------------------------------------------------------------------------
    def _read(self, size: int) -> bytes:
        parts, left = [], size
        while left:
            piece = self.stream.read(min(left, 1 << 20))
            if not piece:
                break
            parts.append(piece)
            left -= len(piece)
        data = b"".join(parts)
        self.offset += len(data)
        return data

    def _note(self, text: str) -> None:
        self.counts["problems"] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    def _chunks(self) -> Iterator[tuple[int, int, bytes]]:
        while True:
            at = self.offset
            preamble = self._read(16)
            if not preamble:
                return
            if len(preamble) < 16:
                raise TraceV3Error(f"cut short: {len(preamble)} bytes of a chunk header at offset {at}")
            tag, _sub, size = struct.unpack("<IIQ", preamble)
            if size > MAX_CHUNK_BYTES:
                raise TraceV3Error(f"chunk 0x{tag:x} at offset {at} claims {size} bytes, more than the "
                                   f"{MAX_CHUNK_BYTES >> 20} MiB a real one comes near")
            data = self._read(size)
            if len(data) < size:
                raise TraceV3Error(f"cut short: chunk 0x{tag:x} at offset {at} claims {size} bytes, "
                                   f"{len(data)} are there")
            self._read(-size % 8)
            yield at, tag, data

    # -- entries --------------------------------------------------------------------------------------
    def entries(self) -> Iterator[RawEntry]:
        """The log records of the wanted processes. TraceV3Error ends the file (after what was read)."""
        chunks = self._chunks()
        first = next(chunks, None)
        if first is None:
            raise TraceV3Error("the file is empty")
        at, tag, data = first
        if tag != TAG_HEADER:
            raise TraceV3Error(f"not a tracev3 file: the first chunk's tag is 0x{tag:x}, not the header's 0x1000")
        self.header = parse_header(data)
        for at, tag, data in chunks:
            if tag == TAG_CATALOG:
                self._processes = parse_catalog(data)
                self.counts["catalogs"] += 1
            elif tag == TAG_CHUNKSET:
                try:
                    content = decompress_chunkset(data)
                except TraceV3Error as exc:
                    self._note(f"chunkset at offset {at}: {exc}")
                    continue
                self.counts["chunksets"] += 1
                yield from self._chunkset(at, content)
            else:
                self.counts[f"chunk_0x{tag:x}"] += 1
        yield from self._resolve_pending()

    def _chunkset(self, at: int, content: bytes) -> Iterator[RawEntry]:
        offset = 0
        while offset + 16 <= len(content):
            tag, _sub, size = struct.unpack_from("<IIQ", content, offset)
            body = content[offset + 16:offset + 16 + size]
            if len(body) < size:
                self._note(f"chunkset at offset {at}: chunk 0x{tag:x} at {offset} claims {size} bytes, "
                           f"past the chunkset's end")
                return
            try:
                if tag == TAG_FIREHOSE:
                    yield from self._firehose(at, body)
                elif tag == TAG_OVERSIZE:
                    self._add_oversize(body)
                elif tag in (TAG_STATEDUMP, TAG_SIMPLEDUMP):
                    self.counts["statedump" if tag == TAG_STATEDUMP else "simpledump"] += 1
                else:
                    self.counts[f"chunk_0x{tag:x}"] += 1
            except TraceV3Error as exc:
                self._note(f"chunkset at offset {at}, chunk at {offset}: {exc}")
            offset += 16 + size + (-(16 + size) % 8)

    def _firehose(self, at: int, body: bytes) -> Iterator[RawEntry]:
        c = _Cursor(body, "firehose chunk")
        upper, lower, _ttl, _collapsed, _u, public_size, private_virtual, _u2, _st, _u3, base_time = \
            c.unpack("<QIBBHHHHBBQ")
        process = self._processes.get((upper, lower))
        if process is None:
            raise TraceV3Error(f"firehose chunk of proc_id {upper}@{lower}, which no catalog lists")
        if self.want is not None and not self.want(process):
            self.counts["skipped_chunks"] += 1
            return
        public_end = 16 + public_size
        if public_end > len(body) or public_end < 32:
            raise TraceV3Error(f"firehose public data size {public_size} does not fit its {len(body)}-byte chunk")
        private = None
        private_virtual &= 0x0FFF
        if private_virtual:
            private_size = 0x1000 - private_virtual
            if private_size > len(body) - public_end:
                raise TraceV3Error(f"firehose private data ({private_size} bytes) overlaps its public data")
            private = body[len(body) - private_size:]
        offset = 32
        while offset + 24 <= public_end:
            record, level, flags, fmt, thread, delta_low, delta_high, size = \
                struct.unpack_from("<BBHIQIHH", body, offset)
            if record == 0:
                break  # the rest of the buffer is unused
            data = body[offset + 24:offset + 24 + size]
            if offset + 24 + size > public_end:
                raise TraceV3Error(f"tracepoint at {offset} claims {size} bytes, past the public data's end")
            offset += 24 + size + (-(24 + size) % 8)
            if record != 0x04:
                self.counts[RECORD_NAMES.get(record, f"record_0x{record:02x}")] += 1
                continue
            self.counts["log"] += 1
            entry = self._log(process, (upper, lower), at, level, flags, fmt, thread,
                              base_time + (delta_low | delta_high << 32), data, private, private_virtual)
            if entry is not None:
                yield entry

    def _log(self, process: Process, proc_id: tuple[int, int], at: int, level: int, flags: int, fmt: int,
             thread: int, continuous: int, data: bytes, private: bytes | None, private_virtual: int
             ) -> RawEntry | None:
        c = _Cursor(data, "log record")
        private_base = 0
        if flags & FLAG_CURRENT_ACTIVITY:
            c.take(8)
        if flags & FLAG_PRIVATE_RANGE:
            range_offset, _range_size = c.unpack("<HH")
            private_base = range_offset - private_virtual
        (pc_low,) = c.unpack("<I")
        large_offset = c.unpack("<H")[0] if flags & FLAG_LARGE_OFFSET else 0
        strings = flags & 0x000E
        strings_uuid: str | None = None
        if strings == STRINGS_MAIN_EXE:
            strings_uuid = process.main_uuid
        elif strings == STRINGS_ABSOLUTE:
            (pc_high,) = c.unpack("<H")
            pc = pc_low | pc_high << 32
            strings_uuid = next((u for base, size, u in process.images if base <= pc <= base + size), None)
        elif strings == STRINGS_UUID_RELATIVE:
            strings_uuid = _uuid_hex(c.take(16))
        elif strings == STRINGS_LARGE_SHARED_CACHE:
            c.take(2)
        subsystem = None
        if flags & FLAG_SUBSYSTEM:
            subsystem = process.subsystems.get(c.unpack("<H")[0])
        if flags & FLAG_TTL:
            c.take(1)
        dynamic = bool(fmt & 0x80000000)
        reference = (fmt & 0x7FFFFFFF) | (large_offset << 31)
        fields = dict(process=process, continuous_time=continuous, thread=thread,
                      level=LEVELS.get(level, f"0x{level:02x}"), strings=strings, strings_uuid=strings_uuid,
                      format_ref=reference, dynamic=dynamic, subsystem=subsystem, chunk_offset=at)
        if flags & FLAG_OVERSIZE:
            (ref,) = c.unpack("<I") if c.left() >= 4 else c.unpack("<H")
            key = (*proc_id, ref)
            if key in self._oversize:
                return self._from_oversize(key, fields)
            if len(self._pending) < MAX_PENDING:
                self._pending.append(_Pending(process, key, fields))
            else:
                self._note(f"more than {MAX_PENDING} entries wait for oversize data; the rest are dropped")
            return None
        args: tuple[Arg, ...] | None = ()
        problem = None
        if c.left() >= 2:
            _unknown, count = c.unpack("<BB")
            try:
                items = _items(c, count)
            except TraceV3Error as exc:
                args, problem = None, str(exc)
            else:
                args, problem = _args(items, data[c.pos:], private, private_base)
        return RawEntry(args=args, args_problem=problem, **fields)

    def _add_oversize(self, body: bytes) -> None:
        c = _Cursor(body, "oversize chunk")
        upper, lower, _ttl, _reserved, _time, ref, public_size, private_size = c.unpack("<QIB3sQIHH")
        public = c.take(min(public_size, c.left()))
        private = c.take(min(private_size, c.left()))
        if self._oversize_bytes + len(public) + len(private) > MAX_OVERSIZE_BYTES:
            self._note(f"more than {MAX_OVERSIZE_BYTES >> 20} MiB of oversize data; the rest is dropped")
            return
        inner = _Cursor(public, "oversize values")
        _unknown, count = inner.unpack("<BB")
        items = _items(inner, count)
        self._oversize[(upper, lower, ref)] = (items, public[inner.pos:], private)
        self._oversize_bytes += len(public) + len(private)
        self.counts["oversize"] += 1

    def _from_oversize(self, key: tuple[int, int, int], fields: dict) -> RawEntry:
        items, values, private = self._oversize[key]
        args, problem = _args(items, values, private or None, 0)
        return RawEntry(args=args, args_problem=problem, **fields)

    def _resolve_pending(self) -> Iterator[RawEntry]:
        for waiting in self._pending:
            if waiting.key in self._oversize:
                yield self._from_oversize(waiting.key, waiting.fields)
            else:
                yield RawEntry(args=None, args_problem=f"its oversize data (reference {waiting.key[2]}) is not "
                               "in the file", **waiting.fields)
        self._pending = []
