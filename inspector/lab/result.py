"""The result document of a trace folder (docs/result-schema.md, plus a ``trace`` object): the
behaviour findings, shown by the report under "What this app did", and stored like any scan.

The verdict of a trace says whether an expert should look (``needs_review``: the app did something
on the list), not whether an implant is "known": behaviour is evidence about this app, not a match
against signatures. A trace the device or the agent cut short is ``incomplete`` unless it already
shows something.
"""

from __future__ import annotations

from typing import Any

import inspector
from inspector.acquisition import Acquisition, utc_now
from inspector.analyze.result import SCHEMA_VERSION, acquisition_summary, device_summary
from inspector.lab.behaviour import EVENTS, findings_from_file

_REVIEW = {"critical", "high", "medium"}


def is_trace(acq: Acquisition) -> bool:
    return isinstance(acq.manifest.get("lab"), dict)


def trace_result(acq: Acquisition) -> dict[str, Any]:
    """The result document of the trace in ``acq`` (only its events.jsonl is read)."""
    manifest = acq.manifest
    lab = manifest.get("lab") if isinstance(manifest.get("lab"), dict) else {}
    outcome = lab.get("outcome") if isinstance(lab.get("outcome"), dict) else {}
    record = acq.artifact(EVENTS) or {}
    path = acq.artifact_path(EVENTS)
    target = lab.get("target") if isinstance(lab.get("target"), list) else []
    own = str(target[0]) if target and lab.get("device") != "local" else None
    findings = findings_from_file(path, own_package=own, sha256=record.get("sha256")) if path.is_file() else []
    recorded = record.get("status") in ("complete", "partial") and path.is_file()
    if any(f.severity in _REVIEW for f in findings):
        verdict = "needs_review"
    elif not recorded or record.get("status") != "complete":
        verdict = "incomplete"
    else:
        verdict = "nothing_found"
    reason = None if recorded else (record.get("error") or "no events were recorded")
    if recorded and record.get("status") == "partial":
        reason = record.get("error")
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "inspector", "version": inspector.__version__,
                 "signature_pack": {"version": "-", "sha256": None}},
        "generated_at": utc_now(),
        "verdict": verdict,
        "device": device_summary(manifest),
        "acquisition": acquisition_summary(acq),
        "inventory": {"events_recorded": int(outcome.get("events") or 0)},
        "coverage": [{"check": "lab_trace", "status": "ran" if recorded else "failed", "reason": reason,
                      "counts": {"events": int(outcome.get("events") or 0)}}],
        "findings": [f.to_dict() for f in findings],
        "timeline": [],
        "trace": {
            "target": " ".join(str(t) for t in target),
            "device": lab.get("device"),
            "spawn": lab.get("spawn"),
            "stop_reason": outcome.get("stop_reason"),
            "detail": outcome.get("detail"),
            "duration_s": outcome.get("duration_s"),
            "events": int(outcome.get("events") or 0),
            "lost_events": int(outcome.get("lost_events") or 0),
            "frida": {"module": lab.get("frida_module_version"),
                      "server": (outcome.get("agent") or {}).get("frida")},
            "java": bool((outcome.get("agent") or {}).get("java")),
        },
    }
