"""From recorded events to behaviour findings: what the app did, in words a person can read
("read your text messages (432 rows)", "went through the files on your memory card", "ran a
program: wifiscan", "connected to 192.168.43.1:8080", "removed a saved Wi-Fi network").

Findings are data (family ``behaviour``, rule ids ``lab.*``); their sentences are the
``finding.lab.*`` keys of reports/messages/en.yaml. Every finding points to the lines of
events.jsonl it was made from. Events the app could not complete (a file that was not there, a
refused connection) count as attempts only where the attempt itself tells something (a connection);
a failed open does not count as reading a file.
"""

from __future__ import annotations

import ipaddress
import posixpath
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from inspector.analyze.findings import Evidence, Finding
from inspector.lab.events import RecordedEvent, read_events

FAMILY = "behaviour"
EVENTS = "events.jsonl"

# Content provider authorities (content://AUTHORITY/…) of the data a border or stalker tool takes.
PROVIDERS: dict[str, str] = {
    "sms": "sms", "mms": "sms", "mms-sms": "sms",
    "com.android.contacts": "contacts", "contacts": "contacts",
    "call_log": "call_log", "call_log_shadow": "call_log",
    "com.android.calendar": "calendar", "calendar": "calendar",
    "icc": "sim",
}
# content://telephony/siminfo is the SIM card's own record (number, carrier, ICCID).
SIM_PATHS = ("telephony", "/siminfo")

# Shared storage ("the memory card"), under every name Android gives it.
SHARED_STORAGE = ("/sdcard", "/storage/", "/mnt/sdcard", "/mnt/user/", "/mnt/media_rw/", "/data/media/")
APP_DATA = ("/data/data/", "/data/user/", "/data/user_de/")
# Going through the files: this many different folders listed, or files opened, on shared storage.
SCAN_FOLDERS = 10
SCAN_FILES = 100
EVIDENCE_LINES = 20
EXCERPT_CHARS = 600


@dataclass
class _Group:
    lines: list[RecordedEvent] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def add(self, event: RecordedEvent) -> None:
        self.lines.append(event)


