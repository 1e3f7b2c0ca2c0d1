"""Apps that did not come from the App Store: signed with an enterprise or a developer certificate
(trusted by hand in Settings › VPN & Device Management), or from TestFlight. An app on a public
spyware list is reported by ios_indicators."""

from __future__ import annotations

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.ios_findings import artifact_evidence, ios_finding
from inspector.analyze.ios import apps
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.signatures import SignaturePack

NAME = "ios_apps"
SEVERITY = {"enterprise": ("medium", "high"), "developer": ("medium", "high"), "testflight": ("low", "high")}


def records(ev: IOSEvidence) -> tuple[list[apps.AppRecord], str | None, str | None]:
    """(apps, the artifact they came from, a problem)."""
    listed, problem = ev.json_artifact("apps.json")
    if listed is not None:
        return apps.from_installation_proxy(listed), "apps.json", None
    backup = ev.backup
    if backup is not None:
        return apps.from_backup(backup.info, backup.manifest), ev.backup_artifact(), "; ".join(backup.notes) or None
    return [], None, problem or ev.backup_problem


def run(ev: IOSEvidence, pack: SignaturePack) -> CheckOutcome:
    outcome = CheckOutcome(NAME, "ran")
    found, artifact, problem = records(ev)
    if artifact is None:
        outcome.status = "failed" if problem else "skipped"
        outcome.reason = problem or "the list of apps was not collected"
        return outcome
    outcome.reason = problem  # e.g. a damaged Info.plist: the apps it lists were not seen
    by_source: dict[str, int] = {}
    unknown = []
    for app in found:
        by_source[app.source] = by_source.get(app.source, 0) + 1
        excerpt = f"{app.bundle_id} source={app.source} signer={app.signer!r} profile_validated={app.profile_validated}"
        if app.source in SEVERITY:
            severity, confidence = SEVERITY[app.source]
            outcome.findings.append(ios_finding(
                f"app_source.{app.source}", app.bundle_id, severity, confidence,
                [artifact_evidence(ev, artifact, excerpt, app.locator)],
                family="ios" if app.source != "testflight" else "device_state",
                app_name=app.name, signer=app.signer))
        elif app.source == "unknown":
            unknown.append(app)
    if unknown:
        # A backup tells only App Store purchases apart; the rest is listed once, for an expert.
        names = ", ".join(a.bundle_id for a in unknown[:20])
        shown = ", ".join(a.bundle_id for a in unknown[:3]) + (", …" if len(unknown) > 3 else "")
        outcome.findings.append(ios_finding(
            "app_source.unknown", shown, "low", "low",
            [artifact_evidence(ev, artifact, names, unknown[0].locator)], family="device_state", count=len(unknown)))
    outcome.counts = {"apps": len(found), **{f"apps_{k}": v for k, v in sorted(by_source.items())}}
    return outcome
