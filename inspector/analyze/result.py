"""Turn an acquisition into the result document (docs/result-schema.md): run every check, grade
the verdict. The report and ``--json`` are both views of this one document."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import inspector
from inspector.acquisition import Acquisition, utc_now
from inspector.analyze.android_events import android_events
from inspector.analyze.android_state import AndroidState
from inspector.analyze.checks import (
    apk_rules,
    device_state,
    indicators,
    known_packages,
    leftover_files,
    listening_ports,
    target_files,
)
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.findings import Finding
from inspector.analyze.ios.evidence import IOSOptions
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.timeline import Event, Window, file_events, raise_in_window, timeline

SCHEMA_VERSION = "1.0"
VERDICTS = ("implant_found", "needs_review", "nothing_found", "incomplete")

CHECKS: tuple[Callable[[Acquisition, SignaturePack], CheckOutcome], ...] = (
    known_packages.run,
    leftover_files.run,
    target_files.run,
    indicators.run,
    device_state.run,
    listening_ports.run,
    apk_rules.run,
)
_STRONG = {"critical", "high"}
_SURE = {"verified", "high"}
_REVIEW = {"critical", "high", "medium"}


def verdict(findings: list[Finding], complete: bool, coverage: list[CheckOutcome]) -> str:
    """Strong, well-established evidence → implant_found; a finding of medium severity or more, or any
    finding tied to an implant family (even low: a file on its target list) → needs_review; device
    state alone at low severity (a sideloaded app, another trusted computer) is shown in the report
    but does not change the verdict; nothing, but something could not be checked → incomplete."""
    if any(f.severity in _STRONG and f.confidence in _SURE for f in findings):
        return "implant_found"
    if any(f.severity in _REVIEW or (f.severity == "low" and f.family != "device_state") for f in findings):
        return "needs_review"
    if not complete or any(c.status != "ran" or c.reason for c in coverage if c.decides_verdict):
        return "incomplete"
    return "nothing_found"


def analyze(acq: Acquisition, pack: SignaturePack, window: str | None = None,
            ios_options: IOSOptions | None = None) -> dict[str, Any]:
    """The result document. ``window``: the crossing window as the traveller gives it (see
    ``timeline.Window.parse``); raises ``timeline.WindowError`` if it cannot be read."""
    manifest = acq.manifest
    crossing = Window.parse(window, (manifest.get("device") or {}).get("timezone")) if window else None
    ios_events: list[Event] = []
    if manifest.get("platform") == "ios":  # the iOS checks (inspector/analyze/ios/analysis.py)
        from inspector.analyze.ios.analysis import run_checks

        outcomes, ios_events = run_checks(acq, pack, crossing, ios_options)
    else:
        outcomes = [check(acq, pack) for check in CHECKS]
    findings = raise_in_window([f for o in outcomes for f in o.findings], crossing)
    severity_order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    findings.sort(key=lambda f: (severity_order[f.severity], f.rule_id, f.subject))
    events = [Event(f.time, "finding", f.subject, f.evidence[0].artifact if f.evidence else "", f.rule_id)
              for f in findings if f.time]
    events += file_events(_json_list(acq, "files.json"), crossing)
    system = {p["name"] for p in _json_list(acq, "packages.json") if isinstance(p, dict) and p.get("system")}
    if manifest.get("platform") == "ios":
        events += ios_events
    else:
        events += android_events(AndroidState.of(acq), crossing, system)
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "inspector", "version": inspector.__version__, "signature_pack": pack.identity()},
        "generated_at": utc_now(),
        "verdict": verdict(findings, acq.complete, outcomes),
        "device": device_summary(manifest),
        "acquisition": acquisition_summary(acq),
        "inventory": _inventory(acq, outcomes),
        "coverage": [o.coverage() for o in outcomes],
        "findings": [f.to_dict() for f in findings],
        "timeline": timeline(events, crossing),
    }
    if crossing:
        document["window"] = crossing.to_dict()
    return document


def _json_list(acq: Acquisition, name: str) -> list[Any]:
    try:
        value = json.loads(acq.artifact_path(name).read_text("utf-8"))
    except (OSError, ValueError):
        return []
    return value if isinstance(value, list) else []


def acquisition_summary(acq: Acquisition) -> dict[str, Any]:
    """The "acquisition" part of a result document (docs/result-schema.md)."""
    manifest = acq.manifest
    return {
        "path": str(acq.path),
        "id": manifest.get("id"),
        "complete": acq.complete,
        "started_at": manifest.get("started_at"),
        "finished_at": manifest.get("finished_at"),
        "operator": manifest.get("operator"),
        "artifacts": [
            {"name": name, "status": rec.get("status"), "error": rec.get("error")}
            for name, rec in sorted(manifest.get("artifacts", {}).items())
        ],
        "hashes_csv_sha256": acq.hashes_csv_sha256(),
    }


def device_summary(manifest: dict[str, Any]) -> dict[str, Any]:
    """The "device" part of a result document."""
    device = manifest.get("device") or {}
    keys = ("platform", "manufacturer", "model", "os_version", "build", "serial_sha256")
    out = {k: device.get(k) for k in keys}
    out["platform"] = out["platform"] or manifest.get("platform")
    return out


def _inventory(acq: Acquisition, outcomes: list[CheckOutcome] = ()) -> dict[str, int]:
    counts = {"packages": 0, "packages_uninstalled_kept_data": 0, "apks_collected": 0, "apks_analyzed": 0,
              "files_listed": 0}
    try:
        packages = json.loads(acq.artifact_path("packages.json").read_text("utf-8"))
        if isinstance(packages, list):
            counts["packages"] = len(packages)
            counts["packages_uninstalled_kept_data"] = sum(
                1 for p in packages if isinstance(p, dict) and p.get("uninstalled"))
    except (OSError, ValueError):
        pass
    counts["apks_collected"] = sum(
        1 for name, rec in acq.manifest.get("artifacts", {}).items()
        if name.startswith("apks/") and rec.get("status") == "complete")
    counts["apks_analyzed"] = sum(o.counts.get("apks_analyzed", 0) for o in outcomes)
    try:
        files = json.loads(acq.artifact_path("files.json").read_text("utf-8"))
        counts["files_listed"] = len(files) if isinstance(files, list) else 0
    except (OSError, ValueError):
        pass
    return counts
