"""``inspector rescan``: every stored acquisition re-matched against the current signature pack.

The analysis runs again on each acquisition folder (never on the phone), with the APK features the
store recorded at the first scan (table ``apks``) put back into the APK engine's cache first, so no
APK is read again. Each new result is recorded as a new scan; what changed against the previous scan
(findings that appear, findings that disappear, the verdict) is returned for the caller to show.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.acquisition import Acquisition, AcquisitionError
from inspector.analyze.apk import cache as apk_cache
from inspector.analyze.apk.features import FEATURES_VERSION
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
        if record is not None and record.get("features_version") == FEATURES_VERSION:
            apk_cache.save(record)
            report.apks_from_store += 1
        else:
            report.apks_read_again += 1


_worker_pack: SignaturePack | None = None


def _init_worker(pack_folder: str | None, environ: dict[str, str]) -> None:
    global _worker_pack
    # A rescan is background work: live scans and their store writes on this computer go first.
    try:
        os.nice(10)
    except OSError:
        pass
    os.environ.update(environ)
    _worker_pack = SignaturePack.load(Path(pack_folder) if pack_folder else None)


def _analyse_in_worker(path: str) -> dict[str, Any]:
    assert _worker_pack is not None
    return analyze(Acquisition.open(Path(path)), _worker_pack)


def rescan(store: Store, pack: SignaturePack, *, case: str | None = None, jobs: int = 1,
           on_start: Callable[[int], None] | None = None,
           on_done: Callable[[LatestScan], None] | None = None) -> RescanReport:
    """Re-check the latest scan of every stored acquisition (of ``case`` if given); record a new
    scan for each. An acquisition whose folder is gone or unreadable is skipped with the reason.

    ``jobs`` > 1 runs the analyses in that many processes (the store is written by this one only):
    the checks are CPU-bound and independent from one acquisition to the next.
    """
    targets = store.latest_scans(case)
    report = RescanReport(pack_version=pack.version)
    if on_start:
        on_start(len(targets))
    ready: list[tuple[LatestScan, Acquisition]] = []
    for target in targets:
        acq = _open(target, report)
        if acq is None:
            if on_done:
                on_done(target)
            continue
        _restore_features(store, acq, report)
        ready.append((target, acq))
    def finish(target: LatestScan, analysed: Callable[[], dict[str, Any]]) -> None:
        try:
            result = analysed()
        except Exception as exc:  # noqa: BLE001 - one acquisition that fails never stops the others
            report.skipped.append((target.acq_id, target.path, f"{type(exc).__name__}: {exc}"))
        else:
            _record(store, target, result, report)
        finally:
            if on_done:
                on_done(target)

    if jobs <= 1 or len(ready) < 2:
        for target, acq in ready:
            finish(target, lambda acq=acq: analyze(acq, pack))
        return report
    environ = {k: v for k, v in os.environ.items() if k.startswith("INSPECTOR_")}
    folder = str(pack.folder) if pack.folder else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(folder, environ)) as pool:
        pending = {pool.submit(_analyse_in_worker, str(acq.path)): target for target, acq in ready}
        for future in as_completed(pending):
            finish(pending[future], future.result)
    return report


def _open(target: LatestScan, report: RescanReport) -> Acquisition | None:
    try:
        acq = Acquisition.open(Path(target.path))
    except (AcquisitionError, OSError) as exc:
        report.skipped.append((target.acq_id, target.path, f"{type(exc).__name__}: {exc}"))
        return None
    if acq.manifest.get("id") != target.acq_id and not target.acq_id.startswith("path:"):
        report.skipped.append((target.acq_id, target.path, "the folder now holds another acquisition "
                               f"({acq.manifest.get('id')!r})"))
        return None
    return acq


def _record(store: Store, target: LatestScan, result: dict[str, Any], report: RescanReport) -> None:
    report.checked += 1
    before = set(target.finding_keys)
    after = {finding_key(f) for f in result["findings"] if isinstance(f, dict)}
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
