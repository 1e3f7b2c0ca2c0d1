"""Generate iTunes/Finder-format iPhone backups, plain or encrypted, in milliseconds, for tests.

What it writes is the real format (see docs/ios.md): Info.plist, Status.plist, Manifest.plist (with
``IsEncrypted`` and ``Lockdown``), Manifest.db with NSKeyedArchiver ``MBFile`` records and
``fileID = sha1(domain + "-" + relativePath)``, and the files at ``<id[:2]>/<id>``. An encrypted backup
gets a keybag (VERS 4, TYPE 1; passphrase key = pbkdf2-sha1(pbkdf2-sha256(pw, DPSL, DPIC), SALT, ITER);
class keys AES-key-wrapped, RFC 3394), a wrapped key per file and AES-256-CBC files. Iteration counts
are 1 by default, so building and unlocking take milliseconds (a phone uses 10,000,000 and 1,000/10,000).

The independent readers ``iphone-backup-decrypt`` and ``mvt-ios`` read what this writes
(tests/test_ios_backup.py, tests/test_ios_mvt_crosscheck.py).

Also here: small real-schema SQLite databases of the kind a backup holds (sms.db, Safari History.db,
TCC.db, DataUsage.sqlite) and configuration-profile plists.
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import sqlite3
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

MAC_EPOCH = 978307200  # 2001-01-01 in Unix time: Apple's "Mac absolute time"

SMS_DB = ("HomeDomain", "Library/SMS/sms.db")
SAFARI_HISTORY = ("HomeDomain", "Library/Safari/History.db")
TCC_DB = ("HomeDomain", "Library/TCC/TCC.db")
DATA_USAGE = ("WirelessDomain", "Library/Databases/DataUsage.sqlite")
PROFILES_DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"

DEFAULT_LOCKDOWN = {
    "ProductType": "iPhone14,5", "ProductVersion": "17.5.1", "BuildVersion": "21F90",
    "DeviceName": "Test iPhone", "SerialNumber": "F2LXTESTSERIAL", "UniqueDeviceID": "00008110-000A1B2C3D4E5F60",
}


def file_id(domain: str, relative_path: str) -> str:
    return hashlib.sha1(f"{domain}-{relative_path}".encode()).hexdigest()


@dataclass
class BackupContent:
    """What goes into a backup: files by (domain, relativePath), and the plists' extra keys."""

    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    lockdown: dict = field(default_factory=lambda: dict(DEFAULT_LOCKDOWN))
    info_extra: dict = field(default_factory=dict)
    manifest_extra: dict = field(default_factory=dict)
    applications: dict[str, dict] = field(default_factory=dict)  # bundle id -> Info.plist Applications entry
    date: datetime = datetime(2026, 11, 18, 12, 0, 0)