def _authority(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return (parts.netloc or "").lower(), parts.path or ""


def provider_of(uri: str) -> str | None:
    authority, path = _authority(uri)
    if authority == SIM_PATHS[0] and path.startswith(SIM_PATHS[1]):
        return "sim"
    return PROVIDERS.get(authority)


def under(path: str, prefixes: Iterable[str]) -> bool:
    normal = posixpath.normpath(path) if path else path
    return any(normal == p.rstrip("/") or normal.startswith(p if p.endswith("/") else p + "/") for p in prefixes)


def _app_of_data_path(path: str) -> str | None:
    """The package whose private data ``path`` is in (/data/data/PKG/…, /data/user/N/PKG/…)."""
    parts = posixpath.normpath(path).split("/")
    if len(parts) > 3 and parts[1] == "data" and parts[2] == "data":
        return parts[3]
    if len(parts) > 4 and parts[1] == "data" and parts[2] in ("user", "user_de"):
        return parts[4]
    return None


def _ok(event: dict[str, Any]) -> bool:
    ret = event.get("ret")
    return not isinstance(ret, int) or ret >= 0


def _endpoint(event: dict[str, Any]) -> str | None:
    addr, port = event.get("addr"), event.get("port")
    if not isinstance(addr, str) or not isinstance(port, int):
        return None
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def _is_loopback(addr: str) -> bool:
    try:
        return ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def _program_name(event: dict[str, Any]) -> str:
    path = event.get("path") or ""
    argv = event.get("argv") if isinstance(event.get("argv"), list) else []
    if event.get("via") in ("Runtime.exec", "ProcessBuilder.start") and argv:
        path = str(argv[0])
    # "sh -c wifiscan …" runs wifiscan: name the program the shell was asked to run.
    if posixpath.basename(str(path)) in ("sh", "bash", "toybox", "busybox") and len(argv) > 2 and argv[1] == "-c":
        return posixpath.basename(str(argv[2]).split()[0]) if str(argv[2]).split() else str(path)
    return posixpath.basename(str(path)) or str(path)


def _listing(values: Iterable[Any], limit: int = 3) -> str:
    """What a finding is about, for its "Found on the phone as" line: the first few distinct values."""
    distinct = list(dict.fromkeys(str(v) for v in values if v not in (None, "")))
    return ", ".join(distinct[:limit]) + (" …" if len(distinct) > limit else "")


def _common_folder(paths: Iterable[str]) -> str:
    try:
        return posixpath.commonpath([posixpath.normpath(p) for p in paths]) or "/"
    except ValueError:
        return "/"


def _evidence(group: list[RecordedEvent], sha256: str | None) -> tuple[Evidence, ...]:
    numbers = [e.line for e in group]
    shown = ", ".join(str(n) for n in numbers[:EVIDENCE_LINES])
    more = f" (+{len(numbers) - EVIDENCE_LINES} more)" if len(numbers) > EVIDENCE_LINES else ""
    excerpt = "\n".join(e.text[:EXCERPT_CHARS] for e in group[:3])
    return (Evidence(artifact=EVENTS, excerpt=excerpt, sha256=sha256,
                     locator=f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"),)


def _finding(kind: str, subject: str, severity: str, group: list[RecordedEvent], sha256: str | None,
             params: dict[str, Any], title: str | None = None) -> Finding:
    key = title or kind
    return Finding(rule_id=f"lab.{kind}", family=FAMILY, severity=severity, confidence="high",
                   title=f"finding.lab.{key}.title", explanation=f"finding.lab.{key}.explanation",
                   subject=subject, evidence=_evidence(group, sha256),
                   params={**params, "events": len(group), "first_line": group[0].line})


def behaviour_findings(events: Iterable[RecordedEvent], *, own_package: str | None = None,
                       sha256: str | None = None) -> list[Finding]:
    """The behaviour findings of a recorded trace, most serious first."""
    reads: dict[str, _Group] = defaultdict(_Group)
    writes: dict[str, _Group] = defaultdict(_Group)
    simple: dict[str, _Group] = defaultdict(_Group)
    programs: dict[str, _Group] = defaultdict(_Group)
    endpoints: dict[str, _Group] = defaultdict(_Group)
    web: dict[str, _Group] = defaultdict(_Group)
    other_apps: dict[str, _Group] = defaultdict(_Group)
    storage = _Group(values={"folders": set(), "files": set()})
    deleted = _Group(values={"files": set()})

    for item in events:
        event, kind = item.event, item.event.get("k")
        if kind in ("provider_query", "provider_insert"):
            provider = provider_of(str(event.get("uri") or ""))
            if provider is None:
                continue
            group = reads[provider] if kind == "provider_query" else writes[provider]
            group.add(item)
            rows = event.get("rows")
            if isinstance(rows, int) and rows > 0:
                group.values["rows"] = group.values.get("rows", 0) + rows
            for column in event.get("projection") or event.get("columns") or []:
                group.values.setdefault("columns", {})[str(column)] = None
        elif kind in ("app_list", "device_id", "location", "camera", "microphone"):
            simple[kind].add(item)
            if kind == "app_list" and isinstance(event.get("count"), int):
                simple[kind].values["apps"] = max(simple[kind].values.get("apps", 0), event["count"])
            if kind == "device_id":
                simple[kind].values.setdefault("methods", {})[str(event.get("method"))] = None
        elif kind == "wifi_remove":
            simple[kind].add(item)
        elif kind == "exec":
            programs[_program_name(event)].add(item)
        elif kind == "connect" and event.get("family") in (2, 10, 30):
            endpoint = _endpoint(event)
            if endpoint:
                endpoints[endpoint].add(item)
                endpoints[endpoint].values["loopback"] = _is_loopback(str(event.get("addr")))
        elif kind == "http":
            host = urlsplit(str(event.get("url") or "")).hostname or str(event.get("url") or "?")
            web[host].add(item)
            web[host].values.setdefault("requests", {})[f"{event.get('method') or '?'} {event.get('url')}"] = None
        elif kind in ("open", "opendir") and isinstance(event.get("path"), str) and _ok(event):
            path = event["path"]
            if under(path, SHARED_STORAGE):
                storage.add(item)
                is_dir = kind == "opendir" or event.get("dir") is True
                storage.values["folders" if is_dir else "files"].add(path)
            elif under(path, APP_DATA):
                app = _app_of_data_path(path)
                if app and app != own_package:
                    other_apps[app].add(item)
        elif kind in ("unlink", "rmdir") and isinstance(event.get("path"), str) and _ok(event):
            deleted.add(item)
            deleted.values["files"].add(event["path"])

    found: list[Finding] = []
    for provider, group in reads.items():
        uris = _listing(e.event.get("uri") for e in group.lines)
        found.append(_finding(f"read_{provider}", uris, "high", group.lines, sha256,
                              {"rows": group.values.get("rows", 0), "queries": len(group.lines),
                               "columns": ", ".join(group.values.get("columns", {})) or "—",
                               "uri": str(group.lines[0].event.get("uri"))}))
    for provider, group in writes.items():
        uris = _listing(e.event.get("uri") for e in group.lines)
        found.append(_finding(f"write_{provider}", uris, "high", group.lines, sha256,
                              {"inserts": len(group.lines), "uri": str(group.lines[0].event.get("uri"))}))
    if storage.lines:
        folders, files = len(storage.values["folders"]), len(storage.values["files"])
        scan = folders >= SCAN_FOLDERS or files >= SCAN_FILES
        where = _common_folder(storage.values["folders"] | storage.values["files"])
        found.append(_finding("storage_scan" if scan else "storage_read", where,
                              "high" if scan else "low", storage.lines, sha256,
                              {"folders": folders, "files": files}))
    for app, group in other_apps.items():
        found.append(_finding("other_app_data", app, "high", group.lines, sha256,
                              {"app": app, "files": len({e.event.get("path") for e in group.lines})}))
    severities = {"camera": "high", "microphone": "high", "device_id": "medium", "location": "medium",
                  "app_list": "medium", "wifi_remove": "medium"}
    for kind, group in simple.items():
        params: dict[str, Any] = {"times": len(group.lines)}
        if kind == "app_list":
            params["apps"] = group.values.get("apps", 0)
        if kind == "device_id":
            params["methods"] = ", ".join(group.values.get("methods", {}))
        methods = _listing((e.event.get("method") for e in group.lines), limit=4)
        found.append(_finding(kind, methods or kind, severities[kind], group.lines, sha256, params))
    for name, group in programs.items():
        argv = group.lines[0].event.get("argv")
        found.append(_finding("exec", name, "medium", group.lines, sha256,
                              {"program": name, "times": len(group.lines),
                               "command": " ".join(str(a) for a in argv) if isinstance(argv, list) else name}))
    for endpoint, group in endpoints.items():
        failed = all(not _ok(e.event) and e.event.get("errno") != 115 for e in group.lines)  # 115: EINPROGRESS
        found.append(_finding("connect", endpoint, "low" if group.values.get("loopback") else "medium",
                              group.lines, sha256, {"endpoint": endpoint, "times": len(group.lines)},
                              title="connect_failed" if failed else "connect"))
    for host, group in web.items():
        requests = list(group.values.get("requests", {}))
        found.append(_finding("http", host, "medium", group.lines, sha256,
                              {"host": host, "times": len(group.lines), "first_request": requests[0],
                               "requests": requests[:20]}))
    if deleted.lines:
        found.append(_finding("delete", _listing(sorted(deleted.values["files"])), "medium", deleted.lines, sha256,
                              {"files": len(deleted.values["files"])}))
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    found.sort(key=lambda f: (order[f.severity], f.params.get("first_line", 0)))
    return found


def findings_from_file(path: Path, *, own_package: str | None = None, sha256: str | None = None) -> list[Finding]:
    return behaviour_findings(read_events(path), own_package=own_package, sha256=sha256)
