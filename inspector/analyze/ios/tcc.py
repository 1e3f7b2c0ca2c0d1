"""``TCC.db`` (HomeDomain Library/TCC/TCC.db): which app may use the camera, microphone, photos…
Three layouts: iOS 14+ (auth_value), iOS 12-13 (allowed + last_modified), older (allowed only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector.analyze.ios._sqlite import rows
from inspector.analyze.ios.times import from_unix


@dataclass(frozen=True)
class Grant:
    service: str  # e.g. kTCCServiceMicrophone
    client: str  # a bundle id, or an executable path
    allowed: bool
    time: str | None


def parse(path: Path) -> list[Grant]:
    found = rows(path, "SELECT service, client, auth_value >= 2, last_modified FROM access",
                 "SELECT service, client, allowed, last_modified FROM access",
                 "SELECT service, client, allowed, 0 FROM access")
    return [Grant(str(service), str(client), bool(allowed), from_unix(modified))
            for service, client, allowed, modified in found if isinstance(client, str)]
