"""A logarchive (``system_logs.logarchive`` in a sysdiagnose) decoded into log entries.

A logarchive holds the binary unified log (``Persist/``, ``Special/``, ``Signpost/``, ``HighVolume/``
``*.tracev3`` and ``logdata.LiveData.tracev3``: tracev3.py), the clock records to put the entries in UTC
(``timesync/*.timesync``: timesync.py), one ``uuidtext`` file per executable image with its path and
format strings (``XX/YYYY…``: uuidtext.py) and the shared cache's strings (``dsc/<UUID>``, not read).

Use: give it the support files first (``add``), then each tracev3 file as a stream (``entries``).
Only the format strings of the watched processes' images are kept in memory (the others' uuidtext
files are parsed for their image path only), and only the watched processes' log records are
decoded, so memory stays at a few MB whatever the archive's size. An entry whose format string is in
the shared cache keeps its process, pid and time; its message is None and ``not_decoded`` says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from inspector.analyze.ios import timesync as timesync_file
from inspector.analyze.ios import uuidtext as uuidtext_file
from inspector.analyze.ios.log_format import render
from inspector.analyze.ios.tracev3 import (
    STRINGS_ABSOLUTE,
    STRINGS_LARGE_SHARED_CACHE,
    STRINGS_MAIN_EXE,
    STRINGS_SHARED_CACHE,
    STRINGS_UUID_RELATIVE,
    Process,
    RawEntry,
    TraceV3Error,
    TraceV3Reader,
)
from inspector.analyze.ios.unified_log import Activity, classify

SHARED_CACHE = "its format string is in the shared cache (dsc), which is not decoded"
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class LogEntry:
    time: str | None  # UTC, ISO 8601 to the second ("2026-11-18T02:05:00Z"); None without a timesync
    time_ns: int | None
    boot_uuid: str
    continuous_time: int
    pid: int
    euid: int
    process: str  # the main executable's name ("lockdownd"), or "UUID <main image UUID>"
    process_path: str | None
    subsystem: str | None
    category: str | None
    level: str
    thread: int
    message: str | None
    not_decoded: str | None  # why the message is None
    index: int  # 1-based, among the decoded entries of its file
    chunk_offset: int  # of the chunkset holding it, in its tracev3 file

    def line(self) -> str:
        """The entry as ``log show`` prints it (what unified_log.py reads from a text export)."""
        when = "????-??-?? ??:??:??.000000+0000"
        if self.time_ns is not None:
            moment = datetime.fromtimestamp(self.time_ns // 1_000_000_000, UTC)
            when = f"{moment:%Y-%m-%d %H:%M:%S}.{self.time_ns % 1_000_000_000 // 1000:06d}+0000"
        text = self.message if self.message is not None else f"<message not decoded: {self.not_decoded}>"
        return f"{when} 0x{self.thread:x} {self.level:<7} 0x0 {self.pid} 0 {self.process}: {text}"


def member_kind(relative: str) -> str | None:
    """What a file inside a logarchive is: tracev3, timesync, uuidtext, dsc or None."""
    parts = relative.split("/")
    if parts[-1].endswith(".tracev3"):
        return "tracev3"
    if parts[0] == "timesync" and parts[-1].endswith(".timesync"):
        return "timesync"
    if parts[0] == "dsc" and len(parts) == 2:
        return "dsc"
    if uuidtext_file.member_uuid(parts):
        return "uuidtext"
    return None


class LogArchive:
    def __init__(self, processes: frozenset[str] | None = None) -> None:
        """``processes``: the image names (``lockdownd``) whose entries are decoded; None: all."""
        self.processes = processes
        self.timesync = timesync_file.Timesync()
        self.images: dict[str, uuidtext_file.UUIDText] = {}
        self.problems: list[str] = []
        self.counts: Counter[str] = Counter()

    def note(self, text: str) -> None:
        self.counts["problems"] += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)

    # -- support files --------------------------------------------------------------------------------
    def add(self, relative: str, data: bytes) -> None:
        """A timesync, uuidtext or dsc file (``relative``: its path inside the logarchive)."""
        kind = member_kind(relative)
        try:
            if kind == "timesync":
                self.timesync.add(data)
                self.counts["timesync_files"] += 1
            elif kind == "uuidtext":
                key = uuidtext_file.member_uuid(relative.split("/"))
                assert key is not None
                head = uuidtext_file.parse(data, keep_strings=False)
                keep = self.processes is None or head.image_name in self.processes
                self.images[key] = uuidtext_file.parse(data) if keep else head
                self.counts["uuidtext_files"] += 1
            elif kind == "dsc":
                self.counts["dsc_files"] += 1
        except (timesync_file.TimesyncError, uuidtext_file.UUIDTextError) as exc:
            self.note(f"{relative}: {exc}")

    def _image(self, uuid_hex: str | None) -> uuidtext_file.UUIDText | None:
        return self.images.get(uuid_hex) if uuid_hex else None

    def wanted(self, process: Process) -> bool:
        if self.processes is None:
            return True
        image = self._image(process.main_uuid)
        return image is not None and image.image_name in self.processes

    # -- tracev3 files ------------------------------------------------------------------------------------
    def entries(self, relative: str, stream: BinaryIO) -> Iterator[LogEntry]:
        """The entries of one tracev3 file; a damaged file is noted (with where it stopped) and the
        entries before the damage are kept."""
        reader = TraceV3Reader(stream, want=self.wanted)
        index = 0
        try:
            for raw in reader.entries():
                index += 1
                yield self._entry(reader, raw, index)
        except TraceV3Error as exc:
            self.note(f"{relative} not decoded past offset {reader.offset}: {exc}")
        for problem in reader.problems:
            self.note(f"{relative}: {problem}")
        self.counts.update({k: v for k, v in reader.counts.items() if k != "problems"})
        self.counts["tracev3_files"] += 1

    def _entry(self, reader: TraceV3Reader, raw: RawEntry, index: int) -> LogEntry:
        header = reader.header
        assert header is not None
        image = self._image(raw.process.main_uuid)
        message, why = self._message(raw)
        self.counts["entries"] += 1
        if message is None:
            self.counts["entries_without_message"] += 1
        time_ns = self.timesync.to_utc_ns(header.boot_uuid, raw.continuous_time)
        if time_ns is None:
            self.counts["entries_without_time"] += 1
        subsystem, category = raw.subsystem or (None, None)
        return LogEntry(
            time=None if time_ns is None else
            datetime.fromtimestamp(time_ns // 1_000_000_000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            time_ns=time_ns, boot_uuid=header.boot_uuid, continuous_time=raw.continuous_time,
            pid=raw.process.pid, euid=raw.process.euid,
            process=image.image_name if image else f"UUID {raw.process.main_uuid}",
            process_path=image.image_path if image else None, subsystem=subsystem, category=category,
            level=raw.level, thread=raw.thread, message=message, not_decoded=why, index=index,
            chunk_offset=raw.chunk_offset)

    def _message(self, raw: RawEntry) -> tuple[str | None, str | None]:
        if raw.strings in (STRINGS_SHARED_CACHE, STRINGS_LARGE_SHARED_CACHE) and not raw.dynamic:
            self.counts["entries_in_shared_cache"] += 1
            return None, SHARED_CACHE
        if raw.dynamic:
            fmt: str | None = "%s"
        elif raw.strings in (STRINGS_MAIN_EXE, STRINGS_ABSOLUTE, STRINGS_UUID_RELATIVE):
            image = self._image(raw.strings_uuid)
            if image is None:
                return None, f"no uuidtext file for its image {raw.strings_uuid or '(unknown)'}"
            if image.data is None:
                return None, f"the format strings of {image.image_name} were not kept"
            fmt = image.format_string(raw.format_ref)
            if fmt is None:
                return None, f"no format string at 0x{raw.format_ref:x} in {image.image_name}'s uuidtext"
        else:
            return None, f"its format string location (flags 0x{raw.strings:x}) is not known"
        if raw.args is None:
            return None, f"its values could not be read: {raw.args_problem}"
        return render(fmt, list(raw.args)), None


def activities(entries: Iterator[LogEntry]) -> Iterator[Activity]:
    """The entries that are pairing, backup, AFC or file_relay activity (unified_log.ACTIVITIES)."""
    for entry in entries:
        kind = classify(entry.process, entry.message or "")
        if kind:
            yield Activity(kind, entry.process, entry.time, entry.index, entry.line()[:500],
                           f"chunkset at offset {entry.chunk_offset}")