def _mbfile(relative_path: str, size: int, protection_class: int, wrapped: bytes | None, mtime: int) -> bytes:
    objects: list = ["$null"]
    root = {"RelativePath": plistlib.UID(2), "Size": size, "ProtectionClass": protection_class,
            "LastModified": mtime, "LastStatusChange": mtime, "Birth": mtime, "Mode": 0o100644,
            "InodeNumber": 1234, "UserID": 501, "GroupID": 501, "Flags": 0, "$class": plistlib.UID(3)}
    objects += [root, relative_path, {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]}]
    if wrapped is not None:
        root["EncryptionKey"] = plistlib.UID(4)
        objects.append({"NS.data": struct.pack("<l", protection_class) + wrapped, "$class": plistlib.UID(5)})
        objects.append({"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]})
    return plistlib.dumps({"$version": 100000, "$archiver": "NSKeyedArchiver", "$top": {"root": plistlib.UID(1)},
                           "$objects": objects}, fmt=plistlib.FMT_BINARY)


def _encrypt(data: bytes, key: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor()
    return enc.update(padder.update(data) + padder.finalize()) + enc.finalize()


def _tlv(tag: bytes, value: bytes | int) -> bytes:
    raw = struct.pack(">L", value) if isinstance(value, int) else value
    return tag + struct.pack(">L", len(raw)) + raw


class _Crypto:
    CLASSES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)

    def __init__(self, password: str, dpic: int, iterations: int) -> None:
        self.dpsl, self.salt = os.urandom(20), os.urandom(20)
        round1 = hashlib.pbkdf2_hmac("sha256", password.encode(), self.dpsl, dpic, 32)
        self.passkey = hashlib.pbkdf2_hmac("sha1", round1, self.salt, iterations, 32)
        self.class_keys = {c: os.urandom(32) for c in self.CLASSES}
        blob = _tlv(b"VERS", 4) + _tlv(b"TYPE", 1) + _tlv(b"UUID", os.urandom(16)) + _tlv(b"HMCK", os.urandom(40))
        blob += _tlv(b"WRAP", 0) + _tlv(b"SALT", self.salt) + _tlv(b"ITER", iterations) + _tlv(b"DPWT", 1)
        blob += _tlv(b"DPIC", dpic) + _tlv(b"DPSL", self.dpsl)
        for c, key in self.class_keys.items():
            blob += _tlv(b"UUID", os.urandom(16)) + _tlv(b"CLAS", c) + _tlv(b"WRAP", 2) + _tlv(b"KTYP", 0)
            blob += _tlv(b"WPKY", aes_key_wrap(self.passkey, key))
        self.keybag = blob

    def wrap_new_key(self, protection_class: int) -> tuple[bytes, bytes]:
        key = os.urandom(32)
        return key, aes_key_wrap(self.class_keys[protection_class], key)


def _write_generated(path: Path, size: int, key: bytes | None, seed: int) -> None:
    """``size`` bytes of a repeated 1 MiB block (unique per file), streamed; AES-CBC when ``key``."""
    block = hashlib.sha256(str(seed).encode()).digest() * (1 << 15)
    enc = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor() if key else None
    padder = padding.PKCS7(128).padder() if key else None
    with open(path, "wb") as out:
        left = size
        while left > 0:
            chunk = block[:min(left, len(block))]
            left -= len(chunk)
            out.write(enc.update(padder.update(chunk)) if enc and padder else chunk)
        if enc and padder:
            out.write(enc.update(padder.finalize()) + enc.finalize())


def build_backup(dest: Path, content: BackupContent, password: str | None = None, *, dpic: int = 1,
                 iterations: int = 1, protection_class: int = 3,
                 generated: Iterable[tuple[str, str, int]] = ()) -> Path:
    """Write the backup into ``dest`` (created) and return it. ``generated``: (domain, relativePath,
    size) of large files whose bytes are made on the fly (for benchmarks: nothing held in memory)."""
    dest.mkdir(parents=True, exist_ok=True)
    crypto = _Crypto(password, dpic, iterations) if password is not None else None
    mtime = int(content.date.timestamp())
    db_path = dest / ".Manifest.db.plain"
    db_path.unlink(missing_ok=True)
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, "
               "file BLOB)")
    db.execute("CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB)")
    dirs: set[tuple[str, str]] = set()
    for (domain, rel), data in content.files.items():
        parts = rel.split("/")
        for i in range(1, len(parts)):
            dirs.add((domain, "/".join(parts[:i])))
        fid = file_id(domain, rel)
        wrapped = None
        stored = data
        if crypto is not None:
            key, wrapped = crypto.wrap_new_key(protection_class)
            stored = _encrypt(data, key)
        (dest / fid[:2]).mkdir(exist_ok=True)
        (dest / fid[:2] / fid).write_bytes(stored)
        db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, ?)",
                   (fid, domain, rel, _mbfile(rel, len(data), protection_class, wrapped, mtime)))
    for seed, (domain, rel, size) in enumerate(generated):
        fid = file_id(domain, rel)
        (dest / fid[:2]).mkdir(exist_ok=True)
        key, wrapped = crypto.wrap_new_key(protection_class) if crypto is not None else (None, None)
        _write_generated(dest / fid[:2] / fid, size, key, seed)
        db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, ?)",
                   (fid, domain, rel, _mbfile(rel, size, protection_class, wrapped, mtime)))
    for domain, rel in sorted(dirs):
        db.execute("INSERT OR IGNORE INTO Files VALUES (?, ?, ?, 2, ?)",
                   (file_id(domain, rel), domain, rel, _mbfile(rel, 0, 0, None, mtime)))
    db.commit()
    db.close()
    manifest = {"Version": "10.0", "Date": content.date, "SystemDomainsVersion": "24.0", "WasPasscodeSet": True,
                "IsEncrypted": crypto is not None, "Lockdown": dict(content.lockdown),
                "Applications": {b: {"CFBundleIdentifier": b, **v} for b, v in content.applications.items()},
                **content.manifest_extra}
    raw_db = db_path.read_bytes()
    db_path.unlink()
    if crypto is not None:
        key, wrapped = crypto.wrap_new_key(4)
        (dest / "Manifest.db").write_bytes(_encrypt(raw_db, key))
        manifest["BackupKeyBag"] = crypto.keybag
        manifest["ManifestKey"] = struct.pack("<l", 4) + wrapped
    else:
        (dest / "Manifest.db").write_bytes(raw_db)
    (dest / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    lock = content.lockdown
    info = {"Build Version": lock["BuildVersion"], "Device Name": lock["DeviceName"],
            "Display Name": lock["DeviceName"], "Product Type": lock["ProductType"],
            "Product Version": lock["ProductVersion"], "Serial Number": lock["SerialNumber"],
            "Target Identifier": lock["UniqueDeviceID"], "Unique Identifier": lock["UniqueDeviceID"],
            "Last Backup Date": content.date, "iTunes Version": "12.13",
            "Installed Applications": sorted(content.applications), **content.info_extra}
    (dest / "Info.plist").write_bytes(plistlib.dumps(info))
    status = {"BackupState": "new", "Date": content.date, "IsFullBackup": False, "SnapshotState": "finished",
              "UUID": "D3F1A2B4-0000-4000-8000-000000000001", "Version": "3.3"}
    (dest / "Status.plist").write_bytes(plistlib.dumps(status, fmt=plistlib.FMT_BINARY))
    return dest


# -- databases of the kind a backup holds (real table layouts, few columns) ---------------------------------
def mac_ns(moment: datetime) -> int:
    """iOS 11+ message dates: nanoseconds since 2001-01-01."""
    return int((moment.timestamp() - MAC_EPOCH) * 1_000_000_000)


def mac_s(moment: datetime) -> float:
    return moment.timestamp() - MAC_EPOCH


def _db_bytes(tmp: Path, statements: Iterable[tuple[str, tuple]]) -> bytes:
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    for sql, args in statements:
        db.execute(sql, args)
    db.commit()
    db.close()
    data = tmp.read_bytes()
    tmp.unlink()
    return data


def sms_db(work: Path, messages: list[tuple[str, str, datetime]]) -> bytes:
    """messages: (sender handle, text, date)."""
    stmts: list[tuple[str, tuple]] = [
        ("CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, service TEXT)", ()),
        ("CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, text TEXT, handle_id INTEGER, "
         "service TEXT, account TEXT, date INTEGER, date_read INTEGER, is_from_me INTEGER)", ())]
    handles: dict[str, int] = {}
    for sender, text, when in messages:
        if sender not in handles:
            handles[sender] = len(handles) + 1
            stmts.append(("INSERT INTO handle (ROWID, id, service) VALUES (?, ?, 'SMS')", (handles[sender], sender)))
        stmts.append(("INSERT INTO message (guid, text, handle_id, service, account, date, date_read, is_from_me) "
                      "VALUES (?, ?, ?, 'SMS', 'p:+000', ?, 0, 0)",
                      (f"GUID-{len(stmts)}", text, handles[sender], mac_ns(when))))
    return _db_bytes(work / "sms.db.tmp", stmts)


def safari_history_db(work: Path, visits: list[tuple[str, datetime]]) -> bytes:
    stmts: list[tuple[str, tuple]] = [
        ("CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, "
         "domain_expansion TEXT NULL, visit_count INTEGER NOT NULL)", ()),
        ("CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL, "
         "visit_time REAL NOT NULL, title TEXT NULL, redirect_source INTEGER NULL, "
         "redirect_destination INTEGER NULL)", ())]
    for i, (url, when) in enumerate(visits, 1):
        stmts.append(("INSERT INTO history_items (id, url, visit_count) VALUES (?, ?, 1)", (i, url)))
        stmts.append(("INSERT INTO history_visits (history_item, visit_time) VALUES (?, ?)", (i, mac_s(when))))
    return _db_bytes(work / "History.db.tmp", stmts)


def tcc_db(work: Path, grants: list[tuple[str, str, int, datetime]]) -> bytes:
    """grants: (service, client bundle id or path, auth_value (2 = allowed), last modified)."""
    stmts: list[tuple[str, tuple]] = [
        ("CREATE TABLE access (service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL, "
         "auth_value INTEGER NOT NULL, auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL, "
         "csreq BLOB, policy_id INTEGER, indirect_object_identifier_type INTEGER, "
         "indirect_object_identifier TEXT NOT NULL DEFAULT 'UNUSED', indirect_object_code_identity BLOB, "
         "flags INTEGER, last_modified INTEGER NOT NULL DEFAULT 0, "
         "PRIMARY KEY (service, client, client_type, indirect_object_identifier))", ())]
    for service, client, value, when in grants:
        stmts.append(("INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, "
                      "last_modified) VALUES (?, ?, ?, ?, 2, 1, ?)",
                      (service, client, 1 if client.startswith("/") else 0, value, int(when.timestamp()))))
    return _db_bytes(work / "TCC.db.tmp", stmts)


def data_usage_db(work: Path, processes: list[tuple[str, str, datetime]]) -> bytes:
    """processes: (process name, bundle name, first seen)."""
    stmts: list[tuple[str, tuple]] = [
        ("CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP, "
         "ZTIMESTAMP TIMESTAMP, ZPROCNAME VARCHAR, ZBUNDLENAME VARCHAR)", ()),
        ("CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, "
         "ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER, ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, "
         "ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT)", ())]
    for i, (proc, bundle, when) in enumerate(processes, 1):
        stmts.append(("INSERT INTO ZPROCESS VALUES (?, 1, 1, ?, ?, ?, ?)", (i, mac_s(when), mac_s(when), proc, bundle)))
        stmts.append(("INSERT INTO ZLIVEUSAGE (Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT) "
                      "VALUES (?, ?, ?, 1024, 2048, 0, 0)", (i, i, mac_s(when))))
    return _db_bytes(work / "DataUsage.sqlite.tmp", stmts)


def profile_plist(uuid: str, name: str, payloads: list[dict], installed: datetime,
                  organization: str = "") -> bytes:
    """A configuration profile as iOS keeps it (``Library/ConfigurationProfiles/profile-<hash>.stub``)."""
    content = [{"PayloadUUID": f"{uuid}-{i}", "PayloadIdentifier": f"{name}.{i}", "PayloadVersion": 1, **p}
               for i, p in enumerate(payloads)]
    return plistlib.dumps({"PayloadType": "Configuration", "PayloadUUID": uuid, "PayloadIdentifier": name,
                           "PayloadDisplayName": name, "PayloadOrganization": organization,
                           "PayloadDescription": "", "PayloadVersion": 1, "PayloadContent": content,
                           "InstallDate": installed}, fmt=plistlib.FMT_BINARY)


def profile_path(uuid: str) -> tuple[str, str]:
    return PROFILES_DOMAIN, f"Library/ConfigurationProfiles/profile-{hashlib.sha256(uuid.encode()).hexdigest()}.stub"


# -- sysdiagnose archives ---------------------------------------------------------------------------------
# Synthetic, in the layout of a real sysdiagnose (sysdiagnose_<date>_<device>_<build>/...). The text of
# shutdown.log follows the excerpts Kaspersky published (securelist.com, "iShutdown", January 2024);
# the log lines follow the output format of macOS `log show` and of the iOS syslog relay.
SHUTDOWN_LOG_CLEAN = """\
remaining client pid: 91 (/usr/libexec/locationd)
After 0.02s, these clients are still here:
\tremaining client pid: 91 (/usr/libexec/locationd)
SIGTERM: [1763456400] Cleaning up...
"""


def shutdown_log(clients: list[str], when: datetime) -> str:
    lines = []
    for pid, path in enumerate(clients, 300):
        lines.append(f"\t\tremaining client pid: {pid} ({path})")
    return (SHUTDOWN_LOG_CLEAN + "After 2.50s, these clients are still here:\n" + "\n".join(lines)
            + "\nAfter 5.01s, these clients are still here:\n" + "\n".join(lines)
            + f"\nSIGTERM: [{int(when.timestamp())}] Cleaning up...\n")


def log_show_line(when: datetime, offset: str, process: str, message: str, pid: int = 64) -> str:
    """One line as `log show` prints it; ``when`` is local time at ``offset`` (+0800)."""
    return (f"{when.strftime('%Y-%m-%d %H:%M:%S')}.123456{offset} 0x1a2b     Default     0x0                  "
            f"{pid}    0    {process}: {message}")


SYSDIAGNOSE_ROOT = "sysdiagnose_2026.11.18_10-00-00+0800_iPhone-OS_iPhone_21F90"


def build_sysdiagnose(dest: Path, members: dict[str, bytes], root: str = SYSDIAGNOSE_ROOT,
                      raw_names: bool = False) -> Path:
    """A .tar.gz with ``members`` (relative to ``root`` unless ``raw_names``)."""
    import io
    import tarfile

    with tarfile.open(dest, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name if raw_names else f"{root}/{name}")
            info.size = len(data)
            info.mtime = 1763456400
            archive.addfile(info, io.BytesIO(data))
    return dest
