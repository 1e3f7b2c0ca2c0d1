"""What every parser shares: reading hostile input line by line, turning phone times into UTC, and
collecting warnings without letting a hostile input make them grow without bound.

Times. Every time a parser returns is a :class:`Stamp`: the text it came from (``raw``), the UTC time
as ``"YYYY-MM-DDTHH:MM:SSZ"`` (``time``), and a ``note`` when the time had to be guessed or could not
be given. dumpsys prints local times in the phone's time zone; the parsers take its IANA name (``tz``,
from ``getprop persist.sys.timezone``). Without it, local times are read as UTC and the note says so.
A time outside 2000-01-01 … 2099-12-31, zero or negative keeps its raw text and gets ``time=None`` and
a note: a phone never installed anything in 1970 or 3000, so such a value is a reset clock, an unset
field or a forgery, never a fact to put on a timeline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A line longer than this is cut before it is parsed: no Android dump prints one, and regular
# expressions over a hostile multi-megabyte "line" would cost time for nothing.
MAX_LINE_CHARS = 1 << 16
# Warnings beyond this count are summarised in one last warning.
MAX_WARNINGS = 100

_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)

Input = str | bytes | bytearray | memoryview | Iterable[str] | Iterable[bytes]


# What dumpsys prints instead of a service's dump when it cannot give one (the service does not exist
# on this Android version, or the shell may not dump it). Such an output is an absent artifact, not a
# foreign one: parsers return an empty result with a warning rather than raising ParseError.
DUMPSYS_ERRORS = ("Can't find service:", "Permission Denial:", "Error dumping service info", "Service not found")


@dataclass(frozen=True, slots=True)
class Stamp:
    """One time as the phone printed it (``raw``) and as UTC (``time``, or None with a ``note``)."""

    raw: str
    time: str | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ComponentName:
    """An Android component ``package/class``; ``com.x/.Svc`` is expanded to ``com.x.Svc``."""

    package: str
    class_name: str
    raw: str


class Warnings:
    """A bounded list of warnings: the first MAX_WARNINGS, then a count of the rest."""

    def __init__(self) -> None:
        self._items: list[str] = []
        self._dropped = 0

    def add(self, message: str) -> None:
        if len(self._items) < MAX_WARNINGS:
            self._items.append(message)
        else:
            self._dropped += 1

    def as_list(self) -> list[str]:
        if self._dropped:
            return [*self._items, f"{self._dropped} more warnings not shown"]
        return list(self._items)


# ---------------------------------------------------------------------------------------------
# Lines


# Text is cut into chunks of about this size at a line end and each chunk split in one call: a Python
# loop per line would dominate the parse time of a 50 MB dump, a list of all lines its memory.
_CHUNK = 1 << 20


def iter_lines(data: Input) -> Iterator[str]:
    """Yield the lines of ``data`` without their line ends, one at a time.

    ``data`` is a ``str``, ``bytes`` (decoded as UTF-8 with errors replaced) or an iterable of lines in
    either form (an open file). Only ``\\n`` ends a line (a trailing ``\\r`` is dropped): Python's
    ``splitlines`` would also split on characters such as U+2028 that a hostile app name can contain.
    """
    for lines in _line_batches(data):
        yield from lines


def _line_batches(data: Input) -> Iterator[list[str]]:
    if isinstance(data, str):
        yield from _chunked(data, None)
    elif isinstance(data, bytes | bytearray | memoryview):
        yield from _chunked(data if isinstance(data, bytes) else bytes(data), "utf-8")
    else:
        batch: list[str] = []
        for item in data:
            if isinstance(item, bytes | bytearray):
                item = bytes(item).decode("utf-8", "replace")
            elif not isinstance(item, str):
                item = str(item)
            item = item.rstrip("\r\n")
            if "\n" in item:
                batch.extend(line for lines in _chunked(item, None) for line in lines)
            else:
                batch.append(item)
            if len(batch) >= 4096:
                yield batch
                batch = []
        if batch:
            yield batch


def _chunked(blob: str | bytes, encoding: str | None) -> Iterator[list[str]]:
    newline = b"\n" if encoding else "\n"
    start, size = 0, len(blob)
    while start < size:
        end = blob.find(newline, min(start + _CHUNK, size))  # type: ignore[arg-type]
        end = size if end < 0 else end + 1
        chunk = blob[start:end]
        start = end
        # Cutting after a b"\n" never splits a UTF-8 sequence.
        text: str = chunk.decode(encoding, "replace") if encoding else chunk  # type: ignore[assignment]
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if "\r" in text:
            lines = [line[:-1] if line.endswith("\r") else line for line in lines]
        yield lines


def bounded_lines(data: Input, warnings: Warnings) -> Iterator[str]:
    """iter_lines, with over-long lines cut (and one warning per cut line)."""
    limit = MAX_LINE_CHARS
    number = 0
    for lines in _line_batches(data):
        if lines and max(map(len, lines)) > limit:
            for index, line in enumerate(lines):
                if len(line) > limit:
                    warnings.add(f"line {number + index + 1}: {len(line)} characters, cut to {limit}")
                    lines[index] = line[:limit]
        number += len(lines)
        yield from lines


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


# ---------------------------------------------------------------------------------------------
# Components and uids


def parse_component(text: str) -> ComponentName | None:
    """``pkg/cls``, ``pkg/.cls``, ``ComponentInfo{pkg/cls}`` → ComponentName (None if not one)."""
    raw = text.strip()
    inner = raw
    if inner.startswith("ComponentInfo{") and inner.endswith("}"):
        inner = inner[len("ComponentInfo{"):-1]
    inner = inner.strip("{} ")
    package, sep, cls = inner.partition("/")
    if not sep or not package or not cls or any(c.isspace() for c in inner):
        return None
    if cls.startswith("."):
        cls = package + cls
    return ComponentName(package=package, class_name=cls, raw=raw)


_APP_UID = re.compile(r"^u(\d+)([ais])(\d+)$")


def parse_uid(text: str) -> int | None:
    """``10262``, ``u0a262`` (user 0 app 262 = 10262), ``u10s1000``, ``u0i5`` → the numeric uid."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text)
    match = _APP_UID.match(text)
    if not match:
        return None
    user, kind, number = int(match.group(1)), match.group(2), int(match.group(3))
    # android.os.UserHandle: PER_USER_RANGE 100000, FIRST_APPLICATION_UID 10000, isolated from 99000.
    base = {"a": 10000, "s": 0, "i": 99000}[kind]
    return user * 100000 + base + number


