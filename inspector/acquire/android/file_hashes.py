"""MD5s of selected files on shared storage, computed on the phone: no copy of a file leaves it.

Which files is the caller's choice (for a target list: those whose exact size is on the list). Each
file is hashed with toybox ``md5sum`` on its quoted path. A phone without ``md5sum`` gets each file
streamed through the sync service into a hash on this computer, never kept; a time budget per file
keeps one huge file from holding up the scan (it is then reported, not hashed).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from inspector.acquire.android import errors
from inspector.acquire.android.commands import command
from inspector.acquire.android.connection import AndroidConnection
from inspector.acquisition.names import keep_raw_bytes, printable

_MD5_LINE = re.compile(rb"^([0-9a-fA-F]{32})\s")
DEVICE_TIMEOUT_S = 300.0  # md5sum of a 2 GB file on a mid-range phone takes well under a minute
HOST_BUDGET_S = 300.0  # same budget when the bytes must come over the cable instead


class HashBudgetExceeded(Exception):
    pass


@dataclass
class FileHash:
    path: bytes
    size: int
    md5: str | None = None
    method: str = ""
    error: str = ""

    def to_dict(self) -> dict:
        record = {"path": printable(self.path), "size": self.size, "md5": self.md5, "method": self.method,
                  "error": self.error}
        keep_raw_bytes(record, "path", self.path)
        return record


class Md5Hasher:
    def __init__(self, conn: AndroidConnection, device_timeout_s: float = DEVICE_TIMEOUT_S,
                 host_budget_s: float = HOST_BUDGET_S) -> None:
        self.conn = conn
        self.device_timeout_s = device_timeout_s
        self.host_budget_s = host_budget_s
        self.device_has_md5sum: bool | None = None

    def hash(self, path: bytes, size: int) -> FileHash:
        result = FileHash(path=path, size=size)
        if self.device_has_md5sum is not False:
            try:
                output = self.conn.shell(command("md5sum", path), timeout_s=self.device_timeout_s, max_bytes=64 << 10)
            except errors.CommandTimeout:
                result.error = f"md5sum did not finish within {self.device_timeout_s:.0f} s"
                return result
            match = _MD5_LINE.match(output)
            if match:
                self.device_has_md5sum = True
                result.md5, result.method = match.group(1).decode().lower(), "device"
                return result
            if b"inaccessible or not found" in output or b"not found" in output[:200] and b"md5sum" in output[:200]:
                self.device_has_md5sum = False
            else:
                result.error = "md5sum: " + printable(output.strip()[:200])
                return result
        return self._hash_on_host(result)

    def _hash_on_host(self, result: FileHash) -> FileHash:
        digest = hashlib.md5()  # noqa: S324 - the target list is made of MD5s
        start = time.monotonic()

        class _Sink:
            def write(self, data: bytes) -> int:
                if time.monotonic() - start > budget:
                    raise HashBudgetExceeded
                digest.update(data)
                return len(data)

        budget = self.host_budget_s
        try:
            self.conn.pull(result.path, _Sink())  # type: ignore[arg-type]
        except FileNotFoundError as exc:
            result.error = f"could not read the file: {exc}"
            return result
        except HashBudgetExceeded:
            result.error = f"not hashed: streaming it would take more than {budget:.0f} s"
            return result
        result.md5, result.method = digest.hexdigest(), "host-stream"
        return result


def hash_files(conn: AndroidConnection, candidates: list[tuple[bytes, int]],
               on_file: Callable[[int], None] | None = None, hasher: Md5Hasher | None = None) -> list[FileHash]:
    hasher = hasher or Md5Hasher(conn)
    results = []
    for path, size in candidates:
        results.append(hasher.hash(path, size))
        if on_file:
            on_file(1)
    return results
