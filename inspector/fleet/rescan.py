"""``inspector rescan``: every stored acquisition re-matched against the current signature pack.

The analysis runs again on each acquisition folder (never on the phone), with the APK features the
store recorded at the first scan (table ``apks``) put back into the APK engine's cache first, so no
APK is read again. Each new result is recorded as a new scan; what changed against the previous scan
(findings that appear, findings that disappear, the verdict) is returned for the caller to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.acquisition import Acquisition, AcquisitionError
from inspector.analyze.apk import cache as apk_cache
from inspector.analyze.result import analyze
from inspector.analyze.signatures import SignaturePack
from inspector.store import LatestScan, Store
from inspector.store.database import finding_key


@dataclass
class RescanChange:
    """One acquisition whose findings or verdict changed."""

    acq_id: str
    path: str
    device: str
    case: str | None
    verdict_before: str
    verdict_after: str
    pack_before: str | None
    added: list[tuple[str, str]] = field(default_factory=list)  # (rule_id, subject)
    removed: list[tuple[str, str]] = field(default_factory=list)
    scan_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"acquisition": self.acq_id, "path": self.path, "device": self.device, "case": self.case,
                "verdict_before": self.verdict_before, "verdict_after": self.verdict_after,
                "signature_pack_before": self.pack_before, "scan_id": self.scan_id,
                "added": [{"rule_id": r, "subject": s} for r, s in self.added],
                "removed": [{"rule_id": r, "subject": s} for r, s in self.removed]}


@dataclass
class RescanReport:
    pack_version: str
    checked: int = 0
    unchanged: int = 0
    changes: list[RescanChange] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (acq_id, path, reason)
    apks_from_store: int = 0  # feature records put back into the cache from the store
    apks_read_again: int = 0  # APKs whose features neither the cache nor the store had

    def to_dict(self) -> dict[str, Any]:
        return {"signature_pack": self.pack_version, "checked": self.checked, "unchanged": self.unchanged,
                "changed": [c.to_dict() for c in self.changes],
                "skipped": [{"acquisition": a, "path": p, "reason": r} for a, p, r in self.skipped],
                "apks_from_store": self.apks_from_store, "apks_read_again": self.apks_read_again}


def _apk_shas(acq: Acquisition) -> list[str]:
    return [rec["sha256"] for name, rec in acq.manifest.get("artifacts", {}).items()
            if name.startswith("apks/") and rec.get("status") == "complete" and isinstance(rec.get("sha256"), str)]


def _restore_features(store: Store, acq: Acquisition, report: RescanReport) -> None:
    """Put the stored feature records of the acquisition's APKs back into the APK engine's cache
    (the cache may have been emptied, or this is another workstation of a shared store)."""
    missing = [sha for sha in _apk_shas(acq) if apk_cache.load(sha) is None]
    if not missing:
        return
    stored = store.apk_features(missing)
    for sha in missing:
        record = stored.get(sha)
        if record is not None and record.get("features_version") == apk_cache.FEATURES_VERSION:
            apk_cache.save(record)
            report.apks_from_store += 1
        else:
            report.apks_read_again += 1


def rescan(store: Store, pack: SignaturePack, *, case: str | None = None,
           on_start: Callable[[int], None] | None = None,
           on_done: Callable[[LatestScan], None] | None = None) -> RescanReport:
    """Re-check the latest scan of every stored acquisition (of ``case`` if given); record a new
    scan for each. An acquisition whose folder is gone or unreadable is skipped with the reason."""
    targets = store.latest_scans(case)
    report = RescanReport(pack_version=pack.version)
    if on_start:
        on_start(len(targets))
    for target in targets:
        try:
            _rescan_one(store, pack, target, report)
        finally:
            if on_done:
                on_done(target)
    return report


def _rescan_one(store: Store, pack: SignaturePack, target: LatestScan, report: RescanReport) -> None:
    try:
        acq = Acquisition.open(Path(target.path))
    except (AcquisitionError, OSError) as exc:
        report.skipped.append((target.acq_id, target.path, f"{type(exc).__name__}: {exc}"))
        return
    if acq.manifest.get("id") != target.acq_id and not target.acq_id.startswith("path:"):
        report.skipped.append((target.acq_id, target.path, "the folder now holds another acquisition "
                               f"({acq.manifest.get('id')!r})"))
        return
    _restore_features(store, acq, report)
    result = analyze(acq, pack)
    report.checked += 1
    before = set(target.finding_keys)
    after_list = [finding_key(f) for f in result["findings"] if isinstance(f, dict)]
    after = set(after_list)
    added = sorted(after - before)
    removed = sorted(before - after)
    scan_id = store.record_scan(result)
    if not added and not removed and result["verdict"] == target.verdict:
        report.unchanged += 1
        return
    report.changes.append(RescanChange(
        acq_id=target.acq_id, path=target.path, device=target.device_fingerprint, case=target.case,
        verdict_before=target.verdict, verdict_after=result["verdict"], pack_before=target.signature_pack_version,
        added=added, removed=removed, scan_id=scan_id))
