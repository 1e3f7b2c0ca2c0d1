"""Indicators from the signature pack and the imported bundles (MVT STIX2, Echap) matched against
everything collected: app ids and APK hashes (packages.json), file paths and names (files.json),
process names (processes.txt), and names, domains and addresses mentioned in any collected text
(dumpsys.txt, logcat.txt, settings, getprop).

A package that is no longer installed but still *named* in the phone's history (usage stats, app ops,
battery history, logs, the package manager's records) is how a removed border implant shows itself.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from inspector.acquisition import Acquisition
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.findings import SEVERITIES, Evidence, Finding
from inspector.analyze.iocs import Indicator
from inspector.analyze.iocs import slug as _slug
from inspector.analyze.signatures import SignaturePack

NAME = "indicators"
TEXT_ARTIFACTS = ("dumpsys.txt", "logcat.txt", "settings_global.txt", "settings_secure.txt", "settings_system.txt",
                  "getprop.txt")
# Dotted names: package names and host names look alike; both are looked up.
_DOTTED = re.compile(rb"(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9_-]{1,63}\.){1,10}[A-Za-z0-9_-]{2,63}(?![A-Za-z0-9_-])")
_EMAIL = re.compile(rb"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,255}\.[A-Za-z]{2,63}")


@dataclass
class _Hit:
    rule_id: str
    family: str
    family_name: str
    severity: str
    confidence: str
    kind: str  # finding kind: app, app_named, apk_hash, file, process, domain, email, ip
    subject: str
    references: tuple[str, ...] = ()
    evidence: list[Evidence] = field(default_factory=list)
    count: int = 0
    params: dict = field(default_factory=dict)


def _lower(severity: str) -> str:
    return SEVERITIES[min(SEVERITIES.index(severity) + 1, len(SEVERITIES) - 1)]


class _Collector:
    def __init__(self, acq: Acquisition) -> None:
        self.acq = acq
        self.hits: dict[tuple[str, str, str], _Hit] = {}

    def add(self, hit: _Hit, artifact: str, excerpt: str, locator: str | None) -> None:
        key = (hit.rule_id, hit.subject, artifact)
        existing = self.hits.setdefault(key, hit)
        existing.count += 1
        if len(existing.evidence) < 3:
            digest = (self.acq.artifact(artifact) or {}).get("sha256")
            existing.evidence.append(Evidence(artifact=artifact, excerpt=excerpt[:500], sha256=digest, locator=locator))


def _ioc_hit(indicator: Indicator, kind: str, subject: str, severity: str, confidence: str) -> _Hit:
    return _Hit(rule_id=f"ioc.{indicator.kind}", family=f"ioc.{_slug(indicator.campaign)}",
                family_name=indicator.campaign, severity=severity, confidence=confidence, kind=kind, subject=subject,
                params={"threat": indicator.threat, "source": indicator.source, "indicator": indicator.value})


def _packages(acq: Acquisition, pack: SignaturePack, out: _Collector) -> set[str]:
    try:
        packages = json.loads(acq.artifact_path("packages.json").read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    names = set()
    for index, package in enumerate(packages if isinstance(packages, list) else []):
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        name = package["name"]
        names.add(name)
        excerpt = json.dumps({k: package.get(k) for k in ("name", "installer", "uid", "uninstalled")})
        for indicator in pack.indicators.lookup("app_id", name):
            severity = "critical" if indicator.threat == "spyware" else "high"
            if package.get("uninstalled"):
                severity = _lower(severity)
            out.add(_ioc_hit(indicator, "app", name, severity, "high"), "packages.json", excerpt, f"/{index}")
        for file in package.get("files") or []:
            digest = file.get("sha256") if isinstance(file, dict) else None
            for indicator in pack.indicators.lookup("sha256", digest) if isinstance(digest, str) and digest else []:
                hit = _ioc_hit(indicator, "apk_hash", name, "critical", "verified")
                out.add(hit, "packages.json", json.dumps({"name": name, "sha256": digest}), f"/{index}")
    return names


def _files(acq: Acquisition, pack: SignaturePack, out: _Collector) -> None:
    try:
        records = json.loads(acq.artifact_path("files.json").read_text("utf-8"))
    except (OSError, ValueError):
        return
    for index, record in enumerate(records if isinstance(records, list) else []):
        if not isinstance(record, dict) or not isinstance(record.get("path"), str):
            continue
        path = record["path"]
        found = pack.indicators.lookup("file_path", path) + pack.indicators.lookup("file_name", path.rsplit("/", 1)[-1])
        for indicator in found:
            out.add(_ioc_hit(indicator, "file", path, "high", "medium"), "files.json",
                    json.dumps({"path": path, "size": record.get("size")}), f"/{index}")


def _processes(acq: Acquisition, pack: SignaturePack, out: _Collector) -> None:
    path = acq.artifact_path("processes.txt")
    if not path.is_file():
        return
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            name = fields[-1].decode("utf-8", "replace")
            for indicator in pack.indicators.lookup("process", name) + pack.indicators.lookup("app_id", name):
                out.add(_ioc_hit(indicator, "process", name, "critical" if indicator.threat == "spyware" else "high",
                                 "high"), "processes.txt", line.decode("utf-8", "replace").strip(), f"line {number}")


CHUNK = 8 << 20


def _chunks(path) -> Iterator[bytes]:
    """The file in ~8 MiB pieces cut at line ends, so no token is split."""
    with open(path, "rb") as f:
        rest = b""
        while block := f.read(CHUNK):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            if cut == 0 and len(block) < 4 * CHUNK:
                rest = block
                continue
            cut = cut or len(block)
            rest = block[cut:]
            yield block[:cut]
        if rest:
            yield rest


def _tokens(path) -> tuple[Counter, Counter]:
    """Every distinct dotted name and e-mail in the file, with counts. Text is repetitive (logs), so the
    distinct tokens are few and each is looked up once."""
    dotted: Counter = Counter()
    emails: Counter = Counter()
    for chunk in _chunks(path):
        dotted.update(_DOTTED.findall(chunk))
        if b"@" in chunk:
            emails.update(_EMAIL.findall(chunk))
    return dotted, emails


def _first_line(path, token: bytes) -> tuple[int, str]:
    """Where ``token`` first appears: line number and the line, for the evidence."""
    line_no = 0
    for chunk in _chunks(path):
        at = chunk.find(token)
        if at >= 0:
            start = chunk.rfind(b"\n", 0, at) + 1
            end = chunk.find(b"\n", at)
            line = chunk[start:end if end >= 0 else len(chunk)]
            return line_no + chunk.count(b"\n", 0, at) + 1, line[:2000].decode("utf-8", "replace").strip()
        line_no += chunk.count(b"\n")
    return 0, ""


def _texts(acq: Acquisition, pack: SignaturePack, installed: set[str], out: _Collector) -> int:
    domains = pack.indicators.values("domain")
    app_ids = pack.indicators.values("app_id")
    ips = pack.indicators.values("ipv4")
    emails = pack.indicators.values("email")
    own = {p.name.casefold(): p for p in pack.packages}
    scanned = 0
    for artifact in TEXT_ARTIFACTS:
        path = acq.artifact_path(artifact)
        if not path.is_file():
            continue
        scanned += 1
        dotted, mails = _tokens(path)
        hits: list[tuple[_Hit, bytes, int]] = []
        for raw, count in dotted.items():
            token = raw.decode("ascii", "replace")
            folded = token.casefold()
            # our rules' packages: a border implant named in the phone's history
            rule = own.get(folded)
            if rule and token not in installed and rule.matches(token):
                family = pack.family(rule.family)
                hits.append((_Hit(rule_id=f"{rule.id}.named", family=rule.family, family_name=family.name,
                                  severity=_lower(rule.severity), confidence="high", kind="app_named", subject=token,
                                  references=family.references, params={"takes": list(family.takes)}), raw, count))
            if token not in installed:
                for indicator in app_ids.get(token, []):
                    hits.append((_ioc_hit(indicator, "app_named", token,
                                          "high" if indicator.threat == "spyware" else "medium", "medium"), raw, count))
            # a domain, or any of its parent domains
            parts = folded.split(".")
            for i in range(len(parts) - 1):
                for indicator in domains.get(".".join(parts[i:]), []):
                    hits.append((_ioc_hit(indicator, "domain", token, "medium", "medium"), raw, count))
            for indicator in ips.get(token, []):
                hits.append((_ioc_hit(indicator, "ip", token, "medium", "medium"), raw, count))
        for raw, count in mails.items():
            for indicator in emails.get(raw.decode("ascii", "replace").casefold(), []):
                hits.append((_ioc_hit(indicator, "email", raw.decode("ascii", "replace"), "medium", "medium"),
                             raw, count))
        for hit, raw, count in hits:
            number, line = _first_line(path, raw)
            out.add(hit, artifact, line, f"line {number}")
            out.hits[(hit.rule_id, hit.subject, artifact)].count += count - 1
    return scanned


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    out = _Collector(acq)
    installed = _packages(acq, pack, out)
    _files(acq, pack, out)
    _processes(acq, pack, out)
    texts = _texts(acq, pack, installed, out)
    outcome = CheckOutcome(NAME, "ran", None, counts={
        "indicators": sum(pack.indicators.counts().values()), "text_artifacts": texts})
    if not texts and not installed:
        outcome.status, outcome.reason = "skipped", "nothing that indicators apply to was collected"
    for hit in out.hits.values():
        outcome.findings.append(Finding(
            rule_id=hit.rule_id, family=hit.family, severity=hit.severity, confidence=hit.confidence,
            title=f"finding.indicator.{hit.kind}.title", explanation=f"finding.indicator.{hit.kind}.explanation",
            subject=hit.subject, evidence=tuple(hit.evidence), references=hit.references,
            params={"family_name": hit.family_name, "mentions": hit.count, **hit.params}))
    return outcome
