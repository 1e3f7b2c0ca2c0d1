"""What the backup lists but does not hold: files missing from the folder or cut short (from
``backup_files.csv``, written when the backup was read in). Not findings: the coverage says which
parts of the phone could not be checked."""

from __future__ import annotations

import csv

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.signatures import SignaturePack

NAME = "ios_backup_files"


def run(ev: IOSEvidence, pack: SignaturePack) -> CheckOutcome:
    outcome = CheckOutcome(NAME, "ran", decides_verdict=False)
    if ev.backup_root() is None:
        outcome.status, outcome.reason = "skipped", "there is no backup"
        return outcome
    if ev.backup is None:
        outcome.status, outcome.reason = "failed", ev.backup_problem or "the backup could not be opened"
        outcome.decides_verdict = True
        return outcome
    path = ev.acq.artifact_path("backup_files.csv")
    files = missing = truncated = unreadable = 0
    if path.is_file():
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                files += 1
                problem = row.get("problem") or ""
                missing += problem == "missing"
                truncated += problem == "truncated"
                unreadable += bool(problem) and problem not in ("missing", "truncated")
    else:
        files = sum(1 for r in ev.backup.files() if r.is_file)
    outcome.counts = {"backup_files": files, "missing": missing, "truncated": truncated, "unreadable": unreadable}
    if missing or truncated or unreadable:
        outcome.reason = (f"{missing} file(s) listed in Manifest.db are missing from the backup, {truncated} are cut "
                          f"short and {unreadable} cannot be read; what they hold was not checked")
    return outcome
