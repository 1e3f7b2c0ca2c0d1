"""Two live iPhone acquisitions of one phone compared (``inspector diff``; docs/acquisition.md, iPhone
layout): ``apps.json`` (installation_proxy), ``profiles.json`` (mobile_config profile list and cloud
configuration) and ``backup_settings.json`` (``WillEncrypt``). Findings use the same ``diff.<kind>``
rules as Android where the change is the same (an app added, removed, updated, signed by someone
else; the phone put under management), plus ``profile_added`` and ``backup_encryption_on``.

A backup-only acquisition (``inspector check BACKUP``) names its apps but not their signers,
profiles only through backup files: it is not compared yet (listed under ``not_compared``).
"""

from __future__ import annotations

import json
from typing import Any

from inspector.acquisition import Acquisition
from inspector.analyze.diff import finding
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.ios.apps import AppRecord, from_installation_proxy
from inspector.analyze.ios.profiles import from_profile_list


def _json(acq: Acquisition, name: str, problems: dict[str, str], side: str) -> Any:
    if not acq.is_complete(name):
        problems[f"{side}: {name}"] = "not collected" if acq.artifact(name) is None else "not complete"
        return None
    try:
        return json.loads(acq.artifact_path(name).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        problems[f"{side}: {name}"] = str(exc)
        return None


def _ev(acq: Acquisition, artifact: str, excerpt: str, locator: str | None = None) -> Evidence:
    return Evidence(artifact=artifact, excerpt=excerpt[:500], sha256=(acq.artifact(artifact) or {}).get("sha256"),
                    locator=locator)


def compare_ios(before: Acquisition, after: Acquisition) -> tuple[list[Finding], dict[str, str]]:
    problems: dict[str, str] = {}
    out: list[Finding] = []
    loaded = {side: {name: _json(acq, name, problems, side)
                     for name in ("apps.json", "profiles.json", "backup_settings.json")}
              for side, acq in (("before", before), ("after", after))}
    old, new = loaded["before"], loaded["after"]
    if old["apps.json"] is not None and new["apps.json"] is not None:
        _apps(after, from_installation_proxy(old["apps.json"]), from_installation_proxy(new["apps.json"]), out)
    if isinstance(old["profiles.json"], dict) and isinstance(new["profiles.json"], dict):
        _profiles(after, old["profiles.json"], new["profiles.json"], out)
    if isinstance(old["backup_settings.json"], dict) and isinstance(new["backup_settings.json"], dict):
        was, now = old["backup_settings.json"].get("WillEncrypt"), new["backup_settings.json"].get("WillEncrypt")
        if was is False and now is True:
            out.append(finding("backup_encryption_on", "WillEncrypt: false → true", "medium", "verified",
                               [_ev(after, "backup_settings.json", "WillEncrypt=true")],
                               value_before=was, value_after=now))
    return out, problems


def _apps(after: Acquisition, before_list: list[AppRecord], after_list: list[AppRecord], out: list[Finding]) -> None:
    old = {a.bundle_id: a for a in before_list}
    new = {a.bundle_id: a for a in after_list}
    for bundle in sorted(set(new) - set(old)):
        app = new[bundle]
        severity = "high" if app.source in ("enterprise", "developer") else "medium"
        out.append(finding("package_added", bundle, severity, "verified",
                           [_ev(after, "apps.json", f"{bundle} {app.signer}", app.locator)],
                           package=bundle, installer=app.source, version_code=app.version or None,
                           system=False, signer=app.signer or None))
    for bundle in sorted(set(old) - set(new)):
        out.append(finding("package_removed", bundle, "info", "verified",
                           [_ev(after, "apps.json", bundle)], package=bundle, version_code=old[bundle].version or None))
    for bundle in sorted(set(old) & set(new)):
        was, now = old[bundle], new[bundle]
        if was.signer and now.signer and was.signer != now.signer:
            out.append(finding("package_signer_changed", bundle, "high", "high",
                               [_ev(after, "apps.json", f"{bundle} {now.signer}", now.locator)],
                               package=bundle, certificates_before=[was.signer], certificates_after=[now.signer],
                               source="ios_signer", version_before=was.version, version_after=now.version))
        elif was.version != now.version:
            out.append(finding("package_updated", bundle, "info", "verified",
                               [_ev(after, "apps.json", f"{bundle} {now.version}", now.locator)],
                               package=bundle, version_before=was.version, version_after=now.version))


def _profiles(after: Acquisition, old: dict[str, Any], new: dict[str, Any], out: list[Finding]) -> None:
    known = {p.identifier for p in from_profile_list(old.get("profiles"))}
    for profile in from_profile_list(new.get("profiles")):
        if profile.identifier in known:
            continue
        out.append(finding("profile_added", profile.name or profile.identifier, "medium", "verified",
                           [_ev(after, "profiles.json", f"{profile.name} ({profile.organization})",
                                profile.identifier)],
                           profile=profile.name or profile.identifier, organization=profile.organization or None,
                           identifier=profile.identifier))
    if not old.get("cloud_configuration") and isinstance(new.get("cloud_configuration"), dict) \
            and new["cloud_configuration"]:
        cloud = new["cloud_configuration"]
        organization = cloud.get("OrganizationName") if isinstance(cloud.get("OrganizationName"), str) else ""
        out.append(finding("device_owner_added", f"mdm:{organization or '?'}", "high", "verified",
                           [_ev(after, "profiles.json", json.dumps(cloud)[:300], "cloud_configuration")],
                           component=f"mdm:{organization}", package=organization or None, new_app=False))
