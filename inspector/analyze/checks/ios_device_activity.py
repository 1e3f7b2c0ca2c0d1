"""Pairing, backup and file access over USB in the phone's log, inside the crossing window.

An extraction at a border pairs a computer with the phone (lockdownd), then runs the backup service
(BackupAgent2, ``com.apple.mobilebackup2``) or reads files over AFC (afcd, ``house_arrest``), or asks
for whole folders through ``com.apple.mobile.file_relay``. Read from the binary unified log of a
sysdiagnose (``system_logs.logarchive``: logarchive.py, tracev3.py), its text logs, or a text export of
the unified log (unified_log.py); with ``--window``, the activity inside the window is reported; without
one it only goes on the timeline, except file_relay, which ordinary use never needs.
"""

from __future__ import annotations

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.ios_findings import artifact_evidence, ios_finding
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.ios.mobile_installation import AppEvent
from inspector.analyze.ios.unified_log import Activity, watched_processes
from inspector.analyze.signatures import SignaturePack
from inspector.analyze.timeline import Event, Window

NAME = "ios_device_activity"
NO_UNIFIED_LOG = ("no unified log was found: the sysdiagnose holds no system_logs.logarchive and there is no "
                  "text export (unified_log.txt); only the sysdiagnose's text logs were read")
NOT_DECODED = "not decoded"  # every gap in the binary log's coverage says so, with what and why
APP_ACTIONS = {"installed": "app_installed", "uninstalled": "app_removed"}  # containers: not findings
MAX_APP_FINDINGS = 20  # per kind; the others are counted in the coverage


def activities(ev: IOSEvidence) -> list[tuple[str, str, Activity]]:
    """(artifact, locator, activity)."""
    out = [(name, f"line {a.line}", a) for name, a in ev.text_log_activities()]
    content = ev.sysdiagnose
    if content is not None:
        out += [("sysdiagnose.tar.gz", f"{member} line {a.line}", a) for member, a in content.activities]
    log = ev.logarchive
    if log is not None:
        out += [("sysdiagnose.tar.gz", f"{member} entry {a.line} ({a.where})", a) for member, a in log.activities]
    return out


def _logarchive_gaps(ev: IOSEvidence) -> list[str]:
    """What the binary unified log did not give, in words: damaged files, entries without a message
    (their format string is in the shared cache) or without a time."""
    log = ev.logarchive
    if log is None:
        return []
    counts = log.counts
    watched = ", ".join(sorted(watched_processes()))
    out = [f"binary unified log: {counts['tracev3_files']} of {log.tracev3_files} tracev3 files read, "
           f"{counts['entries']} entries of {watched}; other processes' entries and the shared cache's "
           f"format strings (dsc) are {NOT_DECODED}"]
    if counts["entries_without_message"]:
        out.append(f"{counts['entries_without_message']} of those entries keep their process and time but their "
                   f"message is {NOT_DECODED} (format string in the shared cache or not found)")
    if counts["entries_without_time"]:
        out.append(f"{counts['entries_without_time']} entries have no time: no timesync record for their boot")
    if not counts["timesync_files"]:
        out.append("the logarchive has no timesync file: times cannot be put in UTC")
    if log.error:
        out.append(f"the logarchive was read only in part: {log.error}")
    if log.problems:
        rest = counts["problems"] - 5
        out.append(f"{NOT_DECODED}: " + "; ".join(log.problems[:5]) + (f" (and {rest} more)" if rest > 0 else ""))
    return out


def app_events(ev: IOSEvidence) -> list[tuple[str, str, AppEvent, str | None]]:
    """(finding kind, member, event, UTC time) of every app installed or removed in MobileInstallation's log."""
    content = ev.sysdiagnose
    if content is None:
        return []
    return [(APP_ACTIONS[e.action], member, e, when) for member, e, when in content.app_events
            if e.action in APP_ACTIONS]


def _local_log_coverage(ev: IOSEvidence) -> list[str]:
    """What lockdownd's and MobileInstallation's logs gave, and what they did not."""
    content = ev.sysdiagnose
    if content is None:
        return []
    out = []
    for label, logs in (("lockdownd.log", content.lockdownd_logs),
                        ("MobileInstallation log", content.installation_logs)):
        if not logs:
            out.append(f"the sysdiagnose holds no {label}")
        for member, log in logs:
            problems = log.problems()
            out.append(f"{member}: {len(log.entries)} entries read" + (f"; {'; '.join(problems)}" if problems else ""))
    if (content.lockdownd_logs or content.installation_logs) and content.untimed_local:
        out.append(f"{content.untimed_local} entries of lockdownd.log and MobileInstallation are in the phone's local "
                   "time and no UTC offset was found (no logd.N.log and no offset in the archive's name): they have "
                   "no time and cannot be placed in the window")
    return out


