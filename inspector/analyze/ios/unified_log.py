"""Pairing, backup and file-transfer activity in the phone's log, as text.

Two text forms are read: ``log show`` output (``2026-11-18 09:12:33.123456+0800 0x1a2b Default 0x0 123 0
lockdownd: …``, what macOS's ``log show --archive system_logs.logarchive`` prints for a sysdiagnose) and
syslog lines (``Nov 18 09:12:33 iPhone lockdownd[123] <Notice>: …``, what a live syslog relay gives).
The binary unified log (``.tracev3`` inside ``system_logs.logarchive``) is decoded by logarchive.py into
the same ``Activity`` records, classified by ``classify`` below.

What a forensic extraction does over USB shows up as: lockdownd pairing and sessions with a host,
the backup service (``com.apple.mobilebackup2``, BackupAgent2), AFC file access (afcd,
``com.apple.afc``, ``house_arrest``), and ``com.apple.mobile.file_relay`` (a diagnostics service that
hands out whole folders, used by forensic tools on older iOS).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

_LOG_SHOW = re.compile(r"^(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)?(?P<tz>[+-]\d{4})\s+\S+\s+\S+\s+"
                       r"\S+\s+\d+\s+\d+\s+(?P<process>[^:\[\s]+)(?:\[\d+\])?:\s?(?P<message>.*)$")
_SYSLOG = re.compile(r"^(?P<time>[A-Z][a-z]{2}\s+\d{1,2} \d{2}:\d{2}:\d{2})\s+\S+\s+(?P<process>[^\[\s:]+)"
                     r"(?:\(\S+\))?\[\d+\](?:\s+<\w+>)?:\s?(?P<message>.*)$")

# (activity kind, process names, words in the message); the first that matches names the line.
ACTIVITIES: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("file_relay", frozenset({"mobile_file_relay", "file_relay"}), ("com.apple.mobile.file_relay",)),
    ("backup", frozenset({"BackupAgent", "BackupAgent2"}), ("com.apple.mobilebackup2", "com.apple.mobilebackup")),
    ("afc", frozenset({"afcd"}), ("com.apple.afc", "com.apple.mobile.house_arrest")),
    ("pairing", frozenset(), ("pair record", "Pairing", "pairing", "ValidatePair", "StartSessionWithHost",
                              "StartSession", "trusted host", "Trust")),
)


@dataclass(frozen=True)
class Activity:
    kind: str  # file_relay | backup | afc | pairing
    process: str
    time: str | None  # UTC; None when the line has no year or zone (syslog form)
    line: int  # the line number; in the binary log, the entry's number among its file's decoded entries
    text: str
    where: str | None = None  # the binary log: where the entry is in its tracev3 file


def watched_processes() -> frozenset[str]:
    """The processes whose own log says what a forensic extraction did (the binary log decodes only
    theirs): lockdownd and the processes named in ACTIVITIES."""
    return frozenset({"lockdownd"}).union(*(processes for _, processes, _ in ACTIVITIES))


def classify(process: str, message: str) -> str | None:
    """The activity kind of one log line (its process and message), or None."""
    for kind, processes, words in ACTIVITIES:
        if process in processes or any(w in message for w in words):
            if kind == "pairing" and process != "lockdownd":
                continue
            return kind
    return None


def parse(lines: Iterable[str]) -> list[Activity]:
    out = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        match = _LOG_SHOW.match(line)
        when = None
        if match:
            try:
                moment = datetime.strptime(match.group("time") + match.group("tz"), "%Y-%m-%d %H:%M:%S%z")
                when = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            except ValueError:
                when = None
        else:
            match = _SYSLOG.match(line)
            if not match:
                continue
        process, message = match.group("process"), match.group("message")
        kind = classify(process, message)
        if kind:
            out.append(Activity(kind, process, when, number, line[:500]))
    return out
