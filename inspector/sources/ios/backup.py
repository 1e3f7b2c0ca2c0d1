"""Reading an iTunes/Finder backup folder, plain or encrypted, without changing it.

A backup is ``Info.plist``, ``Manifest.plist``, ``Status.plist``, ``Manifest.db`` (SQLite: ``Files(fileID,
domain, relativePath, flags, file)``, ``file`` an NSKeyedArchiver ``MBFile`` plist) and the files at
``<fileID[:2]>/<fileID>``. In an encrypted backup Manifest.db and every file are AES-256-CBC encrypted
with their own key, wrapped with a class key of the keybag (keybag.py).

Everything in a backup is hostile input: plists of unexpected types, a damaged Manifest.db, files
that are missing or cut short. A problem with the backup as a whole raises ``BackupError``; a problem
with one file raises ``BackupFileError`` and the caller goes on with the rest. Decrypted copies are
only ever written into the ``work_dir`` the caller names (inside the output folder), never to /tmp.
"""

from __future__ import annotations

import os
import plistlib
import re
import sqlite3
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from inspector.acquisition import AcquisitionError
from inspector.sources.ios.keybag import Keybag, KeybagError, WrongPassword

__all__ = ["Backup", "BackupError", "BackupFile", "BackupFileError", "PasswordNeeded", "WrongPassword",
           "looks_like_backup", "read_plist"]

CHUNK = 1 << 20
MAX_PLIST_BYTES = 64 << 20  # Info.plist with app icons is a few MB; a 64 MB one is not a backup's
MAX_MBFILE_BYTES = 100 << 10  # an MBFile record is 1-3 kB
_FILE_ID = re.compile(r"^[0-9a-f]{40}$")
FLAG_FILE, FLAG_DIRECTORY, FLAG_SYMLINK = 1, 2, 4


class BackupError(AcquisitionError):
    """The backup as a whole cannot be read; the message says which file and why."""

    hint = ("Check that the folder is the backup folder itself (the one holding Manifest.plist and "
            "Manifest.db), and that the backup finished; make a new backup if it is damaged.")


class BackupFileError(Exception):
    """One file of the backup is missing, cut short or cannot be decrypted."""


class PasswordNeeded(AcquisitionError):
    """The backup is encrypted and no password was given."""

    hint = ("Give the backup password with --password, or in $INSPECTOR_BACKUP_PASSWORD, or run "
            "interactively to be asked for it.")


def looks_like_backup(path: Path) -> bool:
    return path.is_dir() and (path / "Manifest.plist").is_file() and (
        (path / "Manifest.db").is_file() or (path / "Manifest.mbdb").is_file())


