"""``shutdown.log`` (sysdiagnose ``system_logs.logarchive/Extra/shutdown.log``): the processes that
were still running when the phone shut down, and how long the shutdown waited for them.

Kaspersky's iShutdown method (Securelist, January 2024): Pegasus, Reign and Predator left processes
that delayed reboots ("sticky" clients) with paths under ``/private/var/db/`` or ``/private/var/tmp/``,
where no iOS system process lives. Same parsing as MVT's ShutdownLog module.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.analyze.ios.times import from_unix

SUSPICIOUS_DIRS = ("/private/var/db/", "/private/var/tmp/")


@dataclass(frozen=True)
class DelayedClient:
    pid: str
    path: str
    delay_s: float  # how long the shutdown had waited when it was still there
    times_delayed: int
    shutdown_time: str | None
    line: int

    @property
    def process(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def in_suspicious_dir(self) -> bool:
        return self.path.startswith(SUSPICIOUS_DIRS)


def parse(text: str) -> list[DelayedClient]:
    out: list[DelayedClient] = []
    current: list[tuple[str, str, int]] = []
    recent: list[tuple[str, str, float, int, int]] = []
    delay, times = 0.0, 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("remaining client pid:"):
            pid = line[len("remaining client pid:"):].split("(", 1)[0].strip()
            path = line[line.find("(") + 1:line.rfind(")")] if "(" in line and ")" in line else ""
            current.append((pid, path, number))
        elif line.startswith("After "):
            recent += [(pid, path, delay, times, n) for pid, path, n in current]
            try:
                delay += float(line.split(" ")[1].rstrip("s,"))
            except (IndexError, ValueError):
                pass
            times += 1
            current = []
        elif line.startswith("SIGTERM:"):
            recent += [(pid, path, delay, times, n) for pid, path, n in current]
            stamp = None
            if "[" in line and "]" in line:
                digits = line[line.find("[") + 1:line.find("]")]
                stamp = from_unix(int(digits)) if digits.isdigit() else None
            out += [DelayedClient(pid, path, d, t, stamp, n) for pid, path, d, t, n in recent]
            current, recent, delay, times = [], [], 0.0, 0
    return out
