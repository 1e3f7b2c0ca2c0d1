"""Apps of known implant families, installed or removed with their data kept (``packages.json``)."""

from __future__ import annotations

import json

from inspector.acquisition import Acquisition
from inspector.analyze.android_state import AndroidState
from inspector.analyze.checks.base import ArtifactUnusable, CheckOutcome, incomplete_reason, load_json_artifact
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.signatures import SignaturePack

NAME = "known_packages"
ARTIFACT = "packages.json"


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    try:
        packages, _status = load_json_artifact(acq, ARTIFACT)
    except ArtifactUnusable as exc:
        return CheckOutcome(NAME, "failed", str(exc))
    if not isinstance(packages, list):
        return CheckOutcome(NAME, "failed", f"{ARTIFACT} does not hold a list of packages")
    outcome = CheckOutcome(NAME, "ran", incomplete_reason(ARTIFACT, acq), counts={"packages": len(packages)})
    digest = (acq.artifact(ARTIFACT) or {}).get("sha256")
    times = _install_times(acq)
    for index, package in enumerate(packages):
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        for indicator in pack.packages:
            if not indicator.matches(package["name"]):
                continue
            kept_data = bool(package.get("uninstalled"))
            family = pack.family(indicator.family)
            excerpt = {k: package.get(k) for k in ("name", "installer", "uid", "version_code", "uninstalled",
                                                     "system", "disabled")}
            excerpt["apk_sha256"] = [f.get("sha256") for f in package.get("files", []) if isinstance(f, dict)]
            outcome.findings.append(Finding(
                rule_id=indicator.id,
                family=indicator.family,
                # Removed-with-data-kept means it was on the phone; it no longer runs.
                severity="high" if kept_data and indicator.severity == "critical" else indicator.severity,
                confidence=indicator.confidence,
                title=f"finding.known_package.{'kept_data' if kept_data else 'installed'}.title",
                explanation=f"finding.known_package.{'kept_data' if kept_data else 'installed'}.explanation",
                subject=package["name"],
                evidence=(Evidence(artifact=ARTIFACT, excerpt=json.dumps(excerpt, ensure_ascii=False),
                                   sha256=digest, locator=f"/{index}"),),
                references=family.references,
                time=times.get(package["name"], {}).get("installed_time"),
                params={"family_name": family.name, "package": package["name"], "takes": list(family.takes),
                        "installer": package.get("installer"), **times.get(package["name"], {})},
            ))
    return outcome


def _install_times(acq: Acquisition) -> dict[str, dict[str, str]]:
    """When each package was installed (dumpsys package) and removed (logs), where the phone says."""
    state = AndroidState.of(acq)
    times: dict[str, dict[str, str]] = {}
    dump = state.package_dump()
    for record in dump.packages if dump else []:
        if record.first_install_time and record.first_install_time.time:
            times.setdefault(record.name, {})["installed_time"] = record.first_install_time.time
    for event in state.logcat_package_events() or []:
        if event.package and event.time.time and event.action in ("uninstall", "package_removed"):
            times.setdefault(event.package, {}).setdefault("removed_time", event.time.time)
    return times
