"""Files that implants leave on shared storage, which outlive the app itself (``files.json``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from inspector.acquisition import Acquisition
from inspector.analyze.checks.base import ArtifactUnusable, CheckOutcome, incomplete_reason, load_json_artifact
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.decoders import DECODERS
from inspector.analyze.shared_storage import shared_relative
from inspector.analyze.signatures import SignaturePack

NAME = "leftover_files"
ARTIFACT = "files.json"

def iso(ts: object) -> str | None:
    if isinstance(ts, int | float) and 0 < ts < 32503680000:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    try:
        records, _status = load_json_artifact(acq, ARTIFACT)
    except ArtifactUnusable as exc:
        return CheckOutcome(NAME, "failed", str(exc))
    if not isinstance(records, list):
        return CheckOutcome(NAME, "failed", f"{ARTIFACT} does not hold a list of files")
    outcome = CheckOutcome(NAME, "ran", incomplete_reason(ARTIFACT, acq), counts={"files": len(records)})
    digest = (acq.artifact(ARTIFACT) or {}).get("sha256")
    # copies of small leftover files pulled as evidence: device path -> (artifact, sha256)
    copies = {rec["device_path"]: (name, rec.get("sha256")) for name, rec in acq.manifest["artifacts"].items()
              if name.startswith("files/") and rec.get("status") == "complete" and rec.get("device_path")}
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("path"), str):
            continue
        if record.get("type", "file") != "file":
            continue
        relative = shared_relative(record["path"])
        if relative is None:
            continue
        for rule in pack.leftover_files:
            if not rule.matches(relative):
                continue
            family = pack.family(rule.family)
            modified = iso(record.get("modified_time"))
            evidence = [Evidence(artifact=ARTIFACT, excerpt="", sha256=digest, locator=f"/{index}")]
            decoded: dict = {}
            copy = copies.get(record["path"])
            if copy is not None:
                name, sha = copy
                evidence.append(Evidence(artifact=name, excerpt="", sha256=sha, locator=record["path"]))
                if rule.decode:
                    decoded = DECODERS[rule.decode](acq.artifact_path(name).read_bytes())
            excerpt = {k: record.get(k) for k in ("path", "size", "mode", "modified_time", "changed_time",
                                                    "access_time")}
            evidence[0] = Evidence(artifact=ARTIFACT, excerpt=json.dumps(excerpt, ensure_ascii=False),
                                   sha256=digest, locator=f"/{index}")
            outcome.findings.append(Finding(
                rule_id=rule.id,
                family=rule.family,
                severity=rule.severity,
                confidence=rule.confidence,
                title="finding.leftover_file.title",
                explanation="finding.leftover_file.explanation",
                subject=record["path"],
                evidence=tuple(evidence),
                references=family.references,
                # what the file itself says (a decoded check time) is more precise than its mtime
                time=decoded.get("check_time") or modified,
                params={"family_name": family.name, "path": record["path"], "modified_time": modified,
                        "takes": list(family.takes), **decoded},
            ))
    return outcome
