"""What every check returns: findings plus one line of coverage (ran / skipped / failed, and why)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from inspector.acquisition import Acquisition
from inspector.analyze.findings import Finding


@dataclass
class CheckOutcome:
    check: str
    status: str  # ran | skipped | failed
    reason: str | None = None
    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # False for checks about the traveller's files rather than the phone's integrity: their gaps are
    # shown in "what we could not check" but do not turn the verdict into "incomplete".
    decides_verdict: bool = True

    def coverage(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "reason": self.reason, **({"counts": self.counts}
                                                                                      if self.counts else {})}


class ArtifactUnusable(Exception):
    """An artifact is missing or unreadable; the message says which and why."""


def load_json_artifact(acq: Acquisition, name: str) -> tuple[Any, str]:
    """The parsed artifact and its status; ArtifactUnusable if it cannot be used at all."""
    status = acq.status(name)
    path = acq.artifact_path(name)
    if status is None or not path.is_file():
        record = acq.artifact(name) or {}
        raise ArtifactUnusable(f"{name} was not collected" + (f" ({record['error']})" if record.get("error") else ""))
    try:
        return json.loads(path.read_text("utf-8")), status
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactUnusable(f"{name} is damaged: {exc}") from None


def incomplete_reason(name: str, acq: Acquisition) -> str | None:
    record = acq.artifact(name) or {}
    if record.get("status") == "complete":
        return None
    return f"{name} is {record.get('status', 'missing')}" + (f": {record['error']}" if record.get("error") else "")
