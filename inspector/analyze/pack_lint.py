"""``inspector signatures lint``: the pack in use (or another pack folder) read exactly as a scan reads
it, plus the checks a rule author wants before shipping: every problem names its file, and the run says
how long the whole pack takes to load.

Errors (the pack cannot be used): pack.yaml / implants / target lists / APK rules that do not validate,
indicator bundles that cannot be read, YARA files that do not compile. Warnings (the pack works, but
look): an APK rule without references, a rule whose conditions can never reach its strong score (it can
only ask for review, though its severity says critical or high), a family with nothing to match yet,
indicator patterns not understood."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class LintReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    load_seconds: float | None = None


def _max_score(rule) -> float:
    return sum(c.weight for c in rule.conditions)


def lint(folder: Path | None = None) -> LintReport:
    from inspector.analyze.apk.checker import ApkChecker
    from inspector.analyze.apk.rules import ApkRuleError
    from inspector.analyze.apk.yara_rules import YaraRulesError
    from inspector.analyze.signatures import SignaturePack, SignaturePackError

    report = LintReport()
    started = time.perf_counter()
    try:
        pack = SignaturePack.load(folder)
    except SignaturePackError as exc:
        report.errors.append(str(exc))
        return report
    try:
        checker = ApkChecker.for_pack(pack)  # APK rules, every indicator bundle, YARA
    except (SignaturePackError, ApkRuleError, YaraRulesError) as exc:
        report.errors.append(str(exc))
        return report
    report.load_seconds = time.perf_counter() - started
    indicators = pack.indicators
    report.facts.append(f"{pack.name} {pack.version}, SHA-256 {pack.sha256}")
    report.facts.append(f"{len(pack.families)} families, {len(pack.packages)} package rules, "
                        f"{len(pack.leftover_files)} leftover-file rules, {len(pack.target_lists)} target lists, "
                        f"{len(checker.rules)} APK rules, {sum(indicators.counts().values()):,} indicators from "
                        f"{len(indicators.sources)} bundles, "
                        f"{len(checker.yara.files) if checker.yara else 0} YARA files")
    if indicators.unsupported:
        report.warnings.append(f"{indicators.unsupported} indicator patterns are not understood and not used")
    for rule in checker.rules:
        where = f"apk-rules/{rule.file}: {rule.id}"
        if not rule.references:
            report.warnings.append(f"{where}: no references (cite the public source of its facts)")
        if _max_score(rule) < rule.strong and rule.severity in ("critical", "high"):
            report.warnings.append(f"{where}: its conditions add up to {_max_score(rule):g} < strong "
                                   f"{rule.strong:g}: it can only ask for review")
        strong_alone = [c for c in rule.conditions if c.weight >= rule.strong]
        if rule.severity in ("critical", "high") and not strong_alone and rule.match == "any" \
                and _max_score(rule) >= rule.strong:
            report.facts.append(f"{where}: needs several conditions together to be {rule.severity}")
    from inspector.analyze.apk.pack_match import _family_for

    campaigns = {i.campaign for kind in indicators.by_kind.values() for items in kind.values() for i in items}
    ruled = {r.family for r in checker.rules} | {p.family for p in pack.packages} | \
            {f.family for f in pack.leftover_files} | {t.family for t in pack.target_lists} | \
            {p.family for p in pack.listening_ports} | {_family_for(pack, c) for c in campaigns}
    for family in pack.families.values():
        if family.id not in ruled:
            report.warnings.append(f"implants/{family.id}.yaml: no rule or indicator matches this family yet")
    return report
