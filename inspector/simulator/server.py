"""``SimulatedPhone``: a fake adbd on a TCP socket speaking the real ADB wire protocol.

One accept thread; per connection one reader thread that parses messages and dispatches them; per
stream one service thread (shell/exec/sync). All writes to a socket happen under that connection's
send lock. Each stream keeps at most one WRTE in flight: a service blocks until the client's OKAY
for the previous WRTE arrived.
"""

from __future__ import annotations

import logging
import secrets
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .auth import (
    AuthEvent,
    AuthPolicy,
    KeyFormatError,
    decode_android_pubkey,
    key_id,
    verify_token_signature,
)
from .profile import DeviceProfile
from .shell import TinyShell, parse_command
from .sync import serve_sync
from .timing import DeviceTiming, LinkClock
from .wire import (
    A_AUTH,
    A_CLSE,
    A_CNXN,
    A_OKAY,
    A_OPEN,
    A_VERSION,
    A_VERSION_SKIP_CHECKSUM,
    A_WRTE,
    AUTH_RSAPUBLICKEY,
    AUTH_SIGNATURE,
    AUTH_TOKEN,
    HEADER_SIZE,
    MAX_PAYLOAD,
    WireError,
    checksum,
    command_name,
    pack_header,
    unpack_header,
)

__all__ = ["Faults", "SimulatedPhone"]

log = logging.getLogger(__name__)

_INBOX_LIMIT = 2 * MAX_PAYLOAD  # bytes a stream buffers from the client before withholding OKAY
_MIN_PAYLOAD = 256
_ROOT_REFUSAL = b"adbd cannot run as root in production builds\n"
_LINGER_RST = struct.pack("ii", 1, 0)
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


@dataclass
class Faults:
    """Transport faults, checked on every send. Byte counts include headers and accumulate across
    connections from ``start()`` or the last ``reset_fault_counters()``.

    ``drop_after_bytes``: once this many bytes went out, reset the connection (TCP RST) mid-message.
    ``stall_after_bytes``: once this many bytes went out, send nothing more but keep the socket open.
    ``refuse_connections``: accept each new TCP connection and reset it at once.
    """

    drop_after_bytes: int | None = None
    stall_after_bytes: int | None = None
    refuse_connections: bool = False


class StreamClosed(Exception):
    """The stream (or its whole connection) is gone; the service should stop quietly."""


