"""A connection to one Android phone over ADB (USB through libusb, or TCP), on ``adb-shell``.

Everything the collector needs goes through four calls: ``stream_shell`` (a command's output as a
stream, with a time and size limit), ``list_dir`` and ``pull`` (the sync service) and ``close``.
Library exceptions are translated here into the ``errors`` module's, which say what to do next.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from adb_shell import constants as adb_constants
from adb_shell import exceptions as adb_exc
from adb_shell.adb_device import AdbDevice, AdbDeviceTcp
from adb_shell.adb_message import AdbMessage

from inspector.acquire.android import errors, fastio
from inspector.acquire.android.keys import load_signer

# adb-shell pinned to 0.4.x: stream_shell uses its stream primitives (_open/_read_until/_clse) so that a
# command that runs past its limit can be closed cleanly instead of leaving the stream open.

DEFAULT_AUTH_TIMEOUT_S = 120.0  # how long to wait for the person to tap "Allow" on the phone
TRANSPORT_TIMEOUT_S = 10.0  # one socket/USB read or write
READ_TIMEOUT_S = 30.0  # silence on a stream before the phone counts as stalled

_DISCONNECT_ERRORS: tuple[type[BaseException], ...] = (
    adb_exc.AdbConnectionError,
    adb_exc.TcpTimeoutException,
    adb_exc.InvalidChecksumError,
    adb_exc.InvalidCommandError,
    adb_exc.InvalidResponseError,
    adb_exc.UsbReadFailedError,
    adb_exc.UsbWriteFailedError,
    ConnectionError,
    BrokenPipeError,
    socket.timeout,
    OSError,
)


@dataclass(frozen=True)
class DeviceFile:
    """One entry of a sync-service directory listing; ``name`` is raw bytes, as the phone sent it."""

    name: bytes
    mode: int
    size: int
    mtime: int


class AndroidConnection:
    def __init__(self, device: AdbDevice, serial: str, transport: str) -> None:
        self._device = device
        self.serial = serial
        self.transport = transport
        self.bytes_received = 0

    # -- connecting -------------------------------------------------------------------------------
    @classmethod
    def connect_tcp(
        cls,
        host: str,
        port: int,
        *,
        on_auth_prompt: Callable[[], None] | None = None,
        auth_timeout_s: float = DEFAULT_AUTH_TIMEOUT_S,
    ) -> AndroidConnection:
        device = AdbDeviceTcp(host, port, default_transport_timeout_s=TRANSPORT_TIMEOUT_S)
        fastio.install(device)
        conn = cls(device, serial=f"{host}:{port}", transport="tcp")
        conn._connect(on_auth_prompt, auth_timeout_s, where=f"{host}:{port}")
        return conn

    @classmethod
    def connect_usb(
        cls,
        serial: str | None = None,
        *,
        on_auth_prompt: Callable[[], None] | None = None,
        auth_timeout_s: float = DEFAULT_AUTH_TIMEOUT_S,
    ) -> AndroidConnection:
        from inspector.acquire.android import usb

        chosen = usb.choose(serial)
        device = usb.open_device(chosen.serial)
        fastio.install(device)
        conn = cls(device, serial=chosen.serial, transport="usb")
        conn._connect(on_auth_prompt, auth_timeout_s, where=f"USB {chosen.serial}")
        return conn

    def _connect(self, on_auth_prompt: Callable[[], None] | None, auth_timeout_s: float, where: str) -> None:
        signer = load_signer()
        prompted = []

        def prompt(_device: object) -> None:
            prompted.append(True)
            if on_auth_prompt:
                on_auth_prompt()

        try:
            self._device.connect(
                rsa_keys=[signer],
                transport_timeout_s=TRANSPORT_TIMEOUT_S,
                auth_timeout_s=auth_timeout_s,
                auth_callback=prompt,
            )
        except (TimeoutError, adb_exc.TcpTimeoutException, adb_exc.AdbTimeoutError) as exc:
            if prompted:
                raise errors.DeviceUnauthorized(
                    f"The phone at {where} did not allow this computer within {auth_timeout_s:.0f} s."
                ) from exc
            raise errors.DeviceOffline(f"The phone at {where} did not answer: {exc}") from exc
        except adb_exc.DeviceAuthError as exc:
            raise errors.DeviceUnauthorized(f"The phone at {where} refused this computer: {exc}") from exc
        except ConnectionRefusedError as exc:
            raise errors.NoDeviceFound(f"Nothing is listening at {where} ({exc.strerror}).") from exc
        except adb_exc.UsbDeviceNotFoundError as exc:
            raise errors.NoDeviceFound(str(exc)) from exc
        except _DISCONNECT_ERRORS as exc:
            raise errors.DeviceOffline(f"Could not talk to the phone at {where}: {exc}") from exc
        except Exception as exc:
            usb_error = usb_error_to_device_error(exc, where)
            if usb_error is None:
                raise
            raise usb_error from exc

    # -- commands ---------------------------------------------------------------------------------
    def stream_shell(
        self,
        command: bytes,
        *,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> Iterator[bytes]:
        """Yield the output of ``shell:command`` in chunks as the phone sends it.

        The caller builds ``command`` from fixed words and ``shlex.quote``-d values only. Raises
        ``CommandTimeout`` / ``OutputTooLarge`` after closing the stream (data already yielded stays
        with the caller), ``DeviceDisconnected`` if the link is lost.
        """
        dev = self._device
        start = time.monotonic()
        received = 0
        try:
            info = dev._open(b"shell:" + command, TRANSPORT_TIMEOUT_S, READ_TIMEOUT_S, None)
        except adb_exc.AdbTimeoutError as exc:
            raise errors.DeviceDisconnected(f"The phone stopped answering ({exc}).") from exc
        except _DISCONNECT_ERRORS as exc:
            raise errors.DeviceDisconnected(f"The connection to the phone was lost: {exc}") from exc
        open_stream = True
        try:
            while True:
                cmd, data = dev._read_until([adb_constants.CLSE, adb_constants.WRTE], info)
                if cmd == adb_constants.CLSE:
                    open_stream = False
                    dev._io_manager.send(AdbMessage(adb_constants.CLSE, info.local_id, info.remote_id), info)
                    return
                received += len(data)
                self.bytes_received += len(data)
                yield bytes(data)
                if timeout_s is not None and time.monotonic() - start > timeout_s:
                    raise errors.CommandTimeout(f"stopped after {timeout_s:.0f} s")
                if max_bytes is not None and received >= max_bytes:
                    raise errors.OutputTooLarge(f"output cut at the {max_bytes}-byte limit")
        except adb_exc.AdbTimeoutError as exc:
            open_stream = False
            raise errors.DeviceDisconnected(f"The phone stopped sending data ({exc}).") from exc
        except _DISCONNECT_ERRORS as exc:
            open_stream = False
            raise errors.DeviceDisconnected(f"The connection to the phone was lost: {exc}") from exc
        finally:
            # Given up early (time or size limit, or the caller stopped reading): close our end so the
            # phone stops sending and the next command starts on a clean link.
            if open_stream:
                self._abandon(info)

    def shell(self, command: bytes, *, timeout_s: float | None = 60.0, max_bytes: int = 16 << 20) -> bytes:
        return b"".join(self.stream_shell(command, timeout_s=timeout_s, max_bytes=max_bytes))

    def _abandon(self, info: object) -> None:
        try:
            self._device._clse(info)
        except (adb_exc.AdbTimeoutError, *_DISCONNECT_ERRORS):
            pass

    # -- files ------------------------------------------------------------------------------------
    def list_dir(self, path: bytes) -> list[DeviceFile]:
        try:
            entries = self._device.list(path, transport_timeout_s=TRANSPORT_TIMEOUT_S, read_timeout_s=READ_TIMEOUT_S)
        except adb_exc.AdbCommandFailureException:
            return []
        except adb_exc.AdbTimeoutError as exc:
            raise errors.DeviceDisconnected(f"The phone stopped answering ({exc}).") from exc
        except _DISCONNECT_ERRORS as exc:
            raise errors.DeviceDisconnected(f"The connection to the phone was lost: {exc}") from exc
        return [
            DeviceFile(bytes(e.filename), e.mode, e.size, e.mtime)
            for e in entries
            if bytes(e.filename) not in (b".", b"..")
        ]

    def stat(self, path: bytes) -> tuple[int, int, int]:
        try:
            return self._device.stat(path, transport_timeout_s=TRANSPORT_TIMEOUT_S, read_timeout_s=READ_TIMEOUT_S)
        except adb_exc.AdbTimeoutError as exc:
            raise errors.DeviceDisconnected(f"The phone stopped answering ({exc}).") from exc
        except _DISCONNECT_ERRORS as exc:
            raise errors.DeviceDisconnected(f"The connection to the phone was lost: {exc}") from exc

    def pull(self, path: bytes, out: BinaryIO, progress: Callable[[int], None] | None = None) -> int:
        """Stream one file from the phone into ``out``; returns the byte count."""
        count = 0

        def write(chunk: memoryview) -> None:
            nonlocal count
            out.write(chunk)
            count += len(chunk)
            if progress:
                progress(len(chunk))

        try:
            fastio.pull_stream(self._device, path, write, TRANSPORT_TIMEOUT_S, READ_TIMEOUT_S)
        except adb_exc.AdbTimeoutError as exc:
            raise errors.DeviceDisconnected(f"The phone stopped sending data ({exc}).") from exc
        except FileNotFoundError:
            raise
        except _DISCONNECT_ERRORS as exc:
            raise errors.DeviceDisconnected(f"The connection to the phone was lost: {exc}") from exc
        finally:
            self.bytes_received += count
        return count

    def close(self) -> None:
        try:
            self._device.close()
        except Exception:  # closing a dead link must never hide the real error
            pass

    def __enter__(self) -> AndroidConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def usb_error_to_device_error(exc: BaseException, where: str) -> errors.DeviceError | None:
    """libusb's errors (python-libusb1 ``USBError*``) as the errors a person can act on."""
    name = type(exc).__name__
    if not name.startswith("USBError"):
        return None
    if name == "USBErrorBusy":
        return errors.UsbBusy(f"The USB interface of {where} is held by another program ({exc}).")
    if name == "USBErrorAccess":
        return errors.UsbUnavailable(f"No permission to open {where} ({exc}).")
    if name in ("USBErrorNoDevice", "USBErrorNotFound"):
        return errors.NoDeviceFound(f"{where} went away ({exc}).")
    if name == "USBErrorTimeout":
        return errors.DeviceOffline(f"{where} did not answer over USB ({exc}).")
    return errors.DeviceOffline(f"USB error talking to {where}: {exc}")
