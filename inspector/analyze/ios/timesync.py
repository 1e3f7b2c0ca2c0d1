"""The ``timesync`` files of a logarchive: how the log's clock (continuous time) maps to UTC.

The unified log stamps entries with the kernel's continuous time (ticks since boot, also across
sleep). ``timesync/*.timesync`` holds, per boot (its UUID is in every tracev3 header), the timebase
(ticks → nanoseconds as numerator/denominator: 125/3 on Apple silicon, 1/1 on Intel) and the wall
clock at boot, followed by sync records pairing a continuous time with the wall clock (written
when the clock is set, e.g. by NTP or the network). Little-endian records:

- boot ``b0 bb``: size u16 (48), unknown u32, boot UUID (16 bytes), timebase numerator u32 and
  denominator u32, wall clock at boot i64 (ns since 1970, UTC), time-zone offset i32, DST flag u32;
- sync ``Ts``: size u16 (32), unknown u32, continuous time u64, wall clock i64 (ns), zone, DST.

Sources: libyal's dtformats ("Apple Unified Logging and Activity Tracing formats") and plaso's
``aul_timesync.yaml``.
"""

from __future__ import annotations

import bisect
import struct
import uuid
from dataclasses import dataclass, field

BOOT = b"\xb0\xbb"
SYNC = b"Ts"
BOOT_SIZE = 48
SYNC_SIZE = 32
MAX_RECORDS = 1_000_000


class TimesyncError(ValueError):
    """The file is not a timesync file or a record is damaged; the message says where."""


@dataclass
class Boot:
    numerator: int
    denominator: int
    wall_ns: int  # UTC at continuous time 0
    syncs: list[tuple[int, int]] = field(default_factory=list)  # (continuous time, UTC ns), sorted

    def to_utc_ns(self, continuous: int) -> int:
        """UTC in nanoseconds: from the last sync at or before ``continuous``, else from the boot."""
        at = bisect.bisect_right(self.syncs, (continuous, float("inf"))) - 1
        base_ct, base_ns = self.syncs[at] if at >= 0 else (0, self.wall_ns)
        return base_ns + (continuous - base_ct) * self.numerator // self.denominator


class Timesync:
    """Every boot of every timesync file read, by boot UUID (upper-case, with dashes)."""

    def __init__(self) -> None:
        self.boots: dict[str, Boot] = {}

    def add(self, data: bytes) -> int:
        """Read one timesync file; returns the number of records. TimesyncError on damage (the records
        before it are kept)."""
        offset, records, current = 0, 0, None
        while offset < len(data):
            if records >= MAX_RECORDS:
                raise TimesyncError(f"more than {MAX_RECORDS} records")
            signature = data[offset:offset + 2]
            if len(data) - offset < 4:
                raise TimesyncError(f"cut short at offset {offset}")
            (size,) = struct.unpack_from("<H", data, offset + 2)
            if signature == BOOT:
                if size < BOOT_SIZE or offset + size > len(data):
                    raise TimesyncError(f"boot record at offset {offset} has size {size}")
                raw_uuid = data[offset + 8:offset + 24]
                numerator, denominator, wall = struct.unpack_from("<IIq", data, offset + 24)
                if not numerator or not denominator:
                    raise TimesyncError(f"boot record at offset {offset} has a zero timebase")
                key = str(uuid.UUID(bytes=raw_uuid)).upper()
                current = self.boots.setdefault(key, Boot(numerator, denominator, wall))
            elif signature == SYNC:
                if size < SYNC_SIZE or offset + size > len(data):
                    raise TimesyncError(f"sync record at offset {offset} has size {size}")
                if current is None:
                    raise TimesyncError(f"sync record at offset {offset} before any boot record")
                continuous, wall = struct.unpack_from("<Qq", data, offset + 8)
                bisect.insort(current.syncs, (continuous, wall))
            else:
                raise TimesyncError(f"unknown record {signature.hex()} at offset {offset}")
            offset += size
            records += 1
        return records

    def to_utc_ns(self, boot_uuid: str, continuous: int) -> int | None:
        boot = self.boots.get(boot_uuid)
        return boot.to_utc_ns(continuous) if boot else None
