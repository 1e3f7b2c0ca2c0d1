"""A fake lockdownd and the device services behind it, reached through the fake usbmuxd.

lockdownd frames are a 4-byte big-endian length and an XML plist. QueryType, GetValue (public values
without a session, all of them and the ``com.apple.mobile.backup`` domain within one), Pair (with the
Trust dialog: pending, accepted, denied, or refused because the phone is locked), StartSession with a
real TLS upgrade (server certificate = the DeviceCertificate of the pair record, client certificate
verified against that record's RootCertificate), StartService. Services: installation_proxy
(Browse, Lookup), MCInstall (GetProfileList, GetCloudConfiguration), and AFC for the crash-report
copy service. Faults: ``unplug_at`` / ``unpair_at`` name an event (``"service:com.apple.afc"``,
``"afc:read"``, ``"lockdown:StartSession"``...) at which the phone is unplugged or forgets this host.
"""

from __future__ import annotations

import os
import plistlib
import posixpath
import socket
import ssl
import struct
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pymobiledevice3.ca import generate_pairing_cert_chain

from .profile import PUBLIC_KEYS, FakeProfile

LOCKDOWN_PORT = 62078
INSTALLATION_PROXY = "com.apple.mobile.installation_proxy"
MCINSTALL = "com.apple.mobile.MCInstall"
CRASH_COPY = "com.apple.crashreportcopymobile"
AFC = "com.apple.afc"
MOBILEBACKUP2 = "com.apple.mobilebackup2"
NOTIFICATION_PROXY = "com.apple.mobile.notification_proxy"
SPRINGBOARD = "com.apple.springboardservices"
SERVICES = (INSTALLATION_PROXY, MCINSTALL, CRASH_COPY, AFC, MOBILEBACKUP2, NOTIFICATION_PROXY, SPRINGBOARD)
SYNC_LOCK = "/com.apple.itunes.lock_sync"  # the one file a backup host opens for writing (and locks)

_DEVICE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one per test run: keygen is slow


class _Dropped(Exception):
    """The fake phone was unplugged (or forgot us) at this point."""


@dataclass
class Trust:
    """How the phone answers a Pair request: "accept" after ``pending_s`` of the dialog being up,
    "deny" (the user taps Don't Trust), "locked" (PasswordProtected: unlock first), "never" (nobody taps)."""

    answer: str = "accept"
    pending_s: float = 0.0


