"""Parsing ``pm`` output into androidqf-style package records. Pure: bytes in, records out.

``pm list packages -f -i -U -u --show-versioncode`` prints one package per line, e.g.
``package:/data/app/~~x==/org.demo-y==/base.apk=org.demo versionCode:3 installer=null uid:10201``;
Android 8–16 and vendor builds differ in which of the trailing fields they print. A package name is
device input: it may hold spaces, quotes or even a newline, so a record runs until the next line that
starts with ``package:``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TRAILER = re.compile(rb"\s+(versionCode:(?P<vc>-?\d+)|installer=(?P<inst>\S*)|uid:(?P<uid>[\d,]+))$")


@dataclass
class PmEntry:
    name: bytes
    apk_path: bytes | None = None
    version_code: int | None = None
    installer: bytes | None = None
    uid: int | None = None


@dataclass
class PackageRecord:
    name: bytes
    users: list[str] = field(default_factory=list)
    apk_paths: list[bytes] = field(default_factory=list)
    installer: bytes | None = None
    uid: int | None = None
    version_code: int | None = None
    system: bool = False
    third_party: bool = False
    disabled: bool = False
    installed_users: list[str] = field(default_factory=list)
    installed_known: bool = False

    @property
    def uninstalled(self) -> bool:
        """Removed with "keep data": ``pm list packages -u`` still names it, the plain list does not."""
        return self.installed_known and not self.installed_users


def split_records(output: bytes) -> list[bytes]:
    records: list[bytes] = []
    for line in output.split(b"\n"):
        line = line.rstrip(b"\r")
        if line.startswith(b"package:"):
            records.append(line[len(b"package:"):])
        elif records and line:
            records[-1] += b"\n" + line
    return records


def parse_pm_list(output: bytes, with_paths: bool = True) -> list[PmEntry]:
    entries = []
    for text in split_records(output):
        entry = PmEntry(name=b"")
        while match := _TRAILER.search(text):
            if match.group("vc") is not None:
                entry.version_code = int(match.group("vc"))
            elif match.group("inst") is not None:
                entry.installer = match.group("inst")
            elif match.group("uid") is not None:
                entry.uid = int(match.group("uid").split(b",")[0])
            text = text[: match.start()]
        if with_paths:
            cut = text.rfind(b".apk=")
            if cut >= 0:
                entry.apk_path, text = text[: cut + 4], text[cut + 5 :]
            elif text.startswith(b"/") and b"=" in text:
                path, _, text = text.rpartition(b"=")
                entry.apk_path = path
        entry.name = text
        if entry.name:
            entries.append(entry)
    return entries


def parse_pm_names(output: bytes) -> set[bytes]:
    return {e.name for e in parse_pm_list(output, with_paths=False)}


def parse_pm_path(output: bytes) -> list[bytes]:
    return [r for r in split_records(output) if r.startswith(b"/")]


def parse_pm_users(output: bytes) -> list[str]:
    """``pm list users`` → user ids (``UserInfo{0:Owner:c13} running``); owner only if unreadable."""
    users = re.findall(rb"UserInfo\{(\d+):", output)
    return [u.decode() for u in users] or ["0"]


def merge(
    user: str,
    all_entries: list[PmEntry],
    installed: set[bytes] | None,
    system: set[bytes] | None,
    third_party: set[bytes] | None,
    disabled: set[bytes] | None,
    records: dict[bytes, PackageRecord],
) -> None:
    """Fold one user's lists into the per-package records (a package may exist for several users)."""
    for entry in all_entries:
        record = records.setdefault(entry.name, PackageRecord(name=entry.name))
        if user not in record.users:
            record.users.append(user)
        if entry.apk_path and entry.apk_path not in record.apk_paths:
            record.apk_paths.append(entry.apk_path)
        record.installer = record.installer or entry.installer
        record.uid = record.uid if record.uid is not None else entry.uid
        record.version_code = record.version_code if record.version_code is not None else entry.version_code
        if system is not None:
            record.system = record.system or entry.name in system
        if third_party is not None:
            record.third_party = record.third_party or entry.name in third_party
        elif system is not None:
            record.third_party = not record.system
        if disabled is not None:
            record.disabled = record.disabled or entry.name in disabled
        if installed is not None:
            record.installed_known = True
            if entry.name in installed and user not in record.installed_users:
                record.installed_users.append(user)
