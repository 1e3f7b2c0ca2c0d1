"""``dumpsys.txt`` (and a bugreport's ``dumpstate``) → the text of each service.

Layout read (what ``dumpsys`` without arguments, androidqf, inspector's collector and dumpstate write)::

    -------------------------------------------------------------------------------
    DUMP OF SERVICE package:
    <output of `dumpsys package`>
    --------- 0.512s was the duration of dumpsys package, ending at: 2026-11-18 21:40:03   (bugreports)
    -------------------------------------------------------------------------------
    DUMP OF SERVICE CRITICAL cpuinfo:                                                      (priority, 9+)

A section ends at the next ``DUMP OF SERVICE`` header, at a dumpstate section line
(``------ NAME (command) ------``) or at the end. The separator line of dashes just before a header
and dumpstate's ``was the duration of dumpsys`` line belong to no section.

Public API:

- :func:`split_dumpsys` ``(data) -> DumpsysSplit``: ``services`` {name: text} in input order, plus
  ``warnings``. A service that appears twice keeps its first section (a warning says so).
- :func:`iter_sections` ``(data) -> Iterator[tuple[str, list[str]]]``: (name, lines) per section.
- :func:`iter_service_lines` ``(data, service) -> Iterator[str]``: the lines of one service's first
  section, streamed: ``parse_dumpsys_package(iter_service_lines(text, "package"))`` never holds the
  section as one string.

Raises :class:`~inspector.analyze.parsers.ParseError` when no ``DUMP OF SERVICE`` header is found.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from typing import BinaryIO
from dataclasses import dataclass, field

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import Input, Warnings, bounded_lines, empty_input

ARTIFACT = "dumpsys"

_HEADER = re.compile(r"^DUMP OF SERVICE (?:(?:CRITICAL|HIGH|NORMAL) )?(?P<name>\S+?):\s*$")
_DUMPSTATE_SECTION = re.compile(r"^------ .* ------$")
_DURATION_LINE = re.compile(r"^--------- [\d.]+s was the duration of dumpsys ")


def _is_dash_line(line: str) -> bool:
    return len(line) >= 20 and not line.strip("-")


@dataclass
class DumpsysSplit:
    services: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _events(data: Input, warnings: Warnings) -> Iterator[tuple[str, str | None]]:
    """("start", name) at a header, ("line", text) inside a section, ("end", None) after one."""
    in_section = False
    pending_dashes: str | None = None
    for line in bounded_lines(data, warnings):
        header = _HEADER.match(line) if line.startswith("DUMP OF SERVICE") else None
        if header:
            pending_dashes = None
            if in_section:
                yield "end", None
            in_section = True
            yield "start", header.group("name")
            continue
        if not in_section:
            continue
        if pending_dashes is not None:
            # The dashes were not followed by a header: they were the service's own text.
            yield "line", pending_dashes
            pending_dashes = None
        if _is_dash_line(line):
            pending_dashes = line
            continue
        if _DURATION_LINE.match(line):
            continue
        if _DUMPSTATE_SECTION.match(line):
            in_section = False
            yield "end", None
            continue
        yield "line", line
    if in_section:
        yield "end", None


def iter_sections(data: Input, warnings: Warnings | None = None) -> Iterator[tuple[str, list[str]]]:
    """Yield (service name, lines) for every section in input order (duplicates included)."""
    warnings = warnings or Warnings()
    name: str | None = None
    lines: list[str] = []
    seen_any = False
    for kind, value in _events(data, warnings):
        if kind == "start":
            name, lines, seen_any = value, [], True
        elif kind == "line":
            lines.append(value)  # type: ignore[arg-type]
        elif name is not None:
            yield name, lines
            name, lines = None, []
    if not seen_any and not empty_input(data):
        raise ParseError(ARTIFACT, "no 'DUMP OF SERVICE' header found")


def iter_service_lines(data: Input, service: str) -> Iterator[str]:
    """Yield the lines of the first section of ``service``; nothing if the service is absent."""
    inside = done = False
    for kind, value in _events(data, Warnings()):
        if done:
            break
        if kind == "start":
            if inside:
                done = True
            inside = value == service
        elif kind == "line" and inside:
            yield value  # type: ignore[misc]
        elif kind == "end" and inside:
            done = True


def split_dumpsys(data: Input) -> DumpsysSplit:
    warnings = Warnings()
    result = DumpsysSplit()
    if empty_input(data):
        warnings.add("empty input")
        result.warnings = warnings.as_list()
        return result
    for name, lines in iter_sections(data, warnings):
        if name in result.services:
            warnings.add(f"service {name!r} appears again: kept its first section")
            continue
        result.services[name] = "\n".join(lines) + ("\n" if lines else "")
        if not lines:
            warnings.add(f"service {name!r}: empty section")
    result.warnings = warnings.as_list()
    return result


_HEADER_BYTES = re.compile(rb"^DUMP OF SERVICE (?:(?:CRITICAL|HIGH|NORMAL) )?(\S+?):[ \t\r]*$", re.M)


def section_offsets(f: BinaryIO) -> dict[str, int]:
    """{service: byte offset of the header line of its first section}, found in one pass at C speed
    (the file is mapped, not read into memory): a check that reads several services then seeks to each
    instead of reading the whole dump once per service; ``iter_service_lines`` from that offset yields
    the same lines as from the start."""
    f.seek(0, 2)
    if f.tell() == 0:
        return {}
    offsets: dict[str, int] = {}
    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        for match in _HEADER_BYTES.finditer(mapped):
            offsets.setdefault(match.group(1).decode("utf-8", "replace"), match.start())
    f.seek(0)
    return offsets
