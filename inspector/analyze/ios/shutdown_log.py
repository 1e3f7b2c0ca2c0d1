"""``shutdown.log`` (sysdiagnose ``system_logs.logarchive/Extra/shutdown.log``): the processes that
were still running when the phone shut down, and how long the shutdown waited for them.

Kaspersky's iShutdown method (Securelist, January 2024): Pegasus, Reign and Predator left processes
that delayed reboots ("sticky" clients) with paths under ``/private/var/db/`` or ``/private/var/tmp/``,
where no iOS system process lives. Same parsing as MVT's ShutdownLog module, with two corrections
(docs/ios.md, "Captured pieces"):

- ``After 2.62s, these clients are still here:`` gives the time since the shutdown began, not the
  length of one wait: the delay of a client is the last such value before it, not their sum.
- Newer iOS versions write each client as ``(/path/to/binary/<UUID of the binary>)`` (Kaspersky's
  iShutdown README shows ``…roleaccountd.staging/mptbd/42286BD8-…``; libyal's description of the
  format ``(/<process>/<uuid>)``): the UUID is split off, so that ``path`` is the executable's path
  that indicators name, and ``process`` its name rather than the UUID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from inspector.analyze.ios.times import from_unix

SUSPICIOUS_DIRS = ("/private/var/db/", "/private/var/tmp/")
_CLIENT = re.compile(r"remaining client pid:\s*(\S*)\s*(?:\((.*)\))?")
_AFTER = re.compile(r"^After\s+([0-9]+(?:\.[0-9]+)?)s\b")
_BINARY_UUID = re.compile(r"/([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$")


@dataclass(frozen=True)
class DelayedClient:
    pid: str
    path: str
    delay_s: float  # how long the shutdown had waited when it was still there
    times_delayed: int
    shutdown_time: str | None
    line: int
    binary_uuid: str | None = None  # the UUID newer iOS versions append to the path

    @property
    def process(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def in_suspicious_dir(self) -> bool:
        return self.path.startswith(SUSPICIOUS_DIRS)


def _client(line: str, number: int) -> tuple[str, str, int, str | None] | None:
    match = _CLIENT.search(line)
    if match is None:
        return None
    path, uuid = (match.group(2) or "").strip(), None
    found = _BINARY_UUID.search(path)
    if found and found.start() > 0:
        path, uuid = path[:found.start()], found.group(1)
    return match.group(1), path, number, uuid


def parse(text: str) -> list[DelayedClient]:
    out: list[DelayedClient] = []
    current: list[tuple[str, str, int, str | None]] = []
    recent: list[tuple[str, str, float, int, int, str | None]] = []
    delay, times = 0.0, 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("SIGTERM:"):
            recent += [(pid, path, delay, times, n, uuid) for pid, path, n, uuid in current]
            stamp = None
            if "[" in line and "]" in line:
                digits = line[line.find("[") + 1:line.find("]")]
                stamp = from_unix(int(digits)) if digits.isdigit() else None
            out += [DelayedClient(pid, path, d, t, stamp, n, uuid) for pid, path, d, t, n, uuid in recent]
            current, recent, delay, times = [], [], 0.0, 0
            continue
        after = _AFTER.match(line)
        if after:
            recent += [(pid, path, delay, times, n, uuid) for pid, path, n, uuid in current]
            delay = max(delay, float(after.group(1)))  # time since the shutdown began
            times += 1
            current = []
        client = _client(line, number) if "remaining client pid:" in line else None
        if client:
            current.append(client)
    return out
