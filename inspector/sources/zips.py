"""Reading zip files that came from somewhere else (an androidqf bundle, an Android bugreport).

A zip is hostile input: entry names may climb out (``../``, absolute paths, drive letters,
backslashes), entries may be symlinks, and sizes in the headers may lie (zip bombs). Entries are
read as streams with their real size counted, and refused past the limits below.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

MAX_ENTRIES = 200_000
MAX_TOTAL_BYTES = 64 << 30  # what a bugreport with a large FS/ tree can reach, and no more
MAX_RATIO = 1000  # uncompressed / compressed: text compresses ~10–50×, bombs 1000× and more
CHUNK = 1 << 20


class UnsafeZip(Exception):
    """The zip cannot be read safely; the message says which entry and why."""


@dataclass(frozen=True)
class SafeEntry:
    name: str  # a normalised relative POSIX path
    info: zipfile.ZipInfo


def safe_name(raw: str) -> str | None:
    """The entry's path if it stays inside the extraction root, else None."""
    if "\x00" in raw or "\\" in raw or raw.startswith("/") or (len(raw) > 1 and raw[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(raw).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return "/".join(parts)


def entries(archive: zipfile.ZipFile) -> Iterator[SafeEntry]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnsafeZip(f"the archive has {len(infos)} entries (more than {MAX_ENTRIES})")
    declared = 0
    for info in infos:
        if info.is_dir():
            continue
        name = safe_name(info.filename)
        if name is None:
            raise UnsafeZip(f"entry {info.filename!r} would be written outside the folder")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeZip(f"entry {info.filename!r} is a symbolic link")
        declared += info.file_size
        if declared > MAX_TOTAL_BYTES:
            raise UnsafeZip(f"the archive would unpack to more than {MAX_TOTAL_BYTES >> 30} GiB")
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise UnsafeZip(f"entry {info.filename!r} expands {info.file_size // info.compress_size}× (a zip bomb?)")
        yield SafeEntry(name, info)


def copy_entry(archive: zipfile.ZipFile, entry: SafeEntry, out: BinaryIO) -> int:
    """Stream one entry to ``out``, refusing it if it grows past its declared size."""
    written = 0
    with archive.open(entry.info) as src:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > entry.info.file_size:
                raise UnsafeZip(f"entry {entry.info.filename!r} is larger than its header says")
            out.write(chunk)
    return written


def open_zip(path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise UnsafeZip(f"{path} is not a readable zip file: {exc}") from None
