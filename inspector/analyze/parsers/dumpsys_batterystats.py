"""``dumpsys batterystats`` → uid → package map, package install/uninstall events, history events.

Printed by ``BatteryStats.dumpLocked`` / ``dumpHistory`` / the daily stats
(frameworks/base, core/java/android/os/BatteryStats.java). Read:

- Battery history lines: ``+2h30m24s412ms (2) 091 pkginst=1:"com.x"`` — an offset from the history's
  last ``RESET:TIME:``/``TIME:`` (local ``yyyy-MM-dd-HH-mm-ss``; ``tz``), a command version, the
  battery level, then items. Items ``[+-]name=value:"tag"`` become :class:`HistoryEvent`: ``top``,
  ``proc``, ``fg``, ``pkgactive``/``pkginactive`` and ``job`` name a uid and its package;
  ``pkginst=<versionCode>:"pkg"`` / ``pkgunin=…:"pkg"`` are installs and uninstalls. After ``START``
  (a reboot) times are unknown until the next ``TIME:``.
- Per-uid blocks of the statistics: ``  u0a262:`` followed by ``Proc <process>:`` / ``Apk <package>:``.
- ``Daily stats:`` → ``Package changes:``: ``Update com.x vers=1`` / ``Uninstall com.x``, dated only
  by the day they fall in (``Current start time:`` / ``Daily from … to …:``).
- Checkin form (``--checkin``, bugreports' CHECKIN BATTERYSTATS): ``9,0,i,uid,10262,com.x``.

Public API: :func:`parse_dumpsys_batterystats` ``(data, tz=None) -> BatteryStatsDump`` with
``uid_packages`` (list[:class:`UidPackage`]), ``package_events`` (list[:class:`PackageEvent`]),
``history_events`` (list[:class:`HistoryEvent`]), ``history_start`` (Stamp of the last RESET), and
``warnings``; :meth:`BatteryStatsDump.uid_map` gives {uid: [packages]}.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from inspector.analyze.parsers._common import (
    ServiceLines,
    Input,
    Stamp,
    Warnings,
    checked,
    parse_duration_ms,
    parse_uid,
    stamp_local,
    time_context,
    to_int,
)

ARTIFACT = "dumpsys batterystats"


@dataclass(slots=True)
class UidPackage:
    uid: int
    uid_raw: str
    package: str
    source: str  # "history:<item>", "uid-block", "checkin"
    line: int


@dataclass(slots=True)
class PackageEvent:
    action: str  # "install", "uninstall" (history), "update", "uninstall" (daily stats)
    package: str
    version_code: int | None
    time: Stamp | None  # exact (history); None for daily stats
    day_start: Stamp | None  # daily stats: the day the change falls in
    day_end: Stamp | None
    source: str  # "history" or "daily"
    line: int


@dataclass(slots=True)
class HistoryEvent:
    time: Stamp | None
    offset_ms: int | None  # since the history start
    transition: str  # "+", "-" or "" (a state at reset, or an instant event)
    name: str  # top, proc, fg, job, pkginst, pkgunin, wake_lock_in, conn, …
    value: str  # uid (u0a262) or a number (pkginst: version code)
    uid: int | None
    tag: str
    line: int


@dataclass
class BatteryStatsDump:
    uid_packages: list[UidPackage] = field(default_factory=list)
    package_events: list[PackageEvent] = field(default_factory=list)
    history_events: list[HistoryEvent] = field(default_factory=list)
    history_start: Stamp | None = None
    warnings: list[str] = field(default_factory=list)

    def uid_map(self) -> dict[int, list[str]]:
        mapping: dict[int, list[str]] = {}
        for entry in self.uid_packages:
            names = mapping.setdefault(entry.uid, [])
            if entry.package not in names:
                names.append(entry.package)
        return mapping


_HISTORY = re.compile(r"^\s*(?P<offset>0|[+-][0-9dhms]+)\s+\((?P<ver>\d+)\)\s*(?P<rest>.*)$")
_ITEM = re.compile(r'(?:^|\s)(?P<sign>[+-]?)(?P<name>[a-z_][a-z_0-9]*)=(?P<value>[^\s:"]+):"(?P<tag>[^"]*)"')
_TIME = re.compile(r"\bTIME:\s*(?P<t>\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})")
_UID_BLOCK = re.compile(r"^(?P<uid>u\d+[ais]\d+|\d+):$")
_PROC_OR_APK = re.compile(r"^(?:Proc|Apk) (?P<name>\S+):$")
_CHECKIN_UID = re.compile(r"^\d+,\d+,i,uid,(?P<uid>\d+),(?P<pkg>[^,\s]+)$")
_DAILY_FROM = re.compile(r"^Daily from (?P<a>\S+) to (?P<b>\S+?):$")
_CHANGE = re.compile(r"^(?:(?P<u>Update) (?P<pkg>\S+) vers=(?P<v>-?\d+)|(?P<d>Uninstall) (?P<pkg2>\S+))$")
# Items whose tag is (or starts with) the package of the uid named in the value.
_PACKAGE_ITEMS = {"top", "proc", "fg", "pkgactive", "pkginactive", "job"}


def parse_dumpsys_batterystats(data: Input, tz: str | None = None) -> BatteryStatsDump:
    """Parse the output of ``dumpsys batterystats`` (see the module docstring)."""
    warnings = Warnings()
    ctx = time_context(tz, warnings=warnings)
    result = BatteryStatsDump()
    seen_pairs: set[tuple[int, str]] = set()
    base_wall: datetime | None = None  # wall time at base_offset
    base_offset = 0
    base_note: str | None = None
    in_history = in_daily = in_changes = False
    seen_section = False  # before any section header, history lines are still read (a cut-off head)
    seconds: dict[datetime, Stamp] = {}
    uid_block: tuple[int, str, int] | None = None  # (uid, raw, indent)
    day: tuple[Stamp | None, Stamp | None] = (None, None)
    recognised = False
    lines = ServiceLines(data, warnings)

    def add_pair(uid: int | None, raw: str, package: str, source: str, number: int) -> None:
        if uid is None or not package or (uid, package) in seen_pairs:
            return
        seen_pairs.add((uid, package))
        result.uid_packages.append(UidPackage(uid=uid, uid_raw=raw, package=package, source=source, line=number))

    for number, line, text in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        if indent == 0 and text.endswith(":"):
            seen_section = True
            in_history = text.startswith("Battery History")
            in_daily = text.startswith("Daily stats")
            in_changes = False
            uid_block = None
            if in_history or in_daily or text.startswith(("Statistics since", "Per-PID Stats", "Discharge step")):
                recognised = True
            if not in_history:
                continue
        if in_history or (not seen_section and _HISTORY.match(line)):
            match = _HISTORY.match(line)
            if not match:
                continue
            recognised = in_history = True
            offset = parse_duration_ms(match.group("offset")) if match.group("offset") != "0" else 0
            rest = match.group("rest")
            if time_match := _TIME.search(rest):
                stamp = stamp_local(time_match.group("t"), ctx)
                base_wall = datetime.fromisoformat(stamp.time.replace("Z", "+00:00")) if stamp.time else None
                base_offset, base_note = offset or 0, stamp.note
                if "RESET" in rest:
                    result.history_start = stamp
                continue
            if rest.split()[-1:] == ["START"] or rest.startswith("START"):
                base_wall = None  # rebooted: elapsed time restarts, the wall clock comes with the next TIME
                continue
            when: Stamp | None = None
            if offset is not None and base_wall is not None:
                moment = base_wall + timedelta(milliseconds=offset - base_offset)
                # One conversion per second of history: the UTC text has no fractions.
                second = moment.replace(microsecond=0)
                base = seconds.get(second)
                if base is None:
                    if len(seconds) > 100_000:
                        seconds.clear()
                    base = seconds[second] = checked("", second, base_note)
                when = Stamp(raw=match.group("offset"), time=base.time, note=base.note)
            elif offset is not None:
                when = Stamp(raw=match.group("offset"), time=None, note="no wall-clock time known for this part "
                                                                        "of the history")
            for item in _ITEM.finditer(rest):
                name, value, tag = item.group("name"), item.group("value"), item.group("tag")
                uid = parse_uid(value) if not name.startswith("pkg") or name in ("pkgactive", "pkginactive") else None
                event = HistoryEvent(time=when, offset_ms=offset, transition=item.group("sign"), name=name,
                                     value=value, uid=uid, tag=tag, line=number)
                result.history_events.append(event)
                if name in _PACKAGE_ITEMS and uid is not None and uid % 100000 >= 10000:
                    add_pair(uid, value, tag.split("/", 1)[0].split(":", 1)[0], f"history:{name}", number)
                elif name in ("pkginst", "pkgunin"):
                    result.package_events.append(PackageEvent(
                        action="install" if name == "pkginst" else "uninstall", package=tag,
                        version_code=to_int(value) if name == "pkginst" else None, time=when, day_start=None,
                        day_end=None, source="history", line=number))
            continue
        if in_daily:
            if text.startswith("Current start time:"):
                day = (stamp_local(text.split(":", 1)[1].strip(), ctx), None)
                continue
            if match := _DAILY_FROM.match(text):
                day = (stamp_local(match.group("a"), ctx), stamp_local(match.group("b"), ctx))
                in_changes = False
                continue
            if text == "Package changes:":
                in_changes = True
                continue
            if in_changes and (match := _CHANGE.match(text)):
                if match.group("u"):
                    action, package, version = "update", match.group("pkg"), to_int(match.group("v"))
                else:
                    action, package, version = "uninstall", match.group("pkg2"), None
                result.package_events.append(PackageEvent(action=action, package=package, version_code=version,
                                                          time=None, day_start=day[0], day_end=day[1],
                                                          source="daily", line=number))
            elif in_changes and text.endswith(":"):
                in_changes = False
            continue
        if text[0].isdigit() and (checkin := _CHECKIN_UID.match(text)):
            recognised = True
            add_pair(int(checkin.group("uid")), checkin.group("uid"), checkin.group("pkg"), "checkin", number)
            continue
        if not text.endswith(":"):
            continue  # statistics lines: only "u0a262:" blocks and their "Proc …:"/"Apk …:" lines matter
        # Statistics: per-uid blocks ("  u0a262:") list the uid's processes and APKs.
        if match := _UID_BLOCK.match(text):
            uid_block = (parse_uid(match.group("uid")) or -1, match.group("uid"), indent)
            continue
        if uid_block is not None:
            if indent <= uid_block[2] and text.endswith(":"):
                uid_block = None
            elif (match := _PROC_OR_APK.match(text)) and uid_block[0] % 100000 >= 10000:
                # Process names can carry a ":suffix" (com.x:remote); the package is before it.
                add_pair(uid_block[0], uid_block[1], match.group("name").split(":", 1)[0], "uid-block", number)
    lines.finish(recognised, ARTIFACT, "no battery history, statistics or daily stats found")
    result.warnings = warnings.as_list()
    return result

