"""An APK's feature record matched against the rest of the signature pack, besides the APK rules: the
package names of the implant families (``signatures/implants/*.yaml``), the imported indicator bundles
(MVT STIX2 app ids, certificate and file hashes, domains; Echap's packages, SHA-1 certificates and
sample hashes) and the YARA hits recorded in the features.

One match per family or campaign, in the same shape as an APK-rule match (``RuleMatch.to_dict``), so
that ``inspector check`` and the ``apk_rules`` check treat both alike.

Grading: an implant family's package rule keeps its own severity and confidence; a spyware app id,
certificate or file hash is critical, a stalkerware one high (both confidence high); a YARA rule (its
condition already asks for several strings) high; domains of a campaign named in the app's code:
two or more distinct ones high, one alone medium with confidence low (needs review: a security app may
carry a list of bad domains too)."""

from __future__ import annotations

import re
from typing import Any

from inspector.analyze.findings import SEVERITIES
from inspector.analyze.iocs import Indicator
from inspector.analyze.iocs import slug as _slug

MAX_EVIDENCE = 12


class _Group:
    def __init__(self, rule_id: str, family: str, name: str, references: tuple[str, ...], source: str) -> None:
        self.rule_id, self.family, self.name = rule_id, family, name
        self.references, self.source = references, source
        self.severity, self.confidence = "info", "low"
        self.matched: list[dict[str, Any]] = []
        self.domains: set[str] = set()

    def add(self, severity: str, confidence: str, evidence: dict[str, Any]) -> None:
        if SEVERITIES.index(severity) < SEVERITIES.index(self.severity):  # SEVERITIES: most severe first
            self.severity, self.confidence = severity, confidence
        if len(self.matched) < MAX_EVIDENCE:
            self.matched.append(evidence)

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "family": self.family, "name": self.name, "severity": self.severity,
                "confidence": self.confidence, "score": float(len(self.matched)), "matched": self.matched,
                "references": list(self.references), "source": self.source}


def _family_for(pack, campaign: str) -> str:
    slug = _slug(campaign)
    for family in pack.families.values():
        if slug in (_slug(family.id), _slug(family.name.split("(")[0])):
            return family.id
    return f"ioc.{slug}"


# What the checks of an acquisition already report from packages.json (known_packages: the families'
# package names; indicators: app ids and APK hashes): the apk_rules check skips these.
ACQUISITION_SKIP = frozenset({"family_package", "app_id", "apk_sha256"})


def match_pack(rec: dict[str, Any], pack, skip: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """``skip``: kinds left out, among family_package, app_id, apk_sha256 (see ACQUISITION_SKIP)."""
    groups: dict[str, _Group] = {}
    package = rec.get("package") or ""

    def ioc_group(indicator: Indicator) -> _Group:
        family = _family_for(pack, indicator.campaign)
        key = family  # one match per family: its package rule and its indicators together
        if key not in groups:
            refs = pack.families[family].references if family in pack.families else ()
            groups[key] = _Group(f"ioc.apk.{_slug(indicator.campaign)}", family,
                                 f"{indicator.campaign} ({indicator.threat})", tuple(refs), indicator.source)
        return groups[key]

    def ioc(kind: str, value: str, seen: str, where: str, domain: bool = False) -> None:
        for indicator in pack.indicators.lookup(kind, value):
            group = ioc_group(indicator)
            if domain:
                group.domains.add(indicator.value.casefold())
                severity, confidence = "medium", "low"
            elif indicator.threat == "spyware":
                severity, confidence = "critical", "high"
            else:
                severity, confidence = "high", "high"
            group.add(severity, confidence, {"condition": kind, "value": indicator.value, "weight": 1.0,
                                             "seen": seen, "where": where, "source": indicator.source})

    if package and "family_package" not in skip:
        for rule in pack.packages:
            if rule.matches(package):
                family = pack.families[rule.family]
                group = groups.setdefault(rule.family, _Group(rule.id, rule.family, family.name,
                                                              family.references, rule.source))
                group.add(rule.severity, rule.confidence,
                          {"condition": "package", "value": rule.name, "weight": 10.0, "seen": package,
                           "where": "manifest package"})
    if package and "app_id" not in skip:
        ioc("app_id", package, package, "manifest package")
    for cert in rec.get("certificates", []):
        subject = cert.get("subject", "")
        for key in ("sha256", "sha1"):
            if cert.get(key):
                ioc(f"cert_{key}", cert[key], cert[key], f"signing certificate {subject}")
    if rec.get("sha256") and "apk_sha256" not in skip:
        ioc("sha256", rec["sha256"], rec["sha256"], "APK file")
    for f in rec.get("files", []):
        if f.get("sha256"):
            ioc("sha256", f["sha256"], f["sha256"], f["name"])
    _domains(rec, ioc, pack.indicators)
    for group in groups.values():  # several distinct domains of one campaign in the code: strong
        if len(group.domains) >= 2 and SEVERITIES.index(group.severity) > SEVERITIES.index("high"):
            group.severity, group.confidence = "high", "high"
    _yara(rec, groups)
    return [g.to_dict() for g in groups.values()]


_TLD_PATTERNS: dict[int, re.Pattern] = {}


def _host_pattern(indicators) -> re.Pattern | None:
    """Host names ending in a top-level domain that some indicator domain has: far fewer candidates
    than every dotted string (Java class names are dotted too)."""
    key = id(indicators)
    if key not in _TLD_PATTERNS:
        tlds = sorted({d.rsplit(".", 1)[-1] for d in indicators.values("domain") if "." in d}, key=len, reverse=True)
        _TLD_PATTERNS.clear()
        _TLD_PATTERNS[key] = re.compile(
            r"(?<![A-Za-z0-9_.-])(?:[A-Za-z0-9-]{1,63}\.){1,10}(?i:" + "|".join(map(re.escape, tlds)) +
            r")(?![A-Za-z0-9_-])") if tlds else None
    return _TLD_PATTERNS[key]


def _domains(rec: dict[str, Any], ioc, indicators) -> None:
    pattern = _host_pattern(indicators)
    if pattern is None:
        return
    seen: set[str] = set()
    for dex in rec.get("dex", []):
        text = "\n".join([t for t in dex.get("strings", []) if "." in t])  # most strings hold no dot
        for match in pattern.finditer(text):
            host = match.group(0).casefold()
            if host in seen:
                continue
            seen.add(host)
            parts = host.split(".")
            for i in range(len(parts) - 1):  # the host and every parent domain (a.b.evil.com → evil.com)
                ioc("domain", ".".join(parts[i:]), host, f"{dex['name']} string", domain=True)


def _yara(rec: dict[str, Any], groups: dict[str, _Group]) -> None:
    for hit in (rec.get("yara") or {}).get("hits", []):
        if not hit.get("rule"):
            continue
        family = f"ioc.{_slug(hit['rule'])}"
        group = groups.setdefault(family, _Group(
            f"yara.{_slug(hit['rule'])}", family, f"{hit['rule']} (YARA, {hit.get('namespace', '')})",
            (hit["ref"],) if hit.get("ref") else (), hit.get("namespace", "")))
        group.add("high", "high", {"condition": "yara", "value": hit["rule"], "weight": 1.0,
                                   "seen": ", ".join(hit.get("strings", [])),
                                   "where": f"{hit['file']} ({hit.get('strings_matched', 0)} strings)"})