class _Stream:
    def __init__(self, conn: _Connection, local_id: int, remote_id: int, service: str,
                 takes_input: bool) -> None:
        self.conn = conn
        self.local_id = local_id
        self.remote_id = remote_id
        self.service = service
        self.takes_input = takes_input
        self.cond = threading.Condition()
        self.acked = True  # the client's OPEN means it is ready for a first WRTE
        self.closed = False
        self.clse_sent = False
        self.inbox = bytearray()
        self.pending_okay = False

    @property
    def max_payload(self) -> int:
        return self.conn.max_payload

    # -- events from the reader thread ---------------------------------------------------------

    def on_okay(self) -> None:
        with self.cond:
            self.acked = True
            self.cond.notify_all()

    def on_wrte(self, data: bytes) -> None:
        if not self.takes_input:
            self.conn.send(A_OKAY, self.local_id, self.remote_id)
            return
        with self.cond:
            if len(self.inbox) >= _INBOX_LIMIT:
                # Flow control: the service sends this OKAY once it has drained the inbox.
                self.pending_okay = True
                self.inbox += data
                self.cond.notify_all()
                return
        # OKAY first: a client may drop a response WRTE that arrives before the OKAY it waits for.
        self.conn.send(A_OKAY, self.local_id, self.remote_id)
        with self.cond:
            self.inbox += data
            self.cond.notify_all()

    def on_clse(self) -> None:
        with self.cond:
            self.closed = True
            reply = not self.clse_sent
            self.clse_sent = True
            self.cond.notify_all()
        if reply:
            try:
                self.conn.send(A_CLSE, self.local_id, self.remote_id)
            except StreamClosed:
                pass

    def kill(self) -> None:
        with self.cond:
            self.closed = True
            self.clse_sent = True
            self.cond.notify_all()

    # -- used by the service thread ------------------------------------------------------------

    def ready(self) -> bool:
        """True if a WRTE could go out now without waiting for an OKAY."""
        return self.acked or self.closed

    def read_exact(self, n: int) -> bytes:
        with self.cond:
            while len(self.inbox) < n:
                if self.closed:
                    raise StreamClosed()
                self.cond.wait()
            data = bytes(self.inbox[:n])
            del self.inbox[:n]
            okay = self.pending_okay and len(self.inbox) < _INBOX_LIMIT
            if okay:
                self.pending_okay = False
        if okay:
            self.conn.send(A_OKAY, self.local_id, self.remote_id)
        return data

    def write(self, data: bytes | bytearray) -> None:
        """Send one WRTE (``len(data) <= max_payload``) after the previous one was acknowledged."""
        ck = checksum(data) if self.conn.checksums else 0
        with self.cond:
            while not self.acked and not self.closed:
                self.cond.wait()
            if self.closed:
                raise StreamClosed()
            self.acked = False
        self.conn.send(A_WRTE, self.local_id, self.remote_id, data, ck)

    def write_iter(self, chunks: Iterable[bytes]) -> None:
        """Send an output stream, coalescing small chunks while a WRTE is in flight (like Nagle)."""
        limit = self.max_payload
        buf = bytearray()
        for chunk in chunks:
            if not chunk:
                continue
            if not buf and len(chunk) <= limit and self.ready():
                self.write(chunk)
                continue
            buf += chunk
            while len(buf) >= limit:
                self.write(buf[:limit])
                del buf[:limit]
            if buf and self.ready():
                self.write(bytes(buf))
                buf.clear()
        if buf:
            self.write(bytes(buf))

    def finish(self) -> None:
        """Wait for the last OKAY, then close the stream from our side."""
        with self.cond:
            while not self.acked and not self.closed:
                self.cond.wait()
        self.close()

    def close(self) -> None:
        with self.cond:
            if self.clse_sent:
                return
            self.clse_sent = True
            self.closed = True
            self.cond.notify_all()
        self.conn.forget(self.local_id)
        try:
            self.conn.send(A_CLSE, self.local_id, self.remote_id)
        except StreamClosed:
            pass


