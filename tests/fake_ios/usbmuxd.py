"""A fake usbmuxd on a unix socket: the plist protocol that libusbmuxd and pymobiledevice3 speak.

Messages are a 16-byte little-endian header (length incl. header, version 1, message 8 = plist, tag)
and an XML plist. Supported: ReadBUID, ListDevices, Listen (the current list, then nothing),
ReadPairRecord, SavePairRecord, DeletePairRecord, Connect. After a successful Connect the socket is
a raw pipe to the device port: 62078 (lockdownd) or a port lockdownd handed out with StartService.
Point pymobiledevice3 (library and CLI) at it with USBMUXD_SOCKET_ADDRESS=<socket path>.
"""

from __future__ import annotations

import os
import plistlib
import socket
import struct
import tempfile
import threading
from pathlib import Path

from .lockdownd import LOCKDOWN_PORT, FakeIPhone

_HEADER = struct.Struct("<IIII")
_BUID = "5A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"
RESULT_OK, RESULT_BADDEV, RESULT_CONNREFUSED = 0, 2, 3


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


class FakeUsbmuxd:
    """``with FakeUsbmuxd([FakeIPhone(...)]) as mux: os.environ["USBMUXD_SOCKET_ADDRESS"] = mux.address``"""

    def __init__(self, devices: list[FakeIPhone] | None = None, folder: Path | None = None) -> None:
        self.devices = list(devices or [])
        self._tmp = None if folder else tempfile.TemporaryDirectory(prefix="fake-usbmuxd-")
        self.address = str(Path(folder or self._tmp.name) / "usbmuxd.sock")
        self.pair_records: dict[str, bytes] = {}
        for number, device in enumerate(self.devices, start=1):
            device.device_id = number
            if device.preinstalled_pair_record is not None:
                self.pair_records[device.profile.udid] = plistlib.dumps(device.preinstalled_pair_record)
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.requests: list[str] = []

    def __enter__(self) -> FakeUsbmuxd:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if os.path.exists(self.address):
            os.unlink(self.address)
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.address)
        self._server.listen(32)
        thread = threading.Thread(target=self._accept_loop, name="fake-usbmuxd", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
        for device in self.devices:
            device.close_all()
        if self._tmp is not None:
            self._tmp.cleanup()

    def attached(self) -> list[FakeIPhone]:
        return [d for d in self.devices if d.plugged_in]

    # -- the daemon ------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        assert self._server is not None
        while not self._stopping:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        handed_over = False
        try:
            while True:
                head = _recv_exact(client, _HEADER.size)
                if head is None:
                    return
                length, version, message, tag = _HEADER.unpack(head)
                body = _recv_exact(client, length - _HEADER.size) if length > _HEADER.size else b""
                if body is None:
                    return
                if version != 1 or message != 8:
                    self._reply(client, tag, {"MessageType": "Result", "Number": 1})
                    continue
                request = plistlib.loads(body)
                kind = request.get("MessageType")
                self.requests.append(kind)
                if kind == "Connect":
                    device = self._device(request.get("DeviceID"))
                    port = socket.ntohs(int(request.get("PortNumber", 0)))
                    handler = device.port_handler(port) if device else None
                    if handler is None:
                        self._reply(client, tag, {"MessageType": "Result",
                                                  "Number": RESULT_BADDEV if device is None else RESULT_CONNREFUSED})
                        continue
                    self._reply(client, tag, {"MessageType": "Result", "Number": RESULT_OK})
                    handed_over = True
                    handler(client)  # the socket is the device's now; the handler closes it
                    return
                self._reply(client, tag, self._answer(kind, request))
        except (OSError, plistlib.InvalidFileException, ValueError):
            return
        finally:
            if not handed_over:
                client.close()

    def _answer(self, kind: str | None, request: dict) -> dict:
        if kind == "ReadBUID":
            return {"BUID": _BUID}
        if kind in ("ListDevices", "Listen"):
            if kind == "Listen":
                return {"MessageType": "Result", "Number": RESULT_OK}
            return {"DeviceList": [self._attached(d) for d in self.attached()]}
        if kind == "ReadPairRecord":
            record = self.pair_records.get(str(request.get("PairRecordID")))
            if record is None:
                return {"MessageType": "Result", "Number": RESULT_BADDEV}
            return {"PairRecordData": record}
        if kind == "SavePairRecord":
            self.pair_records[str(request.get("PairRecordID"))] = bytes(request.get("PairRecordData") or b"")
            return {"MessageType": "Result", "Number": RESULT_OK}
        if kind == "DeletePairRecord":
            self.pair_records.pop(str(request.get("PairRecordID")), None)
            return {"MessageType": "Result", "Number": RESULT_OK}
        return {"MessageType": "Result", "Number": 1}

    def _device(self, device_id: object) -> FakeIPhone | None:
        return next((d for d in self.attached() if d.device_id == device_id), None)

    @staticmethod
    def _attached(device: FakeIPhone) -> dict:
        return {"MessageType": "Attached", "DeviceID": device.device_id,
                "Properties": {"ConnectionType": "USB", "DeviceID": device.device_id, "LocationID": 0x14100000,
                               "ProductID": 0x12A8, "SerialNumber": device.profile.udid,
                               "USBSerialNumber": device.profile.udid.replace("-", ""), "ConnectionSpeed": 480000000}}

    @staticmethod
    def _reply(client: socket.socket, tag: int, payload: dict) -> None:
        body = plistlib.dumps(payload)
        client.sendall(_HEADER.pack(_HEADER.size + len(body), 1, 8, tag) + body)


__all__ = ["FakeUsbmuxd", "LOCKDOWN_PORT"]
