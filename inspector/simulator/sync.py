"""The ``sync:`` service: adb's file transfer protocol (version 1) over one stream.

Requests are ``(id, length)`` little-endian uint32 pairs followed by ``length`` bytes (a path).
Responses used here:

* ``STAT path`` -> ``STAT mode size mtime`` (lstat; all zero when the path does not exist)
* ``LIST path`` -> ``DENT mode size mtime namelen name`` per entry, then an all-zero ``DONE`` record
* ``RECV path`` -> ``DATA len bytes`` chunks (at most 64 KiB each), then ``DONE 0``; ``FAIL len msg``
  when the file is missing or is a directory
* ``SEND path,mode`` + ``DATA``... + ``DONE mtime`` -> ``FAIL`` "Read-only file system" (the
  simulated phone is read-only); the data is consumed first, as adbd does
* ``QUIT`` -> end of the service

Responses are batched: many small records or DATA chunks share one WRTE of up to the negotiated
maximum payload, flushed whenever the service is about to wait for the client's next request.
"""

from __future__ import annotations

import logging
import os
import struct
from typing import Protocol

from .profile import FileTree
from .wire import (
    ID_DATA,
    ID_DENT,
    ID_DONE,
    ID_FAIL,
    ID_LIST,
    ID_QUIT,
    ID_RECV,
    ID_SEND,
    ID_STAT,
    SYNC_DATA_MAX,
    SYNC_PATH_MAX,
)

__all__ = ["SyncStream", "serve_sync"]

log = logging.getLogger(__name__)

_REQ = struct.Struct("<2I")
_STAT = struct.Struct("<4I")
_DENT = struct.Struct("<5I")
_DONE_LIST = _DENT.pack(ID_DONE, 0, 0, 0, 0)
_DONE_RECV = _REQ.pack(ID_DONE, 0)


class SyncStream(Protocol):
    """What the sync service needs from a stream."""

    max_payload: int

    def read_exact(self, n: int) -> bytes: ...

    def write(self, data: bytes | bytearray) -> None: ...


class _Batcher:
    """Collects response bytes and sends them as WRTEs of exactly ``max_payload`` bytes (the sync
    stream is a byte stream: a record may straddle two WRTEs), plus a final short one on flush."""

    def __init__(self, stream: SyncStream) -> None:
        self.stream = stream
        self.limit = max(1, stream.max_payload)
        self.buf = bytearray()

    def add(self, data: bytes | bytearray | memoryview) -> None:
        self.buf += data
        while len(self.buf) >= self.limit:
            self.stream.write(self.buf[: self.limit])
            del self.buf[: self.limit]

    def flush(self) -> None:
        if self.buf:
            self.stream.write(bytes(self.buf))
            self.buf.clear()


def _fail(out: _Batcher, message: str) -> None:
    msg = message.encode("utf-8", "replace")
    out.add(_REQ.pack(ID_FAIL, len(msg)) + msg)
    out.flush()


def serve_sync(stream: SyncStream, fs: FileTree) -> None:
    """Serve sync requests until QUIT, a failure, or the stream closing (``read_exact`` raises)."""
    out = _Batcher(stream)
    while True:
        out.flush()
        header = stream.read_exact(8)
        req_id, length = _REQ.unpack(header)
        if req_id in (ID_STAT, ID_LIST, ID_RECV, ID_SEND):
            if length > SYNC_PATH_MAX:
                _fail(out, "path too long")
                return
            path = stream.read_exact(length) if length else b""
        elif req_id == ID_QUIT:
            log.debug("sync: QUIT")
            return
        else:
            _fail(out, f"unknown command {req_id:08x}")
            return

        if req_id == ID_STAT:
            st = fs.lstat(path)
            if st is None:
                out.add(_STAT.pack(ID_STAT, 0, 0, 0))
            else:
                out.add(_STAT.pack(ID_STAT, st.mode & 0xFFFFFFFF, st.size & 0xFFFFFFFF, st.mtime & 0xFFFFFFFF))
        elif req_id == ID_LIST:
            for name, st in fs.listdir(path) or []:
                out.add(_DENT.pack(ID_DENT, st.mode & 0xFFFFFFFF, st.size & 0xFFFFFFFF,
                                   st.mtime & 0xFFFFFFFF, len(name)) + name)
            out.add(_DONE_LIST)
        elif req_id == ID_RECV:
            if not _recv(out, fs, path):
                return
        else:  # ID_SEND
            _send(stream, out, path)
            return


def _recv(out: _Batcher, fs: FileTree, path: bytes) -> bool:
    try:
        fd, _ = fs.open_file(path)
    except IsADirectoryError:
        _fail(out, "read failed: Is a directory")
        return False
    except FileNotFoundError:
        _fail(out, "open failed: No such file or directory")
        return False
    except OSError as exc:
        _fail(out, f"open failed: {exc.strerror or 'Permission denied'}")
        return False
    header = bytearray(_REQ.pack(ID_DATA, 0))
    with os.fdopen(fd, "rb", buffering=0) as fh:
        while True:
            try:
                chunk = fh.read(SYNC_DATA_MAX)
            except OSError as exc:
                _fail(out, f"read failed: {exc.strerror}")
                return False
            if not chunk:
                break
            struct.pack_into("<I", header, 4, len(chunk))
            out.add(header)
            out.add(chunk)
    out.add(_DONE_RECV)
    return True


def _send(stream: SyncStream, out: _Batcher, spec: bytes) -> None:
    """Consume a push (DATA... DONE) and refuse it: the simulated phone is read-only."""
    path = spec.rsplit(b",", 1)[0]
    log.info("sync: refusing SEND to %r (read-only)", path)
    while True:
        req_id, length = _REQ.unpack(stream.read_exact(8))
        if req_id == ID_DATA:
            if length > SYNC_DATA_MAX:
                _fail(out, "data too long")
                return
            remaining = length
            while remaining:
                remaining -= len(stream.read_exact(min(remaining, 65536)))
        elif req_id == ID_DONE:
            break
        else:
            _fail(out, f"unexpected {req_id:08x} in SEND")
            return
    _fail(out, "couldn't create file: Read-only file system")
