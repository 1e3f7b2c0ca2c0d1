"""Files that implants leave on shared storage, which outlive the app itself (``files.json``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from inspector.acquisition import Acquisition
from inspector.analyze.checks.base import ArtifactUnusable, CheckOutcome, incomplete_reason, load_json_artifact
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.signatures import LeftoverFile, SignaturePack

NAME = "leftover_files"
ARTIFACT = "files.json"

# The same shared storage is reachable under several names depending on Android version and the
# tool that listed it; rules name paths relative to it.
SHARED_ROOTS = ("/sdcard/", "/storage/emulated/0/", "/storage/self/primary/", "/mnt/sdcard/", "/mnt/user/0/primary/")


def shared_relative(path: str) -> str | None:
    for root in SHARED_ROOTS:
        if path.startswith(root):
            return path[len(root):]
    return None


def _matches(rule: LeftoverFile, relative: str) -> bool:
    # Shared storage is case-insensitive on Android (sdcardfs / FUSE), so compare without case.
    if rule.shared_path is not None:
        return relative.casefold() == rule.shared_path.casefold()
    return relative.rsplit("/", 1)[-1].casefold() == (rule.file_name or "").casefold()


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
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not isinstance(record.get("path"), str):
            continue
        if record.get("type", "file") != "file":
            continue
        relative = shared_relative(record["path"])
        if relative is None:
            continue
        for rule in pack.leftover_files:
            if not _matches(rule, relative):
                continue
            family = pack.family(rule.family)
            modified = iso(record.get("modified_time"))
            excerpt = {k: record.get(k) for k in ("path", "size", "mode", "modified_time", "changed_time",
                                                    "access_time")}
            outcome.findings.append(Finding(
                rule_id=rule.id,
                family=rule.family,
                severity=rule.severity,
                confidence=rule.confidence,
                title="finding.leftover_file.title",
                explanation="finding.leftover_file.explanation",
                subject=record["path"],
                evidence=(Evidence(artifact=ARTIFACT, excerpt=json.dumps(excerpt, ensure_ascii=False),
                                   sha256=digest, locator=f"/{index}"),),
                references=family.references,
                time=modified,
                params={"family_name": family.name, "path": record["path"], "modified_time": modified,
                        "takes": list(family.takes)},
            ))
    return outcome
