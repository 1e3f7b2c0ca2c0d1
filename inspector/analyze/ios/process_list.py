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


_BUNDLES = (".app", ".appex", ".xpc", ".framework", ".bundle", ".dext")


def executable(command: str) -> str:
    """The executable path at the start of a COMMAND. ps does not quote it, and a bundle's folder may
    hold a space (``/Applications/Screen Time.app/PlugIns/…`` in a captured iOS 15 ps.txt,
    tests/fixtures/ios/captured/). Words after a space belong to the path only when they end a bundle
    folder's name and the path goes on (``Screen Time.app/…``), or when they complete the name of the
    bundle the executable sits in (``…/Some App.app/Some App``); anything else is an argument."""
    words = command.split(" ")
    path, i = words[0], 1
    while i < len(words):
        # a bundle folder name with spaces: "Screen" + "Time.app/PlugIns/…"
        j = i
        while j < len(words) and words[j] and "/" not in words[j] and not words[j].startswith(("-", "(")):
            j += 1
        if j < len(words) and words[j] and not words[j].startswith(("/", "-", "(")):
            folder = " ".join([path.rsplit("/", 1)[-1], *words[i:j], words[j].split("/", 1)[0]])
            if folder.endswith(_BUNDLES):
                path = " ".join([path, *words[i:j + 1]])
                i = j + 1
                continue
        # the executable named like its bundle: "…/Some App.app/Some" + "App"
        parts = path.split("/")
        bundle = parts[-2] if len(parts) > 1 else ""
        stem = bundle.rsplit(".", 1)[0] if bundle.endswith(_BUNDLES) else ""
        if words[i] and stem.startswith(f"{parts[-1]} {words[i]}"):
            path = f"{path} {words[i]}"
            i += 1
            continue
        break
    return path


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
        command = fields[before].strip()
        if command:
            out.append(RunningProcess(fields[pid_at] if pid_at is not None and pid_at < before else "",
                                      executable(command), number))
    return out
