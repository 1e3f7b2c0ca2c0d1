"""``DataUsage.sqlite`` (WirelessDomain Library/Databases/DataUsage.sqlite): every process that used
the network, with its bundle and first/last time. Processes of an implant show up here even after
it deleted itself (MVT's Pegasus method)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector.analyze.ios._sqlite import rows
from inspector.analyze.ios.times import from_mac


@dataclass(frozen=True)
class NetworkProcess:
    process: str
    bundle: str
    first_seen: str | None
    last_seen: str | None


def parse(path: Path) -> list[NetworkProcess]:
    found = rows(path, "SELECT ZPROCNAME, ZBUNDLENAME, ZFIRSTTIMESTAMP, ZTIMESTAMP FROM ZPROCESS")
    return [NetworkProcess(proc if isinstance(proc, str) else "", bundle if isinstance(bundle, str) else "",
                           from_mac(first), from_mac(last)) for proc, bundle, first, last in found]