def none_if_null(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in ("", "null") else value


def to_int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    try:
        return int(value, 16) if value.lower().startswith("0x") else int(value)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Times


@dataclass
class TimeContext:
    """How the phone's time texts become UTC: its zone, the moment of the dump, a year for ``MM-DD``."""

    zone: tzinfo | None
    zone_note: str | None
    now: datetime | None
    year: int | None


def time_context(tz: str | None = None, now: datetime | str | float | None = None, year: int | None = None,
                 warnings: Warnings | None = None) -> TimeContext:
    zone: tzinfo | None = None
    note: str | None = "no time zone given: local time read as UTC"
    if tz:
        try:
            zone = ZoneInfo(tz.strip())
            note = None
        except (ZoneInfoNotFoundError, ValueError, OSError):
            note = f"unknown time zone {tz!r}: local time read as UTC"
            if warnings is not None:
                warnings.add(note)
    return TimeContext(zone=zone, zone_note=note, now=_as_utc(now, warnings), year=year)


def _as_utc(now: datetime | str | float | None, warnings: Warnings | None) -> datetime | None:
    if now is None:
        return None
    try:
        if isinstance(now, datetime):
            value = now
        elif isinstance(now, int | float):
            value = datetime.fromtimestamp(now, UTC)
        else:
            value = datetime.fromisoformat(str(now).strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        if warnings is not None:
            warnings.add(f"reference time {now!r} not understood: relative times left without a time")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def checked(raw: str, moment: datetime | None, note: str | None = None) -> Stamp:
    """A Stamp for an aware datetime, or time=None with a note when it is absurd."""
    if moment is None:
        return Stamp(raw=raw, time=None, note=note or "not a time")
    if moment.timestamp() == 0:
        return Stamp(raw=raw, time=None, note="zero: the phone's 'never' or 'unset'")
    if moment < _EARLIEST or moment >= _LATEST:
        return Stamp(raw=raw, time=None, note=f"implausible time {moment.isoformat()}: kept raw only")
    return Stamp(raw=raw, time=iso(moment), note=note)


def stamp_epoch(raw: str, value: float | int | str, unit: str = "ms") -> Stamp:
    """Unix time in ``ms`` or ``s`` (UTC, no zone needed)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return Stamp(raw=str(raw), time=None, note="not a number")
    if number != number or number in (float("inf"), float("-inf")):  # NaN, inf
        return Stamp(raw=str(raw), time=None, note="not a number")
    seconds = number / 1000 if unit == "ms" else number
    if seconds == 0:
        return Stamp(raw=str(raw), time=None, note="zero: the phone's 'never' or 'unset'")
    if seconds < 0:
        return Stamp(raw=str(raw), time=None, note="negative time: kept raw only")
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return Stamp(raw=str(raw), time=None, note="implausible time: kept raw only")
    return checked(str(raw), moment)


# Local date-time texts printed by Android, most specific first.
_LOCAL_FORMATS = (
    # SimpleDateFormat "yyyy-MM-dd HH:mm:ss(.SSS)" (package, usagestats, appops, wifi on some builds)
    # (java.time.LocalDateTime.toString(), used by LocalLog, drops ":ss" when seconds and nanos are 0)
    re.compile(r"^(?P<y>-?\d{1,6})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})[ T](?P<h>\d{1,2}):(?P<mi>\d{1,2})(?::(?P<s>\d{1,2})"
               r"(?:\.(?P<f>\d{1,9}))?)?$"),
    # DateFormat "yyyy-MM-dd-HH-mm-ss" (batterystats)
    re.compile(r"^(?P<y>-?\d{1,6})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})-(?P<h>\d{1,2})-(?P<mi>\d{1,2})-(?P<s>\d{1,2})$"),
    # "%tm-%td %tH:%tM:%tS.%tL" (logcat threadtime, wifi logs): no year
    re.compile(r"^(?P<mo>\d{1,2})-(?P<d>\d{1,2}) (?P<h>\d{1,2}):(?P<mi>\d{1,2}):(?P<s>\d{1,2})(?:\.(?P<f>\d{1,9}))?$"),
)


def stamp_local(raw: str, ctx: TimeContext) -> Stamp:
    """A local wall-clock text of the phone → Stamp, using the context's zone (and year if needed)."""
    text = raw.strip().strip('"')
    for pattern in _LOCAL_FORMATS:
        match = pattern.match(text)
        if match:
            break
    else:
        return Stamp(raw=raw, time=None, note="date format not recognised")
    parts = match.groupdict()
    note = ctx.zone_note
    if parts.get("y") is None:
        year = ctx.year
        if year is None and ctx.now is not None:
            local_now = ctx.now.astimezone(ctx.zone or UTC)
            year = local_now.year
            # A month-day later than the dump itself belongs to the year before (logs span New Year).
            if (int(parts["mo"]), int(parts["d"])) > (local_now.month, local_now.day):
                year -= 1
            note = _join(note, "year taken from the time of the dump")
        if year is None:
            return Stamp(raw=raw, time=None, note="no year in the text and none given")
    else:
        year = int(parts["y"])
    fraction = parts.get("f") or "0"
    try:
        naive = datetime(year, int(parts["mo"]), int(parts["d"]), int(parts["h"]), int(parts["mi"]),
                         int(parts.get("s") or 0), int(fraction[:6].ljust(6, "0")))
    except ValueError:
        return Stamp(raw=raw, time=None, note="impossible date: kept raw only")
    try:
        moment = naive.replace(tzinfo=ctx.zone or UTC)
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return Stamp(raw=raw, time=None, note="implausible time: kept raw only")
    return checked(raw, moment, note)


class StampCache:
    """stamp_local for many times: texts of the same second share one conversion (the UTC text has
    no fractions), so a dump with a million timestamps converts each distinct second once."""

    def __init__(self, ctx: TimeContext, limit: int = 100_000) -> None:
        self.ctx = ctx
        self.limit = limit
        self._seconds: dict[str, Stamp] = {}

    def __call__(self, raw: str) -> Stamp:
        text = raw.strip().strip('"')
        key = text.rsplit(".", 1)[0] if "." in text else text
        base = self._seconds.get(key)
        if base is None:
            if len(self._seconds) >= self.limit:
                self._seconds.clear()
            base = self._seconds[key] = stamp_local(key, self.ctx)
        if base.raw == raw:
            return base
        return Stamp(raw=raw, time=base.time, note=base.note)


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


# android.util.TimeUtils.formatDuration: [+-]1d2h3m4s5ms, "0" for zero, 2-digit fields when fixed width.
_DURATION = re.compile(r"^(?P<sign>[+-])?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m(?!s))?(?:(?P<s>\d+)s)?"
                       r"(?:(?P<ms>\d+)ms)?$")


def parse_duration_ms(text: str) -> int | None:
    """``+1d2h3m4s5ms`` / ``-12h27m49s583ms`` / ``0`` → signed milliseconds (None if not a duration)."""
    text = text.strip()
    if not text or text in ("+", "-"):
        return None
    match = _DURATION.match(text)
    if not match or not any(match.group(k) for k in ("d", "h", "m", "s", "ms")):
        return 0 if text.lstrip("+-") == "0" else None
    total = (int(match.group("d") or 0) * 86_400_000 + int(match.group("h") or 0) * 3_600_000
             + int(match.group("m") or 0) * 60_000 + int(match.group("s") or 0) * 1000 + int(match.group("ms") or 0))
    return -total if match.group("sign") == "-" else total


def stamp_ago(raw: str, ago_ms: int | None, ctx: TimeContext) -> Stamp:
    """A time printed as "so long before the dump" → Stamp, using the context's ``now``."""
    if ago_ms is None:
        return Stamp(raw=raw, time=None, note="duration not recognised")
    if ctx.now is None:
        return Stamp(raw=raw, time=None, note="relative time and no reference 'now' given")
    try:
        moment = ctx.now - timedelta(milliseconds=ago_ms)
    except OverflowError:
        return Stamp(raw=raw, time=None, note="implausible time: kept raw only")
    return checked(raw, moment, "computed from the time of the dump")


def empty_input(data: Input) -> bool:
    """True for an empty or whitespace-only str/bytes (iterables cannot be checked without reading)."""
    if isinstance(data, str | bytes | bytearray):
        return not data.strip()
    return False


class ServiceLines:
    """The non-blank lines of one dumpsys service's output, as ``(number, line, stripped)``, with the
    bookkeeping every dumpsys parser needs: whether any text came at all, and dumpsys's own error
    ("Can't find service: adb", a permission denial) printed instead of a dump."""

    def __init__(self, data: Input, warnings: Warnings) -> None:
        self._data = data
        self._warnings = warnings
        self.saw_text = False
        self.unavailable: str | None = None

    def __iter__(self) -> Iterator[tuple[int, str, str]]:
        for number, line in enumerate(bounded_lines(self._data, self._warnings), 1):
            text = line.strip()
            if not text:
                continue
            self.saw_text = True
            if text.startswith(DUMPSYS_ERRORS):
                self.unavailable = self.unavailable or text
                continue
            yield number, line, text

    def finish(self, recognised: bool, artifact: str, missing: str) -> None:
        """Empty input and an unavailable service are warnings; text that is not the artifact at all
        is a ParseError (``missing`` says what was looked for)."""
        from inspector.analyze.parsers import ParseError

        if not self.saw_text:
            self._warnings.add("empty input")
        elif not recognised and self.unavailable:
            self._warnings.add(f"service unavailable: {self.unavailable[:200]}")
        elif not recognised:
            raise ParseError(artifact, missing)
