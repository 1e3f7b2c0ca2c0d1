"""`inspector check-files DIR`: a folder on this computer against the implants' target lists, by the
same rule as on a phone (exact size first, then the MD5 of the whole file), hashed here, read-only.

Symlinks are never followed and special files are skipped, so the walk stays inside DIR.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.target_files import match_files
from inspector.analyze.signatures import SignaturePack

CHUNK = 1 << 20


@dataclass
class FolderCheck:
    folder: Path
    outcomes: list[CheckOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def findings(self) -> list:
        return [f for o in self.outcomes for f in o.findings]


def list_files(folder: Path, errors: list[str]) -> list[dict]:
    records = []

    def onerror(exc: OSError) -> None:
        errors.append(f"{exc.filename}: {exc.strerror}")

    for dirpath, dirnames, filenames in os.walk(folder, onerror=onerror, followlinks=False):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = os.path.join(dirpath, name)
            try:
                info = os.lstat(path)
            except OSError as exc:
                errors.append(f"{path}: {exc.strerror}")
                continue
            kind = "file" if stat.S_ISREG(info.st_mode) else "symlink" if stat.S_ISLNK(info.st_mode) else "other"
            records.append({"path": path, "size": info.st_size, "type": kind})
    return records


def md5_file(path: str) -> str:
    digest = hashlib.md5()  # noqa: S324 - the target lists are made of MD5s
    # O_NOFOLLOW: a file swapped for a symlink after the listing is not followed out of the folder.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_folder(folder: Path, pack: SignaturePack) -> FolderCheck:
    result = FolderCheck(folder=folder)
    listed = list_files(folder, result.errors)
    hashed: dict[str, dict] = {}
    for record in listed:
        if record["type"] != "file" or not any(t.has_size(record["size"]) for t in pack.target_lists):
            continue
        try:
            hashed[record["path"]] = {"md5": md5_file(record["path"]), "method": "host"}
        except OSError as exc:
            hashed[record["path"]] = {"md5": None, "error": exc.strerror or str(exc)}
            result.errors.append(f"{record['path']}: {exc.strerror}")
    for target in pack.target_lists:
        outcome = match_files(target, pack.family(target.family).name, listed, hashed,
                              hashes_artifact=str(folder), hashes_sha256=None, roots=("",))
        result.outcomes.append(outcome)
    return result
