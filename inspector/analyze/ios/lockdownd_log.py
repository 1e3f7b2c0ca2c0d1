"""lockdownd's own log in a sysdiagnose (``logs/MobileLockdown/lockdownd.log``).

lockdownd is the daemon every computer talks to over USB (or Wi-Fi sync): pairing, sessions, reading
the phone's identity, starting services. Each entry is ``MM/DD/YY hh:mm:ss.ffffff pid=N function:
message`` in the phone's local time, without a zone (local_clock.py gives the offset); a message may
go on over further lines (an XPC reply dictionary), which belong to the entry above. pid is lockdownd's
own (every entry of a file has the same, including libMobileGestalt's ``mglog:`` lines run inside it).

What a computer did shows in the messages, with the *label* the host tool sent in its request
(``AMPDevicesAgent``: Finder/Music on a Mac; ``pymobiledevice3``, ``idevicebackup2``…; a label is the
tool's own claim, a clue rather than proof):

    handle_pair: Preparing to pair for usbmuxd .            pairing (and Pair … succeeded / failed)
    handle_get_value: AMPDevicesAgent attempting to get [SerialNumber]      a host read a value
    handle_start_service: AMPDevicesAgent attempting to spawn com.apple.mobile.installation_proxy service.
    handle_start_service_with_socket: pymobiledevice3 attempting to spawn com.apple.mobilebackup2 service.
    spawn_xpc_service: service com.apple.mobile.installation_proxy started

Those become the same ``Activity`` records the unified-log readers give (kind backup / afc /
file_relay by the service started, else pairing: a computer in a session with the phone).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from inspector.analyze.ios.line_log import LineCounts, entries

from inspector.analyze.ios.unified_log import ACTIVITIES, Activity


_ENTRY = re.compile(r"^(\d{2})/(\d{2})/(\d{2}) (\d{2}):(\d{2}):(\d{2})[.,](\d{6}) pid=(\d{1,10}) (.*)$", re.S)
_START_SERVICE = re.compile(r"^handle_start_service\w*: (?P<label>.{1,200}?) attempting to spawn "
                            r"(?P<service>[\w.\-]{1,200}) service")
_SERVICE_STARTED = re.compile(r"^spawn_xpc_service: service (?P<service>[\w.\-]{1,200}) started")
_HOST_REQUEST = re.compile(r"^handle_\w+: (?P<label>.{1,200}?) attempting to ")
_PAIRING = re.compile(r"^(?:handle_(?:pair|validate_pair|unpair|start_session|stop_session)\w*|"
                      r"ask_user_to_trust\w*|mc_allow_pairing\w*|store_escrow_record\w*):")
_PAIR_FOR = re.compile(r"\bpair for (?P<label>\S{1,200})", re.I)


@dataclass(frozen=True)
class Entry:
    line: int  # where the entry starts (1-based)
    local_time: datetime | None  # the phone's local time; None when the stamp is not a real date
    pid: int
    message: str  # continuation lines joined with spaces, as plaso joins them


@dataclass
class LockdowndLog(LineCounts):
    KIND = "lockdownd"

    entries: list[Entry] = field(default_factory=list)


def parse(text: str) -> LockdowndLog:
    log = LockdowndLog()
    for number, match, message in entries(text, _ENTRY, lambda m: m.group(9).strip(), log):
        month, day, year, hours, minutes, seconds, micro, pid = (int(v) for v in match.group(*range(1, 9)))
        try:
            local: datetime | None = datetime(2000 + year, month, day, hours, minutes, seconds, micro)
        except ValueError:
            local, log.bad_times = None, log.bad_times + 1
        log.add(Entry(number, local, pid, message))
    return log


def service_kind(service: str) -> str | None:
    """backup / afc / file_relay for the services an extraction uses, else None."""
    for kind, _, words in ACTIVITIES:
        if kind != "pairing" and any(service == w or service.startswith(w) for w in words):
            return kind
    return None


def classify(message: str) -> tuple[str, str] | None:
    """(activity kind, who: the host tool's label, or lockdownd) of one entry's message, or None."""
    started = _START_SERVICE.match(message)
    if started:
        return service_kind(started["service"]) or "pairing", started["label"].strip()
    started = _SERVICE_STARTED.match(message)
    if started:
        kind = service_kind(started["service"])  # other services: their request line already counts
        return (kind, "lockdownd") if kind else None
    if _PAIRING.match(message):
        label = _PAIR_FOR.search(message)
        return "pairing", label["label"] if label else "lockdownd"
    request = _HOST_REQUEST.match(message)
    if request:
        return "pairing", request["label"].strip()
    return None


def activities(log: LockdowndLog, to_utc: Callable[[datetime | None], str | None]) -> list[Activity]:
    """The entries that show a computer at work, as Activity records (time in UTC through ``to_utc``;
    process: the host tool's label, or lockdownd for its own lines)."""
    out = []
    for entry in log.entries:
        found = classify(entry.message)
        if found:
            kind, who = found
            text = entry.message if entry.local_time is None else (
                f"{entry.local_time:%m/%d/%y %H:%M:%S.%f} pid={entry.pid} {entry.message}")
            out.append(Activity(kind, who, to_utc(entry.local_time), entry.line, text[:500]))
    return out
