"""``dumpsys usagestats`` → usage events, per-package last-used times and standby states.

Printed by ``UsageStatsService.dump`` → ``UserUsageStatsService.dump`` / ``printEvent`` /
``printIntervalStats`` and ``AppStandbyController``/``AppIdleHistory.dump``
(frameworks/base, services/usage/java/com/android/server/usage/). Read forms:

- ``user=0`` (``printPair``) starts a user's block.
- Events, in ``Last 24 hour events (timeRange="…")`` (Android 9+) and in the ``events`` list of the
  ``In-memory daily|weekly|monthly|yearly stats`` blocks (Android ≤ 9)::

      time="2026-11-18 09:11:39" type=ACTIVITY_RESUMED package=com.x class=com.x.Main instanceId=… flags=0x0

  ``time`` is local (``tz``) or, in ``--checkin``/compact dumps, Unix milliseconds. Types are
  UsageEvents names (MOVE_TO_FOREGROUND … Android 9, ACTIVITY_RESUMED/PAUSED/STOPPED 10+,
  STANDBY_BUCKET_CHANGED, USER_INTERACTION, SCREEN_INTERACTIVE …) or a number for unknown ones.
- Per-package lines in interval stats: ``package=com.x totalTime="…" lastTime="…" appLaunchCount=N``
  (Android 9) or ``totalTimeUsed= lastTimeUsed= totalTimeVisible= lastTimeVisible= lastTimeFS=
  lastTimeComponentUsed=`` (10+).
- ``App Standby States:``: ``com.x u=0 bucket=10 reason=u-mf used=-10h47m39s855ms …`` (``package=com.x``
  on Android 9, where ``used=`` is positive). ``used`` is the time since last use, relative to the
  dump: it needs ``now``.

Public API: :func:`parse_dumpsys_usagestats` ``(data, tz=None, now=None) -> UsageStatsDump`` with
``events`` (list[:class:`UsageEvent`]), ``package_stats`` (list[:class:`PackageUsage`]),
``standby`` (list[:class:`StandbyState`]), ``warnings``, and :meth:`UsageStatsDump.last_used`
(package → latest Stamp over events, interval stats and standby states).

Events are not de-duplicated: Android 9 prints the same event in ``Last 24 hour events`` and in the
daily stats; ``UsageEvent.section`` says where each came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import (
    DUMPSYS_ERRORS,
    Input,
    Stamp,
    Warnings,
    bounded_lines,
    parse_duration_ms,
    stamp_ago,
    stamp_epoch,
    stamp_local,
    time_context,
    to_int,
)

ARTIFACT = "dumpsys usagestats"


@dataclass(slots=True)
class UsageEvent:
    user: int | None
    time: Stamp
    type: str
    package: str | None
    class_name: str | None
    section: str  # "last_24h", "daily", "weekly", "monthly", "yearly" or "unknown"
    line: int
    fields: dict[str, str] = field(default_factory=dict)  # every other key=value (instanceId, reason …)


@dataclass(slots=True)
class PackageUsage:
    user: int | None
    package: str
    interval: str  # "daily", "weekly", "monthly", "yearly" or "unknown"
    last_time_used: Stamp | None = None
    last_time_visible: Stamp | None = None
    last_time_foreground_service: Stamp | None = None
    last_time_component_used: Stamp | None = None
    total_time_used: str | None = None  # as printed ("01:40:41")
    app_launch_count: int | None = None
    line: int = 0


@dataclass(slots=True)
class StandbyState:
    user: int | None
    package: str
    bucket: int | None
    reason: str | None
    last_used: Stamp | None  # from used= (relative to the dump)
    last_used_by_user: Stamp | None
    line: int


@dataclass
class UsageStatsDump:
    events: list[UsageEvent] = field(default_factory=list)
    package_stats: list[PackageUsage] = field(default_factory=list)
    standby: list[StandbyState] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def last_used(self) -> dict[str, Stamp]:
        """Package → the latest known use (events, interval stats' lastTimeUsed, standby ``used=``)."""
        best: dict[str, Stamp] = {}

        def offer(package: str | None, stamp: Stamp | None) -> None:
            if not package or stamp is None or stamp.time is None:
                return
            current = best.get(package)
            if current is None or (current.time or "") < stamp.time:
                best[package] = stamp

        for event in self.events:
            if event.package and event.package != "android":
                offer(event.package, event.time)
        for usage in self.package_stats:
            offer(usage.package, usage.last_time_used)
        for state in self.standby:
            offer(state.package, state.last_used)
        return best


_PAIR = re.compile(r'(\w+)=("[^"]*"|\S*)')
_USER = re.compile(r"^(?:user=|User )(-?\d+):?$")
_SECTION_WORDS = {"daily": "daily", "weekly": "weekly", "monthly": "monthly", "yearly": "yearly"}
_PACKAGE_TIME_FIELDS = {
    "lastTime": "last_time_used",
    "lastTimeUsed": "last_time_used",
    "lastTimeVisible": "last_time_visible",
    "lastTimeFS": "last_time_foreground_service",
    "lastTimeForegroundServiceUsed": "last_time_foreground_service",
    "lastTimeComponentUsed": "last_time_component_used",
}


def parse_dumpsys_usagestats(data: Input, tz: str | None = None,
                             now: datetime | str | float | None = None) -> UsageStatsDump:
    """Parse the output of ``dumpsys usagestats`` (see the module docstring)."""
    warnings = Warnings()
    ctx = time_context(tz, now, warnings=warnings)
    result = UsageStatsDump()
    user: int | None = None
    section = "unknown"
    in_standby = False
    standby_user: int | None = None
    recognised = saw_text = False
    unavailable: str | None = None
    cache: dict[str, Stamp] = {}

    def when(value: str) -> Stamp:
        value = value.strip('"')
        stamp = cache.get(value)
        if stamp is None:
            stamp = stamp_epoch(value, value, "ms") if value.isdigit() else stamp_local(value, ctx)
            if len(cache) < 100_000:
                cache[value] = stamp
        return stamp

    for number, line in enumerate(bounded_lines(data, warnings), 1):
        text = line.strip()
        if not text:
            continue
        saw_text = True
        if text.startswith(DUMPSYS_ERRORS):
            unavailable = unavailable or text
            continue
        if text.startswith("time="):
            recognised = True
            pairs = {k: v.strip('"') for k, v in _PAIR.findall(text)}
            raw_time = pairs.pop("time", "")
            event_type = pairs.pop("type", None)
            if event_type is None:
                warnings.add(f"line {number}: event without type")
                continue
            package = pairs.pop("package", None)
            class_name = pairs.pop("class", None)
            result.events.append(UsageEvent(user=user, time=when(raw_time), type=event_type, package=package,
                                            class_name=class_name, section=section, line=number, fields=pairs))
            continue
        if (m := _USER.match(text)) and not (in_standby and text.startswith("User ")):
            user = int(m.group(1))
            in_standby = False
            recognised = True
            continue
        if text.startswith("Last 24 hour events"):
            section, in_standby, recognised = "last_24h", False, True
            continue
        if text.startswith("In-memory ") and text.endswith(" stats"):
            section = _SECTION_WORDS.get(text.split()[1], "unknown")
            in_standby, recognised = False, True
            continue
        if text.startswith("App Standby States"):
            in_standby, recognised, standby_user = True, True, user
            continue
        if in_standby:
            if (m := _USER.match(text)) and text.startswith("User "):
                standby_user = int(m.group(1))
                continue
            state = _standby(text, number, standby_user, ctx)
            if state is not None:
                result.standby.append(state)
                continue
        if text.startswith("package=") and ("lastTime" in text or "totalTime" in text):
            recognised = True
            pairs = {k: v.strip('"') for k, v in _PAIR.findall(text)}
            usage = PackageUsage(user=user, package=pairs.get("package", ""), interval=section, line=number,
                                 total_time_used=pairs.get("totalTimeUsed", pairs.get("totalTime")),
                                 app_launch_count=to_int(pairs.get("appLaunchCount")))
            for key, attribute in _PACKAGE_TIME_FIELDS.items():
                if key in pairs and getattr(usage, attribute) is None:
                    setattr(usage, attribute, when(pairs[key]))
            result.package_stats.append(usage)
    if not saw_text:
        warnings.add("empty input")
    elif not recognised and unavailable:
        warnings.add(f"service unavailable: {unavailable[:200]}")
    elif not recognised:
        raise ParseError(ARTIFACT, "no usage events, usage stats or standby states found")
    result.warnings = warnings.as_list()
    return result


def _standby(text: str, number: int, user: int | None, ctx) -> StandbyState | None:  # type: ignore[no-untyped-def]
    if " bucket=" not in text:
        return None
    first, _, rest = text.partition(" ")
    package = first.split("=", 1)[1] if first.startswith("package=") else first
    pairs = dict(_PAIR.findall(rest))
    if "u" in pairs:
        user = to_int(pairs["u"])

    def ago(key: str) -> Stamp | None:
        value = pairs.get(key)
        if not value or value.startswith("<") or value.strip("-") == "":
            return None  # "<uninitialized>", "---": never
        duration = parse_duration_ms(value)
        if duration is None:
            return Stamp(raw=value, time=None, note="duration not recognised")
        # Android 9 prints elapsed-since-use (positive), 10+ lastUsed-minus-now (negative).
        return stamp_ago(value, abs(duration), ctx)

    return StandbyState(user=user, package=package, bucket=to_int(pairs.get("bucket")), reason=pairs.get("reason"),
                        last_used=ago("used"), last_used_by_user=ago("usedByUser"), line=number)
