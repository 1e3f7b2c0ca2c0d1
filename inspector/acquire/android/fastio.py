"""Two narrow speed-ups over adb-shell 0.4.x for bulk transfers, measured in docs/performance.md.

1. Protocol version. adb-shell announces ADB protocol 0x01000000, which obliges the phone to checksum
   every packet and adb-shell to verify it with a Python ``sum()`` over the payload: half of its time
   on a pull. Since Android 9, adbd speaks 0x01000001 and sends checksum 0 to a host that announces it,
   as Debian's ``adb`` does. We announce 0x01000001 and accept checksum 0 unless the phone announced
   the old version; any non-zero checksum is still verified.
2. Sync RECV. adb-shell's pull re-copies its receive buffer for every 64 KiB chunk; ``pull_stream``
   parses DATA/DONE records in place and writes each chunk straight to the output.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from adb_shell import constants
from adb_shell import exceptions as adb_exc
from adb_shell.adb_device import AdbDevice, _AdbIOManager
from adb_shell.adb_message import AdbMessage, checksum, unpack

VERSION_SKIP_CHECKSUM = 0x01000001

_SYNC_HEADER = struct.Struct("<2I")
_ID = constants.FILESYNC_ID_TO_WIRE
_CNXN_WIRE = constants.ID_TO_WIRE[constants.CNXN]
_DATA, _DONE, _FAIL = _ID[constants.DATA], _ID[constants.DONE], _ID[constants.FAIL]


class FastIOManager(_AdbIOManager):
    def __init__(self, transport: object) -> None:
        super().__init__(transport)
        self.peer_version = 0

    def _send(self, msg: AdbMessage, adb_info: object) -> None:
        if msg.command == _CNXN_WIRE:
            msg.arg0 = VERSION_SKIP_CHECKSUM
        super()._send(msg, adb_info)

    def _read_packet_from_device(self, adb_info):  # noqa: ANN001 - adb-shell's signature
        header = self._read_bytes_from_device(constants.MESSAGE_SIZE, adb_info)
        cmd, arg0, arg1, data_length, data_checksum = unpack(header)
        command = constants.WIRE_TO_ID.get(cmd)
        if not command:
            raise adb_exc.InvalidCommandError(f"Unknown command: {cmd:#x} (arg0={arg0}, arg1={arg1})")
        if command == constants.CNXN:
            self.peer_version = arg0
        if data_length == 0:
            return command, arg0, arg1, b""
        data = self._read_bytes_from_device(data_length, adb_info)
        # adbd learns our version from our CNXN, so even its AUTH packets (sent before its own CNXN
        # tells us its version) carry checksum 0; only a phone known to speak the old version must
        # send real checksums.
        skip = data_checksum == 0 and (self.peer_version == 0 or self.peer_version >= VERSION_SKIP_CHECKSUM)
        if not skip and checksum(data) != data_checksum:
            raise adb_exc.InvalidChecksumError(f"Received checksum {checksum(data)} != {data_checksum}")
        return command, arg0, arg1, data


def install(device: AdbDevice) -> None:
    """Give an AdbDevice (before connect) the faster I/O manager."""
    device._io_manager = FastIOManager(device._io_manager._transport)


def pull_stream(device: AdbDevice, path: bytes, write: Callable[[bytes], object],
                transport_timeout_s: float, read_timeout_s: float) -> int:
    """Stream ``path`` from the phone to ``write`` over the sync service; returns the byte count.
    Raises FileNotFoundError with the phone's reason on FAIL."""
    info = device._open(b"sync:", transport_timeout_s, read_timeout_s, None)
    request = _SYNC_HEADER.pack(_ID[constants.RECV], len(path)) + path
    device._io_manager.send(AdbMessage(constants.WRTE, info.local_id, info.remote_id, request), info)
    device._read_until([constants.OKAY], info)
    buffer = bytearray()
    offset = 0
    total = 0
    failure = None
    try:
        while True:
            # Parse every complete record in the buffer, then read more.
            while len(buffer) - offset >= 8:
                record_id, length = _SYNC_HEADER.unpack_from(buffer, offset)
                if record_id == _DONE:
                    return total
                if record_id not in (_DATA, _FAIL):
                    raise adb_exc.InvalidResponseError(f"unexpected sync record {record_id:#x}")
                if len(buffer) - offset - 8 < length:
                    break
                start = offset + 8
                if record_id == _FAIL:
                    failure = bytes(buffer[start:start + length]).decode("utf-8", "backslashreplace")
                    raise FileNotFoundError(failure)
                write(memoryview(buffer)[start:start + length])
                total += length
                offset = start + length
            if offset:
                del buffer[:offset]
                offset = 0
            cmd, data = device._read_until([constants.WRTE, constants.CLSE], info)
            if cmd == constants.CLSE:
                raise adb_exc.AdbConnectionError("the phone closed the sync stream mid-file")
            buffer += data
    finally:
        if failure is None:
            try:
                device._clse(info)
            except adb_exc.AdbTimeoutError:
                pass
        else:
            device._clse(info)
