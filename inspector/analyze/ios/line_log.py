"""Reading a line-based text log of a sysdiagnose (lockdownd.log, MobileInstallation's log): entries
that start with a stamped line and may go on over the next lines (``entries``), and what the reading
keeps count of, said the same way for each log: lines that start no entry, dates that do not exist,
lines cut at the length limit, entries past the cap (``LineCounts``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

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
    entries: list[Any] = field(default_factory=list)

    def add(self, entry: Any) -> None:
        if len(self.entries) < MAX_ENTRIES:
            self.entries.append(entry)
        else:
            self.dropped += 1

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


def entries(text: str, start: re.Pattern[str], first_message: Callable[[re.Match[str]], str],
            counts: LineCounts) -> Iterator[tuple[int, re.Match[str], str]]:
    """(line number where an entry starts, the match of ``start`` on that line, the entry's message:
    ``first_message(match)`` and the entry's further lines joined by spaces, at most MAX_MESSAGE
    characters). Lines longer than MAX_LINE are cut and lines before the first entry counted in
    ``counts``."""
    current: tuple[int, re.Match[str], list[str]] | None = None
    size = 0
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        if len(line) > MAX_LINE:
            line, counts.long_lines = line[:MAX_LINE], counts.long_lines + 1
        match = start.match(line)
        if match:
            if current is not None:
                yield current[0], current[1], " ".join(current[2])[:MAX_MESSAGE]
            message = first_message(match)
            current, size = (number, match, [message]), len(message)
        elif current is not None and line.strip():
            if size < MAX_MESSAGE:
                piece = line.strip()[:MAX_MESSAGE - size]
                current[2].append(piece)
                size += len(piece) + 1
        elif line.strip():
            counts.unreadable_lines += 1
    if current is not None:
        yield current[0], current[1], " ".join(current[2])[:MAX_MESSAGE]