class _Connection:
    def __init__(self, phone: SimulatedPhone, sock: socket.socket, number: int, peer: str) -> None:
        self.phone = phone
        self.sock = sock
        self.number = number
        self.peer = peer
        self.send_lock = threading.Lock()
        self.dead = threading.Event()
        self.stalled = False
        self.streams: dict[int, _Stream] = {}
        self.streams_lock = threading.Lock()
        self.next_id = 1
        self.version = A_VERSION
        self.max_payload = MAX_PAYLOAD
        self.checksums = True
        self.got_cnxn = False
        self.online = False
        self.token: bytes | None = None
        self.thread = threading.Thread(target=self.run, name=f"simphone-conn-{number}", daemon=True)

    # -- sending ---------------------------------------------------------------------------------

    def send(self, command: int, arg0: int, arg1: int, data: bytes | bytearray = b"",
             ck: int | None = None) -> None:
        if ck is None:
            ck = checksum(data) if (self.checksums and data) else 0
        header = pack_header(command, arg0, arg1, len(data), ck)
        total = HEADER_SIZE + len(data)
        link = self.phone._link
        if link is not None:
            link.charge(total, self.phone._stopping)
        with self.send_lock:
            if self.dead.is_set():
                raise StreamClosed()
            if self.stalled:
                return  # a stalled phone sends nothing more; the client's OKAYs never come
            allowed, action = self.phone._charge(total)
            try:
                if allowed == total:
                    if len(data) <= 65536:
                        self.sock.sendall(header + data)
                    else:
                        self.sock.sendall(header)
                        self.sock.sendall(data)
                elif allowed > 0:
                    self.sock.sendall((header + bytes(data))[:allowed])
            except OSError as exc:
                log.debug("connection %d: send failed: %s", self.number, exc)
                self.abort()
                raise StreamClosed() from None
            if action == "drop":
                log.info("connection %d: fault: dropping the connection (%d bytes sent in total)",
                         self.number, self.phone.bytes_sent)
                self.abort()
                raise StreamClosed()
            if action == "stall":
                log.info("connection %d: fault: stalling (%d bytes sent in total)", self.number,
                         self.phone.bytes_sent)
                self.stalled = True

    def abort(self, *, both: bool = False) -> None:
        """Reset the connection: the reader thread wakes up and closes the socket (RST)."""
        self.dead.set()
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
            self.sock.shutdown(socket.SHUT_RDWR if both else socket.SHUT_RD)
        except OSError:
            pass

    # -- reading ---------------------------------------------------------------------------------

    def _recv_exact(self, n: int) -> bytes | None:
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            if _QUICKACK is not None:
                # Clients that write a header and its payload as two segments without TCP_NODELAY
                # (adb-shell does) would otherwise wait for our delayed ACK (~40 ms) every message.
                try:
                    self.sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
                except OSError:
                    pass
            r = self.sock.recv_into(view[got:], n - got)
            if r == 0:
                return None
            got += r
        return bytes(buf)

    def run(self) -> None:
        try:
            while not self.dead.is_set():
                raw = self._recv_exact(HEADER_SIZE)
                if raw is None:
                    break
                try:
                    # Clients never send more than the 1 MiB both sides may offer; refuse anything larger
                    # before allocating it.
                    hdr = unpack_header(raw, max_data=MAX_PAYLOAD)
                except WireError as exc:
                    log.warning("connection %d from %s: %s; closing", self.number, self.peer, exc)
                    break
                data = b""
                if hdr.data_length:
                    got = self._recv_exact(hdr.data_length)
                    if got is None:
                        break
                    data = got
                if hdr.data_checksum and hdr.data_checksum != checksum(data):
                    log.warning("connection %d: %s checksum mismatch; closing", self.number, hdr.name)
                    break
                if not self._dispatch(hdr.command, hdr.arg0, hdr.arg1, data):
                    break
        except StreamClosed:  # a send from this thread found the connection dead (or a fault hit)
            pass
        except OSError as exc:
            if not self.dead.is_set():
                log.debug("connection %d: %s", self.number, exc)
        except Exception:  # a bug in a handler must not kill the phone quietly
            log.exception("connection %d: internal error", self.number)
        finally:
            self._teardown()

    def _teardown(self) -> None:
        self.dead.set()
        with self.streams_lock:
            streams = list(self.streams.values())
            self.streams.clear()
        for s in streams:
            s.kill()
        try:
            self.sock.close()
        except OSError:
            pass
        self.phone._forget_connection(self)
        log.debug("connection %d closed", self.number)

    def forget(self, local_id: int) -> None:
        with self.streams_lock:
            self.streams.pop(local_id, None)

    # -- dispatch --------------------------------------------------------------------------------

    def _dispatch(self, command: int, arg0: int, arg1: int, data: bytes) -> bool:
        if command == A_CNXN:
            return self._on_cnxn(arg0, arg1, data)
        if command == A_AUTH:
            return self._on_auth(arg0, data)
        if not self.online:
            log.debug("connection %d: %s before authentication; ignored", self.number, command_name(command))
            return True
        if command == A_OPEN:
            self._on_open(arg0, data)
            return True
        if command in (A_OKAY, A_WRTE, A_CLSE):
            with self.streams_lock:
                stream = self.streams.get(arg1)
            if stream is None or (stream.remote_id != arg0 and arg0 != 0):
                if command == A_WRTE:
                    log.debug("connection %d: WRTE for unknown stream %d", self.number, arg1)
                return True
            if command == A_OKAY:
                stream.on_okay()
            elif command == A_WRTE:
                stream.on_wrte(data)
            else:
                self.forget(arg1)
                stream.on_clse()
            return True
        log.warning("connection %d: unsupported command %s; closing", self.number, command_name(command))
        return False

    def _event(self, kind: str, key: bytes | None = None, detail: str = "") -> None:
        self.phone.auth_events.append(AuthEvent(kind, self.number, time.time(), key, detail))

    def _send_cnxn(self) -> None:
        self.online = True
        self.token = None
        self.send(A_CNXN, A_VERSION, self.max_payload, self.phone.profile.connect_banner())

    def _send_token(self) -> None:
        self.token = secrets.token_bytes(20)
        self._event("token_sent")
        self.send(A_AUTH, AUTH_TOKEN, 0, self.token)

    def _on_cnxn(self, version: int, maxdata: int, data: bytes) -> bool:
        self.version = min(version, A_VERSION)
        self.checksums = self.version < A_VERSION_SKIP_CHECKSUM
        self.max_payload = min(maxdata, self.phone.max_payload)
        if self.max_payload < _MIN_PAYLOAD:
            log.warning("connection %d: client max payload %d is too small; closing", self.number, maxdata)
            return False
        self.got_cnxn = True
        log.debug("connection %d: CNXN version=0x%08x maxdata=%d banner=%r", self.number, version,
                  maxdata, data[:200])
        policy = self.phone.auth
        if self.online or not policy.required:
            if not self.online:
                self._event("not_required")
            self._send_cnxn()
        else:
            self._send_token()
        return True

    def _on_auth(self, kind: int, data: bytes) -> bool:
        if not self.got_cnxn or self.online:
            log.debug("connection %d: unexpected AUTH; ignored", self.number)
            return True
        if kind == AUTH_SIGNATURE:
            if self.token is None:
                return True
            for kid, pub in self.phone._trusted_public_keys():
                if verify_token_signature(pub, self.token, data):
                    self._event("signature_ok", kid)
                    self._send_cnxn()
                    return True
            self._event("signature_rejected")
            self._send_token()
            return True
        if kind == AUTH_RSAPUBLICKEY:
            try:
                kid = key_id(data)
                decode_android_pubkey(data)
            except KeyFormatError as exc:
                self._event("bad_key", None, str(exc))
                log.warning("connection %d: unusable public key: %s", self.number, exc)
                return True
            if kid in self.phone._all_trusted_ids():
                self._event("key_already_trusted", kid)
                self._send_cnxn()
                return True
            comment = data.split(b"\0", 1)[0].strip().partition(b" ")[2].decode("utf-8", "replace")
            self._event("prompt", kid, comment)
            policy = self.phone.auth
            if policy.on_new_key != "allow":
                self._event("key_denied", kid)
                return True
            if policy.allow_delay_s > 0 and self.phone._stopping.wait(policy.allow_delay_s):
                return False
            self.phone.trusted_keys.add(kid)
            self._event("key_allowed", kid)
            if self.dead.is_set():
                return False
            self._send_cnxn()
            return True
        log.debug("connection %d: AUTH type %d ignored", self.number, kind)
        return True

    def _on_open(self, remote_id: int, data: bytes) -> None:
        service = data.split(b"\0", 1)[0]
        if remote_id == 0:
            return
        handler = self._route(service)
        if handler is None:
            log.info("connection %d: refusing service %r", self.number, service[:200])
            self.send(A_CLSE, 0, remote_id)
            return
        target, takes_input = handler
        with self.streams_lock:
            local_id = self.next_id
            self.next_id = self.next_id + 1 if self.next_id < 0xFFFFFFFF else 1
            stream = _Stream(self, local_id, remote_id, service.decode("utf-8", "replace"), takes_input)
            self.streams[local_id] = stream
        self.send(A_OKAY, local_id, remote_id)
        threading.Thread(target=self._run_service, args=(stream, target),
                         name=f"simphone-{self.number}-{local_id}", daemon=True).start()

    def _route(self, service: bytes) -> tuple[Callable[[_Stream], None], bool] | None:
        shell = self.phone._shell
        if service.startswith(b"shell") and service[5:6] in (b":", b","):
            head, sep, cmd = service.partition(b":")
            if not sep:
                return None
            args = head.split(b",")[1:]
            if b"v2" in args or not cmd:  # no shell protocol v2; no interactive PTY shell
                return None
            return (lambda st: self._command(st, cmd)), False
        if service.startswith(b"exec:"):
            cmd = service[5:]
            if not cmd:
                return None
            return (lambda st: self._command(st, cmd)), False
        if service == b"sync:":
            fs = shell.fs
            return (lambda st: serve_sync(st, fs)), True
        if service == b"root:":
            return (lambda st: st.write(_ROOT_REFUSAL)), False
        return None

    def _command(self, stream: _Stream, cmd: bytes) -> None:
        result = self.phone._shell.run(cmd)
        timing = self.phone.timing
        if timing is not None:
            self.phone._stopping.wait(timing.command_delay(parse_command(cmd).argv))
        stream.write_iter(result.chunks)

    def _run_service(self, stream: _Stream, target: Callable[[_Stream], None]) -> None:
        try:
            target(stream)
            stream.finish()
        except StreamClosed:
            pass
        except Exception:
            log.exception("service %r failed", stream.service)
            try:
                stream.close()
            except Exception:
                pass


