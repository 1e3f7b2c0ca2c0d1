"""shutdown.log anomalies (Kaspersky's iShutdown method): processes that delayed a reboot from
``/private/var/db/`` or ``/private/var/tmp/``, where iOS keeps no programs, and any client whose path
or name is a known spyware indicator (Pegasus, Reign, Predator left such traces)."""

from __future__ import annotations

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.ios_findings import artifact_evidence, ios_finding
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.signatures import SignaturePack

NAME = "ios_shutdown_log"
REFERENCE = "https://securelist.com/shutdown-log-lightweight-ios-malware-detection-method/111734/"


def run(ev: IOSEvidence, pack: SignaturePack) -> CheckOutcome:
    outcome = CheckOutcome(NAME, "ran")
    content = ev.sysdiagnose
    if content is None:
        outcome.status, outcome.reason = "skipped", "no sysdiagnose was collected (it holds shutdown.log)"
        outcome.decides_verdict = False  # a sysdiagnose is opt-in (--sysdiagnose); a backup has no shutdown.log
        return outcome
    if content.error and not content.shutdown_logs:
        outcome.status, outcome.reason = "failed", f"sysdiagnose.tar.gz: {content.error}"
        return outcome
    if not content.shutdown_logs:
        outcome.status, outcome.reason = "skipped", "the sysdiagnose holds no shutdown.log"
        return outcome
    if content.error:
        outcome.reason = f"sysdiagnose.tar.gz was read only in part: {content.error}"
    reported: set[tuple[str, str]] = set()
    for member, client in content.shutdown_clients:
        excerpt = f"remaining client pid: {client.pid} ({client.path}) after {client.delay_s:.2f}s"
        evidence = [artifact_evidence(ev, "sysdiagnose.tar.gz", excerpt, f"{member} line {client.line}")]
        hits = pack.indicators.lookup("file_path", client.path)
        hits += [i for part in client.path.split("/") if part for i in pack.indicators.lookup("process", part)]
        for indicator in hits:
            key = (indicator.campaign, client.path)
            if key in reported:
                continue
            reported.add(key)
            outcome.findings.append(ios_finding(
                "shutdown_log.known_process", client.path, "critical", "high", evidence, client.shutdown_time,
                family=f"ioc.{indicator.campaign.casefold()}", family_name=indicator.campaign,
                indicator=indicator.value, source=indicator.source))
        if not hits and client.in_suspicious_dir and ("", client.path) not in reported:
            reported.add(("", client.path))
            outcome.findings.append(ios_finding("shutdown_log.suspicious_path", client.path, "medium", "medium",
                                                evidence, client.shutdown_time, delay=round(client.delay_s, 2)))
    outcome.counts = {"shutdown_logs": content.shutdown_logs, "delayed_clients": len(content.shutdown_clients)}
    return outcome