@dataclass
class FakeIPhone:
    profile: FakeProfile = field(default_factory=FakeProfile)
    trusted: bool = True  # a pair record for this host exists already (usbmuxd holds it)
    trust: Trust = field(default_factory=Trust)
    locked_services: set[str] = field(default_factory=set)  # StartService answers PasswordProtected
    unplug_at: str | None = None
    unpair_at: str | None = None
    event_counts: dict[str, int] = field(default_factory=dict)
    # Extra raw names in an AFC folder listing (hostile devices): (folder, name, bytes)
    hostile_crash_entries: list[tuple[str, str, bytes]] = field(default_factory=list)
    ghost_crash_entries: list[tuple[str, str]] = field(default_factory=list)  # listed, but stat fails
    # A sysdiagnose the person "starts" after ``sysdiagnose_after`` looks at its folder; the phone then
    # shows IN_PROGRESS_<name> for ``sysdiagnose_writing`` more looks, then the finished <name>.
    # --backup: the files of the backup the phone "makes" ((domain, relativePath) -> bytes), and its
    # backup password (None: backups are not encrypted). ChangePassword sets and clears it.
    backup_files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    backup_password: str | None = None
    binary_plists: bool = False  # answer in binary plists (real lockdownd sends XML; a hostile one may not)
    sysdiagnose: bytes | None = None
    sysdiagnose_after: int = 1
    sysdiagnose_writing: int = 2
    sysdiagnose_name: str = "sysdiagnose_2026.11.18_10-15-32+0600_iPhone-OS_iPhone_21G93.tar.gz"

    def __post_init__(self) -> None:
        self.device_id = 1
        self.plugged_in = True
        self.events: list[str] = []
        self.paired_hosts: dict[str, dict[str, Any]] = {}
        self._pending_since: float | None = None
        self._sysdiagnose_looks = 0
        self._ports: dict[int, str] = {}
        self._next_port = 49152
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-iphone-")
        self.public_key_pem = _DEVICE_KEY.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        self.preinstalled_pair_record: dict[str, Any] | None = None
        if self.trusted:
            host_cert, host_key, device_cert, root_cert, root_key = generate_pairing_cert_chain(self.public_key_pem)
            record = {"DeviceCertificate": device_cert, "HostCertificate": host_cert, "HostPrivateKey": host_key,
                      "RootCertificate": root_cert, "RootPrivateKey": root_key,
                      "HostID": "8A7B6C5D-4E3F-4A1B-9C8D-7E6F5A4B3C2D", "SystemBUID": "5A1B2C3D-4E5F-6071-8293",
                      "WiFiMACAddress": self.profile.values.get("WiFiAddress"), "EscrowBag": os.urandom(32)}
            self.preinstalled_pair_record = record
            self.paired_hosts[record["HostID"]] = record
        self.values = dict(self.profile.values)
        self.values["DevicePublicKey"] = self.public_key_pem

    # -- faults -----------------------------------------------------------------------------------
    def event(self, name: str) -> None:
        with self._lock:
            self.events.append(name)
            count = self.event_counts.get(name, 0) + 1
            self.event_counts[name] = count
        if name == self.unpair_at or f"{name}#{count}" == self.unpair_at:
            self.paired_hosts.clear()
            self.close_all()
            raise _Dropped(name)
        if name == self.unplug_at or f"{name}#{count}" == self.unplug_at:
            self.plugged_in = False
            self.close_all()
            raise _Dropped(name)

    def close_all(self) -> None:
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass
        self._sockets.clear()

    # -- ports ------------------------------------------------------------------------------------
    def port_handler(self, port: int) -> Callable[[socket.socket], None] | None:
        if port == LOCKDOWN_PORT:
            return self._run(self._lockdown)
        with self._lock:
            service = self._ports.pop(port, None)
        if service is None:
            return None
        handlers = {INSTALLATION_PROXY: self._installation_proxy, MCINSTALL: self._mcinstall,
                    CRASH_COPY: self._afc, AFC: self._afc, MOBILEBACKUP2: self._mobilebackup2,
                    NOTIFICATION_PROXY: self._notification_proxy, SPRINGBOARD: self._springboard}
        def serve(sock: socket.socket) -> None:
            wrapped = self._server_tls(sock)
            try:
                handlers[service](wrapped, service)
            finally:
                wrapped.close()  # the TLS socket owns the descriptor now: close it, or the host waits

        return self._run(serve)

    def _run(self, body: Callable[[socket.socket], None]) -> Callable[[socket.socket], None]:
        def handler(sock: socket.socket) -> None:
            self._sockets.append(sock)
            try:
                body(sock)
            except (_Dropped, OSError, ssl.SSLError, EOFError, plistlib.InvalidFileException):
                pass
            finally:
                try:
                    sock.close()
                except OSError:
                    pass
        return handler

    def _server_tls(self, sock: socket.socket, record: dict[str, Any] | None = None) -> ssl.SSLSocket:
        records = list(self.paired_hosts.values())
        if not records:
            raise _Dropped("no pairing")
        record = record or records[-1]
        folder = Path(self._tmp.name)
        cert = folder / f"device-{uuid.uuid4().hex}.pem"
        cert.write_bytes(record["DeviceCertificate"] + b"\n" + _DEVICE_KEY.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers("ALL:@SECLEVEL=0")
        context.load_cert_chain(str(cert))
        cert.unlink()
        # The client must present the HostCertificate of a pair record this phone accepted. Those
        # certificates have empty subject and issuer names, which OpenSSL takes for self-signed, so
        # they are the trust anchors themselves (the root alone would not verify them).
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(cadata="\n".join(r["HostCertificate"].decode() for r in records))
        wrapped = context.wrap_socket(sock, server_side=True)
        self._sockets.append(wrapped)
        return wrapped

    # -- framing ----------------------------------------------------------------------------------
    @staticmethod
    def _recv_exact(sock: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _recv_plist(self, sock: socket.socket) -> dict[str, Any]:
        (size,) = struct.unpack(">I", self._recv_exact(sock, 4))
        return plistlib.loads(self._recv_exact(sock, size))

    def _send_plist(self, sock: socket.socket, value: dict[str, Any]) -> None:
        body = plistlib.dumps(value, fmt=plistlib.FMT_BINARY if self.binary_plists else plistlib.FMT_XML)
        sock.sendall(struct.pack(">I", len(body)) + body)

    # -- lockdownd --------------------------------------------------------------------------------
    def _lockdown(self, sock: socket.socket) -> None:
        session: str | None = None
        host: dict[str, Any] | None = None
        try:
            while True:
                message = self._recv_plist(sock)
                request = message.get("Request")
                self.event(f"lockdown:{request}")
                answer: dict[str, Any] = {"Request": request}
                if request == "QueryType":
                    answer["Type"] = "com.apple.mobile.lockdown"
                elif request == "GetValue":
                    answer.update(self._get_value(message, session is not None))
                elif request == "Pair":
                    answer.update(self._pair(message))
                elif request == "StartSession":
                    host = self.paired_hosts.get(str(message.get("HostID")))
                    if host is None:
                        answer["Error"] = "InvalidHostID"
                    else:
                        session = str(uuid.uuid4()).upper()
                        answer.update(SessionID=session, EnableSessionSSL=True)
                elif request == "StartService":
                    answer.update(self._start_service(message, session is not None))
                elif request == "StopSession":
                    answer["Result"] = "Success"
                else:
                    answer["Error"] = "InvalidRequest"
                self._send_plist(sock, answer)
                if request == "StartSession" and "Error" not in answer:
                    sock = self._server_tls(sock, host)
        finally:
            sock.close()  # after the TLS upgrade this is the TLS socket, which owns the descriptor

    def _get_value(self, message: dict[str, Any], in_session: bool) -> dict[str, Any]:
        domain, key = message.get("Domain"), message.get("Key")
        out: dict[str, Any] = {}
        if domain is not None:
            out["Domain"] = domain
        if key is not None:
            out["Key"] = key
        if domain is None:
            values = self.values if in_session else {k: v for k, v in self.values.items() if k in PUBLIC_KEYS}
        elif domain == "com.apple.mobile.backup" and in_session:
            values = self.profile.backup_domain
            if self.backup_files:  # a phone made for --backup tests: WillEncrypt follows its password
                values = {**values, "WillEncrypt": self.backup_password is not None}
        else:
            return {**out, "Error": "MissingValue" if in_session else "GetProhibited"}
        if key is None:
            out["Value"] = values
        elif key in values:
            out["Value"] = values[key]
        else:
            out["Error"] = "MissingValue"
        return out

    def _pair(self, message: dict[str, Any]) -> dict[str, Any]:
        record = message.get("PairRecord") or {}
        if not all(k in record for k in ("HostID", "HostCertificate", "RootCertificate", "DeviceCertificate")):
            return {"Error": "InvalidPairRecord"}
        answer = self.trust.answer
        if answer == "locked":
            return {"Error": "PasswordProtected"}
        if answer == "deny":
            return {"Error": "UserDeniedPairing"}
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        if answer == "never" or now - self._pending_since < self.trust.pending_s:
            return {"Error": "PairingDialogResponsePending"}
        self.paired_hosts[str(record["HostID"])] = dict(record)
        return {"EscrowBag": os.urandom(32)}

    def _start_service(self, message: dict[str, Any], in_session: bool) -> dict[str, Any]:
        name = str(message.get("Service"))
        if not in_session:
            return {"Error": "InvalidService", "Service": name}
        self.event(f"service:{name}")
        if name in self.locked_services:
            return {"Error": "PasswordProtected", "Service": name}
        if name not in SERVICES:
            return {"Error": "InvalidService", "Service": name}
        with self._lock:
            port = self._next_port
            self._next_port += 1
            self._ports[port] = name
        return {"Service": name, "Port": port, "EnableServiceSSL": True}

    # -- installation_proxy -----------------------------------------------------------------------
    def _installation_proxy(self, sock: ssl.SSLSocket, _name: str) -> None:
        while True:
            message = self._recv_plist(sock)
            command = message.get("Command")
            options = message.get("ClientOptions") or {}
            apps = self._apps(options)
            if command == "Browse":
                self.event("instproxy:Browse")
                for start in range(0, len(apps), 100):
                    page = apps[start:start + 100]
                    self._send_plist(sock, {"Status": "BrowsingApplications", "CurrentIndex": start,
                                            "CurrentAmount": len(page), "Total": len(apps), "CurrentList": page})
                self._send_plist(sock, {"Status": "Complete"})
            elif command == "Lookup":
                wanted = options.get("BundleIDs")
                result = {a["CFBundleIdentifier"]: a for a in apps
                          if wanted is None or a.get("CFBundleIdentifier") in wanted}
                self._send_plist(sock, {"Status": "Complete", "LookupResult": result})
            else:
                self._send_plist(sock, {"Error": "UnknownCommand", "ErrorDescription": str(command)})

    def _apps(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        kind = options.get("ApplicationType", "Any")
        apps = [a for a in self.profile.apps if kind == "Any" or a.get("ApplicationType") == kind]
        attributes = options.get("ReturnAttributes")
        if attributes:
            apps = [{k: v for k, v in a.items() if k in attributes} for a in apps]
        return apps

    # -- MCInstall --------------------------------------------------------------------------------
    def _mcinstall(self, sock: ssl.SSLSocket, _name: str) -> None:
        while True:
            message = self._recv_plist(sock)
            kind = message.get("RequestType")
            self.event(f"mcinstall:{kind}")
            if kind == "GetProfileList":
                self._send_plist(sock, self.profile.profiles)
            elif kind == "GetCloudConfiguration":
                answer: dict[str, Any] = {"Status": "Acknowledged"}
                if self.profile.cloud_configuration is not None:
                    answer["CloudConfiguration"] = self.profile.cloud_configuration
                self._send_plist(sock, answer)
            elif kind in ("HelloHostIdentifier", "Flush"):
                self._send_plist(sock, {"Status": "Acknowledged"})
            else:  # the fake phone changes nothing: installing or removing profiles is refused
                self._send_plist(sock, {"Status": "Error", "ErrorChain": [
                    {"ErrorCode": 1, "LocalizedDescription": f"{kind} is not supported by the fake phone"}]})

    # -- AFC (crash-report copy service) ----------------------------------------------------------
    def _afc_tree(self) -> tuple[dict[str, bytes], dict[str, list[str]]]:
        files: dict[str, bytes] = {}
        folders: dict[str, list[str]] = {"/": []}
        for rel, data in self.profile.crash_logs.items():
            parts = rel.strip("/").split("/")
            for depth in range(len(parts)):
                parent = "/" + "/".join(parts[:depth])
                child = parts[depth]
                folders.setdefault(parent.rstrip("/") or "/", [])
                if child not in folders[parent.rstrip("/") or "/"]:
                    folders[parent.rstrip("/") or "/"].append(child)
                if depth < len(parts) - 1:
                    folders.setdefault("/" + "/".join(parts[:depth + 1]), [])
            files["/" + "/".join(parts)] = data
        for folder, name, data in self.hostile_crash_entries:
            folders.setdefault(folder, []).append(name)
            files[posixpath.join(folder, name)] = data
        for folder, name in self.ghost_crash_entries:
            folders.setdefault(folder, []).append(name)
        if self.sysdiagnose is not None and self._sysdiagnose_looks > self.sysdiagnose_after:
            writing = self._sysdiagnose_looks <= self.sysdiagnose_after + self.sysdiagnose_writing
            name = ("IN_PROGRESS_" if writing else "") + self.sysdiagnose_name
            if "DiagnosticLogs" not in folders["/"]:
                folders["/"].append("DiagnosticLogs")
            folders.setdefault("/DiagnosticLogs", [])
            if "sysdiagnose" not in folders["/DiagnosticLogs"]:
                folders["/DiagnosticLogs"].append("sysdiagnose")
            folders.setdefault("/DiagnosticLogs/sysdiagnose", []).append(name)
            files[f"/DiagnosticLogs/sysdiagnose/{name}"] = self.sysdiagnose[: len(self.sysdiagnose) // 2] if writing \
                else self.sysdiagnose
        return files, folders

    def _afc(self, sock: ssl.SSLSocket, name: str) -> None:
        media = name == AFC  # the media folder (com.apple.afc), not the crash-report copy service
        tree = (lambda: ({SYNC_LOCK: b""}, {"/": [SYNC_LOCK[1:]]})) if media else self._afc_tree
        files, folders = tree()
        handles: dict[int, list[Any]] = {}
        while True:
            header = self._recv_exact(sock, 40)
            magic, entire, _this, number, operation = struct.unpack("<8sQQQQ", header)
            if magic != b"CFA6LPAA":
                return
            payload = self._recv_exact(sock, entire - 40) if entire > 40 else b""

            def reply(op: int, data: bytes, number: int = number) -> None:
                sock.sendall(struct.pack("<8sQQQQ", b"CFA6LPAA", 40 + len(data), 40, number, op) + data)

            def status(code: int) -> None:
                reply(1, struct.pack("<Q", code))

            files, folders = tree()  # the phone may be writing a sysdiagnose meanwhile
            if operation == 0x03:  # READ_DIR
                path = payload.split(b"\0", 1)[0].decode()
                if path == "/DiagnosticLogs/sysdiagnose" or path == "DiagnosticLogs/sysdiagnose":
                    self._sysdiagnose_looks += 1
                    files, folders = tree()
                if path not in folders:
                    status(8)
                    continue
                names = [".", ".."] + folders[path]
                reply(2, b"".join(n.encode() + b"\0" for n in names))
            elif operation == 0x0A:  # GET_FILE_INFO
                self.event("afc:stat")
                path = payload.split(b"\0", 1)[0].decode()
                mtime = str(int(time.time() * 1e9))
                if path in folders:
                    info = {"st_size": "160", "st_blocks": "0", "st_nlink": "5", "st_ifmt": "S_IFDIR"}
                elif path in files:
                    info = {"st_size": str(len(files[path])), "st_blocks": "8", "st_nlink": "1", "st_ifmt": "S_IFREG"}
                else:
                    status(4)  # READ_ERROR: what iOS answers for a missing path (pymobiledevice3 relies on it)
                    continue
                info.update(st_mtime=mtime, st_birthtime=mtime)
                reply(2, b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in info.items()))
            elif operation == 0x0D:  # FILE_OPEN
                mode = struct.unpack("<Q", payload[:8])[0]
                path = payload[8:].split(b"\0", 1)[0].decode()
                if mode != 1 and not (media and path == SYNC_LOCK and mode == 2):
                    status(10)  # PERM_DENIED: nothing else on this phone may be changed
                elif path not in files:
                    status(8)
                else:
                    if mode != 1:
                        self.event(f"afc:write-open:{path}")
                    handle = len(handles) + 1
                    handles[handle] = [files[path], 0]
                    reply(0x0E, struct.pack("<Q", handle))
            elif operation == 0x1B:  # FILE_LOCK (the backup host locks the sync lock file)
                self.event("afc:lock")
                status(0 if struct.unpack("<Q", payload[:8])[0] in handles else 7)
            elif operation == 0x0F:  # READ
                self.event("afc:read")
                handle, size = struct.unpack("<QQ", payload[:16])
                if handle not in handles:
                    status(7)
                    continue
                data, offset = handles[handle]
                chunk = data[offset:offset + size]
                handles[handle][1] = offset + len(chunk)
                reply(2, chunk)
            elif operation == 0x14:  # FILE_CLOSE
                handles.pop(struct.unpack("<Q", payload[:8])[0], None)
                status(0)
            elif operation == 0x0B:  # GET_DEVINFO
                info = {"Model": self.values.get("ProductType", ""), "FSTotalBytes": "127989493760",
                        "FSFreeBytes": "52166422528", "FSBlockSize": "4096"}
                reply(2, b"".join(k.encode() + b"\0" + v.encode() + b"\0" for k, v in info.items()))
            else:
                status(15)  # OP_NOT_SUPPORTED (writes, removes, renames...)

    # -- notification_proxy and springboardservices (a backup host opens them) -------------------
    def _notification_proxy(self, sock: ssl.SSLSocket, _name: str) -> None:
        while True:
            message = self._recv_plist(sock)
            self.event(f"notify:{message.get('Command')}:{message.get('Name')}")
            if message.get("Command") == "Shutdown":
                self._send_plist(sock, {"Command": "ProxyDeath"})
                return

    def _springboard(self, sock: ssl.SSLSocket, _name: str) -> None:
        while True:
            message = self._recv_plist(sock)
            if message.get("command") == "getIconPNGData":
                self._send_plist(sock, {"pngData": b""})

    # -- mobilebackup2 (DeviceLink) ---------------------------------------------------------------
    def _dl_send(self, sock: ssl.SSLSocket, message: list[Any]) -> None:
        body = plistlib.dumps(message)
        sock.sendall(struct.pack(">I", len(body)) + body)

    def _dl_recv(self, sock: ssl.SSLSocket) -> list[Any]:
        (size,) = struct.unpack(">I", self._recv_exact(sock, 4))
        return plistlib.loads(self._recv_exact(sock, size))

    def _mobilebackup2(self, sock: ssl.SSLSocket, _name: str) -> None:
        self._dl_send(sock, ["DLMessageVersionExchange", 300, 0])
        reply = self._dl_recv(sock)
        if reply[:2] != ["DLMessageVersionExchange", "DLVersionsOk"]:
            return
        self._dl_send(sock, ["DLMessageDeviceReady"])
        while True:
            message = self._dl_recv(sock)
            if message[0] == "DLMessageDisconnect":
                return
            if message[0] != "DLMessageProcessMessage":
                continue
            request = message[1]
            kind = request.get("MessageName")
            self.event(f"mobilebackup2:{kind}")
            if kind == "Hello":
                self._dl_send(sock, ["DLMessageProcessMessage", {"ErrorCode": 0, "ProtocolVersion": 2.1}])
            elif kind == "ChangePassword":
                self._dl_send(sock, ["DLMessageProcessMessage", self._change_password(request)])
            elif kind == "Backup":
                self._send_backup(sock)
            else:
                self._dl_send(sock, ["DLMessageProcessMessage", {"ErrorCode": 1, "ErrorDescription": "unsupported"}])

    def _change_password(self, request: dict[str, Any]) -> dict[str, Any]:
        old, new = request.get("OldPassword"), request.get("NewPassword")
        if self.backup_password is not None and old != self.backup_password:
            return {"ErrorCode": 207, "ErrorDescription": "The password is incorrect"}  # never overwritten
        self.backup_password = new or None
        return {"ErrorCode": 0}

    def _send_backup(self, sock: ssl.SSLSocket) -> None:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from ios_backup_builder import DEFAULT_LOCKDOWN, BackupContent, build_backup

        lockdown = {**DEFAULT_LOCKDOWN, **{k: self.values[k] for k in DEFAULT_LOCKDOWN if k in self.values}}
        with tempfile.TemporaryDirectory(prefix="fake-backup-") as tmp:
            made = build_backup(Path(tmp) / "b", BackupContent(files=dict(self.backup_files), lockdown=lockdown),
                                password=self.backup_password)
            paths = sorted(p for p in made.rglob("*") if p.is_file() and p.name != "Info.plist")
            udid = self.profile.udid
            for folder in sorted({p.parent for p in paths if p.parent != made}):
                self._dl_send(sock, ["DLMessageCreateDirectory", f"{udid}/{folder.relative_to(made).as_posix()}", 0,
                                     "___EmptyParameterString___"])
                self._expect_status(sock)
            self._dl_send(sock, ["DLMessageUploadFiles", {}, 10.0])
            for number, path in enumerate(paths):
                if self.unplug_at == f"backup:file#{number + 1}":
                    self.event(self.unplug_at)
                name = f"{udid}/{path.relative_to(made).as_posix()}".encode()
                data = path.read_bytes()
                out = struct.pack(">I", len(name)) + name + struct.pack(">I", len(name)) + name
                if data:
                    out += struct.pack(">IB", len(data) + 1, 0x0C) + data
                out += struct.pack(">IB", 1, 0)
                sock.sendall(out)
            sock.sendall(struct.pack(">I", 0))
            self._expect_status(sock)
        self._dl_send(sock, ["DLMessageProcessMessage", {"ErrorCode": 0}])

    def _expect_status(self, sock: ssl.SSLSocket) -> None:
        answer = self._dl_recv(sock)
        if answer[0] != "DLMessageStatusResponse" or answer[1] != 0:
            raise _Dropped(f"host refused: {answer}")
