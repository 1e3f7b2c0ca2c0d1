"""Offline iPhone inputs turned into an inspector acquisition (platform ``ios``), never changed in place.

- A backup folder is read where it is: the acquisition records its path (``source``), copies its
  small plists as JSON (``backup_info.json``, ``device_info.json``), and writes ``backup_files.csv``:
  every file Manifest.db lists, with the SHA-256 of its stored bytes and whether it is missing or cut
  short. That one streaming pass is the chain of custody for the backup and what the coverage says
  was not there. Checks open the backup again (decrypting in a work folder inside the acquisition).
- A sysdiagnose archive is copied as ``sysdiagnose.tar.gz``.
- A folder of crash logs is copied into ``crash_logs/`` under safe names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import inspector
from inspector.acquisition import Acquisition
from inspector.acquisition.device import hash_serial
from inspector.acquisition.names import safe_component
from inspector.sources.ios.backup import Backup, BackupFileError

CRASH_SUFFIXES = (".ips", ".crash", ".synced", ".panic")
CHUNK = 1 << 20
Progress = Callable[[int], None]


def json_safe(value: Any) -> Any:
    """Plist values as JSON: bytes → lowercase hex, datetime → ISO 8601 UTC "Z", UID → int (the
    acquisition layout's rule, docs/acquisition.md)."""
    import plistlib

    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)  # plists hold naive UTC
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, plistlib.UID):
        return value.data
    return value


def looks_like_crash_folder(path: Path) -> bool:
    return path.is_dir() and any(p.is_file() and p.name.endswith(CRASH_SUFFIXES) for p in path.iterdir())


def _new(out: Path, kind: str, source: Path) -> Acquisition:
    acq = Acquisition.create(out, platform="ios", tool_version=inspector.__version__,
                             signature_pack_version="n/a", operator=None)
    acq.manifest["source"] = {"kind": kind, "path": str(source.resolve())}
    acq.save()
    return acq


def device_from_lockdown(lockdown: dict[str, Any], transport: str) -> dict[str, Any]:
    def text(*keys: str) -> str | None:
        for key in keys:
            if isinstance(lockdown.get(key), str):
                return lockdown[key]
        return None

    serial = text("SerialNumber", "Serial Number") or text("UniqueDeviceID", "Unique Identifier") or "unknown"
    return {"platform": "ios", "manufacturer": "Apple", "model": text("ProductType", "Product Type"),
            "os_version": text("ProductVersion", "Product Version"), "build": text("BuildVersion", "Build Version"),
            "timezone": text("TimeZone"), "serial_sha256": hash_serial(serial), "transport": transport}


def convert_backup(source: Path, out: Path, password: str | None, progress: Progress | None = None) -> Acquisition:
    """Open the backup first (a wrong password or a damaged Manifest fails before anything is written),
    then record it. ``progress`` is called with the bytes hashed so far."""
    work = out / ".ios-work"
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        backup = Backup.open(source, password, work)
    except BaseException:
        _remove_work(work)
        if created and not any(out.iterdir()):
            out.rmdir()  # nothing was written: leave no empty folder behind a wrong password
        raise
    with backup:
        acq = _new(out, "ios-backup", source)
        acq.manifest["source"]["encrypted"] = backup.encrypted
        info = {k: v for k, v in backup.info.items() if k not in ("Applications", "iTunes Files", "iBooks Data 2")}
        acq.write_json("backup_info.json", json_safe(info), source_file="Info.plist")
        manifest = {k: v for k, v in backup.manifest.items() if k not in ("BackupKeyBag", "ManifestKey",
                                                                          "Applications")}
        acq.write_json("backup_manifest.json", json_safe(manifest), source_file="Manifest.plist")
        lockdown = backup.manifest.get("Lockdown") if isinstance(backup.manifest.get("Lockdown"), dict) else {}
        acq.write_json("device_info.json", json_safe(lockdown or info), source_file="Manifest.plist Lockdown")
        _inventory(acq, backup, progress)
        acq.set_device(device_from_lockdown(lockdown or info, "itunes-backup"))
    _remove_work(work)
    acq.finish()
    return acq


def _remove_work(work: Path) -> None:
    if work.is_dir():
        for child in work.iterdir():
            child.unlink(missing_ok=True)
        work.rmdir()


def stored_size_problem(backup: Backup, size: int, declared: int | None) -> str | None:
    """Why a stored file's size cannot be right (an encrypted file is padded to 16 bytes)."""
    if backup.encrypted:
        if size % 16:
            return "truncated"
        if declared is not None and declared >= 0 and size < declared:
            return "truncated"
    elif declared is not None and size < declared:
        return "truncated"
    return None


def _inventory(acq: Acquisition, backup: Backup, progress: Progress | None) -> None:
    """backup_files.csv: one row per file of Manifest.db, hashed as stored."""
    with acq.writer("backup_files.csv", source_file="Manifest.db") as dst:
        text = io.TextIOWrapper(_Sink(dst), encoding="utf-8", newline="", write_through=True)
        rows = csv.writer(text, lineterminator="\n")
        rows.writerow(["file_id", "domain", "relative_path", "declared_size", "stored_size", "sha256", "problem"])
        for record in backup.files():
            if not record.is_file:
                continue
            problem, digest, size = record.error, "", ""
            try:
                path = backup.stored_path(record)
                digest, stored = _hash(path, progress)
                size = str(stored)
                problem = problem or stored_size_problem(backup, stored, record.size)
            except FileNotFoundError:
                problem = "missing"
            except (BackupFileError, OSError) as exc:
                problem = str(exc)[:200]
            rows.writerow([record.file_id, record.domain, record.relative_path,
                           "" if record.size is None else record.size, size, digest, problem or ""])
        text.flush()


class _Sink(io.RawIOBase):
    def __init__(self, writer) -> None:
        self.writer = writer

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return self.writer.write(bytes(data))


def _hash(path: Path, progress: Progress | None) -> tuple[str, int]:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise BackupFileError("not a regular file")
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if progress:
                progress(len(chunk))
    return digest.hexdigest(), size


def convert_sysdiagnose(source: Path, out: Path) -> Acquisition:
    acq = _new(out, "sysdiagnose", source)
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as src, acq.writer("sysdiagnose.tar.gz", source_file=source.name) as dst:
        while chunk := src.read(CHUNK):
            dst.write(chunk)
    acq.set_device({"platform": "ios", "manufacturer": "Apple", "transport": "sysdiagnose"})
    acq.finish()
    return acq


def convert_crash_folder(source: Path, out: Path) -> Acquisition:
    acq = _new(out, "ios-crash-logs", source)
    used: set[str] = set()
    for path in sorted(source.iterdir()):
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                continue  # symlinks and folders are not followed out of the input
        except OSError:
            continue
        name = safe_component(path.name, limit=120)
        while name in used:
            name = f"_{name}"
        used.add(name)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as src, acq.writer(f"crash_logs/{name}", source_file=path.name) as dst:
            while chunk := src.read(CHUNK):
                dst.write(chunk)
    acq.set_device({"platform": "ios", "manufacturer": "Apple", "transport": "crash-logs"})
    acq.finish()
    return acq
