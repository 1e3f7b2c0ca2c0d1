"""Findings are plain data. No check writes prose: titles and explanations are keys that the
report templates and catalogs in ``reports/`` turn into words, in the reader's language."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")
CONFIDENCES = ("verified", "high", "medium", "low")


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: where it was seen (an artifact of the acquisition) and what."""

    artifact: str  # path inside the acquisition folder, e.g. "files.json", "packages.json"
    excerpt: str  # the raw text or value that matched
    sha256: str | None = None  # SHA-256 of the artifact file, from hashes.csv, when known
    locator: str | None = None  # where inside the artifact (device path, line number, JSON pointer)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Finding:
    rule_id: str  # e.g. "bxaq.leftover.cjlog_plain"
    family: str  # e.g. "bxaq"
    severity: str  # one of SEVERITIES
    confidence: str  # one of CONFIDENCES
    title: str  # a message key, e.g. "finding.leftover_file.title"
    subject: str  # what the finding is about: a package name, a device path
    explanation: str = ""  # a message key for the plain-language explanation
    evidence: tuple[Evidence, ...] = ()
    references: tuple[str, ...] = ()
    time: str | None = None  # ISO 8601 UTC when the event it describes is known to have happened
    params: dict[str, Any] = field(default_factory=dict)  # values the prose may use (label, dates…)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"unknown confidence {self.confidence!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "family": self.family,
            "severity": self.severity,
            "confidence": self.confidence,
            "title": self.title,
            "explanation": self.explanation,
            "subject": self.subject,
            "evidence": [e.to_dict() for e in self.evidence],
            "references": list(self.references),
            "time": self.time,
            "params": dict(self.params),
        }
