"""The ``system_logs.logarchive`` members of a sysdiagnose archive, streamed without unpacking.

Same safety as sysdiagnose.py (one streaming pass, the same bomb limits, members with ``..``, absolute
names, links or devices skipped and listed, nothing written to disk), but members are handed over as
streams: a tracev3 file is decoded chunk by chunk as it is decompressed, so memory does not grow with
its size. A damaged archive raises one of ``DAMAGED`` from the stream's ``read``: the caller catches
it. ``select`` says which members are wanted (by their path inside the logarchive); each
(kind, path, stream, size) must be read before the next one is asked for.
"""

from __future__ import annotations

import gzip
import tarfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

# One bomb guard and one set of limits for both readers of the archive.
from inspector.sources.ios.sysdiagnose import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    ReadReport,
    UnsafeArchive,
    _Counted,
)
from inspector.sources.zips import safe_name

# What a damaged archive raises while a member's stream is being read (by the caller, outside the
# generator's own try).
DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def logarchive_path(name: str) -> str | None:
    """The path of a member inside its ``*.logarchive`` folder, or None if it is not in one."""
    parts = name.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.endswith(".logarchive"):
            return "/".join(parts[index + 1:])
    return None


def logarchive_members(path: Path, select: Callable[[str], str | None], report: ReadReport | None = None
                       ) -> Iterator[tuple[str, str, IO[bytes], int]]:
    """(kind, path inside the logarchive, stream, size) for every member ``select`` gives a kind.
    UnsafeArchive on a bomb, a damaged archive or too many members."""
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
                    if not info.isfile():
                        continue
                    inside = logarchive_path(name)
                    kind = select(inside) if inside is not None else None
                    if kind is None:
                        continue
                    handle = archive.extractfile(info)
                    if handle is not None:
                        yield kind, inside, handle, info.size
    except DAMAGED as exc:
        raise UnsafeArchive(f"the archive is damaged: {exc}") from None
