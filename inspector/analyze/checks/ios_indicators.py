"""Indicators (MVT's STIX2 bundles and the rest of signatures/iocs) matched against what an iPhone
records: app ids of installed apps, process names, paths and bundle ids in crash logs and in the
process list of a sysdiagnose (ps.txt), links in SMS and
iMessage (sms.db), Safari history, privacy permissions (TCC.db) and the processes that used the
network (DataUsage.sqlite).

How sure each match is depends on where it was seen: a process of a spyware family that ran (crash
log, network use, a permission) is strong; a link in a message is an infection attempt, not proof of
infection; a visit to a site in Safari history alone says little (an ad, a redirect) and is only a
"needs review".
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from inspector.analyze.checks import ios_apps
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.ios_findings import artifact_evidence, backup_evidence, ios_finding
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.iocs import Indicator
from inspector.analyze.iocs import slug as _slug
from inspector.analyze.ios import data_usage, messages, safari_history, tcc
from inspector.analyze.ios._sqlite import DatabaseUnusable
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.signatures import SignaturePack
from inspector.sources.ios.backup import BackupError

NAME = "ios_indicators"
SMS_DB = ("HomeDomain", "Library/SMS/sms.db")
SAFARI = ("HomeDomain", "Library/Safari/History.db")
SAFARI_PROFILES = "Library/Safari/Profiles/%/History.db"
TCC_DB = ("HomeDomain", "Library/TCC/TCC.db")
DATA_USAGE = ("WirelessDomain", "Library/Databases/DataUsage.sqlite")
# (severity, confidence) by where the indicator was seen
STRENGTH = {"app": ("critical", "high"), "crash_log": ("critical", "high"), "data_usage": ("critical", "high"),
            "tcc": ("critical", "high"), "process_list": ("critical", "high"), "sms_link": ("high", "medium"),
            "safari_visit": ("medium", "low")}


def host_of(url: str) -> str:
    try:
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    except ValueError:
        return ""
    return host.casefold().rstrip(".")


def domain_hits(pack: SignaturePack, host: str) -> list[Indicator]:
    parts = host.split(".")
    return [i for n in range(len(parts) - 1) for i in pack.indicators.lookup("domain", ".".join(parts[n:]))]


class _Findings:
    def __init__(self) -> None:
        self.found: dict[tuple[str, str, str], Finding] = {}
        self.counts: dict[tuple[str, str, str], int] = {}

    def add(self, where: str, subject: str, indicator: Indicator, evidence: Evidence, time: str | None) -> None:
        key = (where, subject, indicator.campaign)
        self.counts[key] = self.counts.get(key, 0) + 1
        if key in self.found:
            return
        severity, confidence = STRENGTH[where]
        self.found[key] = ios_finding(f"ioc.{where}", subject, severity, confidence, [evidence], time,
                                      family=f"ioc.{_slug(indicator.campaign)}", family_name=indicator.campaign,
                                      threat=indicator.threat, indicator=indicator.value, source=indicator.source)

    def findings(self) -> list[Finding]:
        from dataclasses import replace

        return [replace(f, params={**f.params, "mentions": self.counts[k]}) for k, f in self.found.items()]


def _names(pack: SignaturePack, process: str = "", bundle: str = "", path: str = "") -> list[Indicator]:
    hits: list[Indicator] = []
    if process:
        hits += pack.indicators.lookup("process", process) + pack.indicators.lookup("app_id", process)
    if bundle and bundle != process:
        hits += pack.indicators.lookup("app_id", bundle) + pack.indicators.lookup("process", bundle)
    if path:
        hits += pack.indicators.lookup("file_path", path)
        tail = path.rstrip("/").rsplit("/", 1)[-1]
        if tail and tail not in (process, bundle):
            hits += pack.indicators.lookup("process", tail)
    return hits


def _database(ev: IOSEvidence, where: tuple[str, str], parse, read: list[str], problems: list[str]) -> Iterable:
    got = ev.backup_file(*where)
    if got is None:
        return []
    try:
        records = parse(got[1])
    except DatabaseUnusable as exc:
        problems.append(f"{where[1]}: {exc}")
        return []
    name = where[1].rsplit("/", 1)[-1]
    if name not in read:
        read.append(name)
    return records


def run(ev: IOSEvidence, pack: SignaturePack) -> CheckOutcome:
    out = _Findings()
    read: list[str] = []
    problems: list[str] = []
    notes_before = len(ev.file_notes)

    apps, artifact, _ = ios_apps.records(ev)
    if artifact:
        read.append("apps")
        for app in apps:
            for indicator in _names(pack, bundle=app.bundle_id):
                out.add("app", app.bundle_id, indicator, artifact_evidence(ev, artifact, app.bundle_id, app.locator),
                        None)

    crashes = [(name, name, r) for name, r in ev.crash_log_artifacts()]
    content = ev.sysdiagnose
    if content is not None:
        crashes += [("sysdiagnose.tar.gz", member, r) for member, r in content.crashes]
    if crashes or any(n.startswith("crash_logs/") for n in ev.acq.manifest.get("artifacts", {})):
        read.append("crash logs")
    for artifact_name, locator, record in crashes:
        for indicator in _names(pack, record.process, record.bundle, record.path):
            excerpt = f"process={record.process} bundle={record.bundle} path={record.path}"
            out.add("crash_log", record.process or record.path, indicator,
                    artifact_evidence(ev, artifact_name, excerpt, locator), record.time)

    if content is not None and content.processes:
        read.append("process list")
        for member, process in content.processes:
            for indicator in _names(pack, process.name, path=process.path):
                out.add("process_list", process.path, indicator,
                        artifact_evidence(ev, "sysdiagnose.tar.gz", f"pid {process.pid} {process.path}",
                                          f"{member} line {process.line}"), None)

    if ev.backup is not None:
        for link in _database(ev, SMS_DB, messages.parse, read, problems):
            for indicator in domain_hits(pack, host_of(link.url)):
                out.add("sms_link", link.url, indicator,
                        backup_evidence(ev, *SMS_DB, f"{link.sender}: {link.url}", f"message {link.row}"), link.time)
        # Safari's own history, then each Safari profile's (iOS 17+: Library/Safari/Profiles/<id>/History.db)
        profiles: list[tuple[str, str]] = []
        try:
            backup = ev.backup
            profiles = [(r.domain, r.relative_path) for r in backup.files(SAFARI[0], path_like=SAFARI_PROFILES)
                        if r.is_file] if backup else []
        except BackupError as exc:
            problems.append(str(exc))
        for where in (SAFARI, *profiles):
            for visit in _database(ev, where, safari_history.parse, read, problems):
                for indicator in domain_hits(pack, host_of(visit.url)):
                    out.add("safari_visit", visit.url, indicator,
                            backup_evidence(ev, *where, visit.url, f"visit {visit.visit_id}"), visit.time)
        for grant in _database(ev, TCC_DB, tcc.parse, read, problems):
            path = grant.client if grant.client.startswith("/") else ""
            for indicator in _names(pack, "" if path else grant.client, path=path):
                out.add("tcc", grant.client, indicator,
                        backup_evidence(ev, *TCC_DB, f"{grant.service} {grant.client} allowed={grant.allowed}"),
                        grant.time)
        for proc in _database(ev, DATA_USAGE, data_usage.parse, read, problems):
            for indicator in _names(pack, proc.process, proc.bundle):
                out.add("data_usage", proc.process or proc.bundle, indicator,
                        backup_evidence(ev, *DATA_USAGE, f"process={proc.process} bundle={proc.bundle}"),
                        proc.first_seen)
    elif ev.backup_problem:
        problems.append(f"backup: {ev.backup_problem}")
    problems += ev.file_notes[notes_before:]
    outcome = CheckOutcome(NAME, "ran", findings=out.findings(),
                           counts={"indicators": sum(pack.indicators.counts().values()), "sources": len(read)})
    if not read:
        outcome.status = "failed" if problems else "skipped"
        outcome.reason = "; ".join(problems) if problems else "nothing that indicators apply to was collected"
    elif problems:
        outcome.reason = "not read: " + "; ".join(problems[:5])
    return outcome
