"""``logcat -d -b all -v threadtime`` (logcat.txt) → log lines, and the package events in them.

A threadtime line is ``MM-DD HH:MM:SS.mmm  PID  TID L TAG     : message`` in the phone's local time,
without a year: give ``year`` (or ``now``, whose year is used, the year before for dates after it)
and ``tz``. Also read: ``-v year`` (``YYYY-MM-DD`` first), ``-v uid`` (a uid/user name before the
PID), and the ``--------- beginning of <buffer>`` markers, which set :attr:`LogLine.buffer`.
Lines that are not log lines (continuations, garbage) are counted in a warning.

Public API:

- :func:`iter_logcat` ``(data, tz=None, year=None, now=None, warnings=None) -> Iterator[LogLine]``:
  streams the lines (logcat.txt can be hundreds of MB); when the input held no log line at all it
  raises ParseError once the input is read.
- :func:`parse_logcat` ``(…) -> Logcat``: ``lines`` (list[:class:`LogLine`]) and ``warnings``.
- :func:`extract_package_events` ``(lines) -> list[LogPackageEvent]``: the patterns below.

Package events recognised (``LogPackageEvent.action`` ← pattern; tag: message):

- ``process_start`` ← events buffer ``am_proc_start: [user,pid,uid,process,type,component]``
  (ActivityManager event-log tag 30014) and ``ActivityManager: Start proc PID:PROCESS/UID for TYPE
  {COMPONENT}`` (ProcessList).
- ``process_died`` ← ``am_proc_died: [user,pid,process,…]``; ``process_killed`` ← ``am_kill:
  [user,pid,process,adj,reason]`` and ``ActivityManager: Killing PID:PROCESS/UID (adj N): REASON``.
- ``force_stop`` ← ``ActivityManager: Force stopping PKG appid=N user=U: REASON`` (REASON
  ``pkg removed``, ``deletePackageX``, ``installPackageLI`` … tell an uninstall or update).
- ``package_added`` / ``package_removed`` / ``package_replaced`` ← any line naming the broadcast
  ``android.intent.action.PACKAGE_ADDED|REMOVED|REPLACED|FULLY_REMOVED`` with ``package:NAME`` or
  ``pkg=NAME`` (ActivityManager / BroadcastQueue logs on many builds).
- ``install`` ← ``PackageManager`` lines ``installPackageLI: NAME …``, ``Package NAME codePath
  changed …``, ``Integrity check passed for …`` (no package: session file), and
  ``PackageInstallerSession`` / ``PackageInstaller`` lines naming a package; ``dexopt`` ←
  ``PackageManager.DexOptimizer``/``PackageDexOptimizer: Running dexopt … pkg=NAME``.
- ``uninstall`` ← ``PackageManager`` lines ``deletePackageAsUser: pkg=NAME …``,
  ``Removed code of NAME …``, ``Removing package NAME`` / ``Removing non-system package: NAME``,
  ``pm_critical_info`` events mentioning a removal.
- ``pm_event`` ← other event-log tags starting ``pm_`` (kept with their raw message).

Only what the message states is extracted; the time, pid and tag come with each event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import (
    Input,
    Stamp,
    Warnings,
    bounded_lines,
    parse_uid,
    stamp_local,
    time_context,
)

ARTIFACT = "logcat"


@dataclass(slots=True)
class LogLine:
    time: Stamp
    pid: int
    tid: int
    level: str
    tag: str
    message: str
    buffer: str | None  # main, system, events, crash, radio … from "--------- beginning of"
    uid: str | None  # with -v uid
    line: int


@dataclass
class Logcat:
    lines: list[LogLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class LogPackageEvent:
    action: str
    package: str | None
    time: Stamp
    uid: int | None
    pid: int | None
    detail: str
    tag: str
    line: int


_LINE = re.compile(r"^(?:(?P<y>\d{4})-)?(?P<md>\d\d-\d\d) (?P<hms>\d\d:\d\d:\d\d\.\d{3,9})\s+"
                   r"(?:(?P<uid>[A-Za-z_][\w.]*|\d+)\s+(?=\d+\s+\d+\s+[VDIWEFSA]\s))?"
                   r"(?P<pid>\d+)\s+(?P<tid>\d+)\s+(?P<level>[VDIWEFSA])\s(?P<tag>.*?)\s*: (?P<msg>.*)$")
_LINE_EMPTY_MSG = re.compile(r"^(?:(?P<y>\d{4})-)?(?P<md>\d\d-\d\d) (?P<hms>\d\d:\d\d:\d\d\.\d{3,9})\s+"
                             r"(?P<pid>\d+)\s+(?P<tid>\d+)\s+(?P<level>[VDIWEFSA])\s(?P<tag>.*?)\s*:$")
_BEGINNING = re.compile(r"^-+ beginning of (?P<buffer>\S+)")


def iter_logcat(data: Input, tz: str | None = None, year: int | None = None,
                now: datetime | str | float | None = None, warnings: Warnings | None = None) -> Iterator[LogLine]:
    """Yield every log line of ``data`` (see the module docstring)."""
    warnings = warnings if warnings is not None else Warnings()
    ctx = time_context(tz, now, year, warnings)
    buffer: str | None = None
    cache: dict[str, Stamp] = {}
    unparsed = parsed = 0
    first_unparsed: int | None = None
    for number, text in enumerate(bounded_lines(data, warnings), 1):
        if not text.strip():
            continue
        match = _LINE.match(text) or _LINE_EMPTY_MSG.match(text)
        if match is None:
            marker = _BEGINNING.match(text)
            if marker:
                buffer = marker.group("buffer")
                parsed += 1
                continue
            unparsed += 1
            if first_unparsed is None:
                first_unparsed = number
            continue
        parsed += 1
        raw = (f"{match.group('y')}-" if match.group("y") else "") + f"{match.group('md')} {match.group('hms')}"
        # Every line of one second shares the UTC text: convert once per second, not once per line.
        key = raw.rsplit(".", 1)[0]
        base = cache.get(key)
        if base is None:
            if len(cache) > 50_000:
                cache.clear()
            base = cache[key] = stamp_local(raw, ctx)
        stamp = base if base.raw == raw else Stamp(raw=raw, time=base.time, note=base.note)
        groups = match.groupdict()
        yield LogLine(time=stamp, pid=int(groups["pid"]), tid=int(groups["tid"]), level=groups["level"],
                      tag=groups["tag"].strip(), message=groups.get("msg") or "", buffer=buffer,
                      uid=groups.get("uid"), line=number)
    if unparsed:
        warnings.add(f"{unparsed} lines are not threadtime log lines (first: line {first_unparsed})")
    if parsed == 0 and unparsed:
        raise ParseError(ARTIFACT, "no threadtime log line found")


def parse_logcat(data: Input, tz: str | None = None, year: int | None = None,
                 now: datetime | str | float | None = None) -> Logcat:
    """All log lines of ``data`` in a list (use :func:`iter_logcat` for very large logs)."""
    warnings = Warnings()
    result = Logcat()
    result.lines = list(iter_logcat(data, tz, year, now, warnings))
    if not result.lines and not warnings.as_list():
        warnings.add("empty input")
    result.warnings = warnings.as_list()
    return result


# ------------------------------------------------------------------------------------------------
# Package events

_LIST = re.compile(r"^\[(?P<body>.*)\]$")
_START_PROC = re.compile(r"^Start proc (?P<pid>\d+):(?P<proc>[^/\s]+)/(?P<uid>\S+) for (?P<why>.*)$")
_KILLING = re.compile(r"^Killing (?P<pid>\d+):(?P<proc>[^/\s]+)/(?P<uid>\S+)(?: \(adj -?\d+\))?: (?P<why>.*)$")
_FORCE_STOP = re.compile(r"^Force stopping (?P<pkg>\S+) appid=(?P<appid>\d+) user=(?P<user>-?\d+): (?P<why>.*)$")
_BROADCAST = re.compile(r"android\.intent\.action\.PACKAGE_(?P<what>ADDED|REMOVED|REPLACED|FULLY_REMOVED)\b")
_BROADCAST_PKG = re.compile(r"(?:package:|pkg=|dat=package:)(?P<pkg>[A-Za-z][\w.]*)")
_UID_IN_TEXT = re.compile(r"\buid[= ](?P<uid>\d+)")
_PM_INSTALL = (
    re.compile(r"^installPackageLI: (?P<pkg>[A-Za-z][\w.]*)"),
    re.compile(r"^Package (?P<pkg>[A-Za-z][\w.]*) codePath changed"),
)
_PM_UNINSTALL = (
    re.compile(r"^deletePackageAsUser: pkg=(?P<pkg>[A-Za-z][\w.]*)"),
    re.compile(r"^Removed code of (?P<pkg>[A-Za-z][\w.]*)"),
    re.compile(r"^Removing (?:non-system )?package:? (?P<pkg>[A-Za-z][\w.]*)"),
)
_DEXOPT = re.compile(r"Running dexopt .*\bpkg=(?P<pkg>[A-Za-z][\w.]*)")
_INSTALLER_PKG = re.compile(r"\b(?:appPackageName|pkg|package)[=:] ?(?P<pkg>[A-Za-z][\w]*(?:\.[\w]+)+)")


def extract_package_events(lines: Iterable[LogLine]) -> list[LogPackageEvent]:
    """The install/uninstall/process events of ``lines`` (see the module docstring for the patterns)."""
    events: list[LogPackageEvent] = []

    def add(action: str, package: str | None, line: LogLine, uid: int | None = None, pid: int | None = None,
            detail: str | None = None) -> None:
        events.append(LogPackageEvent(action=action, package=package, time=line.time, uid=uid, pid=pid,
                                      detail=(detail if detail is not None else line.message)[:500], tag=line.tag,
                                      line=line.line))

    for line in lines:
        tag, message = line.tag, line.message
        if tag == "am_proc_start" and (m := _LIST.match(message)):
            parts = m.group("body").split(",", 5)
            if len(parts) >= 4:
                add("process_start", parts[3].split(":", 1)[0], line, uid=_int(parts[2]), pid=_int(parts[1]))
            continue
        if tag in ("am_proc_died", "am_kill") and (m := _LIST.match(message)):
            parts = m.group("body").split(",", 4)
            if len(parts) >= 3:
                add("process_died" if tag == "am_proc_died" else "process_killed", parts[2].split(":", 1)[0], line,
                    pid=_int(parts[1]))
            continue
        if tag.startswith("pm_"):
            lowered = message.lower()
            action = "uninstall" if ("remov" in lowered or "delet" in lowered or "uninstall" in lowered) \
                else "pm_event"
            package = m.group("pkg") if (m := _INSTALLER_PKG.search(message)) else None
            add(action, package, line)
            continue
        if tag == "ActivityManager":
            if m := _START_PROC.match(message):
                add("process_start", m.group("proc").split(":", 1)[0], line, uid=parse_uid(m.group("uid")),
                    pid=int(m.group("pid")))
                continue
            if m := _KILLING.match(message):
                add("process_killed", m.group("proc").split(":", 1)[0], line, uid=parse_uid(m.group("uid")),
                    pid=int(m.group("pid")))
                continue
            if m := _FORCE_STOP.match(message):
                add("force_stop", m.group("pkg"), line, detail=m.group("why"))
                continue
        if (m := _BROADCAST.search(message)) and (p := _BROADCAST_PKG.search(message, m.end())):
            action = {"ADDED": "package_added", "REPLACED": "package_replaced"}.get(m.group("what"),
                                                                                    "package_removed")
            uid = _UID_IN_TEXT.search(message)
            add(action, p.group("pkg"), line, uid=int(uid.group("uid")) if uid else None)
            continue
        if tag == "PackageManager":
            for pattern in _PM_INSTALL:
                if m := pattern.match(message):
                    add("install", m.group("pkg"), line)
                    break
            else:
                for pattern in _PM_UNINSTALL:
                    if m := pattern.match(message):
                        add("uninstall", m.group("pkg"), line)
                        break
                else:
                    if message.startswith("Integrity check passed"):
                        add("install", None, line)
            continue
        if tag in ("PackageManager.DexOptimizer", "PackageDexOptimizer") and (m := _DEXOPT.search(message)):
            add("dexopt", m.group("pkg"), line)
            continue
        if tag in ("PackageInstallerSession", "PackageInstaller") and (m := _INSTALLER_PKG.search(message)):
            add("install", m.group("pkg"), line)
    return events


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else None
