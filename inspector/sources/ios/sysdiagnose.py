"""Reading a sysdiagnose archive (``sysdiagnose_<date>_<device>.tar.gz``) without unpacking it.

The archive is hostile input: member names may climb out (``../``, absolute paths), members may be
links or devices, and a small archive may expand to terabytes (a decompression bomb). It is read in
one streaming pass; no member is ever written to disk under its own name; only the members the checks
read (shutdown.log, crash logs, lockdownd's, MobileInstallation's and logd's logs, text logs) are kept,
each up to ``MAX_MEMBER_BYTES``; the whole stream stops past ``MAX_TOTAL_BYTES`` or ``MAX_RATIO`` times
the archive's size.
"""

from __future__ import annotations

import gzip
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from inspector.sources.zips import safe_name

MAX_MEMBERS = 200_000
MAX_TOTAL_BYTES = 16 << 30  # a sysdiagnose is 100 MB – 2 GB unpacked
MAX_RATIO = 200  # logs compress 10-30×; a bomb 1000× and more
MAX_MEMBER_BYTES = 64 << 20
READ_CHUNK = 1 << 20


class UnsafeArchive(Exception):
    """The archive cannot be read safely; the message says which member and why."""


@dataclass(frozen=True)
class Member:
    name: str  # normalised relative path inside the archive
    data: bytes
    truncated: bool  # larger than MAX_MEMBER_BYTES: only the start was kept


@dataclass
class ReadReport:
    members: int = 0
    skipped_unsafe: list[str] | None = None  # names refused (traversal, links, devices)


_LOCKDOWND_LOG = re.compile(r"lockdownd\.log(?:\.\d{1,3})?")  # logs/MobileLockdown/lockdownd.log (.1 rotated)
_INSTALLATION_LOG = re.compile(r"mobile_installation\.log(?:\.\d{1,3})?")  # logs/MobileInstallation/…log.0, .1…
_LOGD_LOG = re.compile(r"logd\.\d{1,3}\.log")  # logd's own log: its lines carry the phone's UTC offset


def wanted(name: str) -> str | None:
    """What a member is for the checks: shutdown_log, process_list, crash_log, lockdownd_log,
    installation_log, logd_log, text_log, or None."""
    base = name.rsplit("/", 1)[-1]
    if _LOCKDOWND_LOG.fullmatch(base):
        return "lockdownd_log"
    if _INSTALLATION_LOG.fullmatch(base):
        return "installation_log"
    if _LOGD_LOG.fullmatch(base):
        return "logd_log"
    if base == "shutdown.log":
        return "shutdown_log"
    if base in ("ps.txt", "ps_thread.txt"):
        return "process_list"
    if base.endswith((".ips", ".crash")) or "/crashes_and_spins/" in f"/{name}":
        return "crash_log"
    if base.endswith((".log", ".txt")) and "/system_logs.logarchive/" not in f"/{name}":
        return "text_log"
    return None


class _Counted:
    """The decompressed stream, counted: stops a bomb before it fills memory or disk."""

    def __init__(self, raw: gzip.GzipFile, limit: int) -> None:
        self.raw, self.limit, self.count = raw, limit, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        if self.count > self.limit:
            raise UnsafeArchive(f"the archive expands to more than {self.limit} bytes "
                                f"(a decompression bomb?); stopped there")
        return data


def looks_like_sysdiagnose(path: Path) -> bool:
    if not path.is_file() or not path.name.lower().endswith((".tar.gz", ".tgz")):
        return False
    try:
        with open(path, "rb") as f:
            if f.read(2) != b"\x1f\x8b":
                return False
        if path.name.lower().startswith("sysdiagnose"):
            return True  # by its name: a damaged one is then reported as damaged, not as "unknown input"
        with tarfile.open(path, "r|gz") as archive:
            first = next(iter(archive), None)
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        return False
    return first is not None and (first.name.lstrip("./").startswith("sysdiagnose")
                                  or "sysdiagnose" in path.name.lower())


# What a damaged archive raises while it is read (its headers, or a member's stream).
DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def file_members(path: Path, report: ReadReport | None = None
                 ) -> Iterator[tuple[str, tarfile.TarInfo, tarfile.TarFile]]:
    """(safe name, info, archive) for every regular file of the archive, in one streaming pass under the
    bomb limits; unsafe names, links and devices are skipped and listed in ``report``. UnsafeArchive on
    a bomb, too many members, or damaged headers. A member's stream (``archive.extractfile(info)``)
    must be read before the next member is asked for; a damage found while reading it raises one of
    ``DAMAGED`` there, for the caller to turn into UnsafeArchive."""
    report = report if report is not None else ReadReport()
    report.skipped_unsafe = report.skipped_unsafe if report.skipped_unsafe is not None else []
    limit = min(MAX_TOTAL_BYTES, max(path.stat().st_size, 1 << 20) * MAX_RATIO)
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) as unzipped:
            counted = _Counted(unzipped, limit)
            with tarfile.open(fileobj=counted, mode="r|") as archive:  # type: ignore[call-overload]
                for info in archive:
                    report.members += 1
                    if report.members > MAX_MEMBERS:
                        raise UnsafeArchive(f"the archive has more than {MAX_MEMBERS} members")
                    name = safe_name(info.name)
                    if name is None or info.issym() or info.islnk() or info.isdev() or info.isfifo():
                        if len(report.skipped_unsafe) < 100:
                            report.skipped_unsafe.append(info.name[:200])
                        continue
                    if info.isfile():
                        yield name, info, archive
    except DAMAGED as exc:
        raise UnsafeArchive(f"the archive is damaged: {exc}") from None


def members(path: Path, report: ReadReport | None = None) -> Iterator[tuple[str, Member]]:
    """(kind, member) for every member the checks read, in archive order. UnsafeArchive on a bomb,
    a damaged archive or too many members; unsafe names are skipped and listed in ``report``."""
    for name, info, archive in file_members(path, report):
        kind = wanted(name)
        if kind is None:
            continue
        handle = archive.extractfile(info)
        if handle is None:
            continue
        try:
            data = handle.read(MAX_MEMBER_BYTES)
        except DAMAGED as exc:
            raise UnsafeArchive(f"the archive is damaged: {exc}") from None
        yield kind, Member(name, data, info.size > MAX_MEMBER_BYTES)
