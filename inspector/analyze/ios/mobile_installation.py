"""MobileInstallation's log in a sysdiagnose (``logs/MobileInstallation/mobile_installation.log.N``).

installd writes every install, update and removal it performs, in the phone's local time without a
zone (local_clock.py gives the offset):

    Wed Aug 11 05:51:02 2021 [176] <notice> (0x16bae7000) -[MIContainer makeContainerLive…:]: Made
        container live for com.apple.CoreCDPUI.localSecretPrompt at /private/var/mobile/Containers/…

A message may go on over further lines (a property list), which belong to the entry above. The
events kept, by their message (the forms of iOS 14–18 sysdiagnoses; iLEAPP's mobileInstall parser
reads the same ones):

- ``Installing <MIInstallableBundle ID=org.example; Version=703, ShortVersion=7.53>``: an install starts
  (its version is kept for the install that follows);
- ``Install Successful for (Placeholder:org.example); …`` / ``(Customer:…)``: an app installed
  (a *placeholder* is the App Store's entry before the download; *Customer* the app itself);
- ``Uninstalling identifier org.example``: an app removed;
- ``Made container live for ID at PATH`` / ``Destroying container ID with persona … at PATH``: a
  container made or removed (also for Apple's own plug-ins on every iOS update; kept, not a finding).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from inspector.analyze.ios.line_log import LineCounts, entries


_ENTRY = re.compile(r"^(?:[A-Z][a-z]{2}) (?P<month>[A-Z][a-z]{2}) {1,2}(?P<day>\d{1,2}) "
                    r"(?P<hms>\d{2}:\d{2}:\d{2}) (?P<year>\d{4}) \[(?P<pid>\d{1,10})\] <(?P<level>\w{1,20})> "
                    r"\((?P<thread>0x[0-9a-fA-F]{1,16})\) (?P<rest>.*)$", re.S)
_CALL = re.compile(r"^(?P<call>[-+]\[[^\]]{1,500}\](?:_block_invoke\w*)?|[\w.$]{1,300}): (?P<message>.*)$", re.S)
_INSTALLING = re.compile(r"^Installing <MIInstallableBundle ID=(?P<id>[^;>\s]{1,300}); "
                         r"Version=(?P<version>[^,>]{0,100}), ShortVersion=(?P<short>[^>]{0,100})>")
_INSTALLED = re.compile(r"^Install Successful for \((?P<how>\w{1,40}):(?P<id>[^)\s]{1,300})\)")
_UNINSTALLING = re.compile(r"^Uninstalling identifier (?P<id>\S{1,300})")
_LIVE = re.compile(r"^Made container live for (?P<id>\S{1,300}) at (?P<path>\S{1,1000})")
_DESTROYING = re.compile(r"^Destroying container (?:with identifier )?(?P<id>\S{1,300}) .*?\bat (?P<path>\S{1,1000})")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                      "Nov", "Dec"), 1)}


@dataclass(frozen=True)
class Entry:
    line: int
    local_time: datetime | None  # None when the stamp is not a real date
    pid: int
    level: str  # notice, err, debug…
    call: str  # the function that wrote it (plaso's originating_call)
    message: str


@dataclass(frozen=True)
class AppEvent:
    action: str  # installed | uninstalled | container_created | container_destroyed
    bundle_id: str
    local_time: datetime | None
    line: int
    text: str
    how: str | None = None  # installed: Placeholder / Customer / System…
    version: str | None = None  # installed: "7.53 (703)" when the Installing line before gave it
    path: str | None = None  # containers: where


@dataclass
class InstallationLog(LineCounts):
    KIND = "MobileInstallation"

    entries: list[Entry] = field(default_factory=list)


def _local(match: re.Match[str]) -> datetime | None:
    month = _MONTHS.get(match["month"])
    hours, minutes, seconds = (int(v) for v in match["hms"].split(":"))
    try:
        return datetime(int(match["year"]), month or 0, int(match["day"]), hours, minutes, seconds)
    except ValueError:
        return None


def _message(match: re.Match[str]) -> str:
    call = _CALL.match(match["rest"])
    return call["message"].strip() if call else match["rest"].strip()


def parse(text: str) -> InstallationLog:
    log = InstallationLog()
    for number, match, message in entries(text, _ENTRY, _message, log):
        local = _local(match)
        if local is None:
            log.bad_times += 1
        call = _CALL.match(match["rest"])
        log.add(Entry(number, local, int(match["pid"]), match["level"], call["call"] if call else "", message))
    return log


def app_events(log: InstallationLog) -> list[AppEvent]:
    out: list[AppEvent] = []
    versions: dict[str, str] = {}
    for entry in log.entries:
        message = entry.message
        text = message[:500]
        if m := _INSTALLING.match(message):
            version, short = m["version"].strip(), m["short"].strip()
            if short not in ("", "(null)"):
                versions[m["id"]] = short + (f" ({version})" if version not in ("", "(null)") else "")
        elif m := _INSTALLED.match(message):
            out.append(AppEvent("installed", m["id"], entry.local_time, entry.line, text, how=m["how"],
                                version=versions.pop(m["id"], None) if m["how"] != "Placeholder" else None))
        elif m := _UNINSTALLING.match(message):
            out.append(AppEvent("uninstalled", m["id"], entry.local_time, entry.line, text))
        elif m := _LIVE.match(message):
            out.append(AppEvent("container_created", m["id"], entry.local_time, entry.line, text, path=m["path"]))
        elif m := _DESTROYING.match(message):
            out.append(AppEvent("container_destroyed", m["id"], entry.local_time, entry.line, text, path=m["path"]))
    return out
