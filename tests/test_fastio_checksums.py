"""The faster I/O path still catches corrupt packets: a raw ADB peer on loopback that announces a
chosen protocol version and sends chosen checksums."""

from __future__ import annotations

import socket
import threading

import pytest

from inspector.acquire.android import errors
from inspector.acquire.android.connection import AndroidConnection
from inspector.simulator import wire

OLD, NEW = wire.A_VERSION_MIN, wire.A_VERSION_SKIP_CHECKSUM


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("host closed the connection")
        data += chunk
    return data


def _read_message(sock: socket.socket) -> tuple[wire.Header, bytes]:
    header = wire.unpack_header(_recv_exact(sock, wire.HEADER_SIZE))
    return header, _recv_exact(sock, header.data_length)


def _peer(version: int, payload_checksum) -> tuple[socket.socket, threading.Thread]:
    """Answers CNXN with ``version``, then one shell stream whose WRTE carries ``payload_checksum(data)``."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            _read_message(conn)  # host CNXN
            banner = b"device::ro.product.model=Raw;"
            conn.sendall(wire.pack_header(wire.A_CNXN, version, 4096, len(banner), wire.checksum(banner)) + banner)
            header, _ = _read_message(conn)  # OPEN shell:…
            conn.sendall(wire.pack_message(wire.A_OKAY, 7, header.arg0))
            data = b"hello from an old phone\n"
            conn.sendall(wire.pack_header(wire.A_WRTE, 7, header.arg0, len(data), payload_checksum(data)) + data)
            try:
                _read_message(conn)  # OKAY
                conn.sendall(wire.pack_message(wire.A_CLSE, 7, header.arg0))
                _read_message(conn)
            except (OSError, EOFError, wire.WireError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread


def _shell(server: socket.socket) -> bytes:
    host, port = server.getsockname()
    with AndroidConnection.connect_tcp(host, port, auth_timeout_s=5) as conn:
        return conn.shell(b"echo", timeout_s=5)


@pytest.mark.parametrize("version", [OLD, NEW])
def test_correct_checksums_are_accepted(version):
    server, thread = _peer(version, wire.checksum)
    try:
        assert _shell(server) == b"hello from an old phone\n"
    finally:
        server.close()
        thread.join(5)


@pytest.mark.parametrize("version,bad", [(OLD, lambda d: 0), (OLD, lambda d: wire.checksum(d) + 1),
                                         (NEW, lambda d: wire.checksum(d) + 1)])
def test_corrupt_packets_are_refused(version, bad):
    server, thread = _peer(version, bad)
    try:
        with pytest.raises(errors.DeviceDisconnected, match="checksum"):
            _shell(server)
    finally:
        server.close()
        thread.join(5)


def test_new_protocol_skips_checksum_zero():
    server, thread = _peer(NEW, lambda d: 0)
    try:
        assert _shell(server) == b"hello from an old phone\n"
    finally:
        server.close()
        thread.join(5)
