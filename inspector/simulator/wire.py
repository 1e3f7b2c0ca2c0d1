"""The ADB wire format: 24-byte message headers, command constants, sync-protocol constants.

Every ADB message is a 24-byte little-endian header followed by ``data_length`` payload bytes::

    command, arg0, arg1, data_length, data_checksum, magic      (six uint32, little-endian)

``magic`` is ``command ^ 0xffffffff``. ``data_checksum`` is the plain sum of the payload bytes
(mod 2**32); peers that negotiated protocol version ``A_VERSION_SKIP_CHECKSUM`` or later send 0 and
do not check it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "A_AUTH",
    "A_CLSE",
    "A_CNXN",
    "A_OKAY",
    "A_OPEN",
    "A_STLS",
    "A_SYNC",
    "A_VERSION",
    "A_VERSION_MIN",
    "A_VERSION_SKIP_CHECKSUM",
    "A_WRTE",
    "AUTH_RSAPUBLICKEY",
    "AUTH_SIGNATURE",
    "AUTH_TOKEN",
    "COMMANDS",
    "HEADER",
    "HEADER_SIZE",
    "MAX_PAYLOAD",
    "MAX_PAYLOAD_V1",
    "Header",
    "WireError",
    "checksum",
    "command_name",
    "pack_header",
    "pack_message",
    "unpack_header",
    "ID_DATA",
    "ID_DENT",
    "ID_DONE",
    "ID_FAIL",
    "ID_LIST",
    "ID_OKAY",
    "ID_QUIT",
    "ID_RECV",
    "ID_SEND",
    "ID_STAT",
    "SYNC_DATA_MAX",
    "SYNC_PATH_MAX",
    "sync_id",
]


def _cmd(name: bytes) -> int:
    return int.from_bytes(name, "little")


A_SYNC = _cmd(b"SYNC")
A_CNXN = _cmd(b"CNXN")
A_AUTH = _cmd(b"AUTH")
A_OPEN = _cmd(b"OPEN")
A_OKAY = _cmd(b"OKAY")
A_CLSE = _cmd(b"CLSE")
A_WRTE = _cmd(b"WRTE")
A_STLS = _cmd(b"STLS")

COMMANDS: dict[int, str] = {
    A_SYNC: "SYNC",
    A_CNXN: "CNXN",
    A_AUTH: "AUTH",
    A_OPEN: "OPEN",
    A_OKAY: "OKAY",
    A_CLSE: "CLSE",
    A_WRTE: "WRTE",
    A_STLS: "STLS",
}

#: Oldest protocol version (checksummed payloads, 4 KiB payload limit by default).
A_VERSION_MIN = 0x01000000
#: From this version on, peers neither compute nor check payload checksums.
A_VERSION_SKIP_CHECKSUM = 0x01000001
#: The version the simulated adbd speaks.
A_VERSION = 0x01000001

#: Largest payload a modern adbd accepts (and what both adb-shell and the adb client offer).
MAX_PAYLOAD = 1024 * 1024
#: Payload limit of the original protocol.
MAX_PAYLOAD_V1 = 4 * 1024

# AUTH message subtypes (arg0).
AUTH_TOKEN = 1
AUTH_SIGNATURE = 2
AUTH_RSAPUBLICKEY = 3

HEADER = struct.Struct("<6I")
HEADER_SIZE = HEADER.size  # 24


class WireError(ValueError):
    """A message header that no ADB peer would send (bad magic, unknown command, absurd length)."""


@dataclass(frozen=True, slots=True)
class Header:
    command: int
    arg0: int
    arg1: int
    data_length: int
    data_checksum: int
    magic: int

    @property
    def name(self) -> str:
        return command_name(self.command)


def command_name(command: int) -> str:
    """``"CNXN"`` for a known command, else a printable rendering of the four bytes."""
    known = COMMANDS.get(command)
    if known is not None:
        return known
    raw = (command & 0xFFFFFFFF).to_bytes(4, "little")
    return raw.decode("latin-1") if all(32 <= b < 127 for b in raw) else f"0x{command:08x}"


def checksum(data: bytes | bytearray | memoryview) -> int:
    """The ADB payload checksum: the sum of all bytes, modulo 2**32."""
    return sum(data) & 0xFFFFFFFF


def pack_header(command: int, arg0: int, arg1: int, data_length: int, data_checksum: int) -> bytes:
    return HEADER.pack(
        command,
        arg0 & 0xFFFFFFFF,
        arg1 & 0xFFFFFFFF,
        data_length,
        data_checksum & 0xFFFFFFFF,
        command ^ 0xFFFFFFFF,
    )


def pack_message(command: int, arg0: int, arg1: int, data: bytes = b"", *, with_checksum: bool = True) -> bytes:
    """Header plus payload as one ``bytes``; ``with_checksum=False`` writes 0 like a modern adbd."""
    ck = checksum(data) if with_checksum and data else 0
    return pack_header(command, arg0, arg1, len(data), ck) + bytes(data)


def unpack_header(raw: bytes | bytearray | memoryview, *, max_data: int | None = None) -> Header:
    """Parse and validate a 24-byte header.

    Raises :class:`WireError` for a short buffer, a magic that is not ``command ^ 0xffffffff``, an
    unknown command, or (if ``max_data`` is given) a payload length above ``max_data``.
    """
    if len(raw) != HEADER_SIZE:
        raise WireError(f"an ADB header is {HEADER_SIZE} bytes, got {len(raw)}")
    command, arg0, arg1, length, ck, magic = HEADER.unpack(raw)
    if magic != command ^ 0xFFFFFFFF:
        raise WireError(f"bad magic 0x{magic:08x} for command 0x{command:08x}")
    if command not in COMMANDS:
        raise WireError(f"unknown command {command_name(command)!r}")
    if max_data is not None and length > max_data:
        raise WireError(f"{command_name(command)} payload of {length} bytes exceeds {max_data}")
    return Header(command, arg0, arg1, length, ck, magic)


# ---------------------------------------------------------------------------------------------
# The file sync protocol (inside a "sync:" stream). Requests are (id, length) + length bytes.


def sync_id(name: bytes) -> int:
    return int.from_bytes(name, "little")


ID_STAT = sync_id(b"STAT")
ID_LIST = sync_id(b"LIST")
ID_SEND = sync_id(b"SEND")
ID_RECV = sync_id(b"RECV")
ID_DENT = sync_id(b"DENT")
ID_DONE = sync_id(b"DONE")
ID_DATA = sync_id(b"DATA")
ID_OKAY = sync_id(b"OKAY")
ID_FAIL = sync_id(b"FAIL")
ID_QUIT = sync_id(b"QUIT")

#: Largest DATA chunk in the sync protocol (both directions).
SYNC_DATA_MAX = 64 * 1024
#: Longest path adbd accepts in a sync request.
SYNC_PATH_MAX = 1024
