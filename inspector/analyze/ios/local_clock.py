"""The phone's UTC offset, for sysdiagnose logs that write local time without a zone.

lockdownd.log (``10/13/21 07:57:42.865446``) and MobileInstallation's log (``Wed Aug 11 05:51:02 2021``)
give the phone's local time and no offset (iLEAPP's notes and a real sysdiagnose agree: device-local
time). Two things in the same sysdiagnose do carry the offset: logd's own log (``logd.0.log``,
``2021-10-13 07:43:10-0400 logd[29]: …``: one sample per line, across months and DST changes) and the
archive's folder name (``sysdiagnose_2021.10.13_07-57-50-0400_iPhone-OS_…``: the offset when it was
taken). Each is a sample (local time, offset); a local time takes the offset of the latest sample at
or before it, else of the earliest after it, else none: then the entry has no time and the check's
coverage says how many.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

_LOGD = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})([+-])(\d{2})(\d{2}) \S+\[\d+\]:")
_NAME = re.compile(r"sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-])(\d{2})(\d{2})_")
MAX_OFFSET = timedelta(hours=14)  # no zone is further from UTC (Kiribati +14, Baker Island -12)
MAX_SAMPLES = 100_000


def _offset(sign: str, hours: str, minutes: str) -> timedelta | None:
    value = timedelta(hours=int(hours), minutes=int(minutes))
    if value > MAX_OFFSET or int(minutes) >= 60:
        return None
    return -value if sign == "-" else value


def logd_samples(lines: Iterable[str]) -> list[tuple[datetime, timedelta]]:
    """(local time, offset) of every logd.N.log line that has both; other lines are skipped."""
    out = []
    for line in lines:
        match = _LOGD.match(line)
        if not match or len(out) >= MAX_SAMPLES:
            continue
        offset = _offset(*match.group(2, 3, 4))
        try:
            local = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
        if offset is not None:
            out.append((local, offset))
    return out


def name_sample(name: str) -> tuple[datetime, timedelta] | None:
    """The (local time, offset) in a sysdiagnose folder or archive name, if it has them."""
    match = _NAME.search(name)
    if not match:
        return None
    offset = _offset(*match.group(7, 8, 9))
    try:
        local = datetime(*(int(v) for v in match.group(1, 2, 3, 4, 5, 6)))  # type: ignore[misc]
    except ValueError:
        return None
    return (local, offset) if offset is not None else None


class PhoneClock:
    """Local times of one phone → UTC, from (local time, offset) samples."""

    def __init__(self, samples: Iterable[tuple[datetime, timedelta]]) -> None:
        self.samples = sorted(samples)
        self._keys = [local for local, _ in self.samples]

    def offset(self, local: datetime) -> timedelta | None:
        if not self.samples:
            return None
        at = bisect_right(self._keys, local)
        return self.samples[at - 1][1] if at else self.samples[0][1]

    def utc(self, local: datetime | None) -> str | None:
        """ISO 8601 UTC (``…Z``) of a naive local time; None without a time or any sample."""
        offset = self.offset(local) if local is not None else None
        if local is None or offset is None:
            return None
        try:
            return (local - offset).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except OverflowError:
            return None
