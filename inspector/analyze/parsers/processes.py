"""``ps -A`` / ``ps`` (processes.txt) → processes.

Header detection: the first line naming a ``PID`` column is the header, in any of the forms Android
printed:

- toybox ``ps -A`` (Android 8+): ``USER PID PPID VSZ RSS WCHAN ADDR S NAME``;
- toolbox ``ps`` (Android ≤ 7): ``USER PID PPID VSIZE RSS WCHAN PC NAME``, where an unlabelled
  state letter is printed between ``PC`` and ``NAME``;
- ``ps -ef`` / ``-o`` forms: ``UID PID PPID C STIME TTY TIME CMD`` and the like.

The last column (``NAME``, ``CMD``, ``ARGS``, ``COMMAND``) takes the rest of the line, so a process
name with spaces stays whole.

Public API: :func:`parse_processes` ``(data) -> ProcessList`` with ``processes``
(list[:class:`Process`]), ``header`` (list[str]) and ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import Input, Warnings, bounded_lines

ARTIFACT = "processes"

_USER_COLUMNS = ("USER", "UID", "RUSER")
_NAME_COLUMNS = ("NAME", "CMD", "COMMAND", "ARGS", "CMDLINE", "COMM")


@dataclass(slots=True)
class Process:
    user: str | None
    pid: int
    ppid: int | None
    name: str
    state: str | None
    fields: dict[str, str]
    line: int


@dataclass
class ProcessList:
    processes: list[Process] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_name(self, name: str) -> list[Process]:
        return [p for p in self.processes if p.name == name]


def parse_processes(data: Input) -> ProcessList:
    """Parse the output of ``ps -A`` or ``ps`` (see the module docstring)."""
    warnings = Warnings()
    result = ProcessList()
    columns: list[str] | None = None
    saw_text = False
    for number, line in enumerate(bounded_lines(data, warnings), 1):
        if not line.strip():
            continue
        saw_text = True
        if columns is None:
            words = line.split()
            if "PID" in words:
                columns = words
                # toolbox prints the process state, unlabelled, between PC and NAME.
                if "PC" in columns and "S" not in columns and columns[-1] in _NAME_COLUMNS:
                    columns = [*columns[:-1], "S", columns[-1]]
                result.header = columns
            elif number > 20:
                break
            continue
        tokens = line.split(None, len(columns) - 1)
        # A short line is kept (an empty name column, a line cut by a lost connection) unless it cannot
        # even hold a pid.
        if len(tokens) < len(columns) and len(tokens) < 3:
            warnings.add(f"line {number}: too few columns")
            continue
        fields = dict(zip(columns, tokens, strict=False))
        pid_text = fields.get("PID", "")
        if not pid_text.isdigit():
            warnings.add(f"line {number}: PID {pid_text[:20]!r} is not a number")
            continue
        ppid_text = fields.get("PPID", "")
        user = next((fields[c] for c in _USER_COLUMNS if c in fields), None)
        name = next((fields[c] for c in _NAME_COLUMNS if c in fields), "")
        state = fields.get("S") or fields.get("STAT")
        result.processes.append(Process(user=user, pid=int(pid_text), ppid=int(ppid_text) if ppid_text.isdigit()
                                        else None, name=name.strip(), state=state, fields=fields, line=number))
    if not saw_text:
        warnings.add("empty input")
    elif columns is None:
        raise ParseError(ARTIFACT, "no ps header (a line naming a PID column) found")
    result.warnings = warnings.as_list()
    return result