def events(ev: IOSEvidence) -> list[Event]:
    out = [Event(a.time, f"ios_{a.kind}", a.process, artifact) for artifact, _, a in activities(ev) if a.time]
    out += [Event(when, f"ios_{kind}", e.bundle_id, "sysdiagnose.tar.gz")
            for kind, _, e, when in app_events(ev) if when]
    return out


def _app_findings(ev: IOSEvidence, window: Window | None) -> tuple[list, int]:
    """One finding per app installed / removed inside the window; (findings, apps left out past the cap)."""
    inside: dict[tuple[str, str], list[tuple[str, AppEvent, str]]] = {}
    for kind, member, event, when in app_events(ev):
        if window is not None and window.contains(when):
            inside.setdefault((kind, event.bundle_id), []).append((member, event, when or ""))
    both = {bundle for kind, bundle in inside if kind == "app_installed"} & {
        bundle for kind, bundle in inside if kind == "app_removed"}
    findings, left_out, per_kind = [], 0, dict.fromkeys(APP_ACTIONS.values(), 0)
    for (kind, bundle), items in sorted(inside.items(), key=lambda item: (item[0][0], item[1][0][2], item[0][1])):
        if per_kind[kind] >= MAX_APP_FINDINGS:
            left_out += 1
            continue
        per_kind[kind] += 1
        times = sorted(when for _, _, when in items)
        evidence = [artifact_evidence(ev, "sysdiagnose.tar.gz", e.text, f"{member} line {e.line}")
                    for member, e, _ in items[:3]]
        version = next((e.version for _, e, _ in items if e.version), None)
        findings.append(ios_finding(
            f"activity.{kind}", bundle, "medium" if bundle in both else "low", "medium", evidence, times[0],
            family="ios_activity", lines=len(items), first=times[0], last=times[-1], version=version or "",
            installed_and_removed=bundle in both))
    return findings, left_out


def run(ev: IOSEvidence, pack: SignaturePack, window: Window | None = None) -> CheckOutcome:
    # Supporting evidence for the window: its gaps are listed but do not make the verdict "incomplete".
    outcome = CheckOutcome(NAME, "ran", decides_verdict=False)
    content = ev.sysdiagnose
    has_text = any(ev.acq.artifact_path(n).is_file() for n in ("unified_log.txt", "syslog.txt"))
    if content is None and not has_text:
        outcome.status, outcome.reason = "skipped", "no sysdiagnose or text log was collected"
        return outcome
    if (content is not None and content.error and not content.text_logs and not has_text and ev.logarchive is None
            and not content.lockdownd_logs and not content.installation_logs):
        outcome.status, outcome.reason = "failed", f"sysdiagnose.tar.gz: {content.error}"
        return outcome
    found = activities(ev)
    grouped: dict[str, list[tuple[str, str, Activity]]] = {}
    for item in found:
        activity = item[2]
        inside = window is not None and window.contains(activity.time)
        if inside or activity.kind == "file_relay":
            grouped.setdefault(activity.kind, []).append(item)
    for kind, items in sorted(grouped.items()):
        timed = sorted((a.time for _, _, a in items if a.time))
        evidence = [artifact_evidence(ev, artifact, a.text, locator) for artifact, locator, a in items[:3]]
        outcome.findings.append(ios_finding(
            f"activity.{kind}", items[0][2].process, "medium" if kind == "file_relay" else "low", "medium", evidence,
            timed[0] if timed else None, family="ios_activity", lines=len(items),
            first=timed[0] if timed else None, last=timed[-1] if timed else None))
    app_findings, apps_left_out = _app_findings(ev, window)
    outcome.findings += app_findings
    outcome.counts = {"activity_lines": len(found)}
    if content is not None and (content.lockdownd_logs or content.installation_logs):
        outcome.counts.update({
            "lockdownd_entries": sum(len(log.entries) for _, log in content.lockdownd_logs),
            "installation_entries": sum(len(log.entries) for _, log in content.installation_logs),
            "app_events": len(app_events(ev))})
    log = ev.logarchive
    if log is not None:
        outcome.counts.update({"log_entries": log.counts["entries"],
                               "log_entries_without_message": log.counts["entries_without_message"],
                               "tracev3_files": log.tracev3_files})
    reasons = []
    if content is not None and content.error:
        reasons.append(f"sysdiagnose.tar.gz was read only in part: {content.error}")
    reasons += _logarchive_gaps(ev)
    reasons += _local_log_coverage(ev)
    if apps_left_out:
        reasons.append(f"{apps_left_out} more apps installed or removed inside the window are not listed "
                       f"(only the first {MAX_APP_FINDINGS} of each kind)")
    if log is None and not has_text:
        reasons.append(NO_UNIFIED_LOG)
    if window is None:
        reasons.append("no crossing window was given (--window): activity is on the timeline only")
    outcome.reason = "; ".join(reasons) or None
    return outcome
