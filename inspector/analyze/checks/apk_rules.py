"""The pulled APKs (``apks/`` artifacts) matched against the APK rules (``signatures/apk-rules/``):
implants found by their code, strings, assets, components and certificates, whatever their name."""

from __future__ import annotations

import json

from inspector.acquisition import Acquisition
from pathlib import Path

from inspector.analyze.apk.checker import ApkChecker
from inspector.analyze.apk.pack_match import ACQUISITION_SKIP
from inspector.analyze.apk.rules import ApkRuleError
from inspector.analyze.apk.yara_rules import YaraRulesError
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.signatures import SignaturePack, SignaturePackError

NAME = "apk_rules"


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    try:
        checker = ApkChecker.for_pack(pack)
    except (ApkRuleError, YaraRulesError, SignaturePackError) as exc:
        return CheckOutcome(NAME, "failed", str(exc), decides_verdict=False)
    apks = sorted((name, rec) for name, rec in acq.manifest.get("artifacts", {}).items()
                  if name.startswith("apks/") and rec.get("status") == "complete")
    if not apks:
        return CheckOutcome(NAME, "skipped", "no apps were copied from the phone", counts={"apks_analyzed": 0},
                            decides_verdict=False)
    # Not (yet) part of "incomplete": apps not copied are already reported by the acquisition itself.
    outcome = CheckOutcome(NAME, "ran", decides_verdict=False)
    arts = {acq.artifact_path(name): (name, art) for name, art in apks}
    entries = checker.check(list(arts), skip=ACQUISITION_SKIP)
    analyzed, failed = 0, []
    for entry in entries:
        name, art = arts[Path(entry["path"])]
        analyzed += 1
        if entry["unreadable"]:
            failed.append(f"{name}: {(entry['errors'] or ['unreadable'])[0]}")
        for match in entry["matches"]:
            family = pack.families.get(match["family"])
            subject = entry.get("package") or art.get("package") or name
            evidence = tuple(
                Evidence(artifact=name, excerpt=str(m["seen"]), sha256=entry.get("sha256"),
                         locator=f"{m['condition']}: {m['where']}"
                                 + (f" (used by {', '.join(m['used_by'])})" if m.get("used_by") else ""))
                for m in match["matched"])
            references = tuple(match.get("references") or ()) or (family.references if family else ())
            outcome.findings.append(Finding(
                rule_id=match["rule_id"], family=match["family"], severity=match["severity"],
                confidence=match["confidence"], title="finding.apk_rule.title",
                explanation="finding.apk_rule.explanation", subject=subject, evidence=evidence,
                references=references,
                params={"family_name": family.name if family else match["name"], "rule_name": match["name"],
                        "package": subject, "apk": name, "apk_sha256": entry.get("sha256"),
                        "score": match["score"], "strong_score": match.get("strong_score"),
                        "matched_conditions": [{k: (v if isinstance(v, str | int | float) else json.dumps(v))
                                                for k, v in m.items()} for m in match["matched"]]},
            ))
    outcome.counts = {"apks_analyzed": analyzed, **({"apks_failed": len(failed)} if failed else {})}
    if failed:
        outcome.reason = f"{len(failed)} app(s) could not be fully read: " + "; ".join(failed[:3])
    return outcome
