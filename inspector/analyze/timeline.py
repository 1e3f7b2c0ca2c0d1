"""The crossing window and the timeline of everything with a time in an acquisition.

`--window 2026-11-18` (that whole day in the phone's timezone) or
`--window 2026-11-18T08:00+08:00/2026-11-18T14:30+08:00` (local times with their offset). Events are
data: a time (UTC), a kind (a message key suffix: ``timeline.<kind>``), a subject, the artifact it
came from, and whether it falls inside the window. Findings inside the window are raised one
severity level, with the reason in their params.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from inspector.analyze.findings import SEVERITIES, Finding

# How far around the window an event still counts: phones' clocks drift and officers' work starts
# before the traveller notices it.
SLACK = timedelta(minutes=30)


class WindowError(ValueError):
    """The --window text could not be understood; the message shows the accepted forms."""


@dataclass(frozen=True)
class Window:
    start: datetime  # aware, UTC
    end: datetime
    timezone: str  # the zone the traveller's times were read in
    text: str

    @classmethod
    def parse(cls, text: str, default_tz: str | None = None) -> Window:
        zone_name = default_tz or "UTC"
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            zone_name, zone = "UTC", ZoneInfo("UTC")
        usage = ("use a date (2026-11-18: that day in the phone's timezone) or START/END with offsets "
                 "(2026-11-18T08:00+08:00/2026-11-18T14:30+08:00)")
        try:
            if "/" in text:
                first, second = text.split("/", 1)
                start, end = _moment(first, zone), _moment(second, zone)
            else:
                day = datetime.fromisoformat(text.strip())
                if day.hour or day.minute or len(text.strip()) > 10:
                    raise ValueError
                start = datetime(day.year, day.month, day.day, tzinfo=zone)
                end = start + timedelta(days=1)
        except ValueError:
            raise WindowError(f"cannot read the crossing window {text!r}: {usage}") from None
        if end <= start:
            raise WindowError(f"the crossing window {text!r} ends before it starts")
        if end - start > timedelta(days=31):
            raise WindowError(f"the crossing window {text!r} is longer than 31 days")
        return cls(start.astimezone(UTC), end.astimezone(UTC), zone_name, text)

    def contains(self, when: str | None) -> bool:
        moment = parse_utc(when)
        return moment is not None and self.start - SLACK <= moment <= self.end + SLACK

    def to_dict(self) -> dict[str, Any]:
        return {"start": _iso(self.start), "end": _iso(self.end), "timezone": self.timezone, "text": self.text,
                "slack_minutes": int(SLACK.total_seconds() // 60)}


def _moment(text: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(when: str | None) -> datetime | None:
    if not when:
        return None
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Event:
    time: str  # ISO 8601 UTC
    kind: str  # e.g. "file_modified", "package_installed"; shown through the key timeline.<kind>
    subject: str
    artifact: str
    rule_id: str | None = None

    def to_dict(self, window: Window | None) -> dict[str, Any]:
        return {"time": self.time, "event": self.kind, "subject": self.subject, "artifact": self.artifact,
                "in_window": bool(window and window.contains(self.time)), "finding_rule_id": self.rule_id}


def raise_in_window(findings: list[Finding], window: Window | None) -> list[Finding]:
    """A finding whose time falls in the crossing window is one level more serious: it happened
    while the phone was out of the owner's hands."""
    if window is None:
        return findings
    raised = []
    for finding in findings:
        if window.contains(finding.time) and finding.severity != SEVERITIES[0]:
            higher = SEVERITIES[SEVERITIES.index(finding.severity) - 1]
            finding = replace(finding, severity=higher, params={
                **finding.params, "raised_from": finding.severity, "raised_because": "in_crossing_window"})
        raised.append(finding)
    return raised


def timeline(events: list[Event], window: Window | None, limit: int = 5000) -> list[dict[str, Any]]:
    """Events sorted by time; with a window, those inside it come first when there are too many."""
    ordered = sorted({e for e in events if parse_utc(e.time)}, key=lambda e: e.time)
    if len(ordered) > limit and window:
        inside = [e for e in ordered if window.contains(e.time)]
        outside = [e for e in ordered if not window.contains(e.time)]
        ordered = sorted(inside[:limit] + outside[: max(0, limit - len(inside))], key=lambda e: e.time)
    return [e.to_dict(window) for e in ordered[:limit]]


def file_events(records: list[Any], window: Window | None) -> list[Event]:
    """Files on shared storage changed inside the window (every file would drown the timeline)."""
    if window is None:
        return []
    events = []
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("path"), str):
            continue
        for key, kind in (("modified_time", "file_modified"), ("changed_time", "file_changed")):
            value = record.get(key)
            if isinstance(value, int | float) and 0 < value < 32503680000:
                when = datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if window.contains(when):
                    events.append(Event(when, kind, record["path"], "files.json"))
                    break
    return events
