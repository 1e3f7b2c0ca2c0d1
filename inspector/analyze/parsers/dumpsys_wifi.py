"""``dumpsys wifi`` → saved networks, the configuration log, connection events, scan results and the
current connection.

Sources of the printed text: ``WifiConfigManager.dump`` (``WifiConfigManager - Log Begin ----`` …
``Configured networks Begin ----`` with one ``WifiConfiguration.toString()`` per network),
``WifiMetrics`` (``mConnectionEvents:``), the scan-result table and ``ClientModeImpl`` /
``WifiStateMachine`` (``mWifiInfo …``, link properties). frameworks/opt/net/wifi (Android 8–10),
packages/modules/Wifi (11+). Forms read:

- A saved network starts with ``ID: 3 SSID: "FH-CJ-AP" PROVIDER-NAME: …`` (prefixed ``* `` when
  current, ``- DSBLE `` when disabled) and runs to the next one or a blank line. Inside it:
  ``cuid=10262 cname=com.x luid=… lname=… lcuid=…`` (creator and last updater), creation and update
  times (``creation time=11-18 09:11:52.310`` — month-day only on Android 9–13 — or with a year),
  ``lastConnected: …`` (a date, or ``1234sec`` ago on Android ≤ 9), ``hasEverConnected: true``,
  ``KeyMgmt: WPA_PSK …``, a static IP configuration's ``Gateway 192.168.43.1``.
- Log lines ``11-18 09:11:52.310 - addOrUpdateNetwork uid=10262 …`` or ``2026-11-18T09:11:52.310 - …``
  (``LocalLog``): action, uid, package, network id and SSID where printed.
- ``startTime=11-18 09:11:58.503, SSID="FH-CJ-AP", BSSID=…, …`` connection events.
- Scan table rows ``  c8:3a:35:5e:71:b8  2437  -58  1.2  SSID  [ESS]``.
- ``mWifiInfo SSID: "x", BSSID: …, IP: /10.12.4.57, …`` and gateways printed anywhere as
  ``0.0.0.0/0 -> 10.12.4.1`` (routes), ``Gateway 10.12.4.1`` (DHCP results) or ``gateway 10.12.4.1``.

Times without a year take ``year`` or the year of ``now`` (the dump time); local times need ``tz``.
SSIDs are kept as printed (quoted for UTF-8 names, bare hex otherwise) in ``*.ssid_raw`` and
unquoted in ``ssid``.

Public API: :func:`parse_dumpsys_wifi` ``(data, tz=None, now=None, year=None) -> WifiDump`` with
``saved_networks`` (list[:class:`SavedNetwork`]), ``log`` (list[:class:`WifiLogEntry`]),
``connection_events`` (list[:class:`ConnectionEvent`]), ``scan_results`` (list[:class:`ScanResult`]),
``current`` (:class:`CurrentConnection` or None), ``gateways`` (list[str]) and ``warnings``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from inspector.analyze.parsers import ParseError
from inspector.analyze.parsers._common import (
    DUMPSYS_ERRORS,
    Input,
    Stamp,
    TimeContext,
    Warnings,
    bounded_lines,
    none_if_null,
    stamp_ago,
    stamp_local,
    time_context,
    to_int,
)

ARTIFACT = "dumpsys wifi"


def _unquote(ssid: str | None) -> str | None:
    if ssid is None:
        return None
    if len(ssid) >= 2 and ssid[0] == '"' and ssid[-1] == '"':
        return ssid[1:-1]
    return ssid


@dataclass
class SavedNetwork:
    network_id: int | None
    ssid_raw: str
    bssid: str | None = None
    status: str | None = None  # "current", "disabled" or None
    creator_uid: int | None = None
    creator_name: str | None = None  # a package or android.uid.system
    last_update_uid: int | None = None
    last_update_name: str | None = None
    last_connect_uid: int | None = None
    created: Stamp | None = None
    updated: Stamp | None = None
    last_connected: Stamp | None = None
    has_ever_connected: bool | None = None
    key_mgmt: list[str] = field(default_factory=list)
    gateway: str | None = None  # of a static IP configuration
    line: int = 0

    @property
    def ssid(self) -> str | None:
        return _unquote(self.ssid_raw)


@dataclass
class WifiLogEntry:
    time: Stamp
    message: str
    action: str | None
    uid: int | None
    package: str | None
    network_id: int | None
    ssid_raw: str | None
    line: int

    @property
    def ssid(self) -> str | None:
        return _unquote(self.ssid_raw)


@dataclass
class ConnectionEvent:
    time: Stamp
    ssid_raw: str | None
    bssid: str | None
    result: str | None
    fields: dict[str, str]
    line: int

    @property
    def ssid(self) -> str | None:
        return _unquote(self.ssid_raw)


@dataclass
class ScanResult:
    bssid: str
    frequency: int | None
    rssi: int | None
    age_seconds: str
    ssid: str
    flags: str
    line: int


@dataclass
class CurrentConnection:
    ssid_raw: str | None
    bssid: str | None
    ip: str | None
    network_id: int | None
    frequency: int | None
    line: int

    @property
    def ssid(self) -> str | None:
        return _unquote(self.ssid_raw)


@dataclass
class WifiDump:
    saved_networks: list[SavedNetwork] = field(default_factory=list)
    log: list[WifiLogEntry] = field(default_factory=list)
    connection_events: list[ConnectionEvent] = field(default_factory=list)
    scan_results: list[ScanResult] = field(default_factory=list)
    current: CurrentConnection | None = None
    gateways: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_NETWORK = re.compile(r"^(?P<status>\* |- DSBLE )?ID: (?P<id>-?\d+) SSID: (?P<ssid>.*?) PROVIDER-NAME: (?P<rest>.*)$")
_BSSID_FIELD = re.compile(r"\bBSSID: (?P<b>\S+)")
_PAIR = re.compile(r"\b(?P<k>cuid|cname|luid|lname|lcuid)=(?P<v>\S+)")
_DATE_TEXT = (r"(?:\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
              r"|\d{1,2}-\d{1,2} \d{1,2}:\d{2}:\d{2}(?:\.\d+)?)")
_CREATED = re.compile(r"creation(?:_time=| time=|time=| )\s*(?:time=)?(?P<t>" + _DATE_TEXT + ")")
_UPDATED = re.compile(r"update(?:_time=| time=|time=| )\s*(?:time=)?(?P<t>" + _DATE_TEXT + ")")
_LAST_CONNECTED = re.compile(r"lastConnected: (?:(?P<t>" + _DATE_TEXT + r")|(?P<sec>\d+)sec)")
_LOG = re.compile(r"^(?P<t>" + _DATE_TEXT + r") - (?P<msg>.*)$")
_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_GATEWAYS = (re.compile(r"0\.0\.0\.0/0 -> (?P<g>" + _IPV4 + ")"), re.compile(r"\bGateway:? /?(?P<g>" + _IPV4 + ")"),
             re.compile(r"\bgateway[ =:]+/?(?P<g>" + _IPV4 + ")"))
_SCAN = re.compile(r"^(?P<bssid>[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})\s+(?P<freq>-?\d+)\s+(?P<rssi>-?\d+)\s+"
                   r"(?P<age>[\d.]+)\s?(?P<rest>.*)$")
_EVENT_PAIR = re.compile(r'(?P<k>\w+)=(?P<v>"[^"]*"|[^,]*)')


def parse_dumpsys_wifi(data: Input, tz: str | None = None, now: datetime | str | float | None = None,
                       year: int | None = None) -> WifiDump:
    """Parse the output of ``dumpsys wifi`` (see the module docstring)."""
    warnings = Warnings()
    ctx = time_context(tz, now, year, warnings)
    result = WifiDump()
    network: SavedNetwork | None = None
    in_log = in_events = in_scan = False
    recognised = saw_text = False
    unavailable: str | None = None
    for number, line in enumerate(bounded_lines(data, warnings), 1):
        text = line.strip()
        if not text:
            network = None
            in_scan = in_events = False
            continue
        saw_text = True
        if text.startswith(DUMPSYS_ERRORS):
            unavailable = unavailable or text
            continue
        if "WifiConfigManager - " in text:
            recognised = True
            in_log = text.endswith("Log Begin ----")
            network = None
            continue
        if text.startswith(("Wi-Fi is ", "mWifiInfo", "Dump of WifiConfigManager", "WifiClientModeImpl",
                            "mLastNetworkId", "Verbose logging")):
            recognised = True
        for pattern in _GATEWAYS:
            for m in pattern.finditer(text):
                if m.group("g") not in result.gateways:
                    result.gateways.append(m.group("g"))
        if in_log:
            if m := _LOG.match(text):
                result.log.append(_log_entry(m.group("t"), m.group("msg"), number, ctx))
            continue
        if m := _NETWORK.match(text):
            recognised = True
            status = {"* ": "current", "- DSBLE ": "disabled"}.get(m.group("status") or "")
            bssid = _BSSID_FIELD.search(m.group("rest"))
            network = SavedNetwork(network_id=to_int(m.group("id")), ssid_raw=m.group("ssid"), status=status,
                                   bssid=none_if_null(bssid.group("b")) if bssid else None, line=number)
            if "Currently Connected: true" in text:
                network.status = "current"
            result.saved_networks.append(network)
            continue
        if network is not None:
            _network_line(network, text, ctx)
            continue
        if text.startswith("mConnectionEvents"):
            in_events, recognised = True, True
            continue
        if in_events or text.startswith("startTime="):
            if text.startswith("startTime="):
                pairs = {m.group("k"): m.group("v").strip() for m in _EVENT_PAIR.finditer(text)}
                start = pairs.get("startTime", "")
                result.connection_events.append(ConnectionEvent(
                    time=stamp_local(start, ctx), ssid_raw=pairs.get("SSID"), bssid=none_if_null(pairs.get("BSSID")),
                    result=pairs.get("result") or pairs.get("connectionResult"), fields=pairs, line=number))
            continue
        if text.startswith("Latest scan results"):
            in_scan, recognised = True, True
            continue
        if in_scan:
            if m := _SCAN.match(text):
                rest = m.group("rest").rstrip()
                flags_at = rest.find("[")
                ssid, flags = (rest[:flags_at], rest[flags_at:]) if flags_at >= 0 else (rest, "")
                result.scan_results.append(ScanResult(bssid=m.group("bssid"), frequency=to_int(m.group("freq")),
                                                      rssi=to_int(m.group("rssi")), age_seconds=m.group("age"),
                                                      ssid=ssid.strip(), flags=flags.strip(), line=number))
            continue
        if text.startswith("mWifiInfo "):
            result.current = _current(text[len("mWifiInfo "):], number)
    if not saw_text:
        warnings.add("empty input")
    elif not recognised and unavailable:
        warnings.add(f"service unavailable: {unavailable[:200]}")
    elif not recognised:
        raise ParseError(ARTIFACT, "no Wi-Fi configuration, log or state found")
    result.warnings = warnings.as_list()
    return result


def _network_line(network: SavedNetwork, text: str, ctx: TimeContext) -> None:
    for m in _PAIR.finditer(text):
        key, value = m.group("k"), m.group("v")
        if key == "cuid":
            network.creator_uid = to_int(value)
        elif key == "cname":
            network.creator_name = none_if_null(value)
        elif key == "luid":
            network.last_update_uid = to_int(value)
        elif key == "lname":
            network.last_update_name = none_if_null(value)
        elif key == "lcuid":
            network.last_connect_uid = to_int(value)
    if (m := _CREATED.search(text)) and network.created is None:
        network.created = stamp_local(m.group("t"), ctx)
    if (m := _UPDATED.search(text)) and network.updated is None:
        network.updated = stamp_local(m.group("t"), ctx)
    if m := _LAST_CONNECTED.search(text):
        if m.group("t"):
            network.last_connected = stamp_local(m.group("t"), ctx)
        else:
            network.last_connected = stamp_ago(m.group("sec") + "sec", int(m.group("sec")) * 1000, ctx)
    if text.startswith("hasEverConnected:"):
        network.has_ever_connected = text.split(":", 1)[1].strip() == "true"
    if text.startswith("KeyMgmt:"):
        network.key_mgmt = text[len("KeyMgmt:"):].split("Protocols:")[0].split()
    if m := re.search(r"\bGateway:? /?(" + _IPV4 + ")", text):
        network.gateway = m.group(1)
    if "Currently Connected: true" in text:
        network.status = "current"


def _log_entry(raw_time: str, message: str, number: int, ctx: TimeContext) -> WifiLogEntry:
    action = re.match(r"[A-Za-z_]\w*", message)
    uid = re.search(r"\buid[= ](\d+)", message)
    package = re.search(r"\b(?:name|creatorName|packageName)=([\w.]+)", message)
    if package is None:
        package = re.search(r"removeNetworksForApp:? ([\w.]+)", message)
    network_id = re.search(r"\b(?:networkId|netId)=(-?\d+)", message)
    ssid = re.search(r'\bSSID=("[^"]*"|\S+)', message) or re.search(r'\bconfigKey=("[^"]*")', message)
    return WifiLogEntry(time=stamp_local(raw_time, ctx), message=message, action=action.group(0) if action else None,
                        uid=int(uid.group(1)) if uid else None, package=package.group(1) if package else None,
                        network_id=int(network_id.group(1)) if network_id else None,
                        ssid_raw=ssid.group(1) if ssid else None, line=number)


def _current(text: str, number: int) -> CurrentConnection:
    ssid = re.search(r'SSID: ("[^"]*"|[^,]*)', text)
    bssid = re.search(r"BSSID: ([^,\s]+)", text)
    ip = re.search(r"\bIP: /?([^,\s]+)", text)
    network_id = re.search(r"Net ID: (-?\d+)", text)
    frequency = re.search(r"Frequency: (\d+)", text)
    return CurrentConnection(ssid_raw=ssid.group(1).strip() if ssid else None,
                             bssid=none_if_null(bssid.group(1)) if bssid else None,
                             ip=none_if_null(ip.group(1)) if ip else None,
                             network_id=int(network_id.group(1)) if network_id else None,
                             frequency=int(frequency.group(1)) if frequency else None, line=number)
