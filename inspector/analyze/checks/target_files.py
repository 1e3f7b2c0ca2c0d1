"""Files of the traveller that are on an implant's own target list (e.g. the 73,315 files BXAQ
searches shared storage for), by the implant's own rule: exact size, then MD5 of the whole file.

The list holds no names or categories: a match says *this exact file is on the list*, never why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from inspector.acquisition import Acquisition
from inspector.analyze.checks.base import ArtifactUnusable, CheckOutcome, load_json_artifact
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.targets import TargetList

NAME = "target_files"
LISTING = "files.json"
HASHES = "file_hashes.json"


def target_finding(target: TargetList, family_name: str, path: str, size: int, md5: str,
                   evidence: tuple[Evidence, ...]) -> Finding:
    return Finding(
        rule_id=f"{target.id}.match",
        family=target.family,
        # Not a sign that the phone was tampered with, but a file the border post looks for: worth
        # talking over with a helpline, so it asks for review; never "implant found" on its own.
        severity="low",
        confidence="verified",
        title="finding.target_file.title",
        explanation="finding.target_file.demo.explanation" if _is_extra(target, size, md5) and target.demo
        else "finding.target_file.explanation",
        subject=path,
        evidence=evidence,
        references=target.references,
        params={"family_name": family_name, "list_name": target.name, "path": path, "size": size,
                "md5": md5.upper(), "list_entries": target.count,
                "demo_entry": target.demo and _is_extra(target, size, md5)},
    )


def _is_extra(target: TargetList, size: int, md5: str) -> bool:
    return (size, bytes.fromhex(md5)) in target.extra


def match_files(target: TargetList, family_name: str, listed: Iterable[dict], hashed: dict[str, dict],
                hashes_artifact: str, hashes_sha256: str | None, roots: tuple[str, ...] | None = None) -> CheckOutcome:
    """``listed``: file records (path, size, type); ``hashed``: path → {md5, error} for the files of a
    listed size; ``roots``: which paths count (default: the storage the implant walks). Shared by the
    phone check and `inspector check-files`."""
    roots = target.roots if roots is None else roots
    outcome = CheckOutcome(NAME, "ran")
    counts = {"files_listed": 0, "size_candidates": 0, "hashed": 0, "failed": 0, "not_hashed": 0, "matches": 0,
              "list_entries": target.count}
    for record in listed:
        path, size = record.get("path"), record.get("size")
        if record.get("type", "file") != "file" or not isinstance(path, str) or not isinstance(size, int):
            continue
        if not path.startswith(roots):
            continue
        counts["files_listed"] += 1
        if not target.has_size(size):
            continue
        counts["size_candidates"] += 1
        got = hashed.get(path)
        if got is None:
            counts["not_hashed"] += 1
            continue
        md5 = got.get("md5")
        if not isinstance(md5, str) or not md5:
            counts["failed"] += 1
            continue
        counts["hashed"] += 1
        if target.matches(size, md5):
            counts["matches"] += 1
            excerpt = json.dumps({"path": path, "size": size, "md5": md5.upper(), "method": got.get("method")},
                                 ensure_ascii=False)
            outcome.findings.append(target_finding(
                target, family_name, path, size, md5,
                (Evidence(artifact=hashes_artifact, excerpt=excerpt, sha256=hashes_sha256, locator=path),)))
    outcome.counts = counts
    problems = []
    if counts["failed"]:
        problems.append(f"{counts['failed']} file(s) of a listed size could not be fingerprinted")
    if counts["not_hashed"]:
        problems.append(f"{counts['not_hashed']} file(s) of a listed size were not fingerprinted when collected")
    outcome.reason = "; ".join(problems) or None
    return outcome


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    if not pack.target_lists:
        return CheckOutcome(NAME, "skipped", "the signature pack holds no target list", decides_verdict=False)
    try:
        listed, _ = load_json_artifact(acq, LISTING)
    except ArtifactUnusable as exc:
        return CheckOutcome(NAME, "failed", str(exc), decides_verdict=False)
    if not isinstance(listed, list):
        return CheckOutcome(NAME, "failed", f"{LISTING} does not hold a list of files", decides_verdict=False)
    try:
        hashes_doc, _ = load_json_artifact(acq, HASHES)
        records = hashes_doc.get("records") if isinstance(hashes_doc, dict) else None
        if not isinstance(records, list):
            return CheckOutcome(NAME, "failed", f"{HASHES} is damaged", decides_verdict=False)
    except ArtifactUnusable:
        # androidqf and older acquisitions: use the MD5s the listing itself may carry.
        records = [r for r in listed if isinstance(r, dict) and r.get("md5")]
        if not records:
            return CheckOutcome(NAME, "skipped", "the files' fingerprints were not collected in this acquisition",
                                decides_verdict=False)
    hashed = {r["path"]: r for r in records if isinstance(r, dict) and isinstance(r.get("path"), str)}
    digest = (acq.artifact(HASHES) or {}).get("sha256")
    combined: CheckOutcome | None = None
    for target in pack.target_lists:
        family = pack.family(target.family)
        outcome = match_files(target, family.name, (r for r in listed if isinstance(r, dict)), hashed, HASHES, digest)
        if combined is None:
            combined = outcome
        else:
            combined.findings += outcome.findings
            for key, value in outcome.counts.items():
                combined.counts[key] = combined.counts.get(key, 0) + value
    assert combined is not None  # pack.target_lists is not empty
    files_record = acq.artifact(LISTING) or {}
    if files_record.get("status") != "complete":
        note = f"the file listing is {files_record.get('status')}"
        combined.reason = f"{combined.reason}; {note}" if combined.reason else note
    combined.decides_verdict = False
    return combined