def read_plist(path: Path, required: bool = True) -> dict[str, Any]:
    """A plist file whose top level must be a dictionary; BackupError otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_PLIST_BYTES:
            raise BackupError(f"{path.name} is {size} bytes, too large to be a backup's plist")
        with open(path, "rb") as f:
            value = plistlib.load(f)
    except FileNotFoundError:
        if not required:
            return {}
        raise BackupError(f"{path.name} is missing from the backup") from None
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError, OSError) as exc:
        raise BackupError(f"{path.name} is not a readable plist: {exc}") from None
    if not isinstance(value, dict):
        raise BackupError(f"{path.name} holds a {type(value).__name__}, not a dictionary")
    return value


@dataclass(frozen=True)
class BackupFile:
    file_id: str
    domain: str
    relative_path: str
    flags: int
    size: int | None = None
    protection_class: int | None = None
    wrapped_key: bytes | None = None
    mtime: int | None = None  # Unix time
    error: str | None = None  # the MBFile record could not be read

    @property
    def is_file(self) -> bool:
        return self.flags == FLAG_FILE


def _uid(value: object) -> int | None:
    if isinstance(value, plistlib.UID):
        return value.data
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_mbfile(blob: object) -> dict[str, Any]:
    """The fields of an NSKeyedArchiver MBFile record; ValueError when it is not one."""
    if not isinstance(blob, bytes):
        raise ValueError("no MBFile record")
    if len(blob) > MAX_MBFILE_BYTES:
        raise ValueError(f"MBFile record of {len(blob)} bytes")
    try:
        archive = plistlib.loads(blob)
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"MBFile record is not a plist: {exc}") from None
    objects = archive.get("$objects") if isinstance(archive, dict) else None
    top = archive.get("$top") if isinstance(archive, dict) else None
    root_at = _uid(top.get("root")) if isinstance(top, dict) else None
    if not isinstance(objects, list) or root_at is None or not 0 <= root_at < len(objects) \
            or not isinstance(objects[root_at], dict):
        raise ValueError("MBFile record has no root object")
    root = objects[root_at]
    out: dict[str, Any] = {}
    for name in ("Size", "ProtectionClass", "LastModified", "Mode", "Flags"):
        value = root.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            out[name] = value
    key_at = _uid(root.get("EncryptionKey"))
    if key_at is not None and 0 <= key_at < len(objects):
        holder = objects[key_at]
        data = holder.get("NS.data") if isinstance(holder, dict) else holder
        if isinstance(data, bytes) and len(data) == 44:
            out["EncryptionKey"] = data
        else:
            raise ValueError("MBFile EncryptionKey is not 4 + 40 bytes")
    return out


class Backup:
    """One backup folder, opened for reading. Use as a context manager; ``close()`` removes the
    decrypted Manifest.db from ``work_dir``."""

    def __init__(self, root: Path, manifest: dict[str, Any], info: dict[str, Any], status: dict[str, Any],
                 keybag: Keybag | None, db_path: Path, work_dir: Path | None) -> None:
        self.root = root
        self.manifest = manifest
        self.info = info
        self.status = status
        self.keybag = keybag
        self._db_path = db_path
        self._work_dir = work_dir
        self._decrypted_db = db_path if keybag else None
        self._db: sqlite3.Connection | None = None
        self.notes: list[str] = []  # what could not be read but did not stop the backup being read

    @property
    def encrypted(self) -> bool:
        return self.keybag is not None

    # -- opening ------------------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, password: str | None = None, work_dir: Path | None = None) -> Backup:
        """PasswordNeeded / WrongPassword / BackupError when it cannot be opened. ``work_dir`` (inside the
        output folder) is needed for an encrypted backup: its Manifest.db is decrypted there."""
        root = Path(root)
        if not root.is_dir():
            raise BackupError(f"{root} is not a folder")
        manifest = read_plist(root / "Manifest.plist")
        notes = []
        info = status = {}
        try:  # Info.plist and Status.plist only describe the backup: a damaged one is noted, not fatal
            info = read_plist(root / "Info.plist", required=False)
        except BackupError as exc:
            notes.append(str(exc))
        try:
            status = read_plist(root / "Status.plist", required=False)
        except BackupError as exc:
            notes.append(str(exc))
        if not (root / "Manifest.db").is_file():
            if (root / "Manifest.mbdb").is_file():
                raise BackupError("this backup was made by iOS 9 or older (Manifest.mbdb), which inspector "
                                  "does not read")
            raise BackupError("Manifest.db is missing from the backup")
        encrypted = manifest.get("IsEncrypted")
        if not isinstance(encrypted, bool | int):
            raise BackupError(f"Manifest.plist IsEncrypted is a {type(encrypted).__name__}, not a boolean")
        if not encrypted:
            backup = cls(root, manifest, info, status, None, root / "Manifest.db", None)
            backup._connect()
            backup.notes = notes
            return backup
        if password is None:
            raise PasswordNeeded(f"the backup in {root} is encrypted")
        if work_dir is None:
            raise ValueError("an encrypted backup needs a work_dir for its decrypted Manifest.db")
        try:
            keybag = Keybag.parse(manifest.get("BackupKeyBag"))
            keybag.unlock(password)
            manifest_key = manifest.get("ManifestKey")
            if not isinstance(manifest_key, bytes) or len(manifest_key) != 44:
                raise BackupError("Manifest.plist ManifestKey is missing or not 44 bytes")
            (klass,) = struct.unpack("<l", manifest_key[:4])
            key = keybag.unwrap_file_key(klass, manifest_key[4:])
        except KeybagError as exc:
            raise BackupError(f"the backup's keybag cannot be used: {exc}") from None
        work_dir.mkdir(parents=True, exist_ok=True)
        plain_db = work_dir / "Manifest.db"
        try:
            with open(root / "Manifest.db", "rb") as src, open(plain_db, "wb") as dst:
                decrypt_stream(src, dst, key)
        except BackupFileError as exc:
            plain_db.unlink(missing_ok=True)
            raise BackupError(f"Manifest.db cannot be decrypted: {exc}") from None
        backup = cls(root, manifest, info, status, keybag, plain_db, work_dir)
        try:
            backup._connect()
        except BackupError:
            backup.close()
            raise
        backup.notes = notes
        return backup

    def _connect(self) -> None:
        try:
            uri = self._db_path.resolve().as_uri() + ("?mode=ro" if self.encrypted else "?mode=ro&immutable=1")
            db = sqlite3.connect(uri, uri=True)
            db.execute("PRAGMA temp_store = MEMORY")
            columns = {row[1] for row in db.execute("PRAGMA table_info(Files)")}
        except sqlite3.Error as exc:
            raise BackupError(f"Manifest.db is damaged: {exc}") from None
        missing = {"fileID", "domain", "relativePath", "flags", "file"} - columns
        if missing:
            db.close()
            raise BackupError(f"Manifest.db has no Files table with {', '.join(sorted(missing))} "
                              f"(damaged, or not a backup's Manifest.db)")
        self._db = db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._decrypted_db is not None:
            self._decrypted_db.unlink(missing_ok=True)
            self._decrypted_db = None

    def __enter__(self) -> Backup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the file list ----------------------------------------------------------------------------------
    def files(self, domain: str | None = None, relative_path: str | None = None,
              path_like: str | None = None) -> Iterator[BackupFile]:
        """Records of Manifest.db, streamed (a backup may list a million files)."""
        assert self._db is not None
        query = "SELECT fileID, domain, relativePath, flags, file FROM Files"
        where, args = [], []
        if domain is not None:
            where.append("domain = ?")
            args.append(domain)
        if relative_path is not None:
            where.append("relativePath = ?")
            args.append(relative_path)
        if path_like is not None:
            where.append("relativePath LIKE ?")
            args.append(path_like)
        if where:
            # a filtered list is small: sorted in memory. The whole list is not sorted at all, so that
            # SQLite never spills a sort of a million rows into a temporary file outside the output folder.
            query += " WHERE " + " AND ".join(where) + " ORDER BY domain, relativePath"
        try:
            for row in self._db.execute(query, args):
                yield _record(row)
        except sqlite3.Error as exc:
            raise BackupError(f"Manifest.db is damaged: {exc}") from None

    def find(self, domain: str, relative_path: str) -> BackupFile | None:
        return next(self.files(domain=domain, relative_path=relative_path), None)

    def count(self) -> int:
        assert self._db is not None
        try:
            return int(self._db.execute("SELECT count(*) FROM Files").fetchone()[0])
        except sqlite3.Error as exc:
            raise BackupError(f"Manifest.db is damaged: {exc}") from None

    # -- one file -----------------------------------------------------------------------------------------
    def stored_path(self, record: BackupFile) -> Path:
        if not _FILE_ID.match(record.file_id):
            raise BackupFileError(f"{record.domain}/{record.relative_path}: file id {record.file_id!r} is not "
                                  f"40 hex digits")
        return self.root / record.file_id[:2] / record.file_id

    def copy_to(self, record: BackupFile, out: BinaryIO) -> int:
        """The file's plain bytes written to ``out`` (decrypted on the fly); the number of bytes."""
        where = f"{record.domain}/{record.relative_path}"
        if record.error:
            raise BackupFileError(f"{where}: {record.error}")
        if not record.is_file:
            raise BackupFileError(f"{where} is not a regular file")
        path = self.stored_path(record)
        try:
            src = open(path, "rb")
        except FileNotFoundError:
            raise BackupFileError(f"{where} is listed in Manifest.db but missing from the backup "
                                  f"({record.file_id})") from None
        except OSError as exc:
            raise BackupFileError(f"{where}: {exc}") from None
        with src:
            if self.keybag is None:
                written = 0
                while chunk := src.read(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
                return written
            if record.wrapped_key is None or record.protection_class is None:
                if os.fstat(src.fileno()).st_size == 0:
                    return 0
                raise BackupFileError(f"{where} has no encryption key in Manifest.db")
            try:
                key = self.keybag.unwrap_file_key(record.protection_class, record.wrapped_key)
            except KeybagError as exc:
                raise BackupFileError(f"{where}: {exc}") from None
            try:
                return decrypt_stream(src, out, key)
            except BackupFileError as exc:
                raise BackupFileError(f"{where}: {exc}") from None

    def extract(self, record: BackupFile, dest: Path) -> Path:
        """Write the plain file to ``dest`` (a path the caller chose inside its work folder)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(dest, "wb") as out:
                self.copy_to(record, out)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
        return dest


def _record(row: tuple) -> BackupFile:
    file_id, domain, relative_path, flags, blob = row
    file_id = file_id if isinstance(file_id, str) else repr(file_id)
    domain = domain if isinstance(domain, str) else ""
    relative_path = relative_path if isinstance(relative_path, str) else ""
    flags = flags if isinstance(flags, int) else 0
    try:
        fields = parse_mbfile(blob) if flags == FLAG_FILE else {}
    except ValueError as exc:
        return BackupFile(file_id, domain, relative_path, flags, error=str(exc))
    key = fields.get("EncryptionKey")
    return BackupFile(file_id, domain, relative_path, flags, size=fields.get("Size"),
                      protection_class=struct.unpack("<l", key[:4])[0] if key else fields.get("ProtectionClass"),
                      wrapped_key=key[4:] if key else None, mtime=fields.get("LastModified"))


def decrypt_stream(src: BinaryIO, dst: BinaryIO, key: bytes) -> int:
    """AES-256-CBC (zero IV, PKCS#7 padding) from ``src`` to ``dst`` in 1 MiB pieces."""
    size = os.fstat(src.fileno()).st_size
    if size % 16:
        raise BackupFileError(f"the encrypted file is {size} bytes, not a multiple of 16: it was cut short")
    if size == 0:
        return 0
    decryptor = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    written = 0
    while chunk := src.read(CHUNK):
        plain = unpadder.update(decryptor.update(chunk))
        dst.write(plain)
        written += len(plain)
    try:
        tail = unpadder.update(decryptor.finalize()) + unpadder.finalize()
    except ValueError:
        raise BackupFileError("the decrypted end is not valid padding: the file was cut short or "
                              "does not belong to this backup") from None
    dst.write(tail)
    return written + len(tail)
