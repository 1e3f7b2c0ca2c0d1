"""``ps.txt`` of a sysdiagnose: the processes running when it was taken (``ps axwwo user,uid,…,command``).
An implant that was running then is named here by its path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunningProcess:
    pid: str
    path: str  # the executable, the first word of COMMAND
    line: int

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def parse(text: str) -> list[RunningProcess]:
    lines = text.splitlines()
    header = next(((n, line.split()) for n, line in enumerate(lines) if "COMMAND" in line.split()), None)
    if header is None:
        return []
    start, columns = header
    before = columns.index("COMMAND")
    pid_at = columns.index("PID") if "PID" in columns else None
    out = []
    for number, line in enumerate(lines[start + 1:], start + 2):
        fields = line.split(None, before)
        if len(fields) <= before:
            continue
        command = fields[before].split()
        if command:
            out.append(RunningProcess(fields[pid_at] if pid_at is not None and pid_at < before else "",
                                      command[0], number))
    return out
