"""Shared by the iOS checks (ios_*.py): building findings and evidence the same way."""

from __future__ import annotations

from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.ios.evidence import IOSEvidence


def ios_finding(kind: str, subject: str, severity: str, confidence: str, evidence: list[Evidence],
                time: str | None = None, family: str = "ios", **params: object) -> Finding:
    """Messages ``finding.ios.<kind>.title`` / ``.explanation`` (reports/messages/en.yaml)."""
    return Finding(rule_id=f"ios.{kind}", family=family, severity=severity, confidence=confidence,
                   title=f"finding.ios.{kind}.title", explanation=f"finding.ios.{kind}.explanation",
                   subject=subject, evidence=tuple(evidence), time=time, params={"family_name": "", **params})


def artifact_evidence(ev: IOSEvidence, artifact: str, excerpt: str, locator: str | None = None) -> Evidence:
    return Evidence(artifact=artifact, excerpt=excerpt[:500], sha256=ev.evidence_sha(artifact), locator=locator)


def backup_evidence(ev: IOSEvidence, domain: str, relative_path: str, excerpt: str,
                    locator: str | None = None) -> Evidence:
    """Evidence inside the backup: the artifact is the backup, the locator the file in it."""
    where = f"{domain}/{relative_path}" + (f" {locator}" if locator else "")
    return Evidence(artifact=ev.backup_artifact(), excerpt=excerpt[:500], locator=where)
