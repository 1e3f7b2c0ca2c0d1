"""Configuration profiles, MDM enrolment, root certificates, VPN and proxy payloads.

A profile can make the phone trust a root certificate (so a proxy can read its HTTPS traffic), send
its traffic through a VPN or proxy, or put it under remote management (MDM). Installing one needs the
unlocked phone; a profile the owner does not know is a strong sign someone did it for them.
"""

from __future__ import annotations

from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.checks.ios_findings import artifact_evidence, backup_evidence, ios_finding
from inspector.analyze.findings import Evidence
from inspector.analyze.ios import profiles
from inspector.analyze.ios.evidence import IOSEvidence
from inspector.analyze.signatures import SignaturePack
from inspector.sources.ios.backup import BackupError, read_plist

NAME = "ios_profiles"
DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
SEVERITY = {"mdm": "medium", "root_certificate": "medium", "proxy": "medium", "vpn": "low"}


def _from_backup(ev: IOSEvidence, outcome: CheckOutcome) -> tuple[list[tuple[profiles.Profile, Evidence]], object]:
    found = []
    cloud = None
    for record, path in ev.backup_files(DOMAIN, "Library/ConfigurationProfiles/%"):
        name = record.relative_path.rsplit("/", 1)[-1]
        if name == "CloudConfigurationDetails.plist":
            try:
                cloud = (read_plist(path),
                         backup_evidence(ev, record.domain, record.relative_path, "cloud configuration"))
            except BackupError as exc:
                outcome.reason = str(exc)
        elif name.startswith("profile-"):
            try:
                profile = profiles.parse_profile(path.read_bytes(), record.relative_path)
            except (profiles.ProfileUnreadable, OSError) as exc:
                outcome.reason = str(exc)
                continue
            excerpt = f"{profile.name} ({profile.organization}) payloads: {', '.join(profile.payload_types)}"
            found.append((profile, backup_evidence(ev, record.domain, record.relative_path, excerpt)))
    return found, cloud


def run(ev: IOSEvidence, pack: SignaturePack) -> CheckOutcome:
    outcome = CheckOutcome(NAME, "ran")
    notes_before = len(ev.file_notes)
    found: list[tuple[profiles.Profile, Evidence]] = []
    cloud = None
    live, problem = ev.json_artifact("profiles.json")
    sources = 0
    if isinstance(live, dict):
        sources += 1
        for profile in profiles.from_profile_list(live.get("profiles")):
            found.append((profile, artifact_evidence(ev, "profiles.json", f"{profile.name} ({profile.organization})",
                                                     profile.identifier)))
        if live.get("cloud_configuration") is not None:
            cloud = (live["cloud_configuration"], artifact_evidence(ev, "profiles.json", "cloud_configuration"))
    if ev.backup is not None:
        sources += 1
        from_backup, backup_cloud = _from_backup(ev, outcome)
        seen = {p.uuid for p, _ in found if p.uuid}
        found += [(p, e) for p, e in from_backup if not p.uuid or p.uuid not in seen]
        cloud = cloud or backup_cloud
    if not sources:
        outcome.status = "failed" if (problem or ev.backup_problem) else "skipped"
        outcome.reason = problem or ev.backup_problem or "no profile list was collected and there is no backup"
        return outcome
    for profile, evidence in found:
        matches = pack.indicators.lookup("config_profile", profile.uuid) if profile.uuid else []
        params = {"name": profile.name, "organization": profile.organization,
                  "payloads": ", ".join(profile.payload_types)}
        subject = profile.name or profile.identifier or profile.uuid
        for indicator in matches:
            outcome.findings.append(ios_finding("profile.known_malicious", subject, "critical", "high", [evidence],
                                                profile.installed, family=f"ioc.{indicator.campaign.casefold()}",
                                                **params, family_name=indicator.campaign,
                                                indicator=indicator.value, source=indicator.source))
        if matches:
            continue
        kinds = profile.kinds
        for kind in kinds:
            outcome.findings.append(ios_finding(f"profile.{kind}", subject, SEVERITY[kind], "high", [evidence],
                                                profile.installed, **params))
        if not kinds:
            outcome.findings.append(ios_finding("profile.installed", subject, "low", "high", [evidence],
                                                profile.installed, **params))
    enrolment = profiles.mdm_enrolment(cloud[0]) if cloud else None
    if enrolment and cloud:
        outcome.findings.append(ios_finding("mdm_enrolled", str(enrolment.get("OrganizationName") or "MDM"),
                                            "medium", "high", [cloud[1]],
                                            organization=str(enrolment.get("OrganizationName") or "")))
    outcome.counts = {"profiles": len(found)}
    unread = ev.file_notes[notes_before:]
    outcome.reason = outcome.reason or (f"{len(unread)} profile file(s) of the backup could not be read: {unread[0]}"
                                        if unread else None)
    return outcome
