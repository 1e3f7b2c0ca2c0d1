"""Matching APK rules against feature records, and checking APK files (``inspector check X.apk``).

Every matched condition carries its evidence: the exact value seen and where (which DEX and string
index, which asset with its SHA-256, which certificate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.analyze.apk.rules import ApkRule, Condition, load_rules
from inspector.analyze.findings import SEVERITIES

_STRONG = ("critical", "high")


@dataclass
class RuleMatch:
    rule: ApkRule
    score: float
    severity: str
    confidence: str
    matched: list[dict[str, Any]] = field(default_factory=list)  # one per matched leaf condition

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule.id, "family": self.rule.family, "name": self.rule.name,
                "severity": self.severity, "confidence": self.confidence, "score": self.score,
                "strong_score": self.rule.strong, "matched": self.matched,
                "references": list(self.rule.references), "source": self.rule.source}


_JOINED: dict[tuple, str] = {}


def _joined(rec: dict, dex: dict, table: str) -> str:
    """A DEX table as one text, one entry per line, so that a search runs at C speed (a string holding
    a newline is split in two: a value with a newline never matches; no rule needs one). The last few
    are kept: matching every rule against one record reuses them."""
    key = (rec.get("sha256"), dex.get("name"), table, len(dex.get(table, ())), id(dex))
    text = _JOINED.get(key)
    if text is None:
        if len(_JOINED) > 32:
            _JOINED.clear()
        text = _JOINED[key] = "\n".join(dex.get(table, ()))
    return text


def _hits(kind: str, value: Any, cond: Condition, rec: dict) -> list[dict[str, Any]]:
    """The evidence for one leaf: [{"seen": exact value, "where": location}], empty if no match."""
    pkg = rec.get("package") or ""
    if kind == "package":
        return [{"seen": pkg, "where": "manifest package"}] if pkg == value else []
    if kind == "package_ci":
        return [{"seen": pkg, "where": "manifest package"}] if pkg and pkg.casefold() == value.casefold() else []
    if kind == "package_regex":
        return [{"seen": pkg, "where": "manifest package"}] if pkg and cond.regex.fullmatch(pkg) else []
    if kind == "label_regex":  # full match, in any locale
        return [{"seen": label, "where": f"label ({locale})"} for locale, label in rec.get("labels", {}).items()
                if cond.regex.fullmatch(label)][:1]
    if kind == "label":
        return [{"seen": label, "where": f"label ({locale})"} for locale, label in rec.get("labels", {}).items()
                if label == value][:1]
    if kind in ("cert_sha1", "cert_sha256"):
        key = kind[5:]
        return [{"seen": c[key], "where": f"signing certificate {c.get('subject', '')}"}
                for c in rec.get("certificates", []) if c.get(key) == value]
    if kind == "apk_sha256":
        return [{"seen": rec["sha256"], "where": "APK file"}] if rec.get("sha256") == value else []
    if kind == "dex_string":
        out = []
        for dex in rec.get("dex", []):
            joined = _joined(rec, dex, "strings")
            pos = joined.find(value)
            if pos >= 0:  # the first string that contains it: its index is the separators before it
                index = joined.count("\n", 0, pos)
                out.append({"seen": dex["strings"][index], "where": f"{dex['name']} string #{index}"})
        return out
    if kind == "dex_class_prefix":
        out = []
        for dex in rec.get("dex", []):
            found = [c for c in dex.get("classes", []) if c.startswith(value + "/") or c == value + ";"]
            if found:
                out.append({"seen": found[0], "where": f"{dex['name']} ({len(found)} classes under {value}/)"})
        return out
    if kind == "dex_class_name":  # the simple name of a defined class, in any package: "SmsMsg"
        tail = "/" + value + ";"
        out = []
        for dex in rec.get("dex", []):
            found = [c for c in dex.get("classes", []) if c.endswith(tail) or c == "L" + value + ";"]
            if found:
                out.append({"seen": found[0], "where": f"{dex['name']} class"})
        return out[:1]
    if kind == "file_string":
        for f in rec.get("files", []):
            for text in f.get("strings") or ():
                if value in text:
                    return [{"seen": text, "where": f"{f['name']} sha256={f.get('sha256')}"}]
        return []
    if kind in ("asset", "native_lib"):
        want = "asset" if kind == "asset" else "native"
        out = []
        for f in rec.get("files", []):
            name = f["name"]
            if f.get("kind") != want:
                continue
            if (name == value) if "/" in value else (name.rsplit("/", 1)[-1] == value):
                out.append({"seen": name, "where": f"{name} sha256={f.get('sha256')}"})
        return out
    if kind == "asset_sha256":
        return [{"seen": f["sha256"], "where": f["name"]} for f in rec.get("files", []) if f.get("sha256") == value]
    if kind == "permissions":
        need, names = value
        have = set(rec.get("permissions", []))
        got = [n for n in names if n in have]
        return [{"seen": ", ".join(got), "where": "manifest permissions"}] if len(got) >= need else []
    if kind in ("component", "component_prefix"):
        return [{"seen": c["name"], "where": f"manifest {c['kind']}"} for c in rec.get("components", [])
                if (c["name"] == value if kind == "component" else c["name"].startswith(value))][:3]
    if kind in ("intent_action", "intent_action_prefix"):
        out = []
        for c in rec.get("components", []):
            for action in c.get("actions", []):
                if action == value if kind == "intent_action" else action.startswith(value):
                    out.append({"seen": action, "where": f"intent filter of {c['kind']} {c['name']}"})
        return out[:3]
    raise ValueError(f"unknown condition {kind!r}")  # pragma: no cover - rules.py validates


def _evaluate(cond: Condition, rec: dict) -> list[dict[str, Any]] | None:
    """Evidence if the condition holds, else None."""
    if cond.kind in ("any", "all", "at_least"):
        results = [_evaluate(c, rec) for c in cond.value]
        held = [r for r in results if r is not None]
        need = {"any": 1, "all": len(results), "at_least": cond.need}[cond.kind]
        return [e for r in held for e in r] if len(held) >= need else None
    hits = _hits(cond.kind, cond.value, cond, rec)
    if not hits:
        return None
    shown = cond.value if not isinstance(cond.value, tuple) else {"n_of": cond.value[0], "of": list(cond.value[1])}
    return [{"condition": cond.kind, "value": shown, "weight": cond.weight, **hit} for hit in hits]


def match_rule(rule: ApkRule, rec: dict) -> RuleMatch | None:
    held, evidence, score = 0, [], 0.0
    for cond in rule.conditions:
        result = _evaluate(cond, rec)
        if result is not None:
            held += 1
            score += cond.weight
            evidence.extend(result)
    need = {"any": 1, "all": len(rule.conditions), "at_least": rule.need}[rule.match]
    if held < need or score < rule.review:
        return None
    if score >= rule.strong:
        return RuleMatch(rule, score, rule.severity, rule.confidence, evidence)
    severity = rule.severity if rule.severity not in (*_STRONG, "medium") else "medium"
    return RuleMatch(rule, score, severity, "low", evidence)


def match_all(rules: list[ApkRule], rec: dict) -> list[RuleMatch]:
    return [m for rule in rules if (m := match_rule(rule, rec)) is not None]


_RULES: dict[tuple[str, tuple[str, ...], str], list[ApkRule]] = {}


def rules_for(folder: Path, families: set[str], version: str = "") -> list[ApkRule]:
    """The rules in ``folder`` (``signatures/apk-rules``), loaded once per process and pack ``version``."""
    key = (str(folder), tuple(sorted(families)), version)
    if key not in _RULES:
        _RULES[key] = load_rules(folder, families)
    return _RULES[key]


def check_apk(path: Path, rules: list[ApkRule], use_cache: bool = True, pack=None, yara=None) -> dict[str, Any]:
    """One APK checked, by the path every APK takes (``features_many``: the cache, the time limit and
    memory guard, errors as entries), then matched: its identity, errors, matches (APK rules, then the
    rest of the pack when given: family package names, imported indicators, YARA). Never raises for a
    bad APK. :class:`~inspector.analyze.apk.checker.ApkChecker` is the many-APK form the scans use."""
    from inspector.analyze.apk.pool import features_many

    [(record, cached)] = features_many([path], jobs=1, use_cache=use_cache, yara=yara).values()
    return entry_for(path, record, rules, pack, cached)


def entry_for(path: Path, rec: dict[str, Any], rules: list[ApkRule], pack=None, cached: bool = False,
              skip: frozenset[str] = frozenset()) -> dict:
    labels = rec.get("labels") or {}
    matches = [m.to_dict() for m in match_all(rules, rec)]
    if pack is not None:
        from inspector.analyze.apk.pack_match import match_pack

        by_family = {m["family"]: m for m in matches}
        for extra in match_pack(rec, pack, skip=skip):
            same = by_family.get(extra["family"])
            if same is None:
                matches.append(extra)
                continue
            same["matched"].extend(extra["matched"])  # one finding per family: the package rule joins it
            if SEVERITIES.index(extra["severity"]) < SEVERITIES.index(same["severity"]):
                same["severity"], same["confidence"] = extra["severity"], extra["confidence"]
    return {"path": str(path), "sha256": rec.get("sha256"), "package": rec.get("package"),
            "label": labels.get("default"), "errors": list(rec.get("errors", [])), "from_cache": cached,
            # a limit or a crash stopped it, or nothing to match at all: neither the manifest nor any DEX read
            "unreadable": bool(rec.get("incomplete"))
            or (not rec.get("package") and not any(d.get("strings") for d in rec.get("dex", []))),
            "matches": matches}
