"""The stat listing of shared storage and /data/local/tmp that becomes ``files.json``.

The walk uses the sync service's LIST (names arrive as raw bytes, so no name can break the parsing,
and entries are lstat-ed, so symlinks are recorded and never followed). Access and change times,
which LIST does not carry, come from ``stat -c`` over batches of quoted paths: its output has one line
of numbers per path and no names at all, so hostile names cannot confuse it either.
"""

from __future__ import annotations

import re
import stat as stat_mod
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from inspector.acquire.android import errors
from inspector.acquire.android.commands import command, quote
from inspector.acquire.android.connection import AndroidConnection
from inspector.acquisition.names import keep_raw_bytes, printable

ROOTS = (b"/sdcard/", b"/data/local/tmp/")
# /storage/ holds shared storage again (emulated/, self/) and every other mounted volume (an SD card
# appears as /storage/XXXX-XXXX/): those others are walked too.
VOLUMES = b"/storage/"
_NOT_VOLUMES = (b"emulated", b"self")
MAX_DEPTH = 12
MAX_ENTRIES = 200_000
# Older adbd builds cap a service request at 4096 bytes (MAX_PAYLOAD_V1): stay below it.
MAX_COMMAND_BYTES = 3800
_STAT_FORMAT = "%X %Z %u %g"
_STAT_LINE = re.compile(rb"^(\d+) (\d+) (\d+) (\d+)$")


@dataclass
class WalkLimits:
    max_depth: int = MAX_DEPTH
    max_entries: int = MAX_ENTRIES


@dataclass
class WalkResult:
    records: list[dict]
    truncated: bool
    errors: list[str]


def mode_string(mode: int) -> str:
    return stat_mod.filemode(mode)


def walk(
    conn: AndroidConnection,
    roots: tuple[bytes, ...] = ROOTS,
    limits: WalkLimits | None = None,
    on_entry: Callable[[int], None] | None = None,
) -> WalkResult:
    limits = limits or WalkLimits()
    roots = roots + tuple(
        VOLUMES + entry.name + b"/" for entry in conn.list_dir(VOLUMES)
        if stat_mod.S_ISDIR(entry.mode) and entry.name not in _NOT_VOLUMES)
    records: list[dict] = []
    raw_paths: list[bytes] = []
    problems: list[str] = []
    truncated = False
    for root in roots:
        queue: deque[tuple[bytes, int]] = deque([(root, 0)])
        while queue:
            directory, depth = queue.popleft()
            for entry in conn.list_dir(directory):
                if len(records) >= limits.max_entries:
                    truncated = True
                    break
                path = directory.rstrip(b"/") + b"/" + entry.name
                record = _record(path, entry.mode, entry.size, entry.mtime)
                records.append(record)
                raw_paths.append(path)
                if on_entry:
                    on_entry(1)
                if stat_mod.S_ISDIR(entry.mode):
                    if depth + 1 < limits.max_depth:
                        queue.append((path + b"/", depth + 1))
                    else:
                        truncated = True
                        record["error"] = "not descended: depth limit"
            if truncated and len(records) >= limits.max_entries:
                break
    _add_times(conn, records, raw_paths, problems)
    return WalkResult(records=records, truncated=truncated, errors=problems)


def _record(path: bytes, mode: int, size: int, mtime: int) -> dict:
    record = {
        "path": printable(path),
        "size": size,
        "mode": mode_string(mode),
        "modified_time": mtime,
        "access_time": None,
        "changed_time": None,
        "user_id": None,
        "group_id": None,
        "type": _type_name(mode),
        "context": "",  # SELinux label: androidqf's field (MVT reads it); not collected yet
        "error": "",
    }
    keep_raw_bytes(record, "path", path)
    return record


def _type_name(mode: int) -> str:
    if stat_mod.S_ISDIR(mode):
        return "directory"
    if stat_mod.S_ISLNK(mode):
        return "symlink"
    if stat_mod.S_ISREG(mode):
        return "file"
    return "other"


def _batches(paths: list[bytes]) -> Iterator[list[int]]:
    base = len(command("stat", "-c", _STAT_FORMAT)) + 1
    batch: list[int] = []
    length = base
    for i, path in enumerate(paths):
        cost = len(quote(path)) + 1
        if batch and length + cost > MAX_COMMAND_BYTES:
            yield batch
            batch, length = [], base
        if base + cost > MAX_COMMAND_BYTES:
            continue  # a single path longer than a request can carry keeps only LIST's fields
        batch.append(i)
        length += cost
    if batch:
        yield batch


def _add_times(conn: AndroidConnection, records: list[dict], paths: list[bytes], problems: list[str]) -> None:
    for batch in _batches(paths):
        cmd = command("stat", "-c", _STAT_FORMAT, *(paths[i] for i in batch))
        try:
            output = conn.shell(cmd, timeout_s=60)
        except (errors.CommandTimeout, errors.OutputTooLarge) as exc:
            problems.append(f"stat of {len(batch)} paths: {exc}")
            continue
        lines = [m for m in (_STAT_LINE.match(line) for line in output.split(b"\n")) if m]
        if len(lines) != len(batch):
            # A path vanished or could not be read: stat printed an error line instead of numbers, so
            # positions no longer line up. Ask for those paths one by one.
            for i in batch:
                try:
                    single = conn.shell(command("stat", "-c", _STAT_FORMAT, paths[i]), timeout_s=30)
                except (errors.CommandTimeout, errors.OutputTooLarge) as exc:
                    records[i]["error"] = f"stat: {exc}"
                    continue
                match = _STAT_LINE.match(single.strip())
                if match:
                    _apply(records[i], match)
                else:
                    records[i]["error"] = "stat: " + printable(single.strip()[:200])
            continue
        for i, match in zip(batch, lines, strict=True):
            _apply(records[i], match)


def _apply(record: dict, match: re.Match[bytes]) -> None:
    atime, ctime, uid, gid = (int(x) for x in match.groups())
    record["access_time"] = atime
    record["changed_time"] = ctime
    record["user_id"] = uid
    record["group_id"] = gid
