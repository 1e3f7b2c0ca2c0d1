"""The ``system_logs.logarchive`` members of a sysdiagnose archive, streamed without unpacking.

Same safety as sysdiagnose.py (one streaming pass, the same bomb limits, members with ``..``, absolute
names, links or devices skipped and listed, nothing written to disk), but members are handed over as
streams: a tracev3 file is decoded chunk by chunk as it is decompressed, so memory does not grow with
its size. A damaged archive raises one of ``DAMAGED`` from the stream's ``read``: the caller catches
it. ``select`` says which members are wanted (by their path inside the logarchive); each
(kind, path, stream, size) must be read before the next one is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

# One bomb guard, one set of limits and one walk over the archive for both readers of it.
from inspector.sources.ios.sysdiagnose import DAMAGED, ReadReport, file_members

__all__ = ["DAMAGED", "logarchive_members", "logarchive_path"]


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
    for name, info, archive in file_members(path, report):
        inside = logarchive_path(name)
        kind = select(inside) if inside is not None else None
        if kind is None:
            continue
        handle = archive.extractfile(info)
        if handle is not None:
            yield kind, inside, handle, info.size
