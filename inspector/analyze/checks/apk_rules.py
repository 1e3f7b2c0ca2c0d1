"""The pulled APKs (``apks/`` artifacts) matched against the APK rules (``signatures/apk-rules/``):
implants found by their code, strings, assets, components and certificates, whatever their name."""

from __future__ import annotations

import json

from inspector.acquisition import Acquisition
from inspector.analyze.apk.cache import features as cached_features
from inspector.analyze.apk.engine import match_all, rules_for
from inspector.analyze.apk.rules import ApkRuleError
from inspector.analyze.checks.base import CheckOutcome
from inspector.analyze.findings import Evidence, Finding
from inspector.analyze.signatures import SignaturePack
from inspector.resources import signatures_dir

NAME = "apk_rules"


def run(acq: Acquisition, pack: SignaturePack) -> CheckOutcome:
    try:
        rules = rules_for((pack.folder or signatures_dir()) / "apk-rules", set(pack.families))
    except ApkRuleError as exc:
        return CheckOutcome(NAME, "failed", str(exc), decides_verdict=False)
    apks = sorted((name, rec) for name, rec in acq.manifest.get("artifacts", {}).items()
                  if name.startswith("apks/") and rec.get("status") == "complete")
    if not apks:
        return CheckOutcome(NAME, "skipped", "no apps were copied from the phone", counts={"apks_analyzed": 0},
                            decides_verdict=False)
    # Not (yet) part of "incomplete": apps not copied are already reported by the acquisition itself.
    outcome = CheckOutcome(NAME, "ran", decides_verdict=False)
    analyzed, failed = 0, []
    for name, art in apks:
        path = acq.artifact_path(name)
        try:
            record, _cached = cached_features(path, sha256=art.get("sha256") or None)
        except Exception as exc:  # noqa: BLE001 - one bad APK never stops the check
            failed.append(f"{name}: {exc}")
            continue
        analyzed += 1
        if record.get("errors") and not record.get("package") and not record.get("dex"):
            failed.append(f"{name}: {record['errors'][0]}")
        for match in match_all(rules, record):
            family = pack.family(match.rule.family)
            subject = record.get("package") or art.get("package") or name
            evidence = tuple(
                Evidence(artifact=name, excerpt=str(m["seen"]), sha256=record.get("sha256"),
                         locator=f"{m['condition']}: {m['where']}")
                for m in match.matched)
            outcome.findings.append(Finding(
                rule_id=match.rule.id, family=match.rule.family, severity=match.severity,
                confidence=match.confidence, title="finding.apk_rule.title",
                explanation="finding.apk_rule.explanation", subject=subject, evidence=evidence,
                references=match.rule.references or family.references,
                params={"family_name": family.name, "rule_name": match.rule.name, "package": subject,
                        "apk": name, "apk_sha256": record.get("sha256"), "score": match.score,
                        "strong_score": match.rule.strong,
                        "matched_conditions": [{k: (v if isinstance(v, str | int | float) else json.dumps(v))
                                                for k, v in m.items()} for m in match.matched]},
            ))
    outcome.counts = {"apks_analyzed": analyzed, **({"apks_failed": len(failed)} if failed else {})}
    if failed:
        outcome.reason = f"{len(failed)} app(s) could not be fully read: " + "; ".join(failed[:3])
    return outcome