class SimulatedPhone:
    """A simulated Android phone reachable over ADB on ``host:port`` (see docs/simulator.md)."""

    def __init__(self, profile: DeviceProfile, host: str = "127.0.0.1", port: int = 0,
                 auth: AuthPolicy | None = None, faults: Faults | None = None,
                 timing: DeviceTiming | None = None) -> None:
        self.profile = profile
        #: How long commands and transfers take (None: at once); fixed for the phone's life.
        self.timing = timing
        self._link = LinkClock(timing.link_bytes_per_s) if timing and timing.link_bytes_per_s else None
        self.host = host
        self._requested_port = port
        self.auth: AuthPolicy = auth if auth is not None else AuthPolicy()
        self.faults: Faults = faults if faults is not None else Faults()
        #: Largest WRTE payload offered in CNXN (the client's own maximum applies too).
        self.max_payload: int = MAX_PAYLOAD
        self.commands_seen: list[tuple[str, ...]] = []
        self.violations: list[str] = []
        self.auth_events: list[AuthEvent] = []
        #: Key ids (base64 part of an adb_keys line) the user has allowed, like /data/misc/adb/adb_keys.
        self.trusted_keys: set[bytes] = set(profile.trusted_keys)
        self.connections = 0
        self.refused_connections = 0
        self._bytes_sent = 0
        self._fault_bytes = 0
        self._fault_lock = threading.Lock()
        self._overrides: dict[tuple[str, ...], tuple[object, int]] = {}
        self._shell = TinyShell(profile, commands_seen=self.commands_seen, violations=self.violations,
                                overrides=self._overrides)  # type: ignore[arg-type]
        self._key_cache: dict[bytes, object] = {}
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._conns: set[_Connection] = set()
        self._conns_lock = threading.Lock()
        self._stopping = threading.Event()
        self._stopping.set()
        self._port = port

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def address(self) -> str:
        return f"{self.host}:{self._port}"

    @property
    def running(self) -> bool:
        return not self._stopping.is_set()

    def start(self) -> SimulatedPhone:
        if self.running:
            return self
        listener = socket.create_server((self.host, self._requested_port), backlog=64)
        self._listener = listener
        self._port = listener.getsockname()[1]
        self._stopping.clear()
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"simphone-accept-{self._port}",
                                               daemon=True)
        self._accept_thread.start()
        log.info("simulated phone %s listening on %s", self.profile.serial, self.address)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._stopping.is_set() and self._listener is None:
            return
        self._stopping.set()
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            conn.abort(both=True)
        deadline = time.monotonic() + timeout
        if self._accept_thread is not None:
            self._accept_thread.join(max(0.0, deadline - time.monotonic()))
        for conn in conns:
            conn.thread.join(max(0.0, deadline - time.monotonic()))
        log.info("simulated phone on %s stopped", self.address)

    def serve_forever(self) -> None:
        """Start (if needed) and block until :meth:`stop` is called or the process is interrupted."""
        self.start()
        try:
            while not self._stopping.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> SimulatedPhone:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        number = 0
        while not self._stopping.is_set():
            try:
                sock, addr = listener.accept()
            except OSError:
                break
            if self._stopping.is_set():
                sock.close()
                break
            peer = f"{addr[0]}:{addr[1]}"
            if self.faults.refuse_connections:
                self.refused_connections += 1
                log.info("fault: refusing connection from %s", peer)
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
                finally:
                    sock.close()
                continue
            number += 1
            self.connections += 1
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Connection(self, sock, number, peer)
            with self._conns_lock:
                self._conns.add(conn)
            log.debug("connection %d from %s", number, peer)
            conn.thread.start()

    def _forget_connection(self, conn: _Connection) -> None:
        with self._conns_lock:
            self._conns.discard(conn)

    # -- faults and accounting ------------------------------------------------------------------

    @property
    def bytes_sent(self) -> int:
        """Total bytes (headers and payloads) sent to clients since construction."""
        return self._bytes_sent

    def reset_fault_counters(self) -> None:
        """Restart the byte count that ``Faults.drop_after_bytes``/``stall_after_bytes`` compare with."""
        with self._fault_lock:
            self._fault_bytes = 0

    def _charge(self, total: int) -> tuple[int, str | None]:
        """Account for a send of ``total`` bytes: how many may go out, and which fault (if any) hits."""
        with self._fault_lock:
            faults = self.faults
            allowed, action = total, None
            for limit, kind in ((faults.drop_after_bytes, "drop"), (faults.stall_after_bytes, "stall")):
                if limit is None:
                    continue
                room = max(0, limit - self._fault_bytes)
                if room < allowed:
                    allowed, action = room, kind
            self._fault_bytes += allowed
            self._bytes_sent += allowed
            return allowed, action

    # -- commands ---------------------------------------------------------------------------------

    def set_command(self, argv: Iterable[str], output: bytes | str | Callable[[], Iterable[bytes]],
                    exit_code: int = 0) -> None:
        """Answer the exact ``argv`` with ``output``: bytes, or a callable returning an iterable of
        bytes (called afresh for every run, so a generator can stream huge outputs)."""
        if isinstance(output, str):
            output = output.encode("utf-8")
        self._overrides[tuple(argv)] = (output, exit_code)

    def clear_commands(self) -> None:
        self._overrides.clear()

    # -- keys -----------------------------------------------------------------------------------

    def _all_trusted_ids(self) -> set[bytes]:
        ids = set(self.trusted_keys)
        for blob in self.auth.trusted_keys:
            try:
                ids.add(key_id(blob))
            except KeyFormatError:
                continue
        return ids

    def _trusted_public_keys(self) -> list[tuple[bytes, object]]:
        out = []
        for kid in sorted(self._all_trusted_ids()):
            pub = self._key_cache.get(kid)
            if pub is None:
                try:
                    pub = decode_android_pubkey(kid)
                except KeyFormatError as exc:
                    log.warning("ignoring unusable trusted key: %s", exc)
                    pub = False
                self._key_cache[kid] = pub
            if pub:
                out.append((kid, pub))
        return out
