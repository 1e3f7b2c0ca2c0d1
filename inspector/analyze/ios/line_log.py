"""What reading a line-based text log of a sysdiagnose (lockdownd.log, MobileInstallation's log) keeps
count of, and says the same way for each: lines that start no entry, dates that do not exist, lines
cut at the length limit, entries past the cap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

MAX_LINE = 16 << 10  # real lines are < 300 characters; an XPC reply dictionary a few KiB
MAX_MESSAGE = 16 << 10
MAX_ENTRIES = 1_000_000  # a 64 MiB member of the shortest real lines stays below


@dataclass
class LineCounts:
    KIND: ClassVar[str] = "log"  # what an entry is called: "lockdownd", "MobileInstallation"

    unreadable_lines: int = 0  # lines that start no entry and follow none (garbage, another format)
    bad_times: int = 0  # entries whose stamp has the shape but is no date (02/30/21, 25:00:00)
    long_lines: int = 0  # lines cut at MAX_LINE
    dropped: int = 0  # entries past MAX_ENTRIES

    def problems(self) -> list[str]:
        out = []
        if self.unreadable_lines:
            out.append(f"{self.unreadable_lines} lines are not {self.KIND} entries (other text or binary data)")
        if self.bad_times:
            out.append(f"{self.bad_times} entries have a date that does not exist; they have no time")
        if self.long_lines:
            out.append(f"{self.long_lines} lines longer than {MAX_LINE} characters were cut")
        if self.dropped:
            out.append(f"{self.dropped} entries beyond the first {MAX_ENTRIES} were not read")
        return out
